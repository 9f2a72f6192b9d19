"""What each alarm watches, as plain data: metrics, metric math, threshold, window, missing data.

The vocabulary every module's alarm builder speaks (`modules/<module>/alarms.py`): plain data,
nothing here imports cdktf. A module's builder is a pure function of its own facts (names,
identifiers, sizes: the sizing facts live with the module) and the thresholds of
`AlarmsProps`, and returns a `Watch`: its alarms and the dashboard panels that show the same
metrics with the same thresholds. `Alarms` (observability.py) turns the alarms into
`aws_cloudwatch_metric_alarm` resources and `dashboard.py` the panels into widgets, so an
alarm and its graph never disagree. The windows below are shared: every alarm uses one.

Missing data, per alarm (CloudWatch's default, "missing", leaves an alarm in
INSUFFICIENT_DATA, which notifies nobody):
- "breaching" where the metric is published every minute while the thing is alive (CPU,
  memory, task counts, host counts, free storage): silence means it is down, or its
  metrics pipeline is, and either needs a person;
- "notBreaching" where silence means nothing happened: the load balancer publishes request
  and error counts only while requests flow, SQS stops publishing for a queue idle six
  hours (an empty dead-letter queue), ElastiCache publishes ReplicationLag only on nodes
  that are replicas at that moment, and Evictions' liveness is the node's CPU alarm's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
MissingData = Literal["breaching", "notBreaching"]

GIB = 1024**3
_METRIC_ID_RE = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class Evaluation:
    """How long a breach must last: `datapoints` of the last `periods` periods of
    `period_seconds` each ("M out of N")."""

    period_seconds: int
    periods: int
    datapoints: int


# The windows, by what a breach means (every alarm uses one of these four):
# user-facing errors and latency: 3 of 5 minutes, so one bad minute (a deployment's
# connection draining, a client's retry storm) does not page, three do.
USER_FACING = Evaluation(60, 5, 3)
# a health state (unhealthy targets, replica lag, a controller missing): 5 minutes in a
# row, longer than ECS needs to replace a task or a broker to elect a controller.
PERSISTENT = Evaluation(60, 5, 5)
# capacity (CPU, memory, connections, disk): 3 periods of 5 minutes, so a burst that
# autoscaling absorbs never pages and a saturation that lasts a quarter-hour does.
SUSTAINED = Evaluation(300, 3, 3)
# events that need a person whenever they happen (a dead letter, an eviction, an old
# message): one 5-minute period, SQS's and ElastiCache's counters' own granularity.
ONE_WINDOW = Evaluation(300, 1, 1)


@dataclass(frozen=True)
class Metric:
    """A CloudWatch metric with the statistic read from it ("Average", "Sum", "p99", ...)."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]
    stat: str


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: its metrics by query id, optional metric math over them (in order, the
    last one is what is compared), and how it is judged."""

    key: str
    """Alarm name "<name>-<key>"; its construct id is the key with "_" for "-"."""
    description: str
    label: str
    """What the compared value is, for the dashboard ("api 5xx %")."""
    metrics: Mapping[str, Metric]
    threshold: float
    comparison: Comparison
    evaluation: Evaluation
    missing_data: MissingData
    expressions: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        ids = [*self.metrics, *(expression_id for expression_id, _ in self.expressions)]
        bad = [query_id for query_id in ids if not _METRIC_ID_RE.fullmatch(query_id)]
        if bad or len(set(ids)) != len(ids):
            raise ValueError(f"{self.key}: expected unique metric ids of [a-z][a-zA-Z0-9_]*, got {ids}")
        if not self.expressions and len(self.metrics) != 1:
            raise ValueError(f"{self.key}: expected one metric, or metric math over several, got {len(self.metrics)}")

    @property
    def construct_id(self) -> str:
        return self.key.replace("-", "_")

    @property
    def returned_id(self) -> str:
        """The query whose value is compared: the last expression, or the one metric."""
        return self.expressions[-1][0] if self.expressions else next(iter(self.metrics))


@dataclass(frozen=True)
class Panel:
    """A dashboard graph over some alarms' compared values, with their threshold."""

    title: str
    alarms: tuple[AlarmSpec, ...]


@dataclass(frozen=True)
class Watch:
    """What a builder returns for one component: its alarms and the panels showing them."""

    title: str
    alarms: tuple[AlarmSpec, ...]
    panels: tuple[Panel, ...] = field(default=())


def single_metric_alarm(key: str, label: str, description: str, metric: Metric, **judged: Any) -> AlarmSpec:
    """An alarm on one metric (no metric math); `judged`: threshold, comparison, evaluation, missing_data."""
    return AlarmSpec(key=key, label=label, description=description, metrics={"value": metric}, **judged)


def capacity_alarm(
    key: str,
    label: str,
    description: str,
    metric: Metric,
    *,
    threshold: float,
    comparison: Comparison = "GreaterThanThreshold",
) -> AlarmSpec:
    """A capacity alarm (CPU, memory, storage, connections, disk): past `threshold` for three
    5-minute periods, and silence is down: these metrics are published every minute while
    the component is alive."""
    return single_metric_alarm(
        key,
        label,
        description,
        metric,
        threshold=threshold,
        comparison=comparison,
        evaluation=SUSTAINED,
        missing_data="breaching",
    )


def runbook(text: str) -> str:
    """An alarm description that points the person it pages at the runbook."""
    return f"{text} Runbook: docs/runbook.md, section Alarms."
