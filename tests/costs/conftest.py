"""Fixtures for the cost tests: price a hand-written stack in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from costs.assumptions import load_assumptions
from costs.estimate import estimate_stack
from costs.model import Estimate
from costs.prices import load_prices
from costs.stack import load_stack
from tests.costs.stacks import ROUND_PRICES, stack_document, write_assumptions, write_stacks


@pytest.fixture
def price(tmp_path: Path) -> Callable[..., Estimate]:
    """price(resources, usage={...}, prices=path, **stack_document options) -> Estimate."""

    def estimate(
        resources: dict[str, dict[str, Any]],
        usage: dict[str, dict[str, Any]] | None = None,
        prices: Path = ROUND_PRICES,
        **document_options: Any,
    ) -> Estimate:
        stacks = write_stacks(tmp_path, {"chat-test": stack_document(resources, **document_options)})
        assumptions = load_assumptions(write_assumptions(tmp_path / "assumptions.toml", usage))
        return estimate_stack(
            load_stack("chat-test", stacks / "chat-test" / "cdk.tf.json"), load_prices(prices), assumptions
        )

    return estimate
