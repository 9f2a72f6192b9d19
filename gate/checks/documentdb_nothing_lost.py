"""CKV_CHAT_55: a protected (production) DocumentDB cluster cannot be lost by one apply.

A cluster tagged DeletionProtection = "true" (or not tagged at all: the strict rules apply
unless a cluster says it is not a production store; see elasticache_check_support.py)
must have deletion protection on, take a final snapshot when it is deleted
(skip_final_snapshot false and a final_snapshot_identifier: the provider takes none
without one) and keep automated backups. checkov checks only the backup retention
(CKV_AWS_360) of DocumentDB clusters. modules/documentdb writes the tag from the
environment's deletion_protection.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import is_protected, is_true, number


class DocumentDbNothingLost(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Protected DocumentDB clusters keep deletion protection, a final snapshot and backups",
            id="CKV_CHAT_55",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_docdb_cluster"],
        )

    def scan_resource_conf(self, conf):
        if not is_protected(conf):
            return CheckResult.PASSED
        protected = is_true(value(conf, "deletion_protection"))
        skip = value(conf, "skip_final_snapshot", False)
        final_snapshot = not is_true(skip) and bool(value(conf, "final_snapshot_identifier"))
        retention = number(conf, "backup_retention_period")
        backups = retention is not None and retention >= 1
        return CheckResult.PASSED if protected and final_snapshot and backups else CheckResult.FAILED


check = DocumentDbNothingLost()
