"""Project checks CKV_CHAT_30-36 (the managed cache): each over its passing and failing
fixture stacks, resource by resource, and the cache module's own output through all of them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gate.run import gate, read_results
from tests.gate.fixture_gate import project_check_ids

FIXTURES = Path(__file__).parent / "fixtures"
CHECK_IDS = tuple(f"CKV_CHAT_{number}" for number in range(30, 37))
STACKS = [f"chat-{check_id.rsplit('_', 1)[1]}-{outcome}" for check_id in CHECK_IDS for outcome in ("pass", "fail")]
MODULE_STACKS = ("cache-prod", "cache-dev")


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    """The gate over this file's fixture stacks and two synthesized cache stacks (one checkov run)."""
    stacks_dir = tmp_path_factory.mktemp("cache-fixtures")
    for stack in STACKS:
        shutil.copytree(FIXTURES / stack, stacks_dir / stack)
    for name, document in module_stacks.items():
        (stacks_dir / name).mkdir()
        (stacks_dir / name / "cdk.tf.json").write_text(json.dumps(document))
    report_dir = tmp_path_factory.mktemp("cache-gate")
    report = gate(stacks_dir, report_dir)
    return report, read_results(report_dir)


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/cache writes: a protected split cache, and a development one."""
    from modules.cache import ManagedCache, ManagedCacheProps

    base = {
        "region": "eu-west-1",
        "account_id": "111122223333",
        "vpc_id": "vpc-0a1b2c3d",
        "elasticache_subnet_group_name": "chat-test-data",
    }
    prod = ManagedCacheProps(name="chat-prod", replicas=2, split_pubsub_and_state=True, **base)
    dev = ManagedCacheProps(
        name="chat-dev", replicas=0, automatic_failover=False, deletion_protection=False, engine="redis", **base
    )
    return {
        name: synth_scratch(lambda stack, p=props: ManagedCache(stack, "cache", props=p)).document
        for name, props in zip(MODULE_STACKS, (prod, dev), strict=True)
    }


def by_resource(results, stack, check_id):
    """{resource name: "passed" | "failed"} for one check on one stack."""
    found = {}
    for kind in ("passed_checks", "failed_checks"):
        for finding in results[kind]:
            if finding["check_id"] == check_id and finding["file_path"] == f"/{stack}/cdk.tf.json":
                found[finding["resource"].split(".")[-1]] = kind.split("_")[0]
    return found


def test_every_cache_check_is_a_file_with_fixtures():
    # The ids 30-39 are the managed cache's.
    assert project_check_ids(30, 39) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("CKV_CHAT_30", ["prod", "no_failover"], ["single_az", "no_snapshots", "retention_unset"]),
        ("CKV_CHAT_31", ["prod", "sharded", "dev"], ["no_replica", "no_failover", "untagged"]),
        ("CKV_CHAT_32", ["prod", "dev"], ["no_final_snapshot", "no_snapshots", "untagged"]),
        ("CKV_CHAT_33", ["prod", "dev"], ["preferred", "mode_unset", "plaintext"]),
        ("CKV_CHAT_34", ["prod"], ["auth_token", "both", "open"]),
        (
            "CKV_CHAT_35",
            ["iam", "disabled_default"],
            ["password", "password_mode", "open_default", "disabled_with_password"],
        ),
        ("CKV_CHAT_36", ["prod"], ["slow_log_only", "no_logs"]),
    ],
)
def test_project_check_on_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    stack = f"chat-{check_id.rsplit('_', 1)[1]}"
    assert by_resource(findings, f"{stack}-pass", check_id) == dict.fromkeys(passing, "passed")
    assert by_resource(findings, f"{stack}-fail", check_id) == dict.fromkeys(failing, "failed")


def test_the_modules_caches_pass_every_cache_check(results):
    report, findings = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        assert outcome.failed == [] and outcome.stale_waivers == [], stack
        ran = {f["check_id"] for f in findings["passed_checks"] if f["file_path"] == f"/{stack}/cdk.tf.json"}
        assert set(CHECK_IDS) <= ran, (stack, sorted(set(CHECK_IDS) - ran))


def test_only_the_development_cache_waives_failover(results):
    report, _ = results
    waived = {
        stack.name: sorted({finding.check_id for finding, _ in stack.waived})
        for stack in report.stacks
        if stack.name in MODULE_STACKS
    }
    assert "CKV2_AWS_50" in waived["cache-dev"]
    assert "CKV2_AWS_50" not in waived["cache-prod"]
