"""WebAcl: an AWS WAFv2 web ACL for the load balancer (REGIONAL) or CloudFront (CLOUDFRONT).

- Default action allow; the rules of modules.waf.rules (managed rule groups, rate limits
  per client IP on /api/* and /socket.io/*, the body-size rule relaxed for Socket.IO).
- Logging to a CloudWatch log group named "aws-waf-logs-..." (WAF refuses any other
  name), encrypted with a key only CloudWatch Logs may use for that group, with the
  Authorization and Cookie headers redacted; by default only blocked and counted
  requests are logged.
- `associate()` attaches the web ACL to a regional resource (the load balancer);
  a CloudFront distribution names `arn` in its web_acl_id instead.
- With shield_advanced, `associate()` and `protect()` also add Shield Advanced protections.

No CloudWatch Logs resource policy is created: when the logging configuration is put,
WAF adds (or extends) the account's "AWSWAF-LOGS" policy, which lets log delivery write
to aws-waf-logs-* groups of this account only. A policy per web ACL would also spend one
of the ten resource policies CloudWatch Logs allows per region.
"""

from __future__ import annotations

import re

from bindings.aws.shield_protection import ShieldProtection
from bindings.aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionCount,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from bindings.aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from bindings.aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationLoggingFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

from bindings.cdk import TerraformProvider, Token
from modules.common.log_groups import keyed_log_group
from modules.common.stack_context import module_context
from modules.waf.props import CLOUDFRONT_REGION, WebAclProps
from modules.waf.rules import PlannedRule, plan_rules

# WAF delivers to CloudWatch Logs only into groups whose name starts with this.
LOG_GROUP_PREFIX = "aws-waf-logs-"

# Headers that carry credentials: bearer tokens and session cookies must not end up in
# a log that more people can read than the API. Lowercase, because WAF reads header
# names back lowercased (another case would be a diff on every plan).
REDACTED_HEADERS = ("authorization", "cookie")

# What the log keeps when not every request is logged: requests a rule blocked, counted
# (our rules, and whole groups set to count) or a group's rule overridden to count
# (EXCLUDED_AS_COUNT: how WAF reports SizeRestrictions_BODY and friends).
LOGGED_ACTIONS = ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")

# Resource types a REGIONAL web ACL can be attached to (service and resource in the ARN).
_ASSOCIABLE_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:(elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/"
    r"|apigateway:[a-z0-9-]+::/restapis/"
    r"|appsync:[a-z0-9-]+:\d{12}:apis/"
    r"|cognito-idp:[a-z0-9-]+:\d{12}:userpool/"
    r"|apprunner:[a-z0-9-]+:\d{12}:service/"
    r"|ec2:[a-z0-9-]+:\d{12}:verified-access-instance/)"
)
_LOCAL_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _check_provider(props: WebAclProps, provider: TerraformProvider | None) -> None:
    if props.scope == "CLOUDFRONT" and provider is None:
        raise ValueError(
            f'provider: expected an AWS provider for {CLOUDFRONT_REGION} when scope is "CLOUDFRONT" '
            "(CloudFront web ACLs, their log group and key exist only there), got none"
        )
    region = getattr(provider, "region", None)
    if isinstance(region, str) and not Token.is_unresolved(region) and region != props.region:
        raise ValueError(
            f"provider: expected an AWS provider for {props.region} (the props' region, where "
            f"the web ACL, log group and key are created), got one for {region}"
        )


def _check_local_name(name: str) -> None:
    if not _LOCAL_NAME_RE.fullmatch(name):
        raise ValueError(
            "name: expected 1-40 characters of lowercase letters, digits and '_', starting with "
            f"a letter (it becomes part of a construct ID), got {name!r}"
        )


class WebAcl(Construct):
    """A WAFv2 web ACL with managed rule groups, per-path rate limits and encrypted logs.

    Typed outputs (attributes): arn, id, name, scope, rules, log_group_name,
    log_group_arn, log_kms_key_arn.
    Helpers: associate(name, resource_arn) (REGIONAL only), protect(name, resource_arn).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: WebAclProps,
        provider: TerraformProvider | None = None,
    ) -> None:
        """`provider`: the AWS provider to create everything with; required for scope
        "CLOUDFRONT" (one for us-east-1), else the stack's default provider is used."""
        _check_provider(props, provider)
        super().__init__(scope, construct_id)
        self.props = props
        self._provider = provider
        context = module_context(self, props, provider=provider)
        partition = context.partition
        account_id = context.account_id

        self.name: str = props.acl_name
        self.scope: str = props.scope
        self.rules: tuple[PlannedRule, ...] = plan_rules(
            api_rate_limit_per_5min=props.api_rate_limit_per_5min,
            socket_io_rate_limit_per_5min=props.socket_io_rate_limit_per_5min,
            block_anonymous_ips=props.block_anonymous_ips,
        )
        self.web_acl = Wafv2WebAcl(
            self,
            "web_acl",
            name=self.name,
            # AWS allows letters, digits, spaces and + = : # @ / - , . in a web ACL description (no
            # parentheses): the API model's pattern for WebACL.Description.
            description=f"{props.name}: managed rule groups and per-path rate limits, {props.scope.lower()}",
            scope=props.scope,
            # Anything no rule blocks is the application's to judge.
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=[self._rule(planned) for planned in self.rules],
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=self.name, sampled_requests_enabled=True
            ),
            tags=self._tags(self.name),
            provider=provider,
        )
        self.arn: str = self.web_acl.arn
        self.id: str = self.web_acl.id
        self._logging(partition, account_id)

    # -- helpers -------------------------------------------------------------------

    def associate(self, name: str, resource_arn: str) -> Wafv2WebAclAssociation:
        """Attach the web ACL to a regional resource, e.g. `waf.associate("alb", alb.arn)`.

        `name` makes the construct IDs ("association_<name>", "shield_protection_<name>"),
        which are part of the caller's contract. With shield_advanced, the resource is
        also protected by Shield Advanced.
        """
        if self.props.scope != "REGIONAL":
            raise ValueError(
                'associate: expected a web ACL of scope "REGIONAL", got "CLOUDFRONT" (a distribution '
                "names the web ACL's arn in its web_acl_id instead)"
            )
        _check_local_name(name)
        if not Token.is_unresolved(resource_arn) and not _ASSOCIABLE_ARN_RE.match(resource_arn):
            raise ValueError(
                "resource_arn: expected the ARN of an application load balancer, API Gateway REST API "
                f"stage, AppSync API, Cognito user pool, App Runner service or Verified Access instance, "
                f"got {resource_arn!r}"
            )
        association = Wafv2WebAclAssociation(
            self,
            f"association_{name}",
            web_acl_arn=self.arn,
            resource_arn=resource_arn,
            provider=self._provider,
        )
        self.protect(name, resource_arn)
        return association

    def protect(self, name: str, resource_arn: str) -> ShieldProtection | None:
        """A Shield Advanced protection for `resource_arn` when shield_advanced is on, else None.

        For resources `associate()` does not cover, such as the CloudFront distribution
        that uses a CLOUDFRONT web ACL.
        """
        _check_local_name(name)
        if not self.props.shield_advanced:
            return None
        return ShieldProtection(
            self,
            f"shield_protection_{name}",
            name=f"{self.name}-{name.replace('_', '-')}",
            resource_arn=resource_arn,
            tags=self._tags(f"{self.name}-{name.replace('_', '-')}"),
            provider=self._provider,
        )

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    @staticmethod
    def _rule(planned: PlannedRule) -> Wafv2WebAclRule:
        action = override_action = None
        if planned.action == "block":
            action = Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock())
        elif planned.group_action == "none":
            override_action = Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone())
        else:
            override_action = Wafv2WebAclRuleOverrideAction(count=Wafv2WebAclRuleOverrideActionCount())
        return Wafv2WebAclRule(
            name=planned.name,
            priority=planned.priority,
            action=action,
            override_action=override_action,
            statement=planned.statement,
            visibility_config=Wafv2WebAclRuleVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=planned.metric_name, sampled_requests_enabled=True
            ),
        )

    def _logging(self, partition: str, account_id: str) -> None:
        props = self.props
        group_name = f"{LOG_GROUP_PREFIX}{self.name}"
        waf_logs = keyed_log_group(
            self,
            "log",
            name=group_name,
            region=props.region,
            partition=partition,
            account_id=account_id,
            retention_days=props.log_retention_days,
            short_retention_reason=(
                f"WAF logs kept {props.log_retention_days} days by this environment's choice "
                "(log_retention_days): they explain blocked and counted requests for tuning and "
                "incident triage, and the load balancer's access logs keep the request history."
            ),
            tags=self._tags(group_name),
            given_key_arn=props.log_kms_key_arn,
            log_group_label="WafLogGroup",
            key_description=f"{self.name} WAF logs",
            key_alias=f"alias/{props.name}/waf-{props.scope.lower()}-logs",
            key_tags=self._tags(f"{self.name}-waf-logs"),
            provider=self._provider,
        )
        log_group, key_arn = waf_logs.group, waf_logs.kms_key_arn
        logging_filter = None
        if not props.log_all_requests:
            logging_filter = Wafv2WebAclLoggingConfigurationLoggingFilter(
                default_behavior="DROP",
                filter=[
                    Wafv2WebAclLoggingConfigurationLoggingFilterFilter(
                        behavior="KEEP",
                        requirement="MEETS_ANY",
                        condition=[
                            Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition(
                                action_condition=(
                                    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition(
                                        action=action
                                    )
                                )
                            )
                            for action in LOGGED_ACTIONS
                        ],
                    )
                ],
            )
        Wafv2WebAclLoggingConfiguration(
            self,
            "logging",
            resource_arn=self.arn,
            # The provider's log group ARN has no ":*" suffix, the form WAF requires.
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            logging_filter=logging_filter,
            provider=self._provider,
        )
        self.log_group_name: str = group_name
        self.log_group_arn: str = log_group.arn
        self.log_kms_key_arn: str = key_arn
