"""ops/stack.py's Polling, the bounded wait every command that follows AWS shares (db-bootstrap,
redrive, restore-backup, rotate-secrets, rotate-cache-auth), and output_values, how they read
`terraform output -json`."""

from __future__ import annotations

from ops.stack import Polling, output_values
from tests.ops.day_two import FakeClock


def polling(clock: FakeClock, timeout_seconds: float = 10, poll_seconds: float = 5) -> Polling:
    return Polling(timeout_seconds, poll_seconds, clock=clock, sleep=clock.sleep)


def test_the_rounds_ask_at_once_then_every_poll_until_the_deadline_and_no_sleep_after_the_last():
    clock = FakeClock()
    asked_at = [clock.now for _ in polling(clock).rounds()]
    assert asked_at == [0, 5, 10]
    assert clock.sleeps == [5, 5]


def test_a_poll_that_does_not_divide_the_timeout_asks_once_past_the_deadline():
    clock = FakeClock()
    asked_at = [clock.now for _ in polling(clock, timeout_seconds=10, poll_seconds=4).rounds()]
    assert asked_at == [0, 4, 8, 12]


def test_a_caller_that_has_its_answer_stops_the_rounds_without_another_sleep():
    clock = FakeClock()
    for round_number, _ in enumerate(polling(clock).rounds(), start=1):
        if round_number == 2:
            break
    assert clock.sleeps == [5]


def test_the_deadline_starts_with_the_first_round():
    clock = FakeClock()
    rounds = polling(clock).rounds()
    clock.now = 100  # e.g. the time a command took to start what it follows
    assert [clock.now for _ in rounds] == [100, 105, 110]


def test_only_the_last_round_has_its_deadline_passed():
    clock = FakeClock()
    rounds = polling(clock).rounds()
    assert [rounds.deadline_passed() for _ in rounds] == [False, False, True]


class ReadCountingClock(FakeClock):
    """A clock that moves on by itself between reads, as a real one does."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += 1
        return self.now


def test_asking_whether_the_deadline_passed_reads_the_clock_no_more_than_the_loop_does():
    quiet, asking = ReadCountingClock(), ReadCountingClock()
    for _ in polling(quiet).rounds():
        pass
    rounds = polling(asking).rounds()
    answers = []
    for _ in rounds:
        answers.append(rounds.deadline_passed())
    assert asking.reads == quiet.reads
    assert answers[-1] and not any(answers[:-1])


def test_with_timeout_changes_the_bound_only():
    clock = FakeClock()
    bounded = polling(clock).with_timeout(30)
    assert (bounded.timeout_seconds, bounded.poll_seconds, bounded.clock, bounded.sleep) == (30, 5, clock, clock.sleep)


def test_output_values_unwraps_terraform_output_json_and_takes_bare_values_as_they_are():
    outputs = {
        "ecs_cluster_name": {"value": "chat-prod", "type": "string", "sensitive": False},
        "db_admin_subnet_ids": {"value": ["subnet-1"], "type": ["list", "string"], "sensitive": False},
        "given_bare": "x",
        "a_map_without_value": {"blue": "api-blue"},
    }
    assert output_values(outputs) == {
        "ecs_cluster_name": "chat-prod",
        "db_admin_subnet_ids": ["subnet-1"],
        "given_bare": "x",
        "a_map_without_value": {"blue": "api-blue"},
    }
