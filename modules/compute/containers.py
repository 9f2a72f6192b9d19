"""The container definition of a service's task, as a pure function (no cdktf).

ECS takes container definitions as one JSON string, which checkov cannot inspect; the
module's tests parse it back and assert on what is here: a non-root user, a read-only
root filesystem, no privilege escalation, secrets by ARN only, logs to the service's
group, the port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The image's non-root user: uid/gid 1000 is "node" in the official Node images and the
# conventional app user in Python images. Never 0: a container escape then starts as root.
CONTAINER_USER = "1000:1000"

# Writable scratch space on the task's ephemeral storage, since the root filesystem is
# read-only: /tmp for the runtimes (Node, Django uploads).
SCRATCH_VOLUMES: dict[str, str] = {"tmp": "/tmp"}
# ECS Exec's SSM agent writes its state and logs here; without writable mounts it cannot
# start in a read-only container (aws/containers-roadmap#1359).
EXEC_AGENT_VOLUMES: dict[str, str] = {
    "ssm-agent-state": "/var/lib/amazon",
    "ssm-agent-logs": "/var/log/amazon",
    "managed-agents": "/managed-agents",
}

# Fargate sends SIGTERM, waits this long, then SIGKILL (Fargate's maximum is 120 s): time
# for a realtime task to tell its sockets to reconnect elsewhere and for a worker to
# finish its message.
STOP_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class SecretReference:
    """An environment variable filled by ECS from Secrets Manager when the task starts:
    `secret_arn` alone, or one JSON key of it (`json_key`)."""

    variable: str
    secret_arn: str
    json_key: str | None = None

    @classmethod
    def parse(cls, variable: str, reference: str) -> SecretReference:
        """From ECS's valueFrom form: "<secret arn>" or "<secret arn>:<json-key>::"."""
        if reference.endswith("::"):
            secret_arn, json_key = reference.removesuffix("::").rsplit(":", 1)
            return cls(variable, secret_arn, json_key)
        return cls(variable, reference)

    @property
    def value_from(self) -> str:
        # ECS's syntax: <arn>:<json-key>:<version-stage>:<version-id>; empty = current.
        return f"{self.secret_arn}:{self.json_key}::" if self.json_key else self.secret_arn


# The collector's own user (uid of the ADOT image) and its X-Ray-only pipeline, which
# exports spans to X-Ray and nothing else (no metrics, so no log-group permissions).
COLLECTOR_NAME = "otel-collector"
COLLECTOR_USER = "10001"
COLLECTOR_CONFIG = "/etc/ecs/ecs-xray.yaml"
# Where the service finds the collector in its task (they share the network namespace).
TRACING_ENVIRONMENT = {
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317",
    "AWS_XRAY_DAEMON_ADDRESS": "localhost:2000",
}
# What each of those means to the application (the application contract).
TRACING_VARIABLE_MEANINGS = {
    "OTEL_EXPORTER_OTLP_ENDPOINT": "Where OpenTelemetry SDKs send spans over OTLP/gRPC: the collector sidecar "
    "in the same task, which forwards them to X-Ray (OTLP/HTTP is on port 4318).",
    "AWS_XRAY_DAEMON_ADDRESS": "Where X-Ray SDKs send segments (UDP): the same collector sidecar.",
}

# The stack JSON's comment key ("//", which Terraform ignores) under which each service's
# variables are explained: {"//": {CONTRACT_KEY: {<container>: {<variable>: <meaning>}}}}.
# docgen reads it back to write docs/application-contract.md.
CONTRACT_KEY = "application_contract"


def collector_definition(*, image: str, log_group_name: str, region: str) -> dict[str, Any]:
    """The ADOT collector sidecar: hardened like the service, and not essential (a
    collector that crashes loses spans, never the service's task)."""
    return {
        "name": COLLECTOR_NAME,
        "image": image,
        "essential": False,
        "command": [f"--config={COLLECTOR_CONFIG}"],
        "user": COLLECTOR_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": COLLECTOR_NAME,
                "mode": "non-blocking",
                "max-buffer-size": "4m",
            },
        },
    }


def hardened_container(
    *,
    name: str,
    image: str,
    user: str,
    volumes: Mapping[str, str],
    environment: Mapping[str, str],
    secrets: tuple[SecretReference, ...],
) -> dict[str, Any]:
    """What every container the platform defines shares (the services' and the database
    admin task's): a non-root user, a read-only root filesystem with writable scratch
    volumes only, no privilege, every capability dropped, an init process; its variables."""
    return {
        "name": name,
        "image": image,
        "essential": True,
        "user": user,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "linuxParameters": {
            "capabilities": {"drop": ["ALL"]},
            # An init process reaps zombies and forwards SIGTERM (a task stopped mid-request
            # or mid-statement); ECS Exec needs it too.
            "initProcessEnabled": True,
        },
        "mountPoints": [
            {"sourceVolume": volume, "containerPath": path, "readOnly": False} for volume, path in volumes.items()
        ],
        "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
        "secrets": [{"name": s.variable, "valueFrom": s.value_from} for s in secrets],
    }


def container_definition(
    *,
    name: str,
    image: str,
    port: int | None,
    environment: Mapping[str, str],
    secrets: tuple[SecretReference, ...],
    log_group_name: str,
    log_stream_prefix: str,
    region: str,
    exec_enabled: bool,
    tracing: bool = False,
) -> dict[str, Any]:
    environment = {**(TRACING_ENVIRONMENT if tracing else {}), **environment}
    volumes = {**SCRATCH_VOLUMES, **(EXEC_AGENT_VOLUMES if exec_enabled else {})}
    definition: dict[str, Any] = {
        **hardened_container(
            name=name, image=image, user=CONTAINER_USER, volumes=volumes, environment=environment, secrets=secrets
        ),
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": log_stream_prefix,
                # A burst of logs never blocks the app's stdout; up to 25 MB wait in memory.
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
        "stopTimeout": STOP_TIMEOUT_SECONDS,
    }
    if tracing:
        # Spans sent in the first second still find a collector.
        definition["dependsOn"] = [{"containerName": COLLECTOR_NAME, "condition": "START"}]
    if port is not None:
        definition["portMappings"] = [{"name": name, "containerPort": port, "protocol": "tcp"}]
    return definition


def task_volumes(exec_enabled: bool) -> tuple[str, ...]:
    """The task's volume names (ephemeral storage) the container mounts."""
    return tuple({**SCRATCH_VOLUMES, **(EXEC_AGENT_VOLUMES if exec_enabled else {})})
