-- Day-one bootstrap of the chat database: the services' login roles, the application
-- schema, its owner (the migration role) and least-privilege grants.
--
-- Run by the database admin task (modules/database/admin_task.py) as the RDS master user,
-- which owns the database; `make db-bootstrap ENV=<env>` starts it. Idempotent: every
-- CREATE is guarded and every GRANT/REVOKE/ALTER converges to the same catalog, so a
-- second run changes nothing (tests/database/test_bootstrap_sql.py proves both against a
-- real PostgreSQL). One transaction: a failure leaves the database as it was.
--
-- Choices:
-- - One shared schema, `chat`, for the three services: the product keeps one message
--   store that api, realtime and worker all read and write, so separating them into
--   schemas would only add cross-schema grants. Each service still logs in as its own role
--   (its own IAM identity, its own connections and audit trail in the server log).
-- - The services get DML only (SELECT, INSERT, UPDATE, DELETE on tables; USAGE, SELECT on
--   sequences; EXECUTE on functions): no CREATE anywhere, no TRUNCATE, REFERENCES or
--   TRIGGER, and they own nothing, so they cannot ALTER or DROP what they use.
-- - `chat_migrations` (NOLOGIN) owns the schema and everything in it. Migrations run as
--   the master user after `SET ROLE chat_migrations;`, so every table is created by the
--   owner the default privileges below are declared for, and reaches the services
--   without a grant per table.
-- - This file uses no psql meta-commands or variables: the admin task passes it to
--   `psql -c` as one string (the database name comes from current_database()).

BEGIN;

-- RDS creates rds_iam; a role that is a member logs in only with an IAM token.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
        RAISE EXCEPTION 'role rds_iam does not exist: expected an RDS for PostgreSQL instance with IAM authentication';
    END IF;
END
$$;

-- An existing role of these with more than it should have is refused, not silently
-- kept. (The master user is no superuser on RDS: it cannot even name SUPERUSER,
-- REPLICATION or BYPASSRLS in ALTER ROLE, so those are checked rather than set.)
DO $$
DECLARE
    privileged text;
BEGIN
    SELECT string_agg(rolname, ', ' ORDER BY rolname) INTO privileged
    FROM pg_roles
    WHERE rolname IN ('chat_migrations', 'api', 'realtime', 'worker')
      AND (rolsuper OR rolreplication OR rolbypassrls OR rolcreaterole OR rolcreatedb);
    IF privileged IS NOT NULL THEN
        RAISE EXCEPTION 'roles % exist with SUPERUSER, REPLICATION, BYPASSRLS, CREATEROLE or CREATEDB: expected '
            'none of them; remove those attributes by hand, then run this again', privileged;
    END IF;
END
$$;

-- The migration role: owns the schema, never logs in.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_migrations') THEN
        CREATE ROLE chat_migrations NOLOGIN;
    END IF;
END
$$;

ALTER ROLE chat_migrations NOLOGIN INHERIT;

-- The user running this (the master user) may SET ROLE chat_migrations for migrations,
-- and creates the schema with it as owner, which needs the same membership. PostgreSQL
-- 16+ splits membership into ADMIN, INHERIT and SET options, and gives the creator of a
-- role ADMIN alone: the grant is then still needed (with the default INHERIT and SET).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'chat_migrations', 'USAGE') THEN
        EXECUTE format('GRANT chat_migrations TO %I', current_user);
    ELSIF current_setting('server_version_num')::int >= 160000 THEN
        IF NOT pg_has_role(current_user, 'chat_migrations', 'SET') THEN
            EXECUTE format('GRANT chat_migrations TO %I', current_user);
        END IF;
    END IF;
END
$$;

-- The services' login roles (IAM authentication only, through rds_iam).
DO $$
DECLARE
    service text;
BEGIN
    FOREACH service IN ARRAY ARRAY['api', 'realtime', 'worker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = service) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', service);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN INHERIT', service);
        EXECUTE format('ALTER ROLE %I SET search_path = chat', service);
        IF NOT EXISTS (
            SELECT FROM pg_auth_members
            WHERE roleid = 'rds_iam'::regrole AND member = service::regrole
        ) THEN
            EXECUTE format('GRANT rds_iam TO %I', service);
        END IF;
    END LOOP;
END
$$;

-- PUBLIC loses what every role gets by default: connecting to this database (and
-- creating temporary tables in it), and creating objects in the public schema
-- (PostgreSQL 15+ no longer grants that; older clusters upgraded in place still do).
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO api, realtime, worker', current_database());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- The application schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS chat AUTHORIZATION chat_migrations;
ALTER SCHEMA chat OWNER TO chat_migrations;
REVOKE ALL ON SCHEMA chat FROM PUBLIC;
GRANT USAGE ON SCHEMA chat TO api, realtime, worker;

-- What already exists in the schema (a re-run after migrations) ...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA chat TO api, realtime, worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA chat TO api, realtime, worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA chat TO api, realtime, worker;

-- ... and what the migration role creates from now on.
ALTER DEFAULT PRIVILEGES FOR ROLE chat_migrations IN SCHEMA chat
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO api, realtime, worker;
ALTER DEFAULT PRIVILEGES FOR ROLE chat_migrations IN SCHEMA chat
    GRANT USAGE, SELECT ON SEQUENCES TO api, realtime, worker;
ALTER DEFAULT PRIVILEGES FOR ROLE chat_migrations IN SCHEMA chat
    GRANT EXECUTE ON FUNCTIONS TO api, realtime, worker;
-- Functions are executable by PUBLIC by default; the migration role's are not.
ALTER DEFAULT PRIVILEGES FOR ROLE chat_migrations REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

COMMIT;
