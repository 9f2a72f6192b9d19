"""CKV_CHAT_20: every SQS queue has a dead-letter queue, unless it is one.

A queue without a redrive policy redelivers a message that always fails (a poison
message) until its retention ends: it blocks a consumer's capacity for days and is then
lost without a trace. checkov checks encryption and policies of queues, not redrive.

A queue passes with a redrive policy (inline `redrive_policy`, or an
aws_sqs_queue_redrive_policy naming it). It is itself a dead-letter queue, and passes,
when it carries a redrive allow policy (inline or aws_sqs_queue_redrive_allow_policy) or
another queue's redrive policy names it (a reference to it, or its ARN ending in its name).
"""

import json

from chat_check_support import value
from chat_stack_support import blocks, entity_parts, refers_to, stack_document
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

QUEUE = "aws_sqs_queue"


def _names_queue(redrive_policy, entity_name: str, queue_name) -> bool:
    """True when a redrive policy's target is this queue (reference or literal ARN)."""
    if isinstance(redrive_policy, dict):
        redrive_policy = json.dumps(redrive_policy)
    if not isinstance(redrive_policy, str):
        return False
    if refers_to(redrive_policy, QUEUE, entity_name):
        return True
    return isinstance(queue_name, str) and "${" not in queue_name and f':{queue_name}"' in redrive_policy


class QueueHasDeadLetterQueue(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SQS queues have a dead-letter queue (a redrive policy) unless they are one",
            id="CKV_CHAT_20",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=[QUEUE],
        )

    def scan_resource_conf(self, conf):
        if value(conf, "redrive_policy") or value(conf, "redrive_allow_policy"):
            return CheckResult.PASSED
        document = stack_document(self.entity_path)
        if document is None:
            # A plan: whether another queue names this one is not this block's to say.
            return CheckResult.UNKNOWN
        _, _, entity_name = entity_parts(self.entity_path)
        queue_name = value(conf, "name")
        for block in blocks(document, "aws_sqs_queue_redrive_policy").values():
            if refers_to(block.get("queue_url"), QUEUE, entity_name):
                return CheckResult.PASSED
        for block in blocks(document, "aws_sqs_queue_redrive_allow_policy").values():
            if refers_to(block.get("queue_url"), QUEUE, entity_name):
                return CheckResult.PASSED
        redrive_policies = [block.get("redrive_policy") for block in blocks(document, QUEUE).values()]
        redrive_policies += [b.get("redrive_policy") for b in blocks(document, "aws_sqs_queue_redrive_policy").values()]
        if any(_names_queue(policy, entity_name, queue_name) for policy in redrive_policies):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = QueueHasDeadLetterQueue()
