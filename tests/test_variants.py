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


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("ingress", "apigw", "'alb' or 'api_gateway'"),
        ("document_store", "mongo", "'none', 'documentdb' or 'dynamodb'"),
        ("messaging", "kafka", "'sqs' or 'msk'"),
    ],
)
def test_an_unknown_variant_name_lists_the_allowed_ones(tmp_path, key, value, allowed):
    path = write(tmp_path, "dev", VALID.format(name="dev") + f'{key} = "{value}"\n')
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}: {key}:") and allowed in p and f'"{value}"' in p for p in problems), problems
