"""CKV_CHAT_10: RDS Proxy requires TLS from its clients.

Without require_tls a proxy accepts plaintext connections even when the database behind
it forces SSL: the proxy terminates the client's connection, so the database's
rds.force_ssl never sees it. checkov has no check for aws_db_proxy.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RdsProxyRequiresTls(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RDS Proxy requires TLS for client connections (require_tls)",
            id="CKV_CHAT_10",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_db_proxy"],
        )

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if value(conf, "require_tls") is True else CheckResult.FAILED


check = RdsProxyRequiresTls()
