"""Inputs of the BackupPlan construct, and the checks only it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.backup.schedule import plan_rules
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    choice_check,
    range_check,
)
from modules.common.waivers import check_reason

VaultLockMode = Literal["none", "governance", "compliance"]
VAULT_LOCK_MODES: tuple[str, ...] = get_args(VaultLockMode)

# AWS Backup Vault Lock: retention bounds up to 36,500 days (100 years); a compliance lock
# becomes immutable after a cooling-off period of at least 72 hours (ChangeableForDays >= 3).
MAX_LOCK_DAYS = 36_500
MIN_CHANGEABLE_FOR_DAYS = 3

# Beyond five weeks of dailies the weekly rule keeps the history at a seventh of the
# storage; beyond a year of weeklies the monthly rule does; ten years of monthlies is
# longer than anything the platform's data must be kept for.
MAX_DAILY_KEPT = 35
MAX_WEEKLY_KEPT = 52
MAX_MONTHLY_KEPT = 120


def _retentions(daily: int, weekly: int, monthly: int) -> dict[str, int]:
    rules = plan_rules(daily_kept=daily, weekly_kept=weekly, monthly_kept=monthly, hour_utc=0)
    return {rule.name: rule.retention_days for rule in rules}


def check_lock_bounds(mode: str, min_days: int, max_days: int) -> None:
    if mode != "none" and min_days > max_days:
        raise ValueError(
            f"expected a minimum no longer than vault_lock_max_retention_days ({max_days}), got {min_days}"
        )


def check_copy_region(region: str, copy_region: str | None) -> None:
    """A copy in the stack's own region survives no region loss: the point of the copy."""
    if copy_region is not None and copy_region == region:
        raise ValueError(
            f"expected a region other than the stack's ({region}): a copy in the same region is lost "
            f"with it, got {copy_region!r}"
        )


def check_copy_or_reason(copy_region: str | None, no_copy_reason: str | None) -> None:
    """A reason for having no copy is stale once there is one (the gate fails a stale waiver)."""
    if copy_region is not None and no_copy_reason:
        raise ValueError(
            f"expected copy_region or no_copy_reason, not both: copy_region {copy_region!r} gives the copy "
            "the reason says is missing"
        )


def check_shortest_retention(mode: str, min_days: int, daily: int, weekly: int, monthly: int) -> None:
    """A locked vault refuses recovery points kept shorter than its minimum: the job fails."""
    if mode == "none":
        return
    retentions = _retentions(daily, weekly, monthly)
    too_short = {name: days for name, days in retentions.items() if days < min_days}
    if too_short:
        raise ValueError(
            f"expected at most the shortest rule retention, {min(retentions.values())} days (AWS Backup fails "
            f"every job whose retention is below a locked vault's minimum), got {min_days}; "
            f"rules below it: {too_short}"
        )


def check_longest_retention(mode: str, max_days: int, daily: int, weekly: int, monthly: int) -> None:
    """A locked vault refuses recovery points kept longer than its maximum: the job fails."""
    if mode == "none":
        return
    retentions = _retentions(daily, weekly, monthly)
    too_long = {name: days for name, days in retentions.items() if days > max_days}
    if too_long:
        raise ValueError(
            f"expected at least the longest rule retention, {max(retentions.values())} days (AWS Backup fails "
            f"every job whose retention is above a locked vault's maximum), got {max_days}; "
            f"rules above it: {too_long}"
        )


@dataclass(frozen=True, kw_only=True)
class BackupPlanProps:
    """Inputs of `BackupPlan`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `backup { }` block (see modules.common.inputs); the stack supplies name, region,
    account_id and deletion_protection (the environment's).
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider (and of the vault: recovery points stay in it)."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in the role's trust policy
    and the key policy."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    daily_backups_kept: int = prop(7, check=range_check(1, MAX_DAILY_KEPT), environment=True)
    """Default: a backup every day, the last 7 kept (each recovery point is kept 7 days).
    1 to 35."""

    weekly_backups_kept: int = prop(4, check=range_check(0, MAX_WEEKLY_KEPT), environment=True)
    """Default: a backup every Sunday, the last 4 kept (28 days). 0 leaves the weekly rule
    out. 0 to 52."""

    monthly_backups_kept: int = prop(3, check=range_check(0, MAX_MONTHLY_KEPT), environment=True)
    """Default: a backup on the 1st of every month, the last 3 kept (93 days: a month is
    counted as 31 days so 3 always exist). 0 leaves the monthly rule out. 0 to 120."""

    backup_hour_utc: int = prop(3, check=range_check(0, 23), environment=True)
    """Default: every rule starts at 03:00 UTC (a European night, the platform's quietest
    hour), within the hour. Rules starting together make one backup, for the rule with the
    longest retention."""

    vault_lock_mode: VaultLockMode = prop("compliance", check=choice_check(VAULT_LOCK_MODES), environment=True)
    """Default: "compliance". After `vault_lock_changeable_for_days` nobody, the account root
    and AWS included, can delete a recovery point before its retention ends, shorten it, or
    remove the lock: backups survive stolen administrator credentials (ransomware) and
    mistakes. "governance" enforces the same bounds but anyone with
    backup:DeleteBackupVaultLockConfiguration can lift it (protection from accidents only);
    "none" locks nothing (a sandbox you tear down)."""

    vault_lock_changeable_for_days: int = prop(
        7, check=range_check(MIN_CHANGEABLE_FOR_DAYS, MAX_LOCK_DAYS), environment=True
    )
    """Default: a compliance lock can still be removed or changed for 7 days after it is
    created (AWS's minimum is 3): a working week to see the first jobs succeed before the
    lock becomes permanent. Ignored by the other modes."""

    vault_lock_min_retention_days: int = prop(7, check=range_check(1, MAX_LOCK_DAYS), environment=True)
    """Default: 7 days, the daily rule's retention. A locked vault refuses (fails the job of)
    any recovery point kept shorter, so it must be at most the shortest rule's retention."""

    vault_lock_max_retention_days: int = prop(93, check=range_check(1, MAX_LOCK_DAYS), environment=True)
    """Default: 93 days, the monthly rule's retention. A locked vault refuses any recovery
    point kept longer, so it must be at least the longest rule's retention; it also bounds
    how long a deleted user's data can outlive them in backups."""

    copy_region: str | None = prop(None, check=check_region, environment=True)
    """Default: no copy; recovery points stay in the stack's region and are lost with it. A
    region (not the stack's) gets a second vault of its own (its own key, the same lock), every
    rule copies its recovery point there (kept as long as the original), and the composition
    root replicates the database's automated backups there too (modules/backup/README.md:
    Region loss). The stack passes an AWS provider for that region (`copy_provider=`)."""

    no_copy_reason: str | None = prop(None, check=check_reason, environment=True)
    """Default: none. Why this environment keeps its recovery points in one region although
    it has deletion-protected stores (at least 20 characters): the gate's CKV_CHAT_41 fails such
    an environment's plan without copy_region, and this reason becomes its waiver on the plan.
    Not with copy_region."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a key of the vault's own (alias "alias/<name>/backup"), rotated yearly. Give
    an ARN to use another key; its policy must let this account's IAM policies grant it."""

    deletion_protection: bool = True
    """Default: on. Terraform refuses to destroy the vault (`lifecycle.prevent_destroy`) and a
    key the module creates, until the environment turns it off. The stack passes the
    environment's deletion_protection."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("copy_region", check_copy_region, ("region", "copy_region")),
        CrossCheck("no_copy_reason", check_copy_or_reason, ("copy_region", "no_copy_reason")),
        CrossCheck(
            "vault_lock_min_retention_days",
            check_lock_bounds,
            ("vault_lock_mode", "vault_lock_min_retention_days", "vault_lock_max_retention_days"),
        ),
        CrossCheck(
            "vault_lock_min_retention_days",
            check_shortest_retention,
            (
                "vault_lock_mode",
                "vault_lock_min_retention_days",
                "daily_backups_kept",
                "weekly_backups_kept",
                "monthly_backups_kept",
            ),
        ),
        CrossCheck(
            "vault_lock_max_retention_days",
            check_longest_retention,
            (
                "vault_lock_mode",
                "vault_lock_max_retention_days",
                "daily_backups_kept",
                "weekly_backups_kept",
                "monthly_backups_kept",
            ),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)
