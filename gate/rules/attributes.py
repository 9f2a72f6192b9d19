"""Reading a resource's attributes however the runner shaped them.

checkov wraps each attribute value in a one-element list (and nested blocks in lists of
lists); a synthesized stack document does not. Every helper here reads both shapes, so a
predicate gives one answer whichever runner calls it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

OPEN_CIDRS = ("0.0.0.0/0", "::/0")
# The three shapes of an ingress rule: inline in the group, or one of two rule resources.
INGRESS_RULE_TYPES = ("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule")

# The tag modules write from the environment's deletion_protection (modules/cache,
# modules/documentdb, modules/dynamodb): the provider's default_tags sit on the provider
# block, which a resource check never sees, so the tag is on the resource itself.
PROTECTION_TAG = "DeletionProtection"

# In terraform_plan scans checkov replaces a value that is unknown until apply with the
# configuration's first reference, e.g. "aws_subnet.data_0.id" (and drops the others).
_BARE_REFERENCE_RE = re.compile(r"^(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+(\.[a-z0-9_]+)?$")


def unknown_until_apply(item: Any) -> bool:
    return isinstance(item, str) and bool(_BARE_REFERENCE_RE.fullmatch(item))


def value(conf: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """An attribute's value, unwrapped from checkov's one-element list."""
    raw = conf.get(key, default)
    if isinstance(raw, list) and len(raw) == 1 and not (key.endswith("_ids") or key.endswith("_blocks")):
        return raw[0]
    return raw


def first(conf: Mapping[str, Any], key: str) -> Any:
    """An attribute's value, unwrapped from a one-element list whatever its name."""
    raw = conf.get(key)
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


def as_list(raw: Any) -> list[Any]:
    """A list attribute, unwrapped however deeply checkov nested it."""
    while isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], list):
        raw = raw[0]
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def blocks(conf: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under `key`, however they are wrapped."""
    return [block for block in as_list(conf.get(key)) if isinstance(block, dict)]


def is_true(raw: Any) -> bool:
    """A boolean attribute, written as true or as "true" (the provider's nullable booleans)."""
    return raw is True or (isinstance(raw, str) and raw.lower() == "true")


def number(conf: Mapping[str, Any], key: str) -> int | None:
    """An integer attribute, or None when absent or not a literal number."""
    raw = value(conf, key)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def is_protected(conf: Mapping[str, Any]) -> bool:
    """Whether a store is protected (production): tagged DeletionProtection = "true", or not
    tagged at all, so the strict rules apply unless a store says it is not a production one."""
    tags = value(conf, "tags")
    if not isinstance(tags, dict):
        return True
    tag = tags.get(PROTECTION_TAG)
    if isinstance(tag, list) and len(tag) == 1:
        tag = tag[0]
    return not (isinstance(tag, str) and tag.lower() == "false")


def replicas_per_primary(conf: Mapping[str, Any]) -> int:
    """Read replicas each primary of a replication group has: num_cache_clusters - 1 (cluster
    mode off), else replicas_per_node_group or each node group's replica_count (cluster mode on)."""
    clusters = number(conf, "num_cache_clusters")
    if clusters is not None:
        return clusters - 1
    per_group = number(conf, "replicas_per_node_group")
    if per_group is not None:
        return per_group
    counts = [number(group, "replica_count") for group in as_list(conf.get("node_group_configuration"))]
    given = [count for count in counts if count is not None]
    return min(given) if given else 0


def rule_address_ranges(rule: Mapping[str, Any]) -> list[Any]:
    """The CIDR sources of a security-group rule, in any of its three shapes (an inline
    `ingress` block, aws_security_group_rule, aws_vpc_security_group_ingress_rule)."""
    ranges = as_list(rule.get("cidr_blocks")) + as_list(rule.get("ipv6_cidr_blocks"))
    return ranges + [value(rule, "cidr_ipv4"), value(rule, "cidr_ipv6")]


def rule_protocol_and_ports(rule: Mapping[str, Any]) -> tuple[str, Any, Any]:
    """(protocol, from_port, to_port) of a security-group rule in any of its three shapes."""
    protocol = str(value(rule, "ip_protocol", value(rule, "protocol")))
    return protocol, value(rule, "from_port"), value(rule, "to_port")


def refers_to(raw: Any, resource_type: str, name: str) -> bool:
    """True when `raw` holds a reference to any attribute of resource_type.name."""
    return isinstance(raw, str) and f"${{{resource_type}.{name}." in raw


def literal(raw: Any) -> str | None:
    """A string that holds no reference, or None."""
    return raw if isinstance(raw, str) and "${" not in raw else None
