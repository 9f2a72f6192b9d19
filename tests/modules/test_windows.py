"""modules/common/windows.py: daily and weekly UTC windows and the rule that they never overlap."""

from __future__ import annotations

import pytest

from modules.common.windows import MINUTES_PER_WEEK, check_daily_apart_from_weekly, daily_window, weekly_window


@pytest.mark.parametrize(
    ("window", "start", "length"),
    [("02:00-03:00", 120, 60), ("23:30-00:30", 1410, 60), ("00:00-00:00", 0, 1440)],
)
def test_daily_windows_may_run_past_midnight(window, start, length):
    assert daily_window(window, min_minutes=30, service="RDS") == (start, length)


@pytest.mark.parametrize(
    ("window", "start", "length"),
    [("mon:00:00-mon:01:00", 0, 60), ("sun:23:00-mon:01:00", MINUTES_PER_WEEK - 60, 120)],
)
def test_weekly_windows_count_from_monday_and_may_wrap_into_the_next_week(window, start, length):
    assert weekly_window(window, min_minutes=60, service="ElastiCache") == (start, length)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: daily_window("2:00-3:00", min_minutes=30, service="RDS"),
            'expected a daily UTC window "hh24:mi-hh24:mi"',
        ),
        (
            lambda: daily_window("02:00-02:20", min_minutes=30, service="RDS"),
            'expected a window of at least 30 minutes (RDS\'s limits), got "02:00-02:20" (string), 20 minutes',
        ),
        (
            lambda: weekly_window("Sun:03:00-sun:04:00", min_minutes=30, service="RDS"),
            'expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of mon, tue, wed, thu, fri, sat, sun',
        ),
        (
            lambda: weekly_window("sun:00:00-mon:02:00", min_minutes=60, max_minutes=1440, service="ElastiCache"),
            'expected a window of 60 to 1440 minutes (ElastiCache\'s limits), got "sun:00:00-mon:02:00" (string), '
            "1560 minutes",
        ),
    ],
)
def test_bad_windows_are_refused_with_what_was_expected(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("daily", "weekly"),
    [
        ("02:00-03:00", "sun:02:30-sun:03:30"),  # the same day
        ("23:30-00:30", "wed:00:00-wed:00:45"),  # the daily window wraps past midnight
        ("02:00-03:00", "sun:23:00-mon:02:30"),  # the weekly window wraps into Monday's daily one
    ],
)
def test_overlapping_windows_are_refused(daily, weekly):
    with pytest.raises(ValueError) as caught:
        check_daily_apart_from_weekly(daily, weekly, "backup")
    assert str(caught.value) == (
        f"expected a maintenance window apart from the daily backup window {daily!r} "
        f"(AWS refuses or delays work in overlapping windows), got {weekly!r}"
    )


def test_adjacent_windows_are_apart():
    check_daily_apart_from_weekly("02:00-03:00", "sun:03:00-sun:03:30", "backup")
    check_daily_apart_from_weekly("23:30-00:30", "sat:00:30-sat:01:00", "snapshot")
