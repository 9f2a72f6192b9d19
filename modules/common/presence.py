"""`present(value, what)`: a resource a construct created under a condition of its props,
read where the same condition holds.

mypy cannot follow "created when props.proxy, read when props.proxy" across methods, so the
attribute stays `X | None`; this narrows it, and if the conditions ever drift apart it fails
with what was missing instead of an AttributeError on None.
"""

from __future__ import annotations

from typing import TypeVar

Present = TypeVar("Present")


def present(value: Present | None, what: str) -> Present:
    if value is None:
        raise ValueError(f"expected {what}, got none")
    return value
