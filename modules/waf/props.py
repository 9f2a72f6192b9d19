"""Inputs of the WebAcl construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    choice_check,
    describe,
)

WafScope = Literal["REGIONAL", "CLOUDFRONT"]
WAF_SCOPES: tuple[str, ...] = get_args(WafScope)

# CloudFront web ACLs, and the log groups and keys their logs go to, exist only here.
CLOUDFRONT_REGION = "us-east-1"

# What AWS WAF accepts as a rate-based rule's limit (RateBasedStatement.Limit, per
# evaluation window; the provider validates the same range). The floor was 100 until
# AWS lowered it to 10 in 2024.
RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000


def check_rate_limit(value: int) -> int:
    """A request count per 5 minutes per client IP that AWS WAF accepts."""
    if isinstance(value, bool) or not isinstance(value, int) or not RATE_LIMIT_MIN <= value <= RATE_LIMIT_MAX:
        raise ValueError(
            f"expected a whole number of requests per 5 minutes from {RATE_LIMIT_MIN} to "
            f"{RATE_LIMIT_MAX:,} (what AWS WAF accepts), got {describe(value)}"
        )
    return value


def check_scope_region(scope: str, region: str) -> None:
    if scope == "CLOUDFRONT" and region != CLOUDFRONT_REGION:
        raise ValueError(
            f'expected "{CLOUDFRONT_REGION}" when scope is "CLOUDFRONT" (CloudFront web ACLs and their '
            f"log group live there), got {describe(region)}"
        )


@dataclass(frozen=True, kw_only=True)
class WebAclProps:
    """Inputs of `WebAcl`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys an environment file may set for
    the module; the stack supplies name, region and account_id (and, for the CloudFront
    web ACL, scope="CLOUDFRONT" with region="us-east-1").
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod". The web ACL is named
    "<name>-regional" or "<name>-cloudfront", so one environment can hold both."""

    region: str = prop(check=check_region)
    """Region the web ACL, its log group and its key are created in: the region of the
    provider the construct uses. Must be "us-east-1" when scope is "CLOUDFRONT"."""

    scope: WafScope = prop("REGIONAL", check=choice_check(WAF_SCOPES))
    """Default: "REGIONAL", for the load balancer (attach with `associate()`).
    "CLOUDFRONT" needs a us-east-1 provider passed as `provider=`; the distribution then
    names the web ACL in its `web_acl_id` (`WebAcl.arn`)."""

    api_rate_limit_per_5min: int = prop(2000, check=check_rate_limit, environment=True)
    """Default: 2000 requests to /api/* per client IP per 5 minutes (about 6.7 per second),
    then that IP's /api/* requests are blocked until its rate falls back under the limit.
    An active chat client makes well under one REST call per second, so this leaves room
    for a few dozen users behind one NAT address and stops a single scraper or
    credential-stuffing source. 10 to 2,000,000,000."""

    socket_io_rate_limit_per_5min: int = prop(6000, check=check_rate_limit, environment=True)
    """Default: 6000 requests to /socket.io/* per client IP per 5 minutes (20 per second).
    A websocket client makes about three HTTP requests per (re)connect and none after the
    upgrade (WAF never sees websocket frames); a client on the long-polling fallback makes
    about one per message received and one per 25-second ping, so in a busy room about one
    per second. The fallback is common behind corporate proxies, where many users share an
    address: the limit is set for about 20 such users per IP, and still stops reconnect
    storms and handshake floods from one source. 10 to 2,000,000,000."""

    block_anonymous_ips: bool = prop(False, environment=True)
    """Default: requests from anonymizing networks (VPN services, Tor exits, open proxies,
    hosting providers; AWS's AnonymousIpList) are counted and labelled, not blocked:
    whether VPN users may chat is a product decision, and the counts in the WAF log and
    metrics are what it should rest on. On, they are blocked."""

    log_retention_days: int = prop(365, check=check_retention_days, environment=True)
    """Default: one year, what most audit regimes ask for (cheap, because only blocked and
    counted requests are logged unless log_all_requests is on). Must be a CloudWatch
    value; under 365 the log group carries a reasoned waiver of CKV_AWS_338."""

    log_all_requests: bool = prop(False, environment=True)
    """Default: only requests a rule blocked or counted are logged. The load balancer's and
    CloudFront's access logs already record every request; the WAF log adds why a rule
    matched. Turn on while investigating (every request's headers, minus the redacted
    ones, at CloudWatch's ingestion price of about $0.50/GB)."""

    log_kms_key_arn: str | None = None
    """Default: a dedicated customer-managed key with yearly rotation (about $1/month),
    usable by CloudWatch Logs for this log group only. Give an ARN to use your own key; it
    must be in this region and its policy must let logs.<region>.amazonaws.com use it."""

    shield_advanced: bool = prop(False, environment=True)
    """Default: off. On, every resource passed to `associate()` or `protect()` also gets an
    AWS Shield Advanced protection. Needs the account's Shield Advanced subscription,
    which this module does not create: $3,000/month with a one-year commitment (one fee
    per organization under consolidated billing), plus data-transfer fees of protected
    resources."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in the key policy's and the
    log group's ARNs."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (CrossCheck("region", check_scope_region, ("scope", "region")),)

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def acl_name(self) -> str:
        """The web ACL's name: "<name>-regional" or "<name>-cloudfront"."""
        return f"{self.name}-{self.scope.lower()}"
