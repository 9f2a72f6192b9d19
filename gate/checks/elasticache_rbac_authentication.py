"""CKV_CHAT_34: ElastiCache replication groups authenticate users through RBAC user groups, never an AUTH token.

An auth_token is one shared password, written into the Terraform state and every
client's configuration. checkov's CKV_AWS_31 passes either an auth_token or user groups;
the platform wants user groups only (their users authenticate with IAM: CKV_CHAT_35).
"""

from chat_check_support import as_list
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class ElastiCacheRbacAuthentication(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ElastiCache replication groups authenticate through RBAC user groups, not an AUTH token",
            id="CKV_CHAT_34",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_elasticache_replication_group"],
        )

    def scan_resource_conf(self, conf):
        user_groups = [group for group in as_list(conf.get("user_group_ids")) if group]
        has_token = bool([token for token in as_list(conf.get("auth_token")) if token])
        return CheckResult.PASSED if user_groups and not has_token else CheckResult.FAILED


check = ElastiCacheRbacAuthentication()
