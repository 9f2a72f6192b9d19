"""Compute: Fargate services (on-demand / Spot, x86 / ARM), the ECS cluster's Container Insights,
EC2 instances, EBS volumes and ECR repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from costs.model import Component, NotModelled, Priced, Pricer, PricingContext, Scaling, integer
from costs.stack import Resource, as_list, first_block

FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"
ARCHITECTURES = {"X86_64": "x86_64", "ARM64": "arm64"}
# Fargate includes 20 GiB of ephemeral storage in every task; only the rest is billed.
FARGATE_INCLUDED_EPHEMERAL_GB = 20
# EC2 detailed monitoring bills the instance's seven standard metrics at the custom-metric rate.
DETAILED_MONITORING_METRICS = 7
CONTAINER_INSIGHTS_SETTING = "containerInsights"


def capacity_split(desired_tasks: int, strategy: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Tasks per capacity provider for `desired_tasks`: each provider's `base` first, in the
    order listed, then the rest in proportion to the weights. Fractions are kept: with weights
    1:1 and one task left, each provider runs it half the time (ECS's own placement of an odd
    task is not part of the JSON)."""
    shares = {str(item["capacity_provider"]): 0.0 for item in strategy}
    remaining = float(desired_tasks)
    for item in strategy:
        base = min(float(integer(item.get("base"), 0)), remaining)
        shares[str(item["capacity_provider"])] += base
        remaining -= base
    weights = {str(item["capacity_provider"]): float(integer(item.get("weight"), 0)) for item in strategy}
    total_weight = sum(weights.values())
    if remaining > 0:
        if total_weight <= 0:
            raise NotModelled(f"{remaining:g} task(s) beyond the bases, but no capacity provider has a weight above 0")
        for provider, weight in weights.items():
            shares[provider] += remaining * weight / total_weight
    return shares


def price_ecs_service(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    task = ctx.stack.referenced(body.get("task_definition"))
    if task is None or task.type != "aws_ecs_task_definition":
        raise NotModelled("its task definition is not a resource of this stack")
    strategy = _capacity_strategy(resource, ctx)
    task_size = _fargate_task_size(task)
    desired = integer(body.get("desired_count"), 0)
    public_ip = bool(first_block(body.get("network_configuration")).get("assign_public_ip"))
    components = _fargate_components(ctx, capacity_split(desired, strategy), task_size, public_ip)
    notes = [f"{desired} task(s) of {task.name}"]
    scaling = None
    target = _scaling_target(resource, ctx)
    if target is not None:
        low, high = integer(target.body.get("min_capacity")), integer(target.body.get("max_capacity"))
        at_max = sum(c.usd for c in _fargate_components(ctx, capacity_split(high, strategy), task_size, public_ip))
        scaling = Scaling(low, high, at_max)
        notes.append(f"autoscaling {low}-{high} tasks; ${at_max:,.2f} a month at {high}")
    return Priced(components, notes, scaling)


def _capacity_strategy(service: Resource, ctx: PricingContext) -> list[Mapping[str, Any]]:
    """The strategy ECS applies: the service's own, its launch type, or the cluster's default."""
    body = service.body
    strategy = as_list(body.get("capacity_provider_strategy"))
    launch_type = body.get("launch_type")
    if not strategy and launch_type == FARGATE:
        strategy = [{"capacity_provider": FARGATE, "base": 0, "weight": 1}]
    elif not strategy and launch_type:
        raise NotModelled(f"launch type {launch_type}: its tasks run on EC2 capacity, priced with the instances")
    if not strategy:
        cluster = ctx.stack.referenced(body.get("cluster"))
        providers = (
            ctx.stack.referrers("aws_ecs_cluster_capacity_providers", "cluster_name", cluster) if cluster else []
        )
        strategy = [item for p in providers for item in as_list(p.body.get("default_capacity_provider_strategy"))]
    if not strategy:
        raise NotModelled("no launch type and no capacity provider strategy (ECS would use the EC2 launch type)")
    unknown = sorted({str(i.get("capacity_provider")) for i in strategy} - {FARGATE, FARGATE_SPOT})
    if unknown:
        raise NotModelled(f"capacity provider(s) {', '.join(unknown)}: EC2 capacity, priced with its instances")
    return strategy


def _fargate_task_size(task: Resource) -> tuple[float, float, str, float]:
    """(vCPU, GB, architecture, billed ephemeral GB) of a Fargate task definition."""
    body = task.body
    if body.get("cpu") is None or body.get("memory") is None:
        raise NotModelled(f"{task.address} sets no task-level cpu and memory (Fargate bills those)")
    platform = first_block(body.get("runtime_platform"))
    family = platform.get("operating_system_family", "LINUX")
    if family != "LINUX":
        raise NotModelled(f"operating system {family}: only Linux Fargate tasks are in the price table")
    architecture = platform.get("cpu_architecture", "X86_64")
    if architecture not in ARCHITECTURES:
        raise NotModelled(f"CPU architecture {architecture!r} is not one Fargate prices")
    ephemeral = integer(first_block(body.get("ephemeral_storage")).get("size_in_gib"), FARGATE_INCLUDED_EPHEMERAL_GB)
    vcpu, gb = integer(body["cpu"]) / 1024, integer(body["memory"]) / 1024
    return vcpu, gb, ARCHITECTURES[architecture], float(max(0, ephemeral - FARGATE_INCLUDED_EPHEMERAL_GB))


def _fargate_components(
    ctx: PricingContext, shares: Mapping[str, float], task_size: tuple[float, float, str, float], public_ip: bool
) -> list[Component]:
    vcpu, gb, architecture, extra_ephemeral = task_size
    components = []
    for provider, tasks in shares.items():
        if tasks <= 0:
            continue
        prefix = "spot_" if provider == FARGATE_SPOT else ""
        label = f"{provider} {tasks:g} task(s) x"
        task_hours = tasks * ctx.hours
        components.append(
            ctx.charge(
                f"{label} {vcpu:g} vCPU ({architecture})",
                task_hours * vcpu,
                "vCPU-h",
                "fargate",
                f"{prefix}{architecture}_vcpu_hourly",
            )
        )
        components.append(
            ctx.charge(
                f"{label} {gb:g} GB ({architecture})",
                task_hours * gb,
                "GB-h",
                "fargate",
                f"{prefix}{architecture}_gb_hourly",
            )
        )
    tasks = sum(shares.values())
    if extra_ephemeral and tasks:
        components.append(
            ctx.charge(
                f"ephemeral storage above {FARGATE_INCLUDED_EPHEMERAL_GB} GB",
                tasks * ctx.hours * extra_ephemeral,
                "GB-h",
                "fargate",
                "ephemeral_storage_gb_hourly",
            )
        )
    if public_ip and tasks:
        components.append(ctx.hourly("public IPv4 address per task", tasks, "public_ipv4", "hourly"))
    return components


def _scaling_target(service: Resource, ctx: PricingContext) -> Resource | None:
    targets = ctx.stack.referrers("aws_appautoscaling_target", "resource_id", service)
    return targets[0] if targets else None


def price_ecs_cluster(resource: Resource, ctx: PricingContext) -> Priced:
    settings = as_list(resource.body.get("setting"))
    insights = next((s.get("value") for s in settings if s.get("name") == CONTAINER_INSIGHTS_SETTING), "disabled")
    if insights not in ("enabled", "enhanced"):
        return Priced([], ["Container Insights off: the cluster itself is free"])
    services = ctx.stack.referrers("aws_ecs_service", "cluster", resource)
    families = {
        str(task.body.get("family", task.name))
        for service in services
        if (task := ctx.stack.referenced(service.body.get("task_definition"))) is not None
    }
    tasks = sum(integer(service.body.get("desired_count"), 0) for service in services)
    usage = ctx.assumptions
    metrics = (
        usage.number("container_insights", "metrics_per_cluster")
        + usage.number("container_insights", "metrics_per_service") * len(services)
        + usage.number("container_insights", "metrics_per_task_family") * len(families)
    )
    performance_gb = tasks * usage.number("container_insights", "performance_log_gb_per_task_month")
    components = [
        ctx.charge(
            f"Container Insights metrics (1 cluster, {len(services)} services, {len(families)} task families)",
            metrics,
            "metric-month",
            "cloudwatch",
            "custom_metric_month",
        ),
        ctx.charge(
            f"Container Insights performance log events ({tasks} tasks)",
            performance_gb,
            "GB",
            "cloudwatch",
            "logs_standard_ingest_gb",
        ),
    ]
    notes = (
        ["enhanced observability's task- and container-level metrics are not priced"] if insights == "enhanced" else []
    )
    return Priced(components, notes)


def ebs_components(
    ctx: PricingContext, label: str, volume_type: str, size_gb: float, iops: Any, throughput: Any
) -> list[Component]:
    """Storage, and IOPS / throughput beyond what the volume type includes."""
    components = [
        Component(f"{label}: {size_gb:g} GB {volume_type}", size_gb, "GB-month", _ebs(ctx, volume_type, "gb"))
    ]
    if volume_type == "gp3":
        extra_iops = integer(iops, 0) - ctx.rate("ebs", "gp3_included_iops")
        extra_throughput = integer(throughput, 0) - ctx.rate("ebs", "gp3_included_throughput_mibps")
        if extra_iops > 0:
            components.append(
                Component(f"{label}: IOPS above the included", extra_iops, "IOPS-month", _ebs(ctx, "gp3", "iops"))
            )
        if extra_throughput > 0:
            rate = ctx.rate("ebs", "gp3_throughput_mibps_month")
            components.append(
                Component(f"{label}: throughput above the included", extra_throughput, "MiB/s-month", rate)
            )
    elif volume_type in ("io1", "io2"):
        components.append(
            Component(f"{label}: provisioned IOPS", integer(iops, 0), "IOPS-month", _ebs(ctx, volume_type, "iops"))
        )
    return components


def _ebs(ctx: PricingContext, volume_type: str, unit: str) -> float:
    return ctx.rate("ebs", f"{volume_type}_{unit}_month")


def price_instance(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    instance_type = body.get("instance_type")
    if not isinstance(instance_type, str) or "${" in instance_type:
        raise NotModelled(f"instance type is not a literal: {instance_type!r}")
    if body.get("tenancy", "default") != "default":
        raise NotModelled(f"tenancy {body['tenancy']!r}: only shared tenancy is in the price table")
    components = [ctx.hourly(f"{instance_type} instance", 1, "ec2", "instance_hourly", instance_type)]
    notes = []
    root = first_block(body.get("root_block_device"))
    root_size = root.get("volume_size")
    if root_size is None:
        root_size = ctx.assumptions.number("ec2", "root_volume_gb_when_unspecified")
        notes.append("root volume size from the AMI (assumed)")
    root_type = root.get("volume_type", "gp3")
    components += ebs_components(
        ctx, "root volume", root_type, float(root_size), root.get("iops"), root.get("throughput")
    )
    for index, volume in enumerate(as_list(body.get("ebs_block_device"))):
        size = float(integer(volume.get("volume_size"), 0))
        label = f"volume {volume.get('device_name', index)}"
        components += ebs_components(ctx, label, volume.get("volume_type", "gp2"), size, volume.get("iops"), None)
    if body.get("associate_public_ip_address") is True:
        components.append(ctx.hourly("public IPv4 address", 1, "public_ipv4", "hourly"))
    if body.get("monitoring") is True:
        rate = ctx.rate("cloudwatch", "custom_metric_month")
        components.append(Component("detailed monitoring metrics", DETAILED_MONITORING_METRICS, "metric-month", rate))
    if first_block(body.get("credit_specification")).get("cpu_credits") == "unlimited":
        notes.append("unlimited CPU credits: surplus credits are billed on use, not priced")
    return Priced(components, notes)


def price_ebs_volume(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    if body.get("size") is None:
        raise NotModelled("no literal size (a volume restored from a snapshot takes the snapshot's)")
    volume_type = body.get("type", "gp2")
    size = float(integer(body.get("size")))
    return Priced(ebs_components(ctx, "volume", volume_type, size, body.get("iops"), body.get("throughput")))


def price_ecr_repository(resource: Resource, ctx: PricingContext) -> Priced:
    storage = ctx.assumptions.by_name("ecr", "storage_gb", resource.name)
    return Priced([ctx.charge("image storage", storage, "GB-month", "ecr", "storage_gb_month")])


PRICERS = {
    "aws_ecs_service": Pricer("compute", "ECS on Fargate", price_ecs_service),
    "aws_ecs_cluster": Pricer("operations", "CloudWatch", price_ecs_cluster),
    "aws_instance": Pricer("compute", "EC2", price_instance),
    "aws_ebs_volume": Pricer("compute", "EBS", price_ebs_volume),
    "aws_ecr_repository": Pricer("compute", "ECR", price_ecr_repository),
}
