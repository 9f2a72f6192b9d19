"""The gate's verdict as SARIF 2.1.0, for code scanning (GitHub uploads it as alerts).

checkov's own SARIF cannot be used: it knows nothing of the waivers, so every waived
finding would open an alert. Here a failed finding is an error result, and a waived one
carries its reason as an external suppression (shown as dismissed, with the reason).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gate.run import STACK_FILE, Finding, GateReport

TOOL_NAME = "chat-infra gate (checkov)"


def _result(finding: Finding, stacks_dir: Path, reason: str | None) -> dict[str, Any]:
    result = {
        "ruleId": finding.check_id,
        "level": "error",
        "message": {"text": f"{finding.check_name} ({finding.resource} in {finding.stack})"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": (stacks_dir / finding.stack / STACK_FILE).as_posix()},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"name": finding.resource, "kind": "resource"}],
            }
        ],
    }
    if reason is not None:
        result["suppressions"] = [{"kind": "external", "justification": reason}]
    return result


def sarif(report: GateReport, stacks_dir: Path) -> dict[str, Any]:
    """SARIF for every failed and every waived finding of `report`."""
    findings = [(f, None) for s in report.stacks for f in s.failed] + [
        (f, reason) for s in report.stacks for f, reason in s.waived
    ]
    rules: dict[str, dict[str, Any]] = {}
    for finding, _ in findings:
        rule = {"id": finding.check_id, "shortDescription": {"text": finding.check_name}}
        if finding.guideline:
            rule["helpUri"] = finding.guideline
        rules.setdefault(finding.check_id, rule)
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "rules": [rules[key] for key in sorted(rules)]}},
                "results": [_result(finding, stacks_dir, reason) for finding, reason in findings],
            }
        ],
    }


def write_sarif(report: GateReport, stacks_dir: Path, path: Path) -> None:
    path.write_text(json.dumps(sarif(report, stacks_dir), indent=2) + "\n", encoding="utf-8")
