"""WAF module: rules and their order, rate limits, body-size handling, logging, associations, validation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modules.waf import WebAclProps
from modules.waf.rules import BASE_PRICE_CAPACITY, BODY_SIZE_LABEL, plan_rules, planned_capacity

ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/chat-test/50dc6c495c0c9188"
DISTRIBUTION_ARN = "arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL"
BASE = WebAclProps(name="chat-test", region="eu-west-1")
CLOUDFRONT = WebAclProps(name="chat-test", region="us-east-1", scope="CLOUDFRONT")

MANAGED_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)


def _us_east_1(stack):
    from bindings.aws.provider import AwsProvider

    return AwsProvider(stack, "aws_us_east_1", region="us-east-1", alias="us_east_1")


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.waf import WebAcl

    def regional(stack):
        WebAcl(stack, "waf", props=replace(BASE, api_rate_limit_per_5min=1200)).associate("alb", ALB_ARN)

    def regional_shield(stack):
        props = replace(BASE, shield_advanced=True, log_retention_days=30, account_id="111122223333")
        WebAcl(stack, "waf", props=props).associate("alb", ALB_ARN)

    def cloudfront(stack):
        props = replace(CLOUDFRONT, shield_advanced=True, log_all_requests=True, block_anonymous_ips=True)
        WebAcl(stack, "waf", props=props, provider=_us_east_1(stack)).protect("frontend", DISTRIBUTION_ARN)

    def byo_key(stack):
        props = replace(BASE, log_kms_key_arn="arn:aws:kms:eu-west-1:111122223333:key/x", account_id="111122223333")
        WebAcl(stack, "waf", props=props)

    builds = {"regional": regional, "regional_shield": regional_shield, "cloudfront": cloudfront, "byo_key": byo_key}
    return {name: synth_scratch(build) for name, build in builds.items()}


def only(synth, resource_type):
    (block,) = synth.resources(resource_type).values()
    return block


def only_name(synth, resource_type):
    (name,) = synth.resources(resource_type)
    return name


def rules_by_name(synth):
    return {rule["name"]: rule for rule in only(synth, "aws_wafv2_web_acl")["rule"]}


# -- the rule plan (pure) --------------------------------------------------------------


def test_rule_names_metrics_and_priorities_are_unique_and_in_evaluation_order(variants):
    rules = only(variants["regional"], "aws_wafv2_web_acl")["rule"]
    names = [rule["name"] for rule in rules]
    priorities = [rule["priority"] for rule in rules]
    metrics = [rule["visibility_config"]["metric_name"] for rule in rules]
    assert len(set(names)) == len(names) == len(set(metrics))
    assert priorities == sorted(set(priorities)), "priorities must be distinct and follow the listed order"
    assert names == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesAnonymousIpList",
        "RateLimitApi",
        "RateLimitSocketIo",
        "AWSManagedRulesCommonRuleSet",
        "BlockOversizedBodyOutsideSocketIo",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    ]
    assert all(rule["visibility_config"]["cloudwatch_metrics_enabled"] is True for rule in rules)
    assert all(rule["visibility_config"]["sampled_requests_enabled"] is True for rule in rules)


def test_the_plan_stays_within_the_base_price_capacity():
    rules = plan_rules(api_rate_limit_per_5min=2000, socket_io_rate_limit_per_5min=6000, block_anonymous_ips=True)
    # 700 + 200 + 200 + 50 + 25 for the groups, 24 per rate rule, 23 for the body rule.
    assert planned_capacity(rules) == 1246 <= BASE_PRICE_CAPACITY


# -- managed rule groups -------------------------------------------------------------


def test_managed_groups_keep_their_own_actions(variants):
    rules = rules_by_name(variants["regional"])
    for name in MANAGED_GROUPS:
        statement = rules[name]["statement"]["managed_rule_group_statement"]
        assert (statement["name"], statement["vendor_name"]) == (name, "AWS")
        assert "action" not in rules[name]
    for name in set(MANAGED_GROUPS) - {"AWSManagedRulesAnonymousIpList"}:
        assert rules[name]["override_action"] == {"none": {}}, name
    # Log4Shell (CKV_AWS_192): nothing in known bad inputs is excluded or overridden.
    known_bad = rules["AWSManagedRulesKnownBadInputsRuleSet"]["statement"]["managed_rule_group_statement"]
    assert set(known_bad) == {"name", "vendor_name"}


def test_anonymous_networks_are_counted_unless_blocking_is_asked_for(variants):
    assert rules_by_name(variants["regional"])["AWSManagedRulesAnonymousIpList"]["override_action"] == {"count": {}}
    assert rules_by_name(variants["cloudfront"])["AWSManagedRulesAnonymousIpList"]["override_action"] == {"none": {}}


def test_only_the_body_size_rule_is_counted_and_it_is_re_blocked_outside_socket_io(variants):
    rules = rules_by_name(variants["regional"])
    common = rules["AWSManagedRulesCommonRuleSet"]["statement"]["managed_rule_group_statement"]
    assert common["rule_action_override"] == [{"name": "SizeRestrictions_BODY", "action_to_use": {"count": {}}}]
    for name in set(MANAGED_GROUPS) - {"AWSManagedRulesCommonRuleSet"}:
        assert "rule_action_override" not in rules[name]["statement"]["managed_rule_group_statement"], name

    reblock = rules["BlockOversizedBodyOutsideSocketIo"]
    # A label is only visible to rules evaluated after the one that added it.
    assert reblock["priority"] > rules["AWSManagedRulesCommonRuleSet"]["priority"]
    assert reblock["action"] == {"block": {}}
    label, negated = reblock["statement"]["and_statement"]["statement"]
    assert label == {"label_match_statement": {"scope": "LABEL", "key": BODY_SIZE_LABEL}}
    (exempt,) = negated["not_statement"]["statement"]
    match = exempt["byte_match_statement"]
    assert (match["search_string"], match["positional_constraint"], match["field_to_match"]) == (
        "/socket.io/",
        "STARTS_WITH",
        {"uri_path": {}},
    )
    assert [t["type"] for t in match["text_transformation"]] == ["URL_DECODE", "NORMALIZE_PATH"]


# -- rate limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_name", "path", "limit"), [("RateLimitApi", "/api/", 1200), ("RateLimitSocketIo", "/socket.io/", 6000)]
)
def test_rate_limits_are_per_client_ip_per_path(variants, rule_name, path, limit):
    rule = rules_by_name(variants["regional"])[rule_name]
    assert rule["action"] == {"block": {}} and "override_action" not in rule
    statement = rule["statement"]["rate_based_statement"]
    assert statement["limit"] == limit
    assert statement["aggregate_key_type"] == "IP" and "forwarded_ip_config" not in statement
    assert statement["evaluation_window_sec"] == 300
    match = statement["scope_down_statement"]["byte_match_statement"]
    assert (match["search_string"], match["positional_constraint"], match["field_to_match"]) == (
        path,
        "STARTS_WITH",
        {"uri_path": {}},
    )
    assert [(t["priority"], t["type"]) for t in match["text_transformation"]] == [
        (0, "URL_DECODE"),
        (1, "NORMALIZE_PATH"),
    ]


def test_web_acl_allows_by_default_and_is_named_after_its_scope(variants):
    regional = only(variants["regional"], "aws_wafv2_web_acl")
    cloudfront = only(variants["cloudfront"], "aws_wafv2_web_acl")
    assert regional["default_action"] == {"allow": {}}
    assert (regional["scope"], regional["name"]) == ("REGIONAL", "chat-test-regional")
    assert (cloudfront["scope"], cloudfront["name"]) == ("CLOUDFRONT", "chat-test-cloudfront")
    assert regional["visibility_config"]["metric_name"] == "chat-test-regional"


# -- logging -----------------------------------------------------------------------------


def test_logs_go_to_an_encrypted_aws_waf_logs_group_with_credentials_redacted(variants):
    synth = variants["regional"]
    logging = only(synth, "aws_wafv2_web_acl_logging_configuration")
    acl_name = only_name(synth, "aws_wafv2_web_acl")
    assert logging["resource_arn"] == synth.reference("aws_wafv2_web_acl", acl_name, "arn")
    (destination,) = logging["log_destination_configs"]
    group = synth.by_reference(destination)
    assert destination.endswith(".arn}") and group["name"] == "aws-waf-logs-chat-test-regional"
    assert group["name"].startswith("aws-waf-logs-")
    assert group["retention_in_days"] == 365
    key = synth.by_reference(group["kms_key_id"])
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert logging["redacted_fields"] == [
        {"single_header": {"name": "authorization"}},
        {"single_header": {"name": "cookie"}},
    ]


def test_the_key_serves_cloudwatch_logs_for_this_log_group_only(variants):
    synth = variants["regional_shield"]
    group = only(synth, "aws_cloudwatch_log_group")
    policy = synth.data_by_reference(synth.by_reference(group["kms_key_id"])["policy"])
    (logs,) = [s for s in policy["statement"] if s["sid"] == "CloudWatchLogsUsesKeyForWafLogGroup"]
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
    assert logs["condition"] == [
        {
            "test": "ArnEquals",
            "variable": "kms:EncryptionContext:aws:logs:arn",
            "values": [f"arn:aws:logs:eu-west-1:111122223333:log-group:{group['name']}"],
        }
    ]
    assert only(synth, "aws_kms_alias")["name"] == "alias/chat-test/waf-regional-logs"


def test_only_blocked_and_counted_requests_are_logged_by_default(variants):
    logging = only(variants["regional"], "aws_wafv2_web_acl_logging_configuration")
    assert logging["logging_filter"] == {
        "default_behavior": "DROP",
        "filter": [
            {
                "behavior": "KEEP",
                "requirement": "MEETS_ANY",
                "condition": [
                    {"action_condition": {"action": action}} for action in ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")
                ],
            }
        ],
    }
    assert "logging_filter" not in only(variants["cloudfront"], "aws_wafv2_web_acl_logging_configuration")


def test_short_retention_carries_a_reasoned_waiver(variants):
    short, default = variants["regional_shield"], variants["regional"]
    group_name = only_name(short, "aws_cloudwatch_log_group")
    assert only(short, "aws_cloudwatch_log_group")["retention_in_days"] == 30
    assert "30 days" in short.document["//"]["checkov_waivers"][group_name]["CKV_AWS_338"]
    assert "CKV_AWS_338" not in json.dumps(default.document["//"].get("checkov_waivers", {}))


def test_bring_your_own_key_creates_no_key(variants):
    synth = variants["byo_key"]
    assert synth.resources("aws_kms_key") == {} and synth.data("aws_iam_policy_document") == {}
    assert only(synth, "aws_cloudwatch_log_group")["kms_key_id"] == "arn:aws:kms:eu-west-1:111122223333:key/x"


# -- association and Shield ------------------------------------------------------------


def test_associate_attaches_the_web_acl_to_the_load_balancer(variants):
    synth = variants["regional"]
    association = only(synth, "aws_wafv2_web_acl_association")
    assert association["web_acl_arn"] == synth.reference(
        "aws_wafv2_web_acl", only_name(synth, "aws_wafv2_web_acl"), "arn"
    )
    assert association["resource_arn"] == ALB_ARN
    assert synth.resources("aws_shield_protection") == {}


def test_shield_advanced_protects_what_is_associated_or_protected(variants):
    regional = only(variants["regional_shield"], "aws_shield_protection")
    assert (regional["resource_arn"], regional["name"]) == (ALB_ARN, "chat-test-regional-alb")
    cloudfront = only(variants["cloudfront"], "aws_shield_protection")
    assert cloudfront["resource_arn"] == DISTRIBUTION_ARN


def test_cloudfront_web_acl_and_its_logs_live_in_us_east_1(variants):
    synth = variants["cloudfront"]
    assert synth.resources("aws_wafv2_web_acl_association") == {}
    for resource_type in (
        "aws_wafv2_web_acl",
        "aws_wafv2_web_acl_logging_configuration",
        "aws_cloudwatch_log_group",
        "aws_kms_key",
        "aws_kms_alias",
        "aws_shield_protection",
    ):
        assert only(synth, resource_type)["provider"] == "aws.us_east_1", resource_type
    assert only(synth, "aws_cloudwatch_log_group")["name"] == "aws-waf-logs-chat-test-cloudfront"
    (caller,) = synth.data("aws_caller_identity").values()
    assert caller["provider"] == "aws.us_east_1"
    policy = synth.data_by_reference(only(synth, "aws_kms_key")["policy"])
    assert {"logs.us-east-1.amazonaws.com"} == {
        identifier
        for statement in policy["statement"]
        for principal in statement["principals"]
        if principal["type"] == "Service"
        for identifier in principal["identifiers"]
    }


def test_attributes_point_at_the_resources_they_name(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.waf import WebAcl

    built = {}

    def build(stack):
        built["acl"] = acl = WebAcl(stack, "waf", props=BASE)
        for name in ("arn", "id", "log_group_arn", "log_kms_key_arn"):
            TerraformOutput(stack, name, value=getattr(acl, name))

    synth = synth_scratch(build)
    outputs = {name: output["value"] for name, output in synth.document["output"].items()}
    acl_name = only_name(synth, "aws_wafv2_web_acl")
    assert outputs["arn"] == synth.reference("aws_wafv2_web_acl", acl_name, "arn")
    assert outputs["id"] == synth.reference("aws_wafv2_web_acl", acl_name, "id")
    assert outputs["log_group_arn"] == synth.reference(
        "aws_cloudwatch_log_group", only_name(synth, "aws_cloudwatch_log_group"), "arn"
    )
    assert outputs["log_kms_key_arn"] == synth.reference("aws_kms_key", only_name(synth, "aws_kms_key"), "arn")
    acl = built["acl"]
    assert (acl.name, acl.scope, acl.log_group_name) == (
        "chat-test-regional",
        "REGIONAL",
        "aws-waf-logs-chat-test-regional",
    )
    assert acl.log_group_name == only(synth, "aws_cloudwatch_log_group")["name"]
    assert tuple(rule["name"] for rule in only(synth, "aws_wafv2_web_acl")["rule"]) == tuple(r.name for r in acl.rules)


# -- validation --------------------------------------------------------------------------

RATE_MESSAGE = (
    "expected a whole number of requests per 5 minutes from 10 to 2,000,000,000 (what AWS WAF accepts), got {}"
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0 (number)"),
        (-5, "-5 (number)"),
        (9, "9 (number)"),
        (2_000_000_001, "2000000001 (number)"),
        (100.5, "100.5 (number)"),
        (True, "true (bool)"),
        ("2000", '"2000" (string)'),
    ],
)
@pytest.mark.parametrize("field", ["api_rate_limit_per_5min", "socket_io_rate_limit_per_5min"])
def test_bad_rate_limits_are_rejected_with_the_field_and_value(field, value, shown):
    with pytest.raises(ValueError) as caught:
        replace(BASE, **{field: value})
    assert str(caught.value) == f"invalid WebAclProps:\n  {field}: {RATE_MESSAGE.format(shown)}"


@pytest.mark.parametrize("value", [10, 2_000_000_000])
def test_rate_limits_at_the_bounds_are_accepted(value):
    props = replace(BASE, api_rate_limit_per_5min=value, socket_io_rate_limit_per_5min=value)
    assert props.api_rate_limit_per_5min == value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "GLOBAL"}, "scope: expected one of 'REGIONAL' or 'CLOUDFRONT', got \"GLOBAL\" (string)"),
        (
            {"scope": "CLOUDFRONT"},
            'region: expected "us-east-1" when scope is "CLOUDFRONT" (CloudFront web ACLs and their log group '
            'live there), got "eu-west-1" (string)',
        ),
        ({"log_retention_days": 10}, "log_retention_days: expected a CloudWatch Logs retention period in days"),
        ({"name": "Chat_Test"}, "name: expected 2-20 characters"),
        ({"region": "moon-1"}, "region: expected an AWS region such as eu-west-1"),
        ({"account_id": "12345"}, "account_id: expected a 12-digit AWS account id"),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid WebAclProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


def test_cloudfront_scope_needs_a_us_east_1_provider(tmp_path):
    from bindings.aws.provider import AwsProvider

    from bindings.cdk import App, TerraformStack
    from modules.waf import WebAcl

    stack = TerraformStack(App(outdir=str(tmp_path)), "scratch")
    AwsProvider(stack, "aws", region="eu-west-1")
    with pytest.raises(ValueError) as caught:
        WebAcl(stack, "no_provider", props=CLOUDFRONT)
    assert str(caught.value) == (
        'provider: expected an AWS provider for us-east-1 when scope is "CLOUDFRONT" (CloudFront web ACLs, '
        "their log group and key exist only there), got none"
    )
    elsewhere = AwsProvider(stack, "aws_eu_central_1", region="eu-central-1", alias="eu_central_1")
    with pytest.raises(ValueError) as caught:
        WebAcl(stack, "wrong_provider", props=CLOUDFRONT, provider=elsewhere)
    assert str(caught.value) == (
        "provider: expected an AWS provider for us-east-1 (the props' region, where the web ACL, log group "
        "and key are created), got one for eu-central-1"
    )


def test_associate_refuses_cloudfront_acls_bad_arns_and_bad_names(tmp_path):
    from bindings.aws.provider import AwsProvider

    from bindings.cdk import App, TerraformStack
    from modules.waf import WebAcl

    stack = TerraformStack(App(outdir=str(tmp_path)), "scratch")
    AwsProvider(stack, "aws", region="eu-west-1")
    cloudfront = WebAcl(stack, "cloudfront", props=CLOUDFRONT, provider=_us_east_1(stack))
    with pytest.raises(ValueError) as caught:
        cloudfront.associate("frontend", DISTRIBUTION_ARN)
    assert str(caught.value) == (
        'associate: expected a web ACL of scope "REGIONAL", got "CLOUDFRONT" (a distribution names the web '
        "ACL's arn in its web_acl_id instead)"
    )
    regional = WebAcl(stack, "regional", props=BASE)
    network_lb = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/chat/50dc6c495c0c9188"
    with pytest.raises(ValueError) as caught:
        regional.associate("nlb", network_lb)
    assert str(caught.value) == (
        "resource_arn: expected the ARN of an application load balancer, API Gateway REST API stage, AppSync "
        f"API, Cognito user pool, App Runner service or Verified Access instance, got {network_lb!r}"
    )
    with pytest.raises(ValueError) as caught:
        regional.associate("Main ALB", ALB_ARN)
    assert str(caught.value) == (
        "name: expected 1-40 characters of lowercase letters, digits and '_', starting with a letter "
        "(it becomes part of a construct ID), got 'Main ALB'"
    )
    assert regional.protect("alb", ALB_ARN) is None, "Shield is off by default"


# -- the environment-file block and the README ---------------------------------------


def test_environment_files_set_limits_retention_logging_and_shield_with_the_same_checks():
    from pydantic import ValidationError

    from modules.common.inputs import environment_block, environment_fields

    assert [f.name for f in environment_fields(WebAclProps)] == [
        "api_rate_limit_per_5min",
        "socket_io_rate_limit_per_5min",
        "block_anonymous_ips",
        "log_retention_days",
        "log_all_requests",
        "shield_advanced",
    ]
    block = environment_block(WebAclProps, "WafConfig")
    assert block().api_rate_limit_per_5min == 2000
    with pytest.raises(ValidationError) as caught:
        block(api_rate_limit_per_5min=0)
    assert RATE_MESSAGE.format("0 (number)") in str(caught.value)
    with pytest.raises(ValidationError):
        block(socket_io_rate_limit_per_5min="6000")  # HCL tells "6000" from 6000


@pytest.mark.parametrize("variant", ["regional", "cloudfront"])
def test_web_acl_description_is_one_aws_accepts(variants, variant):
    """AWS refuses a web ACL whose description leaves the pattern its API model documents
    (no parentheses, for one); moto and checkov accept anything, so this reads the model."""
    import re

    import botocore.session

    shape = botocore.session.get_session().get_service_model("wafv2").shape_for("EntityDescription")
    description = only(variants[variant], "aws_wafv2_web_acl")["description"]
    assert re.fullmatch(shape.metadata["pattern"], description), (description, shape.metadata["pattern"])
    assert shape.metadata["min"] <= len(description) <= shape.metadata["max"]
