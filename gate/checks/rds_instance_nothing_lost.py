"""CKV_CHAT_11: a database instance cannot be lost by one apply: deletion protection, a final
snapshot and automated backups.

checkov checks deletion protection (CKV_AWS_293) and a backup retention (CKV_AWS_133) one
at a time, and nothing checks that a deletion leaves a final snapshot. This holds every
primary instance to all three; a read replica is exempt (its data is its source's, and RDS
takes no final snapshot of a replica). An environment whose data is disposable records a
reasoned waiver beside the instance (modules/database), which a production stack never has.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RdsInstanceNothingLost(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RDS instances keep deletion protection, a final snapshot and automated backups",
            id="CKV_CHAT_11",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_db_instance"],
        )

    def scan_resource_conf(self, conf):
        if value(conf, "replicate_source_db"):
            return CheckResult.PASSED
        protected = value(conf, "deletion_protection") is True
        # The provider's default is to take the snapshot, but only with an identifier to give it.
        final_snapshot = value(conf, "skip_final_snapshot", False) is False and bool(
            value(conf, "final_snapshot_identifier")
        )
        retention = value(conf, "backup_retention_period")
        backups = isinstance(retention, int) and not isinstance(retention, bool) and retention >= 1
        return CheckResult.PASSED if protected and final_snapshot and backups else CheckResult.FAILED


check = RdsInstanceNothingLost()
