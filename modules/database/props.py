"""Inputs of the Database construct: an RDS for PostgreSQL instance, its RDS Proxy and read replica."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
from modules.common.tokens import is_unresolved
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
from modules.compute.sizing import ARCHITECTURES, Architecture, check_cpu, check_cpu_memory
from modules.database.sizing import memory_gib
from modules.database.windows import check_backup_window, check_maintenance_window, check_windows_apart
from modules.security_groups.props import check_vpc_id

# Majors in RDS standard support that this module tunes (parameter group family
# "postgres<major>"). 18 is the default: the newest major RDS offers for production, so
# the one supported longest (community support to November 2030; RDS standard support
# ends some months after that, see `aws rds describe-db-major-engine-versions`).
ENGINE_VERSIONS: tuple[str, ...] = ("16", "17", "18")
DEFAULT_ENGINE_VERSION = "18"

ProxyAuth = Literal["secrets", "iam"]
PROXY_AUTHS: tuple[str, ...] = get_args(ProxyAuth)

# RDS for PostgreSQL on gp3: 20 GiB to 64 TiB.
MIN_STORAGE_GIB = 20
MAX_STORAGE_GIB = 65_536
# RDS keeps automated backups 0-35 days; 0 turns them (and point-in-time recovery) off,
# which this module never does.
MAX_BACKUP_RETENTION_DAYS = 35
# Enhanced Monitoring takes these granularities only.
MONITORING_INTERVALS: tuple[int, ...] = (1, 5, 10, 15, 30, 60)
# RDS Proxy's idle client timeout: 1 second to 8 hours.
MAX_PROXY_IDLE_CLIENT_TIMEOUT_SECONDS = 28_800

_AZ_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$")
# PostgreSQL role names as a client writes them unquoted (what IAM's dbuser ARN carries).
DB_USER_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"
_DATABASE_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
_SECRET_ARN_RE = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$"
)


# -- checks ----------------------------------------------------------------------------


def check_instance_class(value: str) -> str:
    memory_gib(value)
    return value


def check_engine_version(value: str) -> str:
    return choice_check(ENGINE_VERSIONS)(value)


def check_backup_retention_days(value: int) -> int:
    if isinstance(value, bool) or not 1 <= value <= MAX_BACKUP_RETENTION_DAYS:
        raise ValueError(
            f"expected 1 to {MAX_BACKUP_RETENTION_DAYS} days (RDS keeps automated backups at most "
            f"{MAX_BACKUP_RETENTION_DAYS} days; 0 would turn backups and point-in-time recovery off), "
            f"got {describe(value)}"
        )
    return value


def check_monitoring_interval(value: int) -> int:
    if value not in MONITORING_INTERVALS:
        raise ValueError(
            f"expected one of {list(MONITORING_INTERVALS)} seconds (Enhanced Monitoring's), got {describe(value)}"
        )
    return value


def check_zone_names(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(values)
    bad = [value for value in values if not (is_unresolved(value) or _AZ_RE.fullmatch(value))]
    if bad:
        raise ValueError(f"expected zone names such as eu-west-1a or references to them, got {bad!r}")
    if len(values) < 2 or len(set(values)) != len(values):
        raise ValueError(f"expected at least two distinct zones, those of the DB subnet group, got {list(values)!r}")
    return values


check_data_subnet_ids = subnet_ids_check("RDS Proxy needs two")
check_admin_subnet_ids = subnet_ids_check("a task runs in any one of them, so two zones keep it startable in an outage")


def check_secret_arns(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(values)
    bad = [value for value in values if not (is_unresolved(value) or _SECRET_ARN_RE.fullmatch(value))]
    if bad:
        raise ValueError(
            "expected Secrets Manager secret ARNs such as "
            f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat-app-AbCdEf, got {bad!r}"
        )
    return values


check_subnet_group_name = pattern_check(
    r"^[a-z0-9][a-z0-9 ._-]{0,254}$",
    "expected a DB subnet group name (lowercase letters, digits, spaces, '.', '_' or '-') or a reference to one",
    references=True,
)
check_database_name = pattern_check(
    _DATABASE_NAME_PATTERN, "expected 1-63 lowercase letters, digits or '_', starting with a letter"
)
check_db_user = pattern_check(
    DB_USER_PATTERN, "expected a PostgreSQL role name: 1-63 lowercase letters, digits or '_', not starting with a digit"
)


def check_storage_headroom(max_allocated_storage_gib: int, allocated_storage_gib: int) -> None:
    # RDS refuses a storage-autoscaling threshold less than 10% above the allocated storage.
    least = -(-allocated_storage_gib * 11 // 10)  # ceil(allocated x 1.1) in whole GiB
    if max_allocated_storage_gib < least:
        raise ValueError(
            f"expected at least {least} GiB, 10% above allocated_storage_gib ({allocated_storage_gib}): RDS "
            f"refuses a lower storage-autoscaling maximum, got {max_allocated_storage_gib}"
        )


def check_replica_needs_multi_az(replica: bool, multi_az: bool) -> None:
    if replica and not multi_az:
        raise ValueError(
            "expected multi_az = true when a read replica is requested: the replica is not a standby (RDS never "
            "fails over to it, and promoting it by hand loses the writes it had not yet received), so a second "
            "instance should buy availability first, got multi_az = false"
        )


def check_proxy_secrets(proxy: bool, proxy_auth: str, proxy_secret_arns: tuple[str, ...]) -> None:
    if not proxy:
        return
    if proxy_auth == "secrets" and not proxy_secret_arns:
        raise ValueError(
            "expected at least one secret for the proxy to log in with (leave proxy_secret_arns out for the "
            'managed master secret, or use proxy_auth = "iam" for end-to-end IAM), got none'
        )
    if proxy_auth == "iam" and proxy_secret_arns:
        raise ValueError(
            'expected no secrets with proxy_auth = "iam" (the proxy then logs in to the database with IAM, '
            f"not passwords), got {len(proxy_secret_arns)}"
        )


def check_final_snapshot_kept(skip_final_snapshot: bool, deletion_protection: bool) -> None:
    if skip_final_snapshot and deletion_protection:
        raise ValueError(
            "expected false while deletion_protection is on: a protected (production) database always "
            "keeps a final snapshot, got true"
        )


# -- a restore (modules/database/README.md: Restoring) ------------------------------------

# Snapshot identifiers: an instance identifier's rules up to 255 characters, "rds:<id>-<date>" for
# an automated one, and a shared or copied one is named by its ARN.
DB_SNAPSHOT_IDENTIFIER_PATTERN = (
    rf"^{SNAPSHOT_ID_PREFIX}{RDS_SNAPSHOT_ID}$"
    rf"|^arn:(aws|aws-cn|aws-us-gov):rds:[a-z0-9-]+:\d{{12}}:snapshot:{SNAPSHOT_ID_PREFIX}{RDS_SNAPSHOT_ID}$"
)

check_source_identifier = pattern_check(
    RDS_IDENTIFIER_PATTERN,
    "expected an RDS instance identifier: 1-63 letters, digits or hyphens, starting with a letter, without "
    "'--' or a trailing '-'",
)
check_snapshot_identifier = pattern_check(
    DB_SNAPSHOT_IDENTIFIER_PATTERN,
    'expected an RDS snapshot identifier such as "chat-prod-before-upgrade" or "rds:chat-prod-postgres-'
    '2026-12-01-02-10", or a snapshot ARN',
)


@dataclass(frozen=True, kw_only=True)
class DatabaseRestore:
    """A restore of the primary into a new instance: `database { restore { ... } }`.

    The new instance takes over (the proxy's target, the replica's source, the endpoints and
    outputs); the original stays until `retire_original = true` (modules/database/README.md).
    """

    to_point_in_time: str | None = prop(None, check=check_restore_time, environment=True)
    """Restore the source as it was at this time (RFC 3339, e.g. "2026-12-06T09:30:00Z"),
    within its backup retention and before its latest restorable time."""

    latest: bool = prop(False, environment=True)
    """Restore the source as of its latest restorable time (about five minutes ago)."""

    from_snapshot: str | None = prop(None, check=check_snapshot_identifier, environment=True)
    """Restore this RDS snapshot (manual, automated "rds:..." or an ARN) instead of a point in time."""

    source: str | None = prop(None, check=check_source_identifier, environment=True)
    """With to_point_in_time or latest: the instance to restore from. Default: the primary,
    "<name>-postgres"."""

    unprotect_original: bool = prop(False, environment=True)
    """Default: the original keeps its deletion protection. True, once the cutover is
    verified, turns it off (its final snapshot and automated backups stay): AWS refuses to
    delete a protected instance, so this change is applied before retire_original. The
    data-safety gate refuses it unless `--allow-destroy` names the original."""

    retire_original: bool = prop(False, environment=True)
    """Default: the original instance stays, unchanged, beside the restored one. True, after
    unprotect_original is applied, removes it from the configuration: the plan deletes it
    (taking its final snapshot), and the data-safety gate refuses that unless
    `--allow-destroy` names it."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        *restore_form_checks("to_point_in_time", "latest", "from_snapshot"),
        *retirement_checks(),
    )

    def __post_init__(self) -> None:
        check_props(self)

    def identifier_suffix(self) -> str:
        """What the restored instance's identifier adds to "<name>-postgres": deterministic from
        the input, so a plan re-run names the same instance. 14 characters at most (a 20-character
        name stays within RDS's 63)."""
        return restore_suffix(self.to_point_in_time, self.from_snapshot)


# -- the props ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DatabaseProps:
    """Inputs of `Database`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `database { }` block (see modules.common.inputs); the stack supplies the rest: name,
    region, account_id, tags, deletion_protection (the environment's) and, from the network
    module, vpc_id, db_subnet_group_name, data_subnet_ids and availability_zones.
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"; the instance is "<name>-postgres"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: log group ARNs in the key policy, IAM ARNs of grants."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in log group, role and dbuser ARNs."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the security groups, usually `Network.vpc_id`."""

    db_subnet_group_name: str = prop(check=check_subnet_group_name)
    """Where the instance and replica go: `Network.db_subnet_group_name` (the data subnets)."""

    data_subnet_ids: tuple[str, ...] = prop(check=check_data_subnet_ids)
    """The same data subnets by id, for RDS Proxy (which takes subnets, not a subnet group):
    `Network.data_subnet_ids`."""

    availability_zones: tuple[str, ...] = prop(check=check_zone_names)
    """The zones of the data subnets, in order (`Network.availability_zones`): a single-AZ
    primary is placed in the first, the replica in the last."""

    deletion_protection: bool = True
    """Default: on. Deletion protection on the instance, a final snapshot, automated backups
    kept after deletion, and `prevent_destroy` on the instance and its key. Off, the module
    records reasoned waivers of the checks it then fails (an environment's choice)."""

    instance_class: str = prop("db.r6g.large", check=check_instance_class, environment=True)
    """Default: db.r6g.large (2 vCPUs, 16 GiB, Graviton2; about $0.23/hour single-AZ, us-east-1):
    what the seeds size production at. The memory settings of the parameter group follow it."""

    replica_instance_class: str | None = prop(None, check=check_instance_class, environment=True)
    """Default: the primary's class. The replica's own parameter group follows its class."""

    engine_version: str = prop(DEFAULT_ENGINE_VERSION, check=check_engine_version, environment=True)
    """Default: PostgreSQL 18. A major only: RDS picks its newest minor, and automatic minor
    upgrades keep it current (a major upgrade is a deliberate change here)."""

    multi_az: bool = prop(True, environment=True)
    """Default: on, a synchronous standby in a second zone that RDS fails over to (doubles the
    instance and storage price). Off only where an outage of one zone may stop the database."""

    allocated_storage_gib: int = prop(100, check=range_check(MIN_STORAGE_GIB, MAX_STORAGE_GIB), environment=True)
    """Default: 100 GiB of gp3 (3,000 IOPS and 125 MiB/s included below 400 GiB)."""

    max_allocated_storage_gib: int = prop(1000, check=range_check(22, MAX_STORAGE_GIB), environment=True)
    """Default: storage autoscaling up to 1,000 GiB, so a full disk never stops writes; at
    least 10% above allocated_storage_gib (RDS's rule)."""

    backup_retention_days: int = prop(30, check=check_backup_retention_days, environment=True)
    """Default: 30 days of automated backups and point-in-time recovery (RDS allows 1-35;
    storage up to the database's size is free, beyond it ~$0.095/GiB-month)."""

    backup_window: str = prop("02:00-03:00", check=check_backup_window, environment=True)
    """Default: 02:00-03:00 UTC daily, the quietest hour for European users."""

    maintenance_window: str = prop("sun:03:30-sun:04:30", check=check_maintenance_window, environment=True)
    """Default: Sunday 03:30-04:30 UTC, after the backup window (they must not overlap)."""

    skip_final_snapshot: bool = prop(False, environment=True)
    """Default: a final snapshot is taken when the instance is deleted. True only in an
    environment without deletion protection (a sandbox whose data is disposable)."""

    apply_immediately: bool = prop(False, environment=True)
    """Default: changes that restart the instance wait for the maintenance window. True in a
    sandbox where waiting a week for a class change helps nobody."""

    proxy: bool = prop(True, environment=True)
    """Default: an RDS Proxy (TLS required, IAM authentication from clients) in front of the
    primary: pools the many short connections of chat requests and shortens failovers
    (~$0.015 per vCPU-hour of the instance, at least 2 vCPUs: ~$22/month)."""

    proxy_auth: ProxyAuth = prop("iam", check=choice_check(PROXY_AUTHS), environment=True)
    """Default: "iam", end-to-end IAM: clients authenticate to the proxy with IAM tokens and
    the proxy logs in to PostgreSQL with IAM too, as the same database user, so each service
    has its own least-privileged role and no password exists anywhere. "secrets": clients
    still use IAM, but the proxy logs in with Secrets Manager secrets, and can only be
    reached as the users it holds a secret for (by default the master user alone)."""

    proxy_secret_arns: tuple[str, ...] | None = prop(None, check=check_secret_arns, environment=True)
    """With proxy_auth = "secrets". Default: the managed master secret. Give the secrets of
    application users (JSON with username and password, encrypted with this module's key)
    to have the proxy log in as those users instead of the master user."""

    proxy_idle_client_timeout_seconds: int = prop(
        900, check=range_check(1, MAX_PROXY_IDLE_CLIENT_TIMEOUT_SECONDS), environment=True
    )
    """Default: 15 minutes (AWS: 30). A client connection idle that long belongs to a task
    that scaled in or hung; a pinned one holds a database connection meanwhile. Keep it above
    the services' pool idle eviction."""

    replica: bool = prop(False, environment=True)
    """Default: no read replica. On (needs multi_az), a replica in another zone, exposed as
    `reader_endpoint`, with its own class, parameter group and security group."""

    monitoring_interval_seconds: int = prop(60, check=check_monitoring_interval, environment=True)
    """Default: Enhanced Monitoring (OS metrics) every 60 s; shorter intervals cost more
    CloudWatch Logs ingestion in RDSOSMetrics."""

    log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: a year of PostgreSQL, upgrade and proxy logs (audit regimes ask for it).
    Shorter values carry a reasoned waiver of CKV_AWS_338."""

    slow_query_log_ms: int = prop(500, check=range_check(0, 60_000), environment=True)
    """Default: statements slower than 500 ms are logged (log_min_duration_statement). 0 logs
    every statement: a sandbox setting."""

    database_name: str = prop("chat", check=check_database_name)
    """The database created with the instance."""

    master_username: str = prop("chat_admin", check=check_db_user)
    """The master user; its password is generated and rotated by RDS in Secrets Manager."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a dedicated customer-managed key (yearly rotation) for storage, Performance
    Insights, the master secret and the log groups. Give an ARN to use your own; its policy
    must let CloudWatch Logs use it for this module's log groups."""

    restore: DatabaseRestore | None = prop(None, environment=True)
    """Default: none. A `restore { }` block creates a new instance from a point in time or a
    snapshot of the primary, with the same settings and protections, and moves the proxy, the
    replica, the endpoints and the outputs to it (modules/database/README.md: Restoring)."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            "max_allocated_storage_gib", check_storage_headroom, ("max_allocated_storage_gib", "allocated_storage_gib")
        ),
        CrossCheck("replica", check_replica_needs_multi_az, ("replica", "multi_az")),
        CrossCheck("proxy_secret_arns", check_proxy_secrets, ("proxy", "proxy_auth", "proxy_secret_arns")),
        CrossCheck("skip_final_snapshot", check_final_snapshot_kept, ("skip_final_snapshot", "deletion_protection")),
        CrossCheck("maintenance_window", check_windows_apart, ("backup_window", "maintenance_window")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def replica_class(self) -> str:
        return self.replica_instance_class or self.instance_class


# -- the admin task ------------------------------------------------------------------------

# Docker's official PostgreSQL image, from ECR Public's mirror of the Docker Official
# Images: Fargate pulls it through NAT without Docker Hub's anonymous pull limits. Alpine:
# ~100 MB against ~150 MB for Debian, so a one-off task starts sooner.
ADMIN_IMAGE_REPOSITORY = "public.ecr.aws/docker/library/postgres"

check_admin_image = pattern_check(
    r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[0-9a-f]{64})$",
    "expected an image reference with a registry and a tag or digest, such as "
    f'"{ADMIN_IMAGE_REPOSITORY}:18-alpine" or "<account>.dkr.ecr.<region>.amazonaws.com/psql@sha256:<64 hex>"',
)


def default_admin_image(engine_version: str) -> str:
    """The psql client of the database's major: `<ADMIN_IMAGE_REPOSITORY>:<major>-alpine`.

    Pinned by tag to the major, not by digest: the tag follows the major's minor releases
    (libpq and OpenSSL fixes) and a psql client works with any minor of its major, while a
    digest would freeze those fixes and could not be checked by this offline build. Give
    `image` as a digest (or a copy in your own ECR) where every pull must be reproducible.
    """
    return f"{ADMIN_IMAGE_REPOSITORY}:{check_engine_version(engine_version)}-alpine"


@dataclass(frozen=True, kw_only=True)
class DatabaseAdminTaskProps:
    """Inputs of `DatabaseAdminTask`, the one-off ECS task that runs SQL against the primary
    as the RDS master user (the bootstrap in sql/bootstrap.sql, migrations). Not an
    environment-file block: the stack supplies every field from the environment's values."""

    name: str = prop(check=check_name)
    """Environment prefix, e.g. "chat-prod": the task family is "<name>-db-admin"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider (the log driver's region)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the task's security group, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=check_admin_subnet_ids)
    """Where `run_task` places the task: private subnets with a way to the image registry,
    Secrets Manager and CloudWatch Logs, usually `Network.private_subnet_ids`."""

    log_retention_days: int = prop(90, check=check_retention_days)
    """Default: 90 days of the task's psql output (the stack passes the environment's value)."""

    image: str | None = prop(None, check=check_admin_image)
    """Default: the official PostgreSQL image of the database's major on Alpine, from ECR
    Public, by tag (`default_admin_image`: why a tag and not a digest). It pulls through NAT;
    a network without NAT needs a copy in this account's ECR."""

    cpu: int = prop(256, check=check_cpu)
    """Default: 0.25 vCPU, Fargate's smallest: psql waits on the server."""

    memory_mib: int = prop(512, check=range_check(512, 122_880))
    """Default: 512 MiB, the least Fargate pairs with 0.25 vCPU."""

    architecture: Architecture = prop("ARM64", check=choice_check(ARCHITECTURES))
    """Default: ARM64 (Graviton, ~20% cheaper per vCPU-hour); the official image is built
    for both."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("memory_mib", check_cpu_memory, ("cpu", "memory_mib")),
    )

    def __post_init__(self) -> None:
        check_props(self)
