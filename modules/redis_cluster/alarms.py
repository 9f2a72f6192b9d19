"""The Redis Cluster's state alarm, from the custom metric its nodes publish (node/metrics.sh)
(a `Watch` of modules/observability/specs.py).
"""

from __future__ import annotations

from modules.observability.props import AlarmsProps
from modules.observability.specs import Evaluation, Metric, Panel, Watch, runbook, single_metric_alarm


def redis_cluster_watch(
    props: AlarmsProps,
    *,
    namespace: str,
    cluster_name: str,
    metric_name: str = "ClusterStateOk",
    dimension_name: str = "ClusterName",
    label: str = "redis-cluster",
) -> Watch:
    """The self-managed Redis Cluster's state, from the custom metric its nodes publish each
    minute: `metric_name` in `namespace`, 1 while CLUSTER INFO says cluster_state:ok, else 0,
    with dimension `dimension_name` = `cluster_name`."""
    if namespace.startswith("AWS/"):
        raise ValueError(f'namespace: expected a custom namespace (not "AWS/..."), got "{namespace}"')
    state = single_metric_alarm(
        f"{label}-state",
        "cluster state ok (1)",
        runbook(
            f"Redis Cluster {cluster_name} reported a state other than ok, or nothing, for 3 minutes in a row: "
            "slots without a master refuse every command on them."
        ),
        Metric(namespace, metric_name, {dimension_name: cluster_name}, "Minimum"),
        threshold=1,
        comparison="LessThanThreshold",
        # Three minutes: a master's failover (cluster-node-timeout plus the election) is
        # over in well under that.
        evaluation=Evaluation(60, 3, 3),
        # The nodes' agent publishes every minute; silence is every node, or the agent, down.
        missing_data="breaching",
    )
    return Watch(f"Redis Cluster ({cluster_name})", (state,), (Panel("Redis Cluster state", (state,)),))
