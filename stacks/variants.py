"""The store each variant choice builds (the builder half of envconfig/variants.py's table).

A store variant's builder takes the `Platform` and returns its store as a `Component`: the
root calls the chosen ones in this table's order, once the services, the database and the
backup plan exist, then protects and watches whatever they returned. Adding a store variant
is its entry in envconfig/variants.py (selector, block, rules) plus one builder here; a test
proves the two tables name the same variants.

The default of each selector is part of the platform rather than a builder here, because
something built earlier depends on it: the worker scales on the SQS queues, the realtime
service is routed by the load balancer (or the WebSocket API, whose grants wait for the
chat tables: connect_websocket_api), and ElastiCache is granted to the services before the
database is (the order of their task policies' statements).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from envconfig.variants import VARIANTS, Variant
from stacks.documentdb import build_documentdb
from stacks.dynamodb import build_dynamodb
from stacks.msk import build_msk
from stacks.platform import Component, Platform
from stacks.redis_cluster import build_redis_cluster

StoreBuilder = Callable[[Platform], Component]

# (selector, value) -> builder. The order is the build order (the task policies' statements
# follow it) and the order of the stores' rows on the dashboard and in the backup selection.
STORE_BUILDERS: Mapping[tuple[str, str], StoreBuilder] = {
    ("cache_backend", "redis_cluster"): build_redis_cluster,
    ("messaging", "msk"): build_msk,
    ("document_store", "documentdb"): build_documentdb,
    ("document_store", "dynamodb"): build_dynamodb,
}

# The variants the platform builds itself, in its own order (module docstring): no builder here.
PLATFORM_VARIANTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("cache_backend", "elasticache"),
        ("messaging", "sqs"),
        ("document_store", "none"),
        ("ingress", "alb"),
        ("ingress", "api_gateway"),
    }
)


def unbuilt_variant_problems(
    variants: Iterable[Variant],
    store_builders: Iterable[tuple[str, str]],
    platform_variants: Iterable[tuple[str, str]] = PLATFORM_VARIANTS,
) -> list[str]:
    """Every variant of the table that nothing builds, and every builder of no variant: a
    value the schema accepts must build something, exactly once."""
    declared = {(variant.selector, variant.value) for variant in variants}
    builders, platform = set(store_builders), set(platform_variants)
    problems = [
        f'{selector} = "{value}": expected a builder in STORE_BUILDERS or an entry in PLATFORM_VARIANTS, got none'
        for selector, value in sorted(declared - builders - platform)
    ]
    problems += [
        f'{selector} = "{value}": expected a variant of envconfig/variants.py, got a builder for none'
        for selector, value in sorted((builders | platform) - declared)
    ]
    problems += [
        f'{selector} = "{value}": expected one way to build it, got a builder and the platform'
        for selector, value in sorted(builders & platform)
    ]
    return problems


def build_variant_stores(platform: Platform) -> dict[str, Component]:
    """The stores of the variants `platform.config` chooses, by selector."""
    choices = platform.config.variant_choices
    return {
        selector: build(platform) for (selector, value), build in STORE_BUILDERS.items() if choices[selector] == value
    }


_problems = unbuilt_variant_problems(VARIANTS, STORE_BUILDERS)
if _problems:
    # At import: a variant the schema accepts but nothing builds would synthesize a stack without it.
    raise ImportError("stacks/variants.py does not match envconfig/variants.py:\n  " + "\n  ".join(_problems))
