"""The diagrams of the synthesized environments and examples, checked against their JSON."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict

import pytest

from diagram.cli import main
from diagram.graphviz import PNG_SIGNATURE

GROUP = re.compile(r"\$\{aws_security_group\.([\w-]+)\.id\}")
# Every instance of these types is somewhere in a node of one of these kinds.
COMPONENT_KINDS = {
    "aws_ecs_service": {"ecs_service"},
    "aws_db_instance": {"rds", "rds_replica"},
    "aws_db_proxy": {"rds_proxy"},
    "aws_elasticache_replication_group": {"elasticache"},
    "aws_sqs_queue": {"sqs"},
    "aws_msk_cluster": {"msk"},
    "aws_docdb_cluster": {"documentdb"},
    "aws_dynamodb_table": {"dynamodb"},
    "aws_instance": {"ec2_redis_cluster"},
    "aws_nat_gateway": {"nat_gateway"},
    "aws_lb": {"alb", "nlb"},
    "aws_cloudfront_distribution": {"cloudfront"},
    "aws_apigatewayv2_api": {"api_gateway"},
}


def group(value: str) -> str:
    return "aws_security_group." + GROUP.fullmatch(value).group(1)


def test_prod_draws_three_nat_gateways_one_per_zone_and_dev_one(real_stacks):
    for stack, expected in (("chat-prod", 3), ("chat-dev", 1), ("chat-staging", 1)):
        document, diagram = real_stacks[stack]
        nats = diagram.nodes_of_kind("nat_gateway")
        assert len(nats) == expected, stack
        subnets = document["resource"]["aws_subnet"]
        for nat in nats:
            subnet = document["resource"]["aws_nat_gateway"][nat.id.split(".")[1]]["subnet_id"].split(".")[1]
            assert nat.zones == (subnets[subnet]["availability_zone"],)
    prod_zones = sorted(n.zones[0] for n in real_stacks["chat-prod"][1].nodes_of_kind("nat_gateway"))
    assert prod_zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_dev_routes_every_private_subnet_through_its_one_nat_gateway(real_stacks):
    document, diagram = real_stacks["chat-dev"]
    private = {
        f"aws_subnet.{n}" for n, s in document["resource"]["aws_subnet"].items() if s["tags"]["Tier"] == "private"
    }
    (nat,) = diagram.nodes_of_kind("nat_gateway")
    assert len(private) == 2
    assert {e.source for e in diagram.edges_of_kind("egress") if e.target == nat.id} == private


def test_every_service_and_store_is_in_exactly_one_node_of_its_kind(real_stacks):
    for stack, (document, diagram) in real_stacks.items():
        for resource_type, kinds in COMPONENT_KINDS.items():
            for name in document["resource"].get(resource_type, {}):
                holders = [n for n in diagram.nodes if f"{resource_type}.{name}" in n.resources]
                assert len(holders) == 1 and holders[0].kind in kinds, (stack, resource_type, name, holders)
        names = {re.sub(r"-(blue|green)$", "", s["name"]) for s in document["resource"]["aws_ecs_service"].values()}
        assert len(diagram.nodes_of_kind("ecs_service")) == len(names) == 3, stack
        attachments = [
            n for n, b in document["resource"]["aws_s3_bucket"].items() if b["tags"]["Name"].endswith("-attachments")
        ]
        assert [n.id for n in diagram.nodes_of_kind("s3") if n.cluster == "data"] == [
            f"aws_s3_bucket.{n}" for n in attachments
        ], stack


def test_security_group_edges_are_exactly_the_ingress_rules_between_drawn_components(real_stacks):
    for stack, (document, diagram) in real_stacks.items():
        owners = defaultdict(set)
        for node in diagram.nodes:
            for security_group in node.security_groups:
                owners[security_group].add(node.id)
        rules = document["resource"]["aws_vpc_security_group_ingress_rule"]
        expected = set()
        for name, rule in rules.items():
            if "referenced_security_group_id" in rule:
                sources = owners[group(rule["referenced_security_group_id"])]
            else:
                internet = rule.get("cidr_ipv4") == "0.0.0.0/0" or rule.get("cidr_ipv6") == "::/0"
                sources = {"users"} if internet else set()
            for source in sources:
                for target in owners[group(rule["security_group_id"])]:
                    expected.add((source, target, f":{rule['from_port']}", name))
        drawn = set()
        for edge in diagram.edges_of_kind("network"):
            ports = {f":{rules[r.split('.')[1]]['from_port']}" for r in edge.resources}
            assert ports == set(edge.label.split(", ")), (stack, edge)
            drawn |= {
                (edge.source, edge.target, f":{rules[r.split('.')[1]]['from_port']}", r.split(".")[1])
                for r in edge.resources
            }
        assert drawn == expected, stack
        assert expected, stack


def test_the_services_security_groups_are_theirs_in_the_json(real_stacks):
    for stack, (document, diagram) in real_stacks.items():
        for name, service in document["resource"]["aws_ecs_service"].items():
            (node,) = [n for n in diagram.nodes if f"aws_ecs_service.{name}" in n.resources]
            groups = {group(g) for g in service["network_configuration"]["security_groups"]}
            assert groups <= set(node.security_groups), stack


def test_only_the_variants_a_stack_has_are_drawn(real_stacks):
    def kinds(stack):
        return {n.kind for n in real_stacks[stack][1].nodes}

    assert {"msk", "documentdb"} <= kinds("chat-msk-documentdb")
    assert not {"msk", "documentdb", "dynamodb", "api_gateway", "nlb", "ec2_redis_cluster"} & kinds("chat-dev")
    assert {"dynamodb", "api_gateway", "nlb"} <= kinds("chat-dynamodb-apigw")
    assert "sqs" not in kinds("chat-msk-documentdb")  # MSK carries the messages there
    assert "rds_replica" in kinds("chat-prod") and "rds_replica" not in kinds("chat-dev")
    assert "nat_gateway" not in kinds("chat-isolated")


def test_the_redis_cluster_example_draws_its_nodes_by_zone(real_stacks):
    if "chat-redis-cluster" not in real_stacks:
        pytest.skip("no chat-redis-cluster stack synthesized (examples/redis-cluster.hcl)")
    document, diagram = real_stacks["chat-redis-cluster"]
    (cluster,) = diagram.nodes_of_kind("ec2_redis_cluster")
    instances = document["resource"]["aws_instance"]
    assert {f"aws_instance.{n}" for n in instances} <= set(cluster.resources)
    assert len(cluster.zones) == 3
    assert sum(len(names.split(", ")) for _, names in cluster.placement) == len(instances)
    assert not diagram.nodes_of_kind("elasticache")


def test_every_resource_type_is_drawn_folded_or_counted(real_stacks):
    for stack, (_, diagram) in real_stacks.items():
        assert diagram.not_drawn == (), stack


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not on PATH (apt-get install graphviz)")
def test_a_png_is_drawn_for_every_stack(synth_outdir, real_stacks, tmp_path):
    out = tmp_path / "review"
    assert main(["--stacks-dir", str(synth_outdir / "stacks"), "--out-dir", str(out)]) == 0
    for stack in real_stacks:
        png = (out / stack / "architecture.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 100_000, stack
