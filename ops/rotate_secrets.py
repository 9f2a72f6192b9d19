"""`python -m ops.rotate_secrets ENV SERVICE` (`make rotate-secrets ENV=<env> SERVICE=<svc>`):
make a service's tasks read the current values of their Secrets Manager secrets.

ECS injects a task's `secrets` (the environment file's `secrets = { ... }`) when the task
starts, and never again: a new secret value reaches a service only through new tasks. So
after `aws secretsmanager put-secret-value` (or a rotation by a Lambda), this forces a new
deployment of each colour of the service (`UpdateService --force-new-deployment`): ECS
starts new tasks with the same task definition, which read the new values, and drains the
old ones under the service's deployment settings (the circuit breaker rolls back a
deployment whose tasks never become healthy). A colour at zero tasks is left alone: its
tasks read the new values when they start.

Names come from the stack's outputs (`ecs_cluster_name` and `<SERVICE>_ecs_services`, one
service per colour), read like `make db-bootstrap` reads them: `terraform output -json` in
the stack's folder, or --outputs-json FILE. The region is the environment file's.

With --wait it follows each deployment until ECS reports it COMPLETED (bounded by
--timeout-seconds).

Exit codes: 0 the deployments were started (with --wait: completed), or no colour has
tasks; 1 a deployment failed or did not complete within the bound, or ECS refused after
some colours were already restarted; 2 nothing was done: no outputs, an unknown SERVICE, a
missing ECS service, no credentials, or ECS refused the first request.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ops import db_bootstrap
from ops.stack import (
    DEFAULT_STACKS_DIR,
    ROOT,
    CannotRun,
    ClientFactory,
    Outcome,
    Polling,
    boto3_clients,
    output_values,
)

if TYPE_CHECKING:
    from envconfig import EnvironmentConfig

DEFAULT_ENVIRONMENTS_DIR = ROOT / "environments"
# A rolling replacement takes a few minutes per colour (start, health checks, a 300 s
# deregistration delay at most); fifteen minutes covers both colours.
DEFAULT_TIMEOUT_SECONDS = 900
# A deployment's rollout state changes in minutes, not seconds: every 15 s is prompt enough.
POLL_SECONDS = 15.0
POLLING = Polling(DEFAULT_TIMEOUT_SECONDS, POLL_SECONDS)
SERVICES_SUFFIX = "_ecs_services"


@dataclass(frozen=True)
class ServiceColours:
    cluster: str
    services: dict[str, str]  # colour -> ECS service name

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any], service: str) -> ServiceColours:
        values = output_values(outputs)
        known = sorted(name.removesuffix(SERVICES_SUFFIX) for name in values if name.endswith(SERVICES_SUFFIX))
        if not known:
            raise CannotRun(
                f"the stack's outputs lack ecs_cluster_name and <service>{SERVICES_SUFFIX}: apply the stack first "
                "(make deploy ENV=<env>)"
            )
        if service not in known:
            raise CannotRun(f"unknown service {service!r}: the stack's outputs name {', '.join(known)}")
        colours = values[f"{service}{SERVICES_SUFFIX}"]
        if not isinstance(colours, dict) or not colours or not all(isinstance(v, str) for v in colours.values()):
            raise CannotRun(f"output {service}{SERVICES_SUFFIX}: expected a map of colour to service, got {colours!r}")
        cluster = values.get("ecs_cluster_name")
        if not isinstance(cluster, str) or not cluster:
            raise CannotRun("the stack's outputs lack ecs_cluster_name: apply the stack first (make deploy ENV=<env>)")
        return cls(cluster=cluster, services=dict(sorted(colours.items())))


def environment_config(environment: str, environments_dir: Path) -> EnvironmentConfig:
    """The environment file `<environments_dir>/<environment>.hcl`, validated; CannotRun with the reason."""
    from envconfig import EnvironmentFileError, load_environment

    path = environments_dir / f"{environment}.hcl"
    if not path.is_file():
        raise CannotRun(f"no environment file {path}")
    try:
        return load_environment(path)
    except EnvironmentFileError as error:
        raise CannotRun(f"{path}: {error}") from None


def region_of(environment: str, environments_dir: Path) -> str:
    return environment_config(environment, environments_dir).region


def restart(
    ecs: Any,
    target: ServiceColours,
    *,
    wait: bool,
    polling: Polling = POLLING,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Force a new deployment of each colour that runs tasks; with `wait`, follow them (bounded)."""
    from botocore.exceptions import BotoCoreError, ClientError

    names = list(target.services.values())
    try:
        described = ecs.describe_services(cluster=target.cluster, services=names)
    except (ClientError, BotoCoreError) as error:
        return Outcome(2, f"ECS refused to describe {', '.join(names)}: {error}")
    found = {s["serviceName"]: s for s in described.get("services", []) if s.get("status") != "INACTIVE"}
    missing = [name for name in names if name not in found]
    if missing:
        return Outcome(2, f"no ECS service {', '.join(missing)} in cluster {target.cluster}: deploy the stack first")

    restarted: list[str] = []
    for colour, name in target.services.items():
        desired = found[name].get("desiredCount", 0)
        if desired == 0:
            say(f"  {colour} ({name}): zero tasks, left alone (its tasks read the new values when they start)")
            continue
        try:
            ecs.update_service(cluster=target.cluster, service=name, forceNewDeployment=True)
        except (ClientError, BotoCoreError) as error:
            done = f" ({', '.join(restarted)} already restarted)" if restarted else ""
            return Outcome(1 if restarted else 2, f"ECS refused to restart {name}: {error}{done}")
        restarted.append(name)
        say(f"  {colour} ({name}): new deployment of {desired} tasks started")
    if not restarted:
        return Outcome(0, "no colour runs tasks: nothing to restart")
    follow = f"aws ecs wait services-stable --cluster {target.cluster} --services {' '.join(restarted)}"
    if not wait:
        return Outcome(0, f"new tasks read the current secret values as they start; follow them: {follow}")

    for _ in polling.rounds():
        try:
            current = ecs.describe_services(cluster=target.cluster, services=restarted).get("services", [])
        except (ClientError, BotoCoreError) as error:
            return Outcome(1, f"could not follow the deployments ({error}); {follow}")
        states = {}
        for service in current:
            primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {})
            states[service["serviceName"]] = (primary.get("rolloutState", "?"), primary.get("rolloutStateReason", ""))
        failed = {name: reason for name, (state, reason) in states.items() if state == "FAILED"}
        if failed:
            return Outcome(1, "deployment failed: " + "; ".join(f"{n}: {r}" for n, r in sorted(failed.items())))
        if len(states) == len(restarted) and all(state == "COMPLETED" for state, _ in states.values()):
            return Outcome(0, f"{', '.join(restarted)} run new tasks with the current secret values")
    pending = ", ".join(f"{n} {s}" for n, (s, _) in sorted(states.items()) if s != "COMPLETED")
    return Outcome(
        1, f"timed out after {polling.timeout_seconds:.0f} s (--timeout-seconds): {pending}; ECS carries on: {follow}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.rotate_secrets",
        description="Restart each colour of a service so its tasks read their secrets' current values.",
        epilog="Exit 0: restarted (or nothing to restart); 1: a deployment failed or timed out; 2: nothing was done.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument("service", metavar="SERVICE", help="the service: api, realtime or worker")
    parser.add_argument("--outputs-json", type=Path, help="the JSON of `terraform output -json` (default: terraform)")
    parser.add_argument("--stacks-dir", type=Path, default=DEFAULT_STACKS_DIR, help="synthesized stacks")
    parser.add_argument("--environments-dir", type=Path, default=DEFAULT_ENVIRONMENTS_DIR, help="environment files")
    parser.add_argument("--wait", action="store_true", help="follow the deployments until they complete (bounded)")
    parser.add_argument("--timeout-seconds", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="bound of the wait")
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint (tests, emulators)")
    return parser


def main(argv: Sequence[str] | None = None, *, clients: ClientFactory | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.timeout_seconds <= 0:
            raise CannotRun("--timeout-seconds: expected a positive number of seconds")
        outputs = db_bootstrap.read_outputs(args.environment, args.outputs_json, args.stacks_dir)
        target = ServiceColours.from_outputs(outputs, args.service)
        region = region_of(args.environment, args.environments_dir)
        ecs = (clients or boto3_clients(args.endpoint_url))("ecs", region)
    except CannotRun as error:
        print(f"rotate-secrets: cannot run: {error}", file=sys.stderr)
        return 2
    print(f"rotate-secrets: {args.service} in cluster {target.cluster} ({region})")
    outcome = restart(ecs, target, wait=args.wait, polling=POLLING.with_timeout(args.timeout_seconds))
    print(f"rotate-secrets: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
