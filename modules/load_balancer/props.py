"""Inputs of the LoadBalancer construct: the load balancer, the services it routes to, and
the blue/green weights of each service."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from modules.common.certificates import check_certificate_arn, check_regional_certificate_arn
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.tokens import is_unresolved
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_tags,
    choice_check,
    describe,
    pattern_check,
    range_check,
)
from modules.security_groups.props import check_vpc_id

Colour = Literal["blue", "green"]
COLOURS: tuple[str, ...] = get_args(Colour)

LoadBalancingAlgorithm = Literal["round_robin", "least_outstanding_requests"]
LOAD_BALANCING_ALGORITHMS: tuple[str, ...] = get_args(LoadBalancingAlgorithm)

# "monitor" is left out: it lets request-smuggling attempts through (checkov CKV_AWS_328).
DesyncMitigationMode = Literal["strictest", "defensive"]
DESYNC_MITIGATION_MODES: tuple[str, ...] = get_args(DesyncMitigationMode)

# TLS 1.3 policies only (ELB's "TLS13" family, every one with TLS 1.3 and forward secrecy).
# The default, TLS13-1-2-Res-PQ-2025-09, is what AWS recommends and what the console now
# picks: TLS 1.3 with hybrid post-quantum key exchange (ML-KEM) for clients that offer
# it, so chat traffic recorded today cannot be decrypted later by a quantum computer;
# TLS 1.2 kept for older clients, but with AEAD (GCM) ECDHE ciphers only ("Res"). The
# "-1-3-" policies refuse TLS 1.2 altogether, shutting out Android before 10 and many
# embedded HTTP clients.
SSL_POLICIES: tuple[str, ...] = (
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
)
DEFAULT_SSL_POLICY = SSL_POLICIES[0]

# Socket.IO's server pings every 25 s (pingInterval); an idle timeout under a minute
# would leave no margin for a delayed ping and cut idle websockets. AWS allows 1-4000 s.
MIN_IDLE_TIMEOUT_SECONDS = 60
MAX_IDLE_TIMEOUT_SECONDS = 4000

# Ten years: longer than any audit asks for access logs, and S3 takes any number of days.
MAX_LOG_EXPIRATION_DAYS = 3653

# An ALB rule may hold five condition values in all (AWS quota "condition values per rule").
MAX_PATH_PATTERNS = 5
# Weights are percentages: the listener rule's forward action gets them as they are.
WEIGHT_TOTAL = 100

_SERVICE_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$"
# What ALB path-pattern conditions accept (case-sensitive, up to 128 characters, * and ?
# as wildcards).
_PATH_PATTERN_RE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
_HEALTH_CHECK_PATH_PATTERN = r"^/[\x21-\x7e]{0,1023}$"
# HTTP codes a target may answer a health check with: "200", "200-299", "200,204".
_MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
_SUBNET_ID_RE = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")


# -- checks ----------------------------------------------------------------------------


check_service_name = pattern_check(
    _SERVICE_NAME_PATTERN,
    "expected 2-16 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'",
)


def check_path_patterns(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(values)
    if not 1 <= len(values) <= MAX_PATH_PATTERNS:
        raise ValueError(f"expected 1 to {MAX_PATH_PATTERNS} path patterns (an ALB rule's limit), got {len(values)}")
    bad = [value for value in values if not _PATH_PATTERN_RE.fullmatch(value)]
    if bad:
        raise ValueError(
            "expected path patterns starting with '/', up to 128 characters of A-Z a-z 0-9 _-.$/~\"'@:+& "
            f"and the wildcards * and ?, got {bad!r}"
        )
    if len(set(values)) != len(values):
        raise ValueError(f"expected distinct path patterns, got {list(values)!r}")
    return values


check_health_check_path = pattern_check(
    _HEALTH_CHECK_PATH_PATTERN, "expected a path starting with '/', up to 1024 printable characters"
)


def check_matcher(value: str) -> str:
    codes = [int(code) for code in re.split(r"[-,]", value)] if _MATCHER_RE.fullmatch(value) else []
    if not codes or not all(200 <= code <= 499 for code in codes):
        raise ValueError(
            'expected HTTP codes from 200 to 499 as ALB health checks take them, such as "200", '
            f'"200-299" or "200,204", got {describe(value)}'
        )
    return value


def check_timeout_below_interval(timeout_seconds: int, interval_seconds: int) -> None:
    if timeout_seconds >= interval_seconds:
        raise ValueError(
            f"expected a timeout shorter than health_check_interval_seconds ({interval_seconds}) "
            f"(AWS refuses a health check that outlasts its interval), got {timeout_seconds}"
        )


def check_subnet_ids(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(values)
    bad = [value for value in values if not (is_unresolved(value) or _SUBNET_ID_RE.fullmatch(value))]
    if bad:
        raise ValueError(f"expected subnet ids such as subnet-0a1b2c3d or references to them, got {bad!r}")
    if len(values) < 2 or len(set(values)) != len(values):
        raise ValueError(
            "expected at least two distinct subnets, one per availability zone (an ALB needs two zones), "
            f"got {len(set(values))}"
        )
    return values


def check_weights(value: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """Per service, a blue and a green weight: whole numbers 0-100 that add up to 100."""
    problems = []
    for service, weights in value.items():
        if set(weights) != set(COLOURS):
            problems.append(f'{service}: expected the keys "blue" and "green", got {sorted(weights)!r}')
            continue
        blue, green = weights["blue"], weights["green"]
        out_of_range = [
            f"{service}.{colour}: expected a whole number from 0 to {WEIGHT_TOTAL}, got {describe(weight)}"
            for colour, weight in (("blue", blue), ("green", green))
            if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= WEIGHT_TOTAL
        ]
        if out_of_range:
            problems.extend(out_of_range)
        elif blue + green != WEIGHT_TOTAL:
            problems.append(
                f"{service}: expected weights that add up to {WEIGHT_TOTAL}, got {blue} + {green} = {blue + green}"
            )
    if problems:
        raise ValueError("; ".join(problems))
    return {service: dict(weights) for service, weights in value.items()}


def check_services(value: Iterable[RoutedService]) -> tuple[RoutedService, ...]:
    services = tuple(value)
    if not services:
        raise ValueError("expected at least one routed service, got none")
    problems = []
    distinct: tuple[tuple[str, Sequence[object]], ...] = (
        ("names", [service.name for service in services]),
        ("priorities", [service.priority for service in services]),
        ("path patterns", [pattern for service in services for pattern in service.path_patterns]),
    )
    for what, keys in distinct:
        repeated = sorted({key for key in keys if keys.count(key) > 1}, key=str)
        if repeated:
            problems.append(f"expected distinct {what} across services, got {repeated!r} more than once")
    if problems:
        raise ValueError("; ".join(problems))
    return services


def check_weighted_services(services: tuple[RoutedService, ...], weights: Mapping[str, Mapping[str, int]]) -> None:
    names = [service.name for service in services]
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise ValueError(f"expected weights only for the routed services {names!r}, got {unknown!r}")


# -- a routed service ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RoutedService:
    """A service behind the load balancer: its listener rule, and its blue and green
    target groups (Fargate tasks, registered by IP)."""

    name: str = prop(check=check_service_name)
    """e.g. "api". The key of its weights and target groups, and part of construct IDs
    (renaming it replaces its target groups and rule)."""

    port: int = prop(check=range_check(1, 65535))
    """The container port the tasks listen on (plain HTTP: TLS ends at the load balancer)."""

    path_patterns: tuple[str, ...] = prop(check=check_path_patterns)
    """e.g. ("/api/*",): requests whose path matches go to this service. 1 to 5 patterns."""

    priority: int = prop(check=range_check(1, 50_000))
    """The listener rule's priority: rules are evaluated from the lowest number up, so a
    more specific pattern needs a lower number than a broader one. Stable numbers keep
    rules in place when services are added (leave gaps, e.g. 100, 200)."""

    health_check_path: str = prop(check=check_health_check_path)
    """e.g. "/api/health": answered by each task with `health_check_matcher`."""

    health_check_matcher: str = prop("200", check=check_matcher)
    """Default: only 200 counts as healthy."""

    health_check_interval_seconds: int = prop(15, check=range_check(5, 300))
    """Default: 15 s (AWS: 30 s). With the thresholds below, a new task takes traffic after
    ~30 s and a failed one is taken out after ~45 s."""

    health_check_timeout_seconds: int = prop(5, check=range_check(2, 120))
    """Default: 5 s; must be shorter than the interval."""

    healthy_threshold: int = prop(2, check=range_check(2, 10))
    """Default: 2 passing checks in a row make a target healthy (AWS: 5)."""

    unhealthy_threshold: int = prop(3, check=range_check(2, 10))
    """Default: 3 failing checks in a row make a target unhealthy (AWS: 2): one slow
    answer during a GC pause does not drop a task and every websocket on it."""

    sticky: bool = False
    """Default: off. On, a client keeps its task (lb_cookie on the target group) and its
    colour (stickiness in the weighted forward) for `stickiness_seconds`: needed by
    Socket.IO, whose HTTP long-polling requests must all reach the task that holds the
    session (see the README)."""

    stickiness_seconds: int = prop(3600, check=range_check(1, 604_800))
    """Default: one hour, when `sticky`. Far longer than the 25 s between a Socket.IO
    session's polls, short enough that reconnecting clients spread over new tasks (after
    a scale-out or a weight shift) within the hour."""

    deregistration_delay_seconds: int = prop(30, check=range_check(0, 3600))
    """Default: 30 s (AWS: 300 s). How long a stopping task keeps its open connections
    before the load balancer closes them; ECS stops the task only after it. Cover the
    longest request (a Socket.IO long-poll is held up to pingInterval + pingTimeout =
    45 s, so realtime wants 60). A websocket never ends by itself, so a longer delay
    saves none of them: it only slows every deployment."""

    load_balancing_algorithm: LoadBalancingAlgorithm = prop(
        "round_robin", check=choice_check(LOAD_BALANCING_ALGORITHMS)
    )
    """Default: round robin, which spreads new sessions evenly whatever ALB counts for
    long-lived (upgraded) connections. "least_outstanding_requests" suits a stateless
    API whose requests differ in cost: a slow request no longer queues others behind it."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            "health_check_timeout_seconds",
            check_timeout_below_interval,
            ("health_check_timeout_seconds", "health_check_interval_seconds"),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)


# -- the load balancer -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LoadBalancerProps:
    """Inputs of `LoadBalancer`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `load_balancer { }` block (see modules.common.inputs); the stack supplies the rest:
    name, region, account_id, deletion_protection (the environment's), the network's
    vpc_id and public subnets, the certificate (modules/dns) and the services.
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: picks who delivers logs (see log_delivery.py)."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Names the log bucket and the
    log-delivery prefix in its policy."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the target groups and the security group, usually `Network.vpc_id`."""

    public_subnet_ids: tuple[str, ...] = prop(check=check_subnet_ids)
    """At least two public subnets in distinct zones, usually `Network.public_subnet_ids`."""

    certificate_arn: str = prop(check=check_certificate_arn)
    """ACM certificate of the HTTPS listener, in the stack's region (modules/dns hands it over)."""

    services: tuple[RoutedService, ...] = prop(check=check_services)
    """The services the HTTPS listener routes to, each with a listener rule and a blue and
    a green target group. Distinct names, priorities and path patterns."""

    weights: dict[str, dict[str, int]] = prop(default_factory=dict, check=check_weights, environment=True)
    """Default: every service sends all traffic to blue. Per service, the blue/green
    split of its listener rule, e.g. { api = { blue = 90, green = 10 } }: whole numbers
    0-100 adding up to 100. Shifting traffic is editing these numbers (README: Scenarios)."""

    idle_timeout_seconds: int = prop(
        300, check=range_check(MIN_IDLE_TIMEOUT_SECONDS, MAX_IDLE_TIMEOUT_SECONDS), environment=True
    )
    """Default: 300 s. The load balancer closes a connection, websockets included, after
    this long without a byte either way; Socket.IO's 25 s pings keep live ones open, so it
    only bounds how long a dead client holds a connection. 60 to 4000."""

    log_expiration_days: int = prop(90, check=range_check(1, MAX_LOG_EXPIRATION_DAYS), environment=True)
    """Default: access and connection logs are deleted after 90 days. 1 to 3653."""

    deletion_protection: bool = True
    """Default: on; AWS refuses to delete the load balancer (and its DNS name, which every
    client resolves) until it is turned off. The stack passes the environment's
    deletion_protection; off, the module records a reasoned waiver of CKV_AWS_150."""

    ssl_policy: str = prop(DEFAULT_SSL_POLICY, check=choice_check(SSL_POLICIES))
    """Default: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (TLS 1.3 with post-quantum key
    exchange, TLS 1.2 with AEAD ciphers only). Any of ELB's TLS 1.3 policies."""

    desync_mitigation_mode: DesyncMitigationMode = prop("strictest", check=choice_check(DESYNC_MITIGATION_MODES))
    """Default: "strictest": only RFC 7230-compliant requests reach the tasks, so nothing
    can smuggle a second request past the load balancer and the WAF. If access logs show
    legitimate clients refused (classification "Ambiguous"), "defensive" lets ambiguous
    requests through and closes their connection afterwards."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("certificate_arn", check_regional_certificate_arn, ("certificate_arn", "region")),
        CrossCheck("weights", check_weighted_services, ("services", "weights")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    def weights_of(self, service: str) -> dict[str, int]:
        """The blue/green weights of `service` (all to blue unless `weights` says otherwise)."""
        return dict(self.weights.get(service, {"blue": WEIGHT_TOTAL, "green": 0}))
