"""A small hand-written cdk.tf.json ("chat-demo") with known resources, for the diagram tests.

Two zones (eu-west-1a, eu-west-1b); one NAT gateway in a that both private subnets route to;
an internet-facing ALB behind a regional WAF with a Route 53 alias; an "api" service in blue
and green (weights 90/10) and a "worker"; a PostgreSQL primary with a replica in b sharing one
security group; a cache whose nodes reach each other; a queue with a dead-letter queue; an
uploads bucket the api reads and writes and a log bucket nobody uses; two KMS keys, three
alarms, two log groups; and one Lambda function, a type the diagram does not know.
"""

from __future__ import annotations

import json
from typing import Any

PRIVATE = ["private_a", "private_b"]


def ref(address: str, attribute: str = "id") -> str:
    return "${" + f"{address}.{attribute}" + "}"


def rule(group: str, port: int, *, source: str | None = None, cidr: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "security_group_id": ref(f"aws_security_group.{group}"),
        "from_port": port,
        "to_port": port,
        "ip_protocol": "tcp",
    }
    if source:
        block["referenced_security_group_id"] = ref(f"aws_security_group.{source}")
    if cidr:
        block["cidr_ipv6" if ":" in cidr else "cidr_ipv4"] = cidr
    return block


def subnet(zone: str, tier: str, cidr: str) -> dict[str, Any]:
    return {"availability_zone": zone, "cidr_block": cidr, "tags": {"Tier": tier}}


def service(name: str, group: str, task: str, subnets: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "cluster": ref("aws_ecs_cluster.cluster", "arn"),
        "task_definition": ref(f"aws_ecs_task_definition.{task}", "arn"),
        "network_configuration": {
            "security_groups": [ref(f"aws_security_group.{group}")],
            "subnets": [ref(f"aws_subnet.{s}") for s in subnets],
        },
        **extra,
    }


def api_service(colour: str, desired_count: int) -> dict[str, Any]:
    """One colour of the api: behind its target group, 1 on-demand task then 3 Spot to 1 on-demand."""
    return service(
        f"chat-demo-api-{colour}",
        "api",
        f"api_{colour}",
        PRIVATE,
        desired_count=desired_count,
        load_balancer=[{"target_group_arn": ref(f"aws_lb_target_group.api_{colour}", "arn"), "container_port": 3000}],
        capacity_provider_strategy=[
            {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
            {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
        ],
    )


def api_task() -> dict[str, Any]:
    return {
        "cpu": "512",
        "memory": "1024",
        "runtime_platform": {"cpu_architecture": "ARM64"},
        "task_role_arn": ref("aws_iam_role.api_task", "arn"),
    }


def policy(statements: list[tuple[list[str], list[str]]]) -> dict[str, Any]:
    return {"statement": [{"actions": a, "resources": r, "effect": "Allow"} for a, r in statements]}


def small_stack() -> dict[str, Any]:
    """A fresh copy each call: tests may change it."""
    return json.loads(json.dumps(SMALL_STACK))


SMALL_STACK: dict[str, Any] = {
    "provider": {"aws": [{"region": "eu-west-1"}]},
    "data": {
        "aws_route53_zone": {"zone": {"name": "demo.example.com"}},
        "aws_iam_policy_document": {
            "api_policy": policy(
                [
                    (["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:chat-demo-jobs"]),
                    (["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::chat-demo-uploads/*"]),
                    (["kms:Decrypt"], [ref("aws_kms_key.key_1", "arn")]),
                ]
            ),
            "worker_policy": policy(
                [(["sqs:ReceiveMessage", "sqs:DeleteMessage"], ["arn:aws:sqs:eu-west-1:123456789012:chat-demo-jobs"])]
            ),
        },
    },
    "resource": {
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}},
        "aws_subnet": {
            "public_a": subnet("eu-west-1a", "public", "10.0.0.0/24"),
            "public_b": subnet("eu-west-1b", "public", "10.0.1.0/24"),
            "private_a": subnet("eu-west-1a", "private", "10.0.10.0/24"),
            "private_b": subnet("eu-west-1b", "private", "10.0.11.0/24"),
            "data_a": subnet("eu-west-1a", "data", "10.0.20.0/24"),
            "data_b": subnet("eu-west-1b", "data", "10.0.21.0/24"),
        },
        "aws_internet_gateway": {"igw": {"vpc_id": ref("aws_vpc.vpc")}},
        "aws_eip": {"nat_ip": {"domain": "vpc"}},
        "aws_nat_gateway": {
            "nat": {
                "subnet_id": ref("aws_subnet.public_a"),
                "allocation_id": ref("aws_eip.nat_ip"),
                "tags": {"Name": "chat-demo-nat-0"},
            }
        },
        "aws_route_table": {"private_a": {}, "private_b": {}},
        "aws_route": {
            "private_a_default": {
                "route_table_id": ref("aws_route_table.private_a"),
                "destination_cidr_block": "0.0.0.0/0",
                "nat_gateway_id": ref("aws_nat_gateway.nat"),
            },
            "private_b_default": {
                "route_table_id": ref("aws_route_table.private_b"),
                "destination_cidr_block": "0.0.0.0/0",
                "nat_gateway_id": ref("aws_nat_gateway.nat"),
            },
        },
        "aws_route_table_association": {
            "private_a": {"route_table_id": ref("aws_route_table.private_a"), "subnet_id": ref("aws_subnet.private_a")},
            "private_b": {"route_table_id": ref("aws_route_table.private_b"), "subnet_id": ref("aws_subnet.private_b")},
        },
        "aws_security_group": {"alb": {}, "api": {}, "worker": {}, "db": {}, "cache": {}, "orphan": {}},
        "aws_vpc_security_group_ingress_rule": {
            "alb_https_v4": rule("alb", 443, cidr="0.0.0.0/0"),
            "alb_https_v6": rule("alb", 443, cidr="::/0"),
            "api_from_alb": rule("api", 3000, source="alb"),
            "db_from_api": rule("db", 5432, source="api"),
            "db_from_worker": rule("db", 5432, source="worker"),
            "cache_from_api": rule("cache", 6379, source="api"),
            "cache_from_itself": rule("cache", 6379, source="cache"),
            "orphan_from_api": rule("orphan", 8080, source="api"),
            "db_from_office": rule("db", 5432, cidr="192.0.2.0/24"),
        },
        "aws_lb": {
            "alb": {
                "load_balancer_type": "application",
                "internal": False,
                "subnets": [ref("aws_subnet.public_a"), ref("aws_subnet.public_b")],
                "security_groups": [ref("aws_security_group.alb")],
            }
        },
        "aws_lb_listener": {
            "https": {"load_balancer_arn": ref("aws_lb.alb", "arn"), "port": 443, "protocol": "HTTPS"},
        },
        "aws_lb_target_group": {"api_blue": {"port": 3000}, "api_green": {"port": 3000}},
        "aws_lb_listener_rule": {
            "api": {
                "listener_arn": ref("aws_lb_listener.https", "arn"),
                "condition": [{"path_pattern": {"values": ["/api/*"]}}],
                "action": [
                    {
                        "type": "forward",
                        "forward": {
                            "target_group": [
                                {"arn": ref("aws_lb_target_group.api_blue", "arn"), "weight": 90},
                                {"arn": ref("aws_lb_target_group.api_green", "arn"), "weight": 10},
                            ]
                        },
                    }
                ],
            }
        },
        "aws_route53_record": {
            "api_a": {
                "name": "api.demo.example.com",
                "type": "A",
                "zone_id": "${data.aws_route53_zone.zone.zone_id}",
                "alias": {"name": ref("aws_lb.alb", "dns_name"), "zone_id": ref("aws_lb.alb", "zone_id")},
            },
            "api_aaaa": {
                "name": "api.demo.example.com",
                "type": "AAAA",
                "zone_id": "${data.aws_route53_zone.zone.zone_id}",
                "alias": {"name": ref("aws_lb.alb", "dns_name"), "zone_id": ref("aws_lb.alb", "zone_id")},
            },
        },
        "aws_wafv2_web_acl": {
            "regional": {
                "scope": "REGIONAL",
                "rule": [
                    {"name": "common", "statement": {"managed_rule_group_statement": {}}},
                    {"name": "rate", "statement": {"rate_based_statement": {"limit": 2000}}},
                ],
            }
        },
        "aws_wafv2_web_acl_association": {
            "alb": {"resource_arn": ref("aws_lb.alb", "arn"), "web_acl_arn": ref("aws_wafv2_web_acl.regional", "arn")}
        },
        "aws_ecs_cluster": {"cluster": {"name": "chat-demo"}},
        "aws_ecs_cluster_capacity_providers": {
            "cluster": {
                "cluster_name": ref("aws_ecs_cluster.cluster", "name"),
                "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}],
            }
        },
        "aws_ecs_task_definition": {
            "api_blue": api_task(),
            "api_green": api_task(),
            "worker": {"cpu": "256", "memory": "512", "task_role_arn": ref("aws_iam_role.worker_task", "arn")},
        },
        "aws_ecs_service": {
            "api_blue": api_service("blue", desired_count=3),
            "api_green": api_service("green", desired_count=1),
            "worker": service("chat-demo-worker", "worker", "worker", PRIVATE, desired_count=2),
        },
        "aws_appautoscaling_target": {
            "api_blue": {
                "min_capacity": 2,
                "max_capacity": 6,
                "resource_id": "service/chat-demo/" + ref("aws_ecs_service.api_blue", "name"),
            }
        },
        "aws_iam_role": {"api_task": {}, "worker_task": {}},
        "aws_iam_role_policy": {
            "api_task": {
                "role": ref("aws_iam_role.api_task"),
                "policy": "${data.aws_iam_policy_document.api_policy.json}",
            },
            "worker_task": {
                "role": ref("aws_iam_role.worker_task"),
                "policy": "${data.aws_iam_policy_document.worker_policy.json}",
            },
        },
        "aws_db_subnet_group": {"data": {"subnet_ids": [ref("aws_subnet.data_a"), ref("aws_subnet.data_b")]}},
        "aws_db_instance": {
            "primary": {
                "engine": "postgres",
                "engine_version": "16",
                "instance_class": "db.t4g.medium",
                "allocated_storage": 50,
                "storage_type": "gp3",
                "multi_az": True,
                "db_subnet_group_name": ref("aws_db_subnet_group.data", "name"),
                "vpc_security_group_ids": [ref("aws_security_group.db")],
            },
            "replica": {
                "instance_class": "db.t4g.medium",
                "replicate_source_db": ref("aws_db_instance.primary", "identifier"),
                "availability_zone": "eu-west-1b",
                "vpc_security_group_ids": [ref("aws_security_group.db")],
            },
        },
        "aws_elasticache_subnet_group": {"data": {"subnet_ids": [ref("aws_subnet.data_a"), ref("aws_subnet.data_b")]}},
        "aws_elasticache_replication_group": {
            "cache": {
                "engine": "valkey",
                "engine_version": "8.0",
                "node_type": "cache.t4g.small",
                "num_cache_clusters": 2,
                "multi_az_enabled": True,
                "subnet_group_name": ref("aws_elasticache_subnet_group.data", "name"),
                "security_group_ids": [ref("aws_security_group.cache")],
            }
        },
        "aws_sqs_queue": {
            "jobs": {
                "name": "chat-demo-jobs",
                "redrive_policy": json.dumps(
                    {
                        "deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:chat-demo-jobs-dlq",
                        "maxReceiveCount": 4,
                    }
                ),
            },
            "jobs_dlq": {"name": "chat-demo-jobs-dlq"},
        },
        "aws_s3_bucket": {
            "uploads": {"bucket": "chat-demo-uploads", "tags": {"Name": "chat-demo-uploads"}},
            "logs": {"bucket": "chat-demo-logs", "tags": {"Name": "chat-demo-logs"}},
        },
        "aws_kms_key": {"key_1": {}, "key_2": {}},
        "aws_cloudwatch_metric_alarm": {"a": {}, "b": {}, "c": {}},
        "aws_cloudwatch_log_group": {"api": {}, "worker": {}},
        "aws_lambda_function": {"thumbnails": {}},
    },
}
