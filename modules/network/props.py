"""Inputs of the Network construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import (
    check_account_id,
    check_availability_zones,
    check_name,
    check_private_egress,
    check_region,
    check_retention_days,
    check_vpc_cidr,
    choice_check,
    range_check,
)
from modules.network.layout import MAX_AZS

NatMode = Literal["none", "single", "per_az"]
NAT_MODES: tuple[str, ...] = get_args(NatMode)

# What private subnets need to run ECS tasks without a NAT gateway: image pulls (ECR
# api + dkr; the layers come from S3 through the gateway endpoint), logs, secrets,
# queues, role credentials, KMS decrypts, and CloudWatch metrics ("monitoring"): the
# realtime service publishes its open connections (PutMetricData), which its scaling,
# its alarm and the dashboard read (docs/application-contract.md).
DEFAULT_INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = (
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "sqs",
    "sts",
    "kms",
    "monitoring",
)

# Subnet groups (RDS, ElastiCache) and load balancers need two AZs.
MIN_AZS = 2


def check_endpoint_services(interface_endpoints: bool, services: tuple[str, ...]) -> None:
    if interface_endpoints and not services:
        raise ValueError("expected at least one service, got none")


@dataclass(frozen=True, kw_only=True)
class NetworkProps:
    """Inputs of `Network`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `network { }` block (see modules.common.inputs); the stack supplies name, region
    and account_id.
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider; used for endpoint service names and the flow-log
    key policy (both must be literal for reviewers and checkov)."""

    vpc_cidr: str = prop(check=check_vpc_cidr, environment=True)
    """Private IPv4 range, /16 to /20. Carved by modules.network.layout."""

    az_count: int = prop(check=range_check(MIN_AZS, MAX_AZS), environment=True)
    """Availability zones to span, 2 to 4."""

    availability_zones: tuple[str, ...] | None = prop(None, environment=True)
    """Default: the first `az_count` zones that data.aws_availability_zones reports as
    available. Give names to keep the plan free of lookups and stable across accounts."""

    nat_mode: NatMode = prop("per_az", check=choice_check(NAT_MODES), environment=True)
    """Default: one NAT gateway per AZ, so losing an AZ never cuts egress for the others.
    "single" saves ~$32/month per extra AZ at the cost of a cross-AZ single point;
    "none" leaves private subnets with AWS access only through VPC endpoints."""

    interface_endpoints: bool = prop(True, environment=True)
    """Default: interface endpoints for `interface_endpoint_services` in every private
    subnet (about $7.30/month per service per AZ), required when nat_mode is "none"."""

    interface_endpoint_services: tuple[str, ...] = DEFAULT_INTERFACE_ENDPOINT_SERVICES
    """Default: ECR api/dkr, CloudWatch Logs, Secrets Manager, SQS, STS, KMS, CloudWatch metrics (monitoring)."""

    flow_log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: one year, what most audit regimes ask for. Must be a CloudWatch value. Under 365 the
    module records a reasoned waiver of CKV_AWS_338 (dev keeps 14 days of flow logs on purpose)."""

    flow_log_kms_key_arn: str | None = None
    """Default: a dedicated customer-managed key with yearly rotation. Give an ARN to use
    your own key; its policy must let logs.<region>.amazonaws.com use it."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in the key and trust
    policies' conditions."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("interface_endpoints", check_private_egress, ("nat_mode", "interface_endpoints")),
        CrossCheck("availability_zones", check_availability_zones, ("availability_zones", "region", "az_count")),
        CrossCheck(
            "interface_endpoint_services",
            check_endpoint_services,
            ("interface_endpoints", "interface_endpoint_services"),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)
