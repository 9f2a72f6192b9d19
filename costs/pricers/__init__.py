"""One price function per resource type, by tier: which types the estimate prices and how."""

from __future__ import annotations

from costs.model import Pricer
from costs.pricers import compute, data, edge, network, operations

PRICERS: dict[str, Pricer] = {
    **edge.PRICERS,
    **network.PRICERS,
    **compute.PRICERS,
    **data.PRICERS,
    **operations.PRICERS,
}
# The order tiers appear in a report: from the user inwards.
TIERS = ("edge", "network", "compute", "data", "operations")
