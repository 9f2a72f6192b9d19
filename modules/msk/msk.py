"""KafkaCluster: Amazon MSK (provisioned, KRaft) as the platform's message broker.

- Brokers spread evenly over the data subnets (two or three AZs), a Standard broker type
  and an EBS volume per environment, the volume grown by Application Auto Scaling up to a
  ceiling (it never shrinks).
- Encryption at rest with the cluster's customer-managed key, TLS between clients and
  brokers and between brokers; clients authenticate with IAM (SASL/IAM on port 9098)
  and nothing else: unauthenticated access is off, no SCRAM secret or certificate exists.
- A configuration with safe server properties (modules/msk/settings.py): no topic
  auto-creation, three copies and two in sync where the broker count allows, no unclean
  leader election, default partitions and retention from the props.
- Broker logs to an encrypted CloudWatch log group; enhanced monitoring per environment;
  Prometheus exporters as an option.
- A security group of its own that nothing reaches until `allow_from(service)` is called,
  and `grant_*` methods whose statements name the cluster, topic and group ARNs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bindings.aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from bindings.aws.appautoscaling_target import AppautoscalingTarget
from bindings.aws.msk_cluster import (
    MskCluster,
    MskClusterBrokerNodeGroupInfo,
    MskClusterBrokerNodeGroupInfoStorageInfo,
    MskClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfo,
    MskClusterClientAuthentication,
    MskClusterClientAuthenticationSasl,
    MskClusterConfigurationInfo,
    MskClusterEncryptionInfo,
    MskClusterEncryptionInfoEncryptionInTransit,
    MskClusterLoggingInfo,
    MskClusterLoggingInfoBrokerLogs,
    MskClusterLoggingInfoBrokerLogsCloudwatchLogs,
    MskClusterOpenMonitoring,
    MskClusterOpenMonitoringPrometheus,
    MskClusterOpenMonitoringPrometheusJmxExporter,
    MskClusterOpenMonitoringPrometheusNodeExporter,
)
from bindings.aws.msk_configuration import MskConfiguration
from constructs import Construct

from bindings.cdk import Fn
from modules.backup.supported import BackupTarget
from modules.common.key_policies import service_store_key
from modules.common.log_delivery import log_delivery_policy
from modules.common.log_groups import encrypted_log_group, log_group_arn
from modules.common.policy import policy_statement
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.msk.alarms import kafka_watch
from modules.msk.props import KafkaClusterProps
from modules.msk.settings import check_kafka_names, render_server_properties, server_properties
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch
from modules.security_groups import SecurityGroup, SecurityGroupProps

if TYPE_CHECKING:
    from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup

# The port of SASL/IAM over TLS, the one listener clients use (MSK: 9092 plaintext, 9094
# TLS, 9096 SASL/SCRAM, 9098 IAM; only the IAM listener exists on this cluster).
IAM_PORT = 9098
# Prometheus exporters on every broker when open monitoring is on.
JMX_EXPORTER_PORT = 11001
NODE_EXPORTER_PORT = 11002

# Storage autoscaling ("Automatic scaling for Amazon MSK clusters"): MSK grows a volume by
# max(10 GiB, 10%) when the fullest broker passes the target, at most once every six hours,
# and never shrinks it. 50% is the low end of AWS's recommended 50-60%: with one step per
# six hours, headroom is what rides out a burst of retained messages.
STORAGE_TARGET_UTILIZATION_PERCENT = 50
STORAGE_SCALABLE_DIMENSION = "kafka:broker-storage:VolumeSize"
STORAGE_METRIC = "KafkaBrokerStorageUtilization"
# What the autoscaling target's lower bound means for MSK storage: any size (it only grows).
STORAGE_MIN_CAPACITY_GIB = 1


class KafkaCluster(Construct):
    """Amazon MSK, provisioned, KRaft: CMK, TLS, IAM-only clients, safe server properties.

    Typed outputs (attributes): arn, cluster_name, cluster_uuid, bootstrap_brokers
    (SASL/IAM over TLS on port 9098), port, kafka_version, broker_count, security_group,
    kms_key_arn, configuration_arn, log_group_name, server_properties.

    Helpers: allow_from(source) (a service's security group may reach port 9098),
    allow_prometheus_from(source) (a scraper reaches the exporters, open monitoring only),
    grant_produce(grantee, topics), grant_consume(grantee, topics, group),
    grant_create_topics(grantee, topics), topic_arn(topic), group_arn(group).

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (its alarms, alarms.py).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: KafkaClusterProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        self._partition = context.partition
        self._account_id = context.account_id
        self.cluster_name: str = props.cluster_name
        self.kafka_version: str = props.kafka_version
        self.broker_count: int = props.resolved_broker_count
        self.port: int = IAM_PORT
        self.log_group_name: str = f"/chat-infra/{props.name}/msk/broker"
        self._sid = sid_part(self.cluster_name)

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=self.cluster_name,
                vpc_id=props.vpc_id,
                description=f"MSK brokers: Kafka clients over SASL/IAM and TLS on {IAM_PORT}",
                port=IAM_PORT,
                tags=dict(props.tags),
            ),
        )
        self.kms_key_arn: str = self._key()
        log_group = self._log_group()
        self.server_properties: dict[str, str] = server_properties(
            broker_count=self.broker_count,
            default_partitions=props.default_partitions,
            retention_hours=props.retention_hours,
        )
        self.configuration = MskConfiguration(
            self,
            "configuration",
            # No kafka_versions: the properties hold for every offered version, so a version
            # upgrade keeps this configuration instead of replacing one the cluster uses.
            name=f"{self.cluster_name}-server-properties",
            description=f"{self.cluster_name}: no auto-created topics, replicated, no unclean election",
            server_properties=render_server_properties(self.server_properties),
        )
        self.configuration_arn: str = self.configuration.arn
        self.cluster = self._cluster(log_group.name)
        self.arn: str = self.cluster.arn
        self.cluster_uuid: str = self.cluster.cluster_uuid
        self.bootstrap_brokers: str = self.cluster.bootstrap_brokers_sasl_iam
        self._storage_autoscaling()

    # -- wiring helpers ------------------------------------------------------------

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """None: AWS Backup does not back MSK up (replication across brokers keeps the data)."""
        return ()

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        return (kafka_watch(thresholds, cluster_name=self.cluster_name, broker_count=self.broker_count),)

    def allow_from(self, source: SecurityGroup) -> None:
        """Let the members of `source` (a service's tasks) reach the brokers' IAM port."""
        self.security_group.allow_from(source, f"Kafka (SASL/IAM, TLS on {IAM_PORT}) from {source.name}")

    def allow_prometheus_from(self, source: SecurityGroup) -> None:
        """Let a Prometheus scraper reach the JMX and node exporters (open monitoring only)."""
        if not self.props.open_monitoring:
            raise ValueError(
                f"{self.cluster_name}.allow_prometheus_from: expected open_monitoring = true (no exporter "
                "listens otherwise), got false"
            )
        for port, exporter in ((JMX_EXPORTER_PORT, "JMX"), (NODE_EXPORTER_PORT, "node")):
            self.security_group.allow_from(source, f"Prometheus {exporter} exporter from {source.name}", port)

    def topic_arn(self, topic: str) -> str:
        """arn:<partition>:kafka:<region>:<account>:topic/<cluster-name>/<cluster-uuid>/<topic>,
        built from the cluster's ARN (which ends in cluster/<cluster-name>/<cluster-uuid>)."""
        (topic,) = check_kafka_names("topic", [topic])
        return f"{Fn.replace(self.arn, ':cluster/', ':topic/')}/{topic}"

    def group_arn(self, group: str) -> str:
        """The consumer group's ARN: as topic_arn, with group/ instead of topic/."""
        (group,) = check_kafka_names("consumer group", [group])
        return f"{Fn.replace(self.arn, ':cluster/', ':group/')}/{group}"

    def grant_produce(self, grantee: Grantee, topics: Iterable[str]) -> None:
        """Let `grantee` connect and write to `topics` (idempotently: the default of Kafka
        producers since 3.0, which MSK authorizes on the cluster)."""
        topics = check_kafka_names("topic", topics)
        grantee.add_to_policy(
            policy_statement(
                f"ProduceTo{self._sid}", ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"], [self.arn]
            ),
            policy_statement(
                f"ProduceTo{self._sid}Topics",
                ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
                [self.topic_arn(topic) for topic in topics],
            ),
        )

    def grant_consume(self, grantee: Grantee, topics: Iterable[str], group: str) -> None:
        """Let `grantee` connect, read `topics` and commit offsets as consumer group `group`."""
        topics = check_kafka_names("topic", topics)
        grantee.add_to_policy(
            policy_statement(f"ConsumeFrom{self._sid}", ["kafka-cluster:Connect"], [self.arn]),
            policy_statement(
                f"ConsumeFrom{self._sid}Topics",
                ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
                [self.topic_arn(topic) for topic in topics],
            ),
            policy_statement(
                f"ConsumeAsGroupOf{self._sid}",
                ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
                [self.group_arn(group)],
            ),
        )

    def grant_create_topics(self, grantee: Grantee, topics: Iterable[str]) -> None:
        """Let `grantee` create `topics` (and only them): topic auto-creation is off, so the
        application creates its topics, with the cluster's replication, on start."""
        topics = check_kafka_names("topic", topics)
        grantee.add_to_policy(
            policy_statement(f"AdministerTopicsOf{self._sid}", ["kafka-cluster:Connect"], [self.arn]),
            policy_statement(
                f"Create{self._sid}Topics",
                ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic"],
                [self.topic_arn(topic) for topic in topics],
            ),
        )

    # -- pieces --------------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _key(self) -> str:
        """The given key, or the cluster's own for its volumes and its log group (kept from
        destroy under deletion protection: a deleted key makes the volumes unreadable)."""
        props = self.props
        return service_store_key(
            self,
            "key",
            given_key_arn=props.kms_key_arn,
            # MSK encrypts the broker volumes through grants on the creator's behalf.
            service="kafka",
            service_sid="MskUsesKeyForThisAccount",
            log_group_label="KafkaBrokerLogs",
            log_group_arn=log_group_arn(self._partition, props.region, self._account_id, self.log_group_name),
            alias=f"alias/{props.name}/kafka",
            description=f"{self.cluster_name}: MSK broker volumes and broker logs",
            partition=self._partition,
            region=props.region,
            account_id=self._account_id,
            deletion_protection=props.deletion_protection,
            tags=self._tags(self.cluster_name),
        )

    def _log_group(self) -> CloudwatchLogGroup:
        props = self.props
        group = encrypted_log_group(
            self,
            "broker_log_group",
            name=self.log_group_name,
            retention_days=props.log_retention_days,
            kms_key_arn=self.kms_key_arn,
            tags=self._tags(self.log_group_name),
            short_retention_reason=(
                f"MSK broker logs kept {props.log_retention_days} days by this environment's choice "
                "(log_retention_days): they diagnose broker restarts, rebalances and authorization failures, "
                "carry no message data, and are not an audit trail (CloudTrail records the MSK API)."
            ),
        )
        log_delivery_policy(
            self,
            "log_delivery_policy",
            policy_name=f"{self.cluster_name}-log-delivery",
            log_group_arns=[log_group_arn(self._partition, props.region, self._account_id, self.log_group_name)],
            statement_sid="LogDeliveryWritesKafkaBrokerLogs",
            partition=self._partition,
            region=props.region,
            account_id=self._account_id,
        )
        return group

    def _cluster(self, log_group_name: str) -> MskCluster:
        props = self.props
        open_monitoring = None
        if props.open_monitoring:
            open_monitoring = MskClusterOpenMonitoring(
                prometheus=MskClusterOpenMonitoringPrometheus(
                    jmx_exporter=MskClusterOpenMonitoringPrometheusJmxExporter(enabled_in_broker=True),
                    node_exporter=MskClusterOpenMonitoringPrometheusNodeExporter(enabled_in_broker=True),
                )
            )
        cluster = MskCluster(
            self,
            "this",
            cluster_name=self.cluster_name,
            kafka_version=props.kafka_version,
            number_of_broker_nodes=self.broker_count,
            broker_node_group_info=MskClusterBrokerNodeGroupInfo(
                instance_type=props.broker_instance_type,
                client_subnets=list(props.subnet_ids),
                security_groups=[self.security_group.security_group_id],
                storage_info=MskClusterBrokerNodeGroupInfoStorageInfo(
                    ebs_storage_info=MskClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfo(
                        volume_size=props.volume_size_gib
                    )
                ),
                # No connectivity_info: public access stays DISABLED (MSK's default).
            ),
            encryption_info=MskClusterEncryptionInfo(
                encryption_at_rest_kms_key_arn=self.kms_key_arn,
                encryption_in_transit=MskClusterEncryptionInfoEncryptionInTransit(client_broker="TLS", in_cluster=True),
            ),
            # SASL/IAM only: no unauthenticated clients, no SCRAM secrets, no client certificates.
            client_authentication=MskClusterClientAuthentication(
                sasl=MskClusterClientAuthenticationSasl(iam=True, scram=False),
                unauthenticated=False,
            ),
            configuration_info=MskClusterConfigurationInfo(
                arn=self.configuration.arn, revision=self.configuration.latest_revision
            ),
            enhanced_monitoring=props.enhanced_monitoring,
            open_monitoring=open_monitoring,
            logging_info=MskClusterLoggingInfo(
                broker_logs=MskClusterLoggingInfoBrokerLogs(
                    cloudwatch_logs=MskClusterLoggingInfoBrokerLogsCloudwatchLogs(
                        enabled=True, log_group=log_group_name
                    )
                )
            ),
            tags=self._tags(self.cluster_name),
        )
        # Storage autoscaling grows the volumes outside Terraform; a plan must not shrink
        # them back (MSK refuses that anyway).
        cluster.add_override(
            "lifecycle.ignore_changes", ["broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"]
        )
        if props.deletion_protection:
            cluster.add_override("lifecycle.prevent_destroy", True)
        return cluster

    def _storage_autoscaling(self) -> None:
        props = self.props
        target = AppautoscalingTarget(
            self,
            "storage_scaling_target",
            service_namespace="kafka",
            resource_id=self.arn,
            scalable_dimension=STORAGE_SCALABLE_DIMENSION,
            min_capacity=STORAGE_MIN_CAPACITY_GIB,
            max_capacity=props.resolved_max_volume_size_gib,
        )
        AppautoscalingPolicy(
            self,
            "storage_scaling_policy",
            name=f"{self.cluster_name}-broker-storage",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=STORAGE_TARGET_UTILIZATION_PERCENT,
                predefined_metric_specification=(
                    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                        predefined_metric_type=STORAGE_METRIC
                    )
                ),
                # MSK cannot shrink a volume.
                disable_scale_in=True,
            ),
        )
