"""`python -m ops.redrive ENV QUEUE` (`make redrive ENV=<env> QUEUE=<push|offline>`): move the
messages waiting in a queue's dead-letter queue back to the queue, after the consumer is fixed.

Which queues: the stack's (modules/queues, one `<key>_queue` each: `push` carries push
notifications, `offline` offline messages), read from the synthesized stack, where their
names are literal (`chat-prod-push-notifications`, its DLQ `...-dlq`). The deployed queue's
own redrive policy must name the same DLQ, or nothing is done (the checkout and the
environment disagree: deploy first).

What it does: shows how many messages wait in the DLQ (and how many are in flight), then
starts an SQS message move task from the DLQ back to the queue (`StartMessageMoveTask`, the
API behind the console's "Start DLQ redrive": SQS moves the messages itself, keeps their ids,
bodies and attributes, and resets their receive count). With --wait it follows the task
(`ListMessageMoveTasks`, bounded by --timeout-seconds) and reports the moved and failed
counts; past the bound the task keeps running (moving is safe to finish) and the command
says how to follow or cancel it.

--by-receive does the move by hand: receive from the DLQ, send to the queue, delete from the
DLQ, ten at a time. For where message move tasks are not available (moto, the emulator the
scenario tests use, has none). The trade-off: each message is a new message (a new message
id, so consumers that deduplicate on the id see a new one; no AWSTraceHeader; its retention
starts again), and a crash between the send and the delete leaves the message in both
queues (reported as duplicated). Prefer the move task on AWS.

--dry-run only shows the counts.

Exit codes: 0 done (or nothing to move, or the task started without --wait); 1 the move
failed, was cancelled, did not finish within the bound, or some messages could not be
moved by hand; 2 nothing was done: no synthesized stack, an unknown QUEUE, no credentials,
a queue that does not exist, or SQS refused to start the task (e.g. one is already running).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ops.stack import (
    CannotRun,
    ClientFactory,
    Outcome,
    Polling,
    SynthesizedStack,
    add_stack_arguments,
    boto3_clients,
    error_code,
    load_stack,
)

# A DLQ holds what failed every retry: hundreds of messages, rarely more. A move task
# moves up to 500 messages a second (SQS's default rate), so ten minutes is ample.
DEFAULT_TIMEOUT_SECONDS = 600
# SQS updates a move task's counts every few seconds; every 5 s shows the progress as it comes.
POLL_SECONDS = 5.0
POLLING = Polling(DEFAULT_TIMEOUT_SECONDS, POLL_SECONDS)
# By hand: SQS batches hold at most 10 messages; a 1 s long poll asks every SQS server, so
# an empty answer means the queue is (approximately) empty.
BATCH = 10
RECEIVE_WAIT_SECONDS = 1
DEFAULT_MAX_MESSAGES = 10_000
FINISHED = {"COMPLETED": 0, "FAILED": 1, "CANCELLED": 1}


@dataclass(frozen=True)
class StackQueue:
    """A queue and its DLQ as the synthesized stack names them."""

    key: str
    name: str
    dead_letter_name: str

    @classmethod
    def from_stack(cls, stack: SynthesizedStack, key: str) -> StackQueue:
        queues = {
            path.removesuffix("_queue/this"): body
            for path, body in stack.resources("aws_sqs_queue").items()
            if path.endswith("_queue/this")
        }
        if not queues:
            raise CannotRun(
                f'the stack {stack.name} has no queues (with messaging = "msk" Kafka topics carry that work)'
            )
        if key not in queues:
            raise CannotRun(f"unknown queue {key!r}: the stack {stack.name} has {' and '.join(sorted(queues))}")
        body = queues[key]
        try:
            dead_letter_arn = json.loads(body["redrive_policy"])["deadLetterTargetArn"]
        except (KeyError, TypeError, json.JSONDecodeError):
            raise CannotRun(f"the queue {body.get('name')!r} has no redrive policy in {stack.path}") from None
        return cls(key=key, name=body["name"], dead_letter_name=dead_letter_arn.rsplit(":", 1)[-1])


@dataclass(frozen=True)
class DeployedQueue:
    """The queue and its DLQ as SQS knows them, and how many messages wait."""

    url: str
    arn: str
    dead_letter_name: str
    dead_letter_url: str
    dead_letter_arn: str
    waiting: int
    in_flight: int


def locate(sqs: Any, queue: StackQueue) -> DeployedQueue:
    """Find both queues in SQS and check the deployed redrive policy names the stack's DLQ."""
    from botocore.exceptions import BotoCoreError, ClientError

    region = sqs.meta.region_name

    def url_of(name: str) -> str:
        try:
            return sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except ClientError as error:
            if error_code(error) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                raise CannotRun(
                    f"no queue {name} in {region}: the stack is not deployed there (make deploy ENV=...)"
                ) from None
            raise

    try:
        url = url_of(queue.name)
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])["Attributes"]
        deployed_dlq = json.loads(attributes.get("RedrivePolicy") or "{}").get("deadLetterTargetArn", "")
        if deployed_dlq.rsplit(":", 1)[-1] != queue.dead_letter_name:
            raise CannotRun(
                f"the deployed queue {queue.name} dead-letters to {deployed_dlq or 'nothing'}, the stack says "
                f"{queue.dead_letter_name}: deploy this checkout first (make plan ENV=...)"
            )
        dead_letter_url = url_of(queue.dead_letter_name)
        counts = sqs.get_queue_attributes(
            QueueUrl=dead_letter_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
    except (ClientError, BotoCoreError) as error:
        raise CannotRun(f"SQS refused to describe {queue.name} and its dead-letter queue: {error}") from None
    return DeployedQueue(
        url=url,
        arn=attributes["QueueArn"],
        dead_letter_name=queue.dead_letter_name,
        dead_letter_url=dead_letter_url,
        dead_letter_arn=deployed_dlq,
        waiting=int(counts.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(counts.get("ApproximateNumberOfMessagesNotVisible", 0)),
    )


def move(
    sqs: Any,
    queue: DeployedQueue,
    *,
    wait: bool,
    polling: Polling = POLLING,
    max_per_second: int | None = None,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Start a message move task from the DLQ to the queue and, with `wait`, follow it (bounded)."""
    from botocore.exceptions import BotoCoreError, ClientError

    region = sqs.meta.region_name
    follow = f"aws sqs list-message-move-tasks --source-arn {queue.dead_letter_arn} --region {region}"
    request = {"SourceArn": queue.dead_letter_arn, "DestinationArn": queue.arn}
    if max_per_second is not None:
        request["MaxNumberOfMessagesPerSecond"] = max_per_second
    try:
        handle = sqs.start_message_move_task(**request)["TaskHandle"]
    except (ClientError, BotoCoreError) as error:
        return Outcome(2, f"SQS refused to start the move from {queue.dead_letter_name}: {error}")
    say(f"started a message move task from {queue.dead_letter_name} back to its queue")
    if not wait:
        return Outcome(0, f"the move runs in SQS; follow it: {follow}")

    cancel = f"aws sqs cancel-message-move-task --task-handle {handle} --region {region}"
    rounds = polling.rounds()
    for _ in rounds:
        try:
            results = sqs.list_message_move_tasks(SourceArn=queue.dead_letter_arn, MaxResults=1)["Results"]
        except (ClientError, BotoCoreError) as error:
            return Outcome(1, f"could not follow the move ({error}); it may still run: {follow}")
        if not results:
            return Outcome(1, f"SQS lists no move task from {queue.dead_letter_name}; {follow}")
        task = results[0]
        status = task.get("Status", "?")
        moved = task.get("ApproximateNumberOfMessagesMoved", 0)
        to_move = task.get("ApproximateNumberOfMessagesToMove", "?")
        if status in FINISHED:
            counts = f"{moved} of {to_move} messages moved"
            if status == "COMPLETED":
                return Outcome(0, f"redrive completed: {counts} from {queue.dead_letter_name}")
            reason = f": {task['FailureReason']}" if task.get("FailureReason") else ""
            return Outcome(1, f"redrive {status.lower()}{reason}; {counts}, the rest wait in {queue.dead_letter_name}")
        if not rounds.deadline_passed():  # the last round's counts are in the timeout's message
            say(f"  {status}: {moved} of {to_move} moved")
    return Outcome(
        1,
        f"timed out after {polling.timeout_seconds:.0f} s (--timeout-seconds): the move is {status}, {moved} of "
        f"{to_move} messages moved so far; it keeps running in SQS: follow it ({follow}) or cancel it ({cancel})",
    )


def move_by_receive(
    sqs: Any,
    queue: DeployedQueue,
    *,
    max_messages: int = DEFAULT_MAX_MESSAGES,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Receive from the DLQ, send to the queue, delete from the DLQ, until the DLQ answers empty,
    `max_messages` were handled or the time is up. Body and message attributes are copied."""
    from botocore.exceptions import BotoCoreError, ClientError

    moved = 0
    failed: dict[str, str] = {}  # message id -> why it stays in the DLQ
    duplicated: dict[str, str] = {}  # sent, but its delete failed: it is in both queues
    deadline = clock() + timeout_seconds
    try:
        while moved + len(failed) + len(duplicated) < max_messages and clock() < deadline:
            received = sqs.receive_message(
                QueueUrl=queue.dead_letter_url,
                MaxNumberOfMessages=min(BATCH, max_messages - moved - len(failed) - len(duplicated)),
                WaitTimeSeconds=RECEIVE_WAIT_SECONDS,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not received:
                break
            by_id = {str(index): message for index, message in enumerate(received)}
            sent = sqs.send_message_batch(
                QueueUrl=queue.url,
                Entries=[
                    {"Id": entry_id, "MessageBody": message["Body"], **_attributes(message)}
                    for entry_id, message in by_id.items()
                ],
            )
            for failure in sent.get("Failed", []):
                failed[by_id[failure["Id"]]["MessageId"]] = f"{failure.get('Code')}: {failure.get('Message', '')}"
            done = [by_id[entry["Id"]] for entry in sent.get("Successful", [])]
            if not done:
                continue
            deleted = sqs.delete_message_batch(
                QueueUrl=queue.dead_letter_url,
                Entries=[{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(done)],
            )
            for failure in deleted.get("Failed", []):
                duplicated[done[int(failure["Id"])]["MessageId"]] = failure.get("Code", "?")
            moved += len(deleted.get("Successful", []))
    except (ClientError, BotoCoreError) as error:
        return Outcome(
            1, f"moved {moved} messages, then SQS refused: {error}; the rest wait in {queue.dead_letter_name}"
        )
    say(f"moved {moved} messages by hand (receive, send, delete)")
    problems = []
    if failed:
        problems.append(
            f"{len(failed)} could not be sent and wait in {queue.dead_letter_name} again after its visibility "
            f"timeout ({'; '.join(sorted(set(failed.values())))})"
        )
    if duplicated:
        problems.append(f"{len(duplicated)} were sent but not deleted, so they are in both queues")
    if problems:
        return Outcome(1, f"redrive by receive incomplete: {moved} moved; " + "; ".join(problems))
    left = "" if clock() < deadline and moved < max_messages else " (stopped at the bound: run it again for the rest)"
    return Outcome(0, f"redrive by receive done: {moved} messages moved from {queue.dead_letter_name}{left}")


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    """The message's attributes as SendMessage takes them (list values are not supported by SQS)."""
    attributes = {
        name: {key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value}
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {"MessageAttributes": attributes} if attributes else {}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.redrive",
        description="Move the messages of a queue's dead-letter queue back to the queue (SQS message move task).",
        epilog="Exit 0: done or started; 1: the move failed, was cancelled or timed out; 2: nothing was done.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument("queue", metavar="QUEUE", help="the stack's queue: push or offline")
    add_stack_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="only show how many messages wait")
    parser.add_argument("--wait", action="store_true", help="follow the move task until it ends (bounded)")
    parser.add_argument("--by-receive", action="store_true", help="move by receive/send/delete (see the module doc)")
    parser.add_argument("--max-per-second", type=int, help="the move task's rate (default: SQS's, up to 500)")
    parser.add_argument("--max-messages", type=int, default=DEFAULT_MAX_MESSAGES, help="--by-receive: at most")
    parser.add_argument("--timeout-seconds", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="bound of the wait")
    return parser


def main(argv: Sequence[str] | None = None, *, clients: ClientFactory | None = None) -> int:
    args = _parser().parse_args(argv)

    def cannot_run(reason: str) -> int:
        print(f"redrive: cannot run: {reason}", file=sys.stderr)
        return 2

    if args.timeout_seconds <= 0 or args.max_messages <= 0:
        return cannot_run("--timeout-seconds and --max-messages: expected positive numbers")
    if args.max_per_second is not None and not 1 <= args.max_per_second <= 500:
        return cannot_run(f"--max-per-second: expected 1 to 500 (SQS's limit), got {args.max_per_second}")
    try:
        stack = load_stack(args.environment, args.stacks_dir, args.stack_json)
        queue = StackQueue.from_stack(stack, args.queue)
        sqs = (clients or boto3_clients(args.endpoint_url))("sqs", stack.region)
        deployed = locate(sqs, queue)
    except CannotRun as error:
        return cannot_run(str(error))
    print(
        f"{deployed.dead_letter_name}: {deployed.waiting} messages wait"
        f"{f' ({deployed.in_flight} in flight: received and not yet deleted)' if deployed.in_flight else ''}"
    )
    if args.dry_run:
        return 0
    if deployed.waiting == 0:
        print(f"redrive: nothing to move: {deployed.dead_letter_name} is empty")
        return 0
    if args.by_receive:
        outcome = move_by_receive(sqs, deployed, max_messages=args.max_messages, timeout_seconds=args.timeout_seconds)
    else:
        outcome = move(
            sqs,
            deployed,
            wait=args.wait,
            polling=POLLING.with_timeout(args.timeout_seconds),
            max_per_second=args.max_per_second,
        )
    print(f"redrive: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
