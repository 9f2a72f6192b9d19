"""docs/runbook.md names only what exists: every `make` target it tells an operator to run
is in the Makefile, and every stack output it names is output by the synthesized stacks."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

RUNBOOK = ROOT / "docs" / "runbook.md"
MAKE_TARGET = re.compile(r"\bmake ([a-z][a-z0-9-]*)")
# How the runbook names an output: output `x`, <output x>, <x output>, `terraform output -raw x`.
OUTPUT_NAMES = (
    re.compile(r"\boutput `([a-z][a-z0-9_]*)`"),
    re.compile(r"<output ([a-z][a-z0-9_]*)>"),
    re.compile(r"<([a-z][a-z0-9_]*) output>"),
    re.compile(r"\boutput (?:-raw |-json )?([a-z][a-z0-9_]*)`"),
)


def makefile_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"(?m)^([a-z][a-z0-9-]*):", makefile.read_text()))


def unknown_references(text: str, targets: set[str], outputs: set[str]) -> list[str]:
    """What the text names that does not exist, one line each."""
    problems = [f"make {t}: no such Makefile target" for t in sorted(set(MAKE_TARGET.findall(text)) - targets)]
    named = {name for pattern in OUTPUT_NAMES for name in pattern.findall(text)}
    problems += [f"output {name}: no stack outputs it" for name in sorted(named - outputs)]
    return problems


def test_the_check_catches_a_missing_target_and_a_missing_output():
    text = "Run `make deploy ENV=prod`, then `make restore-everything`; the key is output `no_such_output`."
    assert unknown_references(text, {"deploy"}, {"vpc_id"}) == [
        "make restore-everything: no such Makefile target",
        "output no_such_output: no stack outputs it",
    ]


def test_every_make_target_and_stack_output_the_runbook_names_exists(synthesized):
    outputs = {name for synth in synthesized.values() for name in synth.document.get("output", {})}
    text = RUNBOOK.read_text()
    assert MAKE_TARGET.findall(text), "the runbook names no make target: the check reads nothing"
    assert any(pattern.findall(text) for pattern in OUTPUT_NAMES), "the runbook names no output"
    assert unknown_references(text, makefile_targets(ROOT / "Makefile"), outputs) == []
