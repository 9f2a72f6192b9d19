"""Project checks CKV_CHAT_60-62 (DynamoDB: replicas keep PITR, keys are customer-managed,
protected tables refuse deletion): each over its passing and failing fixture stacks,
resource by resource, and the dynamodb module's own output through all of them.

checkov already judges a table's own PITR (CKV_AWS_28) and that its encryption names a key
(CKV_AWS_119); these checks cover what those miss."""

from __future__ import annotations

import pytest

from tests.gate.fixture_gate import (
    FIXTURES,
    NO_COPY_REASON,
    by_resource,
    fixture_stacks,
    project_check_ids,
    run_gate,
    waived_checks,
)

CHECK_IDS = ("CKV_CHAT_60", "CKV_CHAT_61", "CKV_CHAT_62")
STACKS = fixture_stacks(CHECK_IDS)
MODULE_STACKS = ("dynamodb-prod", "dynamodb-dev")
# A protected stack whose messages table was restored and whose original is being retired
# (restore.unprotect_original): CKV_CHAT_62 fails on that original by design, under its waiver.
UNPROTECTING = "dynamodb-unprotecting"
ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/dynamodb writes, in a protected and a development stack and a protected one
    unprotecting a restored table's original, each table in a backup selection as the stack
    wiring puts it."""
    from modules.backup import BackupPlan, BackupPlanProps
    from modules.dynamodb import ChatTables, ChatTablesProps
    from modules.dynamodb.props import TableRestore

    def build(name, deletion_protection, restore=None):
        def stack_with_tables(stack):
            tables = ChatTables(
                stack,
                "dynamodb",
                props=ChatTablesProps(
                    name=name,
                    region="eu-west-1",
                    account_id=ACCOUNT,
                    deletion_protection=deletion_protection,
                    restore=restore,
                ),
            )
            backup = BackupPlan(
                stack,
                "backup",
                props=BackupPlanProps(
                    name=name,
                    region="eu-west-1",
                    account_id=ACCOUNT,
                    deletion_protection=deletion_protection,
                    no_copy_reason=NO_COPY_REASON if deletion_protection else None,
                ),
            )
            for target in tables.backup_targets():
                backup.protect(target.name, target.arn)

        return synth_scratch(stack_with_tables).document

    unprotecting = TableRestore(table="messages", latest=True, unprotect_original=True)
    return {
        "dynamodb-prod": build("chat-prod", True),
        "dynamodb-dev": build("chat-dev", False),
        UNPROTECTING: build("chat-prod", True, unprotecting),
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    """The gate over this file's fixture stacks and the two module stacks (one checkov run)."""
    return run_gate(tmp_path_factory, "dynamodb", STACKS, module_stacks)


def test_every_dynamodb_check_is_a_file_with_fixtures():
    # The ids 60-64 are this file's.
    assert project_check_ids(60, 64) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        (
            "CKV_CHAT_60",
            {
                "single": "passed",  # no replica: CKV_AWS_28's alone
                "global": "passed",
                "base": "passed",
                "replica": "passed",
            },
            {
                "global": "failed",  # its second replica has no PITR
                "base": "passed",
                "replica": "failed",
            },
        ),
        (
            "CKV_CHAT_61",
            {
                "single": "passed",
                "global": "passed",
                "owned_key": "passed",  # no encryption block: CKV_AWS_119 fails it
                "base": "passed",
                "replica": "passed",
            },
            {
                "managed_key": "failed",  # alias/aws/dynamodb
                "replica_without_key": "failed",  # a replica would use the managed key
                "base": "passed",
                "replica": "failed",
            },
        ),
        (
            "CKV_CHAT_62",
            {"protected": "passed", "sandbox": "passed"},
            {"unprotected": "failed", "untagged": "failed"},
        ),
    ],
)
def test_project_check_on_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    stack = f"chat-{check_id.rsplit('_', 1)[1]}"
    assert by_resource(findings, f"{stack}-pass", check_id) == passing
    assert by_resource(findings, f"{stack}-fail", check_id) == failing


def test_checkov_judges_the_tables_own_pitr_and_key(results):
    """What the project checks leave to checkov: CKV_AWS_28 (PITR) and CKV_AWS_119 (a key)."""
    _, findings = results
    assert by_resource(findings, "chat-61-pass", "CKV_AWS_119")["owned_key"] == "failed"
    assert by_resource(findings, "chat-60-pass", "CKV_AWS_28")["single"] == "passed"


def test_the_modules_tables_pass_every_check(results):
    report, findings = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        assert outcome.failed == [] and outcome.stale_waivers == [], stack
        passed = {
            (f["check_id"], f["resource"])
            for f in findings["passed_checks"]
            if f["file_path"] == f"/{stack}/cdk.tf.json"
        }
        for check_id in (*CHECK_IDS, "CKV_AWS_28", "CKV_AWS_119", "CKV_CHAT_40"):
            tables = {resource for found, resource in passed if found == check_id and "dynamodb_" in resource}
            assert len(tables) == 3, (stack, check_id, tables)


def test_an_original_being_retired_fails_only_the_protection_check_under_its_reasoned_waiver(results, module_stacks):
    report, findings = results
    outcome = next(s for s in report.stacks if s.name == UNPROTECTING)
    assert outcome.failed == [] and outcome.stale_waivers == []
    names = {key: block["name"] for key, block in module_stacks[UNPROTECTING]["resource"]["aws_dynamodb_table"].items()}
    verdicts = {names[key]: verdict for key, verdict in by_resource(findings, UNPROTECTING, "CKV_CHAT_62").items()}
    # The check still catches the unprotected original (the waiver is what lets it through);
    # the restored table and the others keep their protection and pass.
    assert verdicts == {
        "chat-prod-messages": "failed",
        "chat-prod-messages-latest": "passed",
        "chat-prod-connections": "passed",
        "chat-prod-user-counter": "passed",
    }
    assert waived_checks(report, UNPROTECTING) == waived_checks(report, "dynamodb-prod") | {"CKV_CHAT_62"}
    (reason,) = [reason for finding, reason in outcome.waived if finding.check_id == "CKV_CHAT_62"]
    assert "unprotect_original" in reason and "point-in-time recovery" in reason
