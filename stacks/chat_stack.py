"""One TerraformStack per environment file."""

from __future__ import annotations

from collections.abc import Iterable

from cdktf import App, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from envconfig import EnvironmentConfig
from modules.common.inputs import props_from_block
from modules.network import Network, NetworkProps

PROJECT = "chat-infra"


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
            default_tags=[
                AwsProviderDefaultTags(
                    tags={
                        **config.tags,
                        "project": PROJECT,
                        "environment": config.name,
                        "managed-by": "cdktf",
                    }
                )
            ],
        )
        self._backend()
        # CDKTF writes the short form "aws"; spell out the registry namespace so a
        # reviewer (and `terraform init`) sees exactly which provider is pinned.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")

        self.network = Network(
            self, "network", props=props_from_block(NetworkProps, config.network, **config.stack_inputs)
        )
        self._outputs()

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
        ):
            TerraformOutput(self, name, value=value, description=description)


def build_app(configs: Iterable[EnvironmentConfig], outdir: str | None = None) -> App:
    """An App holding one ChatStack per config (not yet synthesized)."""
    app = App(outdir=outdir) if outdir else App()
    for config in configs:
        ChatStack(app, config)
    return app
