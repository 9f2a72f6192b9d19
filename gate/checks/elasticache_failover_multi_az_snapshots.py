"""CKV_CHAT_30: a replication group with automatic failover is Multi-AZ and keeps snapshots.

Failover without Multi-AZ may promote a replica in the same AZ as the failed primary, so
an AZ outage takes both; a group that matters enough to fail over matters enough to keep
a snapshot. checkov's CKV2_AWS_50 only asks for automatic_failover_enabled.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_true, number


class ElastiCacheFailoverMultiAzSnapshots(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ElastiCache replication groups with automatic failover are Multi-AZ and keep snapshots",
            id="CKV_CHAT_30",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        if not is_true(value(conf, "automatic_failover_enabled")):
            return CheckResult.PASSED
        retention = number(conf, "snapshot_retention_limit")
        if is_true(value(conf, "multi_az_enabled")) and retention is not None and retention >= 1:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = ElastiCacheFailoverMultiAzSnapshots()
