"""The three chat tables' key schemas, indexes and TTL attributes: pure data, no cdktf.

The application reads and writes these attribute names, so they are part of the module's
contract (README: Tables); renaming a key attribute replaces the table.

- messages: one partition per room, items sorted by a time-ordered message id (a ULID, or
  "<epoch ms>#<random id>"): a room's history is one Query (ScanIndexForward=false for the
  newest first, Limit for a page), and two messages written in the same millisecond never
  collide. A hot room is bounded by DynamoDB's per-partition limit (1,000 writes/s, 3,000
  reads/s: "Partitions and data distribution" in the DynamoDB guide), far above one chat
  room's rate.
- connections: one item per WebSocket connection, keyed by API Gateway's connection id;
  the user-id index answers "which connections does this user have" (KEYS_ONLY: the
  connection ids are all a fan-out needs, and the smallest projection costs least). A row
  expires through TTL when $disconnect never arrived (API Gateway closes a connection after
  2 hours at most, so the service writes expires_at = connect time + 2 h).
- user-counter: one item per counter, incremented atomically (UpdateItem ADD) to hand out
  numeric user ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableIndex:
    """A global secondary index: its name, partition key, and what it projects."""

    name: str
    partition_key: str
    projection_type: str = "KEYS_ONLY"


@dataclass(frozen=True)
class TableSchema:
    """One table: `<stack name>-<suffix>`, its string keys, TTL attribute and indexes."""

    key: str
    """Short name: construct ID, attribute prefix and Sid part ("messages")."""
    suffix: str
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[TableIndex, ...] = ()

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """Every attribute a key names (DynamoDB wants exactly these declared)."""
        names = [self.partition_key, *([self.sort_key] if self.sort_key else [])]
        names += [index.partition_key for index in self.indexes]
        return tuple(dict.fromkeys(names))


MESSAGES = TableSchema(key="messages", suffix="messages", partition_key="room_id", sort_key="message_id")
CONNECTIONS_BY_USER_INDEX = "user_id-index"
CONNECTIONS = TableSchema(
    key="connections",
    suffix="connections",
    partition_key="connection_id",
    ttl_attribute="expires_at",
    indexes=(TableIndex(name=CONNECTIONS_BY_USER_INDEX, partition_key="user_id"),),
)
USER_COUNTER = TableSchema(key="user_counter", suffix="user-counter", partition_key="counter_name")

TABLES: tuple[TableSchema, ...] = (MESSAGES, CONNECTIONS, USER_COUNTER)
TABLE_KEYS: tuple[str, ...] = tuple(table.key for table in TABLES)


def check_table_keys(values: tuple[str, ...]) -> tuple[str, ...]:
    """A non-empty selection of distinct table keys (for `grant_read_write(..., tables=...)`)."""
    values = tuple(values)
    unknown = [value for value in values if value not in TABLE_KEYS]
    if not values or unknown or len(set(values)) != len(values):
        raise ValueError(f"expected one or more distinct tables of {list(TABLE_KEYS)!r}, got {list(values)!r}")
    return values
