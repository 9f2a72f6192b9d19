"""What the command writes: cost.md and cost.json per stack, the not-priced list, the
assumptions used, and how assumptions are chosen per stack."""

from __future__ import annotations

import json

import pytest

from costs.__main__ import EXIT_OK, main
from costs.assumptions import load_assumptions, most_specific_match
from costs.stack import Stack
from tests.costs.stacks import ROUND_PRICES, stack_document, write_assumptions, write_stacks

MIXED = {
    "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}"}},
    "aws_security_group": {"web": {"name": "web"}},
    "aws_foo_widget": {"mystery": {"size": 3}},
    "aws_vpc_endpoint": {"appliance": {"vpc_endpoint_type": "GatewayLoadBalancer"}},
    "aws_kms_key": {"many": {"for_each": "${toset(var.names)}"}},
}


@pytest.fixture
def written(tmp_path, capsys):
    stacks = write_stacks(tmp_path, {"chat-mixed": stack_document(MIXED, environment="prod")})
    assumptions = write_assumptions(
        tmp_path / "assumptions.toml",
        {"nat_gateway": {"data_processed_gb_per_month": 10}},
        extra="[environment.prod.nat_gateway]\ndata_processed_gb_per_month = 20\n",
    )
    out = tmp_path / "review"
    files = ["--prices", str(ROUND_PRICES), "--assumptions", str(assumptions)]
    code = main(["--stacks-dir", str(stacks), "--out-dir", str(out), *files])
    assert code == EXIT_OK
    return out / "chat-mixed", capsys.readouterr().out


def test_resources_neither_priced_nor_free_are_listed_with_the_reason(written):
    folder, stdout = written
    data = json.loads((folder / "cost.json").read_text())

    assert {item["address"]: item["reason"] for item in data["not_priced"]} == {
        "aws_foo_widget.mystery": "no price model for this resource type",
        "aws_vpc_endpoint.appliance": "GatewayLoadBalancer endpoints are not in the price table",
        "aws_kms_key.many": "for_each: how many instances there are is not known from the JSON",
    }
    markdown = (folder / "cost.md").read_text()
    assert "## Not priced (3)" in markdown
    assert "| `aws_foo_widget.mystery` | no price model for this resource type |" in markdown
    assert "not priced: aws_foo_widget.mystery, aws_kms_key.many, aws_vpc_endpoint.appliance" in stdout


def test_free_resources_are_listed_as_free_and_priced_ones_add_up(written):
    folder, _ = written
    data = json.loads((folder / "cost.json").read_text())

    assert data["free"] == [{"address": "aws_security_group.web", "type": "aws_security_group", "reason": "no charge"}]
    # One NAT gateway with the prod override of 20 GB: 730 h x 0.05 + 20 GB x 0.05.
    assert data["total_usd"] == pytest.approx(730 * 0.05 + 20 * 0.05)
    assert [line["address"] for line in data["lines"]] == ["aws_nat_gateway.nat"]
    assert data["currency"] == "USD" and data["hours_per_month"] == 730
    assert data["price_table"]["version"] == "test-round"


def test_the_report_states_the_assumptions_it_used_and_where_they_came_from(written):
    folder, _ = written
    data = json.loads((folder / "cost.json").read_text())

    assert data["assumptions"]["used"] == [
        {"key": "nat_gateway.data_processed_gb_per_month", "value": 20, "from": "environment.prod"}
    ]
    markdown = (folder / "cost.md").read_text()
    assert "| `nat_gateway.data_processed_gb_per_month` | 20 | environment.prod |" in markdown
    assert "**$37.50 a month**" in markdown
    assert "| nat_gateway | test |" in markdown  # the price section's source, for the sections used


def test_the_most_specific_pattern_wins_whatever_the_order():
    patterns = {"*": 1, "api*": 2, "*log*": 3, "api_log*": 4}

    assert most_specific_match("api_log_group_AB12", patterns) == "api_log*"
    assert most_specific_match("worker_log_group_CD34", patterns) == "*log*"
    assert most_specific_match("api_service", patterns) == "api*"
    assert most_specific_match("bucket", patterns) == "*"


def test_overrides_apply_environment_then_stack_and_add_patterns(tmp_path):
    path = write_assumptions(
        tmp_path / "assumptions.toml",
        {"logs": {"ingest_gb_per_month": {"*": 1, "api*": 2}}, "nat_gateway": {"data_processed_gb_per_month": 10}},
        extra=(
            "[environment.prod.logs.ingest_gb_per_month]\n"
            '"api*" = 20\n'
            '"worker*" = 5\n'
            "[environment.prod.nat_gateway]\n"
            "data_processed_gb_per_month = 300\n"
            '[stack."chat-prod".nat_gateway]\n'
            "data_processed_gb_per_month = 400\n"
        ),
    )
    assumptions = load_assumptions(path)

    prod = assumptions.for_stack("chat-prod", "prod")
    assert prod.number("nat_gateway", "data_processed_gb_per_month") == 400
    assert prod.by_name("logs", "ingest_gb_per_month", "api_log_group") == 20
    assert prod.by_name("logs", "ingest_gb_per_month", "worker_log_group") == 5
    assert prod.by_name("logs", "ingest_gb_per_month", "flow_log_group") == 1
    assert [(u.key, u.origin) for u in prod.used_sorted()] == [
        ('logs.ingest_gb_per_month["*"]', "default"),
        ('logs.ingest_gb_per_month["api*"]', "environment.prod"),
        ('logs.ingest_gb_per_month["worker*"]', "environment.prod"),
        ("nat_gateway.data_processed_gb_per_month", 'stack."chat-prod"'),
    ]
    staging = assumptions.for_stack("chat-staging", "staging")
    assert staging.number("nat_gateway", "data_processed_gb_per_month") == 10
    assert staging.by_name("logs", "ingest_gb_per_month", "worker_log_group") == 1


def test_the_environment_is_the_stacks_environment_tag_else_its_name(tmp_path):
    tagged = Stack("chat-prod", tmp_path / "a.json", stack_document({}, environment="prod"))
    untagged = Stack("chat-x", tmp_path / "b.json", {"provider": {"aws": [{"region": "eu-west-1"}]}})

    assert tagged.environment == "prod"
    assert untagged.environment == "chat-x"


def test_the_shipped_assumptions_file_loads_and_covers_every_environment():
    from costs.assumptions import DEFAULT_ASSUMPTIONS

    assumptions = load_assumptions(DEFAULT_ASSUMPTIONS)

    assert {"dev", "staging", "prod"} <= set(assumptions.environments)
