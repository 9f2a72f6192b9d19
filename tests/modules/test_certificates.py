"""modules/common/certificates.py and tokens.py: ACM ARN checks and telling tokens from literals."""

from __future__ import annotations

import pytest

from modules.common.certificates import (
    certificate_region,
    check_certificate_arn,
    check_cloudfront_certificate_arn,
    check_regional_certificate_arn,
)
from modules.common.tokens import is_unresolved

IRELAND = "arn:aws:acm:eu-west-1:111122223333:certificate/0e6b4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
VIRGINIA = "arn:aws:acm:us-east-1:111122223333:certificate/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
BEIJING = "arn:aws-cn:acm:cn-north-1:111122223333:certificate/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
TOKEN = "${TfToken[TOKEN.7]}"


@pytest.mark.parametrize(("value", "unresolved"), [(TOKEN, True), ("${var.arn}", False), (IRELAND, False)])
def test_only_cdktf_tokens_count_as_unresolved(value, unresolved):
    assert is_unresolved(value) is unresolved


def test_certificate_region_reads_any_partition():
    assert [certificate_region(arn) for arn in (IRELAND, VIRGINIA, BEIJING)] == ["eu-west-1", "us-east-1", "cn-north-1"]


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::111122223333:server-certificate/chat",
        "arn:aws:acm:eu-west-1:1111:certificate/0e6b4f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        "arn:aws:acm:eu-west-1:111122223333:certificate/not-a-uuid",
        IRELAND.upper(),
    ],
)
def test_anything_but_an_acm_certificate_arn_is_refused(value):
    with pytest.raises(ValueError) as caught:
        check_certificate_arn(value)
    assert str(caught.value) == (
        "expected an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>, "
        f'got "{value}" (string)'
    )


def test_a_load_balancer_certificate_must_be_in_the_stacks_region():
    assert check_regional_certificate_arn(IRELAND, "eu-west-1") == IRELAND
    with pytest.raises(ValueError) as caught:
        check_regional_certificate_arn(VIRGINIA, "eu-west-1")
    assert str(caught.value) == (
        "expected an ACM certificate ARN in the stack's region eu-west-1 (a load balancer uses certificates "
        f'from its own region only), got region us-east-1 in "{VIRGINIA}"'
    )


def test_a_cloudfront_certificate_must_be_in_us_east_1():
    assert check_cloudfront_certificate_arn(VIRGINIA) == VIRGINIA
    with pytest.raises(ValueError) as caught:
        check_cloudfront_certificate_arn(IRELAND)
    assert str(caught.value) == (
        "expected an ACM certificate ARN in us-east-1 (CloudFront uses certificates from us-east-1 only), "
        f'got region eu-west-1 in "{IRELAND}"'
    )


def test_tokens_pass_every_certificate_check():
    assert check_certificate_arn(TOKEN) == TOKEN
    assert check_regional_certificate_arn(TOKEN, "eu-west-1") == TOKEN
    assert check_cloudfront_certificate_arn(TOKEN) == TOKEN
