"""What an estimate is made of: priced components, lines per resource, and the stack's estimate."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from costs.assumptions import StackAssumptions, UsedAssumption
from costs.prices import PriceTable
from costs.stack import Resource, Stack
from synthesized import released_count


@dataclass(frozen=True)
class Component:
    """One priced quantity: `quantity` `unit` at `unit_usd` each, e.g. 730 h x $0.048."""

    what: str
    quantity: float
    unit: str
    unit_usd: float

    @property
    def usd(self) -> float:
        return self.quantity * self.unit_usd

    def scaled(self, factor: float) -> Component:
        return Component(self.what, self.quantity * factor, self.unit, self.unit_usd)


@dataclass(frozen=True)
class Scaling:
    """A service's autoscaling range and what its tasks would cost at the maximum."""

    min_tasks: int
    max_tasks: int
    monthly_usd_at_max: float


@dataclass(frozen=True)
class Line:
    """The monthly cost of one resource."""

    address: str
    resource_type: str
    tier: str
    service: str
    region: str
    components: tuple[Component, ...]
    notes: tuple[str, ...] = ()
    scaling: Scaling | None = None

    @property
    def monthly_usd(self) -> float:
        return sum(c.usd for c in self.components)


@dataclass(frozen=True)
class Unpriced:
    """A resource the estimate does not price (and says why); listed, never dropped."""

    address: str
    resource_type: str
    reason: str


@dataclass
class Estimate:
    stack: str
    stack_file: str
    environment: str
    table: PriceTable
    lines: list[Line]
    not_priced: list[Unpriced]
    free: list[Unpriced]
    assumptions_file: str
    assumptions: list[UsedAssumption]

    @property
    def total_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)


class NotModelled(Exception):
    """A resource of a priced type in a form the estimate does not model (a message says which)."""


@dataclass(frozen=True)
class Priced:
    components: list[Component]
    notes: list[str] = field(default_factory=list)
    scaling: Scaling | None = None


@dataclass
class PricingContext:
    stack: Stack
    table: PriceTable
    assumptions: StackAssumptions
    region: str

    @property
    def hours(self) -> float:
        return self.table.hours_per_month

    def rate(self, section: str, *keys: str) -> float:
        return self.table.regional(self.region, section, *keys)

    def hourly(self, what: str, count: float, section: str, *keys: str) -> Component:
        """`count` things running all month at an hourly price."""
        return Component(what, count * self.hours, "h", self.rate(section, *keys))

    def charge(self, what: str, quantity: float, unit: str, section: str, *keys: str) -> Component:
        """`quantity` `unit`s at this region's price regions.<region>.<section>.<keys>."""
        return Component(what, quantity, unit, self.rate(section, *keys))


PriceFunction = Callable[[Resource, PricingContext], Priced]


@dataclass(frozen=True)
class Pricer:
    tier: str
    service: str
    price: PriceFunction


def supported(body: Mapping[str, Any], key: str, default: str, priced: Collection[str], what: str) -> str:
    """`key`'s value (or AWS's default for it) when the estimate prices that variant."""
    value = body.get(key, default)
    if value not in priced:
        raise NotModelled(f"{what} {value!r} is not in the price table")
    return str(value)


def integer(value: Any, default: int = 0) -> int:
    """A count as the JSON holds it (numbers, sometimes numeric strings); `default` when absent.
    A service's count that waits for its first release is priced as released."""
    value = released_count(value)
    if value is None:
        return default
    if isinstance(value, bool):
        raise NotModelled(f"expected a whole number, got {value!r}")
    try:
        return int(str(value))
    except ValueError:
        raise NotModelled(f"expected a literal whole number, got {value!r}") from None
