"""Daily and weekly windows as AWS writes them, and the rule that they never overlap (pure Python).

RDS (backup and maintenance windows), ElastiCache (snapshot and maintenance windows) and
DocumentDB take a daily window as "hh24:mi-hh24:mi" and a weekly one as
"ddd:hh24:mi-ddd:hh24:mi", both in UTC; either may run past midnight, the weekly one past
Sunday into Monday. Each service has its own minimum length and refuses (or silently
delays) a daily job that falls inside the weekly window, so a module checks its windows
with these functions at synthesis instead of meeting the refusal at apply:

    start, length = daily_window("02:00-03:00", min_minutes=30, service="RDS")
    check_daily_apart_from_weekly("02:00-03:00", "sun:03:30-sun:04:30", "backup")

Each raises ValueError("expected ..., got ...") (modules.common.validation's wording).
"""

from __future__ import annotations

import re

from modules.common.validation import describe

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY_RE = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY_RE = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")


def _length(start: int, end: int, period: int) -> int:
    """Minutes from start to end on a circular clock of `period` minutes (end == start: a full turn)."""
    return (end - start) % period or period


def _check_length(window: str, length: int, min_minutes: int, max_minutes: int | None, service: str) -> None:
    if length < min_minutes or (max_minutes is not None and length > max_minutes):
        limits = f"at least {min_minutes} minutes" if max_minutes is None else f"{min_minutes} to {max_minutes} minutes"
        raise ValueError(
            f"expected a window of {limits} ({service}'s limits), got {describe(window)}, {length} minutes"
        )


def daily_window(window: str, *, min_minutes: int, service: str) -> tuple[int, int]:
    """(start minute of the day, length in minutes) of a valid daily window, else ValueError."""
    match = _DAILY_RE.fullmatch(window)
    if match is None:
        raise ValueError(f'expected a daily UTC window "hh24:mi-hh24:mi" such as "02:00-03:00", got {describe(window)}')
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    start = start_hour * 60 + start_minute
    length = _length(start, end_hour * 60 + end_minute, MINUTES_PER_DAY)
    _check_length(window, length, min_minutes, None, service)
    return start, length


def weekly_window(window: str, *, min_minutes: int, service: str, max_minutes: int | None = None) -> tuple[int, int]:
    """(start minute of the week from Monday 00:00, length in minutes) of a valid weekly window.

    Day names are lowercase only: RDS and ElastiCache store them so, and "Sun" would show as
    a change on every plan."""
    match = _WEEKLY_RE.fullmatch(window)
    if match is None:
        raise ValueError(
            f'expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of {", ".join(DAYS)}, '
            f'such as "sun:03:30-sun:04:30", got {describe(window)}'
        )
    start_day, start_hour, start_minute, end_day, end_hour, end_minute = match.groups()
    start = DAYS.index(start_day) * MINUTES_PER_DAY + int(start_hour) * 60 + int(start_minute)
    end = DAYS.index(end_day) * MINUTES_PER_DAY + int(end_hour) * 60 + int(end_minute)
    length = _length(start, end, MINUTES_PER_WEEK)
    _check_length(window, length, min_minutes, max_minutes, service)
    return start, length


def _minutes_of_week(start: int, length: int) -> set[int]:
    return {(start + offset) % MINUTES_PER_WEEK for offset in range(length)}


def check_daily_apart_from_weekly(daily: str, weekly: str, daily_job: str) -> None:
    """The weekly window must not overlap the daily one on any day (both already valid)."""
    daily_start, daily_length = daily_window(daily, min_minutes=1, service="AWS")
    weekly_start, weekly_length = weekly_window(weekly, min_minutes=1, service="AWS")
    every_day = set().union(
        *(_minutes_of_week(day * MINUTES_PER_DAY + daily_start, daily_length) for day in range(len(DAYS)))
    )
    if every_day & _minutes_of_week(weekly_start, weekly_length):
        raise ValueError(
            f"expected a maintenance window apart from the daily {daily_job} window {daily!r} "
            f"(AWS refuses or delays work in overlapping windows), got {weekly!r}"
        )
