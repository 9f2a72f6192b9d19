"""Inputs of the ChatTables construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from modules.common.inputs import check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import check_account_id, check_name, check_region, choice_check, range_check

TableClass = Literal["STANDARD", "STANDARD_INFREQUENT_ACCESS"]
TABLE_CLASSES: tuple[str, ...] = get_args(TableClass)

# DynamoDB keeps continuous backups for 1 to 35 days (PointInTimeRecoverySpecification).
MAX_RECOVERY_PERIOD_DAYS = 35


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

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)
