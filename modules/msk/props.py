"""Inputs of the KafkaCluster construct (Amazon MSK, provisioned)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

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
from modules.msk.settings import (
    DEFAULT_KAFKA_VERSION,
    KAFKA_VERSIONS,
    MAX_BROKERS,
    check_az_count,
    check_broker_count_per_az,
)
from modules.security_groups.props import check_vpc_id

EnhancedMonitoring = Literal["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"]
ENHANCED_MONITORING_LEVELS: tuple[str, ...] = get_args(EnhancedMonitoring)

# MSK's EBS volume per broker: 1 GiB to 16 TiB ("Amazon MSK quota").
MAX_VOLUME_GIB = 16384
# Standard brokers only (kafka.<family>.<size>): Express brokers ("express.m7g.large")
# have no EBS volume to size or scale.
check_broker_instance_type = pattern_check(
    r"^kafka\.[a-z][a-z0-9]*\.[a-z0-9]+$", "expected an MSK Standard broker type such as kafka.m7g.large"
)
# Kafka's default retention is a week; MSK allows up to what the disks hold. A year bounds typos.
MAX_RETENTION_HOURS = 24 * 365


def check_subnet_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    values = subnet_ids_check("MSK spreads brokers over two or three AZs")(values)
    check_az_count(len(values))
    return values


def check_broker_count(broker_count: int | None, subnet_ids: tuple[str, ...]) -> None:
    if broker_count is not None:
        check_broker_count_per_az(broker_count, len(subnet_ids))


def check_storage_maximum(volume_size_gib: int, max_volume_size_gib: int | None) -> None:
    if max_volume_size_gib is not None and max_volume_size_gib <= volume_size_gib:
        raise ValueError(
            f"expected more than volume_size_gib ({volume_size_gib}): storage only ever grows to it, "
            f"got {describe(max_volume_size_gib)}"
        )


@dataclass(frozen=True, kw_only=True)
class KafkaClusterProps:
    """Inputs of `KafkaCluster`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's `msk { }`
    block (see modules.common.inputs); the stack supplies the rest: name, region,
    account_id, the network's vpc_id and data subnet ids, and the environment's
    deletion_protection and tags.
    """

    name: str = prop(check=check_name)
    """Prefix of every name, e.g. "chat-prod": the cluster is "<name>-kafka"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: key and log policies and IAM ARNs name it."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in key policies and ARNs."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the cluster's security group, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=check_subnet_ids)
    """Where the brokers go, one subnet per AZ (two or three): usually `Network.data_subnet_ids`
    (no route out of the VPC; brokers need none)."""

    kafka_version: str = prop(DEFAULT_KAFKA_VERSION, check=choice_check(KAFKA_VERSIONS), environment=True)
    """Default: "3.8.x.kraft", MSK's recommended version, in KRaft mode (no ZooKeeper).
    One of the KRaft versions MSK offers: 3.7.x.kraft to 4.1.x.kraft. The mode is fixed at
    creation; a version upgrade is an in-place rolling update."""

    broker_count: int | None = prop(None, check=range_check(1, MAX_BROKERS), environment=True)
    """Default: one broker per AZ (two or three). A multiple of the AZ count: MSK places
    the same number in each. Three brokers or more keep three copies of every partition."""

    broker_instance_type: str = prop("kafka.m7g.large", check=check_broker_instance_type, environment=True)
    """Default: kafka.m7g.large (2 vCPU, 8 GiB; ~$0.20/hour per broker in us-east-1).
    kafka.t3.small (~$0.046/hour) is the development size: burstable, and IAM clients may
    open only a few connections per second per broker on it."""

    volume_size_gib: int = prop(100, check=range_check(1, MAX_VOLUME_GIB), environment=True)
    """Default: 100 GiB of EBS per broker (~$10/month each), grown by storage autoscaling."""

    max_volume_size_gib: int | None = prop(None, check=range_check(2, MAX_VOLUME_GIB), environment=True)
    """Default: four times volume_size_gib (at most 16384). The ceiling storage autoscaling
    may grow each broker's volume to; volumes never shrink."""

    default_partitions: int = prop(6, check=range_check(1, 1000), environment=True)
    """Default: 6 partitions for a topic created without a count: a multiple of two and
    three brokers, so leaders spread evenly, and room for six consumers per group."""

    retention_hours: int = prop(168, check=range_check(1, MAX_RETENTION_HOURS), environment=True)
    """Default: 168 hours (a week, Kafka's own default): a consumer that is down over a long
    weekend catches up without losing messages."""

    enhanced_monitoring: EnhancedMonitoring = prop(
        "PER_BROKER", check=choice_check(ENHANCED_MONITORING_LEVELS), environment=True
    )
    """Default: PER_BROKER (CPU, disk, network per broker; charged per metric). DEFAULT is
    free and cluster-level only; PER_TOPIC_PER_BROKER adds topic throughput for production."""

    open_monitoring: bool = prop(False, environment=True)
    """Default: off. On, every broker runs Prometheus's JMX exporter (port 11001) and node
    exporter (port 11002); a scraper reaches them only after `allow_prometheus_from(group)`."""

    log_retention_days: int = prop(90, check=check_retention_days, environment=True)
    """Default: broker logs kept 90 days. A CloudWatch Logs value; under 365 the module
    records its reason beside the log group."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key for this cluster (data at rest and its log group),
    rotated yearly. Give an ARN to use your own; its policy must let MSK and CloudWatch Logs use it."""

    deletion_protection: bool = True
    """Default: on. MSK has no deletion-protection flag of its own, so the module adds
    Terraform's prevent_destroy to the cluster and its key. The stack passes the environment's."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("broker_count", check_broker_count, ("broker_count", "subnet_ids")),
        CrossCheck("max_volume_size_gib", check_storage_maximum, ("volume_size_gib", "max_volume_size_gib")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def cluster_name(self) -> str:
        return f"{self.name}-kafka"

    @property
    def resolved_broker_count(self) -> int:
        """The brokers in use: the given count, else one per AZ."""
        return self.broker_count if self.broker_count is not None else len(self.subnet_ids)

    @property
    def resolved_max_volume_size_gib(self) -> int:
        """The storage autoscaling ceiling: the given one, else four times the volume."""
        if self.max_volume_size_gib is not None:
            return self.max_volume_size_gib
        return min(4 * self.volume_size_gib, MAX_VOLUME_GIB)
