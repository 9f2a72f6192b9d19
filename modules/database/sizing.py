"""What each instance class has, and the PostgreSQL parameters derived from it (pure Python).

RDS only knows a class by name; the memory each class has is written here once, for the
classes this module allows (memory per class: the AWS "DB instance classes" hardware
specification table). Every memory setting of the parameter group is derived from that
figure, in the unit RDS expects for the parameter, so changing the class re-tunes the
group, and the synthesized JSON shows the literal values a reviewer can check:

    parameter              unit in RDS   rule
    shared_buffers         8 KiB pages   25% of memory (PostgreSQL's own starting advice; RDS's
                                         default formula {DBInstanceClassMemory/32768} is also 25%)
    effective_cache_size   8 KiB pages   75%: the planner's guess of shared buffers + OS page cache
    maintenance_work_mem   KiB           1/16 of memory, 64 MiB to 2 GiB (VACUUM, CREATE INDEX)
    work_mem               KiB           memory / 512, 4 MiB to 64 MiB: RDS's default connection
                                         limit is about 112 per GiB ({DBInstanceClassMemory/9531392}),
                                         so every connection sorting at once uses ~22% of memory
    max_wal_size           MB            1/20 of the allocated storage, 2 GiB (RDS's default) to 8 GiB
    min_wal_size           MB            a quarter of max_wal_size

max_connections is left to RDS's formula, which uses the memory actually left after the
OS and RDS's agents (less than the class's nominal figure used above).
"""

from __future__ import annotations

from dataclasses import dataclass

KIB_PER_GIB = 1024 * 1024
PAGE_KIB = 8  # PostgreSQL's block size: shared_buffers and effective_cache_size count 8 KiB pages

# Sizes of the general-purpose (m) and burstable (t) classes: memory in GiB. Memory-optimized
# (r) classes have twice the m figure at every size.
_M_SIZES = {
    "large": 8,
    "xlarge": 16,
    "2xlarge": 32,
    "4xlarge": 64,
    "8xlarge": 128,
    "12xlarge": 192,
    "16xlarge": 256,
}
_T_SIZES = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}

# Graviton (g) classes of three generations, and the Intel burstable db.t3 the seeds name.
# Graviton costs ~10% less than the Intel class of the same size (db.t4g.micro
# $0.016/h against db.t3.micro $0.018/h, us-east-1 list prices), so db.t4g is the
# default burstable family; db.t3 is kept for accounts that already reserve it.
INSTANCE_CLASS_MEMORY_GIB: dict[str, int] = {
    **{f"db.t4g.{size}": gib for size, gib in _T_SIZES.items()},
    **{f"db.t3.{size}": gib for size, gib in _T_SIZES.items()},
    **{f"db.{family}.{size}": gib for family in ("m6g", "m7g", "m8g") for size, gib in _M_SIZES.items()},
    **{f"db.{family}.{size}": 2 * gib for family in ("r6g", "r7g", "r8g") for size, gib in _M_SIZES.items()},
}

MIN_MAINTENANCE_WORK_MEM_KIB = 64 * 1024
MAX_MAINTENANCE_WORK_MEM_KIB = 2 * KIB_PER_GIB
MIN_WORK_MEM_KIB = 4 * 1024  # PostgreSQL's and RDS's default
MAX_WORK_MEM_KIB = 64 * 1024
# RDS for PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)
# (the "Maximum number of database connections" table of the RDS user guide).
POSTGRES_BYTES_PER_CONNECTION = 9_531_392
POSTGRES_MAX_CONNECTIONS = 5_000
MIN_MAX_WAL_SIZE_MB = 2048  # RDS for PostgreSQL's default max_wal_size
MAX_MAX_WAL_SIZE_MB = 8192


def memory_gib(instance_class: str) -> int:
    """The class's memory, or ValueError naming the classes this module sizes."""
    try:
        return INSTANCE_CLASS_MEMORY_GIB[instance_class]
    except KeyError:
        allowed = ", ".join(INSTANCE_CLASS_MEMORY_GIB)
        raise ValueError(
            f"expected an RDS for PostgreSQL instance class this module sizes ({allowed}), got {instance_class!r}"
        ) from None


def postgres_max_connections(memory_gib: float) -> int:
    """RDS's default max_connections for a class with `memory_gib` of memory. RDS divides the
    memory left after the OS's share (DBInstanceClassMemory), a little less than the class's:
    the estimate is a few percent high, so the alarm fires a little late rather than early."""
    return min(int(memory_gib * KIB_PER_GIB * 1024) // POSTGRES_BYTES_PER_CONNECTION, POSTGRES_MAX_CONNECTIONS)


@dataclass(frozen=True)
class Parameter:
    """One parameter of the group, as RDS takes it: a string value in the parameter's own unit."""

    name: str
    value: str
    # Static parameters (shared memory) only change on a restart; RDS refuses "immediate" for them.
    apply_method: str = "immediate"


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def memory_parameters(instance_class: str) -> tuple[Parameter, ...]:
    gib = memory_gib(instance_class)
    total_kib = gib * KIB_PER_GIB
    return (
        Parameter("shared_buffers", str(total_kib // 4 // PAGE_KIB), "pending-reboot"),
        Parameter("effective_cache_size", str(total_kib * 3 // 4 // PAGE_KIB)),
        Parameter(
            "maintenance_work_mem",
            str(_clamp(total_kib // 16, MIN_MAINTENANCE_WORK_MEM_KIB, MAX_MAINTENANCE_WORK_MEM_KIB)),
        ),
        Parameter("work_mem", str(_clamp(total_kib // 512, MIN_WORK_MEM_KIB, MAX_WORK_MEM_KIB))),
    )


def wal_parameters(allocated_storage_gib: int) -> tuple[Parameter, ...]:
    # More WAL between checkpoints means fewer full-page images for the same writes; it
    # is disk taken from the data, so it follows the volume's size.
    max_wal_mb = _clamp(allocated_storage_gib * 1024 // 20, MIN_MAX_WAL_SIZE_MB, MAX_MAX_WAL_SIZE_MB)
    return (
        Parameter("max_wal_size", str(max_wal_mb)),
        Parameter("min_wal_size", str(max_wal_mb // 4)),
        # PostgreSQL's default since 14, written out so the tuning reads in one place:
        # checkpoint writes spread over 90% of the interval instead of bursting.
        Parameter("checkpoint_completion_target", "0.9"),
        # Not raised: a Multi-AZ failover replays the WAL written since the last
        # checkpoint, so a longer interval makes every failover longer.
        Parameter("checkpoint_timeout", "300"),
    )


def connection_logging(engine_version: str) -> Parameter:
    # PostgreSQL 18 made log_connections a list of the stages to log; these three are what
    # "on" logged before (the boolean spellings remain only for compatibility).
    if int(engine_version) >= 18:
        return Parameter("log_connections", "receipt,authentication,authorization")
    return Parameter("log_connections", "1")


def chat_parameters(
    *, instance_class: str, allocated_storage_gib: int, engine_version: str, slow_query_ms: int
) -> tuple[Parameter, ...]:
    """Every parameter of the group, sorted by name (the order RDS lists them in)."""
    parameters = (
        *memory_parameters(instance_class),
        *wal_parameters(allocated_storage_gib),
        # Every connection must use TLS; the gate's CKV_CHAT_12 holds every group to it.
        Parameter("rds.force_ssl", "1"),
        # gp3 is SSD: a random page costs about what a sequential one does (4.0 assumes disks).
        Parameter("random_page_cost", "1.1"),
        Parameter("effective_io_concurrency", "200"),
        connection_logging(engine_version),
        Parameter("log_disconnections", "1"),
        Parameter("log_min_duration_statement", str(slow_query_ms)),
        # Schema changes are rare and worth an audit line each; ordinary statements are not logged.
        Parameter("log_statement", "ddl"),
        Parameter("log_lock_waits", "1"),
        # A session left idle inside a transaction holds its locks and, behind RDS Proxy, pins
        # a database connection that many short chat requests would otherwise share.
        Parameter("idle_in_transaction_session_timeout", "60000"),
    )
    return tuple(sorted(parameters, key=lambda parameter: parameter.name))
