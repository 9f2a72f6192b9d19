"""The gate: zero failed checks on every environment, and it cannot be fooled.

checkov runs twice in the session: once over the synthesized environments, once over
the fixture stacks in tests/gate/fixtures (one stack per case).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from gate.rules import RULES
from gate.run import GateCannotRun, evaluate, find_stacks, gate, judge_stack_rules, read_results, render

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def environments_gate(synth_outdir):
    report_dir = synth_outdir / "gate"
    return gate(synth_outdir / "stacks", report_dir), report_dir


@pytest.fixture(scope="session")
def fixtures_gate(tmp_path_factory):
    stacks_dir = tmp_path_factory.mktemp("fixture-stacks")
    shutil.copytree(FIXTURES, stacks_dir, dirs_exist_ok=True)
    report_dir = tmp_path_factory.mktemp("fixture-gate")
    report = gate(stacks_dir, report_dir)
    return report, {"results": read_results(report_dir)}


def outcomes(results, stack, check_id):
    passed = [
        c for c in results["results"]["passed_checks"] if c["check_id"] == check_id and f"/{stack}/" in c["file_path"]
    ]
    failed = [
        c for c in results["results"]["failed_checks"] if c["check_id"] == check_id and f"/{stack}/" in c["file_path"]
    ]
    return len(passed), len(failed)


# -- the environments --------------------------------------------------------------------


def test_every_environment_passes_the_gate_with_zero_failed_checks(environments_gate, stack_configs):
    report, _ = environments_gate
    assert report.ok, render(report)
    assert sorted(s.name for s in report.stacks) == sorted(c.stack_name for c in stack_configs.values())
    for stack in report.stacks:
        assert stack.failed == [] and stack.stale_waivers == []
        assert stack.passed > 50, f"{stack.name}: only {stack.passed} checks ran"


def test_project_checks_ran_on_every_environment(environments_gate):
    report, report_dir = environments_gate
    results = read_results(report_dir)
    ran = {(c["check_id"], c["file_path"].strip("/").split("/")[0]) for c in results["passed_checks"]}
    for stack in ("chat-dev", "chat-staging", "chat-prod"):
        # a resource rule (checkov runs it) and a whole-stack rule (the gate's own pass)
        for check_id in ("CKV_CHAT_1", "CKV_CHAT_2", "CKV_CHAT_20", "CKV_CHAT_40"):
            assert (check_id, stack) in ran
    # Every rule with resources of its types here judged them all: no UNKNOWN on the environments.
    assert report.rules is not None and report.rules_judging_nothing == []
    assert {rule_id: t.unknown for rule_id, t in report.rules.items() if t.unknown} == {}
    assert report.rules["CKV_CHAT_2"].passed == len(report.stacks)  # one flow log per stack


def test_every_waiver_explains_itself_and_is_shown(environments_gate):
    report, _ = environments_gate
    waived = [(s.name, f, reason) for s in report.stacks for f, reason in s.waived]
    assert waived, "expected the documented key-policy and retention waivers"
    for _, finding, reason in waived:
        assert len(reason) >= 40 and finding.check_id not in reason
    rendered = render(report)
    assert all(reason in rendered for _, _, reason in waived)


def test_prod_needs_no_retention_waiver(environments_gate):
    report, _ = environments_gate
    prod = next(s for s in report.stacks if s.name == "chat-prod")
    assert "CKV_AWS_338" not in {f.check_id for f, _ in prod.waived}


def test_reports_are_written(environments_gate):
    report, report_dir = environments_gate
    summary = json.loads((report_dir / "gate_summary.json").read_text())
    assert summary["ok"] is True and len(summary["stacks"]) == len(report.stacks)
    junit = ElementTree.parse(report_dir / "results_junitxml.xml").getroot()
    assert int(junit.get("tests", "0") or sum(int(s.get("tests", 0)) for s in junit)) > 0


# -- the traps -------------------------------------------------------------------------


def test_a_stack_checkov_cannot_parse_fails_the_gate(fixtures_gate):
    report, results = fixtures_gate
    assert any("parse-error" in error for error in report.parsing_errors)
    assert "parse-error" in report.empty_stacks
    assert not report.ok
    assert "PARSE" in render(report)


def test_a_stale_waiver_fails_the_gate(fixtures_gate):
    report, _ = fixtures_gate
    stale = next(s for s in report.stacks if s.name == "stale-waiver")
    assert stale.stale_waivers == [("this", "CKV_CHAT_2", "Fixture: nothing fails here any more.")]


def test_a_matching_waiver_moves_the_finding_to_waived(fixtures_gate):
    report, _ = fixtures_gate
    waived = next(s for s in report.stacks if s.name == "waived")
    assert [(f.check_id, r) for f, r in waived.waived] == [
        ("CKV_CHAT_2", "Fixture: a reasoned waiver hides this finding.")
    ]
    assert "CKV_CHAT_2" not in {f.check_id for f in waived.failed}


def test_no_stacks_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(GateCannotRun, match="no synthesized stacks"):
        gate(tmp_path / "missing", tmp_path / "report")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GateCannotRun, match="no synthesized stacks"):
        gate(tmp_path / "empty", tmp_path / "report")


def test_missing_checkov_is_an_error_not_a_pass(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "chat-2-pass", tmp_path / "stacks" / "chat-2-pass")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GateCannotRun, match="checkov not found"):
        gate(tmp_path / "stacks", tmp_path / "report", checkov=tmp_path / "no-checkov")


def test_a_stack_without_results_fails(tmp_path):
    shutil.copytree(FIXTURES / "chat-2-pass", tmp_path / "chat-2-pass")
    shutil.copytree(FIXTURES / "chat-2-fail", tmp_path / "chat-2-fail")
    only_one = {
        "check_type": "terraform_json",
        "results": {
            "passed_checks": [
                {
                    "check_id": "CKV_CHAT_2",
                    "check_name": "n",
                    "resource": "aws_flow_log.this",
                    "file_path": "/chat-2-pass/cdk.tf.json",
                }
            ],
            "failed_checks": [],
            "parsing_errors": [],
        },
    }
    report = evaluate(only_one, find_stacks(tmp_path))
    assert report.empty_stacks == ["chat-2-fail"] and not report.ok


def test_checkov_resource_names_of_every_shape_match_waivers(tmp_path):
    shutil.copytree(FIXTURES / "waived", tmp_path / "waived")
    for resource in ("resource.this", "aws_flow_log.this", "data.this"):
        finding = {
            "check_id": "CKV_CHAT_2",
            "check_name": "n",
            "resource": resource,
            "file_path": "/waived/cdk.tf.json",
        }
        report = evaluate([{"results": {"failed_checks": [finding]}}], find_stacks(tmp_path))
        assert report.ok, (resource, render(report))


# -- project checks: a passing and a failing fixture each -----------------------------


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("CKV_CHAT_1", ["chat-1-pass"], ["chat-1-fail"]),
        ("CKV_CHAT_2", ["chat-2-pass"], ["chat-2-fail"]),
        ("CKV_CHAT_3", ["chat-3-pass", "chat-3-pass-private"], ["chat-3-fail", "chat-3-fail-inline"]),
    ],
)
def test_project_check(fixtures_gate, check_id, passing, failing):
    _, results = fixtures_gate
    for stack in passing:
        assert outcomes(results, stack, check_id) == (1, 0), stack
    for stack in failing:
        assert outcomes(results, stack, check_id) == (0, 1), stack


def test_unknown_subnets_are_not_judged(fixtures_gate):
    # In a plan, checkov shows an unknown subnet list as its first bare reference.
    _, results = fixtures_gate
    assert outcomes(results, "chat-1-unknown", "CKV_CHAT_1") == (0, 0)


def test_every_project_check_has_passing_and_failing_fixtures():
    ids = {rule.id for rule in RULES}
    assert {"CKV_CHAT_1", "CKV_CHAT_2", "CKV_CHAT_3"} <= ids
    # Fixture stacks are named chat-<n>-pass|fail[-<case>].
    fixtures: dict[str, set[str]] = {}
    for path in FIXTURES.iterdir():
        parts = path.name.split("-")
        if parts[0] == "chat" and parts[1].isdigit():
            fixtures.setdefault(f"CKV_CHAT_{parts[1]}", set()).add(parts[2])
    assert set(fixtures) == ids
    assert all(outcomes >= {"pass", "fail"} for outcomes in fixtures.values()), fixtures


def test_the_gate_writes_sarif_with_waived_findings_suppressed_and_their_reasons(environments_gate):
    report, report_dir = environments_gate
    document = json.loads((report_dir / "results.sarif").read_text())
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    results = run["results"]
    waived = sum(len(s.waived) for s in report.stacks)
    failed = sum(len(s.failed) for s in report.stacks)
    assert len(results) == waived + failed and waived > 0
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == waived
    reasons = {r for s in report.stacks for _, r in s.waived}
    assert {r["suppressions"][0]["justification"] for r in suppressed} <= reasons
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} == rule_ids
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/cdk.tf.json") for r in results
    )


# -- a rule that judges nothing ------------------------------------------------------------


def test_a_rule_unknown_on_every_resource_fails_the_gate(fixtures_gate, tmp_path):
    """Planted: chat-1-unknown's only subnet group lists a subnet unknown until apply, so
    CKV_CHAT_1 answers UNKNOWN on it; over that stack alone the rule judged nothing."""
    shutil.copytree(FIXTURES / "chat-1-unknown", tmp_path / "stacks" / "chat-1-unknown")
    report = gate(tmp_path / "stacks", tmp_path / "report")
    (only,) = report.rules_judging_nothing
    assert (only.rule_id, only.resources, only.passed, only.failed, only.unknown) == ("CKV_CHAT_1", 1, 0, 0, 1)
    assert report.stacks[0].failed == [] and not report.ok
    rendered = render(report)
    assert "NOTHING CKV_CHAT_1: judged none of the 1 resource(s) of its types" in rendered
    assert rendered.endswith("gate: FAILED")
    summary = json.loads((tmp_path / "report" / "gate_summary.json").read_text())
    assert summary["ok"] is False and summary["rules"]["CKV_CHAT_1"]["judged_nothing"] is True
    # Beside the other fixtures, CKV_CHAT_1 judged the passing and failing ones: the UNKNOWNs are
    # counted (chat-1-unknown's, and parse-error's, which checkov could not read), not failed.
    report, _ = fixtures_gate
    assert report.rules["CKV_CHAT_1"].unknown == 2 and not report.rules["CKV_CHAT_1"].judged_nothing
    assert "unknown CKV_CHAT_1: 2 of 4 resource(s) of its types not judged" in render(report)


def test_a_rule_checkov_never_answered_fails_the_gate_and_absent_types_do_not(tmp_path):
    """Planted without checkov: a report with no CKV_CHAT_2 result for a stack holding a flow
    log (as if its check had answered UNKNOWN, or not run) fails; rules whose resource types
    the stack lacks are listed, not failed."""
    shutil.copytree(FIXTURES / "chat-2-pass", tmp_path / "chat-2-pass")
    stacks = find_stacks(tmp_path)
    other_check = {
        "check_id": "CKV_AWS_1",
        "check_name": "n",
        "resource": "resource.this",
        "file_path": "/chat-2-pass/cdk.tf.json",
    }
    report = evaluate({"results": {"passed_checks": [other_check]}}, stacks, judge_stack_rules(stacks))
    assert [t.rule_id for t in report.rules_judging_nothing] == ["CKV_CHAT_2"] and not report.ok
    assert report.rules["CKV_CHAT_40"].resources == 0 and not report.rules["CKV_CHAT_40"].judged_nothing
    assert "had none of their types to judge (CKV_CHAT_1, " in render(report)
    # The plan scans (review, verify) do not count rules: a whole-stack rule cannot judge there.
    assert evaluate({"results": {"passed_checks": [other_check]}}, stacks).rules is None
