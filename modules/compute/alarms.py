"""The ECS services' alarms: CPU, memory, connections per task (realtime) and tasks below
desired (a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from modules.compute.sizing import CONNECTIONS_METRIC_NAME
from modules.observability.props import AlarmsProps
from modules.observability.specs import (
    SUSTAINED,
    AlarmSpec,
    Evaluation,
    Metric,
    Panel,
    Watch,
    capacity_alarm,
    runbook,
    single_metric_alarm,
)


@dataclass(frozen=True)
class WatchedConnections:
    """Where a service's tasks publish their open connections (FargateService.connections_namespace)
    and the per-task count its autoscaling tracks (connections_per_task)."""

    namespace: str
    per_task_target: int


@dataclass(frozen=True)
class WatchedService:
    """One ECS service: `label` names its alarms ("api-blue"); `load` adds the CPU and memory
    alarms (off for a colour that takes no traffic: its load means nothing); `connections`
    adds the connections-per-task alarm where it carries load (the realtime service)."""

    label: str
    service_name: str
    load: bool = True
    connections: WatchedConnections | None = None


def service_watch(
    props: AlarmsProps, *, cluster_name: str, services: Sequence[WatchedService], container_insights: bool = True
) -> Watch:
    """Per ECS service: CPU, memory (AWS/ECS) and running below desired. The task counts come
    from Container Insights only: without it (`container_insights=False`) that alarm is left
    out, since its metrics would never arrive and "breaching" would page for ever."""
    cpu: list[AlarmSpec] = []
    memory: list[AlarmSpec] = []
    shortfall: list[AlarmSpec] = []
    connections: list[AlarmSpec] = []
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
                    capacity_alarm(
                        f"{service.label}-{what}",
                        f"{service.label} {what} %",
                        runbook(
                            f"{service.service_name} averaged more than {threshold}% {what} for 15 minutes: "
                            "autoscaling is at max_tasks or cannot start tasks."
                        ),
                        Metric("AWS/ECS", metric_name, dimensions, "Average"),
                        threshold=threshold,
                    )
                )
        if service.load and service.connections is not None:
            connections.append(connections_alarm(props, service, service.connections))
        if not container_insights:
            continue
        shortfall.append(
            AlarmSpec(
                key=f"{service.label}-tasks-below-desired",
                label=f"{service.label} tasks missing",
                description=runbook(
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
        for title, alarms in (
            ("ECS CPU (%)", cpu),
            ("ECS memory (%)", memory),
            ("Connections per task", connections),
            ("Tasks below desired", shortfall),
        )
        if alarms
    )
    return Watch("ECS services", (*cpu, *memory, *connections, *shortfall), panels)


def connections_alarm(props: AlarmsProps, service: WatchedService, watched: WatchedConnections) -> AlarmSpec:
    """Average open connections per task above realtime_connections_percent_of_target of the
    scaling target for 15 minutes: autoscaling holds the average near the target, so well
    above it for a quarter of an hour is max_tasks reached or tasks that cannot start, with
    each task nearer the count where it saturates (seed 004: modules/compute/sizing.py)."""
    threshold = ceil(watched.per_task_target * props.realtime_connections_percent_of_target / 100)
    return single_metric_alarm(
        f"{service.label}-connections",
        f"{service.label} connections per task",
        runbook(
            f"{service.service_name} averaged more than {threshold} open connections per task for 15 minutes "
            f"(scaling target {watched.per_task_target}): autoscaling is at max_tasks or cannot start tasks."
        ),
        Metric(watched.namespace, CONNECTIONS_METRIC_NAME, {"ServiceName": service.service_name}, "Average"),
        threshold=threshold,
        comparison="GreaterThanThreshold",
        evaluation=SUSTAINED,
        # The application publishes this metric, not AWS: silence is a service not yet
        # released or an application not publishing, not saturation, and the tasks-below-
        # desired alarm already pages for a service that is down.
        missing_data="notBreaching",
    )
