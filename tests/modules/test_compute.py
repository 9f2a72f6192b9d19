"""modules/compute and modules/container_registry: the ECS cluster, its Fargate services
and their image repositories, asserted on the synthesized JSON.

Container definitions are one JSON string that checkov cannot read, so these tests parse
it and assert what matters there: non-root, read-only root, no secret in plain
environment values, logs, port.
"""

from __future__ import annotations

import json

import pytest

from modules.compute import ComputeClusterProps, RealtimeServiceProps, RoutedServiceProps, WorkerServiceProps
from modules.compute.sizing import FARGATE_MEMORY_MIB, SEED_004_CONNECTIONS_PER_TASK, capacity_weights
from modules.container_registry import ContainerRepositoryProps
from synthesized import released_count

REGION = "eu-west-1"
ACCOUNT = "111122223333"
VPC = "vpc-0a1b2c3d"
SUBNETS = ("subnet-0a1b2c3d", "subnet-1a1b2c3d")
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:chat/stripe-AbCdEf"
BLUE_TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/chat-t-api-blue/0123456789abcdef"
GREEN_TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/chat-t-api-green/0123456789abcdef"
# Actions AWS offers no resource-level permission for; the only ones allowed on "*".
STAR_ONLY_ACTIONS = {
    "ecr:GetAuthorizationToken",
    "logs:DescribeLogGroups",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
}


def service_props(**overrides) -> RoutedServiceProps:
    values = dict(name="chat-t", service="api", region=REGION, account_id=ACCOUNT, vpc_id=VPC, subnet_ids=SUBNETS)
    return RoutedServiceProps(**{**values, **overrides})


def worker_props(**overrides) -> WorkerServiceProps:
    values = dict(name="chat-t", service="worker", region=REGION, account_id=ACCOUNT, vpc_id=VPC, subnet_ids=SUBNETS)
    return WorkerServiceProps(**{**values, **overrides})


def build_stack(stack, *, exec_enabled: bool, on_demand_base_tasks: int, spot_percent: int, tracing: bool):
    from modules.compute import ComputeCluster, FargateService
    from modules.compute.service import ServiceEgress, ServiceRouting
    from modules.container_registry import ContainerRepository
    from modules.load_balancer.load_balancer import TargetGroupRef
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    alb = SecurityGroup(stack, "alb", props=SecurityGroupProps(name="chat-t-alb", vpc_id=VPC, description="ALB"))
    cluster = ComputeCluster(
        stack,
        "cluster",
        props=ComputeClusterProps(
            name="chat-t",
            region=REGION,
            account_id=ACCOUNT,
            exec_enabled=exec_enabled,
            tracing_enabled=tracing,
            on_demand_base_tasks=on_demand_base_tasks,
            spot_percent=spot_percent,
        ),
    )
    egress = ServiceEgress(s3_prefix_list_id="pl-6da54004", endpoint_security_group_id="sg-0a1b2c3d4e5f60718")
    routing = ServiceRouting(
        target_groups={
            "blue": TargetGroupRef(arn=BLUE_TG, arn_suffix="targetgroup/chat-t-api-blue/0123456789abcdef"),
            "green": TargetGroupRef(arn=GREEN_TG, arn_suffix="targetgroup/chat-t-api-green/0123456789abcdef"),
        },
        weights={"blue": 100, "green": 0},
        load_balancer_arn_suffix="app/chat-t/fedcba9876543210",
        load_balancer_security_group=alb,
    )

    def repository(service):
        return ContainerRepository(
            stack,
            f"{service}_repository",
            props=ContainerRepositoryProps(name="chat-t", service=service, region=REGION, account_id=ACCOUNT),
        )

    api = FargateService(
        stack,
        "api",
        props=service_props(
            port=3000,
            cpu=512,
            memory_mib=1024,
            min_tasks=2,
            max_tasks=6,
            standby_tasks=1,
            requests_per_target=1000,
            environment={"LOG_LEVEL": "info"},
            secrets={"STRIPE_KEY": f"{SECRET}:key::"},
        ),
        cluster=cluster,
        repository=repository("api"),
        egress=egress,
        routing=routing,
    )
    api.add_environment(
        "QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111122223333/chat-t-push", meaning="The push queue's URL."
    )
    api.add_secret(
        "DATABASE_PASSWORD",
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-1234-XyZ123",
        "password",
        meaning="The database password, from RDS's secret.",
    )
    FargateService(
        stack,
        "worker",
        props=worker_props(cpu_target_percent=None, backlog_per_task=50, max_tasks=3),
        cluster=cluster,
        repository=repository("worker"),
        egress=egress,
        scaling_queue_names=("chat-t-push", "chat-t-offline"),
    )


@pytest.fixture(scope="module")
def prod_like(synth_scratch):
    return synth_scratch(
        lambda stack: build_stack(stack, exec_enabled=True, on_demand_base_tasks=2, spot_percent=50, tracing=True)
    )


@pytest.fixture(scope="module")
def dev_like(synth_scratch):
    return synth_scratch(
        lambda stack: build_stack(stack, exec_enabled=False, on_demand_base_tasks=0, spot_percent=100, tracing=False)
    )


def named(synth, resource_type: str) -> dict[str, tuple[str, dict]]:
    """Resources of a type by their `name` (or `family`) argument: name -> (construct name, body)."""
    return {body.get("name") or body.get("family"): (key, body) for key, body in synth.resources(resource_type).items()}


def containers(synth, family: str) -> list[dict]:
    (_, task) = named(synth, "aws_ecs_task_definition")[family]
    return json.loads(task["container_definitions"])


def container(synth, family: str) -> dict:
    """The service's own container (the first; a tracing collector may follow)."""
    return containers(synth, family)[0]


def role_statements(synth, role_name: str) -> list[dict]:
    (role_key, _) = named(synth, "aws_iam_role")[role_name]
    reference = synth.reference("aws_iam_role", role_key)
    policies = [p for p in synth.resources("aws_iam_role_policy").values() if p["role"] == reference]
    return [s for p in policies for s in synth.data_by_reference(p["policy"])["statement"]]


# -- the container ---------------------------------------------------------------------


def test_containers_run_as_non_root_on_a_read_only_root_without_privileges(prod_like):
    for family in ("chat-t-api-blue", "chat-t-api-green", "chat-t-worker"):
        definition = container(prod_like, family)
        assert definition["user"] == "1000:1000"
        assert definition["readonlyRootFilesystem"] is True
        assert definition["privileged"] is False
        assert definition["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}


def test_secrets_are_injected_by_arn_and_plain_values_hold_none(prod_like):
    definition = container(prod_like, "chat-t-api-blue")
    assert {s["name"]: s["valueFrom"] for s in definition["secrets"]} == {
        "STRIPE_KEY": f"{SECRET}:key::",
        "DATABASE_PASSWORD": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-1234-XyZ123:password::",
    }
    plain = {e["name"]: e["value"] for e in definition["environment"]}
    assert set(plain) == {"LOG_LEVEL", "QUEUE_URL", "OTEL_EXPORTER_OTLP_ENDPOINT", "AWS_XRAY_DAEMON_ADDRESS"}
    assert not any("arn:aws:secretsmanager" in value for value in plain.values())


def test_logs_go_to_the_services_encrypted_group_in_the_stacks_region(prod_like):
    definition = container(prod_like, "chat-t-api-green")
    options = definition["logConfiguration"]["options"]
    assert definition["logConfiguration"]["logDriver"] == "awslogs"
    assert options["awslogs-region"] == REGION and options["awslogs-stream-prefix"] == "green"
    (_, group) = named(prod_like, "aws_cloudwatch_log_group")[options["awslogs-group"]]
    (cluster,) = prod_like.resources("aws_ecs_cluster").values()
    assert group["kms_key_id"] == cluster["configuration"]["execute_command_configuration"]["kms_key_id"]
    assert group["retention_in_days"] == 90


def test_the_port_is_the_services_and_a_worker_has_none(prod_like):
    assert container(prod_like, "chat-t-api-blue")["portMappings"] == [
        {"name": "api", "containerPort": 3000, "protocol": "tcp"}
    ]
    assert "portMappings" not in container(prod_like, "chat-t-worker")


def test_the_image_is_the_repository_url_and_the_colours_release_parameter(prod_like):
    parameters = named(prod_like, "aws_ssm_parameter")
    (key, parameter) = parameters["/chat-t/api/green/image-tag"]
    assert parameter["type"] == "String" and parameter["insecure_value"] == "bootstrap"
    assert parameter["lifecycle"] == {"ignore_changes": ["insecure_value"]}
    (repository_key, _) = named(prod_like, "aws_ecr_repository")["chat-t/api"]
    assert container(prod_like, "chat-t-api-green")["image"] == (
        f"${{aws_ecr_repository.{repository_key}.repository_url}}:${{aws_ssm_parameter.{key}.insecure_value}}"
    )
    assert set(parameters) == {"/chat-t/api/blue/image-tag", "/chat-t/api/green/image-tag", "/chat-t/worker/image-tag"}


def test_ecs_exec_mounts_writable_agent_paths_only_when_enabled(prod_like, dev_like):
    paths = {m["containerPath"] for m in container(prod_like, "chat-t-api-blue")["mountPoints"]}
    assert paths == {"/tmp", "/var/lib/amazon", "/var/log/amazon", "/managed-agents"}
    assert {m["containerPath"] for m in container(dev_like, "chat-t-api-blue")["mountPoints"]} == {"/tmp"}
    (_, task) = named(dev_like, "aws_ecs_task_definition")["chat-t-api-blue"]
    assert [v["name"] for v in task["volume"]] == ["tmp"]


def test_task_size_and_architecture_come_from_the_props(prod_like):
    (_, task) = named(prod_like, "aws_ecs_task_definition")["chat-t-api-blue"]
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert task["runtime_platform"] == {"cpu_architecture": "ARM64", "operating_system_family": "LINUX"}
    assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
    assert task["execution_role_arn"] != task["task_role_arn"]


def test_tracing_runs_a_hardened_collector_beside_each_service_and_only_where_enabled(prod_like, dev_like):
    from modules.compute.props import DEFAULT_COLLECTOR_IMAGE

    for family in ("chat-t-api-blue", "chat-t-worker"):
        service, collector = containers(prod_like, family)
        assert collector["image"] == DEFAULT_COLLECTOR_IMAGE and ":" in collector["image"].rsplit("/", 1)[1]
        assert collector["essential"] is False and service["essential"] is True
        assert collector["user"] != "0" and collector["readonlyRootFilesystem"] is True
        assert collector["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
        assert collector["command"] == ["--config=/etc/ecs/ecs-xray.yaml"]
        assert service["dependsOn"] == [{"containerName": collector["name"], "condition": "START"}]
        plain = {e["name"]: e["value"] for e in service["environment"]}
        assert plain["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://localhost:4317"
    assert [c["name"] for c in containers(dev_like, "chat-t-api-blue")] == ["api"]
    assert "dependsOn" not in container(dev_like, "chat-t-api-blue")


# -- the services ----------------------------------------------------------------------


def test_services_run_in_private_subnets_without_public_ips_and_roll_back_failed_deployments(prod_like):
    for _, service in named(prod_like, "aws_ecs_service").values():
        assert service["network_configuration"]["subnets"] == list(SUBNETS)
        assert service["network_configuration"]["assign_public_ip"] is False
        assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
        assert (service["deployment_minimum_healthy_percent"], service["deployment_maximum_percent"]) == (100, 200)
        assert service["platform_version"] == "LATEST"
        assert service["lifecycle"] == {"ignore_changes": ["desired_count"]}


def test_each_colour_registers_in_its_own_target_group(prod_like):
    services = named(prod_like, "aws_ecs_service")
    for colour, arn in (("blue", BLUE_TG), ("green", GREEN_TG)):
        (_, service) = services[f"chat-t-api-{colour}"]
        assert service["load_balancer"] == [{"container_name": "api", "container_port": 3000, "target_group_arn": arn}]
        assert service["health_check_grace_period_seconds"] == 60
    (_, worker) = services["chat-t-worker"]
    assert "load_balancer" not in worker and "health_check_grace_period_seconds" not in worker


def test_capacity_strategy_keeps_an_on_demand_base_in_prod_and_is_spot_only_in_dev(prod_like, dev_like):
    def strategies(synth):
        (cluster_default,) = synth.resources("aws_ecs_cluster_capacity_providers").values()
        services = [s["capacity_provider_strategy"] for _, s in named(synth, "aws_ecs_service").values()]
        return cluster_default, services

    cluster_default, services = strategies(prod_like)
    expected = [
        {"base": 2, "capacity_provider": "FARGATE", "weight": 1},
        {"base": 0, "capacity_provider": "FARGATE_SPOT", "weight": 1},
    ]
    assert cluster_default["default_capacity_provider_strategy"] == expected
    assert cluster_default["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert all(strategy == expected for strategy in services)
    dev_default, dev_services = strategies(dev_like)
    spot_only = [{"base": 0, "capacity_provider": "FARGATE_SPOT", "weight": 1}]
    assert dev_default["default_capacity_provider_strategy"] == spot_only
    assert all(strategy == spot_only for strategy in dev_services)


def test_capacity_weights_reduce_the_spot_share():
    assert capacity_weights(75) == {"FARGATE": 1, "FARGATE_SPOT": 3}
    assert capacity_weights(60) == {"FARGATE": 2, "FARGATE_SPOT": 3}
    assert capacity_weights(0) == {"FARGATE": 1}
    assert capacity_weights(100) == {"FARGATE_SPOT": 1}


def test_the_cluster_has_insights_and_encrypted_logged_exec_sessions(prod_like):
    (cluster,) = prod_like.resources("aws_ecs_cluster").values()
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    execute = cluster["configuration"]["execute_command_configuration"]
    assert execute["logging"] == "OVERRIDE" and execute["kms_key_id"].startswith("${aws_kms_key.")
    log = execute["log_configuration"]
    assert log["cloud_watch_encryption_enabled"] is True
    (_, group) = named(prod_like, "aws_cloudwatch_log_group")["/ecs/chat-t/exec-sessions"]
    assert group["retention_in_days"] == 365 and group["kms_key_id"] == execute["kms_key_id"]
    assert all(s["enable_execute_command"] is True for _, s in named(prod_like, "aws_ecs_service").values())


# -- autoscaling -----------------------------------------------------------------------


def test_the_colour_with_traffic_scales_between_min_and_max_and_the_idle_colour_stays_on_standby(prod_like):
    targets = {
        body["resource_id"].split("/")[-1]: body for body in prod_like.resources("aws_appautoscaling_target").values()
    }
    blue, green, worker = (
        targets[f"${{aws_ecs_service.{named(prod_like, 'aws_ecs_service')[n][0]}.name}}"]
        for n in ("chat-t-api-blue", "chat-t-api-green", "chat-t-worker")
    )
    assert released_range(blue) == (2, 6)
    assert released_range(green) == (1, 1)
    assert released_range(worker) == (1, 3)


def released_range(target) -> tuple:
    return released_count(target["min_capacity"]), released_count(target["max_capacity"])


def test_every_service_waits_at_zero_tasks_until_its_colour_is_released(prod_like):
    """A first deploy has no image yet: each colour's service and autoscaling range stay at
    0 while its own release parameter holds the initial tag, and take their counts once
    the pipeline writes a real tag (modules/compute/README.md: First deploy)."""
    parameters = {body["name"]: key for key, body in prod_like.resources("aws_ssm_parameter").items()}
    services = {body["name"]: (key, body) for key, body in prod_like.resources("aws_ecs_service").items()}
    targets = {body["resource_id"]: body for body in prod_like.resources("aws_appautoscaling_target").values()}
    for service_name, parameter_name, count in (
        ("chat-t-api-blue", "/chat-t/api/blue/image-tag", 2),
        ("chat-t-api-green", "/chat-t/api/green/image-tag", 1),
        ("chat-t-worker", "/chat-t/worker/image-tag", 1),
    ):
        key, service = services[service_name]
        waiting = f'${{(aws_ssm_parameter.{parameters[parameter_name]}.insecure_value != "bootstrap") ? {count} : 0}}'
        assert service["desired_count"] == waiting, service_name
        target = targets[f"service/chat-t/${{aws_ecs_service.{key}.name}}"]
        assert target["min_capacity"] == waiting, service_name
        assert released_count(service["desired_count"]) == count


def test_api_scales_on_cpu_and_requests_per_target_and_scales_in_slower(prod_like):
    policies = named(prod_like, "aws_appautoscaling_policy")
    assert set(policies) == {"chat-t-api-blue-cpu", "chat-t-api-blue-requests", "chat-t-worker-backlog"}
    cpu = policies["chat-t-api-blue-cpu"][1]["target_tracking_scaling_policy_configuration"]
    assert cpu["target_value"] == 70
    assert cpu["predefined_metric_specification"] == {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}
    requests = policies["chat-t-api-blue-requests"][1]["target_tracking_scaling_policy_configuration"]
    assert requests["target_value"] == 1000
    assert requests["predefined_metric_specification"] == {
        "predefined_metric_type": "ALBRequestCountPerTarget",
        "resource_label": "app/chat-t/fedcba9876543210/targetgroup/chat-t-api-blue/0123456789abcdef",
    }
    for _, policy in policies.values():
        configuration = policy["target_tracking_scaling_policy_configuration"]
        assert configuration["scale_in_cooldown"] > configuration["scale_out_cooldown"]


def test_worker_scales_on_visible_messages_of_its_queues_per_running_task(prod_like):
    (_, policy) = named(prod_like, "aws_appautoscaling_policy")["chat-t-worker-backlog"]
    configuration = policy["target_tracking_scaling_policy_configuration"]
    assert configuration["target_value"] == 50
    metrics = {m["id"]: m for m in configuration["customized_metric_specification"]["metrics"]}
    assert metrics["backlog_per_task"]["expression"] == "(visible_0 + visible_1) / tasks"
    assert metrics["backlog_per_task"]["return_data"] is True
    assert [m["return_data"] for m in metrics.values()].count(True) == 1
    for metric_id, queue in (("visible_0", "chat-t-push"), ("visible_1", "chat-t-offline")):
        visible = metrics[metric_id]["metric_stat"]["metric"]
        assert (visible["namespace"], visible["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
        assert visible["dimensions"] == [{"name": "QueueName", "value": queue}]
    tasks = metrics["tasks"]["metric_stat"]["metric"]
    assert {d["name"]: d["value"] for d in tasks["dimensions"]}["ServiceName"] == "chat-t-worker"


# -- IAM -------------------------------------------------------------------------------


def test_no_statement_uses_a_star_resource_unless_the_action_has_no_resource_level_permission(prod_like):
    roles = [body["name"] for body in prod_like.resources("aws_iam_role").values()]
    assert sorted(roles) == ["chat-t-api-execution", "chat-t-api-task", "chat-t-worker-execution", "chat-t-worker-task"]
    for role in roles:
        for statement in role_statements(prod_like, role):
            assert not any("*" in action.split(":")[1] for action in statement["actions"]), statement
            if "*" in statement["resources"]:
                assert statement["resources"] == ["*"] and set(statement["actions"]) <= STAR_ONLY_ACTIONS, statement


def test_execution_role_pulls_its_own_repository_writes_its_own_logs_reads_its_own_secrets(prod_like):
    statements = {s["sid"]: s for s in role_statements(prod_like, "chat-t-api-execution")}
    (repository_key, _) = named(prod_like, "aws_ecr_repository")["chat-t/api"]
    assert statements["PullApiImages"]["resources"] == [f"${{aws_ecr_repository.{repository_key}.arn}}"]
    assert statements["WriteServiceLogs"]["resources"] == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/chat-t/api:*"
    ]
    assert statements["ReadServiceSecrets"]["resources"] == [SECRET]
    assert set(statements) == {"PullApiImages", "GetRegistryTokenForApi", "WriteServiceLogs", "ReadServiceSecrets"}


def test_task_roles_hold_only_ecs_exec_until_resources_grant_more(prod_like, dev_like):
    sids = {s["sid"] for s in role_statements(prod_like, "chat-t-worker-task")}
    assert sids == {
        "EcsExecChannels",
        "EcsExecSessionKey",
        "EcsExecFindsSessionLog",
        "EcsExecWritesSessionLog",
        "SendTraces",
    }
    assert role_statements(dev_like, "chat-t-worker-task") == []


def test_roles_are_assumed_by_ecs_tasks_of_this_account_only(prod_like):
    for _, role in named(prod_like, "aws_iam_role").values():
        (statement,) = prod_like.data_by_reference(role["assume_role_policy"])["statement"]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
        conditions = {c["variable"]: c["values"] for c in statement["condition"]}
        assert conditions == {
            "aws:SourceAccount": [ACCOUNT],
            "aws:SourceArn": [f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"],
        }


# -- network ---------------------------------------------------------------------------


def test_only_the_load_balancer_reaches_the_api_port_and_the_worker_accepts_nothing(prod_like):
    groups = {body["name_prefix"].rstrip("-"): key for key, body in prod_like.resources("aws_security_group").items()}
    ingress = list(prod_like.resources("aws_vpc_security_group_ingress_rule").values())
    to_api = [
        r for r in ingress if r["security_group_id"] == prod_like.reference("aws_security_group", groups["chat-t-api"])
    ]
    assert [(r["referenced_security_group_id"], r["from_port"], r["to_port"]) for r in to_api] == [
        (prod_like.reference("aws_security_group", groups["chat-t-alb"]), 3000, 3000)
    ]
    worker = prod_like.reference("aws_security_group", groups["chat-t-worker"])
    assert not [r for r in ingress if r["security_group_id"] == worker]
    egress = [
        r
        for r in prod_like.resources("aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == worker
    ]
    assert sorted(
        (r.get("prefix_list_id") or r.get("referenced_security_group_id"), r["from_port"]) for r in egress
    ) == [
        ("pl-6da54004", 443),
        ("sg-0a1b2c3d4e5f60718", 443),
    ]


# -- the repository --------------------------------------------------------------------


def test_repositories_are_immutable_scanned_encrypted_and_expire_old_images(prod_like):
    repositories = named(prod_like, "aws_ecr_repository")
    assert set(repositories) == {"chat-t/api", "chat-t/worker"}
    lifecycles = {
        p["repository"]: json.loads(p["policy"]) for p in prod_like.resources("aws_ecr_lifecycle_policy").values()
    }
    for key, repository in repositories.values():
        assert repository["image_tag_mutability"] == "IMMUTABLE"
        assert repository["image_scanning_configuration"] == {"scan_on_push": True}
        assert repository["encryption_configuration"][0]["encryption_type"] == "KMS"
        assert repository["force_delete"] is False
        untagged, any_tag = lifecycles[f"${{aws_ecr_repository.{key}.name}}"]["rules"]
        assert untagged["selection"]["tagStatus"] == "untagged" and untagged["selection"]["countNumber"] == 1
        assert any_tag["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"cpu": 256, "memory_mib": 4096},
            "memory_mib: expected a memory size Fargate allows with 256 CPU units (512, 1024, 2048 MiB), "
            "got 4096 (number)",
        ),
        (
            {"cpu": 1024, "memory_mib": 1024},
            "memory_mib: expected a memory size Fargate allows with 1024 CPU units (2048 to 8192 in steps of 1024 "
            "MiB), got 1024 (number)",
        ),
        ({"cpu": 300}, "cpu: expected one of Fargate's CPU sizes [256, 512, 1024, 2048, 4096, 8192, 16384], got 300"),
        ({"min_tasks": 5, "max_tasks": 2}, "max_tasks: expected at least min_tasks (5), got 2"),
        ({"standby_tasks": 5, "max_tasks": 2}, "standby_tasks: expected at most max_tasks (2), got 5"),
        (
            {"architecture": "X86_64", "image_architectures": ("ARM64",)},
            "architecture: expected an architecture the image is built for (['ARM64']: image_architectures), "
            'got "X86_64" (string)',
        ),
        ({"port": 70000}, "port: expected a number less than or equal to 65535, got 70000 (number)"),
        ({"port": 0}, "port: expected a number greater than or equal to 1, got 0 (number)"),
        (
            {"environment": {"DB_PASSWORD": "hunter2"}},
            "environment: expected no secret in plain environment values (they are readable in the task "
            "definition): move DB_PASSWORD to `secrets` as a Secrets Manager ARN, got a plain value",
        ),
        (
            {"secrets": {"STRIPE_KEY": "hunter2"}},
            "secrets: STRIPE_KEY: expected a Secrets Manager secret ARN",
        ),
        (
            {"scale_in_cooldown_seconds": 30, "scale_out_cooldown_seconds": 60},
            "scale_in_cooldown_seconds: expected a scale-in cooldown longer than scale_out_cooldown_seconds (60)",
        ),
        ({"initial_image_tag": "-bad"}, "initial_image_tag: expected an image tag"),
    ],
)
def test_bad_service_input_is_refused_with_what_was_expected(overrides, message):
    with pytest.raises(ValueError) as error:
        service_props(**overrides)
    assert message in str(error.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as error:
        service_props(cpu=256, memory_mib=4096, min_tasks=5, max_tasks=2, port=0)
    lines = str(error.value).splitlines()
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["port", "memory_mib", "max_tasks"]


def test_bad_cluster_input_is_refused():
    with pytest.raises(ValueError, match=r"spot_percent: expected a number less than or equal to 100, got 150"):
        ComputeClusterProps(name="chat-t", region=REGION, spot_percent=150)
    with pytest.raises(ValueError, match=r"container_insights: expected one of 'enabled' or 'enhanced'"):
        ComputeClusterProps(name="chat-t", region=REGION, container_insights="disabled")
    with pytest.raises(ValueError, match=r"keep_last_images: expected a number greater than or equal to 1"):
        ContainerRepositoryProps(name="chat-t", service="api", region=REGION, keep_last_images=0)


def test_every_fargate_size_pairs_memory_in_whole_gib():
    for cpu, sizes in FARGATE_MEMORY_MIB.items():
        assert sizes[0] == 2 * cpu and all(size % 1024 == 0 for size in sizes[1:]), cpu


def test_wiring_mistakes_are_refused(synth_scratch):
    from modules.compute import ComputeCluster, FargateService
    from modules.compute.service import ServiceEgress
    from modules.container_registry import ContainerRepository

    def build(stack):
        cluster = ComputeCluster(
            stack, "c", props=ComputeClusterProps(name="chat-t", region=REGION, account_id=ACCOUNT)
        )
        repository = ContainerRepository(
            stack, "r", props=ContainerRepositoryProps(name="chat-t", service="worker", region=REGION)
        )
        egress = ServiceEgress(s3_prefix_list_id="pl-6da54004")
        with pytest.raises(ValueError, match="chat-t-worker: backlog_per_task needs the queues it scales on, got none"):
            FargateService(
                stack,
                "w",
                props=worker_props(backlog_per_task=5),
                cluster=cluster,
                repository=repository,
                egress=egress,
            )
        with pytest.raises(
            ValueError,
            match="chat-t-api: expected routing exactly when the props are RoutedServiceProps, "
            "got RoutedServiceProps without routing",
        ):
            FargateService(stack, "a", props=service_props(), cluster=cluster, repository=repository, egress=egress)
        worker = FargateService(
            stack, "ok", props=worker_props(), cluster=cluster, repository=repository, egress=egress
        )
        worker.add_environment("MODE", "worker", meaning="Which loop the image runs (a test value).")
        with pytest.raises(ValueError, match="chat-t-worker: expected one value for MODE, got a second"):
            worker.add_secret("MODE", SECRET, meaning="The same name again, as a secret.")

    synth_scratch(build)


# -- issue 24: the cluster key's log scope, ECS Exec off by default ----------------------


def cluster_key_statements(synth):
    (statements,) = [
        {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}
        for name, policy in synth.resources("aws_kms_key_policy").items()
        if name.startswith("cluster_")
    ]
    return statements


def test_cloudwatch_logs_may_use_the_cluster_key_for_this_clusters_groups_only(prod_like, dev_like):
    for synth in (prod_like, dev_like):
        logs = cluster_key_statements(synth)["CloudWatchLogsUsesKeyForEcsLogGroups"]
        assert [(c["test"], c["variable"], c["values"]) for c in logs["condition"]] == [
            (
                "ArnLike",
                "kms:EncryptionContext:aws:logs:arn",
                [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/chat-t/*"],
            )
        ]
    # Every group the key encrypts is under that prefix.
    for name, _ in named(prod_like, "aws_cloudwatch_log_group").items():
        assert name.startswith("/ecs/chat-t/"), name


def test_exec_sessions_may_use_the_cluster_key_directly_only_when_exec_is_on(prod_like, dev_like):
    on = cluster_key_statements(prod_like)["AccountUsesKeyForExecSessions"]
    assert on["actions"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert "AccountUsesKeyForExecSessions" not in cluster_key_statements(dev_like)


def test_ecs_exec_is_off_unless_the_environment_asks_for_it():
    props = ComputeClusterProps(name="chat-t", region=REGION, account_id=ACCOUNT)
    assert props.exec_enabled is False


DIGEST_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector@sha256:" + "0123456789abcdef" * 4


def test_a_protected_environment_refuses_a_tag_only_collector_image_without_a_reason():
    base = {"name": "chat-t", "region": REGION, "account_id": ACCOUNT}
    tagged = "public.ecr.aws/aws-observability/aws-otel-collector:v0.44.0"
    with pytest.raises(ValueError, match="tracing_collector_image: expected an image pinned by digest"):
        ComputeClusterProps(**base, tracing_collector_image=tagged)
    # Pinned by digest, or a tag with its reason, or an unprotected environment, or tracing off.
    ComputeClusterProps(**base, tracing_collector_image=DIGEST_IMAGE)
    ComputeClusterProps(**base, tracing_collector_image=tagged, tracing_collector_image_tag_reason="x" * 20)
    ComputeClusterProps(**base, tracing_collector_image=tagged, deletion_protection=False)
    ComputeClusterProps(**base, tracing_collector_image=tagged, tracing_enabled=False)
    # The module's default tag carries its reason in the code (DEFAULT_COLLECTOR_IMAGE_TAG_REASON).
    ComputeClusterProps(**base)
    with pytest.raises(ValueError, match="tracing_collector_image_tag_reason: expected a reason of at least 20"):
        ComputeClusterProps(**base, tracing_collector_image=tagged, tracing_collector_image_tag_reason="because")


# -- realtime: connections per task ------------------------------------------------------


def realtime_props(**overrides) -> RealtimeServiceProps:
    values = dict(name="chat-t", service="realtime", region=REGION, account_id=ACCOUNT, vpc_id=VPC, subnet_ids=SUBNETS)
    return RealtimeServiceProps(**{**values, **overrides})


def build_realtime_stack(stack, *, connections_per_task: int | None):
    """A realtime service whose two colours both take traffic (a shift under way)."""
    from modules.compute import ComputeCluster, FargateService
    from modules.compute.service import ServiceEgress, ServiceRouting
    from modules.container_registry import ContainerRepository
    from modules.load_balancer.load_balancer import TargetGroupRef
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    alb = SecurityGroup(stack, "alb", props=SecurityGroupProps(name="chat-t-alb", vpc_id=VPC, description="ALB"))
    cluster = ComputeCluster(
        stack, "cluster", props=ComputeClusterProps(name="chat-t", region=REGION, account_id=ACCOUNT)
    )
    FargateService(
        stack,
        "realtime",
        props=realtime_props(min_tasks=2, max_tasks=8, connections_per_task=connections_per_task),
        cluster=cluster,
        repository=ContainerRepository(
            stack,
            "realtime_repository",
            props=ContainerRepositoryProps(name="chat-t", service="realtime", region=REGION, account_id=ACCOUNT),
        ),
        egress=ServiceEgress(s3_prefix_list_id="pl-6da54004"),
        routing=ServiceRouting(
            target_groups={
                colour: TargetGroupRef(arn=arn, arn_suffix=arn.split(":")[-1])
                for colour, arn in (("blue", BLUE_TG), ("green", GREEN_TG))
            },
            weights={"blue": 60, "green": 40},
            load_balancer_arn_suffix="app/chat-t/fedcba9876543210",
            load_balancer_security_group=alb,
        ),
    )


@pytest.fixture(scope="module")
def realtime_like(synth_scratch):
    return {
        "on": synth_scratch(lambda stack: build_realtime_stack(stack, connections_per_task=4000)),
        "off": synth_scratch(lambda stack: build_realtime_stack(stack, connections_per_task=None)),
    }


def test_realtime_scales_each_colour_on_the_connections_its_tasks_publish(realtime_like):
    synth = realtime_like["on"]
    policies = named(synth, "aws_appautoscaling_policy")
    for colour in ("blue", "green"):
        (_, policy) = policies[f"chat-t-realtime-{colour}-connections"]
        configuration = policy["target_tracking_scaling_policy_configuration"]
        assert configuration["target_value"] == 4000
        (only_metric,) = configuration["customized_metric_specification"]["metrics"]
        assert only_metric["return_data"] is True
        metric = only_metric["metric_stat"]["metric"]
        assert (metric["namespace"], metric["metric_name"], only_metric["metric_stat"]["stat"]) == (
            "chat-t/realtime",
            "OpenConnections",
            "Average",
        )
        assert metric["dimensions"] == [{"name": "ServiceName", "value": f"chat-t-realtime-{colour}"}]
        # The policy scales this colour's own service.
        target = synth.by_reference(policy["resource_id"].replace(".resource_id}", ".id}"))
        service = synth.by_reference(target["resource_id"].split("/")[-1].replace(".name}", ".id}"))
        assert service["name"] == f"chat-t-realtime-{colour}"
        # The tasks are told where to publish (the application contract's variable).
        environment = {v["name"]: v["value"] for v in container(synth, f"chat-t-realtime-{colour}")["environment"]}
        assert environment["CONNECTIONS_METRIC_NAMESPACE"] == "chat-t/realtime"


def test_realtime_tasks_may_publish_metrics_only_to_their_own_namespace(realtime_like):
    publishing = [
        statement
        for statement in role_statements(realtime_like["on"], "chat-t-realtime-task")
        if "cloudwatch:PutMetricData" in statement["actions"]
    ]
    assert len(publishing) == 1
    (statement,) = publishing
    assert statement["actions"] == ["cloudwatch:PutMetricData"] and statement["resources"] == ["*"]
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["chat-t/realtime"]}
    ]


def test_realtime_without_connections_per_task_neither_scales_on_them_nor_publishes(realtime_like):
    synth = realtime_like["off"]
    assert not [name for name in named(synth, "aws_appautoscaling_policy") if name.endswith("-connections")]
    assert "CONNECTIONS_METRIC_NAMESPACE" not in {
        v["name"] for v in container(synth, "chat-t-realtime-blue")["environment"]
    }
    statements = role_statements(synth, "chat-t-realtime-task")
    assert not [s for s in statements if "cloudwatch:PutMetricData" in s["actions"]]


def test_connections_per_task_defaults_to_seed_004_and_refuses_a_bad_value():
    assert realtime_props().connections_per_task == SEED_004_CONNECTIONS_PER_TASK == 5000
    with pytest.raises(ValueError) as error:
        realtime_props(connections_per_task=0)
    assert "connections_per_task: expected a number greater than or equal to 1, got 0 (number)" in str(error.value)
    # Only realtime has it: the API scales on requests.
    with pytest.raises(TypeError):
        service_props(connections_per_task=100)
