"""Inputs of the DocumentDatabase construct (Amazon DocumentDB, instance-based cluster)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.restore import (
    RDS_IDENTIFIER_PATTERN,
    RDS_SNAPSHOT_ID,
    SNAPSHOT_ID_PREFIX,
    check_restore_time,
    restore_form_checks,
    restore_suffix,
    retirement_checks,
)
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.subnets import subnet_ids_check
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    check_tags,
    choice_check,
    describe,
    pattern_check,
    range_check,
)
from modules.documentdb.engines import (
    DEFAULT_ENGINE_VERSION,
    ENGINE_VERSIONS,
    MAX_INSTANCES,
    check_backup_window,
    check_maintenance_window,
    check_windows_apart,
)
from modules.security_groups.props import check_vpc_id

StorageType = Literal["standard", "iopt1"]
STORAGE_TYPES: tuple[str, ...] = get_args(StorageType)

# db.<family>.<size>: db.t4g.medium, db.r6g.large, db.r8g.xlarge ...
check_instance_class = pattern_check(
    r"^db\.[a-z][a-z0-9]*\.[a-z0-9]+$", "expected a DocumentDB instance class such as db.r6g.large"
)
_MASTER_USERNAME = pattern_check(
    r"^[A-Za-z][A-Za-z0-9]{0,62}$", "expected 1-63 letters and digits starting with a letter"
)
# Names DocumentDB keeps for itself (its built-in users and roles).
RESERVED_USERNAMES = ("admin", "root", "serviceadmin", "rdsadmin")
# DocumentDB keeps automated backups 1 to 35 days.
MAX_BACKUP_RETENTION_DAYS = 35
# The profiler's accepted threshold (cluster parameter profiler_threshold_ms).
MIN_PROFILER_THRESHOLD_MS = 50
MAX_PROFILER_THRESHOLD_MS = 2147483646


def check_master_username(value: str) -> str:
    _MASTER_USERNAME(value)
    if value.lower() in RESERVED_USERNAMES:
        raise ValueError(
            f"expected a name other than {', '.join(RESERVED_USERNAMES)} (reserved), got {describe(value)}"
        )
    return value


def check_zones_match_subnets(availability_zones: tuple[str, ...], subnet_ids: tuple[str, ...]) -> None:
    if availability_zones and len(availability_zones) != len(subnet_ids):
        raise ValueError(
            f"expected one zone per subnet ({len(subnet_ids)}, in the subnets' order), got {len(availability_zones)}"
        )


# -- a restore (modules/documentdb/README.md: Restoring) -----------------------------------

check_source_cluster_identifier = pattern_check(
    RDS_IDENTIFIER_PATTERN,
    "expected a DocumentDB cluster identifier: 1-63 letters, digits or hyphens, starting with a letter, "
    "without '--' or a trailing '-'",
)
# A manual cluster snapshot, an automated "rds:<cluster>-<date>" one, or a shared or copied
# one by its ARN (DocumentDB's ARNs are RDS's: "...:rds:<region>:<account>:cluster-snapshot:<id>").
check_cluster_snapshot_identifier = pattern_check(
    rf"^{SNAPSHOT_ID_PREFIX}{RDS_SNAPSHOT_ID}$"
    rf"|^arn:(aws|aws-cn|aws-us-gov):rds:[a-z0-9-]+:\d{{12}}:cluster-snapshot:{SNAPSHOT_ID_PREFIX}{RDS_SNAPSHOT_ID}$",
    'expected a DocumentDB cluster snapshot identifier such as "chat-prod-before-upgrade" or '
    '"rds:chat-prod-docdb-2026-12-01-02-10", or a cluster snapshot ARN',
)


@dataclass(frozen=True, kw_only=True)
class ClusterRestore:
    """A restore of the cluster into a new cluster: `documentdb { restore { ... } }`.

    The new cluster (and its instances) takes over: the services' endpoints and secret, the
    alarms, the backup selection; the original stays until `retire_original = true`
    (modules/documentdb/README.md: Restoring).
    """

    to_point_in_time: str | None = prop(None, check=check_restore_time, environment=True)
    """Restore the source as it was at this time (RFC 3339, e.g. "2026-12-06T09:30:00Z"),
    within its backup_retention_days and before its latest restorable time."""

    latest: bool = prop(False, environment=True)
    """Restore the source as of its latest restorable time (about five minutes ago)."""

    from_snapshot: str | None = prop(None, check=check_cluster_snapshot_identifier, environment=True)
    """Restore this cluster snapshot (manual, automated "rds:..." or an ARN) instead of a point in time."""

    source: str | None = prop(None, check=check_source_cluster_identifier, environment=True)
    """With to_point_in_time or latest: the cluster to restore from. Default: the original,
    "<name>-docdb"."""

    unprotect_original: bool = prop(False, environment=True)
    """Default: the original cluster keeps its deletion protection. True, once the cutover
    is verified, turns it off (deletion_protection and prevent_destroy; its final snapshot
    and automated backups stay): DocumentDB refuses to delete a protected cluster, so this
    change is applied before retire_original. The data-safety gate refuses it unless
    `--allow-destroy` names the original."""

    retire_original: bool = prop(False, environment=True)
    """Default: the original cluster stays, unchanged, beside the restored one. True, after
    unprotect_original is applied, removes it and its instances from the configuration: the
    plan deletes them (taking the cluster's final snapshot), and the data-safety gate refuses
    that unless `--allow-destroy` names them."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        *restore_form_checks("to_point_in_time", "latest", "from_snapshot"),
        *retirement_checks(),
    )

    def __post_init__(self) -> None:
        check_props(self)

    def identifier_suffix(self) -> str:
        """What the restored cluster's identifier adds to "<name>-docdb" ("-r<yyyymmddhhmm>",
        "-s<8 hex>" or "-latest"): deterministic from the input, so a plan re-run names the
        same cluster; a 20-character name stays within DocumentDB's 63."""
        return restore_suffix(self.to_point_in_time, self.from_snapshot)


# -- the props ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DocumentDatabaseProps:
    """Inputs of `DocumentDatabase`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `documentdb { }` block (see modules.common.inputs); the stack supplies the rest: name,
    region, account_id, the network's vpc_id, data subnet ids and their zones, and the
    environment's deletion_protection and tags.
    """

    name: str = prop(check=check_name)
    """Prefix of every name, e.g. "chat-prod": the cluster is "<name>-docdb"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: key and log policies name it."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in key policies and ARNs."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the cluster's security group, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=subnet_ids_check("a DocumentDB subnet group needs two"))
    """The cluster's subnet group, one subnet per AZ: usually `Network.data_subnet_ids`."""

    availability_zones: tuple[str, ...] = ()
    """The zones of `subnet_ids`, in the same order (usually `Network.availability_zones`):
    instance n goes to zone n modulo the zone count, so three instances sit in three AZs.
    Default: none given, DocumentDB places the instances itself."""

    engine_version: str = prop(DEFAULT_ENGINE_VERSION, check=choice_check(ENGINE_VERSIONS), environment=True)
    """Default: "5.0.0" (MongoDB 5.0 API, long-term-support patch track). One of 4.0.0,
    5.0.0, 8.0.0. Minor patches arrive in the maintenance window; a major version is a
    deliberate upgrade."""

    instance_class: str = prop("db.r6g.large", check=check_instance_class, environment=True)
    """Default: db.r6g.large (2 vCPU, 16 GiB; ~$0.28/hour in us-east-1), memory-optimized
    for production. db.t4g.medium (~$0.08/hour, burstable) is the development size."""

    instance_count: int = prop(3, check=range_check(1, MAX_INSTANCES), environment=True)
    """Default: 3, a primary and two replicas in three AZs: an instance or AZ failure is a
    failover of about 30 seconds. 1 to 16; one instance (development) means minutes of
    outage while DocumentDB replaces it, data is kept (storage is six-way replicated)."""

    storage_type: StorageType = prop("standard", check=choice_check(STORAGE_TYPES), environment=True)
    """Default: "standard", storage plus a charge per million I/O requests (~$0.20). "iopt1"
    (I/O-Optimized) has no I/O charge for about 30% more per instance-hour and GiB: the
    cheaper choice once I/O is more than about a quarter of the cluster's bill."""

    master_username: str = prop("chatadmin", check=check_master_username, environment=True)
    """Default: "chatadmin". Its password is generated and rotated by DocumentDB in Secrets
    Manager (never written anywhere); services read it with `grant_read_secret`."""

    backup_retention_days: int = prop(7, check=range_check(1, MAX_BACKUP_RETENTION_DAYS), environment=True)
    """Default: a week of point-in-time recovery (backup storage up to the cluster's size
    is free). 1 to 35; under 7 the module records its reason (CKV_AWS_360)."""

    backup_window: str = prop("02:00-03:00", check=check_backup_window, environment=True)
    """Default: 02:00-03:00 UTC daily. At least 30 minutes, apart from the maintenance window."""

    maintenance_window: str = prop("sun:04:00-sun:05:00", check=check_maintenance_window, environment=True)
    """Default: Sunday 04:00-05:00 UTC. At least 30 minutes, lowercase day names."""

    profiler_threshold_ms: int = prop(
        100, check=range_check(MIN_PROFILER_THRESHOLD_MS, MAX_PROFILER_THRESHOLD_MS), environment=True
    )
    """Default: operations slower than 100 ms are written to the profiler log."""

    log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: audit and profiler logs kept a year (an audit trail). A CloudWatch Logs
    value; under 365 the module records its reason beside the log groups."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key for this cluster (storage, snapshots, its log groups),
    rotated yearly. Give an ARN to use your own; its policy must let DocumentDB and
    CloudWatch Logs use it."""

    deletion_protection: bool = True
    """Default: on: deletion protection on the cluster, a final snapshot when it is deleted,
    and prevent_destroy on the cluster and its key. The stack passes the environment's."""

    restore: ClusterRestore | None = prop(None, environment=True)
    """Default: none. A `restore { }` block creates a new cluster and its instances from a
    point in time or a snapshot of the original, with the same settings and protections, and
    moves the services' endpoints and secret, the alarms and the backup selection to it
    (modules/documentdb/README.md: Restoring)."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("maintenance_window", check_windows_apart, ("backup_window", "maintenance_window")),
        CrossCheck("availability_zones", check_zones_match_subnets, ("availability_zones", "subnet_ids")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def cluster_identifier(self) -> str:
        return f"{self.name}-docdb"
