"""modules/database/sql/bootstrap.sql against a real PostgreSQL server, run the way the admin
task runs it: the container definition's entry point, command and environment
(sslmode=require included), with the master user standing in for the secret's.

The master user here is what RDS gives: a LOGIN role with CREATEROLE and CREATEDB that owns
the database, not a superuser (a superuser passes every privilege check, so the proof would
miss what RDS refuses). The superuser only sets the stage: the stand-in `rds_iam` role, the
master user and its database.

Loopback and a private unix socket only; the server's start and stop are bounded in time and
it is stopped in teardown. Where the PostgreSQL binaries are missing the module is skipped,
with the reason (Debian: apt-get install postgresql).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.database.postgres import COMMAND_TIMEOUT_SECONDS, PostgresServer, timed, unavailable_reason

_REASON = unavailable_reason()
if _REASON is not None:
    pytest.skip(f"real-PostgreSQL tests skipped: {_REASON}", allow_module_level=True)

from modules.database.admin_container import admin_container_definition, bootstrap_sql  # noqa: E402

MASTER = "chat_admin"
DATABASE = "chat"
SERVICES = ("api", "realtime", "worker")
MIGRATIONS = "chat_migrations"
SCHEMA = "chat"
SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-0a1b2c3d-AbCdEf"

# Everything the bootstrap decides, read from the catalog: a second run must leave it equal.
SNAPSHOT_SQL = f"""
SELECT 'role ' || rolname || ' ' || concat_ws(',', rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
       rolreplication, rolbypassrls, rolconnlimit) || ' ' || coalesce(array_to_string(rolconfig, ';'), '')
  FROM pg_roles WHERE rolname !~ '^pg_' AND rolname <> 'postgres'
UNION ALL
SELECT 'member ' || r.rolname || ' <- ' || m.rolname || ' admin=' || a.admin_option || ' by ' || g.rolname
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  JOIN pg_roles g ON g.oid = a.grantor
UNION ALL
SELECT 'schema ' || nspname || ' owner=' || pg_get_userbyid(nspowner) || ' acl=' || coalesce(nspacl::text, '')
  FROM pg_namespace WHERE nspname IN ('{SCHEMA}', 'public')
UNION ALL
SELECT 'database ' || datname || ' owner=' || pg_get_userbyid(datdba) || ' acl=' || coalesce(datacl::text, '')
  FROM pg_database WHERE datname = '{DATABASE}'
UNION ALL
SELECT 'default ' || pg_get_userbyid(defaclrole) || ' ' || coalesce(defaclnamespace::regnamespace::text, '*') || ' '
       || defaclobjtype::text || ' ' || defaclacl::text
  FROM pg_default_acl
UNION ALL
SELECT 'relation ' || oid::regclass::text || ' owner=' || pg_get_userbyid(relowner) || ' acl='
       || coalesce(relacl::text, '')
  FROM pg_class WHERE relnamespace = '{SCHEMA}'::regnamespace
ORDER BY 1
"""


class Bootstrap:
    """The admin task's psql invocation against `server`, as the master user."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.container = admin_container_definition(
            image="public.ecr.aws/docker/library/postgres:18-alpine",
            host="127.0.0.1",
            port=server.port,
            database_name=DATABASE,
            secret_arn=SECRET,
            log_group_name="/ecs/chat-test/db-admin",
            region="eu-west-1",
            application_name="chat-test-db-admin",
            sql=bootstrap_sql(),
        )

    def run(self) -> subprocess.CompletedProcess:
        entry_point, command = self.container["entryPoint"], self.container["command"]
        assert entry_point[0] == "psql"
        environment = {item["name"]: item["value"] for item in self.container["environment"]}
        # What ECS fills from the master secret's JSON keys.
        secrets = {item["name"]: item["valueFrom"] for item in self.container["secrets"]}
        assert secrets == {"PGUSER": f"{SECRET}:username::", "PGPASSWORD": f"{SECRET}:password::"}
        environment |= {"PGUSER": MASTER, "PGPASSWORD": "unused-with-trust"}
        return subprocess.run(
            [str(self.server.bin_dir / "psql"), *entry_point[1:], *command],
            env={"PATH": os.environ.get("PATH", ""), **environment},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )


@pytest.fixture(scope="module")
def server():
    postgres = PostgresServer.start()
    try:
        yield postgres
    finally:
        postgres.stop()


def snapshot(server: PostgresServer) -> list[str]:
    return server.psql(SNAPSHOT_SQL, database=DATABASE).stdout.splitlines()


@pytest.fixture(scope="module")
def runs(server):
    """Without rds_iam (refused, nothing left behind), then twice with it, with snapshots."""
    server.psql(f"CREATE ROLE {MASTER} LOGIN CREATEROLE CREATEDB")
    server.psql(f"CREATE DATABASE {DATABASE} OWNER {MASTER}")
    bootstrap = Bootstrap(server)
    results: dict = {"version": server.version}
    results["without_rds_iam"] = bootstrap.run()
    results["roles_after_refusal"] = server.psql(
        f"SELECT rolname FROM pg_roles WHERE rolname IN ({', '.join(repr(r) for r in (*SERVICES, MIGRATIONS))})"
    ).stdout.split()
    # RDS creates rds_iam; here the superuser stands in for RDS.
    server.psql("CREATE ROLE rds_iam NOLOGIN")
    results["first"], results["first_seconds"] = timed(bootstrap.run)
    results["before"] = snapshot(server)
    results["second"], results["second_seconds"] = timed(bootstrap.run)
    results["after"] = snapshot(server)
    print(
        f"\n{results['version']}: bootstrap first run {results['first_seconds']:.3f} s, "
        f"second {results['second_seconds']:.3f} s"
    )
    return results


@pytest.fixture(scope="module")
def migrated(server, runs):
    """A migration as the runbook says: the master user SETs ROLE to the migration role."""
    server.psql(
        f"SET ROLE {MIGRATIONS};"
        f"CREATE TABLE {SCHEMA}.messages (id bigserial PRIMARY KEY, room text NOT NULL, body text NOT NULL);"
        f"CREATE FUNCTION {SCHEMA}.room_size(r text) RETURNS bigint LANGUAGE sql "
        f"AS $$ SELECT count(*) FROM {SCHEMA}.messages WHERE room = r $$;",
        user=MASTER,
        database=DATABASE,
    )
    server.psql("CREATE ROLE outsider LOGIN")
    return server


def test_the_bootstrap_refuses_a_database_without_rds_iam_and_leaves_nothing(runs):
    refused = runs["without_rds_iam"]
    assert refused.returncode != 0
    assert "rds_iam does not exist" in refused.stderr
    assert runs["roles_after_refusal"] == []


def test_the_bootstrap_runs_over_tls_as_the_master_user_and_twice_changes_nothing(runs):
    for run in ("first", "second"):
        assert runs[run].returncode == 0, runs[run].stderr
        assert "ERROR" not in runs[run].stderr, runs[run].stderr
    assert runs["before"] == runs["after"]
    assert any(line.startswith(f"schema {SCHEMA} owner={MIGRATIONS}") for line in runs["after"])


def test_the_services_log_in_through_rds_iam_with_nothing_more(server, runs):
    rows = server.psql(
        "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, "
        "array_to_string(rolconfig, ';') FROM pg_roles "
        f"WHERE rolname IN ('api', 'realtime', 'worker', '{MIGRATIONS}') ORDER BY 1"
    ).stdout.splitlines()
    assert rows == [
        "api|t|f|f|f|f|f|search_path=chat",
        f"{MIGRATIONS}|f|f|f|f|f|f|",
        "realtime|t|f|f|f|f|f|search_path=chat",
        "worker|t|f|f|f|f|f|search_path=chat",
    ]
    members = server.psql(
        "SELECT r.rolname || ' <- ' || m.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE r.rolname !~ '^pg_' ORDER BY 1"
    ).stdout.splitlines()
    assert members == [f"{MIGRATIONS} <- {MASTER}", "rds_iam <- api", "rds_iam <- realtime", "rds_iam <- worker"]


def test_public_loses_connect_and_create_and_the_services_may_only_use_the_schema(migrated):
    server = migrated

    def check(expression: str) -> str:
        return server.psql(f"SELECT {expression}", database=DATABASE).stdout.strip()

    for role in SERVICES:
        assert check(f"has_database_privilege('{role}', '{DATABASE}', 'CONNECT')") == "t"
        assert check(f"has_database_privilege('{role}', '{DATABASE}', 'CREATE')") == "f"
        assert check(f"has_database_privilege('{role}', '{DATABASE}', 'TEMPORARY')") == "f"
        assert check(f"has_schema_privilege('{role}', '{SCHEMA}', 'USAGE')") == "t"
        assert check(f"has_schema_privilege('{role}', '{SCHEMA}', 'CREATE')") == "f"
        assert check(f"has_schema_privilege('{role}', 'public', 'CREATE')") == "f"
        table = f"{SCHEMA}.messages"
        assert check(f"has_table_privilege('{role}', '{table}', 'SELECT, INSERT, UPDATE, DELETE')") == "t"
        for privilege in ("TRUNCATE", "REFERENCES", "TRIGGER"):
            assert check(f"has_table_privilege('{role}', '{table}', '{privilege}')") == "f", (role, privilege)
        assert check(f"has_sequence_privilege('{role}', '{SCHEMA}.messages_id_seq', 'USAGE, SELECT')") == "t"
        assert check(f"has_sequence_privilege('{role}', '{SCHEMA}.messages_id_seq', 'UPDATE')") == "f"
        assert check(f"has_function_privilege('{role}', '{SCHEMA}.room_size(text)', 'EXECUTE')") == "t"
    # A role the bootstrap does not know gets nothing from PUBLIC.
    assert check(f"has_database_privilege('outsider', '{DATABASE}', 'CONNECT')") == "f"
    assert check("has_schema_privilege('outsider', 'public', 'CREATE')") == "f"
    assert check(f"has_schema_privilege('outsider', '{SCHEMA}', 'USAGE')") == "f"
    assert check(f"has_function_privilege('outsider', '{SCHEMA}.room_size(text)', 'EXECUTE')") == "f"
    refused = server.psql("SELECT 1", user="outsider", database=DATABASE, check=False)
    assert refused.returncode != 0 and "permission denied for database" in refused.stderr


def test_the_migration_roles_tables_are_usable_by_each_service(migrated):
    server = migrated
    for role in SERVICES:
        # search_path = chat: the services write unqualified names.
        server.psql(
            f"INSERT INTO messages (room, body) VALUES ('lobby', 'hello from {role}');"
            f"UPDATE messages SET body = body || '!' WHERE body = 'hello from {role}';"
            "SELECT room_size('lobby');",
            user=role,
            database=DATABASE,
        )
    rows = server.psql(f"SELECT body FROM {SCHEMA}.messages ORDER BY id", user="worker", database=DATABASE)
    assert rows.stdout.splitlines() == [f"hello from {role}!" for role in SERVICES]
    server.psql(f"DELETE FROM {SCHEMA}.messages", user="api", database=DATABASE)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("CREATE ROLE intruder LOGIN", "permission denied to create role"),
        (f"DROP SCHEMA {SCHEMA} CASCADE", "must be owner of schema"),
        (f"CREATE TABLE {SCHEMA}.scratch (id int)", "permission denied for schema"),
        ("CREATE TABLE public.scratch (id int)", "permission denied for schema public"),
        (f"ALTER TABLE {SCHEMA}.messages ADD COLUMN extra text", "must be owner of table"),
        (f"DROP TABLE {SCHEMA}.messages", "must be owner of table"),
        (f"TRUNCATE {SCHEMA}.messages", "permission denied for table"),
        (f"SET ROLE {MIGRATIONS}", "permission denied to set role"),
        ("CREATE TEMPORARY TABLE scratch (id int)", "permission denied to create temporary tables"),
    ],
)
def test_a_service_cannot_create_roles_drop_the_schema_or_change_its_tables(migrated, statement, message):
    for role in SERVICES:
        refused = migrated.psql(statement, user=role, database=DATABASE, check=False)
        assert refused.returncode != 0, (role, statement)
        assert message in refused.stderr, (role, refused.stderr)


def test_a_service_cannot_pass_its_privileges_on(migrated):
    for role in SERVICES:
        # PostgreSQL answers a grant without grant option with a warning, not an error.
        attempt = migrated.psql(f"GRANT SELECT ON {SCHEMA}.messages TO outsider", user=role, database=DATABASE)
        assert "no privileges were granted" in attempt.stderr
    held = migrated.psql(f"SELECT has_table_privilege('outsider', '{SCHEMA}.messages', 'SELECT')", database=DATABASE)
    assert held.stdout.strip() == "f"
