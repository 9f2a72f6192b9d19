"""CKV_CHAT_71: instances take IMDSv2 tokens only, with a response hop limit of 1.

IMDSv1 answers any request that reaches 169.254.169.254 (an SSRF hands out the role's
credentials); a hop limit above 1 lets a container on the host, or anything one routing hop
away, fetch a token too. checkov's CKV_AWS_79 checks the tokens, and CKV_AWS_341 the hop
limit of launch templates only; this checks both on instances and launch templates. A
metadata endpoint switched off passes (nothing to reach).
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class InstanceMetadataV2OneHop(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Instances require IMDSv2 tokens with a response hop limit of 1",
            id="CKV_CHAT_71",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_instance", "aws_launch_template"],
        )

    def scan_resource_conf(self, conf):
        options = value(conf, "metadata_options")
        if not isinstance(options, dict):
            return CheckResult.FAILED
        if value(options, "http_endpoint") == "disabled":
            return CheckResult.PASSED
        required = value(options, "http_tokens") == "required"
        one_hop = value(options, "http_put_response_hop_limit") == 1
        return CheckResult.PASSED if required and one_hop else CheckResult.FAILED


check = InstanceMetadataV2OneHop()
