"""The CI/CD workflows shipped for users: they lint clean with actionlint and run the
commands README.md documents, and the pre-commit hooks run what the tests run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / ".tools" / "actionlint"


def run_commands(workflow: Path) -> list[str]:
    document = yaml.safe_load(workflow.read_text())
    return [
        line.strip()
        for job in document.get("jobs", {}).values()
        for step in job.get("steps", [])
        for line in str(step.get("run", "")).splitlines()
        if line.strip()
    ]


def make_targets(commands: list[str]) -> set[str]:
    return {match[1] for command in commands for match in re.finditer(r"\bmake (\w[\w-]*)", command)}


def test_workflows_lint_clean_with_actionlint():
    binary = ACTIONLINT if ACTIONLINT.is_file() else shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed (`make test` builds it into .tools/ with Go)")
    completed = subprocess.run([str(binary), "-no-color"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pull_requests_run_the_readme_test_command_the_gate_and_a_plan_review_per_environment():
    readme = (ROOT / "README.md").read_text()
    test_command = re.search(r"^make test\b", readme, re.MULTILINE)
    assert test_command, "README.md names its test command"
    commands = run_commands(WORKFLOWS / "pull-request.yml")
    assert "make test" in commands
    assert "make gate" in commands
    assert any(c.startswith("make plan ENV=") for c in commands)
    document = yaml.safe_load((WORKFLOWS / "pull-request.yml").read_text())
    assert sorted(document["jobs"]["plan"]["strategy"]["matrix"]["environment"]) == sorted(
        p.stem for p in (ROOT / "environments").glob("*.hcl")
    )
    uploads = [s for s in document["jobs"]["gate"]["steps"] if "upload-sarif" in str(s.get("uses", ""))]
    assert uploads and uploads[0]["with"]["sarif_file"] == "cdktf.out/gate/results.sarif"


def test_main_deploys_each_environment_in_order_through_the_reviewed_plan_with_oidc():
    deploy = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    jobs = deploy["jobs"]
    assert [jobs[name]["with"]["environment"] for name in ("dev", "staging", "prod")] == ["dev", "staging", "prod"]
    assert jobs["staging"]["needs"] == "dev" and jobs["prod"]["needs"] == "staging"
    called = yaml.safe_load((WORKFLOWS / "deploy-environment.yml").read_text())
    (job,) = called["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"  # prod's approval lives on its GitHub environment
    assert job["concurrency"]["cancel-in-progress"] is False
    steps = job["steps"]
    credentials = [s for s in steps if "configure-aws-credentials" in str(s.get("uses", ""))]
    assert credentials and "role-to-assume" in credentials[0]["with"]
    assert not any("aws-access-key-id" in str(s.get("with", {})) for s in steps)
    assert called["permissions"]["id-token"] == "write"
    assert "make deploy ENV=${{ inputs.environment }}" in run_commands(WORKFLOWS / "deploy-environment.yml")
    # The outputs `make deploy` saves (review/__main__.py OUTPUTS_JSON) outlive the runner and the region.
    from review.__main__ import OUTPUTS_JSON

    (kept,) = [s for s in steps if "upload-artifact" in str(s.get("uses", ""))]
    assert kept["with"]["path"] == f"cdktf.out/review/chat-${{{{ inputs.environment }}}}/{OUTPUTS_JSON}"


def test_every_make_target_the_workflows_run_exists_and_the_readme_documents_it():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    targets = set()
    for workflow in WORKFLOWS.glob("*.yml"):
        targets |= make_targets(run_commands(workflow))
    assert targets >= {"test", "gate", "plan", "deploy"}
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
        assert f"make {target}" in readme, target


def test_ci_runs_exactly_the_readme_test_command():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert lines[-1] == "make test"


def test_pre_commit_runs_what_the_tests_run_cheaply():
    hooks = {
        hook["id"]: hook
        for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    }
    assert hooks["ruff"]["entry"].startswith(".venv/bin/ruff check")
    assert hooks["ruff-format"]["entry"] == ".venv/bin/ruff format"
    assert hooks["actionlint"]["entry"] == ".tools/actionlint"


def test_the_deploy_workflow_can_never_apply_against_local_state(tmp_path):
    """It applies only through `make deploy`, which refuses a local backend whenever CI is
    set (review/__main__.py: local_state_refusal; tests/review/test_cli.py), and GitHub
    Actions sets CI=true in every step: nothing here may unset it or apply another way."""
    from review.__main__ import local_state_refusal

    workflow = WORKFLOWS / "deploy-environment.yml"
    document = yaml.safe_load(workflow.read_text())
    commands = run_commands(workflow)
    assert any(command.startswith("make deploy ENV=") for command in commands)
    assert not [c for c in commands if re.search(r"terraform\s+apply|cdktf\s+deploy|tofu\s+apply", c)]
    scopes = [document, *document["jobs"].values(), *(s for j in document["jobs"].values() for s in j["steps"])]
    assert not [scope for scope in scopes if "CI" in (scope.get("env") or {})]
    # dev (no deletion protection) on local state: allowed on a laptop, refused under CI.
    stack_file = tmp_path / "cdk.tf.json"
    stack_file.write_text('{"terraform": {"backend": {"local": {"path": "terraform.chat-dev.tfstate"}}}}')
    dev = ROOT / "environments" / "dev.hcl"
    assert local_state_refusal("dev", stack_file, dev, {}) is None
    assert "CI is set" in local_state_refusal("dev", stack_file, dev, {"CI": "true"})
