"""Observability module: the alarm topic (key, policies, subscriptions), every alarm family,
the dashboard, validation, and the stack wiring over a real environment."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from modules.cache.alarms import cache_node_ids, cache_watch
from modules.common.keys import BASE_STATEMENT_SIDS, KEY_ADMINISTRATION_ACTIONS
from modules.compute.alarms import WatchedConnections, WatchedService, service_watch
from modules.database.alarms import database_watch
from modules.database.sizing import postgres_max_connections
from modules.documentdb.alarms import documentdb_watch
from modules.load_balancer.alarms import load_balancer_watch
from modules.msk.alarms import kafka_watch
from modules.observability import AlarmsProps
from modules.observability.dashboard import GRID_WIDTH, dashboard_body
from modules.observability.specs import GIB
from modules.queues.alarms import queue_watch
from modules.redis_cluster.alarms import redis_cluster_watch

ACCOUNT = "111122223333"
TOPIC_ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:chat-prod-alarms"
GIVEN_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
EMAILS = ("oncall@example.com", "platform-team@example.com")
PAGER = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"
PROD = AlarmsProps(
    name="chat-prod",
    region="eu-west-1",
    account_id=ACCOUNT,
    subscriptions={"email": EMAILS, "https": (PAGER,)},
    load_balancer_p99_seconds=1.5,
)
DEV = AlarmsProps(name="chat-dev", region="eu-west-1", deletion_protection=False)


@dataclass(frozen=True)
class Group:
    """A target group as modules/load_balancer exposes it."""

    arn_suffix: str


def _watch_everything(alarms, props):
    alarms.add(
        load_balancer_watch(
            alarms.props,
            load_balancer_arn_suffix="app/chat-prod-alb/50dc6c495c0c9188",
            target_groups={
                "api-blue": Group("targetgroup/b-api/73e2d6bc24d8a067"),
                "realtime-blue": Group("targetgroup/b-rea/66e2d6bc24d8a067"),
            },
            latency_target_groups=["api-blue"],
        )
    )
    alarms.add(
        service_watch(
            alarms.props,
            cluster_name=props.name,
            services=[
                WatchedService("api-blue", f"{props.name}-api-blue"),
                WatchedService("api-green", f"{props.name}-api-green", load=False),
                WatchedService("worker", f"{props.name}-worker"),
            ],
        )
    )
    alarms.add(
        database_watch(
            alarms.props,
            identifier=f"{props.name}-postgres",
            memory_gib=16,
            allocated_storage_gib=100,
            replica_identifier=f"{props.name}-postgres-replica",
        )
    )
    alarms.add(cache_watch(alarms.props, replication_group_id=f"{props.name}-cache", node_count=3))
    alarms.add(
        queue_watch(
            alarms.props,
            queue_name=f"{props.name}-push-notifications",
            dead_letter_queue_name=f"{props.name}-push-notifications-dlq",
        )
    )
    alarms.add(kafka_watch(alarms.props, cluster_name=f"{props.name}-kafka", broker_count=3))
    alarms.add(
        documentdb_watch(
            alarms.props,
            cluster_identifier=f"{props.name}-docdb",
            instance_identifiers=[f"{props.name}-docdb-1", f"{props.name}-docdb-2"],
            max_connections=1700,
        )
    )
    alarms.add(
        redis_cluster_watch(alarms.props, namespace="ChatInfra/RedisCluster", cluster_name=f"{props.name}-redis")
    )


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.observability import Alarms, AlarmTopic, Dashboard

    def prod(stack):
        topic = AlarmTopic(stack, "alarm_topic", props=PROD)
        alarms = Alarms(stack, "alarms", props=PROD, topic_arn=topic.arn)
        _watch_everything(alarms, PROD)
        Dashboard(stack, "dashboard", props=PROD, alarms=alarms)

    def dev(stack):
        topic = AlarmTopic(stack, "alarm_topic", props=DEV)
        alarms = Alarms(stack, "alarms", props=DEV, topic_arn=topic.arn)
        alarms.add(cache_watch(alarms.props, replication_group_id="chat-dev-cache", node_count=1))
        alarms.add(
            service_watch(
                alarms.props,
                cluster_name="chat-dev",
                services=[WatchedService("worker", "chat-dev-worker")],
                container_insights=False,
            )
        )
        Dashboard(stack, "dashboard", props=DEV, alarms=alarms)

    def given_key(stack):
        AlarmTopic(stack, "alarm_topic", props=replace(PROD, kms_key_arn=GIVEN_KEY))

    return {name: synth_scratch(build) for name, build in (("prod", prod), ("dev", dev), ("given_key", given_key))}


def only(blocks: dict) -> tuple[str, dict]:
    assert len(blocks) == 1, list(blocks)
    return next(iter(blocks.items()))


def alarms_by_name(synth) -> dict[str, dict]:
    return {alarm["alarm_name"]: alarm for alarm in synth.resources("aws_cloudwatch_metric_alarm").values()}


def statements(synth, policy_reference: str) -> dict[str, dict]:
    """The statements of the aws_iam_policy_document a `${data...json}` reference names, by sid."""
    return {s["sid"]: s for s in synth.data_by_reference(policy_reference)["statement"]}


def conditions(statement) -> dict[tuple[str, str], list[str]]:
    return {(c["test"], c["variable"]): c["values"] for c in statement.get("condition", [])}


# -- the topic -------------------------------------------------------------------------


def test_topic_is_encrypted_with_its_own_key_and_signs_with_sha256(variants):
    synth = variants["prod"]
    _, topic = only(synth.resources("aws_sns_topic"))
    assert topic["name"] == "chat-prod-alarms"
    key = synth.by_reference(topic["kms_master_key_id"])
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert key["lifecycle"]["prevent_destroy"] is True
    assert topic["signature_version"] == 2
    _, alias = only(synth.resources("aws_kms_alias"))
    assert alias["name"] == "alias/chat-prod/alarms"


def test_key_policy_lets_only_this_accounts_alarms_use_the_key(variants):
    synth = variants["prod"]
    _, key_policy = only(synth.resources("aws_kms_key_policy"))
    by_sid = statements(synth, key_policy["policy"])
    assert set(by_sid) == {*BASE_STATEMENT_SIDS, "CloudWatchAlarmsEncryptNotifications"}
    cloudwatch = by_sid["CloudWatchAlarmsEncryptNotifications"]
    assert cloudwatch["effect"] == "Allow"
    assert cloudwatch["actions"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert cloudwatch["resources"] == ["*"]  # in a key policy: this key
    assert cloudwatch["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert conditions(cloudwatch) == {
        ("StringEquals", "aws:SourceAccount"): [ACCOUNT],
        ("ArnLike", "aws:SourceArn"): [f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:chat-prod-*"],
    }
    root = by_sid["KeyAdministratorsAdministerKey"]
    assert (root["actions"], root["resources"]) == (list(KEY_ADMINISTRATION_ACTIONS), ["*"])
    assert root["principals"] == [{"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]}]


def test_topic_policy_allows_only_cloudwatch_of_this_account_and_denies_plain_http(variants):
    synth = variants["prod"]
    _, policy = only(synth.resources("aws_sns_topic_policy"))
    topic_name, _ = only(synth.resources("aws_sns_topic"))
    assert policy["arn"] == synth.reference("aws_sns_topic", topic_name, "arn")
    by_sid = statements(synth, policy["policy"])
    assert set(by_sid) == {"CloudWatchAlarmsPublish", "DenyPublishWithoutTls"}
    publish = by_sid["CloudWatchAlarmsPublish"]
    assert (publish["effect"], publish["actions"], publish["resources"]) == ("Allow", ["sns:Publish"], [TOPIC_ARN])
    assert publish["principals"] == [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]
    assert conditions(publish) == {
        ("StringEquals", "aws:SourceAccount"): [ACCOUNT],
        ("ArnLike", "aws:SourceArn"): [f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:chat-prod-*"],
    }
    deny = by_sid["DenyPublishWithoutTls"]
    # SNS refuses "sns:*" in a topic policy: the TLS rule names Publish.
    assert (deny["effect"], deny["actions"], deny["resources"]) == ("Deny", ["sns:Publish"], [TOPIC_ARN])
    assert deny["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
    assert conditions(deny) == {("Bool", "aws:SecureTransport"): ["false"]}


def test_subscriptions_come_from_the_props_with_ids_from_their_endpoints(variants):
    synth = variants["prod"]
    topic_name, _ = only(synth.resources("aws_sns_topic"))
    subscriptions = synth.resources("aws_sns_topic_subscription")
    found = {(s["protocol"], s["endpoint"]) for s in subscriptions.values()}
    assert found == {("email", EMAILS[0]), ("email", EMAILS[1]), ("https", PAGER)}
    for name, subscription in subscriptions.items():
        assert subscription["topic_arn"] == synth.reference("aws_sns_topic", topic_name, "arn")
        # Neither waits for confirmation (a pending subscription is no apply error).
        assert "endpoint_auto_confirms" not in subscription
        digest = hashlib.sha256(subscription["endpoint"].encode()).hexdigest()[:10]
        # The id depends on the endpoint only: reordering the file replaces nothing.
        assert name.startswith(f"alarm_topic_{subscription['protocol']}_subscription_{digest}")


def test_dev_topic_has_no_subscriber_and_a_key_that_may_be_destroyed(variants):
    synth = variants["dev"]
    assert synth.resources("aws_sns_topic_subscription") == {}
    _, key = only(synth.resources("aws_kms_key"))
    assert "lifecycle" not in key
    _, key_policy = only(synth.resources("aws_kms_key_policy"))
    cloudwatch = statements(synth, key_policy["policy"])["CloudWatchAlarmsEncryptNotifications"]
    (account,) = conditions(cloudwatch)[("StringEquals", "aws:SourceAccount")]
    assert account.startswith("${data.aws_caller_identity.") and account.endswith(".account_id}")


def test_a_given_key_replaces_the_topics_own(variants):
    synth = variants["given_key"]
    assert synth.resources("aws_kms_key") == {}
    _, topic = only(synth.resources("aws_sns_topic"))
    assert topic["kms_master_key_id"] == GIVEN_KEY


# -- alarms ----------------------------------------------------------------------------


def test_every_alarm_notifies_the_topic_of_alarm_and_ok_and_handles_missing_data(variants):
    for name in ("prod", "dev"):
        synth = variants[name]
        topic_name, _ = only(synth.resources("aws_sns_topic"))
        topic = synth.reference("aws_sns_topic", topic_name, "arn")
        alarms = alarms_by_name(synth)
        assert alarms
        for alarm_name, alarm in alarms.items():
            assert alarm_name.startswith(f"chat-{name}-")  # what the topic and key policies trust
            assert alarm["alarm_actions"] == [topic] and alarm["ok_actions"] == [topic], alarm_name
            assert alarm["actions_enabled"] is True
            assert alarm["treat_missing_data"] in ("breaching", "notBreaching"), alarm_name
            assert alarm["datapoints_to_alarm"] <= alarm["evaluation_periods"]
            assert alarm["alarm_description"].endswith("Runbook: docs/runbook.md, section Alarms.")


def queries(alarm) -> dict[str, dict]:
    return {query["id"]: query for query in alarm["metric_query"]}


def test_load_balancer_5xx_rate_is_metric_math_over_both_error_counts(variants):
    alarm = alarms_by_name(variants["prod"])["chat-prod-alb-5xx-rate"]
    by_id = queries(alarm)
    for query_id, metric_name in (
        ("elb_5xx", "HTTPCode_ELB_5XX_Count"),
        ("target_5xx", "HTTPCode_Target_5XX_Count"),
        ("requests", "RequestCount"),
    ):
        metric = by_id[query_id]["metric"]
        assert (metric["namespace"], metric["metric_name"], metric["stat"]) == (
            "AWS/ApplicationELB",
            metric_name,
            "Sum",
        )
        assert metric["dimensions"] == {"LoadBalancer": "app/chat-prod-alb/50dc6c495c0c9188"}
        assert metric["period"] == 60 and by_id[query_id]["return_data"] is False
    assert by_id["errors"]["expression"] == "FILL(elb_5xx, 0) + FILL(target_5xx, 0)"
    assert by_id["handled"]["expression"] == "MAX([FILL(requests, 0), errors])"
    assert by_id["error_rate"]["expression"] == "IF(handled >= 50, 100 * errors / handled, 0)"
    assert [q["id"] for q in alarm["metric_query"] if q["return_data"]] == ["error_rate"]
    assert "metric_name" not in alarm and "namespace" not in alarm
    assert (alarm["threshold"], alarm["comparison_operator"]) == (1, "GreaterThanThreshold")
    assert (alarm["evaluation_periods"], alarm["datapoints_to_alarm"]) == (5, 3)
    assert alarm["treat_missing_data"] == "notBreaching"


def test_load_balancer_latency_and_unhealthy_hosts_per_target_group(variants):
    alarms = alarms_by_name(variants["prod"])
    latency = alarms["chat-prod-alb-api-blue-p99-latency"]
    assert (latency["metric_name"], latency["extended_statistic"]) == ("TargetResponseTime", "p99")
    assert "statistic" not in latency
    assert latency["dimensions"] == {
        "LoadBalancer": "app/chat-prod-alb/50dc6c495c0c9188",
        "TargetGroup": "targetgroup/b-api/73e2d6bc24d8a067",
    }
    assert (latency["threshold"], latency["treat_missing_data"]) == (1.5, "notBreaching")
    # Realtime's long polling holds requests open: no latency alarm for it.
    assert "chat-prod-alb-realtime-blue-p99-latency" not in alarms
    for label, suffix in (("api-blue", "b-api/73e2d6bc24d8a067"), ("realtime-blue", "b-rea/66e2d6bc24d8a067")):
        unhealthy = alarms[f"chat-prod-alb-{label}-unhealthy-hosts"]
        assert (unhealthy["metric_name"], unhealthy["statistic"]) == ("UnHealthyHostCount", "Maximum")
        assert unhealthy["dimensions"]["TargetGroup"] == f"targetgroup/{suffix}"
        assert (unhealthy["threshold"], unhealthy["comparison_operator"]) == (0, "GreaterThanThreshold")
        assert (unhealthy["evaluation_periods"], unhealthy["datapoints_to_alarm"], unhealthy["period"]) == (5, 5, 60)
        assert unhealthy["treat_missing_data"] == "breaching"


def test_ecs_services_cpu_memory_and_tasks_below_desired(variants):
    alarms = alarms_by_name(variants["prod"])
    for label in ("api-blue", "worker"):
        dimensions = {"ClusterName": "chat-prod", "ServiceName": f"chat-prod-{label}"}
        for what, metric_name, threshold in (("cpu", "CPUUtilization", 85), ("memory", "MemoryUtilization", 90)):
            alarm = alarms[f"chat-prod-{label}-{what}"]
            assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == ("AWS/ECS", metric_name, "Average")
            assert alarm["dimensions"] == dimensions
            assert (alarm["threshold"], alarm["period"], alarm["evaluation_periods"]) == (threshold, 300, 3)
            assert alarm["treat_missing_data"] == "breaching"
        shortfall = alarms[f"chat-prod-{label}-tasks-below-desired"]
        by_id = queries(shortfall)
        for query_id, metric_name in (("desired", "DesiredTaskCount"), ("running", "RunningTaskCount")):
            metric = by_id[query_id]["metric"]
            assert (metric["namespace"], metric["metric_name"]) == ("ECS/ContainerInsights", metric_name)
            assert metric["dimensions"] == dimensions
        assert by_id["missing_tasks"]["expression"] == "desired - running"
        assert by_id["missing_tasks"]["return_data"] is True
        assert (shortfall["threshold"], shortfall["evaluation_periods"], shortfall["datapoints_to_alarm"]) == (
            0,
            10,
            10,
        )
        assert shortfall["treat_missing_data"] == "breaching"
    # The idle colour: only whether its standby tasks run.
    assert "chat-prod-api-green-cpu" not in alarms and "chat-prod-api-green-tasks-below-desired" in alarms
    # Without Container Insights the task counts never arrive: no such alarm.
    assert not [name for name in alarms_by_name(variants["dev"]) if name.endswith("tasks-below-desired")]


def test_database_alarms_thresholds_follow_the_instance_size(variants):
    alarms = alarms_by_name(variants["prod"])
    expected = {
        "cpu": ("CPUUtilization", "Average", 80, "GreaterThanThreshold"),
        "free-storage": ("FreeStorageSpace", "Minimum", 5 * GIB, "LessThanThreshold"),  # 5% of 100 GiB
        "freeable-memory": ("FreeableMemory", "Minimum", int(1.6 * GIB), "LessThanThreshold"),  # 10% of 16 GiB
        "connections": ("DatabaseConnections", "Maximum", 1802 * 80 // 100, "GreaterThanThreshold"),
    }
    for key, (metric_name, statistic, threshold, comparison) in expected.items():
        alarm = alarms[f"chat-prod-database-{key}"]
        assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == ("AWS/RDS", metric_name, statistic)
        assert alarm["dimensions"] == {"DBInstanceIdentifier": "chat-prod-postgres"}
        assert (alarm["threshold"], alarm["comparison_operator"]) == (threshold, comparison)
        assert alarm["treat_missing_data"] == "breaching"
    lag = alarms["chat-prod-database-replica-lag"]
    assert lag["dimensions"] == {"DBInstanceIdentifier": "chat-prod-postgres-replica"}
    assert (lag["metric_name"], lag["threshold"], lag["evaluation_periods"]) == ("ReplicaLag", 60, 5)


def test_postgres_max_connections_is_rds_formula():
    assert postgres_max_connections(16) == 1802  # 16 GiB / 9,531,392 bytes
    assert postgres_max_connections(1) == 112
    assert postgres_max_connections(512) == 5000  # RDS's cap


def test_cache_alarms_per_node_with_lag_only_on_replicated_groups(variants):
    alarms = alarms_by_name(variants["prod"])
    assert cache_node_ids("chat-prod-cache", 3) == ("chat-prod-cache-001", "chat-prod-cache-002", "chat-prod-cache-003")
    for node in ("001", "002", "003"):
        dimensions = {"CacheClusterId": f"chat-prod-cache-{node}"}
        for key, metric_name, threshold, missing in (
            ("engine-cpu", "EngineCPUUtilization", 90, "breaching"),
            ("cpu", "CPUUtilization", 90, "breaching"),
            ("memory", "DatabaseMemoryUsagePercentage", 80, "breaching"),
            ("evictions", "Evictions", 0, "notBreaching"),
            ("replication-lag", "ReplicationLag", 5, "notBreaching"),
        ):
            alarm = alarms[f"chat-prod-cache-{node}-{key}"]
            assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/ElastiCache", metric_name)
            assert alarm["dimensions"] == dimensions
            assert (alarm["threshold"], alarm["treat_missing_data"]) == (threshold, missing)
    dev = alarms_by_name(variants["dev"])
    assert {name for name in dev if name.startswith("chat-dev-cache-")} == {
        f"chat-dev-cache-001-{key}" for key in ("engine-cpu", "cpu", "memory", "evictions")
    }


def test_queue_dead_letters_and_oldest_message(variants):
    alarms = alarms_by_name(variants["prod"])
    dead = alarms["chat-prod-push-notifications-dead-letters"]
    assert (dead["namespace"], dead["metric_name"], dead["statistic"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
    )
    assert dead["dimensions"] == {"QueueName": "chat-prod-push-notifications-dlq"}
    assert (dead["threshold"], dead["comparison_operator"], dead["evaluation_periods"]) == (
        0,
        "GreaterThanThreshold",
        1,
    )
    assert dead["treat_missing_data"] == "notBreaching"  # an idle, empty DLQ stops reporting
    oldest = alarms["chat-prod-push-notifications-oldest-message"]
    assert oldest["metric_name"] == "ApproximateAgeOfOldestMessage"
    assert oldest["dimensions"] == {"QueueName": "chat-prod-push-notifications"}
    assert (oldest["threshold"], oldest["treat_missing_data"]) == (900, "notBreaching")


def test_kafka_documentdb_and_redis_cluster_alarms(variants):
    alarms = alarms_by_name(variants["prod"])
    for broker in ("1", "2", "3"):
        disk = alarms[f"chat-prod-kafka-broker-{broker}-disk"]
        assert (disk["namespace"], disk["metric_name"], disk["threshold"]) == ("AWS/Kafka", "KafkaDataLogsDiskUsed", 80)
        assert disk["dimensions"] == {"Cluster Name": "chat-prod-kafka", "Broker ID": broker}
        replication = alarms[f"chat-prod-kafka-broker-{broker}-under-replicated"]
        assert (replication["metric_name"], replication["threshold"]) == ("UnderReplicatedPartitions", 0)
    controller = alarms["chat-prod-kafka-active-controller"]
    assert controller["dimensions"] == {"Cluster Name": "chat-prod-kafka"}
    assert (controller["threshold"], controller["comparison_operator"]) == (1, "LessThanThreshold")
    assert controller["treat_missing_data"] == "breaching"
    for index in ("1", "2"):
        cpu = alarms[f"chat-prod-documentdb-{index}-cpu"]
        assert (cpu["namespace"], cpu["dimensions"]) == (
            "AWS/DocDB",
            {"DBInstanceIdentifier": f"chat-prod-docdb-{index}"},
        )
        connections = alarms[f"chat-prod-documentdb-{index}-connections"]
        assert connections["threshold"] == 1360  # 80% of 1,700
    state = alarms["chat-prod-redis-cluster-state"]
    assert (state["namespace"], state["metric_name"], state["statistic"]) == (
        "ChatInfra/RedisCluster",
        "ClusterStateOk",
        "Minimum",
    )
    assert state["dimensions"] == {"ClusterName": "chat-prod-redis"}
    assert (state["threshold"], state["comparison_operator"], state["treat_missing_data"]) == (
        1,
        "LessThanThreshold",
        "breaching",
    )


# -- the dashboard ---------------------------------------------------------------------


def test_dashboard_shows_every_alarm_and_the_metrics_they_compare(variants):
    synth = variants["prod"]
    _, dashboard = only(synth.resources("aws_cloudwatch_dashboard"))
    assert dashboard["dashboard_name"] == "chat-prod"
    body = json.loads(dashboard["dashboard_body"])
    widgets = body["widgets"]
    status = [w for w in widgets if w["type"] == "alarm"]
    listed = [arn for widget in status for arn in widget["properties"]["alarms"]]
    names = synth.resources("aws_cloudwatch_metric_alarm")
    assert sorted(listed) == sorted(synth.reference("aws_cloudwatch_metric_alarm", n, "arn") for n in names)
    headings = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
    assert headings[:2] == ["## Load balancer", "## ECS services"]
    assert len(headings) == 8
    graphs = {w["properties"]["title"]: w["properties"] for w in widgets if w["type"] == "metric"}
    rate = graphs["5xx rate (%)"]
    expressions = {m[0]["id"]: m[0] for m in rate["metrics"] if "expression" in m[0]}
    assert expressions["a0_error_rate"]["expression"] == "IF(a0_handled >= 50, 100 * a0_errors / a0_handled, 0)"
    assert rate["annotations"]["horizontal"] == [{"label": "alarm threshold", "value": 1.0}]
    cpu = graphs["ECS CPU (%)"]
    services = [m[m.index("ServiceName") + 1] for m in cpu["metrics"] if "ServiceName" in m]
    assert services == ["chat-prod-api-blue", "chat-prod-worker"]
    for properties in graphs.values():
        assert properties["region"] == "eu-west-1"
        ids = set()
        for entry in properties["metrics"]:
            ids.add(entry[-1]["id"])
        for entry in properties["metrics"]:
            for referenced in re.findall(r"\b(a\d+_[a-z0-9_]+)\b", entry[-1].get("expression", "")):
                assert referenced in ids  # every renamed id exists in its own graph
        assert [entry[-1]["visible"] for entry in properties["metrics"]].count(True) >= 1


def test_dashboard_widgets_stay_on_the_grid_and_never_overlap(variants):
    _, dashboard = only(variants["prod"].resources("aws_cloudwatch_dashboard"))
    cells = set()
    for widget in json.loads(dashboard["dashboard_body"])["widgets"]:
        assert widget["x"] + widget["width"] <= GRID_WIDTH
        covered = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not covered & cells
        cells |= covered


def test_dashboard_needs_something_to_show():
    with pytest.raises(ValueError) as caught:
        dashboard_body(region="eu-west-1", watches=[], alarm_arns=[])
    assert str(caught.value) == "dashboard: expected at least one watched component, got none"


def test_alarm_status_is_split_into_widgets_of_a_hundred():
    watch = redis_cluster_watch(PROD, namespace="Custom/Redis", cluster_name="c")
    body = dashboard_body(region="eu-west-1", watches=[watch], alarm_arns=[f"arn:{n}" for n in range(150)])
    status = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert [len(w["properties"]["alarms"]) for w in status] == [100, 50]
    assert status[1]["y"] == status[0]["y"] + status[0]["height"]


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"subscriptions": {"sms": ("+447700900123",)}},
            'subscriptions: expected a subscription protocol, one of "email", "https", got "sms" (string)',
        ),
        (
            {"subscriptions": {"email": ("oncall.example.com",)}},
            'subscriptions: email: expected an email address such as oncall@example.com, got "oncall.example.com" '
            "(string)",
        ),
        (
            {"subscriptions": {"https": ("http://hooks.example.com/sns",)}},
            'subscriptions: https: expected an https:// URL with a host, got "http://hooks.example.com/sns" (string)',
        ),
        (
            {"subscriptions": {"https": ("https://user:secret@hooks.example.com/sns",)}},
            "subscriptions: https: expected a URL without user:password@ (SNS and the state keep it in clear), got "
            '"https://user:secret@hooks.example.com/sns" (string)',
        ),
        (
            {"subscriptions": {"email": ("a@example.com", "A@example.com")}},
            'subscriptions: email: expected each endpoint once, got "A@example.com" (string) twice',
        ),
        (
            {"subscriptions": {"email": ("x" * 2040 + "@example.com",)}},
            "subscriptions: email: expected at most 2048 characters, got 2052",
        ),
        (
            {"service_cpu_percent": 100},
            "service_cpu_percent: expected a number less than or equal to 99, got 100 (number)",
        ),
        (
            {"load_balancer_5xx_percent": 0.05},
            "load_balancer_5xx_percent: expected a number greater than or equal to 0.1, got 0.05 (number)",
        ),
        (
            {"service_task_shortfall_minutes": 2},
            "service_task_shortfall_minutes: expected a number greater than or equal to 3, got 2 (number)",
        ),
        (
            {"realtime_connections_percent_of_target": 100},
            "realtime_connections_percent_of_target: expected a number greater than or equal to 101, got 100 (number)",
        ),
        (
            {"queue_oldest_message_seconds": 1_209_601},
            "queue_oldest_message_seconds: expected a number less than or equal to 1209600, got 1209601 (number)",
        ),
        (
            {"kms_key_arn": "alias/chat-prod/alarms"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> (a key id, "
            'not an alias), got "alias/chat-prod/alarms" (string)',
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as caught:
        replace(PROD, **changes)
    assert str(caught.value) == f"invalid AlarmsProps:\n  {message}"


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as caught:
        replace(PROD, cache_memory_percent=5, subscriptions={"sqs": ("arn:aws:sqs:eu-west-1:1:q",)})
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == [
        "subscriptions",
        "cache_memory_percent",
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: load_balancer_watch(
                PROD, load_balancer_arn_suffix="app/x/1", target_groups={}, latency_target_groups=["api-blue"]
            ),
            "latency_target_groups: expected labels of target_groups, got ['api-blue']",
        ),
        (
            lambda: kafka_watch(PROD, cluster_name="k", broker_count=0),
            "broker_count: expected at least 1 broker, got 0",
        ),
        (
            lambda: documentdb_watch(PROD, cluster_identifier="d", instance_identifiers=["d-1"], max_connections=0),
            "max_connections: expected at least 1, got 0",
        ),
        (
            lambda: redis_cluster_watch(PROD, namespace="AWS/ElastiCache", cluster_name="r"),
            'namespace: expected a custom namespace (not "AWS/..."), got "AWS/ElastiCache"',
        ),
    ],
)
def test_builders_refuse_inputs_they_cannot_watch(build, message):
    with pytest.raises(ValueError) as caught:
        build()
    assert str(caught.value) == message


def test_a_second_alarm_with_the_same_key_is_refused(synth_scratch):
    from modules.observability import Alarms

    def build(stack):
        alarms = Alarms(stack, "alarms", props=DEV, topic_arn="arn:aws:sns:eu-west-1:111122223333:chat-dev-alarms")
        alarms.add(queue_watch(alarms.props, queue_name="chat-dev-push", dead_letter_queue_name="chat-dev-push-dlq"))
        alarms.add(queue_watch(alarms.props, queue_name="chat-dev-push", dead_letter_queue_name="chat-dev-push-dlq"))

    with pytest.raises(ValueError) as caught:
        synth_scratch(build)
    assert str(caught.value) == "alarm push-oldest-message: expected one alarm per key, got a second"


def test_the_alarms_block_is_derived_from_the_props():
    from pydantic import ValidationError

    from modules.common.inputs import environment_block, props_from_block

    block_model = environment_block(AlarmsProps, "AlarmsConfig")
    block = block_model(subscriptions={"email": ["oncall@example.com"]}, database_cpu_percent=70)
    props = props_from_block(AlarmsProps, block, name="chat-prod", region="eu-west-1", account_id=None)
    assert props.subscriptions == {"email": ("oncall@example.com",)}
    assert (props.database_cpu_percent, props.cache_memory_percent) == (70, 80)
    assert "name" not in block_model.model_fields and "kms_key_arn" not in block_model.model_fields
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        block_model(service_cpu_percent="90")
    with pytest.raises(ValidationError, match='expected a subscription protocol, one of "email", "https"'):
        block_model(subscriptions={"slack": ["#oncall"]})


# -- the stack wiring ------------------------------------------------------------------


@pytest.fixture(scope="module")
def wired_stack(tmp_path_factory):
    """The dev environment's ChatStack (whose root builds the observability), with a subscriber, synthesized."""
    from bindings.cdk import App
    from envconfig import load_environment
    from modules.common.inputs import environment_block
    from stacks.chat_stack import ChatStack
    from tests.conftest import ENVIRONMENTS_DIR, Synthesized

    config = load_environment(Path(ENVIRONMENTS_DIR) / "dev.hcl")
    block = environment_block(AlarmsProps, "AlarmsConfig")(subscriptions={"email": ["dev-alarms@example.com"]})
    outdir = tmp_path_factory.mktemp("wired")
    app = App(outdir=str(outdir))
    built = ChatStack(app, config.model_copy(update={"alarms": block})).composition
    app.synth()
    document = json.loads((outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
    return built, built.observability, Synthesized(document)


def test_wiring_watches_exactly_the_components_the_stack_has(wired_stack):
    built, wired, synth = wired_stack
    alarms = alarms_by_name(synth)
    prefixes = {name.removeprefix("chat-dev-").split("-")[0] for name in alarms}
    assert prefixes == {"alb", "api", "realtime", "worker", "database", "cache", "push", "offline"}
    # No MSK, DocumentDB or Redis Cluster in this stack: none of their alarms.
    assert built.variant_stores == {}
    for pattern in ("kafka", "documentdb", "redis-cluster"):
        assert not [name for name in alarms if pattern in name]
    assert set(wired.alarms.alarm_names) == set(alarms)
    _, subscription = only(synth.resources("aws_sns_topic_subscription"))
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "dev-alarms@example.com")


def test_wiring_points_every_dimension_at_the_stacks_resources(wired_stack):
    built, _, synth = wired_stack
    alarms = alarms_by_name(synth)
    lb_name, _ = only(synth.resources("aws_lb"))
    lb_suffix = synth.reference("aws_lb", lb_name, "arn_suffix")
    for name, alarm in alarms.items():
        metrics = [alarm] if "metric_name" in alarm else [q["metric"] for q in alarm["metric_query"] if "metric" in q]
        for metric in metrics:
            dimensions = metric["dimensions"]
            if "LoadBalancer" in dimensions:
                assert dimensions["LoadBalancer"] == lb_suffix, name
            if "TargetGroup" in dimensions:
                group = synth.by_reference(dimensions["TargetGroup"])
                assert dimensions["TargetGroup"].endswith(".arn_suffix}")
                assert name.startswith(f"chat-dev-alb-{group['tags']['Service']}-{group['tags']['Colour']}-"), name
            if "ServiceName" in dimensions:
                services = {s["name"] for s in synth.resources("aws_ecs_service").values()}
                assert dimensions["ServiceName"] in services
                # AWS's ECS metrics name the cluster too; the tasks' own connections metric needs no cluster.
                if metric["namespace"] != built.compute.services["realtime"].connections_namespace:
                    assert dimensions["ClusterName"] == built.compute.cluster.name, name
            if "CacheClusterId" in dimensions:
                groups = {
                    g["replication_group_id"] for g in synth.resources("aws_elasticache_replication_group").values()
                }
                assert dimensions["CacheClusterId"].rsplit("-", 1)[0] in groups
            if "DBInstanceIdentifier" in dimensions:
                instance = dimensions["DBInstanceIdentifier"]
                if instance.startswith("${"):  # the replica, by reference
                    assert "replicate_source_db" in synth.by_reference(instance), name
                else:
                    assert instance == built.database.identifier, name
                    instances = {i["identifier"] for i in synth.resources("aws_db_instance").values()}
                    assert instance in instances
            if "QueueName" in dimensions:
                queues = {q["name"] for q in synth.resources("aws_sqs_queue").values()}
                assert dimensions["QueueName"] in queues


def test_wiring_skips_colours_without_tasks(wired_stack):
    built, _, synth = wired_stack
    alarms = alarms_by_name(synth)
    services = built.compute.services
    for service in ("api", "realtime"):
        weights = built.edge.load_balancer.props.weights_of(service)
        for colour, weight in weights.items():
            tasks = services[service].props.min_tasks if weight else services[service].props.standby_tasks
            assert (f"chat-dev-alb-{service}-{colour}-unhealthy-hosts" in alarms) == (tasks > 0)
            assert (f"chat-dev-{service}-{colour}-cpu" in alarms) == (weight > 0)


def test_documentdb_connection_limit_per_class():
    from modules.documentdb.sizing import documentdb_max_connections

    assert documentdb_max_connections("db.t4g.medium") == 500
    assert documentdb_max_connections("db.r6g.large") == 1700
    assert documentdb_max_connections("db.r6g.16xlarge") == 30_000
    with pytest.raises(ValueError) as caught:
        documentdb_max_connections("db.r6g.huge")
    assert str(caught.value) == (
        "instance_class: expected a DocumentDB size of medium, large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, "
        '16xlarge, 24xlarge, got "db.r6g.huge"'
    )


def test_observability_aggregates_the_watches_components_give(synth_scratch):
    """build_observability adds what each component's `watches(thresholds)` returns, in order,
    and nothing else: here MSK, DocumentDB and the Redis Cluster as their modules' alarm
    builders watch them, with the sizing facts of their modules (DocumentDB's connection limit)."""
    from modules.documentdb.sizing import documentdb_max_connections
    from modules.observability import AlarmTopic
    from stacks.observability import build_observability

    thresholds = AlarmsProps(name="chat-var", region="eu-west-1", account_id=ACCOUNT, deletion_protection=False)

    @dataclass(frozen=True)
    class StandIn:
        """A Component that gives fixed watches and no backup target."""

        built: tuple

        def backup_targets(self):
            return ()

        def watches(self, given):
            assert given is thresholds
            return self.built

    components = (
        StandIn((kafka_watch(thresholds, cluster_name="chat-var-kafka", broker_count=3),)),
        StandIn(
            (
                documentdb_watch(
                    thresholds,
                    cluster_identifier="chat-var-docdb",
                    instance_identifiers=["chat-var-docdb-1"],
                    max_connections=documentdb_max_connections("db.t4g.medium"),
                ),
            )
        ),
        StandIn((redis_cluster_watch(thresholds, namespace="ChatInfra/RedisCluster", cluster_name="chat-var-redis"),)),
    )
    built = {}

    def build(stack):
        topic = AlarmTopic(stack, "alarm_topic", props=thresholds)
        watches = [watch for component in components for watch in component.watches(thresholds)]
        built["observability"] = build_observability(stack, thresholds, topic, watches)

    alarms = alarms_by_name(synth_scratch(build))
    assert set(alarms) == {
        *(f"chat-var-kafka-broker-{n}-{what}" for n in (1, 2, 3) for what in ("disk", "under-replicated")),
        "chat-var-kafka-active-controller",
        "chat-var-documentdb-1-cpu",
        "chat-var-documentdb-1-connections",
        "chat-var-redis-cluster-state",
    }
    assert alarms["chat-var-documentdb-1-connections"]["threshold"] == 400  # 80% of db.t4g.medium's 500
    assert alarms["chat-var-redis-cluster-state"]["namespace"] == "ChatInfra/RedisCluster"
    titles = [watch.title for watch in built["observability"].alarms.watches]
    assert titles == ["Kafka (chat-var-kafka)", "DocumentDB (chat-var-docdb)", "Redis Cluster (chat-var-redis)"]


def test_realtime_connections_per_task_alarm_and_panel_for_each_colour_with_traffic():
    watch = service_watch(
        PROD,
        cluster_name="chat-prod",
        services=[
            WatchedService("realtime-blue", "chat-prod-realtime-blue", connections=WatchedConnections("ns/rt", 5000)),
            WatchedService("realtime-green", "chat-prod-realtime-green", connections=WatchedConnections("ns/rt", 5000)),
            WatchedService(
                "realtime-idle", "chat-prod-realtime-idle", load=False, connections=WatchedConnections("ns/rt", 5000)
            ),
            WatchedService("api-blue", "chat-prod-api-blue"),
        ],
    )
    alarms = {alarm.key: alarm for alarm in watch.alarms}
    connections = [key for key in alarms if key.endswith("-connections")]
    # Both colours that carry connections; neither the idle colour nor the API.
    assert connections == ["realtime-blue-connections", "realtime-green-connections"]
    blue = alarms["realtime-blue-connections"]
    metric = blue.metrics["value"]
    assert (metric.namespace, metric.name, metric.stat) == ("ns/rt", "OpenConnections", "Average")
    assert metric.dimensions == {"ServiceName": "chat-prod-realtime-blue"}
    # 150% of the scaling target (the default realtime_connections_percent_of_target).
    assert (blue.threshold, blue.comparison) == (7500, "GreaterThanThreshold")
    assert blue.missing_data == "notBreaching"  # published by the application: silence is not saturation
    assert ceil_threshold(replace(PROD, realtime_connections_percent_of_target=120)) == 6000
    (panel,) = [panel for panel in watch.panels if panel.title == "Connections per task"]
    assert [alarm.key for alarm in panel.alarms] == connections


def ceil_threshold(props: AlarmsProps) -> float:
    (alarm,) = [
        alarm
        for alarm in service_watch(
            props,
            cluster_name="c",
            services=[WatchedService("rt", "c-rt", connections=WatchedConnections("ns/rt", 5000))],
        ).alarms
        if alarm.key == "rt-connections"
    ]
    return alarm.threshold


def test_wiring_alarms_and_charts_realtime_connections_per_task(wired_stack):
    built, _, synth = wired_stack
    realtime = built.compute.services["realtime"]
    alarms = alarms_by_name(synth)
    weights = built.edge.load_balancer.props.weights_of("realtime")
    for colour, weight in weights.items():
        name = f"chat-dev-realtime-{colour}-connections"
        assert (name in alarms) == (weight > 0)
        if weight:
            alarm = alarms[name]
            assert (alarm["namespace"], alarm["metric_name"]) == ("chat-dev/realtime", "OpenConnections")
            assert alarm["namespace"] == realtime.connections_namespace
            assert alarm["dimensions"] == {"ServiceName": f"chat-dev-realtime-{colour}"}
            assert alarm["threshold"] == realtime.connections_per_task * 3 // 2
    # No other service is watched on connections.
    assert [n for n in alarms if n.endswith("-connections") and "realtime" not in n] == [
        "chat-dev-database-connections"
    ]
    _, dashboard = only(synth.resources("aws_cloudwatch_dashboard"))
    graphs = {
        w["properties"]["title"]: w["properties"]
        for w in json.loads(dashboard["dashboard_body"])["widgets"]
        if w["type"] == "metric"
    }
    panel = graphs["Connections per task"]
    assert ["chat-dev/realtime", "OpenConnections"] == panel["metrics"][0][:2]
    assert panel["annotations"]["horizontal"] == [{"label": "alarm threshold", "value": 7500}]
