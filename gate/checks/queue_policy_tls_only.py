"""CKV_CHAT_21: SQS queues refuse requests made without TLS.

SQS answers plain HTTP on its endpoints; only a queue policy that denies
aws:SecureTransport = false stops a misconfigured client from sending messages (and
its credentials' signatures) in clear text. checkov reads queue policies for public
access and wildcards, not for transport.

An aws_sqs_queue_policy passes when its document has a statement that denies sqs:* (or
*) to every principal when aws:SecureTransport is false. A queue passes when its inline
policy or a queue policy naming it does; a queue with no policy fails.
"""

from chat_stack_support import tls_only_result
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class QueuePolicyTlsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SQS queue policies deny requests made without TLS (aws:SecureTransport false)",
            id="CKV_CHAT_21",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sqs_queue", "aws_sqs_queue_policy"],
        )

    def scan_resource_conf(self, conf):
        result = tls_only_result(
            self.entity_path,
            conf,
            service="sqs",
            store_type="aws_sqs_queue",
            policy_type="aws_sqs_queue_policy",
            link_attribute="queue_url",
            store_name_attribute="name",
        )
        return CheckResult(result)


check = QueuePolicyTlsOnly()
