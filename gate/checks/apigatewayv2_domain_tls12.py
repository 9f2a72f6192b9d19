"""CKV_CHAT_67: an API Gateway v2 custom domain (WebSocket or HTTP API) refuses TLS 1.0 and 1.1.

checkov's CKV_AWS_206 judges the security policy of aws_api_gateway_domain_name (REST
APIs) only; an aws_apigatewayv2_domain_name with security_policy "TLS_1_0" passes every
checkov check while accepting protocols browsers dropped in 2020.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from elasticache_check_support import blocks

# What API Gateway offers v2 domains besides TLS_1_0, and its newer TLS 1.3 policies.
MODERN_POLICIES = ("TLS_1_2", "SecurityPolicy_TLS13_1_2_2021_06")


class ApiGatewayV2DomainTls12(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="API Gateway v2 custom domains use a TLS 1.2 or later security policy",
            id="CKV_CHAT_67",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_apigatewayv2_domain_name"],
        )

    def scan_resource_conf(self, conf):
        configurations = blocks(conf, "domain_name_configuration")
        if configurations and all(value(c, "security_policy") in MODERN_POLICIES for c in configurations):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = ApiGatewayV2DomainTls12()
