"""Database module: keys, auth modes, Multi-AZ, proxy and replica wiring, parameters and their
units, the security-group graph, IAM scope read from the policy documents, nothing lost in
production, environment blocks per environment, and every validation rule."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from modules.common.inputs import environment_block, environment_fields, props_from_block
from modules.common.keys import BASE_STATEMENT_SIDS
from modules.database import DatabaseProps
from modules.database.sizing import (
    INSTANCE_CLASS_MEMORY_GIB,
    chat_parameters,
    memory_gib,
    memory_parameters,
    wal_parameters,
)
from modules.database.windows import check_backup_window, check_maintenance_window, check_windows_apart

ACCOUNT = "111122223333"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
SUBNETS = ("subnet-0a1b2c3d", "subnet-1a2b3c4d", "subnet-2a3b4c5d")
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f9b2c1e-1234-4a5b-8c9d-0123456789ab"
APP_SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-test-app-AbCdEf"

DatabaseConfig = environment_block(DatabaseProps, "DatabaseConfig")

# The database block recommended for each environment file (see the module README).
RECOMMENDED = {
    "dev": {
        "instance_class": "db.t4g.micro",
        "multi_az": False,
        "allocated_storage_gib": 20,
        "max_allocated_storage_gib": 50,
        "backup_retention_days": 1,
        "skip_final_snapshot": True,
        "apply_immediately": True,
        "proxy": False,
        "log_retention_days": 14,
        "slow_query_log_ms": 100,
    },
    "staging": {
        "instance_class": "db.t4g.medium",
        "allocated_storage_gib": 50,
        "max_allocated_storage_gib": 200,
        "backup_retention_days": 7,
        "log_retention_days": 30,
    },
    "prod": {
        "instance_class": "db.r6g.large",
        "allocated_storage_gib": 100,
        "max_allocated_storage_gib": 1000,
        "backup_retention_days": 30,
        "replica": True,
        "monitoring_interval_seconds": 15,
    },
}
DELETION_PROTECTION = {"dev": False, "staging": True, "prod": True}


def stack_supplied(environment: str, *, account_id: str | None = ACCOUNT) -> dict:
    zones = ZONES[:2] if environment == "dev" else ZONES
    return {
        "name": f"chat-{environment}",
        "region": "eu-west-1",
        "account_id": account_id,
        "vpc_id": "vpc-0a1b2c3d",
        "db_subnet_group_name": f"chat-{environment}-data",
        "data_subnet_ids": SUBNETS[: len(zones)],
        "availability_zones": zones,
        "deletion_protection": DELETION_PROTECTION.get(environment, True),
        "tags": {"team": "chat-platform"},
    }


def environment_props(environment: str, **supplied) -> DatabaseProps:
    block = DatabaseConfig(**RECOMMENDED[environment])
    return props_from_block(DatabaseProps, block, **{**stack_supplied(environment), **supplied})


BASE = environment_props("prod")
# The proxy logs in with the managed master secret: only the master user can be granted.
SECRETS = replace(
    environment_props("staging"),
    name="chat-sec",
    proxy_auth="secrets",
    deletion_protection=False,
    skip_final_snapshot=True,
)
BYO = replace(
    BASE, name="chat-byo", kms_key_arn=KEY, proxy_auth="secrets", proxy_secret_arns=(APP_SECRET,), replica=False
)
SERVICE_USERS = ("chat_api", "chat_reader")


def database_with_a_service(props, users=SERVICE_USERS):
    """A build for synth_scratch: the database, a service's group and role granted `users`,
    and every typed output as a Terraform output (what the stack reads of the module)."""
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.database import Database
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    def add(stack):
        database = Database(stack, "database", props=props)
        api = SecurityGroup(
            stack, "api", props=SecurityGroupProps(name="chat-api", vpc_id="vpc-0a1b2c3d", description="API tasks")
        )
        database.allow_from(api)
        task_role = ServiceRole(
            stack,
            "api_task_role",
            name="chat-api-task",
            service="ecs-tasks.amazonaws.com",
            description="API tasks",
            account_id=ACCOUNT,
        )
        for user in users:
            database.grant_connect(task_role, user)
        database.grant_read_secret(task_role)
        values = {
            "endpoint": database.endpoint,
            "writer_endpoint": database.writer_endpoint,
            "secret_arn": database.secret_arn,
            "secret_kms_key_arn": database.secret_kms_key_arn,
            "kms_key_arn": database.kms_key_arn,
            "resource_id": database.resource_id,
            "arn": database.arn,
            "security_group_id": database.security_group_id,
            "parameter_group_name": database.parameter_group_name,
            "monitoring_role_arn": database.monitoring_role_arn,
        }
        for name, value in (
            ("reader_endpoint", database.reader_endpoint),
            ("proxy_endpoint", database.proxy_endpoint),
        ):
            if value is not None:
                values[name] = value
        for name, value in values.items():
            TerraformOutput(stack, name, value=value)

    return add


@pytest.fixture(scope="module")
def variants(synth_scratch):
    build = database_with_a_service
    return {
        "prod": synth_scratch(build(BASE)),
        "staging": synth_scratch(build(environment_props("staging"))),
        "dev": synth_scratch(build(environment_props("dev", account_id=None))),
        "sec": synth_scratch(build(SECRETS, users=("chat_admin",))),
        "byo": synth_scratch(build(BYO)),
    }


# -- lookup helpers ----------------------------------------------------------------------


def only(synth, resource_type):
    (block,) = synth.resources(resource_type).values()
    return block


def named(synth, resource_type, **attributes):
    found = [
        (name, block)
        for name, block in synth.resources(resource_type).items()
        if all(block.get(k) == v for k, v in attributes.items())
    ]
    assert len(found) == 1, (resource_type, attributes, [n for n, _ in found])
    return found[0]


def instance(synth, identifier):
    return named(synth, "aws_db_instance", identifier=identifier)[1]


def outputs(synth):
    return {name: block["value"] for name, block in synth.document.get("output", {}).items()}


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


def role_named(synth, role_name):
    return named(synth, "aws_iam_role", name=role_name)


def role_statements(synth, role_name):
    role_id, _ = role_named(synth, role_name)
    policies = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", role_id)
    ]
    if not policies:
        return {}
    (policy,) = policies
    return {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}


def conditions(statement):
    return {(c["test"], c["variable"]): c["values"] for c in statement.get("condition", [])}


def ingress_sources(synth, group_name):
    """Names of the groups admitted by `group_name`'s ingress rules, with ports."""
    group_id, _ = named(synth, "aws_security_group", name_prefix=f"{group_name}-")
    rules = [
        r
        for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == synth.reference("aws_security_group", group_id)
    ]
    assert all("cidr_ipv4" not in r and "cidr_ipv6" not in r for r in rules)
    return sorted(
        (synth.by_reference(r["referenced_security_group_id"])["tags"]["Name"], r["from_port"], r["to_port"])
        for r in rules
    )


def role_policy_name(synth, role_name):
    role_id, _ = role_named(synth, role_name)
    (name,) = [
        n
        for n, p in synth.resources("aws_iam_role_policy").items()
        if p["role"] == synth.reference("aws_iam_role", role_id)
    ]
    return name


def parameter_group_of(synth, db):
    group = synth.by_reference(db["parameter_group_name"])
    return group, {p["name"]: (p["value"], p["apply_method"]) for p in group["parameter"]}


# -- sizing (pure) -----------------------------------------------------------------------


def test_memory_table_covers_the_seed_classes_and_graviton_costs_no_more_memory():
    assert memory_gib("db.t3.micro") == memory_gib("db.t4g.micro") == 1
    assert memory_gib("db.r6g.large") == 16 and memory_gib("db.m7g.large") == 8
    for name, gib in INSTANCE_CLASS_MEMORY_GIB.items():
        if name.startswith("db.r"):
            assert gib == 2 * INSTANCE_CLASS_MEMORY_GIB[name.replace("db.r", "db.m")]


def test_an_unknown_class_is_refused_with_the_allowed_list():
    with pytest.raises(ValueError) as caught:
        memory_gib("db.t2.micro")
    message = str(caught.value)
    assert message.startswith("expected an RDS for PostgreSQL instance class this module sizes (db.t4g.micro, ")
    assert message.endswith(", db.r8g.16xlarge), got 'db.t2.micro'")


@pytest.mark.parametrize(
    ("instance_class", "shared_buffers_pages", "cache_pages", "maintenance_kib", "work_kib"),
    [
        # 1 GiB: 256 MiB of 8 KiB pages, 768 MiB cache, the 64 MiB and 4 MiB floors.
        ("db.t4g.micro", 32768, 98304, 65536, 4096),
        # 16 GiB: 4 GiB shared, 12 GiB cache, 1 GiB maintenance, 32 MiB per sort.
        ("db.r6g.large", 524288, 1572864, 1048576, 32768),
        # 512 GiB: the 2 GiB and 64 MiB ceilings.
        ("db.r7g.16xlarge", 16777216, 50331648, 2097152, 65536),
    ],
)
def test_memory_parameters_follow_the_class_in_rds_units(
    instance_class, shared_buffers_pages, cache_pages, maintenance_kib, work_kib
):
    values = {p.name: p for p in memory_parameters(instance_class)}
    assert values["shared_buffers"].value == str(shared_buffers_pages)
    assert shared_buffers_pages * 8 * 4 == memory_gib(instance_class) * 1024 * 1024  # a quarter, in 8 KiB pages
    assert values["effective_cache_size"].value == str(cache_pages)
    assert values["maintenance_work_mem"].value == str(maintenance_kib)
    assert values["work_mem"].value == str(work_kib)
    # shared_buffers is static: RDS refuses to apply it immediately.
    assert values["shared_buffers"].apply_method == "pending-reboot"
    assert {p.apply_method for n, p in values.items() if n != "shared_buffers"} == {"immediate"}


@pytest.mark.parametrize(("storage", "max_wal", "min_wal"), [(20, 2048, 512), (100, 5120, 1280), (1000, 8192, 2048)])
def test_wal_sizes_follow_the_storage_in_megabytes(storage, max_wal, min_wal):
    values = {p.name: p.value for p in wal_parameters(storage)}
    assert (values["max_wal_size"], values["min_wal_size"]) == (str(max_wal), str(min_wal))
    assert values["checkpoint_completion_target"] == "0.9" and values["checkpoint_timeout"] == "300"


def test_chat_parameters_are_unique_and_log_connections_follows_the_major():
    params = chat_parameters(
        instance_class="db.t4g.micro", allocated_storage_gib=20, engine_version="18", slow_query_ms=250
    )
    names = [p.name for p in params]
    assert names == sorted(set(names))
    values = {p.name: p.value for p in params}
    assert values["log_connections"] == "receipt,authentication,authorization"
    assert values["log_min_duration_statement"] == "250" and values["rds.force_ssl"] == "1"
    older = chat_parameters(
        instance_class="db.t4g.micro", allocated_storage_gib=20, engine_version="17", slow_query_ms=1
    )
    assert {p.name: p.value for p in older}["log_connections"] == "1"


# -- windows (RDS's limits over modules/common/windows.py) ---------------------------------


@pytest.mark.parametrize(
    ("check", "too_short", "shortest"),
    [
        (check_backup_window, "02:00-02:29", "02:00-02:30"),
        (check_maintenance_window, "sun:03:00-sun:03:29", "sun:03:00-sun:03:30"),
    ],
)
def test_rds_windows_are_at_least_30_minutes(check, too_short, shortest):
    with pytest.raises(ValueError) as caught:
        check(too_short)
    assert str(caught.value).startswith("expected a window of at least 30 minutes (RDS's limits)")
    assert check(shortest) == shortest


def test_the_maintenance_window_must_miss_the_daily_backup():
    with pytest.raises(ValueError, match="apart from the daily backup window '02:00-03:00'"):
        check_windows_apart("02:00-03:00", "sun:02:30-sun:03:30")
    check_windows_apart("02:00-03:00", "sun:03:30-sun:04:30")


# -- encryption --------------------------------------------------------------------------


def test_one_key_encrypts_storage_insights_secret_and_logs_and_rotates(variants):
    synth = variants["prod"]
    (key_name, key) = named(synth, "aws_kms_key", description=key_description("chat-prod"))
    key_arn = synth.reference("aws_kms_key", key_name, "arn")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    for identifier in ("chat-prod-postgres", "chat-prod-postgres-replica"):
        db = instance(synth, identifier)
        assert db["storage_encrypted"] is True and db["kms_key_id"] == key_arn
        assert db["performance_insights_enabled"] is True and db["performance_insights_kms_key_id"] == key_arn
    assert instance(synth, "chat-prod-postgres")["master_user_secret_kms_key_id"] == key_arn
    groups = synth.resources("aws_cloudwatch_log_group").values()
    assert {g["kms_key_id"] for g in groups} == {key_arn}
    assert outputs(synth)["secret_kms_key_arn"] == outputs(synth)["kms_key_arn"] == key_arn


def key_description(name):
    return f"{name} PostgreSQL: storage, snapshots, Performance Insights, master secret, logs"


def test_key_policy_lets_cloudwatch_logs_use_the_key_for_each_of_these_log_groups_only(variants):
    synth = variants["prod"]
    policy = synth.data_by_reference(only(synth, "aws_kms_key_policy")["policy"])
    statements = {s["sid"]: s for s in policy["statement"]}
    prefix = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:"
    expected = {
        "CloudWatchLogsUsesKeyForPostgresqlLogs": "/aws/rds/instance/chat-prod-postgres/postgresql",
        "CloudWatchLogsUsesKeyForUpgradeLogs": "/aws/rds/instance/chat-prod-postgres/upgrade",
        "CloudWatchLogsUsesKeyForReplicaPostgresqlLogs": "/aws/rds/instance/chat-prod-postgres-replica/postgresql",
        "CloudWatchLogsUsesKeyForReplicaUpgradeLogs": "/aws/rds/instance/chat-prod-postgres-replica/upgrade",
        "CloudWatchLogsUsesKeyForProxyLogs": "/aws/rds/proxy/chat-prod-postgres",
    }
    assert sorted(statements) == sorted([*BASE_STATEMENT_SIDS, *expected])
    for sid, group in expected.items():
        statement = statements[sid]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
        assert statement["actions"] == [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
        ]
        assert conditions(statement) == {("ArnEquals", "kms:EncryptionContext:aws:logs:arn"): [prefix + group]}
    assert sorted(expected.values()) == sorted(g["name"] for g in synth.resources("aws_cloudwatch_log_group").values())


def test_the_key_cannot_be_destroyed_in_a_protected_environment_only(variants):
    assert only(variants["prod"], "aws_kms_key")["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in only(variants["dev"], "aws_kms_key")


def test_a_given_key_is_used_everywhere_and_no_key_is_created(variants):
    synth = variants["byo"]
    assert synth.resources("aws_kms_key") == {}
    db = instance(synth, "chat-byo-postgres")
    assert db["kms_key_id"] == db["performance_insights_kms_key_id"] == db["master_user_secret_kms_key_id"] == KEY
    assert {g["kms_key_id"] for g in synth.resources("aws_cloudwatch_log_group").values()} == {KEY}


# -- log groups --------------------------------------------------------------------------


def test_log_groups_exist_before_what_writes_to_them(variants):
    synth = variants["prod"]
    by_name = {g["name"]: name for name, g in synth.resources("aws_cloudwatch_log_group").items()}
    assert sorted(by_name) == [
        "/aws/rds/instance/chat-prod-postgres-replica/postgresql",
        "/aws/rds/instance/chat-prod-postgres-replica/upgrade",
        "/aws/rds/instance/chat-prod-postgres/postgresql",
        "/aws/rds/instance/chat-prod-postgres/upgrade",
        "/aws/rds/proxy/chat-prod-postgres",
    ]
    for identifier in ("chat-prod-postgres", "chat-prod-postgres-replica"):
        db = instance(synth, identifier)
        assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
        for kind in ("postgresql", "upgrade"):
            group = by_name[f"/aws/rds/instance/{identifier}/{kind}"]
            assert f"aws_cloudwatch_log_group.{group}" in db["depends_on"]
    assert (
        f"aws_cloudwatch_log_group.{by_name['/aws/rds/proxy/chat-prod-postgres']}"
        in only(synth, "aws_db_proxy")["depends_on"]
    )
    assert {g["retention_in_days"] for g in synth.resources("aws_cloudwatch_log_group").values()} == {365}


def test_short_log_retention_is_waived_with_a_reason(variants):
    synth = variants["dev"]
    for name, group in synth.resources("aws_cloudwatch_log_group").items():
        assert group["retention_in_days"] == 14
        assert "log_retention_days" in waivers(synth)[name]["CKV_AWS_338"]
    assert not any("CKV_AWS_338" in checks for checks in waivers(variants["prod"]).values())


# -- authentication ----------------------------------------------------------------------


def test_no_password_anywhere_iam_auth_on_and_the_managed_secret_exposed(variants):
    for name, synth in variants.items():
        db = instance(synth, f"chat-{name}-postgres")
        assert db["manage_master_user_password"] is True
        assert "password" not in db and "password_wo" not in db
        assert db["iam_database_authentication_enabled"] is True
        (db_name,) = [n for n, b in synth.resources("aws_db_instance").items() if b is db]
        assert outputs(synth)["secret_arn"] == f"${{aws_db_instance.{db_name}.master_user_secret[0].secret_arn}}"


def test_by_default_the_proxy_uses_iam_end_to_end_and_connects_as_each_granted_user(variants):
    synth = variants["prod"]
    proxy = only(synth, "aws_db_proxy")
    assert proxy["default_auth_scheme"] == "IAM_AUTH" and "auth" not in proxy
    statements = role_statements(synth, "chat-prod-postgres-proxy")
    assert sorted(statements) == ["ProxyConnectsAsChatApi", "ProxyConnectsAsChatReader"]
    resource_id = outputs(synth)["resource_id"]
    for sid, user in (("ProxyConnectsAsChatApi", "chat_api"), ("ProxyConnectsAsChatReader", "chat_reader")):
        assert statements[sid]["actions"] == ["rds-db:connect"]
        assert statements[sid]["resources"] == [f"arn:aws:rds-db:eu-west-1:{ACCOUNT}:dbuser:{resource_id}/{user}"]
    role_id, role = role_named(synth, "chat-prod-postgres-proxy")
    (trust,) = synth.data_by_reference(role["assume_role_policy"])["statement"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["rds.amazonaws.com"]}]
    # RDS documents the proxy's role trust without source conditions (modules/common/roles.py).
    assert "condition" not in trust, trust
    assert proxy["role_arn"] == synth.reference("aws_iam_role", role_id, "arn")


def test_with_secrets_the_proxy_logs_in_with_the_managed_secret_and_clients_still_use_iam(variants):
    synth = variants["sec"]
    proxy = only(synth, "aws_db_proxy")
    (auth,) = proxy["auth"]
    assert auth["auth_scheme"] == "SECRETS" and auth["iam_auth"] == "REQUIRED"
    assert auth["secret_arn"] == outputs(synth)["secret_arn"]
    assert auth["client_password_auth_type"] == "POSTGRES_SCRAM_SHA_256"
    assert "default_auth_scheme" not in proxy
    # The proxy reads its secret as soon as it exists: the role's policy comes first.
    assert f"aws_iam_role_policy.{role_policy_name(synth, 'chat-sec-postgres-proxy')}" in proxy["depends_on"]


def test_proxy_role_reads_only_its_secret_and_decrypts_only_through_secrets_manager(variants):
    synth = variants["sec"]
    statements = role_statements(synth, "chat-sec-postgres-proxy")
    assert sorted(statements) == ["DecryptProxyLoginSecrets", "ReadProxyLoginSecrets"]
    read = statements["ReadProxyLoginSecrets"]
    assert read["actions"] == ["secretsmanager:GetSecretValue"] and read["resources"] == [outputs(synth)["secret_arn"]]
    decrypt = statements["DecryptProxyLoginSecrets"]
    assert decrypt["actions"] == ["kms:Decrypt"] and decrypt["resources"] == [outputs(synth)["kms_key_arn"]]
    assert conditions(decrypt) == {("StringEquals", "kms:ViaService"): ["secretsmanager.eu-west-1.amazonaws.com"]}


def test_application_secrets_replace_the_master_secret_for_the_proxy(variants):
    synth = variants["byo"]
    assert [a["secret_arn"] for a in only(synth, "aws_db_proxy")["auth"]] == [APP_SECRET]
    statements = role_statements(synth, "chat-byo-postgres-proxy")
    assert statements["ReadProxyLoginSecrets"]["resources"] == [APP_SECRET]
    assert statements["DecryptProxyLoginSecrets"]["resources"] == [KEY]


def test_a_proxy_holding_only_the_master_secret_cannot_be_granted_another_user(synth_scratch):
    def build(stack):
        from modules.common.roles import ServiceRole
        from modules.database import Database

        database = Database(stack, "database", props=SECRETS)
        role = ServiceRole(stack, "r", name="r", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT)
        with pytest.raises(ValueError) as caught:
            database.grant_connect(role, "chat_api")
        assert str(caught.value) == (
            "chat-sec-postgres.grant_connect db_user: expected 'chat_admin': the proxy holds the master secret only "
            '(proxy_auth = "secrets"), so it can log in as no other user; use proxy_auth = "iam" or add the '
            "user's secret to proxy_secret_arns, got 'chat_api'"
        )

    synth_scratch(build)


# -- grants to services ------------------------------------------------------------------


def test_grant_connect_names_the_proxy_and_the_replica_and_one_user_each(variants):
    synth = variants["prod"]
    statements = role_statements(synth, "chat-api-task")
    (proxy_name,) = synth.resources("aws_db_proxy")
    proxy_id = f'${{element(split(":", aws_db_proxy.{proxy_name}.arn), 6)}}'
    (replica_name,) = [n for n, b in synth.resources("aws_db_instance").items() if "replicate_source_db" in b]
    replica_id = synth.reference("aws_db_instance", replica_name, "resource_id")
    for user in ("chat_api", "chat_reader"):
        statement = statements[f"ConnectToChatProdPostgresAs{user.title().replace('_', '')}"]
        assert statement["actions"] == ["rds-db:connect"]
        assert statement["resources"] == [
            f"arn:aws:rds-db:eu-west-1:{ACCOUNT}:dbuser:{proxy_id}/{user}",
            f"arn:aws:rds-db:eu-west-1:{ACCOUNT}:dbuser:{replica_id}/{user}",
        ]


def test_without_a_proxy_grant_connect_names_the_instance_and_the_caller_account(variants):
    synth = variants["dev"]
    statement = role_statements(synth, "chat-api-task")["ConnectToChatDevPostgresAsChatApi"]
    (caller,) = synth.data("aws_caller_identity")
    account = f"${{data.aws_caller_identity.{caller}.account_id}}"
    assert statement["resources"] == [
        f"arn:aws:rds-db:eu-west-1:{account}:dbuser:{outputs(synth)['resource_id']}/chat_api"
    ]


def test_grant_read_secret_reads_the_master_secret_and_decrypts_through_secrets_manager_only(variants):
    synth = variants["prod"]
    statements = role_statements(synth, "chat-api-task")
    read = statements["ReadChatProdPostgresMasterSecret"]
    assert read["actions"] == ["secretsmanager:GetSecretValue"] and read["resources"] == [outputs(synth)["secret_arn"]]
    decrypt = statements["DecryptChatProdPostgresMasterSecret"]
    assert decrypt["actions"] == ["kms:Decrypt"] and decrypt["resources"] == [outputs(synth)["kms_key_arn"]]
    assert conditions(decrypt) == {("StringEquals", "kms:ViaService"): ["secretsmanager.eu-west-1.amazonaws.com"]}
    # Nothing else: two connect statements and these two.
    assert len(statements) == 4
    assert not any("*" in r for s in statements.values() for r in s["resources"])


def test_grant_connect_refuses_a_user_iam_cannot_name(variants, synth_scratch):
    def build(stack):
        from modules.common.roles import ServiceRole
        from modules.database import Database

        database = Database(stack, "database", props=environment_props("dev"))
        role = ServiceRole(stack, "r", name="r", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT)
        with pytest.raises(
            ValueError, match=r"chat-dev-postgres.grant_connect db_user: expected a PostgreSQL role name"
        ):
            database.grant_connect(role, "Chat-API")

    synth_scratch(build)


def test_automated_backups_replicate_to_another_region_only(synth_scratch):
    from bindings.aws.provider import AwsProvider

    from modules.database import Database

    def build(stack):
        database = Database(stack, "database", props=environment_props("prod"))
        home = AwsProvider(stack, "aws_home", alias="home", region="eu-west-1")
        with pytest.raises(ValueError, match=r"other than 'eu-west-1', got one for 'eu-west-1'$"):
            database.replicate_automated_backups(home)
        database.replicate_automated_backups(AwsProvider(stack, "aws_copy", alias="copy", region="eu-central-1"))

    synth = synth_scratch(build)
    (replication,) = synth.resources("aws_db_instance_automated_backups_replication").values()
    primary, _ = named(synth, "aws_db_instance", identifier="chat-prod-postgres")
    assert replication["source_db_instance_arn"] == synth.reference("aws_db_instance", primary, "arn")
    assert (replication["provider"], replication["retention_period"]) == ("aws.copy", 30)
    key_name = replication["kms_key_id"].split(".")[1]
    key = synth.resources("aws_kms_key")[key_name]
    assert key["provider"] == "aws.copy" and key["lifecycle"] == {"prevent_destroy": True}


# -- availability ------------------------------------------------------------------------


def test_multi_az_per_environment_and_a_single_az_instance_is_pinned_and_waived(variants):
    prod = instance(variants["prod"], "chat-prod-postgres")
    assert prod["multi_az"] is True and "availability_zone" not in prod
    assert instance(variants["staging"], "chat-staging-postgres")["multi_az"] is True
    dev_name, dev = named(variants["dev"], "aws_db_instance", identifier="chat-dev-postgres")
    assert dev["multi_az"] is False and dev["availability_zone"] == "eu-west-1a"
    assert "multi_az = false" in waivers(variants["dev"])[dev_name]["CKV_AWS_157"]
    assert "CKV_AWS_157" not in waivers(variants["prod"]).get(
        named(variants["prod"], "aws_db_instance", identifier="chat-prod-postgres")[0], {}
    )


def test_storage_is_gp3_with_autoscaling_and_placed_in_the_data_subnet_group(variants):
    db = instance(variants["prod"], "chat-prod-postgres")
    assert (db["storage_type"], db["allocated_storage"], db["max_allocated_storage"]) == ("gp3", 100, 1000)
    assert db["db_subnet_group_name"] == "chat-prod-data" and db["publicly_accessible"] is False
    assert db["engine"] == "postgres" and db["engine_version"] == "18" and db["allow_major_version_upgrade"] is False
    assert db["ca_cert_identifier"] == "rds-ca-rsa2048-g1" and db["auto_minor_version_upgrade"] is True
    assert db["copy_tags_to_snapshot"] is True and db["port"] == 5432


def test_enhanced_monitoring_uses_its_own_role_for_these_instances_only(variants):
    synth = variants["prod"]
    role_id, role = role_named(synth, "chat-prod-postgres-monitoring")
    (trust,) = synth.data_by_reference(role["assume_role_policy"])["statement"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["monitoring.rds.amazonaws.com"]}]
    assert conditions(trust) == {
        ("StringEquals", "aws:SourceAccount"): [ACCOUNT],
        ("ArnLike", "aws:SourceArn"): [
            f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:chat-prod-postgres",
            f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:chat-prod-postgres-replica",
        ],
    }
    # AmazonRDSEnhancedMonitoringRole's actions, on the one group the agent writes here.
    group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:RDSOSMetrics"
    statements = role_statements(synth, "chat-prod-postgres-monitoring")
    assert {sid: (s["actions"], s["resources"]) for sid, s in statements.items()} == {
        "CreateOsMetricsLogGroup": (["logs:CreateLogGroup", "logs:PutRetentionPolicy"], [group]),
        "WriteOsMetricsLogStreams": (
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
            [f"{group}:log-stream:*"],
        ),
    }
    assert synth.resources("aws_iam_role_policy_attachment") == {}
    for identifier in ("chat-prod-postgres", "chat-prod-postgres-replica"):
        db = instance(synth, identifier)
        assert db["monitoring_interval"] == 15
        assert db["monitoring_role_arn"] == synth.reference("aws_iam_role", role_id, "arn")
    primary = instance(synth, "chat-prod-postgres")
    assert f"aws_iam_role_policy.{role_policy_name(synth, 'chat-prod-postgres-monitoring')}" in primary["depends_on"]


# -- proxy ------------------------------------------------------------------------------


def test_proxy_requires_tls_sits_in_the_data_subnets_and_pools_for_short_requests(variants):
    synth = variants["prod"]
    proxy_name, proxy = named(synth, "aws_db_proxy", name="chat-prod-postgres")
    assert proxy["require_tls"] is True and proxy["engine_family"] == "POSTGRESQL"
    assert proxy["debug_logging"] is False and proxy["idle_client_timeout"] == 900
    assert proxy["vpc_subnet_ids"] == list(SUBNETS)
    group = only(synth, "aws_db_proxy_default_target_group")
    assert group["db_proxy_name"] == synth.reference("aws_db_proxy", proxy_name, "name")
    assert group["connection_pool_config"] == {
        "max_connections_percent": 90,
        "max_idle_connections_percent": 50,
        "connection_borrow_timeout": 30,
    }
    target = only(synth, "aws_db_proxy_target")
    (primary_name,) = [n for n, b in synth.resources("aws_db_instance").items() if "replicate_source_db" not in b]
    assert target["db_instance_identifier"] == synth.reference("aws_db_instance", primary_name, "identifier")
    assert target["target_group_name"] == "default"
    # End-to-end IAM: the role's policy is written by the grants, and only needed at connect time.
    (log_group,) = [n for n, g in synth.resources("aws_cloudwatch_log_group").items() if "/proxy/" in g["name"]]
    assert proxy["depends_on"] == [f"aws_cloudwatch_log_group.{log_group}"]
    assert outputs(synth)["proxy_endpoint"] == synth.reference("aws_db_proxy", proxy_name, "endpoint")
    assert outputs(synth)["writer_endpoint"] == outputs(synth)["proxy_endpoint"]


def test_without_a_proxy_nothing_of_it_exists_and_services_write_to_the_instance(variants):
    synth = variants["dev"]
    for kind in ("aws_db_proxy", "aws_db_proxy_default_target_group", "aws_db_proxy_target"):
        assert synth.resources(kind) == {}
    assert "proxy_endpoint" not in outputs(synth) and "reader_endpoint" not in outputs(synth)
    assert outputs(synth)["writer_endpoint"] == outputs(synth)["endpoint"]
    assert not any(r["name"].endswith("-proxy") for r in synth.resources("aws_iam_role").values())


# -- replica ------------------------------------------------------------------------------


def test_replica_follows_the_primary_in_another_zone_with_its_own_group_and_parameters(variants):
    synth = variants["prod"]
    primary_name, primary = named(synth, "aws_db_instance", identifier="chat-prod-postgres")
    replica_name, replica = named(synth, "aws_db_instance", identifier="chat-prod-postgres-replica")
    assert replica["replicate_source_db"] == synth.reference("aws_db_instance", primary_name, "identifier")
    assert replica["instance_class"] == "db.r6g.large" and replica["availability_zone"] == ZONES[-1]
    # Same region: the replica takes its source's subnet group (the data subnets).
    assert "db_subnet_group_name" not in replica and primary["db_subnet_group_name"] == "chat-prod-data"
    assert replica["parameter_group_name"] != primary["parameter_group_name"]
    assert replica["vpc_security_group_ids"] != primary["vpc_security_group_ids"]
    assert replica["skip_final_snapshot"] is True and replica["backup_retention_period"] == 0
    assert outputs(synth)["reader_endpoint"] == synth.reference("aws_db_instance", replica_name, "address")
    assert {"CKV_AWS_157", "CKV_AWS_293", "CKV_AWS_133"} <= set(waivers(synth)[replica_name])


def test_replica_class_has_its_own_tuning(synth_scratch):
    from modules.database import Database

    props = replace(BASE, replica_instance_class="db.r6g.xlarge")
    synth = synth_scratch(lambda stack: Database(stack, "database", props=props))
    _, primary = parameter_group_of(synth, instance(synth, "chat-prod-postgres"))
    _, replica = parameter_group_of(synth, instance(synth, "chat-prod-postgres-replica"))
    assert instance(synth, "chat-prod-postgres-replica")["instance_class"] == "db.r6g.xlarge"
    assert int(replica["shared_buffers"][0]) == 2 * int(primary["shared_buffers"][0]) == 2 * 524288


# -- parameters ---------------------------------------------------------------------------


def test_parameter_group_values_and_units_in_the_synthesized_group(variants):
    group, values = parameter_group_of(variants["prod"], instance(variants["prod"], "chat-prod-postgres"))
    assert group["family"] == "postgres18" and group["name_prefix"] == "chat-prod-postgres18-primary-"
    assert group["lifecycle"] == {"create_before_destroy": True}
    assert "db.r6g.large (16 GiB)" in group["description"]
    assert values == {
        "shared_buffers": ("524288", "pending-reboot"),  # 4 GiB in 8 KiB pages
        "effective_cache_size": ("1572864", "immediate"),  # 12 GiB in 8 KiB pages
        "maintenance_work_mem": ("1048576", "immediate"),  # 1 GiB in KiB
        "work_mem": ("32768", "immediate"),  # 32 MiB in KiB
        "max_wal_size": ("5120", "immediate"),  # MB: 1/20 of 100 GiB
        "min_wal_size": ("1280", "immediate"),
        "checkpoint_completion_target": ("0.9", "immediate"),
        "checkpoint_timeout": ("300", "immediate"),  # seconds
        "rds.force_ssl": ("1", "immediate"),
        "random_page_cost": ("1.1", "immediate"),
        "effective_io_concurrency": ("200", "immediate"),
        "log_connections": ("receipt,authentication,authorization", "immediate"),
        "log_disconnections": ("1", "immediate"),
        "log_min_duration_statement": ("500", "immediate"),  # ms
        "log_statement": ("ddl", "immediate"),
        "log_lock_waits": ("1", "immediate"),
        "idle_in_transaction_session_timeout": ("60000", "immediate"),  # ms
    }


def test_a_small_class_gets_small_memory_settings(variants):
    _, values = parameter_group_of(variants["dev"], instance(variants["dev"], "chat-dev-postgres"))
    assert values["shared_buffers"][0] == "32768" and values["work_mem"][0] == "4096"
    assert values["max_wal_size"][0] == "2048" and values["log_min_duration_statement"][0] == "100"


# -- the security-group graph -------------------------------------------------------------


def test_only_the_proxy_reaches_the_primary_and_services_reach_the_proxy_and_replica(variants):
    synth = variants["prod"]
    assert ingress_sources(synth, "chat-prod-postgres") == [("chat-prod-postgres-proxy", 5432, 5432)]
    assert ingress_sources(synth, "chat-prod-postgres-proxy") == [("chat-api", 5432, 5432)]
    assert ingress_sources(synth, "chat-prod-postgres-replica") == [("chat-api", 5432, 5432)]
    egress = sorted(
        synth.by_reference(r["referenced_security_group_id"])["tags"]["Name"]
        for r in synth.resources("aws_vpc_security_group_egress_rule").values()
        if synth.by_reference(r["security_group_id"])["tags"]["Name"] == "chat-api"
    )
    assert egress == ["chat-prod-postgres-proxy", "chat-prod-postgres-replica"]
    proxy_group = named(synth, "aws_security_group", name_prefix="chat-prod-postgres-proxy-")[0]
    assert only(synth, "aws_db_proxy")["vpc_security_group_ids"] == [synth.reference("aws_security_group", proxy_group)]
    assert "aws_db_proxy" in waivers(synth)[proxy_group]["CKV2_AWS_5"]


def test_without_a_proxy_services_reach_the_instance(variants):
    synth = variants["dev"]
    assert ingress_sources(synth, "chat-dev-postgres") == [("chat-api", 5432, 5432)]
    group = named(synth, "aws_security_group", name_prefix="chat-dev-postgres-")[0]
    assert outputs(synth)["security_group_id"] == synth.reference("aws_security_group", group)


# -- nothing lost --------------------------------------------------------------------------


def nothing_lost_problems(db: dict) -> list[str]:
    """What a production primary is missing of deletion protection, final snapshot, backups
    and prevent_destroy (the environment tests' rule)."""
    problems = []
    if db.get("deletion_protection") is not True:
        problems.append("deletion protection")
    if db.get("skip_final_snapshot") is not False or not db.get("final_snapshot_identifier"):
        problems.append("final snapshot")
    if not db.get("backup_retention_period", 0) >= 1 or db.get("delete_automated_backups") is not False:
        problems.append("backups")
    if db.get("lifecycle", {}).get("prevent_destroy") is not True:
        problems.append("prevent_destroy")
    return problems


@pytest.mark.parametrize("environment", ["prod", "staging"])
def test_a_protected_environment_loses_nothing(variants, environment):
    synth = variants[environment]
    name, db = named(synth, "aws_db_instance", identifier=f"chat-{environment}-postgres")
    assert nothing_lost_problems(db) == []
    assert db["final_snapshot_identifier"] == f"chat-{environment}-postgres-final-snapshot"
    assert not {"CKV_AWS_293", "CKV_CHAT_11"} & set(waivers(synth).get(name, {}))


@pytest.mark.parametrize(
    ("remove", "problem"),
    [
        (("deletion_protection",), "deletion protection"),
        (("final_snapshot_identifier",), "final snapshot"),
        (("backup_retention_period",), "backups"),
        (("lifecycle",), "prevent_destroy"),
    ],
)
def test_the_nothing_lost_rule_notices_each_missing_piece(variants, remove, problem):
    db = copy.deepcopy(instance(variants["prod"], "chat-prod-postgres"))
    for key in remove:
        db.pop(key)
    assert nothing_lost_problems(db) == [problem]


def test_a_disposable_environment_is_waived_with_reasons_not_silently(variants):
    synth = variants["dev"]
    name, db = named(synth, "aws_db_instance", identifier="chat-dev-postgres")
    assert nothing_lost_problems(db) == ["deletion protection", "final snapshot", "backups", "prevent_destroy"]
    assert db["backup_retention_period"] == 1  # backups still run; they go with the instance
    for check in ("CKV_AWS_293", "CKV_CHAT_11"):
        assert "deletion_protection = false" in waivers(synth)[name][check]


def test_backup_and_maintenance_windows(variants):
    db = instance(variants["prod"], "chat-prod-postgres")
    assert (db["backup_retention_period"], db["backup_window"], db["maintenance_window"]) == (
        30,
        "02:00-03:00",
        "sun:03:30-sun:04:30",
    )
    assert (
        db["apply_immediately"] is False and instance(variants["dev"], "chat-dev-postgres")["apply_immediately"] is True
    )


# -- environment blocks ---------------------------------------------------------------------


def test_the_environment_block_is_derived_from_the_props_and_says_the_same():
    from pydantic import ValidationError

    assert list(DatabaseConfig.model_fields) == [field.name for field in environment_fields(DatabaseProps)]
    defaults = DatabaseConfig()
    assert defaults.instance_class == "db.r6g.large" and defaults.multi_az is True and defaults.proxy is True
    assert defaults.backup_retention_days == 30 and defaults.skip_final_snapshot is False
    with pytest.raises(ValidationError) as caught:
        DatabaseConfig(backup_retention_days=36)
    assert "expected 1 to 35 days (RDS keeps automated backups at most 35 days" in str(caught.value)
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        DatabaseConfig(allocated_storage_gib="100")


def test_every_recommended_environment_block_is_valid():
    for environment in RECOMMENDED:
        props = environment_props(environment)
        assert props.name == f"chat-{environment}"


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"instance_class": "db.t2.micro"},
            "instance_class: expected an RDS for PostgreSQL instance class this module sizes (db.t4g.micro,",
        ),
        ({"replica_instance_class": "cache.r6g.large"}, "replica_instance_class: expected an RDS for PostgreSQL"),
        (
            {"allocated_storage_gib": 100, "max_allocated_storage_gib": 105},
            "max_allocated_storage_gib: expected at least 110 GiB, 10% above allocated_storage_gib (100): RDS refuses "
            "a lower storage-autoscaling maximum, got 105",
        ),
        (
            {"replica": True, "multi_az": False},
            "replica: expected multi_az = true when a read replica is requested: the replica is not a standby",
        ),
        (
            {"proxy_auth": "secrets", "proxy_secret_arns": ()},
            "proxy_secret_arns: expected at least one secret for the proxy to log in with (leave proxy_secret_arns "
            'out for the managed master secret, or use proxy_auth = "iam" for end-to-end IAM), got none',
        ),
        (
            {"proxy_auth": "iam", "proxy_secret_arns": (APP_SECRET,)},
            'proxy_secret_arns: expected no secrets with proxy_auth = "iam"',
        ),
        ({"proxy_secret_arns": ("chat-app",)}, "proxy_secret_arns: expected Secrets Manager secret ARNs"),
        (
            {"backup_retention_days": 0},
            "backup_retention_days: expected 1 to 35 days (RDS keeps automated backups at most 35 days; 0 would turn "
            "backups and point-in-time recovery off), got 0 (number)",
        ),
        ({"backup_retention_days": 36}, "backup_retention_days: expected 1 to 35 days"),
        (
            {"skip_final_snapshot": True},
            "skip_final_snapshot: expected false while deletion_protection is on: a protected (production) database "
            "always keeps a final snapshot, got true",
        ),
        (
            {"maintenance_window": "sun:02:30-sun:03:30"},
            "maintenance_window: expected a maintenance window apart from the daily backup window '02:00-03:00'",
        ),
        ({"backup_window": "2-3"}, 'backup_window: expected a daily UTC window "hh24:mi-hh24:mi"'),
        ({"engine_version": "13"}, "engine_version: expected one of '16', '17' or '18', got \"13\" (string)"),
        ({"proxy_auth": "password"}, "proxy_auth: expected one of 'secrets' or 'iam'"),
        ({"monitoring_interval_seconds": 0}, "monitoring_interval_seconds: expected one of [1, 5, 10, 15, 30, 60]"),
        ({"allocated_storage_gib": 10}, "allocated_storage_gib: expected a number greater than or equal to 20, got 10"),
        ({"log_retention_days": 10}, "log_retention_days: expected a CloudWatch Logs retention period"),
        (
            {"proxy_idle_client_timeout_seconds": 28_801},
            "proxy_idle_client_timeout_seconds: expected a number less than or equal to 28800",
        ),
        ({"slow_query_log_ms": -1}, "slow_query_log_ms: expected a number greater than or equal to 0"),
        ({"availability_zones": ("eu-west-1a",)}, "availability_zones: expected at least two distinct zones"),
        ({"availability_zones": ("eu-west-1", "eu-west-1b")}, "availability_zones: expected zone names such as"),
        (
            {"data_subnet_ids": ("subnet-0a1b2c3d",)},
            "data_subnet_ids: expected at least two distinct subnets, one per availability zone (RDS Proxy needs two)",
        ),
        ({"data_subnet_ids": ("sn-1", "sn-2")}, "data_subnet_ids: expected subnet ids such as subnet-0a1b2c3d"),
        ({"kms_key_arn": "alias/chat"}, "kms_key_arn: expected a KMS key ARN"),
        ({"vpc_id": "vpc-1"}, "vpc_id: expected a VPC id such as vpc-0a1b2c3d"),
        ({"db_subnet_group_name": "Data Group"}, "db_subnet_group_name: expected a DB subnet group name"),
        ({"database_name": "1chat"}, "database_name: expected 1-63 lowercase letters, digits or '_'"),
        ({"master_username": "Admin"}, "master_username: expected a PostgreSQL role name"),
        ({"name": "Chat_Prod"}, "name: expected 2-20 characters"),
        ({"account_id": "12345"}, "account_id: expected a 12-digit AWS account id"),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid DatabaseProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as caught:
        replace(BASE, instance_class="db.x1.large", backup_retention_days=40, replica=True, multi_az=False)
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["instance_class", "backup_retention_days", "replica"]


def test_references_from_other_modules_are_not_judged():
    token = "${TfToken[TOKEN.7]}"
    props = replace(BASE, vpc_id=token, db_subnet_group_name=token, data_subnet_ids=(token, "${TfToken[TOKEN.8]}"))
    assert props.db_subnet_group_name == token
