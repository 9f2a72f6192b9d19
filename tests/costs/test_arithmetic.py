"""The arithmetic, on hand-written stacks with known resources. Expected values are worked out
here from the round test prices (tests/costs/fixtures/prices-round.toml) or the shipped table's
numbers, never taken from the estimate's own output."""

from __future__ import annotations

import tomllib

import pytest

from costs.model import NotModelled
from costs.pricers.compute import capacity_split
from costs.prices import DEFAULT_PRICES
from tests.costs.stacks import HOURS, fargate_service, merge, monthly

ON_DEMAND_BASE_THEN_1_TO_3 = [
    {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
    {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3},
]
TWO_SUBNETS = ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]


def four_resources() -> dict:
    """One NAT gateway, one internet-facing ALB in two AZs, one Fargate service, one Multi-AZ database."""
    return merge(
        {
            "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}"}},
            "aws_lb": {"alb": {"load_balancer_type": "application", "internal": False, "subnets": TWO_SUBNETS}},
            "aws_db_instance": {
                "db": {
                    "engine": "postgres",
                    "instance_class": "db.r6g.large",
                    "multi_az": True,
                    "allocated_storage": 100,
                    "storage_type": "gp3",
                }
            },
        },
        fargate_service("api", desired=5, strategy=ON_DEMAND_BASE_THEN_1_TO_3, cpu=512, memory=1024),
    )


FOUR_RESOURCES_USAGE = {
    "nat_gateway": {"data_processed_gb_per_month": 100},
    "load_balancer": {"application_average_lcu": 2, "public_ipv4_per_subnet": 1, "internet_egress_gb_per_month": 10},
}


def test_nat_alb_fargate_and_multi_az_database_add_up(price):
    estimate = price(four_resources(), FOUR_RESOURCES_USAGE)

    nat = 730 * 0.05 + 100 * 0.05  # hours + GB processed = 41.50
    alb = 730 * 0.02 + 2 * 730 * 0.01 + 2 * 730 * 0.005 + 10 * 0.1  # hours, LCUs, 2 public IPs, egress = 37.50
    # 5 tasks: the base of 1 on demand, then 4 split 1:3 -> 2 on demand, 3 on Spot; 0.5 vCPU, 1 GB, ARM.
    fargate = 2 * 730 * (0.5 * 0.03 + 1 * 0.003) + 3 * 730 * (0.5 * 0.009 + 1 * 0.0009)  # = 38.106
    database = 2 * 730 * 0.25 + 2 * 100 * 0.1  # primary + standby, storage twice = 385.00
    assert monthly(estimate, "aws_nat_gateway.nat") == pytest.approx(nat)
    assert monthly(estimate, "aws_lb.alb") == pytest.approx(alb)
    assert monthly(estimate, "aws_ecs_service.api") == pytest.approx(fargate)
    assert monthly(estimate, "aws_db_instance.db") == pytest.approx(database)
    assert estimate.total_usd == pytest.approx(502.106)
    assert [item.address for item in estimate.free] == ["aws_ecs_task_definition.api_task"]


def test_the_shipped_table_prices_the_same_stack_with_its_own_numbers(price):
    with DEFAULT_PRICES.open("rb") as handle:
        table = tomllib.load(handle)["regions"]["eu-west-1"]
    fargate, rds, lb, nat = table["fargate"], table["rds"], table["load_balancer"], table["nat_gateway"]
    estimate = price(four_resources(), FOUR_RESOURCES_USAGE, prices=DEFAULT_PRICES)

    expected = (
        HOURS * nat["hourly"]
        + 100 * nat["data_processed_gb"]
        + HOURS * lb["application_hourly"]
        + 2 * HOURS * lb["application_lcu_hourly"]
        + 2 * HOURS * table["public_ipv4"]["hourly"]
        + 10 * table["data_transfer"]["internet_out_gb"]
        + 2 * HOURS * (0.5 * fargate["arm64_vcpu_hourly"] + fargate["arm64_gb_hourly"])
        + 3 * HOURS * (0.5 * fargate["spot_arm64_vcpu_hourly"] + fargate["spot_arm64_gb_hourly"])
        + 2 * HOURS * rds["postgres_instance_hourly"]["db.r6g.large"]
        + 2 * 100 * rds["storage_gb_month"]["gp3"]
    )
    assert estimate.total_usd == pytest.approx(expected)
    assert estimate.table.version == "2026-11"


@pytest.mark.parametrize(
    ("desired", "strategy", "expected"),
    [
        # Bases first: 2 on demand, then the third task split 1:1.
        (
            3,
            [
                {"capacity_provider": "FARGATE", "base": 2, "weight": 1},
                {"capacity_provider": "FARGATE_SPOT", "weight": 1},
            ],
            {"FARGATE": 2.5, "FARGATE_SPOT": 0.5},
        ),
        # Fewer tasks than the base: all on demand.
        (
            1,
            [
                {"capacity_provider": "FARGATE", "base": 2, "weight": 1},
                {"capacity_provider": "FARGATE_SPOT", "weight": 1},
            ],
            {"FARGATE": 1, "FARGATE_SPOT": 0},
        ),
        # Spot only (dev).
        (4, [{"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 1}], {"FARGATE_SPOT": 4}),
        (5, ON_DEMAND_BASE_THEN_1_TO_3, {"FARGATE": 2, "FARGATE_SPOT": 3}),
        (0, ON_DEMAND_BASE_THEN_1_TO_3, {"FARGATE": 0, "FARGATE_SPOT": 0}),
    ],
)
def test_capacity_split_takes_bases_first_then_weights(desired, strategy, expected):
    assert capacity_split(desired, strategy) == pytest.approx(expected)


def test_capacity_split_refuses_tasks_no_weight_can_place():
    with pytest.raises(NotModelled, match="no capacity provider has a weight above 0"):
        capacity_split(3, [{"capacity_provider": "FARGATE", "base": 1, "weight": 0}])


def test_spot_and_on_demand_shares_are_priced_at_their_own_rates(price):
    resources = merge(
        fargate_service(
            "spot_only", desired=4, strategy=[{"capacity_provider": "FARGATE_SPOT", "weight": 1}], cpu=1024, memory=2048
        ),
        fargate_service(
            "on_demand", desired=4, strategy=[{"capacity_provider": "FARGATE", "weight": 1}], cpu=1024, memory=2048
        ),
    )
    estimate = price(resources)

    assert monthly(estimate, "aws_ecs_service.spot_only") == pytest.approx(4 * 730 * (1 * 0.009 + 2 * 0.0009))
    assert monthly(estimate, "aws_ecs_service.on_demand") == pytest.approx(4 * 730 * (1 * 0.03 + 2 * 0.003))


def test_arm_and_x86_tasks_are_priced_at_their_own_rates(price):
    resources = merge(
        {"aws_ecs_service": {}},
        fargate_service("x86", desired=2, cpu=1024, memory=2048, architecture="X86_64"),
        fargate_service("arm", desired=2, cpu=1024, memory=2048, architecture="ARM64"),
    )
    for service in resources["aws_ecs_service"].values():
        service["launch_type"] = "FARGATE"  # no strategy: all on demand
    estimate = price(resources)

    assert monthly(estimate, "aws_ecs_service.x86") == pytest.approx(2 * 730 * 1 * 0.04 + 2 * 730 * 2 * 0.004)  # 70.08
    assert monthly(estimate, "aws_ecs_service.arm") == pytest.approx(2 * 730 * 1 * 0.03 + 2 * 730 * 2 * 0.003)  # 52.56


def test_a_service_without_a_strategy_takes_the_cluster_default(price):
    resources = merge(
        fargate_service("worker", desired=2, cpu=256, memory=512),
        {
            "aws_ecs_cluster": {"main": {"name": "main"}},
            "aws_ecs_cluster_capacity_providers": {
                "providers": {
                    "cluster_name": "${aws_ecs_cluster.main.name}",
                    "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
                }
            },
        },
    )
    estimate = price(resources)

    assert monthly(estimate, "aws_ecs_service.worker") == pytest.approx(2 * 730 * (0.25 * 0.009 + 0.5 * 0.0009))


def test_autoscaling_maximum_is_priced_with_the_same_strategy(price):
    resources = merge(
        fargate_service("api", desired=3, strategy=ON_DEMAND_BASE_THEN_1_TO_3),
        {
            "aws_appautoscaling_target": {
                "api": {"min_capacity": 3, "max_capacity": 9, "resource_id": "service/main/${aws_ecs_service.api.name}"}
            }
        },
    )
    estimate = price(resources)

    (line,) = [line for line in estimate.lines if line.address == "aws_ecs_service.api"]
    # 9 tasks: 1 + 8 x 1/4 = 3 on demand, 6 on Spot.
    at_max = 3 * 730 * (0.5 * 0.03 + 0.003) + 6 * 730 * (0.5 * 0.009 + 0.0009)
    assert (line.scaling.min_tasks, line.scaling.max_tasks) == (3, 9)
    assert line.scaling.monthly_usd_at_max == pytest.approx(at_max)


def test_container_insights_counts_the_cluster_services_and_families(price):
    resources = merge(
        fargate_service("api", desired=2, strategy=ON_DEMAND_BASE_THEN_1_TO_3),
        fargate_service("worker", desired=3, strategy=ON_DEMAND_BASE_THEN_1_TO_3),
        {"aws_ecs_cluster": {"main": {"setting": [{"name": "containerInsights", "value": "enabled"}]}}},
    )
    usage = {
        "container_insights": {
            "metrics_per_cluster": 10,
            "metrics_per_service": 5,
            "metrics_per_task_family": 2,
            "performance_log_gb_per_task_month": 0.1,
        }
    }
    estimate = price(resources, usage)

    assert monthly(estimate, "aws_ecs_cluster.main") == pytest.approx((10 + 2 * 5 + 2 * 2) * 0.3 + 5 * 0.1 * 0.5)


def test_rds_replica_proxy_performance_insights_and_gp3_extras(price):
    resources = {
        "aws_db_instance": {
            "primary": {
                "engine": "postgres",
                "instance_class": "db.r6g.xlarge",
                "allocated_storage": 500,
                "storage_type": "gp3",
                "iops": 15000,
                "storage_throughput": 600,
                "performance_insights_enabled": True,
                "performance_insights_retention_period": 31,
                "manage_master_user_password": True,
            },
            "replica": {
                "replicate_source_db": "${aws_db_instance.primary.identifier}",
                "instance_class": "db.r6g.large",
                "monitoring_interval": 60,
            },
        },
        "aws_db_proxy": {"proxy": {"engine_family": "POSTGRESQL"}},
        "aws_db_proxy_target": {
            "target": {
                "db_proxy_name": "${aws_db_proxy.proxy.name}",
                "db_instance_identifier": "${aws_db_instance.primary.identifier}",
            }
        },
    }
    estimate = price(resources, {"rds": {"enhanced_monitoring_kb_per_sample": 5}})

    # 500 GB gp3 includes 12,000 IOPS and 500 MiB/s; Performance Insights beyond 7 days, per vCPU (4).
    primary = 730 * 0.5 + 500 * 0.1 + 3000 * 0.02 + 100 * 0.1 + 4 * 2 + 0.4
    # The replica takes the source's engine, storage and storage type; Enhanced Monitoring every 60 s.
    replica = 730 * 0.25 + 500 * 0.1 + (730 * 3600 / 60) * 5 / 1024 / 1024 * 0.5
    assert monthly(estimate, "aws_db_instance.primary") == pytest.approx(primary)
    assert monthly(estimate, "aws_db_instance.replica") == pytest.approx(replica)
    assert monthly(estimate, "aws_db_proxy.proxy") == pytest.approx(4 * 730 * 0.015)


def test_elasticache_nodes_per_group_and_the_valkey_discount(price):
    resources = {
        "aws_elasticache_replication_group": {
            "valkey": {"engine": "valkey", "node_type": "cache.m7g.large", "num_cache_clusters": 3},
            "sharded": {
                "engine": "redis",
                "node_type": "cache.t4g.micro",
                "num_node_groups": 2,
                "replicas_per_node_group": 1,
            },
        }
    }
    estimate = price(resources)

    assert monthly(estimate, "aws_elasticache_replication_group.valkey") == pytest.approx(3 * 730 * 0.2 * 0.8)
    assert monthly(estimate, "aws_elasticache_replication_group.sharded") == pytest.approx(4 * 730 * 0.02)


def test_ec2_instance_root_volume_and_ebs_volume_above_the_gp3_baseline(price):
    resources = {
        "aws_instance": {
            "sized": {"instance_type": "r7g.large", "root_block_device": {"volume_type": "gp3", "volume_size": 30}},
            "ami_default": {"instance_type": "t4g.micro"},
        },
        "aws_ebs_volume": {"data": {"type": "gp3", "size": 200, "iops": 4000, "throughput": 250}},
    }
    estimate = price(resources, {"ec2": {"root_volume_gb_when_unspecified": 8}})

    assert monthly(estimate, "aws_instance.sized") == pytest.approx(730 * 0.1 + 30 * 0.08)
    assert monthly(estimate, "aws_instance.ami_default") == pytest.approx(730 * 0.01 + 8 * 0.08)
    assert monthly(estimate, "aws_ebs_volume.data") == pytest.approx(200 * 0.08 + 1000 * 0.005 + 125 * 0.04)


def test_msk_documentdb_and_dynamodb(price):
    resources = {
        "aws_msk_cluster": {
            "kafka": {
                "number_of_broker_nodes": 3,
                "enhanced_monitoring": "PER_TOPIC_PER_BROKER",
                "broker_node_group_info": {
                    "instance_type": "kafka.m7g.large",
                    "storage_info": {"ebs_storage_info": {"volume_size": 100}},
                },
            }
        },
        "aws_docdb_cluster": {"docdb": {"storage_type": "standard", "manage_master_user_password": True}},
        "aws_docdb_cluster_instance": {f"docdb_{n}": {"instance_class": "db.r6g.large"} for n in range(3)},
        "aws_dynamodb_table": {
            "messages": {"billing_mode": "PAY_PER_REQUEST", "point_in_time_recovery": {"enabled": True}},
            "counters": {
                "billing_mode": "PROVISIONED",
                "write_capacity": 10,
                "read_capacity": 20,
                "global_secondary_index": [{"name": "by_user", "write_capacity": 5, "read_capacity": 0}],
            },
        },
    }
    usage = {
        "msk": {"per_broker_level_metrics": 40, "per_topic_per_broker_level_metrics": 30},
        "documentdb": {"storage_gb": 20, "io_millions_per_month": 50},
        "dynamodb": {
            "on_demand_writes_millions_per_month": {"messages*": 5},
            "on_demand_reads_millions_per_month": {"messages*": 20},
            "storage_gb": {"messages*": 10},
        },
    }
    estimate = price(resources, usage)

    assert monthly(estimate, "aws_msk_cluster.kafka") == pytest.approx(3 * 730 * 0.2 + 300 * 0.1 + (40 + 30) * 3 * 0.3)
    assert monthly(estimate, "aws_docdb_cluster.docdb") == pytest.approx(20 * 0.1 + 50 * 0.2 + 0.4)
    assert monthly(estimate, "aws_docdb_cluster_instance.docdb_0") == pytest.approx(730 * 0.3)
    assert monthly(estimate, "aws_dynamodb_table.messages") == pytest.approx(5 * 1.0 + 20 * 0.25 + 10 * 0.25 + 10 * 0.2)
    assert monthly(estimate, "aws_dynamodb_table.counters") == pytest.approx(15 * 730 * 0.001 + 20 * 730 * 0.0002)


def test_cloudwatch_alarms_count_metrics_and_resolution(price):
    metric = {"metric_name": "CPUUtilization", "namespace": "AWS/ECS", "period": 60, "stat": "Average"}
    resources = {
        "aws_cloudwatch_metric_alarm": {
            "standard": {"metric_name": "CPUUtilization", "period": 300},
            "high_resolution": {"metric_name": "CPUUtilization", "period": 10},
            "metric_math": {
                "metric_query": [
                    {"id": "a", "metric": metric},
                    {"id": "b", "metric": metric},
                    {"id": "c", "metric": metric},
                    {"id": "rate", "expression": "100 * a / (b + c)", "return_data": True},
                ]
            },
            "anomaly": {
                "metric_query": [
                    {"id": "m", "metric": metric},
                    {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m, 2)"},
                ],
                "threshold_metric_id": "band",
            },
        },
        "aws_cloudwatch_dashboard": {"main": {"dashboard_name": "main"}},
    }
    estimate = price(resources)

    assert monthly(estimate, "aws_cloudwatch_metric_alarm.standard") == pytest.approx(0.1)
    assert monthly(estimate, "aws_cloudwatch_metric_alarm.high_resolution") == pytest.approx(0.3)
    assert monthly(estimate, "aws_cloudwatch_metric_alarm.metric_math") == pytest.approx(3 * 0.1)
    assert monthly(estimate, "aws_cloudwatch_metric_alarm.anomaly") == pytest.approx(3 * 0.1)
    assert monthly(estimate, "aws_cloudwatch_dashboard.main") == pytest.approx(3)


def test_log_groups_ingest_and_store_what_their_retention_keeps(price):
    resources = {
        "aws_cloudwatch_log_group": {
            "month": {"retention_in_days": 30},
            "forever": {},
            "archive": {"retention_in_days": 30, "log_group_class": "INFREQUENT_ACCESS"},
        }
    }
    usage = {
        "logs": {"ingest_gb_per_month": {"*": 10}, "storage_horizon_months": 12, "stored_fraction_of_ingested": 0.15}
    }
    estimate = price(resources, usage)

    kept_30_days = 10 * (30 / (365 / 12)) * 0.15
    assert monthly(estimate, "aws_cloudwatch_log_group.month") == pytest.approx(10 * 0.5 + kept_30_days * 0.03)
    assert monthly(estimate, "aws_cloudwatch_log_group.forever") == pytest.approx(10 * 0.5 + 10 * 12 * 0.15 * 0.03)
    assert monthly(estimate, "aws_cloudwatch_log_group.archive") == pytest.approx(10 * 0.25 + kept_30_days * 0.03)


def test_endpoints_waf_keys_and_public_addresses(price):
    resources = {
        "aws_vpc_endpoint": {
            "logs": {
                "vpc_endpoint_type": "Interface",
                "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}", "${aws_subnet.c.id}"],
            },
            "s3": {"vpc_endpoint_type": "Gateway"},
        },
        "aws_wafv2_web_acl": {"acl": {"scope": "REGIONAL", "rule": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}},
        "aws_kms_key": {"regional": {}, "global_edge": {"provider": "aws.us_east_1"}},
        "aws_eip": {"nat": {"domain": "vpc", "count": 3}},
    }
    usage = {
        "vpc_endpoint": {"data_processed_gb_per_month": {"logs*": 5}},
        "waf": {"requests_millions_per_month": {"*": 10}},
    }
    estimate = price(resources, usage, aliases={"us_east_1": "us-east-1"})

    assert monthly(estimate, "aws_vpc_endpoint.logs") == pytest.approx(3 * 730 * 0.01 + 5 * 0.01)
    assert monthly(estimate, "aws_vpc_endpoint.s3") == 0
    assert monthly(estimate, "aws_wafv2_web_acl.acl") == pytest.approx(5 + 3 * 1 + 10 * 0.6)
    assert monthly(estimate, "aws_kms_key.regional") == pytest.approx(1)
    # The aliased provider's region (us-east-1) prices the key there.
    assert monthly(estimate, "aws_kms_key.global_edge") == pytest.approx(1.5)
    assert monthly(estimate, "aws_eip.nat") == pytest.approx(3 * 730 * 0.005)


def test_backup_vault_prices_what_its_selections_protect(price):
    resources = {
        "aws_backup_vault": {"vault": {"name": "vault"}},
        "aws_backup_plan": {
            "plan": {"rule": [{"rule_name": "daily", "target_vault_name": "${aws_backup_vault.vault.name}"}]}
        },
        "aws_backup_selection": {
            "selection": {
                "plan_id": "${aws_backup_plan.plan.id}",
                "resources": ["${aws_db_instance.db.arn}", "arn:aws:s3:::chat-attachments"],
            }
        },
        "aws_db_instance": {"db": {"engine": "postgres", "instance_class": "db.t4g.micro", "allocated_storage": 20}},
    }
    estimate = price(resources, {"backup": {"rds_gb": 100, "s3_gb": 200, "ebs_gb": 999}})

    # The EBS figure is not used: nothing in the selection is a volume.
    assert monthly(estimate, "aws_backup_vault.vault") == pytest.approx(100 * 0.1 + 200 * 0.05)
