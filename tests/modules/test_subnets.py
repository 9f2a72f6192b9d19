"""modules/common/subnets.py: subnet id lists that span two zones."""

from __future__ import annotations

import pytest

from modules.common.subnets import subnet_ids_check

check = subnet_ids_check("RDS Proxy needs two")


def test_ids_and_references_pass():
    assert check(["subnet-0a1b2c3d", "subnet-0123456789abcdef0"]) == ("subnet-0a1b2c3d", "subnet-0123456789abcdef0")
    assert check(("${TfToken[TOKEN.1]}", "${TfToken[TOKEN.2]}")) == ("${TfToken[TOKEN.1]}", "${TfToken[TOKEN.2]}")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ("subnet-0a1b2c3d", "sn-1"),
            "expected subnet ids such as subnet-0a1b2c3d or references to them, got ['sn-1']",
        ),
        (
            ("subnet-0a1b2c3d",),
            "expected at least two distinct subnets, one per availability zone (RDS Proxy needs two), got 1",
        ),
        (
            ("subnet-0a1b2c3d", "subnet-0a1b2c3d"),
            "expected at least two distinct subnets, one per availability zone (RDS Proxy needs two), got 1",
        ),
    ],
)
def test_bad_lists_are_refused(values, message):
    with pytest.raises(ValueError) as caught:
        check(values)
    assert str(caught.value) == message
