"""ElastiCache's alarms, per node of a replication group: engine CPU, host CPU, memory,
evictions and replication lag (a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from modules.observability.props import AlarmsProps
from modules.observability.specs import (
    ONE_WINDOW,
    PERSISTENT,
    AlarmSpec,
    Metric,
    Panel,
    Watch,
    capacity_alarm,
    runbook,
    single_metric_alarm,
)


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
                capacity_alarm(
                    f"{short}-{family}",
                    f"{short} {family} %",
                    runbook(f"Cache node {node} averaged more than {threshold}% {what} for 15 minutes."),
                    cache(metric_name, "Average"),
                    threshold=threshold,
                )
            )
        families["evictions"].append(
            single_metric_alarm(
                f"{short}-evictions",
                f"{short} evictions",
                runbook(
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
                single_metric_alarm(
                    f"{short}-replication-lag",
                    f"{short} lag s",
                    runbook(
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
