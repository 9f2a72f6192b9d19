"""The admin task's psql container, as pure functions (no cdktf): the module's tests parse
it back, and tests/database runs exactly this entry point, command and environment against
a real PostgreSQL server.

ECS takes container definitions as one JSON string, which checkov cannot inspect; the
hardening here (non-root user, read-only root filesystem, every capability dropped, secrets
by ARN only) is asserted by tests/modules/test_database_admin.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modules.compute.containers import SecretReference, hardened_container

BOOTSTRAP_SQL_FILE = Path(__file__).resolve().parent / "sql" / "bootstrap.sql"

CONTAINER_NAME = "psql"
# The "postgres" user of the official Alpine image (uid/gid 70); never 0. psql needs no
# passwd entry for it (PGUSER names the database user), so another image works as well.
CONTAINER_USER = "70:70"
# psql writes nothing but to stdout and stderr; /tmp is writable scratch for anything else.
SCRATCH_VOLUMES: dict[str, str] = {"tmp": "/tmp"}

# TLS: the parameter group forces SSL (rds.force_ssl), and "require" encrypts every byte,
# the master password included. Not "verify-full": that needs the RDS certificate authority
# (rds-ca-rsa2048-g1) inside the container, which the official image does not carry, and
# fetching it at start would be an unverified download over NAT. The remaining risk is an
# impostor answering the primary's address inside the VPC; baking the regional CA bundle
# into an image of your own (`image`) and setting PGSSLMODE=verify-full closes it.
SSL_MODE = "require"
# A primary that does not answer in 10 s is down or unreachable (security groups); the
# task should end and say so rather than hang until someone stops it.
CONNECT_TIMEOUT_SECONDS = 10

# psql as the entry point: no shell, no psqlrc, stop at the first error, print the failing
# statement to stderr (the log) beside the server's message.
ENTRY_POINT: tuple[str, ...] = ("psql", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--echo-errors")


def bootstrap_sql() -> str:
    """The bootstrap SQL shipped with this module (one transaction, idempotent)."""
    return BOOTSTRAP_SQL_FILE.read_text(encoding="utf-8")


def bootstrap_command(sql: str) -> list[str]:
    """psql's arguments after ENTRY_POINT: the whole script as one --command string (it uses
    no psql meta-commands; its own BEGIN/COMMIT make it one transaction)."""
    return ["--command", sql]


def admin_container_definition(
    *,
    image: str,
    host: str,
    port: int,
    database_name: str,
    secret_arn: str,
    log_group_name: str,
    region: str,
    application_name: str,
    sql: str,
) -> dict[str, Any]:
    """The psql container, as a pure function (the module's tests parse it back)."""
    environment = {
        "PGHOST": host,
        "PGPORT": str(port),
        "PGDATABASE": database_name,
        "PGSSLMODE": SSL_MODE,
        "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
        "PGAPPNAME": application_name,
    }
    secrets = (SecretReference("PGUSER", secret_arn, "username"), SecretReference("PGPASSWORD", secret_arn, "password"))
    return {
        **hardened_container(
            name=CONTAINER_NAME,
            image=image,
            user=CONTAINER_USER,
            volumes=SCRATCH_VOLUMES,
            environment=environment,
            secrets=secrets,
        ),
        "entryPoint": list(ENTRY_POINT),
        "command": bootstrap_command(sql),
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": CONTAINER_NAME,
                # Blocking (the driver's default), unlike the services: psql's few lines are
                # the record of what ran against the database, and none may be dropped.
                "mode": "blocking",
            },
        },
    }
