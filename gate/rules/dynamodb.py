"""Rules on DynamoDB (CKV_CHAT_60 to 62)."""

from __future__ import annotations

from typing import Any

from .attributes import blocks, is_protected, is_true, value
from .model import Resource, Verdict, resource_rule

REPLICA = "aws_dynamodb_table_replica"
AWS_MANAGED_ALIAS = "alias/aws/"


def customer_managed(key: Any) -> bool:
    return isinstance(key, str) and bool(key) and AWS_MANAGED_ALIAS not in key


@resource_rule(
    id="CKV_CHAT_60",
    name="DynamoDB table replicas keep point-in-time recovery",
    resource_types=("aws_dynamodb_table", REPLICA),
    category="BACKUP_AND_RECOVERY",
    modules=("dynamodb",),
)
def dynamodb_replica_point_in_time_recovery(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_28 judges a table's own `point_in_time_recovery` block, exactly; it
    does not look at the table's replicas (a global table's `replica` blocks, or an
    aws_dynamodb_table_replica), whose `point_in_time_recovery` is off unless set. A replica
    without it cannot be restored to a second before a bad write, in its region."""
    replicas = [resource.conf] if resource.type == REPLICA else blocks(resource.conf, "replica")
    return Verdict.of(all(is_true(value(replica, "point_in_time_recovery")) for replica in replicas))


@resource_rule(
    id="CKV_CHAT_61",
    name="DynamoDB tables and replicas are encrypted with customer-managed keys, not AWS-managed ones",
    resource_types=("aws_dynamodb_table", REPLICA),
    category="ENCRYPTION",
    modules=("dynamodb",),
)
def dynamodb_customer_managed_key(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_119 passes a table whose server-side encryption names any
    kms_key_arn, including AWS's managed key ("alias/aws/dynamodb", or its alias ARN), which
    nobody in the account can restrict, disable or audit apart; and it does not look at a
    global table's `replica` blocks, whose replicas fall back to that managed key when they
    name none (a key is regional: the table's own cannot serve another region). This fails a
    table whose encryption names an AWS-managed key, and a replica block or an
    aws_dynamodb_table_replica that names an AWS-managed key (a replica block also when it
    names none; a replica resource without a key is CKV_AWS_271's finding). A table without
    server-side encryption is left to CKV_AWS_119."""
    conf = resource.conf
    if resource.type == REPLICA:
        key = value(conf, "kms_key_arn")
        return Verdict.of(key is None or customer_managed(key))
    for encryption in blocks(conf, "server_side_encryption"):
        key = value(encryption, "kms_key_arn")
        if is_true(value(encryption, "enabled")) and key is not None and not customer_managed(key):
            return Verdict.FAILED
    return Verdict.of(all(customer_managed(value(replica, "kms_key_arn")) for replica in blocks(conf, "replica")))


@resource_rule(
    id="CKV_CHAT_62",
    name="Protected DynamoDB tables have deletion protection",
    resource_types=("aws_dynamodb_table",),
    category="BACKUP_AND_RECOVERY",
    modules=("dynamodb",),
)
def dynamodb_protected_deletion_protection(resource: Resource) -> Verdict:
    """A table tagged DeletionProtection = "true", or not tagged (modules/dynamodb writes the
    tag from the environment's deletion_protection), must have `deletion_protection_enabled`:
    one `terraform destroy`, or one DeleteTable call, would otherwise remove it and its
    point-in-time recovery window with it. checkov has no check of DynamoDB deletion
    protection."""
    conf = resource.conf
    return Verdict.of(not is_protected(conf) or is_true(value(conf, "deletion_protection_enabled")))
