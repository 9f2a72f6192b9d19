"""DocumentDatabase: Amazon DocumentDB (instance-based cluster) as the platform's document store.

- A cluster with a current engine version, its instances spread over the data subnets'
  AZs (instance n in zone n modulo the zone count), sized per environment.
- Encryption at rest and of snapshots with the cluster's customer-managed key; TLS 1.2 or
  later required by its cluster parameter group, which also turns on DDL auditing and the
  profiler.
- The master password generated and rotated by DocumentDB in Secrets Manager
  (manage_master_user_password): none in the configuration, the plan or the state.
- Audit and profiler logs exported to log groups created (encrypted, with retention)
  before the cluster, so DocumentDB never creates them unencrypted and never expiring.
- Backups kept per environment in their own window; with deletion protection: the
  cluster's own flag, a final snapshot, prevent_destroy on the cluster and its key.
- A security group of its own that nothing reaches until `allow_from(service)` is called.
- With a `restore { }` input, a restored cluster (a point in time or a snapshot of the
  original) and its instances, with the original's settings, which the endpoints, the secret,
  the alarms and the backup selection move to, beside the original until `unprotect_original`
  turns its deletion protection off (its final snapshot stays) and `retire_original` then
  removes it (README: Restoring).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bindings.aws.docdb_cluster import DocdbCluster, DocdbClusterRestoreToPointInTime
from bindings.aws.docdb_cluster_instance import DocdbClusterInstance
from bindings.aws.docdb_cluster_parameter_group import (
    DocdbClusterParameterGroup,
    DocdbClusterParameterGroupParameter,
)
from bindings.aws.docdb_subnet_group import DocdbSubnetGroup
from constructs import Construct

from bindings.cdk import TerraformResourceLifecycle
from modules.backup.supported import BackupTarget
from modules.common.key_policies import service_store_key
from modules.common.log_groups import encrypted_log_group, log_group_arn
from modules.common.policy import policy_statement
from modules.common.presence import present
from modules.common.restore import being_retired_reason
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.statement_ids import sid_part
from modules.common.waivers import waive
from modules.documentdb.alarms import documentdb_watch
from modules.documentdb.engines import cluster_parameters, parameter_group_family
from modules.documentdb.props import ClusterRestore, DocumentDatabaseProps
from modules.documentdb.sizing import documentdb_max_connections
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch
from modules.security_groups import SecurityGroup, SecurityGroupProps

if TYPE_CHECKING:
    from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup

DOCUMENTDB_PORT = 27017
ENGINE = "docdb"
# The log types a DocumentDB cluster exports; DocumentDB writes each to
# /aws/docdb/<cluster>/<type>, which this module creates first.
LOG_EXPORTS: tuple[str, ...] = ("audit", "profiler")
# The tag the gate reads (CKV_CHAT_55): a protected cluster must keep deletion protection
# and take a final snapshot. Provider default tags are invisible to resource checks.
PROTECTION_TAG = "DeletionProtection"
# The cluster keeps the environment's protection tag, so CKV_CHAT_55 still judges it as a
# production cluster, and fails by design on its deletion protection: waived with why.
_BEING_RETIRED = being_retired_reason("cluster", "its final snapshot and automated backups are")
# checkov's CKV_AWS_360 asks for a week of backups.
RECOMMENDED_BACKUP_RETENTION_DAYS = 7


class DocumentDatabase(Construct):
    """Amazon DocumentDB: CMK, TLS 1.2+, managed master secret, audit and profiler logs, backups.

    Typed outputs (attributes): arn, cluster_identifier, original_identifier,
    restored_identifier, endpoint, reader_endpoint, port, engine_version,
    instance_identifiers, secret_arn, kms_key_arn, security_group, subnet_group_name,
    parameter_group_name, log_group_names.

    Construct IDs: this (the cluster), instance_<n>; with a restore, restored and
    restored_instance_<n>, and restored_<kind>_log_group. The original keeps its own.

    Helpers: allow_from(source) (a service's security group may reach port 27017),
    grant_read_secret(grantee) (read the master secret).

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (its alarms, alarms.py).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: DocumentDatabaseProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        self._partition = context.partition
        self._account_id = context.account_id
        # The original's identifier names what both clusters share (security, subnet and
        # parameter groups, the key): renaming those would replace them.
        self.original_identifier: str = props.cluster_identifier
        """`<name>-docdb`, the original cluster's identifier (it names the groups both clusters share)."""
        restore = props.restore
        self.restored_identifier: str | None = (
            None if restore is None else self.original_identifier + restore.identifier_suffix()
        )
        """The restored cluster's identifier (`<name>-docdb-r<yyyymmddhhmm>`, `-s<8 hex>` or
        `-latest`), None without a restore."""
        self._keeps_original = restore is None or not restore.retire_original
        # The cluster that serves: the restored one once there is a restore.
        self.cluster_identifier: str = self.restored_identifier or self.original_identifier
        self.engine_version: str = props.engine_version
        self.port: int = DOCUMENTDB_PORT
        # The original's log groups outlive it (retire_original): they keep its logs for their retention.
        logging_clusters = [self.original_identifier, *([self.restored_identifier] if self.restored_identifier else [])]
        self.log_group_names: tuple[str, ...] = tuple(
            f"/aws/docdb/{identifier}/{kind}" for identifier in logging_clusters for kind in LOG_EXPORTS
        )

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=self.original_identifier,
                vpc_id=props.vpc_id,
                description=f"DocumentDB cluster: MongoDB API over TLS on {DOCUMENTDB_PORT}",
                port=DOCUMENTDB_PORT,
                tags=dict(props.tags),
            ),
        )
        self.kms_key_arn: str = self._key()
        log_groups = {
            identifier: [self._log_group(label, kind, identifier) for kind in LOG_EXPORTS]
            for label, identifier in zip(("", "restored_"), logging_clusters, strict=False)
        }
        self.subnet_group = DocdbSubnetGroup(
            self,
            "subnet_group",
            name=self.original_identifier,
            description=f"{self.original_identifier}: the data subnets, one per AZ",
            subnet_ids=list(props.subnet_ids),
            tags=self._tags(self.original_identifier),
        )
        self.subnet_group_name: str = self.subnet_group.name
        self.parameter_group = self._parameter_group()
        self.parameter_group_name: str = self.parameter_group.name
        self.original_cluster: DocdbCluster | None = None
        if self._keeps_original:
            # Construct ids "this" and "instance_<n>", whatever is restored: a moved id would replace the original.
            self.original_cluster = self._cluster(
                "this",
                self.original_identifier,
                log_groups[self.original_identifier],
                unprotected=restore is not None and restore.unprotect_original,
            )
            self._instances("", self.original_cluster, self.original_identifier)
        self.restored_cluster: DocdbCluster | None = None
        if restore is not None and self.restored_identifier is not None:
            self.restored_cluster = self._cluster(
                "restored", self.restored_identifier, log_groups[self.restored_identifier], restore
            )
            self._instances("restored_", self.restored_cluster, self.restored_identifier)
        # Either the original is kept or a restore made another: one of them serves.
        self.cluster: DocdbCluster = present(self.restored_cluster or self.original_cluster, "a cluster")
        self.arn: str = self.cluster.arn
        self.endpoint: str = self.cluster.endpoint
        self.reader_endpoint: str = self.cluster.reader_endpoint
        self.secret_arn: str = self.cluster.master_user_secret.get(0).secret_arn
        self.instance_identifiers: list[str] = [
            f"{self.cluster_identifier}-{n + 1}" for n in range(props.instance_count)
        ]

    # -- wiring helpers ------------------------------------------------------------

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """The cluster; after a restore, the restored one too, and the original while it is kept."""
        targets = []
        if self.original_cluster is not None:
            targets.append(BackupTarget("documentdb", self.original_cluster.arn))
        if self.restored_cluster is not None:
            targets.append(BackupTarget("documentdb_restored", self.restored_cluster.arn))
        return tuple(targets)

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        """Per instance, CPU and connections against the class's limit (sizing.py)."""
        return (
            documentdb_watch(
                thresholds,
                cluster_identifier=self.cluster_identifier,
                instance_identifiers=tuple(self.instance_identifiers),
                max_connections=documentdb_max_connections(self.props.instance_class),
            ),
        )

    def allow_from(self, source: SecurityGroup) -> None:
        """Let the members of `source` (a service's tasks) reach the cluster's port."""
        self.security_group.allow_from(source, f"DocumentDB (TLS on {DOCUMENTDB_PORT}) from {source.name}")

    def grant_read_secret(self, grantee: Grantee) -> None:
        """Let `grantee` read the master user's secret (user name and password, JSON).

        The secret is encrypted with Secrets Manager's AWS-managed key (the provider has no
        argument for another key on a DocumentDB cluster), whose key policy lets this
        account's principals decrypt through Secrets Manager: no KMS statement is needed.
        """
        grantee.add_to_policy(
            policy_statement(
                f"Read{sid_part(self.cluster_identifier)}MasterSecret",
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                [self.secret_arn],
            )
        )

    # -- pieces --------------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _key(self) -> str:
        """The given key, or the cluster's own (kept from destroy under deletion protection:
        a deleted key makes the cluster, its snapshots and its backups unreadable)."""
        props = self.props
        return service_store_key(
            self,
            "key",
            given_key_arn=props.kms_key_arn,
            # DocumentDB runs on RDS's control plane: its KMS requests come via rds.
            service="rds",
            service_sid="DocumentDbUsesKeyForThisAccount",
            log_group_label="DocumentDbLogs",
            # With a restore, the restored cluster's groups too ("/aws/docdb/<name>-docdb-r.../...").
            log_group_arn=log_group_arn(
                self._partition,
                props.region,
                self._account_id,
                f"/aws/docdb/{self.original_identifier}" + ("/*" if props.restore is None else "*"),
            ),
            alias=f"alias/{props.name}/docdb",
            description=f"{self.original_identifier}: DocumentDB storage, snapshots and logs",
            partition=self._partition,
            region=props.region,
            account_id=self._account_id,
            deletion_protection=props.deletion_protection,
            tags=self._tags(self.original_identifier),
        )

    def _log_group(self, label: str, kind: str, cluster_identifier: str) -> CloudwatchLogGroup:
        """The group DocumentDB writes `kind` of a cluster to; `label` prefixes the construct id
        ("" for the original, "restored_")."""
        days = self.props.log_retention_days
        name = f"/aws/docdb/{cluster_identifier}/{kind}"
        return encrypted_log_group(
            self,
            f"{label}{kind}_log_group",
            name=name,
            retention_days=days,
            kms_key_arn=self.kms_key_arn,
            tags=self._tags(name),
            short_retention_reason=(
                f"DocumentDB {kind} logs kept {days} days by this environment's choice (log_retention_days): "
                "a non-production cluster's sign-ins and slow operations are diagnostics, not an audit trail "
                "anyone must keep for a year."
            ),
        )

    def _parameter_group(self) -> DocdbClusterParameterGroup:
        props = self.props
        family = parameter_group_family(props.engine_version)
        return DocdbClusterParameterGroup(
            self,
            "parameter_group",
            # The family is in the name: a new major version needs a new group, created beside
            # the old one (which the cluster uses until it moves), then the old one is deleted.
            name=f"{props.name}-{family.replace('.', '-')}",
            family=family,
            description=f"{self.original_identifier}: TLS 1.2+ only, DDL auditing, profiler",
            parameter=[
                DocdbClusterParameterGroupParameter(name=name, value=value)
                for name, value in sorted(cluster_parameters(profiler_threshold_ms=props.profiler_threshold_ms).items())
            ],
            tags=self._tags(self.original_identifier),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )

    def _restore_source(self, restore: ClusterRestore | None) -> dict[str, object]:
        """How a cluster starts: empty (the original), or restored from a point in time or a snapshot."""
        if restore is None:
            return {"master_username": self.props.master_username}
        # A restore takes the master user (and the documents) from its source.
        if restore.from_snapshot is not None:
            return {"snapshot_identifier": restore.from_snapshot}
        return {
            "restore_to_point_in_time": DocdbClusterRestoreToPointInTime(
                # A literal, not a reference to the original: it stays the same when
                # retire_original removes that cluster from the configuration.
                source_cluster_identifier=restore.source or self.original_identifier,
                # A copy of its own ("copy-on-write" would share pages with the source, which
                # then could not be deleted without it).
                restore_type="full-copy",
                restore_to_time=restore.to_point_in_time,
                use_latest_restorable_time=True if restore.latest else None,
            )
        }

    def _cluster(
        self,
        construct_id: str,
        identifier: str,
        log_groups: Sequence[CloudwatchLogGroup],
        restore: ClusterRestore | None = None,
        unprotected: bool = False,
    ) -> DocdbCluster:
        """A cluster: the original (empty at creation) or a restored one, with the same settings.
        `unprotected`: the original on its way out (restore.unprotect_original)."""
        props = self.props
        protected = props.deletion_protection and not unprotected
        # The final snapshot is the environment's choice: an original being retired takes it too.
        keeps_final_snapshot = props.deletion_protection
        cluster = DocdbCluster(
            self,
            construct_id,
            cluster_identifier=identifier,
            engine=ENGINE,
            engine_version=props.engine_version,
            **self._restore_source(restore),
            # DocumentDB generates the password, keeps it in Secrets Manager and rotates it.
            manage_master_user_password=True,
            db_subnet_group_name=self.subnet_group.name,
            db_cluster_parameter_group_name=self.parameter_group.name,
            vpc_security_group_ids=[self.security_group.security_group_id],
            port=DOCUMENTDB_PORT,
            # Written even when "standard" (AWS's default, which DocumentDB then leaves out of
            # its answers): the cost model is a choice a reviewer should see.
            storage_type=props.storage_type,
            storage_encrypted=True,
            kms_key_id=self.kms_key_arn,
            backup_retention_period=props.backup_retention_days,
            preferred_backup_window=props.backup_window,
            preferred_maintenance_window=props.maintenance_window,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            deletion_protection=protected,
            skip_final_snapshot=not keeps_final_snapshot,
            final_snapshot_identifier=f"{identifier}-final" if keeps_final_snapshot else None,
            # The log groups first: DocumentDB would otherwise create them, unencrypted.
            depends_on=list(log_groups),
            tags={**self._tags(identifier), PROTECTION_TAG: str(props.deletion_protection).lower()},
        )
        if protected:
            cluster.add_override("lifecycle.prevent_destroy", True)
        elif props.deletion_protection:
            waive(cluster, "CKV_CHAT_55", _BEING_RETIRED)
        if props.backup_retention_days < RECOMMENDED_BACKUP_RETENTION_DAYS:
            waive(
                cluster,
                "CKV_AWS_360",
                f"Backups kept {props.backup_retention_days} days by this environment's choice "
                "(backup_retention_days): a non-production cluster whose data is reloaded from fixtures; "
                "AWS Backup's plan adds its own recovery points on top.",
            )
        return cluster

    def _instances(self, label: str, cluster: DocdbCluster, cluster_identifier: str) -> list[DocdbClusterInstance]:
        """A cluster's instances, "<cluster>-<n>"; `label` prefixes their construct ids."""
        return [self._instance(label, cluster, cluster_identifier, index) for index in range(self.props.instance_count)]

    def _instance(self, label: str, cluster: DocdbCluster, cluster_identifier: str, index: int) -> DocdbClusterInstance:
        props = self.props
        zones = props.availability_zones
        identifier = f"{cluster_identifier}-{index + 1}"
        return DocdbClusterInstance(
            self,
            f"{label}instance_{index + 1}",
            identifier=identifier,
            cluster_identifier=cluster.id,
            engine=ENGINE,
            instance_class=props.instance_class,
            # One AZ after another: three instances in three AZs; a failover stays in the region.
            availability_zone=zones[index % len(zones)] if zones else None,
            # No ca_cert_identifier: the provider sends it only on modify, so a pinned CA that
            # differs from the region's default for new instances (rds-ca-rsa2048-g1) would
            # reboot every instance right after creation. Clients trust AWS's global bundle.
            auto_minor_version_upgrade=True,
            preferred_maintenance_window=props.maintenance_window,
            tags=self._tags(identifier),
        )
