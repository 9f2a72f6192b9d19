"""ManagedCache: ElastiCache for Valkey (or Redis OSS) behind the platform's realtime tier.

- One replication group (cluster mode off: the Socket.IO Redis adapter's PUBLISH reaches
  every subscriber of one primary), or two when `split_pubsub_and_state` is on: one for
  the adapter's pub/sub, one for presence and session keys.
- TLS required in transit (no plaintext connection is accepted), encryption at rest and
  of snapshots with the cache's customer-managed key.
- Authentication with IAM through RBAC: one ElastiCache user for the application whose
  credential is a short-lived SigV4 token (README: "Connecting"), and a disabled user
  named "default" that replaces AWS's open default user. No password exists anywhere:
  not in the JSON, not in the state, not in Secrets Manager.
- Multi-AZ with automatic failover and replicas per environment; daily snapshots kept
  `snapshot_retention_days`, outside the weekly maintenance window; a final snapshot and
  prevent_destroy with deletion protection.
- Slow and engine logs (JSON) to CloudWatch log groups encrypted with their own key.
- A security group of its own that nothing reaches until `allow_from(service)` is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from bindings.aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from bindings.aws.elasticache_parameter_group import (
    ElasticacheParameterGroup,
    ElasticacheParameterGroupParameter,
)
from bindings.aws.elasticache_replication_group import (
    ElasticacheReplicationGroup,
    ElasticacheReplicationGroupLogDeliveryConfiguration,
)
from bindings.aws.elasticache_user import ElasticacheUser, ElasticacheUserAuthenticationMode
from bindings.aws.elasticache_user_group import ElasticacheUserGroup
from constructs import Construct

from bindings.cdk import TerraformResourceLifecycle
from modules.backup.supported import BackupTarget
from modules.cache.alarms import cache_watch
from modules.cache.engines import Role, cache_parameters, parameter_group_family
from modules.cache.props import ManagedCacheProps
from modules.common.key_policies import service_uses_key_statement
from modules.common.log_groups import encrypted_log_group, log_group_arn, log_group_key
from modules.common.policy import policy_document, policy_statement
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.common.store_keys import module_store_key
from modules.common.waivers import waive
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch
from modules.security_groups import SecurityGroup, SecurityGroupProps

# The port Valkey and Redis OSS listen on; TLS is on the same port.
CACHE_PORT = 6379

# The ElastiCache RBAC objects use the "redis" engine whatever the cache runs: a user
# group of engine "valkey" may only hold users that authenticate (password or IAM), so it
# cannot hold the disabled "default" user every user group must contain, and a "redis"
# user group is accepted by Valkey and Redis OSS replication groups alike.
RBAC_ENGINE = "redis"
# Every user group must contain a user named "default": AWS's own (id "default") lets
# anyone in with every command and no password. This replacement is switched off and
# allowed nothing, so the only way in is the application's IAM-authenticated user.
DEFAULT_USER_NAME = "default"
DISABLED_ACCESS_STRING = "off -@all"

# Slow-log and engine-log, the two log types ElastiCache delivers (max two per group).
LOG_TYPES: tuple[str, ...] = ("slow-log", "engine-log")

# CloudWatch Logs' log delivery service writes vended logs (ElastiCache's) into log groups.
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"


@dataclass(frozen=True)
class CacheGroupRef:
    """What the services need of one replication group."""

    replication_group_id: str
    arn: str
    primary_endpoint: str
    reader_endpoint: str


class ManagedCache(Construct):
    """ElastiCache for Valkey or Redis OSS: TLS, CMK, IAM auth, Multi-AZ, snapshots, logs.

    Typed outputs (attributes): primary_endpoint, reader_endpoint (None when split),
    pubsub_primary_endpoint, pubsub_reader_endpoint, state_primary_endpoint,
    state_reader_endpoint (the one group's when not split), port, security_group,
    user_name, user_arn, arn (None when split), arns, replication_group_ids, groups,
    kms_key_arn, log_group_names.

    Helpers: allow_from(source) (a service's security group may reach the port),
    grant_connect(grantee) (elasticache:Connect as the application's user).

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (its alarms, alarms.py).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ManagedCacheProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self._context = module_context(self, props)
        self._partition = self._context.partition
        self._account_id = self._context.account_id

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=f"{props.name}-cache",
                vpc_id=props.vpc_id,
                # Engine-neutral: AWS cannot change a group's description, and a move from
                # Redis OSS to Valkey should not replace the group.
                description=f"ElastiCache nodes (Valkey or Redis OSS), TLS on {CACHE_PORT}",
                port=CACHE_PORT,
                tags=dict(props.tags),
            ),
        )
        self.kms_key_arn: str = self._data_key()
        self._log_key_arn = self._log_key()
        self.user_name: str = f"{props.name}-app"
        self._users()

        roles: tuple[Role, ...] = ("pubsub", "state") if props.split_pubsub_and_state else ("shared",)
        self.log_group_names: list[str] = []
        self._log_group_arns: list[str] = []
        self.groups: dict[str, CacheGroupRef] = {role: self._replication_group(role) for role in roles}
        self._log_delivery_policy()

        # Split: the pubsub and state groups; else both are the shared one.
        pubsub = self.groups["pubsub" if "pubsub" in self.groups else "shared"]
        state = self.groups["state" if "state" in self.groups else "shared"]
        shared = self.groups.get("shared")
        self.primary_endpoint: str | None = shared.primary_endpoint if shared else None
        self.reader_endpoint: str | None = shared.reader_endpoint if shared else None
        self.arn: str | None = shared.arn if shared else None
        self.pubsub_primary_endpoint: str = pubsub.primary_endpoint
        self.pubsub_reader_endpoint: str = pubsub.reader_endpoint
        self.state_primary_endpoint: str = state.primary_endpoint
        self.state_reader_endpoint: str = state.reader_endpoint
        self.port: int = CACHE_PORT
        self.arns: list[str] = [group.arn for group in self.groups.values()]
        self.replication_group_ids: list[str] = [group.replication_group_id for group in self.groups.values()]

    # -- wiring helpers ------------------------------------------------------------

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """None: AWS Backup does not back ElastiCache up (its own snapshots do, props.snapshot_retention_days)."""
        return ()

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        """Per replication group, every node (alarms.py)."""
        return tuple(
            cache_watch(thresholds, replication_group_id=group.replication_group_id, node_count=self.props.node_count)
            for group in self.groups.values()
        )

    def allow_from(self, source: SecurityGroup) -> None:
        """Let the members of `source` (a service's tasks) open connections to the cache port."""
        self.security_group.allow_from(source, f"Cache (TLS on {CACHE_PORT}) from {source.name}")

    def grant_connect(self, grantee: Grantee) -> None:
        """Let `grantee` sign IAM authentication tokens for the application's user on this cache.

        elasticache:Connect is checked on both the replication group and the user, so the
        statement names exactly those ARNs (README: "Connecting").
        """
        grantee.add_to_policy(
            policy_statement(
                f"ConnectTo{sid_part(self.props.name)}Cache",
                ["elasticache:Connect"],
                [*self.arns, self.user_arn],
            )
        )

    # -- pieces --------------------------------------------------------------------

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _data_key(self) -> str:
        """The given key, or a key of this cache's own (kept from destroy under deletion
        protection: a deleted key makes every snapshot it encrypted unreadable)."""
        props = self.props
        key, key_arn = module_store_key(
            self,
            props,
            self._context,
            data_domain="cache",
            description=f"{props.name} cache: ElastiCache data at rest and snapshots",
        )
        if key is not None:
            # The one service the key serves. ElastiCache encrypts through grants it creates
            # for the principal that creates the replication group (kms:CreateGrant); this
            # names that use: through ElastiCache in this region, by this account's principals.
            key.add_to_key_policy(
                service_uses_key_statement(
                    "ElastiCacheUsesKeyForThisAccount",
                    service="elasticache",
                    region=props.region,
                    partition=self._partition,
                    account_id=self._account_id,
                )
            )
        return key_arn

    def _log_group_name(self, role: Role, log_type: str) -> str:
        return f"/chat-infra/{self.props.name}/elasticache/{role}/{log_type}"

    def _log_key(self) -> str:
        """One key for every log group of this cache (not the data key: who may read slow
        logs is not who may decrypt the cache's snapshots)."""
        props = self.props
        return log_group_key(
            self,
            "log",
            region=props.region,
            partition=self._partition,
            account_id=self._account_id,
            # A pattern (ArnLike): the log groups of this cache only.
            group_arn=log_group_arn(
                self._partition, props.region, self._account_id, f"/chat-infra/{props.name}/elasticache/*"
            ),
            log_group_label="CacheLogGroups",
            description=f"{props.name} cache: ElastiCache slow and engine logs",
            alias=f"alias/{props.name}/cache-logs",
            tags=self._tags(f"{props.name}-cache-logs"),
        )

    def _users(self) -> None:
        props = self.props
        # IAM authentication needs the user id and the user name to be the same.
        self.application_user = ElasticacheUser(
            self,
            "application_user",
            user_id=self.user_name,
            user_name=self.user_name,
            engine=RBAC_ENGINE,
            access_string=props.application_access_string,
            authentication_mode=ElasticacheUserAuthenticationMode(type="iam"),
            tags=self._tags(self.user_name),
        )
        # no_password_required without an authentication_mode block: ElastiCache reads the
        # mode back as "no-password", never as the "no-password-required" it is written as,
        # so the block would show as a change on every plan.
        self.default_user = ElasticacheUser(
            self,
            "default_user",
            user_id=f"{props.name}-default-off",
            user_name=DEFAULT_USER_NAME,
            engine=RBAC_ENGINE,
            access_string=DISABLED_ACCESS_STRING,
            no_password_required=True,
            tags=self._tags(f"{props.name}-default-off"),
        )
        self.user_group = ElasticacheUserGroup(
            self,
            "user_group",
            user_group_id=f"{props.name}-cache-users",
            engine=RBAC_ENGINE,
            user_ids=[self.default_user.user_id, self.application_user.user_id],
            tags=self._tags(f"{props.name}-cache-users"),
        )
        self.user_arn: str = self.application_user.arn

    def _replication_group(self, role: Role) -> CacheGroupRef:
        props = self.props
        group_id = f"{props.name}-cache" if role == "shared" else f"{props.name}-{role}"
        version = props.resolved_engine_version
        parameter_group = ElasticacheParameterGroup(
            self,
            f"{role}_parameter_group",
            # The family is part of the name: a new major version (or engine) needs a new
            # group, created beside the old one, which the replication group still uses
            # until it moves over; only then is the old one deleted.
            name=f"{group_id}-{parameter_group_family(props.engine, version)}",
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            family=parameter_group_family(props.engine, version),
            description=f"{group_id}: Socket.IO {role} parameters",
            parameter=[
                ElasticacheParameterGroupParameter(name=name, value=value)
                for name, value in sorted(cache_parameters(role).items())
            ],
            tags=self._tags(group_id),
        )
        log_delivery = []
        for log_type in LOG_TYPES:
            name = self._log_group_name(role, log_type)
            group = encrypted_log_group(
                self,
                f"{role}_{log_type.replace('-', '_')}_group",
                name=name,
                retention_days=props.log_retention_days,
                kms_key_arn=self._log_key_arn,
                tags=self._tags(name),
                short_retention_reason=(
                    f"ElastiCache {log_type}s kept {props.log_retention_days} days by this environment's choice "
                    "(log_retention_days): they are diagnostics of latency and failovers, and slow-log entries "
                    "carry command arguments (keys, session ids) that should not be kept longer than needed."
                ),
            )
            self.log_group_names.append(name)
            self._log_group_arns.append(log_group_arn(self._partition, props.region, self._account_id, name))
            log_delivery.append(
                ElasticacheReplicationGroupLogDeliveryConfiguration(
                    destination=group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
            )
        failover = props.automatic_failover
        replication_group = ElasticacheReplicationGroup(
            self,
            f"{role}_replication_group",
            replication_group_id=group_id,
            description=f"{props.name} Socket.IO {role} cache",
            engine=props.engine,
            engine_version=version,
            node_type=props.node_type,
            port=CACHE_PORT,
            # Cluster mode off (num_cache_clusters, not node groups): one primary that every
            # realtime task subscribes to, so an adapter PUBLISH reaches all of them at once.
            num_cache_clusters=props.node_count,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            parameter_group_name=parameter_group.name,
            subnet_group_name=props.elasticache_subnet_group_name,
            security_group_ids=[self.security_group.security_group_id],
            at_rest_encryption_enabled="true",
            kms_key_id=self.kms_key_arn,
            # "required": TLS on every connection, plaintext refused (checkov's CKV_AWS_30
            # reads transit_encryption_enabled; "preferred" would still accept plaintext).
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            user_group_ids=[self.user_group.user_group_id],
            snapshot_retention_limit=props.snapshot_retention_days,
            snapshot_window=props.snapshot_window,
            maintenance_window=props.maintenance_window,
            final_snapshot_identifier=f"{group_id}-final" if props.deletion_protection else None,
            # Patch releases (security fixes) arrive in the maintenance window on their own.
            auto_minor_version_upgrade="true",
            log_delivery_configuration=log_delivery,
            tags=self._tags(
                group_id,
                Role=role,
                # Read by the gate (CKV_CHAT_31, CKV_CHAT_32): a protected group must fail over
                # and keep snapshots. Provider default tags are invisible to resource checks.
                DeletionProtection=str(props.deletion_protection).lower(),
            ),
        )
        if props.deletion_protection:
            replication_group.add_override("lifecycle.prevent_destroy", True)
        if not failover:
            waive(
                replication_group,
                "CKV2_AWS_50",
                "Automatic failover is off by this environment's choice (automatic_failover = false, "
                f"{props.replicas} replicas): a non-production cache whose loss only disconnects "
                "realtime clients until the node is replaced; the gate's CKV_CHAT_31 requires failover "
                "wherever deletion protection is on.",
            )
        return CacheGroupRef(
            replication_group_id=group_id,
            arn=replication_group.arn,
            primary_endpoint=replication_group.primary_endpoint_address,
            reader_endpoint=replication_group.reader_endpoint_address,
        )

    def _log_delivery_policy(self) -> None:
        """Let CloudWatch Logs' log delivery write ElastiCache's logs into these groups only.

        Without it AWS adds the permission itself, to a resource policy of its own that no
        stack manages (the account has 10 resource policies per region at most).
        """
        document = policy_document(
            self,
            "log_delivery_policy_document",
            [
                policy_statement(
                    "LogDeliveryWritesCacheLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [f"{arn}:*" for arn in self._log_group_arns],
                    principal=("Service", [LOG_DELIVERY_SERVICE]),
                    conditions=[
                        ("StringEquals", "aws:SourceAccount", [self._account_id]),
                        (
                            "ArnLike",
                            "aws:SourceArn",
                            [f"arn:{self._partition}:logs:{self.props.region}:{self._account_id}:*"],
                        ),
                    ],
                )
            ],
        )
        CloudwatchLogResourcePolicy(
            self,
            "log_delivery_policy",
            policy_name=f"{self.props.name}-cache-log-delivery",
            policy_document=document.json,
        )
