"""Inputs of the Domain construct."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from modules.common.certificates import (
    check_certificate_arn,
    check_cloudfront_certificate_arn,
    check_regional_certificate_arn,
)
from modules.common.inputs import CrossCheck, check_props, prop
from modules.common.validation import check_name, check_region, choice_check
from modules.dns.names import (
    check_cloudfront_certificate_needs_hosts,
    check_distinct_hosts,
    check_hosts_in_zone,
    check_zone_id,
    check_zone_name,
    host_names_check,
)

# The key types ACM issues that both an ALB and CloudFront accept: CloudFront takes
# ECDSA only on P-256, so EC_secp384r1 is left out; ACM issues no larger RSA keys.
KeyAlgorithm = Literal["RSA_2048", "EC_prime256v1"]
KEY_ALGORITHMS: tuple[str, ...] = get_args(KeyAlgorithm)


@dataclass(frozen=True, kw_only=True)
class DomainProps:
    """Inputs of `Domain`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `dns { }` block (see modules.common.inputs); the stack supplies name and region.
    """

    name: str = prop(check=check_name)
    """Prefix for Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider: where the load balancer's certificate must be."""

    zone_name: str = prop(check=check_zone_name, environment=True)
    """The environment's public Route53 hosted zone, e.g. "chat.example.com". Every host
    name must be inside it; the zone itself is not created here."""

    zone_id: str | None = prop(None, check=check_zone_id, environment=True)
    """Default: looked up by `zone_name` (data.aws_route53_zone, public zones only). Give the
    id to keep the plan free of the lookup; it must be the id of `zone_name`."""

    api_host_names: tuple[str, ...] = prop(check=host_names_check(1), environment=True)
    """Hosts the load balancer serves (API and websockets), e.g. ("api.dev.chat.example.com",):
    1 to 10 names, no wildcards. The first is the regional certificate's domain name."""

    frontend_host_names: tuple[str, ...] = prop((), check=host_names_check(0), environment=True)
    """Default: none, and no us-east-1 certificate. Hosts CloudFront serves, e.g.
    ("app.dev.chat.example.com",): 0 to 10 names, none of them also an API host."""

    regional_certificate_arn: str | None = prop(None, check=check_certificate_arn, environment=True)
    """Default: a certificate for `api_host_names` is requested in the stack's region and
    validated through DNS records in the zone. Give the ARN of an existing certificate in
    the stack's region instead (it must cover the API hosts; nothing is created)."""

    cloudfront_certificate_arn: str | None = prop(None, check=check_cloudfront_certificate_arn, environment=True)
    """Default: with frontend hosts, a certificate for them is requested in us-east-1 (the
    only region CloudFront reads) and validated through DNS. Give the ARN of an existing
    us-east-1 certificate instead (nothing is created, no us-east-1 provider needed)."""

    key_algorithm: KeyAlgorithm = prop("RSA_2048", check=choice_check(KEY_ALGORITHMS), environment=True)
    """Default: RSA 2048, which every TLS client accepts (old Android, embedded HTTP stacks
    and TLS-inspecting proxies included). "EC_prime256v1" gives smaller, faster handshakes
    for modern clients only. Changing it replaces the certificates (created before the old
    ones are destroyed)."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the certificates (the provider's default_tags still apply)."""

    cross_checks: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck("api_host_names", check_hosts_in_zone, ("zone_name", "api_host_names")),
        CrossCheck("frontend_host_names", check_hosts_in_zone, ("zone_name", "frontend_host_names")),
        CrossCheck("frontend_host_names", check_distinct_hosts, ("api_host_names", "frontend_host_names")),
        CrossCheck("regional_certificate_arn", check_regional_certificate_arn, ("regional_certificate_arn", "region")),
        CrossCheck(
            "cloudfront_certificate_arn",
            check_cloudfront_certificate_needs_hosts,
            ("cloudfront_certificate_arn", "frontend_host_names"),
        ),
    )

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def host_names(self) -> tuple[str, ...]:
        """Every host served: the API hosts, then the frontend hosts."""
        return self.api_host_names + self.frontend_host_names

    @property
    def creates_regional_certificate(self) -> bool:
        return self.regional_certificate_arn is None

    @property
    def creates_cloudfront_certificate(self) -> bool:
        return bool(self.frontend_host_names) and self.cloudfront_certificate_arn is None
