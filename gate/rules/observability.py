"""Rules on alarms and their SNS topics (CKV_CHAT_80 to 83)."""

from __future__ import annotations

from .attributes import as_list, refers_to, value
from .model import Resource, Stack, Verdict, resource_rule, stack_rule
from .policies import Statements, denies_insecure_transport, store_policy_verdict

ALARM = ("aws_cloudwatch_metric_alarm",)
EXPLICIT_MISSING_DATA = ("breaching", "notBreaching", "ignore")
AWS_MANAGED_SNS_ALIAS = "alias/aws/sns"


@resource_rule(
    id="CKV_CHAT_80",
    name="CloudWatch metric alarms notify on ALARM and on OK (alarm_actions and ok_actions set)",
    resource_types=ALARM,
    category="LOGGING",
    modules=("observability",),
)
def alarm_actions_notify(resource: Resource) -> Verdict:
    """An alarm without actions changes colour on a console nobody watches. checkov's
    CKV_AWS_319 only refuses `actions_enabled = false`; an alarm with no action at all passes
    it. An OK action too: whoever was paged learns that it cleared without opening the
    console."""
    return Verdict.of(
        all([action for action in as_list(resource.conf.get(key)) if action] for key in ("alarm_actions", "ok_actions"))
    )


@resource_rule(
    id="CKV_CHAT_81",
    name="CloudWatch metric alarms treat missing data explicitly (breaching, notBreaching or ignore)",
    resource_types=ALARM,
    category="LOGGING",
    modules=("observability",),
)
def alarm_missing_data_explicit(resource: Resource) -> Verdict:
    """CloudWatch's default, "missing", moves an alarm whose metric stops arriving to
    INSUFFICIENT_DATA, which notifies nobody unless the alarm has INSUFFICIENT_DATA actions: a
    service that stopped reporting would look quiet, not down. checkov has no check for it.
    An alarm passes with `treat_missing_data` "breaching", "notBreaching" or "ignore", or with
    `insufficient_data_actions` (then "missing" reaches someone too)."""
    conf = resource.conf
    if value(conf, "treat_missing_data") in EXPLICIT_MISSING_DATA:
        return Verdict.PASSED
    return Verdict.of(bool([action for action in as_list(conf.get("insufficient_data_actions")) if action]))


@resource_rule(
    id="CKV_CHAT_82",
    name="SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns)",
    resource_types=("aws_sns_topic",),
    category="ENCRYPTION",
    modules=("observability",),
)
def sns_topic_customer_key(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_26 passes any kms_master_key_id, "alias/aws/sns" included. But the
    AWS-managed key's policy cannot be changed, and it admits no AWS service principal: a
    topic encrypted with it silently drops what CloudWatch alarms, EventBridge or S3 events
    publish to it. An alarm topic encrypted that way pages nobody. A key ARN, a reference or
    an alias of your own passes."""
    key = value(resource.conf, "kms_master_key_id")
    if not isinstance(key, str) or not key:
        return Verdict.FAILED
    return Verdict.of(not (key == "aws/sns" or key.endswith(AWS_MANAGED_SNS_ALIAS)))


def denies_publish_without_tls(statements: Statements) -> bool:
    """For a topic, a deny of sns:Publish is the deny of every action that SNS lets a topic
    policy say: judged as one by the rule the queues and buckets share."""
    widened = [
        {**statement, "actions": ["sns:*" if str(a).lower() == "sns:publish" else a for a in statement["actions"]]}
        for statement in statements
    ]
    return denies_insecure_transport(widened, "sns")


@stack_rule(
    id="CKV_CHAT_83",
    name="SNS topic policies deny sns:Publish without TLS (aws:SecureTransport false)",
    resource_types=("aws_sns_topic", "aws_sns_topic_policy"),
    category="ENCRYPTION",
    modules=("observability",),
)
def sns_topic_policy_tls_only(resource: Resource, stack: Stack | None) -> Verdict:
    """Like a queue or a bucket, a topic answers plain HTTP unless its policy denies
    aws:SecureTransport = false. SNS refuses "sns:*" in a topic policy, so the rule names
    sns:Publish, the action that carries data (AWS's own example does the same). checkov reads
    topic policies for public and cross-account access, not for transport. A topic policy
    passes when it denies sns:Publish (or every action) to every principal without TLS; a
    topic passes when its inline policy or a topic policy naming it (a reference in `arn`)
    does; a topic with no policy fails."""
    return store_policy_verdict(
        resource,
        stack,
        refuses_plain_http=denies_publish_without_tls,
        policy_type="aws_sns_topic_policy",
        names_store=lambda link: refers_to(link, "aws_sns_topic", resource.name),
        link_attribute="arn",
    )
