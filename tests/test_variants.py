"""Architecture variants chosen in environment files (examples/ ship one per variant):
only the chosen variant's resources exist, and an unknown variant name is refused."""

from __future__ import annotations

import json

import pytest

from envconfig import EnvironmentFileError, load_environment
from tests.test_config import VALID, write


@pytest.fixture(scope="module")
def stacks(synth_outdir, stack_configs):
    return {
        name: json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        for name, config in stack_configs.items()
    }


def resources(document, resource_type):
    return document.get("resource", {}).get(resource_type, {})


def test_dynamodb_tables_and_the_websocket_api_exist_only_where_chosen(stacks, stack_configs):
    for name, document in stacks.items():
        config = stack_configs[name]
        assert bool(resources(document, "aws_dynamodb_table")) == (config.document_store == "dynamodb"), name
        assert bool(resources(document, "aws_apigatewayv2_api")) == (config.ingress == "api_gateway"), name
    assert any(c.document_store == "dynamodb" for c in stack_configs.values())
    assert any(c.ingress == "api_gateway" for c in stack_configs.values())


def test_msk_replaces_the_queues_and_documentdb_exists_only_where_chosen(stacks, stack_configs):
    for name, document in stacks.items():
        config = stack_configs[name]
        kafka = config.messaging == "msk"
        assert bool(resources(document, "aws_msk_cluster")) == kafka, name
        assert bool(resources(document, "aws_sqs_queue")) == (not kafka), name
        assert bool(resources(document, "aws_docdb_cluster")) == (config.document_store == "documentdb"), name
        if kafka:
            # Nothing scales on a queue that does not exist.
            policies = resources(document, "aws_appautoscaling_policy").values()
            assert not any("backlog" in p["name"] for p in policies), name
    assert {c.messaging for c in stack_configs.values()} == {"sqs", "msk"}
    assert {c.document_store for c in stack_configs.values()} == {"none", "dynamodb", "documentdb"}


def test_with_the_api_gateway_ingress_the_load_balancer_serves_the_api_only(stacks, stack_configs):
    for name, document in stacks.items():
        if stack_configs[name].ingress != "api_gateway":
            continue
        rules = resources(document, "aws_lb_listener_rule").values()
        patterns = [
            value
            for rule in rules
            for condition in rule["condition"]
            for value in condition.get("path_pattern", {}).get("values", [])
        ]
        assert patterns == ["/api/*"], name
        groups = [g["name"] for g in resources(document, "aws_lb_target_group").values() if "name" in g]
        assert not any("realtime" in g and "alb" in g for g in groups), groups
        host = stack_configs[name].websocket_api.host_name
        (record,) = [
            r for r in resources(document, "aws_route53_record").values() if r["name"] == host and r["type"] == "A"
        ]
        assert "aws_apigatewayv2_domain_name" in record["alias"]["name"], record


def test_the_redis_cluster_on_ec2_replaces_elasticache_only_where_chosen(stacks, stack_configs):
    for name, document in stacks.items():
        redis = stack_configs[name].cache_backend == "redis_cluster"
        assert bool(resources(document, "aws_elasticache_replication_group")) == (not redis), name
        assert bool(resources(document, "aws_instance")) == redis, name
        if not redis:
            continue
        config = stack_configs[name].redis_cluster
        assert len(resources(document, "aws_instance")) == config.shards * (config.replicas_per_shard + 1)
        # The services find the nodes and read the password from its secret, not ElastiCache's hosts.
        definitions = [
            json.loads(task["container_definitions"])[0]
            for task in resources(document, "aws_ecs_task_definition").values()
            if task["family"].endswith(("-api-blue", "-realtime-blue"))
        ]
        assert len(definitions) == 2, [t["family"] for t in resources(document, "aws_ecs_task_definition").values()]
        for definition in definitions:
            variables = {v["name"] for v in definition["environment"]}
            assert "CACHE_CLUSTER_NODES" in variables and "CACHE_PUBSUB_HOST" not in variables, variables
            assert "CACHE_PASSWORD" in {s["name"] for s in definition["secrets"]}
        # Every data volume is in the backup selection; the cluster's alarms notify the alarm topic.
        selected = {
            resource
            for selection in resources(document, "aws_backup_selection").values()
            for resource in selection["resources"]
        }
        volumes = {f"${{aws_ebs_volume.{key}.arn}}" for key in resources(document, "aws_ebs_volume")}
        assert volumes and volumes <= selected, volumes - selected
        alarms = [a for a in resources(document, "aws_cloudwatch_metric_alarm").values() if "redis" in a["alarm_name"]]
        assert alarms and all(
            any("aws_sns_topic.alarm_topic" in action for action in alarm["alarm_actions"]) for alarm in alarms
        ), [(a["alarm_name"], a.get("alarm_actions")) for a in alarms]
    assert {c.cache_backend for c in stack_configs.values()} == {"elasticache", "redis_cluster"}


REDIS_CLUSTER = """
cache_backend = "redis_cluster"
redis_cluster {
  shards             = 3
  replicas_per_shard = 1
  nodes              = 6
  instance_type      = "t3.micro"
}
"""


def test_a_redis_cluster_file_with_every_problem_gets_all_of_them_at_once(tmp_path):
    text = VALID.format(name="dev") + REDIS_CLUSTER.replace("nodes              = 6", "nodes = 5").replace(
        '"t3.micro"', '"t3.micro"\n  maxmemory_mib = 4096'
    )
    path = write(tmp_path, "dev", text)
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    problems = [str(p) for p in caught.value.problems]
    assert any(
        p.startswith(f"{path}: redis_cluster.nodes: expected shards x (replicas_per_shard + 1) = 3 x 2 = 6")
        and "got 5" in p
        for p in problems
    ), problems
    assert any(p.startswith(f"{path}: redis_cluster.maxmemory_mib:") and "t3.micro" in p for p in problems), problems


@pytest.mark.parametrize("block", ["redis_cluster", "msk", "documentdb", "dynamodb"])
def test_a_variant_block_left_out_is_every_key_at_its_module_default(tmp_path, block):
    from envconfig.schema import MODULE_BLOCKS
    from modules.common.inputs import environment_fields

    choice = {
        "redis_cluster": 'cache_backend = "redis_cluster"',
        "msk": 'messaging = "msk"',
        "documentdb": 'document_store = "documentdb"',
        "dynamodb": 'document_store = "dynamodb"',
    }[block]
    text = (VALID.format(name="dev") + choice + "\n").replace("az_count = 2", "az_count = 3")
    config = load_environment(write(tmp_path, "dev", text))
    assert getattr(config, block) is None
    values = config.block(block).model_dump()
    fields = environment_fields(MODULE_BLOCKS[block])
    assert values == {field.name: field.default for field in fields}, block


def test_a_redis_cluster_needs_three_zones(tmp_path):
    path = write(tmp_path, "dev", VALID.format(name="dev") + REDIS_CLUSTER)
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    assert [str(p) for p in caught.value.problems] == [
        f'{path}: network.az_count: expected at least 3 when cache_backend = "redis_cluster" (losing one zone '
        "must leave a majority of the masters to vote a failover), got 2"
    ]


def test_four_shards_over_three_zones_are_refused(tmp_path):
    text = (VALID.format(name="dev") + REDIS_CLUSTER).replace("az_count = 2", "az_count = 3")
    text = text.replace("shards             = 3", "shards = 4").replace("nodes              = 6", "nodes = 8")
    path = write(tmp_path, "dev", text)
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{path}: redis_cluster.shards: expected a count that leaves no zone holding half")
    assert problem.endswith("got 4"), problem


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        (
            "redis_cluster {\n}\n",
            "redis_cluster",
            'expected no redis_cluster block unless cache_backend = "redis_cluster"',
        ),
        (
            REDIS_CLUSTER + "managed_cache {\n}\n",
            "managed_cache",
            'expected no managed_cache block unless cache_backend = "elasticache", got cache_backend "redis_cluster"',
        ),
    ],
)
def test_the_other_backends_block_is_refused(tmp_path, extra, key, expected):
    text = (VALID.format(name="dev") + extra).replace("az_count = 2", "az_count = 3")
    path = write(tmp_path, "dev", text)
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}: {key}: {expected}") for p in problems), problems


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("ingress", "apigw", "'alb' or 'api_gateway'"),
        ("document_store", "mongo", "'none', 'documentdb' or 'dynamodb'"),
        ("messaging", "kafka", "'sqs' or 'msk'"),
        ("cache_backend", "memcached", "'elasticache' or 'redis_cluster'"),
    ],
)
def test_an_unknown_variant_name_lists_the_allowed_ones(tmp_path, key, value, allowed):
    path = write(tmp_path, "dev", VALID.format(name="dev") + f'{key} = "{value}"\n')
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}: {key}:") and allowed in p and f'"{value}"' in p for p in problems), problems
