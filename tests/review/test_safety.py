"""The data-safety gate on small plan documents: what it stops, what it lets through, and the allow flag."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import bindings
from review.plan import review_plan
from review.safety import (
    AUDIT_LOG_GROUPS,
    CONSIDERED_STATELESS,
    PROTECTION_TYPES,
    STATEFUL_TYPES,
    WEAKENING_RULES,
    as_json,
    check_safety,
    render_markdown,
)
from tests.review.plans import deleted, plan_document, replaced, resource_change

# The stores the issue names (issue 14, "Plan review"), written here independently of the list.
NAMED_BY_THE_ISSUE = (
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_docdb_cluster_instance",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_msk_cluster",
    "aws_dynamodb_table",
    "aws_s3_bucket",
    "aws_ebs_volume",
    "aws_kms_key",
    "aws_secretsmanager_secret",
    "aws_backup_vault",
    "aws_backup_plan",
    "aws_sqs_queue",
    "aws_ecr_repository",
    "aws_efs_file_system",
)
DESTRUCTIVE = (["delete"], ["delete", "create"], ["create", "delete"], ["create", "forget"])


def verdict_for(*changes, allowed=()):
    return check_safety(review_plan(plan_document(*changes), "chat-x"), allowed)


def blocked_addresses(verdict):
    return [d.change.address for d in verdict.blocked]


@pytest.mark.parametrize("resource_type", NAMED_BY_THE_ISSUE)
@pytest.mark.parametrize("actions", DESTRUCTIVE, ids="/".join)
def test_deleting_or_replacing_a_store_fails_the_gate(resource_type, actions):
    address = f"{resource_type}.store"
    change = deleted(address) if actions == ["delete"] else replaced(address, actions)
    verdict = verdict_for(change)
    assert not verdict.ok and blocked_addresses(verdict) == [address]
    assert f"--allow-destroy {address}" in render_markdown(verdict)


@pytest.mark.parametrize("actions", [["create"], ["update"], ["no-op"]], ids="/".join)
def test_creating_updating_or_keeping_a_store_passes(actions):
    before = None if actions == ["create"] else {"identifier": "db"}
    after = None if actions == ["forget"] else {"identifier": "db", "tags": {"a": "b"}}
    verdict = verdict_for(resource_change("aws_db_instance.db", actions, before=before, after=after))
    assert verdict.ok and verdict.destructions == ()
    assert "PASSED" in render_markdown(verdict)


def test_resources_without_data_may_go_and_data_sources_are_not_judged():
    verdict = verdict_for(
        deleted("aws_lb.api"),
        replaced("aws_security_group.api", ["delete", "create"]),
        replaced("aws_ecs_service.api", ["create", "delete"]),
        resource_change("data.aws_s3_bucket.logs", ["read"], after={"bucket": "logs"}),
    )
    assert verdict.ok and verdict.destructions == ()


def test_the_allow_flag_lets_exactly_the_named_address_go_and_is_printed():
    changes = (deleted("aws_s3_bucket.uploads"), replaced("aws_dynamodb_table.presence", ["delete", "create"]))
    verdict = verdict_for(*changes, allowed=["aws_s3_bucket.uploads"])
    assert not verdict.ok and blocked_addresses(verdict) == ["aws_dynamodb_table.presence"]
    markdown = render_markdown(verdict)
    assert "ALLOWED for this run `aws_s3_bucket.uploads`" in markdown
    assert "BLOCKED `aws_dynamodb_table.presence`" in markdown

    both = verdict_for(*changes, allowed=["aws_s3_bucket.uploads", "aws_dynamodb_table.presence"])
    assert both.ok and [d.allowed for d in both.destructions] == [True, True]
    document = as_json(both)
    assert document["ok"] and document["allowed"] == ["aws_s3_bucket.uploads", "aws_dynamodb_table.presence"]
    assert {d["address"]: d["action"] for d in document["findings"]} == {
        "aws_s3_bucket.uploads": "delete",
        "aws_dynamodb_table.presence": "replace",
    }


def test_an_allowance_the_plan_does_not_use_fails_like_a_stale_waiver():
    verdict = verdict_for(deleted("aws_s3_bucket.uploads"), allowed=["aws_s3_bucket.upload", "aws_s3_bucket.uploads"])
    assert not verdict.ok and verdict.blocked == () and verdict.unused_allowances == ("aws_s3_bucket.upload",)
    assert "UNUSED allowance `aws_s3_bucket.upload`" in render_markdown(verdict)
    # An update is not a deletion: allowing it is a mistake too.
    updated = resource_change("aws_sqs_queue.jobs", ["update"], before={"tags": {}}, after={"tags": {"a": "b"}})
    assert verdict_for(updated, allowed=["aws_sqs_queue.jobs"]).unused_allowances == ("aws_sqs_queue.jobs",)


def test_allowing_a_resource_that_holds_no_data_is_accepted_and_shown():
    verdict = verdict_for(deleted("aws_lb.api"), allowed=["aws_lb.api"])
    assert verdict.ok
    assert "allowed for this run `aws_lb.api` (deleted or replaced; it holds no data)" in render_markdown(verdict)


# -- log groups: only audit logs ---------------------------------------------------------------

# Names the modules write (modules/compute, waf, network, database) and what they hold.
AUDIT_NAMES = (
    "/ecs/chat-prod/exec-sessions",
    "aws-waf-logs-chat-prod-api",
    "/chat-infra/chat-prod/vpc-flow-logs",
    "/aws/rds/instance/chat-prod-postgres/postgresql",
)
OPERATIONAL_NAMES = (
    "/ecs/chat-prod/api",
    "/ecs/chat-prod/realtime",
    "/chat-infra/chat-prod/elasticache/primary/slow-log",
    "/aws/rds/instance/chat-prod-postgres/upgrade",
    "/aws/rds/proxy/chat-prod-postgres",
)


@pytest.mark.parametrize("name", AUDIT_NAMES)
def test_an_audit_log_group_may_not_be_deleted_or_replaced(name):
    group = "aws_cloudwatch_log_group.audit"
    for change in (
        deleted(group, name=name, retention_in_days=365),
        replaced(group, ["delete", "create"], forced_by="kms_key_id", name=name),
    ):
        verdict = verdict_for(change)
        assert blocked_addresses(verdict) == [group]
        assert name in verdict.blocked[0].reason


@pytest.mark.parametrize("name", OPERATIONAL_NAMES)
def test_an_operational_log_group_may_go(name):
    verdict = verdict_for(deleted("aws_cloudwatch_log_group.ops", name=name))
    assert verdict.ok and verdict.destructions == ()


def test_renaming_an_audit_log_group_away_is_caught_by_its_old_name():
    change = resource_change(
        "aws_cloudwatch_log_group.exec",
        ["delete", "create"],
        before={"name": "/ecs/chat-dev/exec-sessions"},
        after={"name": "/ecs/chat-dev/exec"},
        replace_paths=[["name"]],
    )
    assert blocked_addresses(verdict_for(change)) == ["aws_cloudwatch_log_group.exec"]


# -- the list itself -------------------------------------------------------------------------------


def test_every_listed_type_has_a_reason_and_no_type_is_on_both_lists():
    for listing in (STATEFUL_TYPES, PROTECTION_TYPES, CONSIDERED_STATELESS):
        for resource_type, reason in listing.items():
            assert len(reason) >= 20, resource_type
    assert all(len(reason) >= 20 for _, reason in AUDIT_LOG_GROUPS)
    assert not set(STATEFUL_TYPES) & set(CONSIDERED_STATELESS)
    assert not set(PROTECTION_TYPES) & (set(STATEFUL_TYPES) | set(CONSIDERED_STATELESS))
    assert set(NAMED_BY_THE_ISSUE) <= set(STATEFUL_TYPES)
    assert "aws_cloudwatch_log_group" not in STATEFUL_TYPES  # judged by name, not by type


def test_every_listed_type_is_a_resource_of_the_aws_provider():
    """A misspelt type would never match: each must be a resource of the bindings (one submodule each)."""
    spec = importlib.util.find_spec(bindings.PROVIDER_PACKAGE)  # locates the package without importing it
    assert spec is not None and spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    rule_types = {rule.type for rule in WEAKENING_RULES}
    for resource_type in (*STATEFUL_TYPES, *PROTECTION_TYPES, *CONSIDERED_STATELESS, *rule_types):
        assert (package / resource_type.removeprefix("aws_") / "__init__.py").is_file(), resource_type
