"""A git ref as the base: checked out into a temporary worktree, synthesized there with the
same Python, and the worktree removed after, also when synthesis fails. A tiny repository in
tmp_path stands in for this one: its main.py copies environments/<name>.json to
<outdir>/stacks/chat-<name>/cdk.tf.json, as the real one writes what it synthesizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from costs.__main__ import EXIT_OK, main
from costs.base import resolve_ref, synthesize_ref
from costs.problems import InputError
from tests.costs.stacks import ROUND_PRICES, stack_document, write_assumptions, write_stacks

COPYING_MAIN = """
import argparse, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--environments-dir", default="environments")
parser.add_argument("--outdir", default="cdktf.out")
args = parser.parse_args()
for environment in sorted(pathlib.Path(args.environments_dir).glob("*.json")):
    folder = pathlib.Path(args.outdir) / "stacks" / f"chat-{environment.stem}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdk.tf.json").write_text(environment.read_text())
"""
FAILING_MAIN = "import sys\nprint('boom: synthesis failed', file=sys.stderr)\nsys.exit(1)\n"
NAT_ONLY = {"aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}"}}}
NAT_AND_ADDRESS = {**NAT_ONLY, "aws_eip": {"nat": {"domain": "vpc"}}}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], env={**os.environ, **GIT_IDENTITY}, capture_output=True, text=True, check=True
    )
    return result.stdout


def commit(repo: Path, main_py: str, resources: dict, message: str) -> None:
    (repo / "environments").mkdir(parents=True, exist_ok=True)
    (repo / "main.py").write_text(main_py)
    (repo / "environments" / "dev.json").write_text(json.dumps(stack_document(resources)))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    """Three commits: a NAT gateway; then an address added; then a main.py that fails."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    commit(path, COPYING_MAIN, NAT_ONLY, "nat")
    commit(path, COPYING_MAIN, NAT_AND_ADDRESS, "address")
    commit(path, FAILING_MAIN, NAT_AND_ADDRESS, "broken")
    return path


def worktrees(repo: Path) -> int:
    return git(repo, "worktree", "list", "--porcelain").count("worktree ")


def test_a_ref_is_synthesized_in_a_worktree_that_is_removed_after(repo, tmp_path):
    work = tmp_path / "work"
    work.mkdir()

    (stacks,) = synthesize_ref(repo, resolve_ref(repo, "HEAD~2"), ["environments"], sys.executable, work)

    assert json.loads((stacks / "chat-dev" / "cdk.tf.json").read_text())["resource"] == NAT_ONLY
    assert worktrees(repo) == 1
    assert not (work / "worktree").exists()


def test_a_failing_synthesis_is_a_clear_error_and_still_removes_the_worktree(repo, tmp_path):
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(InputError) as error:
        synthesize_ref(repo, resolve_ref(repo, "HEAD"), ["environments"], sys.executable, work)

    (problem,) = error.value.problems
    assert "`main.py --environments-dir environments` exited 1: boom: synthesis failed" in problem
    assert worktrees(repo) == 1
    assert not (work / "worktree").exists()


def test_a_ref_without_the_environments_folder(repo, tmp_path):
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(InputError, match="the ref has no examples/ folder"):
        synthesize_ref(repo, resolve_ref(repo, "HEAD~1"), ["examples"], sys.executable, work)
    assert worktrees(repo) == 1


def test_the_command_diffs_against_a_git_ref(repo, tmp_path, capsys):
    current = write_stacks(tmp_path / "current", {"chat-dev": stack_document(NAT_AND_ADDRESS)})
    assumptions = write_assumptions(tmp_path / "assumptions.toml")
    out = tmp_path / "review"

    files = ["--prices", str(ROUND_PRICES), "--assumptions", str(assumptions)]
    code = main(["--stacks-dir", str(current), "--out-dir", str(out), *files, "--base", "HEAD~2", "--repo", str(repo)])

    assert code == EXIT_OK
    stdout = capsys.readouterr().out
    # The base (HEAD~2) has the NAT gateway only; the current stack adds one address: 730 h x $0.005.
    assert "**chat-dev**: $36.50 -> $40.15 a month (+$3.65" in stdout
    assert (
        "| added | `aws_eip.nat` | Public IPv4 |  | 3.65 | +$3.65 |" in (out / "chat-dev" / "cost-diff.md").read_text()
    )
    assert worktrees(repo) == 1
