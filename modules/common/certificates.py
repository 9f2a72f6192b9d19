"""Checks for ACM certificate ARNs given to a load balancer or to CloudFront.

A load balancer uses certificates from its own region only; CloudFront uses certificates
from us-east-1 only, whatever the stack's region. Each check returns the value or raises
ValueError("expected ..., got ...") (modules.common.validation). A cdktf token (the ARN of
a certificate another construct validates) cannot be judged and passes. Nothing here
imports cdktf.
"""

from __future__ import annotations

import re

from modules.common.tokens import is_unresolved
from modules.common.validation import describe

# CloudFront reads viewer certificates from ACM in us-east-1 only.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"

_CERTIFICATE_ARN_RE = re.compile(
    r"^arn:(?:aws|aws-cn|aws-us-gov):acm:(?P<region>[a-z0-9-]+):\d{12}:"
    r"certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def certificate_region(value: str) -> str:
    """The region of an ACM certificate ARN (no partition check: a region has one partition)."""
    match = _CERTIFICATE_ARN_RE.fullmatch(value)
    if match is None:
        raise ValueError(
            "expected an ACM certificate ARN such as "
            f"arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, got {describe(value)}"
        )
    return match["region"]


def check_certificate_arn(value: str) -> str:
    """The shape of an ACM certificate ARN; its region is judged where it is used."""
    if not is_unresolved(value):
        certificate_region(value)
    return value


def _check_certificate_in(value: str, region: str, where: str) -> str:
    if is_unresolved(value):
        return value
    arn_region = certificate_region(value)
    if arn_region != region:
        raise ValueError(f'expected an ACM certificate ARN in {where}, got region {arn_region} in "{value}"')
    return value


def check_regional_certificate_arn(value: str, region: str) -> str:
    """A certificate for a load balancer in `region`."""
    where = f"the stack's region {region} (a load balancer uses certificates from its own region only)"
    return _check_certificate_in(value, region, where)


def check_cloudfront_certificate_arn(value: str) -> str:
    """A certificate for a CloudFront distribution: in us-east-1."""
    where = f"{CLOUDFRONT_CERTIFICATE_REGION} (CloudFront uses certificates from us-east-1 only)"
    return _check_certificate_in(value, CLOUDFRONT_CERTIFICATE_REGION, where)
