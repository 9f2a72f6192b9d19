"""Inputs of the RedisCluster construct (a self-managed Redis Cluster on EC2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from modules.backup.props import MAX_DAILY_KEPT, MAX_MONTHLY_KEPT, MAX_WEEKLY_KEPT
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.subnets import subnet_ids_check
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
from modules.redis_cluster.placement import (
    MAX_REPLICAS_PER_SHARD,
    MAX_SHARDS,
    MIN_REPLICAS_PER_SHARD,
    MIN_SHARDS,
    MIN_ZONES,
    masters_spread_problem,
)
from modules.redis_cluster.sizing import (
    MIN_MAXMEMORY_MIB,
    check_instance_type,
    check_maxmemory_fits,
    usable_memory_mib,
)
from modules.security_groups.props import check_vpc_id

# Redis's eviction policies ("Key eviction", Redis docs); noeviction refuses writes when full.
MAXMEMORY_POLICIES: tuple[str, ...] = (
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
)

# The data volume holds the RDB snapshot, the AOF and, during a rewrite, a second AOF:
# three times the memory, at most.
DATA_VOLUME_MEMORY_FACTOR = 3
# gp3 volumes are 1 GiB to 16 TiB.
MAX_DATA_VOLUME_GIB = 16_384

check_ami_id = pattern_check(
    r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$", "expected an AMI id such as ami-0a1b2c3d4e5f67890", references=True
)
check_security_group_id = pattern_check(
    r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$",
    "expected a security group id such as sg-0a1b2c3d or a reference to one",
    references=True,
)
check_prefix_list_id = pattern_check(
    r"^pl-[0-9a-f]{8,17}$", "expected a prefix list id such as pl-6da54004 or a reference to one", references=True
)
_check_subnet_ids = subnet_ids_check("one zone of Redis Cluster nodes per subnet")


def check_data_subnet_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    values = _check_subnet_ids(values)
    if len(values) < MIN_ZONES:
        raise ValueError(
            f"expected at least {MIN_ZONES} subnets in {MIN_ZONES} availability zones (losing one zone must leave "
            f"a majority of the masters), got {len(values)}"
        )
    return values


def check_masters_spread(shards: int, subnet_ids: tuple[str, ...]) -> None:
    problem = masters_spread_problem(shards, len(subnet_ids))
    if problem:
        raise ValueError(problem)


def check_node_count(nodes: int, shards: int, replicas_per_shard: int) -> None:
    expected = shards * (replicas_per_shard + 1)
    if nodes != expected:
        raise ValueError(
            f"expected shards x (replicas_per_shard + 1) = {shards} x {replicas_per_shard + 1} = {expected}, "
            f"got {describe(nodes)}"
        )


def check_zones_match_subnets(availability_zones: tuple[str, ...], subnet_ids: tuple[str, ...]) -> None:
    if len(availability_zones) != len(subnet_ids):
        raise ValueError(
            f"expected one zone per data subnet ({len(subnet_ids)}, in the subnets' order), "
            f"got {len(availability_zones)}"
        )


def check_data_volume(data_volume_gib: int, instance_type: str) -> None:
    needed_gib = -(-DATA_VOLUME_MEMORY_FACTOR * usable_memory_mib(instance_type) // 1024)
    if data_volume_gib < needed_gib:
        raise ValueError(
            f"expected at least {needed_gib} GiB on {instance_type} (the RDB, the AOF and an AOF rewrite: "
            f"{DATA_VOLUME_MEMORY_FACTOR} x {usable_memory_mib(instance_type)} MiB of memory), "
            f"got {describe(data_volume_gib)}"
        )


@dataclass(frozen=True, kw_only=True)
class RedisClusterProps:
    """Inputs of `RedisCluster`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `redis_cluster { }` block (see modules.common.inputs); the stack supplies the rest:
    name, region, account_id, the network's VPC, data subnets, zones, S3 prefix list and
    endpoints, and the environment's deletion_protection and tags.
    """

    name: str = prop(check=check_name)
    """Prefix of every name and Name tag, e.g. "chat-prod": instances "<name>-redis-node-<n>"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: endpoint service names, the AMI parameter, policies."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in the role's trust policy."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the nodes' security groups, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=check_data_subnet_ids)
    """Where the nodes go, one subnet per zone in zone order: `Network.data_subnet_ids` (no
    route out of the VPC). At least three: a cluster that survives losing a zone needs them."""

    availability_zones: tuple[str, ...] = prop()
    """The zone of each subnet, in the same order: `Network.availability_zones`. Each node's
    data volume is created in its subnet's zone (a volume attaches only within its zone)."""

    s3_prefix_list_id: str = prop(check=check_prefix_list_id)
    """The S3 gateway endpoint's prefix list (`Network.s3_prefix_list_id`): the nodes send
    HTTPS to it for backups and for the Amazon Linux package repositories."""

    endpoint_security_group_id: str | None = prop(None, check=check_security_group_id)
    """The network's interface-endpoint group (`Network.endpoint_security_group_id`); the
    nodes send HTTPS to it for `network_endpoint_services`. Default: none, and the module
    creates an endpoint for every service the nodes need."""

    network_endpoint_services: tuple[str, ...] = ()
    """The interface endpoints (with private DNS) the VPC already has, e.g. the network's
    `interface_endpoint_services`; the module creates the others the nodes need. Ignored
    without `endpoint_security_group_id`."""

    shards: int = prop(3, check=range_check(MIN_SHARDS, MAX_SHARDS), environment=True)
    """Default: 3 masters, each holding a third of the 16,384 hash slots. At least 3: a failover
    needs the votes of a majority of masters. The masters go round the zones; a count that
    would put half of them or more in one zone is refused."""

    replicas_per_shard: int = prop(
        1, check=range_check(MIN_REPLICAS_PER_SHARD, MAX_REPLICAS_PER_SHARD), environment=True
    )
    """Default: one replica per master, always in another zone (3 + 3 = 6 nodes with the
    default shards). 1 to 5; a replica is what failover promotes."""

    nodes: int | None = prop(None, environment=True)
    """Default: shards x (replicas_per_shard + 1). Given, it must be exactly that: an
    environment file can state the node count it pays for, and a change to shards or
    replicas that does not match it is refused."""

    instance_type: str = prop("t4g.small", check=check_instance_type, environment=True)
    """Default: t4g.small (Graviton, 2 vCPU burstable, 2 GiB: 1,248 MiB for Redis; ~$13/month
    per node on demand in eu-west-1). Staging: t3.micro (480 MiB); production: t3.medium
    (2,784 MiB) as the seeds size it, or m7g.large for steady CPU."""

    maxmemory_mib: int | None = prop(None, check=range_check(MIN_MAXMEMORY_MIB, 1_048_576), environment=True)
    """Default: derived from the instance type (modules/redis_cluster/sizing.py: memory less
    384 MiB for the OS and agents, less a quarter for snapshot forks). Given, it must fit
    that bound."""

    maxmemory_policy: str = prop("volatile-lru", check=choice_check(MAXMEMORY_POLICIES), environment=True)
    """Default: volatile-lru, ElastiCache's default: when full, evict the least recently used
    keys that have a TTL (sessions, cached reads); keys without one are never dropped silently,
    writes fail with OOM instead."""

    data_volume_gib: int = prop(20, check=range_check(1, MAX_DATA_VOLUME_GIB), environment=True)
    """Default: 20 GiB of gp3 per node (~$1.80/month), enough for three times the memory of
    a t3.medium (RDB, AOF, and an AOF rewrite); refused when smaller than that for the type."""

    ami_id: str | None = prop(None, check=check_ami_id, environment=True)
    """Default: the latest Amazon Linux 2023 for the type's architecture, read from AWS's
    public SSM parameter when an instance is created (then kept: a new image never replaces
    a running node), with Redis 6 installed at first boot from the AL2023 repository (S3,
    through the gateway endpoint). Give a hardened image with Redis installed to skip that."""

    backup_hour_utc: int = prop(3, check=range_check(0, 23), environment=True)
    """Default: 03:00 UTC (plus up to 15 minutes, spread): each replica uploads its RDB and AOF."""

    daily_backups_kept: int = prop(7, check=range_check(1, MAX_DAILY_KEPT), environment=True)
    """Default: 7 daily copies per shard in the backup bucket."""

    weekly_backups_kept: int = prop(4, check=range_check(1, MAX_WEEKLY_KEPT), environment=True)
    """Default: 4 weekly copies (Sundays)."""

    monthly_backups_kept: int = prop(3, check=range_check(1, MAX_MONTHLY_KEPT), environment=True)
    """Default: 3 monthly copies (the 1st)."""

    log_retention_days: int = prop(30, check=check_retention_days, environment=True)
    """Default: Redis's log and the bootstrap log kept 30 days in CloudWatch Logs."""

    interface_endpoint_zones: int | None = prop(None, check=range_check(1, 16), environment=True)
    """Default: the endpoints this module creates are in every node zone, so a zone outage
    never cuts the others off from Session Manager and CloudWatch. 1 puts them in the first
    zone only (~$7.30/month less per endpoint and zone left out; for non-production)."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key of this cluster's own (data and root volumes, the AUTH
    secret, the backup bucket), rotated yearly."""

    deletion_protection: bool = True
    """Default: on: termination protection on the instances, prevent_destroy on the data
    volumes, the backup bucket and the key. The stack passes the environment's choice."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("shards", check_masters_spread, ("shards", "subnet_ids")),
        CrossCheck("nodes", check_node_count, ("nodes", "shards", "replicas_per_shard")),
        CrossCheck("availability_zones", check_zones_match_subnets, ("availability_zones", "subnet_ids")),
        CrossCheck("maxmemory_mib", check_maxmemory_fits, ("instance_type", "maxmemory_mib")),
        CrossCheck("data_volume_gib", check_data_volume, ("data_volume_gib", "instance_type")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def node_count(self) -> int:
        return self.shards * (self.replicas_per_shard + 1)

    @property
    def resolved_maxmemory_mib(self) -> int:
        return self.maxmemory_mib if self.maxmemory_mib is not None else usable_memory_mib(self.instance_type)
