"""Inputs of the WebSocketApi construct."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.certificates import check_certificate_arn, check_regional_certificate_arn
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    choice_check,
    describe,
    range_check,
)
from modules.dns.names import host_names_check
from modules.load_balancer.props import check_health_check_path, check_subnet_ids
from modules.security_groups.props import check_port, check_vpc_id

Colour = Literal["blue", "green"]
COLOURS: tuple[str, ...] = get_args(Colour)

# API Gateway's per-account, per-region throttle, shared by every REST, HTTP and WebSocket
# API of the account ("Amazon API Gateway quotas"): 10,000 requests/s steady, 5,000 burst.
# A stage limit above it could never apply.
MAX_RATE_LIMIT = 10_000
MAX_BURST_LIMIT = 5_000

_check_one_host = host_names_check(1)

_LAMBDA_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$"
)
_IDENTITY_SOURCE_RE = re.compile(r"^route\.request\.(header|querystring)\.[A-Za-z0-9_.~-]{1,128}$")


def check_connect_authorizer(value: str | None) -> str | None:
    """None, "AWS_IAM", or a Lambda function ARN (optionally with a version or alias)."""
    if value is None or value == "AWS_IAM" or _LAMBDA_ARN_RE.fullmatch(value):
        return value
    raise ValueError(
        f'expected "AWS_IAM" or a Lambda function ARN such as '
        f"arn:aws:lambda:eu-west-1:123456789012:function:ws-authorizer, got {describe(value)}"
    )


def check_identity_sources(values: tuple[str, ...]) -> tuple[str, ...]:
    """One or more route.request.header.<name> / route.request.querystring.<name>."""
    bad = [value for value in values if not _IDENTITY_SOURCE_RE.fullmatch(value)]
    if not values or bad:
        raise ValueError(
            "expected one or more of route.request.header.<name> or route.request.querystring.<name>, "
            f"got {list(values)!r}"
        )
    return tuple(values)


def check_host_name(value: str) -> str:
    """One host name, in the words of the dns block's checks."""
    _check_one_host((value,))
    return value


@dataclass(frozen=True, kw_only=True)
class WebSocketApiProps:
    """Inputs of `WebSocketApi`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `websocket_api { }` block (see modules.common.inputs); the stack supplies name, region,
    account_id, the VPC and private subnets, the regional certificate, the realtime
    service's port and health check, and deletion_protection.
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: of the API, its certificate and its ARNs."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity (ARNs in the log and key policies)."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC of the internal Network Load Balancer, usually `Network.vpc_id`."""

    subnet_ids: tuple[str, ...] = prop(check=check_subnet_ids)
    """Private subnets of the internal Network Load Balancer, one per AZ, usually
    `Network.private_subnet_ids` (where the realtime tasks run)."""

    certificate_arn: str = prop(check=check_certificate_arn)
    """ACM certificate in the stack's region covering `host_name`, usually the DNS
    module's regional certificate."""

    host_name: str = prop(check=check_host_name, environment=True)
    """The WebSocket API's custom domain, e.g. "ws.chat.example.com" (clients connect to
    wss://<host_name>). It must be one of the dns block's api_host_names (the regional
    certificate covers those), and the load balancer then no longer serves it."""

    service_port: int = prop(check=check_port)
    """The realtime container's port the load balancer's target groups send to."""

    health_check_path: str = prop("/health", check=check_health_check_path)
    """Default: "/health". What the load balancer requests from each realtime task."""

    live_colour: Colour = prop("blue", check=choice_check(COLOURS), environment=True)
    """Default: "blue". The colour whose tasks take the WebSocket API's traffic. A Network
    Load Balancer forwards to one target group only (no weights), so a release switches
    colour at once; the other colour stays registered behind a second listener, so its
    standby tasks stay healthy-checked and a switch back needs no task start."""

    throttling_rate_limit: int = prop(1000, check=range_check(1, MAX_RATE_LIMIT), environment=True)
    """Default: 1,000 requests/s in steady state across the stage's routes (each message a
    client sends is one request, as are connects and disconnects). API Gateway answers
    429 above it. At most 10,000, the account's regional quota shared by all its APIs."""

    throttling_burst_limit: int = prop(2000, check=range_check(1, MAX_BURST_LIMIT), environment=True)
    """Default: 2,000 requests at once: a reconnect wave after a release or a network blip
    lands in seconds. At most 5,000, the account's regional burst quota."""

    log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: a year of access logs (one line per connect, message and disconnect), the
    audit trail of who connected when. Must be a CloudWatch value; under 365 is waived with
    the environment's reason (checkov CKV_AWS_338)."""

    connect_authorizer: str | None = prop(None, check=check_connect_authorizer, environment=True)
    """Default: none on $connect (issue 24, finding 7, answered): the realtime service
    authenticates each connection itself, since $connect's integration receives the
    handshake's headers and query string and any answer but 2xx refuses the connection.
    "AWS_IAM": clients sign the handshake (SigV4), for callers with AWS credentials. A Lambda
    function ARN: a REQUEST authorizer that API Gateway calls first with
    `connect_authorizer_identity_sources`, so unauthenticated handshakes never reach the
    service (the module lets API Gateway invoke that function for this API only)."""

    connect_authorizer_identity_sources: tuple[str, ...] = prop(
        ("route.request.querystring.token",), check=check_identity_sources, environment=True
    )
    """Default: the handshake's `token` query parameter (browsers cannot set headers on a
    WebSocket). Only with a Lambda connect_authorizer: a handshake without them is refused
    with 401 before the function is called."""

    log_kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a customer-managed key for the access log group only. Give a key ARN whose
    policy lets logs.<region>.amazonaws.com use it for that group."""

    deletion_protection: bool = True
    """Default: on: the Network Load Balancer refuses deletion. The stack passes the
    environment's deletion_protection."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource that takes tags (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("certificate_arn", check_regional_certificate_arn, ("certificate_arn", "region")),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def standby_colour(self) -> str:
        return next(colour for colour in COLOURS if colour != self.live_colour)
