"""Project checks CKV_CHAT_50-51 (MSK) and CKV_CHAT_55-57 (DocumentDB): each over its passing
and failing fixture stacks, resource by resource, and the modules' own output through all of
them (one checkov run for the file)."""

from __future__ import annotations

import pytest

from gate.rules import RULES_BY_ID
from tests.gate.fixture_gate import FIXTURES, by_resource, fixture_stacks, project_check_ids, run_gate

# rule id -> its predicate in gate/rules/msk_and_documentdb.py
CHECKS = {
    "CKV_CHAT_50": "msk_iam_authentication_only",
    "CKV_CHAT_51": "msk_configuration_safe_properties",
    "CKV_CHAT_55": "documentdb_nothing_lost",
    "CKV_CHAT_56": "documentdb_parameter_group_tls",
    "CKV_CHAT_57": "documentdb_managed_password",
}
STACKS = fixture_stacks(CHECKS)
MODULE_STACKS = ("variants-prod", "variants-dev")
# A protected stack whose DocumentDB cluster was restored and whose original is being retired
# (restore.unprotect_original): CKV_CHAT_55 fails on that original by design, under its waiver.
UNPROTECTING = "variants-unprotecting"
SUBNETS = ("subnet-0a1b2c3d", "subnet-0a1b2c3e", "subnet-0a1b2c3f")


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/msk and modules/documentdb write: a production and a development shape."""
    from modules.documentdb import DocumentDatabase, DocumentDatabaseProps
    from modules.documentdb.props import ClusterRestore
    from modules.msk import KafkaCluster, KafkaClusterProps

    base = {"region": "eu-west-1", "account_id": "111122223333", "vpc_id": "vpc-0a1b2c3d"}

    def build(name, zones, protected, restore=None):
        def add(stack):
            KafkaCluster(
                stack,
                "msk",
                props=KafkaClusterProps(
                    name=name, subnet_ids=SUBNETS[:zones], deletion_protection=protected, log_retention_days=365, **base
                ),
            )
            DocumentDatabase(
                stack,
                "documentdb",
                props=DocumentDatabaseProps(
                    name=name,
                    subnet_ids=SUBNETS[:zones],
                    instance_count=3 if protected else 1,
                    deletion_protection=protected,
                    restore=restore,
                    **base,
                ),
            )

        return add

    return {
        "variants-prod": synth_scratch(build("chat-prod", 3, True)).document,
        "variants-dev": synth_scratch(build("chat-dev", 2, False)).document,
        UNPROTECTING: synth_scratch(
            build("chat-prod", 3, True, ClusterRestore(latest=True, unprotect_original=True))
        ).document,
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    return run_gate(tmp_path_factory, "variant-check", STACKS, module_stacks)


def test_every_check_is_one_rule_with_its_fixtures():
    for check_id, predicate in CHECKS.items():
        assert RULES_BY_ID[check_id].predicate.__name__ == predicate
    # The ids 50-59 are the MSK and DocumentDB variants'.
    assert project_check_ids(50, 59) == set(CHECKS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        (
            "CKV_CHAT_50",
            ["iam_only", "iam_and_scram"],
            ["unauthenticated", "unauthenticated_unset", "scram_only", "no_authentication"],
        ),
        ("CKV_CHAT_51", ["safe", "two_brokers"], ["auto_create", "unclean", "one_in_sync"]),
        ("CKV_CHAT_55", ["prod", "dev"], ["unprotected", "no_final_snapshot", "unnamed_snapshot", "untagged"]),
        ("CKV_CHAT_56", ["tls12", "enabled"], ["disabled", "unset", "no_parameters"]),
        ("CKV_CHAT_57", ["managed", "restored"], ["literal", "write_only", "unmanaged"]),
    ],
)
def test_project_check_on_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    stack = f"chat-{check_id.rsplit('_', 1)[1]}"
    assert by_resource(findings, f"{stack}-pass", check_id) == dict.fromkeys(passing, "passed")
    assert by_resource(findings, f"{stack}-fail", check_id) == dict.fromkeys(failing, "failed")


def test_the_modules_pass_every_variant_check(results):
    report, findings = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        ran = {f["check_id"] for f in findings["passed_checks"] if f["file_path"] == f"/{stack}/cdk.tf.json"}
        assert set(CHECKS) <= ran, (stack, sorted(set(CHECKS) - ran))
        failed = {f.check_id for f in outcome.failed}
        assert not failed & set(CHECKS), (stack, failed)


def test_the_modules_fail_no_checkov_check_of_their_own_resources(results):
    """Beyond the project checks: nothing fails but CKV_CHAT_40 (the backup selection is the
    stack's; the wiring test proves the cluster is in it)."""
    report, _ = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        assert {finding.check_id for finding in outcome.failed} <= {"CKV_CHAT_40"}, stack
        assert outcome.stale_waivers == [], stack


def test_an_original_being_retired_fails_only_the_protection_check_under_its_reasoned_waiver(results, module_stacks):
    report, findings = results
    outcome = next(s for s in report.stacks if s.name == UNPROTECTING)
    assert {finding.check_id for finding in outcome.failed} <= {"CKV_CHAT_40"} and outcome.stale_waivers == []
    identifiers = {
        key: block["cluster_identifier"]
        for key, block in module_stacks[UNPROTECTING]["resource"]["aws_docdb_cluster"].items()
    }
    verdicts = by_resource(findings, UNPROTECTING, "CKV_CHAT_55")
    # The check still catches the unprotected original (the waiver is what lets it through);
    # the restored cluster keeps every protection and passes.
    assert {identifiers[key]: verdict for key, verdict in verdicts.items()} == {
        "chat-prod-docdb": "failed",
        "chat-prod-docdb-latest": "passed",
    }
    (reason,) = [reason for finding, reason in outcome.waived if finding.check_id == "CKV_CHAT_55"]
    assert "unprotect_original" in reason and "final snapshot" in reason
