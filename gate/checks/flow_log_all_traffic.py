"""CKV_CHAT_2: VPC flow logs capture ALL traffic.

REJECT-only logs miss what matters most in an incident: the connections that were
accepted. checkov only checks that a flow log exists (CKV2_AWS_11).
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class FlowLogAllTraffic(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="VPC flow logs capture accepted and rejected traffic (traffic_type ALL)",
            id="CKV_CHAT_2",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_flow_log"],
        )

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if value(conf, "traffic_type") == "ALL" else CheckResult.FAILED


check = FlowLogAllTraffic()
