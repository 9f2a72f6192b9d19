"""What each DocumentDB instance class allows (pure Python): its connection limit."""

from __future__ import annotations

# Amazon DocumentDB's connection limit per instance, by class size (the "Instance limits"
# table of the DocumentDB developer guide; the same for every family of a size, and 30,000
# from 8xlarge up).
DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE = {"medium": 500, "large": 1700, "xlarge": 3500, "2xlarge": 7000, "4xlarge": 14000}
DOCUMENTDB_MAX_CONNECTIONS_LARGEST = 30_000
_DOCUMENTDB_LARGEST_SIZES = ("8xlarge", "12xlarge", "16xlarge", "24xlarge")


def documentdb_max_connections(instance_class: str) -> int:
    """The connection limit of a DocumentDB instance class such as "db.r6g.large"."""
    size = instance_class.rsplit(".", 1)[-1]
    if size in DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE:
        return DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE[size]
    if size in _DOCUMENTDB_LARGEST_SIZES:
        return DOCUMENTDB_MAX_CONNECTIONS_LARGEST
    known = ", ".join([*DOCUMENTDB_MAX_CONNECTIONS_BY_SIZE, *_DOCUMENTDB_LARGEST_SIZES])
    raise ValueError(f'instance_class: expected a DocumentDB size of {known}, got "{instance_class}"')
