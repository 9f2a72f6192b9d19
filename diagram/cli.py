"""`python -m diagram`: an architecture diagram for every synthesized stack.

Exit codes: 0 written (DOT always; SVG and PNG when Graphviz is installed), 1 Graphviz failed,
2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from diagram.build import build_diagram
from diagram.dot import render_dot
from diagram.graphviz import INSTALL_HINT, GraphvizFailed, find_dot, render_images
from gate.run import STACK_FILE, find_stacks

EXIT_GRAPHVIZ_FAILED = 1
EXIT_BAD_INPUT = 2
DOT_FILE = "architecture.dot"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m diagram",
        description=(
            "Draw each synthesized stack's architecture from its cdk.tf.json: tiers (edge, compute, data), "
            "availability zones (subnets, NAT gateways, where each component runs), security group reachability "
            "(labelled with ports), IAM access from the services' task roles and the traffic paths from users "
            "through CloudFront / the load balancer / API Gateway to the services and stores. Writes "
            f"OUT_DIR/<stack>/{DOT_FILE} always, and architecture.svg and architecture.png when Graphviz's `dot` "
            "is on PATH."
        ),
        epilog="Exit codes: 0 written, 1 Graphviz failed, 2 bad input (missing stacks directory, unreadable stack).",
    )
    for option, default, meaning in (
        ("--stacks-dir", "cdktf.out/stacks", "the synthesized stacks, one <stack>/cdk.tf.json each"),
        ("--out-dir", "cdktf.out/review", "where <stack>/architecture.* go"),
    ):
        parser.add_argument(option, type=Path, default=Path(default), help=f"{meaning} (default: {default})")
    parser.add_argument("stacks", nargs="*", metavar="STACK", help="only these stacks (default: every stack found)")
    return parser.parse_args(argv)


def read_stacks(stacks_dir: Path, wanted: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """(stack name -> document, problems): every problem found, one line each."""
    if not stacks_dir.is_dir():
        return {}, [f"{stacks_dir}: stacks directory not found; expected the synthesized stacks (run `make synth`)"]
    found = find_stacks(stacks_dir)
    if not found:
        return {}, [f"{stacks_dir}: expected <stack>/{STACK_FILE} in it, found none (run `make synth`)"]
    problems = [
        f"{name}: no such stack in {stacks_dir}; expected one of: {', '.join(sorted(found))}"
        for name in wanted
        if name not in found
    ]
    documents = {}
    for name, path in found.items():
        if wanted and name not in wanted:
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{path}: expected a synthesized stack (JSON), could not read it: {error}")
            continue
        if not isinstance(document, dict) or not isinstance(document.get("resource", {}), dict):
            problems.append(f'{path}: expected a JSON object with a "resource" object, got {type(document).__name__}')
            continue
        documents[name] = document
    return documents, problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    documents, problems = read_stacks(args.stacks_dir, args.stacks)
    if problems:
        for problem in problems:
            print(f"diagram: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    diagrams = {name: build_diagram(name, document) for name, document in documents.items()}
    dot = find_dot()
    for name, diagram in diagrams.items():
        dot_file = args.out_dir / name / DOT_FILE
        dot_file.parent.mkdir(parents=True, exist_ok=True)
        dot_file.write_text(render_dot(diagram), encoding="utf-8")
        written = [dot_file]
        if dot:
            try:
                written += render_images(dot_file, dot)
            except GraphvizFailed as error:
                print(f"diagram: error: {error}", file=sys.stderr)
                return EXIT_GRAPHVIZ_FAILED
        files = ", ".join(path.name for path in written)
        print(f"{name}: {len(diagram.nodes)} nodes, {len(diagram.edges)} edges -> {dot_file.parent}: {files}")
    if not dot:
        print(f"diagram: Graphviz `dot` is not on PATH: wrote DOT only, skipped SVG and PNG; {INSTALL_HINT}")
    return 0
