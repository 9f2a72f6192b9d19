"""Which API member of AWS's service models each attribute the stacks set is sent as.

One row per (Terraform resource type, attribute) -> (botocore service, operation, member
path from the operation's input shape). gate/aws_model.py validates every literal value
of the attribute against the member's pattern, length, enum or range. The table is
reviewed, not guessed: each row names the call the AWS provider makes with the value
(for most, the create call; for values the provider sends in a later call, that call),
with a comment where the mapping is not obvious. A row whose member does not exist in
the installed botocore, or has no constraint to check, fails the check (tests/gate).

Paths: the attribute path is dotted through nested blocks (lists are stepped through;
`@keys`/`@values` read a map's keys or values); the member path is dotted from the input
shape, stepping through lists and maps (`@key` for a map's key).

Left out on purpose: `name_prefix` attributes (the provider appends 26 characters, so
the sent name is not in the JSON); JSON documents (policies, container definitions),
judged as a whole elsewhere; services whose model carries no constraints for the value
(most RDS, DocumentDB, SQS and EC2 security-group strings): such a row fails as "nothing
to check", so it is not written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    resource_type: str
    attribute: str
    service: str
    operation: str
    member: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.resource_type, self.attribute)

    @property
    def member_path(self) -> str:
        return f"{self.service} {self.operation}.{self.member}"

    def __str__(self) -> str:
        return f"{self.resource_type}.{self.attribute} -> {self.member_path}"


R = Row

ROWS: tuple[Row, ...] = (
    # -- ACM -------------------------------------------------------------------------------
    R("aws_acm_certificate", "domain_name", "acm", "RequestCertificate", "DomainName"),
    R("aws_acm_certificate", "subject_alternative_names", "acm", "RequestCertificate", "SubjectAlternativeNames"),
    R("aws_acm_certificate", "key_algorithm", "acm", "RequestCertificate", "KeyAlgorithm"),
    R("aws_acm_certificate", "validation_method", "acm", "RequestCertificate", "ValidationMethod"),
    R(
        "aws_acm_certificate",
        "options.certificate_transparency_logging_preference",
        "acm",
        "RequestCertificate",
        "Options.CertificateTransparencyLoggingPreference",
    ),
    R("aws_acm_certificate", "options.export", "acm", "RequestCertificate", "Options.Export"),
    # -- API Gateway (the v1 VPC link the WebSocket API's integrations use) -----------------
    # -- API Gateway v2 ---------------------------------------------------------------------
    R("aws_apigatewayv2_api", "protocol_type", "apigatewayv2", "CreateApi", "ProtocolType"),
    R(
        "aws_apigatewayv2_domain_name",
        "domain_name_configuration.endpoint_type",
        "apigatewayv2",
        "CreateDomainName",
        "DomainNameConfigurations.EndpointType",
    ),
    R(
        "aws_apigatewayv2_domain_name",
        "domain_name_configuration.security_policy",
        "apigatewayv2",
        "CreateDomainName",
        "DomainNameConfigurations.SecurityPolicy",
    ),
    R("aws_apigatewayv2_integration", "connection_type", "apigatewayv2", "CreateIntegration", "ConnectionType"),
    R("aws_apigatewayv2_integration", "integration_type", "apigatewayv2", "CreateIntegration", "IntegrationType"),
    R("aws_apigatewayv2_route", "authorization_type", "apigatewayv2", "CreateRoute", "AuthorizationType"),
    R(
        "aws_apigatewayv2_stage",
        "default_route_settings.logging_level",
        "apigatewayv2",
        "CreateStage",
        "DefaultRouteSettings.LoggingLevel",
    ),
    # -- Application Auto Scaling -----------------------------------------------------------
    R("aws_appautoscaling_policy", "name", "application-autoscaling", "PutScalingPolicy", "PolicyName"),
    R("aws_appautoscaling_policy", "policy_type", "application-autoscaling", "PutScalingPolicy", "PolicyType"),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.predefined_metric_specification.predefined_metric_type",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
    ),
    # The provider's `metrics` block is the API's TargetTrackingMetricDataQuery list.
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.id",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.Id",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.expression",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.Expression",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.label",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.Label",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.metric_stat.stat",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.MetricStat.Stat",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.metric_stat.metric.metric_name",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.MetricStat.Metric.MetricName",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.metric_stat.metric.namespace",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.MetricStat.Metric.Namespace",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.metric_stat.metric.dimensions.name",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.MetricStat.Metric.Dimensions.Name",
    ),
    R(
        "aws_appautoscaling_policy",
        "target_tracking_scaling_policy_configuration.customized_metric_specification.metrics.metric_stat.metric.dimensions.value",
        "application-autoscaling",
        "PutScalingPolicy",
        "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics.MetricStat.Metric.Dimensions.Value",
    ),
    R(
        "aws_appautoscaling_target",
        "scalable_dimension",
        "application-autoscaling",
        "RegisterScalableTarget",
        "ScalableDimension",
    ),
    R(
        "aws_appautoscaling_target",
        "service_namespace",
        "application-autoscaling",
        "RegisterScalableTarget",
        "ServiceNamespace",
    ),
    # -- AWS Backup -------------------------------------------------------------------------
    R("aws_backup_plan", "rule.rule_name", "backup", "CreateBackupPlan", "BackupPlan.Rules.RuleName"),
    R("aws_backup_selection", "name", "backup", "CreateBackupSelection", "BackupSelection.SelectionName"),
    R("aws_backup_vault", "name", "backup", "CreateBackupVault", "BackupVaultName"),
    # -- CloudFront --------------------------------------------------------------------------
    R(
        "aws_cloudfront_distribution",
        "price_class",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.PriceClass",
    ),
    R(
        "aws_cloudfront_distribution",
        "http_version",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.HttpVersion",
    ),
    R(
        "aws_cloudfront_distribution",
        "default_cache_behavior.viewer_protocol_policy",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy",
    ),
    # The provider sends the method list as AllowedMethods.Items.
    R(
        "aws_cloudfront_distribution",
        "default_cache_behavior.allowed_methods",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.DefaultCacheBehavior.AllowedMethods.Items",
    ),
    R(
        "aws_cloudfront_distribution",
        "viewer_certificate.minimum_protocol_version",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.ViewerCertificate.MinimumProtocolVersion",
    ),
    R(
        "aws_cloudfront_distribution",
        "viewer_certificate.ssl_support_method",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.ViewerCertificate.SSLSupportMethod",
    ),
    R(
        "aws_cloudfront_distribution",
        "restrictions.geo_restriction.restriction_type",
        "cloudfront",
        "CreateDistribution",
        "DistributionConfig.Restrictions.GeoRestriction.RestrictionType",
    ),
    R(
        "aws_cloudfront_origin_access_control",
        "origin_access_control_origin_type",
        "cloudfront",
        "CreateOriginAccessControl",
        "OriginAccessControlConfig.OriginAccessControlOriginType",
    ),
    R(
        "aws_cloudfront_origin_access_control",
        "signing_behavior",
        "cloudfront",
        "CreateOriginAccessControl",
        "OriginAccessControlConfig.SigningBehavior",
    ),
    R(
        "aws_cloudfront_origin_access_control",
        "signing_protocol",
        "cloudfront",
        "CreateOriginAccessControl",
        "OriginAccessControlConfig.SigningProtocol",
    ),
    R(
        "aws_cloudfront_response_headers_policy",
        "security_headers_config.frame_options.frame_option",
        "cloudfront",
        "CreateResponseHeadersPolicy",
        "ResponseHeadersPolicyConfig.SecurityHeadersConfig.FrameOptions.FrameOption",
    ),
    R(
        "aws_cloudfront_response_headers_policy",
        "security_headers_config.referrer_policy.referrer_policy",
        "cloudfront",
        "CreateResponseHeadersPolicy",
        "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ReferrerPolicy.ReferrerPolicy",
    ),
    # -- RDS (the only members of CreateDBProxy the RDS model constrains) ------------------
    R("aws_db_proxy", "name", "rds", "CreateDBProxy", "DBProxyName"),
    R("aws_db_proxy", "engine_family", "rds", "CreateDBProxy", "EngineFamily"),
    R("aws_db_proxy", "default_auth_scheme", "rds", "CreateDBProxy", "DefaultAuthScheme"),
    # -- CloudWatch ---------------------------------------------------------------------------
    R("aws_cloudwatch_metric_alarm", "alarm_name", "cloudwatch", "PutMetricAlarm", "AlarmName"),
    R("aws_cloudwatch_metric_alarm", "alarm_description", "cloudwatch", "PutMetricAlarm", "AlarmDescription"),
    R("aws_cloudwatch_metric_alarm", "comparison_operator", "cloudwatch", "PutMetricAlarm", "ComparisonOperator"),
    R("aws_cloudwatch_metric_alarm", "evaluation_periods", "cloudwatch", "PutMetricAlarm", "EvaluationPeriods"),
    R("aws_cloudwatch_metric_alarm", "datapoints_to_alarm", "cloudwatch", "PutMetricAlarm", "DatapointsToAlarm"),
    R("aws_cloudwatch_metric_alarm", "metric_name", "cloudwatch", "PutMetricAlarm", "MetricName"),
    R("aws_cloudwatch_metric_alarm", "namespace", "cloudwatch", "PutMetricAlarm", "Namespace"),
    R("aws_cloudwatch_metric_alarm", "period", "cloudwatch", "PutMetricAlarm", "Period"),
    R("aws_cloudwatch_metric_alarm", "statistic", "cloudwatch", "PutMetricAlarm", "Statistic"),
    R("aws_cloudwatch_metric_alarm", "treat_missing_data", "cloudwatch", "PutMetricAlarm", "TreatMissingData"),
    # The provider sends the `dimensions` map as a list of {Name, Value}.
    R("aws_cloudwatch_metric_alarm", "dimensions.@keys", "cloudwatch", "PutMetricAlarm", "Dimensions.Name"),
    R("aws_cloudwatch_metric_alarm", "dimensions.@values", "cloudwatch", "PutMetricAlarm", "Dimensions.Value"),
    R("aws_cloudwatch_metric_alarm", "metric_query.id", "cloudwatch", "PutMetricAlarm", "Metrics.Id"),
    R("aws_cloudwatch_metric_alarm", "metric_query.expression", "cloudwatch", "PutMetricAlarm", "Metrics.Expression"),
    # metric_query.metric is the API's MetricStat: metric name, namespace and dimensions
    # sit in its Metric, period and stat in the MetricStat itself.
    R(
        "aws_cloudwatch_metric_alarm",
        "metric_query.metric.metric_name",
        "cloudwatch",
        "PutMetricAlarm",
        "Metrics.MetricStat.Metric.MetricName",
    ),
    R(
        "aws_cloudwatch_metric_alarm",
        "metric_query.metric.namespace",
        "cloudwatch",
        "PutMetricAlarm",
        "Metrics.MetricStat.Metric.Namespace",
    ),
    R(
        "aws_cloudwatch_metric_alarm",
        "metric_query.metric.dimensions.@keys",
        "cloudwatch",
        "PutMetricAlarm",
        "Metrics.MetricStat.Metric.Dimensions.Name",
    ),
    R(
        "aws_cloudwatch_metric_alarm",
        "metric_query.metric.dimensions.@values",
        "cloudwatch",
        "PutMetricAlarm",
        "Metrics.MetricStat.Metric.Dimensions.Value",
    ),
    R(
        "aws_cloudwatch_metric_alarm",
        "metric_query.metric.period",
        "cloudwatch",
        "PutMetricAlarm",
        "Metrics.MetricStat.Period",
    ),
    # -- CloudWatch Logs --------------------------------------------------------------------
    R("aws_cloudwatch_log_group", "name", "logs", "CreateLogGroup", "logGroupName"),
    R("aws_cloudwatch_log_resource_policy", "policy_document", "logs", "PutResourcePolicy", "policyDocument"),
    # -- DynamoDB --------------------------------------------------------------------------
    R("aws_dynamodb_table", "name", "dynamodb", "CreateTable", "TableName"),
    R("aws_dynamodb_table", "attribute.name", "dynamodb", "CreateTable", "AttributeDefinitions.AttributeName"),
    R("aws_dynamodb_table", "attribute.type", "dynamodb", "CreateTable", "AttributeDefinitions.AttributeType"),
    R("aws_dynamodb_table", "billing_mode", "dynamodb", "CreateTable", "BillingMode"),
    R("aws_dynamodb_table", "table_class", "dynamodb", "CreateTable", "TableClass"),
    # hash_key and range_key become the KeySchema's attribute names.
    R("aws_dynamodb_table", "hash_key", "dynamodb", "CreateTable", "KeySchema.AttributeName"),
    R("aws_dynamodb_table", "range_key", "dynamodb", "CreateTable", "KeySchema.AttributeName"),
    R(
        "aws_dynamodb_table",
        "global_secondary_index.name",
        "dynamodb",
        "CreateTable",
        "GlobalSecondaryIndexes.IndexName",
    ),
    R(
        "aws_dynamodb_table",
        "global_secondary_index.projection_type",
        "dynamodb",
        "CreateTable",
        "GlobalSecondaryIndexes.Projection.ProjectionType",
    ),
    # Sent after the table exists, by UpdateTimeToLive and UpdateContinuousBackups.
    R(
        "aws_dynamodb_table",
        "ttl.attribute_name",
        "dynamodb",
        "UpdateTimeToLive",
        "TimeToLiveSpecification.AttributeName",
    ),
    R(
        "aws_dynamodb_table",
        "point_in_time_recovery.recovery_period_in_days",
        "dynamodb",
        "UpdateContinuousBackups",
        "PointInTimeRecoverySpecification.RecoveryPeriodInDays",
    ),
    # -- EC2 -----------------------------------------------------------------------------------
    R("aws_ebs_volume", "type", "ec2", "CreateVolume", "VolumeType"),
    R("aws_eip", "domain", "ec2", "AllocateAddress", "Domain"),
    R("aws_flow_log", "traffic_type", "ec2", "CreateFlowLogs", "TrafficType"),
    R("aws_flow_log", "log_destination_type", "ec2", "CreateFlowLogs", "LogDestinationType"),
    R("aws_instance", "instance_type", "ec2", "RunInstances", "InstanceType"),
    R("aws_instance", "metadata_options.http_tokens", "ec2", "RunInstances", "MetadataOptions.HttpTokens"),
    R("aws_instance", "metadata_options.http_endpoint", "ec2", "RunInstances", "MetadataOptions.HttpEndpoint"),
    R(
        "aws_instance",
        "metadata_options.instance_metadata_tags",
        "ec2",
        "RunInstances",
        "MetadataOptions.InstanceMetadataTags",
    ),
    R("aws_instance", "root_block_device.volume_type", "ec2", "RunInstances", "BlockDeviceMappings.Ebs.VolumeType"),
    R("aws_network_acl_rule", "rule_action", "ec2", "CreateNetworkAclEntry", "RuleAction"),
    # The provider creates an aws_network_acl's inline rules with CreateNetworkAclEntry too.
    R("aws_network_acl", "ingress.action", "ec2", "CreateNetworkAclEntry", "RuleAction"),
    R("aws_network_acl", "egress.action", "ec2", "CreateNetworkAclEntry", "RuleAction"),
    R("aws_vpc_endpoint", "vpc_endpoint_type", "ec2", "CreateVpcEndpoint", "VpcEndpointType"),
    # -- ECR ----------------------------------------------------------------------------------
    R("aws_ecr_repository", "name", "ecr", "CreateRepository", "repositoryName"),
    R("aws_ecr_repository", "image_tag_mutability", "ecr", "CreateRepository", "imageTagMutability"),
    R(
        "aws_ecr_repository",
        "encryption_configuration.encryption_type",
        "ecr",
        "CreateRepository",
        "encryptionConfiguration.encryptionType",
    ),
    # The lifecycle policy is a JSON document: only its length is judged here.
    R("aws_ecr_lifecycle_policy", "policy", "ecr", "PutLifecyclePolicy", "lifecyclePolicyText"),
    # -- ECS ----------------------------------------------------------------------------------
    R(
        "aws_ecs_cluster",
        "configuration.execute_command_configuration.logging",
        "ecs",
        "CreateCluster",
        "configuration.executeCommandConfiguration.logging",
    ),
    R("aws_ecs_cluster", "setting.name", "ecs", "CreateCluster", "settings.name"),
    R(
        "aws_ecs_cluster_capacity_providers",
        "default_capacity_provider_strategy.base",
        "ecs",
        "PutClusterCapacityProviders",
        "defaultCapacityProviderStrategy.base",
    ),
    R(
        "aws_ecs_cluster_capacity_providers",
        "default_capacity_provider_strategy.weight",
        "ecs",
        "PutClusterCapacityProviders",
        "defaultCapacityProviderStrategy.weight",
    ),
    R("aws_ecs_service", "capacity_provider_strategy.base", "ecs", "CreateService", "capacityProviderStrategy.base"),
    R(
        "aws_ecs_service",
        "capacity_provider_strategy.weight",
        "ecs",
        "CreateService",
        "capacityProviderStrategy.weight",
    ),
    R("aws_ecs_service", "propagate_tags", "ecs", "CreateService", "propagateTags"),
    R("aws_ecs_service", "availability_zone_rebalancing", "ecs", "CreateService", "availabilityZoneRebalancing"),
    R("aws_ecs_task_definition", "network_mode", "ecs", "RegisterTaskDefinition", "networkMode"),
    R(
        "aws_ecs_task_definition",
        "requires_compatibilities",
        "ecs",
        "RegisterTaskDefinition",
        "requiresCompatibilities",
    ),
    R(
        "aws_ecs_task_definition",
        "runtime_platform.cpu_architecture",
        "ecs",
        "RegisterTaskDefinition",
        "runtimePlatform.cpuArchitecture",
    ),
    R(
        "aws_ecs_task_definition",
        "runtime_platform.operating_system_family",
        "ecs",
        "RegisterTaskDefinition",
        "runtimePlatform.operatingSystemFamily",
    ),
    # -- ElastiCache --------------------------------------------------------------------------
    R(
        "aws_elasticache_replication_group",
        "transit_encryption_mode",
        "elasticache",
        "CreateReplicationGroup",
        "TransitEncryptionMode",
    ),
    R(
        "aws_elasticache_replication_group",
        "log_delivery_configuration.destination_type",
        "elasticache",
        "CreateReplicationGroup",
        "LogDeliveryConfigurations.DestinationType",
    ),
    R(
        "aws_elasticache_replication_group",
        "log_delivery_configuration.log_format",
        "elasticache",
        "CreateReplicationGroup",
        "LogDeliveryConfigurations.LogFormat",
    ),
    R(
        "aws_elasticache_replication_group",
        "log_delivery_configuration.log_type",
        "elasticache",
        "CreateReplicationGroup",
        "LogDeliveryConfigurations.LogType",
    ),
    R("aws_elasticache_user", "user_id", "elasticache", "CreateUser", "UserId"),
    R("aws_elasticache_user", "user_name", "elasticache", "CreateUser", "UserName"),
    R("aws_elasticache_user", "engine", "elasticache", "CreateUser", "Engine"),
    R("aws_elasticache_user", "access_string", "elasticache", "CreateUser", "AccessString"),
    R("aws_elasticache_user", "authentication_mode.type", "elasticache", "CreateUser", "AuthenticationMode.Type"),
    R("aws_elasticache_user_group", "engine", "elasticache", "CreateUserGroup", "Engine"),
    # -- Elastic Load Balancing v2 ----------------------------------------------------------
    R("aws_lb", "load_balancer_type", "elbv2", "CreateLoadBalancer", "Type"),
    R("aws_lb", "ip_address_type", "elbv2", "CreateLoadBalancer", "IpAddressType"),
    R("aws_lb_listener", "port", "elbv2", "CreateListener", "Port"),
    R("aws_lb_listener", "protocol", "elbv2", "CreateListener", "Protocol"),
    R("aws_lb_listener", "default_action.type", "elbv2", "CreateListener", "DefaultActions.Type"),
    R(
        "aws_lb_listener",
        "default_action.fixed_response.status_code",
        "elbv2",
        "CreateListener",
        "DefaultActions.FixedResponseConfig.StatusCode",
    ),
    R(
        "aws_lb_listener",
        "default_action.fixed_response.content_type",
        "elbv2",
        "CreateListener",
        "DefaultActions.FixedResponseConfig.ContentType",
    ),
    R(
        "aws_lb_listener",
        "default_action.fixed_response.message_body",
        "elbv2",
        "CreateListener",
        "DefaultActions.FixedResponseConfig.MessageBody",
    ),
    R(
        "aws_lb_listener",
        "default_action.redirect.status_code",
        "elbv2",
        "CreateListener",
        "DefaultActions.RedirectConfig.StatusCode",
    ),
    R(
        "aws_lb_listener",
        "default_action.redirect.protocol",
        "elbv2",
        "CreateListener",
        "DefaultActions.RedirectConfig.Protocol",
    ),
    R("aws_lb_listener_rule", "priority", "elbv2", "CreateRule", "Priority"),
    R("aws_lb_listener_rule", "action.type", "elbv2", "CreateRule", "Actions.Type"),
    R("aws_lb_target_group", "port", "elbv2", "CreateTargetGroup", "Port"),
    R("aws_lb_target_group", "protocol", "elbv2", "CreateTargetGroup", "Protocol"),
    R("aws_lb_target_group", "target_type", "elbv2", "CreateTargetGroup", "TargetType"),
    R("aws_lb_target_group", "health_check.path", "elbv2", "CreateTargetGroup", "HealthCheckPath"),
    R("aws_lb_target_group", "health_check.protocol", "elbv2", "CreateTargetGroup", "HealthCheckProtocol"),
    R("aws_lb_target_group", "health_check.interval", "elbv2", "CreateTargetGroup", "HealthCheckIntervalSeconds"),
    R("aws_lb_target_group", "health_check.timeout", "elbv2", "CreateTargetGroup", "HealthCheckTimeoutSeconds"),
    R("aws_lb_target_group", "health_check.healthy_threshold", "elbv2", "CreateTargetGroup", "HealthyThresholdCount"),
    R(
        "aws_lb_target_group",
        "health_check.unhealthy_threshold",
        "elbv2",
        "CreateTargetGroup",
        "UnhealthyThresholdCount",
    ),
    # -- IAM ------------------------------------------------------------------------------------
    R("aws_iam_role", "name", "iam", "CreateRole", "RoleName"),
    R("aws_iam_role", "description", "iam", "CreateRole", "Description"),
    # Policy documents are judged by parliament (tests/gate/test_iam_policies.py); here only
    # the characters and length IAM and KMS accept (mostly references: not judged).
    R("aws_iam_role", "assume_role_policy", "iam", "CreateRole", "AssumeRolePolicyDocument"),
    R("aws_iam_role_policy", "policy", "iam", "PutRolePolicy", "PolicyDocument"),
    R("aws_kms_key_policy", "policy", "kms", "PutKeyPolicy", "Policy"),
    R("aws_iam_instance_profile", "name", "iam", "CreateInstanceProfile", "InstanceProfileName"),
    R("aws_iam_role_policy", "name", "iam", "PutRolePolicy", "PolicyName"),
    R("aws_iam_role_policy_attachment", "policy_arn", "iam", "AttachRolePolicy", "PolicyArn"),
    # -- KMS ------------------------------------------------------------------------------------
    R("aws_kms_alias", "name", "kms", "CreateAlias", "AliasName"),
    R("aws_kms_key", "description", "kms", "CreateKey", "Description"),
    # Sent when the key is destroyed (ScheduleKeyDeletion) and by EnableKeyRotation.
    R("aws_kms_key", "deletion_window_in_days", "kms", "ScheduleKeyDeletion", "PendingWindowInDays"),
    R("aws_kms_key", "rotation_period_in_days", "kms", "EnableKeyRotation", "RotationPeriodInDays"),
    # -- MSK ------------------------------------------------------------------------------------
    R("aws_msk_cluster", "cluster_name", "kafka", "CreateCluster", "ClusterName"),
    R("aws_msk_cluster", "number_of_broker_nodes", "kafka", "CreateCluster", "NumberOfBrokerNodes"),
    R("aws_msk_cluster", "enhanced_monitoring", "kafka", "CreateCluster", "EnhancedMonitoring"),
    R(
        "aws_msk_cluster",
        "broker_node_group_info.instance_type",
        "kafka",
        "CreateCluster",
        "BrokerNodeGroupInfo.InstanceType",
    ),
    R(
        "aws_msk_cluster",
        "broker_node_group_info.storage_info.ebs_storage_info.volume_size",
        "kafka",
        "CreateCluster",
        "BrokerNodeGroupInfo.StorageInfo.EbsStorageInfo.VolumeSize",
    ),
    R(
        "aws_msk_cluster",
        "encryption_info.encryption_in_transit.client_broker",
        "kafka",
        "CreateCluster",
        "EncryptionInfo.EncryptionInTransit.ClientBroker",
    ),
    R("aws_msk_cluster", "kafka_version", "kafka", "CreateCluster", "KafkaVersion"),
    # -- Route 53 -------------------------------------------------------------------------------
    R(
        "aws_route53_record",
        "name",
        "route53",
        "ChangeResourceRecordSets",
        "ChangeBatch.Changes.ResourceRecordSet.Name",
    ),
    R(
        "aws_route53_record",
        "type",
        "route53",
        "ChangeResourceRecordSets",
        "ChangeBatch.Changes.ResourceRecordSet.Type",
    ),
    R(
        "aws_route53_record",
        "ttl",
        "route53",
        "ChangeResourceRecordSets",
        "ChangeBatch.Changes.ResourceRecordSet.TTL",
    ),
    R(
        "aws_route53_record",
        "alias.zone_id",
        "route53",
        "ChangeResourceRecordSets",
        "ChangeBatch.Changes.ResourceRecordSet.AliasTarget.HostedZoneId",
    ),
    # -- S3 -------------------------------------------------------------------------------------
    R(
        "aws_s3_bucket_lifecycle_configuration",
        "rule.status",
        "s3",
        "PutBucketLifecycleConfiguration",
        "LifecycleConfiguration.Rules.Status",
    ),
    R(
        "aws_s3_bucket_ownership_controls",
        "rule.object_ownership",
        "s3",
        "PutBucketOwnershipControls",
        "OwnershipControls.Rules.ObjectOwnership",
    ),
    R(
        "aws_s3_bucket_server_side_encryption_configuration",
        "rule.apply_server_side_encryption_by_default.sse_algorithm",
        "s3",
        "PutBucketEncryption",
        "ServerSideEncryptionConfiguration.Rules.ApplyServerSideEncryptionByDefault.SSEAlgorithm",
    ),
    R(
        "aws_s3_bucket_versioning",
        "versioning_configuration.status",
        "s3",
        "PutBucketVersioning",
        "VersioningConfiguration.Status",
    ),
    R(
        "aws_s3_bucket_acl",
        "access_control_policy.grant.permission",
        "s3",
        "PutBucketAcl",
        "AccessControlPolicy.Grants.Permission",
    ),
    R(
        "aws_s3_bucket_acl",
        "access_control_policy.grant.grantee.type",
        "s3",
        "PutBucketAcl",
        "AccessControlPolicy.Grants.Grantee.Type",
    ),
    # -- Secrets Manager, SSM, SNS ------------------------------------------------------------
    R("aws_secretsmanager_secret", "name", "secretsmanager", "CreateSecret", "Name"),
    R("aws_secretsmanager_secret", "description", "secretsmanager", "CreateSecret", "Description"),
    R("aws_ssm_parameter", "name", "ssm", "PutParameter", "Name"),
    R("aws_ssm_parameter", "description", "ssm", "PutParameter", "Description"),
    R("aws_ssm_parameter", "type", "ssm", "PutParameter", "Type"),
    # -- WAFv2 ----------------------------------------------------------------------------------
    R("aws_wafv2_web_acl", "name", "wafv2", "CreateWebACL", "Name"),
    R("aws_wafv2_web_acl", "description", "wafv2", "CreateWebACL", "Description"),
    R("aws_wafv2_web_acl", "scope", "wafv2", "CreateWebACL", "Scope"),
    R("aws_wafv2_web_acl", "visibility_config.metric_name", "wafv2", "CreateWebACL", "VisibilityConfig.MetricName"),
    R("aws_wafv2_web_acl", "rule.name", "wafv2", "CreateWebACL", "Rules.Name"),
    R("aws_wafv2_web_acl", "rule.priority", "wafv2", "CreateWebACL", "Rules.Priority"),
    R(
        "aws_wafv2_web_acl",
        "rule.visibility_config.metric_name",
        "wafv2",
        "CreateWebACL",
        "Rules.VisibilityConfig.MetricName",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.managed_rule_group_statement.name",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.ManagedRuleGroupStatement.Name",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.managed_rule_group_statement.vendor_name",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.ManagedRuleGroupStatement.VendorName",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.managed_rule_group_statement.rule_action_override.name",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.ManagedRuleGroupStatement.RuleActionOverrides.Name",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.rate_based_statement.limit",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.RateBasedStatement.Limit",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.rate_based_statement.aggregate_key_type",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.RateBasedStatement.AggregateKeyType",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.rate_based_statement.scope_down_statement.byte_match_statement.positional_constraint",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.PositionalConstraint",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.rate_based_statement.scope_down_statement.byte_match_statement.text_transformation.type",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.TextTransformations.Type",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.and_statement.statement.label_match_statement.key",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.AndStatement.Statements.LabelMatchStatement.Key",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.and_statement.statement.label_match_statement.scope",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.AndStatement.Statements.LabelMatchStatement.Scope",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.and_statement.statement.not_statement.statement.byte_match_statement.positional_constraint",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.AndStatement.Statements.NotStatement.Statement.ByteMatchStatement.PositionalConstraint",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.and_statement.statement.not_statement.statement.byte_match_statement.text_transformation.type",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.AndStatement.Statements.NotStatement.Statement.ByteMatchStatement.TextTransformations.Type",
    ),
    R(
        "aws_wafv2_web_acl",
        "rule.statement.rate_based_statement.scope_down_statement.byte_match_statement.text_transformation.priority",
        "wafv2",
        "CreateWebACL",
        "Rules.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.TextTransformations.Priority",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "log_destination_configs",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.LogDestinationConfigs",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "logging_filter.default_behavior",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.LoggingFilter.DefaultBehavior",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "logging_filter.filter.behavior",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.LoggingFilter.Filters.Behavior",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "logging_filter.filter.requirement",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.LoggingFilter.Filters.Requirement",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "logging_filter.filter.condition.action_condition.action",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.LoggingFilter.Filters.Conditions.ActionCondition.Action",
    ),
    R(
        "aws_wafv2_web_acl_logging_configuration",
        "redacted_fields.single_header.name",
        "wafv2",
        "PutLoggingConfiguration",
        "LoggingConfiguration.RedactedFields.SingleHeader.Name",
    ),
)
