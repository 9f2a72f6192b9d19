"""Edge: load balancers, CloudFront, WAF, API Gateway and Route 53 hosted zones."""

from __future__ import annotations

from costs.model import Component, NotModelled, Priced, Pricer, PricingContext, supported
from costs.stack import Resource, as_list, first_block

# Managed rule groups that carry a subscription and per-request fee on top of the rule-month.
PREMIUM_RULE_GROUPS = (
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
)
LOAD_BALANCER_KINDS = ("application", "network")


def price_load_balancer(resource: Resource, ctx: PricingContext) -> Priced:
    body = resource.body
    kind = supported(body, "load_balancer_type", "application", LOAD_BALANCER_KINDS, "load balancer type")
    usage = ctx.assumptions
    capacity_unit = "LCU" if kind == "application" else "NLCU"
    components = [
        ctx.hourly(f"{kind} load balancer", 1, "load_balancer", f"{kind}_hourly"),
        ctx.charge(
            f"average {capacity_unit}s",
            usage.number("load_balancer", f"{kind}_average_lcu") * ctx.hours,
            f"{capacity_unit}-h",
            "load_balancer",
            f"{kind}_lcu_hourly",
        ),
    ]
    if body.get("internal") is not True:
        subnets = len(as_list(body.get("subnets"))) or len(as_list(body.get("subnet_mapping")))
        addresses = subnets * usage.number("load_balancer", "public_ipv4_per_subnet")
        components.append(ctx.hourly(f"public IPv4 addresses ({subnets} AZs)", addresses, "public_ipv4", "hourly"))
        components.append(
            ctx.charge(
                "data transfer out to the internet",
                usage.number("load_balancer", "internet_egress_gb_per_month"),
                "GB",
                "data_transfer",
                "internet_out_gb",
            )
        )
    return Priced(components)


def price_cloudfront_distribution(resource: Resource, ctx: PricingContext) -> Priced:
    usage = ctx.assumptions
    table = ctx.table
    notes = []
    if resource.body.get("price_class", "PriceClass_All") != "PriceClass_100":
        notes.append("edges outside the US and Europe cost more; priced at the US/Europe rate")
    return Priced(
        [
            Component(
                "data transfer out",
                usage.number("cloudfront", "data_transfer_gb_per_month"),
                "GB",
                table.global_price("cloudfront", "data_transfer_out_gb"),
            ),
            Component(
                "HTTPS requests",
                usage.number("cloudfront", "https_requests_millions_per_month"),
                "M requests",
                table.global_price("cloudfront", "https_million_requests"),
            ),
        ],
        notes,
    )


def price_web_acl(resource: Resource, ctx: PricingContext) -> Priced:
    rules = as_list(resource.body.get("rule"))
    premium = sorted(
        {
            str(name)
            for rule in rules
            if (name := first_block(first_block(rule.get("statement")).get("managed_rule_group_statement")).get("name"))
            in PREMIUM_RULE_GROUPS
        }
    )
    notes = [f"{name}: its subscription and request fees are not priced" for name in premium]
    requests = ctx.assumptions.by_name("waf", "requests_millions_per_month", resource.name)
    return Priced(
        [
            ctx.charge("web ACL", 1, "ACL-month", "waf", "web_acl_month"),
            ctx.charge("rules (a managed rule group is one rule)", len(rules), "rule-month", "waf", "rule_month"),
            ctx.charge("requests inspected", requests, "M requests", "waf", "million_requests"),
        ],
        notes,
    )


def price_apigatewayv2_api(resource: Resource, ctx: PricingContext) -> Priced:
    usage = ctx.assumptions
    protocol = resource.body.get("protocol_type")
    if protocol == "WEBSOCKET":
        return Priced(
            [
                ctx.charge(
                    "WebSocket messages (32 KB each)",
                    usage.number("api_gateway", "websocket_messages_millions_per_month"),
                    "M messages",
                    "api_gateway",
                    "websocket_million_messages",
                ),
                ctx.charge(
                    "WebSocket connection minutes",
                    usage.number("api_gateway", "websocket_connection_minutes_millions_per_month"),
                    "M minutes",
                    "api_gateway",
                    "websocket_million_connection_minutes",
                ),
            ]
        )
    if protocol == "HTTP":
        requests = usage.number("api_gateway", "http_requests_millions_per_month")
        return Priced([ctx.charge("HTTP API requests", requests, "M requests", "api_gateway", "http_million_requests")])
    raise NotModelled(f"protocol {protocol!r} is not one API Gateway v2 prices")


def price_rest_api(resource: Resource, ctx: PricingContext) -> Priced:
    requests = ctx.assumptions.number("api_gateway", "rest_requests_millions_per_month")
    return Priced([ctx.charge("REST API requests", requests, "M requests", "api_gateway", "rest_million_requests")])


def price_route53_zone(resource: Resource, ctx: PricingContext) -> Priced:
    queries = ctx.assumptions.number("route53", "queries_millions_per_zone_per_month")
    return Priced(
        [
            Component("hosted zone", 1, "zone-month", ctx.table.global_price("route53", "hosted_zone_month")),
            Component(
                "standard queries", queries, "M queries", ctx.table.global_price("route53", "million_standard_queries")
            ),
        ]
    )


PRICERS = {
    "aws_lb": Pricer("edge", "Load balancing", price_load_balancer),
    "aws_alb": Pricer("edge", "Load balancing", price_load_balancer),
    "aws_cloudfront_distribution": Pricer("edge", "CloudFront", price_cloudfront_distribution),
    "aws_wafv2_web_acl": Pricer("edge", "WAF", price_web_acl),
    "aws_apigatewayv2_api": Pricer("edge", "API Gateway", price_apigatewayv2_api),
    "aws_api_gateway_rest_api": Pricer("edge", "API Gateway", price_rest_api),
    "aws_route53_zone": Pricer("edge", "Route 53", price_route53_zone),
}
