"""Hand-written stacks and assumption files for the cost tests: small, with known resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from costs.assumptions import BY_NAME, SCHEMA
from costs.model import Estimate

ROUND_PRICES = Path(__file__).resolve().parent / "fixtures" / "prices-round.toml"
HOURS = 730


def stack_document(
    resources: dict[str, dict[str, dict[str, Any]]],
    *,
    region: str = "eu-west-1",
    aliases: dict[str, str] | None = None,
    environment: str = "test",
) -> dict[str, Any]:
    """A cdk.tf.json with an AWS provider in `region` (and aliased ones) and `resources`."""
    providers = [{"region": region, "default_tags": [{"tags": {"environment": environment}}]}]
    providers += [{"alias": alias, "region": aliased} for alias, aliased in (aliases or {}).items()]
    return {"provider": {"aws": providers}, "resource": resources}


def write_stacks(root: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """<root>/stacks/<name>/cdk.tf.json for each stack; returns the stacks folder."""
    for name, document in stacks.items():
        folder = root / "stacks" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "cdk.tf.json").write_text(json.dumps(document), encoding="utf-8")
    return root / "stacks"


def write_assumptions(path: Path, values: dict[str, dict[str, Any]] | None = None, extra: str = "") -> Path:
    """An assumptions file where every key is 0 (every pattern table {"*" = 0}) except `values`
    (section -> key -> number or {pattern: number}), plus `extra` TOML appended as written."""
    values = values or {}
    text = []
    for section, keys in SCHEMA.items():
        numbers = [f"{key} = {values.get(section, {}).get(key, 0)}" for key, kind in keys.items() if kind != BY_NAME]
        text += [f"[default.{section}]", *numbers, ""]
        for key in (k for k, kind in keys.items() if kind == BY_NAME):
            patterns = {"*": 0, **values.get(section, {}).get(key, {})}
            text += [f"[default.{section}.{key}]", *(f'"{p}" = {v}' for p, v in patterns.items()), ""]
    path.write_text("\n".join(text) + "\n" + extra, encoding="utf-8")
    return path


def fargate_service(
    name: str,
    *,
    desired: int,
    strategy: list[dict[str, Any]] | None = None,
    cpu: int = 512,
    memory: int = 1024,
    architecture: str = "ARM64",
    cluster: str = "main",
) -> dict[str, dict[str, dict[str, Any]]]:
    """An ECS service and its task definition (resource type -> name -> body)."""
    service: dict[str, Any] = {
        "cluster": f"${{aws_ecs_cluster.{cluster}.arn}}",
        "desired_count": desired,
        "task_definition": f"${{aws_ecs_task_definition.{name}_task.arn}}",
    }
    if strategy is not None:
        service["capacity_provider_strategy"] = strategy
    task = {
        "family": name,
        "cpu": str(cpu),
        "memory": str(memory),
        "requires_compatibilities": ["FARGATE"],
        "runtime_platform": {"cpu_architecture": architecture, "operating_system_family": "LINUX"},
    }
    return {"aws_ecs_service": {name: service}, "aws_ecs_task_definition": {f"{name}_task": task}}


def merge(*parts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Resource blocks from several helpers in one `resource` table."""
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for resource_type, blocks in part.items():
            merged.setdefault(resource_type, {}).update(blocks)
    return merged


def monthly(estimate: Estimate, address: str) -> float:
    """The monthly USD of the one line for `address`."""
    (line,) = [line for line in estimate.lines if line.address == address]
    return line.monthly_usd
