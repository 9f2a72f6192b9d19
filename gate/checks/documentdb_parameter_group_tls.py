"""CKV_CHAT_56: every DocumentDB cluster parameter group requires TLS, and says so.

checkov's CKV_AWS_90 fails only a group that writes tls = "disabled", so a group that
leaves `tls` out passes, and what its clusters get is whatever the family's default is.
This requires the parameter, set to a TLS mode: "enabled", "tls1.2+", "tls1.3+" or
"fips-140-3".
"""

from chat_check_support import as_list, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

TLS_MODES = ("enabled", "tls1.2+", "tls1.3+", "fips-140-3")


class DocumentDbParameterGroupTls(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DocumentDB cluster parameter groups set tls to a TLS mode",
            id="CKV_CHAT_56",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_docdb_cluster_parameter_group"],
        )

    def scan_resource_conf(self, conf):
        modes = [
            value(p, "value")
            for p in as_list(conf.get("parameter"))
            if isinstance(p, dict) and value(p, "name") == "tls"
        ]
        return CheckResult.PASSED if modes and all(mode in TLS_MODES for mode in modes) else CheckResult.FAILED


check = DocumentDbParameterGroupTls()
