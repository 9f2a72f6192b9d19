"""Network module: tiers, routing per NAT mode, endpoints, flow logs, validation."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import replace

import pytest

from modules.network import DEFAULT_INTERFACE_ENDPOINT_SERVICES, NetworkProps
from modules.network.layout import MAX_AZS, plan_subnets

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
BASE = NetworkProps(name="chat-test", region="eu-west-1", vpc_cidr="10.50.0.0/16", az_count=3, availability_zones=ZONES)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.network import Network

    props = {
        "per_az": BASE,
        "single": replace(BASE, nat_mode="single", interface_endpoints=False, flow_log_retention_days=14),
        "none": replace(BASE, nat_mode="none", az_count=2, availability_zones=None),
        "byo_key": replace(
            BASE,
            nat_mode="single",
            flow_log_kms_key_arn="arn:aws:kms:eu-west-1:111122223333:key/x",
            account_id="111122223333",
        ),
    }
    return {name: synth_scratch(lambda stack, p=p: Network(stack, "network", props=p)) for name, p in props.items()}


def subnets_by_tier(synth):
    tiers: dict[str, list[dict]] = {}
    for subnet in synth.resources("aws_subnet").values():
        tiers.setdefault(subnet["tags"]["Tier"], []).append(subnet)
    return tiers


def route_table_of(synth, subnet_name):
    for association in synth.resources("aws_route_table_association").values():
        if association["subnet_id"] == synth.reference("aws_subnet", subnet_name):
            return association["route_table_id"]
    raise AssertionError(f"{subnet_name} has no route table")


def routes_of(synth, route_table_reference):
    return [r for r in synth.resources("aws_route").values() if r["route_table_id"] == route_table_reference]


# -- layout ----------------------------------------------------------------------------


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.16.0.0/20", "192.168.0.0/18"])
def test_layout_subnets_are_inside_the_vpc_and_never_overlap(cidr):
    layout = plan_subnets(cidr, MAX_AZS)
    networks = [ipaddress.ip_network(c) for c in layout.public + layout.private + layout.data]
    vpc = ipaddress.ip_network(cidr)
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


def test_layout_adding_an_az_keeps_existing_subnets():
    two, three = plan_subnets("10.0.0.0/16", 2), plan_subnets("10.0.0.0/16", 3)
    for tier in ("public", "private", "data"):
        assert getattr(three, tier)[:2] == getattr(two, tier)


def test_layout_gives_private_tier_the_most_addresses():
    layout = plan_subnets("10.0.0.0/16", 3)
    assert (
        ipaddress.ip_network(layout.private[0]).num_addresses > 2 * ipaddress.ip_network(layout.data[0]).num_addresses
    )


# -- subnets -------------------------------------------------------------------------


def test_one_subnet_per_tier_per_az(variants):
    tiers = subnets_by_tier(variants["per_az"])
    assert sorted(tiers) == ["data", "private", "public"]
    for subnets in tiers.values():
        assert sorted(s["availability_zone"] for s in subnets) == list(ZONES)


def test_no_subnet_assigns_public_ips(variants):
    assert all(s["map_public_ip_on_launch"] is False for s in variants["per_az"].resources("aws_subnet").values())


def test_zones_are_looked_up_when_not_given(variants):
    synth = variants["none"]
    (lookup,) = synth.data("aws_availability_zones").values()
    assert "state" not in lookup, "a zone turning impaired must not renumber the subnets"
    zones = sorted(s["availability_zone"] for s in synth.resources("aws_subnet").values())
    assert zones[0].startswith("${element(data.aws_availability_zones.")
    assert len(set(zones)) == 2


# -- routing ---------------------------------------------------------------------------


def default_route_targets(synth, tier):
    targets = []
    for name, subnet in synth.resources("aws_subnet").items():
        if subnet["tags"]["Tier"] != tier:
            continue
        routes = [
            r for r in routes_of(synth, route_table_of(synth, name)) if r["destination_cidr_block"] == "0.0.0.0/0"
        ]
        targets.append([r.get("nat_gateway_id") or r.get("gateway_id") for r in routes])
    return targets


def test_public_tier_routes_to_the_internet_gateway(variants):
    synth = variants["per_az"]
    (gateway_name,) = synth.resources("aws_internet_gateway")
    assert default_route_targets(synth, "public") == [[synth.reference("aws_internet_gateway", gateway_name)]] * 3


def test_per_az_mode_routes_each_private_subnet_through_its_own_azs_nat(variants):
    synth = variants["per_az"]
    nats = synth.resources("aws_nat_gateway")
    assert len(nats) == 3 and len(synth.resources("aws_eip")) == 3
    targets = default_route_targets(synth, "private")
    assert all(len(t) == 1 for t in targets) and len({t[0] for t in targets}) == 3
    for name, subnet in synth.resources("aws_subnet").items():
        if subnet["tags"]["Tier"] != "private":
            continue
        (route,) = routes_of(synth, route_table_of(synth, name))
        nat_subnet = synth.by_reference(synth.by_reference(route["nat_gateway_id"])["subnet_id"])
        assert nat_subnet["availability_zone"] == subnet["availability_zone"]
        assert nat_subnet["tags"]["Tier"] == "public"


def test_single_mode_shares_one_nat(variants):
    synth = variants["single"]
    assert len(synth.resources("aws_nat_gateway")) == 1
    targets = default_route_targets(synth, "private")
    assert len(targets) == 3 and len({t[0] for t in targets}) == 1


def test_none_mode_has_no_nat_and_no_default_route(variants):
    synth = variants["none"]
    assert synth.resources("aws_nat_gateway") == {} and synth.resources("aws_eip") == {}
    assert default_route_targets(synth, "private") == [[], []]


@pytest.mark.parametrize("variant", ["per_az", "single", "none"])
def test_data_tier_has_no_route_out_of_the_vpc(variants, variant):
    synth = variants[variant]
    data_tables = {
        route_table_of(synth, n) for n, s in synth.resources("aws_subnet").items() if s["tags"]["Tier"] == "data"
    }
    assert len(data_tables) == 1
    assert all(not routes_of(synth, table) for table in data_tables)


def test_data_tier_acl_covers_the_data_subnets(variants):
    synth = variants["per_az"]
    (acl,) = synth.resources("aws_network_acl").values()
    data_subnets = {
        synth.reference("aws_subnet", n)
        for n, s in synth.resources("aws_subnet").items()
        if s["tags"]["Tier"] == "data"
    }
    assert set(acl["subnet_ids"]) == data_subnets


# Issue 24, finding 4: the rules evaluated as AWS does (tests/modules/test_network_data_tier_s3.py).
PRIVATE_HOST, PUBLIC_HOST, OTHER_DATA_HOST = "10.50.3.7", "10.50.192.9", "10.50.137.4"
STORE_PORTS = (5432, 6379, 9098, 27017)


@pytest.mark.parametrize("variant", ["per_az", "single"])
def test_the_private_tier_reaches_the_store_ports_only_and_the_public_tier_nothing(variants, variant):
    from tests.modules.test_network_data_tier_s3 import acl_rules, allows

    synth = variants[variant]
    ingress, egress = acl_rules(synth, egress=False), acl_rules(synth, egress=True)
    for port in STORE_PORTS:
        # A task opens the store's port; the reply goes back to its ephemeral port.
        assert allows(ingress, PRIVATE_HOST, port) and allows(egress, PRIVATE_HOST, 40_000), port
        assert not allows(ingress, PUBLIC_HOST, port), port
    assert not allows(ingress, PUBLIC_HOST, 40_000) and not allows(egress, PUBLIC_HOST, 40_000)
    assert all(rule["cidr_block"] != "10.50.0.0/16" for rule in ingress + egress), "no VPC-wide rule"
    if variant == "single":  # no interface endpoints: nothing else from the private tier
        for port in (22, 80, 443, 3306, 16379, 11211):
            assert not allows(ingress, PRIVATE_HOST, port), port
    else:  # replies from the interface endpoints' HTTPS (stateless: ephemeral ports)
        assert allows(egress, PRIVATE_HOST, 443) and allows(ingress, PRIVATE_HOST, 40_000)
        assert not allows(ingress, PRIVATE_HOST, 22)


def test_data_nodes_reach_each_other_on_any_port(variants):
    from tests.modules.test_network_data_tier_s3 import acl_rules, allows

    synth = variants["single"]
    for port in (5432, 6379, 16379, 27017, 9098, 40_000):
        assert allows(acl_rules(synth, egress=False), OTHER_DATA_HOST, port), port
        assert allows(acl_rules(synth, egress=True), OTHER_DATA_HOST, port), port


def test_tier_blocks_cover_each_tier_and_nothing_of_another():
    for cidr in ("10.0.0.0/16", "172.16.0.0/20", "192.168.0.0/18"):
        layout = plan_subnets(cidr, MAX_AZS)
        private, data = ipaddress.ip_network(layout.private_tier), ipaddress.ip_network(layout.data_tier)
        assert all(ipaddress.ip_network(c).subnet_of(private) for c in layout.private)
        assert all(ipaddress.ip_network(c).subnet_of(data) for c in layout.data)
        for subnet in layout.public:
            assert not ipaddress.ip_network(subnet).overlaps(private) and not ipaddress.ip_network(subnet).overlaps(
                data
            )
        assert not private.overlaps(data)


def test_default_security_group_has_no_rules(variants):
    (group,) = variants["per_az"].resources("aws_default_security_group").values()
    assert group["ingress"] == [] and group["egress"] == []


# -- endpoints -----------------------------------------------------------------------


def test_gateway_endpoints_serve_private_and_data_route_tables(variants):
    synth = variants["per_az"]
    tables = {synth.reference("aws_route_table", n) for n in synth.resources("aws_route_table")}
    public = {
        route_table_of(synth, n) for n, s in synth.resources("aws_subnet").items() if s["tags"]["Tier"] == "public"
    }
    gateways = {
        e["service_name"]: e
        for e in synth.resources("aws_vpc_endpoint").values()
        if e["vpc_endpoint_type"] == "Gateway"
    }
    assert sorted(gateways) == ["com.amazonaws.eu-west-1.dynamodb", "com.amazonaws.eu-west-1.s3"]
    for endpoint in gateways.values():
        assert set(endpoint["route_table_ids"]) == tables - public


def test_interface_endpoints_sit_in_private_subnets_behind_https_from_vpc(variants):
    synth = variants["per_az"]
    interfaces = [e for e in synth.resources("aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"]
    services = sorted(e["service_name"].removeprefix("com.amazonaws.eu-west-1.") for e in interfaces)
    assert services == sorted(DEFAULT_INTERFACE_ENDPOINT_SERVICES)
    private = {
        synth.reference("aws_subnet", n)
        for n, s in synth.resources("aws_subnet").items()
        if s["tags"]["Tier"] == "private"
    }
    (group_name,) = synth.resources("aws_security_group")
    for endpoint in interfaces:
        assert set(endpoint["subnet_ids"]) == private
        assert endpoint["security_group_ids"] == [synth.reference("aws_security_group", group_name)]
        assert endpoint["private_dns_enabled"] is True
    (rule,) = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert (rule["cidr_ipv4"], rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (
        "10.50.0.0/16",
        443,
        443,
        "tcp",
    )
    assert "egress" not in synth.resources("aws_security_group")[group_name]


def test_no_interface_endpoints_means_no_endpoint_security_group(variants):
    synth = variants["single"]
    assert all(e["vpc_endpoint_type"] == "Gateway" for e in synth.resources("aws_vpc_endpoint").values())
    assert synth.resources("aws_security_group") == {}


# -- flow logs -------------------------------------------------------------------------


def test_flow_logs_capture_all_traffic_into_an_encrypted_log_group(variants):
    synth = variants["per_az"]
    (flow_log,) = synth.resources("aws_flow_log").values()
    ((group_name, group),) = synth.resources("aws_cloudwatch_log_group").items()
    ((key_name, key),) = synth.resources("aws_kms_key").items()
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_destination"] == synth.reference("aws_cloudwatch_log_group", group_name, "arn")
    assert group["kms_key_id"] == synth.reference("aws_kms_key", key_name, "arn")
    assert group["retention_in_days"] == 365
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30


def test_flow_log_role_can_only_write_its_own_log_group(variants):
    synth = variants["per_az"]
    (policy,) = synth.resources("aws_iam_role_policy").values()
    document = synth.data_by_reference(policy["policy"])
    (statement,) = document["statement"]
    (group_name,) = synth.resources("aws_cloudwatch_log_group")
    arn = synth.reference("aws_cloudwatch_log_group", group_name, "arn")
    assert statement["resources"] == [arn, arn.replace("}", "}:*")]
    assert all(action.startswith("logs:") and "*" not in action for action in statement["actions"])


def test_flow_log_role_trusts_only_vpc_flow_logs_of_this_account(variants):
    synth = variants["byo_key"]
    (role,) = synth.resources("aws_iam_role").values()
    trust = synth.data_by_reference(role["assume_role_policy"])
    (statement,) = trust["statement"]
    assert statement["principals"] == [{"identifiers": ["vpc-flow-logs.amazonaws.com"], "type": "Service"}]
    assert {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111122223333"]} in statement[
        "condition"
    ]
    assert "resources" not in statement


def test_bring_your_own_key_creates_no_key(variants):
    synth = variants["byo_key"]
    assert synth.resources("aws_kms_key") == {}
    (group,) = synth.resources("aws_cloudwatch_log_group").values()
    assert group["kms_key_id"] == "arn:aws:kms:eu-west-1:111122223333:key/x"


def test_short_flow_log_retention_carries_a_reasoned_waiver(variants):
    waivers = variants["single"].document["//"]["checkov_waivers"]
    (group_name,) = variants["single"].resources("aws_cloudwatch_log_group")
    assert "14 days" in waivers[group_name]["CKV_AWS_338"]
    assert "CKV_AWS_338" not in json.dumps(variants["per_az"].document["//"].get("checkov_waivers", {}))


# -- subnet groups ---------------------------------------------------------------------


def test_subnet_groups_span_every_data_subnet_in_distinct_azs(variants):
    synth = variants["per_az"]
    for resource_type in ("aws_db_subnet_group", "aws_elasticache_subnet_group"):
        (group,) = synth.resources(resource_type).values()
        subnets = [synth.by_reference(ref) for ref in group["subnet_ids"]]
        assert {s["tags"]["Tier"] for s in subnets} == {"data"}
        assert sorted(s["availability_zone"] for s in subnets) == list(ZONES)


# -- props validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr: expected a prefix length from /16 to /20"),
        (
            {"az_count": 1, "availability_zones": None},
            "az_count: expected a number greater than or equal to 2, got 1 (number)",
        ),
        ({"availability_zones": ("eu-west-1a", "eu-west-1b")}, "availability_zones: expected 3 zone names"),
        ({"nat_mode": "double"}, "nat_mode: expected one of 'none', 'single' or 'per_az', got \"double\" (string)"),
        (
            {"nat_mode": "none", "interface_endpoints": False},
            'interface_endpoints: expected true when nat_mode is "none"',
        ),
        ({"flow_log_retention_days": 10}, "flow_log_retention_days: expected a CloudWatch Logs retention period"),
        ({"account_id": "12345"}, "account_id: expected a 12-digit AWS account id"),
        ({"name": "Chat_Prod"}, "name: expected 2-20 characters"),
        ({"interface_endpoint_services": ()}, "interface_endpoint_services: expected at least one service"),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError, match="invalid NetworkProps") as caught:
        replace(BASE, **change)
    assert message in str(caught.value)


def test_props_report_every_problem_at_once():
    with pytest.raises(ValueError) as caught:
        replace(BASE, vpc_cidr="nope", region="mars", flow_log_retention_days=2, nat_mode="none", az_count=2)
    # availability_zones is not checked against the bad region, as in an environment file:
    # a rule over fields waits until each of them is valid on its own.
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == [
        "region",
        "vpc_cidr",
        "flow_log_retention_days",
    ]
    with pytest.raises(ValueError) as caught:
        replace(BASE, vpc_cidr="nope", nat_mode="none", interface_endpoints=False, az_count=2)
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == [
        "vpc_cidr",
        "interface_endpoints",
        "availability_zones",
    ]


# (key the file reports at, network-block settings): mistakes an environment file can make.
FILE_MISTAKES = [
    ("vpc_cidr", {"vpc_cidr": "10.0.0.0/24"}),
    ("vpc_cidr", {"vpc_cidr": "10.0.0.1/16"}),
    ("vpc_cidr", {"vpc_cidr": "8.8.0.0/16"}),
    ("az_count", {"az_count": 1}),
    ("az_count", {"az_count": 5}),
    ("nat_mode", {"nat_mode": "per-az"}),
    ("flow_log_retention_days", {"flow_log_retention_days": 8}),
    ("availability_zones", {"availability_zones": ["eu-west-1a", "eu-west-1a", "us-east-1c"]}),
    ("interface_endpoints", {"nat_mode": "none", "interface_endpoints": False}),
]


@pytest.mark.parametrize(("key", "settings"), FILE_MISTAKES)
def test_props_reject_what_an_environment_file_rejects_in_the_same_words(tmp_path, key, settings):
    from envconfig import EnvironmentFileError, load_environment

    settings = {"vpc_cidr": "10.40.0.0/16", "az_count": 2, **settings}
    block = "".join(f"  {name} = {json.dumps(value)}\n" for name, value in settings.items())
    path = tmp_path / "dev.hcl"
    dns = 'dns {\n  zone_name = "chat.example.com"\n  api_host_names = ["api.chat.example.com"]\n}\n'
    path.write_text(f'name = "dev"\nregion = "eu-west-1"\nnetwork {{\n{block}}}\n{dns}')
    with pytest.raises(EnvironmentFileError) as in_file:
        load_environment(path)
    (problem,) = in_file.value.problems
    assert problem.key == f"network.{key}"

    given = {name: tuple(v) if isinstance(v, list) else v for name, v in settings.items()}
    with pytest.raises(ValueError) as directly:
        NetworkProps(name="chat-dev", region="eu-west-1", **given)
    assert [line.strip() for line in str(directly.value).splitlines()[1:]] == [f"{key}: {problem.message}"]


def test_the_network_block_is_derived_from_the_props():
    import dataclasses

    from envconfig import NetworkConfig
    from modules.common.inputs import environment_fields, field_docs

    settable = environment_fields(NetworkProps)
    assert list(NetworkConfig.model_fields) == [f.name for f in settable]
    assert {"name", "region", "account_id", "tags"}.isdisjoint(NetworkConfig.model_fields)
    docs = field_docs(NetworkProps)
    for field in settable:
        derived = NetworkConfig.model_fields[field.name]
        assert derived.is_required() == (field.default is dataclasses.MISSING)
        if not derived.is_required():
            assert derived.default == field.default
        assert derived.description == docs[field.name]
