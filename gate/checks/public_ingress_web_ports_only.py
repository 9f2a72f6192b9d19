"""CKV_CHAT_3: ingress from anywhere (0.0.0.0/0, ::/0) only on HTTP and HTTPS.

The platform's rule: the public load balancer and CDN ports are the only doors open to
the internet. checkov checks a few named ports (22, 3389, 80, all); this checks every
port against the allow-list.
"""

from chat_check_support import OPEN_CIDRS, as_list, rule_address_ranges, rule_protocol_and_ports, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WEB_PORTS = (80, 443)


def _opens_other_ports(rule: dict) -> bool:
    if not any(c in OPEN_CIDRS for c in rule_address_ranges(rule)):
        return False
    protocol, from_port, to_port = rule_protocol_and_ports(rule)
    if protocol in ("-1", "all"):
        return True
    return not (from_port == to_port and from_port in WEB_PORTS)


class PublicIngressWebPortsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ingress from anywhere is limited to ports 80 and 443",
            id="CKV_CHAT_3",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
        )

    def scan_resource_conf(self, conf):
        if "ingress" in conf:  # aws_security_group with inline rules
            rules = [r for r in as_list(conf.get("ingress")) if isinstance(r, dict)]
        elif value(conf, "type", "ingress") == "ingress":
            rules = [conf]
        else:
            rules = []
        return CheckResult.FAILED if any(_opens_other_ports(r) for r in rules) else CheckResult.PASSED


check = PublicIngressWebPortsOnly()
