"""MSK module: encryption with the cluster's key, TLS, IAM-only clients, server properties per
broker count, brokers over the AZs, storage autoscaling, logs and their policies, monitoring,
who reaches the port, the IAM grants (every statement parsed), attributes, validation, README."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modules.common.keys import BASE_STATEMENT_SIDS
from modules.msk import DEFAULT_KAFKA_VERSION, KAFKA_VERSIONS, KafkaClusterProps
from modules.msk.settings import (
    min_insync_replicas,
    render_server_properties,
    replication_factor,
    server_properties,
)

ACCOUNT = "111122223333"
OWN_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f9b2c1e-1234-4a5b-8c9d-0123456789ab"
SUBNETS = ("subnet-0a1b2c3d", "subnet-0a1b2c3e", "subnet-0a1b2c3f")
TOPICS = ("push-notifications", "offline-messages")
BASE = KafkaClusterProps(name="chat-test", region="eu-west-1", vpc_id="vpc-0a1b2c3d", subnet_ids=SUBNETS)
# Production: six brokers over three AZs, the account pinned, exporters on, a year of logs.
PROD = replace(
    BASE,
    name="chat-prod",
    account_id=ACCOUNT,
    broker_count=6,
    max_volume_size_gib=1000,
    enhanced_monitoring="PER_TOPIC_PER_BROKER",
    open_monitoring=True,
    log_retention_days=365,
    tags={"team": "chat-platform"},
)
# Development: two AZs, one small broker in each, nothing protected, short logs.
DEV = replace(
    BASE,
    name="chat-dev",
    subnet_ids=SUBNETS[:2],
    broker_instance_type="kafka.t3.small",
    volume_size_gib=10,
    enhanced_monitoring="DEFAULT",
    deletion_protection=False,
    log_retention_days=14,
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.msk import KafkaCluster
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    def build(props, wired=True):
        def add(stack):
            cluster = KafkaCluster(stack, "msk", props=props)
            if wired:

                def group(name, port):
                    return SecurityGroup(
                        stack,
                        name,
                        props=SecurityGroupProps(
                            name=f"{props.name}-{name}", vpc_id="vpc-0a1b2c3d", description=f"{name} tasks", port=port
                        ),
                    )

                def role(name):
                    return ServiceRole(
                        stack,
                        f"{name}_role",
                        name=f"{props.name}-{name}",
                        service="ecs-tasks.amazonaws.com",
                        description=f"{name} tasks",
                        account_id=ACCOUNT,
                    )

                cluster.allow_from(group("api", 3000))
                cluster.allow_from(group("worker", 8080))
                cluster.grant_produce(role("api"), TOPICS)
                worker = role("worker")
                cluster.grant_consume(worker, TOPICS, "chat-worker")
                cluster.grant_create_topics(worker, TOPICS)
                if props.open_monitoring:
                    cluster.allow_prometheus_from(group("prometheus", 9090))
            for name in ("arn", "cluster_uuid", "bootstrap_brokers", "kms_key_arn", "configuration_arn"):
                TerraformOutput(stack, name, value=getattr(cluster, name))
            for name in ("cluster_name", "kafka_version", "log_group_name"):
                TerraformOutput(stack, name, value=getattr(cluster, name))
            TerraformOutput(stack, "port", value=cluster.port)
            TerraformOutput(stack, "broker_count", value=cluster.broker_count)
            TerraformOutput(stack, "security_group_id", value=cluster.security_group.security_group_id)

        return add

    return {
        "prod": synth_scratch(build(PROD)),
        "dev": synth_scratch(build(DEV)),
        "own_key": synth_scratch(build(replace(BASE, kms_key_arn=OWN_KEY), wired=False)),
    }


def only(resources):
    (value,) = resources.values()
    return value


def output(synth, name):
    return synth.document["output"][name]["value"]


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


def cluster_of(synth):
    return only(synth.resources("aws_msk_cluster"))


def role_statements(synth, role):
    """{sid: statement} of a role's inline policy, followed from the policy to its document."""
    (policy,) = [p for p in synth.resources("aws_iam_role_policy").values() if role in p["role"]]
    return {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}


def parse_properties(text):
    return dict(line.split("=", 1) for line in text.splitlines())


# -- settings (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brokers", "factor", "in_sync"), [(1, 1, 1), (2, 2, 1), (3, 3, 2), (4, 3, 2), (6, 3, 2), (30, 3, 2)]
)
def test_three_copies_and_two_in_sync_where_the_brokers_allow_and_never_all_of_them(brokers, factor, in_sync):
    assert replication_factor(brokers) == factor
    assert min_insync_replicas(brokers) == in_sync
    # One broker down (patching, an AZ) must never stop writes.
    assert in_sync < factor or factor == 1


def test_server_properties_render_as_a_properties_file():
    properties = server_properties(broker_count=3, default_partitions=6, retention_hours=168)
    assert render_server_properties(properties) == "".join(f"{k}={v}\n" for k, v in properties.items())
    assert properties == {
        "auto.create.topics.enable": "false",
        "default.replication.factor": "3",
        "min.insync.replicas": "2",
        "offsets.topic.replication.factor": "3",
        "transaction.state.log.replication.factor": "3",
        "transaction.state.log.min.isr": "2",
        "unclean.leader.election.enable": "false",
        "num.partitions": "6",
        "log.retention.hours": "168",
    }


def test_only_kraft_versions_are_offered_and_the_default_is_one_of_them():
    assert DEFAULT_KAFKA_VERSION == "3.8.x.kraft" and DEFAULT_KAFKA_VERSION in KAFKA_VERSIONS
    assert all(version.endswith(".kraft") for version in KAFKA_VERSIONS)


# -- the cluster -----------------------------------------------------------------------


def test_brokers_spread_over_the_given_subnets_with_the_size_of_the_environment(variants):
    prod, dev = cluster_of(variants["prod"]), cluster_of(variants["dev"])
    assert prod["number_of_broker_nodes"] == 6 and dev["number_of_broker_nodes"] == 2  # one per AZ by default
    assert prod["broker_node_group_info"]["client_subnets"] == list(SUBNETS)
    assert dev["broker_node_group_info"]["client_subnets"] == list(SUBNETS[:2])
    assert prod["broker_node_group_info"]["instance_type"] == "kafka.m7g.large"
    assert dev["broker_node_group_info"]["instance_type"] == "kafka.t3.small"
    assert dev["broker_node_group_info"]["storage_info"]["ebs_storage_info"] == {"volume_size": 10}
    assert "connectivity_info" not in prod["broker_node_group_info"]  # no public access
    assert prod["kafka_version"] == dev["kafka_version"] == "3.8.x.kraft"


def test_encryption_at_rest_with_the_clusters_key_and_tls_everywhere(variants):
    synth = variants["prod"]
    encryption = cluster_of(synth)["encryption_info"]
    key = synth.by_reference(encryption["encryption_at_rest_kms_key_arn"])
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert key["lifecycle"]["prevent_destroy"] is True
    assert encryption["encryption_in_transit"] == {"client_broker": "TLS", "in_cluster": True}
    (key_policy,) = synth.resources("aws_kms_key_policy").values()
    statements = {s["sid"]: s for s in synth.data_by_reference(key_policy["policy"])["statement"]}
    assert set(statements) == {
        *BASE_STATEMENT_SIDS,
        "MskUsesKeyForThisAccount",
        "CloudWatchLogsUsesKeyForKafkaBrokerLogs",
    }
    msk = statements["MskUsesKeyForThisAccount"]
    assert msk["principals"] == [{"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]}]
    assert {(c["variable"], c["values"][0]) for c in msk["condition"]} == {
        ("kms:ViaService", "kafka.eu-west-1.amazonaws.com"),
        ("kms:CallerAccount", ACCOUNT),
    }
    logs = statements["CloudWatchLogsUsesKeyForKafkaBrokerLogs"]
    assert logs["condition"][0]["values"] == [
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/chat-infra/chat-prod/msk/broker"
    ]


def test_clients_authenticate_with_iam_only(variants):
    for synth in variants.values():
        authentication = cluster_of(synth)["client_authentication"]
        assert authentication == {"sasl": {"iam": True, "scram": False}, "unauthenticated": False}


def test_a_given_key_is_used_and_no_key_is_created(variants):
    synth = variants["own_key"]
    assert cluster_of(synth)["encryption_info"]["encryption_at_rest_kms_key_arn"] == OWN_KEY
    assert only(synth.resources("aws_cloudwatch_log_group"))["kms_key_id"] == OWN_KEY
    assert synth.resources("aws_kms_key") == {}


def test_the_configuration_holds_safe_server_properties_for_the_broker_count(variants):
    for name, factor, in_sync in (("prod", "3", "2"), ("dev", "2", "1")):
        synth = variants[name]
        cluster = cluster_of(synth)
        configuration = synth.by_reference(cluster["configuration_info"]["arn"])
        assert cluster["configuration_info"]["revision"].endswith(".latest_revision}")
        assert "kafka_versions" not in configuration  # kept across version upgrades
        properties = parse_properties(configuration["server_properties"])
        assert properties["auto.create.topics.enable"] == "false"
        assert properties["unclean.leader.election.enable"] == "false"
        assert properties["default.replication.factor"] == properties["offsets.topic.replication.factor"] == factor
        assert properties["min.insync.replicas"] == properties["transaction.state.log.min.isr"] == in_sync
        assert (properties["num.partitions"], properties["log.retention.hours"]) == ("6", "168")


def test_storage_grows_by_target_tracking_up_to_the_ceiling_and_terraform_leaves_it(variants):
    for name, ceiling in (("prod", 1000), ("dev", 40)):  # dev: four times 10 GiB
        synth = variants[name]
        target = only(synth.resources("aws_appautoscaling_target"))
        assert target["resource_id"] == synth.reference("aws_msk_cluster", *synth.resources("aws_msk_cluster"), "arn")
        assert (target["service_namespace"], target["scalable_dimension"]) == (
            "kafka",
            "kafka:broker-storage:VolumeSize",
        )
        assert target["max_capacity"] == ceiling
        policy = only(synth.resources("aws_appautoscaling_policy"))
        assert policy["resource_id"].endswith(".resource_id}") and policy["policy_type"] == "TargetTrackingScaling"
        tracking = policy["target_tracking_scaling_policy_configuration"]
        assert tracking == {
            "target_value": 50,
            "disable_scale_in": True,
            "predefined_metric_specification": {"predefined_metric_type": "KafkaBrokerStorageUtilization"},
        }
        lifecycle = cluster_of(synth)["lifecycle"]
        assert lifecycle["ignore_changes"] == [
            "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"
        ]
    assert "prevent_destroy" not in cluster_of(variants["dev"])["lifecycle"]
    assert cluster_of(variants["prod"])["lifecycle"]["prevent_destroy"] is True


def test_broker_logs_go_to_an_encrypted_log_group_that_log_delivery_alone_writes(variants):
    for name, days in (("prod", 365), ("dev", 14)):
        synth = variants[name]
        cloudwatch = cluster_of(synth)["logging_info"]["broker_logs"]["cloudwatch_logs"]
        group = synth.by_reference(cloudwatch["log_group"])
        assert cloudwatch["enabled"] is True
        assert group["name"] == f"/chat-infra/chat-{name}/msk/broker" and group["retention_in_days"] == days
        assert group["kms_key_id"] == cluster_of(synth)["encryption_info"]["encryption_at_rest_kms_key_arn"]
        resource_policy = only(synth.resources("aws_cloudwatch_log_resource_policy"))
        (statement,) = synth.data_by_reference(resource_policy["policy_document"])["statement"]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["delivery.logs.amazonaws.com"]}]
        assert statement["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        (resource,) = statement["resources"]
        assert resource.startswith("arn:aws:logs:eu-west-1:") and resource.endswith(f":log-group:{group['name']}:*")
    dev_waivers = [checks for block, checks in waivers(variants["dev"]).items() if "broker_log_group" in block]
    assert dev_waivers and "CKV_AWS_338" in dev_waivers[0]
    assert not [b for b in waivers(variants["prod"]) if "broker_log_group" in b]


def test_monitoring_per_environment_and_exporters_only_when_asked(variants):
    prod, dev = cluster_of(variants["prod"]), cluster_of(variants["dev"])
    assert (prod["enhanced_monitoring"], dev["enhanced_monitoring"]) == ("PER_TOPIC_PER_BROKER", "DEFAULT")
    assert prod["open_monitoring"] == {
        "prometheus": {"jmx_exporter": {"enabled_in_broker": True}, "node_exporter": {"enabled_in_broker": True}}
    }
    assert "open_monitoring" not in dev


def test_only_the_services_reach_the_iam_port_and_the_scraper_the_exporters(variants):
    for name, expected in (
        (
            "prod",
            {
                ("chat-prod-api", 9098),
                ("chat-prod-worker", 9098),
                ("chat-prod-prometheus", 11001),
                ("chat-prod-prometheus", 11002),
            },
        ),
        ("dev", {("chat-dev-api", 9098), ("chat-dev-worker", 9098)}),
    ):
        synth = variants[name]
        (group_name,) = [
            n for n, g in synth.resources("aws_security_group").items() if g["name_prefix"] == f"chat-{name}-kafka-"
        ]
        assert cluster_of(synth)["broker_node_group_info"]["security_groups"] == [
            synth.reference("aws_security_group", group_name)
        ]
        ingress = synth.resources("aws_vpc_security_group_ingress_rule").values()
        found = set()
        for rule in ingress:
            if rule["security_group_id"] == synth.reference("aws_security_group", group_name):
                assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
                source = synth.by_reference(rule["referenced_security_group_id"])
                found.add((source["name_prefix"].rstrip("-"), rule["from_port"]))
                assert rule["from_port"] == rule["to_port"]
        assert found == expected


def test_grants_name_the_cluster_its_topics_and_the_group_never_a_wildcard(variants):
    synth = variants["prod"]
    cluster = synth.reference("aws_msk_cluster", *synth.resources("aws_msk_cluster"), "arn")
    topic = f'${{replace({cluster[2:-1]}, ":cluster/", ":topic/")}}'
    group = f'${{replace({cluster[2:-1]}, ":cluster/", ":group/")}}'
    api = role_statements(synth, "api_role")
    worker = role_statements(synth, "worker_role")
    expected_api = {
        "ProduceToChatProdKafka": (["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"], [cluster]),
        "ProduceToChatProdKafkaTopics": (
            ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
            [f"{topic}/{t}" for t in TOPICS],
        ),
    }
    expected_worker = {
        "ConsumeFromChatProdKafka": (["kafka-cluster:Connect"], [cluster]),
        "ConsumeFromChatProdKafkaTopics": (
            ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
            [f"{topic}/{t}" for t in TOPICS],
        ),
        "ConsumeAsGroupOfChatProdKafka": (
            ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
            [f"{group}/chat-worker"],
        ),
        "AdministerTopicsOfChatProdKafka": (["kafka-cluster:Connect"], [cluster]),
        "CreateChatProdKafkaTopics": (
            ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic"],
            [f"{topic}/{t}" for t in TOPICS],
        ),
    }
    for statements, expected in ((api, expected_api), (worker, expected_worker)):
        assert {sid: (s["actions"], s["resources"]) for sid, s in statements.items()} == expected
        for statement in statements.values():
            assert statement["effect"] == "Allow" and "condition" not in statement
            assert all(action.startswith("kafka-cluster:") for action in statement["actions"])
            assert not any("*" in resource for resource in statement["resources"])


def test_attributes_refer_to_what_they_name(variants):
    synth = variants["prod"]
    cluster_name = next(iter(synth.resources("aws_msk_cluster")))
    assert output(synth, "arn") == synth.reference("aws_msk_cluster", cluster_name, "arn")
    assert output(synth, "cluster_uuid") == synth.reference("aws_msk_cluster", cluster_name, "cluster_uuid")
    assert output(synth, "bootstrap_brokers") == synth.reference(
        "aws_msk_cluster", cluster_name, "bootstrap_brokers_sasl_iam"
    )
    assert synth.by_reference(output(synth, "configuration_arn"))["name"] == "chat-prod-kafka-server-properties"
    assert synth.by_reference(output(synth, "kms_key_arn"))["description"].startswith("chat-prod-kafka:")
    assert (output(synth, "port"), output(synth, "broker_count"), output(synth, "cluster_name")) == (
        9098,
        6,
        "chat-prod-kafka",
    )
    assert output(synth, "kafka_version") == "3.8.x.kraft"
    assert output(synth, "log_group_name") == "/chat-infra/chat-prod/msk/broker"


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"broker_count": 4},
            "broker_count: expected a multiple of the 3 availability zones (MSK places the same number of "
            "brokers in each), got 4",
        ),
        (
            {"subnet_ids": SUBNETS[:2], "broker_count": 3},
            "broker_count: expected a multiple of the 2 availability zones (MSK places the same number of "
            "brokers in each), got 3",
        ),
        ({"broker_count": 31}, "broker_count: expected a number less than or equal to 30, got 31 (number)"),
        (
            {"kafka_version": "2.8.1"},
            "kafka_version: expected one of '3.7.x.kraft', '3.8.x.kraft', '3.9.x.kraft', '4.0.x.kraft' or "
            "'4.1.x.kraft', got \"2.8.1\" (string)",
        ),
        (
            {"kafka_version": "3.8.x"},
            "kafka_version: expected one of '3.7.x.kraft', '3.8.x.kraft', '3.9.x.kraft', '4.0.x.kraft' or "
            "'4.1.x.kraft', got \"3.8.x\" (string)",
        ),
        (
            {"subnet_ids": (*SUBNETS, "subnet-0a1b2c40")},
            "subnet_ids: expected 2 or 3 subnets, one per availability zone (MSK places brokers in two or "
            "three AZs), got 4",
        ),
        (
            {"subnet_ids": SUBNETS[:1]},
            "subnet_ids: expected at least two distinct subnets, one per availability zone (MSK spreads brokers "
            "over two or three AZs), got 1",
        ),
        (
            {"broker_instance_type": "express.m7g.large"},
            "broker_instance_type: expected an MSK Standard broker type such as kafka.m7g.large, got "
            '"express.m7g.large" (string)',
        ),
        (
            {"volume_size_gib": 500, "max_volume_size_gib": 500},
            "max_volume_size_gib: expected more than volume_size_gib (500): storage only ever grows to it, "
            "got 500 (number)",
        ),
        (
            {"volume_size_gib": 16385},
            "volume_size_gib: expected a number less than or equal to 16384, got 16385 (number)",
        ),
        (
            {"enhanced_monitoring": "PER_TOPIC"},
            "enhanced_monitoring: expected one of 'DEFAULT', 'PER_BROKER', 'PER_TOPIC_PER_BROKER' or "
            "'PER_TOPIC_PER_PARTITION', got \"PER_TOPIC\" (string)",
        ),
        ({"retention_hours": 0}, "retention_hours: expected a number greater than or equal to 1, got 0 (number)"),
        ({"default_partitions": 0}, "default_partitions: expected a number greater than or equal to 1, got 0 (number)"),
        (
            {"log_retention_days": 10},
            "log_retention_days: expected a CloudWatch Logs retention period in days (one of 1, 3, 5, 7, 14, 30, "
            "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10 (number)",
        ),
        (
            {"kms_key_arn": "alias/chat"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> (a key "
            'id, not an alias), got "alias/chat" (string)',
        ),
    ],
)
def test_bad_inputs_are_refused_with_what_was_expected(changes, message):
    with pytest.raises(ValueError) as error:
        replace(BASE, **changes)
    assert str(error.value) == f"invalid KafkaClusterProps:\n  {message}"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda cluster, role: cluster.grant_produce(role, ["chat.*"]),
            "expected one or more distinct topic names of letters, digits, '.', '_' and '-' (at most 249, no "
            "wildcard), got ['chat.*'] (list)",
        ),
        (
            lambda cluster, role: cluster.grant_consume(role, [], "workers"),
            "expected one or more distinct topic names of letters, digits, '.', '_' and '-' (at most 249, no "
            "wildcard), got [] (list)",
        ),
        (
            lambda cluster, role: cluster.grant_consume(role, ["a", "a"], "workers"),
            "expected one or more distinct topic names of letters, digits, '.', '_' and '-' (at most 249, no "
            "wildcard), got ['a', 'a'] (list)",
        ),
        (
            lambda cluster, role: cluster.grant_consume(role, ["a"], "*"),
            "expected one or more distinct consumer group names of letters, digits, '.', '_' and '-' (at most "
            "249, no wildcard), got ['*'] (list)",
        ),
        (
            lambda cluster, role: cluster.allow_prometheus_from(role),
            "chat-test-kafka.allow_prometheus_from: expected open_monitoring = true (no exporter listens "
            "otherwise), got false",
        ),
    ],
)
def test_bad_grants_are_refused_before_anything_is_written(call, message):
    from bindings.cdk import App, TerraformStack
    from modules.common.roles import ServiceRole
    from modules.msk import KafkaCluster

    stack = TerraformStack(App(), "scratch")
    cluster = KafkaCluster(stack, "msk", props=BASE)
    role = ServiceRole(stack, "role", name="r", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT)
    with pytest.raises(ValueError) as error:
        call(cluster, role)
    assert str(error.value) == message
    assert role.statements == ()
