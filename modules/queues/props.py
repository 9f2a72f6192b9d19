"""Inputs of the MessageQueue construct, and the checks only it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from modules.common.inputs import check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    describe,
    pattern_check,
    range_check,
)

# SQS's own limits (SetQueueAttributes): retention 60 s to 14 days, visibility timeout
# 0 s to 12 h, long-poll wait 0 to 20 s, maxReceiveCount 1 to 1,000, data-key reuse
# 60 s to 24 h.
MIN_RETENTION_SECONDS = 60
MAX_RETENTION_SECONDS = 1_209_600
MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200
MAX_RECEIVE_WAIT_SECONDS = 20
MAX_RECEIVE_COUNT = 1_000
MIN_DATA_KEY_REUSE_SECONDS = 60
MAX_DATA_KEY_REUSE_SECONDS = 86_400

# The dead-letter queue keeps messages as long as SQS allows: a failed message waits
# there until someone has looked at it and redriven or dropped it.
DEAD_LETTER_RETENTION_SECONDS = MAX_RETENTION_SECONDS
# SQS keeps a message's original enqueue time when it moves it to the dead-letter queue,
# so what a message has left there is the DLQ's retention minus its age. Capping the
# source queue's retention at a week leaves every dead-lettered message a week or more.
MIN_DEAD_LETTER_HEADROOM_SECONDS = 604_800
MAX_SOURCE_RETENTION_SECONDS = DEAD_LETTER_RETENTION_SECONDS - MIN_DEAD_LETTER_HEADROOM_SECONDS

# The full name is "<name>-<queue_name>-dlq" for the dead-letter queue; SQS names hold at
# most 80 characters, and `name` at most 20.
_QUEUE_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"

check_queue_name = pattern_check(
    _QUEUE_NAME_PATTERN,
    "expected 2-40 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'",
)


def check_message_retention(value: int) -> int:
    """What SQS allows, and short enough that a dead-lettered message keeps a week in the DLQ."""
    if not MIN_RETENTION_SECONDS <= value <= MAX_RETENTION_SECONDS:
        raise ValueError(
            f"expected a retention SQS allows, {MIN_RETENTION_SECONDS} to {MAX_RETENTION_SECONDS} seconds "
            f"(1 minute to 14 days), got {describe(value)}"
        )
    if value > MAX_SOURCE_RETENTION_SECONDS:
        raise ValueError(
            f"expected at most {MAX_SOURCE_RETENTION_SECONDS} seconds (7 days): SQS keeps a message's enqueue "
            f"time when it dead-letters it, and the dead-letter queue keeps messages {DEAD_LETTER_RETENTION_SECONDS} "
            f"seconds from that time, so a longer retention leaves a failed message less than a week there, "
            f"got {describe(value)}"
        )
    return value


@dataclass(frozen=True, kw_only=True)
class MessageQueueProps:
    """Inputs of `MessageQueue`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the settings an environment file may give
    each queue; the stack supplies name, region, account_id, queue_name and
    deletion_protection (the environment's).
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: part of the queues' ARNs and of the kms:ViaService
    condition in the grants."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Part of the queues' ARNs, which are
    written out literally so the policies naming them read as they will apply."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    queue_name: str = prop(check=check_queue_name)
    """What the queue carries, e.g. "push-notifications": the queue is named
    "<name>-<queue_name>" and its dead-letter queue "<name>-<queue_name>-dlq". Renaming
    replaces both queues (and loses their messages)."""

    max_receive_count: int = prop(5, check=range_check(1, MAX_RECEIVE_COUNT), environment=True)
    """Default: 5 receives, then the message moves to the dead-letter queue. A message is
    received again each time its visibility timeout passes without a delete, so this many
    failures in a row are taken as a poison message, not a passing outage; with a 60 s
    visibility timeout, 5 covers about five minutes of a failing downstream. 1 to 1,000."""

    message_retention_seconds: int = prop(345_600, check=check_message_retention, environment=True)
    """Default: 4 days (SQS's default), enough for the consumer to be down over a long weekend
    without losing a message. 60 s to 7 days: the dead-letter queue keeps messages 14 days
    from their first enqueue, and this leaves every failed message at least a week there."""

    visibility_timeout_seconds: int = prop(60, check=range_check(0, MAX_VISIBILITY_TIMEOUT_SECONDS), environment=True)
    """Default: 60 s. How long a received message stays hidden from other consumers; it must
    outlast the consumer's slowest handling of a batch (up to 10 messages per receive), or
    the message is delivered twice. A worker calling one HTTPS API per message with a 10 s
    client timeout and one retry needs about 25 s; 60 s leaves margin, and a crashed
    worker's messages reappear within the minute. 0 to 43,200 (12 h)."""

    receive_wait_time_seconds: int = prop(MAX_RECEIVE_WAIT_SECONDS, check=range_check(1, MAX_RECEIVE_WAIT_SECONDS))
    """Default: 20 s long polling (SQS's maximum). An idle consumer then makes 3 requests a
    minute instead of a stream of empty short polls, which SQS bills like any other
    request. 1 to 20: 0 (short polling) is not offered."""

    kms_data_key_reuse_period_seconds: int = prop(
        300, check=range_check(MIN_DATA_KEY_REUSE_SECONDS, MAX_DATA_KEY_REUSE_SECONDS)
    )
    """Default: 300 s (SQS's default). How long SQS reuses a data key before asking KMS for a
    new one, per producer and consumer: at 300 s a busy queue makes about 9,000 KMS calls a
    month per principal (~$0.03), so a longer period saves little and lets one data key
    cover more messages. 60 to 86,400."""

    deletion_protection: bool = True
    """Default: on. Terraform refuses to destroy either queue (`lifecycle.prevent_destroy`),
    and a key the module creates, until the environment turns it off. SQS itself has no
    deletion protection. The stack passes the environment's deletion_protection."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def queue_full_name(self) -> str:
        return f"{self.name}-{self.queue_name}"

    @property
    def dead_letter_queue_name(self) -> str:
        return f"{self.queue_full_name}-dlq"
