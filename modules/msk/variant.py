"""What the messaging variant "msk" needs from the rest of an environment file: pure, no
cdktf, so the environment schema judges a file before anything is synthesized.

`msk_problems(...)` returns (key, message) pairs in the loader's words, for a file that
chose `messaging = "msk"` (envconfig/variants.py asks); an empty list means the file's
choices fit together.
"""

from __future__ import annotations

from modules.msk.settings import MAX_AZS, MIN_AZS, check_broker_count_per_az


def msk_problems(
    *, az_count: int, broker_count: int | None, worker_backlog_per_task: int | None
) -> list[tuple[str, str]]:
    problems = []
    if not MIN_AZS <= az_count <= MAX_AZS:
        problems.append(
            (
                "network.az_count",
                f'expected {MIN_AZS} or {MAX_AZS} when messaging = "msk" (MSK places brokers in two or three AZs), '
                f"got {az_count}",
            )
        )
    elif broker_count is not None:
        try:
            check_broker_count_per_az(broker_count, az_count)
        except ValueError as error:
            problems.append(("msk.broker_count", str(error)))
    if worker_backlog_per_task is not None:
        problems.append(
            (
                "worker.backlog_per_task",
                'expected none when messaging = "msk" (there is no queue backlog to count; the worker scales '
                f"on CPU), got {worker_backlog_per_task}",
            )
        )
    return problems
