"""The review and the safety gate on what the stacks really are.

- `provider`-marked: the plans the provider-backed tier made (its session run, shared through
  the `tier` fixture in tests/conftest.py, never a second run): the first plans create
  everything and pass the gate; the second plans, after the apply to moto, agree with the
  tier's own reading of them.
- Always: every resource of every synthesized stack planned for deletion, to show the gate
  stops at the stores the modules really create, and at their audit log groups by the names
  the modules really give them.
"""

from __future__ import annotations

import json

import pytest

from review.plan import render_markdown, review_plan
from review.safety import check_safety
from tests.review.plans import deleted, plan_document

# -- the tier's plans ---------------------------------------------------------------------------


def _tier_plan(tier, name: str, step: str):
    return review_plan(json.loads((tier.work_dir / name / f"{step}.json").read_text()), name)


@pytest.mark.provider
def test_first_plans_create_everything_and_pass_the_safety_gate(tier):
    for result in tier.results:
        review = _tier_plan(tier, result.name, "plan")
        counts = review.counts
        assert counts["create"] == result.planned_creates == result.synthesized_resources, result.name
        assert counts["update"] == counts["replace"] == counts["delete"] == counts["forget"] == 0, result.name
        assert counts["no-op"] == 0, result.name
        verdict = check_safety(review)
        assert verdict.ok and verdict.destructions == (), result.name
        markdown = render_markdown(review)
        creates = [c.address for c in review.changes if c.category == "create"]
        assert all(f"`{address}`" in markdown for address in creates), result.name


@pytest.mark.provider
def test_second_plans_show_what_the_tier_found_after_the_apply(tier):
    for result in tier.results:
        if not result.replanned:
            continue
        review = _tier_plan(tier, result.name, "replan")
        changed = {
            c.address
            for c in review.changes
            if c.mode == "managed" and c.category not in ("no-op", "read") and c.address in result.created
        }
        assert changed == set(result.diffs), result.name
        unchanged = {c.address for c in review.changes if c.category == "no-op"}
        assert unchanged == result.created - set(result.diffs), result.name


# -- the synthesized stacks, every resource deleted ------------------------------------------------


def _delete_everything(document: dict) -> dict:
    changes = [
        deleted(f"{resource_type}.{block}", **{k: v for k, v in values.items() if isinstance(v, str | int | bool)})
        for resource_type, blocks in document.get("resource", {}).items()
        for block, values in blocks.items()
    ]
    return plan_document(*changes)


@pytest.fixture(scope="module")
def everything_deleted(synth_outdir, environment_configs):
    found = {}
    for config in environment_configs.values():
        document = json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        review = review_plan(_delete_everything(document), config.stack_name)
        found[config.stack_name] = (document, check_safety(review))
    return found


def _log_groups(document: dict) -> dict[str, str]:
    """address -> name of every log group in a synthesized stack."""
    groups = document.get("resource", {}).get("aws_cloudwatch_log_group", {})
    return {f"aws_cloudwatch_log_group.{block}": values["name"] for block, values in groups.items()}


def test_deleting_a_stack_stops_at_every_store_it_holds(everything_deleted):
    # Stores the shipped environments create today; each must be stopped wherever it appears.
    stores = ("aws_kms_key", "aws_s3_bucket", "aws_ecr_repository")
    for stack, (document, verdict) in everything_deleted.items():
        blocked = {d.change.address for d in verdict.blocked}
        resources = document["resource"]
        present = [(t, block) for t in stores for block in resources.get(t, {})]
        assert {t for t, _ in present} == set(stores), f"{stack}: the test expects each of {stores}"
        for resource_type, block in present:
            assert f"{resource_type}.{block}" in blocked, stack
        for resource_type in ("aws_vpc", "aws_subnet", "aws_iam_role", "aws_security_group", "aws_route"):
            assert not any(a.startswith(f"{resource_type}.") for a in blocked), f"{stack}: {resource_type}"
        # every type the modules create is one the gate knows: none is left to fail closed on
        assert [f.address for f in verdict.findings if f.kind == "unjudged"] == [], stack


def test_audit_log_groups_are_told_by_the_names_the_modules_give_them(everything_deleted):
    for stack, (document, verdict) in everything_deleted.items():
        blocked = {d.change.address for d in verdict.blocked}
        groups = _log_groups(document)
        audit = {a for a, name in groups.items() if name in (f"/ecs/{stack}/exec-sessions",)}
        audit |= {a for a, name in groups.items() if name.startswith("aws-waf-logs-") or "vpc-flow-logs" in name}
        services = {a for a, name in groups.items() if name in (f"/ecs/{stack}/api", f"/ecs/{stack}/realtime")}
        assert len(audit) >= 3, f"{stack}: expected exec-session, WAF and flow log groups in {sorted(groups.values())}"
        assert services, f"{stack}: expected service log groups in {sorted(groups.values())}"
        assert audit <= blocked, stack
        assert not services & blocked, stack
