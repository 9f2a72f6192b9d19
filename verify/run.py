"""Provider-backed verification: validate, plan, apply to moto and plan again, every stack.

Synthesis proves only that the JSON fits the typed bindings. This tier hands each
synthesized stack to the real AWS provider (verify/provider.py says which build):
1. `terraform init` (this tier's own CLI configuration) and `validate`: values,
   conflicting arguments, required combinations, references;
2. `plan` against moto on loopback: the plan must create exactly the synthesized
   resources and nothing else (counts per resource type are printed); checkov's
   terraform_plan framework scans every plan with the gate's checks;
3. `apply` of that plan to moto (bounded in time), then a second `plan`: every resource
   that moto created must plan no change, or it is a perpetual diff users would hit.
   Apply errors and diffs that are moto's own are listed in verify/emulator.py.
Warnings are errors, except a stand-in-only deprecation listed in verify/provider.py.

The synthesized stacks are never modified: each is copied to <work-dir>/<stack>/ with a
`verify_override.tf.json` (local backend, test credentials, moto endpoints). Nothing is
destroyed: each stack's moto is thrown away with its state.

`--engine tofu` runs the same steps with OpenTofu (verify/engine.py) instead of terraform;
`--no-apply` stops after the first plan (validate and plan only, what the test suite runs
for tofu: README.md, Provider-backed tier, says why).

Exit codes: 0 passed, 1 failed, 2 could not run (the reason is printed: no terraform or
tofu, no provider build, no moto, no stacks, an unknown engine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from gate.run import DEFAULT_CHECKOV, STACK_FILE, GateCannotRun, evaluate, find_stacks, render, run_checkov
from verify.emulator import (
    EMULATOR_GAPS,
    MOTO_DEFAULT_ACCOUNT,
    MOTO_SERVER,
    NOT_IMPLEMENTED_BY_MOTO,
    EmulatorCannotStart,
    EmulatorGap,
    endpoint_override,
    moto_server,
    provider_aliases,
    seed_lookups,
)
from verify.engine import ENGINE_NAMES, TERRAFORM, TERRAFORM_ON_PATH, Engine, engine_or_reason, find_engine
from verify.provider import (
    PINNED_VERSION,
    PROVIDER_ADDRESS,
    STANDIN_WARNINGS,
    ListedWarning,
    ProviderChoice,
    choose_provider,
    cli_config,
    mirror_dir,
    missing_provider_reason,
)

ROOT = Path(__file__).resolve().parent.parent
STEP_TIMEOUT_SECONDS = 900
# An apply waits on the provider's own polling (RDS instances, replicas and proxies wait
# 30 s and more between reads even against moto): a whole prod stack takes minutes.
APPLY_TIMEOUT_SECONDS = 1200
# Two stacks at a time: the 2-core CI machine; each has its own moto and terraform.
PARALLEL_STACKS = 2

EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


class TierCannotRun(Exception):
    pass


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str
    address: str | None = None

    def render(self) -> str:
        where = f" ({self.address})" if self.address else ""
        return f"{self.summary}{where}: {self.detail.strip()}" if self.detail else f"{self.summary}{where}"


@dataclass
class StackVerification:
    name: str
    synthesized_resources: int
    planned_creates: int | None = None
    planned_by_type: Counter = field(default_factory=Counter)
    other_actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    applied: bool = False
    created: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # address -> moto's error
    uncreated: list[str] = field(default_factory=list)  # planned, neither created nor failed
    replanned: bool = False
    diffs: dict[str, list[str]] = field(default_factory=dict)  # address -> attributes the 2nd plan changes
    seconds: dict[str, float] = field(default_factory=dict)
    seeded: list[str] = field(default_factory=list)  # what moto was given first: what the stack looks up

    @property
    def plan_ok(self) -> bool:
        return not self.errors and not self.other_actions and self.planned_creates == self.synthesized_resources


def resource_type(address: str) -> str:
    return address.split(".")[-2]


# -- terraform -------------------------------------------------------------------------------


def _terraform(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    result: StackVerification,
    step: str,
    timeout: int = STEP_TIMEOUT_SECONDS,
    allow_failure: bool = False,
    engine: Engine = TERRAFORM_ON_PATH,
) -> str | None:
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [engine.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        result.errors.append(f"{engine.name} {step} did not finish within {timeout} s")
        return None
    finally:
        result.seconds[step] = time.monotonic() - started
    if completed.returncode != 0 and not allow_failure:
        errors = [d.render() for d in diagnostics(completed.stdout) if d.severity == "error"]
        detail = "\n".join(errors) or (completed.stderr or completed.stdout).strip()
        result.errors.append(f"{engine.name} {step} failed:\n{detail[-4000:]}")
        return None
    return completed.stdout


def diagnostics(stream: str) -> list[Diagnostic]:
    """Diagnostics from terraform's -json output: a validate document or a message stream."""
    text = stream.strip()
    found = []
    try:
        document = json.loads(text)  # validate -json: one (indented) document
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        items = document.get("diagnostics", [])
    else:
        items = []
        for line in text.splitlines():
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if message.get("type") == "diagnostic":
                items.append(message["diagnostic"])
    for item in items:
        found.append(
            Diagnostic(
                severity=item.get("severity", ""),
                summary=item.get("summary", ""),
                detail=item.get("detail", ""),
                address=item.get("address"),
            )
        )
    return found


def _note_warnings(result: StackVerification, stream: str | None) -> None:
    if stream:
        for diagnostic in diagnostics(stream):
            if diagnostic.severity == "warning" and diagnostic not in result.warnings:
                result.warnings.append(diagnostic)


def synthesized_resource_count(document: dict) -> int:
    return sum(len(blocks) for blocks in document.get("resource", {}).values())


def pinned_account(document: dict) -> str | None:
    providers = document.get("provider", {}).get("aws", [{}])
    accounts = providers[0].get("allowed_account_ids") if providers else None
    return accounts[0] if accounts else None


def changed_attributes(change: dict) -> list[str]:
    """Top-level attributes a planned update or replacement changes."""
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after) | set(unknown)
    return sorted(k for k in keys if before.get(k) != after.get(k) or unknown.get(k) not in (None, False, {}, []))


def _read_apply(stream: str, result: StackVerification) -> None:
    for line in stream.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind, hook = message.get("type"), message.get("hook", {})
        address = hook.get("resource", {}).get("addr")
        if kind == "apply_complete" and hook.get("action") == "create":
            result.created.add(address)
        elif kind == "apply_errored":
            result.failed.setdefault(address, "(no error message)")
        elif kind == "diagnostic" and message["diagnostic"].get("severity") == "error":
            diagnostic = message["diagnostic"]
            where = diagnostic.get("address")
            text = f"{diagnostic.get('summary', '')}: {diagnostic.get('detail', '')}".strip(": ")
            if where:
                result.failed[where] = text
            else:
                result.errors.append(f"apply error not tied to a resource: {text}")


def tier_terraform_env(
    choice: ProviderChoice, work_dir: Path, provider_address: str = PROVIDER_ADDRESS, **extra: str
) -> dict[str, str]:
    """terraform's (or tofu's) environment in a tier folder: unattended, no instance metadata,
    this tier's CLI configuration (one source for hashicorp/aws), no shared plugin cache."""
    env = {
        **os.environ,
        **extra,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "TF_CLI_CONFIG_FILE": str(cli_config(choice, work_dir, provider_address)),
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env


def verify_stack(
    name: str,
    stack_file: Path,
    work_root: Path,
    choice: ProviderChoice,
    engine: Engine = TERRAFORM_ON_PATH,
    apply: bool = True,
) -> StackVerification:
    document = json.loads(stack_file.read_text())
    result = StackVerification(name=name, synthesized_resources=synthesized_resource_count(document))
    # Absolute: terraform runs inside work_dir, and the CLI config path must still resolve.
    work_dir = (work_root / name).resolve()
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    if choice.stand_in:
        # Only the work copy's pin changes; the reports say STAND-IN.
        document["terraform"]["required_providers"]["aws"]["version"] = choice.version
    (work_dir / STACK_FILE).write_text(json.dumps(document, indent=2))
    env = tier_terraform_env(choice, work_dir, engine.provider_address)

    account = pinned_account(document)
    with moto_server(account or MOTO_DEFAULT_ACCOUNT, work_dir / "moto.log") as endpoint:
        override = endpoint_override(endpoint, provider_aliases(document))
        result.seeded = seed_lookups(document, endpoint)
        (work_dir / "verify_override.tf.json").write_text(json.dumps(override, indent=2))
        if _terraform(["init", "-input=false", "-no-color"], work_dir, env, result, "init", engine=engine) is None:
            return result
        validated = _terraform(["validate", "-json", "-no-color"], work_dir, env, result, "validate", engine=engine)
        _note_warnings(result, validated)
        plan = _plan(work_dir, env, result, "plan", engine)
        if plan is None:
            return result
        _judge_first_plan(plan, result)
        if result.plan_ok and apply:
            creates = [address for address, actions in _managed_changes(plan) if actions == ["create"]]
            _apply(work_dir, env, result, creates, engine)
        if result.applied:
            replan = _plan(work_dir, env, result, "replan", engine)
            if replan is not None:
                result.replanned = True
                for address, change in _managed_changes(replan, with_change=True):
                    # Resources never created (failed, or left out) are judged by the apply.
                    if address in result.created:
                        result.diffs[address] = changed_attributes(change) or change["actions"]
    return result


_QUIET = ["-input=false", "-lock=false", "-no-color"]


def _plan(work_dir: Path, env: dict[str, str], result: StackVerification, step: str, engine: Engine) -> dict | None:
    """`terraform plan -out`, then the plan as JSON (also kept as <step>.json)."""
    planned = _terraform(["plan", *_QUIET, "-json", f"-out={step}.bin"], work_dir, env, result, step, engine=engine)
    _note_warnings(result, planned)
    if planned is None:
        return None
    shown = _terraform(["show", "-json", f"{step}.bin"], work_dir, env, result, f"show {step}", engine=engine)
    if shown is None:
        return None
    (work_dir / f"{step}.json").write_text(shown)
    return json.loads(shown)


def _managed_changes(plan: dict, with_change: bool = False) -> list[tuple[str, object]]:
    """(address, actions) of every managed resource that would change (or its change)."""
    found = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if change.get("mode") == "managed" and actions not in (["no-op"], ["read"]):
            found.append((change["address"], change["change"] if with_change else actions))
    return found


def _judge_first_plan(plan: dict, result: StackVerification) -> None:
    changes = _managed_changes(plan)
    creates = [address for address, actions in changes if actions == ["create"]]
    result.planned_creates = len(creates)
    result.planned_by_type = Counter(resource_type(a) for a in creates)
    result.other_actions = [f"{address}: {actions}" for address, actions in changes if actions != ["create"]]
    if result.planned_creates != result.synthesized_resources:
        result.errors.append(
            f"plan creates {result.planned_creates} resources, the synthesized JSON declares "
            f"{result.synthesized_resources}"
        )


def _apply(work_dir: Path, env: dict[str, str], result: StackVerification, creates: list[str], engine: Engine) -> None:
    # An apply that fails part-way exits non-zero; what it created and why the rest
    # failed is read from its message stream and judged against the gap list.
    applied = _terraform(
        ["apply", *_QUIET, "-json", "-auto-approve", "plan.bin"],
        work_dir,
        env,
        result,
        "apply",
        timeout=APPLY_TIMEOUT_SECONDS,
        allow_failure=True,
        engine=engine,
    )
    if applied is None:
        return
    result.applied = True
    (work_dir / "apply.jsonl").write_text(applied)  # per-resource messages and timings, for a reviewer
    _note_warnings(result, applied)
    _read_apply(applied, result)
    result.uncreated = sorted(set(creates) - result.created - set(result.failed))


# -- judging against the lists --------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # listed gaps and warnings that occurred, with reasons

    @property
    def ok(self) -> bool:
        return not self.problems


def judge(
    results: list[StackVerification],
    choice: ProviderChoice,
    gaps: tuple[EmulatorGap, ...] = EMULATOR_GAPS,
    not_implemented: dict[str, str] | None = None,
    standin_warnings: tuple[ListedWarning, ...] = STANDIN_WARNINGS,
) -> Verdict:
    """Every error, diff and warning is either listed (with its reason) or a problem."""
    not_implemented = NOT_IMPLEMENTED_BY_MOTO if not_implemented is None else not_implemented
    verdict = Verdict()
    used_gaps: set[str] = set()
    used_warnings: set[ListedWarning] = set()
    used_not_implemented: set[str] = set()
    for r in results:
        verdict.problems += [f"{r.name}: {error}" for error in r.errors]
        verdict.problems += [f"{r.name}: unexpected plan action {action}" for action in r.other_actions]
        for warning in r.warnings:
            listed = choice.stand_in and next(
                (w for w in standin_warnings if w.matches(warning.summary, warning.detail)), None
            )
            if listed:
                used_warnings.add(listed)
            else:
                verdict.problems.append(f"{r.name}: warning (warnings are errors here): {warning.render()}")
        listed_failure = False
        for address, error in sorted(r.failed.items()):
            kind = resource_type(address)
            gap = next((g for g in gaps if g.matches_error(kind, error)), None)
            if kind in not_implemented:
                used_not_implemented.add(kind)
                listed_failure = True
            elif gap:
                used_gaps.add(gap.key)
                listed_failure = True
            else:
                verdict.problems.append(f"{r.name}: apply failed for {address}: {error}")
        if r.uncreated and not listed_failure:
            verdict.problems.append(
                f"{r.name}: {len(r.uncreated)} planned resources were not created and no listed gap explains it: "
                + ", ".join(r.uncreated[:5])
            )
        for address, attributes in sorted(r.diffs.items()):
            kind = resource_type(address)
            for attribute in attributes:
                gap = next((g for g in gaps if g.matches_diff(kind, attribute)), None)
                if gap:
                    used_gaps.add(gap.key)
                else:
                    verdict.problems.append(
                        f"{r.name}: perpetual diff: the plan after apply changes {address}.{attribute}"
                    )
    complete = all(r.replanned for r in results)
    if complete:  # a stale entry can only be told apart after a full run
        for gap in gaps:
            if gap.key not in used_gaps:
                verdict.problems.append(f"stale emulator gap (no longer occurs): {gap.key}: remove it")
        for kind in not_implemented:
            if kind not in used_not_implemented:
                verdict.problems.append(f"stale not-implemented entry: {kind} was created by moto: remove it")
        if choice.stand_in:
            for warning in standin_warnings:
                if warning not in used_warnings:
                    verdict.problems.append(f"stale listed warning (no longer emitted): {warning.summary}")
    verdict.accepted += [f"emulator gap {g.key}: {g.reason}" for g in gaps if g.key in used_gaps]
    verdict.accepted += [f"not implemented by moto: {k}: {not_implemented[k]}" for k in sorted(used_not_implemented)]
    verdict.accepted += [f"stand-in warning {w.summary}: {w.reason}" for w in standin_warnings if w in used_warnings]
    return verdict


# -- checkov on the plans --------------------------------------------------------------------


def scan_plans(plans: dict[str, Path], stacks: dict[str, Path], report_dir: Path, checkov: Path):
    # One folder per stack, scanned as a directory: checkov then names each finding's
    # file as <stack>/plan.json (with a single --file it would drop the folder).
    plans_dir = report_dir / "plans"
    shutil.rmtree(plans_dir, ignore_errors=True)
    for name, plan in plans.items():
        (plans_dir / name).mkdir(parents=True)
        shutil.copyfile(plan, plans_dir / name / "plan.json")
    scan = [
        "--framework",
        "terraform_plan",
        "--directory",
        str(plans_dir),
        "--repo-root-for-plan-enrichment",
        str(ROOT),
    ]
    result_file = run_checkov(checkov, report_dir, scan)
    report = evaluate(json.loads(result_file.read_text()), {name: stacks[name] for name in plans})
    # Waivers written for synthesized-JSON findings (e.g. on policy-document data
    # sources) have nothing to match in a plan; they are listed, not failed, here.
    for stack in report.stacks:
        stack.stale_waivers = []
    return report


# -- running the whole tier ------------------------------------------------------------------


def unavailable_reasons(mirror: Path, requested: str | None = None, engine_name: str = TERRAFORM) -> list[str]:
    """Why the tier cannot run here with that engine; empty when it can. Every reason at once."""
    reasons = []
    engine, why_not = engine_or_reason(engine_name)
    if why_not:
        reasons.append(why_not)
    address = engine.provider_address if engine else PROVIDER_ADDRESS
    if choose_provider(mirror, requested, address) is None:
        reasons.append(missing_provider_reason(mirror, requested, address))
    if not MOTO_SERVER.is_file():
        reasons.append(f"moto's server is not installed at {MOTO_SERVER} (`make verify` installs it)")
    return reasons


@dataclass
class TierRun:
    choice: ProviderChoice
    results: list[StackVerification]
    verdict: Verdict
    plan_report: object | None
    work_dir: Path
    engine: Engine = TERRAFORM_ON_PATH
    applied: bool = True  # False: validate and the first plan only (--no-apply)

    @property
    def ok(self) -> bool:
        return (
            self.verdict.ok
            and self.plan_report is not None
            and self.plan_report.ok
            and all(r.plan_ok for r in self.results)
        )


def run_tier(
    stacks: dict[str, Path],
    work_dir: Path,
    report_dir: Path,
    choice: ProviderChoice,
    checkov: Path,
    engine: Engine = TERRAFORM_ON_PATH,
    apply: bool = True,
):
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL_STACKS) as pool:
            results = list(pool.map(lambda item: verify_stack(*item, work_dir, choice, engine, apply), stacks.items()))
    except EmulatorCannotStart as error:
        raise TierCannotRun(str(error)) from None
    plans = {r.name: work_dir / r.name / "plan.json" for r in results if r.planned_creates is not None}
    try:
        plan_report = scan_plans(plans, stacks, report_dir, checkov) if plans else None
    except GateCannotRun as error:
        raise TierCannotRun(str(error)) from None
    return TierRun(choice, results, judge(results, choice), plan_report, work_dir, engine, apply)


def render_results(run: TierRun) -> str:
    steps = "validate, plan, apply, re-plan" if run.applied else "validate and plan only (no apply)"
    lines = [f"engine: {run.engine.label}: {steps}", f"provider: {run.choice.label}"]
    header = f"{'stack':<18}{'synthesized':>12}{'planned':>9}{'created':>9}{'failed':>8}{'not made':>10}{'diffs':>7}"
    lines.append(header + "   init validate plan apply replan (s)")
    for r in run.results:
        planned = "-" if r.planned_creates is None else str(r.planned_creates)
        applied = [str(len(r.created)), str(len(r.failed)), str(len(r.uncreated))] if r.applied else ["-"] * 3
        diffs = str(len(r.diffs)) if r.replanned else "-"
        times = " ".join(f"{r.seconds.get(s, 0):.0f}" for s in ("init", "validate", "plan", "apply", "replan"))
        lines.append(
            f"{r.name:<18}{r.synthesized_resources:>12}{planned:>9}{applied[0]:>9}{applied[1]:>8}{applied[2]:>10}"
            f"{diffs:>7}   {times}"
        )
    for r in run.results:
        if r.seeded:
            lines.append(
                f"{r.name}: created in moto before the plan, as the stack looks them up: {', '.join(r.seeded)}"
            )
        lines.append(f"{r.name}: per resource type: planned / created / failed / not created / perpetual diffs")
        for kind, planned in sorted(r.planned_by_type.items()):
            created = sum(1 for a in r.created if resource_type(a) == kind)
            failed = [a for a in r.failed if resource_type(a) == kind]
            uncreated = sum(1 for a in r.uncreated if resource_type(a) == kind)
            diffs = sorted({attr for a, attrs in r.diffs.items() if resource_type(a) == kind for attr in attrs})
            note = f"  diffs: {', '.join(diffs)}" if diffs else ""
            if kind in NOT_IMPLEMENTED_BY_MOTO:
                note += "  (not implemented by moto: judged by validate and the first plan)"
            lines.append(f"  {kind:<44}{planned:>4}{created:>5}{len(failed):>5}{uncreated:>5}{len(diffs):>5}{note}")
        for address, error in sorted(r.failed.items()):
            lines.append(f"  apply error {address}: {error.splitlines()[0][:300]}")
    lines += [f"accepted  {item}" for item in run.verdict.accepted]
    lines += [f"FAILED  {problem}" for problem in run.verdict.problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="validate, plan, apply to moto and re-plan every stack (tier 5)")
    parser.add_argument("--stacks-dir", type=Path, action="append", help="repeatable; default cdktf.out/stacks")
    parser.add_argument("--work-dir", type=Path, default=Path("cdktf.out/verify"))
    parser.add_argument("--report-dir", type=Path, default=Path("cdktf.out/gate/plan"))
    parser.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV)
    parser.add_argument(
        "--provider-version",
        help=f"a mirrored hashicorp/aws build other than the default choice ({PINNED_VERSION}, else the stand-in)",
    )
    parser.add_argument(
        "--engine", choices=ENGINE_NAMES, default=TERRAFORM, help="terraform (default) or tofu (OpenTofu)"
    )
    parser.add_argument("--no-apply", action="store_true", help="validate and plan only: no apply, no re-plan")
    args = parser.parse_args(argv)

    mirror = mirror_dir()
    reasons = unavailable_reasons(mirror, args.provider_version, args.engine)
    if reasons:
        print(f"verify: NOT RUN: cannot run the provider-backed tier with {args.engine}:", file=sys.stderr)
        for reason in reasons:
            print(f"  - {reason}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    stacks: dict[str, Path] = {}
    for directory in args.stacks_dir or [Path("cdktf.out/stacks")]:
        stacks.update(find_stacks(directory))
    if not stacks:
        print("verify: NOT RUN: no synthesized stacks; run `make synth`", file=sys.stderr)
        return EXIT_CANNOT_RUN
    engine = find_engine(args.engine)
    assert engine is not None  # unavailable_reasons said so
    choice = choose_provider(mirror, args.provider_version, engine.provider_address)
    assert choice is not None  # unavailable_reasons said so
    print(f"verify: {engine.label}, {choice.label}; moto on 127.0.0.1; {len(stacks)} stacks")
    try:
        run = run_tier(stacks, args.work_dir, args.report_dir, choice, args.checkov, engine, not args.no_apply)
    except TierCannotRun as error:
        print(f"verify: NOT RUN: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(render_results(run))
    if run.plan_report is not None:
        print("checkov terraform_plan over the plans:")
        print(render(run.plan_report))
        print(f"reports: {args.report_dir}/results_json.json, results_junitxml.xml")
    suffix = f", a STAND-IN: the pinned {PINNED_VERSION} was not verified" if choice.stand_in else ""
    outcome = "verify: PASSED" if run.ok else "verify: FAILED"
    print(outcome + f" ({engine.name}, hashicorp/aws {choice.version}{suffix})")
    return 0 if run.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
