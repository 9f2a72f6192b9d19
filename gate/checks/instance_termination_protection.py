"""CKV_CHAT_70: EC2 instances have termination protection (disable_api_termination).

The Redis Cluster's nodes hold data and each is a member the others count on; an instance
terminated by a slip (a console click, a script with the wrong id) takes its node down and,
without its replica, its slots. checkov has no check for it. An environment that runs
without deletion protection records a waiver of this check beside its instances.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class InstanceTerminationProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="EC2 instances have termination protection (disable_api_termination = true)",
            id="CKV_CHAT_70",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_instance"],
        )

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if value(conf, "disable_api_termination") is True else CheckResult.FAILED


check = InstanceTerminationProtection()
