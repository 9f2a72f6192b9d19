"""make redrive (ops/redrive.py): against moto on loopback where moto can (finding the queues,
counting, --dry-run, --by-receive, the queue that is not deployed), and against botocore's
Stubber for the message move task, which moto 5.2.5 does not implement."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.stub import Stubber

from ops import redrive
from ops.redrive import DeployedQueue, move
from ops.stack import Polling
from tests.ops import day_two
from tests.ops.day_two import ACCOUNT, REGION, FakeClock, boto3_client, no_client, write_stack

endpoint = day_two.endpoint
credentials = day_two.credentials
no_credentials = day_two.no_credentials


def make_queues(
    sqs, stack: str, carries: str = "push-notifications", dead_letter: str | None = None
) -> tuple[str, str]:
    name = f"{stack}-{carries}"
    dlq_url = sqs.create_queue(QueueName=dead_letter or f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})},
    )["QueueUrl"]
    return url, dlq_url


def run(capsys, argv, **kwargs) -> tuple[int, str, str]:
    code = redrive.main(argv, **kwargs)
    out, err = capsys.readouterr()
    return code, out, err


def test_by_receive_moves_every_dead_letter_back_with_its_attributes(capsys, credentials, endpoint, tmp_path):
    sqs = boto3_client("sqs", endpoint)
    url, dlq_url = make_queues(sqs, "chat-alpha")
    for index in range(13):
        sqs.send_message(
            QueueUrl=dlq_url,
            MessageBody=f"push {index}",
            MessageAttributes={"device": {"DataType": "String", "StringValue": f"d{index}"}},
        )
    stack = write_stack(tmp_path, "alpha")
    argv = ["alpha", "push", "--stack-json", str(stack), "--endpoint-url", endpoint]

    code, out, err = run(capsys, [*argv, "--dry-run"])
    assert (code, out, err) == (0, "chat-alpha-push-notifications-dlq: 13 messages wait\n", "")

    code, out, err = run(capsys, [*argv, "--by-receive"])
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "chat-alpha-push-notifications-dlq: 13 messages wait",
        "moved 13 messages by hand (receive, send, delete)",
        "redrive: redrive by receive done: 13 messages moved from chat-alpha-push-notifications-dlq",
    ]
    received = {}
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages"
    ):
        received.update({m["Body"]: m["MessageAttributes"]["device"]["StringValue"] for m in batch})
    assert received == {f"push {i}": f"d{i}" for i in range(13)}
    assert sqs.receive_message(QueueUrl=dlq_url).get("Messages") is None

    code, out, _ = run(capsys, argv)
    assert code == 0
    assert out.endswith("redrive: nothing to move: chat-alpha-push-notifications-dlq is empty\n")


def test_a_queue_that_is_not_deployed_is_exit_2(capsys, credentials, endpoint, tmp_path):
    stack = write_stack(tmp_path, "beta")
    code, out, err = run(capsys, ["beta", "offline", "--stack-json", str(stack), "--endpoint-url", endpoint])
    assert (code, out) == (2, "")
    assert err == (
        "redrive: cannot run: no queue chat-beta-offline-messages in eu-west-1: the stack is not deployed there "
        "(make deploy ENV=...)\n"
    )


def test_a_deployed_queue_dead_lettering_elsewhere_is_exit_2(capsys, credentials, endpoint, tmp_path):
    make_queues(boto3_client("sqs", endpoint), "chat-gamma", dead_letter="chat-gamma-old-dlq")
    stack = write_stack(tmp_path, "gamma")
    code, _, err = run(capsys, ["gamma", "push", "--stack-json", str(stack), "--endpoint-url", endpoint])
    assert code == 2
    assert err == (
        "redrive: cannot run: the deployed queue chat-gamma-push-notifications dead-letters to "
        f"arn:aws:sqs:{REGION}:{ACCOUNT}:chat-gamma-old-dlq, the stack says chat-gamma-push-notifications-dlq: "
        "deploy this checkout first (make plan ENV=...)\n"
    )


def test_an_unknown_queue_is_exit_2_before_any_request(capsys, tmp_path):
    stack = write_stack(tmp_path, "alpha")
    code, out, err = run(capsys, ["alpha", "email", "--stack-json", str(stack)], clients=no_client)
    assert (code, out) == (2, "")
    assert err == "redrive: cannot run: unknown queue 'email': the stack chat-alpha has offline and push\n"


def test_a_stack_without_queues_or_without_synthesis_is_exit_2(capsys, tmp_path):
    stack = write_stack(tmp_path, "kafka", queues=False)
    assert run(capsys, ["kafka", "push", "--stack-json", str(stack)], clients=no_client)[2] == (
        'redrive: cannot run: the stack chat-kafka has no queues (with messaging = "msk" Kafka topics carry that '
        "work)\n"
    )
    code, _, err = run(capsys, ["prod", "push", "--stacks-dir", str(tmp_path)], clients=no_client)
    assert code == 2
    assert err == (
        f"redrive: cannot run: no synthesized stack at {tmp_path / 'chat-prod' / 'cdk.tf.json'}: run `make synth` "
        "(the checkout that was deployed)\n"
    )


def test_no_credentials_is_exit_2(capsys, no_credentials, tmp_path):
    stack = write_stack(tmp_path, "alpha")
    code, _, err = run(capsys, ["alpha", "push", "--stack-json", str(stack)])
    assert code == 2
    assert err.startswith("redrive: cannot run: no AWS credentials")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--timeout-seconds", "0"], "--timeout-seconds and --max-messages: expected positive numbers"),
        (["--max-per-second", "501"], "--max-per-second: expected 1 to 500 (SQS's limit), got 501"),
    ],
)
def test_bad_bounds_are_exit_2(capsys, tmp_path, flags, message):
    stack = write_stack(tmp_path, "alpha")
    code, _, err = run(capsys, ["alpha", "push", "--stack-json", str(stack), *flags], clients=no_client)
    assert (code, err) == (2, f"redrive: cannot run: {message}\n")


# -- the message move task, with Stubber (moto has no StartMessageMoveTask) ----------------------

URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/chat-prod-push-notifications"
ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:chat-prod-push-notifications"
DLQ_URL = f"{URL}-dlq"
DLQ_ARN = f"{ARN}-dlq"
QUEUE = DeployedQueue(
    url=URL,
    arn=ARN,
    dead_letter_name="chat-prod-push-notifications-dlq",
    dead_letter_url=DLQ_URL,
    dead_letter_arn=DLQ_ARN,
    waiting=7,
    in_flight=0,
)
START = {"SourceArn": DLQ_ARN, "DestinationArn": ARN}
LIST = {"SourceArn": DLQ_ARN, "MaxResults": 1}
HANDLE = "eyJ0YXNrSWQiOiJkYjNmOGQ0My0yMjFkLTQ2YmYtYmIzNy0yYTVhMjNlZWE1NmUifQ=="


@pytest.fixture
def sqs():
    client = botocore.session.get_session().create_client(
        "sqs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def task(status: str, moved: int, **extra) -> dict:
    return {
        "Results": [
            {
                "Status": status,
                "SourceArn": DLQ_ARN,
                "DestinationArn": ARN,
                "ApproximateNumberOfMessagesMoved": moved,
                "ApproximateNumberOfMessagesToMove": 7,
                "StartedTimestamp": 1764920000000,
                **extra,
            }
        ]
    }


def follow(client, timeout_seconds=redrive.DEFAULT_TIMEOUT_SECONDS, **kwargs):
    clock = FakeClock()
    said: list[str] = []
    polling = Polling(timeout_seconds, 5, clock=clock, sleep=clock.sleep)
    outcome = move(client, QUEUE, wait=True, polling=polling, say=said.append, **kwargs)
    return outcome, clock, said


def test_the_move_task_goes_from_the_dlq_back_to_its_queue_and_is_followed_to_the_end(sqs):
    client, stubber = sqs
    stubber.add_response("start_message_move_task", {"TaskHandle": HANDLE}, START)
    stubber.add_response("list_message_move_tasks", task("RUNNING", 3, TaskHandle=HANDLE), LIST)
    stubber.add_response("list_message_move_tasks", task("COMPLETED", 7), LIST)
    outcome, clock, said = follow(client)
    assert outcome == redrive.Outcome(
        0, "redrive completed: 7 of 7 messages moved from chat-prod-push-notifications-dlq"
    )
    assert said == [
        "started a message move task from chat-prod-push-notifications-dlq back to its queue",
        "  RUNNING: 3 of 7 moved",
    ]
    assert clock.sleeps == [5]


def test_a_failed_move_is_exit_1_with_its_reason_and_counts(sqs):
    client, stubber = sqs
    stubber.add_response(
        "start_message_move_task", {"TaskHandle": HANDLE}, {**START, "MaxNumberOfMessagesPerSecond": 50}
    )
    stubber.add_response("list_message_move_tasks", task("FAILED", 2, FailureReason="AccessDenied: kms:Decrypt"), LIST)
    outcome, _, _ = follow(client, max_per_second=50)
    assert outcome == redrive.Outcome(
        1,
        "redrive failed: AccessDenied: kms:Decrypt; 2 of 7 messages moved, the rest wait in "
        "chat-prod-push-notifications-dlq",
    )


def test_the_wait_is_bounded_and_the_task_is_left_to_finish(sqs):
    client, stubber = sqs
    stubber.add_response("start_message_move_task", {"TaskHandle": HANDLE}, START)
    for moved in (1, 2, 3):
        stubber.add_response("list_message_move_tasks", task("RUNNING", moved, TaskHandle=HANDLE), LIST)
    outcome, clock, _ = follow(client, timeout_seconds=10)
    assert outcome.code == 1 and clock.now == 10
    assert outcome.message.startswith("timed out after 10 s (--timeout-seconds): the move is RUNNING, 3 of 7")
    assert f"aws sqs cancel-message-move-task --task-handle {HANDLE} --region {REGION}" in outcome.message


def test_sqs_refusing_the_move_is_exit_2(sqs):
    client, stubber = sqs
    stubber.add_client_error(
        "start_message_move_task",
        "AWS.SimpleQueueService.UnsupportedOperation",
        "There is already a task running. Only one active task is allowed for each source queue arn at a given time.",
    )
    outcome, _, _ = follow(client)
    assert outcome.code == 2
    assert outcome.message.startswith("SQS refused to start the move from chat-prod-push-notifications-dlq: ")
    assert "Only one active task" in outcome.message


def test_main_finds_the_queues_counts_and_starts_the_move_without_waiting(sqs, capsys, tmp_path):
    client, stubber = sqs
    stubber.add_response("get_queue_url", {"QueueUrl": URL}, {"QueueName": "chat-prod-push-notifications"})
    redrive_policy = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5}, separators=(",", ":"))
    stubber.add_response(
        "get_queue_attributes",
        {"Attributes": {"QueueArn": ARN, "RedrivePolicy": redrive_policy}},
        {"QueueUrl": URL, "AttributeNames": ["QueueArn", "RedrivePolicy"]},
    )
    stubber.add_response("get_queue_url", {"QueueUrl": DLQ_URL}, {"QueueName": "chat-prod-push-notifications-dlq"})
    stubber.add_response(
        "get_queue_attributes",
        {"Attributes": {"ApproximateNumberOfMessages": "7", "ApproximateNumberOfMessagesNotVisible": "1"}},
        {
            "QueueUrl": DLQ_URL,
            "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
    )
    stubber.add_response("start_message_move_task", {"TaskHandle": HANDLE}, START)
    regions = []

    def clients(service, region):
        regions.append((service, region))
        return client

    stack = write_stack(tmp_path, "prod", account=ACCOUNT)
    code, out, err = run(capsys, ["prod", "push", "--stack-json", str(stack)], clients=clients)
    assert (code, err, regions) == (0, "", [("sqs", REGION)])
    assert out.splitlines() == [
        "chat-prod-push-notifications-dlq: 7 messages wait (1 in flight: received and not yet deleted)",
        "started a message move task from chat-prod-push-notifications-dlq back to its queue",
        f"redrive: the move runs in SQS; follow it: aws sqs list-message-move-tasks --source-arn {DLQ_ARN} "
        f"--region {REGION}",
    ]
