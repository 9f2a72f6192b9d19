"""What each alarm watches, as plain data: metrics, metric math, threshold, window, missing data.

Pure functions of plain inputs (names, identifiers, ARN suffixes, sizes) and `AlarmsProps`;
nothing here imports cdktf. A component's builder returns a `Watch`: its alarms and the
dashboard panels that show the same metrics with the same thresholds. `Alarms` (alarms.py)
turns the alarms into `aws_cloudwatch_metric_alarm` resources and `dashboard.py` the panels
into widgets, so an alarm and its graph never disagree.

Missing data, per alarm (CloudWatch's default, "missing", leaves an alarm in
INSUFFICIENT_DATA, which notifies nobody):
- "breaching" where the metric is published every minute while the thing is alive (CPU,
  memory, task counts, host counts, free storage): silence means it is down, or its
  metrics pipeline is, and either needs a person;
- "notBreaching" where silence means nothing happened: the load balancer publishes request
  and error counts only while requests flow, SQS stops publishing for a queue idle six
  hours (an empty dead-letter queue), ElastiCache publishes ReplicationLag only on nodes
  that are replicas at that moment, and Evictions' liveness is the node's CPU alarm's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from modules.observability.props import AlarmsProps

Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
MissingData = Literal["breaching", "notBreaching"]

GIB = 1024**3
# RDS for PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)
# (the "Maximum number of database connections" table of the RDS user guide).
POSTGRES_BYTES_PER_CONNECTION = 9_531_392
POSTGRES_MAX_CONNECTIONS = 5_000
_METRIC_ID_RE = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class Evaluation:
    """How long a breach must last: `datapoints` of the last `periods` periods of
    `period_seconds` each ("M out of N")."""

    period_seconds: int
    periods: int
    datapoints: int


# The windows, by what a breach means (every alarm uses one of these four):
# user-facing errors and latency: 3 of 5 minutes, so one bad minute (a deployment's
# connection draining, a client's retry storm) does not page, three do.
USER_FACING = Evaluation(60, 5, 3)
# a health state (unhealthy targets, replica lag, a controller missing): 5 minutes in a
# row, longer than ECS needs to replace a task or a broker to elect a controller.
PERSISTENT = Evaluation(60, 5, 5)
# capacity (CPU, memory, connections, disk): 3 periods of 5 minutes, so a burst that
# autoscaling absorbs never pages and a saturation that lasts a quarter-hour does.
SUSTAINED = Evaluation(300, 3, 3)
# events that need a person whenever they happen (a dead letter, an eviction, an old
# message): one 5-minute period, SQS's and ElastiCache's counters' own granularity.
ONE_WINDOW = Evaluation(300, 1, 1)


@dataclass(frozen=True)
class Metric:
    """A CloudWatch metric with the statistic read from it ("Average", "Sum", "p99", ...)."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]
    stat: str


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: its metrics by query id, optional metric math over them (in order, the
    last one is what is compared), and how it is judged."""

    key: str
    """Alarm name "<name>-<key>"; its construct id is the key with "_" for "-"."""
    description: str
    label: str
    """What the compared value is, for the dashboard ("api 5xx %")."""
    metrics: Mapping[str, Metric]
    threshold: float
    comparison: Comparison
    evaluation: Evaluation
    missing_data: MissingData
    expressions: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        ids = [*self.metrics, *(expression_id for expression_id, _ in self.expressions)]
        bad = [query_id for query_id in ids if not _METRIC_ID_RE.fullmatch(query_id)]
        if bad or len(set(ids)) != len(ids):
            raise ValueError(f"{self.key}: expected unique metric ids of [a-z][a-zA-Z0-9_]*, got {ids}")
        if not self.expressions and len(self.metrics) != 1:
            raise ValueError(f"{self.key}: expected one metric, or metric math over several, got {len(self.metrics)}")

    @property
    def construct_id(self) -> str:
        return self.key.replace("-", "_")

    @property
    def returned_id(self) -> str:
        """The query whose value is compared: the last expression, or the one metric."""
        return self.expressions[-1][0] if self.expressions else next(iter(self.metrics))


@dataclass(frozen=True)
class Panel:
    """A dashboard graph over some alarms' compared values, with their threshold."""

    title: str
    alarms: tuple[AlarmSpec, ...]


@dataclass(frozen=True)
class Watch:
    """What a builder returns for one component: its alarms and the panels showing them."""

    title: str
    alarms: tuple[AlarmSpec, ...]
    panels: tuple[Panel, ...] = field(default=())


class HasArnSuffix(Protocol):
    """A target group as modules/load_balancer exposes it (`TargetGroupRef`)."""

    arn_suffix: str


def _alarm(key: str, label: str, description: str, metric: Metric, **judged) -> AlarmSpec:
    return AlarmSpec(key=key, label=label, description=description, metrics={"value": metric}, **judged)


def _capacity(
    key: str,
    label: str,
    description: str,
    metric: Metric,
    *,
    threshold: float,
    comparison: Comparison = "GreaterThanThreshold",
) -> AlarmSpec:
    """A capacity alarm (CPU, memory, storage, connections, disk): past `threshold` for three
    5-minute periods, and silence is down: these metrics are published every minute while
    the component is alive."""
    return _alarm(
        key,
        label,
        description,
        metric,
        threshold=threshold,
        comparison=comparison,
        evaluation=SUSTAINED,
        missing_data="breaching",
    )


def _runbook(text: str) -> str:
    return f"{text} Runbook: docs/runbook.md, section Alarms."


# -- load balancer -----------------------------------------------------------------------


def load_balancer_watch(
    props: AlarmsProps,
    *,
    load_balancer_arn_suffix: str,
    target_groups: Mapping[str, HasArnSuffix],
    latency_target_groups: Sequence[str] = (),
) -> Watch:
    """The ALB's 5xx rate, and per target group (label -> group, e.g. "api-blue") unhealthy
    hosts; p99 response time for the groups named in `latency_target_groups`."""
    unknown = sorted(set(latency_target_groups) - set(target_groups))
    if unknown:
        raise ValueError(f"latency_target_groups: expected labels of target_groups, got {unknown}")
    balancer = {"LoadBalancer": load_balancer_arn_suffix}

    def alb(name: str, stat: str, **dimensions: str) -> Metric:
        return Metric("AWS/ApplicationELB", name, {**balancer, **dimensions}, stat)

    minimum = props.load_balancer_min_requests
    error_rate = AlarmSpec(
        key="alb-5xx-rate",
        label="5xx % of requests",
        description=_runbook(
            f"More than {props.load_balancer_5xx_percent}% of requests answered with a 5xx (by the load balancer "
            f"or the tasks) in 3 of 5 minutes, counted once {minimum} requests a minute flow."
        ),
        metrics={
            "elb_5xx": alb("HTTPCode_ELB_5XX_Count", "Sum"),
            "target_5xx": alb("HTTPCode_Target_5XX_Count", "Sum"),
            "requests": alb("RequestCount", "Sum"),
        },
        # The load balancer publishes these counts only while they are non-zero, hence
        # FILL. Requests it refuses before choosing a target (503: no healthy target) are
        # not in RequestCount, so the rate divides by at least the errors: an outage is
        # 100%, never a division by zero.
        expressions=(
            ("errors", "FILL(elb_5xx, 0) + FILL(target_5xx, 0)"),
            ("handled", "MAX([FILL(requests, 0), errors])"),
            ("error_rate", f"IF(handled >= {minimum}, 100 * errors / handled, 0)"),
        ),
        threshold=props.load_balancer_5xx_percent,
        comparison="GreaterThanThreshold",
        evaluation=USER_FACING,
        missing_data="notBreaching",
    )
    latency = tuple(
        _alarm(
            f"alb-{label}-p99-latency",
            f"{label} p99 s",
            _runbook(
                f"The slowest 1% of {label} requests took more than {props.load_balancer_p99_seconds} s "
                "in 3 of 5 minutes."
            ),
            alb("TargetResponseTime", "p99", TargetGroup=target_groups[label].arn_suffix),
            threshold=props.load_balancer_p99_seconds,
            comparison="GreaterThanThreshold",
            evaluation=USER_FACING,
            # No requests, no response times: silence is an idle service, whose health
            # the unhealthy-hosts alarm judges.
            missing_data="notBreaching",
        )
        for label in latency_target_groups
    )
    unhealthy = tuple(
        _alarm(
            f"alb-{label}-unhealthy-hosts",
            f"{label} unhealthy",
            _runbook(
                f"More than {props.load_balancer_unhealthy_hosts} {label} target(s) failed their health checks "
                "for 5 minutes in a row."
            ),
            alb("UnHealthyHostCount", "Maximum", TargetGroup=group.arn_suffix),
            threshold=props.load_balancer_unhealthy_hosts,
            comparison="GreaterThanThreshold",
            evaluation=PERSISTENT,
            # Published every minute for a group in use: silence is a load balancer or
            # target group that is gone.
            missing_data="breaching",
        )
        for label, group in target_groups.items()
    )
    panels = [Panel("5xx rate (%)", (error_rate,))]
    if latency:
        panels.append(Panel("p99 target response time (s)", latency))
    panels.append(Panel("Unhealthy targets", unhealthy))
    return Watch("Load balancer", (error_rate, *latency, *unhealthy), tuple(panels))


# -- ECS services ------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchedService:
    """One ECS service: `label` names its alarms ("api-blue"); `load` adds the CPU and memory
    alarms (off for a colour that takes no traffic: its load means nothing)."""

    label: str
    service_name: str
    load: bool = True


def service_watch(
    props: AlarmsProps, *, cluster_name: str, services: Sequence[WatchedService], container_insights: bool = True
) -> Watch:
    """Per ECS service: CPU, memory (AWS/ECS) and running below desired. The task counts come
    from Container Insights only: without it (`container_insights=False`) that alarm is left
    out, since its metrics would never arrive and "breaching" would page for ever."""
    cpu, memory, shortfall = [], [], []
    minutes = props.service_task_shortfall_minutes
    for service in services:
        dimensions = {"ClusterName": cluster_name, "ServiceName": service.service_name}
        if service.load:
            for family, metric_name, threshold in (
                (cpu, "CPUUtilization", props.service_cpu_percent),
                (memory, "MemoryUtilization", props.service_memory_percent),
            ):
                what = metric_name.removesuffix("Utilization").lower()
                family.append(
                    _capacity(
                        f"{service.label}-{what}",
                        f"{service.label} {what} %",
                        _runbook(
                            f"{service.service_name} averaged more than {threshold}% {what} for 15 minutes: "
                            "autoscaling is at max_tasks or cannot start tasks."
                        ),
                        Metric("AWS/ECS", metric_name, dimensions, "Average"),
                        threshold=threshold,
                    )
                )
        if not container_insights:
            continue
        shortfall.append(
            AlarmSpec(
                key=f"{service.label}-tasks-below-desired",
                label=f"{service.label} tasks missing",
                description=_runbook(
                    f"{service.service_name} ran fewer tasks than desired for {minutes} minutes in a row: tasks "
                    "that cannot start (image, secrets, subnet addresses, Fargate Spot capacity)."
                ),
                metrics={
                    "desired": Metric("ECS/ContainerInsights", "DesiredTaskCount", dimensions, "Average"),
                    "running": Metric("ECS/ContainerInsights", "RunningTaskCount", dimensions, "Average"),
                },
                expressions=(("missing_tasks", "desired - running"),),
                threshold=0,
                comparison="GreaterThanThreshold",
                evaluation=Evaluation(60, minutes, minutes),
                # Container Insights reports every service each minute, even at zero tasks.
                missing_data="breaching",
            )
        )
    panels = tuple(
        Panel(title, tuple(alarms))
        for title, alarms in (("ECS CPU (%)", cpu), ("ECS memory (%)", memory), ("Tasks below desired", shortfall))
        if alarms
    )
    return Watch("ECS services", (*cpu, *memory, *shortfall), panels)


# -- RDS ---------------------------------------------------------------------------------


def postgres_max_connections(memory_gib: float) -> int:
    """RDS's default max_connections for a class with `memory_gib` of memory. RDS divides the
    memory left after the OS's share (DBInstanceClassMemory), a little less than the class's:
    the estimate is a few percent high, so the alarm fires a little late rather than early."""
    return min(int(memory_gib * GIB) // POSTGRES_BYTES_PER_CONNECTION, POSTGRES_MAX_CONNECTIONS)


def database_watch(
    props: AlarmsProps,
    *,
    identifier: str,
    memory_gib: float,
    allocated_storage_gib: int,
    replica_identifier: str | None = None,
    label: str = "database",
) -> Watch:
    """RDS for PostgreSQL: the primary's CPU, free storage, freeable memory and connections,
    and the replica's lag when there is one."""

    def rds(name: str, stat: str, instance: str = identifier) -> Metric:
        return Metric("AWS/RDS", name, {"DBInstanceIdentifier": instance}, stat)

    free_storage_bytes = int(allocated_storage_gib * GIB * props.database_free_storage_percent / 100)
    freeable_bytes = int(memory_gib * GIB * props.database_freeable_memory_percent / 100)
    connections = postgres_max_connections(memory_gib) * props.database_connections_percent // 100
    cpu = _capacity(
        f"{label}-cpu",
        f"{label} CPU %",
        _runbook(f"{identifier} averaged more than {props.database_cpu_percent}% CPU for 15 minutes."),
        rds("CPUUtilization", "Average"),
        threshold=props.database_cpu_percent,
    )
    storage = _capacity(
        f"{label}-free-storage",
        f"{label} free storage (bytes)",
        _runbook(
            f"{identifier} has less than {props.database_free_storage_percent}% of its "
            f"{allocated_storage_gib} GiB free: storage autoscaling could not keep up or is at its maximum."
        ),
        rds("FreeStorageSpace", "Minimum"),
        threshold=free_storage_bytes,
        comparison="LessThanThreshold",
    )
    memory = _capacity(
        f"{label}-freeable-memory",
        f"{label} freeable memory (bytes)",
        _runbook(
            f"{identifier} had less than {props.database_freeable_memory_percent}% of its {memory_gib} GiB "
            "freeable for 15 minutes."
        ),
        rds("FreeableMemory", "Minimum"),
        threshold=freeable_bytes,
        comparison="LessThanThreshold",
    )
    connection_alarm = _capacity(
        f"{label}-connections",
        f"{label} connections",
        _runbook(
            f"{identifier} held more than {connections} connections ({props.database_connections_percent}% of "
            "max_connections) for 15 minutes."
        ),
        rds("DatabaseConnections", "Maximum"),
        threshold=connections,
    )
    alarms = [cpu, storage, memory, connection_alarm]
    panels = [
        Panel("Database CPU (%)", (cpu,)),
        Panel("Database connections", (connection_alarm,)),
        Panel("Database free storage (bytes)", (storage,)),
        Panel("Database freeable memory (bytes)", (memory,)),
    ]
    if replica_identifier is not None:
        lag = _alarm(
            f"{label}-replica-lag",
            f"{label} replica lag s",
            _runbook(
                f"The read replica {replica_identifier} was more than {props.database_replica_lag_seconds} s "
                "behind the primary for 5 minutes in a row."
            ),
            rds("ReplicaLag", "Maximum", replica_identifier),
            threshold=props.database_replica_lag_seconds,
            comparison="GreaterThanThreshold",
            evaluation=PERSISTENT,
            # A replica reports its lag every minute; silence is a replica that is gone.
            missing_data="breaching",
        )
        alarms.append(lag)
        panels.append(Panel("Database replica lag (s)", (lag,)))
    return Watch(f"Database ({identifier})", tuple(alarms), tuple(panels))


# -- ElastiCache -------------------------------------------------------------------------


def cache_node_ids(replication_group_id: str, node_count: int) -> tuple[str, ...]:
    """ElastiCache names a replication group's nodes (cluster mode off) "<group>-001", ...;
    metrics are per node (CacheClusterId). The names stay when a failover swaps roles."""
    return tuple(f"{replication_group_id}-{index:03d}" for index in range(1, node_count + 1))


def cache_watch(props: AlarmsProps, *, replication_group_id: str, node_count: int) -> Watch:
    """Per node of one replication group: engine CPU, host CPU, memory, evictions, and
    replication lag when the group has replicas."""
    families: dict[str, list[AlarmSpec]] = {"engine-cpu": [], "cpu": [], "memory": [], "evictions": [], "lag": []}
    for node in cache_node_ids(replication_group_id, node_count):
        short = node.removeprefix(f"{props.name}-")

        def cache(name: str, stat: str, node: str = node) -> Metric:
            return Metric("AWS/ElastiCache", name, {"CacheClusterId": node}, stat)

        for family, metric_name, threshold, what in (
            ("engine-cpu", "EngineCPUUtilization", props.cache_engine_cpu_percent, "engine-thread CPU"),
            ("cpu", "CPUUtilization", props.cache_cpu_percent, "host CPU"),
            ("memory", "DatabaseMemoryUsagePercentage", props.cache_memory_percent, "of maxmemory used"),
        ):
            families[family].append(
                _capacity(
                    f"{short}-{family}",
                    f"{short} {family} %",
                    _runbook(f"Cache node {node} averaged more than {threshold}% {what} for 15 minutes."),
                    cache(metric_name, "Average"),
                    threshold=threshold,
                )
            )
        families["evictions"].append(
            _alarm(
                f"{short}-evictions",
                f"{short} evictions",
                _runbook(
                    f"Cache node {node} evicted more than {props.cache_evictions_per_5min} keys in 5 minutes: "
                    "presence or session keys lost to memory pressure."
                ),
                cache("Evictions", "Sum"),
                threshold=props.cache_evictions_per_5min,
                comparison="GreaterThanThreshold",
                evaluation=ONE_WINDOW,
                missing_data="notBreaching",
            )
        )
        if node_count > 1:
            families["lag"].append(
                _alarm(
                    f"{short}-replication-lag",
                    f"{short} lag s",
                    _runbook(
                        f"Cache node {node}, a replica, was more than {props.cache_replication_lag_seconds} s behind "
                        "its primary for 5 minutes in a row."
                    ),
                    cache("ReplicationLag", "Maximum"),
                    threshold=props.cache_replication_lag_seconds,
                    comparison="GreaterThanThreshold",
                    evaluation=PERSISTENT,
                    # Only the nodes that are replicas right now publish it, and a failover
                    # changes which: the primary's silence is normal.
                    missing_data="notBreaching",
                )
            )
    titles = {
        "engine-cpu": "engine CPU (%)",
        "cpu": "host CPU (%)",
        "memory": "memory used (%)",
        "evictions": "evictions",
        "lag": "replication lag (s)",
    }
    panels = tuple(
        Panel(f"{replication_group_id} {titles[family]}", tuple(alarms))
        for family, alarms in families.items()
        if alarms
    )
    return Watch(
        f"Cache ({replication_group_id})", tuple(alarm for alarms in families.values() for alarm in alarms), panels
    )


# -- SQS ---------------------------------------------------------------------------------


def queue_watch(props: AlarmsProps, *, queue_name: str, dead_letter_queue_name: str) -> Watch:
    """A worker queue's oldest message and its dead-letter queue's depth."""
    short = queue_name.removeprefix(f"{props.name}-")
    oldest = _alarm(
        f"{short}-oldest-message",
        f"{short} oldest message s",
        _runbook(
            f"The oldest message on {queue_name} waited more than {props.queue_oldest_message_seconds} s: the "
            "worker is stuck, scaled out to its maximum, or failing on a downstream."
        ),
        Metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": queue_name}, "Maximum"),
        threshold=props.queue_oldest_message_seconds,
        comparison="GreaterThanThreshold",
        evaluation=ONE_WINDOW,
        # SQS stops publishing for a queue idle six hours: nothing sent, nothing old.
        missing_data="notBreaching",
    )
    dead_letters = _alarm(
        f"{short}-dead-letters",
        f"{short} dead letters",
        _runbook(
            f"{dead_letter_queue_name} holds messages: each failed max_receive_count times and waits for a person "
            "to redrive or drop it."
        ),
        Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dead_letter_queue_name}, "Maximum"),
        # Any dead letter: nothing lands there by design.
        threshold=0,
        comparison="GreaterThanThreshold",
        evaluation=ONE_WINDOW,
        # An empty dead-letter queue nobody touches goes quiet after six hours.
        missing_data="notBreaching",
    )
    return Watch(
        f"Queue {queue_name}",
        (oldest, dead_letters),
        (Panel(f"{short} oldest message (s)", (oldest,)), Panel(f"{short} dead letters", (dead_letters,))),
    )


# -- MSK ---------------------------------------------------------------------------------


def kafka_watch(props: AlarmsProps, *, cluster_name: str, broker_count: int, label: str = "kafka") -> Watch:
    """Amazon MSK (DEFAULT monitoring level): each broker's data-disk use and under-replicated
    partitions (brokers are numbered 1..broker_count), and the cluster's active controllers."""
    if broker_count < 1:
        raise ValueError(f"broker_count: expected at least 1 broker, got {broker_count}")
    disk, replication = [], []
    for broker in range(1, broker_count + 1):
        dimensions = {"Cluster Name": cluster_name, "Broker ID": str(broker)}
        disk.append(
            _capacity(
                f"{label}-broker-{broker}-disk",
                f"broker {broker} disk %",
                _runbook(
                    f"Broker {broker} of {cluster_name} used more than {props.kafka_disk_used_percent}% of its data "
                    "volume for 15 minutes."
                ),
                Metric("AWS/Kafka", "KafkaDataLogsDiskUsed", dimensions, "Maximum"),
                threshold=props.kafka_disk_used_percent,
            )
        )
        replication.append(
            _capacity(
                f"{label}-broker-{broker}-under-replicated",
                f"broker {broker} under-replicated",
                _runbook(
                    f"Broker {broker} of {cluster_name} led under-replicated partitions for 15 minutes: a follower "
                    "is down or cannot keep up."
                ),
                Metric("AWS/Kafka", "UnderReplicatedPartitions", dimensions, "Maximum"),
                # Any, for a quarter-hour: a rolling patch under-replicates for minutes only.
                threshold=0,
            )
        )
    controllers = _alarm(
        f"{label}-active-controller",
        "active controllers",
        _runbook(
            f"{cluster_name} had no active controller for 5 minutes in a row: no partition leader can be "
            "elected, so a broker failure is not recovered from."
        ),
        # Each broker reports 1 while it is the controller, else 0, under the cluster's
        # dimension: the maximum is 1 while some broker controls the cluster.
        Metric("AWS/Kafka", "ActiveControllerCount", {"Cluster Name": cluster_name}, "Maximum"),
        threshold=1,
        comparison="LessThanThreshold",
        evaluation=PERSISTENT,
        missing_data="breaching",
    )
    return Watch(
        f"Kafka ({cluster_name})",
        (*disk, *replication, controllers),
        (
            Panel("Kafka disk used (%)", tuple(disk)),
            Panel("Kafka under-replicated partitions", tuple(replication)),
            Panel("Kafka active controller", (controllers,)),
        ),
    )


# -- DocumentDB --------------------------------------------------------------------------


# Amazon DocumentDB's connection limit per instance, by class size (the "Instance limits"
# table of the DocumentDB developer guide; the same for every family of a size, and 30,000
# from 8xlarge up).
DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE = {"medium": 500, "large": 1700, "xlarge": 3500, "2xlarge": 7000, "4xlarge": 14000}
DOCUMENTDB_MAX_CONNECTIONS_LARGEST = 30_000
_DOCUMENTDB_LARGEST_SIZES = ("8xlarge", "12xlarge", "16xlarge", "24xlarge")


def documentdb_max_connections(instance_class: str) -> int:
    """The connection limit of a DocumentDB instance class such as "db.r6g.large"."""
    size = instance_class.rsplit(".", 1)[-1]
    if size in DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE:
        return DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE[size]
    if size in _DOCUMENTDB_LARGEST_SIZES:
        return DOCUMENTDB_MAX_CONNECTIONS_LARGEST
    known = ", ".join([*DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE, *_DOCUMENTDB_LARGEST_SIZES])
    raise ValueError(f'instance_class: expected a DocumentDB size of {known}, got "{instance_class}"')


def documentdb_watch(
    props: AlarmsProps,
    *,
    cluster_identifier: str,
    instance_identifiers: Sequence[str],
    max_connections: int,
    label: str = "documentdb",
) -> Watch:
    """Amazon DocumentDB, per instance: CPU and connections against the class's limit
    (`max_connections`: `documentdb_max_connections(instance_class)`)."""
    if max_connections < 1:
        raise ValueError(f"max_connections: expected at least 1, got {max_connections}")
    connections = max_connections * props.documentdb_connections_percent // 100
    cpu, connection_alarms = [], []
    for index, instance in enumerate(instance_identifiers, start=1):
        dimensions = {"DBInstanceIdentifier": instance}
        cpu.append(
            _capacity(
                f"{label}-{index}-cpu",
                f"{label} {index} CPU %",
                _runbook(
                    f"{instance} ({cluster_identifier}) averaged more than {props.documentdb_cpu_percent}% CPU for "
                    "15 minutes."
                ),
                Metric("AWS/DocDB", "CPUUtilization", dimensions, "Average"),
                threshold=props.documentdb_cpu_percent,
            )
        )
        connection_alarms.append(
            _capacity(
                f"{label}-{index}-connections",
                f"{label} {index} connections",
                _runbook(
                    f"{instance} ({cluster_identifier}) held more than {connections} connections "
                    f"({props.documentdb_connections_percent}% of its {max_connections}) for 15 minutes."
                ),
                Metric("AWS/DocDB", "DatabaseConnections", dimensions, "Maximum"),
                threshold=connections,
            )
        )
    return Watch(
        f"DocumentDB ({cluster_identifier})",
        (*cpu, *connection_alarms),
        (Panel("DocumentDB CPU (%)", tuple(cpu)), Panel("DocumentDB connections", tuple(connection_alarms))),
    )


# -- Redis Cluster on EC2 ----------------------------------------------------------------


def redis_cluster_watch(
    props: AlarmsProps,
    *,
    namespace: str,
    cluster_name: str,
    metric_name: str = "ClusterStateOk",
    dimension_name: str = "ClusterName",
    label: str = "redis-cluster",
) -> Watch:
    """The self-managed Redis Cluster's state, from the custom metric its nodes publish each
    minute: `metric_name` in `namespace`, 1 while CLUSTER INFO says cluster_state:ok, else 0,
    with dimension `dimension_name` = `cluster_name`."""
    if namespace.startswith("AWS/"):
        raise ValueError(f'namespace: expected a custom namespace (not "AWS/..."), got "{namespace}"')
    state = _alarm(
        f"{label}-state",
        "cluster state ok (1)",
        _runbook(
            f"Redis Cluster {cluster_name} reported a state other than ok, or nothing, for 3 minutes in a row: "
            "slots without a master refuse every command on them."
        ),
        Metric(namespace, metric_name, {dimension_name: cluster_name}, "Minimum"),
        threshold=1,
        comparison="LessThanThreshold",
        # Three minutes: a master's failover (cluster-node-timeout plus the election) is
        # over in well under that.
        evaluation=Evaluation(60, 3, 3),
        # The nodes' agent publishes every minute; silence is every node, or the agent, down.
        missing_data="breaching",
    )
    return Watch(f"Redis Cluster ({cluster_name})", (state,), (Panel("Redis Cluster state", (state,)),))
