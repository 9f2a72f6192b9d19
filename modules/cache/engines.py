"""Engines, versions and parameter values of the managed cache (pure: no cdktf).

Which engine versions the module accepts, the parameter-group family each one needs, and
the parameters each replication group gets for its role. Kept apart from the construct so
the rules can be tested on their own and read in one place.
"""

from __future__ import annotations

from typing import Literal, get_args

from modules.common.validation import describe

Engine = Literal["valkey", "redis"]
ENGINES: tuple[str, ...] = get_args(Engine)

# Versions ElastiCache offers for node-based replication groups that can authenticate
# with IAM (Valkey 7.2+ and Redis OSS 7+; IAM auth needs 7 or later). Redis OSS ends at
# 7.1 on ElastiCache: later Redis releases are not open source and AWS does not offer them.
ENGINE_VERSIONS: dict[str, tuple[str, ...]] = {
    "valkey": ("7.2", "8.0", "8.1", "8.2", "9.0"),
    "redis": ("7.0", "7.1"),
}

# The current minor of each engine's established major line: Valkey 8.2 (the 9.x line is
# accepted, but a new major reaches every region and client library later), Redis OSS 7.1
# (its last release on ElastiCache).
DEFAULT_ENGINE_VERSIONS: dict[str, str] = {"valkey": "8.2", "redis": "7.1"}

Role = Literal["shared", "pubsub", "state"]
"""What a replication group holds: both (one group), or one half of the split."""

# Client output buffer limits of pub/sub subscribers (ElastiCache parameters, bytes).
# Every realtime task subscribes once and receives every broadcast of the Socket.IO Redis
# adapter; a task that stops reading for a moment (a garbage-collection pause, a CPU
# burst) is disconnected by the server when its buffer passes the hard limit, or stays
# over the soft limit for soft-seconds, and every message meanwhile is lost for its
# clients. The engine defaults (32 MiB hard, 8 MiB for 60 s) are sized for small
# messages; a chat fan-out of a few thousand messages a second with attachments'
# metadata fills 8 MiB in well under a second of stall. Raising them trades node memory
# (covered by ElastiCache's 25% reserved memory) for not dropping subscribers.
PUBSUB_HARD_LIMIT_BYTES = 128 * 1024 * 1024
PUBSUB_SOFT_LIMIT_BYTES = 64 * 1024 * 1024
PUBSUB_SOFT_SECONDS = 60

# Keys with a TTL (presence heartbeats, session entries, rate-limit counters) may be
# evicted, least recently used first, when memory runs out; keys without one (room
# membership, the adapter's own state) never are: a write that needs memory then fails
# with an OOM error the application sees, instead of state vanishing silently. The engine
# default, volatile-lru too on ElastiCache, is written out so a reviewer sees it.
EVICTION_POLICY = "volatile-lru"


def check_engine_version(engine: str, version: str) -> None:
    """A version ElastiCache offers for `engine` (a CrossCheck of the props)."""
    allowed = ENGINE_VERSIONS.get(engine, ())
    if version not in allowed:
        raise ValueError(f"expected one of {list(allowed)} for engine {engine!r}, got {describe(version)}")


def parameter_group_family(engine: str, version: str) -> str:
    """The family a custom parameter group needs, e.g. "valkey8" for Valkey 8.2, "redis7"."""
    check_engine_version(engine, version)
    return f"{engine}{version.split('.')[0]}"


def cache_parameters(role: Role) -> dict[str, str]:
    """The parameters of a replication group holding `role`'s data.

    notify-keyspace-events stays off (the engine default): nothing in the platform reacts
    to key events, and with it on every write would publish a message to every
    subscriber. Presence expiry is read from TTLs, not from expiry events.
    """
    parameters: dict[str, str] = {"maxmemory-policy": EVICTION_POLICY}
    if role in ("shared", "pubsub"):
        parameters |= {
            "client-output-buffer-limit-pubsub-hard-limit": str(PUBSUB_HARD_LIMIT_BYTES),
            "client-output-buffer-limit-pubsub-soft-limit": str(PUBSUB_SOFT_LIMIT_BYTES),
            "client-output-buffer-limit-pubsub-soft-seconds": str(PUBSUB_SOFT_SECONDS),
        }
    return parameters
