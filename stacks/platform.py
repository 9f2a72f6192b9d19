"""What the composition root hands every store builder, and the protocol a store answers it by.

`Platform` is built once the network and the services exist; a builder takes it (and
nothing else of the stack), creates its store in `platform.scope`, wires the services that
use it, and returns the store as a `Component`: the root then asks every component for its
backup targets and its alarms, in one loop each (stacks/chat_stack.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from constructs import Construct

from envconfig import EnvironmentConfig
from modules.backup.supported import BackupTarget
from modules.common.stack_context import StackContext
from modules.compute.service import FargateService
from modules.network.network import Network
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch

# Every environment runs these services (each has its block in the environment file).
SERVICES = ("api", "realtime", "worker")
# The worker's queues (environment-file block "<key>_queue") and their SQS names; the MSK
# variant keeps the same names as topics.
QUEUES = {"push": "push-notifications", "offline": "offline-messages"}


class Component(Protocol):
    """A store as the composition root sees it: what AWS Backup must protect of it, and
    what CloudWatch must watch (`thresholds`: the environment's `alarms { }` block)."""

    def backup_targets(self) -> tuple[BackupTarget, ...]: ...

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]: ...


@dataclass(frozen=True)
class Platform:
    """What a store builder may use: the stack to create in, the validated environment, the
    stack's context, the network, the services by name, and, for a store that makes alarms of its own, the alarm
    topic and the thresholds (the `alarms { }` block) every alarm of the stack uses."""

    scope: Construct
    config: EnvironmentConfig
    context: StackContext
    """The stack's partition and its one account lookup, which every module's props take."""
    network: Network
    services: Mapping[str, FargateService]
    alarm_topic_arn: str
    alarm_thresholds: AlarmsProps

    @property
    def stack_inputs(self) -> dict[str, object]:
        return module_inputs(self.config, self.context)


def module_inputs(config: EnvironmentConfig, context: StackContext) -> dict[str, object]:
    """What every module's props get beside the module's block: the environment's name,
    region, account and deletion protection, and the stack's context."""
    return {**config.stack_inputs, "context": context}
