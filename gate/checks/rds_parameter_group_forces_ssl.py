"""CKV_CHAT_12: every PostgreSQL parameter group forces SSL (rds.force_ssl = 1).

checkov's CKV2_AWS_69 judges a group only through an instance connected to it and passes
an instance with no custom group at all; this judges each PostgreSQL group itself, so a
group that is created (or swapped in) without TLS fails before anything uses it.
"""

from chat_check_support import as_list, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RdsParameterGroupForcesSsl(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="PostgreSQL parameter groups force SSL (rds.force_ssl = 1)",
            id="CKV_CHAT_12",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_db_parameter_group"],
        )

    def scan_resource_conf(self, conf):
        family = value(conf, "family")
        if not (isinstance(family, str) and family.startswith("postgres")):
            return CheckResult.UNKNOWN
        forced = [
            p
            for p in as_list(conf.get("parameter"))
            if isinstance(p, dict) and value(p, "name") == "rds.force_ssl" and str(value(p, "value")) == "1"
        ]
        return CheckResult.PASSED if forced else CheckResult.FAILED


check = RdsParameterGroupForcesSsl()
