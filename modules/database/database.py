"""Database: RDS for PostgreSQL for the chat platform, with RDS Proxy, a read replica and nothing lost.

What it creates:
- a customer-managed key (unless one is given) for storage, Performance Insights, the
  RDS-managed master secret and the log groups;
- the log groups RDS and RDS Proxy write to, encrypted and with retention, created
  before the instance and the proxy (RDS would otherwise create them unencrypted and
  never expiring);
- a parameter group per instance, tuned for chat from the instance class and storage
  (modules/database/sizing.py), replaced before it is destroyed when that changes;
- the primary instance: gp3 with autoscaling, Multi-AZ per environment, IAM database
  authentication, Performance Insights and Enhanced Monitoring, TLS only;
- optionally RDS Proxy (TLS required, IAM from clients) and a read replica in another zone;
- with a `restore { }` input, a restored instance (a point in time or a snapshot of the
  primary) with the primary's settings, which the proxy, the replica and every endpoint
  move to, beside the original until `retire_original` removes it (README: Restoring);
- one security group per entry point: services reach the proxy when there is one, else
  the primary, and the replica; only the proxy (or the services) and the admin task
  (DatabaseAdminTask, modules/database/admin_task.py) reach the primary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup
from bindings.aws.db_instance import DbInstance, DbInstanceRestoreToPointInTime
from bindings.aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from bindings.aws.db_proxy import DbProxy, DbProxyAuth
from bindings.aws.db_proxy_default_target_group import (
    DbProxyDefaultTargetGroup,
    DbProxyDefaultTargetGroupConnectionPoolConfig,
)
from bindings.aws.db_proxy_target import DbProxyTarget
from constructs import Construct, IConstruct

from bindings.cdk import Fn, TerraformProvider, TerraformResourceLifecycle
from modules.backup.supported import BackupTarget
from modules.common.keys import ManagedKey
from modules.common.log_groups import encrypted_log_group, log_group_arn, logs_key_statement
from modules.common.policy import policy_statement
from modules.common.presence import present
from modules.common.restore import being_retired_reason
from modules.common.roles import Grantee, ServiceRole
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.common.store_keys import key_use_statement, module_store_key, new_module_key
from modules.common.waivers import waive
from modules.database.alarms import database_watch
from modules.database.props import DatabaseProps, DatabaseRestore, check_db_user
from modules.database.sizing import chat_parameters, memory_gib
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch
from modules.security_groups import SecurityGroup, SecurityGroupProps

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement

POSTGRES_PORT = 5432
# The newest RDS certificate authority with the widest client support (RSA 2048, valid to
# 2061); checkov's CKV_AWS_211 lists it among the current ones.
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
# The log types RDS for PostgreSQL exports: server log (connections, slow statements,
# DDL, errors) and the log of engine upgrades.
LOG_EXPORTS = ("postgresql", "upgrade")
# Performance Insights' free retention; longer history is a paid Database Insights tier.
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7
# Enhanced Monitoring's agent writes every instance's OS metrics to this one log group,
# which it creates (with its own 30-day retention) in each account and region.
ENHANCED_MONITORING_LOG_GROUP = "RDSOSMetrics"

# RDS Proxy's pool, for many short chat requests:
# - up to 90% of the instance's max_connections, leaving 10% for migrations, the master
#   user and monitoring that connect directly (AWS's default of 100% leaves none);
PROXY_MAX_CONNECTIONS_PERCENT = 90
# - half of those kept open while idle, so a burst of messages borrows warm connections
#   instead of paying PostgreSQL's connection setup (TLS + auth + a new backend process);
PROXY_MAX_IDLE_CONNECTIONS_PERCENT = 50
# - a request waits at most 30 s for a connection (AWS: 120 s): long enough to ride out a
#   proxied Multi-AZ failover, short enough that a user sees an error and the client
#   retries instead of thousands of queued requests piling up behind a stuck database.
PROXY_CONNECTION_BORROW_TIMEOUT_SECONDS = 30
# Session pinning filters are left off: EXCLUDE_VARIABLE_SETS would let one client's SET
# leak into another's session, a correctness risk for a few pinned sessions saved.

_NOT_PROTECTED = (
    "Deletion protection is off by this environment's choice (deletion_protection = false): a "
    "non-production database is torn down with its stack and its data is disposable."
)

_BEING_RETIRED = being_retired_reason("instance", "its final snapshot and automated backups are")


class Database(Construct):
    """RDS for PostgreSQL: the primary, optionally RDS Proxy and a read replica.

    Typed outputs (attributes): endpoint, port, writer_endpoint, reader_endpoint,
    proxy_endpoint, secret_arn, secret_kms_key_arn, kms_key_arn, resource_id, identifier,
    original_identifier, restored_identifier, arn, security_group, security_group_id,
    proxy_security_group, replica_security_group, parameter_group_name, log_group_names,
    monitoring_role_arn.

    Helpers: allow_from (a service's security group may connect), allow_admin_from (the admin
    task's group may reach the primary directly), grant_connect (IAM database authentication
    as one database user), grant_read_secret (the master secret), replicate_automated_backups
    (to a second region, for region loss: construct ids backup_replica_key and
    automated_backups_replication).

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (its alarms, alarms.py).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: DatabaseProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        self._context = context
        self._partition = context.partition
        self._account_id = context.account_id
        self.original_identifier = f"{props.name}-postgres"
        restore = props.restore
        self.restored_identifier: str | None = (
            None if restore is None else self.original_identifier + restore.identifier_suffix()
        )
        self._keeps_original = restore is None or not restore.retire_original
        # The instance that serves: the restored one once there is a restore.
        self.identifier: str = self.restored_identifier or self.original_identifier
        self._replica_identifier = f"{props.name}-postgres-replica"
        self._proxy_name = f"{props.name}-postgres"

        # Each log group by the label of its construct ID ("<label>_log_group") and its writer.
        # The original's log groups outlive it (retire_original): they keep its logs for their retention.
        log_groups: dict[str, tuple[str, str]] = {
            kind: ("primary", f"/aws/rds/instance/{self.original_identifier}/{kind}") for kind in LOG_EXPORTS
        }
        if self.restored_identifier is not None:
            for kind in LOG_EXPORTS:
                log_groups[f"restored_{kind}"] = ("restored", f"/aws/rds/instance/{self.restored_identifier}/{kind}")
        if props.replica:
            for kind in LOG_EXPORTS:
                log_groups[f"replica_{kind}"] = ("replica", f"/aws/rds/instance/{self._replica_identifier}/{kind}")
        if props.proxy:
            log_groups["proxy"] = ("proxy", f"/aws/rds/proxy/{self._proxy_name}")

        self.key: ManagedKey | None
        self.key, self.kms_key_arn = module_store_key(
            self,
            props,
            context,
            data_domain="postgres",
            description=f"{props.name} PostgreSQL: storage, snapshots, Performance Insights, master secret, logs",
        )
        if self.key is not None:
            # RDS, Performance Insights and Secrets Manager use the key on the caller's behalf
            # (grants, kms:ViaService) under the account-root statement; CloudWatch Logs
            # encrypts as itself, so it is named, for each of these log groups only.
            self.key.add_to_key_policy(
                *(
                    logs_key_statement(
                        sid_part(f"{label}_logs"),
                        props.region,
                        log_group_arn(self._partition, props.region, self._account_id, name),
                    )
                    for label, (_, name) in log_groups.items()
                )
            )
        self.secret_kms_key_arn: str = self.kms_key_arn
        created_groups: dict[str, list[CloudwatchLogGroup]] = {}
        for label, (writer, name) in log_groups.items():
            created_groups.setdefault(writer, []).append(self._log_group(f"{label}_log_group", name))
        self.log_group_names: tuple[str, ...] = tuple(name for _, name in log_groups.values())

        self.security_group = self._security_group("security_group", "postgres", "PostgreSQL primary instance")
        self.security_group_id: str = self.security_group.security_group_id
        self.proxy_security_group: SecurityGroup | None = None
        self.replica_security_group: SecurityGroup | None = None
        if props.proxy:
            self.proxy_security_group = self._security_group(
                "proxy_security_group", "postgres-proxy", "RDS Proxy in front of the PostgreSQL primary"
            )
            # With a proxy, it alone reaches the primary (services reach the proxy).
            self.security_group.allow_from(self.proxy_security_group, "PostgreSQL from the RDS Proxy")
            waive(
                self.proxy_security_group.security_group,
                "CKV2_AWS_5",
                "Attached to the RDS Proxy (aws_db_proxy.vpc_security_group_ids), a resource type checkov's "
                "list of security-group users does not include; the module's tests follow the reference.",
            )
        if props.replica:
            self.replica_security_group = self._security_group(
                "replica_security_group", "postgres-replica", "PostgreSQL read replica"
            )

        self.monitoring_role = self._monitoring_role()
        self.monitoring_role_arn: str = self.monitoring_role.arn

        self.parameter_group = self._parameter_group("parameter_group", props.instance_class, "primary")
        self.parameter_group_name: str = self.parameter_group.name
        self.original_instance: DbInstance | None = None
        if self._keeps_original:
            # Construct id "this", whatever is restored: a moved id would replace the original.
            self.original_instance = self._primary(
                "this",
                self.original_identifier,
                created_groups["primary"],
                None,
                unprotected=restore is not None and restore.unprotect_original,
            )
        self.restored_instance: DbInstance | None = None
        if restore is not None:
            self.restored_instance = self._primary("restored", self.identifier, created_groups["restored"], restore)
        serving = self.restored_instance or self.original_instance
        # Props refuse a restore block that retires the original without restoring: one is set.
        assert serving is not None, "neither the original nor a restored instance"
        self.instance: DbInstance = serving
        self.endpoint: str = self.instance.address
        self.port: int = POSTGRES_PORT
        self.arn: str = self.instance.arn
        self.resource_id: str = self.instance.resource_id
        self.secret_arn: str = self.instance.master_user_secret.get(0).secret_arn

        self.replica: DbInstance | None = None
        self.reader_endpoint: str | None = None
        if props.replica:
            self.replica = self._replica(created_groups["replica"])
            # RDS Proxy's read-only endpoints serve Aurora clusters only (a proxy in front of an
            # RDS instance fails every request sent to one), so readers go to the replica itself.
            self.reader_endpoint = self.replica.address

        self.proxy: DbProxy | None = None
        self.proxy_role: ServiceRole | None = None
        self.proxy_endpoint: str | None = None
        self._proxy_users: set[str] = set()
        if props.proxy:
            self.proxy = self._proxy(created_groups["proxy"])
            self.proxy_endpoint = self.proxy.endpoint
        self.writer_endpoint: str = self.proxy_endpoint or self.endpoint

    # -- helpers for other modules ---------------------------------------------------

    def replicate_automated_backups(self, provider: TerraformProvider) -> str:
        """Replicate the primary's automated backups (snapshots and transaction logs) to the
        region of `provider`, kept `backup_retention_days` there too, encrypted with a key of
        their own made in that region (a KMS key never leaves its region). Returns the
        replication's ARN. A restore there is point in time, to within minutes of the loss."""
        region = getattr(provider, "region", None)
        if not isinstance(region, str) or region == self.props.region:
            raise ValueError(
                f"replicate_automated_backups: expected a provider for a region other than {self.props.region!r}, "
                f"got one for {region!r}"
            )
        from bindings.aws.db_instance_automated_backups_replication import DbInstanceAutomatedBackupsReplication

        _, key_arn = new_module_key(
            self,
            self.props,
            self._context,
            construct_id="backup_replica_key",
            data_domain="postgres-backup-replica",
            description=f"{self.props.name} PostgreSQL automated backups replicated to {region}",
            provider=provider,
        )
        replication = DbInstanceAutomatedBackupsReplication(
            self,
            "automated_backups_replication",
            source_db_instance_arn=self.arn,
            kms_key_id=key_arn,
            retention_period=self.props.backup_retention_days,
            provider=provider,
        )
        return replication.id  # type: ignore[no-any-return]  # a provider attribute: Any to mypy (pyproject.toml)

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """The primary instance (the replica is rebuilt from it); after a restore, the restored
        one too, and the original while it is kept."""
        targets = []
        if self.original_instance is not None:
            targets.append(BackupTarget("database", self.original_instance.arn))
        if self.restored_instance is not None:
            targets.append(BackupTarget("database_restored", self.restored_instance.arn))
        return tuple(targets)

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        """The primary's CPU, storage, memory and connections against its class (sizing.py), the replica's lag."""
        return (
            database_watch(
                thresholds,
                identifier=self.identifier,
                memory_gib=memory_gib(self.props.instance_class),
                allocated_storage_gib=self.props.allocated_storage_gib,
                replica_identifier=self.replica.identifier if self.replica is not None else None,
            ),
        )

    def allow_from(self, source: SecurityGroup) -> None:
        """Let `source`'s members connect: to the proxy when there is one (else the primary),
        and to the replica when there is one."""
        front = self.proxy_security_group or self.security_group
        front.allow_from(source, f"PostgreSQL from {source.name}")
        if self.replica_security_group is not None:
            self.replica_security_group.allow_from(source, f"PostgreSQL reads from {source.name}")

    def allow_admin_from(self, source: SecurityGroup) -> None:
        """Let `source`'s members connect to the primary itself, past the proxy: for the admin
        task (DatabaseAdminTask), which logs in as the master user with its password, as the
        IAM-only proxy never admits it. Services use `allow_from`."""
        self.security_group.allow_from(source, f"PostgreSQL admin (master user) from {source.name}")

    def grant_connect(self, grantee: Grantee, db_user: str) -> None:
        """rds-db:connect as `db_user` (a role with rds_iam) through the proxy when there is
        one (else on the primary), and on the replica when there is one."""
        try:
            check_db_user(db_user)
            self._check_proxy_can_log_in_as(db_user)
        except ValueError as error:
            raise ValueError(f"{self.identifier}.grant_connect db_user: {error}") from None
        targets = [self._proxy_resource_id() if self.proxy is not None else self.resource_id]
        if self.replica is not None:
            targets.append(self.replica.resource_id)
        grantee.add_to_policy(
            policy_statement(
                f"ConnectTo{sid_part(self.identifier)}As{sid_part(db_user)}",
                ["rds-db:connect"],
                [self._db_user_arn(target, db_user) for target in targets],
            )
        )
        if self.proxy_role is not None and self.props.proxy_auth == "iam" and db_user not in self._proxy_users:
            # End-to-end IAM: the proxy logs in to the primary as the same user, with its role.
            self._proxy_users.add(db_user)
            self.proxy_role.add_to_policy(
                policy_statement(
                    f"ProxyConnectsAs{sid_part(db_user)}",
                    ["rds-db:connect"],
                    [self._db_user_arn(self.resource_id, db_user)],
                )
            )

    def _check_proxy_can_log_in_as(self, db_user: str) -> None:
        props = self.props
        master = props.master_username
        if props.proxy and props.proxy_auth == "secrets" and props.proxy_secret_arns is None and db_user != master:
            # With only the master secret, the proxy cannot log in as anyone else: the grant
            # would look right and every connection would fail.
            raise ValueError(
                f'expected {master!r}: the proxy holds the master secret only (proxy_auth = "secrets"), so '
                f'it can log in as no other user; use proxy_auth = "iam" or add the user\'s secret to '
                f"proxy_secret_arns, got {db_user!r}"
            )

    def grant_read_secret(self, grantee: Grantee) -> None:
        """Read the RDS-managed master secret, and decrypt it only through Secrets Manager."""
        grantee.add_to_policy(*self._secret_statements(f"{sid_part(self.identifier)}MasterSecret", [self.secret_arn]))

    # -- building blocks -------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _instance_arn(self, identifier: str) -> str:
        return f"arn:{self._partition}:rds:{self.props.region}:{self._account_id}:db:{identifier}"

    def _db_user_arn(self, resource_id: str, db_user: str) -> str:
        return f"arn:{self._partition}:rds-db:{self.props.region}:{self._account_id}:dbuser:{resource_id}/{db_user}"

    def _proxy_resource_id(self) -> str:
        # IAM names a proxy by its resource id ("prx-..."), the last part of its ARN.
        proxy = present(self.proxy, "the RDS Proxy (props.proxy)")
        return Fn.element(Fn.split(":", proxy.arn), 6)  # type: ignore[no-any-return]  # a CDK function: Any to mypy

    def _secret_statements(
        self, label: str, secret_arns: Sequence[str]
    ) -> tuple[DataAwsIamPolicyDocumentStatement, DataAwsIamPolicyDocumentStatement]:
        return (
            policy_statement(f"Read{label}", ["secretsmanager:GetSecretValue"], list(secret_arns)),
            key_use_statement(
                f"Decrypt{label}", ["kms:Decrypt"], self.kms_key_arn, service="secretsmanager", region=self.props.region
            ),
        )

    def _log_group(self, construct_id: str, name: str) -> CloudwatchLogGroup:
        days = self.props.log_retention_days
        return encrypted_log_group(
            self,
            construct_id,
            name=name,
            retention_days=days,
            kms_key_arn=self.kms_key_arn,
            tags=self._tags(name),
            short_retention_reason=(
                f"Database logs kept {days} days by this environment's choice (log_retention_days): they "
                "serve debugging (slow statements, connections, errors), and a year of them costs more "
                "than a non-production database is worth."
            ),
        )

    def _security_group(self, construct_id: str, suffix: str, description: str) -> SecurityGroup:
        name = f"{self.props.name}-{suffix}"
        return SecurityGroup(
            self,
            construct_id,
            props=SecurityGroupProps(
                name=name,
                vpc_id=self.props.vpc_id,
                description=description,
                port=POSTGRES_PORT,
                tags=dict(self.props.tags),
            ),
        )

    def _monitoring_role(self) -> ServiceRole:
        props = self.props
        role = ServiceRole(
            self,
            "monitoring_role",
            name=f"{props.name}-postgres-monitoring",
            service="monitoring.rds.amazonaws.com",
            description="Lets RDS Enhanced Monitoring publish OS metrics of this module's instances",
            account_id=self._account_id,
            # AWS's confused-deputy guidance for this role: only these instances' monitoring.
            source_arns=[self._instance_arn(self.original_identifier)]
            + ([self._instance_arn(self._replica_identifier)] if props.replica else [])
            + ([self._instance_arn(self.restored_identifier)] if self.restored_identifier else []),
            tags=self._tags(f"{props.name}-postgres-monitoring"),
        )
        # What AWS's AmazonRDSEnhancedMonitoringRole allows (unchanged since 2015), narrowed
        # from log-group:RDS* in every region and account to the one group the agent
        # writes, in this region and account.
        group = log_group_arn(self._partition, props.region, self._account_id, ENHANCED_MONITORING_LOG_GROUP)
        role.add_to_policy(
            policy_statement("CreateOsMetricsLogGroup", ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], [group]),
            policy_statement(
                "WriteOsMetricsLogStreams",
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
                [f"{group}:log-stream:*"],
            ),
        )
        return role

    def _parameter_group(self, construct_id: str, instance_class: str, role: str) -> DbParameterGroup:
        props = self.props
        parameters = chat_parameters(
            instance_class=instance_class,
            allocated_storage_gib=props.allocated_storage_gib,
            engine_version=props.engine_version,
            slow_query_ms=props.slow_query_log_ms,
        )
        return DbParameterGroup(
            self,
            construct_id,
            # A prefix, not a name, and replaced before it is destroyed: RDS cannot delete a
            # group an instance uses, so a change that replaces the group (a new family or
            # description) creates the new one, moves the instance, then deletes the old one.
            name_prefix=f"{props.name}-postgres{props.engine_version}-{role}-",
            family=f"postgres{props.engine_version}",
            description=(
                f"{props.name} PostgreSQL {props.engine_version} {role}, tuned for {instance_class} "
                f"({memory_gib(instance_class)} GiB)"
            ),
            parameter=[
                DbParameterGroupParameter(name=p.name, value=p.value, apply_method=p.apply_method) for p in parameters
            ],
            tags=self._tags(f"{props.name}-postgres-{role}"),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )

    def _shared_settings(self) -> dict[str, Any]:
        """What the primary and the replica share: encryption, monitoring, logs, TLS, IAM auth."""
        props = self.props
        return {
            "storage_type": "gp3",
            "storage_encrypted": True,
            "kms_key_id": self.kms_key_arn,
            "max_allocated_storage": props.max_allocated_storage_gib,
            "port": POSTGRES_PORT,
            # IPv4 only (the default): the network module's subnets have no IPv6 ranges.
            "publicly_accessible": False,
            "iam_database_authentication_enabled": True,
            "ca_cert_identifier": CA_CERT_IDENTIFIER,
            "auto_minor_version_upgrade": True,
            "copy_tags_to_snapshot": True,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": self.kms_key_arn,
            "performance_insights_retention_period": PERFORMANCE_INSIGHTS_RETENTION_DAYS,
            "monitoring_interval": props.monitoring_interval_seconds,
            "monitoring_role_arn": self.monitoring_role.arn,
            "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS),
            "apply_immediately": props.apply_immediately,
        }

    def _restore_source(self, restore: DatabaseRestore | None) -> dict[str, object]:
        """How an instance starts: empty (the original), or restored from a point in time or a snapshot."""
        props = self.props
        if restore is None:
            return {"db_name": props.database_name, "username": props.master_username}
        # A restore takes the database and the master user from its source: naming them again
        # would be refused (a snapshot) or ignored (a point in time).
        if restore.from_snapshot is not None:
            return {"snapshot_identifier": restore.from_snapshot}
        return {
            "restore_to_point_in_time": DbInstanceRestoreToPointInTime(
                # A literal, not a reference to the original: it stays the same when
                # retire_original removes that instance from the configuration.
                source_db_instance_identifier=restore.source or self.original_identifier,
                restore_time=restore.to_point_in_time,
                use_latest_restorable_time=True if restore.latest else None,
            )
        }

    def _primary(
        self,
        construct_id: str,
        identifier: str,
        log_groups: Sequence[CloudwatchLogGroup],
        restore: DatabaseRestore | None,
        unprotected: bool = False,
    ) -> DbInstance:
        """A primary instance: the original (empty at creation) or a restored one, with the same
        settings. `unprotected`: the original on its way out (restore.unprotect_original)."""
        props = self.props
        protected = props.deletion_protection and not unprotected
        # The role's policy must exist before RDS first assumes the role.
        monitoring_policy = self.monitoring_role.node.find_child("policy")
        instance = DbInstance(
            self,
            construct_id,
            identifier=identifier,
            engine="postgres",
            engine_version=props.engine_version,
            allow_major_version_upgrade=False,
            instance_class=props.instance_class,
            allocated_storage=props.allocated_storage_gib,
            db_subnet_group_name=props.db_subnet_group_name,
            **self._restore_source(restore),
            # RDS generates the password, keeps it in Secrets Manager under this key and
            # rotates it: no password in the configuration, the plan or the state.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.kms_key_arn,
            vpc_security_group_ids=[self.security_group_id],
            multi_az=props.multi_az,
            # Single-AZ, the instance sits in the first zone; Multi-AZ, RDS places the primary
            # and the standby itself (AWS refuses a zone for a Multi-AZ instance).
            availability_zone=None if props.multi_az else props.availability_zones[0],
            parameter_group_name=self.parameter_group.name,
            backup_retention_period=props.backup_retention_days,
            backup_window=props.backup_window,
            maintenance_window=props.maintenance_window,
            deletion_protection=protected,
            skip_final_snapshot=props.skip_final_snapshot,
            final_snapshot_identifier=None if props.skip_final_snapshot else f"{identifier}-final-snapshot",
            # Protected, the automated backups outlive the instance for their retention period
            # (the environment's choice: an original being retired keeps them too).
            delete_automated_backups=not props.deletion_protection,
            tags=self._tags(identifier),
            depends_on=[*log_groups, monitoring_policy],
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protected else None,
            **self._shared_settings(),
        )
        if unprotected and props.deletion_protection:
            waive(instance, "CKV_AWS_293", _BEING_RETIRED)
            waive(instance, "CKV_CHAT_11", _BEING_RETIRED)
        elif not protected:
            waive(instance, "CKV_AWS_293", _NOT_PROTECTED)
            waive(instance, "CKV_CHAT_11", _NOT_PROTECTED + " The final snapshot is the environment's choice too.")
        if not props.multi_az:
            waive(
                instance,
                "CKV_AWS_157",
                "Single-AZ by this environment's choice (multi_az = false): a zone outage may stop a "
                "non-production database; the standby would double its price.",
            )
        return instance

    def _replica(self, log_groups: Sequence[CloudwatchLogGroup]) -> DbInstance:
        props = self.props
        replica_class = props.replica_class
        parameter_group = self._parameter_group("replica_parameter_group", replica_class, "replica")
        replica = DbInstance(
            self,
            "replica",
            identifier=self._replica_identifier,
            # In the same region the replica takes its source's subnet group (the provider
            # refuses one here unless the source is named by ARN, i.e. in another region).
            replicate_source_db=self.instance.identifier,
            instance_class=replica_class,
            vpc_security_group_ids=[present(self.replica_security_group, "the replica's group").security_group_id],
            multi_az=False,
            # The primary is Multi-AZ (a replica requires it) and RDS places it and its
            # standby; the replica takes the last zone, the one a three-zone network keeps
            # apart from at least one of them.
            availability_zone=props.availability_zones[-1],
            parameter_group_name=parameter_group.name,
            backup_retention_period=0,
            deletion_protection=False,
            # RDS takes no final snapshot of a replica: its data is the primary's.
            skip_final_snapshot=True,
            tags=self._tags(self._replica_identifier),
            depends_on=[*log_groups],
            **self._shared_settings(),
        )
        waive(
            replica,
            "CKV_AWS_157",
            "A read replica is not the high-availability copy: the primary's Multi-AZ standby is. If the "
            "replica's zone fails, readers fall back to the writer endpoint until RDS replaces it.",
        )
        waive(
            replica,
            "CKV_AWS_293",
            "The replica holds only copies of the primary's data (which has deletion protection, a final "
            "snapshot and backups); removing it must stay a one-step change of the environment file.",
        )
        waive(
            replica,
            "CKV_AWS_133",
            "Backups of a read replica would store the primary's data twice: the primary's automated "
            "backups and point-in-time recovery cover it, and a lost replica is rebuilt from the primary.",
        )
        return replica

    def _proxy(self, log_groups: Sequence[CloudwatchLogGroup]) -> DbProxy:
        props = self.props
        self.proxy_role = ServiceRole(
            self,
            "proxy_role",
            name=f"{props.name}-postgres-proxy",
            service="rds.amazonaws.com",
            description="Lets RDS Proxy log in to this module's PostgreSQL primary",
            account_id=self._account_id,
            tags=self._tags(f"{props.name}-postgres-proxy"),
        )
        auth: list[DbProxyAuth] | None = None
        depends_on: list[IConstruct] = [*log_groups]
        if props.proxy_auth == "secrets":
            secrets = list(props.proxy_secret_arns or (self.secret_arn,))
            self.proxy_role.add_to_policy(*self._secret_statements("ProxyLoginSecrets", secrets))
            # The proxy reads its secrets as soon as it exists.
            depends_on.append(self.proxy_role.node.find_child("policy"))
            auth = [
                DbProxyAuth(
                    auth_scheme="SECRETS",
                    secret_arn=secret_arn,
                    # Clients authenticate with IAM tokens (grant_connect), never a password.
                    iam_auth="REQUIRED",
                    client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                    description="Database login of the proxy",
                )
                for secret_arn in secrets
            ]
        proxy = DbProxy(
            self,
            "proxy",
            name=self._proxy_name,
            engine_family="POSTGRESQL",
            # Clients must use TLS; the gate's CKV_CHAT_10 holds every proxy to it.
            require_tls=True,
            idle_client_timeout=props.proxy_idle_client_timeout_seconds,
            # Debug logs carry SQL text, i.e. chat messages: never on.
            debug_logging=False,
            role_arn=self.proxy_role.arn,
            vpc_subnet_ids=list(props.data_subnet_ids),
            vpc_security_group_ids=[present(self.proxy_security_group, "the proxy's group").security_group_id],
            auth=auth,
            default_auth_scheme="IAM_AUTH" if props.proxy_auth == "iam" else None,
            tags=self._tags(self._proxy_name),
            depends_on=depends_on,
        )
        DbProxyDefaultTargetGroup(
            self,
            "proxy_target_group",
            db_proxy_name=proxy.name,
            connection_pool_config=DbProxyDefaultTargetGroupConnectionPoolConfig(
                max_connections_percent=PROXY_MAX_CONNECTIONS_PERCENT,
                max_idle_connections_percent=PROXY_MAX_IDLE_CONNECTIONS_PERCENT,
                connection_borrow_timeout=PROXY_CONNECTION_BORROW_TIMEOUT_SECONDS,
            ),
        )
        DbProxyTarget(
            self,
            "proxy_target",
            db_proxy_name=proxy.name,
            target_group_name="default",
            db_instance_identifier=self.instance.identifier,
        )
        return proxy
