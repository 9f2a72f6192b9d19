"""CKV_CHAT_82: SNS topics are encrypted with a customer-managed key, not AWS's aws/sns key.

checkov's CKV_AWS_26 passes any kms_master_key_id, "alias/aws/sns" included. But the
AWS-managed key's policy cannot be changed, and it admits no AWS service principal: a
topic encrypted with it silently drops what CloudWatch alarms, EventBridge or S3 events
publish to it. An alarm topic encrypted that way pages nobody.

An aws_sns_topic passes when kms_master_key_id is set and is not the aws/sns key (by alias,
alias ARN or "aws/sns"); a key ARN, a reference or an alias of your own passes.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

AWS_MANAGED_ALIAS = "alias/aws/sns"


class SnsTopicCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns)",
            id="CKV_CHAT_82",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sns_topic"],
        )

    def scan_resource_conf(self, conf):
        key = value(conf, "kms_master_key_id")
        if not isinstance(key, str) or not key:
            return CheckResult.FAILED
        if key == "aws/sns" or key.endswith(AWS_MANAGED_ALIAS):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = SnsTopicCustomerKey()
