"""CloudWatch log groups encrypted with a key that CloudWatch Logs may use for them only.

Any module that keeps logs in CloudWatch (VPC flow logs, WAF logs, ...) builds them one
way: `log_group_arn(...)` first (the key policy names the group, and the group names the
key, so the ARN is written out literally instead of read from the group), then
`log_group_key(...)` unless the caller brings its own key, then `encrypted_log_group(...)`.
`keyed_log_group(...)` is that whole recipe for a group with a key of its own; a store
whose data key also encrypts its logs (RDS, MSK, ...) calls `encrypted_log_group` itself.

The provider bindings are imported when a function runs, not when this module is
imported, so modules.common stays cheap for the environment layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modules.common.keys import (
    KEY_DELETION_WINDOW_DAYS,
    KEY_ROTATION_PERIOD_DAYS,
    key_administration_statements,
    key_administrators,
    waive_key_policy_findings,
)
from modules.common.policy import policy_document, policy_statement
from modules.common.waivers import waive

if TYPE_CHECKING:
    from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement
    from constructs import Construct

    from bindings.cdk import TerraformProvider

# checkov's CKV_AWS_338 asks for a year; a log group kept shorter records the reason.
AUDIT_RETENTION_DAYS = 365


def log_group_arn(partition: str, region: str, account_id: str, group_name: str) -> str:
    """The ARN a log group will have (without the ":*" stream suffix)."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{group_name}"


def logs_key_statement(log_group_label: str, region: str, group_arn: str) -> DataAwsIamPolicyDocumentStatement:
    """The key-policy statement letting CloudWatch Logs use a key for the log groups that
    `group_arn` matches (an ARN, or an ArnLike pattern ending in "*"). In a key policy
    "*" is this key.

    No kms:DescribeKey (AWS's guide lists kms:Describe* here): a DescribeKey request
    carries no encryption context, so under this condition the grant could never match
    (parliament: UNKNOWN_CONDITION_FOR_ACTION); CloudWatch Logs works without it."""
    return policy_statement(
        f"CloudWatchLogsUsesKeyFor{log_group_label}",
        ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        ["*"],
        principal=("Service", [f"logs.{region}.amazonaws.com"]),
        conditions=[
            ("ArnLike" if "*" in group_arn else "ArnEquals", "kms:EncryptionContext:aws:logs:arn", [group_arn])
        ],
    )


def log_group_key(
    scope: Construct,
    construct_prefix: str,
    *,
    region: str,
    partition: str,
    account_id: str,
    group_arn: str,
    log_group_label: str,
    description: str,
    alias: str,
    tags: Mapping[str, str],
    provider: TerraformProvider | None = None,
) -> str:
    """A customer-managed key, rotated yearly, that CloudWatch Logs may use for one log group.

    Creates `<prefix>_key_policy` (data), `<prefix>_key` and `<prefix>_key_alias`; these
    construct IDs are part of the caller's contract. `log_group_label` names the key
    policy statement ("CloudWatchLogsUsesKeyFor<label>"). Returns the key's ARN.
    """
    from bindings.aws.kms_alias import KmsAlias
    from bindings.aws.kms_key import KmsKey

    policy = policy_document(
        scope,
        f"{construct_prefix}_key_policy",
        [
            # Administration only: nothing but CloudWatch Logs, as itself, uses a log key.
            *key_administration_statements(partition, account_id, key_administrators(scope)),
            logs_key_statement(log_group_label, region, group_arn),
        ],
    )
    waive_key_policy_findings(policy)
    key = KmsKey(
        scope,
        f"{construct_prefix}_key",
        description=description,
        enable_key_rotation=True,
        rotation_period_in_days=KEY_ROTATION_PERIOD_DAYS,
        deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
        policy=policy.json,
        tags=dict(tags),
        provider=provider,
    )
    KmsAlias(scope, f"{construct_prefix}_key_alias", name=alias, target_key_id=key.key_id, provider=provider)
    return key.arn  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)


def encrypted_log_group(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    retention_days: int,
    kms_key_arn: str,
    tags: Mapping[str, str],
    short_retention_reason: str,
    provider: TerraformProvider | None = None,
) -> CloudwatchLogGroup:
    """A log group encrypted with `kms_key_arn`, kept `retention_days`.

    Under AUDIT_RETENTION_DAYS the group carries a waiver of CKV_AWS_338 with
    `short_retention_reason`, which should say whose choice it is and why it is fine.
    """
    from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup

    group = CloudwatchLogGroup(
        scope,
        construct_id,
        name=name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=dict(tags),
        provider=provider,
    )
    if retention_days < AUDIT_RETENTION_DAYS:
        waive(group, "CKV_AWS_338", short_retention_reason)
    return group


@dataclass(frozen=True)
class KeyedLogGroup:
    """What `keyed_log_group` built: the group, its ARN (literal, without ":*") and its key's ARN."""

    group: CloudwatchLogGroup
    arn: str
    kms_key_arn: str


def keyed_log_group(
    scope: Construct,
    construct_prefix: str,
    *,
    name: str,
    region: str,
    partition: str,
    account_id: str,
    retention_days: int,
    short_retention_reason: str,
    tags: Mapping[str, str],
    given_key_arn: str | None,
    log_group_label: str,
    key_description: str,
    key_alias: str,
    key_tags: Mapping[str, str],
    provider: TerraformProvider | None = None,
) -> KeyedLogGroup:
    """A log group `name` encrypted with `given_key_arn`, else with a key of its own that
    CloudWatch Logs may use for this group only (log_group_key).

    Creates `<prefix>_group` (the log group) and, without a given key, `<prefix>_key_policy`,
    `<prefix>_key` and `<prefix>_key_alias`: construct IDs the callers already had, so
    nothing moves. `tags` go on the group, `key_tags` on the key.
    """
    group_arn = log_group_arn(partition, region, account_id, name)
    key_arn = given_key_arn or log_group_key(
        scope,
        construct_prefix,
        region=region,
        partition=partition,
        account_id=account_id,
        group_arn=group_arn,
        log_group_label=log_group_label,
        description=key_description,
        alias=key_alias,
        tags=key_tags,
        provider=provider,
    )
    group = encrypted_log_group(
        scope,
        f"{construct_prefix}_group",
        name=name,
        retention_days=retention_days,
        kms_key_arn=key_arn,
        tags=tags,
        short_retention_reason=short_retention_reason,
        provider=provider,
    )
    return KeyedLogGroup(group=group, arn=group_arn, kms_key_arn=key_arn)
