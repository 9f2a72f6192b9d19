"""Rules on EC2 instances and the Redis Cluster's nodes (CKV_CHAT_70 to 74)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .attributes import INGRESS_RULE_TYPES, as_list, refers_to, rule_address_ranges, rule_protocol_and_ports, value
from .backup import selected_resources
from .model import Resource, Stack, Verdict, resource_rule, stack_rule

NODE_GROUP_TAG = "RedisCluster"
SSH = 22
_VOLUME_REFERENCE_RE = re.compile(r"^\$\{aws_ebs_volume\.([A-Za-z0-9_-]+)\.id\}$")
_GROUP_REFERENCE_RE = re.compile(r"^\$\{aws_security_group\.([A-Za-z0-9_-]+)\.id\}$")


@resource_rule(
    id="CKV_CHAT_70",
    name="EC2 instances have termination protection (disable_api_termination = true)",
    resource_types=("aws_instance",),
    category="BACKUP_AND_RECOVERY",
    modules=("redis_cluster",),
)
def instance_termination_protection(resource: Resource) -> Verdict:
    """The Redis Cluster's nodes hold data and each is a member the others count on; an
    instance terminated by a slip (a console click, a script with the wrong id) takes its node
    down and, without its replica, its slots. checkov has no check for it. An environment that
    runs without deletion protection records a waiver of this rule beside its instances."""
    return Verdict.of(value(resource.conf, "disable_api_termination") is True)


@resource_rule(
    id="CKV_CHAT_71",
    name="Instances require IMDSv2 tokens with a response hop limit of 1",
    resource_types=("aws_instance", "aws_launch_template"),
    category="GENERAL_SECURITY",
    modules=("redis_cluster",),
)
def instance_metadata_v2_one_hop(resource: Resource) -> Verdict:
    """IMDSv1 answers any request that reaches 169.254.169.254 (an SSRF hands out the role's
    credentials); a hop limit above 1 lets a container on the host, or anything one routing hop
    away, fetch a token too. checkov's CKV_AWS_79 checks the tokens, and CKV_AWS_341 the hop
    limit of launch templates only; this checks both on instances and launch templates. A
    metadata endpoint switched off passes (nothing to reach)."""
    options = value(resource.conf, "metadata_options")
    if not isinstance(options, dict):
        return Verdict.FAILED
    if value(options, "http_endpoint") == "disabled":
        return Verdict.PASSED
    return Verdict.of(
        value(options, "http_tokens") == "required" and value(options, "http_put_response_hop_limit") == 1
    )


@resource_rule(
    id="CKV_CHAT_72",
    name="Instances encrypt their root volume with a CMK and keep data on separate aws_ebs_volume resources",
    resource_types=("aws_instance",),
    category="ENCRYPTION",
    modules=("redis_cluster",),
)
def instance_volumes_separate_encrypted(resource: Resource) -> Verdict:
    """An inline ebs_block_device lives and dies with the instance (replacing the instance
    replaces the data) and is no aws_ebs_volume, so neither the encryption checks on volumes
    nor the backup selection (CKV_CHAT_40, CKV_CHAT_73) ever see it. checkov's CKV_AWS_8
    checks that the root volume is encrypted, not with which key."""
    conf = resource.conf
    if [block for block in as_list(conf.get("ebs_block_device")) if block]:
        return Verdict.FAILED
    root = value(conf, "root_block_device")
    if not isinstance(root, dict):
        return Verdict.FAILED
    return Verdict.of(value(root, "encrypted") is True and bool(value(root, "kms_key_id")))


@stack_rule(
    id="CKV_CHAT_73",
    name="Attached EBS volumes are encrypted with a CMK and in an AWS Backup selection",
    resource_types=("aws_volume_attachment",),
    category="BACKUP_AND_RECOVERY",
    modules=("redis_cluster",),
)
def attached_volume_protected(resource: Resource, stack: Stack | None) -> Verdict:
    """An attached volume holds an instance's data (a Redis Cluster node's RDB, AOF and
    nodes.conf). checkov checks volumes and selections apart (CKV_AWS_3, CKV_AWS_189,
    CKV2_AWS_9); this follows each aws_volume_attachment to its aws_ebs_volume in the same
    stack and asks both of it. An attachment naming a volume from elsewhere is left to where
    that volume is defined (UNKNOWN), as is a plan, where the stack's blocks are not at hand."""
    reference = _VOLUME_REFERENCE_RE.fullmatch(str(value(resource.conf, "volume_id")))
    if stack is None or reference is None:
        return Verdict.UNKNOWN
    volume = stack.resources("aws_ebs_volume").get(reference[1])
    if volume is None:
        return Verdict.UNKNOWN
    encrypted = volume.get("encrypted") is True and bool(volume.get("kms_key_id"))
    in_a_selection = any(refers_to(entry, "aws_ebs_volume", reference[1]) for entry in selected_resources(stack))
    return Verdict.of(encrypted and in_a_selection)


def _tagged(tags: Any) -> bool:
    return isinstance(tags, dict) and NODE_GROUP_TAG in tags


def _wider_than_groups(rule: Mapping[str, Any], source_keys: tuple[str, ...]) -> bool:
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


@stack_rule(
    id="CKV_CHAT_74",
    name="Redis Cluster node groups admit only security groups, one port per rule, no SSH",
    resource_types=INGRESS_RULE_TYPES,
    category="NETWORKING",
    modules=("redis_cluster",),
)
def redis_cluster_ingress_from_groups(resource: Resource, stack: Stack | None) -> Verdict:
    """The nodes' group (tagged RedisCluster) may let in the application services' groups and
    its own members, on Redis's client port and cluster bus: never an address range or a
    prefix list (a VPC CIDR would let every task, Lambda and endpoint of the VPC talk to the
    cluster), never SSH. A rule on such a group passes when it names a source security group
    and one port; a separate rule in a plan, where the group's tags are in another block, is
    UNKNOWN."""
    conf = resource.conf
    if resource.type == "aws_security_group":
        if not _tagged(value(conf, "tags")):
            return Verdict.PASSED
        rules = [rule for rule in as_list(conf.get("ingress")) if isinstance(rule, dict)]
        return Verdict.of(not any(_wider_than_groups(r, ("security_groups",)) for r in rules))
    if resource.type == "aws_security_group_rule" and value(conf, "type") != "ingress":
        return Verdict.PASSED
    reference = _GROUP_REFERENCE_RE.fullmatch(str(value(conf, "security_group_id")))
    if stack is None or reference is None:
        return Verdict.UNKNOWN
    group = stack.resources("aws_security_group").get(reference[1])
    if group is None or not _tagged(group.get("tags")):
        return Verdict.PASSED
    return Verdict.of(not _wider_than_groups(conf, ("referenced_security_group_id", "source_security_group_id")))
