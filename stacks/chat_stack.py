"""One TerraformStack per environment file."""

from __future__ import annotations

from collections.abc import Iterable

from cdktf import App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from envconfig import EnvironmentConfig
from modules.common.inputs import props_from_block
from modules.dns import Domain, DomainProps
from modules.dns.names import CLOUDFRONT_HOSTED_ZONE_ID
from modules.frontend import Frontend, FrontendProps
from modules.load_balancer import LoadBalancer, LoadBalancerProps, RoutedService
from modules.network import Network, NetworkProps
from modules.waf import WebAcl, WebAclProps
from modules.waf.props import CLOUDFRONT_REGION

PROJECT = "chat-infra"

# What the load balancer routes, and to which container port. The compute issue's
# services listen on these ports; they live here until those modules exist.
ROUTED_SERVICES = (
    RoutedService(
        name="api",
        port=8080,
        path_patterns=("/api/*",),
        priority=100,
        health_check_path="/api/health",
        # REST calls vary in cost; the least busy task takes the next one.
        load_balancing_algorithm="least_outstanding_requests",
    ),
    RoutedService(
        name="realtime",
        port=3000,
        path_patterns=("/socket.io/*",),
        priority=200,
        health_check_path="/health",
        # Socket.IO's long-polling fallback keeps a session on the task that opened it.
        sticky=True,
        deregistration_delay_seconds=60,
    ),
)


class ChatStack(TerraformStack):
    """Everything one environment runs, wired from its validated config."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.stack_name)
        self.config = config
        AwsProvider(
            self,
            "aws",
            region=config.region,
            allowed_account_ids=[config.account_id] if config.account_id else None,
            default_tags=[AwsProviderDefaultTags(tags=self._default_tags)],
        )
        self._backend()
        # CDKTF writes the short form "aws"; spell out the registry namespace so a
        # reviewer (and `terraform init`) sees exactly which provider is pinned.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")

        self.network = Network(
            self, "network", props=props_from_block(NetworkProps, config.network, **config.stack_inputs)
        )
        self._edge()
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
                services=ROUTED_SERVICES,
                deletion_protection=config.deletion_protection,
            ),
        )
        self.regional_web_acl = WebAcl(self, "waf", props=props_from_block(WebAclProps, config.waf, **supplied))
        self.regional_web_acl.associate("alb", self.load_balancer.arn)
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
            ),
        )
        self.cloudfront_web_acl.protect("frontend", self.frontend.distribution_arn)
        for host in self.domain.api_host_names:
            self.domain.alias(host, self.load_balancer.dns_name, self.load_balancer.zone_id)
        for host in self.domain.frontend_host_names:
            self.domain.alias(
                host,
                self.frontend.distribution_domain_name,
                CLOUDFRONT_HOSTED_ZONE_ID,
                evaluate_target_health=False,
            )

    @property
    def _default_tags(self) -> dict[str, str]:
        config = self.config
        return {**config.tags, "project": PROJECT, "environment": config.name, "managed-by": "cdktf"}

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
        ):
            TerraformOutput(self, name, value=value, description=description)


def build_app(configs: Iterable[EnvironmentConfig], outdir: str | None = None) -> App:
    """An App holding one ChatStack per config (not yet synthesized)."""
    app = App(outdir=outdir) if outdir else App()
    for config in configs:
        ChatStack(app, config)
    return app
