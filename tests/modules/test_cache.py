"""Managed cache module: TLS and CMK, IAM auth with no password anywhere, failover per
environment, the split into pub/sub and state, parameters, windows, logs and their
policies, who reaches the port, the connect grant, attributes, validation, README."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from modules.cache import (
    DEFAULT_APPLICATION_ACCESS_STRING,
    DEFAULT_ENGINE_VERSIONS,
    ENGINE_VERSIONS,
    ManagedCacheProps,
)
from modules.cache.engines import (
    EVICTION_POLICY,
    PUBSUB_HARD_LIMIT_BYTES,
    cache_parameters,
    check_engine_version,
    parameter_group_family,
)
from modules.cache.windows import check_windows_apart
from modules.common.keys import BASE_STATEMENT_SIDS

ACCOUNT = "111122223333"
OWN_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f9b2c1e-1234-4a5b-8c9d-0123456789ab"
BASE = ManagedCacheProps(
    name="chat-test",
    region="eu-west-1",
    vpc_id="vpc-0a1b2c3d",
    elasticache_subnet_group_name="chat-test-data",
)
# Production: split groups, two replicas, the account pinned, a year of logs.
PROD = replace(
    BASE,
    name="chat-prod",
    account_id=ACCOUNT,
    node_type="cache.m7g.large",
    replicas=2,
    split_pubsub_and_state=True,
    log_retention_days=365,
    tags={"team": "chat-platform"},
)
# Development: Redis OSS, one node, no failover, nothing protected, short logs.
DEV = replace(
    BASE,
    name="chat-dev",
    engine="redis",
    node_type="cache.t4g.micro",
    replicas=0,
    automatic_failover=False,
    snapshot_retention_days=1,
    deletion_protection=False,
    log_retention_days=14,
)
ATTRIBUTES = (
    "primary_endpoint",
    "reader_endpoint",
    "pubsub_primary_endpoint",
    "pubsub_reader_endpoint",
    "state_primary_endpoint",
    "state_reader_endpoint",
    "user_arn",
    "arn",
    "kms_key_arn",
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.cache import ManagedCache
    from modules.common.roles import ServiceRole
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    def build(props, wired=True):
        def add(stack):
            cache = ManagedCache(stack, "cache", props=props)
            if wired:
                realtime = SecurityGroup(
                    stack,
                    "realtime",
                    props=SecurityGroupProps(
                        name=f"{props.name}-realtime", vpc_id="vpc-0a1b2c3d", description="Realtime tasks", port=3000
                    ),
                )
                role = ServiceRole(
                    stack,
                    "realtime_role",
                    name=f"{props.name}-realtime",
                    service="ecs-tasks.amazonaws.com",
                    description="Realtime tasks",
                    account_id=ACCOUNT,
                )
                cache.allow_from(realtime)
                cache.grant_connect(role)
            # Each attribute as a stack output: the JSON then shows what it refers to.
            for name in ATTRIBUTES:
                value = getattr(cache, name)
                if value is not None:
                    TerraformOutput(stack, name, value=value)
            TerraformOutput(stack, "port", value=cache.port)
            TerraformOutput(stack, "user_name", value=cache.user_name)
            TerraformOutput(stack, "security_group_id", value=cache.security_group.security_group_id)
            TerraformOutput(stack, "arns", value=cache.arns)
            TerraformOutput(stack, "log_group_names", value=cache.log_group_names)

        return add

    return {
        "prod": synth_scratch(build(PROD)),
        "shared": synth_scratch(build(BASE)),
        "dev": synth_scratch(build(DEV, wired=False)),
        "own_key": synth_scratch(build(replace(PROD, kms_key_arn=OWN_KEY), wired=False)),
    }


def groups(synth):
    return synth.resources("aws_elasticache_replication_group")


def group(synth, group_id):
    (found,) = [g for g in groups(synth).values() if g["replication_group_id"] == group_id]
    return found


def output(synth, name):
    return synth.document["output"][name]["value"]


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


def statements(synth, document_reference):
    return synth.data_by_reference(document_reference)["statement"]


# -- engines and versions (pure) -------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "version", "family"),
    [
        ("valkey", "7.2", "valkey7"),
        ("valkey", "8.2", "valkey8"),
        ("valkey", "9.0", "valkey9"),
        ("redis", "7.1", "redis7"),
    ],
)
def test_parameter_group_family_follows_engine_and_major_version(engine, version, family):
    assert parameter_group_family(engine, version) == family


def test_every_offered_version_supports_iam_authentication_and_has_a_family():
    for engine, versions in ENGINE_VERSIONS.items():
        assert DEFAULT_ENGINE_VERSIONS[engine] in versions
        for version in versions:
            assert int(version.split(".")[0]) >= 7, (engine, version)
            assert re.fullmatch(rf"{engine}[789]", parameter_group_family(engine, version))


def test_a_version_of_another_engine_is_refused_with_the_allowed_list():
    with pytest.raises(ValueError) as error:
        check_engine_version("redis", "8.2")
    assert str(error.value) == "expected one of ['7.0', '7.1'] for engine 'redis', got \"8.2\" (string)"


def test_pubsub_roles_raise_the_subscriber_buffers_and_no_role_notifies_key_events():
    for role in ("shared", "pubsub"):
        parameters = cache_parameters(role)
        assert parameters["maxmemory-policy"] == EVICTION_POLICY == "volatile-lru"
        hard = int(parameters["client-output-buffer-limit-pubsub-hard-limit"])
        soft = int(parameters["client-output-buffer-limit-pubsub-soft-limit"])
        assert hard == PUBSUB_HARD_LIMIT_BYTES > soft > 32 * 1024 * 1024  # above the engine's 32 MiB hard default
    assert cache_parameters("state") == {"maxmemory-policy": "volatile-lru"}
    assert not any("notify-keyspace-events" in cache_parameters(role) for role in ("shared", "pubsub", "state"))


# -- windows (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snapshot", "maintenance", "overlap"),
    [
        ("03:00-04:00", "sun:05:00-sun:06:00", False),
        ("04:00-05:00", "sun:05:00-sun:06:00", False),  # back to back
        ("04:30-05:30", "sun:05:00-sun:06:00", True),
        ("05:30-06:30", "wed:05:00-wed:06:00", True),  # a daily window meets any weekday
        ("23:30-00:30", "mon:00:00-mon:01:00", True),  # across midnight
        ("23:30-00:30", "sun:23:00-mon:00:00", True),  # across the end of the week
        ("01:00-02:00", "sun:23:00-mon:01:00", False),
        ("00:30-01:30", "sun:23:00-mon:01:00", True),
    ],
)
def test_windows_overlap_on_any_day_of_the_week(snapshot, maintenance, overlap):
    if overlap:
        with pytest.raises(ValueError, match="expected a maintenance window apart from the daily snapshot window"):
            check_windows_apart(snapshot, maintenance)
    else:
        check_windows_apart(snapshot, maintenance)


# -- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"replicas": 0},
            "replicas: expected at least 1 replica when automatic_failover is true (failover promotes a "
            "replica; with none there is nothing to fail over to), got 0",
        ),
        ({"replicas": 6}, "replicas: expected a number less than or equal to 5, got 6 (number)"),
        (
            {"replicas": -1, "automatic_failover": False},
            "replicas: expected a number greater than or equal to 0, got -1 (number)",
        ),
        ({"engine": "memcached"}, "engine: expected one of 'valkey' or 'redis', got \"memcached\" (string)"),
        (
            {"engine": "redis", "engine_version": "8.2"},
            "engine_version: expected one of ['7.0', '7.1'] for engine 'redis', got \"8.2\" (string)",
        ),
        (
            {"engine_version": "6.2"},
            "engine_version: expected one of ['7.2', '8.0', '8.1', '8.2', '9.0'] for engine 'valkey', "
            'got "6.2" (string)',
        ),
        (
            {"snapshot_retention_days": 0},
            "snapshot_retention_days: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"snapshot_retention_days": 36},
            "snapshot_retention_days: expected a number less than or equal to 35, got 36 (number)",
        ),
        (
            {"snapshot_window": "05:30-06:30"},
            "maintenance_window: expected a maintenance window apart from the daily snapshot window "
            "'05:30-06:30' (AWS refuses or delays work in overlapping windows), got 'sun:05:00-sun:06:00'",
        ),
        (
            {"snapshot_window": "3am-4am"},
            'snapshot_window: expected a daily UTC window "hh24:mi-hh24:mi" such as "02:00-03:00", '
            'got "3am-4am" (string)',
        ),
        (
            {"snapshot_window": "03:00-03:30"},
            "snapshot_window: expected a window of at least 60 minutes (ElastiCache's limits), "
            'got "03:00-03:30" (string), 30 minutes',
        ),
        (
            {"maintenance_window": "sun:05:00-mon:06:00"},
            "maintenance_window: expected a window of 60 to 1440 minutes (ElastiCache's limits), "
            'got "sun:05:00-mon:06:00" (string), 1500 minutes',
        ),
        (
            {"maintenance_window": "Sun:05:00-Sun:06:00"},
            'maintenance_window: expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of '
            'mon, tue, wed, thu, fri, sat, sun, such as "sun:03:30-sun:04:30", got "Sun:05:00-Sun:06:00" '
            "(string)",
        ),
        (
            {"maintenance_window": "sunday:05:00-sunday:06:00"},
            'maintenance_window: expected a weekly UTC window "ddd:hh24:mi-ddd:hh24:mi" with ddd one of '
            'mon, tue, wed, thu, fri, sat, sun, such as "sun:03:30-sun:04:30", got "sunday:05:00-sunday:06:00" '
            "(string)",
        ),
        (
            {"name": "chat--prod"},
            "name: expected a name without two consecutive hyphens (ElastiCache identifiers refuse them), "
            'got "chat--prod" (string)',
        ),
        (
            {"name": "Chat"},
            "name: expected 2-20 characters of lowercase letters, digits and '-', starting with a letter and "
            "not ending with '-', got \"Chat\" (string)",
        ),
        (
            {"node_type": "t4g.small"},
            'node_type: expected an ElastiCache node type such as cache.t4g.small, got "t4g.small" (string)',
        ),
        (
            {"application_access_string": "on >secret ~* +@all"},
            'application_access_string: expected ACL rules starting with "on" and without passwords, hashes, '
            '"nopass" or "reset" (the user authenticates with IAM), got "on >secret ~* +@all" (string)',
        ),
        (
            {"application_access_string": "~* +@all"},
            'application_access_string: expected ACL rules starting with "on" and without passwords, hashes, '
            '"nopass" or "reset" (the user authenticates with IAM), got "~* +@all" (string)',
        ),
        (
            {"log_retention_days": 10},
            "log_retention_days: expected a CloudWatch Logs retention period in days (one of 1, 3, 5, 7, 14, "
            "30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), "
            "got 10 (number)",
        ),
        (
            {"kms_key_arn": "alias/mine"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> "
            '(a key id, not an alias), got "alias/mine" (string)',
        ),
        (
            {"elasticache_subnet_group_name": "Chat_Data"},
            "elasticache_subnet_group_name: expected an ElastiCache subnet group name such as chat-prod-data "
            'or a reference to one, got "Chat_Data" (string)',
        ),
        (
            {"vpc_id": "vpc-1"},
            'vpc_id: expected a VPC id such as vpc-0a1b2c3d or a reference to one, got "vpc-1" (string)',
        ),
    ],
)
def test_each_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as error:
        replace(BASE, **changes)
    assert str(error.value) == f"invalid ManagedCacheProps:\n  {message}"


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as error:
        replace(BASE, engine="memcached", replicas=9, snapshot_retention_days=0)
    assert [line.split(":")[0].strip() for line in str(error.value).splitlines()[1:]] == [
        "engine",
        "replicas",
        "snapshot_retention_days",
    ]


def test_the_environment_block_is_derived_from_the_props_with_the_same_rules():
    from pydantic import ValidationError

    from modules.common.inputs import cross_check_problems, environment_block, props_from_block

    block_model = environment_block(ManagedCacheProps, "ManagedCacheConfig")
    assert list(block_model.model_fields) == [
        "engine",
        "engine_version",
        "node_type",
        "replicas",
        "automatic_failover",
        "split_pubsub_and_state",
        "snapshot_retention_days",
        "snapshot_window",
        "maintenance_window",
        "log_retention_days",
    ]
    with pytest.raises(ValidationError, match="less than or equal to 5"):
        block_model(replicas=9)
    with pytest.raises(ValidationError, match="valid integer"):
        block_model(replicas="2")  # HCL tells 2 from "2"
    # Rules over several keys run once the block is valid, in the words props use.
    assert cross_check_problems(ManagedCacheProps, {"replicas": 0}) == [
        (
            "replicas",
            "expected at least 1 replica when automatic_failover is true (failover promotes a replica; "
            "with none there is nothing to fail over to), got 0",
        )
    ]
    dev = block_model(engine="redis", replicas=0, automatic_failover=False)
    props = props_from_block(
        ManagedCacheProps,
        dev,
        name="chat-dev",
        region="eu-west-1",
        account_id=None,
        vpc_id="vpc-0a1b2c3d",
        elasticache_subnet_group_name="chat-dev-data",
        deletion_protection=False,
    )
    assert (props.engine, props.resolved_engine_version, props.node_count) == ("redis", "7.1", 1)


def test_defaults_are_the_secure_highly_available_ones():
    assert (BASE.engine, BASE.resolved_engine_version) == ("valkey", "8.2")
    assert replace(BASE, engine="redis").resolved_engine_version == "7.1"
    assert (BASE.automatic_failover, BASE.replicas, BASE.node_count) == (True, 1, 2)
    assert BASE.deletion_protection is True and BASE.snapshot_retention_days == 7
    assert BASE.application_access_string == DEFAULT_APPLICATION_ACCESS_STRING == "on ~* &* +@all -@dangerous"
    check_windows_apart(BASE.snapshot_window, BASE.maintenance_window)


# -- encryption and authentication ----------------------------------------------------


def test_every_group_requires_tls_and_encrypts_at_rest_with_the_caches_rotating_key(variants):
    for name in ("prod", "shared", "dev"):
        synth = variants[name]
        for replication_group in groups(synth).values():
            assert replication_group["transit_encryption_enabled"] is True
            assert replication_group["transit_encryption_mode"] == "required"
            assert replication_group["at_rest_encryption_enabled"] == "true"
            key = synth.by_reference(replication_group["kms_key_id"])
            assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
            assert key["description"].endswith("ElastiCache data at rest and snapshots")


def test_an_own_key_is_used_as_given_and_no_data_key_is_created(variants):
    synth = variants["own_key"]
    assert {g["kms_key_id"] for g in groups(synth).values()} == {OWN_KEY}
    assert output(synth, "kms_key_arn") == OWN_KEY
    # Only the log key remains.
    (key,) = synth.resources("aws_kms_key").values()
    assert key["description"].endswith("slow and engine logs")


def test_groups_authenticate_through_the_user_group_an_iam_user_and_a_disabled_default(variants):
    synth = variants["prod"]
    for replication_group in groups(synth).values():
        assert "auth_token" not in replication_group
        (user_group_reference,) = replication_group["user_group_ids"]
        user_group = synth.by_reference(user_group_reference)
        assert user_group["engine"] == "redis" and user_group["user_group_id"] == "chat-prod-cache-users"
        users = {synth.by_reference(u)["user_name"]: synth.by_reference(u) for u in user_group["user_ids"]}
        assert set(users) == {"default", "chat-prod-app"}
        application, default = users["chat-prod-app"], users["default"]
        # IAM authentication: the user id is the user name; the token is the credential.
        assert application["authentication_mode"] == {"type": "iam"}
        assert application["user_id"] == application["user_name"] == output(synth, "user_name")
        assert application["access_string"] == "on ~* &* +@all -@dangerous"
        # AWS's own default user lets anyone in; its replacement is off and may run nothing.
        assert default["access_string"] == "off -@all" and default["access_string"].split()[0] == "off"
        assert default["no_password_required"] is True and default["user_id"] == "chat-prod-default-off"
        assert "authentication_mode" not in default  # read back as "no-password": a diff on every plan


def test_no_password_or_token_exists_anywhere_in_the_json(variants):
    for synth in variants.values():
        text = json.dumps(synth.document)
        for forbidden in ('"passwords"', '"passwords_wo"', '"auth_token"', "random_password", "secretsmanager"):
            assert forbidden not in text, forbidden


# -- failover per environment ----------------------------------------------------------


def test_production_fails_over_across_azs_with_two_replicas(variants):
    for group_id in ("chat-prod-pubsub", "chat-prod-state"):
        replication_group = group(variants["prod"], group_id)
        assert replication_group["automatic_failover_enabled"] is True
        assert replication_group["multi_az_enabled"] is True
        assert replication_group["num_cache_clusters"] == 3
        assert replication_group["node_type"] == "cache.m7g.large"
    assert "CKV2_AWS_50" not in json.dumps(waivers(variants["prod"]))


def test_the_default_is_one_replica_with_failover(variants):
    replication_group = group(variants["shared"], "chat-test-cache")
    assert (replication_group["num_cache_clusters"], replication_group["automatic_failover_enabled"]) == (2, True)
    assert replication_group["multi_az_enabled"] is True


def test_development_runs_one_node_without_failover_and_says_why(variants):
    synth = variants["dev"]
    replication_group = group(synth, "chat-dev-cache")
    assert replication_group["num_cache_clusters"] == 1
    assert replication_group["automatic_failover_enabled"] is False and replication_group["multi_az_enabled"] is False
    (name,) = groups(synth)
    assert "automatic_failover = false" in waivers(synth)[name]["CKV2_AWS_50"]


# -- engine, version, parameters -------------------------------------------------------


def test_engine_version_and_parameter_group_family_match(variants):
    for name, engine, version, family in (
        ("prod", "valkey", "8.2", "valkey8"),
        ("dev", "redis", "7.1", "redis7"),
    ):
        synth = variants[name]
        for replication_group in groups(synth).values():
            assert (replication_group["engine"], replication_group["engine_version"]) == (engine, version)
            parameter_group = synth.by_reference(replication_group["parameter_group_name"])
            assert parameter_group["family"] == family
            assert parameter_group["name"] == f"{replication_group['replication_group_id']}-{family}"
            # A new family is a new group, made before the old one (still in use) is deleted.
            assert parameter_group["lifecycle"] == {"create_before_destroy": True}


def test_switching_engine_replaces_no_security_group_or_rule(variants):
    def descriptions(synth):
        return {g["description"] for g in synth.resources("aws_security_group").values() if "cache" in g["name_prefix"]}

    assert (
        descriptions(variants["prod"])
        == descriptions(variants["dev"])
        == {"ElastiCache nodes (Valkey or Redis OSS), TLS on 6379"}
    )
    (rule,) = variants["prod"].resources("aws_vpc_security_group_ingress_rule").values()
    assert rule["description"] == "Cache (TLS on 6379) from chat-prod-realtime"


def test_each_role_gets_its_own_parameter_group_with_its_parameters(variants):
    def parameters(synth, group_id):
        parameter_group = synth.by_reference(group(synth, group_id)["parameter_group_name"])
        return {p["name"]: p["value"] for p in parameter_group["parameter"]}

    prod = variants["prod"]
    assert parameters(prod, "chat-prod-pubsub") == cache_parameters("pubsub")
    assert parameters(prod, "chat-prod-state") == cache_parameters("state")
    assert len(prod.resources("aws_elasticache_parameter_group")) == 2
    assert parameters(variants["shared"], "chat-test-cache") == cache_parameters("shared")


def test_cluster_mode_stays_off_so_one_primary_carries_every_publish(variants):
    for replication_group in groups(variants["prod"]).values():
        assert "num_node_groups" not in replication_group and "replicas_per_node_group" not in replication_group
        assert replication_group["port"] == 6379
        assert replication_group["subnet_group_name"] == "chat-test-data"


# -- snapshots, windows, nothing lost --------------------------------------------------


def test_snapshots_and_windows_per_environment(variants):
    for replication_group in groups(variants["prod"]).values():
        assert replication_group["snapshot_retention_limit"] == 7
        assert (replication_group["snapshot_window"], replication_group["maintenance_window"]) == (
            "03:00-04:00",
            "sun:05:00-sun:06:00",
        )
        assert replication_group["final_snapshot_identifier"] == f"{replication_group['replication_group_id']}-final"
        assert replication_group["auto_minor_version_upgrade"] == "true"
    dev = group(variants["dev"], "chat-dev-cache")
    assert dev["snapshot_retention_limit"] == 1 and "final_snapshot_identifier" not in dev


def test_protected_groups_and_their_key_cannot_be_destroyed_by_an_apply(variants):
    prod = variants["prod"]
    for replication_group in groups(prod).values():
        assert replication_group["lifecycle"] == {"prevent_destroy": True}
        key = prod.by_reference(replication_group["kms_key_id"])
        assert key["lifecycle"] == {"prevent_destroy": True}
    dev = variants["dev"]
    for replication_group in groups(dev).values():
        assert "lifecycle" not in replication_group
        assert "lifecycle" not in dev.by_reference(replication_group["kms_key_id"])


def test_groups_say_whether_they_are_protected_for_the_gate(variants):
    assert {g["tags"]["DeletionProtection"] for g in groups(variants["prod"]).values()} == {"true"}
    assert {g["tags"]["DeletionProtection"] for g in groups(variants["dev"]).values()} == {"false"}
    assert {g["tags"]["Role"] for g in groups(variants["prod"]).values()} == {"pubsub", "state"}
    assert {g["tags"]["team"] for g in groups(variants["prod"]).values()} == {"chat-platform"}


# -- logs ------------------------------------------------------------------------------


def test_each_group_delivers_slow_and_engine_logs_to_its_own_encrypted_log_groups(variants):
    synth = variants["prod"]
    for group_id, role in (("chat-prod-pubsub", "pubsub"), ("chat-prod-state", "state")):
        delivered = {}
        for delivery in group(synth, group_id)["log_delivery_configuration"]:
            assert (delivery["destination_type"], delivery["log_format"]) == ("cloudwatch-logs", "json")
            log_group = synth.by_reference(delivery["destination"])
            delivered[delivery["log_type"]] = log_group
            key = synth.by_reference(log_group["kms_key_id"])
            assert key["enable_key_rotation"] is True and key["description"].endswith("slow and engine logs")
            assert log_group["retention_in_days"] == 365
        assert {t: g["name"] for t, g in delivered.items()} == {
            "slow-log": f"/chat-infra/chat-prod/elasticache/{role}/slow-log",
            "engine-log": f"/chat-infra/chat-prod/elasticache/{role}/engine-log",
        }
    assert len(synth.resources("aws_cloudwatch_log_group")) == 4


def test_short_log_retention_carries_a_reason_only_where_it_is_short(variants):
    dev = variants["dev"]
    log_groups = dev.resources("aws_cloudwatch_log_group")
    assert {g["retention_in_days"] for g in log_groups.values()} == {14}
    for name in log_groups:
        assert "log_retention_days" in waivers(dev)[name]["CKV_AWS_338"]
    assert "CKV_AWS_338" not in json.dumps(waivers(variants["prod"]))


def test_only_cloudwatch_logs_may_use_the_log_key_and_only_for_this_caches_groups(variants):
    synth = variants["prod"]
    (log_group_reference,) = {g["kms_key_id"] for g in synth.resources("aws_cloudwatch_log_group").values()}
    key = synth.by_reference(log_group_reference)
    root, logs = statements(synth, key["policy"])
    assert root["sid"] == "KeyAdministratorsAdministerKey" and root["principals"][0]["identifiers"] == [
        f"arn:aws:iam::{ACCOUNT}:root"
    ]
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
    assert logs["actions"] == [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
    ]
    (condition,) = logs["condition"]
    pattern = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/chat-infra/chat-prod/elasticache/*"
    assert (condition["test"], condition["variable"], condition["values"]) == (
        "ArnLike",
        "kms:EncryptionContext:aws:logs:arn",
        [pattern],
    )
    prefix = pattern.removesuffix("*")
    for log_group in synth.resources("aws_cloudwatch_log_group").values():
        assert f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{log_group['name']}".startswith(prefix)


def test_log_delivery_may_write_to_these_log_groups_only(variants):
    synth = variants["prod"]
    (policy,) = synth.resources("aws_cloudwatch_log_resource_policy").values()
    assert policy["policy_name"] == "chat-prod-cache-log-delivery"
    (statement,) = statements(synth, policy["policy_document"])
    assert statement["effect"] == "Allow"
    assert statement["principals"] == [{"type": "Service", "identifiers": ["delivery.logs.amazonaws.com"]}]
    assert statement["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    names = sorted(g["name"] for g in synth.resources("aws_cloudwatch_log_group").values())
    assert sorted(statement["resources"]) == [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{n}:*" for n in names]
    assert {(c["test"], c["variable"]): c["values"] for c in statement["condition"]} == {
        ("StringEquals", "aws:SourceAccount"): [ACCOUNT],
        ("ArnLike", "aws:SourceArn"): [f"arn:aws:logs:eu-west-1:{ACCOUNT}:*"],
    }


# -- the data key's policy -------------------------------------------------------------


def test_the_data_key_names_elasticache_as_its_only_user(variants):
    synth = variants["prod"]
    (key_policy,) = synth.resources("aws_kms_key_policy").values()
    *base, elasticache = statements(synth, key_policy["policy"])
    assert [s["sid"] for s in base] == list(BASE_STATEMENT_SIDS)
    assert not any("kms:*" in s["actions"] for s in base)
    assert elasticache["sid"] == "ElastiCacheUsesKeyForThisAccount"
    assert elasticache["principals"] == [{"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]}]
    assert elasticache["resources"] == ["*"]  # in a key policy: this key
    assert set(elasticache["actions"]) == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:CreateGrant",
        "kms:ListGrants",
        "kms:DescribeKey",
    }
    assert {(c["test"], c["variable"]): c["values"] for c in elasticache["condition"]} == {
        ("StringEquals", "kms:ViaService"): ["elasticache.eu-west-1.amazonaws.com"],
        ("StringEquals", "kms:CallerAccount"): [ACCOUNT],
    }


def test_the_account_is_looked_up_when_not_given(variants):
    synth = variants["shared"]
    (caller,) = synth.data("aws_caller_identity")
    lookup = f"${{data.aws_caller_identity.{caller}.account_id}}"
    (key_policy,) = synth.resources("aws_kms_key_policy").values()
    *_, elasticache = statements(synth, key_policy["policy"])
    assert elasticache["principals"][0]["identifiers"] == [f"arn:aws:iam::{lookup}:root"]
    (policy,) = synth.resources("aws_cloudwatch_log_resource_policy").values()
    (statement,) = statements(synth, policy["policy_document"])
    assert all(lookup in resource for resource in statement["resources"])


# -- who reaches the port --------------------------------------------------------------


def test_only_the_allowed_service_reaches_the_cache_port(variants):
    from modules.security_groups import reachable_from_internet

    synth = variants["prod"]
    (cache_group,) = [
        name for name, g in synth.resources("aws_security_group").items() if g["tags"]["Name"] == "chat-prod-cache"
    ]
    cache_reference = synth.reference("aws_security_group", cache_group)
    ingress = [
        r
        for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == cache_reference
    ]
    (rule,) = ingress
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 6379, 6379)
    assert synth.by_reference(rule["referenced_security_group_id"])["tags"]["Name"] == "chat-prod-realtime"
    assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    (egress,) = synth.resources("aws_vpc_security_group_egress_rule").values()
    assert egress["referenced_security_group_id"] == cache_reference and egress["from_port"] == 6379
    # Both groups, and nothing else, sit in the cache's one security group.
    assert {tuple(g["security_group_ids"]) for g in groups(synth).values()} == {(cache_reference,)}
    assert reachable_from_internet(synth.document) == {}


def test_without_allow_from_nothing_reaches_the_cache(variants):
    synth = variants["dev"]
    assert synth.resources("aws_vpc_security_group_ingress_rule") == {}
    assert synth.resources("aws_vpc_security_group_egress_rule") == {}


# -- the connect grant -----------------------------------------------------------------


def test_grant_connect_names_exactly_the_groups_and_the_user(variants):
    synth = variants["prod"]
    (role_policy,) = synth.resources("aws_iam_role_policy").values()
    (statement,) = statements(synth, role_policy["policy"])
    assert (statement["sid"], statement["effect"]) == ("ConnectToChatProdCache", "Allow")
    assert statement["actions"] == ["elasticache:Connect"]
    targets = [synth.by_reference(resource) for resource in statement["resources"]]
    assert [t.get("replication_group_id", t.get("user_name")) for t in targets] == [
        "chat-prod-pubsub",
        "chat-prod-state",
        "chat-prod-app",
    ]
    assert [r.rsplit(".", 1)[1] for r in statement["resources"]] == ["arn}", "arn}", "arn}"]


def test_every_policy_document_names_its_resources_and_only_key_policies_say_star(variants):
    for synth in variants.values():
        for name, document in synth.data("aws_iam_policy_document").items():
            for statement in document["statement"]:
                actions, resources = statement["actions"], statement.get("resources", [])
                if "key_policy" in name:  # in a key policy "*" is the key itself
                    assert resources == ["*"] and all(a.startswith("kms:") for a in actions), name
                else:
                    assert "*" not in resources and not any("*" in a for a in actions), name
                    assert all(r.startswith(("${", "arn:aws:")) for r in resources), name


# -- attributes ------------------------------------------------------------------------


def test_split_exposes_both_groups_endpoints_and_no_single_one(variants):
    synth = variants["prod"]
    pubsub, state = group(synth, "chat-prod-pubsub"), group(synth, "chat-prod-state")
    for prefix, replication_group in (("pubsub", pubsub), ("state", state)):
        for kind, attribute in (("primary", "primary_endpoint_address"), ("reader", "reader_endpoint_address")):
            reference = output(synth, f"{prefix}_{kind}_endpoint")
            assert reference.endswith(f".{attribute}}}") and synth.by_reference(reference) is replication_group
    assert {"primary_endpoint", "reader_endpoint", "arn"}.isdisjoint(synth.document["output"])
    assert [synth.by_reference(a)["replication_group_id"] for a in output(synth, "arns")] == [
        "chat-prod-pubsub",
        "chat-prod-state",
    ]


def test_one_group_serves_every_endpoint_when_not_split(variants):
    synth = variants["shared"]
    primary = output(synth, "primary_endpoint")
    assert primary == output(synth, "pubsub_primary_endpoint") == output(synth, "state_primary_endpoint")
    assert output(synth, "reader_endpoint") == output(synth, "state_reader_endpoint")
    assert synth.by_reference(primary)["replication_group_id"] == "chat-test-cache"
    assert synth.by_reference(output(synth, "arn")) is group(synth, "chat-test-cache")
    assert (output(synth, "port"), output(synth, "user_name")) == (6379, "chat-test-app")
    assert synth.by_reference(output(synth, "user_arn"))["user_name"] == "chat-test-app"
    assert output(synth, "log_group_names") == [
        "/chat-infra/chat-test/elasticache/shared/slow-log",
        "/chat-infra/chat-test/elasticache/shared/engine-log",
    ]
