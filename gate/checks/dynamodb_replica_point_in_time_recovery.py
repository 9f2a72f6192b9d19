"""CKV_CHAT_60: every replica of a DynamoDB table keeps point-in-time recovery.

checkov's CKV_AWS_28 judges a table's own `point_in_time_recovery` block, exactly; it does
not look at the table's replicas (a global table's `replica` blocks, or an
aws_dynamodb_table_replica), whose `point_in_time_recovery` is off unless set. A replica
without it cannot be restored to a second before a bad write, in its region.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Generic helpers of the project's checks (a block list, a boolean as written).
from elasticache_check_support import blocks, is_true


class DynamoDbReplicaPointInTimeRecovery(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DynamoDB table replicas keep point-in-time recovery",
            id="CKV_CHAT_60",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_dynamodb_table", "aws_dynamodb_table_replica"],
        )

    def scan_resource_conf(self, conf):
        # A table's replicas are its `replica` blocks (none: CKV_AWS_28 judges the table's own
        # PITR); an aws_dynamodb_table_replica is one itself.
        replicas = [conf] if self.entity_type == "aws_dynamodb_table_replica" else blocks(conf, "replica")
        if all(is_true(value(replica, "point_in_time_recovery")) for replica in replicas):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = DynamoDbReplicaPointInTimeRecovery()
