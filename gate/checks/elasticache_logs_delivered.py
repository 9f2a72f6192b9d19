"""CKV_CHAT_36: ElastiCache replication groups deliver both their slow log and their engine log.

The slow log shows what made the cache slow, the engine log why a node restarted or
failed over; without them an incident leaves nothing to read. checkov has no logging
check for ElastiCache.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import blocks

LOG_TYPES = {"slow-log", "engine-log"}


class ElastiCacheLogsDelivered(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ElastiCache replication groups deliver slow and engine logs",
            id="CKV_CHAT_36",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        delivered = {value(block, "log_type") for block in blocks(conf, "log_delivery_configuration")}
        return CheckResult.PASSED if LOG_TYPES <= delivered else CheckResult.FAILED


check = ElastiCacheLogsDelivered()
