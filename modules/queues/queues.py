"""MessageQueue: one SQS queue with its own dead-letter queue, encrypted with a CMK, TLS only.

- The queue moves a message to its dead-letter queue (DLQ) after `max_receive_count`
  receives without a delete (`redrive_policy`); the DLQ accepts redrives from that one
  queue only (`redrive_allow_policy`, byQueue) and keeps messages 14 days.
- Both queues are encrypted with a customer-managed key (SSE-KMS): the messaging key the
  stack shares between queues (`messaging_key`), or one of the queue's own.
- Both queue policies deny every request not made over TLS. Nothing else is in them:
  producers and consumers are IAM roles of this account, granted by `grant_send` and
  `grant_consume`, whose statements name these queues and this key only.
- Standard queues, not FIFO: push notifications and offline messages tolerate the rare
  duplicate and reordering (the consumer is idempotent on the message id, and chat
  messages carry their own timestamps), and standard queues have no throughput quota.

The queues' ARNs are written out from their names (as PrivateBucket does for buckets):
the redrive policies and every grant then read literally in review and at plan time,
and the DLQ can name its source queue before that queue exists.
"""

from __future__ import annotations

import json
from typing import Any

from bindings.aws.sqs_queue import SqsQueue
from bindings.aws.sqs_queue_policy import SqsQueuePolicy
from constructs import Construct

from modules.backup.supported import BackupTarget
from modules.common.keys import ManagedKey
from modules.common.policy import policy_document, policy_statement
from modules.common.presence import present
from modules.common.roles import Grantee
from modules.common.stack_context import StackContext, module_context
from modules.common.statement_ids import sid_part
from modules.common.store_keys import key_use_statement, store_key
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch
from modules.queues.alarms import queue_watch
from modules.queues.props import DEAD_LETTER_RETENTION_SECONDS, MessageQueueProps

# What a consumer does with a message: receive it, delete it once handled, extend its
# visibility while a slow one is still being handled, and read the queue's attributes
# (SDK pollers read the visibility timeout; autoscaling hooks read the backlog).
CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")
# SendMessageBatch is authorised as sqs:SendMessage.
SEND_ACTIONS = ("sqs:SendMessage",)
# SSE-KMS: a producer asks KMS for a data key (GenerateDataKey) and SQS checks it can
# use it (Decrypt); a consumer only decrypts.
SEND_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
CONSUME_KEY_ACTIONS = ("kms:Decrypt",)


def _compact_json(value: dict[str, Any]) -> str:
    """JSON as SQS returns its attributes (no spaces), so what state holds reads as AWS's own."""
    return json.dumps(value, separators=(",", ":"))


def messaging_key(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    context: StackContext,
    deletion_protection: bool = True,
) -> ManagedKey:
    """The key the stack shares between its queues (alias "alias/<name>/messaging").

    Pass it as `key=` to every MessageQueue. One key for the messaging domain: the same
    producers and consumers use every queue, so separate keys would separate nothing.
    With `deletion_protection` (the environment's), Terraform refuses to destroy it.
    `context`: the stack's (its partition and account id name the key policy's account root).
    """
    key, _ = store_key(
        scope,
        construct_id,
        given_key_arn=None,
        alias=f"alias/{name}/messaging",
        description=f"{name} messaging: SQS queues and their dead-letter queues",
        partition=context.partition,
        account_id=context.account_id,
        deletion_protection=deletion_protection,
        tags={"Name": f"{name}-messaging"},
    )
    return present(key, "the messaging key store_key creates when none is given")


class MessageQueue(Construct):
    """An SQS queue and its dead-letter queue, SSE-KMS with a customer-managed key, TLS only.

    Typed outputs (attributes): url, arn, name, dead_letter_url, dead_letter_arn,
    dead_letter_name, key, kms_key_arn.

    Construct IDs: this (the queue), dead_letter_queue, policy, dead_letter_policy, their
    policy documents, and key (only when no key is given).

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (its alarms, alarms.py).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, props: MessageQueueProps, key: ManagedKey | None = None
    ) -> None:
        """`key`: the stack's messaging key (`messaging_key(...)`); without it the queue gets a
        key of its own, alias "alias/<name>-<queue_name>"."""
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id
        arn_prefix = f"arn:{partition}:sqs:{props.region}:{account_id}"

        if key is None:
            key, _ = store_key(
                self,
                "key",
                given_key_arn=None,
                alias=f"alias/{props.queue_full_name}",
                description=f"{props.queue_full_name}: the SQS queue and its dead-letter queue",
                partition=partition,
                account_id=account_id,
                deletion_protection=props.deletion_protection,
                tags=self._tags(props.queue_full_name),
            )
        self.key: ManagedKey = present(key, "the queue's key store_key creates when none is given")

        self.name: str = props.queue_full_name
        self.arn: str = f"{arn_prefix}:{props.queue_full_name}"
        self.dead_letter_name: str = props.dead_letter_queue_name
        self.dead_letter_arn: str = f"{arn_prefix}:{props.dead_letter_queue_name}"
        self.kms_key_arn: str = self.key.arn

        self.dead_letter_queue = SqsQueue(
            self,
            "dead_letter_queue",
            name=props.dead_letter_queue_name,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            # Whoever inspects or redrives dead letters gets the same time to handle one.
            visibility_timeout_seconds=props.visibility_timeout_seconds,
            receive_wait_time_seconds=props.receive_wait_time_seconds,
            kms_master_key_id=self.key.arn,
            kms_data_key_reuse_period_seconds=props.kms_data_key_reuse_period_seconds,
            # Only this queue may use it as its DLQ (and be the target of a redrive from it).
            redrive_allow_policy=_compact_json({"redrivePermission": "byQueue", "sourceQueueArns": [self.arn]}),
            tags=self._tags(props.dead_letter_queue_name, Role="dead-letter"),
        )
        self.queue = SqsQueue(
            self,
            "this",
            name=props.queue_full_name,
            message_retention_seconds=props.message_retention_seconds,
            visibility_timeout_seconds=props.visibility_timeout_seconds,
            receive_wait_time_seconds=props.receive_wait_time_seconds,
            kms_master_key_id=self.key.arn,
            kms_data_key_reuse_period_seconds=props.kms_data_key_reuse_period_seconds,
            redrive_policy=_compact_json(
                {"deadLetterTargetArn": self.dead_letter_arn, "maxReceiveCount": props.max_receive_count}
            ),
            tags=self._tags(props.queue_full_name),
            # SQS refuses a redrive policy whose target queue does not exist yet.
            depends_on=[self.dead_letter_queue],
        )
        if props.deletion_protection:
            for queue in (self.queue, self.dead_letter_queue):
                queue.add_override("lifecycle.prevent_destroy", True)

        self.url: str = self.queue.url
        self.dead_letter_url: str = self.dead_letter_queue.url
        self._tls_only_policy("policy", self.queue, self.arn)
        self._tls_only_policy("dead_letter_policy", self.dead_letter_queue, self.dead_letter_arn)

    # -- grants ----------------------------------------------------------------------

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """None: AWS Backup does not back SQS up (messages are transient)."""
        return ()

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        return (queue_watch(thresholds, queue_name=self.name, dead_letter_queue_name=self.dead_letter_name),)

    def grant_send(self, grantee: Grantee) -> None:
        """Let `grantee` send to the queue (SendMessage and SendMessageBatch), with the key."""
        part = sid_part(self.props.queue_name)
        grantee.add_to_policy(
            policy_statement(f"SendTo{part}", SEND_ACTIONS, [self.arn]),
            key_use_statement(
                f"EncryptFor{part}", SEND_KEY_ACTIONS, self.kms_key_arn, service="sqs", region=self.props.region
            ),
        )

    def grant_consume(self, grantee: Grantee) -> None:
        """Let `grantee` receive, delete and extend messages of the queue, and read its
        attributes, with the key. The dead-letter queue stays an operator's business."""
        part = sid_part(self.props.queue_name)
        grantee.add_to_policy(
            policy_statement(f"Consume{part}", CONSUME_ACTIONS, [self.arn]),
            key_use_statement(
                f"DecryptFor{part}", CONSUME_KEY_ACTIONS, self.kms_key_arn, service="sqs", region=self.props.region
            ),
        )

    # -- helpers -----------------------------------------------------------------------

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _tls_only_policy(self, construct_id: str, queue: SqsQueue, queue_arn: str) -> None:
        document = policy_document(
            self,
            f"{construct_id}_document",
            [
                policy_statement(
                    "DenyInsecureTransport",
                    ["sqs:*"],
                    [queue_arn],
                    principal=("AWS", ["*"]),
                    conditions=[("Bool", "aws:SecureTransport", ["false"])],
                    effect="Deny",
                )
            ],
        )
        SqsQueuePolicy(self, construct_id, queue_url=queue.url, policy=document.json)
