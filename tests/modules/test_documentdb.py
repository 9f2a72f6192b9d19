"""DocumentDB module: encryption with the cluster's key, TLS 1.2+ and auditing in the parameter
group, the managed master secret, logs created first, instances across AZs, backups and
nothing lost per environment, who reaches the port, the secret grant (every statement
parsed), attributes, validation, README."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modules.common.keys import BASE_STATEMENT_SIDS
from modules.documentdb import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS, DocumentDatabaseProps
from modules.documentdb.engines import cluster_parameters, parameter_group_family

ACCOUNT = "111122223333"
OWN_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f9b2c1e-1234-4a5b-8c9d-0123456789ab"
SUBNETS = ("subnet-0a1b2c3d", "subnet-0a1b2c3e", "subnet-0a1b2c3f")
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
BASE = DocumentDatabaseProps(name="chat-test", region="eu-west-1", vpc_id="vpc-0a1b2c3d", subnet_ids=SUBNETS)
PROD = replace(BASE, name="chat-prod", account_id=ACCOUNT, availability_zones=ZONES, backup_retention_days=14)
DEV = replace(
    BASE,
    name="chat-dev",
    subnet_ids=SUBNETS[:2],
    availability_zones=ZONES[:2],
    instance_class="db.t4g.medium",
    instance_count=1,
    backup_retention_days=1,
    log_retention_days=14,
    deletion_protection=False,
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.documentdb import DocumentDatabase
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    def build(props, wired=True):
        def add(stack):
            database = DocumentDatabase(stack, "documentdb", props=props)
            if wired:
                api = SecurityGroup(
                    stack,
                    "api",
                    props=SecurityGroupProps(
                        name=f"{props.name}-api", vpc_id="vpc-0a1b2c3d", description="API tasks", port=3000
                    ),
                )
                role = ServiceRole(
                    stack,
                    "api_role",
                    name=f"{props.name}-api",
                    service="ecs-tasks.amazonaws.com",
                    description="API tasks",
                    account_id=ACCOUNT,
                )
                database.allow_from(api)
                database.grant_read_secret(role)
            for name in ("arn", "endpoint", "reader_endpoint", "secret_arn", "kms_key_arn"):
                TerraformOutput(stack, name, value=getattr(database, name))
            for name in ("subnet_group_name", "parameter_group_name"):
                TerraformOutput(stack, name, value=getattr(database, name))
            TerraformOutput(stack, "port", value=database.port)
            TerraformOutput(stack, "identifiers", value=[database.cluster_identifier, *database.instance_identifiers])
            TerraformOutput(stack, "log_group_names", value=list(database.log_group_names))
            TerraformOutput(stack, "engine_version", value=database.engine_version)

        return add

    return {
        "prod": synth_scratch(build(PROD)),
        "dev": synth_scratch(build(DEV)),
        "own_key": synth_scratch(build(replace(BASE, kms_key_arn=OWN_KEY), wired=False)),
    }


def only(resources):
    (value,) = resources.values()
    return value


def cluster_of(synth):
    return only(synth.resources("aws_docdb_cluster"))


def output(synth, name):
    return synth.document["output"][name]["value"]


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


# -- engines (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(("version", "family"), [("4.0.0", "docdb4.0"), ("5.0.0", "docdb5.0"), ("8.0.0", "docdb8.0")])
def test_parameter_group_family_follows_the_engine_version(version, family):
    assert parameter_group_family(version) == family


def test_default_version_is_offered_and_parameters_require_tls_and_audit():
    assert DEFAULT_ENGINE_VERSION == "5.0.0" and DEFAULT_ENGINE_VERSION in ENGINE_VERSIONS
    assert "3.6.0" not in ENGINE_VERSIONS
    assert cluster_parameters(profiler_threshold_ms=250) == {
        "tls": "tls1.2+",
        "audit_logs": "ddl",
        "profiler": "enabled",
        "profiler_threshold_ms": "250",
    }


# -- the cluster -----------------------------------------------------------------------


def test_storage_is_encrypted_with_the_clusters_key_which_docdb_and_its_logs_may_use(variants):
    synth = variants["prod"]
    cluster = cluster_of(synth)
    assert (cluster["storage_encrypted"], cluster["storage_type"]) == (True, "standard")
    key = synth.by_reference(cluster["kms_key_id"])
    assert key["enable_key_rotation"] is True and key["lifecycle"]["prevent_destroy"] is True
    (key_policy,) = synth.resources("aws_kms_key_policy").values()
    statements = {s["sid"]: s for s in synth.data_by_reference(key_policy["policy"])["statement"]}
    assert set(statements) == {
        *BASE_STATEMENT_SIDS,
        "DocumentDbUsesKeyForThisAccount",
        "CloudWatchLogsUsesKeyForDocumentDbLogs",
    }
    assert {(c["variable"], c["values"][0]) for c in statements["DocumentDbUsesKeyForThisAccount"]["condition"]} == {
        ("kms:ViaService", "rds.eu-west-1.amazonaws.com"),
        ("kms:CallerAccount", ACCOUNT),
    }
    logs = statements["CloudWatchLogsUsesKeyForDocumentDbLogs"]["condition"][0]
    assert (logs["test"], logs["values"]) == (
        "ArnLike",
        [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/docdb/chat-prod-docdb/*"],
    )


def test_a_given_key_is_used_and_no_key_is_created(variants):
    synth = variants["own_key"]
    assert cluster_of(synth)["kms_key_id"] == OWN_KEY
    assert {g["kms_key_id"] for g in synth.resources("aws_cloudwatch_log_group").values()} == {OWN_KEY}
    assert synth.resources("aws_kms_key") == {}


def test_the_parameter_group_requires_tls_and_turns_on_auditing_and_the_profiler(variants):
    synth = variants["prod"]
    group = synth.by_reference(cluster_of(synth)["db_cluster_parameter_group_name"])
    assert (group["name"], group["family"]) == ("chat-prod-docdb5-0", "docdb5.0")
    assert group["lifecycle"] == {"create_before_destroy": True}
    assert {p["name"]: p["value"] for p in group["parameter"]} == {
        "audit_logs": "ddl",
        "profiler": "enabled",
        "profiler_threshold_ms": "100",
        "tls": "tls1.2+",
    }


def test_the_master_password_is_managed_by_documentdb_and_never_written(variants):
    for synth in variants.values():
        cluster = cluster_of(synth)
        assert cluster["manage_master_user_password"] is True
        assert "master_password" not in cluster and "master_password_wo" not in cluster
        assert cluster["master_username"] == "chatadmin"


def test_logs_are_exported_to_encrypted_groups_created_before_the_cluster(variants):
    for name, days in (("prod", 365), ("dev", 14)):
        synth = variants[name]
        cluster = cluster_of(synth)
        assert cluster["enabled_cloudwatch_logs_exports"] == ["audit", "profiler"]
        groups = [synth.resources("aws_cloudwatch_log_group")[d.split(".")[1]] for d in cluster["depends_on"]]
        assert [g["name"] for g in groups] == [
            f"/aws/docdb/chat-{name}-docdb/audit",
            f"/aws/docdb/chat-{name}-docdb/profiler",
        ]
        assert all(g["kms_key_id"] == cluster["kms_key_id"] and g["retention_in_days"] == days for g in groups)
    dev_waived = {
        check for block, checks in waivers(variants["dev"]).items() if "log_group" in block for check in checks
    }
    assert dev_waived == {"CKV_AWS_338"}
    assert not [block for block in waivers(variants["prod"]) if "documentdb" in block and "log_group" in block]


def test_instances_spread_over_the_zones_of_the_subnets(variants):
    for name, zones, instance_class in (
        ("prod", list(ZONES), "db.r6g.large"),
        ("dev", ["eu-west-1a"], "db.t4g.medium"),
    ):
        synth = variants[name]
        instances = sorted(synth.resources("aws_docdb_cluster_instance").values(), key=lambda i: i["identifier"])
        cluster_name = next(iter(synth.resources("aws_docdb_cluster")))
        assert [i["availability_zone"] for i in instances] == zones
        assert [i["identifier"] for i in instances] == [f"chat-{name}-docdb-{n + 1}" for n in range(len(zones))]
        for instance in instances:
            assert instance["cluster_identifier"] == synth.reference("aws_docdb_cluster", cluster_name)
            assert (instance["engine"], instance["instance_class"]) == ("docdb", instance_class)
            assert "ca_cert_identifier" not in instance  # the region's default, set at creation
            assert instance["preferred_maintenance_window"] == cluster_of(synth)["preferred_maintenance_window"]
    subnet_group = variants["prod"].by_reference(cluster_of(variants["prod"])["db_subnet_group_name"])
    assert subnet_group["subnet_ids"] == list(SUBNETS)


def test_production_cannot_be_lost_and_development_says_it_is_disposable(variants):
    prod, dev = cluster_of(variants["prod"]), cluster_of(variants["dev"])
    assert (prod["deletion_protection"], prod["skip_final_snapshot"]) == (True, False)
    assert prod["final_snapshot_identifier"] == "chat-prod-docdb-final"
    assert prod["lifecycle"]["prevent_destroy"] is True and prod["tags"]["DeletionProtection"] == "true"
    assert (prod["backup_retention_period"], prod["preferred_backup_window"]) == (14, "02:00-03:00")
    assert prod["preferred_maintenance_window"] == "sun:04:00-sun:05:00"
    assert (dev["deletion_protection"], dev["skip_final_snapshot"]) == (False, True)
    assert "final_snapshot_identifier" not in dev and "lifecycle" not in dev
    assert dev["tags"]["DeletionProtection"] == "false" and dev["backup_retention_period"] == 1
    dev_cluster = next(block for block in waivers(variants["dev"]) if block.startswith("documentdb_this"))
    assert set(waivers(variants["dev"])[dev_cluster]) == {"CKV_AWS_360"}
    assert not [block for block in waivers(variants["prod"]) if block.startswith("documentdb_this")]


def test_only_the_allowed_service_reaches_the_port(variants):
    synth = variants["prod"]
    (group_reference,) = cluster_of(synth)["vpc_security_group_ids"]
    rules = [
        rule
        for rule in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if rule["security_group_id"] == group_reference
    ]
    assert [
        (synth.by_reference(r["referenced_security_group_id"])["name_prefix"], r["from_port"], r["to_port"])
        for r in rules
    ] == [("chat-prod-api-", 27017, 27017)]
    assert not any("cidr_ipv4" in r or "cidr_ipv6" in r for r in rules)


def test_the_secret_grant_names_the_master_secret_only(variants):
    synth = variants["prod"]
    (policy,) = synth.resources("aws_iam_role_policy").values()
    (statement,) = synth.data_by_reference(policy["policy"])["statement"]
    cluster_name = next(iter(synth.resources("aws_docdb_cluster")))
    assert statement == {
        "sid": "ReadChatProdDocdbMasterSecret",
        "effect": "Allow",
        "actions": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "resources": [f"${{aws_docdb_cluster.{cluster_name}.master_user_secret[0].secret_arn}}"],
    }


def test_attributes_refer_to_what_they_name(variants):
    synth = variants["prod"]
    name = next(iter(synth.resources("aws_docdb_cluster")))
    for attribute in ("arn", "endpoint", "reader_endpoint"):
        assert output(synth, attribute) == synth.reference("aws_docdb_cluster", name, attribute)
    assert output(synth, "secret_arn") == f"${{aws_docdb_cluster.{name}.master_user_secret[0].secret_arn}}"
    assert synth.by_reference(output(synth, "subnet_group_name"))["name"] == "chat-prod-docdb"
    assert synth.by_reference(output(synth, "parameter_group_name"))["family"] == "docdb5.0"
    assert output(synth, "port") == 27017 and output(synth, "engine_version") == "5.0.0"
    assert output(synth, "identifiers") == ["chat-prod-docdb", *(f"chat-prod-docdb-{n}" for n in (1, 2, 3))]
    assert output(synth, "log_group_names") == [
        "/aws/docdb/chat-prod-docdb/audit",
        "/aws/docdb/chat-prod-docdb/profiler",
    ]


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"engine_version": "3.6.0"},
            "engine_version: expected one of '4.0.0', '5.0.0' or '8.0.0', got \"3.6.0\" (string)",
        ),
        (
            {"engine_version": "5.0"},
            "engine_version: expected one of '4.0.0', '5.0.0' or '8.0.0', got \"5.0\" (string)",
        ),
        (
            {"storage_type": "gp3"},
            "storage_type: expected one of 'standard' or 'iopt1', got \"gp3\" (string)",
        ),
        ({"instance_count": 0}, "instance_count: expected a number greater than or equal to 1, got 0 (number)"),
        ({"instance_count": 17}, "instance_count: expected a number less than or equal to 16, got 17 (number)"),
        (
            {"instance_class": "r6g.large"},
            'instance_class: expected a DocumentDB instance class such as db.r6g.large, got "r6g.large" (string)',
        ),
        (
            {"master_username": "admin"},
            "master_username: expected a name other than admin, root, serviceadmin, rdsadmin (reserved), "
            'got "admin" (string)',
        ),
        (
            {"master_username": "chat-admin"},
            'master_username: expected 1-63 letters and digits starting with a letter, got "chat-admin" (string)',
        ),
        (
            {"backup_retention_days": 0},
            "backup_retention_days: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"backup_retention_days": 36},
            "backup_retention_days: expected a number less than or equal to 35, got 36 (number)",
        ),
        (
            {"backup_window": "02:00-02:15"},
            "backup_window: expected a window of at least 30 minutes (DocumentDB's limits), got "
            '"02:00-02:15" (string), 15 minutes',
        ),
        (
            {"maintenance_window": "Sun:04:00-Sun:05:00"},
            'maintenance_window: expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of mon, tue, '
            'wed, thu, fri, sat, sun, such as "sun:03:30-sun:04:30", got "Sun:04:00-Sun:05:00" (string)',
        ),
        (
            {"maintenance_window": "sun:02:30-sun:03:30"},
            "maintenance_window: expected a maintenance window apart from the daily backup window '02:00-03:00' "
            "(AWS refuses or delays work in overlapping windows), got 'sun:02:30-sun:03:30'",
        ),
        (
            {"profiler_threshold_ms": 10},
            "profiler_threshold_ms: expected a number greater than or equal to 50, got 10 (number)",
        ),
        (
            {"availability_zones": ZONES[:2]},
            "availability_zones: expected one zone per subnet (3, in the subnets' order), got 2",
        ),
        (
            {"subnet_ids": SUBNETS[:1]},
            "subnet_ids: expected at least two distinct subnets, one per availability zone (a DocumentDB subnet "
            "group needs two), got 1",
        ),
    ],
)
def test_bad_inputs_are_refused_with_what_was_expected(changes, message):
    with pytest.raises(ValueError) as error:
        replace(BASE, **changes)
    assert str(error.value) == f"invalid DocumentDatabaseProps:\n  {message}"
