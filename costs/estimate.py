"""Price every resource of a stack: a line for each priced one, and each other one listed as
free or not priced (with the reason). A price the table lacks is an error for the whole run."""

from __future__ import annotations

from costs.assumptions import AssumptionFile
from costs.model import Estimate, Line, NotModelled, PricingContext, Unpriced, integer
from costs.pricers import PRICERS
from costs.prices import PriceMissing, PriceTable
from costs.problems import InputError
from costs.stack import Resource, Stack

# How many addresses an error about a missing price names before it says "and N more".
ADDRESSES_SHOWN = 3


def estimate_stack(stack: Stack, table: PriceTable, assumption_file: AssumptionFile) -> Estimate:
    assumptions = assumption_file.for_stack(stack.name, stack.environment)
    lines: list[Line] = []
    not_priced: list[Unpriced] = []
    free: list[Unpriced] = []
    missing: dict[str, list[str]] = {}
    for resource in stack.resources():
        pricer = PRICERS.get(resource.type)
        if pricer is None:
            if resource.type in table.free:
                free.append(Unpriced(resource.address, resource.type, table.free[resource.type]))
            else:
                not_priced.append(Unpriced(resource.address, resource.type, "no price model for this resource type"))
            continue
        try:
            copies = _copies(resource)
            region = stack.region_of(resource)
            priced = pricer.price(resource, PricingContext(stack, table, assumptions, region))
        except NotModelled as reason:
            not_priced.append(Unpriced(resource.address, resource.type, str(reason)))
            continue
        except PriceMissing as error:
            missing.setdefault(str(error), []).append(resource.address)
            continue
        components = tuple(c.scaled(copies) if copies != 1 else c for c in priced.components)
        notes = tuple(priced.notes) + ((f"count = {copies}",) if copies != 1 else ())
        lines.append(
            Line(
                resource.address, resource.type, pricer.tier, pricer.service, region, components, notes, priced.scaling
            )
        )
    if missing:
        raise InputError(
            [f"{stack.path}: {message} (needed by {_some(addresses)})" for message, addresses in missing.items()]
        )
    return Estimate(
        stack=stack.name,
        stack_file=str(stack.path),
        environment=stack.environment,
        table=table,
        lines=lines,
        not_priced=not_priced,
        free=free,
        assumptions_file=str(assumptions.path),
        assumptions=assumptions.used_sorted(),
    )


def _copies(resource: Resource) -> int:
    if "for_each" in resource.body:
        raise NotModelled("for_each: how many instances there are is not known from the JSON")
    return integer(resource.body.get("count"), 1)


def _some(addresses: list[str]) -> str:
    shown = ", ".join(addresses[:ADDRESSES_SHOWN])
    return shown + (f" and {len(addresses) - ADDRESSES_SHOWN} more" if len(addresses) > ADDRESSES_SHOWN else "")
