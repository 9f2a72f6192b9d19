"""What an environment file may name that AWS (or this project) knows only as a list: instance
classes per engine, regions, and how many tags a resource can carry.

Instance classes: one catalogue per engine, read from the price table the cost estimate uses
(costs/prices, DEFAULT_PRICES): the classes priced in every region of the table. A class that
validates is then always priced, and a typo (`db.r6g.lage`) or a class nobody priced
(`db.r8g.large`) is refused at load, not at apply or in the cost report. To allow a class,
price it in every region of the table.

Regions: the AWS commercial regions (partition `aws`; GovCloud and China are other
partitions, with other endpoints and ARNs, and are not supported). Wider than the price
table on purpose: a region the table does not price is a cost-report error, not a typo.

Tags: AWS allows 50 user tags per resource (tags whose key starts with `aws:` do not count).
The provider's default tags and a resource's own tags are merged on every resource, so the
file's tags share the 50 with the stack's default tags (stacks/chat_stack.py `_default_tags`)
and the tags the modules set on a resource themselves (RESOURCE_TAG_KEYS).

These checks read the parsed file (plain data), so they are reported with every other problem
of the file at once; the loader runs them (envconfig/loader.py).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from costs.prices import DEFAULT_PRICES
from envconfig.schema import STACK_TAG_KEYS
from modules.common.validation import describe

# engine -> (what it is called, (section, table) of the price table's regions)
ENGINES: dict[str, tuple[str, tuple[str, str]]] = {
    "rds_postgres": ("an RDS for PostgreSQL instance class", ("rds", "postgres_instance_hourly")),
    "elasticache": ("an ElastiCache node type", ("elasticache", "node_hourly")),
    "msk": ("an MSK broker type", ("msk", "broker_hourly")),
    "documentdb": ("a DocumentDB instance class", ("documentdb", "instance_hourly")),
    "ec2": ("an EC2 instance type", ("ec2", "instance_hourly")),
}

# (block, key, engine): every instance class or type an environment file can set.
INSTANCE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("database", "instance_class", "rds_postgres"),
    ("database", "replica_instance_class", "rds_postgres"),
    ("managed_cache", "node_type", "elasticache"),
    ("msk", "broker_instance_type", "msk"),
    ("documentdb", "instance_class", "documentdb"),
    ("redis_cluster", "instance_type", "ec2"),
)

# The AWS commercial regions (partition "aws"), from botocore's endpoints.json
# (tests/test_config.py compares the two).
AWS_COMMERCIAL_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)

# AWS's limit of user tags on one resource (Tagging AWS resources: "Maximum tags per resource 50").
MAX_TAGS_PER_RESOURCE = 50
# Tag keys the modules set on a resource themselves, besides the default tags: "Name" (most
# resources), "DeletionProtection" (modules/documentdb), "InternetFacing"
# (modules/security_groups) and "RedisCluster" (modules/redis_cluster). tests/test_config.py
# finds every literal tag key in modules/ and stacks/ and fails when one is missing here.
RESOURCE_TAG_KEYS: tuple[str, ...] = ("Name", "DeletionProtection", "InternetFacing", "RedisCluster")


@cache
def priced_classes(engine: str, prices: Path = DEFAULT_PRICES) -> tuple[str, ...]:
    """The classes of `engine` the price table prices in every one of its regions, sorted."""
    section, table = ENGINES[engine][1]
    with prices.open("rb") as handle:
        regions = tomllib.load(handle)["regions"]
    sets = [set(r.get(section, {}).get(table, {})) for r in regions.values()]
    return tuple(sorted(set.intersection(*sets))) if sets else ()


def check_instance(engine: str, value: str) -> str | None:
    """The problem with an instance class for `engine`, or None when the price table prices it."""
    known = priced_classes(engine)
    if value in known:
        return None
    what = ENGINES[engine][0]
    close = difflib.get_close_matches(value, known, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return (
        f"expected {what} that the cost table prices ({DEFAULT_PRICES.name}: {', '.join(known)}), "
        f"got {describe(value)}{hint}; to use another, price it in every region of that table"
    )


def check_commercial_region(value: str) -> str | None:
    if value in AWS_COMMERCIAL_REGIONS:
        return None
    close = difflib.get_close_matches(value, AWS_COMMERCIAL_REGIONS, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return (
        "expected one of the AWS commercial regions (partition aws; GovCloud and China are not supported): "
        f"{', '.join(AWS_COMMERCIAL_REGIONS)}; got {describe(value)}{hint}"
    )


def tag_budget() -> int:
    """How many tags an environment file may set: what the stack and the modules leave of AWS's 50."""
    return MAX_TAGS_PER_RESOURCE - len(set(STACK_TAG_KEYS) | set(RESOURCE_TAG_KEYS))


def check_tag_count(tags: Mapping[str, Any]) -> str | None:
    own = [key for key in tags if not str(key).lower().startswith("aws:")]
    total = len(set(own) | set(STACK_TAG_KEYS) | set(RESOURCE_TAG_KEYS))
    if total <= MAX_TAGS_PER_RESOURCE:
        return None
    return (
        f"expected at most {tag_budget()} tags (AWS allows {MAX_TAGS_PER_RESOURCE} per resource; the stack adds "
        f"{', '.join(STACK_TAG_KEYS)} and the modules add up to {len(RESOURCE_TAG_KEYS)} of their own: "
        f"{', '.join(RESOURCE_TAG_KEYS)}), got {len(own)}, which makes {total} on a resource"
    )


# Services the load balancer routes (stacks/chat_stack.py routed_services); weights for any
# other service would fail while building the stack.
ROUTED_SERVICES: tuple[str, ...] = ("api", "realtime")


def _block(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    return value if isinstance(value, Mapping) else {}


def catalogue_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every value of a parsed file that none of the lists above holds."""
    problems = []
    for block, key, engine in INSTANCE_KEYS:
        value = _block(data, block).get(key)
        if isinstance(value, str) and (message := check_instance(engine, value)):
            problems.append((f"{block}.{key}", message))
    for key, value in (
        ("region", data.get("region")),
        ("remote_state.region", _block(data, "remote_state").get("region")),
        ("backup.copy_region", _block(data, "backup").get("copy_region")),
    ):
        if isinstance(value, str) and (message := check_commercial_region(value)):
            problems.append((key, message))
    tags = data.get("tags")
    if isinstance(tags, Mapping) and (message := check_tag_count(tags)):
        problems.append(("tags", message))
    weights = _block(data, "load_balancer").get("weights")
    if isinstance(weights, Mapping):
        unknown = sorted(str(service) for service in weights if service not in ROUTED_SERVICES)
        if unknown:
            problems.append(
                (
                    "load_balancer.weights",
                    f"expected weights only for the services the load balancer routes ({', '.join(ROUTED_SERVICES)}; "
                    f"the worker has no port and nothing routes to it), got weights for {', '.join(unknown)}",
                )
            )
    return problems
