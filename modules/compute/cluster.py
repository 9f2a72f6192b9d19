"""The ECS cluster: Fargate and Fargate Spot capacity, Container Insights, ECS Exec
sessions encrypted and logged, and the key that encrypts the services' logs."""

from __future__ import annotations

from dataclasses import dataclass

from bindings.aws.ecs_cluster import (
    EcsCluster,
    EcsClusterConfiguration,
    EcsClusterConfigurationExecuteCommandConfiguration,
    EcsClusterConfigurationExecuteCommandConfigurationLogConfiguration,
    EcsClusterSetting,
)
from bindings.aws.ecs_cluster_capacity_providers import (
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
)
from constructs import Construct

from modules.common.keys import ManagedKey
from modules.common.log_groups import encrypted_log_group, log_group_arn, logs_key_statement
from modules.common.policy import policy_statement
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.compute.props import ComputeClusterProps
from modules.compute.sizing import capacity_weights

CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass(frozen=True)
class CapacityShare:
    """One entry of a capacity-provider strategy."""

    provider: str
    weight: int
    base: int = 0


class ComputeCluster(Construct):
    """The cluster every service of an environment runs in.

    Typed outputs (attributes): name, arn, capacity_strategy, exec_enabled, tracing_enabled,
    tracing_collector_image, kms_key_arn,
    log_group_prefix, exec_log_group_name, partition, account_id, region.
    Helpers: log_group_arn(group_name), grant_exec(grantee), grant_tracing(grantee)."""

    def __init__(self, scope: Construct, construct_id: str, *, props: ComputeClusterProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        self.partition: str = context.partition
        self.region = props.region
        self.account_id: str = context.account_id
        self.exec_enabled = props.exec_enabled
        self.tracing_enabled = props.tracing_enabled
        self.tracing_collector_image = props.tracing_collector_image
        # Every log group of this cluster's services, and its ECS Exec session log, lives
        # under this prefix, so one key-policy statement covers them and no other group.
        self.log_group_prefix = f"/ecs/{props.name}"

        key = ManagedKey(
            self,
            "key",
            alias=f"alias/{props.name}-ecs",
            description=f"Encrypts {props.name}'s ECS Exec sessions and service logs",
            partition=self.partition,
            account_id=self.account_id,
            tags={**props.tags, "Name": f"{props.name}-ecs"},
        )
        # CloudWatch Logs may use the key for this cluster's groups only (issue 24, finding 2):
        # every group it encrypts is named "<log_group_prefix>/<service>" or ".../exec-sessions".
        key.add_to_key_policy(
            logs_key_statement("EcsLogGroups", props.region, self.log_group_arn(f"{self.log_group_prefix}/*"))
        )
        if props.exec_enabled:
            key.add_to_key_policy(
                # ECS Exec is the one direct use of a key here: the task's SSM agent decrypts
                # the session (kms:Decrypt, grant_exec) and the operator's session-manager
                # plugin asks for its data key (kms:GenerateDataKey), both as themselves, not
                # through a service. Delegated to this account's identity policies.
                policy_statement(
                    "AccountUsesKeyForExecSessions",
                    ["kms:Decrypt", "kms:GenerateDataKey"],
                    ["*"],
                    principal=("AWS", [f"arn:{self.partition}:iam::{self.account_id}:root"]),
                    conditions=[("StringEquals", "kms:CallerAccount", [self.account_id])],
                )
            )
        self.kms_key_arn: str = key.arn

        self.exec_log_group_name = f"{self.log_group_prefix}/exec-sessions"
        exec_log_group = encrypted_log_group(
            self,
            "exec_log_group",
            name=self.exec_log_group_name,
            retention_days=props.exec_log_retention_days,
            kms_key_arn=key.arn,
            tags={**props.tags, "Name": f"{props.name}-ecs-exec-sessions"},
            short_retention_reason=(
                f"ECS Exec session logs of {props.name} are kept {props.exec_log_retention_days} days, as its "
                "environment file says (exec_log_retention_days): a non-production audit need."
            ),
        )
        self.cluster = EcsCluster(
            self,
            "cluster",
            name=props.name,
            setting=[EcsClusterSetting(name="containerInsights", value=props.container_insights)],
            configuration=EcsClusterConfiguration(
                execute_command_configuration=EcsClusterConfigurationExecuteCommandConfiguration(
                    kms_key_id=key.arn,
                    logging="OVERRIDE",
                    log_configuration=EcsClusterConfigurationExecuteCommandConfigurationLogConfiguration(
                        cloud_watch_encryption_enabled=True,
                        cloud_watch_log_group_name=exec_log_group.name,
                    ),
                )
            ),
            tags={**props.tags, "Name": props.name},
        )
        weights = capacity_weights(props.spot_percent)
        # The base is always on-demand: it is what stays up when Spot capacity is reclaimed.
        self.capacity_strategy: tuple[CapacityShare, ...] = tuple(
            CapacityShare(
                provider, weights.get(provider, 0), props.on_demand_base_tasks if provider == "FARGATE" else 0
            )
            for provider in CAPACITY_PROVIDERS
            if provider in weights or (provider == "FARGATE" and props.on_demand_base_tasks)
        )
        EcsClusterCapacityProviders(
            self,
            "capacity_providers",
            cluster_name=self.cluster.name,
            capacity_providers=list(CAPACITY_PROVIDERS),
            default_capacity_provider_strategy=[
                EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(
                    capacity_provider=share.provider, weight=share.weight, base=share.base
                )
                for share in self.capacity_strategy
            ],
        )
        self.name: str = props.name
        self.arn: str = self.cluster.arn

    def log_group_arn(self, group_name: str) -> str:
        """The ARN of a log group (or ARN pattern, with "*") of this cluster's account and region."""
        return log_group_arn(self.partition, self.region, self.account_id, group_name)

    def grant_tracing(self, grantee: Grantee) -> None:
        """What a task's collector needs to send spans to X-Ray (nothing when tracing is off)."""
        if not self.tracing_enabled:
            return
        grantee.add_to_policy(
            # X-Ray's write and sampling actions have no resource-level permissions: AWS
            # requires "*" (AWSXrayWriteOnlyAccess grants the same five).
            policy_statement(
                "SendTraces",
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                ["*"],
            )
        )

    def grant_exec(self, grantee: Grantee) -> None:
        """What a task role needs for ECS Exec sessions: the SSM channels, the session key,
        and writing the session log. Nothing when the environment turns ECS Exec off."""
        if not self.exec_enabled:
            return
        group_arn = self.log_group_arn(self.exec_log_group_name)
        grantee.add_to_policy(
            # The ssmmessages channel actions have no resource-level permissions: AWS requires "*".
            # They only open the channel ECS started for this task's session.
            policy_statement(
                "EcsExecChannels",
                [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                ["*"],
            ),
            policy_statement("EcsExecSessionKey", ["kms:Decrypt"], [self.kms_key_arn]),
            # The SSM agent checks the session log group exists before writing; the action
            # has no resource-level permissions, so AWS requires "*" (it lists names only).
            policy_statement("EcsExecFindsSessionLog", ["logs:DescribeLogGroups"], ["*"]),
            policy_statement(
                "EcsExecWritesSessionLog",
                ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                [group_arn, f"{group_arn}:*"],
            ),
        )
