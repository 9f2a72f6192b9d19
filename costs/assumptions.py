"""Usage assumptions (costs/usage-assumptions.toml): what traffic-dependent prices are multiplied by.

The file has a `[default]` table holding every key, and overrides under
`[environment.<name>]` (the stack's `environment` tag: dev, staging, prod, ...) and
`[stack."<stack name>"]`, applied in that order. A key is either a number or, where one
resource type has members that differ (log groups, buckets, queues), a table of
glob patterns over the resource's name in the stack (`"*flow_log*" = 60`): the most
specific pattern that matches wins (the one with the most characters that are not
wildcards), and `[default]` must hold a `"*"` so every resource gets a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from costs.prices import read_toml
from costs.problems import InputError, describe, is_number

DEFAULT_ASSUMPTIONS = Path(__file__).resolve().parent / "usage-assumptions.toml"

Kind = Literal["number", "by-name"]
NUMBER: Kind = "number"
BY_NAME: Kind = "by-name"
CATCH_ALL = "*"

# Every key the estimate reads; its meaning, unit and reasons live in the TOML file beside it.
SCHEMA: dict[str, dict[str, Kind]] = {
    "nat_gateway": {"data_processed_gb_per_month": NUMBER},
    "load_balancer": {
        "application_average_lcu": NUMBER,
        "network_average_lcu": NUMBER,
        "public_ipv4_per_subnet": NUMBER,
        "internet_egress_gb_per_month": NUMBER,
    },
    "vpc_endpoint": {"data_processed_gb_per_month": BY_NAME},
    "waf": {"requests_millions_per_month": BY_NAME},
    "cloudfront": {"data_transfer_gb_per_month": NUMBER, "https_requests_millions_per_month": NUMBER},
    "logs": {"ingest_gb_per_month": BY_NAME, "storage_horizon_months": NUMBER, "stored_fraction_of_ingested": NUMBER},
    "container_insights": {
        "metrics_per_cluster": NUMBER,
        "metrics_per_service": NUMBER,
        "metrics_per_task_family": NUMBER,
        "performance_log_gb_per_task_month": NUMBER,
    },
    "rds": {"enhanced_monitoring_kb_per_sample": NUMBER},
    "s3": {
        "storage_gb": BY_NAME,
        "thousand_put_requests_per_month": BY_NAME,
        "thousand_get_requests_per_month": BY_NAME,
        "internet_egress_gb_per_month": BY_NAME,
    },
    "api_gateway": {
        "websocket_messages_millions_per_month": NUMBER,
        "websocket_connection_minutes_millions_per_month": NUMBER,
        "rest_requests_millions_per_month": NUMBER,
        "http_requests_millions_per_month": NUMBER,
    },
    "sqs": {"requests_millions_per_month": BY_NAME},
    "dynamodb": {
        "on_demand_writes_millions_per_month": BY_NAME,
        "on_demand_reads_millions_per_month": BY_NAME,
        "storage_gb": BY_NAME,
    },
    "documentdb": {"storage_gb": NUMBER, "io_millions_per_month": NUMBER, "backup_gb_beyond_free": NUMBER},
    "msk": {
        "per_broker_level_metrics": NUMBER,
        "per_topic_per_broker_level_metrics": NUMBER,
        "per_topic_per_partition_level_metrics": NUMBER,
    },
    "elasticache": {"serverless_data_gb": NUMBER, "serverless_ecpu_millions_per_month": NUMBER},
    "backup": {"rds_gb": NUMBER, "s3_gb": NUMBER, "ebs_gb": NUMBER, "dynamodb_gb": NUMBER, "documentdb_gb": NUMBER},
    "ecr": {"storage_gb": BY_NAME},
    "kms": {"requests_millions_per_key_per_month": NUMBER},
    "secrets_manager": {"api_calls_millions_per_secret_per_month": NUMBER},
    "ec2": {"root_volume_gb_when_unspecified": NUMBER},
    "route53": {"queries_millions_per_zone_per_month": NUMBER},
}
OVERRIDE_TABLES = ("environment", "stack")


@dataclass(frozen=True)
class Setting:
    value: float
    origin: str  # "default", "environment.prod" or 'stack."chat-prod"'


@dataclass(frozen=True)
class UsedAssumption:
    key: str  # "logs.ingest_gb_per_month" or 'logs.ingest_gb_per_month["*flow_log*"]'
    value: float
    origin: str


@dataclass(frozen=True)
class AssumptionFile:
    path: Path
    default: dict[str, dict[str, Any]]
    environments: dict[str, dict[str, dict[str, Any]]]
    stacks: dict[str, dict[str, dict[str, Any]]]

    def for_stack(self, stack: str, environment: str) -> StackAssumptions:
        """The merged assumptions one stack is priced with."""
        layers = [("default", self.default)]
        if environment in self.environments:
            layers.append((f"environment.{environment}", self.environments[environment]))
        if stack in self.stacks:
            layers.append((f'stack."{stack}"', self.stacks[stack]))
        merged: dict[str, dict[str, Any]] = {section: {} for section in SCHEMA}
        for origin, layer in layers:
            for section, keys in layer.items():
                for key, value in keys.items():
                    if SCHEMA[section][key] == NUMBER:
                        merged[section][key] = Setting(float(value), origin)
                    else:
                        patterns = merged[section].setdefault(key, {})
                        patterns.update({pattern: Setting(float(v), origin) for pattern, v in value.items()})
        return StackAssumptions(path=self.path, settings=merged)


@dataclass
class StackAssumptions:
    path: Path
    settings: dict[str, dict[str, Any]]
    used: dict[str, UsedAssumption] = field(default_factory=dict)

    def number(self, section: str, key: str) -> float:
        setting: Setting = self.settings[section][key]
        name = f"{section}.{key}"
        self.used[name] = UsedAssumption(name, setting.value, setting.origin)
        return setting.value

    def by_name(self, section: str, key: str, resource_name: str) -> float:
        patterns: dict[str, Setting] = self.settings[section][key]
        pattern = most_specific_match(resource_name, patterns)
        setting = patterns[pattern]
        name = f'{section}.{key}["{pattern}"]'
        self.used[name] = UsedAssumption(name, setting.value, setting.origin)
        return setting.value

    def used_sorted(self) -> list[UsedAssumption]:
        return [self.used[name] for name in sorted(self.used)]


def most_specific_match(name: str, patterns: dict[str, Any]) -> str:
    """The matching pattern with the most literal (non-wildcard) characters; "*" always matches."""
    matches = [pattern for pattern in patterns if fnmatchcase(name, pattern)]
    return max(matches, key=lambda pattern: (len(pattern.replace("*", "").replace("?", "")), pattern))


def load_assumptions(path: Path) -> AssumptionFile:
    """Read and check the assumptions file; raise InputError listing every problem."""
    document = read_toml(path)
    problems = [
        f'{path}: {key}: unknown table (expected default, environment.<name>, stack."<stack>")'
        for key in document
        if key not in ("default", *OVERRIDE_TABLES)
    ]
    default = document.get("default")
    if not isinstance(default, dict):
        problems.append(f"{path}: [default]: expected a table holding every assumption, got {describe(default)}")
        default = {}
    problems.extend(_layer_problems(path, "default", default, complete=True))
    overrides: dict[str, dict[str, Any]] = {}
    for table in OVERRIDE_TABLES:
        value = document.get(table, {})
        if not isinstance(value, dict):
            problems.append(f"{path}: [{table}]: expected a table of {table} names, got {describe(value)}")
            value = {}
        overrides[table] = value
        for name, layer in value.items():
            where = f"{table}.{name}" if table == "environment" else f'{table}."{name}"'
            if not isinstance(layer, dict):
                problems.append(f"{path}: {where}: expected a table of sections, got {describe(layer)}")
                continue
            problems.extend(_layer_problems(path, where, layer, complete=False))
    if problems:
        raise InputError(problems)
    return AssumptionFile(path, default, overrides["environment"], overrides["stack"])


def _layer_problems(path: Path, where: str, layer: dict[str, Any], *, complete: bool) -> list[str]:
    problems = []
    for section, keys in layer.items():
        if section not in SCHEMA:
            problems.append(f"{path}: {where}.{section}: unknown section (expected one of {', '.join(sorted(SCHEMA))})")
        elif not isinstance(keys, dict):
            problems.append(f"{path}: {where}.{section}: expected a table, got {describe(keys)}")
        else:
            for key, value in keys.items():
                problems.extend(_value_problems(path, f"{where}.{section}", section, key, value, complete))
    if complete:
        for section, keys in SCHEMA.items():
            for key in keys:
                if not isinstance(layer.get(section), dict) or key not in layer[section]:
                    problems.append(f"{path}: {where}.{section}.{key}: required key is missing")
    return problems


def _value_problems(path: Path, where: str, section: str, key: str, value: Any, complete: bool) -> list[str]:
    kind = SCHEMA[section].get(key)
    if kind is None:
        return [f"{path}: {where}.{key}: unknown key (expected one of {', '.join(sorted(SCHEMA[section]))})"]
    if kind == NUMBER:
        if is_number(value) and value >= 0:
            return []
        return [f"{path}: {where}.{key}: expected a number >= 0, got {describe(value)}"]
    if not isinstance(value, dict):
        return [f'{path}: {where}.{key}: expected a table of name patterns ("*" = 1), got {describe(value)}']
    problems = [
        f'{path}: {where}.{key}."{pattern}": expected a number >= 0, got {describe(number)}'
        for pattern, number in value.items()
        if not (is_number(number) and number >= 0)
    ]
    if complete and CATCH_ALL not in value:
        problems.append(f'{path}: {where}.{key}: needs a "*" pattern, the value for every other resource')
    return problems
