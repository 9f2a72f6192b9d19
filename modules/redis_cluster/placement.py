"""Where each Redis Cluster node goes, and whether a layout survives losing an AZ (pure Python).

Nodes are numbered masters first, then replicas, so node 0 is always a master: it is the
designated node that forms the cluster (node/cluster.sh). Zones are indexes into the
data subnets (one subnet per AZ, in the network's zone order):

    master m          zone m % zones                       round robin
    replica r of m    zone (m + 1 + r % (zones - 1)) % zones   never the master's zone

With 3 shards, 1 replica and 3 zones every zone holds one master and one replica (the
replica of the master one zone to its left), so losing any zone loses one master, whose
replica is in a surviving zone, and leaves two of three masters to vote its failover.

A Redis Cluster failover needs the votes of a majority of all masters (the failed ones
count), so a layout survives the loss of an AZ only when the masters outside any one zone
are more than half of them: `layout_problems` refuses the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

# Redis Cluster needs three masters to have a majority left after losing one.
MIN_SHARDS = 3
# One AZ per master of a three-shard cluster: losing an AZ then loses one master.
MIN_ZONES = 3
# A replica is what failover promotes: a shard without one is lost with its master.
MIN_REPLICAS_PER_SHARD = 1
# Redis Cluster is designed for up to 1,000 nodes; this platform's sizes stay far below,
# and more than 5 replicas per shard only multiplies the replication traffic.
MAX_SHARDS = 50
MAX_REPLICAS_PER_SHARD = 5

Role = Literal["master", "replica"]


@dataclass(frozen=True)
class NodePlacement:
    """One node of the plan: its index, zone index, shard, planned role and planned master."""

    index: int
    zone: int
    shard: int
    role: Role
    master: int | None
    """Index of the planned master (replicas only)."""

    @property
    def name(self) -> str:
        return f"node-{self.index}"


def busiest_zone_masters(shards: int, zones: int) -> int:
    """How many masters the round robin puts in the zone that gets the most."""
    return max(masters_per_zone(shards, zones).values())


def survives_zone_loss(shards: int, zones: int) -> bool:
    """Losing the busiest zone leaves more than half of the masters to vote a failover."""
    return 2 * busiest_zone_masters(shards, zones) < shards


def masters_spread_problem(shards: int, zones: int) -> str | None:
    if survives_zone_loss(shards, zones):
        return None
    return (
        f"expected a count that leaves no zone holding half or more of the masters ({shards} masters over "
        f"{zones} zones puts {busiest_zone_masters(shards, zones)} in one; losing it would leave no majority to "
        f"vote a failover), got {shards}"
    )


def layout_problems(shards: int, replicas_per_shard: int, zones: int) -> list[str]:
    """Every reason the numbers cannot make a cluster that survives losing an AZ (empty: fine)."""
    problems = []
    if shards < MIN_SHARDS:
        problems.append(
            f"shards: expected at least {MIN_SHARDS} (a failover needs a majority of masters), got {shards}"
        )
    if replicas_per_shard < MIN_REPLICAS_PER_SHARD:
        problems.append(
            f"replicas_per_shard: expected at least {MIN_REPLICAS_PER_SHARD} (failover promotes a replica), "
            f"got {replicas_per_shard}"
        )
    if zones < MIN_ZONES:
        problems.append(f"zones: expected at least {MIN_ZONES} availability zones, got {zones}")
    if not problems and (spread := masters_spread_problem(shards, zones)):
        problems.append(f"shards: {spread}")
    return problems


def masters_per_zone(shards: int, zones: int) -> Counter[int]:
    return Counter(master % zones for master in range(shards))


def replica_zone(master: int, replica: int, zones: int) -> int:
    """The zone of replica `replica` (0-based) of master `master`: never the master's own."""
    return (master + 1 + replica % (zones - 1)) % zones


def plan_nodes(shards: int, replicas_per_shard: int, zones: int) -> tuple[NodePlacement, ...]:
    """Every node, masters (0 .. shards-1) first, then each master's replicas in turn."""
    problems = layout_problems(shards, replicas_per_shard, zones)
    if problems:
        raise ValueError("; ".join(problems))
    masters = [NodePlacement(m, m % zones, m, "master", None) for m in range(shards)]
    replicas = [
        NodePlacement(shards + m * replicas_per_shard + r, replica_zone(m, r, zones), m, "replica", m)
        for m in range(shards)
        for r in range(replicas_per_shard)
    ]
    return tuple(masters + replicas)
