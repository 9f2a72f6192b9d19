"""How much memory Redis may use on an instance type, and the type's CPU architecture (pure Python).

`maxmemory` is what is left of the instance's memory once the operating system and the
agents have theirs, less a quarter kept free for the copy-on-write pages of the forks
that write snapshots and rewrite the AOF (every page a write touches during a fork is
copied). A quarter is ElastiCache's own default reservation (`reserved-memory-percent`
25, "Managing reserved memory" in the ElastiCache guide); the OS share covers Amazon
Linux 2023 with the SSM and CloudWatch agents (about 300 MiB measured idle on a t3.micro,
rounded up).
"""

from __future__ import annotations

import re
from typing import Literal

from modules.common.validation import describe

Architecture = Literal["x86_64", "arm64"]

# Memory of the instance types a node may use, in MiB ("Amazon EC2 instance types",
# General purpose and Memory optimized specifications). Burstable types (t3, t3a, t4g)
# suit staging; production wants steady CPU (m/r families, no credits to run out).
_BURSTABLE_SIZES = {
    "nano": 512,
    "micro": 1024,
    "small": 2048,
    "medium": 4096,
    "large": 8192,
    "xlarge": 16384,
    "2xlarge": 32768,
}
_GENERAL_SIZES = {"large": 8192, "xlarge": 16384, "2xlarge": 32768, "4xlarge": 65536}
# Memory optimized: twice the general purpose memory per size.
_MEMORY_SIZES = {size: 2 * mib for size, mib in _GENERAL_SIZES.items()}
INSTANCE_MEMORY_MIB: dict[str, int] = {
    f"{family}.{size}": mib
    for families, sizes in (
        (("t3", "t3a", "t4g"), _BURSTABLE_SIZES),
        (("m6i", "m7i", "m6g", "m7g"), _GENERAL_SIZES),
        (("r6i", "r7i", "r6g", "r7g"), _MEMORY_SIZES),
    )
    for family in families
    for size, mib in sizes.items()
}

OS_RESERVED_MIB = 384
FORK_RESERVED_FRACTION = 0.25
# Below this a node holds too little to be worth a cluster of them (and the OS share
# estimate dominates): a t3.nano leaves 96 MiB.
MIN_MAXMEMORY_MIB = 256

# Graviton families end in "g" (t4g, m7g, r7gd, c7gn, ...).
_GRAVITON_RE = re.compile(r"^[a-z]+\d+g[a-z]*\.")


def check_instance_type(value: str) -> str:
    if value not in INSTANCE_MEMORY_MIB:
        raise ValueError(
            "expected an instance type whose memory this module knows (t3, t3a, t4g nano to 2xlarge; m6i, m7i, "
            f"m6g, m7g, r6i, r7i, r6g, r7g large to 4xlarge), got {describe(value)}"
        )
    if usable_memory_mib(value) < MIN_MAXMEMORY_MIB:
        raise ValueError(
            f"expected an instance type leaving at least {MIN_MAXMEMORY_MIB} MiB for Redis ({value} leaves "
            f"{usable_memory_mib(value)} MiB of its {INSTANCE_MEMORY_MIB[value]} MiB), got {describe(value)}"
        )
    return value


def architecture(instance_type: str) -> Architecture:
    return "arm64" if _GRAVITON_RE.match(instance_type) else "x86_64"


def usable_memory_mib(instance_type: str) -> int:
    """The most `maxmemory` may be on `instance_type` (MiB)."""
    memory = INSTANCE_MEMORY_MIB[instance_type]
    return int((memory - OS_RESERVED_MIB) * (1 - FORK_RESERVED_FRACTION))


def check_maxmemory_fits(instance_type: str, maxmemory_mib: int) -> None:
    """A configured maxmemory fits the instance type."""
    usable = usable_memory_mib(instance_type)
    if maxmemory_mib > usable:
        raise ValueError(
            f"expected at most {usable} MiB on {instance_type} ({INSTANCE_MEMORY_MIB[instance_type]} MiB, less "
            f"{OS_RESERVED_MIB} MiB for the OS and agents and a quarter kept free for snapshot forks), "
            f"got {describe(maxmemory_mib)}"
        )
