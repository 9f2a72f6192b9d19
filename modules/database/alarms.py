"""The database's alarms: the primary's CPU, free storage, freeable memory and connections,
the replica's lag (a `Watch` of modules/observability/specs.py). The class's memory and
RDS's connection limit are the module's sizing facts (sizing.py).
"""

from __future__ import annotations

from modules.database.sizing import postgres_max_connections
from modules.observability.props import AlarmsProps
from modules.observability.specs import (
    GIB,
    PERSISTENT,
    Metric,
    Panel,
    Watch,
    capacity_alarm,
    runbook,
    single_metric_alarm,
)


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
    cpu = capacity_alarm(
        f"{label}-cpu",
        f"{label} CPU %",
        runbook(f"{identifier} averaged more than {props.database_cpu_percent}% CPU for 15 minutes."),
        rds("CPUUtilization", "Average"),
        threshold=props.database_cpu_percent,
    )
    storage = capacity_alarm(
        f"{label}-free-storage",
        f"{label} free storage (bytes)",
        runbook(
            f"{identifier} has less than {props.database_free_storage_percent}% of its "
            f"{allocated_storage_gib} GiB free: storage autoscaling could not keep up or is at its maximum."
        ),
        rds("FreeStorageSpace", "Minimum"),
        threshold=free_storage_bytes,
        comparison="LessThanThreshold",
    )
    memory = capacity_alarm(
        f"{label}-freeable-memory",
        f"{label} freeable memory (bytes)",
        runbook(
            f"{identifier} had less than {props.database_freeable_memory_percent}% of its {memory_gib} GiB "
            "freeable for 15 minutes."
        ),
        rds("FreeableMemory", "Minimum"),
        threshold=freeable_bytes,
        comparison="LessThanThreshold",
    )
    connection_alarm = capacity_alarm(
        f"{label}-connections",
        f"{label} connections",
        runbook(
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
        lag = single_metric_alarm(
            f"{label}-replica-lag",
            f"{label} replica lag s",
            runbook(
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
