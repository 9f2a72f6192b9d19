"""Observability of a ChatStack: the alarms of everything it has, and the dashboard over them.

The stores give their own watches (`Component.watches(thresholds)`, each module's
alarms.py): `build_observability` only aggregates. The service tier's watches are built
here, because they join two modules: a colour's task count (modules/compute) depends on its
load balancer weight (modules/load_balancer); a colour without tasks is not watched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from constructs import Construct

from envconfig import EnvironmentConfig
from modules.common.inputs import props_from_block
from modules.common.stack_context import StackContext
from modules.compute.alarms import WatchedConnections, WatchedService, service_watch
from modules.compute.cluster import ComputeCluster
from modules.compute.props import RoutedServiceProps
from modules.compute.service import FargateService
from modules.load_balancer.alarms import load_balancer_watch
from modules.load_balancer.load_balancer import LoadBalancer, TargetGroupRef
from modules.observability.observability import Alarms, AlarmTopic, Dashboard
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch

# Services whose p99 response time is watched. The realtime service is not: Socket.IO's
# long-polling transport holds each GET open up to its ping interval (25 s) on purpose,
# so its percentiles measure the protocol, not the service's health.
LATENCY_WATCHED_SERVICES = ("api",)


@dataclass(frozen=True)
class Observability:
    """What build_observability created."""

    topic: AlarmTopic
    alarms: Alarms
    dashboard: Dashboard


def alarms_props(config: EnvironmentConfig, context: StackContext) -> AlarmsProps:
    """The thresholds and subscribers of the environment file's `alarms { }` block (every
    default without one), with the stack's `context`."""
    return props_from_block(
        AlarmsProps,
        config.alarms,
        **{**config.stack_inputs, "deletion_protection": config.deletion_protection, "context": context},
    )


@dataclass(frozen=True)
class ServiceTier:
    """The load balancer, the ECS cluster and the services: watched together (module docstring)."""

    load_balancer: LoadBalancer
    cluster: ComputeCluster
    services: Mapping[str, FargateService]

    def colour_tasks(self, service_name: str, colour: str) -> int:
        """Tasks a colour of a routed service runs when healthy, as FargateService sizes it:
        min_tasks while the colour takes traffic, standby_tasks while it waits."""
        props = self.services[service_name].props
        if not isinstance(props, RoutedServiceProps):  # only a routed service has colours
            raise TypeError(f"{service_name}: expected a routed service, got {type(props).__name__}")
        return props.min_tasks if self.takes_traffic(service_name, colour) else props.standby_tasks

    def takes_traffic(self, service_name: str, colour: str) -> bool:
        return self.load_balancer.props.weights_of(service_name).get(colour, 0) > 0

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        return (self._load_balancer_watch(thresholds), self._services_watch(thresholds))

    def _load_balancer_watch(self, thresholds: AlarmsProps) -> Watch:
        target_groups: dict[str, TargetGroupRef] = {}
        latency: list[str] = []
        for service_name, colours in self.load_balancer.target_groups.items():
            for colour, group in colours.items():
                # A colour with no task has no target to be healthy or not.
                if service_name in self.services and self.colour_tasks(service_name, colour) == 0:
                    continue
                label = f"{service_name}-{colour}"
                target_groups[label] = group
                if service_name in LATENCY_WATCHED_SERVICES and self.takes_traffic(service_name, colour):
                    latency.append(label)
        return load_balancer_watch(
            thresholds,
            load_balancer_arn_suffix=self.load_balancer.arn_suffix,
            target_groups=target_groups,
            latency_target_groups=latency,
        )

    @staticmethod
    def _connections(service: FargateService) -> WatchedConnections | None:
        if service.connections_namespace is None or service.connections_per_task is None:
            return None
        return WatchedConnections(service.connections_namespace, service.connections_per_task)

    def _services_watch(self, thresholds: AlarmsProps) -> Watch:
        watched = []
        for service_name, service in self.services.items():
            for colour, ecs_service_name in service.service_names.items():
                if not colour:  # the worker: one ECS service
                    watched.append(WatchedService(label=service_name, service_name=ecs_service_name))
                elif self.colour_tasks(service_name, colour) > 0:
                    watched.append(
                        WatchedService(
                            label=f"{service_name}-{colour}",
                            service_name=ecs_service_name,
                            load=self.takes_traffic(service_name, colour),
                            connections=self._connections(service),
                        )
                    )
        return service_watch(
            thresholds,
            cluster_name=self.cluster.name,
            services=watched,
            # Always true while CONTAINER_INSIGHTS has no "disabled"; kept for the day it has again.
            container_insights=self.cluster.props.container_insights != "disabled",  # type: ignore[comparison-overlap]
        )


def build_observability(
    scope: Construct, thresholds: AlarmsProps, topic: AlarmTopic, watches: Iterable[Watch]
) -> Observability:
    """The alarms of `watches`, in their order (the dashboard's rows), notifying `topic`, and the dashboard."""
    alarms = Alarms(scope, "alarms", props=thresholds, topic_arn=topic.arn)
    for watch in watches:
        alarms.add(watch)
    dashboard = Dashboard(scope, "dashboard", props=thresholds, alarms=alarms)
    return Observability(topic=topic, alarms=alarms, dashboard=dashboard)
