"""Inputs of the observability module: the alarm topic's subscriptions and every alarm threshold.

One props class, `AlarmsProps`, is the environment file's `alarms { }` block: who is told
(subscriptions) and when (thresholds). Each threshold's docstring says why its default is
what it is; the evaluation windows (how long a breach must last) are the four of
`modules/observability/specs.py`, each with its reason, and each family's builder (the
module's own alarms.py) picks one. The thresholds are the stack's, for every module: the
Redis Cluster's memory alarm takes `cache_memory_percent` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from modules.common.inputs import check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import check_account_id, check_name, check_region, check_tags, describe, range_check

# What an alarm topic delivers to. Email reaches people with nothing to run; HTTPS reaches
# an incident tool (PagerDuty, Opsgenie, a chat webhook relay). SMS is left out on purpose:
# it needs a spending limit and an origination identity per country, and a page without a
# link to the alarm is a worse page. SQS, Lambda and Firehose are an integration's business,
# not an environment file's.
SUBSCRIPTION_PROTOCOLS: tuple[str, ...] = ("email", "https")

# An address SNS accepts and a person can read: one "@", no spaces, a dot in the domain.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# SNS refuses endpoints longer than this (the Subscribe API's Endpoint limit is not
# documented; URLs this long are always a paste mistake).
MAX_ENDPOINT_CHARS = 2048


def _check_email(address: str) -> str | None:
    if not _EMAIL_RE.fullmatch(address):
        return f"email: expected an email address such as oncall@example.com, got {describe(address)}"
    return None


def _check_https(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(char.isspace() for char in url):
        return f"https: expected an https:// URL with a host, got {describe(url)}"
    if parts.username or parts.password:
        # SNS stores the endpoint in plain text (GetSubscriptionAttributes returns it) and
        # so would the Terraform state: a password in the URL would leak through both.
        return f"https: expected a URL without user:password@ (SNS and the state keep it in clear), got {describe(url)}"
    return None


_ENDPOINT_CHECKS = {"email": _check_email, "https": _check_https}


def check_subscriptions(subscriptions: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every protocol known, every endpoint well formed for its protocol and given once."""
    problems = []
    for protocol, endpoints in subscriptions.items():
        if protocol not in SUBSCRIPTION_PROTOCOLS:
            allowed = ", ".join(f'"{name}"' for name in SUBSCRIPTION_PROTOCOLS)
            problems.append(f"expected a subscription protocol, one of {allowed}, got {describe(protocol)}")
            continue
        seen: set[str] = set()
        for endpoint in endpoints:
            if len(endpoint) > MAX_ENDPOINT_CHARS:
                problems.append(f"{protocol}: expected at most {MAX_ENDPOINT_CHARS} characters, got {len(endpoint)}")
                continue
            message = _ENDPOINT_CHECKS[protocol](endpoint)
            if message:
                problems.append(message)
            elif endpoint.lower() in seen:
                problems.append(f"{protocol}: expected each endpoint once, got {describe(endpoint)} twice")
            seen.add(endpoint.lower())
    if problems:
        raise ValueError("; ".join(problems))
    return {protocol: tuple(endpoints) for protocol, endpoints in subscriptions.items()}


def _percent(low: int = 10, high: int = 99) -> Callable[[int], int]:
    """A utilisation threshold in percent: below 10 would page on an idle system, at 100
    a "greater than" alarm could never fire."""
    return range_check(low, high)


@dataclass(frozen=True, kw_only=True)
class AlarmsProps:
    """Inputs of `AlarmTopic`, `Alarms` and `Dashboard`. Every optional input documents its
    default as behaviour.

    Fields declared with `environment=True` are the keys of the environment file's
    `alarms { }` block; the stack supplies name, region, account_id and
    deletion_protection (the environment's).
    """

    name: str = prop(check=check_name)
    """Prefix of the topic, alarm and dashboard names, e.g. "chat-prod". The topic's and the
    key's policies let CloudWatch publish only for alarms named "<name>-*"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: part of the topic's and the alarms' ARNs."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. The only account whose CloudWatch
    alarms may publish to the topic (aws:SourceAccount)."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a key of the topic's own (alias "alias/<name>/alarms") whose policy lets
    CloudWatch alarms of this account use it. A given key must allow the same (see the
    README), or every notification is dropped: CloudWatch cannot publish to a topic whose
    key it may not use, and AWS's own "aws/sns" key never allows it."""

    deletion_protection: bool = True
    """Default: on. Terraform refuses to destroy a key the module creates (the topic holds no
    data: it is created again with the stack). The stack passes the environment's."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    subscriptions: dict[str, tuple[str, ...]] = prop(default_factory=dict, check=check_subscriptions, environment=True)
    """Default: none; the alarms change state and show on the dashboard, and nobody is told.
    Who is told when an alarm fires or clears, per protocol: `email` addresses (each gets a
    confirmation mail and receives nothing until its link is followed) and `https` endpoints
    (an incident tool's SNS integration URL; SNS posts a SubscriptionConfirmation that the
    tool answers). Subscriptions pending confirmation are no error: Terraform does not wait
    for them, and one never confirmed expires after three days."""

    # -- load balancer -------------------------------------------------------------------

    load_balancer_5xx_percent: float = prop(1.0, check=range_check(0.1, 50), environment=True)
    """Default: 1% of requests answered with a 5xx (by the load balancer or the tasks) in 3
    of 5 minutes. A healthy API returns almost none; 1% for three minutes is one user in a
    hundred failing, well before the 99.9% monthly availability budget (43 minutes) is at
    risk. 0.1 to 50."""

    load_balancer_min_requests: int = prop(50, check=range_check(1, 1_000_000), environment=True)
    """Default: 50 requests a minute before the 5xx rate counts. Below it a single failed
    request is several percent (a dev stack at night), which is noise, not an outage; a real
    outage at low traffic still shows as unhealthy hosts or missing tasks. 1 to 1,000,000."""

    load_balancer_p99_seconds: float = prop(2.0, check=range_check(0.05, 60), environment=True)
    """Default: 2 s. The 99th percentile of the API's target response time in 3 of 5
    minutes; chat REST calls are reads and small writes that take tens of milliseconds, so
    2 s means a saturated database or task, not a slow request. Not applied to the realtime
    service: Socket.IO's long-polling requests are held open for up to its ping interval
    (25 s) by design. 0.05 to 60."""

    load_balancer_unhealthy_hosts: int = prop(0, check=range_check(0, 50), environment=True)
    """Default: 0. Any target failing its health checks for 5 minutes in a row, per target
    group. ECS replaces a failing task within about two minutes, so a target still unhealthy
    after five is a task that keeps failing (a bad release, a missing dependency). 0 to 50."""

    # -- ECS services --------------------------------------------------------------------

    service_cpu_percent: int = prop(85, check=_percent(), environment=True)
    """Default: 85% average CPU over 15 minutes, per ECS service. Target tracking keeps it
    near 60-70%, so 85% for a quarter of an hour means scaling has reached max_tasks or
    cannot start tasks. 10 to 99."""

    service_memory_percent: int = prop(90, check=_percent(), environment=True)
    """Default: 90% average memory over 15 minutes, per ECS service. Node.js tasks at 90% of
    their hard limit are a garbage-collection pause away from an out-of-memory kill. 10 to 99."""

    service_task_shortfall_minutes: int = prop(10, check=range_check(3, 60), environment=True)
    """Default: 10 minutes with fewer running tasks than desired (Container Insights). A task
    that crashes is replaced in one to two minutes and a scale-out starts tasks in about as
    long; ten minutes short is a release that cannot start, an exhausted subnet, or Fargate
    Spot capacity that is not coming back. 3 to 60."""

    realtime_connections_percent_of_target: int = prop(150, check=range_check(101, 400), environment=True)
    """Default: 150% of realtime.connections_per_task, averaged per task over 15 minutes:
    7,500 with the default target, three quarters of the 10,000 per task that seed 004's
    large scale packs (modules/compute/sizing.py). Target tracking holds the average near
    the target, so this far above it means scaling has reached max_tasks or cannot start
    tasks while each task nears saturation. 101 to 400."""

    # -- RDS -----------------------------------------------------------------------------

    database_cpu_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% average CPU over 15 minutes, per instance: headroom for a failover's
    catch-up and for autovacuum, which a busier instance postpones. 10 to 99."""

    database_free_storage_percent: int = prop(5, check=range_check(1, 50), environment=True)
    """Default: 5% of the allocated storage free. RDS storage autoscaling grows the volume at
    10% free, so this fires only when it could not (the maximum is reached, or the 6-hour
    pause after the last change): a full PostgreSQL volume stops every write. 1 to 50."""

    database_freeable_memory_percent: int = prop(10, check=range_check(1, 50), environment=True)
    """Default: 10% of the instance class's memory freeable, over 15 minutes. shared_buffers
    takes a quarter and the page cache the rest; below a tenth, sorts spill to disk and the
    instance is a connection burst away from swapping. 1 to 50."""

    database_connections_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% of max_connections (RDS's formula for the class: memory / 9,531,392 bytes,
    at most 5,000) over 15 minutes. RDS Proxy multiplexes the services' connections; near
    the limit, new clients and the proxy's own connections are refused. 10 to 99."""

    database_replica_lag_seconds: int = prop(60, check=range_check(1, 3600), environment=True)
    """Default: 60 s behind the primary for 5 minutes in a row, on the read replica. Reads of a
    chat history a minute stale show messages missing that the sender sees. 1 to 3,600."""

    # -- ElastiCache ---------------------------------------------------------------------

    cache_engine_cpu_percent: int = prop(90, check=_percent(), environment=True)
    """Default: 90% of the engine's one thread over 15 minutes, per node: AWS's own figure
    for EngineCPUUtilization ("Which metrics should I monitor?"). Past it, every command
    queues, pub/sub fan-out included. 10 to 99."""

    cache_cpu_percent: int = prop(90, check=_percent(), environment=True)
    """Default: 90% of the host's CPUs over 15 minutes, per node: TLS and I/O threads run
    beside the engine, so the host can saturate before the engine thread does. 10 to 99."""

    cache_memory_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% of maxmemory used over 15 minutes, per node. Pub/sub output buffers and a
    replica's full sync need the rest; at 100% keys are evicted. 10 to 99."""

    cache_evictions_per_5min: int = prop(0, check=range_check(0, 1_000_000), environment=True)
    """Default: 0: any key evicted in a 5-minute window. Presence and session keys evicted
    are users shown offline or logged out; the cache is sized to hold them all. 0 to
    1,000,000."""

    cache_replication_lag_seconds: int = prop(5, check=range_check(1, 3600), environment=True)
    """Default: 5 s behind the primary for 5 minutes in a row, per replica. Replication is
    normally sub-second; a lagging replica promoted by a failover loses that much. 1 to 3,600."""

    # -- SQS -----------------------------------------------------------------------------

    queue_oldest_message_seconds: int = prop(900, check=range_check(60, 1_209_600), environment=True)
    """Default: 15 minutes, the age of the oldest message on a worker queue. The worker scales
    on backlog and handles a message in seconds; a message 15 minutes old is a stuck worker
    or a failing downstream (a message is retried every visibility timeout, 10 x 120 s at
    most before the dead-letter queue). 60 to 1,209,600."""

    # -- MSK, DocumentDB -----------------------------------------------------------------

    kafka_disk_used_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% of a broker's data volume over 15 minutes. MSK storage autoscaling acts
    at its own target; a broker that fills its disk stops, and takes its partitions' leaders
    with it. 10 to 99."""

    documentdb_cpu_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% average CPU over 15 minutes, per instance, as for RDS. 10 to 99."""

    documentdb_connections_percent: int = prop(80, check=_percent(), environment=True)
    """Default: 80% of the instance class's connection limit over 15 minutes. 10 to 99."""

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def topic_name(self) -> str:
        return f"{self.name}-alarms"

    def alarm_name(self, key: str) -> str:
        """Every alarm is "<name>-<key>": the topic and key policies trust "<name>-*"."""
        return f"{self.name}-{key}"
