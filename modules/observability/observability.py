"""The environment's alarm topic, its alarms and its dashboard.

- `AlarmTopic`: an SNS topic encrypted with a customer-managed key, which only this
  account's CloudWatch alarms named "<name>-*" may publish to (topic policy and key policy,
  both with aws:SourceAccount and aws:SourceArn), which refuses publishing without TLS,
  and whose subscribers come from the environment file.
- `Alarms`: CloudWatch metric alarms from the `Watch`es the modules build (each module's
  alarms.py, in the vocabulary of specs.py), each sending its
  ALARM and its OK transition to the topic, with the missing-data treatment its family
  needs.
- `Dashboard`: one dashboard per environment over the same watches (dashboard.py).

The topic's ARN is written out from its name (as the queues' are): the policies that name
it then read literally in review.
"""

from __future__ import annotations

import hashlib
import json

from bindings.aws.cloudwatch_dashboard import CloudwatchDashboard
from bindings.aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    CloudwatchMetricAlarmMetricQueryMetric,
)
from bindings.aws.sns_topic import SnsTopic
from bindings.aws.sns_topic_policy import SnsTopicPolicy
from bindings.aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.common.keys import ManagedKey
from modules.common.policy import policy_document, policy_statement
from modules.common.stack_context import module_context
from modules.common.store_keys import module_store_key
from modules.observability.dashboard import dashboard_body
from modules.observability.props import AlarmsProps
from modules.observability.specs import AlarmSpec, Watch

CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
# What CloudWatch needs of the topic's key to publish an encrypted notification: a data
# key (GenerateDataKey*) and its decryption (SNS checks it can read what it stores).
PUBLISH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
# SNS signs what it delivers to HTTPS endpoints; version 2 signs with SHA256 instead of
# SHA1, which endpoints verifying the signature should insist on.
SIGNATURE_VERSION = 2


def _subscription_id(protocol: str, endpoint: str) -> str:
    """A construct id that depends on the endpoint only: reordering the environment file's
    list never replaces a subscription (and never sends new confirmation mails)."""
    digest = hashlib.sha256(endpoint.lower().encode()).hexdigest()[:10]
    return f"{protocol}_subscription_{digest}"


class AlarmTopic(Construct):
    """The SNS topic every alarm of the environment notifies: KMS-encrypted with a CMK,
    published to only by this account's CloudWatch alarms "<name>-*", TLS only.

    Typed outputs (attributes): arn, literal_arn, name, kms_key_arn, key (None when a key is given),
    subscription_endpoints.

    Construct IDs: this (the topic), policy, policy_document, key (unless a key is given),
    <protocol>_subscription_<digest of the endpoint> per subscriber.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AlarmsProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id
        self.name: str = props.topic_name
        # Literal, for the policies that name the topic (they then read as they apply);
        # `arn` below is the topic's own attribute, so what notifies it waits for it.
        self.literal_arn: str = f"arn:{partition}:sns:{props.region}:{account_id}:{self.name}"
        # Only the environment's own alarms: another stack's alarms in the account publish
        # to their own topic.
        publishers = [
            ("StringEquals", "aws:SourceAccount", [account_id]),
            (
                "ArnLike",
                "aws:SourceArn",
                [f"arn:{partition}:cloudwatch:{props.region}:{account_id}:alarm:{props.name}-*"],
            ),
        ]

        self.key: ManagedKey | None
        self.key, self.kms_key_arn = module_store_key(
            self, props, context, data_domain="alarms", description=f"{props.name}: the alarm topic's notifications"
        )
        if self.key is not None:
            # CloudWatch publishes as itself, not as a role of this account, so the key
            # policy (not IAM) must let it use the key; "*" in a key policy is this key.
            self.key.add_to_key_policy(
                policy_statement(
                    "CloudWatchAlarmsEncryptNotifications",
                    PUBLISH_KEY_ACTIONS,
                    ["*"],
                    principal=("Service", [CLOUDWATCH_SERVICE]),
                    conditions=publishers,
                )
            )

        self.topic = SnsTopic(
            self,
            "this",
            name=self.name,
            # The sender name of alarm emails.
            display_name=f"{props.name} alarms",
            kms_master_key_id=self.kms_key_arn,
            signature_version=SIGNATURE_VERSION,
            tags={**props.tags, "Name": self.name},
        )
        self.arn: str = self.topic.arn
        document = policy_document(
            self,
            "policy_document",
            [
                policy_statement(
                    "CloudWatchAlarmsPublish",
                    ["sns:Publish"],
                    [self.literal_arn],
                    principal=("Service", [CLOUDWATCH_SERVICE]),
                    conditions=publishers,
                ),
                # SNS accepts no "sns:*" in a topic policy (it refuses the policy), so the
                # TLS rule names Publish, the one data-carrying action; every other SNS API
                # call is authorised by IAM over AWS's HTTPS endpoints.
                policy_statement(
                    "DenyPublishWithoutTls",
                    ["sns:Publish"],
                    [self.literal_arn],
                    principal=("AWS", ["*"]),
                    conditions=[("Bool", "aws:SecureTransport", ["false"])],
                    effect="Deny",
                ),
            ],
        )
        self.policy = SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=document.json)

        self.subscription_endpoints: dict[str, tuple[str, ...]] = dict(props.subscriptions)
        for protocol, endpoints in sorted(props.subscriptions.items()):
            for endpoint in endpoints:
                # Email and HTTPS subscriptions stay "pending confirmation" until the
                # recipient confirms; the provider does not wait for that (it would only
                # with endpoint_auto_confirms), and deleting a pending one is a no-op.
                SnsTopicSubscription(
                    self,
                    _subscription_id(protocol, endpoint),
                    topic_arn=self.topic.arn,
                    protocol=protocol,
                    endpoint=endpoint,
                )


class Alarms(Construct):
    """CloudWatch metric alarms that notify the alarm topic of every ALARM and OK transition.

    Typed outputs (attributes): alarms (alarm key -> resource), alarm_names, alarm_arns,
    watches.
    Helpers: `add(watch)`, for the `Watch` a module's alarm builder returned
    (modules/<module>/alarms.py; a construct gives its own through `watches(thresholds)`).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AlarmsProps, topic_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self.topic_arn = topic_arn
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        self.alarm_names: list[str] = []
        self.alarm_arns: list[str] = []
        self.watches: list[Watch] = []

    def add(self, watch: Watch) -> list[CloudwatchMetricAlarm]:
        """Create the watch's alarms; the dashboard shows its panels."""
        created = [self._alarm(spec) for spec in watch.alarms]
        self.watches.append(watch)
        return created

    # -- helpers ---------------------------------------------------------------------------

    def _alarm(self, spec: AlarmSpec) -> CloudwatchMetricAlarm:
        if spec.key in self.alarms:
            raise ValueError(f"alarm {spec.key}: expected one alarm per key, got a second")
        evaluation = spec.evaluation
        single = None if spec.expressions else next(iter(spec.metrics.values()))
        percentile = single is not None and single.stat.startswith("p")
        alarm = CloudwatchMetricAlarm(
            self,
            spec.construct_id,
            alarm_name=self.props.alarm_name(spec.key),
            alarm_description=spec.description,
            namespace=single.namespace if single else None,
            metric_name=single.name if single else None,
            dimensions=dict(single.dimensions) if single else None,
            statistic=single.stat if single and not percentile else None,
            extended_statistic=single.stat if single and percentile else None,
            period=evaluation.period_seconds if single else None,
            metric_query=None if single else self._queries(spec),
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            evaluation_periods=evaluation.periods,
            datapoints_to_alarm=evaluation.datapoints,
            treat_missing_data=spec.missing_data,
            actions_enabled=True,
            # OK too: whoever was paged learns that it cleared without opening the console.
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
            tags=dict(self.props.tags) or None,
        )
        self.alarms[spec.key] = alarm
        self.alarm_names.append(self.props.alarm_name(spec.key))
        self.alarm_arns.append(alarm.arn)
        return alarm

    @staticmethod
    def _queries(spec: AlarmSpec) -> list[CloudwatchMetricAlarmMetricQuery]:
        period = spec.evaluation.period_seconds
        queries = [
            CloudwatchMetricAlarmMetricQuery(
                id=query_id,
                return_data=False,
                metric=CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=metric.namespace,
                    metric_name=metric.name,
                    dimensions=dict(metric.dimensions),
                    stat=metric.stat,
                    period=period,
                ),
            )
            for query_id, metric in spec.metrics.items()
        ]
        queries += [
            CloudwatchMetricAlarmMetricQuery(
                id=expression_id,
                expression=expression,
                label=spec.label if expression_id == spec.returned_id else None,
                return_data=expression_id == spec.returned_id,
            )
            for expression_id, expression in spec.expressions
        ]
        return queries


class Dashboard(Construct):
    """One CloudWatch dashboard named after the environment, over everything `alarms` watches.

    Create it after the last `add` call: the body is written when it is constructed.

    Typed outputs (attributes): name, arn, body.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AlarmsProps, alarms: Alarms) -> None:
        super().__init__(scope, construct_id)
        self.name: str = props.name
        # The widgets document as built (alarm ARNs and dimensions still cdktf tokens).
        self.body = dashboard_body(region=props.region, watches=alarms.watches, alarm_arns=alarms.alarm_arns)
        self.dashboard = CloudwatchDashboard(
            self, "this", dashboard_name=self.name, dashboard_body=json.dumps(self.body, separators=(",", ":"))
        )
        self.arn: str = self.dashboard.dashboard_arn
