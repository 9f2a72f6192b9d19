"""The check of a list of subnet ids that must span at least two zones (pure Python, no cdktf).

Load balancers, RDS Proxy, subnet groups: whatever is placed "one subnet per zone" needs
two subnets at least. `subnet_ids_check(why)` builds the props check; `why` says in the
message who needs two, e.g. "RDS Proxy needs two". A cdktf token (a subnet another
construct creates, e.g. `Network.data_subnet_ids`) passes unjudged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from modules.common.tokens import is_unresolved

SUBNET_ID_RE = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")


def subnet_ids_check(why: str) -> Callable[[Iterable[str]], tuple[str, ...]]:
    def check_subnet_ids(values: Iterable[str]) -> tuple[str, ...]:
        values = tuple(values)
        bad = [value for value in values if not (is_unresolved(value) or SUBNET_ID_RE.fullmatch(value))]
        if bad:
            raise ValueError(f"expected subnet ids such as subnet-0a1b2c3d or references to them, got {bad!r}")
        if len(values) < 2 or len(set(values)) != len(values):
            raise ValueError(
                f"expected at least two distinct subnets, one per availability zone ({why}), got {len(set(values))}"
            )
        return values

    return check_subnet_ids
