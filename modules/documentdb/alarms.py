"""DocumentDB's alarms, per instance: CPU and connections against the class's limit
(sizing.py) (a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from modules.observability.props import AlarmsProps
from modules.observability.specs import Metric, Panel, Watch, capacity_alarm, runbook


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
            capacity_alarm(
                f"{label}-{index}-cpu",
                f"{label} {index} CPU %",
                runbook(
                    f"{instance} ({cluster_identifier}) averaged more than {props.documentdb_cpu_percent}% CPU for "
                    "15 minutes."
                ),
                Metric("AWS/DocDB", "CPUUtilization", dimensions, "Average"),
                threshold=props.documentdb_cpu_percent,
            )
        )
        connection_alarms.append(
            capacity_alarm(
                f"{label}-{index}-connections",
                f"{label} {index} connections",
                runbook(
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
