"""Review a plan of one environment, and deploy exactly that plan.

    python -m review plan ENV [--allow-destroy ADDRESS ...]
    python -m review deploy ENV [--allow-destroy ADDRESS ...] [--auto-approve]

In the synthesized stack's directory (cdktf.out/stacks/chat-<env>, where `cdktf deploy`
runs terraform too, so both share the backend and .terraform): `terraform init`,
`terraform plan -out`, `terraform show -json`. Then:
1. the review (review/plan.py): counts per action and a table of the changes, with the
   attributes that force each replacement;
2. the data-safety gate (review/safety.py): no stateful resource deleted or replaced
   unless this run allows its address;
3. checkov's terraform_plan framework over the plan, with the waivers the gate applies to
   the synthesized JSON (verify.run.scan_plans, the provider tier's own plan scan).
The review is printed and written to cdktf.out/review/<stack>/plan-review.md and .json.
`deploy` then applies the saved plan file, never a fresh plan, after asking (or with
--auto-approve), and only when all three passed.

terraform and the AWS provider are found as the provider tier finds them (verify/provider.py:
the pinned build from the registry with CHAT_INFRA_USE_REGISTRY=1, or from the mirror), with
the tier's own CLI configuration. The stand-in build is never used here: it is a
development build for checking the stacks against moto, not for a real account.

Exit codes: 0 passed (and applied, for deploy); 1 the review failed, or the apply did, or
the person said no; 2 nothing was reviewed (no terraform, no provider build, no
credentials, no synthesized stack, terraform init/plan/show failed), or deploy had nobody
to ask (no terminal, no --auto-approve): the reason is printed, and nothing is applied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from envconfig.schema import STACK_PREFIX
from gate.run import DEFAULT_CHECKOV, STACK_FILE, GateCannotRun, GateReport, render, summary_json
from review import plan as plan_review
from review import safety
from review.credentials import credential_source, missing_credentials_reason
from verify.provider import (
    PINNED_VERSION,
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


class ReviewCannotRun(Exception):
    pass


def unavailable_reasons(stack_file: Path, env: dict[str, str], home: Path, instance_profile: bool) -> list[str]:
    """Why no review can be made here; empty when one can. Every reason at once."""
    reasons = []
    if not shutil.which("terraform", path=env.get("PATH")):
        reasons.append("terraform is not on PATH")
    mirror = mirror_dir()
    choice = choose_provider(mirror)
    if choice is None:
        reasons.append(missing_provider_reason(mirror))
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


def terraform_env(choice: ProviderChoice, review_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        # The tier's CLI configuration: one source for hashicorp/aws (verify/provider.py says why).
        "TF_CLI_CONFIG_FILE": str(cli_config(choice, review_dir.resolve())),
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env


def terraform(args: list[str], stack_dir: Path, env: dict[str, str]) -> str:
    """Run one terraform command to the end (never killed: it may hold the state lock); its stdout."""
    completed = subprocess.run(["terraform", *args], cwd=stack_dir, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        output = (completed.stderr + "\n" + completed.stdout).strip()
        raise ReviewCannotRun(
            f"terraform {args[0]} failed (exit {completed.returncode}) in {stack_dir}:\n{output[-4000:]}"
        )
    return completed.stdout


def make_plan(stack_dir: Path, plan_file: Path, env: dict[str, str]) -> dict[str, Any]:
    """init, plan -out=<plan_file>, show -json <plan_file>: the saved plan, as a document."""
    terraform(["init", "-input=false", "-no-color"], stack_dir, env)
    terraform(["plan", "-input=false", "-no-color", f"-out={plan_file.resolve()}"], stack_dir, env)
    shown = terraform(["show", "-json", "-no-color", str(plan_file.resolve())], stack_dir, env)
    try:
        return json.loads(shown)
    except json.JSONDecodeError as error:
        raise ReviewCannotRun(f"terraform show -json printed no JSON ({error}): {shown[:300]}") from None


def apply_plan(stack_dir: Path, plan_file: Path, env: dict[str, str]) -> int:
    """`terraform apply <plan_file>`: exactly the saved plan (terraform refuses it once the state moved on).

    Its output goes straight to the terminal: an apply can take many minutes."""
    command = ["terraform", "apply", "-input=false", "-no-color", str(plan_file.resolve())]
    return subprocess.run(command, cwd=stack_dir, env=env, check=False).returncode


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the document a person reads ---------------------------------------------------------------


def render_review(
    review: plan_review.PlanReview,
    verdict: safety.SafetyVerdict,
    checkov: GateReport,
    context: dict[str, str],
) -> str:
    ok = verdict.ok and checkov.ok
    lines = [f"# Plan review: {review.stack}", ""]
    lines += [f"- {key}: {value}" for key, value in context.items()]
    lines += [f"- terraform {review.terraform_version}, plan format {review.format_version}", ""]
    lines += ["## Changes", "", plan_review.render_markdown(review), ""]
    lines += ["## Data safety", "", safety.render_markdown(verdict), ""]
    lines += ["## checkov (terraform_plan) over the plan, with the gate's waivers", "", "```text"]
    lines += [render(checkov), "```", ""]
    lines.append(f"review: {'PASSED' if ok else 'FAILED'}")
    return "\n".join(lines) + "\n"


def review_json(
    review: plan_review.PlanReview,
    verdict: safety.SafetyVerdict,
    checkov: GateReport,
    context: dict[str, str],
) -> dict[str, Any]:
    return {
        "ok": verdict.ok and checkov.ok,
        **context,
        "plan": plan_review.as_json(review),
        "safety": safety.as_json(verdict),
        "checkov": summary_json(checkov),
    }


# -- the command -------------------------------------------------------------------------------


def _confirmed(stack: str, auto_approve: bool) -> bool | None:
    """True to apply; False when the person said no; None when nobody can be asked."""
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        return None
    answer = input(f"Apply exactly this plan to {stack}? Only 'yes' applies: ")
    return answer.strip() == "yes"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("plan", "plan, review, safety gate and checkov; nothing is applied"),
        ("deploy", "plan, review, safety gate and checkov, then apply exactly that saved plan (asks first)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("environment", metavar="ENV", help="environment name: the stack is chat-<ENV>")
        command.add_argument(
            "--allow-destroy",
            metavar="ADDRESS",
            action="append",
            default=[],
            help="a stateful resource this run may delete or replace (repeatable); printed in the review",
        )
        command.add_argument(
            "--stacks-dir",
            type=Path,
            default=Path("cdktf.out/stacks"),
            help="where the synthesized stacks are (default cdktf.out/stacks; examples: cdktf.out/examples/stacks)",
        )
        command.add_argument(
            "--out-dir",
            type=Path,
            default=Path("cdktf.out/review"),
            help="the review, the plan file and checkov's reports go to <out-dir>/<stack>/",
        )
        command.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="the gate's checkov by default")
        command.add_argument(
            "--instance-profile",
            action="store_true",
            help="credentials come from the EC2 instance profile (which cannot be seen without the network)",
        )
        if name == "deploy":
            command.add_argument("--auto-approve", action="store_true", help="apply without asking (CI)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = f"{STACK_PREFIX}{args.environment}"
    stack_dir = args.stacks_dir / stack
    reasons = unavailable_reasons(stack_dir / STACK_FILE, dict(os.environ), Path.home(), args.instance_profile)
    if reasons:
        print(f"review: NOT RUN: cannot review a plan of {stack}:", file=sys.stderr)
        for reason in reasons:
            print(f"  - {reason}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    choice = choose_provider(mirror_dir())
    assert choice is not None  # unavailable_reasons said so

    review_dir = args.out_dir / stack
    review_dir.mkdir(parents=True, exist_ok=True)
    plan_file, plan_json = review_dir / PLAN_FILE, review_dir / PLAN_JSON
    for stale in (plan_file, plan_json, review_dir / REVIEW_MARKDOWN, review_dir / REVIEW_JSON):
        stale.unlink(missing_ok=True)  # a failed run must not leave an older review looking current

    env = terraform_env(choice, review_dir)
    print(f"review: {stack}: terraform init, plan -out, show -json in {stack_dir} ({choice.label})", flush=True)
    try:
        document = make_plan(stack_dir, plan_file, env)
        review = plan_review.review_plan(document, stack)
        plan_json.write_text(json.dumps(document), encoding="utf-8")
        checkov = scan_plans({stack: plan_json}, {stack: stack_dir / STACK_FILE}, review_dir / "checkov", args.checkov)
    except (ReviewCannotRun, plan_review.PlanFormatError, GateCannotRun) as error:
        print(f"review: NOT RUN: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    verdict = safety.check_safety(review, args.allow_destroy)
    plan_hash = sha256(plan_file)
    context = {"provider": choice.label, "plan_file": str(plan_file), "plan_sha256": plan_hash}

    text = render_review(review, verdict, checkov, context)
    (review_dir / REVIEW_MARKDOWN).write_text(text, encoding="utf-8")
    document_json = review_json(review, verdict, checkov, context)
    (review_dir / REVIEW_JSON).write_text(json.dumps(document_json, indent=2) + "\n", encoding="utf-8")
    print(text)
    print(f"review: written to {review_dir / REVIEW_MARKDOWN} and {REVIEW_JSON}")
    if not document_json["ok"]:
        failed = [name for name, ok in (("data safety", verdict.ok), ("checkov", checkov.ok)) if not ok]
        print(f"review: FAILED ({', '.join(failed)}); nothing was applied", file=sys.stderr)
        return EXIT_FAILED
    if args.command == "plan":
        return EXIT_PASSED

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
    print(f"deploy: {stack}: terraform apply {plan_file} (sha256 {plan_hash})", flush=True)
    code = apply_plan(stack_dir, plan_file, env)
    if code != 0:
        print(f"deploy: terraform apply failed (exit {code})", file=sys.stderr)
        return EXIT_FAILED
    print(f"deploy: {stack}: applied the reviewed plan")
    return EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
