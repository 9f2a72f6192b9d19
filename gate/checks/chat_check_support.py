"""Helpers for the project checks (checkov puts this folder on sys.path)."""

from __future__ import annotations

import re
from typing import Any

OPEN_CIDRS = ("0.0.0.0/0", "::/0")

# In terraform_plan scans checkov replaces a value that is unknown until apply with the
# configuration's first reference, e.g. "aws_subnet.data_0.id" (and drops the others).
_BARE_REFERENCE_RE = re.compile(r"^(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+(\.[a-z0-9_]+)?$")


def unknown_until_apply(item: Any) -> bool:
    return isinstance(item, str) and bool(_BARE_REFERENCE_RE.fullmatch(item))


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """An attribute's value: checkov wraps each one in a one-element list."""
    raw = conf.get(key, default)
    if isinstance(raw, list) and len(raw) == 1 and not (key.endswith("_ids") or key.endswith("_blocks")):
        return raw[0]
    return raw


def as_list(raw: Any) -> list[Any]:
    """A list attribute, unwrapped however deeply checkov nested it."""
    while isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], list):
        raw = raw[0]
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def rule_address_ranges(rule: dict[str, Any]) -> list[Any]:
    """The CIDR sources of a security-group rule, in any of its three shapes (an inline
    `ingress` block, aws_security_group_rule, aws_vpc_security_group_ingress_rule)."""
    ranges = as_list(rule.get("cidr_blocks")) + as_list(rule.get("ipv6_cidr_blocks"))
    return ranges + [value(rule, "cidr_ipv4"), value(rule, "cidr_ipv6")]


def rule_protocol_and_ports(rule: dict[str, Any]) -> tuple[str, Any, Any]:
    """(protocol, from_port, to_port) of a security-group rule in any of its three shapes."""
    protocol = str(value(rule, "ip_protocol", value(rule, "protocol")))
    return protocol, value(rule, "from_port"), value(rule, "to_port")
