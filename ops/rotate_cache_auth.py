"""`python -m ops.rotate_cache_auth ENV` (`make rotate-cache-auth ENV=<env>`): rotate the Redis
Cluster's AUTH password (cache_backend = "redis_cluster") without refusing any client.

The rotation has a window in which every node accepts the old and the new password
(modules/redis_cluster/node/auth.sh, run on each node with SSM Run Command). Its state is
the AUTH secret's staging labels, so a run that stopped anywhere is resumed by running the
command again; every step is idempotent:

1. no AWSPENDING version: Secrets Manager generates a password (GetRandomPassword, letters
   and digits, the module's length), put as AWSPENDING; otherwise the rotation resumes;
2. `auth.sh open` on every node (accept both), then `auth.sh check`: every node accepts both;
3. `auth.sh replicate` on every node (replicas authenticate to their masters with the new one);
4. AWSCURRENT moves to the pending version (AWSPREVIOUS follows the old one);
5. the services that take CACHE_PASSWORD (stacks/redis_cluster.py: CACHE_CLIENTS) restart
   (ops/rotate_secrets, followed until ECS reports them COMPLETED); their new tasks read the
   new password. Until they all have, nothing is closed;
6. `auth.sh close` on every node (the new password only), the AWSPENDING label removed, then
   `auth.sh check`: every node refuses the old password, accepts the new, cluster_state ok.
   A node that restarted between the close and the label's removal accepted the old one again
   at boot (configure.sh): it is closed once more.

Names come from the stack's outputs (`redis_cluster_auth_secret_arn`,
`redis_cluster_instance_ids`, `ecs_cluster_name`, `<service>_ecs_services`), from `terraform
output -json` in the stack's folder or --outputs-json FILE; the region from the environment file.

Exit codes: 0 rotated; 1 a step failed (the message says which; nothing after it was done,
and running the command again resumes); 2 nothing was done: an unknown environment, another
cache backend, no outputs, no credentials, or a pending value that is not letters and digits.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from modules.redis_cluster.user_data import INSTALL_DIR
from ops import db_bootstrap, rotate_secrets
from ops.stack import (
    DEFAULT_STACKS_DIR,
    CannotRun,
    ClientFactory,
    Outcome,
    Polling,
    boto3_clients,
    error_code,
    output_values,
)

AUTH_SECRET_OUTPUT = "redis_cluster_auth_secret_arn"
INSTANCE_IDS_OUTPUT = "redis_cluster_instance_ids"
# Where the user data puts the node scripts.
NODE_SCRIPT = f"{INSTALL_DIR}/auth.sh"
PENDING, CURRENT, PREVIOUS = "AWSPENDING", "AWSCURRENT", "AWSPREVIOUS"
# A node step reads the secret and talks to every node: seconds. Five minutes covers an agent
# that polls slowly (SSM delivers within its polling interval).
NODE_COMMAND_TIMEOUT_SECONDS = 300
# A node step ends in seconds: every 3 s keeps the rotation moving without flooding SSM's API.
SSM_POLL_SECONDS = 3.0
NODE_COMMAND_POLLING = Polling(NODE_COMMAND_TIMEOUT_SECONDS, SSM_POLL_SECONDS)
SSM_TERMINAL = {"Success", "Failed", "Cancelled", "TimedOut", "Cancelling"}


@dataclass(frozen=True)
class NodeResult:
    ok: bool
    output: str
    error: str = ""


class NodeRunner(Protocol):
    """Runs `auth.sh <step>` on every node of the cluster; node -> how it ended."""

    def run(self, step: str) -> dict[str, NodeResult]: ...


@dataclass
class SsmNodeRunner:
    """auth.sh on the nodes through SSM Run Command (AWS-RunShellScript, as root, by instance id)."""

    ssm: Any
    instance_ids: Sequence[str]
    polling: Polling = NODE_COMMAND_POLLING

    def run(self, step: str) -> dict[str, NodeResult]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            command = self.ssm.send_command(
                InstanceIds=list(self.instance_ids),
                DocumentName="AWS-RunShellScript",
                Comment=f"rotate-cache-auth: auth.sh {step}",
                Parameters={"commands": [f"{NODE_SCRIPT} {step}"]},
                TimeoutSeconds=int(self.polling.timeout_seconds),
            )["Command"]
        except (ClientError, BotoCoreError) as error:
            return {
                instance: NodeResult(False, "", f"SSM refused the command: {error}") for instance in self.instance_ids
            }
        results: dict[str, NodeResult] = {}
        for _ in self.polling.rounds():
            for instance in self.instance_ids:
                if instance in results:
                    continue
                try:
                    invocation = self.ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=instance)
                except ClientError as error:
                    if error_code(error) == "InvocationDoesNotExist":  # not delivered yet
                        continue
                    results[instance] = NodeResult(False, "", str(error))
                    continue
                if invocation["Status"] in SSM_TERMINAL:
                    results[instance] = NodeResult(
                        invocation["Status"] == "Success",
                        invocation.get("StandardOutputContent", ""),
                        invocation.get("StandardErrorContent", "") or invocation.get("StatusDetails", ""),
                    )
            if len(results) == len(self.instance_ids):
                return results
        for instance in self.instance_ids:
            results.setdefault(
                instance, NodeResult(False, "", f"no answer within {self.polling.timeout_seconds:.0f} s")
            )
        return results


@dataclass
class AuthSecret:
    """The AUTH secret's versions and staging labels, through a Secrets Manager client."""

    secretsmanager: Any
    arn: str

    def stages(self) -> dict[str, str]:
        """staging label -> version id."""
        versions = self.secretsmanager.describe_secret(SecretId=self.arn).get("VersionIdsToStages", {})
        return {label: version for version, labels in versions.items() for label in labels}

    def value(self, label: str) -> str:
        return self.secretsmanager.get_secret_value(SecretId=self.arn, VersionStage=label)["SecretString"]

    def stage_new_password(self, length: int) -> str:
        password = self.secretsmanager.get_random_password(
            PasswordLength=length, ExcludePunctuation=True, IncludeSpace=False
        )["RandomPassword"]
        version = str(uuid.uuid4())
        self.secretsmanager.put_secret_value(
            SecretId=self.arn, ClientRequestToken=version, SecretString=password, VersionStages=[PENDING]
        )
        return version

    def promote(self, pending: str, current: str) -> None:
        self.secretsmanager.update_secret_version_stage(
            SecretId=self.arn, VersionStage=CURRENT, MoveToVersionId=pending, RemoveFromVersionId=current
        )

    def drop_pending(self, pending: str) -> None:
        self.secretsmanager.update_secret_version_stage(
            SecretId=self.arn, VersionStage=PENDING, RemoveFromVersionId=pending
        )


def parse_check(output: str) -> dict[str, str]:
    """auth.sh check's "<key> <value>" lines."""
    return dict(line.split(None, 1) for line in output.splitlines() if len(line.split(None, 1)) == 2)


RESUME = "run the command again to resume"


def rotate(
    secret: AuthSecret,
    nodes: NodeRunner,
    restart_services: Callable[[], Outcome],
    *,
    password_length: int,
    say: Callable[[str], None] = print,
) -> Outcome:
    """The rotation's steps from wherever the secret's labels say it stands (module docstring)."""
    from botocore.exceptions import BotoCoreError, ClientError

    def on_every_node(step: str, then: str) -> str | None:
        results = nodes.run(step)
        failed = {node: result for node, result in results.items() if not result.ok}
        if failed:
            reasons = "; ".join(f"{node}: {(r.error or r.output).strip()[-300:]}" for node, r in sorted(failed.items()))
            return f"auth.sh {step} failed on {len(failed)} of {len(results)} nodes ({reasons}); {then}"
        say(f"  {step}: done on {len(results)} nodes")
        return None

    def check_every_node(expected: Mapping[str, str], then: str) -> str | None:
        results = nodes.run("check")
        wrong = {}
        for node, result in sorted(results.items()):
            seen = parse_check(result.output) if result.ok else {}
            differs = [f"{key} {seen.get(key, 'unknown')}" for key, value in expected.items() if seen.get(key) != value]
            if not result.ok:
                differs = [(result.error or result.output).strip()[-300:]]
            if differs:
                wrong[node] = ", ".join(differs)
        if wrong:
            found = "; ".join(f"{node}: {what}" for node, what in wrong.items())
            return (
                f"not every node is as expected ({', '.join(f'{k} {v}' for k, v in expected.items())}): {found}; {then}"
            )
        say(f"  check: every node has {', '.join(f'{k} {v}' for k, v in expected.items())}")
        return None

    staged = False
    try:
        stages = secret.stages()
        if PENDING not in stages:
            stages[PENDING] = secret.stage_new_password(password_length)
            staged = True
            say(f"  staged a new password as {PENDING} (version {stages[PENDING]})")
        else:
            say(f"  resuming the rotation to version {stages[PENDING]} ({PENDING})")
        pending = secret.value(PENDING)
    except (ClientError, BotoCoreError) as error:
        if staged:
            return Outcome(1, f"Secrets Manager refused ({error}) after staging {PENDING}; no node changed; {RESUME}")
        return Outcome(2, f"Secrets Manager refused ({error}); nothing was done")
    if not pending.isascii() or not pending.isalnum():
        return Outcome(
            2,
            f"the {PENDING} value of {secret.arn} is not letters and digits only (redis.conf takes it unquoted); "
            f"nothing was done: remove that label (aws secretsmanager update-secret-version-stage --version-stage "
            f"{PENDING} --remove-from-version-id {stages[PENDING]}) and run the command again",
        )
    nothing_promoted = f"nothing was promoted; {RESUME}"
    steps: list[Callable[[], str | None]] = [
        lambda: on_every_node("open", nothing_promoted),
        lambda: check_every_node({CURRENT: "accepted", PENDING: "accepted"}, nothing_promoted),
        lambda: on_every_node("replicate", nothing_promoted),
    ]
    for step in steps:  # in order, each only once the one before succeeded
        if failure := step():
            return Outcome(1, failure)

    try:
        if stages.get(CURRENT) != stages[PENDING]:
            secret.promote(stages[PENDING], stages[CURRENT])
            say(f"  {CURRENT} is now version {stages[PENDING]} ({PREVIOUS}: {stages[CURRENT]})")
    except (ClientError, BotoCoreError) as error:
        return Outcome(1, f"Secrets Manager refused to promote {PENDING} ({error}); nothing was closed; {RESUME}")

    restarted = restart_services()
    if restarted.code != 0:
        return Outcome(
            1,
            f"the services did not all restart ({restarted.message}); every node still accepts both "
            f"passwords, nothing was closed; {RESUME}",
        )

    failure = on_every_node("close", f"some nodes may still accept both passwords; {RESUME}")
    if failure:
        return Outcome(1, failure)
    try:
        secret.drop_pending(stages[PENDING])
    except (ClientError, BotoCoreError) as error:
        return Outcome(1, f"Secrets Manager refused to remove {PENDING} ({error}); {RESUME}")
    closed = {CURRENT: "accepted", PREVIOUS: "refused", "cluster_state": "ok"}
    if check_every_node(closed, "") is not None:
        say("  a node still accepts the old password (restarted before the label was removed?): closing again")
        # The label is gone now: a new run starts a new rotation, whose close leaves the new password only.
        again = f"{PENDING} is already removed: run the command again (a new rotation, which ends closed)"
        if failure := on_every_node("close", again) or check_every_node(closed, again):
            return Outcome(1, failure)
    return Outcome(0, f"rotated: every node accepts only version {stages[PENDING]}; cluster_state ok")


def redis_cluster_region(environment: str, environments_dir: Path) -> str:
    """The environment's region; CannotRun unless its cache is a Redis Cluster."""
    config = rotate_secrets.environment_config(environment, environments_dir)
    if config.cache_backend != "redis_cluster":
        raise CannotRun(
            f'{environments_dir / f"{environment}.hcl"}: cache_backend is "{config.cache_backend}": only a Redis '
            'Cluster (cache_backend = "redis_cluster") has an AUTH password this command rotates'
        )
    return config.region


@dataclass(frozen=True)
class ClusterOutputs:
    auth_secret_arn: str
    instance_ids: tuple[str, ...]

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> ClusterOutputs:
        values = output_values(outputs)
        arn, ids = values.get(AUTH_SECRET_OUTPUT), values.get(INSTANCE_IDS_OUTPUT)
        problems = []
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            problems.append(f"{AUTH_SECRET_OUTPUT}: expected the secret's ARN, got {arn!r}")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.startswith("i-") for i in ids):
            problems.append(f"{INSTANCE_IDS_OUTPUT}: expected a list of instance ids, got {ids!r}")
        if problems:
            raise CannotRun(
                "the stack's outputs: " + "; ".join(problems) + " (apply the stack first: make deploy ENV=<env>)"
            )
        return cls(auth_secret_arn=str(arn), instance_ids=tuple(ids))  # type: ignore[arg-type]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.rotate_cache_auth",
        description="Rotate the Redis Cluster's AUTH password with a window in which both are accepted.",
        epilog="Exit 0: rotated; 1: a step failed (run again to resume); 2: nothing was done.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument("--outputs-json", type=Path, help="the JSON of `terraform output -json` (default: terraform)")
    parser.add_argument("--stacks-dir", type=Path, default=DEFAULT_STACKS_DIR, help="synthesized stacks")
    parser.add_argument(
        "--environments-dir", type=Path, default=rotate_secrets.DEFAULT_ENVIRONMENTS_DIR, help="environment files"
    )
    parser.add_argument(
        "--timeout-seconds",
        type=float,
        default=rotate_secrets.DEFAULT_TIMEOUT_SECONDS,
        help="bound of each service's restart (the nodes' steps have their own)",
    )
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint (tests, emulators)")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    clients: ClientFactory | None = None,
    node_runner: NodeRunner | None = None,
) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.timeout_seconds <= 0:
            raise CannotRun("--timeout-seconds: expected a positive number of seconds")
        region = redis_cluster_region(args.environment, args.environments_dir)
        outputs = db_bootstrap.read_outputs(args.environment, args.outputs_json, args.stacks_dir)
        cluster = ClusterOutputs.from_outputs(outputs)
        from stacks.redis_cluster import CACHE_CLIENTS

        services = [rotate_secrets.ServiceColours.from_outputs(outputs, name) for name in CACHE_CLIENTS]
        client = clients or boto3_clients(args.endpoint_url)
        secret = AuthSecret(client("secretsmanager", region), cluster.auth_secret_arn)
        ecs = client("ecs", region)
        nodes = node_runner or SsmNodeRunner(client("ssm", region), cluster.instance_ids)
    except CannotRun as error:
        print(f"rotate-cache-auth: cannot run: {error}", file=sys.stderr)
        return 2

    def restart_services() -> Outcome:
        for target in services:
            outcome = rotate_secrets.restart(
                ecs, target, wait=True, polling=rotate_secrets.POLLING.with_timeout(args.timeout_seconds)
            )
            if outcome.code != 0:
                return outcome
        return Outcome(0, "restarted")

    from modules.redis_cluster.redis_cluster import PASSWORD_LENGTH

    print(f"rotate-cache-auth: {cluster.auth_secret_arn} on {len(cluster.instance_ids)} nodes ({region})")
    outcome = rotate(secret, nodes, restart_services, password_length=PASSWORD_LENGTH)
    print(f"rotate-cache-auth: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
