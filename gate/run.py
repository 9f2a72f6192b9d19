"""The policy gate: checkov over every synthesized stack, with waivers applied here.

checkov alone cannot be trusted as a gate on CDKTF output (seen with 3.3.x):
- a stack it cannot parse is listed under "parsing_errors" and the exit code is 0;
- an empty or missing directory also exits 0;
- inline skip comments are ignored in .tf.json, so waivers cannot live in the JSON the
  way checkov expects.
So this gate runs checkov once, reads its JSON report, fails on parsing errors and on
any stack without results, subtracts waivers recorded by the modules (see
modules/common/waivers.py), and fails on any remaining finding or any stale waiver.

The project's own rules (gate/rules) run two ways: checkov asks the resource rules
(gate/checks/project_rules.py); the whole-stack rules, whose answer may lie in another
block, are judged here in a pass over each stack document (`judge_stack_rules`), and their
findings meet the same waivers and the same SARIF. Each rule's verdicts are counted, UNKNOWN
included (a resource of its types it did not judge); a rule that had resources to judge and
judged none of them fails the gate, as a stack without results does: it would otherwise
drop out without a word.

Beside checkov, `main` validates every literal value of the stacks against AWS's own API
models (gate/aws_model.py): a value AWS would refuse fails the gate as a finding does.

Exit codes: 0 clean, 1 the gate failed, 2 the gate could not run (usage, no checkov, a
row of the API-model table that does not resolve, a project rule that raises).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gate.rules import RULES, Resource, Stack, Verdict
from modules.common.waivers import WAIVER_KEY

if TYPE_CHECKING:
    from gate import aws_model

ROOT = Path(__file__).resolve().parent.parent
CUSTOM_CHECKS_DIR = Path(__file__).resolve().parent / "checks"
DEFAULT_CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
STACK_FILE = "cdk.tf.json"
# The whole-stack rules' results, beside checkov's results_json.json and in its shape.
STACK_RULES_REPORT = "stack_rules_json.json"

EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


class GateCannotRun(Exception):
    pass


@dataclass(frozen=True)
class Finding:
    stack: str
    check_id: str
    check_name: str
    resource: str
    guideline: str | None = None


@dataclass
class RuleTally:
    """One project rule's verdicts over every stack (failed includes waived findings)."""

    rule_id: str
    resources: int = 0  # resources of the rule's types in the stacks
    passed: int = 0
    failed: int = 0

    @property
    def unknown(self) -> int:
        return self.resources - self.passed - self.failed

    @property
    def judged_nothing(self) -> bool:
        return self.resources > 0 and self.passed + self.failed == 0


@dataclass
class StackResult:
    name: str
    resources: int
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, str]] = field(default_factory=list)
    stale_waivers: list[tuple[str, str, str]] = field(default_factory=list)  # (resource, check, reason)


@dataclass
class GateReport:
    stacks: list[StackResult]
    parsing_errors: list[str]
    empty_stacks: list[str]
    # Per project rule, when counted (the gate over synthesized stacks; not the plan scans).
    rules: dict[str, RuleTally] | None = None

    @property
    def rules_judging_nothing(self) -> list[RuleTally]:
        return [tally for tally in (self.rules or {}).values() if tally.judged_nothing]

    @property
    def ok(self) -> bool:
        return not (
            self.parsing_errors
            or self.empty_stacks
            or self.rules_judging_nothing
            or any(s.failed or s.stale_waivers for s in self.stacks)
        )


# -- reading the synthesized stacks --------------------------------------------------


def find_stacks(stacks_dir: Path) -> dict[str, Path]:
    if not stacks_dir.is_dir():
        return {}
    return {p.parent.name: p for p in sorted(stacks_dir.glob(f"*/{STACK_FILE}"))}


def read_stack(path: Path) -> tuple[int, dict[str, dict[str, str]]]:
    """Resource count (resources + data sources) and waivers by block name."""
    document = json.loads(path.read_text(encoding="utf-8"))
    count = sum(len(blocks) for kind in ("resource", "data") for blocks in document.get(kind, {}).values())
    waivers = document.get("//", {}).get(WAIVER_KEY, {})
    return count, {block: dict(checks) for block, checks in waivers.items()}


def _stack_document(path: Path) -> dict[str, Any] | None:
    """The stack's JSON, or None when it cannot be read (checkov reports it as a parse error)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


# -- the whole-stack rules -------------------------------------------------------------


def judge_stack_rules(stacks: dict[str, Path]) -> dict[str, Any]:
    """The whole-stack project rules over each stack document, as a report shaped like
    checkov's (passed_checks, failed_checks) so that `evaluate` treats both alike."""
    passed: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for name, path in stacks.items():
        document = _stack_document(path)
        if document is None:
            continue
        stack = Stack(document)
        for rule in RULES:
            if not rule.reads_stack:
                continue
            for resource_type in rule.resource_types:
                for block, conf in stack.resources(resource_type).items():
                    try:
                        verdict = rule.judge(Resource(type=resource_type, name=block, conf=conf), stack)
                    except Exception as error:  # a rule that breaks must stop the gate, with where and why
                        raise GateCannotRun(
                            f"{rule.id} ({rule.predicate.__name__}) could not judge {resource_type}.{block} "
                            f"in {path}: {type(error).__name__}: {error}"
                        ) from error
                    if verdict is Verdict.UNKNOWN:
                        continue
                    # Named as checkov names a terraform_json resource, for the waivers and SARIF alike.
                    item = {
                        "check_id": rule.id,
                        "check_name": rule.name,
                        "resource": f"resource.{block}",
                        "file_path": f"/{name}/{STACK_FILE}",
                        "guideline": None,
                    }
                    (passed if verdict is Verdict.PASSED else failed).append(item)
    return {"check_type": "chat_stack_rules", "results": {"passed_checks": passed, "failed_checks": failed}}


def _rule_candidates(stacks: dict[str, Path]) -> dict[str, RuleTally]:
    """A tally per project rule, holding how many resources of its types the stacks have."""
    tallies = {rule.id: RuleTally(rule.id) for rule in RULES}
    for path in stacks.values():
        document = _stack_document(path) or {}
        resources = document.get("resource")
        by_type: dict[str, Any] = resources if isinstance(resources, dict) else {}
        for rule in RULES:
            tallies[rule.id].resources += sum(len(by_type.get(t) or {}) for t in rule.resource_types)
    return tallies


# -- running and reading checkov ----------------------------------------------------


def run_checkov(checkov: Path, report_dir: Path, scan_args: list[str]) -> Path:
    """Run checkov with the project checks and both report formats; return the JSON report.

    `scan_args` says what to scan and how (e.g. --directory ... --framework terraform_json).
    """
    if not (checkov.is_file() and os.access(checkov, os.X_OK)):
        found = shutil.which("checkov")
        if not found:
            raise GateCannotRun(
                f"checkov not found at {checkov} nor on PATH; run `make setup` to install it "
                "in its own environment (.venv-checkov)"
            )
        checkov = Path(found)
    report_dir.mkdir(parents=True, exist_ok=True)
    for stale in report_dir.glob("results_*"):
        stale.unlink()
    command = [
        str(checkov),
        *scan_args,
        "--external-checks-dir",
        str(CUSTOM_CHECKS_DIR),
        # No network: guidelines and the Prisma mapping would be fetched otherwise.
        "--skip-download",
        "--output",
        "json",
        "--output",
        "junitxml",
        "--output-file-path",
        str(report_dir),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    result_file = report_dir / "results_json.json"
    # Exit 1 means "findings"; anything else without a report means checkov broke.
    if completed.returncode not in (0, 1) or not result_file.is_file():
        raise GateCannotRun(
            f"checkov exited {completed.returncode} without a JSON report:\n"
            + (completed.stderr or completed.stdout)[-3000:]
        )
    # checkov logs a broken custom check and scans on without it: that is a gate failure.
    broken = [line for line in completed.stderr.splitlines() if "Cannot load external check" in line]
    if broken:
        raise GateCannotRun("checkov could not load project checks:\n" + "\n".join(broken))
    return result_file


def _stack_of(file_path: str, stacks: dict[str, Path]) -> str | None:
    parts = Path(file_path.lstrip("/")).parts
    for part in parts:
        if part in stacks:
            return part
    return None


def _block_name(checkov_resource: str) -> str:
    # checkov names the same block "resource.<name>", "data.<name>" or "<type>.<name>"
    # depending on which engine ran the check; CDKTF block names never contain dots.
    return checkov_resource.rsplit(".", 1)[-1]


def evaluate(checkov_json: object, stacks: dict[str, Path], stack_rules: dict[str, Any] | None = None) -> GateReport:
    """The gate's verdict from checkov's report and, over synthesized stacks, the whole-stack
    rules' (`judge_stack_rules`): then the project rules are also counted per rule."""
    reports = checkov_json if isinstance(checkov_json, list) else [checkov_json]
    tallies = _rule_candidates(stacks) if stack_rules is not None else None
    results = {}
    waivers = {}
    for name, path in stacks.items():
        count, waivers[name] = read_stack(path)
        results[name] = StackResult(name=name, resources=count)
    parsing_errors: list[str] = []
    seen: set[str] = set()
    used: set[tuple[str, str, str]] = set()

    def tally(item: dict[str, Any], outcome: str) -> None:
        if tallies is not None and item["check_id"] in tallies:
            counted = tallies[item["check_id"]]
            setattr(counted, outcome, getattr(counted, outcome) + 1)

    # The stack pass's results count as checkov's, except that they do not show that
    # checkov read a stack (a stack checkov could not parse stays "without results").
    sources = [(report, True) for report in reports] + ([(stack_rules, False)] if stack_rules else [])
    for report, from_checkov in sources:
        if not isinstance(report, dict) or "results" not in report:
            # checkov prints a bare summary object when it found nothing to scan.
            continue
        body = report["results"]
        parsing_errors += [str(p) for p in body.get("parsing_errors", [])]
        for item in body.get("passed_checks", []):
            stack = _stack_of(item["file_path"], stacks)
            if stack:
                if from_checkov:
                    seen.add(stack)
                results[stack].passed += 1
                tally(item, "passed")
        for item in body.get("failed_checks", []):
            stack = _stack_of(item["file_path"], stacks)
            if stack is None:
                parsing_errors.append(f"finding outside any stack: {item['file_path']}")
                continue
            if from_checkov:
                seen.add(stack)
            tally(item, "failed")
            block = _block_name(item["resource"])
            finding = Finding(stack, item["check_id"], item["check_name"], item["resource"], item.get("guideline"))
            reason = waivers[stack].get(block, {}).get(item["check_id"])
            if reason:
                results[stack].waived.append((finding, reason))
                used.add((stack, block, item["check_id"]))
            else:
                results[stack].failed.append(finding)

    for stack, by_block in waivers.items():
        for block, checks in by_block.items():
            for check_id, reason in checks.items():
                if (stack, block, check_id) not in used:
                    results[stack].stale_waivers.append((block, check_id, reason))

    return GateReport(
        stacks=[results[name] for name in stacks],
        parsing_errors=parsing_errors,
        empty_stacks=[name for name in stacks if name not in seen],
        rules=tallies,
    )


# -- output -------------------------------------------------------------------------


def render(report: GateReport) -> str:
    lines = [f"{'stack':<22}{'resources':>10}{'passed':>8}{'failed':>8}{'waived':>8}"]
    for s in report.stacks:
        lines.append(f"{s.name:<22}{s.resources:>10}{s.passed:>8}{len(s.failed):>8}{len(s.waived):>8}")
    for s in report.stacks:
        for finding in s.failed:
            lines.append(f"FAILED  {s.name}: {finding.check_id} on {finding.resource}: {finding.check_name}")
        for finding, reason in s.waived:
            lines.append(f"waived  {s.name}: {finding.check_id} on {finding.resource}: {reason}")
        for block, check_id, reason in s.stale_waivers:
            lines.append(
                f"STALE   {s.name}: waiver {check_id} on {block} matches no finding; "
                f"remove it from the module (reason was: {reason})"
            )
    for error in report.parsing_errors:
        lines.append(f"PARSE   checkov could not parse {error}: the stack was not checked")
    for name in report.empty_stacks:
        lines.append(f"EMPTY   {name}: checkov reported no results for this stack; it was not checked")
    lines += _render_rules(report.rules)
    lines.append("gate: PASSED" if report.ok else "gate: FAILED")
    return "\n".join(lines)


def _render_rules(rules: dict[str, RuleTally] | None) -> list[str]:
    """What each project rule judged: a rule that judged nothing fails; UNKNOWNs are listed."""
    if rules is None:
        return []
    lines = []
    for tally in rules.values():
        if tally.judged_nothing:
            lines.append(
                f"NOTHING {tally.rule_id}: judged none of the {tally.resources} resource(s) of its types "
                "(every one UNKNOWN): the rule was not applied; fix the rule or say why it cannot judge them"
            )
        elif tally.unknown:
            lines.append(
                f"unknown {tally.rule_id}: {tally.unknown} of {tally.resources} resource(s) of its types not judged"
            )
    judged = [t for t in rules.values() if t.passed + t.failed]
    absent = [t.rule_id for t in rules.values() if not t.resources]
    lines.append(
        f"rules   {len(rules)} project rules: {len(judged)} judged resources"
        + (f"; {len(absent)} had none of their types to judge ({', '.join(absent)})" if absent else "")
    )
    return lines


def summary_json(report: GateReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "parsing_errors": report.parsing_errors,
        "empty_stacks": report.empty_stacks,
        "rules": None
        if report.rules is None
        else {
            rule_id: {
                "resources": t.resources,
                "passed": t.passed,
                "failed": t.failed,
                "unknown": t.unknown,
                "judged_nothing": t.judged_nothing,
            }
            for rule_id, t in report.rules.items()
        },
        "stacks": [
            {
                "name": s.name,
                "resources": s.resources,
                "passed": s.passed,
                "failed": [f.__dict__ for f in s.failed],
                "waived": [{**f.__dict__, "reason": r} for f, r in s.waived],
                "stale_waivers": [{"resource": b, "check_id": c, "reason": r} for b, c, r in s.stale_waivers],
            }
            for s in report.stacks
        ],
    }


def gate(stacks_dir: Path, report_dir: Path, checkov: Path = DEFAULT_CHECKOV) -> GateReport:
    stacks = find_stacks(stacks_dir)
    if not stacks:
        raise GateCannotRun(f"no synthesized stacks (*/{STACK_FILE}) under {stacks_dir}; run `python main.py` first")
    scan = ["--directory", str(stacks_dir), "--framework", "terraform_json"]
    result_file = run_checkov(checkov, report_dir, scan)
    stack_rules = judge_stack_rules(stacks)
    (report_dir / STACK_RULES_REPORT).write_text(json.dumps(stack_rules, indent=2) + "\n", encoding="utf-8")
    report = evaluate(json.loads(result_file.read_text(encoding="utf-8")), stacks, stack_rules)
    (report_dir / "gate_summary.json").write_text(json.dumps(summary_json(report), indent=2) + "\n", encoding="utf-8")
    from gate.sarif import write_sarif

    write_sarif(report, stacks_dir, report_dir / "results.sarif")
    return report


def read_results(report_dir: Path) -> dict[str, list[Any]]:
    """The results of a gate run in checkov's shape (passed_checks, failed_checks,
    parsing_errors): checkov's report and the whole-stack rules' report, merged."""
    merged: dict[str, list[Any]] = {"passed_checks": [], "failed_checks": [], "parsing_errors": []}
    for name in ("results_json.json", STACK_RULES_REPORT):
        loaded = json.loads((report_dir / name).read_text(encoding="utf-8"))
        for report in loaded if isinstance(loaded, list) else [loaded]:
            body = report.get("results", {}) if isinstance(report, dict) else {}
            for key, found in merged.items():
                found += body.get(key, [])
    return merged


def aws_model_gate(stacks_dir: Path, report_dir: Path) -> aws_model.ModelReport:
    """The stacks' literal values against AWS's API models (gate/aws_model.py)."""
    try:
        from gate import aws_model

        report = aws_model.check_stacks(find_stacks(stacks_dir))
    except ImportError as error:
        raise GateCannotRun(f"botocore is needed for the API-model check: {error}; run `make setup`") from error
    except aws_model.ModelMapError as error:
        raise GateCannotRun(str(error)) from error
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "aws_model_summary.json").write_text(
        json.dumps(aws_model.summary_json(report), indent=2, default=str) + "\n", encoding="utf-8"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="checkov policy gate over synthesized stacks")
    parser.add_argument("--stacks-dir", type=Path, default=Path("cdktf.out/stacks"))
    parser.add_argument("--report-dir", type=Path, default=Path("cdktf.out/gate"))
    parser.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV)
    args = parser.parse_args(argv)
    try:
        report = gate(args.stacks_dir, args.report_dir, args.checkov)
        model_report = aws_model_gate(args.stacks_dir, args.report_dir)
        from gate.aws_model import render as render_aws_model  # importable: aws_model_gate said so
    except GateCannotRun as error:
        print(f"gate: cannot run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    ok = report.ok and model_report.ok
    print(render(report).rsplit("\n", 1)[0])
    print("checkov: PASSED" if report.ok else "checkov: FAILED")
    print(render_aws_model(model_report))
    print(
        f"reports: {args.report_dir}/results_json.json, {STACK_RULES_REPORT}, results_junitxml.xml, "
        "gate_summary.json, results.sarif, aws_model_summary.json"
    )
    print("gate: PASSED" if ok else "gate: FAILED")
    return 0 if ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
