"""ElastiCache's snapshot and maintenance windows (pure Python): its limits over modules/common/windows.py.

ElastiCache takes a daily snapshot window and a weekly maintenance window in UTC, both at
least an hour long (the maintenance window at most a day). A snapshot on a node being
patched is delayed or skipped, so the two must never overlap on any day of the week.
"""

from __future__ import annotations

from modules.common.windows import MINUTES_PER_DAY, check_daily_apart_from_weekly, daily_window, weekly_window

# ElastiCache's limits on both windows (CreateReplicationGroup: SnapshotWindow,
# PreferredMaintenanceWindow): at least 60 minutes; the maintenance window at most 24 hours.
MIN_WINDOW_MINUTES = 60
MAX_MAINTENANCE_MINUTES = MINUTES_PER_DAY


def check_snapshot_window(window: str) -> str:
    daily_window(window, min_minutes=MIN_WINDOW_MINUTES, service="ElastiCache")
    return window


def check_maintenance_window(window: str) -> str:
    weekly_window(window, min_minutes=MIN_WINDOW_MINUTES, max_minutes=MAX_MAINTENANCE_MINUTES, service="ElastiCache")
    return window


def check_windows_apart(snapshot_window: str, maintenance_window: str) -> None:
    """A CrossCheck of the props: the maintenance window never meets the daily snapshot window."""
    check_daily_apart_from_weekly(snapshot_window, maintenance_window, "snapshot")
