"""The variant table (envconfig/variants.py) and its builders (stacks/variants.py): the rules
the schema derives from it for every variant, and that every value builds something."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from envconfig.schema import EnvironmentConfig
from envconfig.variants import SELECTORS, VARIANTS, Variant, selector_values

BASE = {
    "name": "variants",
    "region": "eu-west-1",
    "network": {"vpc_cidr": "10.50.0.0/16", "az_count": 3, "nat_mode": "single"},
    "dns": {"zone_name": "chat.example.com", "api_host_names": ["api.chat.example.com"]},
}
BLOCK_VARIANTS = [variant for variant in VARIANTS if variant.block is not None]
# The least each block holds to be valid on its own (its required keys).
MINIMAL_BLOCKS = {"websocket_api": {"host_name": "api.chat.example.com"}}


def problems_of(values: dict) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        EnvironmentConfig.model_validate(values)
    return [error["msg"] for error in caught.value.errors()]


def test_each_selector_takes_exactly_the_tables_values_with_the_first_as_default():
    default = EnvironmentConfig.model_validate(BASE)
    for selector in SELECTORS:
        values = selector_values(selector)
        assert EnvironmentConfig.model_fields[selector].annotation.__args__ == values
        assert default.variant_choices[selector] == values[0]


@pytest.mark.parametrize("variant", BLOCK_VARIANTS, ids=lambda variant: variant.block)
def test_a_variants_block_is_refused_while_another_value_is_chosen(variant: Variant):
    other = next(value for value in selector_values(variant.selector) if value != variant.value)
    messages = problems_of({**BASE, variant.selector: other, variant.block: MINIMAL_BLOCKS.get(variant.block, {})})
    expected = (
        f'expected no {variant.block} block unless {variant.selector} = "{variant.value}", '
        f'got {variant.selector} "{other}"'
    )
    assert any(expected in message for message in messages), messages


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.block_required], ids=lambda variant: variant.value)
def test_a_required_block_is_asked_for(variant: Variant):
    messages = problems_of({**BASE, variant.selector: variant.value})
    expected = f'expected a {variant.block} block when {variant.selector} = "{variant.value}", got none'
    assert any(expected in message for message in messages), messages


def test_an_optional_block_left_out_reads_as_its_module_defaults():
    config = EnvironmentConfig.model_validate({**BASE, "messaging": "msk"})
    assert config.msk is None
    assert config.block("msk") == next(v for v in VARIANTS if v.block == "msk").block_model()


def test_every_variant_builds_something_once():
    from stacks.variants import STORE_BUILDERS, unbuilt_variant_problems

    assert unbuilt_variant_problems(VARIANTS, STORE_BUILDERS) == []


def test_a_variant_nothing_builds_and_a_builder_of_nothing_are_named():
    from stacks.variants import STORE_BUILDERS, unbuilt_variant_problems

    planted = (*VARIANTS, Variant("cache_backend", "memcached", "memcached"))
    builders = {**STORE_BUILDERS, ("messaging", "kinesis"): STORE_BUILDERS[("messaging", "msk")]}
    assert unbuilt_variant_problems(planted, builders, {*PLATFORM, ("messaging", "msk")}) == [
        'cache_backend = "memcached": expected a builder in STORE_BUILDERS or an entry in PLATFORM_VARIANTS, got none',
        'messaging = "kinesis": expected a variant of envconfig/variants.py, got a builder for none',
        'messaging = "msk": expected one way to build it, got a builder and the platform',
    ]


PLATFORM = {
    ("cache_backend", "elasticache"),
    ("messaging", "sqs"),
    ("document_store", "none"),
    ("ingress", "alb"),
    ("ingress", "api_gateway"),
}


def test_a_block_given_as_null_is_not_a_block():
    """A dumped config re-validated holds every optional block, as null: none is refused."""
    config = EnvironmentConfig.model_validate({**BASE, "msk": None, "websocket_api": None, "redis_cluster": None})
    assert (config.msk, config.websocket_api) == (None, None)


def test_every_variants_block_is_a_field_and_is_cross_checked_with_its_props():
    from envconfig.schema import MODULE_BLOCKS

    for variant in BLOCK_VARIANTS:
        assert variant.block in EnvironmentConfig.model_fields, variant.block
        assert MODULE_BLOCKS[variant.block] is variant.props, variant.block
