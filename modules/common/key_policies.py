"""Key-policy statements that let an AWS service use a store's key on this account's behalf.

Services that encrypt a store with a customer-managed key (MSK, DocumentDB, ElastiCache)
do it through KMS grants they create for the principal that creates or uses the store, in
requests that arrive through the service. The statement names exactly that: this
account's principals, only via the service in the stack's region
(`kms:ViaService`), only for this account (`kms:CallerAccount`). In a key policy "*" is
the key itself.

`service_store_key(...)` is the whole key of such a store: the store's own key (unless one
is given, see modules/common/store_keys.py) whose policy names the service and CloudWatch
Logs, for the store's log groups only.

The provider bindings are imported when a statement is built (policy_statement), not when
this module is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from modules.common.log_groups import logs_key_statement
from modules.common.policy import policy_statement
from modules.common.store_keys import store_key, via_service

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement
    from constructs import Construct

# What a storage service needs of its key: data keys for new data, decryption of old data,
# grants that let it keep using the key for the store's lifetime, and the key's metadata.
SERVICE_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "kms:ListGrants",
    "kms:DescribeKey",
)


def service_uses_key_statement(
    sid: str, *, service: str, region: str, partition: str, account_id: str
) -> DataAwsIamPolicyDocumentStatement:
    """Let this account's principals use the key only through `service` (an endpoint prefix
    such as "kafka" or "rds") in `region`."""
    return policy_statement(
        sid,
        SERVICE_KEY_ACTIONS,
        ["*"],
        principal=("AWS", [f"arn:{partition}:iam::{account_id}:root"]),
        conditions=[
            ("StringEquals", "kms:ViaService", [via_service(service, region)]),
            ("StringEquals", "kms:CallerAccount", [account_id]),
        ],
    )


def service_store_key(
    scope: Construct,
    construct_id: str,
    *,
    given_key_arn: str | None,
    service: str,
    service_sid: str,
    log_group_label: str,
    log_group_arn: str,
    alias: str,
    description: str,
    partition: str,
    region: str,
    account_id: str,
    deletion_protection: bool,
    tags: Mapping[str, str],
) -> str:
    """The ARN of the key a store and its log groups encrypt with: `given_key_arn`, or a new
    key (store_key) whose policy lets the store's `service` use it through grants
    (`service_sid`) and CloudWatch Logs use it for the groups `log_group_arn` matches (an
    ARN, or an ArnLike pattern ending in "*"; statement "CloudWatchLogsUsesKeyFor<label>")."""
    key, key_arn = store_key(
        scope,
        construct_id,
        given_key_arn=given_key_arn,
        alias=alias,
        description=description,
        partition=partition,
        account_id=account_id,
        deletion_protection=deletion_protection,
        tags=tags,
    )
    if key is not None:
        key.add_to_key_policy(
            service_uses_key_statement(
                service_sid, service=service, region=region, partition=partition, account_id=account_id
            ),
            # CloudWatch Logs encrypts as itself, so it is named, for these log groups only.
            logs_key_statement(log_group_label, region, log_group_arn),
        )
    return key_arn
