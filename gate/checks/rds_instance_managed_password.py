"""CKV_CHAT_13: an RDS instance's master password is generated and kept by RDS in Secrets Manager.

A `password` argument (or a variable feeding it) puts the password in the configuration,
the plan and the Terraform state. With manage_master_user_password RDS generates it,
stores it in Secrets Manager and rotates it, and Terraform only ever sees the secret's
ARN. A read replica has no password of its own and is exempt.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RdsInstanceManagedPassword(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RDS instances have RDS manage the master password (none in configuration or state)",
            id="CKV_CHAT_13",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_db_instance"],
        )

    def scan_resource_conf(self, conf):
        if value(conf, "replicate_source_db"):
            return CheckResult.PASSED
        if value(conf, "password") or value(conf, "password_wo"):
            return CheckResult.FAILED
        return CheckResult.PASSED if value(conf, "manage_master_user_password") is True else CheckResult.FAILED


check = RdsInstanceManagedPassword()
