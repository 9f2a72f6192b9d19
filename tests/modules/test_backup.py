"""Backup module: rules and retention (a year simulated against them), the CMK-encrypted
vault and its lock per mode, the role and its managed policies, the one selection that
grows with protect(), deletion protection, validation."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from modules.backup import BACKUP_SUPPORTED_RESOURCE_TYPES, BackupPlanProps
from modules.backup.schedule import COMPLETION_WINDOW_MINUTES, START_WINDOW_MINUTES, plan_rules, retention_days
from modules.backup.supported import check_protectable_arn

ACCOUNT = "111122223333"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"
PROD = BackupPlanProps(name="chat-test", region="eu-west-1", account_id=ACCOUNT)
DEV = replace(
    PROD,
    account_id=None,
    vault_lock_mode="none",
    weekly_backups_kept=0,
    monthly_backups_kept=0,
    deletion_protection=False,
    kms_key_arn=KEY_ARN,
)
ATTACHMENTS_ARN = "arn:aws:s3:::chat-test-attachments-111122223333-eu-west-1"
DATABASE_ARN = "arn:aws:rds:eu-west-1:111122223333:db:chat-test"
NO_COPY_REASON = "A sandbox rebuilt from fixtures after any loss."
OUTPUTS = ("vault_name", "vault_arn", "plan_id", "plan_arn", "role_arn", "kms_key_arn")


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.backup import BackupPlan

    def build(props, protected):
        def add(stack):
            copy_provider = None
            if props.copy_region is not None:
                from bindings.aws.provider import AwsProvider

                copy_provider = AwsProvider(stack, "aws_copy", alias="copy", region=props.copy_region)
            backup = BackupPlan(stack, "backup", props=props, copy_provider=copy_provider)
            for name, arn in protected:
                backup.protect(name, arn)
            assert list(backup.protected_arns.items()) == list(protected)
            for name in OUTPUTS:
                TerraformOutput(stack, name, value=getattr(backup, name))

        return add

    return {
        "prod": synth_scratch(build(PROD, [("database", DATABASE_ARN), ("attachments", ATTACHMENTS_ARN)])),
        "governance": synth_scratch(build(replace(PROD, vault_lock_mode="governance"), [("database", DATABASE_ARN)])),
        "dev": synth_scratch(build(DEV, [])),
        "copied": synth_scratch(build(replace(PROD, copy_region="eu-central-1"), [("database", DATABASE_ARN)])),
        "waived": synth_scratch(build(replace(PROD, no_copy_reason=NO_COPY_REASON), [("database", DATABASE_ARN)])),
    }


def only(synth, resource_type):
    (block,) = synth.resources(resource_type).values()
    return block


def output(synth, name):
    return synth.document["output"][name]["value"]


# -- rules (pure) ----------------------------------------------------------------------


def test_default_rules_are_daily_7_weekly_4_monthly_3_at_one_hour():
    rules = plan_rules(daily_kept=7, weekly_kept=4, monthly_kept=3, hour_utc=3)
    assert [(r.name, r.schedule, r.retention_days) for r in rules] == [
        ("daily", "cron(0 3 * * ? *)", 7),
        ("weekly", "cron(0 3 ? * SUN *)", 28),
        ("monthly", "cron(0 3 1 * ? *)", 93),
    ]


def test_a_count_of_zero_leaves_the_rule_out():
    assert [r.name for r in plan_rules(daily_kept=3, weekly_kept=0, monthly_kept=0, hour_utc=0)] == ["daily"]
    with pytest.raises(ValueError, match=r"^daily: expected at least 1 recovery point to keep, got 0$"):
        retention_days("daily", 0)
    with pytest.raises(ValueError, match=r"^expected an hour from 0 to 23, got 24$"):
        plan_rules(daily_kept=1, weekly_kept=0, monthly_kept=0, hour_utc=24)


def _backup_days(period: str, start: datetime.date, days: int) -> list[datetime.date]:
    dates = [start + datetime.timedelta(days=n) for n in range(days)]
    if period == "weekly":
        return [d for d in dates if d.weekday() == 6]
    if period == "monthly":
        return [d for d in dates if d.day == 1]
    return dates


@pytest.mark.parametrize(
    ("period", "kept"), [("daily", 1), ("daily", 7), ("weekly", 4), ("monthly", 3), ("monthly", 12)]
)
def test_keep_n_holds_n_recovery_points_every_day_of_two_years(period, kept):
    # Each day just before the backup hour (the moment with the fewest points), once a
    # rule has run long enough to have made `kept` points, at least `kept` are retained.
    retention = datetime.timedelta(days=retention_days(period, kept))
    start = datetime.date(2025, 1, 1)
    taken = _backup_days(period, start, 800)
    for offset in range(800):
        now = start + datetime.timedelta(days=offset)
        made = [d for d in taken if d < now]
        if len(made) < kept:
            continue
        alive = [d for d in made if d + retention >= now]
        assert len(alive) >= kept, (period, kept, now, alive)


def test_windows_start_within_the_hour_and_end_before_the_next_day():
    assert START_WINDOW_MINUTES == 60
    assert START_WINDOW_MINUTES + 60 <= COMPLETION_WINDOW_MINUTES < 24 * 60


# -- plan and vault ----------------------------------------------------------------------


def test_plan_rules_target_the_vault_with_their_retention(variants):
    synth = variants["prod"]
    plan, vault_name = only(synth, "aws_backup_plan"), next(iter(synth.resources("aws_backup_vault")))
    assert plan["name"] == "chat-test-backup"
    rules = {r["rule_name"]: r for r in plan["rule"]}
    assert {name: r["lifecycle"]["delete_after"] for name, r in rules.items()} == {
        "daily": 7,
        "weekly": 28,
        "monthly": 93,
    }
    for rule in rules.values():
        assert rule["target_vault_name"] == synth.reference("aws_backup_vault", vault_name, "name")
        assert (rule["start_window"], rule["completion_window"]) == (60, 1380)
        assert "cold_storage_after" not in rule["lifecycle"]


def test_dev_plan_keeps_dailies_only(variants):
    (rule,) = only(variants["dev"], "aws_backup_plan")["rule"]
    assert (rule["rule_name"], rule["lifecycle"]["delete_after"]) == ("daily", 7)


def test_vault_is_encrypted_with_its_own_rotated_key(variants):
    synth = variants["prod"]
    ((key_name, key),) = synth.resources("aws_kms_key").items()
    assert key["enable_key_rotation"] is True
    assert only(synth, "aws_kms_alias")["name"] == "alias/chat-test/backup"
    vault = only(synth, "aws_backup_vault")
    assert vault["kms_key_arn"] == synth.reference("aws_kms_key", key_name, "arn")
    assert vault["force_destroy"] is False
    assert output(synth, "kms_key_arn") == vault["kms_key_arn"]


def test_a_given_key_encrypts_the_vault_and_none_is_created(variants):
    synth = variants["dev"]
    assert synth.resources("aws_kms_key") == {}
    assert only(synth, "aws_backup_vault")["kms_key_arn"] == KEY_ARN


def test_compliance_lock_has_a_lock_date_and_the_rules_bounds(variants):
    synth = variants["prod"]
    vault_name = next(iter(synth.resources("aws_backup_vault")))
    lock = only(synth, "aws_backup_vault_lock_configuration")
    assert lock["backup_vault_name"] == synth.reference("aws_backup_vault", vault_name, "name")
    assert (lock["min_retention_days"], lock["max_retention_days"], lock["changeable_for_days"]) == (7, 93, 7)


def test_governance_lock_has_no_lock_date(variants):
    lock = only(variants["governance"], "aws_backup_vault_lock_configuration")
    assert "changeable_for_days" not in lock
    assert (lock["min_retention_days"], lock["max_retention_days"]) == (7, 93)


def test_no_lock_in_dev(variants):
    assert variants["dev"].resources("aws_backup_vault_lock_configuration") == {}


def test_deletion_protection_keeps_the_vault_and_its_key(variants):
    prod = variants["prod"]
    assert only(prod, "aws_backup_vault")["lifecycle"] == {"prevent_destroy": True}
    assert only(prod, "aws_kms_key")["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in only(variants["dev"], "aws_backup_vault")


def test_no_second_region_without_copy_region(variants):
    for variant in ("prod", "dev", "governance"):
        synth = variants[variant]
        assert len(synth.resources("aws_backup_vault")) == 1
        assert all("copy_action" not in rule for rule in only(synth, "aws_backup_plan")["rule"])
        assert all("provider" not in key for key in synth.resources("aws_kms_key").values())


# -- the copy in a second region (copy_region) ---------------------------------------------


def copy_vault(synth):
    ((name, vault),) = [(n, v) for n, v in synth.resources("aws_backup_vault").items() if "copy_vault" in n]
    return name, vault


def test_every_rule_copies_to_the_second_regions_vault_for_as_long_as_it_keeps_the_original(variants):
    synth = variants["copied"]
    name, _ = copy_vault(synth)
    for rule in only(synth, "aws_backup_plan")["rule"]:
        (copy,) = rule["copy_action"]
        assert copy["destination_vault_arn"] == synth.reference("aws_backup_vault", name, "arn")
        assert copy["lifecycle"] == rule["lifecycle"], rule["rule_name"]


def test_the_second_vault_has_its_own_key_its_own_lock_and_protection_in_that_region(variants):
    synth = variants["copied"]
    assert synth.document["provider"]["aws"][1] == {"alias": "copy", "region": "eu-central-1"}
    name, vault = copy_vault(synth)
    assert (vault["name"], vault["provider"], vault["force_destroy"]) == ("chat-test-backup-copy", "aws.copy", False)
    assert vault["lifecycle"] == {"prevent_destroy": True}
    ((key_name, key),) = [(n, k) for n, k in synth.resources("aws_kms_key").items() if "copy_key" in n]
    assert vault["kms_key_arn"] == synth.reference("aws_kms_key", key_name, "arn")
    assert (key["provider"], key["enable_key_rotation"], key["lifecycle"]) == (
        "aws.copy",
        True,
        {"prevent_destroy": True},
    )
    for resource_type in ("aws_kms_key_policy", "aws_kms_alias"):
        (copy_block,) = [b for n, b in synth.resources(resource_type).items() if "copy_key" in n]
        assert copy_block["provider"] == "aws.copy", resource_type
    locks = {
        lock["backup_vault_name"]: lock for lock in synth.resources("aws_backup_vault_lock_configuration").values()
    }
    primary, copied = (
        locks[synth.reference("aws_backup_vault", next(iter(synth.resources("aws_backup_vault"))), "name")],
        locks[synth.reference("aws_backup_vault", name, "name")],
    )
    assert copied.pop("provider") == "aws.copy"
    assert {k: v for k, v in copied.items() if k not in ("//", "backup_vault_name")} == {
        k: v for k, v in primary.items() if k not in ("//", "backup_vault_name")
    }


def test_copy_region_needs_that_regions_provider(synth_scratch):
    from bindings.aws.provider import AwsProvider

    from modules.backup import BackupPlan

    props = replace(PROD, copy_region="eu-central-1")

    def without(stack):
        BackupPlan(stack, "backup", props=props)

    def wrong_region(stack):
        provider = AwsProvider(stack, "aws_copy", alias="copy", region="us-east-1")
        BackupPlan(stack, "backup", props=props, copy_provider=provider)

    with pytest.raises(
        ValueError, match=r"^copy_provider: expected an AWS provider for copy_region 'eu-central-1'.*got none$"
    ):
        synth_scratch(without)
    with pytest.raises(ValueError, match=r"got one for 'us-east-1'$"):
        synth_scratch(wrong_region)


def test_a_reason_for_no_copy_waives_the_region_copy_rule_on_the_plan(variants):
    waivers = variants["waived"].document["//"]["checkov_waivers"]
    (plan_name,) = variants["waived"].resources("aws_backup_plan")
    assert waivers[plan_name] == {"CKV_CHAT_41": f"No copy in a second region: {NO_COPY_REASON}"}
    assert all(
        "CKV_CHAT_41" not in checks
        for checks in variants["prod"].document.get("//", {}).get("checkov_waivers", {}).values()
    )


# -- role and selection ----------------------------------------------------------------


def test_role_trusts_aws_backup_alone(variants):
    synth = variants["prod"]
    role = only(synth, "aws_iam_role")
    assert role["name"] == "chat-test-backup"
    (statement,) = synth.data_by_reference(role["assume_role_policy"])["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["backup.amazonaws.com"]}]
    # AWS Backup documents its role's trust without source conditions (modules/common/roles.py).
    assert "condition" not in statement, statement
    assert synth.resources("aws_iam_role_policy") == {}, "no inline permissions beyond AWS's managed policies"


def test_s3_policies_are_attached_only_once_a_bucket_is_protected(variants):
    policies = {
        variant: sorted(a["policy_arn"] for a in variants[variant].resources("aws_iam_role_policy_attachment").values())
        for variant in ("prod", "governance")
    }
    managed = [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]
    assert policies["governance"] == managed
    assert policies["prod"] == sorted(
        [
            *managed,
            "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
            "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
        ]
    )


def test_one_selection_by_arn_holds_every_protected_store(variants):
    synth = variants["prod"]
    plan_name, role_name = next(iter(synth.resources("aws_backup_plan"))), next(iter(synth.resources("aws_iam_role")))
    selection = only(synth, "aws_backup_selection")
    assert selection["name"] == "chat-test-data-stores"
    assert selection["resources"] == [DATABASE_ARN, ATTACHMENTS_ARN]
    assert selection["plan_id"] == synth.reference("aws_backup_plan", plan_name, "id")
    assert selection["iam_role_arn"] == synth.reference("aws_iam_role", role_name, "arn")
    assert "selection_tag" not in selection and "condition" not in selection


def test_no_selection_until_a_store_is_protected(variants):
    assert variants["dev"].resources("aws_backup_selection") == {}


def test_attributes(variants):
    synth = variants["prod"]
    vault_name, plan_name = (
        next(iter(synth.resources("aws_backup_vault"))),
        next(iter(synth.resources("aws_backup_plan"))),
    )
    assert output(synth, "vault_name") == synth.reference("aws_backup_vault", vault_name, "name")
    assert output(synth, "vault_arn") == synth.reference("aws_backup_vault", vault_name, "arn")
    assert output(synth, "plan_id") == synth.reference("aws_backup_plan", plan_name, "id")
    assert output(synth, "plan_arn") == synth.reference("aws_backup_plan", plan_name, "arn")


def test_protect_refuses_what_aws_backup_cannot_protect_and_repeats(synth_scratch):
    from modules.backup import BackupPlan

    def build(stack):
        backup = BackupPlan(stack, "backup", props=DEV)
        backup.protect("attachments", ATTACHMENTS_ARN)
        with pytest.raises(ValueError, match=r"^protect: expected each store once, got 'attachments' again$"):
            backup.protect("attachments", DATABASE_ARN)
        with pytest.raises(ValueError, match=r"^protect: expected each ARN once, got .* again$"):
            backup.protect("files", ATTACHMENTS_ARN)
        with pytest.raises(ValueError, match=r"^expected 1-40 characters of lowercase letters"):
            backup.protect("Attachments", DATABASE_ARN)
        # A reference (here any resource's ARN attribute): its service is not knowable at synthesis.
        backup.protect("database", backup.plan_arn)
        assert list(backup.protected_arns) == ["attachments", "database"]

    synth_scratch(build)


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (
            "arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:chat-test",
            "expected the ARN of a store AWS Backup supports (cloudformation, dynamodb, ec2, elasticfilesystem, fsx, "
            'rds, redshift, s3, storagegateway, timestream), got "arn:aws:elasticache:eu-west-1:111122223333:'
            'replicationgroup:chat-test" (string)',
        ),
        (
            "arn:aws:s3:::chat-test-attachments/uploads",
            'expected a bucket ARN (arn:aws:s3:::<bucket>, no key), got "arn:aws:s3:::chat-test-attachments/uploads" '
            "(string)",
        ),
        (
            "chat-test-attachments",
            'expected an ARN such as arn:aws:s3:::bucket-name, got "chat-test-attachments" (string)',
        ),
    ],
)
def test_unprotectable_arns_are_refused(arn, message):
    with pytest.raises(ValueError) as caught:
        check_protectable_arn(arn)
    assert str(caught.value) == message


def test_supported_types_include_the_platforms_stores():
    assert {"aws_s3_bucket", "aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table"} <= set(
        BACKUP_SUPPORTED_RESOURCE_TYPES
    )
    assert not any("elasticache" in t or "sqs" in t for t in BACKUP_SUPPORTED_RESOURCE_TYPES)


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"daily_backups_kept": 0}, "daily_backups_kept: expected a number greater than or equal to 1, got 0 (number)"),
        (
            {"weekly_backups_kept": 53},
            "weekly_backups_kept: expected a number less than or equal to 52, got 53 (number)",
        ),
        (
            {"monthly_backups_kept": 121},
            "monthly_backups_kept: expected a number less than or equal to 120, got 121 (number)",
        ),
        (
            {"vault_lock_mode": "legal-hold"},
            "vault_lock_mode: expected one of 'none', 'governance' or 'compliance', got \"legal-hold\" (string)",
        ),
        (
            {"vault_lock_changeable_for_days": 2},
            "vault_lock_changeable_for_days: expected a number greater than or equal to 3, got 2 (number)",
        ),
        (
            {"monthly_backups_kept": 4},
            "vault_lock_max_retention_days: expected at least the longest rule retention, 124 days (AWS Backup "
            "fails every job whose retention is above a locked vault's maximum), got 93; rules above it: "
            "{'monthly': 124}",
        ),
        (
            {"daily_backups_kept": 3},
            "vault_lock_min_retention_days: expected at most the shortest rule retention, 3 days (AWS Backup fails "
            "every job whose retention is below a locked vault's minimum), got 7; rules below it: {'daily': 3}",
        ),
        (
            {"vault_lock_min_retention_days": 100, "vault_lock_max_retention_days": 90, "daily_backups_kept": 1},
            "vault_lock_min_retention_days: expected a minimum no longer than vault_lock_max_retention_days (90), "
            "got 100",
        ),
        (
            {"backup_hour_utc": 24},
            "backup_hour_utc: expected a number less than or equal to 23, got 24 (number)",
        ),
        (
            {"copy_region": "eu-west-1"},
            "copy_region: expected a region other than the stack's (eu-west-1): a copy in the same region is lost "
            "with it, got 'eu-west-1'",
        ),
        ({"copy_region": "mars-1"}, 'copy_region: expected an AWS region such as eu-west-1, got "mars-1" (string)'),
        (
            {"copy_region": "eu-central-1", "no_copy_reason": NO_COPY_REASON},
            "no_copy_reason: expected copy_region or no_copy_reason, not both: copy_region 'eu-central-1' gives "
            "the copy the reason says is missing",
        ),
        (
            {"no_copy_reason": "because"},
            'no_copy_reason: expected a reason of at least 20 characters, got "because" (string)',
        ),
        (
            {"kms_key_arn": "alias/chat-test/backup"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> "
            '(a key id, not an alias), got "alias/chat-test/backup" (string)',
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as caught:
        replace(PROD, **changes)
    assert str(caught.value).splitlines()[:2] == ["invalid BackupPlanProps:", f"  {message}"]


def test_retention_bounds_do_not_apply_without_a_lock():
    props = replace(PROD, vault_lock_mode="none", daily_backups_kept=1, monthly_backups_kept=12)
    assert props.monthly_backups_kept == 12
