"""Rules on SQS queues and S3 buckets: dead-letter queues, TLS-only policies (CKV_CHAT_20 to 22)."""

from __future__ import annotations

import json
from typing import Any

from .attributes import refers_to, value
from .model import Resource, Stack, Verdict, stack_rule
from .policies import denies_insecure_transport, names_by_reference_or_literal, store_policy_verdict

QUEUE = "aws_sqs_queue"


def _names_queue(redrive_policy: Any, queue_block: str, queue_name: Any) -> bool:
    """True when a redrive policy's target is this queue (a reference or its literal ARN)."""
    if isinstance(redrive_policy, dict):
        redrive_policy = json.dumps(redrive_policy)
    if not isinstance(redrive_policy, str):
        return False
    if refers_to(redrive_policy, QUEUE, queue_block):
        return True
    return isinstance(queue_name, str) and "${" not in queue_name and f':{queue_name}"' in redrive_policy


@stack_rule(
    id="CKV_CHAT_20",
    name="SQS queues have a dead-letter queue (a redrive policy) unless they are one",
    resource_types=(QUEUE,),
    category="GENERAL_SECURITY",
    modules=("queues",),
)
def queue_dead_letter_queue(resource: Resource, stack: Stack | None) -> Verdict:
    """A queue without a redrive policy redelivers a message that always fails (a poison
    message) until its retention ends: it blocks a consumer's capacity for days and is then
    lost without a trace. checkov checks encryption and policies of queues, not redrive. A
    queue passes with a redrive policy (inline, or an aws_sqs_queue_redrive_policy naming
    it). It is itself a dead-letter queue, and passes, when it carries a redrive allow policy
    (inline or aws_sqs_queue_redrive_allow_policy) or another queue's redrive policy names it
    (a reference to it, or its ARN ending in its name)."""
    conf = resource.conf
    if value(conf, "redrive_policy") or value(conf, "redrive_allow_policy"):
        return Verdict.PASSED
    if stack is None:
        return Verdict.UNKNOWN  # a plan: whether another queue names this one is not this block's to say
    for policy_type in ("aws_sqs_queue_redrive_policy", "aws_sqs_queue_redrive_allow_policy"):
        if any(
            refers_to(block.get("queue_url"), QUEUE, resource.name) for block in stack.resources(policy_type).values()
        ):
            return Verdict.PASSED
    redrive_policies = [block.get("redrive_policy") for block in stack.resources(QUEUE).values()]
    redrive_policies += [b.get("redrive_policy") for b in stack.resources("aws_sqs_queue_redrive_policy").values()]
    queue_name = value(conf, "name")
    return Verdict.of(any(_names_queue(policy, resource.name, queue_name) for policy in redrive_policies))


@stack_rule(
    id="CKV_CHAT_21",
    name="SQS queue policies deny requests made without TLS (aws:SecureTransport false)",
    resource_types=(QUEUE, "aws_sqs_queue_policy"),
    category="ENCRYPTION",
    modules=("queues",),
)
def queue_policy_tls_only(resource: Resource, stack: Stack | None) -> Verdict:
    """SQS answers plain HTTP on its endpoints; only a queue policy that denies
    aws:SecureTransport = false stops a misconfigured client from sending messages (and its
    credentials' signatures) in clear text. checkov reads queue policies for public access
    and wildcards, not for transport. A queue policy passes when it denies sqs:* (or *) to
    every principal without TLS; a queue passes when its inline policy or a queue policy
    naming it does; a queue with no policy fails."""
    return store_policy_verdict(
        resource,
        stack,
        refuses_plain_http=lambda statements: denies_insecure_transport(statements, "sqs"),
        policy_type="aws_sqs_queue_policy",
        names_store=names_by_reference_or_literal(QUEUE, resource, "name"),
        link_attribute="queue_url",
    )


@stack_rule(
    id="CKV_CHAT_22",
    name="S3 bucket policies deny requests made without TLS (aws:SecureTransport false)",
    resource_types=("aws_s3_bucket", "aws_s3_bucket_policy"),
    category="ENCRYPTION",
    modules=("attachments",),
)
def bucket_policy_tls_only(resource: Resource, stack: Stack | None) -> Verdict:
    """S3 answers plain HTTP; only a bucket policy that denies aws:SecureTransport = false
    makes a bucket TLS-only. checkov's CKV_AWS_379 looks for such a policy only behind a
    public ACL, so a private bucket without one passes every checkov check. A bucket policy
    passes when it denies s3:* (or *) to every principal without TLS; a bucket passes when its
    inline policy or a bucket policy naming it (a reference, or its literal name) does; a
    bucket with no policy fails."""
    return store_policy_verdict(
        resource,
        stack,
        refuses_plain_http=lambda statements: denies_insecure_transport(statements, "s3"),
        policy_type="aws_s3_bucket_policy",
        names_store=names_by_reference_or_literal("aws_s3_bucket", resource, "bucket"),
        link_attribute="bucket",
    )
