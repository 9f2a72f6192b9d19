"""Load balancer module: listeners, TLS, redirect, rule order, stickiness, weights and a shift
that touches nothing else, target groups, logs and their bucket policy, validation."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from modules.load_balancer import DEFAULT_SSL_POLICY, LoadBalancerProps, RoutedService
from modules.load_balancer.log_delivery import (
    ELB_LOG_DELIVERY_ACCOUNTS,
    LOG_DELIVERY_SERVICE_PRINCIPAL,
    log_delivery_principal,
)

ACCOUNT = "111122223333"
CERTIFICATE = "arn:aws:acm:eu-west-1:111122223333:certificate/0f9b2c1e-1234-4a5b-8c9d-0123456789ab"
SUBNETS = ("subnet-0a1b2c3d", "subnet-1a2b3c4d")
API = RoutedService(
    name="api",
    port=8080,
    path_patterns=("/api/*",),
    priority=100,
    health_check_path="/api/health",
    load_balancing_algorithm="least_outstanding_requests",
)
REALTIME = RoutedService(
    name="realtime",
    port=3000,
    path_patterns=("/socket.io/*",),
    priority=200,
    health_check_path="/healthz",
    health_check_matcher="200-299",
    health_check_interval_seconds=10,
    sticky=True,
    stickiness_seconds=1800,
    deregistration_delay_seconds=60,
)
BASE = LoadBalancerProps(
    name="chat-test",
    region="eu-west-1",
    account_id=ACCOUNT,
    vpc_id="vpc-0a1b2c3d",
    public_subnet_ids=SUBNETS,
    certificate_arn=CERTIFICATE,
    services=(API, REALTIME),
    weights={"api": {"blue": 90, "green": 10}},
)
# A region opened after August 2022, no account id (looked up), deletion protection off.
DEV = replace(
    BASE,
    region="eu-central-2",
    account_id=None,
    certificate_arn=CERTIFICATE.replace("eu-west-1", "eu-central-2"),
    weights={},
    deletion_protection=False,
    idle_timeout_seconds=120,
    log_expiration_days=14,
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.load_balancer import LoadBalancer

    def build(props):
        def add(stack):
            alb = LoadBalancer(stack, "load_balancer", props=props)
            # Each attribute as a stack output: the JSON then shows what it refers to.
            values = {
                "arn": alb.arn,
                "arn_suffix": alb.arn_suffix,
                "dns_name": alb.dns_name,
                "zone_id": alb.zone_id,
                "https_listener_arn": alb.https_listener_arn,
                "http_listener_arn": alb.http_listener_arn,
                "log_bucket_name": alb.log_bucket_name,
                "log_bucket_arn": alb.log_bucket_arn,
                "security_group_id": alb.security_group.security_group_id,
            }
            for service, groups in alb.target_groups.items():
                for colour, ref in groups.items():
                    values[f"target_group_{service}_{colour}_arn"] = ref.arn
                    values[f"target_group_{service}_{colour}_arn_suffix"] = ref.arn_suffix
            for name, value in values.items():
                TerraformOutput(stack, name, value=value)

        return add

    return {
        "base": synth_scratch(build(BASE)),
        "shifted": synth_scratch(build(replace(BASE, weights={"api": {"blue": 50, "green": 50}}))),
        "dev": synth_scratch(build(DEV)),
    }


def only(synth, resource_type):
    (block,) = synth.resources(resource_type).values()
    return block


def rules_in_evaluation_order(synth):
    return sorted(synth.resources("aws_lb_listener_rule").values(), key=lambda rule: rule["priority"])


def listener(synth, port):
    (found,) = [block for block in synth.resources("aws_lb_listener").values() if block["port"] == port]
    return found


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


# -- who delivers logs (pure) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        ("eu-west-1", ("AWS", ["arn:aws:iam::156460612806:root"])),
        ("us-east-1", ("AWS", ["arn:aws:iam::127311923021:root"])),
        ("us-gov-west-1", ("AWS", ["arn:aws-us-gov:iam::048591011584:root"])),
        ("cn-north-1", ("AWS", ["arn:aws-cn:iam::638102146993:root"])),
        ("me-central-1", ("Service", [LOG_DELIVERY_SERVICE_PRINCIPAL])),
        ("eu-central-2", ("Service", [LOG_DELIVERY_SERVICE_PRINCIPAL])),
        ("ap-southeast-7", ("Service", [LOG_DELIVERY_SERVICE_PRINCIPAL])),
    ],
)
def test_log_delivery_principal_is_the_regional_account_in_older_regions_else_the_service(region, principal):
    assert log_delivery_principal(region) == principal


def test_every_elb_log_account_is_a_distinct_twelve_digit_id():
    accounts = list(ELB_LOG_DELIVERY_ACCOUNTS.values())
    assert all(re.fullmatch(r"\d{12}", account) for account in accounts)
    assert len(set(accounts)) == len(accounts)


# -- the load balancer -----------------------------------------------------------------


def test_alb_is_internet_facing_in_the_given_subnets_with_its_own_group(variants):
    synth = variants["base"]
    alb = only(synth, "aws_lb")
    assert (alb["load_balancer_type"], alb["internal"], alb["ip_address_type"]) == ("application", False, "ipv4")
    assert alb["subnets"] == list(SUBNETS)
    (group_reference,) = alb["security_groups"]
    group = synth.by_reference(group_reference)
    assert group["vpc_id"] == "vpc-0a1b2c3d"
    assert group["tags"] == {"Name": "chat-test-alb", "InternetFacing": "true"}


def test_alb_hardening_idle_timeout_and_deletion_protection(variants):
    alb = only(variants["base"], "aws_lb")
    assert alb["drop_invalid_header_fields"] is True
    assert alb["desync_mitigation_mode"] == "strictest"
    assert alb["enable_waf_fail_open"] is False
    assert alb["idle_timeout"] == 300
    assert alb["enable_deletion_protection"] is True
    dev = only(variants["dev"], "aws_lb")
    assert (dev["idle_timeout"], dev["enable_deletion_protection"]) == (120, False)


def test_deletion_protection_off_carries_a_reasoned_waiver_only_where_it_is_off(variants):
    (dev_alb,) = variants["dev"].resources("aws_lb")
    assert "deletion_protection = false" in waivers(variants["dev"])[dev_alb]["CKV_AWS_150"]
    assert "CKV_AWS_150" not in json.dumps(waivers(variants["base"]))


def test_only_443_and_80_face_the_internet_and_the_alb_sends_nowhere_by_itself(variants):
    from modules.security_groups import directly_reachable_from_internet

    synth = variants["base"]
    assert directly_reachable_from_internet(synth.document) == {"chat-test-alb": {80, 443}}
    # Egress appears only when a service calls allow_from(alb.security_group, ...).
    assert synth.resources("aws_vpc_security_group_egress_rule") == {}


# -- listeners ---------------------------------------------------------------------------


def test_https_listener_uses_the_certificate_and_a_tls13_policy_and_answers_404_by_default(variants):
    synth = variants["base"]
    https = listener(synth, 443)
    assert synth.by_reference(https["load_balancer_arn"]) is only(synth, "aws_lb")
    assert (https["protocol"], https["certificate_arn"]) == ("HTTPS", CERTIFICATE)
    assert https["ssl_policy"] == DEFAULT_SSL_POLICY == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
    assert https["default_action"] == [
        {
            "type": "fixed-response",
            "fixed_response": {"content_type": "text/plain", "message_body": "Not Found", "status_code": "404"},
        }
    ]


def test_http_listener_only_redirects_to_https_permanently(variants):
    synth = variants["base"]
    assert sorted(block["port"] for block in synth.resources("aws_lb_listener").values()) == [80, 443]
    http = listener(synth, 80)
    assert synth.by_reference(http["load_balancer_arn"]) is only(synth, "aws_lb")
    assert http["protocol"] == "HTTP"
    assert http["default_action"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}
    ]
    # No rule hangs off the HTTP listener: nothing is ever served over plain HTTP.
    https_reference = [
        synth.reference("aws_lb_listener", name, "arn")
        for name, block in synth.resources("aws_lb_listener").items()
        if block["port"] == 443
    ]
    assert {rule["listener_arn"] for rule in synth.resources("aws_lb_listener_rule").values()} == set(https_reference)


# -- routing -----------------------------------------------------------------------------


def test_rules_route_api_then_socket_io_by_path_in_priority_order(variants):
    synth = variants["base"]
    rules = rules_in_evaluation_order(synth)
    assert [(rule["priority"], rule["condition"]) for rule in rules] == [
        (100, [{"path_pattern": {"values": ["/api/*"]}}]),
        (200, [{"path_pattern": {"values": ["/socket.io/*"]}}]),
    ]
    for rule, service in zip(rules, ("api", "realtime"), strict=True):
        (action,) = rule["action"]
        assert action["type"] == "forward"
        groups = [synth.by_reference(group["arn"]) for group in action["forward"]["target_group"]]
        assert [(group["tags"]["Service"], group["tags"]["Colour"]) for group in groups] == [
            (service, "blue"),
            (service, "green"),
        ]


def test_weights_come_from_props_and_default_to_all_blue(variants):
    def weights(synth):
        return [
            [group["weight"] for group in rule["action"][0]["forward"]["target_group"]]
            for rule in rules_in_evaluation_order(synth)
        ]

    assert weights(variants["base"]) == [[90, 10], [100, 0]]
    assert weights(variants["shifted"]) == [[50, 50], [100, 0]]
    assert weights(variants["dev"]) == [[100, 0], [100, 0]]


def test_socket_io_sticks_to_its_task_and_its_colour_the_api_to_neither(variants):
    synth = variants["base"]
    api_rule, realtime_rule = rules_in_evaluation_order(synth)
    assert "stickiness" not in api_rule["action"][0]["forward"]
    assert realtime_rule["action"][0]["forward"]["stickiness"] == {"enabled": True, "duration": 1800}
    for group in synth.resources("aws_lb_target_group").values():
        if group["tags"]["Service"] == "realtime":
            assert group["stickiness"] == {"type": "lb_cookie", "enabled": True, "cookie_duration": 1800}
        else:
            assert "stickiness" not in group


def test_a_weight_shift_changes_only_the_weights_of_that_services_listener_rule(variants):
    before, after = variants["base"].document, variants["shifted"].document

    def flatten(node, path=()):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from flatten(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from flatten(value, (*path, index))
        else:
            yield path, node

    old, new = dict(flatten(before)), dict(flatten(after))
    changed = {
        path: (old.get(path), new.get(path)) for path in old.keys() | new.keys() if old.get(path) != new.get(path)
    }
    (api_rule,) = [
        name for name, rule in variants["base"].resources("aws_lb_listener_rule").items() if rule["priority"] == 100
    ]
    prefix = ("resource", "aws_lb_listener_rule", api_rule, "action", 0, "forward", "target_group")
    assert changed == {
        (*prefix, 0, "weight"): (90, 50),
        (*prefix, 1, "weight"): (10, 50),
    }


# -- target groups -----------------------------------------------------------------------


def test_target_groups_register_fargate_tasks_by_ip_with_the_services_health_check(variants):
    synth = variants["base"]
    groups = {(g["tags"]["Service"], g["tags"]["Colour"]): g for g in synth.resources("aws_lb_target_group").values()}
    assert set(groups) == {("api", "blue"), ("api", "green"), ("realtime", "blue"), ("realtime", "green")}
    for (service, colour), group in groups.items():
        assert (group["target_type"], group["protocol"], group["protocol_version"]) == ("ip", "HTTP", "HTTP1")
        assert group["vpc_id"] == "vpc-0a1b2c3d"
        assert group["lifecycle"] == {"create_before_destroy": True}
        assert len(group["name_prefix"]) <= 6 and "name" not in group
        assert group["tags"]["Name"] == f"chat-test-{service}-{colour}"
        assert group["health_check"]["port"] == "traffic-port"
    api, realtime = groups[("api", "blue")], groups[("realtime", "green")]
    assert (api["port"], api["load_balancing_algorithm_type"], api["deregistration_delay"]) == (
        8080,
        "least_outstanding_requests",
        "30",
    )
    assert (realtime["port"], realtime["load_balancing_algorithm_type"], realtime["deregistration_delay"]) == (
        3000,
        "round_robin",
        "60",
    )
    assert api["health_check"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/api/health",
        "matcher": "200",
        "interval": 15,
        "timeout": 5,
        "healthy_threshold": 2,
        "unhealthy_threshold": 3,
    }
    assert (realtime["health_check"]["path"], realtime["health_check"]["matcher"]) == ("/healthz", "200-299")
    assert realtime["health_check"]["interval"] == 10


def test_every_http_target_group_carries_the_tls_termination_waiver(variants):
    synth = variants["base"]
    for name in synth.resources("aws_lb_target_group"):
        assert "TLS ends at the load balancer" in waivers(synth)[name]["CKV_AWS_378"]


# -- logs --------------------------------------------------------------------------------


def test_access_and_connection_logs_go_to_the_private_log_bucket_once_its_policy_exists(variants):
    synth = variants["base"]
    alb = only(synth, "aws_lb")
    (bucket_name,) = synth.resources("aws_s3_bucket")
    bucket_reference = synth.reference("aws_s3_bucket", bucket_name, "bucket")
    assert alb["access_logs"] == {"bucket": bucket_reference, "prefix": "access", "enabled": True}
    assert alb["connection_logs"] == {"bucket": bucket_reference, "prefix": "connection", "enabled": True}
    (policy_name,) = synth.resources("aws_s3_bucket_policy")
    assert alb["depends_on"] == [f"aws_s3_bucket_policy.{policy_name}"]
    assert synth.resources("aws_s3_bucket")[bucket_name]["bucket"] == "chat-test-alb-logs-111122223333-eu-west-1"


def test_log_bucket_is_sse_s3_and_expires_logs_after_the_chosen_days(variants):
    for name, days in (("base", 90), ("dev", 14)):
        synth = variants[name]
        encryption = only(synth, "aws_s3_bucket_server_side_encryption_configuration")
        assert encryption["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
        (rule,) = only(synth, "aws_s3_bucket_lifecycle_configuration")["rule"]
        assert rule["expiration"] == [{"days": days}]
        (bucket_name,) = synth.resources("aws_s3_bucket")
        assert "SSE-S3" in waivers(synth)[bucket_name]["CKV_AWS_145"]
        assert {"CKV_AWS_18", "CKV_AWS_144", "CKV2_AWS_62"} <= set(waivers(synth)[bucket_name])


def _log_delivery_statement(synth):
    policy = synth.data_by_reference(only(synth, "aws_s3_bucket_policy")["policy"])
    (statement,) = [s for s in policy["statement"] if s["sid"] == "ElasticLoadBalancingDeliversLogs"]
    return statement


def test_only_elb_log_delivery_may_write_and_only_under_this_accounts_prefixes(variants):
    statement = _log_delivery_statement(variants["base"])
    bucket = "arn:aws:s3:::chat-test-alb-logs-111122223333-eu-west-1"
    assert (statement["effect"], statement["actions"]) == ("Allow", ["s3:PutObject"])
    assert statement["principals"] == [{"type": "AWS", "identifiers": ["arn:aws:iam::156460612806:root"]}]
    assert statement["resources"] == [
        f"{bucket}/access/AWSLogs/{ACCOUNT}/*",
        f"{bucket}/connection/AWSLogs/{ACCOUNT}/*",
    ]


def test_newer_regions_grant_the_log_delivery_service_and_look_the_account_up(variants):
    synth = variants["dev"]
    statement = _log_delivery_statement(synth)
    assert statement["principals"] == [{"type": "Service", "identifiers": [LOG_DELIVERY_SERVICE_PRINCIPAL]}]
    (caller,) = synth.data("aws_caller_identity")
    account = f"${{data.aws_caller_identity.{caller}.account_id}}"
    assert all(f"/AWSLogs/{account}/*" in resource for resource in statement["resources"])
    assert only(synth, "aws_s3_bucket")["bucket"] == f"chat-test-alb-logs-{account}-eu-central-2"


# -- outputs -----------------------------------------------------------------------------


def test_attributes_point_at_the_resources_they_name(variants):
    synth = variants["base"]
    outputs = {name: block["value"] for name, block in synth.document["output"].items()}
    alb = only_name(synth, "aws_lb")
    for name in ("arn", "arn_suffix", "dns_name", "zone_id"):
        assert outputs[name] == synth.reference("aws_lb", alb, name)
    assert synth.by_reference(outputs["https_listener_arn"])["port"] == 443
    assert synth.by_reference(outputs["http_listener_arn"])["port"] == 80
    assert synth.by_reference(outputs["security_group_id"])["tags"]["Name"] == "chat-test-alb"
    assert outputs["log_bucket_name"] == synth.reference("aws_s3_bucket", only_name(synth, "aws_s3_bucket"), "bucket")
    assert outputs["log_bucket_arn"] == "arn:aws:s3:::chat-test-alb-logs-111122223333-eu-west-1"
    for service in ("api", "realtime"):
        for colour in ("blue", "green"):
            arn = outputs[f"target_group_{service}_{colour}_arn"]
            group = synth.by_reference(arn)
            assert (group["tags"]["Service"], group["tags"]["Colour"]) == (service, colour)
            assert outputs[f"target_group_{service}_{colour}_arn_suffix"] == arn.replace(".arn}", ".arn_suffix}")


def only_name(synth, resource_type):
    (name,) = synth.resources(resource_type)
    return name


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"weights": {"api": {"blue": 90, "green": 20}}},
            "weights: api: expected weights that add up to 100, got 90 + 20 = 110",
        ),
        (
            {"weights": {"api": {"blue": 120, "green": -20}}},
            "weights: api.blue: expected a whole number from 0 to 100, got 120 (number); "
            "api.green: expected a whole number from 0 to 100, got -20 (number)",
        ),
        ({"weights": {"api": {"blue": 100}}}, 'weights: api: expected the keys "blue" and "green", got [\'blue\']'),
        (
            {"weights": {"apii": {"blue": 100, "green": 0}}},
            "weights: expected weights only for the routed services ['api', 'realtime'], got ['apii']",
        ),
        ({"services": ()}, "services: expected at least one routed service, got none"),
        (
            {"services": (API, replace(REALTIME, name="api", path_patterns=("/api/*",), priority=100))},
            "services: expected distinct names across services, got ['api'] more than once; expected distinct "
            "priorities across services, got [100] more than once; expected distinct path patterns across "
            "services, got ['/api/*'] more than once",
        ),
        (
            {"public_subnet_ids": ("subnet-0a1b2c3d",)},
            "public_subnet_ids: expected at least two distinct subnets, one per availability zone (an ALB needs "
            "two zones), got 1",
        ),
        (
            {"public_subnet_ids": ("subnet-0a1b2c3d", "sn-1")},
            "public_subnet_ids: expected subnet ids such as subnet-0a1b2c3d or references to them, got ['sn-1']",
        ),
        (
            {"certificate_arn": CERTIFICATE.replace("eu-west-1", "us-east-1")},
            "certificate_arn: expected an ACM certificate ARN in the stack's region eu-west-1",
        ),
        ({"certificate_arn": "arn:aws:iam::111122223333:server-certificate/x"}, "certificate_arn: expected an ACM"),
        ({"idle_timeout_seconds": 30}, "idle_timeout_seconds: expected a number greater than or equal to 60, got 30"),
        ({"idle_timeout_seconds": 4001}, "idle_timeout_seconds: expected a number less than or equal to 4000"),
        ({"log_expiration_days": 0}, "log_expiration_days: expected a number greater than or equal to 1, got 0"),
        ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "ssl_policy: expected one of 'ELBSecurityPolicy-TLS13-1-2-Res"),
        (
            {"desync_mitigation_mode": "monitor"},
            "desync_mitigation_mode: expected one of 'strictest' or 'defensive', got \"monitor\" (string)",
        ),
        ({"vpc_id": "vpc-1"}, "vpc_id: expected a VPC id such as vpc-0a1b2c3d or a reference to one"),
        ({"name": "Chat_Test"}, "name: expected 2-20 characters"),
        ({"account_id": "12345"}, "account_id: expected a 12-digit AWS account id"),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid LoadBalancerProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "API"}, "name: expected 2-16 characters of lowercase letters, digits and '-'"),
        ({"port": 0}, "port: expected a number greater than or equal to 1, got 0"),
        ({"path_patterns": ()}, "path_patterns: expected 1 to 5 path patterns (an ALB rule's limit), got 0"),
        ({"path_patterns": ("/a", "/b", "/c", "/d", "/e", "/f")}, "path_patterns: expected 1 to 5 path patterns"),
        ({"path_patterns": ("api/*",)}, "path_patterns: expected path patterns starting with '/'"),
        (
            {"path_patterns": ("/api/*", "/api/*")},
            "path_patterns: expected distinct path patterns, got ['/api/*', '/api/*']",
        ),
        ({"priority": 0}, "priority: expected a number greater than or equal to 1, got 0"),
        ({"health_check_path": "health"}, "health_check_path: expected a path starting with '/'"),
        ({"health_check_matcher": "100"}, "health_check_matcher: expected HTTP codes from 200 to 499"),
        ({"health_check_matcher": "200-"}, "health_check_matcher: expected HTTP codes from 200 to 499"),
        (
            {"health_check_interval_seconds": 4},
            "health_check_interval_seconds: expected a number greater than or equal to 5",
        ),
        (
            {"health_check_timeout_seconds": 15},
            "health_check_timeout_seconds: expected a timeout shorter than health_check_interval_seconds (15) "
            "(AWS refuses a health check that outlasts its interval), got 15",
        ),
        ({"healthy_threshold": 1}, "healthy_threshold: expected a number greater than or equal to 2, got 1"),
        ({"unhealthy_threshold": 11}, "unhealthy_threshold: expected a number less than or equal to 10, got 11"),
        ({"stickiness_seconds": 0}, "stickiness_seconds: expected a number greater than or equal to 1, got 0"),
        (
            {"deregistration_delay_seconds": 3601},
            "deregistration_delay_seconds: expected a number less than or equal to 3600",
        ),
        (
            {"load_balancing_algorithm": "random"},
            "load_balancing_algorithm: expected one of 'round_robin' or 'least_outstanding_requests', got \"random\"",
        ),
    ],
)
def test_routed_service_rejects_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid RoutedService") as caught:
        replace(API, **change)
    assert message in str(caught.value)


def test_a_token_certificate_arn_and_token_subnets_are_not_judged():
    token = "${TfToken[TOKEN.12]}"
    props = replace(BASE, certificate_arn=token, public_subnet_ids=(token, "${TfToken[TOKEN.13]}"))
    assert props.certificate_arn == token


def test_the_environment_block_is_derived_from_the_props_and_says_the_same():
    from pydantic import ValidationError

    from modules.common.inputs import environment_block, environment_fields

    block = environment_block(LoadBalancerProps, "LoadBalancerConfig")
    assert list(block.model_fields) == [field.name for field in environment_fields(LoadBalancerProps)]
    assert list(block.model_fields) == ["weights", "idle_timeout_seconds", "log_expiration_days"]
    assert block().weights == {} and block().idle_timeout_seconds == 300 and block().log_expiration_days == 90
    assert block(weights={"api": {"blue": 90, "green": 10}}).weights == {"api": {"blue": 90, "green": 10}}
    with pytest.raises(ValidationError) as caught:
        block(weights={"api": {"blue": 90, "green": 20}})
    assert "api: expected weights that add up to 100, got 90 + 20 = 110" in str(caught.value)
    # HCL tells 90 from "90": a quoted weight is a mistake, as anywhere else in the file.
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        block(weights={"api": {"blue": "90", "green": 10}})
