"""The fixture-gate approach of the project-check tests, once: copy a test file's fixture
stacks (and stacks a module synthesized) into a temporary stacks directory, run the gate
over it once, and read each check's outcome per resource."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gate.rules import RULES
from gate.run import gate, read_results

FIXTURES = Path(__file__).parent / "fixtures"
# A module test's protected scratch stack keeps its backups in one region: CKV_CHAT_41's waiver.
NO_COPY_REASON = "A module's scratch stack for a gate test: never deployed, so nothing to lose with a region."


def fixture_stacks(check_ids: Iterable[str]) -> list[str]:
    """ "chat-<n>-pass" and "chat-<n>-fail" for each CKV_CHAT_<n>."""
    return [f"chat-{check_id.rsplit('_', 1)[1]}-{outcome}" for check_id in check_ids for outcome in ("pass", "fail")]


def run_gate(
    tmp_path_factory, label: str, stacks: Iterable[str], module_stacks: Mapping[str, dict]
) -> tuple[Any, dict[str, Any]]:
    """(the gate's report, its results: checkov's and the whole-stack rules') over the fixture
    `stacks` and `module_stacks`."""
    stacks_dir = tmp_path_factory.mktemp(f"{label}-fixtures")
    for stack in stacks:
        shutil.copytree(FIXTURES / stack, stacks_dir / stack)
    for name, document in module_stacks.items():
        (stacks_dir / name).mkdir()
        (stacks_dir / name / "cdk.tf.json").write_text(json.dumps(document))
    report_dir = tmp_path_factory.mktemp(f"{label}-gate")
    report = gate(stacks_dir, report_dir)
    return report, read_results(report_dir)


def by_resource(results: dict[str, Any], stack: str, check_id: str) -> dict[str, str]:
    """{resource name: "passed" | "failed"} for one check on one stack."""
    found = {}
    for kind in ("passed_checks", "failed_checks"):
        for finding in results[kind]:
            if finding["check_id"] == check_id and finding["file_path"] == f"/{stack}/cdk.tf.json":
                found[finding["resource"].split(".")[-1]] = kind.split("_")[0]
    return found


def project_check_ids(low: int, high: int) -> set[str]:
    """The CKV_CHAT_<n> ids, low <= n <= high, of the project rules (gate/rules)."""
    return {rule.id for rule in RULES if low <= rule.number <= high}


def waived_checks(report: Any, stack: str) -> set[str]:
    """The check ids a stack's waivers covered in the gate's report."""
    (outcome,) = [s for s in report.stacks if s.name == stack]
    return {finding.check_id for finding, _ in outcome.waived}
