"""The diagram's nodes: one per component a reviewer thinks in (a service, a database, a NAT gateway),
each standing for the resources it is made of.

Pure functions of the stack document; each returns the nodes of one tier. Zones are kept on
the nodes (Node.zones, Node.placement), not in their text: the picture shows them in one table.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from diagram.access import resource_index, services_by_resource
from diagram.document import UNKNOWN_ZONE, StackDocument, zone_name
from diagram.model import COMPUTE_TIER, DATA_TIER, EDGE_TIER, NETWORK_TIER, ROUTE53, USERS, Node
from synthesized import as_list, reference, references, released_count

# Blue/green services are two aws_ecs_service resources named "<service>-blue" and
# "<service>-green"; a reviewer thinks of one service with two colours.
COLOUR_SUFFIX = re.compile(r"-(blue|green)$")
SUBNET_TIER_ORDER = ("public", "private", "data")
# Placement mark for a zone a managed service may use (its subnet group's), where AWS picks the zone.
SUBNET_GROUP_ZONE = "○"


def resource_node(address: str, kind: str, title: str, cluster: str, **fields: Any) -> Node:
    """A node that stands for one resource, named by its address."""
    return Node(id=address, kind=kind, title=title, cluster=cluster, resources=(address,), **fields)


def zone_cluster(zone: str) -> str:
    return f"zone:{zone}"


def security_groups(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for v in values for a in references(v) if a.startswith("aws_security_group.")))


def subnet_zones(doc: StackDocument, subnets: Any) -> tuple[str, ...]:
    zones = {zone_name(doc.block(a).get("availability_zone")) for a in references(subnets) if "aws_subnet." in a}
    return tuple(sorted(zones))


def name_tag(block: dict[str, Any]) -> str:
    tags = block.get("tags") or {}
    return str(tags.get("Name", "")) if isinstance(tags, dict) else ""


def gib(mebibytes: Any) -> str:
    value = int(mebibytes)
    return f"{value // 1024} GiB" if value % 1024 == 0 else f"{value} MiB"


def compact(*parts: Any) -> str:
    """The non-empty parts joined with " · "."""
    return " · ".join(str(p) for p in parts if p not in (None, "", []))


def lines(*parts: Any) -> tuple[str, ...]:
    """The non-empty parts, as a node's detail lines."""
    return tuple(str(p) for p in parts if p not in (None, "", []))


def wrap(prefix: str, words: list[str], width: int = 44) -> list[str]:
    """`prefix` then `words` comma-separated, broken into lines of about `width` characters."""
    wrapped, line = [], prefix
    for word in words:
        candidate = f"{line} {word}," if line else f"{word},"
        if len(candidate) > width and line not in ("", prefix):
            wrapped.append(line)
            candidate = f"  {word},"
        line = candidate
    wrapped.append(line.rstrip(","))
    return wrapped


def subnet_group_zones(doc: StackDocument, subnet_group: Any) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(zones, placement) of a managed service placed by a subnet group: AWS picks among its zones (○)."""
    zones = subnet_zones(doc, doc.block(reference(subnet_group)).get("subnet_ids"))
    return zones, tuple((zone, SUBNET_GROUP_ZONE) for zone in zones)


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count} {singular if count == 1 else many or singular + 's'}"


# -- network: subnets and NAT gateways per zone, the internet gateway, VPC endpoints ------------------


def network_nodes(doc: StackDocument) -> list[Node]:
    nodes = subnet_nodes(doc)
    for address, nat in doc.items("aws_nat_gateway"):
        zone = (subnet_zones(doc, nat.get("subnet_id")) or (UNKNOWN_ZONE,))[0]
        eip = [a for a in references(nat.get("allocation_id")) if a.startswith("aws_eip.")]
        nodes.append(
            Node(
                id=address,
                kind="nat_gateway",
                title="NAT gateway",
                cluster=zone_cluster(zone),
                details=lines(doc.short_name(name_tag(nat))),
                zones=(zone,),
                resources=(address, *eip),
            )
        )
    for address, _ in doc.items("aws_internet_gateway"):
        nodes.append(resource_node(address, "internet_gateway", "Internet gateway", NETWORK_TIER))
    endpoints = endpoint_node(doc)
    return nodes + ([endpoints] if endpoints else [])


def subnet_nodes(doc: StackDocument) -> list[Node]:
    """One node per subnet, titled by its tier (the Tier tag: public, private, data), in tier order."""
    subnets = []
    for address, subnet in doc.items("aws_subnet"):
        tier = str((subnet.get("tags") or {}).get("Tier", "subnet"))
        zone = zone_name(subnet.get("availability_zone"))
        subnets.append(
            resource_node(
                address,
                "subnet",
                tier,
                zone_cluster(zone),
                details=lines(subnet.get("cidr_block", "?")),
                zones=(zone,),
            )
        )
    return sorted(subnets, key=lambda n: (_order(n.title, SUBNET_TIER_ORDER), n.zones, n.details))


def _order(value: str, order: tuple[str, ...]) -> int:
    return order.index(value) if value in order else len(order)


def endpoint_node(doc: StackDocument) -> Node | None:
    """All VPC endpoints as one node: the services they serve, interface ones by the zones they are in."""
    endpoints = doc.items("aws_vpc_endpoint")
    if not endpoints:
        return None
    gateway, interface_by_zones = [], defaultdict(list)
    per_zone: dict[str, int] = defaultdict(int)
    for _, endpoint in endpoints:
        service = re.sub(rf"^com\.amazonaws\.{re.escape(doc.region)}\.", "", str(endpoint.get("service_name", "?")))
        if endpoint.get("vpc_endpoint_type", "Gateway") == "Gateway":
            gateway.append(service)
            continue
        zones = subnet_zones(doc, endpoint.get("subnet_ids"))
        interface_by_zones[zones].append(service)
        for zone in zones:
            per_zone[zone] += 1
    details = wrap("gateway:", sorted(gateway)) if gateway else []
    for zones, services in sorted(interface_by_zones.items()):
        details += wrap(f"interface ({', '.join(doc.zone_label(z) for z in zones)}):", sorted(services))
    return Node(
        id="vpc_endpoints",
        kind="vpc_endpoints",
        title=f"VPC endpoints ({len(endpoints)})",
        cluster=NETWORK_TIER,
        details=tuple(details),
        zones=tuple(sorted(per_zone)),
        resources=tuple(a for a, _ in endpoints),
        security_groups=security_groups(*(e.get("security_group_ids") for _, e in endpoints)),
        placement=tuple((zone, plural(count, "interface")) for zone, count in sorted(per_zone.items())),
    )


# -- edge: DNS, CDN, WAF, load balancers, API Gateway -------------------------------------------------


def edge_nodes(doc: StackDocument) -> list[Node]:
    nodes = [Node(id=USERS, kind="users", title="Users", cluster=None, details=("internet",))]
    records = doc.items("aws_route53_record")
    if records:
        zones = sorted({str(doc.data_block(r.get("zone_id")).get("name") or "") for _, r in records} - {""})
        aliases = {str(r.get("name")) for _, r in records if r.get("alias")}
        nodes.append(
            Node(
                id=ROUTE53,
                kind="route53",
                title="Route 53",
                cluster=EDGE_TIER,
                details=lines(*zones, plural(len(aliases), "alias name")),
                resources=tuple(a for a, _ in records),
            )
        )
    for address, distribution in doc.items("aws_cloudfront_distribution"):
        nodes.append(
            resource_node(
                address,
                "cloudfront",
                "CloudFront",
                EDGE_TIER,
                details=lines(distribution.get("price_class")),
            )
        )
    return nodes + waf_nodes(doc) + load_balancer_nodes(doc) + api_gateway_nodes(doc) + origin_bucket_nodes(doc)


def waf_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, acl in doc.items("aws_wafv2_web_acl"):
        rules = as_list(acl.get("rule"))
        kinds = [next(iter(r.get("statement") or {"other": None})) for r in rules]
        managed = kinds.count("managed_rule_group_statement")
        rate = kinds.count("rate_based_statement")
        nodes.append(
            resource_node(
                address,
                "waf",
                f"WAF ({str(acl.get('scope', '')).lower()})",
                EDGE_TIER,
                details=lines(
                    plural(len(rules), "rule"),
                    compact(
                        plural(managed, "managed group") if managed else "", plural(rate, "rate limit") if rate else ""
                    ),
                ),
            )
        )
    return nodes


def load_balancer_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, lb in doc.items("aws_lb"):
        network = lb.get("load_balancer_type") == "network"
        listeners = [
            (a, listener)
            for a, listener in doc.items("aws_lb_listener")
            if reference(listener.get("load_balancer_arn")) == address
        ]
        ports = ", ".join(f"{lst.get('protocol', '')} :{lst.get('port')}".strip() for _, lst in listeners)
        nodes.append(
            Node(
                id=address,
                kind="nlb" if network else "alb",
                title=f"{'Network' if network else 'Application'} LB",
                cluster=EDGE_TIER,
                details=lines("internal" if lb.get("internal") else "internet-facing", ports),
                zones=subnet_zones(doc, lb.get("subnets")),
                resources=(address, *(a for a, _ in listeners)),
                security_groups=security_groups(lb.get("security_groups")),
            )
        )
    return nodes


def api_gateway_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, api in doc.items("aws_apigatewayv2_api"):
        mappings = [m for _, m in doc.items("aws_apigatewayv2_api_mapping") if reference(m.get("api_id")) == address]
        domains = [d for m in mappings if (d := reference(m.get("domain_name")))]
        nodes.append(
            Node(
                id=address,
                kind="api_gateway",
                title=f"API Gateway ({str(api.get('protocol_type', 'HTTP')).lower()})",
                cluster=EDGE_TIER,
                details=lines(*(doc.block(d).get("domain_name") for d in domains)),
                resources=(address, *domains),
            )
        )
    return nodes


def origin_bucket_nodes(doc: StackDocument) -> list[Node]:
    """The buckets CloudFront serves from: part of the edge, where a reviewer looks for them."""
    nodes = []
    for _, distribution in doc.items("aws_cloudfront_distribution"):
        for origin in as_list(distribution.get("origin")):
            bucket = reference(origin.get("domain_name"))
            if bucket and bucket.startswith("aws_s3_bucket."):
                nodes.append(
                    resource_node(
                        bucket,
                        "s3",
                        "S3 static site",
                        EDGE_TIER,
                        details=lines(doc.short_name(name_tag(doc.block(bucket)))),
                    )
                )
    return nodes


# -- compute: ECS services (one node per service, both colours) ---------------------------------------


def service_key(doc: StackDocument, service: dict[str, Any]) -> str:
    return COLOUR_SUFFIX.sub("", doc.short_name(service.get("name")))


def service_colour(service: dict[str, Any]) -> str:
    match = COLOUR_SUFFIX.search(str(service.get("name", "")))
    return match.group(1) if match else ""


def compute_nodes(doc: StackDocument) -> list[Node]:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for address, service in doc.items("aws_ecs_service"):
        groups[service_key(doc, service)].append((address, service))
    nodes = []
    for key, services in sorted(groups.items()):
        addresses = [a for a, _ in services]
        task_definitions = [t for t in dict.fromkeys(reference(s.get("task_definition")) for _, s in services) if t]
        scaling = [
            a
            for a, target in doc.items("aws_appautoscaling_target")
            if set(addresses) & set(references(target.get("resource_id")))
        ]
        networks = [s.get("network_configuration") or {} for _, s in services]
        nodes.append(
            Node(
                id=f"ecs_service:{key}",
                kind="ecs_service",
                title=key,
                cluster=COMPUTE_TIER,
                details=lines(
                    task_size(doc, task_definitions[0] if task_definitions else None),
                    task_counts(doc, services),
                    capacity_text(doc, services[0][1]),
                ),
                zones=subnet_zones(doc, [n.get("subnets") for n in networks]),
                resources=tuple(addresses + task_definitions + scaling),
                security_groups=security_groups(*(n.get("security_groups") for n in networks)),
            )
        )
    return nodes + ec2_group_nodes(doc, data_tier=False)


def task_size(doc: StackDocument, task_definition: str | None) -> str:
    task = doc.block(task_definition)
    if not task:
        return ""
    cpu = str(task.get("cpu"))
    architecture = (task.get("runtime_platform") or {}).get("cpu_architecture", "X86_64")
    return compact(
        f"{int(cpu) / 1024:g} vCPU" if cpu.isdigit() else "",
        gib(task["memory"]) if str(task.get("memory")).isdigit() else "",
        "ARM" if architecture == "ARM64" else "x86",
    )


def task_counts(doc: StackDocument, services: list[tuple[str, dict[str, Any]]]) -> str:
    """ "tasks 3 (3–5) blue + 1 green": desired count per colour, with the autoscaling range where it differs."""
    parts = []
    for address, service in sorted(services, key=lambda s: service_colour(s[1])):
        ranges = [
            (released_count(t.get("min_capacity")), released_count(t.get("max_capacity")))
            for _, t in doc.items("aws_appautoscaling_target")
            if address in references(t.get("resource_id"))
        ]
        span = f" ({ranges[0][0]}–{ranges[0][1]})" if ranges and ranges[0][0] != ranges[0][1] else ""
        desired = released_count(service.get("desired_count", "?"))
        parts.append(f"{desired}{span} {service_colour(service)}".strip())
    return "tasks " + " + ".join(parts)


def capacity_text(doc: StackDocument, service: dict[str, Any]) -> str:
    """How the tasks split between on-demand and Spot, from the service's (or the cluster's) strategy."""
    strategy = as_list(service.get("capacity_provider_strategy"))
    cluster = reference(service.get("cluster"))
    for _, providers in doc.items("aws_ecs_cluster_capacity_providers"):
        if not strategy and cluster and cluster in references(providers.get("cluster_name")):
            strategy = as_list(providers.get("default_capacity_provider_strategy"))
    if not strategy:
        return f"{service.get('launch_type', 'FARGATE')} on-demand"
    weights = {s.get("capacity_provider"): int(s.get("weight") or 0) for s in strategy}
    base = sum(int(s.get("base") or 0) for s in strategy if s.get("capacity_provider") == "FARGATE")
    spot, on_demand = weights.get("FARGATE_SPOT", 0), weights.get("FARGATE", 0)
    if not spot:
        return "on-demand only"
    share = round(100 * spot / (spot + on_demand))
    if share == 100 and not base:
        return "all Spot"
    return f"Spot {share}% above {base} on-demand" if base else f"Spot {share}%"


# -- data: databases, caches, queues, buckets, streams, tables ----------------------------------------


def data_nodes(doc: StackDocument) -> list[Node]:
    return (
        database_nodes(doc)
        + cache_nodes(doc)
        + queue_nodes(doc)
        + app_bucket_nodes(doc)
        + msk_nodes(doc)
        + documentdb_nodes(doc)
        + dynamodb_nodes(doc)
        + ec2_group_nodes(doc, data_tier=True)
    )


def database_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    # The primary before its replicas, whatever their construct names.
    instances = sorted(doc.items("aws_db_instance"), key=lambda item: bool(item[1].get("replicate_source_db")))
    for address, db in instances:
        source = reference(db.get("replicate_source_db"))
        engine = doc.block(source).get("engine") if source else db.get("engine", "db")
        storage = f"{db['allocated_storage']} GiB {db.get('storage_type', '')}" if db.get("allocated_storage") else ""
        zones, placement = subnet_group_zones(doc, db.get("db_subnet_group_name"))
        if db.get("availability_zone"):
            zones, placement = (zone_name(db["availability_zone"]),), ()
        nodes.append(
            resource_node(
                address,
                "rds_replica" if source else "rds",
                "RDS read replica" if source else " ".join(lines("RDS", engine, db.get("engine_version"))),
                DATA_TIER,
                details=lines(
                    compact(db.get("instance_class"), storage.strip()), "Multi-AZ" if db.get("multi_az") else ""
                ),
                zones=zones,
                security_groups=security_groups(db.get("vpc_security_group_ids")),
                placement=placement,
            )
        )
    for address, proxy in doc.items("aws_db_proxy"):
        nodes.append(
            resource_node(
                address,
                "rds_proxy",
                "RDS Proxy",
                DATA_TIER,
                details=lines(str(proxy.get("engine_family", "")).lower()),
                zones=subnet_zones(doc, proxy.get("vpc_subnet_ids")),
                security_groups=security_groups(proxy.get("vpc_security_group_ids")),
            )
        )
    return nodes


def cache_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, group in doc.items("aws_elasticache_replication_group"):
        shards = group.get("num_node_groups")
        replicas = int(group.get("replicas_per_node_group") or 0)
        count = f"{shards} shards × {1 + replicas}" if shards else group.get("num_cache_clusters", 1)
        zones, placement = subnet_group_zones(doc, group.get("subnet_group_name"))
        if group.get("preferred_cache_cluster_azs"):
            zones = tuple(sorted({zone_name(z) for z in as_list(group["preferred_cache_cluster_azs"])}))
            placement = ()
        nodes.append(
            resource_node(
                address,
                "elasticache",
                " ".join(lines("ElastiCache", group.get("engine", "redis"), group.get("engine_version"))),
                DATA_TIER,
                details=lines(
                    f"{count} × {group.get('node_type', '?')}",
                    compact(
                        "Multi-AZ" if group.get("multi_az_enabled") else "",
                        "auto failover" if group.get("automatic_failover_enabled") else "",
                    ),
                ),
                zones=zones,
                placement=placement,
                security_groups=security_groups(group.get("security_group_ids")),
            )
        )
    return nodes


def dead_letter_queues(doc: StackDocument) -> dict[str, tuple[str, Any]]:
    """queue address -> (its dead-letter queue's address, maxReceiveCount), from the redrive policies."""
    index = resource_index(doc)
    found = {}
    for address, queue in doc.items("aws_sqs_queue"):
        try:
            redrive = json.loads(queue["redrive_policy"]) if queue.get("redrive_policy") else {}
        except (TypeError, json.JSONDecodeError):
            redrive = {}
        target = str(redrive.get("deadLetterTargetArn", ""))
        dlq = reference(target) or index.get(("sqs", target.rsplit(":", 1)[-1]))
        if dlq:
            found[address] = (dlq, redrive.get("maxReceiveCount"))
    return found


def queue_nodes(doc: StackDocument) -> list[Node]:
    """One node per queue, its dead-letter queue folded in (a DLQ is part of its queue's design)."""
    dead_letter = dead_letter_queues(doc)
    folded = {dlq for dlq, _ in dead_letter.values()}
    nodes = []
    for address, queue in doc.items("aws_sqs_queue"):
        if address in folded:
            continue
        dlq, receives = dead_letter.get(address, (None, None))
        nodes.append(
            Node(
                id=address,
                kind="sqs",
                title=f"SQS {doc.short_name(queue.get('name'))}",
                cluster=DATA_TIER,
                details=lines(
                    "FIFO" if queue.get("fifo_queue") else "", f"DLQ after {receives} receives" if dlq else ""
                ),
                resources=(address, dlq) if dlq else (address,),
            )
        )
    return nodes


def app_bucket_nodes(doc: StackDocument) -> list[Node]:
    """The buckets a service's task role names (e.g. attachments); log and backup buckets are only counted."""
    used = services_by_resource(doc)
    versioned = {
        reference(v.get("bucket"))
        for _, v in doc.items("aws_s3_bucket_versioning")
        if (v.get("versioning_configuration") or {}).get("status") == "Enabled"
    }
    return [
        resource_node(
            address,
            "s3",
            f"S3 {doc.short_name(name_tag(bucket)) or address.split('.')[1]}",
            DATA_TIER,
            details=lines("versioned" if address in versioned else ""),
        )
        for address, bucket in doc.items("aws_s3_bucket")
        if address in used
    ]


def msk_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, cluster in doc.items("aws_msk_cluster"):
        brokers = cluster.get("broker_node_group_info") or {}
        volume = ((brokers.get("storage_info") or {}).get("ebs_storage_info") or {}).get("volume_size")
        nodes.append(
            resource_node(
                address,
                "msk",
                " ".join(lines("MSK Kafka", cluster.get("kafka_version"))),
                DATA_TIER,
                details=lines(
                    f"{cluster.get('number_of_broker_nodes', '?')} brokers × {brokers.get('instance_type', '?')}",
                    f"{volume} GiB each" if volume else "",
                ),
                zones=subnet_zones(doc, brokers.get("client_subnets")),
                security_groups=security_groups(brokers.get("security_groups")),
            )
        )
    return nodes


def documentdb_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, cluster in doc.items("aws_docdb_cluster"):
        instances = [
            (a, i)
            for a, i in doc.items("aws_docdb_cluster_instance")
            if reference(i.get("cluster_identifier")) == address
        ]
        by_zone: dict[str, list[str]] = defaultdict(list)
        for _, instance in instances:
            if instance.get("availability_zone"):
                by_zone[zone_name(instance["availability_zone"])].append(doc.short_name(instance.get("identifier")))
        zones, placement = subnet_group_zones(doc, cluster.get("db_subnet_group_name"))
        if by_zone:
            zones, placement = tuple(sorted(by_zone)), tuple((z, ", ".join(n)) for z, n in sorted(by_zone.items()))
        classes = "/".join(sorted({str(i.get("instance_class")) for _, i in instances}))
        nodes.append(
            Node(
                id=address,
                kind="documentdb",
                title=" ".join(lines("DocumentDB", cluster.get("engine_version"))),
                cluster=DATA_TIER,
                details=lines(f"{plural(len(instances), 'instance')} × {classes}"),
                zones=zones,
                resources=(address, *(a for a, _ in instances)),
                security_groups=security_groups(cluster.get("vpc_security_group_ids")),
                placement=placement,
            )
        )
    return nodes


def dynamodb_nodes(doc: StackDocument) -> list[Node]:
    nodes = []
    for address, table in doc.items("aws_dynamodb_table"):
        on_demand = table.get("billing_mode") == "PAY_PER_REQUEST"
        replicas = [str(r.get("region_name")) for r in as_list(table.get("replica"))]
        nodes.append(
            resource_node(
                address,
                "dynamodb",
                f"DynamoDB {doc.short_name(table.get('name'))}",
                DATA_TIER,
                details=lines(
                    "on-demand"
                    if on_demand
                    else f"{table.get('read_capacity', '?')} RCU / {table.get('write_capacity', '?')} WCU",
                    f"replicas: {', '.join(replicas)}" if replicas else "",
                ),
            )
        )
    return nodes


# -- EC2 instances: grouped (a Redis Cluster's nodes are one component) -------------------------------


def instance_interface(instance: dict[str, Any]) -> str | None:
    """Address of the network interface an instance is launched with, if it names one."""
    return reference((instance.get("primary_network_interface") or {}).get("network_interface_id"))


def instance_security_groups(doc: StackDocument, instance: dict[str, Any]) -> tuple[str, ...]:
    interface = doc.block(instance_interface(instance))
    return security_groups(instance.get("vpc_security_group_ids"), interface.get("security_groups"))


def instance_zone(doc: StackDocument, instance: dict[str, Any]) -> str:
    interface = doc.block(instance_interface(instance))
    zones = subnet_zones(doc, instance.get("subnet_id") or interface.get("subnet_id"))
    return zones[0] if zones else zone_name(instance.get("availability_zone"))


def ec2_group_nodes(doc: StackDocument, *, data_tier: bool) -> list[Node]:
    """Instances tagged RedisCluster (data tier), or else sharing security groups (compute tier), as one node."""
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for address, instance in doc.items("aws_instance"):
        tags = instance.get("tags") or {}
        if bool(tags.get("RedisCluster")) == data_tier:
            key = tags.get("RedisCluster") or ",".join(instance_security_groups(doc, instance))
            groups[str(key)].append((address, instance))
    return [_ec2_group_node(doc, key, members, data_tier) for key, members in sorted(groups.items())]


def _ec2_group_node(doc: StackDocument, key: str, members: list[tuple[str, dict[str, Any]]], data_tier: bool) -> Node:
    addresses = [a for a, _ in members]
    interfaces = [a for _, i in members if (a := instance_interface(i))]
    attachments = [
        (a, v) for a, v in doc.items("aws_volume_attachment") if reference(v.get("instance_id")) in addresses
    ]
    volumes = [v for _, attachment in attachments if (v := reference(attachment.get("volume_id")))]
    sizes = sorted({f"{doc.block(v).get('size', '?')} GiB {doc.block(v).get('type', '')}".strip() for v in volumes})
    by_zone: dict[str, list[str]] = defaultdict(list)
    for _, instance in members:
        label = (instance.get("tags") or {}).get("RedisClusterNode") or doc.short_name(name_tag(instance))
        by_zone[instance_zone(doc, instance)].append(str(label))
    types = "/".join(sorted({str(i.get("instance_type")) for _, i in members}))
    return Node(
        id=f"ec2:{key}",
        kind="ec2_redis_cluster" if data_tier else "ec2_instances",
        title="Redis Cluster on EC2" if data_tier else "EC2 instances",
        cluster=DATA_TIER if data_tier else COMPUTE_TIER,
        details=lines(f"{len(members)} × {types}", f"data volume {'/'.join(sizes)} each" if sizes else ""),
        zones=tuple(sorted(by_zone)),
        resources=tuple(addresses + interfaces + [a for a, _ in attachments] + volumes),
        security_groups=security_groups(
            *(i.get("vpc_security_group_ids") for _, i in members),
            *(doc.block(a).get("security_groups") for a in interfaces),
        ),
        placement=tuple((zone, ", ".join(names)) for zone, names in sorted(by_zone.items())),
    )
