"""Inputs of the compute constructs: the ECS cluster and its Fargate services."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    check_tags,
    choice_check,
    describe,
    pattern_check,
    range_check,
)
from modules.common.waivers import check_reason
from modules.compute.sizing import (
    ARCHITECTURES,
    SEED_004_CONNECTIONS_PER_TASK,
    Architecture,
    check_architecture_in_image,
    check_cpu,
    check_cpu_memory,
    check_image_architectures,
    check_min_max,
    check_standby_max,
)
from modules.container_registry.props import check_service
from modules.load_balancer.props import check_health_check_path, check_subnet_ids
from modules.security_groups.props import check_port, check_vpc_id

ContainerInsights = Literal["enabled", "enhanced"]
CONTAINER_INSIGHTS: tuple[str, ...] = get_args(ContainerInsights)

# A service's task count: ECS allows 5,000 tasks per service; a chat service far fewer.
MAX_TASKS = 1000

_VARIABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
# A plain environment value with one of these words in its name is almost always a secret
# that belongs in `secrets` (read from Secrets Manager at start, never in the JSON).
_SECRET_LOOKING_RE = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY", re.IGNORECASE)
# A Secrets Manager secret ARN, optionally with ECS's ":<json-key>::" suffix.
_SECRET_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}(:[A-Za-z0-9_.-]+::)?$"
)
_IMAGE_TAG_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"

check_image_tag = pattern_check(
    _IMAGE_TAG_PATTERN,
    "expected an image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
)


def check_environment_variables(values: Mapping[str, str]) -> dict[str, str]:
    problems = []
    for name in values:
        if not _VARIABLE_RE.fullmatch(name):
            problems.append(f"expected variable names of letters, digits and '_', got {describe(name)}")
        elif _SECRET_LOOKING_RE.search(name):
            problems.append(
                f"expected no secret in plain environment values (they are readable in the task definition): "
                f"move {name} to `secrets` as a Secrets Manager ARN, got a plain value"
            )
    if problems:
        raise ValueError("; ".join(problems))
    return dict(values)


def check_secret_references(values: Mapping[str, str]) -> dict[str, str]:
    problems = []
    for name, arn in values.items():
        if not _VARIABLE_RE.fullmatch(name):
            problems.append(f"expected variable names of letters, digits and '_', got {describe(name)}")
        if not _SECRET_ARN_RE.fullmatch(arn):
            problems.append(
                f"{name}: expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:"
                f"<name>-<6 characters>, optionally followed by :<json-key>::), got {describe(arn)}"
            )
    if problems:
        raise ValueError("; ".join(problems))
    return dict(values)


def check_shared_names(environment: Mapping[str, str], secrets: Mapping[str, str]) -> None:
    both = sorted(set(environment) & set(secrets))
    if both:
        raise ValueError(f"expected each variable in either environment or secrets, got {both!r} in both")


def check_cooldowns(scale_in_cooldown_seconds: int, scale_out_cooldown_seconds: int) -> None:
    if scale_in_cooldown_seconds <= scale_out_cooldown_seconds:
        raise ValueError(
            f"expected a scale-in cooldown longer than scale_out_cooldown_seconds ({scale_out_cooldown_seconds}): "
            f"scaling in slower than out keeps capacity through a burst, got {scale_in_cooldown_seconds}"
        )


# The AWS Distro for OpenTelemetry collector, pinned (public.ecr.aws/aws-observability).
DEFAULT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
# Issue 24, finding 6: the default is pulled by tag. Its digest is not written here because
# it could not be read from anything available where this repository is built (no registry
# access, no AWS document listing it), and an invented or second-hand digest would be worse
# than a tag. The tag is a versioned ADOT release, not "latest". To pin it: `crane digest
# public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3` (the multi-architecture
# index's digest) and set tracing_collector_image = "<name>@sha256:<digest>". Any other
# tag-only image in a protected environment needs tracing_collector_image_tag_reason.
DEFAULT_COLLECTOR_IMAGE_TAG_REASON = (
    "The module's reviewed ADOT release tag; its digest could not be resolved offline (finding 6 of issue 24)."
)
_DIGEST_IMAGE = re.compile(r"@sha256:[0-9a-f]{64}$")

check_collector_image = pattern_check(
    r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[0-9a-f]{64})$",
    "expected an image reference with a registry and a pinned tag or digest, such as "
    '"public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"',
)


def check_collector_image_pinned(image: str, tracing_enabled: bool, deletion_protection: bool, tag_reason: str) -> None:
    """Under deletion protection the collector image is pinned by digest, or the tag's reason is given."""
    if not (tracing_enabled and deletion_protection) or _DIGEST_IMAGE.search(image) or tag_reason:
        return
    if image == DEFAULT_COLLECTOR_IMAGE:
        return  # DEFAULT_COLLECTOR_IMAGE_TAG_REASON
    raise ValueError(
        "expected an image pinned by digest (<name>@sha256:<64 hex>) where deletion_protection is on, "
        f"or tracing_collector_image_tag_reason saying why a tag is acceptable, got {describe(image)}"
    )


# -- the cluster -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ComputeClusterProps:
    """Inputs of `ComputeCluster`. Fields with environment=True are the keys of an
    environment file's `compute { }` block; the stack supplies name, region, account_id."""

    name: str = prop(check=check_name)
    """Prefix for resource names, e.g. "chat-prod"; the cluster is named after it."""

    region: str = prop(check=check_region)
    """Region of the stack's provider."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity (key policy, log group ARN)."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    on_demand_base_tasks: int = prop(1, check=range_check(0, 100), environment=True)
    """Default: each service's first task runs on FARGATE (on-demand), so a spot
    reclamation wave never takes a service to zero. 0 puts every task under the weights."""

    spot_percent: int = prop(50, check=range_check(0, 100), environment=True)
    """Default: half the tasks above the base run on FARGATE_SPOT (about 70% cheaper, and
    reclaimable with a two-minute warning: Socket.IO clients reconnect to another task).
    0 is on-demand only; 100 spot only (a dev environment that tolerates interruptions)."""

    container_insights: ContainerInsights = prop("enabled", check=choice_check(CONTAINER_INSIGHTS), environment=True)
    """Default: "enabled": task and service CPU, memory and task counts (the worker's
    backlog scaling reads RunningTaskCount from it). "enhanced" adds per-container metrics
    at several times the CloudWatch cost."""

    exec_enabled: bool = prop(False, environment=True)
    """Default: off (issue 24, finding 3): a session is a shell with the task role's
    credentials, so an environment asks for it in its file (dev.hcl does); off everywhere
    by default rather than only under deletion protection, so a new environment file,
    protected or not, never opens shells by omission. On: `aws ecs execute-command` opens a
    shell in a task, for debugging; every session is encrypted with the cluster's key and
    logged to an encrypted log group kept a year. Off, no service accepts sessions and
    tasks lose the ssmmessages permissions; the session log group stays (an audit log the
    plan review keeps from deletion, and where the sessions of the day it is turned on go)."""

    exec_log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: a year: ECS Exec sessions are an audit trail of who ran what in production."""

    tracing_enabled: bool = prop(True, environment=True)
    """Default: on: every task runs an AWS Distro for OpenTelemetry collector beside the
    service, which takes OTLP (localhost:4317/4318) and X-Ray (UDP 2000) spans and sends
    them to X-Ray. It reaches X-Ray and the public image through NAT, so it needs
    network.nat_mode other than "none". Off (dev), tasks run the service alone."""

    tracing_collector_image: str = prop(DEFAULT_COLLECTOR_IMAGE, check=check_collector_image, environment=True)
    """Default: the ADOT collector from Amazon ECR Public, pinned to a release tag: a new
    collector is a reviewed change of this value, not a silent pull of "latest". Prefer
    "<name>@sha256:<64 hex>": a tag can be moved, a digest cannot. Under deletion protection
    any tag-only image but the default needs tracing_collector_image_tag_reason."""

    tracing_collector_image_tag_reason: str = prop("", check=check_reason, environment=True)
    """Default: none (""), so a protected environment refuses a tag-only collector image other
    than the module's default. Why a tag is acceptable here (at least 20 characters)."""

    deletion_protection: bool = prop(True)
    """Default: on. The stack passes the environment's; with it, the collector image is
    pinned by digest (see tracing_collector_image)."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            "tracing_collector_image",
            check_collector_image_pinned,
            ("tracing_collector_image", "tracing_enabled", "deletion_protection", "tracing_collector_image_tag_reason"),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)


# -- a service -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FargateServiceProps:
    """Inputs of every `FargateService`; `RoutedServiceProps` (api, realtime) and
    `WorkerServiceProps` (worker) add what only they have. Fields with environment=True
    are the keys of an environment file's `api { }`, `realtime { }` and `worker { }`
    blocks; the stack supplies the rest (name, service, region, account_id, the network,
    log retention)."""

    name: str = prop(check=check_name)
    """Environment prefix, e.g. "chat-prod"."""

    service: str = prop(check=check_service)
    """e.g. "api": names the ECS services ("<name>-<service>[-<colour>]"), the roles, the
    log group and the security group. Part of construct IDs."""

    region: str = prop(check=check_region)
    """Region of the stack's provider."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity (trust policy conditions)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the service's security group, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=check_subnet_ids)
    """Private subnets the tasks run in (no public IPs), usually `Network.private_subnet_ids`."""

    log_retention_days: int = prop(90, check=check_retention_days)
    """Default: 90 days of application logs (the stack passes the environment's value)."""

    cpu: int = prop(256, check=check_cpu, environment=True)
    """Default: 256 CPU units (a quarter vCPU). One of 256, 512, 1024, 2048, 4096, 8192, 16384."""

    memory_mib: int = prop(512, environment=True)
    """Default: 512 MiB. Must be a size Fargate pairs with `cpu` (256: 512-2048; 512:
    1024-4096; 1024: 2048-8192; ...)."""

    architecture: Architecture = prop("ARM64", check=choice_check(ARCHITECTURES), environment=True)
    """Default: "ARM64" (Graviton): about 20% cheaper per vCPU-hour than X86_64 on Fargate,
    for the same Node and Python code. Must be one of `image_architectures`."""

    image_architectures: tuple[str, ...] = prop(("ARM64", "X86_64"), check=check_image_architectures, environment=True)
    """Default: both: the images are built as multi-architecture manifests. List only what
    your pipeline builds; `architecture` must be among them."""

    min_tasks: int = prop(1, check=range_check(0, MAX_TASKS), environment=True)
    """Default: 1. The fewest tasks autoscaling leaves running in a colour that takes
    traffic (the worker has no colours)."""

    max_tasks: int = prop(4, check=range_check(1, MAX_TASKS), environment=True)
    """Default: 4. The most tasks autoscaling starts per colour."""

    cpu_target_percent: int | None = prop(70, check=range_check(10, 95), environment=True)
    """Default: keep average CPU near 70%, the seeds' API target. null turns it off."""

    memory_target_percent: int | None = prop(None, check=range_check(10, 95), environment=True)
    """Default: off. Keep average memory near this percent (realtime: 70; sockets hold memory)."""

    scale_out_cooldown_seconds: int = prop(60, check=range_check(0, 3600), environment=True)
    """Default: 60 s between scale-outs: a new task takes about a minute to pass health checks."""

    scale_in_cooldown_seconds: int = prop(300, check=range_check(0, 3600), environment=True)
    """Default: 300 s between scale-ins; longer than scale-out, so a burst that pauses for
    a minute does not cost its capacity (and its websockets) at once."""

    initial_image_tag: str = prop("bootstrap", check=check_image_tag, environment=True)
    """Default: "bootstrap". The image tag written to each colour's release parameter
    when it is created; after that the pipeline sets the tag (README: Deploying an image)
    and Terraform never reverts it."""

    environment: dict[str, str] = prop(default_factory=dict, check=check_environment_variables, environment=True)
    """Default: none. Plain, non-secret environment variables, e.g. { LOG_LEVEL = "info" }.
    Names that look like secrets (PASSWORD, TOKEN, SECRET, API_KEY, ...) are refused."""

    secrets: dict[str, str] = prop(default_factory=dict, check=check_secret_references, environment=True)
    """Default: none. Variables ECS fills from Secrets Manager when a task starts, by
    secret ARN (optionally ":<json-key>::"): { STRIPE_KEY = "arn:aws:secretsmanager:..." }.
    The execution role may read exactly these secrets; values never reach the JSON."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("memory_mib", check_cpu_memory, ("cpu", "memory_mib")),
        CrossCheck("architecture", check_architecture_in_image, ("architecture", "image_architectures")),
        CrossCheck("max_tasks", check_min_max, ("min_tasks", "max_tasks")),
        CrossCheck("environment", check_shared_names, ("environment", "secrets")),
        CrossCheck(
            "scale_in_cooldown_seconds", check_cooldowns, ("scale_in_cooldown_seconds", "scale_out_cooldown_seconds")
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def full_name(self) -> str:
        return f"{self.name}-{self.service}"


@dataclass(frozen=True, kw_only=True)
class RoutedServiceProps(FargateServiceProps):
    """A service behind the load balancer (the `api { }` and `realtime { }` blocks): the
    inputs of every service plus its port, health check and blue/green standby."""

    port: int = prop(3000, check=check_port, environment=True)
    """Default: 3000 (the seeds' Node services; their Django/Daphne build uses 9000). The
    container port the load balancer sends to (plain HTTP; TLS ends at the load balancer)."""

    health_check_path: str = prop("/health", check=check_health_check_path, environment=True)
    """Default: "/health". What the load balancer requests from each task of a routed
    service; a 200 answer means healthy."""

    health_check_grace_seconds: int = prop(60, check=range_check(0, 2_147_483_647), environment=True)
    """Default: 60 s after a task starts before failed load-balancer health checks count:
    Node and Daphne start in seconds, cold JIT and connection pools take longer."""

    standby_tasks: int = prop(0, check=range_check(0, MAX_TASKS), environment=True)
    """Default: 0. Tasks kept running in the colour that takes no traffic (weight 0):
    with 1 or more, the previous release stays warm and a rollback is a weight change
    that needs no task start. 0 costs nothing while idle."""

    requests_per_target: int | None = prop(None, check=range_check(1, 100_000), environment=True)
    """Default: off. Keep ALB requests per task per minute near this (API: 1000). Routed services only."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        *FargateServiceProps.cross_checks,
        CrossCheck("standby_tasks", check_standby_max, ("standby_tasks", "max_tasks")),
    )


@dataclass(frozen=True, kw_only=True)
class RealtimeServiceProps(RoutedServiceProps):
    """The websocket service (the `realtime { }` block): a routed service that also scales on
    the connections each task holds. Only realtime has this: the API's load is requests."""

    connections_per_task: int | None = prop(
        SEED_004_CONNECTIONS_PER_TASK, check=range_check(1, 1_000_000), environment=True
    )
    """Default: 5,000 open websocket connections per task (seed 004: 20,000 connections on 4
    tasks of 0.5 vCPU / 1 GB; its large scale packs 10,000 on the same size). Autoscaling
    keeps each colour's average near this, and an alarm pages when it stays well above
    (alarms.realtime_connections_percent_of_target). Each task publishes its count (the
    application contract: CONNECTIONS_METRIC_NAMESPACE). A websocket service saturates on
    connections (memory, file descriptors, heartbeats) long before CPU. null turns it off."""


@dataclass(frozen=True, kw_only=True)
class WorkerServiceProps(FargateServiceProps):
    """A service nothing connects to, which consumes queues (the `worker { }` block)."""

    backlog_per_task: int | None = prop(None, check=range_check(1, 100_000), environment=True)
    """Default: off. Keep visible queue messages per running task near this (the worker):
    the stack names the queue."""
