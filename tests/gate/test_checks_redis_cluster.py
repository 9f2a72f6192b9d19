"""Project checks CKV_CHAT_70-74 (EC2 nodes of the Redis Cluster): each over its passing and
failing fixture stacks, resource by resource, and the module's own output through the whole gate."""

from __future__ import annotations

import pytest

from tests.gate.fixture_gate import FIXTURES, NO_COPY_REASON, by_resource, fixture_stacks, project_check_ids, run_gate

CHECK_IDS = tuple(f"CKV_CHAT_{number}" for number in range(70, 75))
STACKS = fixture_stacks(CHECK_IDS)
MODULE_STACKS = ("redis-prod", "redis-dev")
ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/redis_cluster writes, protected and not, with a backup plan covering its volumes."""
    from bindings.aws.network_interface import NetworkInterface

    from modules.backup import BackupPlan, BackupPlanProps
    from modules.redis_cluster import RedisCluster, RedisClusterProps
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    base = {
        "region": "eu-west-1",
        "account_id": ACCOUNT,
        "vpc_id": "vpc-0a1b2c3d",
        "subnet_ids": ("subnet-0a0a0a0a", "subnet-0b0b0b0b", "subnet-0c0c0c0c"),
        "availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c"),
        "s3_prefix_list_id": "pl-6da54004",
    }
    variants = {
        "redis-prod": RedisClusterProps(
            name="chat-prod",
            instance_type="t3.medium",
            endpoint_security_group_id="sg-0e0e0e0e",
            network_endpoint_services=("logs", "secretsmanager"),
            **base,
        ),
        "redis-dev": RedisClusterProps(name="chat-dev", deletion_protection=False, interface_endpoint_zones=1, **base),
    }

    def build(props):
        def add(stack):
            api = SecurityGroup(
                stack,
                "api",
                props=SecurityGroupProps(name=f"{props.name}-api", vpc_id=props.vpc_id, description="API", port=3000),
            )
            NetworkInterface(stack, "api_task", subnet_id="subnet-0d0d0d0d", security_groups=[api.security_group_id])
            cluster = RedisCluster(
                stack,
                "redis_cluster",
                props=props,
                alarm_topic_arn=f"arn:aws:sns:eu-west-1:{ACCOUNT}:{props.name}-alarms",
            )
            cluster.allow_from(api)
            backup = BackupPlan(
                stack,
                "backup",
                props=BackupPlanProps(
                    name=props.name,
                    region="eu-west-1",
                    account_id=ACCOUNT,
                    deletion_protection=props.deletion_protection,
                    no_copy_reason=NO_COPY_REASON if props.deletion_protection else None,
                ),
            )
            for target in cluster.backup_targets():
                backup.protect(target.name, target.arn)

        return synth_scratch(add).document

    return {name: build(props) for name, props in variants.items()}


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    """The gate over this file's fixture stacks and the module's two stacks (one checkov run)."""
    return run_gate(tmp_path_factory, "redis-cluster", STACKS, module_stacks)


def test_every_redis_cluster_check_is_a_file_with_fixtures():
    # The ids 70-79 are the Redis Cluster's.
    assert project_check_ids(70, 79) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("CKV_CHAT_70", ["protected"], ["unprotected", "unset"]),
        (
            "CKV_CHAT_71",
            ["imdsv2", "endpoint_off", "template"],
            ["optional_tokens", "two_hops", "no_options", "template_two_hops"],
        ),
        ("CKV_CHAT_72", ["cmk_root"], ["inline_data", "aws_key", "unencrypted", "no_root"]),
        ("CKV_CHAT_73", ["protected"], ["unselected", "aws_managed_key", "unencrypted"]),
        (
            "CKV_CHAT_74",
            ["nodes", "api", "other", "from_api", "bus", "other_from_vpc"],
            ["nodes", "from_vpc_cidr", "from_prefix_list", "port_range", "ssh", "legacy_rule"],
        ),
    ],
)
def test_project_check_on_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    stack = f"chat-{check_id.rsplit('_', 1)[1]}"
    assert by_resource(findings, f"{stack}-pass", check_id) == dict.fromkeys(passing, "passed")
    assert by_resource(findings, f"{stack}-fail", check_id) == dict.fromkeys(failing, "failed")


def test_the_modules_clusters_pass_the_whole_gate(results):
    report, findings = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        assert outcome.failed == [] and outcome.stale_waivers == [], stack
        ran = {f["check_id"] for f in findings["passed_checks"] if f["file_path"] == f"/{stack}/cdk.tf.json"}
        assert set(CHECK_IDS) <= ran | {"CKV_CHAT_70"}, (stack, sorted(set(CHECK_IDS) - ran))
        # Graph checks ran too (a stack checkov cannot graph would skip them silently).
        assert {"CKV2_AWS_5", "CKV2_AWS_9", "CKV_CHAT_40"} <= ran


def test_only_the_unprotected_cluster_waives_termination_protection(results):
    report, _ = results
    waived = {
        stack.name: sorted({finding.check_id for finding, _ in stack.waived})
        for stack in report.stacks
        if stack.name in MODULE_STACKS
    }
    assert "CKV_CHAT_70" in waived["redis-dev"]
    assert "CKV_CHAT_70" not in waived["redis-prod"]
    assert {"CKV2_AWS_57", "CKV_AWS_18", "CKV_CHAT_40"} <= set(waived["redis-prod"])
