"""Security groups: one group per role, rules drawn only by the owner's helpers.

`SecurityGroup` is imported lazily so that `modules.security_groups.props` and
`modules.security_groups.graph` (pure functions over a synthesized stack) import no cdktf.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
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


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.security_groups.security_groups import SecurityGroup
else:
    __getattr__ = lazy_exports(__name__, {"modules.security_groups.security_groups": ("SecurityGroup",)})
