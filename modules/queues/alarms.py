"""A worker queue's alarms: its oldest message and its dead-letter queue's depth (a `Watch`
of modules/observability/specs.py).
"""

from __future__ import annotations

from modules.observability.props import AlarmsProps
from modules.observability.specs import ONE_WINDOW, Metric, Panel, Watch, runbook, single_metric_alarm


def queue_watch(props: AlarmsProps, *, queue_name: str, dead_letter_queue_name: str) -> Watch:
    """A worker queue's oldest message and its dead-letter queue's depth."""
    short = queue_name.removeprefix(f"{props.name}-")
    oldest = single_metric_alarm(
        f"{short}-oldest-message",
        f"{short} oldest message s",
        runbook(
            f"The oldest message on {queue_name} waited more than {props.queue_oldest_message_seconds} s: the "
            "worker is stuck, scaled out to its maximum, or failing on a downstream."
        ),
        Metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": queue_name}, "Maximum"),
        threshold=props.queue_oldest_message_seconds,
        comparison="GreaterThanThreshold",
        evaluation=ONE_WINDOW,
        # SQS stops publishing for a queue idle six hours: nothing sent, nothing old.
        missing_data="notBreaching",
    )
    dead_letters = single_metric_alarm(
        f"{short}-dead-letters",
        f"{short} dead letters",
        runbook(
            f"{dead_letter_queue_name} holds messages: each failed max_receive_count times and waits for a person "
            "to redrive or drop it."
        ),
        Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dead_letter_queue_name}, "Maximum"),
        # Any dead letter: nothing lands there by design.
        threshold=0,
        comparison="GreaterThanThreshold",
        evaluation=ONE_WINDOW,
        # An empty dead-letter queue nobody touches goes quiet after six hours.
        missing_data="notBreaching",
    )
    return Watch(
        f"Queue {queue_name}",
        (oldest, dead_letters),
        (Panel(f"{short} oldest message (s)", (oldest,)), Panel(f"{short} dead letters", (dead_letters,))),
    )
