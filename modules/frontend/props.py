"""Inputs of the Frontend construct, and the checks only it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.certificates import check_cloudfront_certificate_arn
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    choice_check,
    describe,
    pattern_check,
    range_check,
)
from modules.frontend.csp import check_sources, extend_policy

PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
PRICE_CLASSES: tuple[str, ...] = get_args(PriceClass)

# What the SPA may load with no change to the environment file: its own origin only, no
# plugins, no framing, no form posts elsewhere, and http:// upgraded. The stack adds the
# API hosts and the attachments bucket to connect-src and img-src (csp.py).
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; upgrade-insecure-requests"
)
# CloudFront's quota for the Content-Security-Policy value of a response headers policy.
MAX_CONTENT_SECURITY_POLICY_CHARS = 1783

# Legacy standard logging does not deliver to buckets in these regions (the opt-in
# regions AWS's CloudFront guide lists), and the log bucket lives in the stack's region.
REGIONS_WITHOUT_CLOUDFRONT_LOG_DELIVERY: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
)

# Access logs older than ten years are a liability, not an asset.
MAX_LOG_EXPIRATION_DAYS = 3653

_CLOUDFRONT_WEB_ACL_ARN_PATTERN = r"^arn:aws:wafv2:us-east-1:\d{12}:global/webacl/[\w-]{1,128}/[0-9a-f-]{36}$"


check_cloudfront_web_acl_arn = pattern_check(
    _CLOUDFRONT_WEB_ACL_ARN_PATTERN,
    "expected the ARN of a CLOUDFRONT-scope WAFv2 web ACL "
    "(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)",
    references=True,
)


def check_log_delivery_region(value: str) -> str:
    check_region(value)
    if value in REGIONS_WITHOUT_CLOUDFRONT_LOG_DELIVERY:
        raise ValueError(
            "expected a region CloudFront delivers standard logs to (not "
            f"{', '.join(REGIONS_WITHOUT_CLOUDFRONT_LOG_DELIVERY)}), got {describe(value)}"
        )
    return value


def check_aliases(values: tuple[str, ...]) -> tuple[str, ...]:
    """At least one host name, each once. Their syntax and zone are the DNS module's to check."""
    names = tuple(values)
    if not names:
        raise ValueError("expected at least one host name (the distribution serves the frontend hosts), got none")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"expected each host name once, got {', '.join(map(repr, repeated))} more than once")
    return names


def check_content_security_policy(value: str) -> str:
    printable = all(" " <= char <= "~" for char in value)
    if not value.strip() or not printable or len(value) > MAX_CONTENT_SECURITY_POLICY_CHARS:
        raise ValueError(
            f"expected a Content-Security-Policy of 1 to {MAX_CONTENT_SECURITY_POLICY_CHARS} printable ASCII "
            f"characters on one line (CloudFront's limit), got {describe(value)}"
        )
    return value


def check_served_policy_length(
    content_security_policy: str, connect_sources: tuple[str, ...], image_sources: tuple[str, ...]
) -> None:
    """The policy with the stack's sources added must still fit CloudFront's limit (a reference
    counts with the length of its placeholder, which is longer than an account id)."""
    served = extend_policy(content_security_policy, {"connect-src": connect_sources, "img-src": image_sources})
    if len(served) > MAX_CONTENT_SECURITY_POLICY_CHARS:
        raise ValueError(
            f"expected the policy with the stack's connect-src and img-src sources added to fit CloudFront's "
            f"{MAX_CONTENT_SECURITY_POLICY_CHARS} characters, got {len(served)}: shorten the file's policy"
        )


@dataclass(frozen=True, kw_only=True)
class FrontendProps:
    """Inputs of `Frontend`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `frontend { }` block (see modules.common.inputs); the stack supplies name, region,
    account_id, certificate_arn and aliases (from the DNS module) and web_acl_arn (from
    the WAF module).
    """

    name: str = prop(check=check_name)
    """Prefix for resource names, e.g. "chat-prod"."""

    region: str = prop(check=check_log_delivery_region)
    """Region of the stack's provider, where both buckets live. Not one of the opt-in
    regions legacy CloudFront logging cannot deliver to."""

    certificate_arn: str = prop(check=check_cloudfront_certificate_arn)
    """ACM certificate for the aliases, in us-east-1 (the only region CloudFront reads);
    the DNS module creates it through a us-east-1 provider alias."""

    aliases: tuple[str, ...] = prop(check=check_aliases)
    """Host names the distribution answers for, e.g. ("app.chat.example.com",): the DNS
    module's frontend host names, which it checks and points at `hosted_zone_id`."""

    price_class: PriceClass = prop("PriceClass_100", check=choice_check(PRICE_CLASSES), environment=True)
    """Default: PriceClass_100, edge locations in North America, Europe and Israel only,
    the cheapest per GB; viewers elsewhere are served from the nearest of those.
    "PriceClass_200" adds most of Asia, the Middle East and Africa; "PriceClass_All" adds
    South America and Oceania at the highest per-GB price."""

    log_expiration_days: int = prop(90, check=range_check(1, MAX_LOG_EXPIRATION_DAYS), environment=True)
    """Default: access logs are deleted after 90 days. 1 to 3653."""

    content_security_policy: str = prop(
        DEFAULT_CONTENT_SECURITY_POLICY, check=check_content_security_policy, environment=True
    )
    """Default: the SPA's own origin only (no plugins, no framing, no form posts elsewhere,
    http:// upgraded). The base policy: `connect_sources` and `image_sources` are added to
    it, never replaced by it (a connect-src or img-src it leaves out starts from its
    default-src), so a file's policy extends what the app needs and cannot lose it. Add
    other origins here, e.g. "...; connect-src 'self' https://errors.example.net"."""

    connect_sources: tuple[str, ...] = prop((), check=check_sources)
    """Default: none added. Origins the SPA calls (fetch, XMLHttpRequest, WebSocket), added
    to connect-src: the stack gives every API host over https:// and wss:// and the
    attachments bucket's regional endpoint (presigned uploads)."""

    image_sources: tuple[str, ...] = prop((), check=check_sources)
    """Default: none added. Where the SPA's images come from, added to img-src: the stack
    gives the attachments bucket's endpoint (presigned downloads), "data:" and "blob:"."""

    web_acl_arn: str | None = prop(None, check=check_cloudfront_web_acl_arn)
    """Default: no web ACL (and reasoned waivers of CKV_AWS_68 and CKV2_AWS_47). The ARN
    of a CLOUDFRONT-scope WAFv2 web ACL (us-east-1, "global/webacl/") from the WAF module."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Used in bucket names (S3 names are
    global) and in the key policy."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            "content_security_policy",
            check_served_policy_length,
            ("content_security_policy", "connect_sources", "image_sources"),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def served_content_security_policy(self) -> str:
        """The header CloudFront sends: `content_security_policy` with the sources added."""
        return extend_policy(
            self.content_security_policy, {"connect-src": self.connect_sources, "img-src": self.image_sources}
        )
