"""modules/common/log_delivery.py: CloudWatch Logs' log delivery may write the named log groups
only, for this account, and a policy naming no group is refused."""

from __future__ import annotations

import pytest

from modules.common.log_delivery import LOG_DELIVERY_SERVICE, log_delivery_policy

ACCOUNT = "111122223333"
GROUP = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/chat-infra/chat-test/msk/broker"


def deliver(stack, arns):
    return log_delivery_policy(
        stack,
        "log_delivery_policy",
        policy_name="chat-test-kafka-log-delivery",
        log_group_arns=arns,
        statement_sid="LogDeliveryWritesKafkaBrokerLogs",
        partition="aws",
        region="eu-west-1",
        account_id=ACCOUNT,
    )


def test_log_delivery_writes_the_named_groups_only(synth_scratch):
    synth = synth_scratch(lambda stack: deliver(stack, [GROUP]))
    (policy,) = synth.resources("aws_cloudwatch_log_resource_policy").values()
    assert policy["policy_name"] == "chat-test-kafka-log-delivery"
    (statement,) = synth.data_by_reference(policy["policy_document"])["statement"]
    assert statement == {
        "sid": "LogDeliveryWritesKafkaBrokerLogs",
        "effect": "Allow",
        "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "resources": [f"{GROUP}:*"],
        "principals": [{"type": "Service", "identifiers": [LOG_DELIVERY_SERVICE]}],
        "condition": [
            {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]},
            {"test": "ArnLike", "variable": "aws:SourceArn", "values": [f"arn:aws:logs:eu-west-1:{ACCOUNT}:*"]},
        ],
    }


def test_a_policy_for_no_group_is_refused():
    from bindings.cdk import App, TerraformStack

    with pytest.raises(ValueError) as error:
        deliver(TerraformStack(App(), "scratch"), [])
    assert str(error.value) == "chat-test-kafka-log-delivery: expected at least one log group ARN, got none"
