"""Redis Cluster on EC2: placement, sizing, validation, the synthesized resources, the wiring.

The node scripts themselves run against real redis-server processes in tests/redis_cluster/.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import replace

import pytest

from modules.redis_cluster import RedisClusterProps
from modules.redis_cluster.placement import layout_problems, plan_nodes, survives_zone_loss
from modules.redis_cluster.sizing import INSTANCE_MEMORY_MIB, architecture, usable_memory_mib
from modules.redis_cluster.user_data import (
    NODE_FILES,
    USER_DATA_LIMIT_BYTES,
    LayoutNode,
    base_settings,
    escape_for_terraform,
    node_file,
    node_files_script,
    shipped_file,
    user_data,
)

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
SUBNETS = ("subnet-0a0a0a0a", "subnet-0b0b0b0b", "subnet-0c0c0c0c")
BASE = RedisClusterProps(
    name="chat-test",
    region="eu-west-1",
    account_id="111122223333",
    vpc_id="vpc-0a1b2c3d",
    subnet_ids=SUBNETS,
    availability_zones=ZONES,
    s3_prefix_list_id="pl-6da54004",
    endpoint_security_group_id="sg-0e0e0e0e",
    network_endpoint_services=("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "sts", "kms"),
    instance_type="t3.medium",
)
DEV = replace(
    BASE,
    name="chat-dev",
    instance_type="t4g.small",
    deletion_protection=False,
    endpoint_security_group_id=None,
    network_endpoint_services=(),
    interface_endpoint_zones=1,
)


# -- placement (property style: every combination in range) ------------------------------

COMBINATIONS = [(s, r, z) for s in range(3, 13) for r in range(1, 6) for z in range(3, 7)]


@pytest.mark.parametrize(("shards", "replicas", "zones"), COMBINATIONS)
def test_placement_rules_hold_for_every_valid_layout(shards, replicas, zones):
    if layout_problems(shards, replicas, zones):
        assert not survives_zone_loss(shards, zones)
        return
    nodes = plan_nodes(shards, replicas, zones)
    assert len(nodes) == shards * (replicas + 1)
    assert [n.index for n in nodes] == list(range(len(nodes)))
    assert nodes[0].role == "master", "the designated node is a master"
    by_index = {n.index: n for n in nodes}
    for shard in range(shards):
        members = [n for n in nodes if n.shard == shard]
        assert sorted(n.role for n in members) == ["master"] + ["replica"] * replicas
    for node in nodes:
        assert 0 <= node.zone < zones
        if node.role == "replica":
            assert node.zone != by_index[node.master].zone, "a replica shares its master's zone"
            assert by_index[node.master].shard == node.shard
    # Every zone lost leaves a majority of masters, and a replica of each lost master.
    masters = [n for n in nodes if n.role == "master"]
    for zone in range(zones):
        lost = [m for m in masters if m.zone == zone]
        assert 2 * (len(masters) - len(lost)) > len(masters)
        for master in lost:
            assert any(n.master == master.index and n.zone != zone for n in nodes)
    if replicas + 1 <= zones:  # every copy of a shard in its own zone when zones allow
        for shard in range(shards):
            assert len({n.zone for n in nodes if n.shard == shard}) == replicas + 1
    per_zone = Counter(n.zone for n in masters)
    assert max(per_zone.values()) - min(per_zone.get(z, 0) for z in range(zones)) <= 1, "masters spread evenly"


def test_the_seed_layout_puts_one_master_and_one_replica_in_each_zone():
    nodes = plan_nodes(3, 1, 3)
    assert [(n.name, n.zone, n.role, n.master) for n in nodes] == [
        ("node-0", 0, "master", None),
        ("node-1", 1, "master", None),
        ("node-2", 2, "master", None),
        ("node-3", 1, "replica", 0),
        ("node-4", 2, "replica", 1),
        ("node-5", 0, "replica", 2),
    ]


def test_a_plan_that_cannot_survive_a_zone_loss_is_refused():
    with pytest.raises(ValueError, match=r"shards: expected a count that leaves no zone holding half"):
        plan_nodes(4, 1, 3)
    with pytest.raises(ValueError, match=r"zones: expected at least 3 availability zones, got 2"):
        plan_nodes(3, 1, 2)


# -- sizing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "usable", "arch"),
    [
        ("t3.micro", 480, "x86_64"),
        ("t3.medium", 2784, "x86_64"),
        ("t4g.small", 1248, "arm64"),
        ("m7g.large", 5856, "arm64"),
    ],
)
def test_maxmemory_leaves_room_for_the_os_and_forks(instance_type, usable, arch):
    assert usable_memory_mib(instance_type) == usable
    assert architecture(instance_type) == arch
    assert usable < 0.75 * INSTANCE_MEMORY_MIB[instance_type]


# -- validation (each rule's exact message) ------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"subnet_ids": SUBNETS[:2], "availability_zones": ZONES[:2]},
            "subnet_ids: expected at least 3 subnets in 3 availability zones (losing one zone must leave a "
            "majority of the masters), got 2",
        ),
        (
            {"nodes": 5},
            "nodes: expected shards x (replicas_per_shard + 1) = 3 x 2 = 6, got 5 (number)",
        ),
        (
            {"instance_type": "t3.micro", "maxmemory_mib": 600},
            "maxmemory_mib: expected at most 480 MiB on t3.micro (1024 MiB, less 384 MiB for the OS and agents and "
            "a quarter kept free for snapshot forks), got 600 (number)",
        ),
        (
            {"instance_type": "t3.nano"},
            "instance_type: expected an instance type leaving at least 256 MiB for Redis (t3.nano leaves 96 MiB of "
            'its 512 MiB), got "t3.nano" (string)',
        ),
        (
            {"instance_type": "x9.huge"},
            "instance_type: expected an instance type whose memory this module knows (t3, t3a, t4g nano to 2xlarge; "
            'm6i, m7i, m6g, m7g, r6i, r7i, r6g, r7g large to 4xlarge), got "x9.huge" (string)',
        ),
        (
            {"shards": 4},
            "shards: expected a count that leaves no zone holding half or more of the masters (4 masters over 3 "
            "zones puts 2 in one; losing it would leave no majority to vote a failover), got 4",
        ),
        ({"shards": 2}, "shards: expected a number greater than or equal to 3, got 2 (number)"),
        ({"replicas_per_shard": 0}, "replicas_per_shard: expected a number greater than or equal to 1, got 0 (number)"),
        (
            {"availability_zones": ZONES[:2]},
            "availability_zones: expected one zone per data subnet (3, in the subnets' order), got 2",
        ),
        (
            {"data_volume_gib": 8},
            "data_volume_gib: expected at least 9 GiB on t3.medium (the RDB, the AOF and an AOF rewrite: 3 x 2784 "
            "MiB of memory), got 8 (number)",
        ),
        (
            {"maxmemory_policy": "lru"},
            "maxmemory_policy: expected one of 'volatile-lru', 'allkeys-lru', 'volatile-lfu', 'allkeys-lfu', "
            "'volatile-random', 'allkeys-random', 'volatile-ttl' or 'noeviction', got \"lru\" (string)",
        ),
        ({"ami_id": "ubuntu"}, 'ami_id: expected an AMI id such as ami-0a1b2c3d4e5f67890, got "ubuntu" (string)'),
        (
            {"s3_prefix_list_id": "s3"},
            'expected a prefix list id such as pl-6da54004 or a reference to one, got "s3" (string)',
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as raised:
        replace(BASE, **changes)
    assert message in str(raised.value)


def test_the_derived_node_count_and_memory():
    assert BASE.node_count == 6
    assert BASE.resolved_maxmemory_mib == 2784
    assert replace(BASE, maxmemory_mib=2000, nodes=6).resolved_maxmemory_mib == 2000


# -- the user data -------------------------------------------------------------------------


def test_user_data_writes_the_repository_files_and_fits_ec2_once_gzipped():
    nodes = [LayoutNode(p, f"10.0.{p.index}.10", 6379, ZONES[p.zone]) for p in plan_nodes(3, 1, 3)]
    settings = base_settings(
        cluster_name="chat-prod",
        node_name="node-0",
        designated_node="node-0",
        replicas_per_shard=1,
        maxmemory_mib=2784,
        maxmemory_policy="volatile-lru",
        node_timeout_ms=5000,
    )
    settings.update(AUTH_SECRET_ARN="arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-prod/redis-cluster/auth")
    text = user_data(settings, nodes)
    for name in NODE_FILES:
        assert f"<<'CHAT_INFRA_REDIS_EOF'\n{shipped_file(name)}" in text, name
    assert "node-3 10.0.3.10 6379 eu-west-1b replica node-0" in text
    assert "requirepass" not in text.split("cat >/etc/redis-cluster/node.env")[1], "no password in the settings"
    assert len(text.encode()) > USER_DATA_LIMIT_BYTES, "too big unzipped: why it is gzipped"
    assert len(gzip.compress(text.encode())) < USER_DATA_LIMIT_BYTES * 0.8


def test_terraform_escaping_leaves_the_scripts_intact():
    escaped = escape_for_terraform(node_files_script())
    assert "${" not in escaped.replace("$${", "")
    assert escaped.replace("$${", "${").replace("%%{", "%{") == node_files_script()


def test_settings_refuse_quotes_and_bad_names():
    nodes = [LayoutNode(p, "10.0.0.1", 6379, "a") for p in plan_nodes(3, 1, 3)]
    with pytest.raises(ValueError, match="expected a value without quotes or newlines"):
        user_data({"X": "it's"}, nodes)
    with pytest.raises(ValueError, match="expected UPPER_SNAKE_CASE"):
        user_data({"lower": "x"}, nodes)


# -- the synthesized resources ---------------------------------------------------------------


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.common.roles import ServiceRole
    from modules.redis_cluster import RedisCluster
    from modules.security_groups import SecurityGroup, SecurityGroupProps

    def build(props, memory_alarm_percent=80):
        def add(stack):
            api = SecurityGroup(
                stack,
                "api",
                props=SecurityGroupProps(name="chat-api", vpc_id=props.vpc_id, description="API tasks", port=3000),
            )
            execution = ServiceRole(
                stack,
                "execution",
                name="chat-api-execution",
                service="ecs-tasks.amazonaws.com",
                description="API execution role",
                account_id="111122223333",
            )
            cluster = RedisCluster(
                stack,
                "redis_cluster",
                props=props,
                alarm_topic_arn="arn:aws:sns:eu-west-1:111122223333:alarms",
                memory_alarm_percent=memory_alarm_percent,
            )
            cluster.allow_from(api)
            cluster.grant_read_auth_secret(execution)
            cluster.grant_read_tls_ca_certificate(execution)

        return synth_scratch(add)

    return {
        "prod": build(BASE),
        "dev": build(DEV, memory_alarm_percent=70),
        "ami": build(replace(DEV, ami_id="ami-0123456789abcdef0")),
    }


def secrets_by_name(synth) -> dict[str, tuple[str, dict]]:
    """Secret name -> (resource name, block)."""
    return {block["name"]: (name, block) for name, block in synth.resources("aws_secretsmanager_secret").items()}


def secret_arn(synth, secret_name: str) -> str:
    return synth.reference("aws_secretsmanager_secret", secrets_by_name(synth)[secret_name][0], "arn")


def by_name_tag(synth, resource_type):
    return {block["tags"]["Name"]: block for block in synth.resources(resource_type).values()}


def resource_name(reference: str) -> str:
    return reference.removeprefix("${").split(".")[1]


_PIECE_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*)')


def user_data_text(instance) -> str:
    """A node's user data as Terraform would join it, after the shared scripts (the local):
    literal pieces decoded, references shown as <resource_name.attribute>."""
    expression = instance["user_data_base64"]
    inner = expression.split('join("", [', 1)[1].rsplit("]))}", 1)[0]
    text = []
    for literal, reference in _PIECE_RE.findall(inner):
        if reference.startswith("local."):
            continue
        text.append(json.loads(f'"{literal}"') if not reference else f"<{reference.split('.', 1)[1]}>")
    return "".join(text)


def layout_lines(synth):
    """The layout each node's user data writes: "name address port zone role master" lines."""
    instance = next(iter(synth.resources("aws_instance").values()))
    body = user_data_text(instance).split("(modules/redis_cluster/placement.py)\n")[1].split("CHAT_INFRA")[0]
    return [line.split() for line in body.splitlines() if line.strip()]


def test_nodes_spread_over_the_zones_as_planned(variants):
    synth = variants["prod"]
    interfaces = synth.resources("aws_network_interface")
    instances = synth.resources("aws_instance")
    assert len(instances) == 6
    zone_of_interface = {}
    for instance in instances.values():
        interface_name = resource_name(instance["primary_network_interface"]["network_interface_id"])
        subnet = interfaces[interface_name]["subnet_id"]
        zone_of_interface[interface_name] = ZONES[SUBNETS.index(subnet)]
        node = instance["tags"]["RedisClusterNode"]
        assert instance["tags"]["Name"] == f"chat-test-redis-{node}"
    lines = layout_lines(synth)
    zone_of = {}
    for name, address, port, zone, _role, _master in lines:
        interface_name = address.strip("<>").split(".")[0]
        assert zone_of_interface[interface_name] == zone, "the layout's zone is the ENI's subnet's"
        zone_of[name] = zone
        assert port == "6379"
    for name, _address, _port, zone, role, master in lines:
        if role == "replica":
            assert zone != zone_of[master], f"{name} shares a zone with its master {master}"
    assert sorted(line[3] for line in lines if line[4] == "master") == list(ZONES)


def test_no_public_ip_and_imdsv2_with_one_hop(variants):
    for synth in variants.values():
        for instance in synth.resources("aws_instance").values():
            assert "associate_public_ip_address" not in instance
            assert "subnet_id" not in instance, "placed by its ENI"
            assert instance["metadata_options"] == {
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            }
            assert instance["monitoring"] is True and instance["ebs_optimized"] is True
            assert "key_name" not in instance, "no SSH key"
            assert instance["lifecycle"]["ignore_changes"] == ["ami", "user_data_base64"]
        for interface in synth.resources("aws_network_interface").values():
            assert interface["subnet_id"] in SUBNETS


def test_every_volume_is_encrypted_with_the_clusters_key_and_data_outlives_the_instance(variants):
    synth = variants["prod"]
    (key_name,) = [n for n, k in synth.resources("aws_kms_key").items() if "volumes" in k["description"]]
    key = synth.reference("aws_kms_key", key_name, "arn")
    volumes = synth.resources("aws_ebs_volume")
    attachments = synth.resources("aws_volume_attachment").values()
    instances = synth.resources("aws_instance")
    interfaces = synth.resources("aws_network_interface")
    assert len(volumes) == 6
    for instance_name, instance in instances.items():
        root = instance["root_block_device"]
        assert root["encrypted"] is True and root["kms_key_id"] == key and root["volume_type"] == "gp3"
        assert "ebs_block_device" not in instance
        (attachment,) = [a for a in attachments if a["instance_id"] == synth.reference("aws_instance", instance_name)]
        volume = volumes[resource_name(attachment["volume_id"])]
        assert volume["encrypted"] is True and volume["kms_key_id"] == key and volume["type"] == "gp3"
        assert volume["size"] == 20
        subnet = interfaces[resource_name(instance["primary_network_interface"]["network_interface_id"])]["subnet_id"]
        assert volume["availability_zone"] == ZONES[SUBNETS.index(subnet)], "a volume attaches only in its zone"
        assert volume["lifecycle"] == {"prevent_destroy": True} and volume["final_snapshot"] is True
        assert attachment["stop_instance_before_detaching"] is True
        assert instance["disable_api_termination"] is True


def test_without_deletion_protection_nodes_can_go_and_say_why(variants):
    synth = variants["dev"]
    for instance in synth.resources("aws_instance").values():
        assert instance["disable_api_termination"] is False
    for volume in synth.resources("aws_ebs_volume").values():
        assert "lifecycle" not in volume
    waivers = synth.document["//"]["checkov_waivers"]
    waived = [name for name, checks in waivers.items() if "CKV_CHAT_70" in checks]
    assert sorted(waived) == sorted(synth.resources("aws_instance"))


def test_the_image_is_al2023_for_the_types_architecture_unless_given(variants):
    for synth, arch in ((variants["prod"], "x86_64"), (variants["dev"], "arm64")):
        (parameter,) = synth.data("aws_ssm_parameter").values()
        assert parameter["name"] == f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
        for instance in synth.resources("aws_instance").values():
            assert instance["ami"].endswith(".insecure_value}")
    synth = variants["ami"]
    assert synth.data("aws_ssm_parameter") == {}
    assert {i["ami"] for i in synth.resources("aws_instance").values()} == {"ami-0123456789abcdef0"}


def rules_of(synth, resource_type, group_name):
    groups = by_name_tag(synth, "aws_security_group")
    group_ref = None
    for name, group in synth.resources("aws_security_group").items():
        if group["tags"]["Name"] == group_name:
            group_ref = synth.reference("aws_security_group", name)
    assert group_ref is not None, groups.keys()
    return [r for r in synth.resources(resource_type).values() if r["security_group_id"] == group_ref]


def group_name_of(synth, reference):
    return synth.by_reference(reference)["tags"]["Name"]


def test_the_node_group_admits_the_services_and_the_nodes_only(variants):
    synth = variants["prod"]
    ingress = rules_of(synth, "aws_vpc_security_group_ingress_rule", "chat-test-redis")
    seen = sorted((group_name_of(synth, r["referenced_security_group_id"]), r["from_port"]) for r in ingress)
    assert seen == [("chat-api", 6379), ("chat-test-redis", 6379), ("chat-test-redis", 16379)]
    for rule in ingress:
        assert rule["from_port"] == rule["to_port"] and rule["ip_protocol"] == "tcp"
        assert not {"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} & set(rule)
    group = by_name_tag(synth, "aws_security_group")["chat-test-redis"]
    assert group["tags"]["RedisCluster"] == "chat-test"
    assert "ingress" not in group and "egress" not in group


def test_the_nodes_send_only_to_each_other_s3_and_the_endpoints(variants):
    for synth, endpoint_group in ((variants["prod"], "sg-0e0e0e0e"), (variants["dev"], None)):
        egress = rules_of(synth, "aws_vpc_security_group_egress_rule", f"{synth_name(synth)}-redis")
        destinations = sorted(
            (
                r.get("prefix_list_id")
                or (
                    group_name_of(synth, r["referenced_security_group_id"])
                    if r["referenced_security_group_id"].startswith("${")
                    else r["referenced_security_group_id"]
                ),
                r["from_port"],
            )
            for r in egress
        )
        expected = [
            (f"{synth_name(synth)}-redis", 6379),
            (f"{synth_name(synth)}-redis", 16379),
            ("pl-6da54004", 443),
            (f"{synth_name(synth)}-redis-endpoints", 443),
        ]
        if endpoint_group:
            expected.append((endpoint_group, 443))
        assert destinations == sorted(expected)
        assert all("cidr_ipv4" not in r and "cidr_ipv6" not in r for r in egress)


def synth_name(synth):
    return next(iter(synth.resources("aws_instance").values()))["tags"]["RedisCluster"]


def test_only_the_missing_interface_endpoints_are_created(variants):
    prod = variants["prod"].resources("aws_vpc_endpoint").values()
    assert sorted(e["service_name"].rsplit(".", 1)[1] for e in prod) == ["monitoring", "ssm", "ssmmessages"]
    assert all(e["subnet_ids"] == list(SUBNETS) and e["private_dns_enabled"] for e in prod)
    dev = variants["dev"].resources("aws_vpc_endpoint").values()
    assert sorted(e["service_name"].rsplit(".", 1)[1] for e in dev) == [
        "logs",
        "monitoring",
        "secretsmanager",
        "ssm",
        "ssmmessages",
    ]
    assert all(e["subnet_ids"] == [SUBNETS[0]] for e in dev)
    endpoint_ingress = rules_of(variants["dev"], "aws_vpc_security_group_ingress_rule", "chat-dev-redis-endpoints")
    assert [
        (group_name_of(variants["dev"], r["referenced_security_group_id"]), r["from_port"]) for r in endpoint_ingress
    ] == [("chat-dev-redis", 443)]


def policy_statements(synth, document_reference):
    return synth.data_by_reference(document_reference)["statement"]


def test_the_instance_role_may_do_exactly_its_job(variants):
    synth = variants["prod"]
    roles = {r["name"]: (n, r) for n, r in synth.resources("aws_iam_role").items()}
    role_name, role = roles["chat-test-redis-node"]
    (trust,) = policy_statements(synth, role["assume_role_policy"])
    assert trust["principals"] == [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]
    assert trust["actions"] == ["sts:AssumeRole"]
    role_ref = synth.reference("aws_iam_role", role_name, "name")
    managed = sorted(
        a["policy_arn"] for a in synth.resources("aws_iam_role_policy_attachment").values() if a["role"] == role_ref
    )
    # Issue 24, finding 5: no AWS-managed policy (AmazonSSMManagedInstanceCore reads every
    # SSM parameter of the account); an inline least-privilege policy instead.
    assert managed == []
    (policy,) = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", role_name)
    ]
    statements = {s["sid"]: s for s in policy_statements(synth, policy["policy"])}
    secret = secret_arn(synth, "chat-test/redis-cluster/auth")
    (key_name,) = [n for n, k in synth.resources("aws_kms_key").items() if "volumes" in k["description"]]
    key = synth.reference("aws_kms_key", key_name, "arn")
    assert sorted(statements) == [
        "DecryptChatTestRedisAuthSecret",
        "EncryptChatTestRedisTlsCa",
        "EncryptOwnBackups",
        "PutNodeMetrics",
        "ReadChatTestRedisAuthSecret",
        "ReadWriteChatTestRedisTlsCa",
        "SessionManagerChannels",
        "SessionManagerRegistersNode",
        "WriteNodeLogs",
        "WriteOwnBackups",
    ]
    actions = [action for statement in statements.values() for action in statement["actions"]]
    assert not [a for a in actions if a.startswith("ssm:GetParameter") or a.endswith("*")], actions
    assert statements["SessionManagerRegistersNode"]["resources"] == ["arn:aws:ec2:eu-west-1:111122223333:instance/*"]
    wildcard = {sid for sid, statement in statements.items() if statement["resources"] == ["*"]}
    assert wildcard == {"SessionManagerChannels", "PutNodeMetrics"}
    assert all(
        a.split(":")[0] in ("ssmmessages", "ec2messages") for a in statements["SessionManagerChannels"]["actions"]
    )
    assert statements["PutNodeMetrics"]["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["ChatInfra/RedisCluster", "CWAgent"]}
    ]
    (group,) = synth.resources("aws_cloudwatch_log_group").values()
    group_arn = f"arn:aws:logs:eu-west-1:111122223333:log-group:{group['name']}"
    assert statements["WriteNodeLogs"]["resources"] == [group_arn, f"{group_arn}:*"]
    assert statements["ReadChatTestRedisAuthSecret"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert statements["ReadChatTestRedisAuthSecret"]["resources"] == [secret]
    # Every version: auth.sh reads AWSPENDING and AWSPREVIOUS during a rotation (make rotate-cache-auth),
    # which reaches the nodes through Run Command over the same agent channels as Session Manager.
    assert not statements["ReadChatTestRedisAuthSecret"].get("condition")
    assert {"ssmmessages:OpenControlChannel", "ec2messages:GetMessages", "ec2messages:SendReply"} <= set(
        statements["SessionManagerChannels"]["actions"]
    )
    assert statements["DecryptChatTestRedisAuthSecret"]["actions"] == ["kms:Decrypt"]
    assert statements["DecryptChatTestRedisAuthSecret"]["resources"] == [key]
    assert statements["DecryptChatTestRedisAuthSecret"]["condition"][0]["values"] == [
        "secretsmanager.eu-west-1.amazonaws.com"
    ]
    # The CA: read by every node, written (once) by the designated one; its data key
    # through Secrets Manager only.
    assert statements["ReadWriteChatTestRedisTlsCa"]["actions"] == [
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
    ]
    assert statements["ReadWriteChatTestRedisTlsCa"]["resources"] == [
        secret_arn(synth, "chat-test/redis-cluster/tls-ca"),
        secret_arn(synth, "chat-test/redis-cluster/tls-ca-certificate"),
    ]
    assert statements["EncryptChatTestRedisTlsCa"]["actions"] == ["kms:GenerateDataKey"]
    assert statements["EncryptChatTestRedisTlsCa"]["resources"] == [key]
    assert statements["EncryptChatTestRedisTlsCa"]["condition"][0]["values"] == [
        "secretsmanager.eu-west-1.amazonaws.com"
    ]
    assert statements["WriteOwnBackups"]["actions"] == ["s3:PutObject", "s3:AbortMultipartUpload"]
    assert statements["WriteOwnBackups"]["resources"] == [
        "arn:aws:s3:::chat-test-redis-backups-111122223333-eu-west-1/chat-test/*"
    ]
    assert statements["EncryptOwnBackups"]["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statements["EncryptOwnBackups"]["condition"][0]["values"] == ["s3.eu-west-1.amazonaws.com"]
    for instance in synth.resources("aws_instance").values():
        profile = synth.by_reference(instance["iam_instance_profile"])
        assert profile["role"] == role_ref


def test_the_grants_give_a_service_the_password_and_the_ca_certificate_never_the_ca_key(variants):
    synth = variants["prod"]
    roles = {r["name"]: n for n, r in synth.resources("aws_iam_role").items()}
    (policy,) = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", roles["chat-api-execution"])
    ]
    statements = policy_statements(synth, policy["policy"])
    assert [(s["sid"], s["actions"]) for s in statements] == [
        ("ReadChatTestRedisAuthSecret", ["secretsmanager:GetSecretValue"]),
        ("DecryptChatTestRedisAuthSecret", ["kms:Decrypt"]),
        ("ReadChatTestRedisTlsCaCertificate", ["secretsmanager:GetSecretValue"]),
        ("DecryptChatTestRedisTlsCaCertificate", ["kms:Decrypt"]),
    ]
    readable = [resource for s in statements if s["sid"].startswith("Read") for resource in s["resources"]]
    assert readable == [
        secret_arn(synth, "chat-test/redis-cluster/auth"),
        secret_arn(synth, "chat-test/redis-cluster/tls-ca-certificate"),
    ]
    assert secret_arn(synth, "chat-test/redis-cluster/tls-ca") not in readable


def test_the_auth_password_is_generated_by_secrets_manager_and_never_stored(variants):
    synth = variants["prod"]
    _, secret = secrets_by_name(synth)["chat-test/redis-cluster/auth"]
    assert secret["kms_key_id"].startswith("${aws_kms_key.") and secret["recovery_window_in_days"] == 30
    assert secret["lifecycle"] == {"prevent_destroy": True}
    (version,) = synth.resources("aws_secretsmanager_secret_version").values()
    assert "secret_string" not in version and "secret_binary" not in version
    (generator,) = synth.document["ephemeral"]["aws_secretsmanager_random_password"].items()
    assert (
        version["secret_string_wo"]
        == f"${{ephemeral.aws_secretsmanager_random_password.{generator[0]}.random_password}}"
    )
    assert version["secret_string_wo_version"] == 1
    assert generator[1] == {"password_length": 64, "exclude_punctuation": True, "include_space": False}
    assert "data" not in synth.document or "aws_secretsmanager_random_password" not in synth.document["data"]
    for instance in synth.resources("aws_instance").values():
        settings = user_data_text(instance)
        assert "requirepass" not in settings and "AUTH_SECRET_ARN='<" in settings


def test_the_tls_ca_secrets_are_created_empty_for_the_nodes_to_fill(variants):
    for variant, prefix, protected in (("prod", "chat-test", True), ("dev", "chat-dev", False)):
        synth = variants[variant]
        secrets = secrets_by_name(synth)
        for suffix in ("tls-ca", "tls-ca-certificate"):
            name, secret = secrets[f"{prefix}/redis-cluster/{suffix}"]
            assert secret["kms_key_id"].startswith("${aws_kms_key.") and secret["recovery_window_in_days"] == 30
            assert ("lifecycle" in secret) is protected
            # No version: Terraform never holds the CA (key or certificate); the designated
            # node writes both at its first boot (node/configure.sh).
            versions = synth.resources("aws_secretsmanager_secret_version").values()
            assert not [v for v in versions if resource_name(v["secret_id"]) == name]
        document = json.dumps(synth.document)
        assert "PRIVATE KEY" not in document and "BEGIN CERTIFICATE" not in document
        assert "tls_private_key" not in document and "acmpca" not in document, "no tls provider, no Private CA"
        for instance in synth.resources("aws_instance").values():
            settings = user_data_text(instance)
            assert "TLS_DIR='/run/redis-cluster/tls'" in settings, "keys on tmpfs"
            assert re.search(r"TLS_CA_SECRET_ARN='<redis_cluster_tls_ca_secret_[A-Z0-9]+\.arn>'", settings)
            assert re.search(
                r"TLS_CA_CERTIFICATE_SECRET_ARN='<redis_cluster_tls_ca_certificate_secret_[A-Z0-9]+\.arn>'", settings
            )


def test_backups_keep_seven_daily_four_weekly_three_monthly(variants):
    synth = variants["prod"]
    (lifecycle,) = synth.resources("aws_s3_bucket_lifecycle_configuration").values()
    rules = {rule["id"]: rule for rule in lifecycle["rule"]}
    assert rules["retention"]["noncurrent_version_expiration"] == [{"noncurrent_days": 1}]
    assert rules["retention"]["expiration"] == [{"expired_object_delete_marker": True}]
    for tier, days in (("daily", 7), ("weekly", 28), ("monthly", 93)):
        assert rules[f"{tier}-copies"]["filter"] == [{"prefix": f"chat-test/{tier}/"}]
        assert rules[f"{tier}-copies"]["expiration"] == [{"days": days}]
    (encryption,) = synth.resources("aws_s3_bucket_server_side_encryption_configuration").values()
    by_default = encryption["rule"][0]["apply_server_side_encryption_by_default"]
    assert by_default["sse_algorithm"] == "aws:kms" and by_default["kms_master_key_id"].startswith("${aws_kms_key.")
    (bucket,) = synth.resources("aws_s3_bucket").values()
    assert bucket["bucket"] == "chat-test-redis-backups-111122223333-eu-west-1"
    assert bucket["lifecycle"] == {"prevent_destroy": True}


def test_alarms_watch_every_node_memory_and_replicas_and_notify(variants):
    synth = variants["prod"]
    alarms = {a["alarm_name"]: a for a in synth.resources("aws_cloudwatch_metric_alarm").values()}
    assert sorted(alarms) == sorted(
        [f"chat-test-redis-node-{n}-down" for n in range(6)]
        + ["chat-test-redis-memory-high", "chat-test-redis-replica-missing"]
    )
    for _name, alarm in alarms.items():
        assert alarm["namespace"] == "ChatInfra/RedisCluster"
        assert alarm["alarm_actions"] == alarm["ok_actions"] == ["arn:aws:sns:eu-west-1:111122223333:alarms"]
        assert alarm["treat_missing_data"] in ("breaching", "notBreaching")
    down = alarms["chat-test-redis-node-4-down"]
    assert down["dimensions"] == {"ClusterName": "chat-test", "NodeName": "node-4"}
    assert (down["metric_name"], down["statistic"], down["treat_missing_data"]) == ("RedisUp", "Minimum", "breaching")
    assert alarms["chat-test-redis-replica-missing"]["metric_name"] == "ShardsMissingReplica"
    assert alarms["chat-test-redis-memory-high"]["threshold"] == 80


def test_the_memory_alarm_takes_the_threshold_it_is_given(variants):
    """The stack passes the one cache-memory threshold of its `alarms { }` block (ElastiCache's too)."""
    alarms = {a["alarm_name"]: a for a in variants["dev"].resources("aws_cloudwatch_metric_alarm").values()}
    (memory,) = [alarm for name, alarm in alarms.items() if name.endswith("-redis-memory-high")]
    assert memory["threshold"] == 70 and "over 70% of its maxmemory" in memory["alarm_description"]


def test_the_scripts_are_in_the_stack_once_and_every_node_gets_its_own_settings(variants):
    synth = variants["prod"]
    (local_name, files) = next(iter(synth.document["locals"].items()))
    assert files == escape_for_terraform(node_files_script())
    for instance in synth.resources("aws_instance").values():
        data = instance["user_data_base64"]
        assert data.startswith(f'${{base64gzip(join("", [local.{local_name}, ')
        text = user_data_text(instance)
        assert f"NODE_NAME='{instance['tags']['RedisClusterNode']}'" in text
        assert "MAXMEMORY_MB='2784'" in text and "DESIGNATED_NODE='node-0'" in text
        assert re.search(r"AUTH_SECRET_ARN='<redis_cluster_auth_secret_[A-Z0-9]+\.arn>'", text), (
            "its ARN, not its value"
        )
        assert re.search(r"DATA_VOLUME_ID='<redis_cluster_node_\d_data_volume_[A-Z0-9]+\.id>'", text)
        assert text.endswith("exec /opt/redis-cluster/bootstrap.sh\n")


# -- README -----------------------------------------------------------------------------------


# -- the wiring into a ChatStack ---------------------------------------------------------------


class StandInService:
    """What build_redis_cluster uses of a FargateService."""

    def __init__(self, stack, name):
        from modules.common.roles import ServiceRole
        from modules.security_groups import SecurityGroup, SecurityGroupProps

        self.security_group = SecurityGroup(
            stack,
            f"{name}_group",
            props=SecurityGroupProps(name=f"chat-{name}", vpc_id="vpc-0a1b2c3d", description=name, port=3000),
        )
        self.execution_role = ServiceRole(
            stack,
            f"{name}_execution",
            name=f"chat-{name}-execution",
            service="ecs-tasks.amazonaws.com",
            description=name,
            account_id="111122223333",
        )
        self.environment: dict[str, str] = {}
        self.secrets: dict[str, str] = {}

    def add_environment(self, variable, value, *, meaning):
        self.environment[variable] = value

    def add_secret(self, variable, secret_arn, json_key=None, *, meaning):
        assert json_key is None
        self.secrets[variable] = secret_arn


@pytest.fixture(scope="module")
def wired(synth_scratch):
    from envconfig.schema import EnvironmentConfig
    from modules.backup import BackupPlan, BackupPlanProps
    from modules.common.stack_context import StackContext
    from modules.network import Network, NetworkProps
    from modules.observability import AlarmsProps
    from stacks.platform import Platform
    from stacks.redis_cluster import build_redis_cluster

    config = EnvironmentConfig.model_validate(
        {
            "name": "staging",
            "region": "eu-west-1",
            "account_id": "111122223333",
            "network": {"vpc_cidr": "10.20.0.0/16", "az_count": 3, "availability_zones": list(ZONES)},
            "dns": {"zone_name": "chat.example.com", "api_host_names": ["api.chat.example.com"]},
            "cache_backend": "redis_cluster",
            "redis_cluster": {"instance_type": "t3.micro", "interface_endpoint_zones": 1},
        }
    )
    built = {}

    def add(stack):
        network = Network(
            stack,
            "network",
            props=NetworkProps(
                name="chat-staging", region="eu-west-1", vpc_cidr="10.20.0.0/16", az_count=3, availability_zones=ZONES
            ),
        )
        platform = Platform(
            scope=stack,
            config=config,
            context=StackContext(stack, region="eu-west-1", account_id="111122223333"),
            network=network,
            services={name: StandInService(stack, name) for name in ("api", "realtime", "worker")},
            alarm_topic_arn="arn:aws:sns:eu-west-1:111122223333:chat-staging-alarms",
            alarm_thresholds=AlarmsProps(name="chat-staging", region="eu-west-1", cache_memory_percent=75),
        )
        built["cluster"] = cluster = build_redis_cluster(platform)
        # What the composition root does with every component's backup targets.
        backup = BackupPlan(
            stack, "backup", props=BackupPlanProps(name="chat-staging", region="eu-west-1", account_id="111122223333")
        )
        for target in cluster.backup_targets():
            backup.protect(target.name, target.arn)
        built["services"] = platform.services

    built["synth"] = synth_scratch(add)
    return built


def test_wiring_reaches_the_cache_clients_only(wired):
    services, synth = wired["services"], wired["synth"]
    ingress = rules_of(synth, "aws_vpc_security_group_ingress_rule", "chat-staging-redis")
    sources = sorted(group_name_of(synth, r["referenced_security_group_id"]) for r in ingress if r["from_port"] == 6379)
    assert sources == ["chat-api", "chat-realtime", "chat-staging-redis"]
    for name in ("api", "realtime"):
        service = services[name]
        assert set(service.environment) == {"CACHE_CLUSTER_NODES"}
        assert service.environment["CACHE_CLUSTER_NODES"] == wired["cluster"].startup_nodes
        assert service.secrets == {
            "CACHE_PASSWORD": wired["cluster"].auth_secret_arn,
            "CACHE_TLS_CA": wired["cluster"].tls_ca_certificate_secret_arn,
        }
    assert services["worker"].environment == {} and services["worker"].secrets == {}


def test_wiring_gives_the_alarms_the_stacks_topic_threshold_and_startup_nodes_output(wired):
    synth = wired["synth"]
    alarms = {a["alarm_name"]: a for a in synth.resources("aws_cloudwatch_metric_alarm").values()}
    assert {tuple(a["alarm_actions"]) for a in alarms.values()} == {
        ("arn:aws:sns:eu-west-1:111122223333:chat-staging-alarms",)
    }
    assert alarms["chat-staging-redis-memory-high"]["threshold"] == 75
    nodes = synth.document["output"]["redis_cluster_startup_nodes"]["value"].split(",")
    interfaces = [
        synth.reference("aws_network_interface", name, "private_ip")
        for name in synth.resources("aws_network_interface")
        if "redis_cluster_node" in name
    ]
    assert sorted(nodes) == sorted(f"{interface}:6379" for interface in interfaces) and len(nodes) == 6


def test_wiring_protects_every_data_volume_and_admits_s3_to_the_data_tier(wired):
    synth = wired["synth"]
    (selection,) = synth.resources("aws_backup_selection").values()
    volumes = {synth.reference("aws_ebs_volume", name, "arn") for name in synth.resources("aws_ebs_volume")}
    assert set(selection["resources"]) == volumes and len(volumes) == 6
    assert synth.data("aws_ec2_managed_prefix_list"), "the data tier's ACL admits S3"
    # The network has interface endpoints for logs, Secrets Manager and CloudWatch metrics
    # (monitoring): the cluster adds the rest, and never a second endpoint for a service.
    created = sorted(
        e["service_name"].rsplit(".", 1)[1]
        for e in synth.resources("aws_vpc_endpoint").values()
        if e["vpc_endpoint_type"] == "Interface" and "redis" in e["tags"]["Name"]
    )
    assert created == ["ssm", "ssmmessages"]
    services = [e["service_name"] for e in synth.resources("aws_vpc_endpoint").values()]
    assert len(services) == len(set(services))
    (instance,) = [i for i in synth.resources("aws_instance").values() if i["tags"]["RedisClusterNode"] == "node-0"]
    assert instance["instance_type"] == "t3.micro" and "MAXMEMORY_MB='480'" in user_data_text(instance)


# -- the node files themselves -------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in NODE_FILES if name.endswith(".sh")])
def test_every_node_script_is_valid_bash(name):
    import subprocess

    from modules.redis_cluster.user_data import NODE_FILES_DIR

    checked = subprocess.run(["bash", "-n", str(NODE_FILES_DIR / name)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    shipped = subprocess.run(["bash", "-n"], input=shipped_file(name), capture_output=True, text=True, timeout=30)
    assert shipped.returncode == 0, shipped.stderr


def test_the_nodes_get_the_files_without_their_comment_lines_only():
    source, shipped = node_file("lib.sh"), shipped_file("lib.sh")
    assert shipped.splitlines() == [line for line in source.splitlines() if not line.lstrip().startswith("#")]
    assert shipped_file("auth.sh").startswith("#!/usr/bin/env bash\n"), "the shebang stays"
    assert "# -- seams" in source and "# -- seams" not in shipped
    assert "# Rendered on every boot" not in shipped_file("redis.conf.tmpl")
    assert shipped_file("cloudwatch-agent.json") == node_file("cloudwatch-agent.json")


def test_the_cloudwatch_agent_configuration_is_json_once_rendered():
    rendered = (
        node_file("cloudwatch-agent.json")
        .replace("@LOG_GROUP@", "/chat-infra/chat-prod/redis-cluster")
        .replace("@DATA_DIR@", "/var/lib/redis-cluster")
    )
    config = json.loads(rendered)
    files = config["logs"]["logs_collected"]["files"]["collect_list"]
    assert {f["file_path"] for f in files} == {
        "/var/log/redis-cluster/redis.log",
        "/var/log/redis-cluster-bootstrap.log",
    }
    assert config["metrics"]["metrics_collected"]["disk"]["resources"] == ["/", "/var/lib/redis-cluster"]


def test_the_redis_configuration_keeps_data_safe():
    template = node_file("redis.conf.tmpl")
    for line in (
        "cluster-enabled yes",
        "appendonly yes",
        "appendfsync everysec",
        "aof-use-rdb-preamble yes",
        "protected-mode yes",
        "maxmemory @MAXMEMORY_MB@mb",
        "maxmemory-policy @MAXMEMORY_POLICY@",
        "include @AUTH_CONF@",
        "save 3600 1",
        # TLS only: no plaintext listener; replication and the cluster bus over TLS.
        "port 0",
        "tls-port @PORT@",
        "tls-replication yes",
        "tls-cluster yes",
        "tls-auth-clients optional",
    ):
        assert f"\n{line}\n" in template, line
    assert "requirepass" not in [line.split()[0] for line in template.splitlines() if line and not line.startswith("#")]


def test_bash_n_catches_a_script_the_comment_stripping_would_break(monkeypatch):
    """The check above is what would catch a '#' line inside a multi-line string: planted here."""
    import subprocess

    from modules.redis_cluster import user_data

    script = '#!/usr/bin/env bash\necho "first line\n# not a comment: inside the string"\n'
    monkeypatch.setattr(user_data, "node_file", lambda name: script)
    assert subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30).returncode == 0
    broken = subprocess.run(["bash", "-n"], input=user_data.shipped_file("x.sh"), capture_output=True, text=True)
    assert broken.returncode != 0
