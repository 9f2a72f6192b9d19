"""One TerraformStack per environment file."""

from __future__ import annotations

from collections.abc import Iterable

from bindings.aws.data_aws_caller_identity import DataAwsCallerIdentity
from bindings.aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

import bindings
from bindings.cdk import App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from envconfig import EnvironmentConfig
from modules.attachments import AttachmentsBucket, AttachmentsBucketProps
from modules.backup import BackupPlan, BackupPlanProps
from modules.cache import ManagedCache, ManagedCacheProps
from modules.common.aws_arn import partition_for_region
from modules.common.inputs import props_from_block
from modules.common.keys import KEY_ADMINISTRATORS_CONTEXT, ManagedKey
from modules.compute import ComputeCluster, ComputeClusterProps, FargateService, RoutedServiceProps, WorkerServiceProps
from modules.compute.service import ServiceEgress, ServiceRouting
from modules.container_registry import ContainerRepository, ContainerRepositoryProps
from modules.database import Database, DatabaseAdminTask, DatabaseAdminTaskProps, DatabaseProps
from modules.dns import Domain, DomainProps
from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.frontend import Frontend, FrontendProps
from modules.frontend.csp import INLINE_IMAGE_SOURCES, api_sources
from modules.load_balancer import LoadBalancer, LoadBalancerProps, RoutedService
from modules.network import Network, NetworkProps
from modules.queues import MessageQueue, MessageQueueProps, messaging_key
from modules.waf import WebAcl, WebAclProps
from modules.waf.props import CLOUDFRONT_REGION
from stacks.documentdb import wire_documentdb
from stacks.dynamodb import wire_dynamodb
from stacks.msk import wire_msk
from stacks.observability import wire_observability
from stacks.redis_cluster import wire_redis_cluster
from stacks.websocket_api import connect_websocket_api, wire_websocket_api

PROJECT = "chat-infra"
# Every environment runs these services (each has its block in the environment file).
SERVICES = ("api", "realtime", "worker")
# The worker's queues (environment-file block "<key>_queue") and their SQS names.
QUEUES = {"push": "push-notifications", "offline": "offline-messages"}


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
    websocket_hosts = (config.websocket_api.host_name,) if config.ingress == "api_gateway" else ()
    return {
        "connect_sources": (*api_sources(config.dns.api_host_names, websocket_hosts), attachments_endpoint),
        "image_sources": (attachments_endpoint, *INLINE_IMAGE_SOURCES),
    }


class ChatStack(TerraformStack):
    """Everything one environment runs, wired from its validated config."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.stack_name)
        self.config = config
        self.node.set_context(KEY_ADMINISTRATORS_CONTEXT, list(config.key_administrator_arns or ()))
        AwsProvider(
            self,
            "aws",
            region=config.region,
            allowed_account_ids=[config.account_id] if config.account_id else None,
            default_tags=[AwsProviderDefaultTags(tags=self._default_tags)],
        )
        self._backend()
        # CDKTF writes the short form "aws"; spell out the registry namespace so a
        # reviewer (and `terraform init`) sees exactly which provider is pinned. The version is
        # the one the selected toolchain's bindings were generated from, written here from the
        # toolchain's declaration (bindings.TOOLCHAINS) rather than left to the bindings package.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_providers.aws.version", bindings.TOOLCHAIN.aws_provider_version)

        self.network = Network(
            self, "network", props=props_from_block(NetworkProps, config.network, **config.stack_inputs)
        )
        self._edge()
        self._compute()
        self._data()
        self.redis_cluster = wire_redis_cluster(self, config) if config.cache_backend == "redis_cluster" else None
        self.kafka = wire_msk(self, config) if config.messaging == "msk" else None
        self.document_db = wire_documentdb(self, config) if config.document_store == "documentdb" else None
        if config.document_store == "dynamodb":
            wire_dynamodb(self, config)
        if self.websocket_api is not None:
            connect_websocket_api(self, config)
        # Last: alarms and the dashboard cover what the stack has by now.
        self.observability = wire_observability(self, config)
        if self.redis_cluster is not None:
            self.redis_cluster.notify(self.observability.topic.arn)
        self._outputs()

    def _edge(self) -> None:
        """Certificates and DNS, the load balancer behind its web ACL, the frontend behind CloudFront."""
        config = self.config
        supplied = config.stack_inputs
        # CloudFront takes certificates and web ACLs from us-east-1 only.
        us_east_1 = AwsProvider(
            self,
            "aws_us_east_1",
            alias="us_east_1",
            region=CLOUDFRONT_REGION,
            allowed_account_ids=[config.account_id] if config.account_id else None,
            default_tags=[AwsProviderDefaultTags(tags=self._default_tags)],
        )
        self.domain = Domain(
            self, "domain", props=props_from_block(DomainProps, config.dns, **supplied), cloudfront_provider=us_east_1
        )
        self.load_balancer = LoadBalancer(
            self,
            "load_balancer",
            props=props_from_block(
                LoadBalancerProps,
                config.load_balancer,
                **supplied,
                vpc_id=self.network.vpc_id,
                public_subnet_ids=tuple(self.network.public_subnet_ids),
                certificate_arn=self.domain.regional_certificate_arn,
                services=routed_services(config),
            ),
        )
        self.regional_web_acl = WebAcl(self, "waf", props=props_from_block(WebAclProps, config.waf, **supplied))
        self.regional_web_acl.associate("alb", self.load_balancer.arn)
        # Before the frontend: its CSP names the bucket's endpoint (uploads and downloads
        # go from the browser straight to S3, presigned by the API).
        self.attachments = AttachmentsBucket(
            self,
            "attachments",
            props=props_from_block(
                AttachmentsBucketProps,
                config.attachments,
                **supplied,
                cors_allowed_origins=tuple(f"https://{host}" for host in self.domain.frontend_host_names),
            ),
        )
        self.cloudfront_web_acl = WebAcl(
            self,
            "cloudfront_waf",
            props=props_from_block(
                WebAclProps, config.waf, **{**supplied, "region": CLOUDFRONT_REGION}, scope="CLOUDFRONT"
            ),
            provider=us_east_1,
        )
        self.frontend = Frontend(
            self,
            "frontend",
            props=props_from_block(
                FrontendProps,
                config.frontend,
                **supplied,
                certificate_arn=self.domain.cloudfront_certificate_arn,
                aliases=self.domain.frontend_host_names,
                web_acl_arn=self.cloudfront_web_acl.arn,
                **frontend_sources(config, self.attachments.endpoint),
            ),
        )
        self.cloudfront_web_acl.protect("frontend", self.frontend.distribution_arn)
        self.websocket_api = wire_websocket_api(self, config) if config.ingress == "api_gateway" else None
        websocket_host = None if self.websocket_api is None else self.websocket_api.host_name
        for host in self.domain.api_host_names:
            if host != websocket_host:
                # A only: the load balancer is IPv4-only (its subnets have no IPv6 ranges).
                self.domain.alias(host, self.load_balancer.dns_name, self.load_balancer.zone_id, ipv6=False)
        for host in self.domain.frontend_host_names:
            self.domain.alias(
                host,
                self.frontend.distribution_domain_name,
                CLOUDFRONT_HOSTED_ZONE_ID,
                ipv6=True,  # the distribution has is_ipv6_enabled
                evaluate_target_health=False,
            )

    def _queues(self) -> None:
        """The queues the worker consumes: created before the services, whose scaling reads them."""
        config = self.config
        supplied = config.stack_inputs
        key = messaging_key(
            self,
            "messaging_key",
            name=config.stack_name,
            region=config.region,
            account_id=config.account_id,
            deletion_protection=config.deletion_protection,
        )
        self.queues: dict[str, MessageQueue] = {
            queue: MessageQueue(
                self,
                f"{queue}_queue",
                props=props_from_block(
                    MessageQueueProps, getattr(config, f"{queue}_queue"), **supplied, queue_name=queue_name
                ),
                key=key,
            )
            for queue, queue_name in QUEUES.items()
        }

    def _compute(self) -> None:
        """The ECS cluster, one image repository per service, and the services."""
        # With MSK the topics carry what the queues would: no queue exists.
        self.queues = {}
        if self.config.messaging == "sqs":
            self._queues()
        config, network = self.config, self.network
        supplied = config.stack_inputs
        account_id = config.account_id or DataAwsCallerIdentity(self, "caller").account_id
        # One key for every repository of the environment: its images are one data domain.
        images_key = ManagedKey(
            self,
            "images_key",
            alias=f"alias/{config.stack_name}-images",
            description=f"Encrypts {config.stack_name}'s container images",
            partition=partition_for_region(config.region),
            account_id=account_id,
            tags={"Name": f"{config.stack_name}-images"},
        )
        self.cluster = ComputeCluster(
            self, "compute", props=props_from_block(ComputeClusterProps, config.compute, **supplied)
        )
        self.egress = egress = ServiceEgress(
            s3_prefix_list_id=network.s3_prefix_list_id,
            endpoint_security_group_id=network.endpoint_security_group_id,
            internet_https=config.network.nat_mode != "none",
        )
        self.repositories: dict[str, ContainerRepository] = {}
        self.services: dict[str, FargateService] = {}
        for service in SERVICES:
            repository = ContainerRepository(
                self,
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
            if service in self.load_balancer.target_groups:
                routing = ServiceRouting(
                    target_groups=self.load_balancer.target_groups[service],
                    weights=self.load_balancer.props.weights_of(service),
                    load_balancer_arn_suffix=self.load_balancer.arn_suffix,
                    load_balancer_security_group=self.load_balancer.security_group,
                )
            elif service == "realtime" and self.websocket_api is not None:
                routing = self.websocket_api.service_routing()
            self.repositories[service] = repository
            self.services[service] = FargateService(
                self,
                service,
                props=props_from_block(
                    RoutedServiceProps if routing is not None else WorkerServiceProps,
                    getattr(config, service),
                    **supplied,
                    service=service,
                    vpc_id=network.vpc_id,
                    subnet_ids=tuple(network.private_subnet_ids),
                    log_retention_days=config.log_retention_days,
                ),
                cluster=self.cluster,
                repository=repository,
                egress=egress,
                routing=routing,
                scaling_queue_names=tuple(queue.name for queue in self.queues.values()) if routing is None else (),
            )

    def _data(self) -> None:
        """The stores, each reachable and usable only by the services that need it."""
        config = self.config
        supplied = config.stack_inputs
        api, realtime, worker = (self.services[name] for name in SERVICES)

        # Producers send, the worker consumes: realtime queues what a user who went
        # offline must get (and its push), the API the pushes it triggers itself.
        for queue in self.queues.values():
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

        self.attachments.grant_read_write(api)
        api.add_environment(
            "ATTACHMENTS_BUCKET",
            self.attachments.bucket_name,
            meaning="The attachments bucket: the API reads, writes and deletes its objects and presigns browser "
            "uploads (PUT or POST) and downloads (GET) against its regional endpoint "
            "https://<bucket>.s3.<region>.amazonaws.com, the one the frontend's CSP allows.",
        )

        # ElastiCache, or (cache_backend = "redis_cluster") none here: the Redis Cluster on EC2
        # is wired once the backup plan exists (wire_redis_cluster).
        self.cache = self._managed_cache(api, realtime) if config.cache_backend == "elasticache" else None

        network = self.network
        self.database = Database(
            self,
            "database",
            props=props_from_block(
                DatabaseProps,
                config.database,
                **supplied,
                vpc_id=network.vpc_id,
                db_subnet_group_name=network.db_subnet_group_name,
                data_subnet_ids=tuple(network.data_subnet_ids),
                availability_zones=tuple(network.availability_zones),
            ),
        )
        for service in (api, realtime, worker):
            # Each service logs in as its own database role with a 15-minute IAM token
            # (rds_iam): no password exists for it anywhere.
            self.database.allow_from(service.security_group)
            self.database.grant_connect(service, service.props.service)
            service.add_environment(
                "DATABASE_HOST",
                self.database.writer_endpoint,
                meaning="PostgreSQL host for reads and writes (the RDS Proxy when the environment has one, else "
                "the instance). TLS is required; log in with an IAM auth token (rds generate-db-auth-token), "
                "valid 15 minutes, as DATABASE_USER.",
            )
            service.add_environment(
                "DATABASE_PORT", str(self.database.port), meaning="PostgreSQL port of DATABASE_HOST."
            )
            service.add_environment(
                "DATABASE_NAME", self.database.props.database_name, meaning="The database to connect to."
            )
            service.add_environment(
                "DATABASE_USER",
                service.props.service,
                meaning="The PostgreSQL role this service logs in as (rds_iam: an IAM token, no password).",
            )
            if self.database.reader_endpoint is not None:
                service.add_environment(
                    "DATABASE_READER_HOST",
                    self.database.reader_endpoint,
                    meaning="PostgreSQL read replica (same port, user and IAM login) for reads that tolerate "
                    "a little replication lag: history, search. Absent: read from DATABASE_HOST.",
                )

        self.database_admin = self._database_admin()

        self.backup = BackupPlan(self, "backup", props=props_from_block(BackupPlanProps, config.backup, **supplied))
        self.backup.protect("attachments", self.attachments.bucket_arn)
        self.backup.protect("database", self.database.arn)

    def _database_admin(self) -> DatabaseAdminTask | None:
        """The one-off psql task that creates the services' database roles (make db-bootstrap)
        and runs migrations as the master user. Not without NAT: its default image is public
        (a network without NAT would need a copy in this account's ECR, given as `image`)."""
        config = self.config
        if config.network.nat_mode == "none":
            return None
        return DatabaseAdminTask(
            self,
            "database_admin",
            props=DatabaseAdminTaskProps(
                name=config.stack_name,
                region=config.region,
                vpc_id=self.network.vpc_id,
                subnet_ids=tuple(self.network.private_subnet_ids),
                log_retention_days=config.log_retention_days,
            ),
            cluster=self.cluster,
            database=self.database,
            egress=self.egress,
        )

    @property
    def _default_tags(self) -> dict[str, str]:
        config = self.config
        return {**config.tags, "project": PROJECT, "environment": config.name, "managed-by": "cdktf"}

    def _managed_cache(self, *clients: FargateService) -> ManagedCache:
        """ElastiCache (Valkey, IAM users), reachable from and granted to `clients`."""
        cache = ManagedCache(
            self,
            "cache",
            props=props_from_block(
                ManagedCacheProps,
                self.config.managed_cache,
                **self.config.stack_inputs,
                vpc_id=self.network.vpc_id,
                elasticache_subnet_group_name=self.network.elasticache_subnet_group_name,
            ),
        )
        for service in clients:
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

    def _backend(self) -> None:
        state = self.config.remote_state
        if state is None:
            # Local state next to the stack's JSON: works offline, fine for a sandbox.
            LocalBackend(self, path=f"terraform.{self.config.stack_name}.tfstate")
            return
        S3Backend(
            self,
            bucket=state.bucket,
            key=state.key,
            region=self.config.state_region,
            encrypt=True,
            kms_key_id=state.kms_key_id,
        )
        # cdktf 0.21's S3Backend predates S3 native locking (Terraform >= 1.10), so the
        # argument is written directly; no DynamoDB lock table is needed.
        self.add_override("terraform.backend.s3.use_lockfile", state.use_lockfile)

    def _outputs(self) -> None:
        network = self.network
        for name, value, description in (
            ("vpc_id", network.vpc_id, "VPC id"),
            ("availability_zones", network.availability_zones, "AZ names, in subnet order"),
            ("public_subnet_ids", network.public_subnet_ids, "Public subnets (load balancers, NAT)"),
            ("private_subnet_ids", network.private_subnet_ids, "Private subnets (tasks)"),
            ("data_subnet_ids", network.data_subnet_ids, "Data subnets (no route out of the VPC)"),
            ("db_subnet_group_name", network.db_subnet_group_name, "RDS/DocumentDB subnet group"),
            ("elasticache_subnet_group_name", network.elasticache_subnet_group_name, "ElastiCache subnet group"),
            ("load_balancer_dns_name", self.load_balancer.dns_name, "Public load balancer (behind the API hosts)"),
            ("frontend_bucket_name", self.frontend.bucket_name, "Where the frontend build is uploaded"),
            ("frontend_distribution_id", self.frontend.distribution_id, "CloudFront distribution to invalidate"),
            ("ecs_cluster_name", self.cluster.name, "ECS cluster of every service"),
            ("alarm_topic_arn", self.observability.topic.arn, "SNS topic every alarm notifies"),
            ("dashboard_name", self.observability.dashboard.name, "CloudWatch dashboard of the environment"),
        ):
            TerraformOutput(self, name, value=value, description=description)
        for service in SERVICES:
            TerraformOutput(
                self,
                f"{service}_repository_url",
                value=self.repositories[service].repository_url,
                description=f"Where the pipeline pushes {service} images",
            )
            TerraformOutput(
                self,
                f"{service}_image_tag_parameters",
                value=self.services[service].image_tag_parameters,
                description=f"SSM parameter per colour holding the {service} image tag (README: Deploying an image)",
            )
            TerraformOutput(
                self,
                f"{service}_ecs_services",
                value=self.services[service].service_names,
                description=f"ECS service per colour running {service}",
            )
        self._database_outputs()
        if self.redis_cluster is not None:
            TerraformOutput(
                self,
                "redis_cluster_startup_nodes",
                value=self.redis_cluster.startup_nodes,
                description="Redis Cluster nodes (ip:port,...) the services start from (CACHE_CLUSTER_NODES)",
            )
        if self.websocket_api is not None:
            TerraformOutput(
                self,
                "websocket_url",
                value=f"wss://{self.websocket_api.host_name}",
                description="Where clients open their WebSocket (API Gateway)",
            )

    def _database_outputs(self) -> None:
        """What `make db-bootstrap` (ops/db_bootstrap.py) and the runbook need to start the
        admin task, and the master secret (its rotation in the runbook)."""
        TerraformOutput(
            self,
            "database_master_secret_arn",
            value=self.database.secret_arn,
            description="RDS-managed master user secret (username, password); read by the admin task only",
        )
        admin = self.database_admin
        if admin is None:
            return
        for name, value, description in (
            ("db_admin_task_definition_arn", admin.task_definition_arn, "One-off psql task (make db-bootstrap)"),
            ("db_admin_container_name", admin.container_name, "The admin task's container (command overrides)"),
            ("db_admin_subnet_ids", list(admin.subnet_ids), "Subnets the admin task runs in (no public IP)"),
            ("db_admin_security_group_id", admin.security_group_id, "The admin task's security group"),
            ("db_admin_log_group_name", admin.log_group_name, "psql output (stream psql/psql/<task id>)"),
        ):
            TerraformOutput(self, name, value=value, description=description)


def build_app(configs: Iterable[EnvironmentConfig], outdir: str | None = None) -> App:
    """An App holding one ChatStack per config (not yet synthesized)."""
    app = App(outdir=outdir) if outdir else App()
    for config in configs:
        ChatStack(app, config)
    return app
