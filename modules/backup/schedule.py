"""The backup plan's rules, from how many daily, weekly and monthly recovery points to keep.

Pure decisions, tested on their own (tests/modules/test_backup.py simulates a year of
backups against them):
- "keep N" becomes a retention in days that holds at least N recovery points of that
  rule at every moment: N periods, with a month counted as 31 days (the longest), so
  the oldest point is never deleted before the newest one of the next period exists;
- every rule starts at the same hour. When rules' windows overlap, AWS Backup takes one
  backup, for the rule with the longest retention ("Backup plan options and
  configuration" in its guide): on the 1st of a month the monthly point stands in for
  that day's daily and weekly ones, and two jobs never compete for one store.

Nothing here imports cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass

# Days per period; a month is counted as its longest so "keep 3 monthly" always holds 3.
DAYS_PER_PERIOD = {"daily": 1, "weekly": 7, "monthly": 31}

# AWS Backup's shortest start window: each job starts within the hour after the chosen
# quiet hour, not up to 8 hours later (the console's default).
START_WINDOW_MINUTES = 60
# 23 hours: a job that starts at the end of its start window still has to finish before
# the next day's job is due, so two jobs never run against one store (AWS's default is
# 7 days). AWS Backup requires at least the start window plus 60 minutes.
COMPLETION_WINDOW_MINUTES = 23 * 60


@dataclass(frozen=True)
class PlannedRule:
    """One rule of the plan: a name, an AWS Backup cron expression (UTC), and a retention."""

    name: str
    schedule: str
    retention_days: int


def retention_days(period: str, kept: int) -> int:
    """Days a recovery point of `period` must be kept for `kept` of them to exist at all times."""
    if kept < 1:
        raise ValueError(f"{period}: expected at least 1 recovery point to keep, got {kept}")
    return kept * DAYS_PER_PERIOD[period]


def plan_rules(*, daily_kept: int, weekly_kept: int, monthly_kept: int, hour_utc: int) -> tuple[PlannedRule, ...]:
    """The enabled rules (a count of 0 leaves that rule out), all starting at `hour_utc`."""
    if not 0 <= hour_utc <= 23:
        raise ValueError(f"expected an hour from 0 to 23, got {hour_utc}")
    # AWS Backup cron: minutes hours day-of-month month day-of-week year; one of the two
    # day fields must be "?".
    schedules = {
        "daily": f"cron(0 {hour_utc} * * ? *)",
        "weekly": f"cron(0 {hour_utc} ? * SUN *)",
        "monthly": f"cron(0 {hour_utc} 1 * ? *)",
    }
    counts = {"daily": daily_kept, "weekly": weekly_kept, "monthly": monthly_kept}
    return tuple(
        PlannedRule(period, schedules[period], retention_days(period, kept))
        for period, kept in counts.items()
        if kept > 0
    )
