"""A Fargate service: its task definition(s), ECS service(s), roles, log group, security
group and autoscaling.

A service behind the load balancer runs as two ECS services, one per colour (blue and
green), each registered in its colour's target group; the environment file's weights
decide which takes traffic (modules/load_balancer). A worker runs as one ECS service.

Deploying an image never goes through the environment file: each colour has a release
parameter (SSM, "/<name>/<service>/<colour>/image-tag") that the pipeline writes; the task
definition reads the tag from it at plan time, and Terraform ignores changes to the
parameter's value, so the next apply keeps what the pipeline deployed instead of
reverting it (README: Deploying an image).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bindings.aws.appautoscaling_target import AppautoscalingTarget
from bindings.aws.ecs_service import (
    EcsService,
    EcsServiceCapacityProviderStrategy,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)
from bindings.aws.ecs_task_definition import (
    EcsTaskDefinition,
    EcsTaskDefinitionRuntimePlatform,
    EcsTaskDefinitionVolume,
)
from bindings.aws.ssm_parameter import SsmParameter
from constructs import Construct

from bindings.aws import appautoscaling_policy as scaling
from bindings.cdk import Fn, Op, TerraformStack, Token
from modules.common.policy import policy_statement
from modules.common.roles import ServiceRole
from modules.common.waivers import waive
from modules.compute.cluster import ComputeCluster
from modules.compute.containers import (
    CONTRACT_KEY,
    TRACING_VARIABLE_MEANINGS,
    SecretReference,
    collector_definition,
    container_definition,
    task_volumes,
)
from modules.compute.props import (
    FargateServiceProps,
    RealtimeServiceProps,
    RoutedServiceProps,
    WorkerServiceProps,
    check_environment_variables,
)
from modules.compute.sizing import CONNECTIONS_METRIC_NAME, connections_namespace
from modules.container_registry import ContainerRepository
from modules.load_balancer.load_balancer import TargetGroupRef
from modules.security_groups import SecurityGroup, SecurityGroupProps

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement

# Start the new tasks of a deployment before stopping old ones (100% stay healthy, up to
# 200% run): a websocket moves once, to a task that is already healthy.
MIN_HEALTHY_PERCENT = 100
MAX_PERCENT = 200
HTTPS_PORT = 443
# A variable's meaning is a sentence an application developer can act on, not its name again.
MIN_MEANING_CHARS = 20


def until_released(released: object, count: int) -> int:
    """`count` tasks once the colour's release parameter names a real image, 0 before.

    On a first deploy the parameter still holds `initial_image_tag` ("bootstrap"), a tag
    no repository holds: tasks started from it would fail to pull, the circuit breaker
    would roll back to nothing, and the tasks-below-desired alarms would page. So the
    service and its autoscaling range wait at zero; the release that writes a real tag
    changes the range to `count` in the same reviewed plan as the new task definition
    (Application Auto Scaling raises the running count to the new minimum at once). The
    JSON keeps the literal count: `${<parameter> != "bootstrap" ? <count> : 0}`."""
    if count == 0:
        return 0
    return Token.as_number(Fn.conditional(released, count, 0))  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)


@dataclass(frozen=True)
class ServiceRouting:
    """How the load balancer reaches a routed service: its colours' target groups and
    weights (modules/load_balancer), and the load balancer's group and ARN suffix."""

    target_groups: Mapping[str, TargetGroupRef]
    weights: Mapping[str, int]
    load_balancer_arn_suffix: str
    load_balancer_security_group: SecurityGroup


@dataclass(frozen=True)
class ServiceEgress:
    """Where the tasks may open connections outside the security-group graph."""

    s3_prefix_list_id: str
    """ECR image layers come from S3 through the gateway endpoint."""
    endpoint_security_group_id: str | None = None
    """The interface endpoints' group (ECR, Logs, Secrets Manager, ...), when the network has them."""
    internet_https: bool = False
    """HTTPS to any address through NAT: AWS APIs without an endpoint, push services (APNs, FCM)."""


def _tracking(part: str) -> type:
    """A struct of a target-tracking policy's configuration, e.g. _tracking("PredefinedMetricSpecification")."""
    return getattr(scaling, f"AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration{part}")  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)


def _measured_metric(
    metric_id: str, namespace: str, metric_name: str, statistic: str, *, return_data: bool = False, **dimensions: str
) -> scaling.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetrics:
    """One metric of a target-tracking policy's `metrics` (its metric-math form), by id."""
    return _tracking("CustomizedMetricSpecificationMetrics")(
        id=metric_id,
        return_data=return_data,
        metric_stat=_tracking("CustomizedMetricSpecificationMetricsMetricStat")(
            stat=statistic,
            metric=_tracking("CustomizedMetricSpecificationMetricsMetricStatMetric")(
                namespace=namespace,
                metric_name=metric_name,
                dimensions=[
                    _tracking("CustomizedMetricSpecificationMetricsMetricStatMetricDimensions")(name=key, value=value)
                    for key, value in dimensions.items()
                ],
            ),
        ),
    )


@dataclass
class _Slot:
    colour: str | None
    service_name: str
    task_definition: EcsTaskDefinition
    image_tag_parameter_name: str
    image: str


class FargateService(Construct):
    """One service of the chat platform on Fargate (blue and green when routed).

    Typed outputs (attributes): security_group, task_role, execution_role, log_group_name,
    service_names, image_tag_parameters, container_name, port.
    Helpers: add_to_policy (grants land on the task role), add_environment,
    add_secret (its owner grants read to `execution_role`); both take the variable's
    `meaning`, the application contract's words for it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: FargateServiceProps,
        cluster: ComputeCluster,
        repository: ContainerRepository,
        egress: ServiceEgress,
        routing: ServiceRouting | None = None,
        scaling_queue_names: tuple[str, ...] = (),
    ) -> None:
        """`scaling_queue_names`: the queues a worker's `backlog_per_task` counts (their
        visible messages added up)."""
        super().__init__(scope, construct_id)
        self.props = props
        self.cluster = cluster
        name = props.full_name
        routed = isinstance(props, RoutedServiceProps)
        if routed != (routing is not None):
            raise ValueError(
                f"{name}: expected routing exactly when the props are RoutedServiceProps, got "
                f"{type(props).__name__} {'with' if routing is not None else 'without'} routing"
            )
        self.backlog_per_task = props.backlog_per_task if isinstance(props, WorkerServiceProps) else None
        self.connections_per_task = props.connections_per_task if isinstance(props, RealtimeServiceProps) else None
        # Where the tasks publish their open connections (None: the service does not scale on them).
        self.connections_namespace = (
            connections_namespace(props.name, props.service) if self.connections_per_task is not None else None
        )
        if self.backlog_per_task is not None and not scaling_queue_names:
            raise ValueError(f"{name}: backlog_per_task needs the queues it scales on, got none")
        self.container_name = props.service
        self.port: int | None = props.port if isinstance(props, RoutedServiceProps) else None
        self._environment: dict[str, str] = dict(props.environment)
        self._secrets: list[SecretReference] = [
            SecretReference.parse(variable, reference) for variable, reference in props.secrets.items()
        ]
        # What each variable the stack sets means (the environment file's own are the file's to explain).
        self.variable_meanings: dict[str, str] = {}
        if cluster.tracing_enabled:
            for variable, meaning in TRACING_VARIABLE_MEANINGS.items():
                self._record_meaning(variable, meaning)

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=name, vpc_id=props.vpc_id, description=f"{props.service} tasks", port=self.port, tags=props.tags
            ),
        )
        self._egress(egress)
        if routing is not None:
            self.security_group.allow_from(
                routing.load_balancer_security_group, f"HTTP from the load balancer to the {props.service} tasks"
            )

        self.log_group_name = f"{cluster.log_group_prefix}/{props.service}"
        encrypted_log_group_arn = cluster.log_group_arn(self.log_group_name)
        from modules.common.log_groups import encrypted_log_group

        encrypted_log_group(
            self,
            "log_group",
            name=self.log_group_name,
            retention_days=props.log_retention_days,
            kms_key_arn=cluster.kms_key_arn,
            tags={**props.tags, "Name": f"{name}-logs"},
            short_retention_reason=(
                f"Application logs of {name} are kept {props.log_retention_days} days (the environment's "
                "log_retention_days): operational logs, not an audit trail; ECS Exec sessions are kept a year."
            ),
        )

        self.execution_role = self._task_role(
            "execution_role",
            "execution",
            f"ECS starts {name} tasks: pulls its image, writes its logs, reads its secrets",
        )
        repository.grant_pull(self.execution_role)
        self.execution_role.add_to_policy(
            policy_statement(
                "WriteServiceLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [f"{encrypted_log_group_arn}:*"],
            )
        )
        if props.secrets:
            self.execution_role.add_to_policy(
                policy_statement(
                    "ReadServiceSecrets",
                    ["secretsmanager:GetSecretValue"],
                    sorted({secret.secret_arn for secret in self._secrets}),
                )
            )
        self.task_role = self._task_role(
            "task_role", "task", f"What {name}'s code may do: granted by the resources it uses"
        )
        cluster.grant_exec(self.task_role)
        cluster.grant_tracing(self.task_role)

        self.repository = repository
        colours: tuple[str | None, ...] = tuple(routing.target_groups) if routing is not None else (None,)
        self._slots: list[_Slot] = []
        self.service_names: dict[str, str] = {}
        self.image_tag_parameters: dict[str, str] = {}
        for colour in colours:
            slot = self._slot(colour, routing, scaling_queue_names)
            self._slots.append(slot)
            self.service_names[colour or ""] = slot.service_name
            self.image_tag_parameters[colour or ""] = slot.image_tag_parameter_name
        if self.connections_namespace is not None:
            self._publish_connections(self.connections_namespace)

    # -- grants and wiring -----------------------------------------------------------

    def add_to_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None:
        """Grants from the resources the code uses land on the task role."""
        self.task_role.add_to_policy(*statements)

    def add_environment(self, variable: str, value: str, *, meaning: str) -> None:
        """A plain (non-secret) variable, e.g. a queue URL or a database host. `meaning`
        says what the application finds in it, in one sentence: it is the variable's entry
        in the application contract (docs/application-contract.md, generated by docgen)."""
        check_environment_variables({variable: value})
        if variable in self._environment or any(s.variable == variable for s in self._secrets):
            raise ValueError(f"{self.props.full_name}: expected one value for {variable}, got a second")
        self._record_meaning(variable, meaning)
        self._environment[variable] = value
        self._render()

    def add_secret(self, variable: str, secret_arn: str, json_key: str | None = None, *, meaning: str) -> None:
        """A variable ECS fills from Secrets Manager at start; the secret's owner grants
        read to `execution_role` (e.g. `database.grant_read_secret(api.execution_role)`).
        `meaning`: as for add_environment (never the value: the contract names the secret)."""
        if variable in self._environment or any(s.variable == variable for s in self._secrets):
            raise ValueError(f"{self.props.full_name}: expected one value for {variable}, got a second")
        self._record_meaning(variable, meaning)
        self._secrets.append(SecretReference(variable, secret_arn, json_key))
        self._render()

    def _record_meaning(self, variable: str, meaning: str) -> None:
        """Write what `variable` means beside the stack's JSON (Terraform ignores "//"), where the
        application contract's generator and its tests read it back with the container definitions."""
        if len(meaning.strip()) < MIN_MEANING_CHARS:
            raise ValueError(
                f"{self.props.full_name}: expected the meaning of {variable} in a sentence of at least "
                f"{MIN_MEANING_CHARS} characters, got {meaning!r}"
            )
        self.variable_meanings[variable] = meaning.strip()
        TerraformStack.of(self).add_override(f"//.{CONTRACT_KEY}.{self.container_name}.{variable}", meaning.strip())

    def _publish_connections(self, namespace: str) -> None:
        """The tasks publish their open websocket connections, which the load balancer cannot
        count per service: its ActiveConnectionCount and NewConnectionCount have only the
        LoadBalancer (and AvailabilityZone) dimensions, not TargetGroup, and the API's
        connections share that load balancer (under the API Gateway ingress there is none
        at all). So each task puts one gauge a minute, and the service scales on its average."""
        self.add_environment(
            "CONNECTIONS_METRIC_NAMESPACE",
            namespace,
            meaning=(
                f"CloudWatch namespace where each task puts, every minute, its open websocket connections as the "
                f"metric {CONNECTIONS_METRIC_NAME} (unit Count) with one dimension, ServiceName = the task "
                "definition family (Family in the ECS task metadata, which is the ECS service's name); the service "
                "scales and alarms on its average (connections per task). Absent when realtime.connections_per_task "
                "is null."
            ),
        )
        # PutMetricData has no resource-level permission (AWS requires "*"); the namespace
        # condition keeps the tasks to their own.
        self.add_to_policy(
            policy_statement(
                "PutConnectionMetrics",
                ["cloudwatch:PutMetricData"],
                ["*"],
                conditions=[("StringEquals", "cloudwatch:namespace", [namespace])],
            )
        )

    # -- pieces ----------------------------------------------------------------------

    def _task_role(self, construct_id: str, suffix: str, description: str) -> ServiceRole:
        """A role ECS tasks of this account assume (execution or task role)."""
        cluster = self.cluster
        return ServiceRole(
            self,
            construct_id,
            name=f"{self.props.full_name}-{suffix}",
            service="ecs-tasks.amazonaws.com",
            description=description,
            account_id=cluster.account_id,
            source_arns=[f"arn:{cluster.partition}:ecs:{cluster.region}:{cluster.account_id}:*"],
            tags=self.props.tags,
        )

    def _egress(self, egress: ServiceEgress) -> None:
        group = self.security_group
        group.allow_egress_to_prefix_list(
            "s3",
            egress.s3_prefix_list_id,
            HTTPS_PORT,
            "HTTPS to S3 through the gateway endpoint",
            "ECR serves image layers from S3; the gateway endpoint keeps them off NAT.",
        )
        if egress.endpoint_security_group_id is not None:
            group.allow_egress_to_group_id(
                "vpc-endpoints",
                egress.endpoint_security_group_id,
                HTTPS_PORT,
                "HTTPS to the interface VPC endpoints",
                "ECR, CloudWatch Logs, Secrets Manager, SQS, STS and KMS without leaving the VPC.",
            )
        if egress.internet_https:
            group.allow_egress_to_cidr(
                "internet",
                "0.0.0.0/0",
                HTTPS_PORT,
                "HTTPS through NAT",
                "AWS APIs without an endpoint (ECS Exec's SSM channels) and push services (APNs, FCM) "
                "answer on public addresses; NAT is the only way out, and only 443 is open.",
            )

    def _container(self, slot: _Slot) -> str:
        props, cluster = self.props, self.cluster
        definitions = [
            container_definition(
                name=self.container_name,
                image=slot.image,
                port=self.port,
                environment=self._environment,
                secrets=tuple(self._secrets),
                log_group_name=self.log_group_name,
                log_stream_prefix=slot.colour or props.service,
                region=props.region,
                exec_enabled=cluster.exec_enabled,
                tracing=cluster.tracing_enabled,
            )
        ]
        if cluster.tracing_enabled:
            definitions.append(
                collector_definition(
                    image=cluster.tracing_collector_image, log_group_name=self.log_group_name, region=props.region
                )
            )
        return json.dumps(definitions)

    def _render(self) -> None:
        for slot in self._slots:
            slot.task_definition.container_definitions = self._container(slot)

    def _slot(self, colour: str | None, routing: ServiceRouting | None, scaling_queue_names: tuple[str, ...]) -> _Slot:
        props, cluster = self.props, self.cluster
        suffix = f"_{colour}" if colour else ""
        service_name = f"{props.full_name}-{colour}" if colour else props.full_name
        parameter_name = (
            f"/{props.name}/{props.service}/{colour}/image-tag"
            if colour
            else f"/{props.name}/{props.service}/image-tag"
        )
        image_tag = SsmParameter(
            self,
            f"image_tag{suffix}",
            name=parameter_name,
            description=f"Image tag {service_name} runs; the release pipeline writes it (README: Deploying an image)",
            type="String",
            insecure_value=props.initial_image_tag,
            tags={**props.tags, "Name": f"{service_name}-image-tag"},
        )
        # The pipeline owns the value after creation: Terraform reads it, never resets it.
        image_tag.add_override("lifecycle.ignore_changes", ["insecure_value"])
        waive(
            image_tag,
            "CKV2_AWS_34",
            "An image tag is not a secret (it is written in every task definition); a SecureString would "
            "hide the deployed tag from plan review and make the release pipeline hold a KMS key.",
        )
        image = f"{self.repository.repository_url}:{image_tag.insecure_value}"

        task_definition = EcsTaskDefinition(
            self,
            f"task_definition{suffix}",
            family=service_name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(props.cpu),
            memory=str(props.memory_mib),
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture=props.architecture
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            volume=[EcsTaskDefinitionVolume(name=volume) for volume in task_volumes(cluster.exec_enabled)],
            container_definitions="[]",
            # Old revisions stay registered: `aws ecs update-service --task-definition
            # <family>:<n>` can roll back to any of them without Terraform.
            skip_destroy=True,
            tags={**props.tags, "Name": service_name},
        )
        slot = _Slot(colour, service_name, task_definition, parameter_name, image)
        task_definition.container_definitions = self._container(slot)

        weight = routing.weights.get(colour, 0) if routing is not None and colour else None
        takes_traffic = weight is None or weight > 0
        standby_tasks = props.standby_tasks if isinstance(props, RoutedServiceProps) else 0
        min_tasks = props.min_tasks if takes_traffic else standby_tasks
        max_tasks = props.max_tasks if takes_traffic else standby_tasks
        released = Op.neq(image_tag.insecure_value, props.initial_image_tag)

        service = EcsService(
            self,
            f"service{suffix}",
            name=service_name,
            cluster=cluster.arn,
            task_definition=task_definition.arn,
            desired_count=until_released(released, min_tasks),
            # Set on the service, not left to the cluster's default: a service without a
            # strategy of its own is replaced when the cluster's default changes.
            capacity_provider_strategy=[
                EcsServiceCapacityProviderStrategy(
                    capacity_provider=share.provider, weight=share.weight, base=share.base
                )
                for share in cluster.capacity_strategy
            ],
            platform_version="LATEST",
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(props.subnet_ids),
                security_groups=[self.security_group.security_group_id],
                assign_public_ip=False,
            ),
            load_balancer=(
                [
                    EcsServiceLoadBalancer(
                        target_group_arn=routing.target_groups[colour].arn,
                        container_name=self.container_name,
                        container_port=self.port,
                    )
                ]
                if routing is not None and colour
                else None
            ),
            health_check_grace_period_seconds=(
                props.health_check_grace_seconds if isinstance(props, RoutedServiceProps) else None
            ),
            deployment_circuit_breaker=EcsServiceDeploymentCircuitBreaker(enable=True, rollback=True),
            deployment_minimum_healthy_percent=MIN_HEALTHY_PERCENT,
            deployment_maximum_percent=MAX_PERCENT,
            # Tasks spread again over the AZs after one comes back from an outage.
            availability_zone_rebalancing="ENABLED",
            enable_execute_command=cluster.exec_enabled,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # An apply does not wait for the rollout; `aws ecs wait services-stable` does.
            wait_for_steady_state=False,
            # A changed capacity strategy (the environment's spot_percent) only reaches
            # running tasks through a new deployment; the provider refuses the change
            # without this. A plan with no change to the service still deploys nothing.
            force_new_deployment=True,
            tags={**props.tags, "Name": service_name},
        )
        # Autoscaling owns the task count between min and max once the service exists.
        service.add_override("lifecycle.ignore_changes", ["desired_count"])

        target = AppautoscalingTarget(
            self,
            f"scaling_target{suffix}",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{cluster.name}/{service.name}",
            min_capacity=until_released(released, min_tasks),
            max_capacity=until_released(released, max_tasks),
            tags={**props.tags, "Name": service_name},
        )
        if max_tasks > min_tasks:
            self._scaling_policies(suffix, service_name, target, routing, colour, scaling_queue_names)
        return slot

    def _scaling_policies(
        self,
        suffix: str,
        service_name: str,
        target: AppautoscalingTarget,
        routing: ServiceRouting | None,
        colour: str | None,
        scaling_queue_names: tuple[str, ...],
    ) -> None:
        props = self.props

        def policy(metric: str, target_value: int, **specification: object) -> None:
            scaling.AppautoscalingPolicy(
                self,
                f"scale_on_{metric}{suffix}",
                name=f"{service_name}-{metric.replace('_', '-')}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=(
                    _tracking("")(
                        target_value=target_value,
                        scale_out_cooldown=props.scale_out_cooldown_seconds,
                        scale_in_cooldown=props.scale_in_cooldown_seconds,
                        **specification,
                    )
                ),
            )

        def predefined(metric_type: str, resource_label: str | None = None) -> dict[str, object]:
            return {
                "predefined_metric_specification": (
                    _tracking("PredefinedMetricSpecification")(
                        predefined_metric_type=metric_type, resource_label=resource_label
                    )
                )
            }

        if props.cpu_target_percent is not None:
            policy("cpu", props.cpu_target_percent, **predefined("ECSServiceAverageCPUUtilization"))
        if props.memory_target_percent is not None:
            policy("memory", props.memory_target_percent, **predefined("ECSServiceAverageMemoryUtilization"))
        if isinstance(props, RoutedServiceProps) and props.requests_per_target is not None and routing and colour:
            label = f"{routing.load_balancer_arn_suffix}/{routing.target_groups[colour].arn_suffix}"
            policy("requests", props.requests_per_target, **predefined("ALBRequestCountPerTarget", label))
        if self.connections_per_task is not None and self.connections_namespace is not None:
            # Each task puts one gauge a minute: the average over the service's tasks is per task.
            connections = _measured_metric(
                "connections_per_task",
                self.connections_namespace,
                CONNECTIONS_METRIC_NAME,
                "Average",
                return_data=True,
                ServiceName=service_name,
            )
            policy(
                "connections",
                self.connections_per_task,
                customized_metric_specification=_tracking("CustomizedMetricSpecification")(metrics=[connections]),
            )
        if self.backlog_per_task is not None and scaling_queue_names:
            policy(
                "backlog",
                self.backlog_per_task,
                customized_metric_specification=self._backlog_metric(scaling_queue_names, service_name),
            )

    def _backlog_metric(
        self, queue_names: tuple[str, ...], service_name: str
    ) -> scaling.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification:
        """Visible messages per running task: AWS's recommended worker metric ("Scaling
        based on Amazon SQS"). Queue depth alone would add tasks for ever while a backlog
        drains; dividing by the task count tracks what each task has to do."""
        visible = [
            _measured_metric(
                f"visible_{index}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Sum", QueueName=queue
            )
            for index, queue in enumerate(queue_names)
        ]
        total = " + ".join(metric.id for metric in visible)
        return _tracking("CustomizedMetricSpecification")(
            metrics=[
                *visible,
                _measured_metric(
                    "tasks",
                    "ECS/ContainerInsights",
                    "RunningTaskCount",
                    "Average",
                    ClusterName=self.cluster.name,
                    ServiceName=service_name,
                ),
                _tracking("CustomizedMetricSpecificationMetrics")(
                    id="backlog_per_task",
                    expression=f"({total}) / tasks",
                    label="Backlog per task",
                    return_data=True,
                ),
            ]
        )
