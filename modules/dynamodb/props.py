"""Inputs of the ChatTables construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.restore import check_restore_time, restore_form_checks, restore_suffix, retirement_checks
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    choice_check,
    pattern_check,
    range_check,
)
from modules.dynamodb.schema import TABLE_KEYS

TableClass = Literal["STANDARD", "STANDARD_INFREQUENT_ACCESS"]
TABLE_CLASSES: tuple[str, ...] = get_args(TableClass)

# DynamoDB keeps continuous backups for 1 to 35 days (PointInTimeRecoverySpecification).
MAX_RECOVERY_PERIOD_DAYS = 35

# DynamoDB table names: 3-255 letters, digits, '_', '-' or '.' (botocore's TableName).
check_table_name = pattern_check(
    r"^[a-zA-Z0-9_.-]{3,255}$", "expected a DynamoDB table name: 3-255 letters, digits, '_', '-' or '.'"
)


@dataclass(frozen=True, kw_only=True)
class TableRestore:
    """A point-in-time restore of one table into a new table: `dynamodb { restore { ... } }`.

    The new table takes over (the services' grants and table names, the backup selection);
    the original stays until `retire_original = true` (modules/dynamodb/README.md: Restoring).
    """

    table: str = prop(check=choice_check(TABLE_KEYS), environment=True)
    """Which of the module's tables to restore: "messages", "connections" or "user_counter"."""

    to_point_in_time: str | None = prop(None, check=check_restore_time, environment=True)
    """Restore the source as it was at this time (RFC 3339, e.g. "2026-12-06T09:30:00Z"),
    within its recovery_period_days and before its latest restorable time."""

    latest: bool = prop(False, environment=True)
    """Restore the source as of its latest restorable time (about five minutes ago)."""

    source: str | None = prop(None, check=check_table_name, environment=True)
    """The table to restore from. Default: the original, "<name>-<table>" (e.g.
    "chat-prod-messages")."""

    unprotect_original: bool = prop(False, environment=True)
    """Default: the original table keeps its deletion protection. True, once the cutover is
    verified, turns it off (deletion_protection_enabled and prevent_destroy; its point-in-time
    recovery stays): DynamoDB refuses to delete a protected table, so this change is applied
    before retire_original. The data-safety gate refuses it unless `--allow-destroy` names
    the original. The other tables keep theirs."""

    retire_original: bool = prop(False, environment=True)
    """Default: the original table stays, unchanged, beside the restored one. True, after
    unprotect_original is applied, removes it from the configuration: the plan deletes it,
    and the data-safety gate refuses that unless `--allow-destroy` names it."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        *restore_form_checks("to_point_in_time", "latest"),
        *retirement_checks(),
    )

    def __post_init__(self) -> None:
        check_props(self)

    def name_suffix(self) -> str:
        """What the restored table's name adds to the original's ("-r<yyyymmddhhmm>" or
        "-latest"): deterministic from the input, so a plan re-run names the same table."""
        return restore_suffix(self.to_point_in_time)


@dataclass(frozen=True, kw_only=True)
class ChatTablesProps:
    """Inputs of `ChatTables`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `dynamodb { }` block (see modules.common.inputs); the stack supplies name, region,
    account_id and deletion_protection (the environment's).
    """

    name: str = prop(check=check_name)
    """Prefix for table names and Name tags, e.g. "chat-prod": tables "<name>-messages",
    "<name>-connections" and "<name>-user-counter"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: the kms:ViaService condition in the grant names it."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity when the module creates the key (its
    policy's account-root statement names the account)."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    recovery_period_days: int = prop(
        MAX_RECOVERY_PERIOD_DAYS, check=range_check(1, MAX_RECOVERY_PERIOD_DAYS), environment=True
    )
    """Default: 35 days of point-in-time recovery (DynamoDB's maximum), restorable to any
    second. PITR is billed per GB stored, not per day kept, so a shorter window saves
    nothing; 1 to 35. It is always on."""

    messages_table_class: TableClass = prop("STANDARD", check=choice_check(TABLE_CLASSES), environment=True)
    """Default: "STANDARD". "STANDARD_INFREQUENT_ACCESS" stores the message history at
    about 60% less per GB and charges about 25% more per request: worth it once storage is
    most of the table's bill (a large, mostly unread history)."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key of the tables' own (alias "alias/<name>/chat-tables"),
    rotated yearly. Give a key ARN (not an alias) to use yours."""

    deletion_protection: bool = True
    """Default: on: DynamoDB refuses to delete the tables (deletion_protection_enabled) and
    Terraform refuses to destroy them and a key the module creates (prevent_destroy). The
    stack passes the environment's deletion_protection."""

    restore: TableRestore | None = prop(None, environment=True)
    """Default: none. A `restore { }` block restores one table from its point-in-time
    recovery into a new table with the same settings and protections, and moves the grants,
    the services' table names and the backup selection to it (modules/dynamodb/README.md:
    Restoring)."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)
