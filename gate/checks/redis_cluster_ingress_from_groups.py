"""CKV_CHAT_74: a Redis Cluster node group admits nothing wider than security groups.

The nodes' group (tagged RedisCluster) may let in the application services' groups and
its own members, on Redis's client port and cluster bus: never an address range or a
prefix list (a VPC CIDR would let every task, Lambda and endpoint of the VPC talk to the
cluster), never SSH. A rule on such a group passes when it names a source security group
and one port; a plan, where the group's tags are in another block, is UNKNOWN.
"""

import re

from chat_check_support import as_list, rule_address_ranges, rule_protocol_and_ports, value
from chat_stack_support import blocks, stack_document
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

NODE_GROUP_TAG = "RedisCluster"
SSH = 22
_GROUP_REFERENCE_RE = re.compile(r"^\$\{aws_security_group\.([A-Za-z0-9_-]+)\.id\}$")


def _tagged(tags) -> bool:
    return isinstance(tags, dict) and NODE_GROUP_TAG in tags


def _wider_than_groups(rule: dict, source_keys: tuple[str, ...]) -> bool:
    """True unless the rule's only source is a security group (or the group itself) on one TCP port."""
    ranges = rule_address_ranges(rule) + [value(rule, "prefix_list_id")] + as_list(rule.get("prefix_list_ids"))
    if any(ranges):
        return True
    sources = [source for key in source_keys for source in as_list(rule.get(key)) if source]
    if value(rule, "self") is True:
        sources.append("self")
    protocol, from_port, to_port = rule_protocol_and_ports(rule)
    one_port = from_port == to_port and from_port != SSH and protocol in ("tcp", "6")
    return not (sources and one_port)


class RedisClusterIngressFromGroups(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redis Cluster node groups admit only security groups, one port per rule, no SSH",
            id="CKV_CHAT_74",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_security_group":
            if not _tagged(value(conf, "tags")):
                return CheckResult.PASSED
            rules = [rule for rule in as_list(conf.get("ingress")) if isinstance(rule, dict)]
            return (
                CheckResult.FAILED
                if any(_wider_than_groups(r, ("security_groups",)) for r in rules)
                else (CheckResult.PASSED)
            )
        if self.entity_type == "aws_security_group_rule" and value(conf, "type") != "ingress":
            return CheckResult.PASSED
        document = stack_document(self.entity_path)
        reference = _GROUP_REFERENCE_RE.fullmatch(str(value(conf, "security_group_id")))
        if document is None or reference is None:
            return CheckResult.UNKNOWN
        group = blocks(document, "aws_security_group").get(reference[1])
        if group is None or not _tagged(group.get("tags")):
            return CheckResult.PASSED
        sources = ("referenced_security_group_id", "source_security_group_id")
        return CheckResult.FAILED if _wider_than_groups(conf, sources) else CheckResult.PASSED


check = RedisClusterIngressFromGroups()
