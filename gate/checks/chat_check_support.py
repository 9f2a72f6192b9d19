"""Helpers for the project checks (checkov puts this folder on sys.path)."""

from __future__ import annotations

from typing import Any

OPEN_CIDRS = ("0.0.0.0/0", "::/0")


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
