"""WebSocket API module: routes and HTTP_PROXY integrations through the (REST) VPC link to
the internal NLB, listeners per colour, the stage's throttle and JSON access log to an
encrypted group, the account's CloudWatch role, the custom domain, grants, validation, the
README, and the stack wiring (build_websocket_api, connect_websocket_api) with a real
realtime FargateService registering with the NLB's target groups."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modules.websocket_api import WebSocketApiProps
from modules.websocket_api.routes import REQUIRED_ACCESS_LOG_FIELDS
from modules.websocket_api.variant import api_gateway_problems
from synthesized import released_count

ACCOUNT = "111122223333"
CERTIFICATE = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"
LOG_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
SUBNETS = ("subnet-0a1b2c3d", "subnet-0a1b2c3e")
PROD = WebSocketApiProps(
    name="chat-test",
    region="eu-west-1",
    account_id=ACCOUNT,
    vpc_id="vpc-0a1b2c3d",
    subnet_ids=SUBNETS,
    certificate_arn=CERTIFICATE,
    host_name="ws.chat.example.com",
    service_port=3000,
    health_check_path="/health",
    throttling_rate_limit=800,
    throttling_burst_limit=1600,
)
DEV = replace(
    PROD,
    account_id=None,
    live_colour="green",
    deletion_protection=False,
    log_retention_days=30,
    log_kms_key_arn=LOG_KEY,
    service_port=9000,
)
ROUTES = {"$connect": "/ws/connect", "$disconnect": "/ws/disconnect", "$default": "/ws/message"}
OUTPUTS = (
    "api_id",
    "api_endpoint",
    "execution_arn",
    "stage_name",
    "callback_url",
    "host_name",
    "domain_target_name",
    "domain_target_zone_id",
    "load_balancer_arn",
    "load_balancer_dns_name",
    "live_colour",
    "vpc_link_id",
    "log_group_name",
    "log_group_arn",
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.websocket_api import WebSocketApi

    def prod(stack):
        api = WebSocketApi(stack, "websocket_api", props=PROD)
        role = ServiceRole(
            stack,
            "realtime",
            name="chat-test-realtime",
            service="ecs-tasks.amazonaws.com",
            description="d",
            account_id=ACCOUNT,
        )
        api.grant_manage_connections(role)
        routing = api.service_routing()
        assert routing.weights == {"blue": 100, "green": 0}
        assert routing.target_groups == api.target_groups and routing.load_balancer_security_group is api.security_group
        for output in OUTPUTS:
            TerraformOutput(stack, output, value=getattr(api, output))

    def dev(stack):
        api = WebSocketApi(stack, "websocket_api", props=DEV)
        assert api.service_routing().weights == {"blue": 0, "green": 100}

    return {"prod": synth_scratch(prod), "dev": synth_scratch(dev)}


def one(synth, resource_type):
    (block,) = synth.resources(resource_type).values()
    return block


def name_of(synth, resource_type, predicate):
    (name,) = [key for key, block in synth.resources(resource_type).items() if predicate(block)]
    return name


def output(synth, name):
    return synth.document["output"][name]["value"]


# -- routes and integrations -------------------------------------------------------------


def test_a_websocket_api_with_the_three_routes(variants):
    synth = variants["prod"]
    api_name, api = next(iter(synth.resources("aws_apigatewayv2_api").items()))
    assert api["protocol_type"] == "WEBSOCKET" and api["name"] == "chat-test-websocket"
    assert api["route_selection_expression"] == "$request.body.action"
    routes = {route["route_key"]: route for route in synth.resources("aws_apigatewayv2_route").values()}
    assert set(routes) == set(ROUTES)
    for route in routes.values():
        assert route["api_id"] == synth.reference("aws_apigatewayv2_api", api_name)
        assert route["authorization_type"] == "NONE"  # the service judges $connect (waived, with the reason)


def test_each_route_proxies_to_its_path_on_the_nlb_through_the_vpc_link(variants):
    synth = variants["prod"]
    lb_name = next(iter(synth.resources("aws_lb")))
    link_name, link = next(iter(synth.resources("aws_api_gateway_vpc_link").items()))
    # A REST API VPC link (the kind WebSocket APIs take), to the NLB.
    assert link["target_arns"] == [synth.reference("aws_lb", lb_name, "arn")]
    assert synth.resources("aws_apigatewayv2_vpc_link") == {}
    for route in synth.resources("aws_apigatewayv2_route").values():
        integration_name = route["target"].removeprefix("integrations/${aws_apigatewayv2_integration.").split(".")[0]
        assert route["target"] == f"integrations/{synth.reference('aws_apigatewayv2_integration', integration_name)}"
        integration = synth.resources("aws_apigatewayv2_integration")[integration_name]
        assert integration["integration_type"] == "HTTP_PROXY"
        assert integration["integration_method"] == "POST"
        assert integration["connection_type"] == "VPC_LINK"
        assert integration["connection_id"] == synth.reference("aws_api_gateway_vpc_link", link_name)
        assert integration["integration_uri"] == (
            f"http://{synth.reference('aws_lb', lb_name, 'dns_name')}:80{ROUTES[route['route_key']]}"
        )
        # The connection id reaches the service: its bookkeeping key and the @connections address.
        assert integration["request_parameters"] == {
            "integration.request.header.connectionId": "context.connectionId",
            "integration.request.header.requestId": "context.requestId",
        }


def test_a_new_deployment_follows_every_route_and_integration(variants):
    synth = variants["prod"]
    deployment_name, deployment = next(iter(synth.resources("aws_apigatewayv2_deployment").items()))
    assert deployment["lifecycle"] == {"create_before_destroy": True}
    assert sorted(deployment["depends_on"]) == sorted(
        f"aws_apigatewayv2_route.{name}" for name in synth.resources("aws_apigatewayv2_route")
    )
    trigger = deployment["triggers"]["redeployment"]
    for name in synth.resources("aws_apigatewayv2_integration"):
        assert f"aws_apigatewayv2_integration.{name}.integration_uri" in trigger
    for name in synth.resources("aws_apigatewayv2_route"):
        assert f"aws_apigatewayv2_route.{name}.target" in trigger
    assert one(synth, "aws_apigatewayv2_stage")["deployment_id"] == synth.reference(
        "aws_apigatewayv2_deployment", deployment_name
    )


# -- the load balancer -----------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "protected"), [("prod", True), ("dev", False)])
def test_an_internal_nlb_in_the_private_subnets(variants, variant, protected):
    synth = variants[variant]
    lb = one(synth, "aws_lb")
    assert lb["load_balancer_type"] == "network" and lb["internal"] is True
    assert lb["subnets"] == list(SUBNETS)
    assert lb["enable_cross_zone_load_balancing"] is True
    assert lb["enable_deletion_protection"] is protected
    assert lb["enforce_security_group_inbound_rules_on_private_link_traffic"] == "off"
    (group_name,) = synth.resources("aws_security_group")
    assert lb["security_groups"] == [synth.reference("aws_security_group", group_name)]
    # Nothing in the VPC may reach it: no ingress rule at all.
    assert synth.resources("aws_vpc_security_group_ingress_rule") == {}


@pytest.mark.parametrize(("variant", "live", "port"), [("prod", "blue", 3000), ("dev", "green", 9000)])
def test_the_live_colour_takes_port_80_and_the_standby_8080(variants, variant, live, port):
    synth = variants[variant]
    groups = synth.resources("aws_lb_target_group")
    by_colour = {group["tags"]["Colour"]: name for name, group in groups.items()}
    assert set(by_colour) == {"blue", "green"}
    for group in groups.values():
        assert (group["target_type"], group["protocol"], group["port"]) == ("ip", "TCP", port)
        assert group["deregistration_delay"] == "30"
        assert group["health_check"]["protocol"] == "HTTP" and group["health_check"]["path"] == "/health"
        assert group["lifecycle"] == {"create_before_destroy": True}
    standby = "green" if live == "blue" else "blue"
    listeners = {listener["port"]: listener for listener in synth.resources("aws_lb_listener").values()}
    assert set(listeners) == {80, 8080}
    for listener_port, colour in ((80, live), (8080, standby)):
        listener = listeners[listener_port]
        assert listener["protocol"] == "TCP"
        assert listener["default_action"] == [
            {"type": "forward", "target_group_arn": synth.reference("aws_lb_target_group", by_colour[colour], "arn")}
        ]


# -- the stage and its log -------------------------------------------------------------------


def test_the_stage_throttles_and_logs_json_to_an_encrypted_group(variants):
    synth = variants["prod"]
    stage = one(synth, "aws_apigatewayv2_stage")
    assert stage["name"] == "live"
    assert stage["default_route_settings"] == {
        "throttling_rate_limit": 800,
        "throttling_burst_limit": 1600,
        "logging_level": "OFF",
        "data_trace_enabled": False,
        "detailed_metrics_enabled": False,
    }
    group_name, group = next(iter(synth.resources("aws_cloudwatch_log_group").items()))
    assert group["name"] == "/aws/apigateway/chat-test-websocket" and group["retention_in_days"] == 365
    assert stage["access_log_settings"]["destination_arn"] == synth.reference(
        "aws_cloudwatch_log_group", group_name, "arn"
    )
    fields = json.loads(stage["access_log_settings"]["format"])
    for field in REQUIRED_ACCESS_LOG_FIELDS:
        assert fields[field] == f"$context.{field}"
    # The group's key lets CloudWatch Logs use it for this group only.
    key_name = group["kms_key_id"].split(".")[1]
    key = synth.resources("aws_kms_key")[key_name]
    statements = {s["sid"]: s for s in synth.data_by_reference(key["policy"])["statement"]}
    logs = statements["CloudWatchLogsUsesKeyForWebSocketAccessLogs"]
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
    assert logs["condition"] == [
        {
            "test": "ArnEquals",
            "variable": "kms:EncryptionContext:aws:logs:arn",
            "values": [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/apigateway/chat-test-websocket"],
        }
    ]


def test_a_given_log_key_is_used_and_none_created(variants):
    synth = variants["dev"]
    assert synth.resources("aws_kms_key") == {}
    group = one(synth, "aws_cloudwatch_log_group")
    assert group["kms_key_id"] == LOG_KEY and group["retention_in_days"] == 30


def test_the_accounts_cloudwatch_role_writes_api_gateway_log_groups_only(variants):
    synth = variants["prod"]
    role_name = name_of(synth, "aws_iam_role", lambda role: role["name"] == "chat-test-apigateway-logs")
    account = one(synth, "aws_api_gateway_account")
    assert account["cloudwatch_role_arn"] == synth.reference("aws_iam_role", role_name, "arn")
    trust = synth.data_by_reference(synth.resources("aws_iam_role")[role_name]["assume_role_policy"])["statement"]
    assert trust[0]["principals"] == [{"type": "Service", "identifiers": ["apigateway.amazonaws.com"]}]
    (policy_name,) = [
        name
        for name, policy in synth.resources("aws_iam_role_policy").items()
        if policy["role"] == synth.reference("aws_iam_role", role_name)
    ]
    assert account["depends_on"] == [f"aws_iam_role_policy.{policy_name}"]
    statements = {
        s["sid"]: s
        for s in synth.data_by_reference(synth.resources("aws_iam_role_policy")[policy_name]["policy"])["statement"]
    }
    groups = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/apigateway/*"
    assert statements["WriteApiGatewayLogs"]["actions"] == [
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ]
    assert statements["WriteApiGatewayLogs"]["resources"] == [f"{groups}:*"]
    assert statements["FindApiGatewayLogGroups"]["actions"] == ["logs:DescribeLogGroups"]
    # The form AWS evaluates DescribeLogGroups against (the account's log-group:*).
    assert statements["FindApiGatewayLogGroups"]["resources"] == [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:*"]
    # The stage waits for the account setting: API Gateway refuses access logs before it.
    assert one(synth, "aws_apigatewayv2_stage")["depends_on"] == [
        f"aws_api_gateway_account.{next(iter(synth.resources('aws_api_gateway_account')))}"
    ]


# -- the custom domain ---------------------------------------------------------------------------


def test_the_custom_domain_serves_the_stage_with_tls_1_2(variants):
    synth = variants["prod"]
    domain_name, domain = next(iter(synth.resources("aws_apigatewayv2_domain_name").items()))
    assert domain["domain_name"] == "ws.chat.example.com"
    assert domain["domain_name_configuration"] == {
        "certificate_arn": CERTIFICATE,
        "endpoint_type": "REGIONAL",
        "security_policy": "TLS_1_2",
    }
    mapping = one(synth, "aws_apigatewayv2_api_mapping")
    stage_name = next(iter(synth.resources("aws_apigatewayv2_stage")))
    assert mapping["domain_name"] == synth.reference("aws_apigatewayv2_domain_name", domain_name)
    assert mapping["stage"] == synth.reference("aws_apigatewayv2_stage", stage_name)
    assert "api_mapping_key" not in mapping  # wss://<host>/, no path
    assert output(synth, "domain_target_name") == (
        "${aws_apigatewayv2_domain_name." + domain_name + ".domain_name_configuration[0].target_domain_name}"
    )
    assert output(synth, "domain_target_zone_id") == (
        "${aws_apigatewayv2_domain_name." + domain_name + ".domain_name_configuration[0].hosted_zone_id}"
    )


def test_outputs(variants):
    synth = variants["prod"]
    api_name = next(iter(synth.resources("aws_apigatewayv2_api")))
    api_id = synth.reference("aws_apigatewayv2_api", api_name)
    assert output(synth, "api_id") == api_id
    assert output(synth, "callback_url") == f"https://{api_id}.execute-api.eu-west-1.amazonaws.com/live"
    assert output(synth, "stage_name") == "live" and output(synth, "live_colour") == "blue"
    assert (
        output(synth, "log_group_arn")
        == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/apigateway/chat-test-websocket"
    )


def test_grant_manage_connections_names_this_stages_connections(variants):
    synth = variants["prod"]
    role_name = name_of(synth, "aws_iam_role", lambda role: role["name"] == "chat-test-realtime")
    (policy,) = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", role_name)
    ]
    (statement,) = synth.data_by_reference(policy["policy"])["statement"]
    execution_arn = synth.reference(
        "aws_apigatewayv2_api", next(iter(synth.resources("aws_apigatewayv2_api"))), "execution_arn"
    )
    assert statement == {
        "sid": "ManageWebSocketConnections",
        "effect": "Allow",
        "actions": ["execute-api:ManageConnections"],
        "resources": [f"{execution_arn}/live/{method}/@connections/*" for method in ("POST", "GET", "DELETE")],
    }


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"host_name": "*.chat.example.com"},
            'host_name: expected a host name without wildcards, got "*.chat.example.com" (string)',
        ),
        (
            {"throttling_rate_limit": 0},
            "throttling_rate_limit: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"throttling_rate_limit": 10_001},
            "throttling_rate_limit: expected a number less than or equal to 10000, got 10001 (number)",
        ),
        (
            {"throttling_burst_limit": 5_001},
            "throttling_burst_limit: expected a number less than or equal to 5000, got 5001 (number)",
        ),
        ({"live_colour": "red"}, "live_colour: expected one of 'blue' or 'green', got \"red\" (string)"),
        ({"log_retention_days": 10}, "log_retention_days: expected a CloudWatch Logs retention period in days"),
        ({"service_port": 0}, "service_port: expected a number greater than or equal to 1, got 0 (number)"),
        ({"connect_authorizer": "COGNITO"}, 'connect_authorizer: expected "AWS_IAM" or a Lambda function ARN'),
        (
            {"connect_authorizer_identity_sources": ("$request.header.Auth",)},
            "connect_authorizer_identity_sources: expected one or more of route.request.header.<name>",
        ),
        ({"subnet_ids": ("subnet-0a1b2c3d",)}, "subnet_ids: expected at least two distinct subnets"),
        (
            {"certificate_arn": CERTIFICATE.replace("eu-west-1", "us-east-1")},
            "certificate_arn: expected an ACM certificate ARN in the stack's region eu-west-1",
        ),
    ],
)
def test_bad_input_is_refused_with_its_field_and_value(changes, message):
    with pytest.raises(ValueError) as error:
        replace(PROD, **changes)
    assert str(error.value).startswith("invalid WebSocketApiProps:\n  ")
    assert message in str(error.value)


GOOD_VARIANT = {
    "document_store": "dynamodb",
    "nat_mode": "single",
    "realtime_requests_per_target": None,
    "host_name": "ws.chat.example.com",
    "api_host_names": ("api.chat.example.com", "ws.chat.example.com"),
}


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"document_store": "none"}, "document_store", 'expected "dynamodb" when ingress = "api_gateway"'),
        ({"nat_mode": "none"}, "network.nat_mode", 'expected "single" or "per_az" when ingress = "api_gateway"'),
        ({"realtime_requests_per_target": 500}, "realtime.requests_per_target", "expected null when ingress"),
        (
            {"host_name": "ws.other.example.com"},
            "websocket_api.host_name",
            "expected one of dns.api_host_names (api.chat.example.com, ws.chat.example.com): the regional "
            'certificate covers those, got "ws.other.example.com"',
        ),
        (
            {"weighted_services": ("api", "realtime")},
            "load_balancer.weights",
            'expected no weights for realtime when ingress = "api_gateway"',
        ),
    ],
)
def test_the_api_gateway_ingress_needs_the_rest_of_the_file_to_fit(changes, key, message):
    assert api_gateway_problems(**GOOD_VARIANT) == []
    problems = api_gateway_problems(**{**GOOD_VARIANT, **changes})
    assert len(problems) == 1 and problems[0][0] == key and message in problems[0][1]


# -- wiring into a stack -----------------------------------------------------------------------


def variant(**changes):
    from tests.modules.variant_configs import variant_config

    values = {
        "name": "wstest",
        "region": "eu-west-1",
        "account_id": ACCOUNT,
        "deletion_protection": False,
        "network": {
            "vpc_cidr": "10.60.0.0/16",
            "az_count": 2,
            "availability_zones": ["eu-west-1a", "eu-west-1b"],
            "nat_mode": "single",
            "interface_endpoints": False,
        },
        "dns": {
            "zone_name": "chat.example.com",
            "zone_id": "Z0123456789ABCDEFGHIJ",
            "api_host_names": ["api.chat.example.com", "ws.chat.example.com"],
            "regional_certificate_arn": CERTIFICATE,
        },
        "realtime": {"port": 3000, "health_check_path": "/healthz", "min_tasks": 2, "max_tasks": 4, "standby_tasks": 1},
        "document_store": "dynamodb",
        "ingress": "api_gateway",
        "websocket_api": {"host_name": "ws.chat.example.com", "throttling_rate_limit": 300},
    }
    return variant_config(**{**values, **changes})


@pytest.fixture(scope="module")
def wired(synth_scratch):
    """What ChatStack does with the API Gateway ingress, on a scratch stack: the network and
    domain from the file, build_websocket_api, the realtime service routed by the API's
    target groups, the chat tables, then connect_websocket_api."""
    from modules.common.inputs import props_from_block
    from modules.compute import ComputeCluster, ComputeClusterProps, FargateService, RealtimeServiceProps
    from modules.compute.service import ServiceEgress
    from modules.container_registry import ContainerRepository, ContainerRepositoryProps
    from modules.dns import Domain, DomainProps
    from modules.dynamodb import ChatTables, ChatTablesProps
    from modules.network import Network, NetworkProps
    from stacks.websocket_api import build_websocket_api, connect_websocket_api

    config = variant()
    supplied = config.stack_inputs

    def build(stack):
        network = Network(stack, "network", props=props_from_block(NetworkProps, config.network, **supplied))
        domain = Domain(stack, "domain", props=props_from_block(DomainProps, config.dns, **supplied))
        api = build_websocket_api(stack, config, supplied, network, domain)
        cluster = ComputeCluster(
            stack, "compute", props=props_from_block(ComputeClusterProps, config.compute, **supplied)
        )
        realtime = FargateService(
            stack,
            "realtime",
            props=props_from_block(
                RealtimeServiceProps,
                config.realtime,
                **supplied,
                service="realtime",
                vpc_id=network.vpc_id,
                subnet_ids=tuple(network.private_subnet_ids),
            ),
            cluster=cluster,
            repository=ContainerRepository(
                stack,
                "realtime_repository",
                props=ContainerRepositoryProps(name="chat-wstest", service="realtime", region="eu-west-1"),
            ),
            egress=ServiceEgress(s3_prefix_list_id=network.s3_prefix_list_id, internet_https=True),
            routing=api.service_routing(),
        )
        tables = ChatTables(
            stack, "dynamodb", props=ChatTablesProps(name="chat-wstest", region="eu-west-1", account_id=ACCOUNT)
        )
        connect_websocket_api(api, realtime, tables)

    return synth_scratch(build)


def test_wiring_registers_both_colours_of_the_realtime_service_with_the_nlb(wired):
    groups = {group["tags"]["Colour"]: name for name, group in wired.resources("aws_lb_target_group").items()}
    services = {service["name"]: service for service in wired.resources("aws_ecs_service").values()}
    assert set(services) == {"chat-wstest-realtime-blue", "chat-wstest-realtime-green"}
    for colour, desired in (("blue", 2), ("green", 1)):  # live: min_tasks; standby: standby_tasks
        service = services[f"chat-wstest-realtime-{colour}"]
        assert service["load_balancer"] == [
            {
                "container_name": "realtime",
                "container_port": 3000,
                "target_group_arn": wired.reference("aws_lb_target_group", groups[colour], "arn"),
            }
        ]
        assert released_count(service["desired_count"]) == desired  # once released (0 before)
    # The realtime service's health check path reached the target groups.
    assert {group["health_check"]["path"] for group in wired.resources("aws_lb_target_group").values()} == {"/healthz"}
    # No ALB request-count scaling: the NLB has no such metric.
    assert not any("requests" in policy["name"] for policy in wired.resources("aws_appautoscaling_policy").values())


def test_wiring_lets_only_the_nlb_reach_the_realtime_port(wired):
    nlb_group = name_of(wired, "aws_security_group", lambda group: group["tags"]["Name"] == "chat-wstest-ws-nlb")
    ingress = [
        rule
        for rule in wired.resources("aws_vpc_security_group_ingress_rule").values()
        if rule["referenced_security_group_id"] == wired.reference("aws_security_group", nlb_group)
    ]
    assert [(rule["from_port"], rule["to_port"]) for rule in ingress] == [(3000, 3000)]
    egress = [
        rule
        for rule in wired.resources("aws_vpc_security_group_egress_rule").values()
        if rule["security_group_id"] == wired.reference("aws_security_group", nlb_group)
    ]
    assert [(rule["from_port"], rule["referenced_security_group_id"]) for rule in egress] == [
        (3000, ingress[0]["security_group_id"])
    ]


def test_wiring_points_the_websocket_host_at_the_custom_domain(wired):
    domain_name = next(iter(wired.resources("aws_apigatewayv2_domain_name")))
    records = [r for r in wired.resources("aws_route53_record").values() if r["name"] == "ws.chat.example.com"]
    # A only: the regional custom domain is IPv4 (issue 24, finding 8).
    assert sorted(r["type"] for r in records) == ["A"]
    for record in records:
        assert record["alias"] == {
            "name": "${aws_apigatewayv2_domain_name."
            + domain_name
            + ".domain_name_configuration[0].target_domain_name}",
            "zone_id": "${aws_apigatewayv2_domain_name."
            + domain_name
            + ".domain_name_configuration[0].hosted_zone_id}",
            "evaluate_target_health": False,
        }
    stage = one(wired, "aws_apigatewayv2_stage")
    assert stage["default_route_settings"]["throttling_rate_limit"] == 300
    assert one(wired, "aws_lb")["enable_deletion_protection"] is False


def test_wiring_lets_the_realtime_tasks_post_back_and_tells_them_where(wired):
    role_name = name_of(wired, "aws_iam_role", lambda role: role["name"] == "chat-wstest-realtime-task")
    (policy,) = [
        p
        for p in wired.resources("aws_iam_role_policy").values()
        if p["role"] == wired.reference("aws_iam_role", role_name)
    ]
    sids = [s["sid"] for s in wired.data_by_reference(policy["policy"])["statement"]]
    assert "ManageWebSocketConnections" in sids
    api_name = next(iter(wired.resources("aws_apigatewayv2_api")))
    callback = f"https://{wired.reference('aws_apigatewayv2_api', api_name)}.execute-api.eu-west-1.amazonaws.com/live"
    for definition in wired.resources("aws_ecs_task_definition").values():
        (container,) = [c for c in json.loads(definition["container_definitions"]) if c["name"] == "realtime"]
        assert {"name": "WEBSOCKET_CALLBACK_URL", "value": callback} in container["environment"]


def test_a_file_that_does_not_fit_is_refused_before_anything_is_built():
    with pytest.raises(ValueError, match='document_store\texpected "dynamodb" when ingress = "api_gateway"'):
        variant(document_store="none")


# -- the $connect authorizer (issue 24, finding 7) -------------------------------------------------

AUTHORIZER = "arn:aws:lambda:eu-west-1:111122223333:function:chat-ws-authorizer"


@pytest.fixture(scope="module")
def authorized(synth_scratch):
    from modules.websocket_api import WebSocketApi

    return {
        kind: synth_scratch(
            lambda stack, value=value: WebSocketApi(
                stack, "websocket_api", props=replace(PROD, connect_authorizer=value)
            )
        )
        for kind, value in (("lambda", AUTHORIZER), ("iam", "AWS_IAM"))
    }


def routes_by_key(synth):
    return {(name, route["route_key"]): route for name, route in synth.resources("aws_apigatewayv2_route").items()}


def waived_routes(synth):
    waivers = synth.document["//"]["checkov_waivers"]
    return {name for name, _ in routes_by_key(synth) if "CKV_AWS_309" in waivers.get(name, {})}


def test_connect_has_no_authorizer_unless_the_environment_names_one(variants):
    assert PROD.connect_authorizer is None
    routes = routes_by_key(variants["prod"])
    assert waived_routes(variants["prod"]) == {name for name, _ in routes}


def test_a_lambda_request_authorizer_guards_connect_and_may_be_invoked_by_this_api_only(authorized):
    synth = authorized["lambda"]
    ((authorizer_name, authorizer),) = synth.resources("aws_apigatewayv2_authorizer").items()
    assert authorizer["authorizer_type"] == "REQUEST"
    assert authorizer["identity_sources"] == ["route.request.querystring.token"]
    assert authorizer["authorizer_uri"] == (
        f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{AUTHORIZER}/invocations"
    )
    routes = {key: route for (_, key), route in routes_by_key(synth).items()}
    assert routes["$connect"]["authorization_type"] == "CUSTOM"
    assert routes["$connect"]["authorizer_id"] == synth.reference("aws_apigatewayv2_authorizer", authorizer_name)
    assert {routes[key]["authorization_type"] for key in ("$disconnect", "$default")} == {"NONE"}
    permission = one(synth, "aws_lambda_permission")
    assert permission["function_name"] == AUTHORIZER and permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"].endswith(f"/authorizers/${{aws_apigatewayv2_authorizer.{authorizer_name}.id}}")
    connect_name = next(name for (name, key) in routes_by_key(synth) if key == "$connect")
    assert connect_name not in waived_routes(synth) and len(waived_routes(synth)) == 2


def test_aws_iam_on_connect_needs_no_authorizer_resource(authorized):
    synth = authorized["iam"]
    routes = {key: route for (_, key), route in routes_by_key(synth).items()}
    assert routes["$connect"]["authorization_type"] == "AWS_IAM" and "authorizer_id" not in routes["$connect"]
    assert synth.resources("aws_apigatewayv2_authorizer") == {}
