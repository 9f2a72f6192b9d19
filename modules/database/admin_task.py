"""DatabaseAdminTask: a one-off ECS task that runs psql against the primary as the RDS master user.

The services log in with IAM tokens as `api`, `realtime` and `worker`, through the proxy
that admits only those users; someone has to create those roles first, and run migrations
as the schema's owner. This task is that someone: a task definition (never a service) that
`make db-bootstrap ENV=<env>` (ops/db_bootstrap.py) starts with `ecs.run_task`.

- It connects straight to the primary (not the proxy, which stays IAM-only), from its own
  security group, which the primary's admits on 5432; nothing else gains access.
- ECS puts the master user's name and password from the RDS-managed secret into PGUSER and
  PGPASSWORD when the task starts (always the current password, whatever RDS rotated). Only
  the execution role may read the secret; the task has no task role, so psql runs with no
  AWS credentials at all.
- Hardened like the services (modules/compute/containers.py): non-root user, read-only root
  filesystem, every capability dropped, no privilege escalation, an init process; its own
  log group under the cluster's prefix, encrypted with the cluster's key.
- The container's entry point is psql itself, so a `command` override (a migration) can
  pass psql arguments and nothing else: no shell. The default command is the bootstrap
  (sql/bootstrap.sql), embedded at synth time: the SQL that runs is the one the plan showed
  and the reviewer approved, each change of it is a new task definition revision (kept:
  which SQL ran when stays answerable), and it is not bound by run_task's 8 KiB override
  limit.
"""

from __future__ import annotations

import json
import re

from bindings.aws.ecs_task_definition import (
    EcsTaskDefinition,
    EcsTaskDefinitionRuntimePlatform,
    EcsTaskDefinitionVolume,
)
from constructs import Construct

from modules.common.aws_arn import partition_for_region
from modules.common.log_groups import encrypted_log_group
from modules.common.policy import policy_statement
from modules.common.roles import ServiceRole
from modules.common.waivers import waive
from modules.compute.cluster import ComputeCluster
from modules.compute.service import HTTPS_PORT, ServiceEgress
from modules.database.admin_container import (
    CONTAINER_NAME,
    SCRATCH_VOLUMES,
    admin_container_definition,
    bootstrap_sql,
)
from modules.database.database import Database
from modules.database.props import DatabaseAdminTaskProps, default_admin_image
from modules.security_groups import SecurityGroup, SecurityGroupProps

_PRIVATE_ECR_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repository>[a-z0-9._/-]+)[:@]"
)


class DatabaseAdminTask(Construct):
    """The one-off psql task of a database (see the module docstring).

    Typed outputs (attributes): task_definition_arn, family, container_name, security_group,
    security_group_id, subnet_ids, execution_role, log_group_name, log_stream_prefix, image.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: DatabaseAdminTaskProps,
        cluster: ComputeCluster,
        database: Database,
        egress: ServiceEgress,
    ) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        name = f"{props.name}-db-admin"
        self.image: str = props.image or default_admin_image(database.props.engine_version)
        """The psql image the task runs: `props.image`, else the database major's (`default_admin_image`)."""
        private_image = _PRIVATE_ECR_RE.match(self.image)
        if private_image is None and not egress.internet_https:
            raise ValueError(
                f"{name} image: expected an image in this account's ECR when the network has no NAT (the task "
                f"could not pull a public image), got {self.image!r}"
            )

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=f"{props.name}-postgres-admin",
                vpc_id=props.vpc_id,
                description="Database admin tasks: psql as the master user, to the primary only",
                tags=dict(props.tags),
            ),
        )
        """`<name>-postgres-admin`: no ingress; egress to the primary and HTTPS only."""
        self.security_group_id: str = self.security_group.security_group_id
        """The task's group (for `run_task`'s awsvpcConfiguration); the primary admits it on 5432."""
        waive(
            self.security_group.security_group,
            "CKV2_AWS_5",
            "Used by one-off admin tasks that ops/db_bootstrap.py starts with ecs.run_task (its id is a stack "
            "output), not by any resource Terraform manages; it has no ingress at all.",
        )
        database.allow_admin_from(self.security_group)
        self._egress(egress)
        self.subnet_ids: tuple[str, ...] = props.subnet_ids
        """Where `run_task` places the task (`props.subnet_ids`)."""

        self.log_group_name: str = f"{cluster.log_group_prefix}/db-admin"
        """`/ecs/<cluster name>/db-admin`: psql's output."""
        self.log_stream_prefix: str = CONTAINER_NAME
        """awslogs names each task's stream `<prefix>/<container>/<task id>`."""
        encrypted_log_group(
            self,
            "log_group",
            name=self.log_group_name,
            retention_days=props.log_retention_days,
            kms_key_arn=cluster.kms_key_arn,
            tags={**props.tags, "Name": f"{name}-logs"},
            short_retention_reason=(
                f"psql output of {name} is kept {props.log_retention_days} days (the environment's "
                "log_retention_days), like the services' logs; what ran is also in the task definition "
                "revisions, which are never deleted, and DDL in the database's own log."
            ),
        )

        self.execution_role = ServiceRole(
            self,
            "execution_role",
            name=f"{name}-execution",
            service="ecs-tasks.amazonaws.com",
            description=f"ECS starts {name} tasks: pulls psql, writes its log, reads the master secret",
            account_id=cluster.account_id,
            source_arns=[f"arn:{cluster.partition}:ecs:{cluster.region}:{cluster.account_id}:*"],
            tags=dict(props.tags),
        )
        """`<name>-db-admin-execution`: pulls the image, writes the log, reads the master secret."""
        log_group_arn = cluster.log_group_arn(self.log_group_name)
        self.execution_role.add_to_policy(
            policy_statement("WriteAdminLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"])
        )
        if private_image is not None:
            self._grant_pull(private_image)
        # The execution role alone reads the secret (ECS fills PGUSER/PGPASSWORD with it).
        database.grant_read_secret(self.execution_role)

        self.container_name: str = CONTAINER_NAME
        """`psql`: the container a command override names."""
        self.family: str = name
        """`<name>-db-admin`: the task definition's family."""
        self.task_definition = EcsTaskDefinition(
            self,
            "task_definition",
            family=name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(props.cpu),
            memory=str(props.memory_mib),
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture=props.architecture
            ),
            execution_role_arn=self.execution_role.arn,
            # No task role: psql needs no AWS API, so the task gets no AWS credentials.
            volume=[EcsTaskDefinitionVolume(name=volume) for volume in SCRATCH_VOLUMES],
            container_definitions=json.dumps(
                [
                    admin_container_definition(
                        image=self.image,
                        host=database.endpoint,
                        port=database.port,
                        database_name=database.props.database_name,
                        secret_arn=database.secret_arn,
                        log_group_name=self.log_group_name,
                        region=props.region,
                        application_name=name,
                        sql=bootstrap_sql(),
                    )
                ]
            ),
            # Old revisions stay registered: which SQL ran when stays answerable.
            skip_destroy=True,
            tags={**props.tags, "Name": name},
        )
        self.task_definition_arn: str = self.task_definition.arn
        """The revision this apply registered (what `make db-bootstrap` runs)."""

    def _egress(self, egress: ServiceEgress) -> None:
        """What the task needs beyond the primary, as the services have it (ServiceEgress)."""
        group = self.security_group
        group.allow_egress_to_prefix_list(
            "s3",
            egress.s3_prefix_list_id,
            HTTPS_PORT,
            "HTTPS to S3 through the gateway endpoint",
            "A psql image copied to this account's ECR serves its layers from S3.",
        )
        if egress.endpoint_security_group_id is not None:
            group.allow_egress_to_group_id(
                "vpc-endpoints",
                egress.endpoint_security_group_id,
                HTTPS_PORT,
                "HTTPS to the interface VPC endpoints",
                "ECR, CloudWatch Logs and Secrets Manager (the master secret) without leaving the VPC.",
            )
        if egress.internet_https:
            group.allow_egress_to_cidr(
                "internet",
                "0.0.0.0/0",
                HTTPS_PORT,
                "HTTPS through NAT",
                "The public psql image, Secrets Manager and CloudWatch Logs answer on public addresses "
                "when the network has no interface endpoints; NAT is the only way out, and only 443 is open.",
            )

    def _grant_pull(self, image: re.Match[str]) -> None:
        """Pull rights for an image in this account's ECR (a public image needs none)."""
        partition = partition_for_region(image["region"])
        repository_arn = f"arn:{partition}:ecr:{image['region']}:{image['account']}:repository/{image['repository']}"
        self.execution_role.add_to_policy(
            # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            policy_statement("EcrAuthorization", ["ecr:GetAuthorizationToken"], ["*"]),
            policy_statement("PullAdminImage", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repository_arn]),
        )
