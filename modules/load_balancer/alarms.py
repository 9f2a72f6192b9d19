"""The load balancer's alarms: its 5xx rate, each target group's unhealthy hosts and the
p99 response time of the groups asked for (a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from modules.observability.props import AlarmsProps
from modules.observability.specs import (
    PERSISTENT,
    USER_FACING,
    AlarmSpec,
    Metric,
    Panel,
    Watch,
    runbook,
    single_metric_alarm,
)


class HasArnSuffix(Protocol):
    """A target group as this module exposes it (`TargetGroupRef`, frozen: read-only)."""

    @property
    def arn_suffix(self) -> str: ...


def load_balancer_watch(
    props: AlarmsProps,
    *,
    load_balancer_arn_suffix: str,
    target_groups: Mapping[str, HasArnSuffix],
    latency_target_groups: Sequence[str] = (),
) -> Watch:
    """The ALB's 5xx rate, and per target group (label -> group, e.g. "api-blue") unhealthy
    hosts; p99 response time for the groups named in `latency_target_groups`."""
    unknown = sorted(set(latency_target_groups) - set(target_groups))
    if unknown:
        raise ValueError(f"latency_target_groups: expected labels of target_groups, got {unknown}")
    balancer = {"LoadBalancer": load_balancer_arn_suffix}

    def alb(name: str, stat: str, **dimensions: str) -> Metric:
        return Metric("AWS/ApplicationELB", name, {**balancer, **dimensions}, stat)

    minimum = props.load_balancer_min_requests
    error_rate = AlarmSpec(
        key="alb-5xx-rate",
        label="5xx % of requests",
        description=runbook(
            f"More than {props.load_balancer_5xx_percent}% of requests answered with a 5xx (by the load balancer "
            f"or the tasks) in 3 of 5 minutes, counted once {minimum} requests a minute flow."
        ),
        metrics={
            "elb_5xx": alb("HTTPCode_ELB_5XX_Count", "Sum"),
            "target_5xx": alb("HTTPCode_Target_5XX_Count", "Sum"),
            "requests": alb("RequestCount", "Sum"),
        },
        # The load balancer publishes these counts only while they are non-zero, hence
        # FILL. Requests it refuses before choosing a target (503: no healthy target) are
        # not in RequestCount, so the rate divides by at least the errors: an outage is
        # 100%, never a division by zero.
        expressions=(
            ("errors", "FILL(elb_5xx, 0) + FILL(target_5xx, 0)"),
            ("handled", "MAX([FILL(requests, 0), errors])"),
            ("error_rate", f"IF(handled >= {minimum}, 100 * errors / handled, 0)"),
        ),
        threshold=props.load_balancer_5xx_percent,
        comparison="GreaterThanThreshold",
        evaluation=USER_FACING,
        missing_data="notBreaching",
    )
    latency = tuple(
        single_metric_alarm(
            f"alb-{label}-p99-latency",
            f"{label} p99 s",
            runbook(
                f"The slowest 1% of {label} requests took more than {props.load_balancer_p99_seconds} s "
                "in 3 of 5 minutes."
            ),
            alb("TargetResponseTime", "p99", TargetGroup=target_groups[label].arn_suffix),
            threshold=props.load_balancer_p99_seconds,
            comparison="GreaterThanThreshold",
            evaluation=USER_FACING,
            # No requests, no response times: silence is an idle service, whose health
            # the unhealthy-hosts alarm judges.
            missing_data="notBreaching",
        )
        for label in latency_target_groups
    )
    unhealthy = tuple(
        single_metric_alarm(
            f"alb-{label}-unhealthy-hosts",
            f"{label} unhealthy",
            runbook(
                f"More than {props.load_balancer_unhealthy_hosts} {label} target(s) failed their health checks "
                "for 5 minutes in a row."
            ),
            alb("UnHealthyHostCount", "Maximum", TargetGroup=group.arn_suffix),
            threshold=props.load_balancer_unhealthy_hosts,
            comparison="GreaterThanThreshold",
            evaluation=PERSISTENT,
            # Published every minute for a group in use: silence is a load balancer or
            # target group that is gone.
            missing_data="breaching",
        )
        for label, group in target_groups.items()
    )
    panels = [Panel("5xx rate (%)", (error_rate,))]
    if latency:
        panels.append(Panel("p99 target response time (s)", latency))
    panels.append(Panel("Unhealthy targets", unhealthy))
    return Watch("Load balancer", (error_rate, *latency, *unhealthy), tuple(panels))
