"""RDS's backup and maintenance windows (pure Python): RDS's limits over modules/common/windows.py.

RDS takes the daily backup window and the weekly maintenance window in UTC, each at least
30 minutes long, and refuses a maintenance window that overlaps the backup window on any
day; checking here moves that refusal from the apply to synthesis.
"""

from __future__ import annotations

from modules.common.windows import check_daily_apart_from_weekly, daily_window, weekly_window

# RDS's minimum for both windows (CreateDBInstance: PreferredBackupWindow, PreferredMaintenanceWindow).
MIN_WINDOW_MINUTES = 30


def check_backup_window(window: str) -> str:
    daily_window(window, min_minutes=MIN_WINDOW_MINUTES, service="RDS")
    return window


def check_maintenance_window(window: str) -> str:
    weekly_window(window, min_minutes=MIN_WINDOW_MINUTES, service="RDS")
    return window


def check_windows_apart(backup_window: str, maintenance_window: str) -> None:
    check_daily_apart_from_weekly(backup_window, maintenance_window, "backup")
