"""Day one, end to end, against moto on loopback: what a new platform team does first.

    python -m verify.first_deploy [--environment environments/staging.hcl] [--work-dir DIR]

Starting from an empty emulator:
1. `make bootstrap-state` (ops/bootstrap_state.py) creates the state bucket and key, and
   prints the remote_state block; the environment file takes that block and is synthesized;
2. `terraform init` with the stack's own S3 backend (native lock file on), pointed at the
   emulator by a backend configuration file (endpoints only: bucket, key, key id and lock
   come from the synthesized JSON), then plan and apply;
3. the state object is in the bucket, encrypted under the state key;
4. while one terraform holds the state lock, a second apply is refused by it;
5. a second runner (a fresh folder: no local state, no .terraform) plans from the remote
   state: no changes;
6. the pipeline writes a release tag to one colour's release parameter (`make release`), and the plan then
   changes only that colour's task definition, service and autoscaling range;
7. what a caller gives as `then` runs next, on what day one deployed, in the same emulator:
   day two (scenarios/day_two.py, which `make test` and `python -m scenarios.day_two` run).

What moto cannot create or read back is judged against verify/emulator.py's lists, as the
tier judges it. Exit codes: 0 passed, 1 failed, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envconfig import load_environment
from gate.run import STACK_FILE
from ops import bootstrap_state
from ops.release import release as make_release
from ops.stack import load_stack
from verify.emulator import (
    MOTO_DEFAULT_ACCOUNT,
    endpoint_override,
    listed_diff,
    listed_failure,
    moto_server,
    provider_aliases,
    seed_lookups,
)
from verify.provider import ProviderChoice, choose_provider, mirror_dir
from verify.run import (
    APPLY_TIMEOUT_SECONDS,
    StackVerification,
    _managed_changes,
    _read_apply,
    _terraform,
    changed_attributes,
    tier_terraform_env,
    unavailable_reasons,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENVIRONMENT = ROOT / "environments" / "staging.hcl"
RELEASED_SERVICE, RELEASED_COLOUR, RELEASE_TAG = "api", "green", "2026.12.06-1a2b3c4d5e6f"
LOCK_WAIT_SECONDS = 120
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class FirstDeployCannotRun(Exception):
    pass


class SynthesisFailed(Exception):
    pass


def synthesized_stack(environments: Path, outdir: Path, stack: str) -> dict:
    """`main.py` over one folder of environment files, as `make synth` runs it; the stack's JSON."""
    synthesized = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--environments-dir", str(environments), "--outdir", str(outdir)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if synthesized.returncode != 0:
        raise SynthesisFailed(synthesized.stderr[-2000:])
    return json.loads((outdir / "stacks" / stack / STACK_FILE).read_text())


@dataclass
class Deployment:
    """What day one leaves for what follows it, in the same emulator: the second runner's folder
    (remote state, provider override), its terraform environment, the environment file with
    its state block, what moto holds, and the release plan made but not applied."""

    folder: Path
    env: dict[str, str]
    environment: Path
    stack: str
    provider_version: str | None  # the stand-in's, written into each synthesized stack
    created: set[str]
    never_created: set[str]  # failed or left out (listed gaps): planned every time
    work_dir: Path
    release_plan: str


@dataclass
class Followed:
    """How what followed day one went: its problems, its report lines, its own result."""

    problems: list[str]
    lines: list[str]
    detail: Any = None


@dataclass
class FirstDeploy:
    stack: str
    bucket: str = ""
    key: str = ""
    kms_key_arn: str = ""
    bootstrap_output: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    planned_creates: int = 0
    created: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    uncreated: set[str] = field(default_factory=set)  # planned, neither created nor failed (behind a failure)
    state_object: dict = field(default_factory=dict)  # head_object of the state
    state_resources: int = 0
    lock_refusal: str = ""  # what the second apply said while the lock was held
    second_runner_changes: dict[str, list[str]] = field(default_factory=dict)  # address -> attributes
    release_changes: dict[str, list[str]] = field(default_factory=dict)  # address -> actions
    after: Followed | None = None  # what `then` did (day two)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _timed(result: FirstDeploy, step: str):
    class _Timer:
        def __enter__(self):
            self.started = time.monotonic()

        def __exit__(self, *exc):
            result.seconds[step] = round(time.monotonic() - self.started, 1)

    return _Timer()


def environment_with_state(environment: Path, block: str, folder: Path) -> Path:
    """A copy of the environment file whose remote_state block is the one bootstrap printed."""
    text = environment.read_text()
    replaced, count = re.subn(r"(?ms)^remote_state \{.*?^\}", block, text)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / environment.name
    path.write_text(replaced if count else f"{text.rstrip()}\n\n{block}\n")
    return path


def backend_config(endpoint: str) -> str:
    """Only where the S3 backend finds S3 and STS and how it signs in: everything else
    (bucket, key, region, key id, lock file) is the synthesized backend block's."""
    return "\n".join(
        [
            f'endpoints = {{ s3 = "{endpoint}", sts = "{endpoint}" }}',
            "use_path_style = true",
            "skip_credentials_validation = true",
            "skip_requesting_account_id = true",
            "skip_metadata_api_check = true",
            "skip_region_validation = true",
            'access_key = "testing"',
            'secret_key = "testing"',
        ]
    )


def _runner_folder(folder: Path, document: dict, endpoint: str, choice: ProviderChoice) -> dict[str, str]:
    """A folder as a CI runner has it: the stack, the emulator's provider settings, the
    backend's endpoints; its terraform environment."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STACK_FILE).write_text(json.dumps(document, indent=2))
    providers = endpoint_override(endpoint, provider_aliases(document))["provider"]
    (folder / "verify_override.tf.json").write_text(json.dumps({"provider": providers}, indent=2))
    (folder / "moto.s3.tfbackend").write_text(backend_config(endpoint) + "\n")
    return tier_terraform_env(choice, folder, **TEST_CREDENTIALS)


def _init(folder: Path, env: dict[str, str], log: StackVerification, step: str) -> bool:
    args = ["init", "-input=false", "-no-color", "-backend-config=moto.s3.tfbackend"]
    return _terraform(args, folder, env, log, step) is not None


def _plan_json(folder: Path, env: dict[str, str], log: StackVerification, step: str) -> dict | None:
    if _terraform(["plan", "-input=false", "-no-color", f"-out={step}.bin"], folder, env, log, step) is None:
        return None
    shown = _terraform(["show", "-json", f"{step}.bin"], folder, env, log, f"show {step}")
    if shown is None:
        return None
    (folder / f"{step}.json").write_text(shown)
    return json.loads(shown)


def _s3(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run_first_deploy(
    environment: Path, work_dir: Path, choice: ProviderChoice, then: Callable[[Deployment], Followed] | None = None
) -> FirstDeploy:
    import boto3

    config = load_environment(environment)
    result = FirstDeploy(stack=config.stack_name)
    log = StackVerification(name=config.stack_name, synthesized_resources=0)
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    with moto_server(MOTO_DEFAULT_ACCOUNT, work_dir / "moto.log") as endpoint:
        # 1. The state bucket, then the environment file with the block it printed.
        session = boto3.session.Session(**{k.lower(): v for k, v in TEST_CREDENTIALS.items()})
        target = bootstrap_state.Target(config.name, config.state_region or config.region, None, config.account_id)
        with _timed(result, "bootstrap-state"):
            block, _ = bootstrap_state.bootstrap(target, session, endpoint)
        result.bootstrap_output = block
        _without_tls_condition_statement(session, endpoint, target.region, block)
        with_state = environment_with_state(environment, block, work_dir / "environments")
        state = load_environment(with_state).remote_state
        assert state is not None and state.kms_key_id is not None
        result.bucket, result.key, result.kms_key_arn = state.bucket, state.key, state.kms_key_id
        with _timed(result, "synth"):
            try:
                document = synthesized_stack(with_state.parent, work_dir / "cdktf.out", result.stack)
            except SynthesisFailed as failed:
                raise FirstDeployCannotRun(f"synthesis failed: {failed}") from None
        if document["terraform"]["backend"]["s3"]["bucket"] != result.bucket:
            raise FirstDeployCannotRun("the synthesized backend is not the bootstrapped bucket")
        if choice.stand_in:
            document["terraform"]["required_providers"]["aws"]["version"] = choice.version
        seed_lookups(document, endpoint)

        # 2. The first deploy: init with the S3 backend, plan, apply.
        first = work_dir / "runner-1"
        env = _runner_folder(first, document, endpoint, choice)
        with _timed(result, "init"):
            if not _init(first, env, log, "init"):
                result.problems += log.errors
                return result
        with _timed(result, "first plan"):
            plan = _plan_json(first, env, log, "plan")
        if plan is None:
            result.problems += log.errors
            return result
        creates = [address for address, actions in _managed_changes(plan) if actions == ["create"]]
        result.planned_creates = len(creates)
        with _timed(result, "first apply"):
            applied = _terraform(
                ["apply", "-input=false", "-no-color", "-json", "plan.bin"],
                first, env, log, "apply", timeout=APPLY_TIMEOUT_SECONDS, allow_failure=True,
            )  # fmt: skip
        if applied is None:
            result.problems += log.errors
            return result
        (first / "apply.jsonl").write_text(applied)
        _read_apply(applied, log)
        result.created, result.failed = log.created, log.failed
        for address, error in sorted(log.failed.items()):
            if not listed_failure(address, error):
                result.problems.append(f"apply failed for {address}: {error.splitlines()[0][:300]}")
        uncreated = set(creates) - log.created - set(log.failed)
        result.uncreated = uncreated
        if uncreated and not log.failed:
            result.problems.append(f"{len(uncreated)} planned resources were not created: {sorted(uncreated)[:5]}")

        # 3. The state is in the bucket, under the state key.
        s3 = _s3(endpoint)
        try:
            result.state_object = s3.head_object(Bucket=result.bucket, Key=result.key)
            body = json.loads(s3.get_object(Bucket=result.bucket, Key=result.key)["Body"].read())
            result.state_resources = len(body.get("resources", []))
        except Exception as error:  # the assertion below says what is missing
            result.problems.append(f"no state object s3://{result.bucket}/{result.key}: {error}")
        if result.state_object and result.state_object.get("SSEKMSKeyId") != result.kms_key_arn:
            result.problems.append(
                f"the state object is not encrypted under the state key: {result.state_object.get('SSEKMSKeyId')}"
            )
        if list((first).glob("*.tfstate")):
            result.problems.append(f"a local state file was written in {first}")

        # 4. A second apply while another terraform holds the lock is refused.
        with _timed(result, "lock"):
            result.lock_refusal = _second_apply_while_locked(first, env, s3, result)

        # 5. A second runner, with nothing of the first one's: no changes.
        second = work_dir / "runner-2"
        env2 = _runner_folder(second, document, endpoint, choice)
        with _timed(result, "second runner plan"):
            replan = _plan_json(second, env2, log, "replan") if _init(second, env2, log, "init 2") else None
        if replan is None:
            result.problems += log.errors
            return result
        for address, change in _managed_changes(replan, with_change=True):
            if address in result.created:
                attributes = changed_attributes(change) or change["actions"]
                unlisted = [a for a in attributes if not listed_diff(address, a)]
                if unlisted:
                    result.second_runner_changes[address] = unlisted
        if result.second_runner_changes:
            result.problems.append(f"the second runner's plan changes {result.second_runner_changes}")

        # 6. A release to one colour: only that colour's resources change.
        # `make release ENV=staging SERVICE=api COLOUR=green TAG=...` (ops/release.py), as the pipeline runs it.
        stack = load_stack(config.name, stack_json=work_dir / "cdktf.out" / "stacks" / result.stack / STACK_FILE)
        released = make_release(
            stack, RELEASED_SERVICE, RELEASED_COLOUR, RELEASE_TAG,
            lambda service, region: session.client(service, region_name=region, endpoint_url=endpoint),
            say=lambda line: None,
        )  # fmt: skip
        if released.code != 0:
            result.problems.append(f"make release refused or failed (exit {released.code}): {released.message}")
            return result
        with _timed(result, "release plan"):
            release = _plan_json(second, env2, log, "release")
        if release is None:
            result.problems += log.errors
            return result
        for address, change in _managed_changes(release, with_change=True):
            if address not in result.created:
                continue  # never created in moto (a listed gap): the first apply judged it
            attributes = [a for a in changed_attributes(change) if not listed_diff(address, a)]
            if attributes or change["actions"] != ["update"]:
                result.release_changes[address] = change["actions"]

        # 7. What follows (day two), from the release plan on.
        if then is not None and not result.problems:
            version = choice.version if choice.stand_in else None
            deployment = Deployment(
                second, env2, with_state, result.stack, version, set(result.created),
                set(result.failed) | result.uncreated, work_dir, release_plan="release",
            )  # fmt: skip
            result.after = then(deployment)
            result.problems += result.after.problems
    return result


# moto evaluates a bucket policy's Deny statements on object requests without their
# conditions (moto/s3/models.py, FakeBucket.get_permission), so the state bucket's
# DenyRequestsWithoutTls (aws:SecureTransport = false) refuses every object request to it,
# over TLS or not, where AWS refuses plain HTTP only. The scenario checks that bootstrap
# wrote the statement, then takes that one statement out in the emulator; the bucket
# deletion guard (no condition, a bucket action) stays.
EMULATOR_ONLY_DROPPED_STATEMENT = "DenyRequestsWithoutTls"


def _without_tls_condition_statement(session, endpoint: str, region: str, block: str) -> None:
    bucket = re.search(r'bucket\s*=\s*"([^"]+)"', block).group(1)  # type: ignore[union-attr]
    s3 = session.client("s3", region_name=region, endpoint_url=endpoint)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    kept = [s for s in policy["Statement"] if s.get("Sid") != EMULATOR_ONLY_DROPPED_STATEMENT]
    if len(kept) == len(policy["Statement"]):
        raise FirstDeployCannotRun(f"bootstrap-state wrote no {EMULATOR_ONLY_DROPPED_STATEMENT} statement")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": kept}))


def _second_apply_while_locked(folder: Path, env: dict[str, str], s3, result: FirstDeploy) -> str:
    """Hold the lock with one terraform (a plan, which locks the state while it refreshes),
    and start an apply meanwhile: it must be refused by the lock. What it printed."""
    lock_key = f"{result.key}.tflock"
    holder = subprocess.Popen(
        ["terraform", "plan", "-input=false", "-no-color", "-lock=true"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                s3.head_object(Bucket=result.bucket, Key=lock_key)
                break
            except Exception:
                if holder.poll() is not None or time.monotonic() > deadline:
                    result.problems.append(f"no lock object s3://{result.bucket}/{lock_key} while terraform planned")
                    return ""
                time.sleep(0.2)
        second = subprocess.run(
            ["terraform", "apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=0s"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        said = (second.stderr + second.stdout).strip()
        if second.returncode == 0 or "Error acquiring the state lock" not in said:
            result.problems.append(
                f"a second apply was not refused by the lock (exit {second.returncode}): {said[-500:]}"
            )
        return said
    finally:
        try:
            holder.wait(timeout=600)
        except subprocess.TimeoutExpired:
            holder.kill()


def main(
    argv: list[str] | None = None,
    then: Callable[[Deployment], Followed] | None = None,
    module: str = "verify.first_deploy",
) -> int:
    """The command line of this scenario, and of what continues it (scenarios/day_two.py
    passes its `then` and its own module name)."""
    name = module.rsplit(".", 1)[1].replace("_", "-")
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=__doc__.splitlines()[0])
    parser.add_argument("--environment", type=Path, default=DEFAULT_ENVIRONMENT)
    parser.add_argument("--work-dir", type=Path, default=Path(f"cdktf.out/{name}"))
    args = parser.parse_args(argv)
    reasons = unavailable_reasons(mirror_dir())
    if reasons:
        print(f"{name}: NOT RUN: " + "; ".join(reasons), file=sys.stderr)
        return 2
    choice = choose_provider(mirror_dir())
    assert choice is not None
    try:
        result = run_first_deploy(args.environment, args.work_dir.resolve(), choice, then=then)
    except FirstDeployCannotRun as error:
        print(f"{name}: NOT RUN: {error}", file=sys.stderr)
        return 2
    print(render(result))
    return 0 if result.ok else 1


def render(result: FirstDeploy) -> str:
    lines = [
        f"first deploy of {result.stack} against moto, state in s3://{result.bucket}/{result.key}",
        "times (s): " + ", ".join(f"{step} {seconds}" for step, seconds in result.seconds.items()),
        f"planned {result.planned_creates}, created {len(result.created)}, failed {len(result.failed)} (listed gaps), "
        f"{result.state_resources} resources in the remote state",
        f"lock: {result.lock_refusal.splitlines()[0] if result.lock_refusal else '-'}",
        f"release of {RELEASED_SERVICE} {RELEASED_COLOUR}: changes {sorted(result.release_changes)}",
        *(result.after.lines if result.after else []),
    ]
    lines += [f"FAILED  {problem}" for problem in result.problems]
    lines.append("first-deploy: " + ("PASSED" if result.ok else "FAILED"))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
