"""Pure decisions about Fargate task sizes and capacity (no cdktf): what AWS accepts, and
how an environment's spot share becomes a capacity-provider strategy."""

from __future__ import annotations

from math import gcd
from typing import Literal, get_args

from modules.common.validation import describe

Architecture = Literal["ARM64", "X86_64"]
ARCHITECTURES: tuple[str, ...] = get_args(Architecture)


def _steps(low: int, high: int, step: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1, step))


# Fargate's CPU units and the memory (MiB) each allows, from the ECS task-size table
# ("Task CPU and memory", Amazon ECS developer guide, Linux containers).
FARGATE_MEMORY_MIB: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}


def _mib_list(values: tuple[int, ...]) -> str:
    if len(values) <= 3:
        return ", ".join(str(value) for value in values)
    step = values[1] - values[0]
    return f"{values[0]} to {values[-1]} in steps of {step}"


def check_cpu(value: int) -> int:
    if value not in FARGATE_MEMORY_MIB:
        raise ValueError(f"expected one of Fargate's CPU sizes {list(FARGATE_MEMORY_MIB)}, got {describe(value)}")
    return value


def check_cpu_memory(cpu: int, memory_mib: int) -> None:
    allowed = FARGATE_MEMORY_MIB[cpu]
    if memory_mib not in allowed:
        raise ValueError(
            f"expected a memory size Fargate allows with {cpu} CPU units ({_mib_list(allowed)} MiB), "
            f"got {describe(memory_mib)}"
        )


def check_architecture_in_image(architecture: str, image_architectures: tuple[str, ...]) -> None:
    if architecture not in image_architectures:
        raise ValueError(
            f"expected an architecture the image is built for ({list(image_architectures)}: image_architectures), "
            f"got {describe(architecture)}"
        )


def check_image_architectures(values: tuple[str, ...]) -> tuple[str, ...]:
    values = tuple(values)
    bad = [value for value in values if value not in ARCHITECTURES]
    if not values or bad or len(set(values)) != len(values):
        raise ValueError(f"expected distinct architectures among {list(ARCHITECTURES)}, got {describe(values)}")
    return values


def check_min_max(min_tasks: int, max_tasks: int) -> None:
    if min_tasks > max_tasks:
        raise ValueError(f"expected at least min_tasks ({min_tasks}), got {max_tasks}")


def check_standby_max(standby_tasks: int, max_tasks: int) -> None:
    if standby_tasks > max_tasks:
        raise ValueError(f"expected at most max_tasks ({max_tasks}), got {standby_tasks}")


def capacity_weights(spot_percent: int) -> dict[str, int]:
    """Relative weights of FARGATE and FARGATE_SPOT for tasks above the on-demand base:
    75 % spot is {"FARGATE": 1, "FARGATE_SPOT": 3}. A provider with weight 0 is left out
    (ECS refuses a strategy whose weights are all 0)."""
    on_demand, spot = 100 - spot_percent, spot_percent
    divisor = gcd(on_demand, spot) or 1
    weights = {"FARGATE": on_demand // divisor, "FARGATE_SPOT": spot // divisor}
    return {provider: weight for provider, weight in weights.items() if weight}


# Open websocket connections one realtime task holds, from seed 004 (the ChatPop scaling
# guide, tasks of 0.5 vCPU / 1 GB): its medium scale serves 20,000 connections with 4
# tasks (5,000 each) and its large scale 250,000 with 25 tasks (10,000 each). The target
# is the medium figure, so a task tracked at it still has the large scale's packing,
# twice as many, as headroom for a reconnect storm while new tasks start.
SEED_004_CONNECTIONS_PER_TASK = 5_000
SEED_004_MAX_CONNECTIONS_PER_TASK = 10_000

# Where a realtime task publishes its open connections (the application contract): one
# gauge per task each minute, so the metric's Average over a service is connections per task.
CONNECTIONS_METRIC_NAME = "OpenConnections"


def connections_namespace(name: str, service: str) -> str:
    """The CloudWatch namespace a service's tasks publish their connections in, e.g.
    "chat-prod/realtime" (never "AWS/...", which CloudWatch reserves)."""
    return f"{name}/{service}"
