"""Value checks shared by module props and the environment schema.

Each check returns the value (normalised where that is harmless) or raises ValueError
with a sentence of the form "expected <what is allowed>, got <what was given>", so a
props dataclass and the environment-file schema give the same message for the same
mistake. Nothing here imports the provider bindings.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from modules.common.tokens import is_unresolved

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API);
# 0 ("never expire") is left out on purpose: unbounded retention is a cost leak.
CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

# Private ranges a VPC may use: RFC 1918 plus the RFC 6598 shared range that AWS
# also accepts. A public range in a VPC CIDR is almost always a typo.
_PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)

# The subnet layout (see modules/network/layout.py) needs 5 more prefix bits than
# the VPC, and AWS subnets can be no smaller than /28: /16../20 keeps every subnet
# at /25 or larger, which leaves room for load balancers and Fargate ENIs.
VPC_PREFIX_MIN = 16
VPC_PREFIX_MAX = 20

_REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")


def describe(value: object) -> str:
    """Render a given value for an error message, with its HCL-ish type."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (bool)"
    if isinstance(value, str):
        return f'"{value}" (string)'
    if isinstance(value, (int, float)):
        return f"{value} (number)"
    if isinstance(value, (list, tuple)):
        return f"{list(value)!r} (list)"
    if isinstance(value, Mapping):
        return "an object/block"
    return repr(value)


# A check keeps its value's type: an int field's check takes and gives ints, a float's floats.
Number = TypeVar("Number", int, float)


def range_check(low: Number, high: Number) -> Callable[[Number], Number]:
    """A check that a number lies in [low, high] (worded as the environment files always had it)."""

    def check_range(value: Number) -> Number:
        if value < low:
            raise ValueError(f"expected a number greater than or equal to {low}, got {describe(value)}")
        if value > high:
            raise ValueError(f"expected a number less than or equal to {high}, got {describe(value)}")
        return value

    return check_range


def pattern_check(pattern: str, expected: str, *, references: bool = False) -> Callable[[str], str]:
    """A check that a string matches `pattern` ("<expected>, got <value>" otherwise).

    With `references`, a cdktf token (a value another resource fills in) passes unjudged.
    """
    compiled = re.compile(pattern)

    def check_pattern(value: str) -> str:
        if references and is_unresolved(value):
            return value
        if not compiled.fullmatch(value):
            raise ValueError(f"{expected}, got {describe(value)}")
        return value

    return check_pattern


def choice_check(choices: Iterable[str]) -> Callable[[str], str]:
    """A check that a value is one of `choices`, worded as pydantic words a Literal mismatch."""
    choices = tuple(choices)
    quoted = [repr(choice) for choice in choices]
    expected = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"

    def check_choice(value: str) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {expected}, got {describe(value)}")
        return value

    return check_choice


def check_name(value: str) -> str:
    if not _NAME_RE.fullmatch(value):
        raise ValueError(
            "expected 2-20 characters of lowercase letters, digits and '-', starting "
            f"with a letter and not ending with '-', got {describe(value)}"
        )
    return value


def check_region(value: str) -> str:
    if not _REGION_RE.fullmatch(value):
        raise ValueError(f"expected an AWS region such as eu-west-1, got {describe(value)}")
    return value


def check_account_id(value: str) -> str:
    if not _ACCOUNT_RE.fullmatch(value):
        raise ValueError(f"expected a 12-digit AWS account id in quotes, got {describe(value)}")
    return value


def check_retention_days(value: int) -> int:
    if value not in CLOUDWATCH_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
        raise ValueError(
            f"expected a CloudWatch Logs retention period in days (one of {allowed}), got {describe(value)}"
        )
    return value


def check_vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise ValueError(
            f"expected an IPv4 network in CIDR notation such as 10.0.0.0/16 ({error}), got {describe(value)}"
        ) from None
    if "/" not in value:
        raise ValueError(f"expected a CIDR with a prefix length such as 10.0.0.0/16, got {describe(value)}")
    if not VPC_PREFIX_MIN <= network.prefixlen <= VPC_PREFIX_MAX:
        raise ValueError(f"expected a prefix length from /{VPC_PREFIX_MIN} to /{VPC_PREFIX_MAX}, got {describe(value)}")
    if not any(network.subnet_of(private) for private in _PRIVATE_RANGES):
        raise ValueError(
            "expected a private range (inside 10.0.0.0/8, 172.16.0.0/12, "
            f"192.168.0.0/16 or 100.64.0.0/10), got {describe(value)}"
        )
    return str(network)


def check_availability_zones(zones: Iterable[str], region: str, az_count: int) -> tuple[str, ...]:
    """Explicit AZ names must belong to the region, be distinct, and match az_count."""
    zones = tuple(zones)
    problems = []
    if len(zones) != az_count:
        problems.append(f"expected {az_count} zone names (az_count), got {len(zones)}")
    if len(set(zones)) != len(zones):
        problems.append(f"expected distinct zone names, got {list(zones)!r}")
    foreign = [z for z in zones if not re.fullmatch(re.escape(region) + r"[a-z]", z)]
    if foreign:
        problems.append(f"expected zones of region {region} (e.g. {region}a), got {foreign!r}")
    if problems:
        raise ValueError("; ".join(problems))
    return zones


def check_private_egress(nat_mode: str, interface_endpoints: bool) -> None:
    """Private subnets need some way to AWS APIs: a NAT gateway or interface endpoints."""
    if nat_mode == "none" and not interface_endpoints:
        raise ValueError(
            'expected true when nat_mode is "none" (private subnets would have no way '
            "to pull images or ship logs), got false"
        )


_TAG_KEY_RE = re.compile(r"^[\w .:/=+\-@]{1,128}$")


def check_tags(tags: Mapping[str, str], reserved: Iterable[str] = ()) -> dict[str, str]:
    problems = []
    reserved = set(reserved)
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            problems.append(f"tag {key!r}: expected a key not starting with 'aws:' (AWS reserves it)")
        elif not _TAG_KEY_RE.fullmatch(key):
            problems.append(f"tag {key!r}: expected 1-128 letters, digits, spaces or _.:/=+-@")
        elif key in reserved:
            problems.append(f"tag {key!r}: expected a key other than {sorted(reserved)} (set by the stack)")
        if len(value) > 256:
            problems.append(f"tag {key!r}: expected a value of at most 256 characters, got {len(value)}")
    if problems:
        raise ValueError("; ".join(problems))
    return dict(tags)
