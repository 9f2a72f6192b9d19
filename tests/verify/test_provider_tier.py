"""Tier 5: terraform validate + plan of every environment against moto on loopback.

Runs only where terraform and a built AWS provider 6.25.0 are present (`make provider`);
elsewhere each test is skipped with the reason printed in the summary, never passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from verify.run import (
    DEFAULT_CHECKOV,
    PROVIDER_VERSION,
    mirror_dir,
    mirrored_provider,
    scan_plans,
    unavailable_reasons,
    verify_stack,
)


@pytest.fixture(scope="session")
def verified(synth_outdir, tmp_path_factory):
    reasons = unavailable_reasons(mirror_dir())
    if reasons:
        pytest.skip("provider-backed tier not run: " + "; ".join(reasons))
    from gate.run import find_stacks

    stacks = find_stacks(synth_outdir / "stacks")
    work = tmp_path_factory.mktemp("verify")
    results = {name: verify_stack(name, path, work, mirror_dir()) for name, path in stacks.items()}
    plans = {name: work / name / "tfplan.json" for name, r in results.items() if r.planned_creates is not None}
    plan_report = scan_plans(plans, stacks, work / "plan-report", DEFAULT_CHECKOV) if plans else None
    return results, plan_report, work


@pytest.mark.provider
def test_every_environment_validates_and_plans_without_errors(verified):
    results, _, _ = verified
    assert sorted(results) == ["chat-dev", "chat-prod", "chat-staging"]
    for name, result in results.items():
        assert result.errors == [], f"{name}: {result.errors}"


@pytest.mark.provider
def test_plan_creates_exactly_what_was_synthesized(verified):
    results, _, _ = verified
    for name, result in results.items():
        assert result.other_actions == [], name
        assert result.planned_creates == result.synthesized_resources, name


@pytest.mark.provider
def test_plan_uses_the_pinned_provider(verified):
    _, _, work = verified
    for name in ("chat-dev", "chat-prod", "chat-staging"):
        lock = (work / name / ".terraform.lock.hcl").read_text()
        assert f'version     = "{PROVIDER_VERSION}"' in lock


@pytest.mark.provider
def test_checkov_on_the_plans_finds_nothing_unwaived(verified):
    _, plan_report, _ = verified
    assert plan_report is not None
    assert plan_report.parsing_errors == [] and plan_report.empty_stacks == []
    assert all(s.failed == [] for s in plan_report.stacks), [(s.name, s.failed) for s in plan_report.stacks]


# -- always: the tier refuses to be silently green ---------------------------------------


def test_missing_provider_and_terraform_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHAT_INFRA_USE_REGISTRY", raising=False)
    reasons = unavailable_reasons(tmp_path / "no-mirror")
    assert "terraform is not on PATH" in reasons
    assert any(str(mirrored_provider(tmp_path / "no-mirror")) in r and "make provider" in r for r in reasons)


def test_verify_command_exits_2_and_says_why_when_it_cannot_run(tmp_path):
    env = {**os.environ, "CHAT_INFRA_PROVIDER_MIRROR": str(tmp_path / "empty-mirror"), "PYTHONPATH": str(ROOT)}
    env.pop("CHAT_INFRA_USE_REGISTRY", None)
    completed = subprocess.run(
        [sys.executable, "-m", "verify", "--stacks-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "cannot run the provider-backed tier" in completed.stderr
    assert f"no built AWS provider {PROVIDER_VERSION}" in completed.stderr
    assert "PASSED" not in completed.stdout


def test_override_points_every_service_at_the_local_endpoint():
    from verify.run import MOTO_ENDPOINT_SERVICES, verify_override

    override = verify_override("http://127.0.0.1:1234")
    (endpoints,) = override["provider"]["aws"]["endpoints"]
    assert set(endpoints) == set(MOTO_ENDPOINT_SERVICES) and set(endpoints.values()) == {"http://127.0.0.1:1234"}
    assert override["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    json.dumps(override)  # must be valid Terraform JSON


@pytest.mark.provider
def test_plan_really_asked_the_local_endpoint(verified):
    from verify.run import MOTO_DEFAULT_ACCOUNT

    _, _, work = verified
    for name in ("chat-dev", "chat-prod", "chat-staging"):
        plan = json.loads((work / name / "tfplan.json").read_text())
        data = plan["prior_state"]["values"]["root_module"]["resources"]
        (identity,) = [r for r in data if r["mode"] == "data" and r["type"] == "aws_caller_identity"]
        assert identity["values"]["account_id"] == MOTO_DEFAULT_ACCOUNT
