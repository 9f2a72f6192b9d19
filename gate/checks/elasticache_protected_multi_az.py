"""CKV_CHAT_31: a protected (production) replication group fails over across AZs.

A group tagged DeletionProtection = "true" (or not tagged: see
elasticache_check_support.py) must have automatic failover, Multi-AZ and at least one
replica per primary, so losing a node or an AZ costs a failover, not the cache.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_protected, is_true, replicas_per_primary


class ElastiCacheProtectedMultiAz(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Protected ElastiCache replication groups are Multi-AZ with automatic failover and a replica",
            id="CKV_CHAT_31",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        if not is_protected(conf):
            return CheckResult.PASSED
        highly_available = (
            is_true(value(conf, "automatic_failover_enabled"))
            and is_true(value(conf, "multi_az_enabled"))
            and replicas_per_primary(conf) >= 1
        )
        return CheckResult.PASSED if highly_available else CheckResult.FAILED


check = ElastiCacheProtectedMultiAz()
