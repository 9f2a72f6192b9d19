"""Helpers for the ElastiCache project checks, CKV_CHAT_30 to CKV_CHAT_36 (checkov puts this folder on sys.path).

A replication group says whether it is a protected (production) store with the tag
DeletionProtection = "true" | "false", which modules/cache writes from the environment's
deletion_protection. The provider's default_tags (environment = <name>) sit on the
provider block, which checkov's resource checks never see, so the tag is on the resource
itself. A group without the tag is judged as protected: the strict rules apply unless a
group says it is not a production store.
"""

from __future__ import annotations

from typing import Any

from chat_check_support import as_list, value

PROTECTION_TAG = "DeletionProtection"


def is_true(raw: Any) -> bool:
    """A boolean attribute, written as true or as "true" (the provider's nullable booleans)."""
    return raw is True or (isinstance(raw, str) and raw.lower() == "true")


def number(conf: dict[str, Any], key: str) -> int | None:
    """An integer attribute, or None when absent or not a literal number."""
    raw = value(conf, key)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def is_protected(conf: dict[str, Any]) -> bool:
    """Whether a replication group is a protected store (tagged so, or not tagged at all)."""
    tags = value(conf, "tags")
    if not isinstance(tags, dict):
        return True
    tag = tags.get(PROTECTION_TAG)
    if isinstance(tag, list) and len(tag) == 1:
        tag = tag[0]
    return not (isinstance(tag, str) and tag.lower() == "false")


def replicas_per_primary(conf: dict[str, Any]) -> int:
    """Read replicas each primary has: num_cache_clusters - 1 (cluster mode off), else
    replicas_per_node_group or each node group's replica_count (cluster mode on)."""
    clusters = number(conf, "num_cache_clusters")
    if clusters is not None:
        return clusters - 1
    per_group = number(conf, "replicas_per_node_group")
    if per_group is not None:
        return per_group
    counts = [number(group, "replica_count") for group in as_list(conf.get("node_group_configuration"))]
    counts = [count for count in counts if count is not None]
    return min(counts) if counts else 0


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under `key`, however checkov wrapped them."""
    return [block for block in as_list(conf.get(key)) if isinstance(block, dict)]
