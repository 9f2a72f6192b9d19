"""Rules on API Gateway v2: WebSocket stages and custom domains (CKV_CHAT_65 to 67).

An aws_apigatewayv2_stage does not say whether its API is a WebSocket API: its `api_id`
names the API, whose `protocol_type` does. The stage rules follow that reference through
the stack; in a plan scan (or for a literal api id) they cannot, and answer UNKNOWN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .attributes import blocks, value
from .model import Resource, Stack, Verdict, resource_rule, stack_rule

STAGE = ("aws_apigatewayv2_stage",)
REQUIRED_VARIABLES = ("$context.requestId", "$context.connectionId", "$context.routeKey", "$context.status")
# What API Gateway offers v2 domains besides TLS_1_0, and its newer TLS 1.3 policies.
MODERN_POLICIES = ("TLS_1_2", "SecurityPolicy_TLS13_1_2_2021_06")
_API_REFERENCE_RE = re.compile(r"^\$\{aws_apigatewayv2_api\.([A-Za-z0-9_-]+)\.id\}$")


def stage_protocol(resource: Resource, stack: Stack | None) -> str | None:
    """ "WEBSOCKET" or "HTTP" for a stage whose API block is in the same stack, else None."""
    api_id = value(resource.conf, "api_id")
    match = _API_REFERENCE_RE.fullmatch(api_id) if isinstance(api_id, str) else None
    if stack is None or match is None:
        return None
    api = stack.resources("aws_apigatewayv2_api").get(match[1])
    protocol = None if api is None else api.get("protocol_type")
    return protocol if isinstance(protocol, str) else None


def judge_websocket_stage(
    resource: Resource,
    stack: Stack | None,
    settings_key: str,
    holds: Callable[[Mapping[str, Any]], bool],
) -> Verdict:
    """A WebSocket stage passes when its first `settings_key` block `holds`; an HTTP API's
    stage passes (the rule is not about it); a stage whose API cannot be found is UNKNOWN."""
    protocol = stage_protocol(resource, stack)
    if protocol is None:
        return Verdict.UNKNOWN
    if protocol != "WEBSOCKET":
        return Verdict.PASSED
    settings = blocks(resource.conf, settings_key)
    return Verdict.of(bool(settings) and holds(settings[0]))


def records_required_fields(log_format: Any) -> bool:
    try:
        fields = json.loads(log_format) if isinstance(log_format, str) else None
    except ValueError:
        return False
    if not isinstance(fields, dict):
        return False
    values = {item for item in fields.values() if isinstance(item, str)}
    return all(variable in values for variable in REQUIRED_VARIABLES)


@stack_rule(
    id="CKV_CHAT_65",
    name="WebSocket stages log each request's id, connection, route and status as JSON",
    resource_types=STAGE,
    category="LOGGING",
    modules=("websocket_api",),
)
def websocket_stage_access_log_fields(resource: Resource, stack: Stack | None) -> Verdict:
    """checkov's CKV_AWS_76 checks that a stage has an access-log destination, exactly; it
    does not read the format, and a WebSocket stage's log line is only useful in an incident
    when it names the request ($context.requestId), the connection ($context.connectionId),
    the route ($context.routeKey) and the status ($context.status): a JSON object holding
    those four, which CloudWatch Logs Insights parses without a pattern. Stages of HTTP APIs
    pass (they have no connections); a stage whose API is not in the stack is UNKNOWN."""
    return judge_websocket_stage(
        resource,
        stack,
        "access_log_settings",
        lambda settings: (
            bool(value(settings, "destination_arn")) and records_required_fields(value(settings, "format"))
        ),
    )


def _positive(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0


@stack_rule(
    id="CKV_CHAT_66",
    name="WebSocket stages set a throttling rate and burst limit of their own",
    resource_types=STAGE,
    category="GENERAL_SECURITY",
    modules=("websocket_api",),
)
def websocket_stage_throttled(resource: Resource, stack: Stack | None) -> Verdict:
    """Without `throttling_rate_limit` and `throttling_burst_limit` in its default route
    settings, a stage takes the account's whole regional quota (shared by every REST, HTTP and
    WebSocket API of the account), so one client's message flood or a reconnect storm
    throttles every other API too. checkov has no check of API Gateway v2 throttling. Stages
    of HTTP APIs pass; a stage whose API is not in the stack is UNKNOWN."""
    return judge_websocket_stage(
        resource,
        stack,
        "default_route_settings",
        lambda settings: all(
            _positive(value(settings, key)) for key in ("throttling_rate_limit", "throttling_burst_limit")
        ),
    )


@resource_rule(
    id="CKV_CHAT_67",
    name="API Gateway v2 custom domains use a TLS 1.2 or later security policy",
    resource_types=("aws_apigatewayv2_domain_name",),
    category="ENCRYPTION",
    modules=("websocket_api",),
)
def apigatewayv2_domain_tls12(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_206 judges the security policy of aws_api_gateway_domain_name (REST
    APIs) only; an aws_apigatewayv2_domain_name (WebSocket or HTTP API) with security_policy
    "TLS_1_0" passes every checkov check while accepting protocols browsers dropped in 2020."""
    configurations = blocks(resource.conf, "domain_name_configuration")
    return Verdict.of(
        bool(configurations) and all(value(c, "security_policy") in MODERN_POLICIES for c in configurations)
    )
