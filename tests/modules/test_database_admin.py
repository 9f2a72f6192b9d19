"""DatabaseAdminTask: the one-off psql task as the master user. Its container is hardened
like the services', only its execution role reads the master secret (it has no task role),
its group reaches the primary alone (past the proxy, which stays IAM-only) plus HTTPS out,
the bootstrap SQL is its default command, and every validation rule."""

from __future__ import annotations

import json

import pytest

from modules.database import DatabaseAdminTaskProps
from modules.database.admin_container import CONTAINER_USER, ENTRY_POINT, bootstrap_sql
from modules.database.props import ADMIN_IMAGE_REPOSITORY, default_admin_image
from tests.modules.test_database import ACCOUNT, SUBNETS, environment_props, named, role_statements, waivers

PRIVATE_SUBNETS = ("subnet-3a1b2c3d", "subnet-4a2b3c4d")
PREFIX_LIST = "pl-6da54004"
PRIVATE_IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/tools/psql@sha256:{'a' * 64}"


def admin_props(**overrides) -> DatabaseAdminTaskProps:
    values = {
        "name": "chat-prod",
        "region": "eu-west-1",
        "vpc_id": "vpc-0a1b2c3d",
        "subnet_ids": PRIVATE_SUBNETS,
        "log_retention_days": 30,
        "tags": {"team": "chat-platform"},
    }
    return DatabaseAdminTaskProps(**{**values, **overrides})


def build(database_props, admin, *, internet_https=True, endpoints=False):
    def add(stack):
        from modules.compute import ComputeCluster, ComputeClusterProps
        from modules.compute.service import ServiceEgress
        from modules.database import Database, DatabaseAdminTask

        cluster = ComputeCluster(
            stack, "compute", props=ComputeClusterProps(name="chat-prod", region="eu-west-1", account_id=ACCOUNT)
        )
        database = Database(stack, "database", props=database_props)
        DatabaseAdminTask(
            stack,
            "database_admin",
            props=admin,
            cluster=cluster,
            database=database,
            egress=ServiceEgress(
                s3_prefix_list_id=PREFIX_LIST,
                endpoint_security_group_id="sg-0e1d2c3b4a5f60718" if endpoints else None,
                internet_https=internet_https,
            ),
        )

    return add


@pytest.fixture(scope="module")
def variants(synth_scratch):
    return {
        "prod": synth_scratch(build(environment_props("prod"), admin_props())),
        "dev": synth_scratch(build(environment_props("dev"), admin_props(name="chat-dev"))),
        "private": synth_scratch(
            build(
                environment_props("staging"),
                admin_props(name="chat-staging", image=PRIVATE_IMAGE),
                internet_https=False,
                endpoints=True,
            )
        ),
    }


def task_definition(synth):
    return named(synth, "aws_ecs_task_definition", family=f"{synth_name(synth)}-db-admin")[1]


def synth_name(synth):
    (name,) = {b["family"].removesuffix("-db-admin") for b in synth.resources("aws_ecs_task_definition").values()}
    return name


def container(synth):
    (definition,) = json.loads(task_definition(synth)["container_definitions"])
    return definition


def primary_id(synth):
    primary = [k for k, b in synth.resources("aws_db_instance").items() if not b.get("replicate_source_db")]
    return primary[0]


def group_key(synth, name):
    return named(synth, "aws_security_group", name_prefix=f"{name}-")[0]


def rules(synth, kind, group):
    reference = synth.reference("aws_security_group", group)
    return [
        r
        for r in synth.resources(f"aws_vpc_security_group_{kind}_rule").values()
        if r["security_group_id"] == reference
    ]


# -- the container ---------------------------------------------------------------------------


def test_the_container_is_hardened_like_the_services(variants):
    for synth in variants.values():
        definition = container(synth)
        assert definition["user"] == CONTAINER_USER and not definition["user"].startswith("0")
        assert definition["readonlyRootFilesystem"] is True and definition["privileged"] is False
        assert definition["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
        assert definition["linuxParameters"]["initProcessEnabled"] is True
        assert "portMappings" not in definition
        mounts = {m["containerPath"] for m in definition["mountPoints"]}
        assert mounts == {"/tmp"}
        task = task_definition(synth)
        assert {v["name"] for v in task["volume"]} == {m["sourceVolume"] for m in definition["mountPoints"]}
        assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
        assert (task["cpu"], task["memory"]) == ("256", "512") and task["skip_destroy"] is True


def test_psql_runs_the_bootstrap_against_the_primary_over_tls_as_the_master_user(variants):
    for synth in variants.values():
        definition = container(synth)
        assert definition["entryPoint"] == list(ENTRY_POINT) and definition["entryPoint"][0] == "psql"
        assert "--set=ON_ERROR_STOP=1" in definition["entryPoint"]
        assert definition["command"] == ["--command", bootstrap_sql()]
        environment = {e["name"]: e["value"] for e in definition["environment"]}
        primary = primary_id(synth)
        # The primary itself, never the proxy (which admits IAM users only).
        assert environment["PGHOST"] == synth.reference("aws_db_instance", primary, "address")
        assert environment["PGPORT"] == "5432" and environment["PGDATABASE"] == "chat"
        assert environment["PGSSLMODE"] in ("require", "verify-ca", "verify-full")
        secret = synth.reference("aws_db_instance", primary, "master_user_secret[0].secret_arn")
        assert {s["name"]: s["valueFrom"] for s in definition["secrets"]} == {
            "PGUSER": f"{secret}:username::",
            "PGPASSWORD": f"{secret}:password::",
        }
        assert "PGPASSWORD" not in environment
        logs = definition["logConfiguration"]
        assert logs["logDriver"] == "awslogs" and logs["options"]["awslogs-group"].endswith("/db-admin")


def test_the_bootstrap_is_one_transaction_and_needs_no_psql_meta_commands():
    sql = bootstrap_sql()
    statements = [line.strip() for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")]
    assert statements[0] == "BEGIN;" and statements[-1] == "COMMIT;"
    assert not [line for line in statements if line.startswith("\\")]
    # Far below ECS's 64 KiB task definition limit.
    assert len(sql.encode()) < 16_000


def test_the_default_image_is_the_psql_of_the_database_major(variants):
    assert container(variants["prod"])["image"] == f"{ADMIN_IMAGE_REPOSITORY}:18-alpine"
    assert default_admin_image("16") == f"{ADMIN_IMAGE_REPOSITORY}:16-alpine"
    assert container(variants["private"])["image"] == PRIVATE_IMAGE


# -- who may read the secret ----------------------------------------------------------------


def test_only_the_execution_role_reads_the_master_secret_and_there_is_no_task_role(variants):
    for synth in variants.values():
        name = synth_name(synth)
        task = task_definition(synth)
        assert "task_role_arn" not in task
        role_id, _ = named(synth, "aws_iam_role", name=f"{name}-db-admin-execution")
        assert task["execution_role_arn"] == synth.reference("aws_iam_role", role_id, "arn")
        statements = role_statements(synth, f"{name}-db-admin-execution")
        secret = synth.reference("aws_db_instance", primary_id(synth), "master_user_secret[0].secret_arn")
        reads = [s for s in statements.values() if "secretsmanager:GetSecretValue" in s["actions"]]
        assert [s["resources"] for s in reads] == [[secret]]
        decrypt = [s for s in statements.values() if "kms:Decrypt" in s["actions"]]
        assert [[(c["variable"], c["values"]) for c in s["condition"]] for s in decrypt] == [
            [("kms:ViaService", ["secretsmanager.eu-west-1.amazonaws.com"])]
        ]
        (logs,) = [s for s in statements.values() if "logs:PutLogEvents" in s["actions"]]
        assert logs["resources"] == [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/chat-prod/db-admin:*"]


def test_a_private_image_is_pulled_from_its_repository_only(variants):
    statements = role_statements(variants["private"], "chat-staging-db-admin-execution")
    assert statements["PullAdminImage"]["resources"] == [f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/tools/psql"]
    assert "PullAdminImage" not in role_statements(variants["prod"], "chat-prod-db-admin-execution")


# -- the network --------------------------------------------------------------------------------


def test_the_primary_admits_the_admin_group_directly_and_the_proxy_does_not(variants):
    synth = variants["prod"]
    admin = group_key(synth, "chat-prod-postgres-admin")
    admin_ref = synth.reference("aws_security_group", admin)
    primary_group = synth.by_reference(
        synth.resources("aws_db_instance")[primary_id(synth)]["vpc_security_group_ids"][0]
    )
    admitted = {}
    for rule in synth.resources("aws_vpc_security_group_ingress_rule").values():
        if rule.get("referenced_security_group_id") == admin_ref:
            admitted[synth.by_reference(rule["security_group_id"])["tags"]["Name"]] = (
                rule["from_port"],
                rule["to_port"],
            )
    assert admitted == {primary_group["tags"]["Name"]: (5432, 5432)}
    assert primary_group["tags"]["Name"] == "chat-prod-postgres"
    # Nothing reaches the admin task.
    assert rules(synth, "ingress", admin) == []


def test_the_admin_group_reaches_the_primary_and_https_only(variants):
    for variant, synth in variants.items():
        name = synth_name(synth)
        admin = group_key(synth, f"{name}-postgres-admin")
        egress = rules(synth, "egress", admin)
        ports = {r["from_port"] for r in egress} | {r["to_port"] for r in egress}
        assert ports == {443, 5432}, variant
        (to_database,) = [r for r in egress if r["from_port"] == 5432]
        assert synth.by_reference(to_database["referenced_security_group_id"])["tags"]["Name"] == f"{name}-postgres"
        assert all(r["ip_protocol"] == "tcp" for r in egress)
        cidrs = {r.get("cidr_ipv4") for r in egress if r.get("cidr_ipv4")}
        assert cidrs == (set() if variant == "private" else {"0.0.0.0/0"})
        assert any(r.get("prefix_list_id") == PREFIX_LIST for r in egress)
        if variant == "private":
            assert any(r.get("referenced_security_group_id") == "sg-0e1d2c3b4a5f60718" for r in egress)


def test_the_unattached_group_and_short_log_retention_are_waived_with_reasons(variants):
    synth = variants["prod"]
    admin = group_key(synth, "chat-prod-postgres-admin")
    assert "run_task" in waivers(synth)[admin]["CKV2_AWS_5"]
    (group_name, group) = named(synth, "aws_cloudwatch_log_group", name="/ecs/chat-prod/db-admin")
    assert group["retention_in_days"] == 30 and group["kms_key_id"].startswith("${aws_kms_key.")
    assert "CKV_AWS_338" in waivers(synth)[group_name]


# -- validation -----------------------------------------------------------------------------------


def test_a_public_image_without_nat_is_refused(synth_scratch):
    with pytest.raises(ValueError, match=r"chat-prod-db-admin image: expected an image in this account's ECR"):
        synth_scratch(build(environment_props("prod"), admin_props(), internet_https=False))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subnet_ids": (SUBNETS[0],)}, r"subnet_ids: expected at least two distinct subnets"),
        ({"image": "postgres:18"}, r"image: expected an image reference with a registry and a tag or digest"),
        ({"memory_mib": 4096}, r"memory_mib: expected a memory size Fargate allows with 256 CPU units"),
        ({"cpu": 300}, r"cpu: expected"),
        ({"architecture": "S390X"}, r"architecture: expected one of"),
        ({"log_retention_days": 10}, r"log_retention_days: expected"),
    ],
)
def test_every_validation_rule(overrides, message):
    with pytest.raises(ValueError, match=message):
        admin_props(**overrides)


def test_an_engine_version_the_module_does_not_tune_has_no_default_image():
    with pytest.raises(ValueError, match=r"expected one of"):
        default_admin_image("12")
