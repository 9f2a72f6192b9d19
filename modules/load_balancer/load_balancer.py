"""LoadBalancer: the platform's internet-facing Application Load Balancer.

- In the public subnets, with its own security group: 443 and 80 from the internet, and
  egress only to the services that call `allow_from(alb.security_group, ...)`.
- HTTPS on 443 with a TLS 1.3 policy (props.ssl_policy); HTTP on 80 only answers a 301
  to HTTPS. Anything no rule matches gets a fixed 404, so the tasks never see scanners'
  requests for /wp-admin and the like.
- One listener rule per routed service (path patterns, in priority order), forwarding to
  the service's blue and green target groups with the weights of the environment file.
- Invalid header fields dropped, request smuggling refused (desync mitigation), deletion
  protection per environment, and access and connection logs in a private bucket whose
  policy lets only Elastic Load Balancing's log delivery write, under this account's prefix.

Blue/green: weights come from the environment file, not from ECS-managed blue/green
(README: "Blue/green"). Each colour of a service is its own ECS service registering into
its own target group; Terraform alone writes the listener rules, so a deployment never
leaves a diff behind, and a shift is a change of the rule's weights and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bindings.aws.lb import Lb, LbAccessLogs, LbConnectionLogs
from bindings.aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
    LbListenerDefaultActionRedirect,
)
from bindings.aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleActionForward,
    LbListenerRuleActionForwardStickiness,
    LbListenerRuleActionForwardTargetGroup,
    LbListenerRuleCondition,
    LbListenerRuleConditionPathPattern,
)
from bindings.aws.lb_target_group import (
    LbTargetGroup,
    LbTargetGroupHealthCheck,
    LbTargetGroupStickiness,
)
from constructs import Construct

from bindings.cdk import TerraformResourceLifecycle
from modules.common.buckets import PrivateBucket, S3ManagedEncryption
from modules.common.policy import policy_statement
from modules.common.stack_context import module_context
from modules.common.waivers import waive
from modules.load_balancer.log_delivery import log_delivery_principal
from modules.load_balancer.props import COLOURS, LoadBalancerProps, RoutedService
from modules.security_groups import SecurityGroup, SecurityGroupProps

HTTPS_PORT = 443
HTTP_PORT = 80
# Key prefixes of the two log types in the bucket; ELB appends AWSLogs/<account>/...
ACCESS_LOG_PREFIX = "access"
CONNECTION_LOG_PREFIX = "connection"
# A log file is written once; an old version only exists after a deletion or overwrite.
LOG_NONCURRENT_VERSION_DAYS = 7
NOT_FOUND_BODY = "Not Found"


@dataclass(frozen=True)
class TargetGroupRef:
    """What other modules need of one target group: the ECS service registers into `arn`;
    CloudWatch alarms name `arn_suffix` (dimension TargetGroup)."""

    arn: str
    arn_suffix: str


class LoadBalancer(Construct):
    """Internet-facing ALB: HTTPS (TLS 1.3) and a redirecting HTTP listener, a fixed 404
    default, one weighted blue/green listener rule per routed service, access and
    connection logs to a private bucket.

    Typed outputs (attributes): arn, arn_suffix, dns_name, zone_id, security_group,
    target_groups, https_listener_arn, http_listener_arn, log_bucket_name, log_bucket_arn.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: LoadBalancerProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=f"{props.name}-alb",
                vpc_id=props.vpc_id,
                description="Public load balancer",
                tags=dict(props.tags),
            ),
        )
        self.security_group.allow_from_internet("HTTPS, and HTTP that only redirects to HTTPS")

        self.log_bucket = self._log_bucket(partition, account_id)
        self.load_balancer = self._load_balancer()

        self.https_listener = LbListener(
            self,
            "https_listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=props.ssl_policy,
            certificate_arn=props.certificate_arn,
            # Paths no rule routes end here, at the load balancer.
            default_action=[
                LbListenerDefaultAction(
                    type="fixed-response",
                    fixed_response=LbListenerDefaultActionFixedResponse(
                        content_type="text/plain", message_body=NOT_FOUND_BODY, status_code="404"
                    ),
                )
            ],
            tags=self._tags(f"{props.name}-https"),
        )
        self.http_listener = LbListener(
            self,
            "http_listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            # Only a permanent redirect: nothing is ever served over plain HTTP. Host, path
            # and query are kept (the provider's defaults #{host}, /#{path}, #{query}).
            default_action=[
                LbListenerDefaultAction(
                    type="redirect",
                    redirect=LbListenerDefaultActionRedirect(
                        port=str(HTTPS_PORT), protocol="HTTPS", status_code="HTTP_301"
                    ),
                )
            ],
            tags=self._tags(f"{props.name}-http-redirect"),
        )

        self.target_groups: dict[str, dict[str, TargetGroupRef]] = {}
        self.listener_rules: dict[str, LbListenerRule] = {}
        for service in props.services:
            groups = {colour: self._target_group(service, colour) for colour in COLOURS}
            self.target_groups[service.name] = {
                colour: TargetGroupRef(arn=group.arn, arn_suffix=group.arn_suffix) for colour, group in groups.items()
            }
            self.listener_rules[service.name] = self._listener_rule(service, groups)

        self.arn: str = self.load_balancer.arn
        self.arn_suffix: str = self.load_balancer.arn_suffix
        self.dns_name: str = self.load_balancer.dns_name
        self.zone_id: str = self.load_balancer.zone_id
        self.https_listener_arn: str = self.https_listener.arn
        self.http_listener_arn: str = self.http_listener.arn
        self.log_bucket_name: str = self.log_bucket.bucket_name
        self.log_bucket_arn: str = self.log_bucket.bucket_arn

    # -- helpers -------------------------------------------------------------------

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _log_bucket(self, partition: str, account_id: str) -> PrivateBucket:
        props = self.props
        bucket = PrivateBucket(
            self,
            "log_bucket",
            # S3 names are global: the account and region keep this one unique without a
            # random suffix, so the name stays literal for reviewers.
            bucket_name=f"{props.name}-alb-logs-{account_id}-{props.region}",
            partition=partition,
            encryption=S3ManagedEncryption(
                "Elastic Load Balancing delivers access and connection logs only to buckets encrypted "
                "with S3-managed keys (SSE-S3); it cannot write to a bucket whose default is SSE-KMS."
            ),
            noncurrent_version_expiration_days=LOG_NONCURRENT_VERSION_DAYS,
            expiration_days=props.log_expiration_days,
            tags=self._tags(f"{props.name}-alb-logs"),
        )
        # ELB writes <prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/...; only
        # those keys of this account, and only PutObject (no read, list or delete).
        bucket.add_to_resource_policy(
            policy_statement(
                "ElasticLoadBalancingDeliversLogs",
                ["s3:PutObject"],
                [
                    f"{bucket.bucket_arn}/{prefix}/AWSLogs/{account_id}/*"
                    for prefix in (ACCESS_LOG_PREFIX, CONNECTION_LOG_PREFIX)
                ],
                principal=log_delivery_principal(props.region),
            )
        )
        waive(
            bucket.bucket,
            "CKV_CHAT_40",
            "Load balancer logs are diagnostics that expire after log_expiration_days; a backup would keep "
            "copies of what the lifecycle deletes on purpose.",
        )
        waive(
            bucket.bucket,
            "CKV_AWS_18",
            "This bucket is itself the load balancer's log destination; logging its own reads would "
            "need yet another bucket, and only Elastic Load Balancing's log delivery writes to it.",
        )
        waive(
            bucket.bucket,
            "CKV_AWS_144",
            f"Access and connection logs are diagnostics kept {props.log_expiration_days} days; a "
            "replica in a second region would double their storage for data nothing depends on.",
        )
        waive(
            bucket.bucket,
            "CKV2_AWS_62",
            "Nothing reacts to new log files (they are queried on demand, e.g. with Athena); "
            "event notifications would have no consumer.",
        )
        return bucket

    def _load_balancer(self) -> Lb:
        props = self.props
        # The bucket policy must be in place first: when logging is switched on, ELB
        # writes a test object and refuses the setting if it is denied.
        bucket_policy = self.log_bucket.node.find_child("policy")
        load_balancer = Lb(
            self,
            "this",
            name=f"{props.name}-alb",
            load_balancer_type="application",
            internal=False,
            # IPv4 only: the network module's subnets have no IPv6 ranges, which dualstack needs.
            ip_address_type="ipv4",
            subnets=list(props.public_subnet_ids),
            security_groups=[self.security_group.security_group_id],
            idle_timeout=props.idle_timeout_seconds,
            enable_deletion_protection=props.deletion_protection,
            # Headers that are not valid HTTP (e.g. with underscores or control characters)
            # never reach the tasks, which might parse them differently.
            drop_invalid_header_fields=True,
            desync_mitigation_mode=props.desync_mitigation_mode,
            # If the web ACL cannot be reached, refuse requests rather than pass them unfiltered.
            enable_waf_fail_open=False,
            access_logs=LbAccessLogs(bucket=self.log_bucket.bucket_name, prefix=ACCESS_LOG_PREFIX, enabled=True),
            # Connection logs record every TLS handshake (client, protocol, cipher, failures),
            # which access logs do not: the evidence for tightening the TLS policy later.
            connection_logs=LbConnectionLogs(
                bucket=self.log_bucket.bucket_name, prefix=CONNECTION_LOG_PREFIX, enabled=True
            ),
            tags=self._tags(f"{props.name}-alb"),
            depends_on=[bucket_policy],
        )
        if not props.deletion_protection:
            waive(
                load_balancer,
                "CKV_AWS_150",
                "Deletion protection is off by this environment's choice (deletion_protection = false): "
                "a non-production load balancer is torn down and rebuilt with its stack, and no client "
                "depends on its DNS name.",
            )
        return load_balancer

    def _target_group(self, service: RoutedService, colour: str) -> LbTargetGroup:
        props = self.props
        group = LbTargetGroup(
            self,
            f"{service.name}_{colour}_target_group",
            # A prefix, not a name: AWS cannot rename a target group or change its port, so
            # such a change replaces it, and the listener rule still forwards to the old one
            # until the new one exists (create_before_destroy); a fixed name would clash.
            # Six characters at most (AWS appends 26); the Name tag holds the readable name.
            name_prefix=f"{colour[0]}-{service.name[:3]}",
            vpc_id=props.vpc_id,
            # Fargate tasks (awsvpc networking) are registered by IP.
            target_type="ip",
            port=service.port,
            # TLS ends at the load balancer; inside the VPC only the ALB's security group
            # may reach the container port. HTTP/1.1 to the tasks: websockets need it.
            protocol="HTTP",
            protocol_version="HTTP1",
            load_balancing_algorithm_type=service.load_balancing_algorithm,
            deregistration_delay=str(service.deregistration_delay_seconds),
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=service.health_check_path,
                matcher=service.health_check_matcher,
                interval=service.health_check_interval_seconds,
                timeout=service.health_check_timeout_seconds,
                healthy_threshold=service.healthy_threshold,
                unhealthy_threshold=service.unhealthy_threshold,
            ),
            stickiness=(
                LbTargetGroupStickiness(type="lb_cookie", enabled=True, cookie_duration=service.stickiness_seconds)
                if service.sticky
                else None
            ),
            tags=self._tags(f"{props.name}-{service.name}-{colour}", Service=service.name, Colour=colour),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        # checkov's CKV_AWS_378 passes an HTTP target group only when a listener names it
        # directly; these are named by listener rules (the listener's default is the 404).
        waive(
            group,
            "CKV_AWS_378",
            "TLS ends at the load balancer (HTTPS listener, TLS 1.3 policy); plain HTTP is only the "
            "hop from the load balancer to the Fargate tasks inside the VPC, whose security group "
            "admits the load balancer's group alone.",
        )
        return group

    def _listener_rule(self, service: RoutedService, groups: dict[str, LbTargetGroup]) -> LbListenerRule:
        props = self.props
        weights = props.weights_of(service.name)
        return LbListenerRule(
            self,
            f"{service.name}_listener_rule",
            listener_arn=self.https_listener.arn,
            priority=service.priority,
            condition=[
                LbListenerRuleCondition(
                    path_pattern=LbListenerRuleConditionPathPattern(values=list(service.path_patterns))
                )
            ],
            action=[
                LbListenerRuleAction(
                    type="forward",
                    forward=LbListenerRuleActionForward(
                        # Both colours always, a weight of 0 included: a shift then changes
                        # two numbers in this block and nothing else.
                        target_group=[
                            LbListenerRuleActionForwardTargetGroup(arn=groups[colour].arn, weight=weights[colour])
                            for colour in COLOURS
                        ],
                        # Group stickiness keeps a client on the colour it started on, so a
                        # Socket.IO session is not split between blue and green tasks.
                        stickiness=(
                            LbListenerRuleActionForwardStickiness(enabled=True, duration=service.stickiness_seconds)
                            if service.sticky
                            else None
                        ),
                    ),
                )
            ],
            tags=self._tags(f"{props.name}-{service.name}"),
        )
