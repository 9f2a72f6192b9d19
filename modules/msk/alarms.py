"""Amazon MSK's alarms: each broker's disk and under-replicated partitions, the active
controller (a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from modules.observability.props import AlarmsProps
from modules.observability.specs import PERSISTENT, Metric, Panel, Watch, capacity_alarm, runbook, single_metric_alarm


def kafka_watch(props: AlarmsProps, *, cluster_name: str, broker_count: int, label: str = "kafka") -> Watch:
    """Amazon MSK (DEFAULT monitoring level): each broker's data-disk use and under-replicated
    partitions (brokers are numbered 1..broker_count), and the cluster's active controllers."""
    if broker_count < 1:
        raise ValueError(f"broker_count: expected at least 1 broker, got {broker_count}")
    disk, replication = [], []
    for broker in range(1, broker_count + 1):
        dimensions = {"Cluster Name": cluster_name, "Broker ID": str(broker)}
        disk.append(
            capacity_alarm(
                f"{label}-broker-{broker}-disk",
                f"broker {broker} disk %",
                runbook(
                    f"Broker {broker} of {cluster_name} used more than {props.kafka_disk_used_percent}% of its data "
                    "volume for 15 minutes."
                ),
                Metric("AWS/Kafka", "KafkaDataLogsDiskUsed", dimensions, "Maximum"),
                threshold=props.kafka_disk_used_percent,
            )
        )
        replication.append(
            capacity_alarm(
                f"{label}-broker-{broker}-under-replicated",
                f"broker {broker} under-replicated",
                runbook(
                    f"Broker {broker} of {cluster_name} led under-replicated partitions for 15 minutes: a follower "
                    "is down or cannot keep up."
                ),
                Metric("AWS/Kafka", "UnderReplicatedPartitions", dimensions, "Maximum"),
                # Any, for a quarter-hour: a rolling patch under-replicates for minutes only.
                threshold=0,
            )
        )
    controllers = single_metric_alarm(
        f"{label}-active-controller",
        "active controllers",
        runbook(
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
