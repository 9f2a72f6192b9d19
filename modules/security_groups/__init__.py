"""Security groups: one group per role, rules drawn only by the owner's helpers.

`SecurityGroup` is imported lazily so that `modules.security_groups.props` and
`modules.security_groups.graph` (pure functions over a synthesized stack) import no cdktf.
"""

from modules.security_groups.graph import (
    Exposure,
    directly_reachable_from_internet,
    internet_exposure,
    reachable_from_internet,
)
from modules.security_groups.props import SecurityGroupProps

__all__ = [
    "Exposure",
    "SecurityGroup",
    "SecurityGroupProps",
    "directly_reachable_from_internet",
    "internet_exposure",
    "reachable_from_internet",
]


def __getattr__(name: str):
    if name == "SecurityGroup":
        from modules.security_groups.security_groups import SecurityGroup

        return SecurityGroup
    raise AttributeError(f"module 'modules.security_groups' has no attribute {name!r}")
