"""CKV_CHAT_35: ElastiCache users hold no password: they authenticate with IAM, or are switched off.

A password user puts a secret into the Terraform state (and, with random_password, into
the JSON's dependency graph); an enabled user with no password required lets anyone in.
Allowed: authentication_mode type "iam", or an access string starting with "off" (the
disabled "default" user every user group must contain).
"""

from chat_check_support import as_list, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import blocks


class ElastiCacheUserWithoutPassword(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ElastiCache users authenticate with IAM or are disabled, and hold no password",
            id="CKV_CHAT_35",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_elasticache_user"],
        )

    def scan_resource_conf(self, conf):
        modes = blocks(conf, "authentication_mode")
        # Absent arguments read as null in a plan ([None] here): only a value counts.
        passwords = as_list(conf.get("passwords")) + as_list(conf.get("passwords_wo"))
        passwords += [password for mode in modes for password in as_list(mode.get("passwords"))]
        if any(passwords):
            return CheckResult.FAILED
        if any(value(mode, "type") == "iam" for mode in modes):
            return CheckResult.PASSED
        access_string = value(conf, "access_string")
        disabled = isinstance(access_string, str) and access_string.split()[:1] == ["off"]
        return CheckResult.PASSED if disabled else CheckResult.FAILED


check = ElastiCacheUserWithoutPassword()
