"""CKV_CHAT_33: ElastiCache replication groups require TLS (transit_encryption_mode "required").

checkov's CKV_AWS_30 reads transit_encryption_enabled only; with the mode "preferred"
(AWS's migration setting) the nodes still accept plaintext connections.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_true


class ElastiCacheTlsRequired(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name='ElastiCache replication groups accept TLS connections only (transit_encryption_mode "required")',
            id="CKV_CHAT_33",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        required = is_true(value(conf, "transit_encryption_enabled")) and (
            value(conf, "transit_encryption_mode") == "required"
        )
        return CheckResult.PASSED if required else CheckResult.FAILED


check = ElastiCacheTlsRequired()
