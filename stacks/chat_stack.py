"""The composition root: one TerraformStack per environment file.

`ChatStack` builds, in the order the arguments impose, the network, the edge (domain, load
balancer, web ACLs, attachments, frontend, and the WebSocket API with that ingress), the
compute (queues, ECS cluster, repositories, services), the platform's stores (ElastiCache,
the database, its admin task, the backup plan), then the chosen variants' stores
(stacks/variants.py). Every store is a `Component` (stacks/platform.py): the backup
selection and the alarms are one loop each over them. The stack keeps what it built in one
frozen record, `ChatStack.composition`, read by the outputs and by tests; no part reads
another through the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bindings.aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct
from pydantic import BaseModel

import bindings
from bindings.cdk import App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from envconfig import EnvironmentConfig
from modules.attachments.attachments import AttachmentsBucket
from modules.attachments.props import AttachmentsBucketProps
from modules.backup.backup import BackupPlan
from modules.backup.props import BackupPlanProps
from modules.cache.cache import ManagedCache
from modules.cache.props import ManagedCacheProps
from modules.common.inputs import props_from_block
from modules.common.key_administrators import KEY_ADMINISTRATORS_CONTEXT
from modules.common.keys import ManagedKey
from modules.common.stack_context import StackContext
from modules.compute.cluster import ComputeCluster
from modules.compute.props import (
    ComputeClusterProps,
    FargateServiceProps,
    RealtimeServiceProps,
    RoutedServiceProps,
    WorkerServiceProps,
)
from modules.compute.service import FargateService, ServiceEgress, ServiceRouting
from modules.container_registry.container_registry import ContainerRepository
from modules.container_registry.props import ContainerRepositoryProps
from modules.database.admin_task import DatabaseAdminTask
from modules.database.database import Database
from modules.database.props import DatabaseAdminTaskProps, DatabaseProps
from modules.dns.dns import Domain
from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.dns.props import DomainProps
from modules.dynamodb.dynamodb import ChatTables
from modules.frontend.csp import INLINE_IMAGE_SOURCES, api_sources
from modules.frontend.frontend import Frontend
from modules.frontend.props import FrontendProps
from modules.load_balancer.load_balancer import LoadBalancer
from modules.load_balancer.props import LoadBalancerProps, RoutedService
from modules.network.network import Network
from modules.network.props import NetworkProps
from modules.observability.observability import AlarmTopic
from modules.queues.props import MessageQueueProps
from modules.queues.queues import MessageQueue, messaging_key
from modules.waf.props import CLOUDFRONT_REGION, WebAclProps
from modules.waf.waf import WebAcl
from modules.websocket_api.websocket_api import WebSocketApi
from stacks.observability import Observability, ServiceTier, alarms_props, build_observability
from stacks.platform import QUEUES, SERVICES, Component, Platform, module_inputs
from stacks.variants import build_variant_stores
from stacks.websocket_api import build_websocket_api, connect_websocket_api

PROJECT = "chat-infra"
# Each service's props: api and realtime are routed (realtime also scales on its connections),
# the worker is not; FargateService refuses routing that disagrees with its props.
SERVICE_PROPS: dict[str, type[FargateServiceProps]] = {
    "api": RoutedServiceProps,
    "realtime": RealtimeServiceProps,
    "worker": WorkerServiceProps,
}


def routed_services(config: EnvironmentConfig) -> tuple[RoutedService, ...]:
    """What the load balancer routes: each service's paths (fixed here, the product's URL
    layout) with its port and health check from the environment file. With the API Gateway
    ingress, the WebSocket API reaches the realtime service, and the load balancer /api/* only."""
    services = (
        RoutedService(
            name="api",
            port=config.api.port,
            path_patterns=("/api/*",),
            priority=100,
            health_check_path=config.api.health_check_path,
            # REST calls vary in cost; the least busy task takes the next one.
            load_balancing_algorithm="least_outstanding_requests",
        ),
        RoutedService(
            name="realtime",
            port=config.realtime.port,
            path_patterns=("/socket.io/*",),
            priority=200,
            health_check_path=config.realtime.health_check_path,
            # Socket.IO's long-polling fallback keeps a session on the task that opened it.
            sticky=True,
            deregistration_delay_seconds=60,
        ),
    )
    if config.ingress == "api_gateway":
        return tuple(service for service in services if service.name != "realtime")
    return services


def frontend_sources(config: EnvironmentConfig, attachments_endpoint: str) -> dict[str, tuple[str, ...]]:
    """What the single-page app reaches besides its own origin, for the frontend's CSP
    (modules/frontend/csp.py): every API host over https:// (REST, Socket.IO's polling) and
    wss:// (its WebSocket), the WebSocket API's host with the API Gateway ingress, and the
    attachments bucket's endpoint: presigned uploads (connect-src) and the images shown from
    presigned downloads (img-src), with the inline images a build and file previews use."""
    websocket_hosts = (
        (config.websocket_api.host_name,)
        if config.ingress == "api_gateway" and config.websocket_api is not None  # required then (envconfig)
        else ()
    )
    return {
        "connect_sources": (*api_sources(config.dns.api_host_names, websocket_hosts), attachments_endpoint),
        "image_sources": (attachments_endpoint, *INLINE_IMAGE_SOURCES),
    }


def default_tags(config: EnvironmentConfig) -> dict[str, str]:
    """Tags every resource gets through the providers' default_tags."""
    return {**config.tags, "project": PROJECT, "environment": config.name, "managed-by": "cdktf"}


@dataclass(frozen=True)
class Edge:
    """What users reach: the domain, the load balancer behind its web ACL, the attachments
    bucket, the frontend behind CloudFront, and the WebSocket API with that ingress."""

    domain: Domain
    load_balancer: LoadBalancer
    attachments: AttachmentsBucket
    frontend: Frontend
    websocket_api: WebSocketApi | None


@dataclass(frozen=True)
class Compute:
    """The ECS cluster, the tasks' egress, one image repository and one service per name of SERVICES."""

    cluster: ComputeCluster
    egress: ServiceEgress
    repositories: Mapping[str, ContainerRepository]
    services: Mapping[str, FargateService]


@dataclass(frozen=True)
class Composition:
    """Everything a ChatStack built, typed: what its outputs read (and its tests)."""

    network: Network
    edge: Edge
    queues: Mapping[str, MessageQueue]
    compute: Compute
    cache: ManagedCache | None
    database: Database
    database_admin: DatabaseAdminTask | None
    backup: BackupPlan
    variant_stores: Mapping[str, Component]
    """The chosen variants' stores by selector ("cache_backend": the RedisCluster, ...): stacks/variants.py."""
    stores: tuple[Component, ...]
    """Every store, in the order of the backup selection and of the dashboard's rows."""
    observability: Observability


# bindings.cdk answers with the selected toolchain's library at run time: mypy sees its names as Any.
class ChatStack(TerraformStack):  # type: ignore[misc]
    """Everything one environment runs, wired from its validated config."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.stack_name)
        self.node.set_context(KEY_ADMINISTRATORS_CONTEXT, list(config.key_administrator_arns or ()))
        AwsProvider(
            self,
            "aws",
            region=config.region,
            allowed_account_ids=[config.account_id] if config.account_id else None,
            default_tags=[AwsProviderDefaultTags(tags=default_tags(config))],
        )
        declare_backend(self, config)
        # CDKTF writes the short form "aws"; spell out the registry namespace so a
        # reviewer (and `terraform init`) sees exactly which provider is pinned. The version is
        # the one the selected toolchain's bindings were generated from, written here from the
        # toolchain's declaration (bindings.TOOLCHAINS) rather than left to the bindings package.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_providers.aws.version", bindings.TOOLCHAIN.aws_provider_version)
        # One partition and one account lookup (`caller`, when the file pins no account) for every module.
        context = StackContext(self, region=config.region, account_id=config.account_id)

        network = Network(
            self, "network", props=props_from_block(NetworkProps, config.network, **module_inputs(config, context))
        )
        edge = build_edge(self, config, context, network)
        # With MSK the topics carry what the queues would: no queue exists.
        queues = build_queues(self, config, context) if config.messaging == "sqs" else {}
        compute = build_compute(self, config, context, network, edge, queues)
        services = compute.services
        thresholds = alarms_props(config, context)
        topic = AlarmTopic(self, "alarm_topic", props=thresholds)
        platform = Platform(
            scope=self,
            config=config,
            context=context,
            network=network,
            services=services,
            alarm_topic_arn=topic.arn,
            alarm_thresholds=thresholds,
        )

        grant_queues(queues, services)
        grant_attachments(edge.attachments, services["api"])
        # ElastiCache, or (cache_backend = "redis_cluster") none here: the Redis Cluster on EC2
        # is a variant store (stacks/variants.py).
        cache = build_managed_cache(platform) if config.cache_backend == "elasticache" else None
        database = build_database(platform)
        database_admin = build_database_admin(platform, compute, database)
        variant_stores = build_variant_stores(platform)
        if edge.websocket_api is not None:
            tables = variant_stores.get("document_store")
            if not isinstance(tables, ChatTables):  # the schema refuses the file before (envconfig/variants.py)
                raise ValueError(f'{config.name}: expected document_store = "dynamodb" with ingress = "api_gateway"')
            connect_websocket_api(edge.websocket_api, services["realtime"], tables)

        service_tier = ServiceTier(load_balancer=edge.load_balancer, cluster=compute.cluster, services=services)
        # The backup selection's and the dashboard's order, as before the composition root:
        # a reordered list is a change in the plan.
        stores: tuple[Component, ...] = (
            edge.attachments,
            database,
            *((cache,) if cache is not None else ()),
            *queues.values(),
            *variant_stores.values(),
        )
        copy_provider = backup_copy_provider(self, config)
        backup = BackupPlan(
            self,
            "backup",
            props=props_from_block(BackupPlanProps, config.backup, **platform.stack_inputs),
            copy_provider=copy_provider,
        )
        if copy_provider is not None:
            # Region loss: the database's own backups (point in time, transaction logs) go
            # to the same second region as AWS Backup's copies (modules/backup/README.md).
            database.replicate_automated_backups(copy_provider)
        for store in stores:
            for target in store.backup_targets():
                backup.protect(target.name, target.arn)
        watches = [*service_tier.watches(thresholds), *(w for store in stores for w in store.watches(thresholds))]
        observability = build_observability(self, thresholds, topic, watches)
        self.composition = Composition(
            network=network,
            edge=edge,
            queues=queues,
            compute=compute,
            cache=cache,
            database=database,
            database_admin=database_admin,
            backup=backup,
            variant_stores=variant_stores,
            stores=stores,
            observability=observability,
        )
        declare_outputs(self, self.composition)


def regional_provider(scope: Construct, config: EnvironmentConfig, construct_id: str, region: str) -> AwsProvider:
    """An aliased AWS provider (alias = `construct_id` without "aws_") for `region`, with the
    stack's account pin and default tags."""
    return AwsProvider(
        scope,
        construct_id,
        alias=construct_id.removeprefix("aws_"),
        region=region,
        allowed_account_ids=[config.account_id] if config.account_id else None,
        default_tags=[AwsProviderDefaultTags(tags=default_tags(config))],
    )


def backup_copy_provider(scope: Construct, config: EnvironmentConfig) -> AwsProvider | None:
    """The provider for `backup.copy_region`, or None when the environment sets none."""
    copy_region = config.backup.copy_region
    return None if copy_region is None else regional_provider(scope, config, "aws_backup_copy", copy_region)


def build_edge(scope: Construct, config: EnvironmentConfig, context: StackContext, network: Network) -> Edge:
    """Certificates and DNS, the load balancer behind its web ACL, the frontend behind CloudFront."""
    supplied = module_inputs(config, context)
    # CloudFront takes certificates and web ACLs from us-east-1 only.
    us_east_1 = regional_provider(scope, config, "aws_us_east_1", CLOUDFRONT_REGION)
    domain = Domain(
        scope, "domain", props=props_from_block(DomainProps, config.dns, **supplied), cloudfront_provider=us_east_1
    )
    load_balancer = LoadBalancer(
        scope,
        "load_balancer",
        props=props_from_block(
            LoadBalancerProps,
            config.load_balancer,
            **supplied,
            vpc_id=network.vpc_id,
            public_subnet_ids=tuple(network.public_subnet_ids),
            certificate_arn=domain.regional_certificate_arn,
            services=routed_services(config),
        ),
    )
    regional_web_acl = WebAcl(scope, "waf", props=props_from_block(WebAclProps, config.waf, **supplied))
    regional_web_acl.associate("alb", load_balancer.arn)
    # Before the frontend: its CSP names the bucket's endpoint (uploads and downloads
    # go from the browser straight to S3, presigned by the API).
    attachments = AttachmentsBucket(
        scope,
        "attachments",
        props=props_from_block(
            AttachmentsBucketProps,
            config.attachments,
            **supplied,
            cors_allowed_origins=tuple(f"https://{host}" for host in domain.frontend_host_names),
        ),
    )
    cloudfront_web_acl = WebAcl(
        scope,
        "cloudfront_waf",
        props=props_from_block(
            WebAclProps, config.waf, **{**supplied, "region": CLOUDFRONT_REGION}, scope="CLOUDFRONT"
        ),
        provider=us_east_1,
    )
    frontend = Frontend(
        scope,
        "frontend",
        props=props_from_block(
            FrontendProps,
            config.frontend,
            **supplied,
            certificate_arn=domain.cloudfront_certificate_arn,
            aliases=domain.frontend_host_names,
            web_acl_arn=cloudfront_web_acl.arn,
            **frontend_sources(config, attachments.endpoint),
        ),
    )
    cloudfront_web_acl.protect("frontend", frontend.distribution_arn)
    websocket_api = (
        build_websocket_api(scope, config, supplied, network, domain) if config.ingress == "api_gateway" else None
    )
    websocket_host = None if websocket_api is None else websocket_api.host_name
    for host in domain.api_host_names:
        if host != websocket_host:
            # A only: the load balancer is IPv4-only (its subnets have no IPv6 ranges).
            domain.alias(host, load_balancer.dns_name, load_balancer.zone_id, ipv6=False)
    for host in domain.frontend_host_names:
        domain.alias(
            host,
            frontend.distribution_domain_name,
            CLOUDFRONT_HOSTED_ZONE_ID,
            ipv6=True,  # the distribution has is_ipv6_enabled
            evaluate_target_health=False,
        )
    return Edge(
        domain=domain,
        load_balancer=load_balancer,
        attachments=attachments,
        frontend=frontend,
        websocket_api=websocket_api,
    )


def build_queues(scope: Construct, config: EnvironmentConfig, context: StackContext) -> dict[str, MessageQueue]:
    """The queues the worker consumes: created before the services, whose scaling reads them."""
    blocks = {"push": config.push_queue, "offline": config.offline_queue}
    key = messaging_key(
        scope,
        "messaging_key",
        name=config.stack_name,
        context=context,
        deletion_protection=config.deletion_protection,
    )
    return {
        queue: MessageQueue(
            scope,
            f"{queue}_queue",
            props=props_from_block(
                MessageQueueProps, blocks[queue], **module_inputs(config, context), queue_name=queue_name
            ),
            key=key,
        )
        for queue, queue_name in QUEUES.items()
    }


def build_compute(
    scope: Construct,
    config: EnvironmentConfig,
    context: StackContext,
    network: Network,
    edge: Edge,
    queues: Mapping[str, MessageQueue],
) -> Compute:
    """The ECS cluster, one image repository per service, and the services."""
    supplied = module_inputs(config, context)
    # One key for every repository of the environment: its images are one data domain.
    images_key = ManagedKey(
        scope,
        "images_key",
        alias=f"alias/{config.stack_name}-images",
        description=f"Encrypts {config.stack_name}'s container images",
        partition=context.partition,
        account_id=context.account_id,
        tags={"Name": f"{config.stack_name}-images"},
    )
    cluster = ComputeCluster(scope, "compute", props=props_from_block(ComputeClusterProps, config.compute, **supplied))
    egress = ServiceEgress(
        s3_prefix_list_id=network.s3_prefix_list_id,
        endpoint_security_group_id=network.endpoint_security_group_id,
        internet_https=config.network.nat_mode != "none",
    )
    load_balancer = edge.load_balancer
    blocks: dict[str, BaseModel] = {"api": config.api, "realtime": config.realtime, "worker": config.worker}
    repositories: dict[str, ContainerRepository] = {}
    services: dict[str, FargateService] = {}
    for service in SERVICES:
        repository = ContainerRepository(
            scope,
            f"{service}_repository",
            props=props_from_block(
                ContainerRepositoryProps,
                config.container_registry,
                **supplied,
                service=service,
                kms_key_arn=images_key.arn,
            ),
        )
        routing = None
        if service in load_balancer.target_groups:
            routing = ServiceRouting(
                target_groups=load_balancer.target_groups[service],
                weights=load_balancer.props.weights_of(service),
                load_balancer_arn_suffix=load_balancer.arn_suffix,
                load_balancer_security_group=load_balancer.security_group,
            )
        elif service == "realtime" and edge.websocket_api is not None:
            routing = edge.websocket_api.service_routing()
        repositories[service] = repository
        services[service] = FargateService(
            scope,
            service,
            props=props_from_block(
                SERVICE_PROPS[service],
                blocks[service],
                **supplied,
                service=service,
                vpc_id=network.vpc_id,
                subnet_ids=tuple(network.private_subnet_ids),
                log_retention_days=config.log_retention_days,
            ),
            cluster=cluster,
            repository=repository,
            egress=egress,
            routing=routing,
            scaling_queue_names=tuple(queue.name for queue in queues.values()) if routing is None else (),
        )
    return Compute(cluster=cluster, egress=egress, repositories=repositories, services=services)


def grant_queues(queues: Mapping[str, MessageQueue], services: Mapping[str, FargateService]) -> None:
    """Producers send, the worker consumes: realtime queues what a user who went offline must
    get (and its push), the API the pushes it triggers itself."""
    api, realtime, worker = (services[name] for name in SERVICES)
    for queue in queues.values():
        queue.grant_send(api)
        queue.grant_send(realtime)
        queue.grant_consume(worker)
        variable = f"{queue.props.queue_name.upper().replace('-', '_')}_QUEUE_URL"
        for service in (api, realtime, worker):
            service.add_environment(
                variable,
                queue.url,
                meaning=f"URL of the {queue.props.queue_name} SQS queue: the API and realtime send to it, "
                "the worker receives and deletes from it (its dead-letter queue takes what fails repeatedly).",
            )


def grant_attachments(attachments: AttachmentsBucket, api: FargateService) -> None:
    attachments.grant_read_write(api)
    api.add_environment(
        "ATTACHMENTS_BUCKET",
        attachments.bucket_name,
        meaning="The attachments bucket: the API reads, writes and deletes its objects and presigns browser "
        "uploads (PUT or POST) and downloads (GET) against its regional endpoint "
        "https://<bucket>.s3.<region>.amazonaws.com, the one the frontend's CSP allows.",
    )


def build_managed_cache(platform: Platform) -> ManagedCache:
    """ElastiCache (Valkey, IAM users), reachable from and granted to the API and realtime."""
    network = platform.network
    cache = ManagedCache(
        platform.scope,
        "cache",
        props=props_from_block(
            ManagedCacheProps,
            platform.config.managed_cache,
            **platform.stack_inputs,
            vpc_id=network.vpc_id,
            elasticache_subnet_group_name=network.elasticache_subnet_group_name,
        ),
    )
    for service in (platform.services["api"], platform.services["realtime"]):
        cache.allow_from(service.security_group)
        cache.grant_connect(service)
        service.add_environment(
            "CACHE_PUBSUB_HOST",
            cache.pubsub_primary_endpoint,
            meaning="ElastiCache (Valkey) primary endpoint for pub/sub between tasks (the Socket.IO adapter). "
            "TLS required; authenticate as CACHE_USER with an IAM token.",
        )
        service.add_environment(
            "CACHE_STATE_HOST",
            cache.state_primary_endpoint,
            meaning="ElastiCache (Valkey) primary endpoint for shared state: presence, sessions, rate limits. "
            "TLS and IAM authentication as for CACHE_PUBSUB_HOST.",
        )
        service.add_environment(
            "CACHE_PORT", str(cache.port), meaning="Port of CACHE_PUBSUB_HOST and CACHE_STATE_HOST."
        )
        service.add_environment(
            "CACHE_USER",
            cache.user_name,
            meaning="The ElastiCache user this service authenticates as, with a short-lived IAM token "
            "(no password exists).",
        )
    return cache


def build_database(platform: Platform) -> Database:
    """RDS PostgreSQL, reachable from every service, each logging in as its own role."""
    network = platform.network
    database = Database(
        platform.scope,
        "database",
        props=props_from_block(
            DatabaseProps,
            platform.config.database,
            **platform.stack_inputs,
            vpc_id=network.vpc_id,
            db_subnet_group_name=network.db_subnet_group_name,
            data_subnet_ids=tuple(network.data_subnet_ids),
            availability_zones=tuple(network.availability_zones),
        ),
    )
    for service in (platform.services[name] for name in SERVICES):
        # Each service logs in as its own database role with a 15-minute IAM token
        # (rds_iam): no password exists for it anywhere.
        database.allow_from(service.security_group)
        database.grant_connect(service, service.props.service)
        service.add_environment(
            "DATABASE_HOST",
            database.writer_endpoint,
            meaning="PostgreSQL host for reads and writes (the RDS Proxy when the environment has one, else "
            "the instance). TLS is required; log in with an IAM auth token (rds generate-db-auth-token), "
            "valid 15 minutes, as DATABASE_USER.",
        )
        service.add_environment("DATABASE_PORT", str(database.port), meaning="PostgreSQL port of DATABASE_HOST.")
        service.add_environment("DATABASE_NAME", database.props.database_name, meaning="The database to connect to.")
        service.add_environment(
            "DATABASE_USER",
            service.props.service,
            meaning="The PostgreSQL role this service logs in as (rds_iam: an IAM token, no password).",
        )
        if database.reader_endpoint is not None:
            service.add_environment(
                "DATABASE_READER_HOST",
                database.reader_endpoint,
                meaning="PostgreSQL read replica (same port, user and IAM login) for reads that tolerate "
                "a little replication lag: history, search. Absent: read from DATABASE_HOST.",
            )
    return database


def build_database_admin(platform: Platform, compute: Compute, database: Database) -> DatabaseAdminTask | None:
    """The one-off psql task that creates the services' database roles (make db-bootstrap)
    and runs migrations as the master user. Not without NAT: its default image is public
    (a network without NAT would need a copy in this account's ECR, given as `image`)."""
    config = platform.config
    if config.network.nat_mode == "none":
        return None
    return DatabaseAdminTask(
        platform.scope,
        "database_admin",
        props=DatabaseAdminTaskProps(
            name=config.stack_name,
            region=config.region,
            vpc_id=platform.network.vpc_id,
            subnet_ids=tuple(platform.network.private_subnet_ids),
            log_retention_days=config.log_retention_days,
        ),
        cluster=compute.cluster,
        database=database,
        egress=compute.egress,
    )


def declare_backend(stack: TerraformStack, config: EnvironmentConfig) -> None:
    state = config.remote_state
    if state is None:
        # Local state next to the stack's JSON: works offline, fine for a sandbox.
        LocalBackend(stack, path=f"terraform.{config.stack_name}.tfstate")
        return
    S3Backend(
        stack,
        bucket=state.bucket,
        key=state.key,
        region=config.state_region,
        encrypt=True,
        kms_key_id=state.kms_key_id,
    )
    # cdktf 0.21's S3Backend predates S3 native locking (Terraform >= 1.10), so the
    # argument is written directly; no DynamoDB lock table is needed.
    stack.add_override("terraform.backend.s3.use_lockfile", state.use_lockfile)


def declare_outputs(stack: TerraformStack, built: Composition) -> None:
    """What operators and pipelines read after an apply (README: Outputs)."""
    network, compute, observability = built.network, built.compute, built.observability
    for name, value, description in (
        ("vpc_id", network.vpc_id, "VPC id"),
        ("availability_zones", network.availability_zones, "AZ names, in subnet order"),
        ("public_subnet_ids", network.public_subnet_ids, "Public subnets (load balancers, NAT)"),
        ("private_subnet_ids", network.private_subnet_ids, "Private subnets (tasks)"),
        ("data_subnet_ids", network.data_subnet_ids, "Data subnets (no route out of the VPC)"),
        ("db_subnet_group_name", network.db_subnet_group_name, "RDS/DocumentDB subnet group"),
        ("elasticache_subnet_group_name", network.elasticache_subnet_group_name, "ElastiCache subnet group"),
        ("load_balancer_dns_name", built.edge.load_balancer.dns_name, "Public load balancer (behind the API hosts)"),
        ("frontend_bucket_name", built.edge.frontend.bucket_name, "Where the frontend build is uploaded"),
        ("frontend_distribution_id", built.edge.frontend.distribution_id, "CloudFront distribution to invalidate"),
        ("ecs_cluster_name", compute.cluster.name, "ECS cluster of every service"),
        ("alarm_topic_arn", observability.topic.arn, "SNS topic every alarm notifies"),
        ("dashboard_name", observability.dashboard.name, "CloudWatch dashboard of the environment"),
    ):
        TerraformOutput(stack, name, value=value, description=description)
    for service in SERVICES:
        TerraformOutput(
            stack,
            f"{service}_repository_url",
            value=compute.repositories[service].repository_url,
            description=f"Where the pipeline pushes {service} images",
        )
        TerraformOutput(
            stack,
            f"{service}_image_tag_parameters",
            value=compute.services[service].image_tag_parameters,
            description=f"SSM parameter per colour holding the {service} image tag (README: Deploying an image)",
        )
        TerraformOutput(
            stack,
            f"{service}_ecs_services",
            value=compute.services[service].service_names,
            description=f"ECS service per colour running {service}",
        )
    declare_database_outputs(stack, built.database, built.database_admin)
    declare_backup_outputs(stack, built.backup)
    websocket_api = built.edge.websocket_api
    if websocket_api is not None:
        TerraformOutput(
            stack,
            "websocket_url",
            value=f"wss://{websocket_api.host_name}",
            description="Where clients open their WebSocket (API Gateway)",
        )


def declare_database_outputs(stack: TerraformStack, database: Database, admin: DatabaseAdminTask | None) -> None:
    """What `make db-bootstrap` (ops/db_bootstrap.py) and the runbook need to start the
    admin task, and the master secret (its rotation in the runbook)."""
    TerraformOutput(
        stack,
        "database_master_secret_arn",
        value=database.secret_arn,
        description="RDS-managed master user secret (username, password); read by the admin task only",
    )
    if admin is None:
        return
    for name, value, description in (
        ("db_admin_task_definition_arn", admin.task_definition_arn, "One-off psql task (make db-bootstrap)"),
        ("db_admin_container_name", admin.container_name, "The admin task's container (command overrides)"),
        ("db_admin_subnet_ids", list(admin.subnet_ids), "Subnets the admin task runs in (no public IP)"),
        ("db_admin_security_group_id", admin.security_group_id, "The admin task's security group"),
        ("db_admin_log_group_name", admin.log_group_name, "psql output (stream psql/psql/<task id>)"),
    ):
        TerraformOutput(stack, name, value=value, description=description)


def declare_backup_outputs(stack: TerraformStack, backup: BackupPlan) -> None:
    """What `make restore-backup` (ops/restore_backup.py) reads: the vault, the role a restore
    job runs as, each protected store by its selection name, and the copy vault with its region."""
    for name, value, description in (
        ("backup_vault_name", backup.vault_name, "AWS Backup vault of the stack's recovery points"),
        ("backup_role_arn", backup.role_arn, "The role AWS Backup assumes, for backups and restore jobs"),
        (
            "backup_targets",
            dict(backup.protected_arns),
            "Each store in the backup selection: its name (make restore-backup TARGET=) and ARN",
        ),
    ):
        TerraformOutput(stack, name, value=value, description=description)
    if backup.copy_vault_name is not None and backup.props.copy_region is not None:
        TerraformOutput(
            stack,
            "backup_copy_vault",
            value={"name": backup.copy_vault_name, "region": backup.props.copy_region},
            description="The vault in backup.copy_region every rule copies to, and that region (Region loss)",
        )


def build_app(configs: Iterable[EnvironmentConfig], outdir: str | None = None) -> App:
    """An App holding one ChatStack per config (not yet synthesized)."""
    app = App(outdir=outdir) if outdir else App()
    for config in configs:
        ChatStack(app, config)
    return app
