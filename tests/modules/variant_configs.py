"""An environment's config with some keys changed (a variant chosen, a block added),
validated again by the real schema, for the wiring tests of the variant modules."""

from __future__ import annotations

from typing import Any

from envconfig.schema import EnvironmentConfig


def variant_config(base: EnvironmentConfig | None = None, **values: Any) -> EnvironmentConfig:
    """`base`'s keys (an environment's config) with `values` over them, validated again."""
    fields = {} if base is None else {name: getattr(base, name) for name in type(base).model_fields}
    if base is not None:
        fields["tags"] = dict(base.tags)
    return EnvironmentConfig.model_validate({**fields, **values})
