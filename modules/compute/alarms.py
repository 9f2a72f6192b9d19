"""The ECS services' alarms: CPU, memory and tasks below desired (a `Watch` of
modules/observability/specs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modules.observability.props import AlarmsProps
from modules.observability.specs import AlarmSpec, Evaluation, Metric, Panel, Watch, capacity_alarm, runbook


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
    cpu: list[AlarmSpec] = []
    memory: list[AlarmSpec] = []
    shortfall: list[AlarmSpec] = []
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
        for title, alarms in (("ECS CPU (%)", cpu), ("ECS memory (%)", memory), ("Tasks below desired", shortfall))
        if alarms
    )
    return Watch("ECS services", (*cpu, *memory, *shortfall), panels)
