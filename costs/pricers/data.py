"""Data: RDS (instances, Multi-AZ, storage, Proxy, replicas, Performance Insights), ElastiCache,
DocumentDB, DynamoDB, MSK, S3, SQS and AWS Backup."""

from __future__ import annotations

from typing import Any

from costs.model import Component, NotModelled, Priced, Pricer, PricingContext, integer, supported
from costs.stack import Resource, as_list, first_block

# RDS gp3 includes 3,000 IOPS and 125 MiB/s below 400 GB, 12,000 and 500 MiB/s from 400 GB
# (PostgreSQL, MySQL, MariaDB; "Amazon RDS DB instance storage" in the RDS guide).
RDS_GP3_LARGE_VOLUME_GB = 400
RDS_GP3_INCLUDED = {False: (3000, 125), True: (12000, 500)}
SECONDS_PER_HOUR = 3600
KB_PER_GB = 1024 * 1024
# Custom metrics each MSK enhanced-monitoring level adds, cumulatively, per broker.
MSK_MONITORING_LEVELS = {
    "DEFAULT": (),
    "PER_BROKER": ("per_broker_level_metrics",),
    "PER_TOPIC_PER_BROKER": ("per_broker_level_metrics", "per_topic_per_broker_level_metrics"),
    "PER_TOPIC_PER_PARTITION": (
        "per_broker_level_metrics",
        "per_topic_per_broker_level_metrics",
        "per_topic_per_partition_level_metrics",
    ),
}
# What AWS Backup protects, by what the selection names: a resource reference or an ARN.
BACKUP_KINDS_BY_TYPE = {
    "aws_db_instance": "rds",
    "aws_rds_cluster": "rds",
    "aws_s3_bucket": "s3",
    "aws_dynamodb_table": "dynamodb",
    "aws_docdb_cluster": "documentdb",
    "aws_ebs_volume": "ebs",
    "aws_instance": "ebs",
}
BACKUP_KINDS_BY_ARN = {
    "arn:aws:rds:": "rds",
    "arn:aws:s3:::": "s3",
    "arn:aws:dynamodb:": "dynamodb",
    "arn:aws:ec2:": "ebs",
}


def managed_secret(ctx: PricingContext, body: Any, owner: str) -> list[Component]:
    """The Secrets Manager secret RDS or DocumentDB creates for a managed master password."""
    if body.get("manage_master_user_password") is not True:
        return []
    return [
        ctx.charge(f"master password secret (kept by {owner})", 1, "secret-month", "secrets_manager", "secret_month")
    ]


def price_db_instance(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    source_reference = body.get("replicate_source_db")
    source = ctx.stack.referenced(source_reference)
    if source_reference and source is None and body.get("allocated_storage") is None:
        raise NotModelled("a replica of a database outside this stack: its engine and storage are unknown")
    origin = source.body if source is not None else {}
    engine = body.get("engine") or origin.get("engine")
    if not engine:
        raise NotModelled("no engine (and no source database in this stack to take it from)")
    instance_class = body.get("instance_class")
    multi_az = body.get("multi_az") is True
    copies = ctx.rate("rds", "multi_az_factor") if multi_az else 1
    role = "read replica" if source_reference else ("Multi-AZ: primary + standby" if multi_az else "single-AZ")
    components = [
        ctx.charge(
            f"{instance_class} {engine} ({role})",
            copies * ctx.hours,
            "h",
            "rds",
            f"{engine}_instance_hourly",
            str(instance_class),
        )
    ]
    storage = integer(body.get("allocated_storage") or origin.get("allocated_storage"), 0)
    if not storage:
        raise NotModelled("no allocated storage in the JSON (restored from a snapshot?)")
    storage_type = body.get("storage_type") or origin.get("storage_type") or ("io1" if body.get("iops") else "gp2")
    components += _rds_storage(ctx, storage, storage_type, body, copies)
    retention = integer(body.get("performance_insights_retention_period"), 7)
    if body.get("performance_insights_enabled") is True and retention > ctx.rate(
        "rds", "performance_insights_free_days"
    ):
        components.append(
            Component(
                f"Performance Insights, {retention} days retained",
                ctx.table.vcpus(str(instance_class)),
                "vCPU-month",
                ctx.rate("rds", "performance_insights_long_term_vcpu_month"),
            )
        )
    interval = integer(body.get("monitoring_interval"), 0)
    if interval > 0:
        samples = ctx.hours * SECONDS_PER_HOUR / interval
        gigabytes = samples * ctx.assumptions.number("rds", "enhanced_monitoring_kb_per_sample") / KB_PER_GB
        rate = ctx.rate("cloudwatch", "logs_standard_ingest_gb")
        components.append(Component(f"Enhanced Monitoring every {interval} s (CloudWatch Logs)", gigabytes, "GB", rate))
    components += managed_secret(ctx, body, "RDS")
    notes = []
    if integer(body.get("max_allocated_storage"), 0) > storage:
        notes.append(f"storage may grow to {body['max_allocated_storage']} GB; priced at {storage} GB")
    return Priced(components, notes)


def _rds_storage(ctx: PricingContext, storage: int, storage_type: str, body: Any, copies: float) -> list[Component]:
    components = [
        ctx.charge(
            f"{storage} GB {storage_type} storage" + (" x 2 (standby)" if copies > 1 else ""),
            storage * copies,
            "GB-month",
            "rds",
            "storage_gb_month",
            storage_type,
        )
    ]
    iops = integer(body.get("iops"), 0)
    if storage_type == "gp3":
        included_iops, included_throughput = RDS_GP3_INCLUDED[storage >= RDS_GP3_LARGE_VOLUME_GB]
        throughput = integer(body.get("storage_throughput"), 0)
        if iops > included_iops:
            rate = ctx.rate("rds", "provisioned_iops_month", "gp3")
            components.append(Component("IOPS above the included", (iops - included_iops) * copies, "IOPS-month", rate))
        if throughput > included_throughput:
            rate = ctx.rate("rds", "gp3_throughput_mibps_month")
            extra = (throughput - included_throughput) * copies
            components.append(Component("throughput above the included", extra, "MiB/s-month", rate))
    elif storage_type in ("io1", "io2"):
        rate = ctx.rate("rds", "provisioned_iops_month", storage_type)
        components.append(Component("provisioned IOPS", iops * copies, "IOPS-month", rate))
    return components


def price_db_proxy(resource: Resource, ctx: PricingContext) -> Priced:
    targets = ctx.stack.referrers("aws_db_proxy_target", "db_proxy_name", resource)
    if any(target.body.get("db_cluster_identifier") for target in targets):
        raise NotModelled("targets an Aurora cluster, which RDS Proxy prices per cluster capacity (not modelled)")
    instances = [ctx.stack.referenced(target.body.get("db_instance_identifier")) for target in targets]
    if not instances or any(instance is None for instance in instances):
        raise NotModelled("its target is not a database instance of this stack")
    minimum = ctx.rate("rds", "proxy_minimum_vcpus")
    components = []
    for instance in instances:
        instance_class = str(instance.body.get("instance_class"))
        vcpus = max(ctx.table.vcpus(instance_class), minimum)
        what = f"RDS Proxy for {instance.name} ({instance_class}: {vcpus:g} vCPU)"
        components.append(ctx.charge(what, vcpus * ctx.hours, "vCPU-h", "rds", "proxy_vcpu_hourly"))
    return Priced(components)


def _cache_node_rate(ctx: PricingContext, node_type: str, engine: str) -> float:
    rate = ctx.rate("elasticache", "node_hourly", node_type)
    return rate * ctx.rate("elasticache", "valkey_node_factor") if engine == "valkey" else rate


def price_elasticache_replication_group(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    engine = body.get("engine", "redis")
    if body.get("num_node_groups") is not None:
        nodes = integer(body["num_node_groups"]) * (1 + integer(body.get("replicas_per_node_group"), 0))
    else:
        nodes = integer(body.get("num_cache_clusters"), 1)
    node_type = str(body.get("node_type"))
    rate = _cache_node_rate(ctx, node_type, engine)
    return Priced([Component(f"{nodes} x {node_type} ({engine})", nodes * ctx.hours, "node-h", rate)])


def price_elasticache_cluster(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    group = ctx.stack.referenced(body.get("replication_group_id"))
    group_body = group.body if group is not None else {}
    node_type = body.get("node_type") or group_body.get("node_type")
    engine = body.get("engine") or group_body.get("engine", "redis")
    if not node_type:
        raise NotModelled("no node type (and no replication group in this stack to take it from)")
    nodes = integer(body.get("num_cache_nodes"), 1)
    rate = _cache_node_rate(ctx, str(node_type), engine)
    return Priced([Component(f"{nodes} x {node_type} ({engine})", nodes * ctx.hours, "node-h", rate)])


def price_elasticache_serverless(resource: Resource, ctx: PricingContext) -> Priced:
    engine = resource.body.get("engine")
    if engine not in ("valkey", "redis"):
        raise NotModelled(f"serverless {engine!r} is not in the price table")
    usage = ctx.assumptions
    data = usage.number("elasticache", "serverless_data_gb")
    return Priced(
        [
            ctx.charge("data stored", data * ctx.hours, "GB-h", "elasticache", f"{engine}_serverless_gb_hourly"),
            ctx.charge(
                "ElastiCache Processing Units",
                usage.number("elasticache", "serverless_ecpu_millions_per_month"),
                "M ECPUs",
                "elasticache",
                f"{engine}_serverless_million_ecpu",
            ),
        ]
    )


def price_docdb_instance(resource: Resource, ctx: PricingContext) -> Priced:
    instance_class = str(resource.body.get("instance_class"))
    return Priced([ctx.hourly(f"{instance_class} instance", 1, "documentdb", "instance_hourly", instance_class)])


def price_docdb_cluster(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    supported(body, "storage_type", "standard", ("standard",), "storage type")
    usage = ctx.assumptions
    components = [
        ctx.charge("storage", usage.number("documentdb", "storage_gb"), "GB-month", "documentdb", "storage_gb_month"),
        ctx.charge("I/O", usage.number("documentdb", "io_millions_per_month"), "M I/Os", "documentdb", "io_million"),
        ctx.charge(
            "backup storage beyond the free allowance",
            usage.number("documentdb", "backup_gb_beyond_free"),
            "GB-month",
            "documentdb",
            "backup_gb_month",
        ),
    ]
    return Priced(
        components + managed_secret(ctx, body, "DocumentDB"),
        ["instances are priced on each aws_docdb_cluster_instance"],
    )


def price_dynamodb_table(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    supported(body, "table_class", "STANDARD", ("STANDARD",), "table class")
    usage = ctx.assumptions
    name = resource.name
    if body.get("billing_mode", "PROVISIONED") == "PAY_PER_REQUEST":
        writes = usage.by_name("dynamodb", "on_demand_writes_millions_per_month", name)
        reads = usage.by_name("dynamodb", "on_demand_reads_millions_per_month", name)
        components = [
            ctx.charge("on-demand write request units", writes, "M WRU", "dynamodb", "on_demand_million_writes"),
            ctx.charge("on-demand read request units", reads, "M RRU", "dynamodb", "on_demand_million_reads"),
        ]
    else:
        indexes = as_list(body.get("global_secondary_index"))
        wcu = integer(body.get("write_capacity"), 0) + sum(integer(i.get("write_capacity"), 0) for i in indexes)
        rcu = integer(body.get("read_capacity"), 0) + sum(integer(i.get("read_capacity"), 0) for i in indexes)
        components = [
            ctx.hourly(f"{wcu} provisioned WCU (table + indexes)", wcu, "dynamodb", "provisioned_wcu_hourly"),
            ctx.hourly(f"{rcu} provisioned RCU (table + indexes)", rcu, "dynamodb", "provisioned_rcu_hourly"),
        ]
    storage = usage.by_name("dynamodb", "storage_gb", name)
    components.append(ctx.charge("storage", storage, "GB-month", "dynamodb", "storage_gb_month"))
    if first_block(body.get("point_in_time_recovery")).get("enabled") is True:
        components.append(ctx.charge("point-in-time recovery", storage, "GB-month", "dynamodb", "pitr_gb_month"))
    replicas = as_list(body.get("replica"))
    notes = [f"{len(replicas)} replica(s) in other regions are not priced"] if replicas else []
    return Priced(components, notes)


def price_msk_cluster(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    brokers = integer(body.get("number_of_broker_nodes"))
    group = first_block(body.get("broker_node_group_info"))
    instance_type = str(group.get("instance_type"))
    ebs = first_block(first_block(group.get("storage_info")).get("ebs_storage_info"))
    if ebs.get("volume_size") is None:
        raise NotModelled("no literal broker volume size")
    volume = integer(ebs["volume_size"])
    components = [
        ctx.hourly(f"{brokers} x {instance_type} broker", brokers, "msk", "broker_hourly", instance_type),
        ctx.charge(f"{brokers} x {volume} GB broker storage", brokers * volume, "GB-month", "msk", "storage_gb_month"),
    ]
    level = supported(body, "enhanced_monitoring", "DEFAULT", MSK_MONITORING_LEVELS, "enhanced monitoring level")
    metrics = sum(ctx.assumptions.number("msk", key) for key in MSK_MONITORING_LEVELS[level]) * brokers
    if metrics:
        rate = ctx.rate("cloudwatch", "custom_metric_month")
        components.append(Component(f"{level} monitoring metrics", metrics, "metric-month", rate))
    notes = []
    if first_block(ebs.get("provisioned_throughput")).get("enabled") is True:
        notes.append("provisioned storage throughput is not priced")
    return Priced(components, notes)


def price_s3_bucket(resource: Resource, ctx: PricingContext) -> Priced:
    usage = ctx.assumptions
    name = resource.name
    return Priced(
        [
            ctx.charge(
                "S3 Standard storage", usage.by_name("s3", "storage_gb", name), "GB-month", "s3", "standard_gb_month"
            ),
            Component(
                "PUT, COPY, POST, LIST requests",
                usage.by_name("s3", "thousand_put_requests_per_month", name),
                "k requests",
                ctx.rate("s3", "thousand_put_requests"),
            ),
            ctx.charge(
                "GET and other requests",
                usage.by_name("s3", "thousand_get_requests_per_month", name),
                "k requests",
                "s3",
                "thousand_get_requests",
            ),
            ctx.charge(
                "data transfer out to the internet",
                usage.by_name("s3", "internet_egress_gb_per_month", name),
                "GB",
                "data_transfer",
                "internet_out_gb",
            ),
        ]
    )


def price_sqs_queue(resource: Resource, ctx: PricingContext) -> Priced:
    kind = "fifo" if resource.body.get("fifo_queue") is True else "standard"
    requests = ctx.assumptions.by_name("sqs", "requests_millions_per_month", resource.name)
    return Priced([ctx.charge(f"{kind} queue requests", requests, "M requests", "sqs", f"{kind}_million_requests")])


def price_backup_vault(resource: Resource, ctx: PricingContext) -> Priced:
    kinds, notes = backup_kinds(resource, ctx)
    components = [
        ctx.charge(
            f"{kind} backups (warm)",
            ctx.assumptions.number("backup", f"{kind}_gb"),
            "GB-month",
            "backup",
            f"{kind}_gb_month",
        )
        for kind in sorted(kinds)
    ]
    if not kinds:
        notes.append("no backup selection in this stack targets the vault")
    return Priced(components, notes)


def backup_kinds(vault: Resource, ctx: PricingContext) -> tuple[set[str], list[str]]:
    """What the selections whose plan writes to `vault` protect (rds, s3, ...), and what is not priced."""
    plans = [
        plan
        for plan in ctx.stack.of_type("aws_backup_plan")
        if any(_writes_to(rule, vault, ctx) for rule in as_list(plan.body.get("rule")))
    ]
    kinds: set[str] = set()
    notes = []
    for selection in ctx.stack.of_type("aws_backup_selection"):
        if ctx.stack.referenced(selection.body.get("plan_id")) not in plans:
            continue
        resources = as_list(selection.body.get("resources"))
        if not resources:
            notes.append(f"{selection.name} selects by tag: what it protects is not known from the JSON")
        for item in resources:
            kind = _backup_kind(item, ctx)
            if kind is None:
                notes.append(f"backups of {item} are not priced")
            else:
                kinds.add(kind)
    return kinds, notes


def _writes_to(rule: Any, vault: Resource, ctx: PricingContext) -> bool:
    """A plan rule stores its recovery points in `vault`: as its target, or as a copy's
    destination (the copy vault in a second region holds the same points)."""
    if not isinstance(rule, dict):
        return False
    destinations = [rule.get("target_vault_name")] + [
        copy.get("destination_vault_arn") for copy in as_list(rule.get("copy_action")) if isinstance(copy, dict)
    ]
    return any(ctx.stack.referenced(destination) == vault for destination in destinations)


def price_automated_backups_replication(resource: Resource, ctx: PricingContext) -> Priced:
    """RDS bills replicated automated backups as backup storage in the destination region:
    as much as the database's backups hold (the backup assumptions' rds_gb)."""
    component = ctx.charge(
        "replicated automated backups (RDS backup storage)",
        ctx.assumptions.number("backup", "rds_gb"),
        "GB-month",
        "backup",
        "rds_gb_month",
    )
    return Priced(
        [component],
        ["the per-GB transfer of each backup to the other region is not priced"],
    )


def _backup_kind(item: Any, ctx: PricingContext) -> str | None:
    target = ctx.stack.referenced(item)
    if target is not None:
        return BACKUP_KINDS_BY_TYPE.get(target.type)
    return next((kind for prefix, kind in BACKUP_KINDS_BY_ARN.items() if str(item).startswith(prefix)), None)


PRICERS = {
    "aws_db_instance": Pricer("data", "RDS", price_db_instance),
    "aws_db_proxy": Pricer("data", "RDS", price_db_proxy),
    "aws_db_instance_automated_backups_replication": Pricer("data", "RDS", price_automated_backups_replication),
    "aws_elasticache_replication_group": Pricer("data", "ElastiCache", price_elasticache_replication_group),
    "aws_elasticache_cluster": Pricer("data", "ElastiCache", price_elasticache_cluster),
    "aws_elasticache_serverless_cache": Pricer("data", "ElastiCache", price_elasticache_serverless),
    "aws_docdb_cluster": Pricer("data", "DocumentDB", price_docdb_cluster),
    "aws_docdb_cluster_instance": Pricer("data", "DocumentDB", price_docdb_instance),
    "aws_dynamodb_table": Pricer("data", "DynamoDB", price_dynamodb_table),
    "aws_msk_cluster": Pricer("data", "MSK", price_msk_cluster),
    "aws_s3_bucket": Pricer("data", "S3", price_s3_bucket),
    "aws_sqs_queue": Pricer("data", "SQS", price_sqs_queue),
    "aws_backup_vault": Pricer("data", "AWS Backup", price_backup_vault),
}
