"""The diagram model of the hand-written stack in small_stack.py: expected nodes and edges worked out
by hand from its resources (see that file's docstring)."""

from __future__ import annotations

import pytest

from diagram.access import named_resources, verbs
from diagram.build import build_diagram
from diagram.document import zone_name
from diagram.model import Diagram
from synthesized import references
from tests.diagram.small_stack import small_stack

API = "ecs_service:api"
WORKER = "ecs_service:worker"
ALB = "aws_lb.alb"
PRIMARY = "aws_db_instance.primary"
REPLICA = "aws_db_instance.replica"
CACHE = "aws_elasticache_replication_group.cache"
JOBS = "aws_sqs_queue.jobs"
UPLOADS = "aws_s3_bucket.uploads"


@pytest.fixture(scope="module")
def diagram() -> Diagram:
    return build_diagram("chat-demo", small_stack())


def edges(diagram: Diagram, kind: str) -> dict[tuple[str, str], str]:
    return {(e.source, e.target): e.label for e in diagram.edges_of_kind(kind)}


def test_one_node_per_component_and_nothing_for_what_the_stack_lacks(diagram):
    kinds = sorted(n.kind for n in diagram.nodes)
    assert kinds == sorted(
        ["users", "route53", "waf", "alb"]
        + ["ecs_service"] * 2
        + ["rds", "rds_replica", "elasticache", "sqs", "s3"]
        + ["subnet"] * 6
        + ["nat_gateway", "internet_gateway"]
    )
    assert not diagram.nodes_of_kind("cloudfront", "api_gateway", "msk", "documentdb", "dynamodb", "rds_proxy")


def test_blue_and_green_are_one_service_with_counts_size_and_spot_share(diagram):
    api = diagram.node(API)
    assert set(api.resources) >= {"aws_ecs_service.api_blue", "aws_ecs_service.api_green"}
    # 512 CPU units = 0.5 vCPU, 1024 MiB = 1 GiB; blue 3 tasks scaling 2 to 6, green 1;
    # weights FARGATE 1 : FARGATE_SPOT 3 above a base of 1 -> 75 % Spot.
    assert api.details == ("0.5 vCPU · 1 GiB · ARM", "tasks 3 (2–6) blue + 1 green", "Spot 75% above 1 on-demand")
    # No strategy of its own: the cluster's default, Spot only; 256 units = 0.25 vCPU, no platform = x86.
    assert diagram.node(WORKER).details == ("0.25 vCPU · 512 MiB · x86", "tasks 2", "all Spot")
    assert api.zones == diagram.node(WORKER).zones == ("eu-west-1a", "eu-west-1b")


def test_dead_letter_queue_is_folded_into_its_queue(diagram):
    (queue,) = diagram.nodes_of_kind("sqs")
    assert queue.resources == (JOBS, "aws_sqs_queue.jobs_dlq")
    assert queue.details == ("DLQ after 4 receives",)


def test_only_the_bucket_a_task_role_names_is_drawn_the_other_is_counted(diagram):
    assert [n.id for n in diagram.nodes_of_kind("s3")] == [UPLOADS]
    assert "S3: 1 log/backup bucket" in diagram.supporting


def test_security_group_edges_follow_the_ingress_rules(diagram):
    # db's group belongs to the primary and the replica, so each rule on it reaches both;
    # the cache's self-reference is a loop; the rule on the orphan group (no component in it)
    # and the one from an office CIDR draw nothing.
    assert edges(diagram, "network") == {
        ("users", ALB): ":443",
        (ALB, API): ":3000",
        (API, PRIMARY): ":5432",
        (API, REPLICA): ":5432",
        (WORKER, PRIMARY): ":5432",
        (WORKER, REPLICA): ":5432",
        (API, CACHE): ":6379",
        (CACHE, CACHE): ":6379",
    }
    internet = next(e for e in diagram.edges_of_kind("network") if e.source == "users")
    assert set(internet.resources) == {
        "aws_vpc_security_group_ingress_rule.alb_https_v4",
        "aws_vpc_security_group_ingress_rule.alb_https_v6",
    }


def test_traffic_paths_from_users_to_the_service(diagram):
    assert edges(diagram, "route") == {
        ("users", ALB): "api.demo.example.com",
        (ALB, API): "/api/* (blue 90, green 10)",
    }
    assert edges(diagram, "dns") == {("users", "route53"): "DNS"}
    assert edges(diagram, "protects") == {("aws_wafv2_web_acl.regional", ALB): ""}


def test_access_edges_come_from_the_task_roles(diagram):
    # The api's kms:Decrypt names a key, which is counted, not drawn: no edge.
    assert edges(diagram, "access") == {(API, JOBS): "send", (API, UPLOADS): "read/write", (WORKER, JOBS): "consume"}


def test_replication_and_egress(diagram):
    assert edges(diagram, "replication") == {(PRIMARY, REPLICA): "async"}
    assert set(edges(diagram, "egress")) == {
        ("aws_subnet.private_a", "aws_nat_gateway.nat"),
        ("aws_subnet.private_b", "aws_nat_gateway.nat"),
        ("aws_nat_gateway.nat", "aws_internet_gateway.igw"),
    }


def test_zones_clusters_and_placement(diagram):
    assert [c.id for c in diagram.clusters] == [
        "edge",
        "compute",
        "data",
        "network",
        "zone:eu-west-1a",
        "zone:eu-west-1b",
    ]
    assert diagram.node("aws_nat_gateway.nat").cluster == "zone:eu-west-1a"
    assert diagram.node(REPLICA).zones == ("eu-west-1b",)
    # The primary's zones are its subnet group's: AWS picks where it (and its standby) run.
    assert diagram.node(PRIMARY).placement == (("eu-west-1a", "○"), ("eu-west-1b", "○"))
    assert diagram.node(PRIMARY).details == ("db.t4g.medium · 50 GiB gp3", "Multi-AZ")
    assert diagram.node(ALB).zones == ("eu-west-1a", "eu-west-1b")


def test_supporting_services_are_counted_and_unknown_types_listed(diagram):
    assert diagram.supporting == (
        "KMS: 2 keys",
        "CloudWatch: 3 alarms, 2 log groups",
        "IAM: 2 roles",
        "S3: 1 log/backup bucket",
    )
    assert diagram.not_drawn == ("aws_lambda_function",)


def test_a_stack_without_network_or_services_still_builds():
    diagram = build_diagram("bare", {"resource": {"aws_sqs_queue": {"q": {"name": "bare-q"}}}})
    assert [n.title for n in diagram.nodes] == ["SQS q"]
    assert [c.id for c in diagram.clusters] == ["data"]
    assert diagram.edges == ()


def test_references_leave_data_sources_out_and_find_them_inside_expressions():
    value = {
        "a": "${aws_lb.alb.arn}",
        "b": ["${data.aws_caller_identity.me.account_id}", '${replace(aws_msk_cluster.k.arn, ":cluster/", ":topic/")}'],
        "c": "arn:aws:s3:::literal/*",
    }
    assert references(value) == ["aws_lb.alb", "aws_msk_cluster.k"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("eu-west-1a", "eu-west-1a"),
        ("${element(data.aws_availability_zones.zones.names, 1)}", "zone #2"),
        ("${var.zone}", "zone ?"),
        (None, "zone ?"),
    ],
)
def test_zone_names(value, expected):
    assert zone_name(value) == expected


def test_verbs_read_wildcards_and_ignore_control_actions():
    assert verbs(["sqs:*"]) == ["send", "consume"]
    assert verbs(["s3:Get*"]) == ["read"]
    assert verbs(["dynamodb:DescribeTable", "kafka-cluster:Connect"]) == []


def test_arns_name_stores_by_name_or_by_reference():
    index = {("sqs", "q"): "aws_sqs_queue.q", ("s3", "b-${data.x.y.z}"): "aws_s3_bucket.b"}
    assert named_resources("arn:aws:sqs:eu-west-1:${data.aws_caller_identity.c.account_id}:q", index) == [
        "aws_sqs_queue.q"
    ]
    assert named_resources("arn:aws:s3:::b-${data.x.y.z}/*", index) == ["aws_s3_bucket.b"]
    assert named_resources("${aws_dynamodb_table.t.arn}/index/*", index) == ["aws_dynamodb_table.t"]
    assert named_resources("arn:aws:sqs:eu-west-1:1:other", index) == []
