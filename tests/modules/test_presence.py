"""present(): a resource created under a props condition, read where that condition holds."""

import pytest

from modules.common.presence import present


def test_present_gives_back_what_was_created():
    created = object()
    assert present(created, "the RDS Proxy") is created


def test_a_missing_resource_is_named_not_an_attribute_error_on_none():
    with pytest.raises(ValueError, match=r"^expected the RDS Proxy \(props.proxy\), got none$"):
        present(None, "the RDS Proxy (props.proxy)")
