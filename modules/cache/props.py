"""Inputs of the ManagedCache construct (ElastiCache for Valkey or Redis OSS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from modules.cache.engines import DEFAULT_ENGINE_VERSIONS, ENGINES, Engine, check_engine_version
from modules.cache.windows import check_maintenance_window, check_snapshot_window, check_windows_apart
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    check_tags,
    choice_check,
    describe,
    pattern_check,
    range_check,
)
from modules.security_groups.props import check_vpc_id

# ElastiCache allows up to 5 read replicas per primary (cluster mode disabled).
MAX_REPLICAS = 5
# ElastiCache keeps automatic snapshots at most 35 days. At least one day here: a
# snapshot is the only copy of the cache's state outside memory, and ElastiCache stores
# one snapshot per group free of charge, so a day costs nothing.
MIN_SNAPSHOT_RETENTION_DAYS = 1
MAX_SNAPSHOT_RETENTION_DAYS = 35

# Replication group, user and user group ids are made from the name: ElastiCache refuses
# two consecutive hyphens in them (check_name already refuses a trailing one).
_check_no_double_hyphen = pattern_check(
    r"^(?!.*--).*$", "expected a name without two consecutive hyphens (ElastiCache identifiers refuse them)"
)


def check_cache_name(value: str) -> str:
    """check_name, and what ElastiCache identifiers add to it."""
    return _check_no_double_hyphen(check_name(value))


# Node types: cache.<family>.<size>, e.g. cache.t4g.small, cache.r7g.large.
check_node_type = pattern_check(
    r"^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$", "expected an ElastiCache node type such as cache.t4g.small"
)

# An ElastiCache subnet group name (lowercase letters, digits and hyphens), or a reference.
check_subnet_group_name = pattern_check(
    r"^[a-z0-9][a-z0-9-]{0,254}$",
    "expected an ElastiCache subnet group name such as chat-prod-data or a reference to one",
    references=True,
)

# What the application's ElastiCache user may do: every key (~*) and every pub/sub
# channel (&*), every command but the @dangerous category (KEYS, FLUSHALL, FLUSHDB,
# MONITOR, CONFIG, DEBUG, SHUTDOWN, INFO, SORT, MIGRATE, ...). Written in the engine's
# own canonical order (flags, keys, channels, commands) so the ElastiCache API reads it
# back unchanged.
DEFAULT_APPLICATION_ACCESS_STRING = "on ~* &* +@all -@dangerous"


def check_application_access_string(value: str) -> str:
    """An enabled user's rules; never a password (">", "<", "#", "nopass"), which the
    ElastiCache API refuses anyway and which would put a secret in the JSON."""
    words = value.split()
    secret = [w for w in words if w[:1] in (">", "<", "#") or w == "nopass"]
    if not words or words[0] != "on" or secret or "reset" in words:
        raise ValueError(
            'expected ACL rules starting with "on" and without passwords, hashes, "nopass" or "reset" '
            f"(the user authenticates with IAM), got {describe(value)}"
        )
    return value


def check_failover_has_replicas(automatic_failover: bool, replicas: int) -> None:
    if automatic_failover and replicas < 1:
        raise ValueError(
            "expected at least 1 replica when automatic_failover is true (failover promotes a replica; "
            f"with none there is nothing to fail over to), got {replicas}"
        )


@dataclass(frozen=True, kw_only=True)
class ManagedCacheProps:
    """Inputs of `ManagedCache`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's cache
    block (see modules.common.inputs); the stack supplies the rest: name, region,
    account_id, the network's vpc_id and elasticache_subnet_group_name, and the
    environment's deletion_protection and tags.
    """

    name: str = prop(check=check_cache_name)
    """Prefix of every identifier and Name tag, e.g. "chat-prod": the replication group is
    "<name>-cache" (or "<name>-pubsub" and "<name>-state" when split)."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: the log key's policy names CloudWatch Logs there."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in the key and log policies."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the cache's security group, usually `Network.vpc_id`."""

    elasticache_subnet_group_name: str = prop(check=check_subnet_group_name)
    """Where the nodes go: usually `Network.elasticache_subnet_group_name` (the data tier,
    one subnet per AZ, no route out of the VPC)."""

    engine: Engine = prop("valkey", check=choice_check(ENGINES), environment=True)
    """Default: "valkey". Valkey nodes cost 20% less per hour than Redis OSS nodes of the
    same type (ElastiCache pricing), and Valkey speaks the Redis protocol and commands, so
    the Socket.IO Redis adapter and the Redis clients it runs on (node-redis, ioredis)
    connect unchanged. "redis" keeps Redis OSS (7.1 at most on ElastiCache)."""

    engine_version: str | None = prop(None, environment=True)
    """Default: the engine's current version, Valkey 8.2 or Redis OSS 7.1. One of the
    versions ElastiCache offers for the engine, 7.0 or later (IAM authentication needs 7)."""

    node_type: str = prop("cache.t4g.small", check=check_node_type, environment=True)
    """Default: cache.t4g.small (2 vCPU burstable, 1.37 GiB; ~$19/month per Valkey node in
    us-east-1). Production pub/sub fan-out wants a steady CPU: cache.m7g.large (6.38 GiB)."""

    replicas: int = prop(1, check=range_check(0, MAX_REPLICAS), environment=True)
    """Default: one read replica per group, in another AZ (two nodes). 0 to 5. A replica
    is what automatic failover promotes and what serves reads through reader_endpoint."""

    automatic_failover: bool = prop(True, environment=True)
    """Default: on, with Multi-AZ: when the primary or its AZ fails, ElastiCache promotes a
    replica in another AZ (a minute or so) and the primary endpoint follows it. Needs at
    least one replica. Off, a failed primary is replaced in place: minutes of outage."""

    split_pubsub_and_state: bool = prop(False, environment=True)
    """Default: one replication group holds both the Socket.IO adapter's pub/sub traffic
    and the presence/session keys. On, two groups: "<name>-pubsub" for the adapter and
    "<name>-state" for the keys, each with its own parameter group and logs, so a
    broadcast storm cannot slow state reads and each can be sized on its own (twice the
    nodes)."""

    snapshot_retention_days: int = prop(
        7, check=range_check(MIN_SNAPSHOT_RETENTION_DAYS, MAX_SNAPSHOT_RETENTION_DAYS), environment=True
    )
    """Default: a week of daily snapshots. 1 to 35 (ElastiCache's limit; 0, no snapshots,
    is refused: one snapshot per group is stored free)."""

    snapshot_window: str = prop("03:00-04:00", check=check_snapshot_window, environment=True)
    """Default: 03:00-04:00 UTC daily, the quietest hour of a European chat. At least an
    hour; never overlapping the maintenance window."""

    maintenance_window: str = prop("sun:05:00-sun:06:00", check=check_maintenance_window, environment=True)
    """Default: Sunday 05:00-06:00 UTC, after that day's snapshot. 1 to 24 hours, lowercase
    day names."""

    log_retention_days: int = prop(30, check=check_retention_days, environment=True)
    """Default: slow and engine logs are kept 30 days. A CloudWatch Logs value. Slow-log
    entries carry command arguments (keys, session ids), so a short retention is the
    private choice; under 365 the module records its reason beside the log groups."""

    application_access_string: str = prop(DEFAULT_APPLICATION_ACCESS_STRING, check=check_application_access_string)
    """Default: every key and channel, every command except the @dangerous category. The
    ACL rules of the application's IAM-authenticated user."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key for this cache (data at rest and snapshots), rotated
    yearly. Give an ARN to use your own; its policy must let ElastiCache use it."""

    deletion_protection: bool = True
    """Default: on. ElastiCache has no deletion-protection flag of its own, so the module
    adds Terraform's prevent_destroy to the replication groups and the key, and a final
    snapshot when a group is deleted. The stack passes the environment's choice."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("replicas", check_failover_has_replicas, ("automatic_failover", "replicas")),
        CrossCheck("engine_version", check_engine_version, ("engine", "engine_version")),
        CrossCheck("maintenance_window", check_windows_apart, ("snapshot_window", "maintenance_window")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def resolved_engine_version(self) -> str:
        """The engine version in use: the given one, else the engine's default."""
        return self.engine_version or DEFAULT_ENGINE_VERSIONS[self.engine]

    @property
    def node_count(self) -> int:
        """Nodes per replication group: the primary and its replicas."""
        return self.replicas + 1
