"""What the cache variant "redis_cluster" needs from the rest of an environment file: pure,
no cdktf, so the environment schema judges a file before anything is synthesized.

`redis_cluster_problems(...)` returns (key, message) pairs in the loader's words, for a file
that chose `cache_backend = "redis_cluster"` (envconfig/variants.py asks); an empty list
means the file's choices fit together. The zone rules are the module's own (placement.py),
asked with the network block's zone count, which the stack will turn into data subnets.
"""

from __future__ import annotations

from modules.redis_cluster.placement import MIN_ZONES, masters_spread_problem


def redis_cluster_problems(*, az_count: int, shards: int | None) -> list[tuple[str, str]]:
    problems = []
    if az_count < MIN_ZONES:
        problems.append(
            (
                "network.az_count",
                f'expected at least {MIN_ZONES} when cache_backend = "redis_cluster" (losing one zone must leave '
                f"a majority of the masters to vote a failover), got {az_count}",
            )
        )
    elif shards is not None and (problem := masters_spread_problem(shards, az_count)):
        problems.append(("redis_cluster.shards", problem))
    return problems
