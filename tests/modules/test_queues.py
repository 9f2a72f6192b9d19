"""Queues module: redrive wiring both ways, the shared or own key, long polling and retention,
TLS-only queue policies, grants parsed statement by statement, deletion protection, validation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modules.common.stack_context import StackContext
from modules.queues import MessageQueueProps
from modules.queues.props import DEAD_LETTER_RETENTION_SECONDS

ACCOUNT = "111122223333"
PUSH = MessageQueueProps(
    name="chat-test",
    region="eu-west-1",
    account_id=ACCOUNT,
    queue_name="push-notifications",
    max_receive_count=4,
    message_retention_seconds=3600,
    visibility_timeout_seconds=30,
)
OFFLINE = replace(PUSH, queue_name="offline-messages", max_receive_count=10, message_retention_seconds=345_600)
PUSH_ARN = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:chat-test-push-notifications"
OFFLINE_ARN = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:chat-test-offline-messages"
OUTPUTS = ("url", "arn", "name", "dead_letter_url", "dead_letter_arn", "dead_letter_name", "kms_key_arn")


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.queues import MessageQueue, messaging_key

    def shared(stack):
        key = messaging_key(
            stack,
            "messaging_key",
            name="chat-test",
            context=StackContext(stack, region="eu-west-1", account_id=ACCOUNT),
        )
        producer = ServiceRole(
            stack, "api", name="chat-test-api", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT
        )
        worker = ServiceRole(
            stack,
            "worker",
            name="chat-test-worker",
            service="ecs-tasks.amazonaws.com",
            description="d",
            account_id=ACCOUNT,
        )
        for construct_id, props in (("push", PUSH), ("offline", OFFLINE)):
            queue = MessageQueue(stack, construct_id, props=props, key=key)
            queue.grant_send(producer)
            queue.grant_consume(worker)
            assert queue.key is key
            for output in OUTPUTS:
                TerraformOutput(stack, f"{construct_id}_{output}", value=getattr(queue, output))

    def own_key(stack):
        MessageQueue(stack, "push", props=replace(PUSH, account_id=None, deletion_protection=False))

    return {"shared": synth_scratch(shared), "own_key": synth_scratch(own_key)}


def queues_by_name(synth):
    return {block["name"]: block for block in synth.resources("aws_sqs_queue").values()}


def role_statements(synth, role_name):
    (role_key,) = [key for key, role in synth.resources("aws_iam_role").items() if role["name"] == role_name]
    (policy,) = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", role_key)
    ]
    return {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}


def output(synth, name):
    return synth.document["output"][name]["value"]


# -- redrive ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("queue", "props"), [("chat-test-push-notifications", PUSH), ("chat-test-offline-messages", OFFLINE)]
)
def test_each_queue_dead_letters_to_its_own_dlq(variants, queue, props):
    queues = queues_by_name(variants["shared"])
    redrive = json.loads(queues[queue]["redrive_policy"])
    assert redrive == {
        "deadLetterTargetArn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{queue}-dlq",
        "maxReceiveCount": props.max_receive_count,
    }
    dead_letter = queues[f"{queue}-dlq"]
    assert "redrive_policy" not in dead_letter
    # The dead-letter queue exists before a redrive policy names it.
    (dependency,) = queues[queue]["depends_on"]
    assert variants["shared"].resources("aws_sqs_queue")[dependency.split(".")[1]]["name"] == f"{queue}-dlq"


def test_dead_letter_queue_accepts_redrives_from_its_source_only(variants):
    queues = queues_by_name(variants["shared"])
    for source_arn, dead_letter in (
        (PUSH_ARN, "chat-test-push-notifications-dlq"),
        (OFFLINE_ARN, "chat-test-offline-messages-dlq"),
    ):
        assert json.loads(queues[dead_letter]["redrive_allow_policy"]) == {
            "redrivePermission": "byQueue",
            "sourceQueueArns": [source_arn],
        }
        assert "redrive_allow_policy" not in queues[dead_letter.removesuffix("-dlq")]


def test_dead_letter_queue_outlives_its_source_by_a_week_at_least(variants):
    queues = queues_by_name(variants["shared"])
    for source in ("chat-test-push-notifications", "chat-test-offline-messages"):
        dlq = queues[f"{source}-dlq"]
        assert dlq["message_retention_seconds"] == DEAD_LETTER_RETENTION_SECONDS == 14 * 86_400
        assert dlq["message_retention_seconds"] - queues[source]["message_retention_seconds"] >= 7 * 86_400


def test_queues_long_poll_and_take_their_timeouts_from_props(variants):
    queues = queues_by_name(variants["shared"])
    push, offline = queues["chat-test-push-notifications"], queues["chat-test-offline-messages"]
    assert all(q["receive_wait_time_seconds"] == 20 for q in queues.values())
    assert (push["message_retention_seconds"], push["visibility_timeout_seconds"]) == (3600, 30)
    assert offline["message_retention_seconds"] == 345_600
    assert all("fifo_queue" not in q for q in queues.values())


# -- keys ------------------------------------------------------------------------------


def test_every_queue_uses_the_shared_messaging_key(variants):
    synth = variants["shared"]
    (key_name,) = synth.resources("aws_kms_key")
    (alias,) = synth.resources("aws_kms_alias").values()
    assert alias["name"] == "alias/chat-test/messaging"
    assert alias["target_key_id"] == synth.reference("aws_kms_key", key_name, "key_id")
    key_arn = synth.reference("aws_kms_key", key_name, "arn")
    assert {q["kms_master_key_id"] for q in synth.resources("aws_sqs_queue").values()} == {key_arn}
    assert output(synth, "push_kms_key_arn") == output(synth, "offline_kms_key_arn") == key_arn
    assert synth.resources("aws_kms_key")[key_name]["lifecycle"] == {"prevent_destroy": True}


def test_without_a_key_the_queue_brings_its_own(variants):
    synth = variants["own_key"]
    (key_name,) = synth.resources("aws_kms_key")
    (alias,) = synth.resources("aws_kms_alias").values()
    assert alias["name"] == "alias/chat-test-push-notifications"
    assert synth.resources("aws_kms_key")[key_name]["enable_key_rotation"] is True
    assert {q["kms_master_key_id"] for q in synth.resources("aws_sqs_queue").values()} == {
        synth.reference("aws_kms_key", key_name, "arn")
    }


# -- policies --------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["shared", "own_key"])
def test_both_queues_of_each_pair_deny_requests_without_tls(variants, variant):
    synth = variants[variant]
    queues = synth.resources("aws_sqs_queue")
    policies = {p["queue_url"]: p for p in synth.resources("aws_sqs_queue_policy").values()}
    assert set(policies) == {synth.reference("aws_sqs_queue", name, "url") for name in queues}
    for name, queue in queues.items():
        document = synth.data_by_reference(policies[synth.reference("aws_sqs_queue", name, "url")]["policy"])
        (statement,) = document["statement"]
        arn_account = ACCOUNT if variant == "shared" else "${data.aws_caller_identity."
        assert statement["effect"] == "Deny" and statement["actions"] == ["sqs:*"]
        assert statement["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
        assert statement["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]
        (resource,) = statement["resources"]
        assert resource.startswith(f"arn:aws:sqs:eu-west-1:{arn_account}") and resource.endswith(f":{queue['name']}")


def test_send_grant_names_the_queue_and_the_key_through_sqs_only(variants):
    synth = variants["shared"]
    statements = role_statements(synth, "chat-test-api")
    (key_name,) = synth.resources("aws_kms_key")
    key_arn = synth.reference("aws_kms_key", key_name, "arn")
    via_sqs = [{"test": "StringEquals", "variable": "kms:ViaService", "values": ["sqs.eu-west-1.amazonaws.com"]}]
    assert set(statements) == {
        "SendToPushNotifications",
        "EncryptForPushNotifications",
        "SendToOfflineMessages",
        "EncryptForOfflineMessages",
    }
    for part, arn in (("PushNotifications", PUSH_ARN), ("OfflineMessages", OFFLINE_ARN)):
        send = statements[f"SendTo{part}"]
        assert (send["effect"], send["actions"], send["resources"]) == ("Allow", ["sqs:SendMessage"], [arn])
        assert "condition" not in send
        key = statements[f"EncryptFor{part}"]
        assert (key["actions"], key["resources"]) == (["kms:GenerateDataKey", "kms:Decrypt"], [key_arn])
        assert key["condition"] == via_sqs


def test_consume_grant_names_the_queue_not_its_dead_letter_queue(variants):
    synth = variants["shared"]
    statements = role_statements(synth, "chat-test-worker")
    (key_name,) = synth.resources("aws_kms_key")
    for part, arn in (("PushNotifications", PUSH_ARN), ("OfflineMessages", OFFLINE_ARN)):
        consume = statements[f"Consume{part}"]
        assert consume["actions"] == [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
        ]
        assert consume["resources"] == [arn]
        decrypt = statements[f"DecryptFor{part}"]
        assert decrypt["actions"] == ["kms:Decrypt"]
        assert decrypt["resources"] == [synth.reference("aws_kms_key", key_name, "arn")]
    every_resource = {r for s in statements.values() for r in s["resources"]}
    assert not any(r == "*" or r.endswith("-dlq") for r in every_resource)


# -- attributes and deletion protection ------------------------------------------------


def test_attributes_name_the_queue_and_its_dead_letter_queue(variants):
    synth = variants["shared"]
    names = {block["name"]: key for key, block in synth.resources("aws_sqs_queue").items()}
    assert output(synth, "push_name") == "chat-test-push-notifications"
    assert output(synth, "push_arn") == PUSH_ARN
    assert output(synth, "push_url") == synth.reference("aws_sqs_queue", names["chat-test-push-notifications"], "url")
    assert output(synth, "push_dead_letter_name") == "chat-test-push-notifications-dlq"
    assert output(synth, "push_dead_letter_arn") == f"{PUSH_ARN}-dlq"
    assert output(synth, "push_dead_letter_url") == synth.reference(
        "aws_sqs_queue", names["chat-test-push-notifications-dlq"], "url"
    )


def test_deletion_protection_keeps_queues_and_own_key_from_destroy(variants):
    protected = variants["shared"].resources("aws_sqs_queue").values()
    assert all(q["lifecycle"] == {"prevent_destroy": True} for q in protected)
    unprotected = variants["own_key"]
    assert not any("lifecycle" in q for q in unprotected.resources("aws_sqs_queue").values())
    assert not any("lifecycle" in k for k in unprotected.resources("aws_kms_key").values())


def test_own_key_is_protected_with_the_queues(synth_scratch):
    from modules.queues import MessageQueue

    synth = synth_scratch(lambda stack: MessageQueue(stack, "push", props=PUSH))
    (key,) = synth.resources("aws_kms_key").values()
    assert key["lifecycle"] == {"prevent_destroy": True}


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"max_receive_count": 0},
            "max_receive_count: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"max_receive_count": 1001},
            "max_receive_count: expected a number less than or equal to 1000, got 1001 (number)",
        ),
        (
            {"message_retention_seconds": 30},
            "message_retention_seconds: expected a retention SQS allows, 60 to 1209600 seconds (1 minute to 14 days), "
            "got 30 (number)",
        ),
        (
            {"message_retention_seconds": 1_209_600},
            "message_retention_seconds: expected at most 604800 seconds (7 days): SQS keeps a message's enqueue "
            "time when it dead-letters it, and the dead-letter queue keeps messages 1209600 seconds from that time, "
            "so a longer retention leaves a failed message less than a week there, got 1209600 (number)",
        ),
        (
            {"visibility_timeout_seconds": 43_201},
            "visibility_timeout_seconds: expected a number less than or equal to 43200, got 43201 (number)",
        ),
        (
            {"receive_wait_time_seconds": 0},
            "receive_wait_time_seconds: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"kms_data_key_reuse_period_seconds": 30},
            "kms_data_key_reuse_period_seconds: expected a number greater than or equal to 60, got 30 (number)",
        ),
        (
            {"queue_name": "Push_Notifications"},
            "queue_name: expected 2-40 characters of lowercase letters, digits and '-', starting with a letter and "
            "not ending with '-', got \"Push_Notifications\" (string)",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as caught:
        replace(PUSH, **changes)
    assert str(caught.value) == f"invalid MessageQueueProps:\n  {message}"


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as caught:
        replace(PUSH, max_receive_count=0, message_retention_seconds=10)
    lines = str(caught.value).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == ["max_receive_count", "message_retention_seconds"]
