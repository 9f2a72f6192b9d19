"""`python -m diagram` end to end on the hand-written stack: what it writes, how it renders, how it fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diagram.build import build_diagram
from diagram.cli import main
from diagram.dot import render_dot
from diagram.graphviz import PNG_SIGNATURE
from tests.diagram.small_stack import small_stack

ROOT = Path(__file__).resolve().parents[2]
DOT = shutil.which("dot")
NEEDS_DOT = pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not on PATH (apt-get install graphviz)")


@pytest.fixture
def stacks_dir(tmp_path: Path) -> Path:
    stack = tmp_path / "stacks" / "chat-demo"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps(small_stack()))
    return tmp_path / "stacks"


def fake_dot(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-dot"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return str(path)


def test_dot_merges_a_route_with_the_rule_that_admits_it_and_tabulates_zones():
    text = render_dot(build_diagram("chat-demo", small_stack()))
    assert (
        '"aws_lb.alb" -> "ecs_service:api" [color="#1a56a8", penwidth="1.8", '
        'label="/api/* (blue 90, green 10)\\n:3000"];' in text
    )
    # The one NAT gateway is in a; b's private subnet routes to it across zones.
    assert "<TD>nat-0</TD><TD>–</TD>" in text
    assert "<TD>→ nat-0</TD><TD>→ nat-0 (in a)</TD>" in text
    assert "not drawn: aws_lambda_function" in text


def test_missing_stacks_dir_is_exit_2_with_nothing_written(tmp_path, capsys):
    out = tmp_path / "review"
    assert main(["--stacks-dir", str(tmp_path / "nowhere"), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nowhere'}: stacks directory not found" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_every_bad_stack_and_unknown_name_is_reported_and_nothing_written(stacks_dir, tmp_path, capsys):
    (stacks_dir / "broken").mkdir()
    (stacks_dir / "broken" / "cdk.tf.json").write_text("{not json")
    out = tmp_path / "review"
    assert main(["--stacks-dir", str(stacks_dir), "--out-dir", str(out), "chat-demo", "broken", "chat-typo"]) == 2
    problems = capsys.readouterr().err.strip().splitlines()
    assert len(problems) == 2
    assert (
        problems[0] == f"diagram: error: chat-typo: no such stack in {stacks_dir}; expected one of: broken, chat-demo"
    )
    assert problems[1].startswith(f"diagram: error: {stacks_dir / 'broken' / 'cdk.tf.json'}: expected a synthesized")
    assert not out.exists()


def test_without_graphviz_only_the_dot_file_is_written_and_it_says_how_to_get_images(
    stacks_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("diagram.cli.find_dot", lambda: None)
    out = tmp_path / "review"
    assert main(["--stacks-dir", str(stacks_dir), "--out-dir", str(out)]) == 0
    assert sorted(p.name for p in (out / "chat-demo").iterdir()) == ["architecture.dot"]
    said = capsys.readouterr().out.strip().splitlines()
    assert said[-1].startswith("diagram: Graphviz `dot` is not on PATH: wrote DOT only, skipped SVG and PNG;")
    assert "apt-get install graphviz" in said[-1] and "brew install graphviz" in said[-1]


def test_a_failing_dot_is_exit_1_with_its_message(stacks_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("diagram.cli.find_dot", lambda: fake_dot(tmp_path, 'echo "Error: syntax error" >&2; exit 3'))
    assert main(["--stacks-dir", str(stacks_dir), "--out-dir", str(tmp_path / "review")]) == 1
    assert "exit 3: Error: syntax error" in capsys.readouterr().err


def test_a_dot_that_exits_0_without_an_image_is_not_trusted(stacks_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("diagram.cli.find_dot", lambda: fake_dot(tmp_path, "exit 0"))
    assert main(["--stacks-dir", str(stacks_dir), "--out-dir", str(tmp_path / "review")]) == 1
    assert "exit 0 but" in capsys.readouterr().err


@NEEDS_DOT
def test_graphviz_writes_a_png_and_an_svg(stacks_dir, tmp_path):
    out = tmp_path / "review"
    result = subprocess.run(
        [sys.executable, "-m", "diagram", "--stacks-dir", str(stacks_dir), "--out-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    png = (out / "chat-demo" / "architecture.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000
    assert "<svg" in (out / "chat-demo" / "architecture.svg").read_text()
    assert result.stdout.startswith("chat-demo: 19 nodes, ")
