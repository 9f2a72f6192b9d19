"""`python -m ops.db_bootstrap ENV` (`make db-bootstrap ENV=<env>`): run the database admin
task once and say how it ended.

The task (modules/database/admin_task.py) runs psql as the RDS master user with the
idempotent bootstrap (modules/database/sql/bootstrap.sql) as its default command: it creates
the services' roles `api`, `realtime` and `worker`, the `chat` schema and its owner, and the
grants. Running it again changes nothing, so this command is safe to repeat.

What it does: read the stack's outputs (`terraform -chdir=cdktf.out/stacks/chat-<env> output
-json`, or `--outputs-json FILE` holding that JSON), start the task with `ecs.run_task`
(Fargate on-demand, the outputs' subnets and security group, no public IP), poll
`describe_tasks` until it stops (bounded by --timeout-seconds; past it the task is stopped,
which rolls the bootstrap's one transaction back), then report.

Exit codes: 0 the SQL ran (psql exited 0); 1 it did not: psql's exit code or the task's stop
reason, and where its log is; 2 the task could not be started: no outputs, a missing output,
no AWS credentials, or ECS refused the request.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envconfig.schema import STACK_PREFIX
from ops.stack import CannotRun, Outcome, Polling, boto3_clients, output_values

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STACKS_DIR = ROOT / "cdktf.out" / "stacks"
# Fargate needs ~1 minute to pull the image and read the secret; the bootstrap itself takes
# milliseconds (tests/database). Ten minutes is ample, and short of an operator's patience.
DEFAULT_TIMEOUT_SECONDS = 600
# ECS moves a task through PROVISIONING, PENDING, RUNNING in tens of seconds; every 6 s shows
# each state without asking more than ~100 times in the ten minutes.
POLL_SECONDS = 6.0
POLLING = Polling(DEFAULT_TIMEOUT_SECONDS, POLL_SECONDS)
STARTED_BY = "db-bootstrap"
TERRAFORM_TIMEOUT_SECONDS = 120

REQUIRED_OUTPUTS = (
    "ecs_cluster_name",
    "db_admin_task_definition_arn",
    "db_admin_container_name",
    "db_admin_subnet_ids",
    "db_admin_security_group_id",
    "db_admin_log_group_name",
)


@dataclass(frozen=True)
class AdminTask:
    """What the stack's outputs say about the admin task."""

    cluster: str
    task_definition_arn: str
    container_name: str
    subnet_ids: tuple[str, ...]
    security_group_id: str
    log_group_name: str

    @property
    def region(self) -> str:
        # arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>
        parts = self.task_definition_arn.split(":")
        if len(parts) < 6 or parts[2] != "ecs" or not parts[3]:
            raise CannotRun(
                f"output db_admin_task_definition_arn: expected an ECS task definition ARN, got "
                f"{self.task_definition_arn!r}"
            )
        return parts[3]

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> AdminTask:
        values = output_values(outputs)
        missing = [name for name in REQUIRED_OUTPUTS if values.get(name) in (None, "", [])]
        if missing:
            raise CannotRun(
                f"the stack's outputs lack {', '.join(missing)}: apply the stack first (make deploy ENV=<env>); "
                "a stack without NAT has no admin task (modules/database/README.md)"
            )
        subnets = values["db_admin_subnet_ids"]
        if not isinstance(subnets, list) or not all(isinstance(s, str) for s in subnets):
            raise CannotRun(f"output db_admin_subnet_ids: expected a list of subnet ids, got {subnets!r}")
        return cls(
            cluster=values["ecs_cluster_name"],
            task_definition_arn=values["db_admin_task_definition_arn"],
            container_name=values["db_admin_container_name"],
            subnet_ids=tuple(subnets),
            security_group_id=values["db_admin_security_group_id"],
            log_group_name=values["db_admin_log_group_name"],
        )

    def log_stream(self, task_arn: str) -> str:
        # awslogs names a stream <prefix>/<container>/<task id>; the prefix is the container's name.
        return f"{self.container_name}/{self.container_name}/{task_arn.rsplit('/', 1)[-1]}"


def read_outputs(environment: str, outputs_json: Path | None, stacks_dir: Path) -> dict[str, Any]:
    """The stack's outputs: from the file given, else from terraform in the stack's folder."""
    if outputs_json is not None:
        try:
            return _as_object(json.loads(outputs_json.read_text(encoding="utf-8")), str(outputs_json))
        except (OSError, UnicodeDecodeError) as error:
            raise CannotRun(f"cannot read {outputs_json}: {error}") from None
        except json.JSONDecodeError as error:
            raise CannotRun(f"{outputs_json}: expected the JSON of `terraform output -json`, got: {error}") from None
    stack_dir = stacks_dir / f"{STACK_PREFIX}{environment}"
    if not stack_dir.is_dir():
        raise CannotRun(f"no synthesized stack at {stack_dir}: run `make synth` and apply it (make deploy ENV=...)")
    try:
        completed = subprocess.run(
            ["terraform", f"-chdir={stack_dir}", "output", "-json", "-no-color"],
            capture_output=True,
            text=True,
            timeout=TERRAFORM_TIMEOUT_SECONDS,
        )
    except FileNotFoundError:
        raise CannotRun("terraform is not on PATH: install it, or pass --outputs-json FILE") from None
    except subprocess.TimeoutExpired:
        raise CannotRun(
            f"terraform output did not answer within {TERRAFORM_TIMEOUT_SECONDS} s in {stack_dir}"
        ) from None
    if completed.returncode != 0:
        raise CannotRun(
            f"terraform output failed (exit {completed.returncode}) in {stack_dir}: {completed.stderr.strip()[-2000:]}"
        )
    try:
        outputs = _as_object(json.loads(completed.stdout or "{}"), "terraform output -json")
    except json.JSONDecodeError as error:
        raise CannotRun(f"terraform output -json printed no JSON ({error})") from None
    if not outputs:
        raise CannotRun(f"the stack in {stack_dir} has no outputs: it has not been applied (make deploy ENV=...)")
    return outputs


def _as_object(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise CannotRun(f"{source}: expected a JSON object of outputs, got {type(document).__name__}")
    return document


def ecs_client(region: str):
    """An ECS client, or CannotRun when boto3 finds no credentials anywhere in its chain."""
    return boto3_clients()("ecs", region)


def run_admin_task(
    task: AdminTask,
    client,
    *,
    polling: Polling = POLLING,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Start the task, wait for it to stop (bounded) and judge how it ended."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = client.run_task(
            cluster=task.cluster,
            taskDefinition=task.task_definition_arn,
            count=1,
            # On-demand Fargate, not the cluster's default strategy (which may be all Spot).
            launchType="FARGATE",
            platformVersion="LATEST",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": list(task.subnet_ids),
                    "securityGroups": [task.security_group_id],
                    "assignPublicIp": "DISABLED",
                }
            },
            startedBy=STARTED_BY,
        )
    except (ClientError, BotoCoreError) as error:
        return Outcome(2, f"ECS refused to start the admin task: {error}")
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(
            f"{f.get('arn', '?')}: {f.get('reason', '?')} {f.get('detail', '')}".strip() for f in failures
        )
        return Outcome(2, f"ECS started no admin task: {reasons or 'no task and no failure in the response'}")
    task_arn = tasks[0]["taskArn"]
    log = f"log group {task.log_group_name}, stream {task.log_stream(task_arn)}"
    tail = f"aws logs tail {task.log_group_name} --log-stream-names {task.log_stream(task_arn)} --region {task.region}"
    say(f"started {task_arn} in {task.cluster}; waiting up to {polling.timeout_seconds:.0f} s for it to stop")

    last_status = tasks[0].get("lastStatus", "PROVISIONING")
    for _ in polling.rounds():
        try:
            described = client.describe_tasks(cluster=task.cluster, tasks=[task_arn])
        except (ClientError, BotoCoreError) as error:
            return Outcome(1, f"could not follow {task_arn} ({error}); it may still run: {log}")
        found = described.get("tasks") or []
        if not found:
            return Outcome(1, f"ECS no longer knows {task_arn}: {described.get('failures')}; {log}")
        current = found[0]
        if current.get("lastStatus") != last_status:
            last_status = current.get("lastStatus")
            say(f"  {last_status}")
        if last_status == "STOPPED":
            return _judge(current, task, log, tail)
    return _give_up(client, task, task_arn, polling.timeout_seconds, log)


def _judge(described: Mapping[str, Any], task: AdminTask, log: str, tail: str) -> Outcome:
    containers = {c.get("name"): c for c in described.get("containers", [])}
    container = containers.get(task.container_name, {})
    exit_code = container.get("exitCode")
    if exit_code == 0:
        return Outcome(0, f"the bootstrap ran (psql exited 0); {log}")
    why = [
        f"psql exited {exit_code}" if exit_code is not None else "psql never ran (no exit code)",
        f"stop code {described.get('stopCode', '?')}",
        f"stopped reason: {described.get('stoppedReason', '?')}",
    ]
    if container.get("reason"):
        why.append(f"container reason: {container['reason']}")
    return Outcome(1, f"the bootstrap failed: {'; '.join(why)}. Its output: {log} ({tail})")


def _give_up(client, task: AdminTask, task_arn: str, timeout_seconds: float, log: str) -> Outcome:
    from botocore.exceptions import BotoCoreError, ClientError

    reason = f"db-bootstrap waited {timeout_seconds:.0f} s"
    try:
        client.stop_task(cluster=task.cluster, task=task_arn, reason=reason)
        stopped = "stopped it (the bootstrap's one transaction rolls back)"
    except (ClientError, BotoCoreError) as error:
        stopped = (
            f"could not stop it ({error}): stop it with `aws ecs stop-task --cluster {task.cluster} --task {task_arn}`"
        )
    return Outcome(
        1,
        f"timed out: {task_arn} had not stopped after {timeout_seconds:.0f} s (--timeout-seconds); {stopped}. "
        f"Its output so far: {log}",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.db_bootstrap",
        description="Run the database admin task (the idempotent role and schema bootstrap) once and report.",
        epilog="Exit 0: the SQL ran; 1: it failed or timed out (reason and log printed); 2: it could not be started.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument(
        "--outputs-json", type=Path, help="the JSON of `terraform output -json` (default: ask terraform)"
    )
    parser.add_argument(
        "--stacks-dir", type=Path, default=DEFAULT_STACKS_DIR, help="synthesized stacks (cdktf.out/stacks)"
    )
    parser.add_argument(
        "--timeout-seconds", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="how long to wait for the task to stop"
    )
    return parser


def main(argv: Sequence[str] | None = None, *, client_factory: Callable[[str], Any] = ecs_client) -> int:
    args = _parser().parse_args(argv)
    if args.timeout_seconds <= 0:
        print("db-bootstrap: --timeout-seconds: expected a positive number of seconds", file=sys.stderr)
        return 2
    try:
        task = AdminTask.from_outputs(read_outputs(args.environment, args.outputs_json, args.stacks_dir))
        client = client_factory(task.region)
    except CannotRun as error:
        print(f"db-bootstrap: cannot run: {error}", file=sys.stderr)
        return 2
    outcome = run_admin_task(task, client, polling=POLLING.with_timeout(args.timeout_seconds))
    print(f"db-bootstrap: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
