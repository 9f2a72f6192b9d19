"""Security groups: the helpers draw both ends of every edge, and the graph walker proves
from the synthesized JSON that only the load balancer faces the internet."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from modules.security_groups import (
    SecurityGroupProps,
    directly_reachable_from_internet,
    internet_exposure,
    reachable_from_internet,
)
from modules.security_groups.graph import ALL_PORTS, NON_PORT_TRAFFIC
from modules.security_groups.props import check_description
from tests.conftest import ROOT

PREFIX = "chat-sgtest"
ALB, API, REALTIME, WORKER, DATABASE, CACHE = (
    f"{PREFIX}-{role}" for role in ("alb", "api", "realtime", "worker", "database", "cache")
)
INGRESS, EGRESS = "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"
NAT_EGRESS_REASON = "No interface endpoints in this stack: ECR, Logs and Secrets Manager are reached through NAT"


def build_chat_graph(stack):
    """internet -> alb (443, 80) -> api (8080) -> database (5432), cache (6379);
    alb -> realtime (3000) -> cache; worker (no port) -> database. On the network module."""
    from modules.network import Network, NetworkProps
    from modules.security_groups import SecurityGroup

    network = Network(
        stack,
        "network",
        props=NetworkProps(
            name=PREFIX,
            region="eu-west-1",
            vpc_cidr="10.60.0.0/16",
            az_count=2,
            availability_zones=("eu-west-1a", "eu-west-1b"),
            nat_mode="single",
            interface_endpoints=False,
            flow_log_retention_days=365,
        ),
    )

    def group(role, description, port=None):
        props = SecurityGroupProps(name=f"{PREFIX}-{role}", vpc_id=network.vpc_id, description=description, port=port)
        return SecurityGroup(stack, role, props=props)

    groups = {
        "alb": group("alb", "Public load balancer"),
        "api": group("api", "API tasks", 8080),
        "realtime": group("realtime", "Realtime websocket tasks", 3000),
        "worker": group("worker", "Worker tasks, initiate only"),
        "database": group("database", "PostgreSQL", 5432),
        "cache": group("cache", "Redis", 6379),
    }
    alb, api, realtime, worker, database, cache = groups.values()
    alb.allow_from_internet("HTTPS, and HTTP that redirects to it, from anywhere")
    api.allow_from(alb, "HTTP from the load balancer to the API tasks")
    realtime.allow_from(alb, "Websockets from the load balancer to the realtime tasks")
    database.allow_from(api, "PostgreSQL from the API tasks")
    database.allow_from(worker, "PostgreSQL from the worker tasks")
    cache.allow_from(realtime, "Redis from the realtime tasks")
    cache.allow_from(api, "Redis from the API tasks")
    s3_endpoint = network.node.find_child("s3_gateway_endpoint")
    for tasks in (api, realtime, worker):
        tasks.allow_egress_to_prefix_list(
            "s3",
            s3_endpoint.prefix_list_id,
            443,
            "HTTPS to S3 through the gateway endpoint",
            "Image layers from ECR and objects in S3 come through the S3 gateway endpoint",
        )
        tasks.allow_egress_to_cidr(
            "internet", "0.0.0.0/0", 443, "HTTPS to AWS and third-party APIs through NAT", NAT_EGRESS_REASON
        )
    return groups


def build_misused_graph(stack):
    """The same graph, plus two doors to the internet on groups that are not the ALB:
    one through the helper, one written by hand."""
    from bindings.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule

    groups = build_chat_graph(stack)
    groups["api"].allow_from_internet("HTTPS straight to the API tasks", ports=(443,))
    VpcSecurityGroupIngressRule(
        stack,
        "hand_written_open_redis",
        security_group_id=groups["cache"].security_group_id,
        description="Redis from anywhere",
        ip_protocol="tcp",
        from_port=6379,
        to_port=6379,
        cidr_ipv4="0.0.0.0/0",
    )
    return groups


@pytest.fixture(scope="module")
def variants(synth_scratch):
    return {"chat": synth_scratch(build_chat_graph), "misused": synth_scratch(build_misused_graph)}


@pytest.fixture(scope="module")
def chat(variants):
    return variants["chat"]


def group_name(synth, reference):
    return synth.by_reference(reference)["tags"]["Name"]


def rules(synth, resource_type, group):
    """The rules of that type whose security_group_id is the group named `group`."""
    return [r for r in synth.resources(resource_type).values() if group_name(synth, r["security_group_id"]) == group]


# -- the groups ----------------------------------------------------------------------


def test_groups_have_no_inline_rules_and_are_replaced_before_they_are_deleted(chat):
    groups = chat.resources("aws_security_group")
    assert {g["tags"]["Name"] for g in groups.values()} == {ALB, API, REALTIME, WORKER, DATABASE, CACHE}
    for group in groups.values():
        # Inline rules would fight the separate rule resources; no `egress` also means the
        # provider revokes AWS's default allow-all egress rule.
        assert "ingress" not in group and "egress" not in group
        assert group["name_prefix"] == f"{group['tags']['Name']}-"
        assert group["lifecycle"] == {"create_before_destroy": True}
        assert group["vpc_id"] == chat.reference("aws_vpc", next(iter(chat.resources("aws_vpc"))))
        assert check_description(group["description"])


def test_groups_that_only_serve_have_no_egress_at_all(chat):
    for serving in (DATABASE, CACHE):
        assert rules(chat, EGRESS, serving) == []
        assert rules(chat, INGRESS, serving)


def test_allow_from_draws_both_ends_of_the_edge_on_one_port(chat):
    group_ingress = [r for r in chat.resources(INGRESS).values() if "referenced_security_group_id" in r]
    edges = {
        (group_name(chat, r["referenced_security_group_id"]), group_name(chat, r["security_group_id"]), r["from_port"])
        for r in group_ingress
    }
    assert edges == {
        (ALB, API, 8080),
        (ALB, REALTIME, 3000),
        (API, DATABASE, 5432),
        (WORKER, DATABASE, 5432),
        (REALTIME, CACHE, 6379),
        (API, CACHE, 6379),
    }
    for ingress in group_ingress:
        source = chat.by_reference(ingress["referenced_security_group_id"])
        (egress,) = [
            e
            for e in rules(chat, EGRESS, source["tags"]["Name"])
            if e.get("referenced_security_group_id") == ingress["security_group_id"]
        ]
        for key in ("ip_protocol", "from_port", "to_port", "description"):
            assert egress[key] == ingress[key], key
        assert (ingress["ip_protocol"], ingress["from_port"]) == ("tcp", ingress["to_port"])


def test_the_load_balancer_sends_only_to_its_targets(chat):
    targets = {(group_name(chat, e["referenced_security_group_id"]), e["from_port"]) for e in rules(chat, EGRESS, ALB)}
    assert targets == {(API, 8080), (REALTIME, 3000)}


def test_every_rule_has_a_description_aws_accepts(variants):
    for synth in variants.values():
        for resource_type in (INGRESS, EGRESS):
            for name, rule in synth.resources(resource_type).items():
                assert rule.get("description", "").strip(), name
                assert check_description(rule["description"])


def test_egress_beyond_the_graph_carries_its_justification(chat):
    """No egress rule goes to a CIDR or a prefix list unless an egress helper made it,
    and those write their justification beside the rule; none is all-traffic."""
    beyond = 0
    for name, rule in chat.resources(EGRESS).items():
        assert rule["ip_protocol"] == "tcp" and rule["from_port"] == rule["to_port"], name
        if "referenced_security_group_id" in rule:
            assert "justification" not in rule["//"], name
            continue
        beyond += 1
        assert len(rule["//"]["justification"]) >= 20, name
    assert beyond == 6  # S3 and NAT for each of the three task groups
    open_egress = [r for r in chat.resources(EGRESS).values() if r.get("cidr_ipv4") == "0.0.0.0/0"]
    assert {group_name(chat, r["security_group_id"]) for r in open_egress} == {API, REALTIME, WORKER}
    assert {(r["from_port"], r["//"]["justification"]) for r in open_egress} == {(443, NAT_EGRESS_REASON)}


def test_s3_egress_names_the_gateway_endpoints_prefix_list(chat):
    (s3_rule,) = [r for r in rules(chat, EGRESS, API) if "prefix_list_id" in r]
    endpoint = chat.by_reference(s3_rule["prefix_list_id"])
    assert endpoint["service_name"] == "com.amazonaws.eu-west-1.s3"
    assert endpoint["vpc_endpoint_type"] == "Gateway"


# -- the internet ----------------------------------------------------------------------


def test_internet_ingress_is_ipv4_and_ipv6_on_80_and_443(chat):
    opened = {(r.get("cidr_ipv4"), r.get("cidr_ipv6"), r["from_port"], r["to_port"]) for r in rules(chat, INGRESS, ALB)}
    assert {o for o in opened if o[:2] != (None, None)} == {
        ("0.0.0.0/0", None, 443, 443),
        (None, "::/0", 443, 443),
        ("0.0.0.0/0", None, 80, 80),
        (None, "::/0", 80, 80),
    }


def test_only_the_internet_facing_group_is_tagged_so(chat):
    tagged = {g["tags"]["Name"] for g in chat.resources("aws_security_group").values() if "InternetFacing" in g["tags"]}
    assert tagged == {ALB} == set(directly_reachable_from_internet(chat.document))


def test_port_80_waiver_sits_on_the_one_rule_checkov_flags(chat):
    waivers = chat.document["//"]["checkov_waivers"]
    flagged = [rule for rule, checks in waivers.items() if "CKV_AWS_260" in checks]
    assert len(flagged) == 1
    rule = chat.resources(INGRESS)[flagged[0]]
    assert (rule["cidr_ipv4"], rule["from_port"], group_name(chat, rule["security_group_id"])) == ("0.0.0.0/0", 80, ALB)


def test_only_the_load_balancer_is_reachable_directly_from_the_internet(chat):
    assert directly_reachable_from_internet(chat.document) == {ALB: {80, 443}}


def test_services_and_data_stores_are_reachable_only_through_the_load_balancer(chat):
    exposure = internet_exposure(chat.document)
    assert reachable_from_internet(chat.document) == {
        ALB: {80, 443},
        API: {8080},
        REALTIME: {3000},
        DATABASE: {5432},
        CACHE: {6379},
    }
    assert exposure[DATABASE].path == ("internet", ALB, API, DATABASE)
    assert exposure[CACHE].path in {("internet", ALB, API, CACHE), ("internet", ALB, REALTIME, CACHE)}
    assert all(e.path[:2] == ("internet", ALB) for e in exposure.values())
    assert WORKER not in exposure  # nothing may connect to the workers


def test_closing_the_load_balancer_leaves_nothing_reachable(chat):
    document = copy.deepcopy(chat.document)
    ingress = document["resource"][INGRESS]
    for name in [n for n, r in ingress.items() if "cidr_ipv4" in r or "cidr_ipv6" in r]:
        del ingress[name]
    assert reachable_from_internet(document) == {}


def test_narrow_egress_cuts_paths_that_ingress_alone_would_open(chat):
    document = copy.deepcopy(chat.document)
    egress = document["resource"][EGRESS]
    (alb_to_api,) = [n for n, r in egress.items() if n.startswith("alb_to_") and r["from_port"] == 8080]
    del egress[alb_to_api]
    reachable = reachable_from_internet(document)
    assert API not in reachable
    # The cache is still reached through realtime; the database only through the API.
    assert CACHE in reachable and DATABASE not in reachable


def test_an_internet_door_on_any_other_group_is_reported(variants):
    direct = directly_reachable_from_internet(variants["misused"].document)
    assert direct == {ALB: {80, 443}, API: {443}, CACHE: {6379}}
    assert internet_exposure(variants["misused"].document)[CACHE].path == ("internet", CACHE)


# -- the graph walker on hand-written documents ------------------------------------------


def document(groups=None, **resources):
    """A stack document: groups by address name -> block, plus other resource types."""
    blocks = {name: {"tags": {"Name": name}, **block} for name, block in (groups or {}).items()}
    return {"resource": {"aws_security_group": blocks, **resources}}


def ref(name):
    return f"${{aws_security_group.{name}.id}}"


def inline(from_port, to_port=None, protocol="tcp", **sources):
    return {"from_port": from_port, "to_port": to_port or from_port, "protocol": protocol, **sources}


def test_inline_ingress_blocks_are_read():
    doc = document(
        {
            "web": {
                "ingress": [inline(443, cidr_blocks=["0.0.0.0/0"])],
                "egress": [inline(8080, security_groups=[ref("app")])],
            },
            "app": {"ingress": [inline(8080, security_groups=[ref("web")])]},
        }
    )
    assert reachable_from_internet(doc) == {"web": {443}, "app": {8080}}


def test_security_group_rule_resources_are_read():
    doc = document(
        {"web": {}, "app": {}},
        aws_security_group_rule={
            "web_in": {"type": "ingress", "security_group_id": ref("web"), "protocol": "tcp", "from_port": 80,
                       "to_port": 80, "ipv6_cidr_blocks": ["::/0"]},
            "web_out": {"type": "egress", "security_group_id": ref("web"), "protocol": "-1", "from_port": 0,
                        "to_port": 0, "cidr_blocks": ["10.0.0.0/8"]},
            "app_in": {"type": "ingress", "security_group_id": ref("app"), "protocol": "tcp", "from_port": 9000,
                       "to_port": 9001, "source_security_group_id": ref("web")},
        },
    )  # fmt: skip
    assert reachable_from_internet(doc) == {"web": {80}, "app": {9000, 9001}}


def test_any_public_range_counts_as_the_internet_and_private_ranges_do_not():
    doc = document(
        {
            "half": {"ingress": [inline(22, cidr_blocks=["0.0.0.0/1"])]},
            "office": {"ingress": [inline(22, cidr_blocks=["203.0.113.0/24"])]},
            "vpc": {
                "ingress": [inline(22, cidr_blocks=["10.0.0.0/16", "100.64.0.0/16"], ipv6_cidr_blocks=["fd00::/8"])]
            },
        }
    )
    assert directly_reachable_from_internet(doc) == {"half": {22}, "office": {22}}


def test_a_prefix_list_source_is_outside_the_vpc():
    doc = document({"origin": {"ingress": [inline(443, prefix_list_ids=["pl-cloudfront"])]}})
    assert directly_reachable_from_internet(doc) == {"origin": {443}}


def test_all_traffic_and_portless_protocols():
    doc = document(
        {
            "open": {"ingress": [inline(0, 0, protocol="-1", cidr_blocks=["0.0.0.0/0"])]},
            "ping": {"ingress": [inline(8, 0, protocol="icmp", cidr_blocks=["0.0.0.0/0"])]},
        }
    )
    reachable = reachable_from_internet(doc)
    assert reachable["open"] == set(ALL_PORTS) | {NON_PORT_TRAFFIC}
    assert reachable["ping"] == {NON_PORT_TRAFFIC}


def test_what_is_unknown_at_synthesis_counts_as_open():
    doc = document(
        {
            "by_variable": {"ingress": [inline(443, cidr_blocks="${var.allowed}")]},
            "by_port_variable": {"ingress": [inline("${var.port}", "${var.port}", cidr_blocks=["0.0.0.0/0"])]},
            "from_external": {"ingress": [inline(5432, security_groups=["sg-0123456789abcdef0"])]},
        }
    )
    exposure = internet_exposure(doc)
    assert exposure["by_variable"].internet_ports == {443}
    assert exposure["by_port_variable"].internet_ports == ALL_PORTS
    assert exposure["from_external"].path == ("internet", "external:sg-0123456789abcdef0", "from_external")


def test_self_references_and_groups_nobody_reaches():
    doc = document(
        {
            "nodes": {
                "ingress": [inline(6379, self=True), inline(16379, self=True)],
                "egress": [inline(6379, self=True)],
            },
            "lonely": {},
        }
    )
    assert reachable_from_internet(doc) == {}


# -- validation ------------------------------------------------------------------------


@pytest.fixture()
def stack(tmp_path):
    from bindings.cdk import App, TerraformStack

    return TerraformStack(App(outdir=str(tmp_path)), "validation")


def make(stack, role, port=None):
    from modules.security_groups import SecurityGroup

    props = SecurityGroupProps(name=f"chat-{role}", vpc_id="vpc-0a1b2c3d", description=f"{role} members", port=port)
    return SecurityGroup(stack, role, props=props)


VALID = {"name": "chat-api", "vpc_id": "vpc-0a1b2c3d", "description": "API tasks"}
NAME_RULE = (
    "expected 2-64 characters of lowercase letters, digits and '-', starting with a letter, "
    "not ending with '-' and not starting with 'sg-'"
)
DESCRIPTION_RULE = (
    "expected 1-255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* "
    "(what AWS accepts in a security group description)"
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Chat_API"}, f'name: {NAME_RULE}, got "Chat_API" (string)'),
        ({"name": "sg-api"}, f'name: {NAME_RULE}, got "sg-api" (string)'),
        (
            {"vpc_id": "my-vpc"},
            'vpc_id: expected a VPC id such as vpc-0a1b2c3d or a reference to one, got "my-vpc" (string)',
        ),
        ({"description": "  "}, f'description: {DESCRIPTION_RULE}, got "  " (string)'),
        ({"description": "Tâches API"}, f'description: {DESCRIPTION_RULE}, got "Tâches API" (string)'),
        ({"description": "x" * 256}, f'description: {DESCRIPTION_RULE}, got "{"x" * 256}" (string)'),
        ({"port": 0}, "port: expected a number greater than or equal to 1, got 0 (number)"),
        ({"port": 70000}, "port: expected a number less than or equal to 65535, got 70000 (number)"),
        (
            {"tags": {"aws:owner": "me"}},
            "tags: tag 'aws:owner': expected a key not starting with 'aws:' (AWS reserves it)",
        ),
    ],
)
def test_props_reject_bad_values_with_the_field_and_value(change, message):
    with pytest.raises(ValueError) as caught:
        SecurityGroupProps(**{**VALID, **change})
    assert str(caught.value) == f"invalid SecurityGroupProps:\n  {message}"


def test_props_accept_a_reference_to_a_vpc_and_report_every_problem_at_once():
    assert SecurityGroupProps(**{**VALID, "vpc_id": "${TfToken[TOKEN.7]}"}).port is None
    with pytest.raises(ValueError) as caught:
        SecurityGroupProps(name="X", vpc_id="nope", description="", port=-1)
    assert [line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:]] == [
        "name",
        "vpc_id",
        "description",
        "port",
    ]


def test_allow_from_needs_a_port_when_the_group_has_none(stack):
    worker, other = make(stack, "worker"), make(stack, "other")
    with pytest.raises(ValueError) as caught:
        worker.allow_from(other, "Something")
    assert str(caught.value) == (
        "chat-worker.allow_from port: expected a port, since chat-worker has none of its own "
        "(SecurityGroupProps.port), got none"
    )
    worker.allow_from(other, "Explicit port", port=9000)  # an explicit port is enough


def test_allow_from_checks_its_arguments(stack):
    database, api = make(stack, "database", 5432), make(stack, "api", 8080)
    with pytest.raises(TypeError) as caught:
        database.allow_from(api.security_group_id, "PostgreSQL")
    assert str(caught.value) == "chat-database.allow_from source: expected a SecurityGroup, got str"
    with pytest.raises(ValueError) as caught:
        database.allow_from(api, "")
    assert str(caught.value) == f'chat-database.allow_from description: {DESCRIPTION_RULE}, got "" (string)'
    with pytest.raises(ValueError) as caught:
        database.allow_from(api, "PostgreSQL", port=0)
    assert str(caught.value) == (
        "chat-database.allow_from port: expected a number greater than or equal to 1, got 0 (number)"
    )
    database.allow_from(api, "PostgreSQL")
    with pytest.raises(ValueError) as caught:
        database.allow_from(api, "PostgreSQL again")
    assert str(caught.value) == "chat-database: expected one ingress rule from chat-api on port 5432, got a second"


@pytest.mark.parametrize("ports", [(8080,), (443, 22), (), (443, 443)])
def test_allow_from_internet_opens_only_80_and_443(stack, ports):
    api = make(stack, "api", 8080)
    with pytest.raises(ValueError) as caught:
        api.allow_from_internet("Anything", ports=ports)
    assert str(caught.value) == (
        "chat-api.allow_from_internet ports: expected distinct ports among [443, 80] (only HTTPS, and HTTP "
        f"that redirects to it, may face the internet), got {list(ports)!r} (list)"
    )
    assert not api.internet_facing and api.internet_ports == ()


def test_allow_from_internet_records_the_group_as_internet_facing(stack):
    alb = make(stack, "alb")
    alb.allow_from_internet("HTTPS from anywhere", ports=(443,))
    alb.allow_from_internet("HTTP from anywhere, redirected", ports=(80,))
    assert alb.internet_facing and alb.internet_ports == (80, 443)
    with pytest.raises(ValueError) as caught:
        alb.allow_from_internet("HTTPS twice", ports=(443,))
    assert str(caught.value) == "chat-alb: expected one ingress rule from internet on port 443, got a second"


REASON = "Third-party push notification APIs"


@pytest.mark.parametrize(
    ("helper", "arguments", "message"),
    [
        (
            "allow_egress_to_cidr",
            ("internet", "0.0.0.0/0", 443, "HTTPS out", "because"),
            "justification: expected a justification of at least 20 characters saying why this group needs "
            'traffic outside the group graph, got "because" (string)',
        ),
        (
            "allow_egress_to_cidr",
            ("office", "10.0.0.1/16", 443, "HTTPS out", REASON),
            "cidr: expected a literal IPv4 or IPv6 network such as 0.0.0.0/0 or 10.0.0.0/16, "
            'got "10.0.0.1/16" (string)',
        ),
        (
            "allow_egress_to_cidr",
            ("Internet!", "0.0.0.0/0", 443, "HTTPS out", REASON),
            f'name: {NAME_RULE}, got "Internet!" (string)',
        ),
        (
            "allow_egress_to_cidr",
            ("internet", "0.0.0.0/0", 0, "HTTPS out", REASON),
            "port: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            "allow_egress_to_prefix_list",
            ("s3", "s3", 443, "HTTPS to S3", REASON),
            'prefix_list_id: expected pl-... or a reference to one, got "s3" (string)',
        ),
        (
            "allow_egress_to_group_id",
            ("endpoints", "endpoints", 443, "HTTPS to endpoints", REASON),
            'security_group_id: expected sg-... or a reference to one, got "endpoints" (string)',
        ),
        (
            "allow_egress_to_group_id",
            ("endpoints", "sg-0123456789abcdef0", 443, "HTTPS\nto endpoints", REASON),
            f'description: {DESCRIPTION_RULE}, got "HTTPS\nto endpoints" (string)',
        ),
    ],
)
def test_egress_helpers_check_their_arguments(stack, helper, arguments, message):
    api = make(stack, "api", 8080)
    with pytest.raises(ValueError) as caught:
        getattr(api, helper)(*arguments)
    assert str(caught.value) == f"chat-api.{helper} {message}"


def test_egress_helpers_refuse_a_second_rule_to_the_same_destination_and_port(stack):
    api = make(stack, "api", 8080)
    api.allow_egress_to_cidr("internet", "::/0", 443, "HTTPS out over IPv6", REASON)
    with pytest.raises(ValueError) as caught:
        api.allow_egress_to_group_id("internet", "sg-0123456789abcdef0", 443, "HTTPS", REASON)
    assert str(caught.value) == "chat-api: expected one egress rule to internet on port 443, got a second"


# -- the module's shape ------------------------------------------------------------------


def test_props_and_graph_import_no_cdktf():
    code = (
        "import sys, modules.security_groups, modules.security_groups.graph, modules.security_groups.props; "
        "assert not any(m.startswith(('cdktf', 'constructs')) for m in sys.modules), 'cdktf imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_readme_documents_every_input_output_and_helper():
    import dataclasses

    from modules.security_groups import SecurityGroup

    readme = (Path(__file__).resolve().parents[2] / "modules" / "security_groups" / "README.md").read_text()
    inputs = readme.split("## Inputs")[1].split("## Outputs")[0]
    outputs = readme.split("## Outputs")[1]
    for field in dataclasses.fields(SecurityGroupProps):
        assert f"| `{field.name}` |" in inputs, field.name
    doc = SecurityGroup.__doc__
    attributes = doc.split("Typed outputs (attributes):")[1].split(".")[0].replace("\n", " ").split(",")
    for name in [a.strip() for a in attributes]:
        assert f"`{name}`" in outputs, name
    helpers = [name for name in vars(SecurityGroup) if name.startswith("allow_")]
    assert len(helpers) == 5
    for name in helpers:
        assert f"`{name}(" in readme, name
    for function in ("reachable_from_internet", "directly_reachable_from_internet", "internet_exposure"):
        assert f"`{function}(" in readme, function
