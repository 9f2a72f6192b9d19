"""`python -m review plan|deploy ENV`: what it refuses to start without, and what it runs in which order.

The command is run as a user runs it, in its own process. Where it needs terraform, a
stand-in `terraform` on PATH records every call and serves a plan document written here;
checkov is the real one (the gate's pinned build), with the waivers of the stack's JSON.
The terraform steps themselves are run against the real terraform in test_terraform.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from review.credentials import credential_source, missing_credentials_reason
from tests.conftest import ROOT
from tests.review.plans import deleted, plan_document, resource_change
from tests.test_config import VALID
from verify.engine import ENGINE_NAMES
from verify.provider import PINNED_VERSION, PROVIDER_ADDRESS, STANDIN_VERSION, mirrored_provider

STACK = "chat-test"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
WAIVER_REASON = "Service logs are operational, kept a month by this environment's choice."

FAKE_TERRAFORM = """#!{python}
import json, os, pathlib, sys
argv = sys.argv[1:]
with open(os.environ["FAKE_TF_LOG"], "a") as log:
    log.write(json.dumps({{"argv": argv, "cwd": os.getcwd(), "config": os.environ.get("TF_CLI_CONFIG_FILE"),
                          "engine": os.path.basename(sys.argv[0])}}) + "\\n")
if argv[0] == "providers":  # tofu is asked which registry host it resolves hashicorp/aws to
    print("└── provider[tofu.example/hashicorp/aws]")
if os.environ.get("FAKE_TF_FAIL") == argv[0]:
    print("Error: No valid credential sources found", file=sys.stderr)
    sys.exit(1)
if argv[0] == "plan":
    (out,) = [a.split("=", 1)[1] for a in argv if a.startswith("-out=")]
    pathlib.Path(out).write_text(pathlib.Path(os.environ["FAKE_TF_PLAN"]).read_text())
elif argv[0] == "show":
    print(pathlib.Path(argv[-1]).read_text())
elif argv[0] == "apply":
    print("Apply complete! applied " + pathlib.Path(argv[-1]).read_text()[:20])
elif argv[0] == "output":
    print(json.dumps({{"vpc_id": {{"sensitive": False, "type": "string", "value": "vpc-0123"}}}}))
"""


def log_group(block: str, name: str, retention: int, kms: bool = True) -> dict:
    values = {"name": name, "retention_in_days": retention, "skip_destroy": False}
    if kms:
        values["kms_key_id"] = KEY
    return resource_change(f"aws_cloudwatch_log_group.{block}", ["create"], after=values)


def with_planned_values(plan: dict) -> dict:
    """planned_values: what checkov's terraform_plan framework scans (what exists after the apply)."""
    resources = [
        {
            "address": c["address"],
            "mode": c["mode"],
            "type": c["type"],
            "name": c["name"],
            "provider_name": c["provider_name"],
            "schema_version": 0,
            "values": c["change"]["after"],
        }
        for c in plan["resource_changes"]
        if c["mode"] == "managed" and c["change"]["after"] is not None
    ]
    return {**plan, "planned_values": {"root_module": {"resources": resources}}}


def clean_plan(*extra: dict) -> dict:
    """Two encrypted log groups; the service log's short retention is waived in the stack's JSON."""
    changes = (
        log_group("exec", "/ecs/chat-test/exec-sessions", 365),
        log_group("app", "/ecs/chat-test/api", 30),
        *extra,
    )
    return with_planned_values(plan_document(*changes, applyable=True))


@pytest.fixture
def workspace(tmp_path):
    """A synthesized stack, a stand-in terraform first on PATH, test credentials and the registry's provider."""
    stack_dir = tmp_path / "stacks" / STACK
    stack_dir.mkdir(parents=True)
    stack = {
        # Remote state: deploy refuses the local backend (tests below).
        "terraform": {"backend": {"s3": {"bucket": "chat-test-state", "key": "chat-test/terraform.tfstate"}}},
        "resource": {"aws_cloudwatch_log_group": {"exec": {}, "app": {}}},
        "//": {"checkov_waivers": {"app": {"CKV_AWS_338": WAIVER_REASON}}},
    }
    (stack_dir / "cdk.tf.json").write_text(json.dumps(stack))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(FAKE_TERRAFORM.format(python=sys.executable))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": str(bin_dir),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "CHAT_INFRA_USE_REGISTRY": "1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "FAKE_TF_LOG": str(tmp_path / "terraform-calls.jsonl"),
        "FAKE_TF_PLAN": str(tmp_path / "plan-to-serve.json"),
    }
    return tmp_path, env


def run_review(workspace, *args: str, plan: dict | None = None, **env_changes: str | None):
    tmp_path, env = workspace
    env = dict(env)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    if plan is not None:
        Path(env["FAKE_TF_PLAN"]).write_text(json.dumps(plan))
    command, *rest = args
    completed = subprocess.run(
        [sys.executable, "-m", "review", command, "test", *rest]
        + ["--stacks-dir", str(tmp_path / "stacks"), "--out-dir", str(tmp_path / "review")],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return completed


def terraform_calls(workspace) -> list[list[str]]:
    log = Path(workspace[1]["FAKE_TF_LOG"])
    return [json.loads(line)["argv"] for line in log.read_text().splitlines()] if log.is_file() else []


def written_review(workspace) -> tuple[str, dict]:
    review_dir = workspace[0] / "review" / STACK
    return (review_dir / "plan-review.md").read_text(), json.loads((review_dir / "plan-review.json").read_text())


# -- what it will not start without: exit 2, saying which ----------------------------------------


def test_without_terraform_it_says_so_and_exits_2(workspace):
    empty = workspace[0] / "empty-bin"
    empty.mkdir()
    completed = run_review(workspace, "plan", plan=clean_plan(), PATH=str(empty))
    assert completed.returncode == 2, completed.stderr
    assert "terraform is not on PATH" in completed.stderr and "NOT RUN" in completed.stderr
    assert "Traceback" not in completed.stderr and "credentials" not in completed.stderr
    assert not (workspace[0] / "review").exists()


def test_without_credentials_it_says_where_it_looked_and_exits_2(workspace):
    completed = run_review(workspace, "plan", AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    assert completed.returncode == 2
    assert "no AWS credentials" in completed.stderr and "AWS_WEB_IDENTITY_TOKEN_FILE" in completed.stderr
    assert "terraform is not on PATH" not in completed.stderr and "Traceback" not in completed.stderr
    assert terraform_calls(workspace) == []

    named = run_review(workspace, "plan", AWS_ACCESS_KEY_ID=None, AWS_PROFILE="chat-prod-deployer")
    assert named.returncode == 2 and "AWS_PROFILE=chat-prod-deployer is in neither shared file" in named.stderr


def test_without_a_provider_build_it_says_so_and_exits_2(workspace):
    mirror = workspace[0] / "mirror"
    completed = run_review(workspace, "deploy", CHAT_INFRA_USE_REGISTRY=None, CHAT_INFRA_PROVIDER_MIRROR=str(mirror))
    assert completed.returncode == 2 and "no built AWS provider" in completed.stderr
    assert "CHAT_INFRA_USE_REGISTRY=1" in completed.stderr

    # The stand-in checks the stacks against moto; it is never used on a real account.
    stand_in = mirrored_provider(mirror, STANDIN_VERSION)
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text("")
    refused = run_review(workspace, "deploy", CHAT_INFRA_USE_REGISTRY=None, CHAT_INFRA_PROVIDER_MIRROR=str(mirror))
    assert refused.returncode == 2 and "only the stand-in" in refused.stderr and PINNED_VERSION in refused.stderr
    assert terraform_calls(workspace) == []


def test_everything_missing_is_reported_at_once(workspace):
    empty = workspace[0] / "empty-bin"
    empty.mkdir()
    completed = subprocess.run(
        [sys.executable, "-m", "review", "plan", "nowhere", "--stacks-dir", str(workspace[0] / "none")],
        cwd=workspace[0],
        env={"PATH": str(empty), "HOME": str(workspace[0] / "home"), "PYTHONPATH": str(ROOT)}
        | {"CHAT_INFRA_PROVIDER_MIRROR": str(workspace[0] / "mirror")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    reasons = [line for line in completed.stderr.splitlines() if line.startswith("  - ")]
    assert len(reasons) == 4, completed.stderr
    assert "chat-nowhere" in completed.stderr and "make synth" in completed.stderr


def test_a_failing_terraform_step_is_reported_with_its_output_and_exits_2(workspace):
    completed = run_review(workspace, "deploy", "--auto-approve", plan=clean_plan(), FAKE_TF_FAIL="plan")
    assert completed.returncode == 2
    assert "terraform plan failed" in completed.stderr and "No valid credential sources" in completed.stderr
    assert [call[0] for call in terraform_calls(workspace)] == ["init", "plan"]
    assert not (workspace[0] / "review" / STACK / "plan-review.md").exists()


# -- what it runs, and in which order ----------------------------------------------------------


def test_deploy_reviews_then_applies_exactly_the_saved_plan(workspace):
    completed = run_review(workspace, "deploy", "--auto-approve", plan=clean_plan())
    assert completed.returncode == 0, completed.stdout + completed.stderr
    calls = terraform_calls(workspace)
    assert [call[0] for call in calls] == ["init", "plan", "show", "apply", "output"]
    plan_file = (workspace[0] / "review" / STACK / "plan.tfplan").resolve()
    assert f"-out={plan_file}" in calls[1]
    assert calls[2][-1] == str(plan_file) and "-json" in calls[2]
    assert calls[3][-1] == str(plan_file)  # the saved plan, not a fresh one
    log = [json.loads(line) for line in Path(workspace[1]["FAKE_TF_LOG"]).read_text().splitlines()]
    assert {entry["cwd"] for entry in log} == {str((workspace[0] / "stacks" / STACK).resolve())}
    assert "direct {}" in Path(log[0]["config"]).read_text()  # the tier's CLI configuration

    markdown, document = written_review(workspace)
    assert document["ok"] and document["plan"]["counts"]["create"] == 2
    assert Path(document["plan_file"]).resolve() == plan_file
    assert document["plan_sha256"] == hashlib.sha256(plan_file.read_bytes()).hexdigest()
    (stack,) = document["checkov"]["stacks"]
    assert stack["failed"] == [] and [w["check_id"] for w in stack["waived"]] == ["CKV_AWS_338"]
    assert WAIVER_REASON in markdown and "review: PASSED" in markdown
    assert "Data safety: PASSED" in completed.stdout  # printed for the person too
    assert "applied the reviewed plan" in completed.stdout
    # The outputs, for the ops commands' OUTPUTS_JSON when the state cannot be read (region loss).
    saved = workspace[0] / "review" / STACK / "outputs.json"
    assert json.loads(saved.read_text())["vpc_id"]["value"] == "vpc-0123"
    assert f"outputs saved to {saved}" in completed.stdout


def test_outputs_that_cannot_be_saved_are_a_warning_and_the_apply_stands(workspace):
    completed = run_review(workspace, "deploy", "--auto-approve", plan=clean_plan(), FAKE_TF_FAIL="output")
    assert completed.returncode == 0, completed.stderr
    assert [call[0] for call in terraform_calls(workspace)][-2:] == ["apply", "output"]
    assert "deploy: WARNING: the outputs were not saved (terraform output -json exited 1" in completed.stderr
    assert not (workspace[0] / "review" / STACK / "outputs.json").exists()


def test_plan_never_applies(workspace):
    completed = run_review(workspace, "plan", plan=clean_plan())
    assert completed.returncode == 0, completed.stderr
    assert [call[0] for call in terraform_calls(workspace)] == ["init", "plan", "show"]


def test_a_blocked_deletion_fails_and_nothing_is_applied_until_the_address_is_allowed(workspace):
    plan = clean_plan(deleted("aws_s3_bucket.uploads", bucket="chat-test-uploads"))
    blocked = run_review(workspace, "deploy", "--auto-approve", plan=plan)
    assert blocked.returncode == 1
    assert "apply" not in [call[0] for call in terraform_calls(workspace)]
    assert "data safety" in blocked.stderr and "nothing was applied" in blocked.stderr
    markdown, document = written_review(workspace)
    assert "BLOCKED `aws_s3_bucket.uploads`" in markdown and not document["safety"]["ok"]
    assert document["checkov"]["ok"]  # checkov still ran and is reported

    allowed = run_review(workspace, "deploy", "--auto-approve", "--allow-destroy", "aws_s3_bucket.uploads", plan=plan)
    assert allowed.returncode == 0, allowed.stderr
    assert [call[0] for call in terraform_calls(workspace)][-2:] == ["apply", "output"]
    markdown, document = written_review(workspace)
    assert "ALLOWED for this run `aws_s3_bucket.uploads`" in markdown
    assert document["safety"]["allowed"] == ["aws_s3_bucket.uploads"]


def test_an_unwaived_checkov_finding_on_the_plan_fails_and_nothing_is_applied(workspace):
    plan = clean_plan(log_group("plain", "/ecs/chat-test/worker", 365, kms=False))
    completed = run_review(workspace, "deploy", "--auto-approve", plan=plan)
    assert completed.returncode == 1
    assert "checkov" in completed.stderr and "apply" not in [call[0] for call in terraform_calls(workspace)]
    markdown, document = written_review(workspace)
    assert document["safety"]["ok"] and not document["checkov"]["ok"]
    assert "FAILED  chat-test: CKV_AWS_158 on aws_cloudwatch_log_group.plain" in markdown


def test_deploy_without_a_terminal_or_auto_approve_applies_nothing(workspace):
    completed = run_review(workspace, "deploy", plan=clean_plan())
    assert completed.returncode == 2 and "--auto-approve" in completed.stderr
    assert "apply" not in [call[0] for call in terraform_calls(workspace)]


def test_a_plan_that_changes_nothing_is_not_applied(workspace):
    unchanged = resource_change(
        "aws_cloudwatch_log_group.exec",
        ["no-op"],
        before={"name": "/ecs/chat-test/exec-sessions", "retention_in_days": 365, "kms_key_id": KEY},
        after={"name": "/ecs/chat-test/exec-sessions", "retention_in_days": 365, "kms_key_id": KEY},
    )
    app = log_group("app", "/ecs/chat-test/api", 30)
    app["change"] |= {"actions": ["no-op"], "before": app["change"]["after"]}
    plan = with_planned_values(plan_document(unchanged, app, applyable=False))
    completed = run_review(workspace, "deploy", "--auto-approve", plan=plan)
    assert completed.returncode == 0, completed.stderr
    assert "nothing to apply" in completed.stdout
    assert "apply" not in [call[0] for call in terraform_calls(workspace)]


# -- ENGINE=tofu: the same steps with OpenTofu ------------------------------------------------


def test_engine_tofu_runs_every_step_with_tofu_and_its_own_provider_address(workspace):
    tofu = workspace[0] / "bin" / "tofu"
    tofu.write_text((workspace[0] / "bin" / "terraform").read_text())
    tofu.chmod(0o755)
    mirror = workspace[0] / "mirror"
    build = mirrored_provider(mirror, PINNED_VERSION, "tofu.example/hashicorp/aws")
    build.parent.mkdir(parents=True)
    build.write_text("")
    completed = run_review(
        workspace,
        "deploy",
        "--engine",
        "tofu",
        "--auto-approve",
        plan=clean_plan(),
        CHAT_INFRA_USE_REGISTRY=None,
        CHAT_INFRA_PROVIDER_MIRROR=str(mirror),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    log = [json.loads(line) for line in Path(workspace[1]["FAKE_TF_LOG"]).read_text().splitlines()]
    assert {entry["engine"] for entry in log} == {"tofu"}  # terraform never ran
    assert [entry["argv"][0] for entry in log] == ["providers", "init", "plan", "show", "apply", "output"]
    config = Path(log[1]["config"]).read_text()
    assert 'include = ["tofu.example/hashicorp/aws"]' in config and PROVIDER_ADDRESS not in config
    assert "tofu init, plan -out, show -json" in completed.stdout and "tofu apply" in completed.stdout
    _, document = written_review(workspace)
    assert document["engine"].startswith("tofu (")


def test_engine_tofu_without_tofu_says_so_and_exits_2(workspace):
    completed = run_review(workspace, "plan", "--engine", "tofu", plan=clean_plan())
    assert completed.returncode == 2 and "NOT RUN" in completed.stderr
    assert "tofu is neither on PATH nor built" in completed.stderr and "terraform is not" not in completed.stderr
    assert terraform_calls(workspace) == [] and not (workspace[0] / "review").exists()


def test_an_unknown_engine_is_refused_before_anything_runs(workspace):
    completed = run_review(workspace, "deploy", "--engine", "tf", "--auto-approve", plan=clean_plan())
    assert completed.returncode == 2
    assert "argument --engine: invalid choice: 'tf' (choose from 'terraform', 'tofu')" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert terraform_calls(workspace) == [] and not (workspace[0] / "review").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not on PATH")
def test_make_plan_and_deploy_pass_engine_on_and_refuse_an_unknown_one_before_synthesizing(tmp_path):
    def make(*args: str) -> subprocess.CompletedProcess:
        command = ["make", "--no-print-directory", "-C", str(ROOT), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    for target in ("plan", "deploy"):
        # -n: print the commands, run none (no setup, no synthesis)
        assert f"-m review {target} test --engine 'tofu'" in make("-n", target, "ENV=test", "ENGINE=tofu").stdout
        assert f"-m review {target} test --engine 'terraform'" in make("-n", target, "ENV=test").stdout
        refused = make(target, "ENV=test", "ENGINE=tf")
        assert refused.returncode == 2
        # The Makefile's REVIEW_ENGINES must name what review/ accepts (verify/engine.py), no more, no less.
        expected = " ".join(ENGINE_NAMES)
        assert f"make {target}: ENGINE: expected one of: {expected}; got 'tf'" in refused.stderr
        assert "main.py" not in refused.stdout  # refused before anything was synthesized


# -- where credentials are found (pure) -------------------------------------------------------


def test_credentials_are_found_where_the_provider_looks(tmp_path):
    assert credential_source({}, tmp_path) is None
    assert credential_source({"AWS_ACCESS_KEY_ID": "a"}, tmp_path) is None  # half a key pair is none
    assert "AWS_ACCESS_KEY_ID" in credential_source({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, tmp_path)
    oidc = {"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/deploy"}
    assert "web identity" in credential_source(oidc, tmp_path)
    assert "container" in credential_source({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x"}, tmp_path)

    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text("[profile deployer]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = base\n")
    assert credential_source({}, tmp_path) is None  # no default profile
    assert credential_source({"AWS_PROFILE": "deployer"}, tmp_path) == f"profile deployer in {aws / 'config'}"
    (aws / "credentials").write_text("[default]\naws_access_key_id = a\naws_secret_access_key = b\n")
    assert credential_source({}, tmp_path) == f"profile default in {aws / 'credentials'}"
    elsewhere = tmp_path / "elsewhere.ini"
    elsewhere.write_text("not an ini file at all")
    assert credential_source({"AWS_SHARED_CREDENTIALS_FILE": str(elsewhere), "AWS_PROFILE": "x"}, tmp_path) is None
    assert "AWS_PROFILE=x" in missing_credentials_reason({"AWS_PROFILE": "x"}, tmp_path)


def test_deploy_applies_only_after_a_typed_yes(monkeypatch):
    from review.__main__ import _confirmed

    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    for answer, expected in (("yes", True), ("y", False), ("", False), ("YES please", False)):
        monkeypatch.setattr("builtins.input", lambda prompt, answer=answer: asked.append(prompt) or answer)
        assert _confirmed("chat-prod", auto_approve=False) is expected, answer
    assert len(asked) == 4 and "chat-prod" in asked[0]
    assert _confirmed("chat-prod", auto_approve=True) is True and len(asked) == 4  # not asked
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert _confirmed("chat-prod", auto_approve=False) is None


# -- the safety verdict first, and deciding the exit code ----------------------------------------

NO_CHECKOV = "/nonexistent/checkov"


def test_plan_prints_the_safety_verdict_before_checkov_and_a_block_is_exit_1_even_without_checkov(workspace):
    plan = clean_plan(deleted("aws_db_instance.main", identifier="chat-test-postgres"))
    completed = run_review(workspace, "plan", "--checkov", NO_CHECKOV, plan=plan)
    assert completed.returncode == 1, completed.stderr
    out = completed.stdout
    assert out.index("## Data safety: chat-test") < out.index("## checkov")
    assert "- BLOCKED `aws_db_instance.main`, delete: the database's storage" in out
    assert "NOT RUN: checkov could not run: checkov not found at /nonexistent/checkov" in out
    assert "review: FAILED (data safety); checkov could not run" in completed.stderr
    markdown, document = written_review(workspace)
    assert not document["safety"]["ok"] and document["checkov"]["not_run"].startswith("checkov could not run")


def test_deploy_without_checkov_on_a_safe_plan_is_not_run_and_applies_nothing(workspace):
    completed = run_review(workspace, "deploy", "--auto-approve", "--checkov", NO_CHECKOV, plan=clean_plan())
    assert completed.returncode == 2, completed.stderr
    assert "Data safety: PASSED" in completed.stdout
    assert "review: NOT RUN: checkov could not run" in completed.stderr and "(data safety passed)" in completed.stderr
    assert "apply" not in [call[0] for call in terraform_calls(workspace)]


# -- check: a plan made elsewhere ------------------------------------------------------------------


def run_check(workspace, plan: dict | str | None, *args: str, **env_changes: str):
    tmp_path, env = workspace
    plan_json = tmp_path / "atlantis-plan.json"
    if plan is not None:
        plan_json.write_text(plan if isinstance(plan, str) else json.dumps(plan))
    return subprocess.run(
        [sys.executable, "-m", "review", "check", "--plan-json", str(plan_json), *args]
        + ["--out-dir", str(tmp_path / "review")],
        cwd=tmp_path,
        env={**env, **env_changes},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_blocks_a_weakening_in_a_plan_made_elsewhere_even_without_checkov(workspace):
    database = resource_change(
        "aws_db_instance.main",
        ["update"],
        before={"identifier": "db", "deletion_protection": True, "backup_retention_period": 7},
        after={"identifier": "db", "deletion_protection": False, "backup_retention_period": 7},
    )
    completed = run_check(workspace, clean_plan(database), "--checkov", NO_CHECKOV)
    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.startswith("## Data safety: atlantis-plan\n\nData safety: FAILED\n- BLOCKED ")
    assert (
        "- BLOCKED `aws_db_instance.main`, weakened: deletion_protection true -> false: the only thing that "
        "refuses a delete of the database. If this run must do it: `--allow-destroy aws_db_instance.main`"
    ) in completed.stdout
    assert "checkov could not run" in completed.stderr  # both reported
    assert terraform_calls(workspace) == []  # check runs no terraform

    # allowed, the verdict passes; without checkov that is "not run", never a pass
    allowed = run_check(
        workspace, clean_plan(database), "--checkov", NO_CHECKOV, "--allow-destroy", "aws_db_instance.main"
    )
    assert allowed.returncode == 2 and "ALLOWED for this run `aws_db_instance.main`" in allowed.stdout


def test_check_passes_a_clean_plan_with_checkov_and_the_stacks_waivers(workspace):
    stack_file = workspace[0] / "stacks" / STACK / "cdk.tf.json"
    completed = run_check(workspace, clean_plan(), "--stack", STACK, "--stack-file", str(stack_file))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    markdown, document = written_review(workspace)
    assert document["ok"] and document["safety"]["ok"] and document["checkov"]["ok"]
    assert WAIVER_REASON in markdown and "review: PASSED" in markdown
    assert (
        document["plan_json_sha256"] == hashlib.sha256((workspace[0] / "atlantis-plan.json").read_bytes()).hexdigest()
    )


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ("not json at all", "Expecting value"),
        (json.dumps({"format_version": "0.1", "resource_changes": []}), "plan format_version 0.1"),
        (json.dumps(plan_document(resource_change("aws_s3_bucket.b", ["purge"], before={}))), "unknown actions"),
        (None, "No such file"),
    ],
    ids=["not-json", "old-format", "unknown-action", "missing"],
)
def test_check_on_what_is_not_a_plan_it_reads_is_not_run(workspace, plan, expected):
    completed = run_check(workspace, plan, "--checkov", NO_CHECKOV)
    assert completed.returncode == 2 and "NOT RUN" in completed.stderr and expected in completed.stderr
    assert "Traceback" not in completed.stderr


# -- deploy refuses local state where it must outlive the folder (issue 20) ------------------------


def local_backend_workspace(workspace, protection: str | None = "true", backend: object = "local") -> Path:
    """The workspace's stack on the local backend (or `backend` as given, None: no terraform block), and
    environments/test.hcl with deletion_protection = `protection` (None: no file)."""
    tmp_path, _ = workspace
    stack_file = tmp_path / "stacks" / STACK / "cdk.tf.json"
    stack = json.loads(stack_file.read_text())
    if backend == "local":
        stack["terraform"] = {"backend": {"local": {"path": "terraform.chat-test.tfstate"}}}
    elif backend is None:
        stack.pop("terraform")
    else:
        stack["terraform"] = {"backend": backend}
    stack_file.write_text(json.dumps(stack))
    environments = tmp_path / "environments"
    environments.mkdir(exist_ok=True)
    if protection is not None:
        text = VALID.format(name="test") + f"deletion_protection = {protection}\n"
        (environments / "test.hcl").write_text(text)
    return environments


BOOTSTRAP = "run `make bootstrap-state ENV=test`, put the `remote_state { }` block it prints into "


def deploy_with(workspace, environments: Path, **env: str | None):
    return run_review(
        workspace, "deploy", "--auto-approve", "--environments-dir", str(environments), plan=clean_plan(), **env
    )


def test_deploy_refuses_local_state_for_a_protected_environment_before_terraform_runs(workspace):
    environments = local_backend_workspace(workspace, protection="true")
    completed = deploy_with(workspace, environments)
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        "deploy: REFUSED, nothing was planned or applied: chat-test keeps its state in the local backend ("
    )
    # the file as the person sees it, relative to where they ran the command
    assert "and environments/test.hcl sets deletion_protection = true: its state must outlive" in completed.stderr
    assert BOOTSTRAP + "environments/test.hcl" in completed.stderr
    assert terraform_calls(workspace) == []
    # plan stays allowed on local state
    planned = run_review(workspace, "plan", plan=clean_plan())
    assert planned.returncode == 0, planned.stderr


def test_deploy_refuses_local_state_whenever_ci_is_set(workspace):
    environments = local_backend_workspace(workspace, protection="false")
    completed = deploy_with(workspace, environments, CI="true")
    assert (
        completed.returncode == 2 and "and CI is set: a CI runner's state is lost when the job ends" in completed.stderr
    )
    assert BOOTSTRAP in completed.stderr and terraform_calls(workspace) == []


def test_deploy_on_local_state_is_allowed_without_protection_or_ci(workspace):
    environments = local_backend_workspace(workspace, protection="false")
    completed = deploy_with(workspace, environments, CI=None)
    assert completed.returncode == 0, completed.stderr
    assert [call[0] for call in terraform_calls(workspace)] == ["init", "plan", "show", "apply", "output"]


@pytest.mark.parametrize(
    ("protection", "backend", "expected"),
    [
        (None, "local", "its deletion protection cannot be read from"),
        ("true", None, "has no terraform block"),
        ("true", {"local": {}, "s3": {}}, "terraform.backend is not one backend"),
        ('"yes"', "local", "deletion_protection: expected true or false"),
    ],
    ids=["no-environment-file", "no-terraform-block", "two-backends", "unreadable-protection"],
)
def test_deploy_fails_closed_when_the_backend_or_the_protection_cannot_be_judged(
    workspace, protection, backend, expected
):
    environments = local_backend_workspace(workspace, protection=protection, backend=backend)
    completed = deploy_with(workspace, environments, CI=None)
    assert completed.returncode == 2 and "deploy: REFUSED" in completed.stderr and expected in completed.stderr
    assert BOOTSTRAP in completed.stderr and terraform_calls(workspace) == []


@pytest.mark.parametrize("command", ["plan", "deploy"])
def test_the_shipped_placeholder_state_names_are_refused_before_terraform_runs(workspace, command):
    """A bucket name is global: a backend left on the shipped placeholder (account
    111122223333) could read and write state in a stranger's bucket."""
    environments = local_backend_workspace(
        workspace,
        protection="true",
        backend={"s3": {"bucket": "chat-infra-tfstate-111122223333-test", "key": "chat-test/terraform.tfstate"}},
    )
    extra = ("--auto-approve", "--environments-dir", str(environments)) if command == "deploy" else ()
    completed = run_review(workspace, command, *extra, plan=clean_plan())
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        f"{command}: REFUSED, nothing was planned or applied: the S3 backend of chat-test still holds the shipped "
        "placeholders (bucket name account 111122223333, which is not yours: a bucket of that name could belong "
        "to anyone); run `make bootstrap-state ENV=test`"
    )
    assert terraform_calls(workspace) == []
