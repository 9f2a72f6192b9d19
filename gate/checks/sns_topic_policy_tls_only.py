"""CKV_CHAT_83: SNS topics refuse publishing without TLS.

Like a queue or a bucket, a topic answers plain HTTP unless its policy denies
aws:SecureTransport = false. SNS refuses "sns:*" in a topic policy, so the rule names
sns:Publish, the action that carries data (AWS's own example does the same). checkov reads
topic policies for public and cross-account access, not for transport.

An aws_sns_topic_policy passes when its document denies sns:Publish (or every action) to
every principal when aws:SecureTransport is false. A topic passes when its inline policy
does, or a topic policy naming it (a reference to the topic in `arn`) does; a topic with no
policy fails.
"""

from chat_stack_support import (
    blocks,
    denies_insecure_transport,
    entity_parts,
    policy_statements,
    refers_to,
    stack_document,
)
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def denies_publish_without_tls(statements) -> bool:
    """For a topic, a deny of sns:Publish is the deny of every action that SNS lets a topic
    policy say: judged as one by the rule the queues and buckets share."""
    widened = [
        {**statement, "actions": ["sns:*" if str(a).lower() == "sns:publish" else a for a in statement["actions"]]}
        for statement in statements
    ]
    return denies_insecure_transport(widened, "sns")


class SnsTopicPolicyTlsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SNS topic policies deny sns:Publish without TLS (aws:SecureTransport false)",
            id="CKV_CHAT_83",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sns_topic", "aws_sns_topic_policy"],
        )

    def scan_resource_conf(self, conf):
        document = stack_document(self.entity_path)
        _, entity_type, entity_name = entity_parts(self.entity_path)

        def judge(policy) -> str:
            statements = policy_statements(policy, document)
            if statements is None:
                return "UNKNOWN"
            return "PASSED" if denies_publish_without_tls(statements) else "FAILED"

        def first(raw):
            return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw

        if entity_type == "aws_sns_topic_policy" or first(conf.get("policy")):
            return CheckResult(judge(first(conf.get("policy"))))
        if document is None:
            return CheckResult.UNKNOWN
        linked = [
            block
            for block in blocks(document, "aws_sns_topic_policy").values()
            if refers_to(block.get("arn"), "aws_sns_topic", entity_name)
        ]
        if not linked:
            return CheckResult.FAILED
        results = {judge(block.get("policy")) for block in linked}
        return CheckResult("PASSED" if "PASSED" in results else ("UNKNOWN" if "UNKNOWN" in results else "FAILED"))


check = SnsTopicPolicyTlsOnly()
