"""The msk and documentdb variants wired into a real ChatStack (stacks/msk.py, stacks/documentdb.py).

One stack, synthesized once, from an environment file that chooses both variants, read by
the real loader: who reaches which port, who may do what (every
statement of the services' policies that names the cluster or the secret), what the
services are told, and that the document store is in the backup selection.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from pydantic import ValidationError

from envconfig import load_environment
from envconfig.schema import EnvironmentConfig as VariantEnvironmentConfig

ENVIRONMENT = textwrap.dedent(
    """
    name       = "variants"
    region     = "eu-west-1"
    account_id = "123456789012"

    messaging      = "msk"
    document_store = "documentdb"

    network {
      vpc_cidr           = "10.50.0.0/16"
      az_count           = 3
      availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
      nat_mode           = "single"
    }

    dns {
      zone_name           = "chat.example.com"
      api_host_names      = ["api.chat.example.com"]
      frontend_host_names = ["app.chat.example.com"]
    }

    msk {
      broker_count = 3
    }

    documentdb {
      instance_count = 3
    }
    """
)


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    from bindings.cdk import App
    from stacks.chat_stack import ChatStack
    from tests.conftest import Synthesized

    directory = tmp_path_factory.mktemp("variants")
    (directory / "variants.hcl").write_text(ENVIRONMENT)
    config = load_environment(directory / "variants.hcl")
    app = App(outdir=str(directory / "out"))
    # ChatStack builds MSK and DocumentDB (build_msk, build_documentdb) for these choices.
    variant_stores = ChatStack(app, config).composition.variant_stores
    cluster, database = variant_stores["messaging"], variant_stores["document_store"]
    app.synth()
    document = json.loads((directory / "out" / "stacks" / "chat-variants" / "cdk.tf.json").read_text())
    return Synthesized(document), cluster, database


def only_name(synth, resource_type):
    (name,) = synth.resources(resource_type)
    return name


def task_statements(synth, service):
    """{sid: statement} of a service's task role policy."""
    (policy,) = [p for p in synth.resources("aws_iam_role_policy").values() if f"{service}_task_role" in p["role"]]
    return {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}


def ingress_sources(synth, group_reference):
    return sorted(
        (synth.by_reference(rule["referenced_security_group_id"])["name_prefix"], rule["from_port"])
        for rule in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if rule["security_group_id"] == group_reference
    )


def environment_of(synth, service):
    """Every environment variable of the service's task definitions (all colours)."""
    found = {}
    for definition in synth.resources("aws_ecs_task_definition").values():
        for container in json.loads(definition["container_definitions"]):
            if container["name"] == service:
                found.update({v["name"]: v["value"] for v in container.get("environment", [])})
    return found


def test_the_services_reach_the_brokers_and_the_document_store_only_as_wired(wired):
    synth, cluster, database = wired
    msk_group = cluster_group = synth.resources("aws_msk_cluster")[only_name(synth, "aws_msk_cluster")]
    (msk_group,) = cluster_group["broker_node_group_info"]["security_groups"]
    assert ingress_sources(synth, msk_group) == [
        ("chat-variants-api-", 9098),
        ("chat-variants-realtime-", 9098),
        ("chat-variants-worker-", 9098),
    ]
    (docdb_group,) = synth.resources("aws_docdb_cluster")[only_name(synth, "aws_docdb_cluster")][
        "vpc_security_group_ids"
    ]
    assert ingress_sources(synth, docdb_group) == [("chat-variants-api-", 27017), ("chat-variants-realtime-", 27017)]


def test_producers_produce_the_worker_consumes_and_creates_and_the_secret_is_read_by_the_document_services(wired):
    synth, _, _ = wired
    cluster = only_name(synth, "aws_msk_cluster")
    docdb = only_name(synth, "aws_docdb_cluster")
    topics = [
        f'${{replace(aws_msk_cluster.{cluster}.arn, ":cluster/", ":topic/")}}/{t}'
        for t in ("push-notifications", "offline-messages")
    ]
    secret = [f"${{aws_docdb_cluster.{docdb}.master_user_secret[0].secret_arn}}"]
    mine = ("Kafka", "Docdb")
    granted = {
        service: {
            sid: (s["actions"], s["resources"])
            for sid, s in task_statements(synth, service).items()
            if any(m in sid for m in mine)
        }
        for service in ("api", "realtime", "worker")
    }
    for producer in ("api", "realtime"):
        assert granted[producer] == {
            "ProduceToChatVariantsKafka": (
                ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"],
                [f"${{aws_msk_cluster.{cluster}.arn}}"],
            ),
            "ProduceToChatVariantsKafkaTopics": (["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"], topics),
            "ReadChatVariantsDocdbMasterSecret": (
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                secret,
            ),
        }
    assert set(granted["worker"]) == {
        "ConsumeFromChatVariantsKafka",
        "ConsumeFromChatVariantsKafkaTopics",
        "ConsumeAsGroupOfChatVariantsKafka",
        "AdministerTopicsOfChatVariantsKafka",
        "CreateChatVariantsKafkaTopics",
    }
    assert granted["worker"]["ConsumeAsGroupOfChatVariantsKafka"][1] == [
        f'${{replace(aws_msk_cluster.{cluster}.arn, ":cluster/", ":group/")}}/chat-variants-worker'
    ]


def test_the_services_are_told_the_brokers_topics_endpoints_and_secret(wired):
    synth, cluster, database = wired
    name = only_name(synth, "aws_msk_cluster")
    docdb = only_name(synth, "aws_docdb_cluster")
    for service in ("api", "realtime", "worker"):
        variables = environment_of(synth, service)
        assert variables["KAFKA_BOOTSTRAP_BROKERS"] == f"${{aws_msk_cluster.{name}.bootstrap_brokers_sasl_iam}}"
        assert variables["KAFKA_TOPIC_PUSH_NOTIFICATIONS"] == "push-notifications"
        assert variables["KAFKA_TOPIC_OFFLINE_MESSAGES"] == "offline-messages"
        assert ("DOCUMENTDB_HOST" in variables) is (service != "worker")
    assert environment_of(synth, "worker")["KAFKA_CONSUMER_GROUP"] == "chat-variants-worker"
    api = environment_of(synth, "api")
    assert api["DOCUMENTDB_HOST"] == f"${{aws_docdb_cluster.{docdb}.endpoint}}"
    assert api["DOCUMENTDB_READER_HOST"] == f"${{aws_docdb_cluster.{docdb}.reader_endpoint}}"
    assert api["DOCUMENTDB_LOGIN_ARN"] == f"${{aws_docdb_cluster.{docdb}.master_user_secret[0].secret_arn}}"
    assert api["DOCUMENTDB_PORT"] == "27017"


def test_the_document_store_is_in_the_backup_selection_and_the_blocks_reached_the_modules(wired):
    synth, cluster, database = wired
    (selection,) = synth.resources("aws_backup_selection").values()
    assert f"${{aws_docdb_cluster.{only_name(synth, 'aws_docdb_cluster')}.arn}}" in selection["resources"]
    assert cluster.broker_count == 3 and database.props.instance_count == 3
    # Supplied by the stack: the data subnets and their zones, the environment's protection.
    assert database.props.availability_zones == ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    assert cluster.props.deletion_protection is database.props.deletion_protection is True
    assert len(synth.resources("aws_docdb_cluster_instance")) == 3


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [("messaging", "kafka", "'sqs' or 'msk'"), ("document_store", "mongodb", "'none', 'documentdb' or 'dynamodb'")],
)
def test_an_unknown_variant_name_is_refused_with_the_allowed_ones(key, value, allowed):
    with pytest.raises(ValidationError) as error:
        VariantEnvironmentConfig.model_validate(
            {
                "name": "variants",
                "region": "eu-west-1",
                "network": {"vpc_cidr": "10.50.0.0/16", "az_count": 2},
                "dns": {
                    "zone_name": "chat.example.com",
                    "api_host_names": ["api.chat.example.com"],
                    "frontend_host_names": ["app.chat.example.com"],
                },
                key: value,
            }
        )
    (problem,) = error.value.errors()
    assert problem["loc"] == (key,) and allowed in problem["msg"]


BASE_FILE = {
    "name": "variants",
    "region": "eu-west-1",
    "network": {"vpc_cidr": "10.50.0.0/16", "az_count": 2},
    "dns": {
        "zone_name": "chat.example.com",
        "api_host_names": ["api.chat.example.com"],
        "frontend_host_names": ["app.chat.example.com"],
    },
}


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        (
            {"msk": {"broker_count": 2}},
            ['msk\texpected no msk block unless messaging = "msk", got messaging "sqs"'],
        ),
        (
            {"messaging": "msk", "msk": {"broker_count": 3}},
            [
                "msk.broker_count\texpected a multiple of the 2 availability zones (MSK places the same number of "
                "brokers in each), got 3"
            ],
        ),
        (
            {"messaging": "msk", "network": {"vpc_cidr": "10.50.0.0/16", "az_count": 4}},
            [
                'network.az_count\texpected 2 or 3 when messaging = "msk" (MSK places brokers in two or three AZs), '
                "got 4"
            ],
        ),
        (
            {"messaging": "msk", "worker": {"backlog_per_task": 100}},
            [
                'worker.backlog_per_task\texpected none when messaging = "msk" (there is no queue backlog to count; '
                "the worker scales on CPU), got 100"
            ],
        ),
        (
            {"document_store": "none", "documentdb": {"instance_count": 1}},
            [
                'documentdb\texpected no documentdb block unless document_store = "documentdb", '
                'got document_store "none"'
            ],
        ),
    ],
)
def test_variant_choices_that_do_not_fit_the_file_are_refused_at_their_keys(changes, problems):
    with pytest.raises(ValidationError) as error:
        VariantEnvironmentConfig.model_validate({**BASE_FILE, **changes})
    (problem,) = error.value.errors()
    assert problem["msg"] == "Value error, " + "\n".join(problems)


def test_the_chosen_variants_without_their_blocks_take_the_module_defaults():
    from modules.documentdb import DocumentDatabaseProps
    from modules.msk import KafkaClusterProps

    config = VariantEnvironmentConfig.model_validate({**BASE_FILE, "messaging": "msk", "document_store": "documentdb"})
    assert config.msk is None and config.documentdb is None
    assert config.block("msk").kafka_version == KafkaClusterProps.__dataclass_fields__["kafka_version"].default
    assert config.block("documentdb").instance_count == 3
    assert DocumentDatabaseProps.__dataclass_fields__["instance_count"].default == 3
