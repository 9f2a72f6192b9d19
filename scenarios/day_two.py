"""Day two, on the stack day one deployed (verify/first_deploy.py), against the same moto:
each procedure of docs/runbook.md that changes the stack is an edit of the environment file
and a deploy, and each is run here as an operator runs it.

    python -m scenarios.day_two [--environment environments/staging.hcl] [--work-dir DIR]

  release    day one's release of api green (an image tag in its release parameter) is applied
  shift      load_balancer.weights.api 100/0, then 90/10, then 0/100; roll back to 100/0
  restore    database.restore { latest = true }: a restored instance; the proxy moves to it
  unprotect  restore.unprotect_original: the original's deletion protection comes off
  retire     restore.retire_original: the original is deleted (its final snapshot is taken)

Each step: the edited environment file is synthesized; planned (without a refresh: the
previous step's re-plan refreshed); that plan gets the data-safety review `make plan` gives
it (review/safety.py), which must pass, or refuse exactly what the step removes or weakens
and pass once `--allow-destroy` names it; it is applied; and a refreshed re-plan must change
nothing but the emulator's listed gaps. A step changes only what it is about (its
`may_change`), and at least what it must (`must_change`).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gate.run import STACK_FILE
from review.plan import review_plan
from review.safety import check_safety
from verify.emulator import listed_diff, listed_failure
from verify.first_deploy import Deployment, Followed, SynthesisFailed, synthesized_stack
from verify.run import (
    APPLY_TIMEOUT_SECONDS,
    StackVerification,
    _managed_changes,
    _terraform,
    changed_attributes,
    resource_type,
)

ROOT = Path(__file__).resolve().parent.parent


class DayTwoCannotRun(Exception):
    pass


# -- the steps --------------------------------------------------------------------------------


def _replace_once(pattern: str, replacement: str, text: str, what: str) -> str:
    replaced, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise DayTwoCannotRun(f"the environment file has no {what} to edit (pattern {pattern!r})")
    return replaced


def api_weights(blue: int, green: int) -> Callable[[str], str]:
    """The edit an operator makes to shift the API's traffic: load_balancer.weights.api."""

    def edit(text: str) -> str:
        return _replace_once(
            r"^(\s*api\s*=\s*)\{\s*blue\s*=\s*\d+\s*,\s*green\s*=\s*\d+\s*\}",
            rf"\g<1>{{ blue = {blue}, green = {green} }}",
            text,
            "load_balancer.weights.api",
        )

    return edit


def database_restore(*lines: str) -> Callable[[str], str]:
    """The database block's restore { } block, with these lines (replacing one already there)."""
    block = "  restore {\n" + "".join(f"    {line}\n" for line in lines) + "  }\n"

    def edit(text: str) -> str:
        text = re.sub(r"(?ms)^  restore \{\n.*?^  \}\n", "", text)
        return _replace_once(r"^database \{\n", "database {\n" + block, text, "database block")

    return edit


def _named(*words: str) -> Callable[[str], bool]:
    """An address whose resource name (the construct path) starts with one of these words."""

    def matches(address: str) -> bool:
        name = address.split(".")[-1]
        return any(name.startswith(f"{word}_") for word in words)

    return matches


def _shift_changes(address: str) -> bool:
    # The API's listener rule, services, scaling and per-colour alarms; the dashboard's widgets.
    return _named("api", "load_balancer_api", "alarms_api", "alarms_alb_api", "dashboard")(address)


def _restore_changes(address: str) -> bool:
    # The database's instances, proxy target, log groups and alarms; what reads its identity:
    # the backup selection, the admin task, the services' IAM policies, the dashboard.
    return _named("database", "alarms_database", "backup", "dashboard")(address) or resource_type(address) in {
        "aws_iam_role_policy",
        "aws_ecs_task_definition",
    }


@dataclass(frozen=True)
class DayTwoStep:
    name: str
    procedure: str  # what the operator does (docs/runbook.md)
    edit: Callable[[str], str] | None  # the environment file's edit; None: apply the given plan
    may_change: Callable[[str], bool]
    must_change: tuple[str, ...] = ()  # resource types the plan must change
    refused_until_allowed: tuple[str, ...] = ()  # resource types the safety review must refuse
    cutover: bool = False  # the review shows a CUTOVER line


STEPS: tuple[DayTwoStep, ...] = (
    DayTwoStep(
        "release api green",
        "make release ENV=staging SERVICE=api COLOUR=green TAG=<tag>; make deploy ENV=staging",
        None,
        lambda address: _named("api")(address) and "_green_" in address,
        must_change=("aws_ecs_task_definition", "aws_ecs_service"),
    ),
    DayTwoStep(
        "shift api 100/0",
        "load_balancer { weights = { api = { blue = 100, green = 0 } } }; make deploy",
        api_weights(100, 0),
        _shift_changes,
        must_change=("aws_lb_listener_rule",),
    ),
    DayTwoStep(
        "shift api 90/10",
        "api = { blue = 90, green = 10 }; make deploy",
        api_weights(90, 10),
        _shift_changes,
        must_change=("aws_lb_listener_rule",),
    ),
    DayTwoStep(
        "shift api 0/100",
        "api = { blue = 0, green = 100 }; make deploy",
        api_weights(0, 100),
        _shift_changes,
        must_change=("aws_lb_listener_rule",),
    ),
    DayTwoStep(
        "roll back api to 100/0",
        "api = { blue = 100, green = 0 }; make deploy",
        api_weights(100, 0),
        _shift_changes,
        must_change=("aws_lb_listener_rule",),
    ),
    DayTwoStep(
        "restore the database (latest)",
        "database { restore { latest = true } }; make plan (CUTOVER line); make deploy ALLOW_DESTROY=<the selection>",
        database_restore("latest = true"),
        _restore_changes,
        must_change=("aws_db_instance", "aws_db_proxy_target"),
        # The backup selection is replaced to add the restored instance (a replica, where
        # there is one, too: it cannot change its source); the original is not touched.
        refused_until_allowed=("aws_backup_selection",),
        cutover=True,
    ),
    DayTwoStep(
        "unprotect the original",
        "restore { ... unprotect_original = true }; make deploy ALLOW_DESTROY=<the original's address>",
        database_restore("latest = true", "unprotect_original = true"),
        _restore_changes,
        must_change=("aws_db_instance",),
        refused_until_allowed=("aws_db_instance",),
    ),
    DayTwoStep(
        "retire the original",
        "restore { ... retire_original = true }; make deploy ALLOW_DESTROY=<the original's and the selection's>",
        database_restore("latest = true", "unprotect_original = true", "retire_original = true"),
        _restore_changes,
        must_change=("aws_db_instance",),
        refused_until_allowed=("aws_db_instance", "aws_backup_selection"),
    ),
)


# -- running them ------------------------------------------------------------------------------


@dataclass
class StepResult:
    name: str
    procedure: str
    seconds: dict[str, float] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)  # address -> actions (the step's own)
    refused: list[str] = field(default_factory=list)  # what the safety review refused until allowed
    cutovers: list[str] = field(default_factory=list)  # the review's CUTOVER lines
    replan_changes: dict[str, list[str]] = field(default_factory=dict)  # address -> unlisted attributes
    second_apply: list[str] = field(default_factory=list)  # why a second apply was due (PROVIDER_SECOND_APPLY)
    problems: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return round(sum(self.seconds.values()), 1)


def _applied(stream: str) -> tuple[dict[str, str], dict[str, str]]:
    """(address -> action completed, address -> error) from `terraform apply -json`."""
    done: dict[str, str] = {}
    failed: dict[str, str] = {}
    for line in stream.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        hook = message.get("hook", {})
        if message.get("type") == "apply_complete":
            done[hook["resource"]["addr"]] = hook.get("action", "")
        elif message.get("type") == "diagnostic" and message["diagnostic"].get("severity") == "error":
            diagnostic = message["diagnostic"]
            failed[diagnostic.get("address") or "(no address)"] = (
                f"{diagnostic.get('summary', '')}: {diagnostic.get('detail', '')}".strip(": ")
            )
    return done, failed


# What the AWS provider leaves for a second apply: (resource type, attribute) -> why. The
# operator runs `make deploy` once more (docs/runbook.md says where); the scenario does too,
# and then nothing may be left to change.
PROVIDER_SECOND_APPLY: dict[tuple[str, str], str] = {
    ("aws_db_instance", "performance_insights_enabled"): (
        "hashicorp/aws sends no Performance Insights settings after RestoreDBInstanceToPointInTime "
        "(internal/service/rds/instance.go: its point-in-time branch has no ModifyDBInstance for them, "
        "unlike the snapshot branch; hashicorp/terraform-provider-aws#47742 fixes the sibling "
        "database_insights_mode), and the API takes none: the second apply turns them on"
    ),
}


def second_apply_reasons(replan_changes: dict[str, list[str]], applied: set[str]) -> list[str]:
    """Why a second apply is due: a resource this step's apply made or changed whose re-plan
    changes an attribute the provider is known to leave for it (PROVIDER_SECOND_APPLY)."""
    reasons = []
    for address, attributes in sorted(replan_changes.items()):
        for attribute in attributes:
            why = PROVIDER_SECOND_APPLY.get((resource_type(address), attribute))
            if why and address in applied:
                reasons.append(f"{address} {attribute}: {why}")
    return reasons


def plan_problems(step: DayTwoStep, changes: dict[str, list[str]]) -> list[str]:
    """A step's plan changes only what the step is about, and at least what it must."""
    problems = []
    stray = sorted(a for a in changes if not step.may_change(a))
    if stray:
        problems.append(f"the plan changes what the step is not about: {stray}")
    for kind in step.must_change:
        if not any(resource_type(a) == kind for a in changes):
            problems.append(f"the plan changes no {kind}")
    return problems


def safety_review(step: DayTwoStep, plan: dict, stack: str, result: StepResult) -> None:
    """The data-safety review `make plan` prints: the step's CUTOVER lines, and what it
    refuses (in `result.refused`), which must be exactly what the step removes or weakens,
    and nothing once `--allow-destroy` names it. Problems go to `result.problems`."""
    review = review_plan(plan, stack)
    verdict = check_safety(review)
    result.cutovers = [f"{c.address}: {c.old} -> {c.new} ({c.restored_how})" for c in verdict.cutovers]
    if step.cutover and not verdict.cutovers:
        result.problems.append("the review shows no CUTOVER line")
    blocked = sorted({f.address for f in verdict.blocked})
    result.refused = blocked
    if not step.refused_until_allowed:
        if blocked:
            result.problems.append(f"the safety review refuses {blocked}")
        return
    if not blocked:
        result.problems.append(f"the safety review refused nothing; it must refuse {step.refused_until_allowed}")
        return
    strays = [a for a in blocked if resource_type(a) not in step.refused_until_allowed]
    if strays:
        result.problems.append(f"the safety review refuses more than the step is about: {strays}")
    allowed = check_safety(review, blocked)
    if not allowed.ok:
        result.problems.append(f"with --allow-destroy {blocked} the review still refuses: {allowed.blocked}")


class DayTwo:
    """Day two in day one's second runner folder (verify/first_deploy.py: Deployment)."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployed = deployment
        self.folder, self.env, self.stack = deployment.folder, deployment.env, deployment.stack
        self.provider_version = deployment.provider_version
        self.environment_text = deployment.environment.read_text()
        self.environment_name = deployment.environment.name
        self.log = StackVerification(name=self.stack, synthesized_resources=0)

    def _synthesize(self, text: str, step_dir: Path) -> dict:
        environments = step_dir / "environments"
        environments.mkdir(parents=True, exist_ok=True)
        (environments / self.environment_name).write_text(text)
        try:
            document = synthesized_stack(environments, step_dir / "cdktf.out", self.stack)
        except SynthesisFailed as failed:
            raise DayTwoCannotRun(f"synthesis of the edited environment failed: {failed}") from None
        if self.provider_version:
            document["terraform"]["required_providers"]["aws"]["version"] = self.provider_version
        return document

    def _terraform(self, args: list[str], step: str, result: StepResult, **options) -> str | None:
        started = time.monotonic()
        out = _terraform(args, self.folder, self.env, self.log, step, **options)
        result.seconds[step] = round(time.monotonic() - started, 1)
        if out is None:
            result.problems += self.log.errors
            self.log.errors.clear()
        return out

    def _plan(self, step: str, result: StepResult, refresh: bool) -> dict | None:
        args = ["plan", "-input=false", "-no-color", f"-out={step}.bin"] + ([] if refresh else ["-refresh=false"])
        if self._terraform(args, step, result) is None:
            return None
        shown = self._terraform(["show", "-json", f"{step}.bin"], f"show {step}", result)
        if shown is None:
            return None
        (self.folder / f"{step}.json").write_text(shown)
        return json.loads(shown)

    def _own_changes(self, plan: dict) -> dict[str, list[str]]:
        """The plan's changes but the emulator's listed gaps, which every plan shows: the creates
        of what moto never made, and updates of attributes it reads back wrong."""
        changes: dict[str, list[str]] = {}
        for address, change in _managed_changes(plan, with_change=True):
            assert isinstance(change, dict)
            actions = change["actions"]
            if address in self.deployed.never_created and actions == ["create"]:
                continue
            if actions == ["update"] and all(listed_diff(address, a) for a in changed_attributes(change)):
                continue
            changes[address] = actions
        return changes

    def run_step(self, step: DayTwoStep, work_dir: Path, given_plan: str | None = None) -> StepResult:
        result = StepResult(step.name, step.procedure)
        step_dir = work_dir / re.sub(r"[^a-z0-9]+", "-", step.name.lower()).strip("-")
        plan_name = given_plan
        if step.edit is not None:
            started = time.monotonic()
            self.environment_text = step.edit(self.environment_text)
            document = self._synthesize(self.environment_text, step_dir)
            result.seconds["synth"] = round(time.monotonic() - started, 1)
            (self.folder / STACK_FILE).write_text(json.dumps(document, indent=2))
            plan = self._plan("step", result, refresh=False)
            plan_name = "step"
        else:
            assert given_plan is not None, "a step without an edit applies a plan it is given"
            plan = json.loads((self.folder / f"{given_plan}.json").read_text())
        if plan is None:
            return result
        result.changes = self._own_changes(plan)
        result.problems += plan_problems(step, result.changes)
        safety_review(step, plan, self.stack, result)
        assert plan_name is not None
        outcome = self._apply(plan_name, "apply", result)
        if outcome is None:
            return result
        done, failed = outcome
        for address, error in sorted(failed.items()):
            if address in self.deployed.never_created and listed_failure(address, error):
                continue
            result.problems.append(f"apply failed for {address}: {error.splitlines()[0][:300]}")
        for address, action in done.items():
            if action == "delete":
                self.deployed.created.discard(address)
            else:
                self.deployed.created.add(address)
                self.deployed.never_created.discard(address)
        missing = [a for a, actions in result.changes.items() if actions != ["delete"] and a not in done]
        missing = [a for a in missing if a not in failed]
        if missing:
            result.problems.append(f"planned but not applied: {missing[:5]}")
        replan_changes = self._replan(result, "replan")
        if replan_changes is None:
            return result
        second = second_apply_reasons(replan_changes, set(done))
        if second:
            # What the provider leaves for a second apply (PROVIDER_SECOND_APPLY): the
            # operator runs `make deploy` again; then nothing may be left.
            result.second_apply = second
            if self._apply("replan", "second apply", result) is None:
                return result
            replan_changes = self._replan(result, "replan 2")
            if replan_changes is None:
                return result
        result.replan_changes = replan_changes
        if replan_changes:
            result.problems.append(f"the re-plan changes {replan_changes}")
        return result

    def _apply(self, plan_name: str, step: str, result: StepResult) -> tuple[dict[str, str], dict[str, str]] | None:
        applied = self._terraform(
            ["apply", "-input=false", "-no-color", "-json", f"{plan_name}.bin"],
            step, result, timeout=APPLY_TIMEOUT_SECONDS, allow_failure=True,
        )  # fmt: skip
        if applied is None:
            return None
        (self.folder / f"{step.replace(' ', '-')}-{re.sub(r'[^a-z0-9]+', '-', result.name.lower())}.jsonl").write_text(
            applied
        )
        return _applied(applied)

    def _replan(self, result: StepResult, step: str) -> dict[str, list[str]] | None:
        """A refreshed plan's changes (address -> attributes) but the emulator's listed gaps."""
        replan = self._plan(step.replace(" ", "-"), result, refresh=True)
        if replan is None:
            return None
        changes: dict[str, list[str]] = {}
        for address, change in _managed_changes(replan, with_change=True):
            if address in self.deployed.never_created:
                continue
            assert isinstance(change, dict)
            attributes = changed_attributes(change) or change["actions"]
            unlisted = [a for a in attributes if not listed_diff(address, a)]
            if unlisted:
                changes[address] = unlisted
        return changes


def run_day_two(
    day_two: DayTwo, work_dir: Path, release_plan: str, steps: Iterable[DayTwoStep] = STEPS
) -> list[StepResult]:
    """Every step in order; stops at the first that fails (the next would start from a state
    the scenario did not mean)."""
    results: list[StepResult] = []
    for step in steps:
        result = day_two.run_step(step, work_dir, given_plan=release_plan if step.edit is None else None)
        results.append(result)
        if result.problems:
            break
    return results


def after_day_one(deployment: Deployment) -> Followed:
    """What verify/first_deploy.py runs next (its `then`): day two, in the same emulator."""
    try:
        results = run_day_two(DayTwo(deployment), deployment.work_dir / "day-two", deployment.release_plan)
    except DayTwoCannotRun as error:
        return Followed([f"day two could not run: {error}"], [f"day two: NOT RUN: {error}"], [])
    problems = [f"day two, {r.name}: {problem}" for r in results for problem in r.problems]
    return Followed(problems, render(results), results)


def render(results: list[StepResult]) -> list[str]:
    lines = ["day two: step, its procedure, seconds (synth / plan / apply / re-plan), what it changed"]
    for result in results:
        kinds = sorted({f"{resource_type(a)} {'/'.join(actions)}" for a, actions in result.changes.items()})
        timing = ", ".join(f"{name} {seconds}" for name, seconds in result.seconds.items() if "show" not in name)
        lines.append(f"  {result.name}: {result.total_seconds} s ({timing}); `{result.procedure}`")
        lines.append(f"    changed {len(result.changes)}: {'; '.join(kinds)}")
        for cutover in result.cutovers:
            lines.append(f"    CUTOVER {cutover}")
        if result.refused:
            lines.append(f"    refused until --allow-destroy named: {result.refused}")
        for why in result.second_apply:
            lines.append(f"    second apply: {why}")
        lines += [f"    FAILED  {problem}" for problem in result.problems]
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m scenarios.day_two`: day one (verify/first_deploy.py), then day two, against
    moto on loopback. Exit 0 passed, 1 failed, 2 could not run."""
    from verify import first_deploy

    return first_deploy.main(argv, then=after_day_one, module="scenarios.day_two")


if __name__ == "__main__":
    sys.exit(main())
