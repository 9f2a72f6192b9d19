"""CKV_CHAT_62: a protected (production) DynamoDB table refuses deletion.

A table tagged DeletionProtection = "true", or not tagged (modules/dynamodb writes the tag
from the environment's deletion_protection; an untagged table is judged protected), must
have `deletion_protection_enabled`: one `terraform destroy`, or one DeleteTable call,
would otherwise remove it and its point-in-time recovery window with it. checkov has no
check of DynamoDB deletion protection.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# The project's DeletionProtection tag convention (written for ElastiCache, generic).
from elasticache_check_support import is_protected, is_true


class DynamoDbProtectedDeletionProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Protected DynamoDB tables have deletion protection",
            id="CKV_CHAT_62",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_dynamodb_table"],
        )

    def scan_resource_conf(self, conf):
        if not is_protected(conf) or is_true(value(conf, "deletion_protection_enabled")):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = DynamoDbProtectedDeletionProtection()
