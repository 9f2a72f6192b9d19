"""Rules on the network: subnet groups, flow logs, ingress from anywhere (CKV_CHAT_1 to 3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .attributes import (
    INGRESS_RULE_TYPES,
    OPEN_CIDRS,
    as_list,
    rule_address_ranges,
    rule_protocol_and_ports,
    unknown_until_apply,
    value,
)
from .model import Resource, Verdict, resource_rule

MIN_SUBNETS = 2
WEB_PORTS = (80, 443)


@resource_rule(
    id="CKV_CHAT_1",
    name="Data-store subnet groups span at least two subnets (AZs)",
    resource_types=(
        "aws_db_subnet_group",
        "aws_elasticache_subnet_group",
        "aws_docdb_subnet_group",
        "aws_neptune_subnet_group",
    ),
    category="NETWORKING",
    modules=("network",),
)
def subnet_group_multi_az(resource: Resource) -> Verdict:
    """A subnet group with one subnet pins a database or cache to one AZ: Multi-AZ failover
    has nowhere to go. checkov sees one resource at a time, so this counts subnets; the
    network module's tests prove those subnets sit in distinct AZs. In a plan the ids are
    unknown until apply and checkov shows only the first reference: UNKNOWN."""
    subnets = as_list(resource.conf.get("subnet_ids"))
    if len(subnets) >= MIN_SUBNETS:
        return Verdict.PASSED
    if not subnets or any(unknown_until_apply(s) for s in subnets):
        return Verdict.UNKNOWN
    return Verdict.FAILED


@resource_rule(
    id="CKV_CHAT_2",
    name="VPC flow logs capture accepted and rejected traffic (traffic_type ALL)",
    resource_types=("aws_flow_log",),
    category="LOGGING",
    modules=("network",),
)
def flow_log_all_traffic(resource: Resource) -> Verdict:
    """REJECT-only logs miss what matters most in an incident: the connections that were
    accepted. checkov only checks that a flow log exists (CKV2_AWS_11)."""
    return Verdict.of(value(resource.conf, "traffic_type") == "ALL")


def _opens_other_ports(rule: Mapping[str, Any]) -> bool:
    if not any(c in OPEN_CIDRS for c in rule_address_ranges(rule)):
        return False
    protocol, from_port, to_port = rule_protocol_and_ports(rule)
    if protocol in ("-1", "all"):
        return True
    return not (from_port == to_port and from_port in WEB_PORTS)


@resource_rule(
    id="CKV_CHAT_3",
    name="Ingress from anywhere is limited to ports 80 and 443",
    resource_types=INGRESS_RULE_TYPES,
    category="NETWORKING",
    modules=("security_groups",),
)
def public_ingress_web_ports_only(resource: Resource) -> Verdict:
    """The platform's rule: the public load balancer and CDN ports are the only doors open to
    the internet (0.0.0.0/0, ::/0). checkov checks a few named ports (22, 3389, 80, all);
    this checks every port of every ingress rule, inline or separate, against the allow-list."""
    conf = resource.conf
    rules: list[Mapping[str, Any]]
    if "ingress" in conf:  # aws_security_group with inline rules
        rules = [r for r in as_list(conf.get("ingress")) if isinstance(r, dict)]
    elif value(conf, "type", "ingress") == "ingress":
        rules = [conf]
    else:
        rules = []
    return Verdict.of(not any(_opens_other_ports(r) for r in rules))
