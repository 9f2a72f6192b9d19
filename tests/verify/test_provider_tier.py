"""Tier 5: validate, plan, apply to moto and re-plan every synthesized stack.

The `provider`-marked tests run wherever terraform, moto and a provider build are present
(.ci/run makes sure of the build); elsewhere they are skipped with the reason, and the
test summary says NOT RUN with it, never a silent pass. The tier runs once per session
(the `tier` fixture in tests/conftest.py, shared with tests/review). The other
tests here always run: they prove the tier's own judgement on made-up results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from verify.emulator import EMULATOR_GAPS, MOTO_DEFAULT_ACCOUNT, MOTO_ENDPOINT_SERVICES, EmulatorGap, endpoint_override
from verify.engine import (
    TOFU_VERSION,
    Engine,
    EngineCannotRun,
    asked_provider_address,
    built_tofu,
    find_engine,
    find_executable,
    missing_engine_reason,
)
from verify.provider import (
    PINNED_VERSION,
    PROVIDER_ADDRESS,
    STANDIN_VERSION,
    ListedWarning,
    ProviderChoice,
    choose_provider,
    cli_config,
    mirrored_provider,
    missing_provider_reason,
    read_versions,
)
from verify.run import Diagnostic, StackVerification, judge, unavailable_reasons

FAKE_TOFU_ADDRESS = "tofu.example/hashicorp/aws"
FAKE_TOFU = f"""#!/bin/sh
[ "$1" = providers ] && [ -z "$FAKE_TOFU_SILENT" ] && echo "└── provider[{FAKE_TOFU_ADDRESS}]"
exit 0
"""


@pytest.mark.provider
def test_every_stack_validates_and_plans_without_errors(tier):
    for result in tier.results:
        assert result.errors == [], f"{result.name}: {result.errors}"


@pytest.mark.provider
def test_plan_creates_exactly_what_was_synthesized(tier):
    for result in tier.results:
        assert result.other_actions == [], result.name
        assert result.planned_creates == result.synthesized_resources, result.name
        assert sum(result.planned_by_type.values()) == result.planned_creates


@pytest.mark.provider
def test_plan_used_the_chosen_provider_build(tier):
    for result in tier.results:
        lock = (tier.work_dir / result.name / ".terraform.lock.hcl").read_text()
        assert f'version     = "{tier.choice.version}"' in lock
        assert "5.100.0" not in lock


@pytest.mark.provider
def test_checkov_on_the_plans_finds_nothing_unwaived(tier):
    report = tier.plan_report
    assert report is not None
    assert report.parsing_errors == [] and report.empty_stacks == []
    assert all(s.failed == [] for s in report.stacks), [(s.name, s.failed) for s in report.stacks]


@pytest.mark.provider
def test_apply_and_second_plan_show_nothing_unlisted(tier):
    for result in tier.results:
        assert result.applied and result.replanned, result.name
        assert result.created, f"{result.name}: moto created nothing"
    assert tier.verdict.problems == []


@pytest.mark.provider
def test_plan_really_asked_the_local_endpoint(tier):
    for result in tier.results:
        plan = json.loads((tier.work_dir / result.name / "plan.json").read_text())
        data = plan["prior_state"]["values"]["root_module"]["resources"]
        identities = [r for r in data if r["mode"] == "data" and r["type"] == "aws_caller_identity"]
        for identity in identities:
            assert identity["values"]["account_id"] == MOTO_DEFAULT_ACCOUNT


# -- the same tier with OpenTofu (validate and plan: tests/conftest.py, TOFU_APPLIES) ---------


@pytest.mark.provider
def test_tofu_validates_and_plans_every_stack_type_by_type(tofu_tier):
    """Type by type against the synthesized JSON, as terraform's plan is: the two runs are
    independent, so either can be selected alone."""
    for result in tofu_tier.results:
        assert result.errors == [], f"{result.name}: {result.errors}"
        assert result.other_actions == [], result.name
        document = json.loads((tofu_tier.work_dir / result.name / "cdk.tf.json").read_text())
        synthesized = {kind: len(blocks) for kind, blocks in document.get("resource", {}).items()}
        assert dict(result.planned_by_type) == synthesized, result.name
    assert tofu_tier.verdict.problems == []


@pytest.mark.provider
def test_tofu_used_the_chosen_provider_build_under_its_own_registry_host(tofu_tier):
    assert tofu_tier.engine.name == "tofu" and tofu_tier.engine.provider_address != PROVIDER_ADDRESS
    for result in tofu_tier.results:
        lock = (tofu_tier.work_dir / result.name / ".terraform.lock.hcl").read_text()
        assert f'provider "{tofu_tier.engine.provider_address}"' in lock
        assert f'version     = "{tofu_tier.choice.version}"' in lock and "5.100.0" not in lock


@pytest.mark.provider
def test_checkov_on_tofus_plans_finds_nothing_unwaived(tofu_tier):
    report = tofu_tier.plan_report
    assert report is not None and report.parsing_errors == []
    assert all(s.failed == [] for s in report.stacks), [(s.name, s.failed) for s in report.stacks]


# -- always: the tier's choices and its judgement ----------------------------------------


def test_versions_are_written_once_and_the_stand_in_is_labelled_a_pre_release():
    versions = read_versions()
    assert versions["PINNED_PROVIDER_VERSION"] == PINNED_VERSION == "6.25.0"
    assert STANDIN_VERSION.startswith("6.") and "-" in STANDIN_VERSION  # a semver pre-release, never a release
    for path in ("Makefile", ".ci/run", "tools/ensure_provider.sh", "verify/run.py"):
        assert STANDIN_VERSION not in (ROOT / path).read_text(), f"{path} repeats the stand-in version"


def test_choice_prefers_the_pinned_build_then_the_stand_in(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAT_INFRA_USE_REGISTRY", raising=False)
    assert choose_provider(tmp_path) is None
    for version in (STANDIN_VERSION, PINNED_VERSION):
        binary = mirrored_provider(tmp_path, version)
        binary.parent.mkdir(parents=True)
        binary.write_text("")
        choice = choose_provider(tmp_path)
        assert choice.version == version and choice.mirror == tmp_path
    assert "STAND-IN" in ProviderChoice(STANDIN_VERSION, tmp_path).label
    assert "STAND-IN" not in ProviderChoice(PINNED_VERSION, tmp_path).label
    monkeypatch.setenv("CHAT_INFRA_USE_REGISTRY", "1")
    assert choose_provider(tmp_path / "empty") == ProviderChoice(PINNED_VERSION, None)


def test_cli_configuration_names_one_source_and_never_the_image_build(tmp_path):
    mirrored = cli_config(ProviderChoice(STANDIN_VERSION, tmp_path / "mirror"), tmp_path).read_text()
    assert f'path    = "{(tmp_path / "mirror").resolve()}"' in mirrored
    assert f'exclude = ["{PROVIDER_ADDRESS}"]' in mirrored and "/opt/" not in mirrored
    registry = cli_config(ProviderChoice(PINNED_VERSION, None), tmp_path).read_text()
    assert "direct {}" in registry and "filesystem_mirror" not in registry


def test_missing_pieces_are_named_with_the_recorded_build_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHAT_INFRA_USE_REGISTRY", raising=False)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "build-status.txt").write_text("the provider build failed after 3 min: proxy said 403\n")
    reasons = unavailable_reasons(tmp_path / "mirror")
    assert "terraform is not on PATH" in reasons
    (provider_reason,) = [r for r in reasons if "no built AWS provider" in r]
    assert PINNED_VERSION in provider_reason and STANDIN_VERSION in provider_reason
    assert "proxy said 403" in provider_reason and "make provider" in provider_reason


def test_verify_command_exits_2_and_says_not_run_when_it_cannot_run(tmp_path):
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
    assert "NOT RUN" in completed.stderr and "no built AWS provider" in completed.stderr
    assert "PASSED" not in completed.stdout


def test_override_points_every_service_at_the_local_endpoint():
    override = endpoint_override("http://127.0.0.1:1234")
    ((endpoints,),) = [p["endpoints"] for p in override["provider"]["aws"]]
    s3_control = endpoints.pop("s3control")
    assert set(endpoints) == set(MOTO_ENDPOINT_SERVICES) and set(endpoints.values()) == {"http://127.0.0.1:1234"}
    # S3 Control prefixes the account to its host: reached through moto as a proxy, never resolved
    assert s3_control == "http://s3-control.moto.amazonaws.com:1234"
    assert override["provider"]["aws"][0]["http_proxy"] == "http://127.0.0.1:1234"
    assert "127.0.0.1" in override["provider"]["aws"][0]["no_proxy"]
    assert override["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    # allowed_account_ids and group references need the account id, asked of STS (moto)
    assert override["provider"]["aws"][0]["skip_requesting_account_id"] is False


def test_override_covers_every_aliased_provider_too():
    from verify.emulator import provider_aliases

    stack = {"provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us_east_1", "region": "us-east-1"}]}}
    override = endpoint_override("http://127.0.0.1:1234", provider_aliases(stack))
    default, east = override["provider"]["aws"]
    assert "alias" not in default and east["alias"] == "us_east_1"
    assert east["endpoints"] == default["endpoints"] and east["skip_credentials_validation"] is True


STAND_IN = ProviderChoice(STANDIN_VERSION, None)
PINNED = ProviderChoice(PINNED_VERSION, None)
GAP = EmulatorGap("aws_kms_key", attribute="rotation_period_in_days", reason="moto keeps no period")
ERROR_GAP = EmulatorGap("aws_flow_log", error="InvalidParameter", reason="moto refuses this")


def judge_alone(results, choice, **lists):
    """judge() with only the lists a test gives (none of the project's own)."""
    return judge(results, choice, **{"gaps": (), "not_implemented": {}, "standin_warnings": (), **lists})


def _applied(**fields) -> StackVerification:
    result = StackVerification(name="chat-x", synthesized_resources=2, planned_creates=2, applied=True, replanned=True)
    for key, value in fields.items():
        setattr(result, key, value)
    return result


def test_every_listed_gap_carries_a_reason():
    assert all(len(gap.reason) >= 40 for gap in EMULATOR_GAPS)
    with pytest.raises(ValueError, match="exactly one"):
        EmulatorGap("aws_vpc", reason="x")


def test_unlisted_diff_fails_and_listed_diff_is_accepted_with_its_reason():
    diffs = {"aws_kms_key.key": ["rotation_period_in_days"], "aws_vpc.this": ["tags"]}
    verdict = judge_alone([_applied(created={"aws_kms_key.key", "aws_vpc.this"}, diffs=diffs)], PINNED, gaps=(GAP,))
    assert verdict.problems == ["chat-x: perpetual diff: the plan after apply changes aws_vpc.this.tags"]
    assert any("moto keeps no period" in line for line in verdict.accepted)


def test_listed_gap_that_no_longer_occurs_is_stale():
    verdict = judge_alone([_applied(created={"aws_kms_key.key"})], PINNED, gaps=(GAP,))
    assert verdict.problems == [f"stale emulator gap (no longer occurs): {GAP.key}: remove it"]


def test_apply_errors_are_listed_or_fail_and_explain_what_was_not_created():
    listed = _applied(failed={"aws_flow_log.f": "InvalidParameter: nope"}, uncreated=["aws_cloudwatch_log_group.g"])
    assert judge_alone([listed], PINNED, gaps=(ERROR_GAP,)).problems == []
    unlisted = _applied(failed={"aws_flow_log.f": "Throttling"}, uncreated=["aws_cloudwatch_log_group.g"])
    problems = judge_alone([unlisted], PINNED, gaps=(ERROR_GAP,)).problems
    assert any("apply failed for aws_flow_log.f: Throttling" in p for p in problems)
    assert any("not created and no listed gap explains it" in p for p in problems)


def test_not_implemented_service_is_accepted_but_stale_once_moto_creates_it():
    failing = _applied(failed={"aws_wafv2_web_acl.acl": "404 Not Found"})
    not_implemented = {"aws_wafv2_web_acl": "moto has no WAFv2 logging API"}
    assert judge_alone([failing], PINNED, gaps=(), not_implemented=not_implemented).problems == []
    created = _applied(created={"aws_wafv2_web_acl.acl"})
    (problem,) = judge_alone([created], PINNED, gaps=(), not_implemented=not_implemented).problems
    assert "stale not-implemented entry: aws_wafv2_web_acl" in problem


def test_warnings_are_errors_unless_listed_for_the_stand_in_and_stale_when_gone():
    warning = Diagnostic("warning", "Argument is deprecated", "x is deprecated; use y")
    listed = ListedWarning("Argument is deprecated", "use y", reason="only 6.47 deprecates x")
    result = _applied(warnings=[warning])
    assert judge_alone([result], STAND_IN, gaps=(), standin_warnings=(listed,)).problems == []
    (problem,) = judge_alone([result], PINNED, gaps=(), standin_warnings=(listed,)).problems
    assert "warnings are errors here" in problem
    (stale,) = judge_alone([_applied()], STAND_IN, gaps=(), standin_warnings=(listed,)).problems
    assert "stale listed warning" in stale


def test_only_zones_looked_up_by_literal_name_are_created_in_moto_first():
    from verify.emulator import looked_up_zones

    document = {
        "data": {
            "aws_route53_zone": {
                "public": {"name": "chat.example.com."},
                "by_id": {"name": "other.example.com", "zone_id": "Z123"},
                "private": {"name": "internal.example.com", "private_zone": True},
                "unknown": {"name": "${var.zone}"},
            }
        }
    }
    assert looked_up_zones(document) == ["chat.example.com"]
    assert looked_up_zones({}) == []


# -- the second engine: found, asked for its registry host, or NOT RUN with the reason ----------


def fake_tofu(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tofu = directory / "tofu"
    tofu.write_text(FAKE_TOFU)
    tofu.chmod(0o755)
    return tofu


def test_tofu_is_found_on_path_else_as_built_else_the_recorded_reason_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CHAT_INFRA_TOFU_DIR", str(tmp_path / "tofu"))
    assert find_executable("tofu") is None
    assert missing_engine_reason("tofu").endswith("`make tofu` has not built it")
    (tmp_path / "tofu").mkdir()
    (tmp_path / "tofu" / "build-status.txt").write_text("the tofu build did not finish within 1500 s\n")
    assert "did not finish within 1500 s" in missing_engine_reason("tofu")
    built = fake_tofu(built_tofu().parent)
    assert built == tmp_path / "tofu" / TOFU_VERSION / "tofu" and find_executable("tofu") == str(built)
    on_path = fake_tofu(tmp_path / "bin")
    assert find_executable("tofu") == str(on_path)
    assert find_engine("tofu") == Engine("tofu", str(on_path), FAKE_TOFU_ADDRESS)
    with pytest.raises(ValueError, match="unknown engine 'tf': expected one of terraform, tofu"):
        find_executable("tf")


def test_an_engine_that_names_no_provider_address_cannot_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_TOFU_SILENT", "1")
    with pytest.raises(EngineCannotRun, match="named no address for hashicorp/aws"):
        asked_provider_address(str(fake_tofu(tmp_path / "silent")))


def test_tofu_reads_the_mirror_under_its_own_registry_host(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAT_INFRA_USE_REGISTRY", raising=False)
    terraform_build = mirrored_provider(tmp_path, STANDIN_VERSION)
    terraform_build.parent.mkdir(parents=True)
    terraform_build.write_text("")
    assert choose_provider(tmp_path, address=FAKE_TOFU_ADDRESS) is None
    reason = missing_provider_reason(tmp_path, address=FAKE_TOFU_ADDRESS)
    assert f"not under {FAKE_TOFU_ADDRESS}" in reason and "`make tofu` lays it out" in reason
    tofu_platform = mirrored_provider(tmp_path, STANDIN_VERSION, FAKE_TOFU_ADDRESS).parent
    tofu_platform.parent.mkdir(parents=True)
    tofu_platform.symlink_to(terraform_build.parent)
    choice = choose_provider(tmp_path, address=FAKE_TOFU_ADDRESS)
    assert choice == ProviderChoice(STANDIN_VERSION, tmp_path)
    config = cli_config(choice, tmp_path, FAKE_TOFU_ADDRESS).read_text()
    assert f'include = ["{FAKE_TOFU_ADDRESS}"]' in config and f'exclude = ["{FAKE_TOFU_ADDRESS}"]' in config
    assert PROVIDER_ADDRESS not in config


def run_verify(tmp_path, *args: str, **env_changes: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path / "bin"), **env_changes}
    env.pop("CHAT_INFRA_USE_REGISTRY", None)
    command = [sys.executable, "-m", "verify", "--stacks-dir", str(tmp_path), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_verify_with_tofu_says_not_run_with_the_recorded_build_failure(tmp_path):
    (tmp_path / "tofu").mkdir()
    (tmp_path / "tofu" / "build-status.txt").write_text("the tofu build failed after 4 min: exit 1: boom\n")
    completed = run_verify(tmp_path, "--engine", "tofu", CHAT_INFRA_TOFU_DIR=str(tmp_path / "tofu"))
    assert completed.returncode == 2
    assert "NOT RUN: cannot run the provider-backed tier with tofu" in completed.stderr
    assert "tofu is neither on PATH nor built" in completed.stderr and "exit 1: boom" in completed.stderr
    assert "PASSED" not in completed.stdout and "Traceback" not in completed.stderr


def test_verify_refuses_an_unknown_engine_before_anything_runs(tmp_path):
    completed = run_verify(tmp_path, "--engine", "tf")
    assert completed.returncode == 2
    assert "argument --engine: invalid choice: 'tf' (choose from 'terraform', 'tofu')" in completed.stderr
    assert completed.stdout == "" and "Traceback" not in completed.stderr
