"""Reading a synthesized stack (cdk.tf.json) for the diagram: resources by type and address, zones
(references between resources: synthesized.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from synthesized import as_list

# An availability zone CDKTF could not resolve at synth time: element(data.aws_availability_zones.x.names, N).
LOOKED_UP_ZONE = re.compile(r"element\(data\.aws_availability_zones\.[\w-]+\.names,\s*(\d+)\)")
LOOKED_UP_PREFIX = "zone #"
UNKNOWN_ZONE = "zone ?"


def zone_name(value: Any) -> str:
    """An availability zone as written, or "zone #N" where it is the Nth zone of a plan-time lookup."""
    if not isinstance(value, str):
        return UNKNOWN_ZONE
    looked_up = LOOKED_UP_ZONE.search(value)
    if looked_up:
        return f"{LOOKED_UP_PREFIX}{int(looked_up.group(1)) + 1}"
    return UNKNOWN_ZONE if "${" in value else value


def zone_label(region: str, zone: str) -> str:
    """A zone as short as it stays clear: "eu-west-1a" -> "a" (the region is in the title), "zone #2" -> "#2"."""
    if region and zone.startswith(region):
        return zone.removeprefix(region)
    return zone.removeprefix("zone ")


@dataclass(frozen=True)
class StackDocument:
    name: str
    document: dict[str, Any]

    @property
    def region(self) -> str:
        providers = as_list(self.document.get("provider", {}).get("aws"))
        regions = [p.get("region") for p in providers if isinstance(p, dict) and not p.get("alias")]
        return next((r for r in regions if isinstance(r, str)), "")

    def resource_types(self) -> set[str]:
        return set(self.document.get("resource", {}))

    def items(self, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
        """(address, block) of every resource of `resource_type`, by address."""
        blocks = self.document.get("resource", {}).get(resource_type, {})
        return sorted((f"{resource_type}.{name}", block) for name, block in blocks.items())

    def block(self, address: str | None) -> dict[str, Any]:
        if not address:
            return {}
        resource_type, _, name = address.partition(".")
        return self.document.get("resource", {}).get(resource_type, {}).get(name, {})

    def data_block(self, value: Any) -> dict[str, Any]:
        """The data source block a "${data.type.name.attr}" string points at."""
        match = re.search(r"data\.([a-z0-9_]+)\.([\w-]+)", value) if isinstance(value, str) else None
        if not match:
            return {}
        return self.document.get("data", {}).get(match.group(1), {}).get(match.group(2), {})

    def short_name(self, name: Any) -> str:
        """A resource name without the stack's prefix: "chat-prod-api-blue" -> "api-blue"."""
        text = str(name or "")
        return text.removeprefix(f"{self.name}-")

    def zone_label(self, zone: str) -> str:
        return zone_label(self.region, zone)
