"""The variants of an environment file, as one table: each selector's values, the block
each value reads and the rules it sets for the rest of the file.

A selector (`cache_backend`, `messaging`, `document_store`, `ingress`) is a top-level key
whose value picks one implementation; its first variant here is its default. From this
table the schema derives each selector's allowed values, and one rule for every variant's
block: given while another value is chosen, it is refused ("expected no msk block unless
messaging = "msk""); missing where the variant requires it, it is asked for. A variant's
own `rules` (pure functions of the modules, e.g. MSK's zone count) run only when it is
chosen. stacks/variants.py holds the builder of each variant's store.

Adding a variant: one `Variant` here (with its block model, derived from its module's
props like every block, and named for mypy under TYPE_CHECKING), and its builder in stacks/variants.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from modules.cache.props import ManagedCacheProps
from modules.common.inputs import environment_block
from modules.documentdb.props import DocumentDatabaseProps
from modules.dynamodb.props import ChatTablesProps
from modules.msk.props import KafkaClusterProps
from modules.msk.variant import msk_problems
from modules.redis_cluster.props import RedisClusterProps
from modules.redis_cluster.variant import redis_cluster_problems
from modules.websocket_api.props import WebSocketApiProps
from modules.websocket_api.variant import api_gateway_problems

if TYPE_CHECKING:
    from envconfig.schema import EnvironmentConfig

Problems = list[tuple[str, str]]

# mypy cannot see the fields of a model built at run time (environment_block): it reads each
# block as the props class it is derived from (whose environment fields are the block's keys,
# with the same types) and a frozen BaseModel. Run time builds the real models, below.
if TYPE_CHECKING:

    class ManagedCacheConfig(ManagedCacheProps, BaseModel, frozen=True): ...

    class RedisClusterConfig(RedisClusterProps, BaseModel, frozen=True): ...

    class MskConfig(KafkaClusterProps, BaseModel, frozen=True): ...

    class DocumentDbConfig(DocumentDatabaseProps, BaseModel, frozen=True): ...

    class DynamoDbConfig(ChatTablesProps, BaseModel, frozen=True): ...

    class WebSocketApiConfig(WebSocketApiProps, BaseModel, frozen=True): ...
else:
    ManagedCacheConfig = environment_block(
        ManagedCacheProps, "ManagedCacheConfig", "`managed_cache { ... }`: ElastiCache; see modules/cache/props.py."
    )
    RedisClusterConfig = environment_block(
        RedisClusterProps,
        "RedisClusterConfig",
        '`redis_cluster { ... }`: Redis Cluster on EC2 when cache_backend = "redis_cluster"; '
        "see modules/redis_cluster/props.py.",
    )
    MskConfig = environment_block(
        KafkaClusterProps, "MskConfig", '`msk { ... }`: Amazon MSK when messaging = "msk"; see modules/msk/props.py.'
    )
    DocumentDbConfig = environment_block(
        DocumentDatabaseProps,
        "DocumentDbConfig",
        '`documentdb { ... }`: Amazon DocumentDB when document_store = "documentdb"; see modules/documentdb/props.py.',
    )
    DynamoDbConfig = environment_block(
        ChatTablesProps,
        "DynamoDbConfig",
        '`dynamodb { ... }`: the chat tables when document_store = "dynamodb"; see modules/dynamodb/props.py.',
    )
    WebSocketApiConfig = environment_block(
        WebSocketApiProps,
        "WebSocketApiConfig",
        '`websocket_api { ... }`: the WebSocket ingress when ingress = "api_gateway"; '
        "see modules/websocket_api/props.py.",
    )


def _redis_cluster_rules(config: EnvironmentConfig) -> Problems:
    return redis_cluster_problems(
        az_count=config.network.az_count,
        shards=None if config.redis_cluster is None else config.redis_cluster.shards,
    )


def _msk_rules(config: EnvironmentConfig) -> Problems:
    return msk_problems(
        az_count=config.network.az_count,
        broker_count=None if config.msk is None else config.msk.broker_count,
        worker_backlog_per_task=config.worker.backlog_per_task,
    )


def _api_gateway_rules(config: EnvironmentConfig) -> Problems:
    return api_gateway_problems(
        document_store=config.document_store,
        nat_mode=config.network.nat_mode,
        realtime_requests_per_target=config.realtime.requests_per_target,
        host_name=None if config.websocket_api is None else config.websocket_api.host_name,
        api_host_names=config.dns.api_host_names,
        weighted_services=tuple(config.load_balancer.weights),
    )


@dataclass(frozen=True)
class Variant:
    """One value of a selector: the block it reads (None: none of its own), the block's model
    and the module props it is derived from (whose cross checks the schema runs on it),
    whether the file must give that block, and the rules it sets for the rest of the file
    when chosen."""

    selector: str
    value: str
    block: str | None = None
    block_model: type[BaseModel] | None = None
    props: type | None = None
    block_required: bool = False
    rules: Callable[[EnvironmentConfig], Problems] | None = None


VARIANTS: tuple[Variant, ...] = (
    Variant("cache_backend", "elasticache", "managed_cache", ManagedCacheConfig, ManagedCacheProps),
    Variant(
        "cache_backend",
        "redis_cluster",
        "redis_cluster",
        RedisClusterConfig,
        RedisClusterProps,
        rules=_redis_cluster_rules,
    ),
    Variant("messaging", "sqs"),
    Variant("messaging", "msk", "msk", MskConfig, KafkaClusterProps, rules=_msk_rules),
    Variant("document_store", "none"),
    Variant("document_store", "documentdb", "documentdb", DocumentDbConfig, DocumentDatabaseProps),
    Variant("document_store", "dynamodb", "dynamodb", DynamoDbConfig, ChatTablesProps),
    Variant("ingress", "alb"),
    Variant(
        "ingress",
        "api_gateway",
        "websocket_api",
        WebSocketApiConfig,
        WebSocketApiProps,
        block_required=True,
        rules=_api_gateway_rules,
    ),
)

SELECTORS: tuple[str, ...] = tuple(dict.fromkeys(variant.selector for variant in VARIANTS))
BLOCK_VARIANTS: dict[str, Variant] = {variant.block: variant for variant in VARIANTS if variant.block is not None}
# Each variant's block and the props it is derived from (the schema's MODULE_BLOCKS takes them).
VARIANT_BLOCK_PROPS: dict[str, type] = {
    variant.block: variant.props for variant in VARIANTS if variant.block is not None and variant.props is not None
}


def selector_values(selector: str) -> tuple[str, ...]:
    """The values `selector` takes, its default first."""
    return tuple(variant.value for variant in VARIANTS if variant.selector == selector)


def variant_problems(config: EnvironmentConfig, given_blocks: set[str]) -> Problems:
    """Every variant's block given while another value is chosen, or missing where it is
    required, and the chosen variants' own rules. `given_blocks`: the blocks the file wrote."""
    problems: Problems = []
    choices = config.variant_choices
    for variant in VARIANTS:
        chosen = choices[variant.selector] == variant.value
        if variant.block is not None and variant.block in given_blocks and not chosen:
            problems.append(
                (
                    variant.block,
                    f'expected no {variant.block} block unless {variant.selector} = "{variant.value}", '
                    f'got {variant.selector} "{choices[variant.selector]}"',
                )
            )
        if chosen and variant.block_required and variant.block is not None and variant.block not in given_blocks:
            problems.append(
                (
                    variant.block,
                    f'expected a {variant.block} block when {variant.selector} = "{variant.value}", got none',
                )
            )
        if chosen and variant.rules is not None:
            problems += variant.rules(config)
    return problems
