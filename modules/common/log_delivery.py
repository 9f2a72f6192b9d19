"""The CloudWatch Logs resource policy that lets AWS's log delivery write a service's vended logs.

Services that deliver "vended" logs (MSK broker logs, ElastiCache slow and engine logs)
write them through CloudWatch Logs' log delivery service. Without a resource policy naming
it, AWS adds the permission itself to a policy of its own (`AWSLogDeliveryWrite...`) that
no stack manages, and an account holds at most 10 resource policies per region. A module
that delivers such logs writes the policy itself, naming only its own log groups:

    log_delivery_policy(self, "log_delivery_policy", policy_name="chat-prod-kafka-log-delivery",
                        log_group_arns=[...], partition="aws", region="eu-west-1", account_id=...)

Creates `<construct_id>_document` (the aws_iam_policy_document) and `<construct_id>` (the
aws_cloudwatch_log_resource_policy). The provider bindings are imported when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from modules.common.policy import policy_document, policy_statement

if TYPE_CHECKING:
    from bindings.aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
    from constructs import Construct

# CloudWatch Logs' log delivery service, which writes vended logs into log groups.
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"


def log_delivery_policy(
    scope: Construct,
    construct_id: str,
    *,
    policy_name: str,
    log_group_arns: Sequence[str],
    statement_sid: str,
    partition: str,
    region: str,
    account_id: str,
) -> CloudwatchLogResourcePolicy:
    """Let log delivery create streams and put events in `log_group_arns` only, for this
    account (aws:SourceAccount) and from this account's log deliveries (aws:SourceArn)."""
    from bindings.aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy

    if not log_group_arns:
        raise ValueError(f"{policy_name}: expected at least one log group ARN, got none")
    document = policy_document(
        scope,
        f"{construct_id}_document",
        [
            policy_statement(
                statement_sid,
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [f"{arn}:*" for arn in log_group_arns],
                principal=("Service", [LOG_DELIVERY_SERVICE]),
                conditions=[
                    ("StringEquals", "aws:SourceAccount", [account_id]),
                    ("ArnLike", "aws:SourceArn", [f"arn:{partition}:logs:{region}:{account_id}:*"]),
                ],
            )
        ],
    )
    return CloudwatchLogResourcePolicy(scope, construct_id, policy_name=policy_name, policy_document=document.json)
