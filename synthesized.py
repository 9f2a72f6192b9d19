"""Reading a synthesized stack's JSON (cdk.tf.json) the way the review tools need it: the
resources a value refers to, and blocks CDKTF writes as one object or a list. Pure; imports
no cdktf. Used by costs/ and diagram/; where the stacks are is gate.run's (STACK_FILE,
find_stacks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# A reference to a managed resource inside "${...}": "aws_lb.load_balancer_this_2D91C0CA.arn",
# also inside expressions ("${replace(aws_msk_cluster.x.arn, ...)}"). The look-behind leaves
# data sources ("data.aws_caller_identity.x") alone.
RESOURCE_REFERENCE = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")


# A task count that waits for the service's first release (modules/compute/service.py,
# until_released): "${(aws_ssm_parameter.<name>.insecure_value != \"<tag>\") ? <count> : 0}".
UNTIL_RELEASED = re.compile(r'^\$\{\(aws_ssm_parameter\.[\w-]+\.insecure_value != "[^"]*"\) \? (\d+) : 0\}$')


def released_count(value: Any) -> Any:
    """The count a service runs once released, where `value` is an until-released count;
    `value` unchanged otherwise (a literal count, or anything else for the caller to judge)."""
    if isinstance(value, str):
        match = UNTIL_RELEASED.fullmatch(value)
        if match:
            return int(match.group(1))
    return value


def references(value: Any) -> list[str]:
    """Addresses ("type.name") of every resource `value` refers to, in order, without repeats."""
    found: dict[str, None] = {}
    for text in _strings(value):
        if "${" in text:
            for resource_type, name in RESOURCE_REFERENCE.findall(text):
                found.setdefault(f"{resource_type}.{name}", None)
    return list(found)


def reference(value: Any) -> str | None:
    """The first resource `value` refers to, if any."""
    found = references(value)
    return found[0] if found else None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def as_list(value: Any) -> list[Any]:
    """A block CDKTF writes either as one object or as a list of them, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
