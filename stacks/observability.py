"""Observability wired into a ChatStack: the alarm topic, alarms for what the stack has, the dashboard.

`wire_observability(stack, config)` is called once every component exists (last in
ChatStack.__init__). It reads the components as the stack holds them and watches only
those present: a component the environment does not have (no database, MSK instead of
SQS, the Redis Cluster instead of ElastiCache) gets no alarm and no dashboard row.

Components and what is read of them (their typed attributes):
- load_balancer: arn_suffix, target_groups, props.weights_of(service);
- services (dict of FargateService) and cluster: service_names per colour, props
  (min_tasks, standby_tasks), cluster.name, cluster.props.container_insights;
- cache (ManagedCache): groups (replication_group_id), props.node_count;
- queues (dict of MessageQueue): name, dead_letter_name;
- database (Database): identifier, replica, props (instance_class, allocated_storage_gib);
- kafka (KafkaCluster, modules/msk): cluster_name, broker_count;
- document_db (DocumentDatabase, modules/documentdb): cluster_identifier,
  instance_identifiers, props.instance_class;
- redis_cluster (the Redis Cluster on EC2): metric_namespace, cluster_name (its nodes
  publish ClusterStateOk per ClusterName, modules/redis_cluster/node/metrics.sh).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modules.common.inputs import props_from_block
from modules.common.stack_context import StackContext
from modules.observability import Alarms, AlarmsProps, AlarmTopic, Dashboard, WatchedService
from modules.observability.specs import documentdb_max_connections

# Services whose p99 response time is watched. The realtime service is not: Socket.IO's
# long-polling transport holds each GET open up to its ping interval (25 s) on purpose,
# so its percentiles measure the protocol, not the service's health.
LATENCY_WATCHED_SERVICES = ("api",)


@dataclass(frozen=True)
class Observability:
    """What wire_observability created."""

    topic: AlarmTopic
    alarms: Alarms
    dashboard: Dashboard


def alarms_props(config: Any, context: StackContext | None = None) -> AlarmsProps:
    """The props from the environment file's `alarms { }` block (every default without one),
    with the stack's `context`."""
    supplied = {**config.stack_inputs, "deletion_protection": config.deletion_protection, "context": context}
    block = getattr(config, "alarms", None)
    if block is None:
        # Until the environment schema has the block, every threshold takes its default
        # and nobody is subscribed.
        return AlarmsProps(**supplied)
    return props_from_block(AlarmsProps, block, **supplied)


def colour_tasks(stack: Any, service_name: str, colour: str) -> int:
    """Tasks a colour of a routed service runs when healthy, as FargateService sizes it:
    min_tasks while the colour takes traffic, standby_tasks while it waits."""
    service = stack.services[service_name]
    weight = stack.load_balancer.props.weights_of(service_name).get(colour, 0)
    return service.props.min_tasks if weight > 0 else service.props.standby_tasks


def _takes_traffic(stack: Any, service_name: str, colour: str) -> bool:
    return stack.load_balancer.props.weights_of(service_name).get(colour, 0) > 0


def _watch_load_balancer(stack: Any, alarms: Alarms) -> None:
    load_balancer = stack.load_balancer
    target_groups, latency = {}, []
    for service_name, colours in load_balancer.target_groups.items():
        for colour, group in colours.items():
            # A colour with no task has no target to be healthy or not.
            if service_name in stack.services and colour_tasks(stack, service_name, colour) == 0:
                continue
            label = f"{service_name}-{colour}"
            target_groups[label] = group
            if service_name in LATENCY_WATCHED_SERVICES and _takes_traffic(stack, service_name, colour):
                latency.append(label)
    alarms.watch_load_balancer(
        load_balancer_arn_suffix=load_balancer.arn_suffix, target_groups=target_groups, latency_target_groups=latency
    )


def _watch_services(stack: Any, alarms: Alarms) -> None:
    watched = []
    for service_name, service in stack.services.items():
        for colour, ecs_service_name in service.service_names.items():
            if not colour:  # the worker: one ECS service
                watched.append(WatchedService(label=service_name, service_name=ecs_service_name))
            elif colour_tasks(stack, service_name, colour) > 0:
                watched.append(
                    WatchedService(
                        label=f"{service_name}-{colour}",
                        service_name=ecs_service_name,
                        load=_takes_traffic(stack, service_name, colour),
                    )
                )
    cluster = stack.cluster
    alarms.watch_services(
        cluster_name=cluster.name,
        services=watched,
        container_insights=cluster.props.container_insights != "disabled",
    )


def _watch_database(database: Any, alarms: Alarms) -> None:
    from modules.database.sizing import memory_gib

    alarms.watch_database(
        identifier=database.identifier,
        memory_gib=memory_gib(database.props.instance_class),
        allocated_storage_gib=database.props.allocated_storage_gib,
        replica_identifier=database.replica.identifier if database.replica is not None else None,
    )


def wire_observability(stack: Any, config: Any) -> Observability:
    """The alarm topic, the alarms of every component `stack` has, and the dashboard."""
    props = alarms_props(config, getattr(stack, "context", None))
    topic = AlarmTopic(stack, "alarm_topic", props=props)
    alarms = Alarms(stack, "alarms", props=props, topic_arn=topic.arn)

    if getattr(stack, "load_balancer", None) is not None:
        _watch_load_balancer(stack, alarms)
    if getattr(stack, "services", None) and getattr(stack, "cluster", None) is not None:
        _watch_services(stack, alarms)
    database = getattr(stack, "database", None)
    if database is not None:
        _watch_database(database, alarms)
    cache = getattr(stack, "cache", None)
    if cache is not None:
        for group in cache.groups.values():
            alarms.watch_cache(replication_group_id=group.replication_group_id, node_count=cache.props.node_count)
    for queue in (getattr(stack, "queues", None) or {}).values():
        alarms.watch_queue(queue_name=queue.name, dead_letter_queue_name=queue.dead_letter_name)
    kafka = getattr(stack, "kafka", None)
    if kafka is not None:
        alarms.watch_kafka(cluster_name=kafka.cluster_name, broker_count=kafka.broker_count)
    document_db = getattr(stack, "document_db", None)
    if document_db is not None:
        alarms.watch_documentdb(
            cluster_identifier=document_db.cluster_identifier,
            instance_identifiers=tuple(document_db.instance_identifiers),
            max_connections=documentdb_max_connections(document_db.props.instance_class),
        )
    redis_cluster = getattr(stack, "redis_cluster", None)
    if redis_cluster is not None:
        alarms.watch_redis_cluster(namespace=redis_cluster.metric_namespace, cluster_name=redis_cluster.cluster_name)

    dashboard = Dashboard(stack, "dashboard", props=props, alarms=alarms)
    return Observability(topic=topic, alarms=alarms, dashboard=dashboard)
