"""The database module's project checks (CKV_CHAT_10 to 13), each over passing and failing fixtures.

checkov runs once in this file, over a temporary stacks folder holding only these checks'
fixture stacks (tests/gate/fixtures/chat-1<n>-*), as tests/gate/test_gate.py does for its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gate.rules import RULES_BY_ID
from gate.run import gate, read_results

FIXTURES = Path(__file__).parent / "fixtures"
# rule id -> its predicate in gate/rules/database.py
CHECKS = {
    "CKV_CHAT_10": "rds_proxy_requires_tls",
    "CKV_CHAT_11": "rds_instance_nothing_lost",
    "CKV_CHAT_12": "rds_parameter_group_forces_ssl",
    "CKV_CHAT_13": "rds_instance_managed_password",
}


def fixture_stacks(check_id: str) -> list[str]:
    number = check_id.rsplit("_", 1)[1]
    return sorted(p.name for p in FIXTURES.iterdir() if p.name.startswith(f"chat-{number}-"))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    stacks_dir = tmp_path_factory.mktemp("database-check-stacks")
    for check_id in CHECKS:
        for name in fixture_stacks(check_id):
            shutil.copytree(FIXTURES / name, stacks_dir / name)
    report_dir = tmp_path_factory.mktemp("database-check-gate")
    report = gate(stacks_dir, report_dir)
    return report, {"results": read_results(report_dir)}


def outcomes(results, stack: str, check_id: str) -> tuple[list[str], list[str]]:
    """The blocks that passed and failed `check_id` in `stack` (checkov names them resource.<name>)."""

    def of(kind):
        return sorted(
            c["resource"]
            for c in results["results"][kind]
            if c["check_id"] == check_id and f"/{stack}/" in c["file_path"]
        )

    return of("passed_checks"), of("failed_checks")


@pytest.mark.parametrize(
    ("check_id", "stack", "passed", "failed"),
    [
        ("CKV_CHAT_10", "chat-10-pass", ["resource.this"], []),
        ("CKV_CHAT_10", "chat-10-fail", [], ["resource.this"]),
        # AWS's default is no TLS requirement: leaving it out fails too.
        ("CKV_CHAT_10", "chat-10-fail-unset", [], ["resource.this"]),
        # The replica is exempt: its data is its source's and RDS takes no final snapshot of it.
        ("CKV_CHAT_11", "chat-11-pass", ["resource.replica", "resource.this"], []),
        ("CKV_CHAT_11", "chat-11-fail", [], ["resource.this"]),
        ("CKV_CHAT_11", "chat-11-fail-unprotected", [], ["resource.this"]),
        ("CKV_CHAT_11", "chat-11-fail-no-backups", [], ["resource.this"]),
        ("CKV_CHAT_11", "chat-11-fail-unnamed-snapshot", [], ["resource.this"]),
        # A MySQL group is not judged by a PostgreSQL rule.
        ("CKV_CHAT_12", "chat-12-pass", ["resource.this"], []),
        ("CKV_CHAT_12", "chat-12-fail", [], ["resource.this"]),
        ("CKV_CHAT_12", "chat-12-fail-unset", [], ["resource.this"]),
        ("CKV_CHAT_13", "chat-13-pass", ["resource.replica", "resource.this"], []),
        ("CKV_CHAT_13", "chat-13-fail", [], ["resource.this"]),
        ("CKV_CHAT_13", "chat-13-fail-unmanaged", [], ["resource.this"]),
    ],
)
def test_check_over_its_fixture(results, check_id, stack, passed, failed):
    _, found = results
    assert outcomes(found, stack, check_id) == (passed, failed)


def test_every_database_check_loaded_and_has_a_passing_and_a_failing_fixture(results):
    report, found = results
    # A check that fails to load is a gate failure (gate/run.py), so a clean load shows here.
    assert not report.parsing_errors and not report.empty_stacks
    for check_id, predicate in CHECKS.items():
        assert RULES_BY_ID[check_id].predicate.__name__ == predicate
        stacks = fixture_stacks(check_id)
        assert any(s.endswith("-pass") for s in stacks) and any("-fail" in s for s in stacks), check_id
        ran = {c["check_id"] for kind in ("passed_checks", "failed_checks") for c in found["results"][kind]}
        assert check_id in ran


def test_the_failing_fixtures_fail_the_gate_and_nothing_else_does(results):
    report, _ = results
    failing = {s.name for s in report.stacks if any(f.check_id in CHECKS for f in s.failed)}
    assert failing == {name for check_id in CHECKS for name in fixture_stacks(check_id) if "-fail" in name}
