"""A synthesized stack (cdk.tf.json): its resources, their regions, and references between them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costs.problems import InputError
from gate.run import STACK_FILE, find_stacks
from synthesized import as_list, reference

ENVIRONMENT_TAG = "environment"


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: Mapping[str, Any]

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


class Stack:
    def __init__(self, name: str, path: Path, document: Mapping[str, Any]) -> None:
        self.name = name
        self.path = path
        self.document = document
        self._resources = {
            (resource_type, name): Resource(resource_type, name, body)
            for resource_type, blocks in document.get("resource", {}).items()
            for name, body in blocks.items()
        }
        self.regions = self._provider_regions()

    def resources(self) -> list[Resource]:
        return sorted(self._resources.values(), key=lambda r: r.address)

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources() if r.type == resource_type]

    def referenced(self, value: Any) -> Resource | None:
        """The resource a "${type.name.attribute}" string points at (None for literals and data sources)."""
        address = reference(value) if isinstance(value, str) else None
        return self._resources.get(tuple(address.split(".", 1))) if address else None

    def referrers(self, resource_type: str, attribute: str, target: Resource) -> list[Resource]:
        """Resources of `resource_type` whose `attribute` (a string or a list of them) refers to `target`."""
        return [
            r
            for r in self.of_type(resource_type)
            if any(self.referenced(v) == target for v in as_list(r.body.get(attribute)))
        ]

    def region_of(self, resource: Resource) -> str:
        provider = resource.body.get("provider", "aws")
        alias = provider.split(".", 1)[1] if "." in provider else ""
        if alias not in self.regions:
            raise InputError([f"{self.path}: {resource.address}: provider {provider!r} is not declared in the stack"])
        return self.regions[alias]

    @property
    def environment(self) -> str:
        """The stack's `environment` default tag (dev, staging, prod, ...); the stack name without one."""
        for block in self.document.get("provider", {}).get("aws", []):
            if "alias" not in block:
                for tags in block.get("default_tags", []):
                    if isinstance(tags.get("tags", {}).get(ENVIRONMENT_TAG), str):
                        return tags["tags"][ENVIRONMENT_TAG]
        return self.name

    def _provider_regions(self) -> dict[str, str]:
        """Region per provider alias ("" for the default provider), literal values only."""
        regions = {}
        problems = []
        for block in self.document.get("provider", {}).get("aws", []):
            alias = block.get("alias", "")
            region = block.get("region")
            if not isinstance(region, str) or "${" in region or not region:
                label = f"aws.{alias}" if alias else "aws"
                problems.append(f"{self.path}: provider {label}: region must be a literal, got {region!r}")
            else:
                regions[alias] = region
        if problems:
            raise InputError(problems)
        return regions


def first_block(value: Any) -> Mapping[str, Any]:
    """A nested block as CDKTF writes it: a dict, or a list holding one."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def find_stack_files(stacks_dirs: Iterable[Path]) -> dict[str, Path]:
    """Stack name -> cdk.tf.json, from one or more stacks directories (cdktf.out/stacks)."""
    problems = []
    found: dict[str, Path] = {}
    for directory in stacks_dirs:
        if not directory.is_dir():
            problems.append(f"{directory}: no such directory (synthesize first: python main.py --outdir ...)")
            continue
        files = find_stacks(directory)
        if not files:
            problems.append(f"{directory}: holds no */{STACK_FILE} (an empty or wrong stacks directory)")
        for file in files.values():
            if file.parent.name in found:
                problems.append(
                    f"{file}: stack {file.parent.name!r} is also in {found[file.parent.name].parent.parent}"
                )
            found[file.parent.name] = file
    if problems:
        raise InputError(problems)
    return found


def load_stack(name: str, path: Path) -> Stack:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([f"{path}: cannot read: {error}"]) from None
    except json.JSONDecodeError as error:
        raise InputError([f"{path}: not valid JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise InputError([f"{path}: expected a JSON object (a synthesized stack)"])
    return Stack(name, path, document)
