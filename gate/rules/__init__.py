"""The gate's project rules, each a pure predicate registered once with its id, name,
resource types and reason (gate/rules/model.py). Importing this package registers them all;
nothing here imports checkov."""

from __future__ import annotations

from . import (  # noqa: F401  (importing a rule module registers its rules)
    backup,
    cache,
    database,
    dynamodb,
    msk_and_documentdb,
    network,
    observability,
    queues_and_buckets,
    redis_cluster,
    websocket_api,
)
from .model import REGISTRY, Resource, Rule, Stack, Verdict

RULES: tuple[Rule, ...] = REGISTRY.rules()
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

__all__ = ["RULES", "RULES_BY_ID", "Resource", "Rule", "Stack", "Verdict"]
