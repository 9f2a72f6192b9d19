"""Pure decisions of the DocumentDB module: engine versions, parameter-group family,
cluster parameters and windows (no cdktf here; the environment layer imports it).
"""

from __future__ import annotations

from modules.common.windows import check_daily_apart_from_weekly, daily_window, weekly_window

# Engine versions Amazon DocumentDB offers for instance-based clusters ("Amazon DocumentDB
# features and settings by engine version"): 3.6 is left out, its standard support ends
# in March 2026.
ENGINE_VERSIONS: tuple[str, ...] = ("4.0.0", "5.0.0", "8.0.0")
# 5.0 (MongoDB 5.0 API): active, with a long-term-support patch track (fewer, planned
# engine patches), Secrets Manager-managed master passwords, I/O-Optimized storage,
# t4g instances. 8.0 (GA November 2025) is offered; choose it once the services' driver
# and queries are tested against it (a major version upgrade is one way).
DEFAULT_ENGINE_VERSION = "5.0.0"

# TLS 1.2 or later on every connection: "enabled" would still accept TLS 1.0 and 1.1.
# Supported from DocumentDB 4.0 (engine 2.0.10980) and 5.0 (engine 3.0.11051), patches the
# clusters receive in their maintenance window (API reference, Parameter).
TLS_MODE = "tls1.2+"
# Audit events of the DDL category: authentication (successful and failed), authorization
# failures, user and role management, and schema changes. Not every read and write (dml_*):
# those would copy chat traffic, message bodies included, into the logs.
AUDIT_LOGS = "ddl"
# The instance-based cluster's limits: a primary and up to 15 replicas.
MAX_INSTANCES = 16
# DocumentDB's minimum for the daily backup and weekly maintenance windows.
MIN_WINDOW_MINUTES = 30


def parameter_group_family(engine_version: str) -> str:
    """ "5.0.0" -> "docdb5.0": the family of a cluster parameter group for the version."""
    major, minor = engine_version.split(".")[:2]
    return f"docdb{major}.{minor}"


def cluster_parameters(*, profiler_threshold_ms: int) -> dict[str, str]:
    """The cluster parameter group's parameters, by name."""
    return {
        "tls": TLS_MODE,
        "audit_logs": AUDIT_LOGS,
        # Operations slower than the threshold go to the profiler log (exported to CloudWatch).
        "profiler": "enabled",
        "profiler_threshold_ms": str(profiler_threshold_ms),
    }


def check_backup_window(window: str) -> str:
    """A daily UTC window DocumentDB accepts for automated backups."""
    daily_window(window, min_minutes=MIN_WINDOW_MINUTES, service="DocumentDB")
    return window


def check_maintenance_window(window: str) -> str:
    """A weekly UTC window DocumentDB accepts for maintenance."""
    weekly_window(window, min_minutes=MIN_WINDOW_MINUTES, service="DocumentDB")
    return window


def check_windows_apart(backup_window: str, maintenance_window: str) -> None:
    """DocumentDB refuses a maintenance window that overlaps the backup window."""
    check_daily_apart_from_weekly(backup_window, maintenance_window, "backup")
