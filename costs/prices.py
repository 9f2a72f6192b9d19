"""The versioned price table (costs/prices/*.toml): loading, validation and lookups.

A lookup the table cannot answer (a region, a section of a region, an instance class) is
an error naming what is missing, never a zero: a cost estimate that silently drops a
database is worse than none.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costs.problems import InputError, describe, is_number

DEFAULT_PRICES = Path(__file__).resolve().parent / "prices" / "aws-list-prices-2026-11.toml"

TOP_LEVEL_KEYS = {
    "version",
    "currency",
    "hours_per_month",
    "compiled",
    "free",
    "sections",
    "global",
    "regions",
    "instance_vcpus",
}
SECTION_META_KEYS = {"source", "date", "estimates"}
# How many known keys a "not in the table" message lists before it stops.
KNOWN_KEYS_SHOWN = 12


class PriceMissing(Exception):
    """A price the table does not hold; the message names the region, section and key."""


@dataclass(frozen=True)
class PriceTable:
    path: Path
    version: str
    currency: str
    hours_per_month: float
    free: Mapping[str, str]
    sections: Mapping[str, Mapping[str, Any]]
    global_prices: Mapping[str, Mapping[str, Any]]
    regions: Mapping[str, Mapping[str, Any]]
    instance_vcpus: Mapping[str, int]

    def regional(self, region: str, section: str, *keys: str) -> float:
        """The price at regions.<region>.<section>.<keys...>."""
        if region not in self.regions:
            raise PriceMissing(
                f"{self.path}: region {region!r} is not in the price table "
                f"(it prices {', '.join(sorted(self.regions))}); add [regions.{region}.*] sections"
            )
        prices = self.regions[region]
        if section not in prices:
            raise PriceMissing(f"{self.path}: no [regions.{region}.{section}] section: {section} prices for {region}")
        return _lookup(self.path, f"regions.{region}.{section}", prices[section], keys)

    def global_price(self, section: str, *keys: str) -> float:
        if section not in self.global_prices:
            raise PriceMissing(f"{self.path}: no [global.{section}] section")
        return _lookup(self.path, f"global.{section}", self.global_prices[section], keys)

    def vcpus(self, instance_class: str) -> int:
        if instance_class not in self.instance_vcpus:
            raise PriceMissing(
                f"{self.path}: instance class {instance_class!r} is not in [instance_vcpus] "
                f"(knows {_some(self.instance_vcpus)})"
            )
        return self.instance_vcpus[instance_class]


def _lookup(path: Path, where: str, table: Any, keys: tuple[str, ...]) -> float:
    for depth, key in enumerate(keys):
        if not isinstance(table, Mapping) or key not in table:
            at = ".".join((where, *(f'"{k}"' if "." in k else k for k in keys[:depth])))
            known = _some(table) if isinstance(table, Mapping) else "nothing"
            raise PriceMissing(f"{path}: {key!r} has no price in [{at}] (it has {known})")
        table = table[key]
    if not is_number(table):
        raise PriceMissing(f"{path}: [{where}] {'.'.join(keys)} is a table, not a price")
    return float(table)


def _some(keys: Mapping[str, Any]) -> str:
    names = sorted(keys)
    shown = ", ".join(names[:KNOWN_KEYS_SHOWN])
    return shown + (f", ... ({len(names)} in all)" if len(names) > KNOWN_KEYS_SHOWN else "")


def load_prices(path: Path) -> PriceTable:
    """Read and check a price table; raise InputError listing every problem."""
    document = read_toml(path)
    expected = ", ".join(sorted(TOP_LEVEL_KEYS))
    problems = [
        f"{path}: {key}: unknown key (expected one of {expected})" for key in document if key not in TOP_LEVEL_KEYS
    ]
    for key in ("version", "compiled"):
        if not isinstance(document.get(key), str) or not document.get(key):
            problems.append(f"{path}: {key}: expected a non-empty string, got {describe(document.get(key))}")
    if document.get("currency") != "USD":
        problems.append(f'{path}: currency: expected "USD", got {describe(document.get("currency"))}')
    hours = document.get("hours_per_month")
    if not is_number(hours) or hours <= 0:
        problems.append(f"{path}: hours_per_month: expected a number > 0, got {describe(hours)}")
    free = _table(document, "free", path, problems)
    for resource_type, reason in free.items():
        if not isinstance(reason, str) or not reason:
            problems.append(f"{path}: free.{resource_type}: expected the reason as a string, got {describe(reason)}")
    sections = _table(document, "sections", path, problems)
    for name, meta in sections.items():
        problems.extend(_section_meta_problems(path, name, meta))
    global_prices = _table(document, "global", path, problems)
    regions = _table(document, "regions", path, problems)
    priced_sections = {(f"global.{name}", name) for name in global_prices}
    priced_sections |= {(f"regions.{region}.{name}", name) for region, s in regions.items() for name in _keys(s)}
    for where, name in sorted(priced_sections):
        if name not in sections:
            problems.append(f"{path}: [{where}]: no [sections.{name}] saying where its prices come from and when")
    problems.extend(_price_problems(path, "global", global_prices))
    problems.extend(_price_problems(path, "regions", regions))
    vcpus = _table(document, "instance_vcpus", path, problems)
    for instance_class, count in vcpus.items():
        if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            problems.append(
                f'{path}: instance_vcpus."{instance_class}": expected a whole number > 0, got {describe(count)}'
            )
    if problems:
        raise InputError(problems)
    return PriceTable(
        path=path,
        version=document["version"],
        currency=document["currency"],
        hours_per_month=float(hours),
        free=free,
        sections=sections,
        global_prices=global_prices,
        regions=regions,
        instance_vcpus=vcpus,
    )


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError([f"{path}: not valid TOML: {error}"]) from None
    except OSError as error:
        raise InputError([f"{path}: cannot read: {error.strerror}"]) from None


def _table(document: Mapping[str, Any], key: str, path: Path, problems: list[str]) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        problems.append(f"{path}: [{key}]: expected a table, got {describe(value)}")
        return {}
    return value


def _keys(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else []


def _section_meta_problems(path: Path, name: str, meta: Any) -> list[str]:
    if not isinstance(meta, dict):
        return [f"{path}: sections.{name}: expected a table with source, date, estimates, got {describe(meta)}"]
    problems = [f"{path}: sections.{name}.{key}: unknown key" for key in meta if key not in SECTION_META_KEYS]
    for key in ("source", "date"):
        if not isinstance(meta.get(key), str) or not meta.get(key):
            problems.append(
                f"{path}: sections.{name}.{key}: expected a non-empty string, got {describe(meta.get(key))}"
            )
    estimates = meta.get("estimates")
    if not isinstance(estimates, list) or not all(isinstance(item, str) for item in estimates):
        problems.append(f"{path}: sections.{name}.estimates: expected a list of strings, got {describe(estimates)}")
    return problems


def _price_problems(path: Path, where: str, value: Any) -> list[str]:
    """Every leaf under a price section is a number >= 0."""
    if isinstance(value, dict):
        return [problem for key, item in value.items() for problem in _price_problems(path, f"{where}.{key}", item)]
    if is_number(value) and value >= 0:
        return []
    return [f"{path}: {where}: expected a price (a number >= 0), got {describe(value)}"]
