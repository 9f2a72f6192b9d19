"""Pure checks for host names and hosted zones (ACM ARNs: modules.common.certificates).

Each check returns the value or raises ValueError("expected ..., got ...") in the words
of modules.common.validation, so DomainProps and an environment file's `dns { }` block
report the same mistake the same way. Nothing here imports cdktf.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from modules.common.validation import describe, pattern_check

# ACM's default quota: 10 domain names per certificate (the domain name included).
# Raising it is a quota request; a list longer than that would fail at apply.
MAX_NAMES_PER_CERTIFICATE = 10

# The hosted zone CloudFront distributions alias into (fixed by AWS, every partition
# that has CloudFront); AWS refuses evaluate_target_health on it.
CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"

# A DNS label as host names use it (RFC 1123): letters, digits and hyphens, 1-63
# characters, no hyphen at either end. Lowercase only: ACM reports each name's
# validation record under its lowercase form, and the construct looks each host's
# record up by that exact string; Route53 would also read mixed case back lowercased,
# a diff on every plan.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_MAX_DNS_NAME_CHARS = 253

# Route53 hosted zone ids: "Z" and up to 31 uppercase letters and digits, given bare
# (the API's "/hostedzone/" prefix is not part of the id the provider stores).
_ZONE_ID_PATTERN = r"^Z[0-9A-Z]{1,31}$"


def _dns_name_problem(value: str) -> str | None:
    if "*" in value:
        # A wildcard certificate also covers every host nobody reviewed (checkov CKV2_AWS_71).
        return f"expected a host name without wildcards, got {describe(value)}"
    if value.endswith("."):
        return f'expected a name without the trailing ".", got {describe(value)}'
    if len(value) > _MAX_DNS_NAME_CHARS or not _DNS_NAME_RE.fullmatch(value):
        return (
            "expected a lowercase DNS name of at least two labels, each 1-63 characters of a-z, 0-9 "
            f'and "-" not starting or ending with "-" (such as api.dev.chat.example.com), got {describe(value)}'
        )
    return None


def check_zone_name(value: str) -> str:
    """A public hosted zone's name, e.g. "chat.example.com"."""
    problem = _dns_name_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


check_zone_id = pattern_check(
    _ZONE_ID_PATTERN,
    'expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without "/hostedzone/")',
    references=True,
)


def host_names_check(minimum: int) -> Callable[[Iterable[str]], tuple[str, ...]]:
    """A check that a list holds `minimum` to 10 distinct, valid host names."""

    def check_host_names(values: Iterable[str]) -> tuple[str, ...]:
        names = tuple(values)
        problems = [problem for name in names if (problem := _dns_name_problem(name)) is not None]
        if len(names) < minimum:
            problems.append(f"expected at least {minimum} host name, got none")
        if len(names) > MAX_NAMES_PER_CERTIFICATE:
            problems.append(
                f"expected at most {MAX_NAMES_PER_CERTIFICATE} host names (ACM's quota of names per "
                f"certificate), got {len(names)}"
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            problems.append(f"expected each host name once, got {', '.join(map(repr, repeated))} more than once")
        if problems:
            raise ValueError("; ".join(problems))
        return names

    return check_host_names


def is_inside_zone(host: str, zone_name: str) -> bool:
    """The zone's apex or a name under it (label-wise: "xchat.example.com" is not in "chat.example.com")."""
    return host == zone_name or host.endswith(f".{zone_name}")


def check_hosts_in_zone(zone_name: str, hosts: Iterable[str]) -> None:
    """Every host must be in the zone the construct writes its records to."""
    outside = [host for host in hosts if not is_inside_zone(host, zone_name)]
    if outside:
        raise ValueError(
            "; ".join(f'expected a host name inside the zone "{zone_name}", got "{host}"' for host in outside)
        )


def check_distinct_hosts(api_hosts: Iterable[str], frontend_hosts: Iterable[str]) -> None:
    """A host is served by the load balancer or by CloudFront, not both: one alias per name."""
    both = sorted(set(api_hosts) & set(frontend_hosts))
    if both:
        raise ValueError(f"expected host names not already in api_host_names, got {', '.join(map(repr, both))} in both")


def check_cloudfront_certificate_needs_hosts(cloudfront_certificate_arn: str, frontend_hosts: tuple[str, ...]) -> None:
    if not frontend_hosts:
        raise ValueError(
            "expected no CloudFront certificate when frontend_host_names is empty (nothing would use it), "
            f'got "{cloudfront_certificate_arn}"'
        )
