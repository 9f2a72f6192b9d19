"""What the cache variant "redis_cluster" needs from the rest of an environment file: pure,
no cdktf, so the environment schema judges a file before anything is synthesized.

`cache_problems(...)` returns (key, message) pairs in the loader's words; an empty list
means the file's choices fit together. The zone rules are the module's own (placement.py),
asked with the network block's zone count, which the stack will turn into data subnets.
"""

from __future__ import annotations

from typing import Literal, get_args

from modules.redis_cluster.placement import MIN_ZONES, masters_spread_problem

CacheBackend = Literal["elasticache", "redis_cluster"]
CACHE_BACKENDS: tuple[str, ...] = get_args(CacheBackend)


def cache_problems(
    *, cache_backend: str, redis_block_given: bool, managed_cache_block_given: bool, az_count: int, shards: int | None
) -> list[tuple[str, str]]:
    if cache_backend != "redis_cluster":
        if redis_block_given:
            return [
                (
                    "redis_cluster",
                    f'expected no redis_cluster block unless cache_backend = "redis_cluster", '
                    f'got cache_backend "{cache_backend}"',
                )
            ]
        return []
    problems = []
    if managed_cache_block_given:
        problems.append(
            (
                "managed_cache",
                'expected no managed_cache block when cache_backend = "redis_cluster" (no ElastiCache is '
                "created), got one",
            )
        )
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
