"""Schema of an environment file (environments/<name>.hcl).

One pydantic model per HCL block. A module's block is derived from its props dataclass
(`environment_block`, modules/common/inputs.py): its keys, types, defaults, docs and
checks are declared once, there. Adding a module's block is one line deriving its model
(and one naming it for mypy under TYPE_CHECKING: mypy cannot see a model built at run
time), a field on `EnvironmentConfig` and an entry in `MODULE_BLOCKS` (a variant's: its
entry in envconfig/variants.py, and its field); the loader reports unknown keys, wrong
types, bad values and missing keys for it with no further code. The variant selectors
(cache_backend, messaging, document_store, ingress), their blocks and the rules between
them come from one table, envconfig/variants.py.

Field types are strict (StrictInt, StrictStr, StrictBool) because HCL already tells a
number from a string: `az_count = "3"` is a mistake worth reporting, not coercing.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from envconfig.variants import (
    BLOCK_VARIANTS,
    SELECTORS,
    VARIANT_BLOCK_PROPS,
    DocumentDbConfig,
    DynamoDbConfig,
    ManagedCacheConfig,
    MskConfig,
    RedisClusterConfig,
    WebSocketApiConfig,
    selector_values,
    variant_problems,
)
from modules.attachments.props import AttachmentsBucketProps
from modules.backup.props import BackupPlanProps
from modules.common.inputs import block_values, cross_check_problems, environment_block, supplied_value_problems
from modules.common.key_administrators import check_key_administrator_arns
from modules.common.store_keys import check_kms_key_arn
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    check_retention_days,
    check_tags,
)
from modules.compute.props import ComputeClusterProps, RealtimeServiceProps, RoutedServiceProps, WorkerServiceProps
from modules.container_registry.props import ContainerRepositoryProps
from modules.database.props import DatabaseProps
from modules.dns.props import DomainProps
from modules.frontend.props import FrontendProps
from modules.load_balancer.props import LoadBalancerProps
from modules.network.props import DEFAULT_INTERFACE_ENDPOINT_SERVICES, NetworkProps
from modules.observability.props import AlarmsProps
from modules.queues.props import MessageQueueProps
from modules.waf.props import WebAclProps

# Tags the stack sets through the provider's default_tags; a file may not override them.
STACK_TAG_KEYS = ("project", "environment", "managed-by")

# Each selector's values, from the variant table (its default first). Built at run time, so
# mypy knows them only as strings.
if TYPE_CHECKING:
    CacheBackend: TypeAlias = str
    Messaging: TypeAlias = str
    DocumentStore: TypeAlias = str
    Ingress: TypeAlias = str
else:
    CacheBackend = Literal[selector_values("cache_backend")]
    Messaging = Literal[selector_values("messaging")]
    DocumentStore = Literal[selector_values("document_store")]
    Ingress = Literal[selector_values("ingress")]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

RetentionDays = Annotated[StrictInt, AfterValidator(check_retention_days)]


def _check_bucket(value: str) -> str:
    if not _BUCKET_RE.fullmatch(value) or ".." in value:
        raise ValueError(f'expected an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), got "{value}"')
    return value


def _check_state_key(value: str) -> str:
    if not value.endswith(".tfstate") or value.startswith("/"):
        raise ValueError(f'expected an object key ending in ".tfstate", not starting with "/", got "{value}"')
    return value


STACK_PREFIX = "chat-"


def _check_environment_name_length(value: str) -> str:
    # Modules name resources after the stack, "chat-<name>", and take 20 characters at most.
    longest = 20 - len(STACK_PREFIX)
    if len(value) > longest:
        raise ValueError(
            f'expected at most {longest} characters (the stack name "{STACK_PREFIX}<name>" must fit in 20), '
            f'got "{value}" ({len(value)})'
        )
    return value


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# mypy cannot see the fields of a model built at run time (environment_block): it reads each
# block as the props class it is derived from (whose environment fields are the block's keys,
# with the same types) and a frozen BaseModel. Run time builds the real models, below.
if TYPE_CHECKING:

    class NetworkConfig(NetworkProps, BaseModel, frozen=True): ...

    class DnsConfig(DomainProps, BaseModel, frozen=True): ...

    class LoadBalancerConfig(LoadBalancerProps, BaseModel, frozen=True): ...

    class WafConfig(WebAclProps, BaseModel, frozen=True): ...

    class FrontendConfig(FrontendProps, BaseModel, frozen=True): ...

    class ComputeConfig(ComputeClusterProps, BaseModel, frozen=True): ...

    class ContainerRegistryConfig(ContainerRepositoryProps, BaseModel, frozen=True): ...

    class RoutedServiceConfig(RoutedServiceProps, BaseModel, frozen=True): ...

    class RealtimeServiceConfig(RealtimeServiceProps, BaseModel, frozen=True): ...

    class WorkerConfig(WorkerServiceProps, BaseModel, frozen=True): ...

    class QueueConfig(MessageQueueProps, BaseModel, frozen=True): ...

    class AttachmentsConfig(AttachmentsBucketProps, BaseModel, frozen=True): ...

    class DatabaseConfig(DatabaseProps, BaseModel, frozen=True): ...

    class AlarmsConfig(AlarmsProps, BaseModel, frozen=True): ...

    class BackupConfig(BackupPlanProps, BaseModel, frozen=True): ...
else:
    NetworkConfig = environment_block(
        NetworkProps,
        "NetworkConfig",
        "`network { ... }`: the inputs of modules/network/props.py marked environment=True.",
    )
    DnsConfig = environment_block(DomainProps, "DnsConfig", "`dns { ... }`: see modules/dns/props.py.")
    LoadBalancerConfig = environment_block(
        LoadBalancerProps, "LoadBalancerConfig", "`load_balancer { ... }`: see modules/load_balancer/props.py."
    )
    WafConfig = environment_block(
        WebAclProps, "WafConfig", "`waf { ... }`: see modules/waf/props.py; both web ACLs (ALB and CloudFront) use it."
    )
    FrontendConfig = environment_block(
        FrontendProps, "FrontendConfig", "`frontend { ... }`: see modules/frontend/props.py."
    )

    ComputeConfig = environment_block(
        ComputeClusterProps, "ComputeConfig", "`compute { ... }`: the ECS cluster; see modules/compute/props.py."
    )
    ContainerRegistryConfig = environment_block(
        ContainerRepositoryProps,
        "ContainerRegistryConfig",
        "`container_registry { ... }`: every service's image repository; see modules/container_registry/props.py.",
    )
    RoutedServiceConfig = environment_block(
        RoutedServiceProps,
        "RoutedServiceConfig",
        "`api { ... }`: a Fargate service behind the load balancer; see modules/compute/props.py.",
    )
    RealtimeServiceConfig = environment_block(
        RealtimeServiceProps,
        "RealtimeServiceConfig",
        "`realtime { ... }`: the websocket service, routed like the API and scaled on connections per task too; "
        "see modules/compute/props.py.",
    )
    WorkerConfig = environment_block(
        WorkerServiceProps,
        "WorkerConfig",
        "`worker { ... }`: the Fargate service that consumes queues; see modules/compute/props.py.",
    )

    QueueConfig = environment_block(
        MessageQueueProps,
        "QueueConfig",
        "`push_queue { ... }` and `offline_queue { ... }`: an SQS queue and its DLQ; see modules/queues/props.py.",
    )
    AttachmentsConfig = environment_block(
        AttachmentsBucketProps, "AttachmentsConfig", "`attachments { ... }`: see modules/attachments/props.py."
    )
    DatabaseConfig = environment_block(
        DatabaseProps, "DatabaseConfig", "`database { ... }`: RDS PostgreSQL; see modules/database/props.py."
    )
    AlarmsConfig = environment_block(
        AlarmsProps,
        "AlarmsConfig",
        "`alarms { ... }`: the alarm topic's subscribers and every alarm threshold; "
        "see modules/observability/props.py.",
    )
    BackupConfig = environment_block(BackupPlanProps, "BackupConfig", "`backup { ... }`: see modules/backup/props.py.")

# Each module block of an environment file and the props it is derived from; their cross
# checks run once the whole file is valid, with what the stack supplies (`stack_inputs`).
MODULE_BLOCKS: dict[str, type] = {
    "network": NetworkProps,
    "dns": DomainProps,
    "load_balancer": LoadBalancerProps,
    "waf": WebAclProps,
    "frontend": FrontendProps,
    "compute": ComputeClusterProps,
    "container_registry": ContainerRepositoryProps,
    "api": RoutedServiceProps,
    "realtime": RealtimeServiceProps,
    "worker": WorkerServiceProps,
    "push_queue": MessageQueueProps,
    "offline_queue": MessageQueueProps,
    "attachments": AttachmentsBucketProps,
    "database": DatabaseProps,
    "backup": BackupPlanProps,
    "alarms": AlarmsProps,
    **VARIANT_BLOCK_PROPS,
}


def _egress_problems(config: EnvironmentConfig) -> list[tuple[str, str]]:
    """What the compute block needs from the network block: a way out to AWS services
    that have no interface endpoint in the network."""
    if config.network.nat_mode != "none":
        return []
    problems = []
    if config.compute.tracing_enabled:
        problems.append(
            (
                "compute.tracing_enabled",
                'expected false when network.nat_mode is "none" (the tracing collector reaches X-Ray and its '
                "public image through NAT), got true",
            )
        )
    if config.compute.exec_enabled and "ssmmessages" not in DEFAULT_INTERFACE_ENDPOINT_SERVICES:
        problems.append(
            (
                "compute.exec_enabled",
                'expected false when network.nat_mode is "none" (ECS Exec opens its channels through '
                "ssmmessages, which has no endpoint in the network), got true",
            )
        )
    return problems


class RemoteStateConfig(_Block):
    """`remote_state { ... }`: S3 backend, always encrypted, locked with a lock file."""

    bucket: Annotated[StrictStr, AfterValidator(_check_bucket)]
    key: Annotated[StrictStr, AfterValidator(_check_state_key)]
    region: Annotated[StrictStr, AfterValidator(check_region)] | None = None
    """Default: the environment's region."""
    use_lockfile: StrictBool = True
    """Default: S3 native locking (Terraform >= 1.10), no DynamoDB table needed."""
    kms_key_id: Annotated[StrictStr, AfterValidator(check_kms_key_arn)] | None = None
    """The state key's ARN, as `make bootstrap-state` prints it: the state is written with
    SSE-KMS under it. Default: none, and the backend asks for SSE-S3 (its `encrypt = true`
    sends that header, overriding the bucket's default key)."""


class EnvironmentConfig(_Block):
    """One environment: everything a stack needs, validated, immutable."""

    name: Annotated[StrictStr, AfterValidator(check_name), AfterValidator(_check_environment_name_length)]
    region: Annotated[StrictStr, AfterValidator(check_region)]
    account_id: Annotated[StrictStr, AfterValidator(check_account_id)] | None = None
    """Default: any account. When set, the provider refuses every other account."""
    deletion_protection: StrictBool = True
    """Default: on. Stateful modules read it; prod must keep it."""
    log_retention_days: RetentionDays = 90
    key_administrator_arns: Annotated[list[StrictStr], AfterValidator(check_key_administrator_arns)] | None = None
    """IAM roles that administer every customer-managed key of the stack (modules/common/keys.py);
    the role Terraform applies with must be one, or the next key-policy update is refused.
    Default: the account root, for administration actions only (this account's IAM policies
    decide who), and no deny guard rail."""
    tags: Annotated[
        dict[StrictStr, StrictStr], AfterValidator(lambda tags: check_tags(tags, reserved=STACK_TAG_KEYS))
    ] = Field(default_factory=dict)
    network: NetworkConfig
    dns: DnsConfig
    load_balancer: LoadBalancerConfig = Field(default_factory=LoadBalancerConfig)
    """Default: every key at its module default (300 s idle timeout, all traffic to blue)."""
    waf: WafConfig = Field(default_factory=WafConfig)
    """Default: every key at its module default (the rate limits of modules/waf/props.py)."""
    frontend: FrontendConfig = Field(default_factory=FrontendConfig)
    """Default: every key at its module default (PriceClass_100)."""
    compute: ComputeConfig = Field(default_factory=ComputeConfig)
    """Default: every key at its module default (one on-demand task per service, half the rest on Spot)."""
    container_registry: ContainerRegistryConfig = Field(default_factory=ContainerRegistryConfig)
    """Default: every key at its module default (keep the last 30 images)."""
    api: RoutedServiceConfig = Field(default_factory=RoutedServiceConfig)
    """The REST API behind /api/*. Default: every key at its module default (port 3000, /health)."""
    realtime: RealtimeServiceConfig = Field(default_factory=RealtimeServiceConfig)
    """The Socket.IO service behind /socket.io/*. Default: every key at its module default."""
    worker: WorkerConfig = Field(default_factory=WorkerConfig)
    """Default: every key at its module default (one to four tasks, scaling on CPU)."""
    push_queue: QueueConfig = Field(default_factory=QueueConfig)
    """Push notifications for offline users. Default: every key at its module default."""
    offline_queue: QueueConfig = Field(default_factory=QueueConfig)
    """Messages to deliver to users who were offline. Default: every key at its module default."""
    attachments: AttachmentsConfig = Field(default_factory=AttachmentsConfig)
    """Default: every key at its module default (noncurrent versions kept 30 days)."""
    cache_backend: CacheBackend = selector_values("cache_backend")[0]
    """Default: ElastiCache (modules/cache, the `managed_cache { }` block). "redis_cluster": a
    self-managed Redis Cluster on EC2 instead (modules/redis_cluster, the `redis_cluster { }` block)."""
    managed_cache: ManagedCacheConfig = Field(default_factory=ManagedCacheConfig)
    """Only with cache_backend = "elasticache". Default: every key at its module default (Valkey, one
    replica, automatic failover)."""
    redis_cluster: RedisClusterConfig | None = None
    """Only with cache_backend = "redis_cluster". Default: every key at its module default (3 shards with
    one replica each on t4g.small)."""
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    """Default: every key at its module default (PostgreSQL 18 on db.r6g.large, Multi-AZ, IAM-authenticated proxy)."""
    backup: BackupConfig = Field(default_factory=BackupConfig)
    """Default: every key at its module default (7 daily, 4 weekly, 3 monthly; compliance lock)."""
    alarms: AlarmsConfig = Field(default_factory=AlarmsConfig)
    """Default: nobody subscribed, every threshold at its module default."""
    remote_state: RemoteStateConfig | None = None
    messaging: Messaging = selector_values("messaging")[0]
    """Default: the SQS queues. "msk": Amazon MSK topics instead (modules/msk, the `msk { }` block);
    no queue is created."""
    msk: MskConfig | None = None
    """Only with messaging = "msk". Default: every key at its module default."""
    documentdb: DocumentDbConfig | None = None
    """Only with document_store = "documentdb". Default: every key at its module default."""
    document_store: DocumentStore = selector_values("document_store")[0]
    """Default: none. "dynamodb": the chat tables (modules/dynamodb), from the `dynamodb { }` block."""
    dynamodb: DynamoDbConfig | None = None
    """Only with document_store = "dynamodb". Default: every key at its module default (35 days of PITR)."""
    ingress: Ingress = selector_values("ingress")[0]
    """Default: the load balancer serves /api/* and /socket.io/*. "api_gateway": a WebSocket API
    (modules/websocket_api, the `websocket_api { }` block) serves the realtime service instead."""
    websocket_api: WebSocketApiConfig | None = None
    """Required with ingress = "api_gateway", refused otherwise."""

    @model_validator(mode="after")
    def _cross_field_rules(self) -> EnvironmentConfig:
        # Raised as ValueError with "key<TAB>message" lines; the loader splits it so
        # each problem is reported at its own key.
        problems = []
        supplied_problems: dict[str, str] = {}
        for props_class in MODULE_BLOCKS.values():
            for key, message in supplied_value_problems(props_class, self.stack_inputs):
                supplied_problems.setdefault(key, message)
        problems += [f"{key}\t{message}" for key, message in supplied_problems.items()]
        for block_name, props_class in MODULE_BLOCKS.items():
            block = getattr(self, block_name)
            if block is None:
                continue
            values = {**self.stack_inputs, **block_values(block)}
            problems += [f"{block_name}.{key}\t{message}" for key, message in cross_check_problems(props_class, values)]
        if not problems:
            # Across blocks, once each block is right on its own.
            problems += [f"{key}\t{message}" for key, message in _egress_problems(self)]
            # A block the file wrote (an explicit null, as a re-validated dump holds, is none).
            given_blocks = {name for name in self.model_fields_set if getattr(self, name) is not None}
            problems += [f"{key}\t{message}" for key, message in variant_problems(self, given_blocks)]
        if problems:
            raise ValueError("\n".join(problems))
        # Frozen all the way down: the tag mapping too.
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        return self

    def block(self, name: str) -> BaseModel:
        """A variant's `name { }` block (envconfig/variants.py); when the file leaves it out,
        every key at its module default."""
        given = getattr(self, name)
        if isinstance(given, BaseModel):  # a variant's block field holds its model or None
            return given
        block_model = BLOCK_VARIANTS[name].block_model
        if block_model is None:
            raise ValueError(f"{name}: expected the block of a variant with a block model, got none")
        return block_model()

    @property
    def variant_choices(self) -> dict[str, str]:
        """Each variant selector and the value this file chose."""
        return {selector: getattr(self, selector) for selector in SELECTORS}

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}{self.name}"

    @property
    def stack_inputs(self) -> dict[str, str | bool | None]:
        """What the stack gives every module's props beside the module's block."""
        return {
            "name": self.stack_name,
            "region": self.region,
            "account_id": self.account_id,
            "deletion_protection": self.deletion_protection,
        }

    @property
    def state_region(self) -> str | None:
        return None if self.remote_state is None else (self.remote_state.region or self.region)
