"""CKV_CHAT_32: a protected (production) replication group keeps snapshots and takes a final one.

A group tagged DeletionProtection = "true" (or not tagged) must keep daily snapshots
(snapshot_retention_limit of at least 1; 0 turns them off) and name a final snapshot, so
neither a bad write nor a deletion loses its data. checkov checks automatic backups on
aws_elasticache_cluster only (CKV_AWS_134), not on replication groups.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_protected, number


class ElastiCacheProtectedSnapshots(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Protected ElastiCache replication groups keep snapshots and take a final snapshot",
            id="CKV_CHAT_32",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        if not is_protected(conf):
            return CheckResult.PASSED
        retention = number(conf, "snapshot_retention_limit")
        final_snapshot = value(conf, "final_snapshot_identifier")
        if retention is not None and retention >= 1 and isinstance(final_snapshot, str) and final_snapshot:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = ElastiCacheProtectedSnapshots()
