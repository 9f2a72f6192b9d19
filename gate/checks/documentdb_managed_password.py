"""CKV_CHAT_57: a DocumentDB cluster's master password is generated and kept by DocumentDB in Secrets Manager.

A `master_password` (or `master_password_wo`) argument puts the password in the
configuration, and the first also in the plan and the Terraform state. With
manage_master_user_password DocumentDB generates it, stores it in Secrets Manager and
rotates it; Terraform only sees the secret's ARN. A cluster restored from a snapshot or
joining a global cluster as a secondary takes its credentials from there and is exempt.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_true


class DocumentDbManagedPassword(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DocumentDB clusters have DocumentDB manage the master password (none in configuration or state)",
            id="CKV_CHAT_57",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_docdb_cluster"],
        )

    def scan_resource_conf(self, conf):
        if value(conf, "master_password") or value(conf, "master_password_wo"):
            return CheckResult.FAILED
        if value(conf, "snapshot_identifier") or value(conf, "global_cluster_identifier"):
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(value(conf, "manage_master_user_password")) else CheckResult.FAILED


check = DocumentDbManagedPassword()
