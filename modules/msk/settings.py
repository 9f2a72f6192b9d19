"""Pure decisions of the MSK module: Kafka versions, broker placement, server properties,
topic and group names (no cdktf here; the environment layer imports it to validate files).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from modules.common.validation import describe

# KRaft versions MSK offers for provisioned Standard brokers ("Supported Apache Kafka
# versions", MSK developer guide; KRaft from 3.7.x, chosen at creation and never switched
# afterwards). ZooKeeper versions are left out on purpose: ZooKeeper mode ends with Kafka
# 3.9 (Kafka 4 is KRaft only) and a cluster cannot move from it to KRaft in place.
KAFKA_VERSIONS: tuple[str, ...] = ("3.7.x.kraft", "3.8.x.kraft", "3.9.x.kraft", "4.0.x.kraft", "4.1.x.kraft")
# 3.8.x is the version MSK marks "Recommended"; in KRaft mode the controllers run inside
# the cluster at no charge and hold more partitions per cluster than ZooKeeper. 3.x keeps
# the older client protocol versions that Kafka 4.0 removed (KIP-896), which some Node.js
# clients (KafkaJS) still use; pick 4.x once the services' client speaks it.
DEFAULT_KAFKA_VERSION = "3.8.x.kraft"

# MSK places brokers in two or three AZs (CreateCluster: 2 or 3 client subnets, one per AZ).
MIN_AZS = 2
MAX_AZS = 3
# MSK's default quota of brokers per cluster ("Amazon MSK quota"; raised on request).
MAX_BROKERS = 30

# The replication MSK and Kafka recommend for durable topics: three copies, and a write
# acknowledged (acks=all) once two have it, so one broker (or AZ) down loses no
# acknowledged write and still accepts writes.
TARGET_REPLICATION_FACTOR = 3
TARGET_MIN_INSYNC_REPLICAS = 2

# Kafka topic and consumer-group names: letters, digits, '.', '_' and '-', at most 249
# characters (Kafka's Topic.validate). No '*': a grant names exact topics and groups.
_KAFKA_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def check_broker_count_per_az(broker_count: int, az_count: int) -> None:
    """MSK spreads brokers evenly: the count must be a multiple of the AZs."""
    if broker_count % az_count:
        raise ValueError(
            f"expected a multiple of the {az_count} availability zones (MSK places the same number of "
            f"brokers in each), got {broker_count}"
        )


def check_az_count(az_count: int) -> None:
    if not MIN_AZS <= az_count <= MAX_AZS:
        raise ValueError(
            f"expected {MIN_AZS} or {MAX_AZS} subnets, one per availability zone (MSK places brokers in two "
            f"or three AZs), got {az_count}"
        )


def replication_factor(broker_count: int) -> int:
    """Copies of each partition: three, or every broker of a smaller cluster."""
    return min(TARGET_REPLICATION_FACTOR, broker_count)


def min_insync_replicas(broker_count: int) -> int:
    """Copies a write needs: two, but always one fewer than the copies (never all of them,
    or one broker's patching would stop every write), and at least one."""
    return max(1, min(TARGET_MIN_INSYNC_REPLICAS, replication_factor(broker_count) - 1))


def server_properties(*, broker_count: int, default_partitions: int, retention_hours: int) -> dict[str, str]:
    """The cluster configuration's server properties, in the order they are written."""
    factor = str(replication_factor(broker_count))
    min_isr = str(min_insync_replicas(broker_count))
    return {
        # Topics exist because someone created them on purpose (with their partitions and
        # retention): a typo in a producer's topic name fails instead of creating a topic.
        "auto.create.topics.enable": "false",
        "default.replication.factor": factor,
        "min.insync.replicas": min_isr,
        # Kafka's internal topics (consumer offsets, transactions) as durable as the data.
        "offsets.topic.replication.factor": factor,
        "transaction.state.log.replication.factor": factor,
        "transaction.state.log.min.isr": min_isr,
        # Never elect a replica that missed writes: an outage instead of silent data loss.
        "unclean.leader.election.enable": "false",
        "num.partitions": str(default_partitions),
        "log.retention.hours": str(retention_hours),
    }


def render_server_properties(properties: dict[str, str]) -> str:
    """The properties file MSK takes ("key=value" lines)."""
    return "".join(f"{key}={value}\n" for key, value in properties.items())


def check_kafka_names(kind: str, names: Iterable[str]) -> tuple[str, ...]:
    """Exact Kafka topic or group names (no wildcard), at least one, each once."""
    names = tuple(names)
    bad = [name for name in names if not isinstance(name, str) or not _KAFKA_NAME_RE.fullmatch(name)]
    if not names or bad or len(set(names)) != len(names):
        raise ValueError(
            f"expected one or more distinct {kind} names of letters, digits, '.', '_' and '-' (at most 249, "
            f"no wildcard), got {describe(list(names))}"
        )
    return names
