"""The estimate over the real synthesized stacks (environments and examples, synthesized once
per session by tests/conftest.py), with the shipped price table and assumptions."""

from __future__ import annotations

import json

import pytest

from costs.__main__ import EXIT_OK, main
from costs.assumptions import DEFAULT_ASSUMPTIONS, load_assumptions
from costs.estimate import estimate_stack
from costs.prices import DEFAULT_PRICES, load_prices
from costs.stack import find_stack_files, load_stack
from synthesized import released_count

# Resource types the shipped stacks may hold that are deliberately left unpriced: none today.
DELIBERATELY_NOT_PRICED: set[str] = set()


@pytest.fixture(scope="module")
def estimates(synth_outdir):
    table, assumptions = load_prices(DEFAULT_PRICES), load_assumptions(DEFAULT_ASSUMPTIONS)
    files = find_stack_files([synth_outdir / "stacks"])
    return {name: estimate_stack(load_stack(name, path), table, assumptions) for name, path in files.items()}


@pytest.fixture(scope="module")
def documents(synth_outdir):
    return {path.parent.name: json.loads(path.read_text()) for path in (synth_outdir / "stacks").glob("*/cdk.tf.json")}


def lines_of(estimate, resource_type):
    return [line for line in estimate.lines if line.resource_type == resource_type]


def test_every_stack_is_priced_and_nothing_is_left_unpriced(estimates):
    assert {"chat-dev", "chat-staging", "chat-prod"} <= set(estimates)
    for name, estimate in estimates.items():
        unpriced = [(item.address, item.reason) for item in estimate.not_priced]
        assert [u for u in unpriced if u[0].split(".")[0] not in DELIBERATELY_NOT_PRICED] == [], name
        assert estimate.total_usd > 0, name


def test_prod_costs_more_than_staging_and_staging_more_than_dev(estimates):
    dev, staging, prod = (estimates[f"chat-{env}"].total_usd for env in ("dev", "staging", "prod"))

    assert dev < staging < prod


def test_nat_gateways_follow_the_nat_mode(estimates):
    assert len(lines_of(estimates["chat-prod"], "aws_nat_gateway")) == 3  # one per AZ
    assert len(lines_of(estimates["chat-dev"], "aws_nat_gateway")) == 1  # single
    assert lines_of(estimates["chat-isolated"], "aws_nat_gateway") == []  # none


def test_fargate_shares_follow_each_services_strategy_and_architecture(estimates, documents):
    for stack in ("chat-dev", "chat-prod", "chat-isolated"):
        resources = documents[stack]["resource"]
        for line in lines_of(estimates[stack], "aws_ecs_service"):
            service = resources["aws_ecs_service"][line.address.split(".", 1)[1]]
            task = resources["aws_ecs_task_definition"][service["task_definition"].split(".")[1]]
            bases = {item["capacity_provider"]: item.get("base", 0) for item in service["capacity_provider_strategy"]}
            # Priced as released: a service waits at zero tasks only until its first image.
            desired = released_count(service["desired_count"])
            # The shipped strategies: an on-demand base, then the rest split 1:1 (or all Spot).
            on_demand = min(desired, bases.get("FARGATE", 0))
            rest = desired - on_demand
            expected_on_demand = on_demand + (rest / 2 if "FARGATE" in bases else 0)
            vcpu = int(task["cpu"]) / 1024
            architecture = task["runtime_platform"]["cpu_architecture"].lower()
            vcpu_hours = {
                c.what.split(" ")[0]: c.quantity
                for c in line.components
                if c.unit == "vCPU-h" and architecture in c.what
            }
            assert vcpu_hours.get("FARGATE", 0) == pytest.approx(expected_on_demand * vcpu * 730), line.address
            expected_spot = desired - expected_on_demand
            assert vcpu_hours.get("FARGATE_SPOT", 0) == pytest.approx(expected_spot * vcpu * 730), line.address


def test_the_cloudfront_scope_resources_are_priced_in_us_east_1(estimates):
    prod = estimates["chat-prod"]
    regions = {line.address: line.region for line in prod.lines}

    assert regions["aws_wafv2_web_acl.cloudfront_waf_web_acl_52F9BB71"] == "us-east-1"
    assert {line.region for line in estimates["chat-isolated"].lines} == {"eu-central-1", "us-east-1"}


def test_prods_second_region_copies_are_priced_there_like_the_originals(estimates):
    prod = estimates["chat-prod"]
    vaults = {line.region: line for line in lines_of(prod, "aws_backup_vault")}
    assert set(vaults) == {"eu-west-1", "eu-central-1"}
    # The copy vault holds the same recovery points (rds and s3), at the second region's rates.
    assert vaults["eu-central-1"].monthly_usd > vaults["eu-west-1"].monthly_usd > 0
    (replication,) = lines_of(prod, "aws_db_instance_automated_backups_replication")
    assert replication.region == "eu-central-1" and replication.monthly_usd > 0
    assert not lines_of(estimates["chat-staging"], "aws_db_instance_automated_backups_replication")


def test_the_command_writes_a_report_for_every_synthesized_stack(synth_outdir, tmp_path, capsys):
    out = tmp_path / "review"

    code = main(["--stacks-dir", str(synth_outdir / "stacks"), "--out-dir", str(out)])

    assert code == EXIT_OK
    stacks = sorted(path.parent.name for path in (synth_outdir / "stacks").glob("*/cdk.tf.json"))
    assert sorted(path.parent.name for path in out.glob("*/cost.json")) == stacks
    prod = json.loads((out / "chat-prod" / "cost.json").read_text())
    assert prod["total_usd"] == pytest.approx(sum(line["monthly_usd"] for line in prod["lines"]), abs=0.05)
    assert "chat-prod: $" in capsys.readouterr().out
