"""CKV_CHAT_50: an MSK cluster admits IAM-authenticated clients only (SASL/IAM on, unauthenticated off).

checkov's CKV_AWS_81 checks encryption at rest and in transit but not who may connect: a
cluster with `unauthenticated = true` (or no client_authentication block at all, which is
MSK's default) lets anything in the VPC produce and consume every topic. This holds every
provisioned cluster to IAM authentication, with unauthenticated access explicitly off.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import blocks, is_true


class MskIamAuthenticationOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="MSK clusters authenticate clients with IAM and refuse unauthenticated access",
            id="CKV_CHAT_50",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_msk_cluster"],
        )

    def scan_resource_conf(self, conf):
        authentication = blocks(conf, "client_authentication")
        if not authentication:
            return CheckResult.FAILED
        settings = authentication[0]
        sasl = blocks(settings, "sasl")
        iam = bool(sasl) and is_true(value(sasl[0], "iam"))
        # Explicitly off: the provider leaves an unset value to MSK, which keeps what it had.
        unauthenticated = value(settings, "unauthenticated")
        closed = unauthenticated is False or (isinstance(unauthenticated, str) and unauthenticated.lower() == "false")
        return CheckResult.PASSED if iam and closed else CheckResult.FAILED


check = MskIamAuthenticationOnly()
