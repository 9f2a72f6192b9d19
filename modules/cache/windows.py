"""Snapshot and maintenance windows (pure: no cdktf).

ElastiCache takes a daily snapshot window "hh24:mi-hh24:mi" and a weekly maintenance
window "ddd:hh24:mi-ddd:hh24:mi", both in UTC and at least an hour long (the maintenance
window at most a day). A snapshot on a node being patched is delayed or skipped, so the
two must never overlap on any day of the week. Either window may run past midnight (and
the maintenance window past Sunday into Monday).
"""

from __future__ import annotations

import re

from modules.common.validation import describe

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# ElastiCache's limits on both windows (CreateReplicationGroup: SnapshotWindow,
# PreferredMaintenanceWindow): at least 60 minutes; the maintenance window at most 24 hours.
MIN_WINDOW_MINUTES = 60
MAX_MAINTENANCE_MINUTES = MINUTES_PER_DAY

_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_SNAPSHOT_RE = re.compile(rf"^{_TIME}-{_TIME}$")
_MAINTENANCE_RE = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")


def _length(start: int, end: int, period: int) -> int:
    """Minutes from start to end on a circular clock of `period` minutes (end == start: a full turn)."""
    return (end - start) % period or period


def snapshot_window_minutes(window: str) -> tuple[int, int]:
    """(start minute of the day, length in minutes) of a valid daily window, else ValueError."""
    match = _SNAPSHOT_RE.fullmatch(window)
    if not match:
        raise ValueError(f'expected a daily UTC window "hh24:mi-hh24:mi" such as "03:00-04:00", got {describe(window)}')
    start_hour, start_minute, end_hour, end_minute = (int(group) for group in match.groups())
    start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
    length = _length(start, end, MINUTES_PER_DAY)
    if length < MIN_WINDOW_MINUTES:
        raise ValueError(
            f"expected a window of at least {MIN_WINDOW_MINUTES} minutes (ElastiCache's minimum), "
            f"got {describe(window)}, {length} minutes"
        )
    return start, length


def maintenance_window_minutes(window: str) -> tuple[int, int]:
    """(start minute of the week from Monday 00:00, length in minutes) of a valid weekly window."""
    match = _MAINTENANCE_RE.fullmatch(window.lower())
    if not match:
        raise ValueError(
            'expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of '
            f'{", ".join(DAYS)}, such as "sun:05:00-sun:06:00", got {describe(window)}'
        )
    start_day, start_hour, start_minute, end_day, end_hour, end_minute = match.groups()
    start = DAYS.index(start_day) * MINUTES_PER_DAY + int(start_hour) * 60 + int(start_minute)
    end = DAYS.index(end_day) * MINUTES_PER_DAY + int(end_hour) * 60 + int(end_minute)
    length = _length(start, end, MINUTES_PER_WEEK)
    if not MIN_WINDOW_MINUTES <= length <= MAX_MAINTENANCE_MINUTES:
        raise ValueError(
            f"expected a window of {MIN_WINDOW_MINUTES} minutes to {MAX_MAINTENANCE_MINUTES // 60} hours "
            f"(ElastiCache's limits), got {describe(window)}, {length} minutes"
        )
    return start, length


def check_snapshot_window(window: str) -> str:
    snapshot_window_minutes(window)
    return window


def check_maintenance_window(window: str) -> str:
    """Valid, and lowercase: ElastiCache stores the window in lowercase, so "Sun" would
    show as a change on every plan."""
    maintenance_window_minutes(window)
    if window != window.lower():
        raise ValueError(f"expected lowercase day names (ElastiCache stores them so), got {describe(window)}")
    return window


def _overlaps(start_a: int, length_a: int, start_b: int, length_b: int) -> bool:
    """Whether two intervals on the week's circular clock share a minute."""
    for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK):
        if start_a < start_b + shift + length_b and start_b + shift < start_a + length_a:
            return True
    return False


def windows_overlap(snapshot_window: str, maintenance_window: str) -> bool:
    """Whether the daily snapshot window meets the weekly maintenance window on any day."""
    snapshot_start, snapshot_length = snapshot_window_minutes(snapshot_window)
    maintenance_start, maintenance_length = maintenance_window_minutes(maintenance_window)
    return any(
        _overlaps(day * MINUTES_PER_DAY + snapshot_start, snapshot_length, maintenance_start, maintenance_length)
        for day in range(len(DAYS))
    )


def check_windows_apart(snapshot_window: str, maintenance_window: str) -> None:
    """A CrossCheck of the props: the two windows never overlap."""
    if windows_overlap(snapshot_window, maintenance_window):
        raise ValueError(
            f'expected a snapshot window that does not overlap the maintenance window "{maintenance_window}" '
            f"on any day (a snapshot during maintenance is delayed or skipped), got {describe(snapshot_window)}"
        )
