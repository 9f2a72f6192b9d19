"""Inputs of the Network construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from modules.common.validation import (
    check_account_id,
    check_availability_zones,
    check_name,
    check_private_egress,
    check_region,
    check_retention_days,
    check_vpc_cidr,
)
from modules.network.layout import MAX_AZS

NatMode = Literal["none", "single", "per_az"]
NAT_MODES: tuple[str, ...] = get_args(NatMode)

# What private subnets need to run ECS tasks without a NAT gateway: image pulls (ECR
# api + dkr; the layers come from S3 through the gateway endpoint), logs, secrets,
# queues, role credentials and KMS decrypts.
DEFAULT_INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = (
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "sqs",
    "sts",
    "kms",
)

# Subnet groups (RDS, ElastiCache) and load balancers need two AZs.
MIN_AZS = 2


@dataclass(frozen=True, kw_only=True)
class NetworkProps:
    """Inputs of `Network`. Every optional input documents its default as behaviour."""

    name: str
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str
    """Region of the stack's provider; used for endpoint service names and the flow-log
    key policy (both must be literal for reviewers and checkov)."""

    vpc_cidr: str
    """Private IPv4 range, /16 to /20. Carved by modules.network.layout."""

    az_count: int
    """Availability zones to span, 2 to 4."""

    availability_zones: tuple[str, ...] | None = None
    """Default: the first `az_count` zones that data.aws_availability_zones reports as
    available. Give names to keep the plan free of lookups and stable across accounts."""

    nat_mode: NatMode = "per_az"
    """Default: one NAT gateway per AZ, so losing an AZ never cuts egress for the others.
    "single" saves ~$32/month per extra AZ at the cost of a cross-AZ single point;
    "none" leaves private subnets with AWS access only through VPC endpoints."""

    interface_endpoints: bool = True
    """Default: interface endpoints for `interface_endpoint_services` in every private
    subnet (about $7.30/month per service per AZ), required when nat_mode is "none"."""

    interface_endpoint_services: tuple[str, ...] = DEFAULT_INTERFACE_ENDPOINT_SERVICES
    """Default: ECR api/dkr, CloudWatch Logs, Secrets Manager, SQS, STS, KMS."""

    flow_log_retention_days: int = 365
    """Default: one year, what most audit regimes ask for. Must be a CloudWatch value."""

    flow_log_kms_key_arn: str | None = None
    """Default: a dedicated customer-managed key with yearly rotation. Give an ARN to use
    your own key; its policy must let logs.<region>.amazonaws.com use it."""

    account_id: str | None = None
    """Default: looked up with data.aws_caller_identity. Used in the key and trust
    policies' conditions."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        problems: list[str] = []

        def collect(field_name: str, check, *args) -> None:
            try:
                check(*args)
            except ValueError as error:
                problems.append(f"{field_name}: {error}")

        collect("name", check_name, self.name)
        collect("region", check_region, self.region)
        collect("vpc_cidr", check_vpc_cidr, self.vpc_cidr)
        collect("flow_log_retention_days", check_retention_days, self.flow_log_retention_days)
        if self.account_id is not None:
            collect("account_id", check_account_id, self.account_id)
        if not MIN_AZS <= self.az_count <= MAX_AZS:
            problems.append(f"az_count: expected {MIN_AZS} to {MAX_AZS}, got {self.az_count}")
        elif self.availability_zones is not None:
            collect(
                "availability_zones",
                check_availability_zones,
                self.availability_zones,
                self.region,
                self.az_count,
            )
        if self.nat_mode not in NAT_MODES:
            problems.append(f"nat_mode: expected one of {', '.join(NAT_MODES)}, got {self.nat_mode!r}")
        collect("interface_endpoints", check_private_egress, self.nat_mode, self.interface_endpoints)
        if self.interface_endpoints and not self.interface_endpoint_services:
            problems.append("interface_endpoint_services: expected at least one service, got none")
        if problems:
            raise ValueError("invalid NetworkProps:\n  " + "\n  ".join(problems))
