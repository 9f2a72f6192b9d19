"""Network: NAT gateways, public IPv4 addresses and VPC endpoints."""

from __future__ import annotations

from costs.model import NotModelled, Priced, Pricer, PricingContext
from costs.stack import Resource, as_list


def price_nat_gateway(resource: Resource, ctx: PricingContext) -> Priced:
    # The assumption is the stack's NAT traffic; each gateway carries its AZ's share.
    gateways = len(ctx.stack.of_type("aws_nat_gateway"))
    traffic = ctx.assumptions.number("nat_gateway", "data_processed_gb_per_month") / gateways
    return Priced(
        [
            ctx.hourly("NAT gateway", 1, "nat_gateway", "hourly"),
            ctx.charge(
                f"data processed (1/{gateways} of the stack's)", traffic, "GB", "nat_gateway", "data_processed_gb"
            ),
        ]
    )


def price_eip(resource: Resource, ctx: PricingContext) -> Priced:
    return Priced([ctx.hourly("public IPv4 address", 1, "public_ipv4", "hourly")])


def price_vpc_endpoint(resource: Resource, ctx: PricingContext) -> Priced:
    endpoint_type = resource.body.get("vpc_endpoint_type", "Gateway")
    if endpoint_type == "Gateway":
        return Priced([], ["gateway endpoint: no charge"])
    if endpoint_type != "Interface":
        raise NotModelled(f"{endpoint_type} endpoints are not in the price table")
    zones = len(as_list(resource.body.get("subnet_ids"))) or len(as_list(resource.body.get("subnet_configuration")))
    if not zones:
        raise NotModelled("an interface endpoint with no literal subnets: its AZ count is unknown")
    traffic = ctx.assumptions.by_name("vpc_endpoint", "data_processed_gb_per_month", resource.name)
    return Priced(
        [
            ctx.hourly(f"interface endpoint in {zones} AZ(s)", zones, "vpc_endpoint", "interface_az_hourly"),
            ctx.charge("data processed", traffic, "GB", "vpc_endpoint", "data_processed_gb"),
        ]
    )


PRICERS = {
    "aws_nat_gateway": Pricer("network", "NAT gateway", price_nat_gateway),
    "aws_eip": Pricer("network", "Public IPv4", price_eip),
    "aws_vpc_endpoint": Pricer("network", "VPC endpoints", price_vpc_endpoint),
}
