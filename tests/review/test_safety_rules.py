"""The data-safety gate, second pass (issue 21): updates that weaken how data is kept, forgetting a
store, and whatever the gate cannot judge. Each case is a plan entry written here, with the exact
line the review prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.plan import PlanFormatError, review_plan
from review.safety import WEAKENING_RULES, check_safety, kafka_retention_ms, render_markdown
from tests.conftest import ROOT
from tests.review.plans import plan_document, resource_change


def updated(address: str, before: dict, after: dict, after_unknown: dict | None = None) -> dict:
    entry = resource_change(address, ["update"], before=before, after=after)
    entry["change"]["after_unknown"] = after_unknown or {}
    return entry


def verdict_for(*changes, allowed=()):
    return check_safety(review_plan(plan_document(*changes), "chat-x"), allowed)


def blocked_lines(*changes, allowed=()) -> list[str]:
    markdown = render_markdown(verdict_for(*changes, allowed=allowed))
    return [line for line in markdown.splitlines() if line.startswith("- BLOCKED")]


def whats(*changes) -> list[str]:
    return [f.what for f in verdict_for(*changes).blocked]


# -- the issue's case, word for word ------------------------------------------------------------


def test_one_update_that_strips_a_database_of_every_protection_is_blocked_attribute_by_attribute():
    before = {
        "identifier": "chat-prod-postgres",
        "deletion_protection": True,
        "skip_final_snapshot": False,
        "final_snapshot_identifier": "chat-prod-postgres-final",
        "backup_retention_period": 30,
        "delete_automated_backups": False,
        "storage_encrypted": True,
    }
    after = before | {
        "deletion_protection": False,
        "skip_final_snapshot": True,
        "backup_retention_period": 0,
        "delete_automated_backups": True,
    }
    address = "aws_db_instance.database_this_C19B65FA"
    hint = f"If this run must do it: `--allow-destroy {address}`"
    assert blocked_lines(updated(address, before, after)) == [
        f"- BLOCKED `{address}`, weakened: deletion_protection true -> false: the only thing that refuses a "
        f"delete of the database. {hint}",
        f"- BLOCKED `{address}`, weakened: skip_final_snapshot false -> true: a delete of the database would "
        f"leave no final snapshot behind. {hint}",
        f"- BLOCKED `{address}`, weakened: backup_retention_period 30 -> 0: automated backups (point-in-time "
        f"recovery) reach back fewer days; 0 turns them off and deletes them. {hint}",
        f"- BLOCKED `{address}`, weakened: delete_automated_backups false -> true: a delete of the instance "
        f"would take its automated backups with it (they are kept by default). {hint}",
    ]
    allowed = verdict_for(updated(address, before, after), allowed=[address])
    assert allowed.ok and len(allowed.findings) == 4 and all(f.allowed for f in allowed.findings)
    assert f"- ALLOWED for this run `{address}`, weakened: deletion_protection true -> false" in render_markdown(
        allowed
    )


# -- every rule of the table, weakened (blocked) and strengthened (passes) ------------------------

# (type, before, after that weakens, what the review names, after that keeps or strengthens)
CASES = [
    ("aws_db_instance", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": None},
     'final_snapshot_identifier "f" -> null', {"final_snapshot_identifier": "g"}),
    ("aws_db_instance", {"storage_encrypted": True}, {"storage_encrypted": False},
     "storage_encrypted true -> false", {"storage_encrypted": True}),
    ("aws_rds_cluster", {"deletion_protection": True}, {"deletion_protection": False},
     "deletion_protection true -> false", {"deletion_protection": True}),
    ("aws_rds_cluster", {"skip_final_snapshot": False}, {"skip_final_snapshot": True},
     "skip_final_snapshot false -> true", {"skip_final_snapshot": False}),
    ("aws_rds_cluster", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": ""},
     'final_snapshot_identifier "f" -> ""', {"final_snapshot_identifier": "f"}),
    ("aws_rds_cluster", {"backup_retention_period": 14}, {"backup_retention_period": 1},
     "backup_retention_period 14 -> 1", {"backup_retention_period": 35}),
    ("aws_rds_cluster", {"storage_encrypted": True}, {"storage_encrypted": False},
     "storage_encrypted true -> false", {"storage_encrypted": True}),
    ("aws_rds_cluster", {"delete_automated_backups": False}, {"delete_automated_backups": True},
     "delete_automated_backups false -> true", {"delete_automated_backups": False}),
    ("aws_rds_cluster", {"backtrack_window": 86400}, {"backtrack_window": 0},
     "backtrack_window 86400 -> 0", {"backtrack_window": 259200}),
    ("aws_docdb_cluster", {"deletion_protection": True}, {"deletion_protection": None},
     "deletion_protection true -> null", {"deletion_protection": True}),
    ("aws_docdb_cluster", {"skip_final_snapshot": False}, {"skip_final_snapshot": True},
     "skip_final_snapshot false -> true", {"skip_final_snapshot": False}),
    ("aws_docdb_cluster", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": None},
     'final_snapshot_identifier "f" -> null', {"final_snapshot_identifier": "f"}),
    ("aws_docdb_cluster", {"backup_retention_period": 14}, {"backup_retention_period": 7},
     "backup_retention_period 14 -> 7", {"backup_retention_period": 14}),
    ("aws_docdb_cluster", {"storage_encrypted": True}, {"storage_encrypted": False},
     "storage_encrypted true -> false", {"storage_encrypted": True}),
    ("aws_neptune_cluster", {"deletion_protection": True}, {"deletion_protection": False},
     "deletion_protection true -> false", {"deletion_protection": True}),
    ("aws_neptune_cluster", {"skip_final_snapshot": False}, {"skip_final_snapshot": True},
     "skip_final_snapshot false -> true", {"skip_final_snapshot": False}),
    ("aws_neptune_cluster", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": None},
     'final_snapshot_identifier "f" -> null', {"final_snapshot_identifier": "f"}),
    ("aws_neptune_cluster", {"backup_retention_period": 5}, {"backup_retention_period": 1},
     "backup_retention_period 5 -> 1", {"backup_retention_period": 5}),
    ("aws_neptune_cluster", {"storage_encrypted": True}, {"storage_encrypted": False},
     "storage_encrypted true -> false", {"storage_encrypted": True}),
    ("aws_dynamodb_table", {"deletion_protection_enabled": True}, {"deletion_protection_enabled": False},
     "deletion_protection_enabled true -> false", {"deletion_protection_enabled": True}),
    ("aws_dynamodb_table", {"point_in_time_recovery": [{"enabled": True}]},
     {"point_in_time_recovery": [{"enabled": False}]}, "point_in_time_recovery.enabled true -> false",
     {"point_in_time_recovery": [{"enabled": True}]}),
    ("aws_dynamodb_table", {"point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": None}]},
     {"point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": 7}]},
     "point_in_time_recovery.recovery_period_in_days null -> 7",
     {"point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": 35}]}),
    ("aws_dynamodb_table", {"server_side_encryption": [{"enabled": True, "kms_key_arn": "k"}]},
     {"server_side_encryption": []}, "server_side_encryption.enabled true -> null",
     {"server_side_encryption": [{"enabled": True, "kms_key_arn": "k2"}]}),
    ("aws_dynamodb_table", {"ttl": [{"enabled": False, "attribute_name": ""}]},
     {"ttl": [{"enabled": True, "attribute_name": "expires_at"}]}, "ttl.enabled false -> true",
     {"ttl": [{"enabled": False, "attribute_name": ""}]}),
    ("aws_dynamodb_table", {"replica": [{"region_name": "eu-central-1"}, {"region_name": "us-east-1"}]},
     {"replica": [{"region_name": "us-east-1"}]},
     'replica [{"region_name": "eu-central-1"}, {"region_name": "us-east-1"}] -> [{"region_name": "us-east-1"}]',
     {"replica": [{"region_name": "us-east-1"}, {"region_name": "eu-central-1"}]}),
    ("aws_elasticache_replication_group", {"snapshot_retention_limit": 7}, {"snapshot_retention_limit": 0},
     "snapshot_retention_limit 7 -> 0", {"snapshot_retention_limit": 14}),
    ("aws_elasticache_replication_group", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": None},
     'final_snapshot_identifier "f" -> null', {"final_snapshot_identifier": "f"}),
    ("aws_elasticache_replication_group", {"at_rest_encryption_enabled": True},
     {"at_rest_encryption_enabled": False}, "at_rest_encryption_enabled true -> false",
     {"at_rest_encryption_enabled": True}),
    ("aws_elasticache_cluster", {"snapshot_retention_limit": 3}, {"snapshot_retention_limit": 1},
     "snapshot_retention_limit 3 -> 1", {"snapshot_retention_limit": 3}),
    ("aws_elasticache_cluster", {"final_snapshot_identifier": "f"}, {"final_snapshot_identifier": None},
     'final_snapshot_identifier "f" -> null', {"final_snapshot_identifier": "f"}),
    ("aws_elasticache_serverless_cache", {"snapshot_retention_limit": 3}, {"snapshot_retention_limit": 1},
     "snapshot_retention_limit 3 -> 1", {"snapshot_retention_limit": 3}),
    ("aws_memorydb_cluster", {"snapshot_retention_limit": 3}, {"snapshot_retention_limit": 0},
     "snapshot_retention_limit 3 -> 0", {"snapshot_retention_limit": 3}),
    ("aws_memorydb_cluster", {"final_snapshot_name": "f"}, {"final_snapshot_name": None},
     'final_snapshot_name "f" -> null', {"final_snapshot_name": "f"}),
    ("aws_kinesis_stream", {"retention_period": 168}, {"retention_period": 24},
     "retention_period 168 -> 24", {"retention_period": 168}),
    ("aws_db_instance_automated_backups_replication", {"retention_period": 30}, {"retention_period": 7},
     "retention_period 30 -> 7", {"retention_period": 35}),
    ("aws_sqs_queue", {"message_retention_seconds": 1209600}, {"message_retention_seconds": 60},
     "message_retention_seconds 1209600 -> 60", {"message_retention_seconds": 1209600}),
    ("aws_s3_bucket", {"force_destroy": False}, {"force_destroy": True},
     "force_destroy false -> true", {"force_destroy": False}),
    ("aws_s3_bucket", {"object_lock_enabled": True}, {"object_lock_enabled": False},
     "object_lock_enabled true -> false", {"object_lock_enabled": True}),
    ("aws_s3_bucket_versioning", {"versioning_configuration": [{"status": "Enabled"}]},
     {"versioning_configuration": [{"status": "Suspended"}]},
     'versioning_configuration.status "Enabled" -> "Suspended"',
     {"versioning_configuration": [{"status": "Enabled"}]}),
    ("aws_s3_bucket_versioning", {"versioning_configuration": [{"status": "Enabled", "mfa_delete": "Enabled"}]},
     {"versioning_configuration": [{"status": "Enabled", "mfa_delete": "Disabled"}]},
     'versioning_configuration.mfa_delete "Enabled" -> "Disabled"',
     {"versioning_configuration": [{"status": "Enabled", "mfa_delete": "Enabled"}]}),
    ("aws_s3_bucket_object_lock_configuration", {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 30}]}]},
     {"rule": [{"default_retention": [{"mode": "GOVERNANCE", "days": 30}]}]},
     'rule.default_retention.mode "COMPLIANCE" -> "GOVERNANCE"',
     {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 30}]}]}),
    ("aws_s3_bucket_object_lock_configuration", {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "years": 1}]}]},
     {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 90}]}]},
     "rule.default_retention (days) 365 -> 90",
     {"rule": [{"default_retention": [{"mode": "COMPLIANCE", "days": 400}]}]}),
    ("aws_s3_bucket_server_side_encryption_configuration",
     {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]},
     {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}]},
     'rule.apply_server_side_encryption_by_default.sse_algorithm "aws:kms" -> "AES256"',
     {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms:dsse"}]}]}),
    ("aws_ebs_volume", {"final_snapshot": True}, {"final_snapshot": False},
     "final_snapshot true -> false", {"final_snapshot": True}),
    ("aws_ebs_volume", {"encrypted": True}, {"encrypted": False}, "encrypted true -> false", {"encrypted": True}),
    ("aws_efs_backup_policy", {"backup_policy": [{"status": "ENABLED"}]}, {"backup_policy": [{"status": "DISABLED"}]},
     'backup_policy.status "ENABLED" -> "DISABLED"', {"backup_policy": [{"status": "ENABLED"}]}),
    ("aws_fsx_lustre_file_system", {"automatic_backup_retention_days": 7}, {"automatic_backup_retention_days": 0},
     "automatic_backup_retention_days 7 -> 0", {"automatic_backup_retention_days": 7}),
    ("aws_fsx_ontap_file_system", {"automatic_backup_retention_days": 7}, {"automatic_backup_retention_days": 1},
     "automatic_backup_retention_days 7 -> 1", {"automatic_backup_retention_days": 8}),
    ("aws_fsx_openzfs_file_system", {"automatic_backup_retention_days": 7}, {"automatic_backup_retention_days": 1},
     "automatic_backup_retention_days 7 -> 1", {"automatic_backup_retention_days": 7}),
    ("aws_fsx_windows_file_system", {"automatic_backup_retention_days": 7}, {"automatic_backup_retention_days": 1},
     "automatic_backup_retention_days 7 -> 1", {"automatic_backup_retention_days": 7}),
    ("aws_fsx_windows_file_system", {"skip_final_backup": False}, {"skip_final_backup": True},
     "skip_final_backup false -> true", {"skip_final_backup": False}),
    ("aws_ecr_repository", {"force_delete": False}, {"force_delete": True},
     "force_delete false -> true", {"force_delete": False}),
    ("aws_ecr_repository", {"image_tag_mutability": "IMMUTABLE"}, {"image_tag_mutability": "MUTABLE"},
     'image_tag_mutability "IMMUTABLE" -> "MUTABLE"', {"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION"}),
    ("aws_instance", {"disable_api_termination": True}, {"disable_api_termination": False},
     "disable_api_termination true -> false", {"disable_api_termination": True}),
    ("aws_kms_key", {"is_enabled": True}, {"is_enabled": False}, "is_enabled true -> false", {"is_enabled": True}),
    ("aws_kms_key", {"deletion_window_in_days": 30}, {"deletion_window_in_days": 7},
     "deletion_window_in_days 30 -> 7", {"deletion_window_in_days": None}),
    ("aws_kms_key", {"enable_key_rotation": True}, {"enable_key_rotation": False},
     "enable_key_rotation true -> false", {"enable_key_rotation": True}),
    ("aws_secretsmanager_secret", {"recovery_window_in_days": 30}, {"recovery_window_in_days": 0},
     "recovery_window_in_days 30 -> 0", {"recovery_window_in_days": None}),
    ("aws_backup_selection", {"resources": ["arn:db", "arn:bucket"]}, {"resources": ["arn:bucket"]},
     'resources ["arn:db", "arn:bucket"] -> ["arn:bucket"]', {"resources": ["arn:bucket", "arn:db", "arn:table"]}),
    ("aws_backup_selection", {"not_resources": []}, {"not_resources": ["arn:db"]},
     'not_resources [] -> ["arn:db"]', {"not_resources": []}),
    ("aws_backup_selection", {"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "yes"}]},
     {"selection_tag": []}, 'selection_tag [{"key": "backup", "type": "STRINGEQUALS", "value": "yes"}] -> []',
     {"selection_tag": [{"type": "STRINGEQUALS", "key": "backup", "value": "yes"}]}),
    ("aws_backup_vault", {"force_destroy": False}, {"force_destroy": True},
     "force_destroy false -> true", {"force_destroy": False}),
    ("aws_backup_vault_lock_configuration", {"min_retention_days": 7}, {"min_retention_days": 1},
     "min_retention_days 7 -> 1", {"min_retention_days": 14}),
    ("aws_backup_vault_lock_configuration", {"max_retention_days": 93}, {"max_retention_days": 30},
     "max_retention_days 93 -> 30", {"max_retention_days": None}),
    ("aws_backup_vault_lock_configuration", {"changeable_for_days": 7}, {"changeable_for_days": None},
     "changeable_for_days 7 -> null", {"changeable_for_days": 7}),
    ("aws_cognito_user_pool", {"deletion_protection": "ACTIVE"}, {"deletion_protection": "INACTIVE"},
     'deletion_protection "ACTIVE" -> "INACTIVE"', {"deletion_protection": "ACTIVE"}),
]  # fmt: skip


@pytest.mark.parametrize(("resource_type", "before", "weakened", "what", "kept"), CASES, ids=lambda v: str(v)[:40])
def test_an_update_that_weakens_a_protection_is_blocked_and_one_that_keeps_it_passes(
    resource_type, before, weakened, what, kept
):
    address = f"{resource_type}.store"
    assert whats(updated(address, before, weakened)) == [what]
    assert verdict_for(updated(address, before, kept)).findings == ()


def test_every_rule_of_the_table_has_a_case():
    covered = {(t, w.split(" ")[0]) for t, _, _, w, _ in CASES}
    covered |= {(t, a) for t, a in JUDGED}
    covered |= {("aws_db_instance", a) for a in ("deletion_protection", "skip_final_snapshot")}
    covered |= {("aws_db_instance", a) for a in ("backup_retention_period", "delete_automated_backups")}
    covered |= {("aws_cloudwatch_log_group", a) for a in ("retention_in_days", "skip_destroy")}
    missing = [
        (r.type, r.attribute)
        for r in WEAKENING_RULES
        if (r.type, r.attribute) not in covered and (r.type, r.attribute.split(".")[0]) not in covered
    ]
    assert missing == []


# -- structured attributes: lifecycle rules, backup rules, Kafka retention --------------------------

JUDGED = (
    ("aws_s3_bucket_lifecycle_configuration", "rule"),
    ("aws_backup_plan", "rule"),
    ("aws_msk_configuration", "server_properties"),
    ("aws_s3_bucket_object_lock_configuration", "rule.default_retention"),
)


def lifecycle_rule(rule_id="retention", status="Enabled", days=None, noncurrent=None, keep=None, prefix=None):
    rule = {"id": rule_id, "status": status, "filter": [{"prefix": prefix}] if prefix else [{}]}
    rule["expiration"] = [{"days": days, "expired_object_delete_marker": days is None}]
    rule["noncurrent_version_expiration"] = (
        [{"noncurrent_days": noncurrent, "newer_noncurrent_versions": keep}] if noncurrent else []
    )
    return rule


def lifecycle(*rules):
    return {"bucket": "chat-prod-attachments", "rule": list(rules)}


LIFECYCLE = "aws_s3_bucket_lifecycle_configuration.attachments"


def test_a_lifecycle_rule_that_expires_noncurrent_versions_sooner_is_blocked():
    before = lifecycle(lifecycle_rule(noncurrent=30))
    assert whats(updated(LIFECYCLE, before, lifecycle(lifecycle_rule(noncurrent=1)))) == [
        "rule[retention].noncurrent_version_expiration.noncurrent_days 30 -> 1"
    ]
    assert whats(updated(LIFECYCLE, before, lifecycle(lifecycle_rule(noncurrent=90)))) == []


def test_a_lifecycle_rule_that_starts_expiring_current_objects_is_blocked():
    before = lifecycle(lifecycle_rule(noncurrent=30))
    after = lifecycle(lifecycle_rule(noncurrent=30, days=365))
    assert whats(updated(LIFECYCLE, before, after)) == ["rule[retention].expiration.days null -> 365"]
    # so is a new rule that expires, and a disabled expiring rule switched on
    added = lifecycle(lifecycle_rule(noncurrent=30), lifecycle_rule("tmp", days=1, prefix="tmp/"))
    assert whats(updated(LIFECYCLE, before, added)) == ["rule[tmp].expiration.days null -> 1"]
    switched = lifecycle(lifecycle_rule(noncurrent=30), lifecycle_rule("old", status="Disabled", days=7))
    switched_on = lifecycle(lifecycle_rule(noncurrent=30), lifecycle_rule("old", days=7))
    assert whats(updated(LIFECYCLE, switched, switched_on)) == ["rule[old].expiration.days null -> 7"]
    # a rule removed or disabled expires less: it passes
    assert whats(updated(LIFECYCLE, added, before)) == []
    assert whats(updated(LIFECYCLE, switched_on, switched)) == []


def test_a_lifecycle_rule_keeping_fewer_versions_or_widening_its_filter_is_blocked():
    before = lifecycle(lifecycle_rule(noncurrent=30, keep=5, prefix="uploads/"))
    fewer = lifecycle(lifecycle_rule(noncurrent=30, keep=1, prefix="uploads/"))
    assert whats(updated(LIFECYCLE, before, fewer)) == [
        "rule[retention].noncurrent_version_expiration.newer_noncurrent_versions 5 -> 1"
    ]
    wider = lifecycle(lifecycle_rule(noncurrent=30, keep=5))
    assert whats(updated(LIFECYCLE, before, wider)) == ['rule[retention].filter {"prefix": "uploads/"} -> null']


BACKUP_PLAN = "aws_backup_plan.backup_plan_FCCCE43A"


def backup_rule(name, delete_after, copy_to=None, copy_days=None, continuous=None):
    rule = {"rule_name": name, "schedule": "cron(0 3 * * ? *)", "lifecycle": [{"delete_after": delete_after}]}
    rule["copy_action"] = (
        [{"destination_vault_arn": copy_to, "lifecycle": [{"delete_after": copy_days}]}] if copy_to else []
    )
    if continuous is not None:
        rule["enable_continuous_backup"] = continuous
    return rule


def plan_of(*rules):
    return {"name": "chat-prod-backup", "rule": list(rules)}


def test_a_backup_plan_keeping_recovery_points_shorter_or_dropping_a_rule_is_blocked():
    before = plan_of(backup_rule("daily", 7), backup_rule("weekly", 28), backup_rule("monthly", 93))
    after = plan_of(backup_rule("daily", 7), backup_rule("weekly", 14))
    assert whats(updated(BACKUP_PLAN, before, after)) == [
        "rule[weekly].lifecycle.delete_after 28 -> 14",
        'rule[monthly] "present" -> "removed"',
    ]
    longer = plan_of(backup_rule("daily", 14), backup_rule("weekly", 28), backup_rule("monthly", 365))
    assert whats(updated(BACKUP_PLAN, before, longer)) == []


def test_a_backup_plan_whose_rule_kept_points_for_ever_now_expires_them():
    before = plan_of(backup_rule("yearly", None))
    assert whats(updated(BACKUP_PLAN, before, plan_of(backup_rule("yearly", 3650)))) == [
        "rule[yearly].lifecycle.delete_after forever -> 3650"
    ]


def test_a_backup_plan_losing_its_copy_or_continuous_backup_is_blocked():
    vault = "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr"
    before = plan_of(backup_rule("daily", 35, copy_to=vault, copy_days=35, continuous=True))
    no_copy = plan_of(backup_rule("daily", 35, continuous=True))
    assert whats(updated(BACKUP_PLAN, before, no_copy)) == [f'rule[daily].copy_action[{vault}] "present" -> "removed"']
    shorter_copy = plan_of(backup_rule("daily", 35, copy_to=vault, copy_days=7, continuous=True))
    assert whats(updated(BACKUP_PLAN, before, shorter_copy)) == [
        f"rule[daily].copy_action[{vault}].lifecycle.delete_after 35 -> 7"
    ]
    no_pitr = plan_of(backup_rule("daily", 35, copy_to=vault, copy_days=35, continuous=False))
    assert whats(updated(BACKUP_PLAN, before, no_pitr)) == ["rule[daily].enable_continuous_backup true -> false"]


def test_kafka_retention_shortened_in_the_broker_configuration_is_blocked():
    config = "aws_msk_configuration.kafka"
    before = {"name": "chat", "server_properties": "auto.create.topics.enable=false\nlog.retention.hours=8760\n"}
    after = {"name": "chat", "server_properties": "auto.create.topics.enable=false\nlog.retention.ms=86400000\n"}
    assert whats(updated(config, before, after)) == ["server_properties log.retention (ms) 31536000000 -> 86400000"]
    assert kafka_retention_ms("") == 168 * 3_600_000 and kafka_retention_ms("log.retention.ms=-1") == float("inf")
    assert whats(updated(config, after, before)) == []


# -- audit log groups: retention, where 0 is for ever ---------------------------------------------


RETENTIONS = [(0, 30, True), (365, 90, True), (None, 3653, True), (30, 0, False), (90, 365, False), (365, None, False)]


@pytest.mark.parametrize(("old", "new", "blocked"), RETENTIONS)
def test_an_audit_log_groups_retention_is_judged_with_0_meaning_for_ever(old, new, blocked):
    name = "/ecs/chat-prod/exec-sessions"
    change = updated(
        "aws_cloudwatch_log_group.exec",
        {"name": name, "retention_in_days": old},
        {"name": name, "retention_in_days": new},
    )
    expected = [f"retention_in_days {'null' if old is None else old} -> {new}"] if blocked else []
    assert whats(change) == expected


def test_an_operational_log_groups_retention_may_shrink_but_an_audit_groups_skip_destroy_may_not_go():
    ops = updated(
        "aws_cloudwatch_log_group.api", {"name": "/ecs/chat-prod/api", "retention_in_days": 0},
        {"name": "/ecs/chat-prod/api", "retention_in_days": 7},
    )  # fmt: skip
    assert verdict_for(ops).ok
    waf = {"name": "aws-waf-logs-chat-prod-api", "retention_in_days": 365}
    change = updated("aws_cloudwatch_log_group.waf", waf | {"skip_destroy": True}, waf | {"skip_destroy": False})
    assert whats(change) == ["skip_destroy true -> false"]


# -- protections deleted, stores forgotten ---------------------------------------------------------


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws_backup_selection",
        "aws_backup_vault_lock_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_efs_backup_policy",
    ],
)
def test_deleting_or_replacing_a_protection_is_blocked_like_a_store(resource_type):
    address = f"{resource_type}.guard"
    for actions in (["delete"], ["delete", "create"]):
        before = {"id": "x"}
        entry = resource_change(address, actions, before=before, after=None if actions == ["delete"] else before)
        (line,) = blocked_lines(entry)
        assert line.startswith(f"- BLOCKED `{address}`, {'delete' if actions == ['delete'] else 'replace'}")
        assert f"--allow-destroy {address}" in line


def test_forgetting_the_primary_database_needs_the_same_allowance():
    address = "aws_db_instance.database_this_C19B65FA"
    forget = resource_change(address, ["forget"], before={"identifier": "chat-prod-postgres"}, after=None)
    (line,) = blocked_lines(forget)
    assert line.startswith(f"- BLOCKED `{address}`, forget (removed from state): the database's storage")
    assert "forgotten, it keeps running with nothing here protecting, backing up or judging it" in line
    assert verdict_for(forget, allowed=[address]).ok
    # forgetting what holds no data is fine
    assert verdict_for(resource_change("aws_lb.api", ["forget"], before={"name": "x"}, after=None)).ok


# -- what the gate cannot judge: fail closed --------------------------------------------------------


def test_a_type_the_gate_does_not_know_that_may_hold_data_fails_closed():
    for address in ("aws_timestream_table.metrics", "aws_lightsail_database.old", "aws_dax_cluster.cache"):
        (line,) = blocked_lines(resource_change(address, ["delete"], before={"id": "x"}))
        resource_type = address.split(".")[0]
        assert line.startswith(
            f"- BLOCKED `{address}`, cannot judge: delete: the gate does not know {resource_type}, and its name "
            "says it may hold data; list it in review/safety.py"
        )
    assert verdict_for(resource_change("aws_lb_listener.http", ["delete"], before={"id": "x"})).ok


def test_a_malformed_entry_fails_closed_and_no_allowance_lifts_it():
    nameless = resource_change("aws_db_instance.x", ["delete"], before={"id": "x"})
    nameless["type"] = ""
    odd_mode = resource_change("aws_s3_bucket.y", ["delete"], before={"id": "y"})
    odd_mode["mode"] = "imported"
    verdict = verdict_for(nameless, odd_mode, allowed=["aws_db_instance.x", "aws_s3_bucket.y"])
    assert not verdict.ok and len(verdict.blocked) == 2
    lines = [line for line in render_markdown(verdict).splitlines() if line.startswith("- BLOCKED")]
    assert lines[0] == (
        "- BLOCKED `aws_db_instance.x`, cannot judge: mode 'managed', type '': a malformed entry: the gate cannot "
        "tell what it is (no allowance lifts this; fix the plan). Fix the plan."
    )


def test_an_update_without_before_or_after_and_a_value_known_only_after_apply_fail_closed():
    broken = resource_change("aws_kms_key.data", ["update"], before=None, after={"is_enabled": True})
    assert whats(broken) == ["update without before and after objects"]
    unknown = updated(
        "aws_db_instance.db", {"backup_retention_period": 7}, {"backup_retention_period": None},
        after_unknown={"backup_retention_period": True},
    )  # fmt: skip
    assert whats(unknown) == ["backup_retention_period 7 -> (known after apply)"]


def test_an_unknown_action_is_refused_before_any_verdict():
    with pytest.raises(PlanFormatError, match=r"unknown actions \['destroy'\]"):
        review_plan(plan_document(resource_change("aws_s3_bucket.b", ["destroy"], before={})), "chat-x")


# -- the table in the README ------------------------------------------------------------------------


def test_review_readme_shows_every_rule_of_the_table():
    readme = (ROOT / "review" / "README.md").read_text()
    for rule in WEAKENING_RULES:
        assert f"| `{rule.type}` | `{rule.attribute}` | {rule.weakening} | {rule.why} |" in readme, rule
    assert Path(ROOT / "README.md").read_text().count("review/README.md") >= 1
