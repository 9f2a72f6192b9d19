"""CKV_CHAT_61: DynamoDB tables and their replicas are encrypted with customer-managed keys.

checkov's CKV_AWS_119 passes a table whose server-side encryption names any kms_key_arn,
including AWS's managed key ("alias/aws/dynamodb", or its alias ARN), which nobody in the
account can restrict, disable or audit apart; and it does not look at a global table's
`replica` blocks, whose replicas fall back to that managed key when they name none
(a key is regional: the table's own cannot serve another region). This check fails:
- a table whose encryption names an AWS-managed key;
- a replica block, or an aws_dynamodb_table_replica, that names no key or an AWS-managed one.
A table without server-side encryption is left to CKV_AWS_119.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Generic helpers of the project's checks (a block list, a boolean as written).
from elasticache_check_support import blocks, is_true

AWS_MANAGED_ALIAS = "alias/aws/"


def customer_managed(key) -> bool:
    return isinstance(key, str) and bool(key) and AWS_MANAGED_ALIAS not in key


class DynamoDbCustomerManagedKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DynamoDB tables and replicas are encrypted with customer-managed keys, not AWS-managed ones",
            id="CKV_CHAT_61",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_dynamodb_table", "aws_dynamodb_table_replica"],
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_dynamodb_table_replica":
            # Its own key: a missing key is CKV_AWS_271's finding.
            key = value(conf, "kms_key_arn")
            return CheckResult.FAILED if key is not None and not customer_managed(key) else CheckResult.PASSED
        for encryption in blocks(conf, "server_side_encryption"):
            key = value(encryption, "kms_key_arn")
            if is_true(value(encryption, "enabled")) and key is not None and not customer_managed(key):
                return CheckResult.FAILED
        if not all(customer_managed(value(replica, "kms_key_arn")) for replica in blocks(conf, "replica")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = DynamoDbCustomerManagedKey()
