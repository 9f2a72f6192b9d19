"""Provider-backed verification: terraform init, validate and plan of every stack.

Synthesis proves only that the JSON fits the typed bindings. This tier hands each
synthesized stack to the real AWS provider (6.25.0): `terraform validate` checks values,
conflicting arguments and references; `terraform plan`, against moto's AWS API on
loopback, shows what would be created. The plan is exported as JSON, its resource count
is compared with the synthesized JSON, and checkov's terraform_plan framework scans it
(report next to the synthesized-JSON report).

Where the provider comes from: a filesystem mirror (default
~/.cache/chat-infra/terraform-plugins, set CHAT_INFRA_PROVIDER_MIRROR to move it) built
by `make provider` from the Go module proxy. Without a mirror, terraform's own
configuration applies (the registry, for users who can reach it).

The synthesized stacks are never modified: each is copied to cdktf.out/verify/<stack>/
with a `verify_override.tf.json` that sets a local backend, test credentials and moto
endpoints (Terraform override files merge into the provider block).

Never silently green: a missing terraform, provider or moto is reported as such, and
the command exits 2; any validate/plan error or count mismatch exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gate.run import DEFAULT_CHECKOV, STACK_FILE, GateCannotRun, evaluate, find_stacks, render, run_checkov

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_VERSION = "6.25.0"
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
DEFAULT_MIRROR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chat-infra" / "terraform-plugins"
MOTO_SERVER = ROOT / ".venv-moto" / "bin" / "moto_server"
# moto's default account; a stack that pins another account gets moto started with it.
MOTO_DEFAULT_ACCOUNT = "123456789012"
# Every service the platform's modules use; unused ones cost nothing.
MOTO_ENDPOINT_SERVICES = (
    "acm applicationautoscaling autoscaling backup cloudfront cloudwatch cloudwatchlogs docdb dynamodb ec2 ecr "
    "ecs elasticache elbv2 events firehose iam kafka kms rds s3 secretsmanager servicediscovery sns sqs ssm sts "
    "wafv2"
).split()
STEP_TIMEOUT_SECONDS = 900

EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


class TierCannotRun(Exception):
    pass


@dataclass
class StackVerification:
    name: str
    synthesized_resources: int
    planned_creates: int | None = None
    other_actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.other_actions and self.planned_creates == self.synthesized_resources


# -- what is needed ----------------------------------------------------------------------


def mirror_dir() -> Path:
    return Path(os.environ.get("CHAT_INFRA_PROVIDER_MIRROR", DEFAULT_MIRROR))


def mirrored_provider(mirror: Path, version: str = PROVIDER_VERSION) -> Path:
    return mirror / PROVIDER_ADDRESS / version / "linux_amd64" / f"terraform-provider-aws_v{version}_x5"


def unavailable_reasons(mirror: Path, version: str = PROVIDER_VERSION) -> list[str]:
    """Why the tier cannot run here; empty when it can."""
    reasons = []
    if not shutil.which("terraform"):
        reasons.append("terraform is not on PATH")
    if not mirrored_provider(mirror, version).is_file() and not os.environ.get("CHAT_INFRA_USE_REGISTRY"):
        reasons.append(
            f"no built AWS provider {version} at {mirrored_provider(mirror, version)} (build it with `make provider`, "
            "or set CHAT_INFRA_USE_REGISTRY=1 where the Terraform registry is reachable)"
        )
    if not MOTO_SERVER.is_file():
        reasons.append(f"moto's server is not installed at {MOTO_SERVER} (`make verify` installs it)")
    return reasons


# -- moto ------------------------------------------------------------------------------------


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def moto_server(account_id: str, log_path: Path) -> Iterator[str]:
    """moto on 127.0.0.1 only, stopped on exit; yields its endpoint URL."""
    port = _free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MOTO_ACCOUNT_ID": account_id}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise TierCannotRun(f"moto server did not start on {url}; see {log_path}") from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- terraform -------------------------------------------------------------------------------


def cli_config(mirror: Path, work_dir: Path, version: str) -> Path | None:
    """A CLI config that takes hashicorp/aws from the mirror (None: terraform's own)."""
    if not mirrored_provider(mirror, version).is_file():
        return None
    path = work_dir / "terraformrc"
    path.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{mirror.resolve()}"\n    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        "}\n"
    )
    return path


def verify_override(endpoint: str) -> dict:
    return {
        "terraform": {"backend": {"local": {"path": "terraform.tfstate"}}},
        "provider": {
            "aws": {
                "access_key": "testing",
                "secret_key": "testing",
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "skip_region_validation": True,
                "endpoints": [{service: endpoint for service in MOTO_ENDPOINT_SERVICES}],
            }
        },
    }


def _terraform(args: list[str], cwd: Path, env: dict[str, str], result: StackVerification, step: str) -> str | None:
    started = time.monotonic()
    try:
        completed = subprocess.run(
            ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        result.errors.append(f"terraform {step} did not finish within {STEP_TIMEOUT_SECONDS} s")
        return None
    finally:
        result.seconds[step] = time.monotonic() - started
    if completed.returncode != 0:
        result.errors.append(f"terraform {step} failed:\n{(completed.stderr or completed.stdout).strip()[-4000:]}")
        return None
    return completed.stdout


def synthesized_resource_count(document: dict) -> int:
    return sum(len(blocks) for blocks in document.get("resource", {}).values())


def pinned_account(document: dict) -> str | None:
    providers = document.get("provider", {}).get("aws", [{}])
    accounts = providers[0].get("allowed_account_ids") if providers else None
    return accounts[0] if accounts else None


def verify_stack(
    name: str, stack_file: Path, work_root: Path, mirror: Path, provider_version: str = PROVIDER_VERSION
) -> StackVerification:
    document = json.loads(stack_file.read_text())
    result = StackVerification(name=name, synthesized_resources=synthesized_resource_count(document))
    # Absolute: terraform runs inside work_dir, and the CLI config path must still resolve.
    work_dir = (work_root / name).resolve()
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    if provider_version != PROVIDER_VERSION:
        # A stand-in provider (see --provider-version): only the work copy's pin changes.
        document["terraform"]["required_providers"]["aws"]["version"] = provider_version
    (work_dir / STACK_FILE).write_text(json.dumps(document, indent=2))
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    config = cli_config(mirror, work_dir, provider_version)
    if config:
        env["TF_CLI_CONFIG_FILE"] = str(config)

    with moto_server(pinned_account(document) or MOTO_DEFAULT_ACCOUNT, work_dir / "moto.log") as endpoint:
        (work_dir / "verify_override.tf.json").write_text(json.dumps(verify_override(endpoint), indent=2))
        if _terraform(["init", "-input=false", "-no-color"], work_dir, env, result, "init") is None:
            return result
        validation = _terraform(["validate", "-json", "-no-color"], work_dir, env, result, "validate")
        if validation is not None:
            for diagnostic in json.loads(validation).get("diagnostics", []):
                if diagnostic.get("severity") == "warning":
                    result.errors.append(
                        f"validate warning: {diagnostic.get('summary')}: {diagnostic.get('detail', '')}"
                    )
        plan_args = ["plan", "-input=false", "-lock=false", "-no-color", "-out=tfplan.bin"]
        if _terraform(plan_args, work_dir, env, result, "plan") is None:
            return result
    shown = _terraform(["show", "-json", "tfplan.bin"], work_dir, env, result, "show")
    if shown is None:
        return result
    (work_dir / "tfplan.json").write_text(shown)
    changes = [c for c in json.loads(shown).get("resource_changes", []) if c.get("mode") == "managed"]
    result.planned_creates = sum(1 for c in changes if c["change"]["actions"] == ["create"])
    result.other_actions = [
        f"{c['address']}: {c['change']['actions']}" for c in changes if c["change"]["actions"] != ["create"]
    ]
    if result.planned_creates != result.synthesized_resources:
        result.errors.append(
            f"plan creates {result.planned_creates} resources, "
            f"the synthesized JSON declares {result.synthesized_resources}"
        )
    return result


# -- checkov on the plans --------------------------------------------------------------------


def scan_plans(plans: dict[str, Path], stacks: dict[str, Path], report_dir: Path, checkov: Path):
    scan = ["--framework", "terraform_plan", "--repo-root-for-plan-enrichment", str(ROOT)]
    for plan in plans.values():
        scan += ["--file", str(plan)]
    result_file = run_checkov(checkov, report_dir, scan)
    report = evaluate(json.loads(result_file.read_text()), {name: stacks[name] for name in plans})
    # Waivers written for synthesized-JSON findings (e.g. on policy-document data
    # sources) have nothing to match in a plan; they are listed, not failed, here.
    for stack in report.stacks:
        stack.stale_waivers = []
    return report


# -- command -------------------------------------------------------------------------------


def render_results(results: list[StackVerification]) -> str:
    lines = [f"{'stack':<22}{'synthesized':>12}{'planned':>9}{'init s':>8}{'validate s':>11}{'plan s':>8}  result"]
    for r in results:
        planned = "-" if r.planned_creates is None else str(r.planned_creates)
        times = [f"{r.seconds.get(step, 0):.1f}" for step in ("init", "validate", "plan")]
        lines.append(
            f"{r.name:<22}{r.synthesized_resources:>12}{planned:>9}{times[0]:>8}{times[1]:>11}{times[2]:>8}  "
            + ("ok" if r.ok else "FAILED")
        )
    for r in results:
        lines += [f"FAILED  {r.name}: {error}" for error in r.errors]
        lines += [f"FAILED  {r.name}: unexpected plan action {action}" for action in r.other_actions]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="terraform validate + plan of every synthesized stack (tier 5)")
    parser.add_argument("--stacks-dir", type=Path, default=Path("cdktf.out/stacks"))
    parser.add_argument("--work-dir", type=Path, default=Path("cdktf.out/verify"))
    parser.add_argument("--report-dir", type=Path, default=Path("cdktf.out/gate/plan"))
    parser.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV)
    parser.add_argument(
        "--provider-version",
        default=PROVIDER_VERSION,
        help=f"verify against another mirrored hashicorp/aws build instead of the pinned {PROVIDER_VERSION} "
        "(a stand-in where the pinned one cannot be built; the result says so)",
    )
    args = parser.parse_args(argv)
    version = args.provider_version

    mirror = mirror_dir()
    reasons = unavailable_reasons(mirror, version)
    if reasons:
        print("verify: cannot run the provider-backed tier:", file=sys.stderr)
        for reason in reasons:
            print(f"  - {reason}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    stacks = find_stacks(args.stacks_dir)
    if not stacks:
        print(
            f"verify: cannot run: no synthesized stacks under {args.stacks_dir}; run `python main.py`", file=sys.stderr
        )
        return EXIT_CANNOT_RUN
    source = f"mirror {mirror}" if mirrored_provider(mirror, version).is_file() else "terraform's own configuration"
    print(f"verify: hashicorp/aws {version} from {source}; moto on 127.0.0.1")
    if version != PROVIDER_VERSION:
        print(f"verify: STAND-IN: this is NOT the pinned provider {PROVIDER_VERSION}; a pass here does not verify it")

    try:
        results = [verify_stack(name, path, args.work_dir, mirror, version) for name, path in stacks.items()]
        print(render_results(results))
        plans = {r.name: args.work_dir / r.name / "tfplan.json" for r in results if r.planned_creates is not None}
        plan_report = scan_plans(plans, stacks, args.report_dir, args.checkov) if plans else None
    except (TierCannotRun, GateCannotRun) as error:
        print(f"verify: cannot run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if plan_report is not None:
        print("checkov terraform_plan over the plans:")
        print(render(plan_report))
        print(f"reports: {args.report_dir}/results_json.json, results_junitxml.xml")
    ok = all(r.ok for r in results) and plan_report is not None and plan_report.ok
    stand_in = f" (against stand-in {version}, not {PROVIDER_VERSION})" if version != PROVIDER_VERSION else ""
    print(("verify: PASSED" if ok else "verify: FAILED") + stand_in)
    return 0 if ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
