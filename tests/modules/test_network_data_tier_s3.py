"""Network.admit_s3_to_data_tier: data-tier hosts reach S3 through the gateway endpoint, and nothing else.

The synthesized rules are evaluated as AWS evaluates a network ACL (lowest rule number
first, first match decides, then the implicit deny), for both directions of a connection
(an ACL is stateless), with the S3 ranges a region's prefix list could hold.
"""

from __future__ import annotations

import ipaddress
import re

import pytest

from modules.network import NetworkProps
from modules.network.network import DATA_ACL_S3_SLOTS

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
BASE = NetworkProps(name="chat-test", region="eu-west-1", vpc_cidr="10.50.0.0/16", az_count=3, availability_zones=ZONES)
DATA_HOST = "10.50.130.10"  # in the data tier (third quarter of the VPC)
# What a region's S3 prefix list may hold (eu-west-1's ranges, for the test's sake).
S3_RANGES = ("3.5.64.0/21", "3.5.72.0/23", "52.218.0.0/17", "52.92.0.0/17", "18.34.32.0/20")
S3_ADDRESS = "52.218.12.7"


@pytest.fixture(scope="module")
def synths(synth_scratch):
    from modules.network import Network

    def admitted(stack):
        network = Network(stack, "network", props=BASE)
        network.admit_s3_to_data_tier()
        network.admit_s3_to_data_tier()  # idempotent

    return {
        "plain": synth_scratch(lambda stack: Network(stack, "network", props=BASE)),
        "admitted": synth_scratch(admitted),
    }


def acl_rules(synth, egress: bool, s3_ranges=S3_RANGES) -> list[dict]:
    """Every rule of the data ACL in one direction, the S3 slots resolved as Terraform would
    resolve element(sort(ranges), slot)."""
    (acl_name, acl) = next(iter(synth.resources("aws_network_acl").items()))
    rules = [dict(rule) for rule in acl["egress" if egress else "ingress"]]
    ordered = sorted(s3_ranges)
    for rule in synth.resources("aws_network_acl_rule").values():
        assert rule["network_acl_id"] == synth.reference("aws_network_acl", acl_name)
        if rule["egress"] != egress:
            continue
        (list_name, slot) = re.fullmatch(
            r"\$\{element\(sort\(data\.aws_ec2_managed_prefix_list\.([A-Za-z0-9_]+)\.entries\[\*\]\.cidr\), (\d+)\)\}",
            rule["cidr_block"],
        ).groups()
        assert synth.data("aws_ec2_managed_prefix_list")[list_name]["name"] == "com.amazonaws.eu-west-1.s3"
        rules.append(
            {
                "rule_no": rule["rule_number"],
                "action": rule["rule_action"],
                "protocol": rule["protocol"],
                "cidr_block": ordered[int(slot) % len(ordered)],
                "from_port": rule["from_port"],
                "to_port": rule["to_port"],
            }
        )
    return sorted(rules, key=lambda rule: rule["rule_no"])


def allows(rules: list[dict], address: str, port: int) -> bool:
    for rule in rules:
        if ipaddress.ip_address(address) not in ipaddress.ip_network(rule["cidr_block"]):
            continue
        if rule["protocol"] != "-1" and not rule["from_port"] <= port <= rule["to_port"]:
            continue
        return rule["action"] == "allow"
    return False  # the implicit deny


def connection_allowed(synth, remote: str, remote_port: int, client_port: int = 40_000, **kw) -> bool:
    """A data-tier host opens TCP to remote:remote_port; the reply comes back to client_port."""
    return allows(acl_rules(synth, egress=True, **kw), remote, remote_port) and allows(
        acl_rules(synth, egress=False, **kw), remote, client_port
    )


def test_without_the_call_the_acl_is_what_it_was(synths):
    synth = synths["plain"]
    assert synth.resources("aws_network_acl_rule") == {}
    assert synth.data("aws_ec2_managed_prefix_list") == {}
    (acl,) = synth.resources("aws_network_acl").values()
    assert "lifecycle" not in acl
    assert not connection_allowed(synth, S3_ADDRESS, 443)


def test_https_to_s3_through_the_gateway_is_admitted(synths):
    synth = synths["admitted"]
    assert connection_allowed(synth, S3_ADDRESS, 443)
    for cidr in S3_RANGES:
        assert connection_allowed(synth, str(ipaddress.ip_network(cidr)[1]), 443), cidr


def test_nothing_but_s3_https_leaves_the_vpc(synths):
    synth = synths["admitted"]
    assert not connection_allowed(synth, "8.8.8.8", 443), "the internet"
    assert not connection_allowed(synth, S3_ADDRESS, 80), "plain HTTP to S3"
    assert not connection_allowed(synth, S3_ADDRESS, 22)
    # Nothing outside the VPC may open a connection to a data-tier host's service ports:
    # S3's ranges are admitted only on the ephemeral ports replies arrive on.
    assert not allows(acl_rules(synth, egress=False), "8.8.8.8", 6379)
    assert not allows(acl_rules(synth, egress=False), S3_ADDRESS, 22)
    rules = acl_rules(synth, egress=False) + acl_rules(synth, egress=True)
    assert all(rule["cidr_block"] not in ("0.0.0.0/0", "::/0") for rule in rules)


def test_data_tier_traffic_is_unchanged(synths):
    synth = synths["admitted"]
    # Data nodes among themselves (the tier's block, rule 100); the stores' own tier
    # rules are tests/modules/test_network.py's (issue 24, finding 4).
    assert connection_allowed(synth, "10.50.131.20", 16379)
    assert acl_rules(synth, egress=True)[0]["rule_no"] == 100


def test_every_range_has_a_slot_and_spare_slots_repeat_ranges(synths):
    synth = synths["admitted"]
    egress = [r for r in acl_rules(synth, egress=True) if r["rule_no"] >= 200]
    assert [r["rule_no"] for r in egress] == list(range(200, 200 + DATA_ACL_S3_SLOTS))
    assert {r["cidr_block"] for r in egress} == set(S3_RANGES)
    ingress = [r for r in acl_rules(synth, egress=False) if r["rule_no"] >= 200]
    assert {(r["from_port"], r["to_port"], r["protocol"]) for r in ingress} == {(1024, 65535, "tcp")}
    assert {(r["from_port"], r["to_port"], r["protocol"]) for r in egress} == {(443, 443, "tcp")}


def test_a_prefix_list_longer_than_the_slots_stops_the_plan(synths):
    synth = synths["admitted"]
    guarded = [rule for rule in synth.resources("aws_network_acl_rule").values() if "lifecycle" in rule]
    assert sorted(rule["egress"] for rule in guarded) == [False, True], "the first slot of each direction"
    for guard in guarded:
        (condition,) = guard["lifecycle"]["precondition"]
        assert re.fullmatch(
            r"\$\{length\(data\.aws_ec2_managed_prefix_list\.[A-Za-z0-9_]+\.entries\) <= "
            + str(DATA_ACL_S3_SLOTS)
            + r"\}",
            condition["condition"],
        )
        assert "raise DATA_ACL_S3_SLOTS" in condition["error_message"]


def test_the_acl_leaves_the_separate_rules_alone(synths):
    (acl,) = synths["admitted"].resources("aws_network_acl").values()
    assert acl["lifecycle"] == {"ignore_changes": ["ingress", "egress"]}


def test_the_data_route_table_still_leads_nowhere_but_the_vpc(synths):
    synth = synths["admitted"]
    (data_table,) = [
        name for name, t in synth.resources("aws_route_table").items() if t["tags"]["Name"].endswith("-data")
    ]
    reference = synth.reference("aws_route_table", data_table)
    assert [r for r in synth.resources("aws_route").values() if r["route_table_id"] == reference] == []
    gateways = [e for e in synth.resources("aws_vpc_endpoint").values() if reference in e.get("route_table_ids", [])]
    assert sorted(e["service_name"] for e in gateways) == [
        "com.amazonaws.eu-west-1.dynamodb",
        "com.amazonaws.eu-west-1.s3",
    ]
