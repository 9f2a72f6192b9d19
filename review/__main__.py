"""Review a plan of one environment, and deploy exactly that plan; or gate a plan made elsewhere.

    python -m review plan ENV [--allow-destroy ADDRESS ...] [--environments-dir DIR]
    python -m review deploy ENV [--allow-destroy ADDRESS ...] [--auto-approve] [--environments-dir DIR]
    python -m review check --plan-json FILE [--allow-destroy ADDRESS ...] [--stack-file cdk.tf.json]

In the synthesized stack's directory (cdktf.out/stacks/chat-<env>, where `cdktf deploy`
runs terraform too, so both share the backend and .terraform): `terraform init`,
`terraform plan -out`, `terraform show -json`. Then:
1. the review (review/plan.py): counts per action and a table of the changes, with the
   attributes that force each replacement;
2. the data-safety gate (review/safety.py, its rules in review/README.md): nothing that
   holds or protects data deleted, replaced, forgotten or weakened unless this run allows
   its address. Its verdict is printed before checkov starts, and it decides the exit code
   even when checkov cannot run;
3. checkov's terraform_plan framework over the plan, with the waivers the gate applies to
   the synthesized JSON (verify.run.scan_plans, the provider tier's own plan scan).
The review is printed and written to cdktf.out/review/<stack>/plan-review.md and .json.
`deploy` then applies the saved plan file, never a fresh plan, after asking (or with
--auto-approve), and only when all three passed. After the apply it saves the stack's
outputs (`output -json`) to cdktf.out/review/<stack>/outputs.json: what the ops commands
read with OUTPUTS_JSON= when the state cannot be read (a region loss takes prod's state
bucket with it; the deploy workflow keeps the file as an artifact). A failure to save them
is a warning: the apply stands.

`check` runs 1-3 on a saved plan's JSON made elsewhere (another CI, Terraform Cloud,
Atlantis: `terraform show -json <planfile>`), with the same output and exit codes; no
terraform, provider or credentials are needed. Without --stack-file no waiver applies.

`deploy` refuses the local backend (state in cdktf.out/stacks/<stack>/, deleted by `make
clean`, seen by no other machine) for an environment whose file sets deletion_protection =
true, and always when the CI environment variable is set: the backend is read from the
synthesized cdk.tf.json (terraform.backend), deletion protection from the environment file
(--environments-dir, environments/ by default); what cannot be read is refused too. This
happens before terraform runs. `plan` is allowed on local state. Both refuse an S3 backend
that still names the shipped placeholder account (111122223333): a bucket name is global.

terraform and the AWS provider are found as the provider tier finds them (verify/provider.py:
the pinned build from the registry with CHAT_INFRA_USE_REGISTRY=1, or from the mirror), with
the tier's own CLI configuration. `--engine tofu` (`make plan ENGINE=tofu`) runs OpenTofu
instead, found and configured the same way (verify/engine.py); the stack's state is then
OpenTofu's, so keep one engine per environment. The stand-in build is never used here: it is a
development build for checking the stacks against moto, not for a real account.

Exit codes: 0 passed (and applied, for deploy); 1 the review failed (the data-safety gate
blocked, whether or not checkov could run; or checkov failed), or the apply did, or the
person said no; 2 nothing was reviewed (an unknown --engine, no terraform or tofu, no provider build, no credentials, no
synthesized stack, terraform init/plan/show failed, an unreadable plan), or checkov could
not run on a plan the safety gate passed, or deploy refused local state or had nobody to
ask (no terminal, no --auto-approve): the reason is printed, and nothing is applied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from envconfig import EnvironmentFileError, load_environment
from envconfig.loader import display_path
from envconfig.schema import STACK_PREFIX
from gate.run import DEFAULT_CHECKOV, STACK_FILE, GateCannotRun, GateReport, render, summary_json
from review import plan as plan_review
from review import safety
from review.credentials import credential_source, missing_credentials_reason
from verify.engine import ENGINE_NAMES, TERRAFORM, TERRAFORM_ON_PATH, Engine, engine_or_reason, find_engine
from verify.provider import (
    PINNED_VERSION,
    PROVIDER_ADDRESS,
    USE_REGISTRY_ENV,
    ProviderChoice,
    choose_provider,
    cli_config,
    mirror_dir,
    missing_provider_reason,
)
from verify.run import scan_plans

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2

PLAN_FILE = "plan.tfplan"
PLAN_JSON = "plan.json"
REVIEW_MARKDOWN = "plan-review.md"
REVIEW_JSON = "plan-review.json"
OUTPUTS_JSON = "outputs.json"
# `output -json` reads the state once; a minute is ample, and a stuck read must not hang a deploy.
OUTPUTS_TIMEOUT_SECONDS = 120


class ReviewCannotRun(Exception):
    pass


def unavailable_reasons(
    stack_file: Path, env: dict[str, str], home: Path, instance_profile: bool, engine_name: str = TERRAFORM
) -> list[str]:
    """Why no review can be made here; empty when one can. Every reason at once."""
    reasons = []
    engine, why_not = engine_or_reason(engine_name, path=env.get("PATH"))
    if why_not:
        reasons.append(why_not)
    address = engine.provider_address if engine else PROVIDER_ADDRESS
    mirror = mirror_dir()
    choice = choose_provider(mirror, address=address)
    if choice is None:
        reasons.append(missing_provider_reason(mirror, address=address))
    elif choice.stand_in:
        reasons.append(
            f"only the stand-in AWS provider {choice.version} is built (in {mirror}): a development build for "
            f"checking the stacks against moto, never used on a real account; put hashicorp/aws {PINNED_VERSION} "
            f"in the mirror, or set {USE_REGISTRY_ENV}=1 where the Terraform registry is reachable"
        )
    if not instance_profile and credential_source(env, home) is None:
        reasons.append(missing_credentials_reason(env, home))
    if not stack_file.is_file():
        reasons.append(f"no synthesized stack at {stack_file}; run `make synth` (or `python main.py`) first")
    return reasons


def terraform_env(choice: ProviderChoice, review_dir: Path, provider_address: str = PROVIDER_ADDRESS) -> dict[str, str]:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        # The tier's CLI configuration: one source for hashicorp/aws (verify/provider.py says why).
        "TF_CLI_CONFIG_FILE": str(cli_config(choice, review_dir.resolve(), provider_address)),
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env


def terraform(args: list[str], stack_dir: Path, env: dict[str, str], engine: Engine = TERRAFORM_ON_PATH) -> str:
    """Run one terraform (or tofu) command to the end (never killed: it may hold the state lock); its stdout."""
    completed = subprocess.run([engine.executable, *args], cwd=stack_dir, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        output = (completed.stderr + "\n" + completed.stdout).strip()
        raise ReviewCannotRun(
            f"{engine.name} {args[0]} failed (exit {completed.returncode}) in {stack_dir}:\n{output[-4000:]}"
        )
    return completed.stdout


def make_plan(
    stack_dir: Path, plan_file: Path, env: dict[str, str], engine: Engine = TERRAFORM_ON_PATH
) -> dict[str, Any]:
    """init, plan -out=<plan_file>, show -json <plan_file>: the saved plan, as a document."""
    terraform(["init", "-input=false", "-no-color"], stack_dir, env, engine)
    terraform(["plan", "-input=false", "-no-color", f"-out={plan_file.resolve()}"], stack_dir, env, engine)
    shown = terraform(["show", "-json", "-no-color", str(plan_file.resolve())], stack_dir, env, engine)
    try:
        plan = json.loads(shown)
    except json.JSONDecodeError as error:
        raise ReviewCannotRun(f"{engine.name} show -json printed no JSON ({error}): {shown[:300]}") from None
    if not isinstance(plan, dict):
        raise ReviewCannotRun(f"{engine.name} show -json printed no plan document: {shown[:300]}")
    return plan


def apply_plan(stack_dir: Path, plan_file: Path, env: dict[str, str], engine: Engine = TERRAFORM_ON_PATH) -> int:
    """`terraform apply <plan_file>`: exactly the saved plan (terraform refuses it once the state moved on).

    Its output goes straight to the terminal: an apply can take many minutes."""
    command = [engine.executable, "apply", "-input=false", "-no-color", str(plan_file.resolve())]
    return subprocess.run(command, cwd=stack_dir, env=env, check=False).returncode


def save_outputs(stack_dir: Path, destination: Path, env: dict[str, str], engine: Engine = TERRAFORM_ON_PATH) -> str:
    """Write the applied stack's `output -json` to `destination`; ReviewCannotRun says why not."""
    command = [engine.executable, "output", "-json", "-no-color"]
    try:
        done = subprocess.run(
            command, cwd=stack_dir, env=env, capture_output=True, text=True, timeout=OUTPUTS_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReviewCannotRun(f"{engine.name} output -json did not run: {error}") from None
    if done.returncode != 0:
        raise ReviewCannotRun(f"{engine.name} output -json exited {done.returncode}: {done.stderr.strip()[-300:]}")
    try:
        outputs = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise ReviewCannotRun(f"{engine.name} output -json printed no JSON ({error})") from None
    if not isinstance(outputs, dict) or not outputs:
        raise ReviewCannotRun(f"{engine.name} output -json printed no outputs: {done.stdout.strip()[:200]!r}")
    destination.write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    return str(destination)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- state: no local backend where the state must outlive this folder ---------------------------

BOOTSTRAP_HINT = (
    "run `make bootstrap-state ENV={env}`, put the `remote_state {{ }}` block it prints into {file}, "
    "synthesize again (`make synth`) and deploy"
)


def backend_of(stack_file: Path) -> str:
    """The backend the synthesized stack names (terraform.backend); "local" when it names none
    (Terraform's default). ValueError when the file cannot say."""
    try:
        document = json.loads(stack_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {stack_file}: {error}") from None
    terraform_block = document.get("terraform") if isinstance(document, dict) else None
    if not isinstance(terraform_block, dict):
        raise ValueError(f"{stack_file} has no terraform block")
    backend = terraform_block.get("backend", {})
    if not isinstance(backend, dict) or len(backend) > 1:
        raise ValueError(f"{stack_file}: terraform.backend is not one backend: {backend!r:.200}")
    return next(iter(backend), "local")


# The account id the shipped environment files use in their placeholder remote_state
# (environments/*.hcl). A bucket name is global: anyone can create a bucket of that name,
# and a backend pointed at it would read state from, and write state (every secret
# Terraform read) to, a stranger's account.
PLACEHOLDER_ACCOUNT = "111122223333"


def placeholder_state_refusal(environment: str, stack_file: Path, environment_file: Path) -> str | None:
    """Why plan and deploy refuse the stack's S3 backend: it still names the shipped placeholders."""
    try:
        document = json.loads(stack_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # unavailable_reasons says the stack is missing or unreadable
    s3 = ((document.get("terraform") or {}).get("backend") or {}).get("s3") or {}
    placeholders = sorted(key for key, value in s3.items() if PLACEHOLDER_ACCOUNT in str(value))
    if not placeholders:
        return None
    return (
        f"the S3 backend of {STACK_PREFIX}{environment} still holds the shipped placeholders "
        f"({', '.join(placeholders)} name account {PLACEHOLDER_ACCOUNT}, which is not yours: a bucket of that name "
        f"could belong to anyone); {BOOTSTRAP_HINT.format(env=environment, file=display_path(environment_file))}"
    )


def local_state_refusal(environment: str, stack_file: Path, environment_file: Path, env: dict[str, str]) -> str | None:
    """Why deploy refuses this stack's state backend, or None when it may deploy."""
    shown = display_path(environment_file)
    hint = BOOTSTRAP_HINT.format(env=environment, file=shown)
    try:
        backend = backend_of(stack_file)
    except ValueError as error:
        return f"cannot tell where the state of {STACK_PREFIX}{environment} is kept ({error}); {hint}"
    if backend != "local":
        return None
    where = (
        f"{STACK_PREFIX}{environment} keeps its state in the local backend ({stack_file.parent}: deleted by "
        "`make clean`, seen by no other machine)"
    )
    if "CI" in env:
        return f"{where}, and CI is set: a CI runner's state is lost when the job ends; {hint}"
    try:
        config = load_environment(environment_file)
    except EnvironmentFileError as error:
        problems = "; ".join(str(p) for p in error.problems)
        return f"{where}, and its deletion protection cannot be read from {shown} ({problems}); {hint}"
    if config.deletion_protection:
        return f"{where}, and {shown} sets deletion_protection = true: its state must outlive this folder; {hint}"
    return None


# -- the document a person reads ---------------------------------------------------------------


def _checkov_section(checkov: GateReport | None, checkov_error: str | None) -> list[str]:
    if checkov is None:
        return [f"NOT RUN: {checkov_error}"]
    return ["```text", render(checkov), "```"]


def render_review(
    review: plan_review.PlanReview,
    verdict: safety.SafetyVerdict,
    checkov: GateReport | None,
    context: dict[str, str],
    checkov_error: str | None = None,
) -> str:
    ok = verdict.ok and checkov is not None and checkov.ok
    lines = [f"# Plan review: {review.stack}", ""]
    lines += [f"- {key}: {value}" for key, value in context.items()]
    lines += [f"- terraform {review.terraform_version}, plan format {review.format_version}", ""]
    lines += ["## Data safety", "", safety.render_markdown(verdict), ""]
    lines += ["## Changes", "", plan_review.render_markdown(review), ""]
    lines += ["## checkov (terraform_plan) over the plan, with the gate's waivers", ""]
    lines += [*_checkov_section(checkov, checkov_error), ""]
    lines.append(f"review: {'PASSED' if ok else 'FAILED' if not verdict.ok or checkov is not None else 'NOT RUN'}")
    return "\n".join(lines) + "\n"


def review_json(
    review: plan_review.PlanReview,
    verdict: safety.SafetyVerdict,
    checkov: GateReport | None,
    context: dict[str, str],
    checkov_error: str | None = None,
) -> dict[str, Any]:
    return {
        "ok": verdict.ok and checkov is not None and checkov.ok,
        **context,
        "plan": plan_review.as_json(review),
        "safety": safety.as_json(verdict),
        "checkov": summary_json(checkov) if checkov is not None else {"ok": False, "not_run": checkov_error},
    }


def judge_plan(
    document: dict[str, Any],
    review: plan_review.PlanReview,
    allowed: list[str],
    stack_file: Path,
    review_dir: Path,
    checkov_path: Path,
    context: dict[str, str],
) -> int:
    """The safety verdict (printed at once), then checkov, then the review written and printed.

    The exit code: 1 when the safety gate blocked (whether or not checkov ran), 2 when checkov
    could not run, 1 when it failed, 0 when both passed."""
    stack = review.stack
    verdict = safety.check_safety(review, allowed)
    print(f"## Data safety: {stack}\n\n{safety.render_markdown(verdict)}\n", flush=True)
    plan_json = review_dir / PLAN_JSON
    plan_json.write_text(json.dumps(document), encoding="utf-8")
    checkov: GateReport | None = None
    checkov_error = None
    try:
        checkov = scan_plans({stack: plan_json}, {stack: stack_file}, review_dir / "checkov", checkov_path)
    except GateCannotRun as error:
        checkov_error = f"checkov could not run: {error}"
    text = render_review(review, verdict, checkov, context, checkov_error)
    (review_dir / REVIEW_MARKDOWN).write_text(text, encoding="utf-8")
    document_json = review_json(review, verdict, checkov, context, checkov_error)
    (review_dir / REVIEW_JSON).write_text(json.dumps(document_json, indent=2) + "\n", encoding="utf-8")
    print(text)
    print(f"review: written to {review_dir / REVIEW_MARKDOWN} and {REVIEW_JSON}")
    if not verdict.ok:
        also = f"; {checkov_error}" if checkov_error else ""
        print(f"review: FAILED (data safety){also}; nothing was applied", file=sys.stderr)
        return EXIT_FAILED
    if checkov is None:
        print(f"review: NOT RUN: {checkov_error} (data safety passed); nothing was applied", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not checkov.ok:
        print("review: FAILED (checkov); nothing was applied", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_PASSED


# -- the command -------------------------------------------------------------------------------


def _confirmed(stack: str, auto_approve: bool) -> bool | None:
    """True to apply; False when the person said no; None when nobody can be asked."""
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        return None
    answer = input(f"Apply exactly this plan to {stack}? Only 'yes' applies: ")
    return answer.strip() == "yes"


def _common_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-destroy",
        metavar="ADDRESS",
        action="append",
        default=[],
        help="a stateful resource this run may delete, replace, forget or weaken (repeatable); printed in the review",
    )
    command.add_argument(
        "--out-dir",
        type=Path,
        default=Path("cdktf.out/review"),
        help="the review, the plan file and checkov's reports go to <out-dir>/<stack>/",
    )
    command.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="the gate's checkov by default")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("plan", "plan, review, safety gate and checkov; nothing is applied"),
        ("deploy", "plan, review, safety gate and checkov, then apply exactly that saved plan (asks first)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("environment", metavar="ENV", help="environment name: the stack is chat-<ENV>")
        _common_arguments(command)
        command.add_argument(
            "--stacks-dir",
            type=Path,
            default=Path("cdktf.out/stacks"),
            help="where the synthesized stacks are (default cdktf.out/stacks; examples: cdktf.out/examples/stacks)",
        )
        command.add_argument(
            "--instance-profile",
            action="store_true",
            help="credentials come from the EC2 instance profile (which cannot be seen without the network)",
        )
        command.add_argument(
            "--engine",
            choices=ENGINE_NAMES,
            default=TERRAFORM,
            help="terraform (default) or tofu (OpenTofu): runs init, plan, show and apply",
        )
        command.add_argument(
            "--environments-dir",
            type=Path,
            default=Path("environments"),
            help="where <ENV>.hcl is (deploy reads its deletion_protection; default environments; examples: examples)",
        )
        if name == "deploy":
            command.add_argument("--auto-approve", action="store_true", help="apply without asking (CI)")
    text = "review, safety gate and checkov on a saved plan's JSON made elsewhere; nothing is run or applied"
    check = commands.add_parser("check", help=text, description=text)
    check.add_argument("--plan-json", type=Path, required=True, help="`terraform show -json <planfile>` output")
    _common_arguments(check)
    check.add_argument("--stack", help="the name the review uses (default: the plan file's name without .json)")
    check.add_argument(
        "--stack-file",
        type=Path,
        help="the synthesized cdk.tf.json whose checkov waivers apply (default: none; every finding counts)",
    )
    return parser.parse_args(argv)


def _not_run(stack: str, reasons: list[str]) -> int:
    print(f"review: NOT RUN: cannot review a plan of {stack}:", file=sys.stderr)
    for reason in reasons:
        print(f"  - {reason}", file=sys.stderr)
    return EXIT_CANNOT_RUN


def _fresh_review_dir(review_dir: Path) -> None:
    review_dir.mkdir(parents=True, exist_ok=True)
    for stale in (
        review_dir / PLAN_FILE,
        review_dir / PLAN_JSON,
        review_dir / REVIEW_MARKDOWN,
        review_dir / REVIEW_JSON,
    ):
        stale.unlink(missing_ok=True)  # a failed run must not leave an older review looking current


def check_main(args: argparse.Namespace) -> int:
    stack = args.stack or args.plan_json.name.removesuffix(".json")
    try:
        document = json.loads(args.plan_json.read_text(encoding="utf-8"))
        review = plan_review.review_plan(document, stack)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, plan_review.PlanFormatError) as error:
        return _not_run(stack, [f"{args.plan_json}: {error}"])
    if args.stack_file is not None and not args.stack_file.is_file():
        return _not_run(stack, [f"no synthesized stack at {args.stack_file}"])
    review_dir = args.out_dir / stack
    _fresh_review_dir(review_dir)
    stack_file = args.stack_file
    if stack_file is None:  # no waivers: an empty stack, so that every finding counts
        stack_file = review_dir / "no-waivers.tf.json"
        stack_file.write_text("{}\n", encoding="utf-8")
    digest = hashlib.sha256(args.plan_json.read_bytes()).hexdigest()
    context = {"plan_json": str(args.plan_json), "plan_json_sha256": digest}
    return judge_plan(document, review, args.allow_destroy, stack_file, review_dir, args.checkov, context)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "check":
        return check_main(args)
    stack = f"{STACK_PREFIX}{args.environment}"
    stack_dir = args.stacks_dir / stack
    stack_file = stack_dir / STACK_FILE
    environment_file = args.environments_dir / f"{args.environment}.hcl"
    refusal = placeholder_state_refusal(args.environment, stack_file, environment_file)
    if args.command == "deploy" and refusal is None:
        refusal = local_state_refusal(args.environment, stack_file, environment_file, dict(os.environ))
    if refusal:
        print(f"{args.command}: REFUSED, nothing was planned or applied: {refusal}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    reasons = unavailable_reasons(stack_file, dict(os.environ), Path.home(), args.instance_profile, args.engine)
    if reasons:
        return _not_run(stack, reasons)
    engine = find_engine(args.engine)
    assert engine is not None  # unavailable_reasons said so
    choice = choose_provider(mirror_dir(), address=engine.provider_address)
    assert choice is not None  # unavailable_reasons said so

    review_dir = args.out_dir / stack
    _fresh_review_dir(review_dir)
    plan_file = review_dir / PLAN_FILE
    env = terraform_env(choice, review_dir, engine.provider_address)
    print(f"review: {stack}: {engine.name} init, plan -out, show -json in {stack_dir} ({choice.label})", flush=True)
    try:
        document = make_plan(stack_dir, plan_file, env, engine)
        review = plan_review.review_plan(document, stack)
    except (ReviewCannotRun, plan_review.PlanFormatError) as error:
        print(f"review: NOT RUN: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    plan_hash = sha256(plan_file)
    context = {"engine": engine.label, "provider": choice.label, "plan_file": str(plan_file), "plan_sha256": plan_hash}
    code = judge_plan(document, review, args.allow_destroy, stack_file, review_dir, args.checkov, context)
    if code != EXIT_PASSED or args.command == "plan":
        return code

    if not review.applyable:
        print(f"deploy: {stack}: the plan changes nothing; nothing to apply")
        return EXIT_PASSED
    confirmed = _confirmed(stack, args.auto_approve)
    if confirmed is None:
        print("deploy: NOT APPLIED: no terminal to ask; pass --auto-approve to apply unattended", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if not confirmed:
        print("deploy: NOT APPLIED: not confirmed", file=sys.stderr)
        return EXIT_FAILED
    if sha256(plan_file) != plan_hash:
        print(f"deploy: NOT APPLIED: {plan_file} changed after it was reviewed", file=sys.stderr)
        return EXIT_FAILED
    print(f"deploy: {stack}: {engine.name} apply {plan_file} (sha256 {plan_hash})", flush=True)
    code = apply_plan(stack_dir, plan_file, env, engine)
    if code != 0:
        print(f"deploy: {engine.name} apply failed (exit {code})", file=sys.stderr)
        return EXIT_FAILED
    print(f"deploy: {stack}: applied the reviewed plan")
    try:
        saved = save_outputs(stack_dir, review_dir / OUTPUTS_JSON, env, engine)
    except ReviewCannotRun as error:
        print(
            f"deploy: WARNING: the outputs were not saved ({error}); the apply stands. "
            f"`{engine.name} output -json` in {stack_dir} writes them",
            file=sys.stderr,
        )
    else:
        print(f"deploy: {stack}: outputs saved to {saved} (OUTPUTS_JSON= for the ops commands)")
    return EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
