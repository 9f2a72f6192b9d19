"""`python -m ops.release ENV SERVICE TAG [--colour blue|green]` (`make release ENV=<env>
SERVICE=<api|realtime|worker> TAG=<tag> [COLOUR=<blue|green>]`): write an image tag to a
service's release parameter, the one step of a release that is not `make deploy`.

The release parameter (modules/compute/README.md, "Deploying an image") is the SSM parameter
`/<stack>/<service>/<colour>/image-tag` (`/<stack>/worker/image-tag` for the worker, which has
no colours). Its value is in `ignore_changes`: Terraform creates it with "bootstrap" and then
only reads it, so the task definitions take whatever tag was written last. The parameter is
found by its construct path in the synthesized stack (`<service>/image_tag_<colour>`,
`worker/image_tag`), never by building its name here.

Checks, all before any write, every problem reported at once:
- TAG is an image tag as ECR and Docker take it (the pattern modules/compute validates
  `initial_image_tag` with: up to 128 letters, digits, '_', '.', '-', not starting with '.'
  or '-'; botocore's ECR model only bounds the length) and is not `latest`: a release names
  one image for ever (the repositories' tags are immutable), and a moving tag would make the
  plan show no change while the running image is unknown.
- SERVICE is one the stack has; COLOUR is required for a service with colours and refused
  for one without (the worker).
- Traffic guard: the colour's share of traffic, from the weights in the synthesized listener
  rule (`load_balancer/<service>_listener_rule`), or for realtime behind the API Gateway
  ingress the WebSocket API's live listener (all of it to one colour). The colour carrying
  the larger share is refused unless --to-live-colour: `make deploy` would roll the release
  onto most users at once, where the runbook releases to the other colour and shifts the
  weights in steps. At 50/50 neither colour is refused. The guard does not apply while the
  parameter still holds its initial tag (the synthesized `insecure_value`, "bootstrap"): the
  colour then runs no tasks (desired count 0), so the first release reaches no user. That is
  judged after reading the parameter; every other check comes before any request.

Then it reads the parameter (a missing one: the stack is not deployed), does nothing when it
already holds TAG, else overwrites it (Type String, as the stack made it) and prints the old
and new tag and the next step (`make plan`, then `make deploy`).

Exit codes: 0 written, or nothing to do; 1 the write failed; 2 nothing was done (no
synthesized stack, bad arguments, the traffic guard, no credentials, the parameter is not
deployed, SSM refused to read it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from envconfig.schema import STACK_PREFIX
from modules.compute.props import check_image_tag
from ops.stack import (
    CannotRun,
    ClientFactory,
    Outcome,
    SynthesizedStack,
    add_stack_arguments,
    boto3_clients,
    error_code,
    load_stack,
)

# A mutable tag: ECR's immutable repositories refuse to push it twice, and a parameter naming
# it would not say which image runs.
MOVING_TAG = "latest"
# `${aws_lb_target_group.<logical id>.arn}`: how a listener names its target groups.
TARGET_GROUP_REFERENCE = re.compile(r"^\$\{aws_lb_target_group\.([A-Za-z0-9_-]+)\.arn\}$")


@dataclass(frozen=True)
class ReleaseParameter:
    """A service's release parameter as the synthesized stack names it."""

    service: str
    colour: str | None
    name: str
    # The tag Terraform creates it with (`initial_image_tag`, "bootstrap"): while the parameter
    # still holds it, the colour runs no tasks (modules/compute/service.py: desired count 0).
    initial: str | None = None

    @property
    def label(self) -> str:
        return f"{self.service} {self.colour}" if self.colour else self.service


@dataclass(frozen=True)
class TrafficSplit:
    """How the stack's load balancer divides a service's traffic between its colours."""

    weights: dict[str, int]  # colour -> weight
    source: str  # the construct path the weights were read from
    shift: str  # how the operator moves traffic to the other colour
    sticky_seconds: int | None = None  # realtime: a client stays on its colour this long

    def share(self, colour: str) -> float:
        total = sum(self.weights.values())
        return self.weights.get(colour, 0) / total if total else 0.0

    def carries_more(self, colour: str) -> bool:
        """Whether `colour` takes the larger share (at 50/50 no colour does)."""
        return all(self.share(colour) > self.share(other) for other in self.weights if other != colour)

    def describe(self) -> str:
        shares = ", ".join(f"{colour} {self.share(colour):.0%}" for colour in sorted(self.weights))
        sticky = (
            f"; sticky: a client stays on its colour for up to {self.sticky_seconds} s, so a weight shift moves "
            "new clients first"
            if self.sticky_seconds
            else ""
        )
        return f"{shares} ({self.source}{sticky})"


def release_parameters(stack: SynthesizedStack) -> dict[str, dict[str | None, ReleaseParameter]]:
    """service -> colour (None for the worker) -> its release parameter."""
    found: dict[str, dict[str | None, ReleaseParameter]] = {}
    for path, body in stack.resources("aws_ssm_parameter").items():
        service, _, leaf = path.partition("/")
        if leaf != "image_tag" and not leaf.startswith("image_tag_"):
            continue
        colour = leaf.removeprefix("image_tag_") if leaf != "image_tag" else None
        name = body.get("name")
        if not isinstance(name, str) or "${" in name:
            raise CannotRun(f"the release parameter {stack.name}/{path} has no literal name in {stack.path}")
        initial = body.get("insecure_value")
        found.setdefault(service, {})[colour] = ReleaseParameter(
            service=service, colour=colour, name=name, initial=initial if isinstance(initial, str) else None
        )
    return found


def parameter_problems(
    stack: SynthesizedStack, service: str, colour: str | None
) -> tuple[ReleaseParameter | None, list[str]]:
    """The release parameter of SERVICE (and COLOUR), or what is wrong with them."""
    parameters = release_parameters(stack)
    if not parameters:
        return None, [f"the stack {stack.name} has no release parameters (<service>/image_tag*) in {stack.path}"]
    if service not in parameters:
        known = ", ".join(sorted(parameters))
        return None, [f"SERVICE: expected one of {known} (the stack {stack.name}), got {service!r}"]
    colours = parameters[service]
    if None in colours:
        if colour is not None:
            return None, [
                f"COLOUR (--colour): {service} has no colours (one service, one release parameter), got {colour!r}"
            ]
        return colours[None], []
    expected = " or ".join(sorted(c for c in colours if c))
    if colour is None:
        return None, [f"COLOUR (--colour): {service} has colours: expected {expected}, got none"]
    if colour not in colours:
        return None, [f"COLOUR (--colour): expected {expected}, got {colour!r}"]
    return colours[colour], []


def tag_problems(tag: str) -> list[str]:
    if tag == MOVING_TAG:
        return [
            f"TAG: {MOVING_TAG!r} moves from image to image; a release names one image for ever (ECR tags are "
            "immutable here): use the image's own tag, e.g. the commit (git rev-parse --short=12 HEAD)"
        ]
    try:
        check_image_tag(tag)
    except ValueError as error:
        return [f"TAG: {error}"]
    return []


def traffic_split(stack: SynthesizedStack, service: str) -> TrafficSplit:
    """The weights of `service`'s colours, read from the synthesized load balancer."""
    target_groups = stack.resource_paths("aws_lb_target_group")

    def colour_of(reference: Any, prefix: str, where: str) -> str:
        match = TARGET_GROUP_REFERENCE.match(reference) if isinstance(reference, str) else None
        path = target_groups.get(match.group(1), "") if match else ""
        if not path.startswith(prefix) or not path.endswith("_target_group"):
            raise CannotRun(f"{where} forwards to {reference!r}, not one of {service}'s target groups ({stack.path})")
        return path.removeprefix(prefix).removesuffix("_target_group")

    rule_path = f"load_balancer/{service}_listener_rule"
    rule = stack.resources("aws_lb_listener_rule").get(rule_path)
    if rule is not None:
        actions = rule.get("action")
        forward = next(
            (a.get("forward") for a in (actions if isinstance(actions, list) else [actions]) if isinstance(a, dict)),
            None,
        )
        if not isinstance(forward, dict) or not forward.get("target_group"):
            raise CannotRun(f"the listener rule {rule_path} has no weighted forward action in {stack.path}")
        weights = {}
        for group in forward["target_group"]:
            weight = group.get("weight")
            if not isinstance(weight, int):
                raise CannotRun(f"the listener rule {rule_path}: a weight is not literal ({weight!r}) in {stack.path}")
            weights[colour_of(group.get("arn"), f"load_balancer/{service}_", rule_path)] = weight
        stickiness = forward.get("stickiness") or {}
        sticky = stickiness.get("duration") if stickiness.get("enabled") else None
        return TrafficSplit(
            weights=weights,
            source=rule_path,
            shift="shift load_balancer.weights in steps (docs/runbook.md: Shifting blue/green traffic)",
            sticky_seconds=sticky,
        )

    # The API Gateway ingress (examples/dynamodb-apigw.hcl): the WebSocket API's VPC link reaches
    # the realtime tasks through an internal NLB whose live listener forwards to one colour.
    live_path = "websocket_api/live_listener"
    live = stack.resources("aws_lb_listener").get(live_path) if service == "realtime" else None
    if live is not None:
        actions = live.get("default_action")
        action = (actions[0] if isinstance(actions, list) and actions else actions) or {}
        live_colour = colour_of(action.get("target_group_arn"), "websocket_api/", live_path)
        colours = {
            path.removeprefix("websocket_api/").removesuffix("_target_group")
            for path in target_groups.values()
            if path.startswith("websocket_api/") and path.endswith("_target_group")
        }
        return TrafficSplit(
            weights={c: 100 if c == live_colour else 0 for c in colours},
            source=live_path,
            shift="switch websocket_api.live_colour (modules/websocket_api/README.md)",
        )
    raise CannotRun(f"no traffic split for {service} in {stack.path} (no {rule_path}): nothing to guard the release by")


def guard_problems(split: TrafficSplit, colour: str, service: str, to_live_colour: bool) -> list[str]:
    if not split.carries_more(colour) or to_live_colour:
        return []
    others = " or ".join(sorted(c for c in split.weights if c != colour))
    sticky = (
        f"; {service}'s rule is sticky ({split.sticky_seconds} s), so a shift moves clients as their stickiness "
        "expires and they reconnect"
        if split.sticky_seconds
        else ""
    )
    return [
        f"COLOUR (--colour): {colour} carries {split.share(colour):.0%} of {service}'s traffic, the larger share: "
        f"`make deploy` would roll this release onto most users at once. Release to {others}, then {split.shift}"
        f"{sticky}; or TO_LIVE_COLOUR=1 (--to-live-colour) to release to {colour} anyway"
    ]


def refusal(problems: list[str]) -> Outcome:
    """Exit 2 with every problem, one a line when there are several."""
    if len(problems) == 1:
        return Outcome(2, problems[0])
    return Outcome(2, "\n  ".join([f"{len(problems)} problems:", *problems]))


def release(
    stack: SynthesizedStack,
    service: str,
    colour: str | None,
    tag: str,
    clients: ClientFactory,
    to_live_colour: bool = False,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Write `tag` to the release parameter of `service` (and `colour`), after every check.

    The emulator scenario (verify/first_deploy.py) calls this with its own client factory;
    `main` is the same with arguments and exit codes."""
    environment = stack.name.removeprefix(STACK_PREFIX)
    problems = tag_problems(tag)
    guard: list[str] = []  # judged last: a colour that runs nothing yet is not live
    parameter = None
    try:
        parameter, found = parameter_problems(stack, service, colour)
        problems += found
        if parameter is not None and parameter.colour is not None:
            split = traffic_split(stack, service)
            say(f"{service} traffic: {split.describe()}")
            guard = guard_problems(split, parameter.colour, service, to_live_colour)
            if to_live_colour and split.carries_more(parameter.colour):
                rolled = " (its sticky clients reconnect to the new tasks as the old ones drain)"
                say(
                    f"--to-live-colour: {parameter.colour} carries {split.share(parameter.colour):.0%}; `make deploy` "
                    f"rolls the release onto them{rolled if split.sticky_seconds else ''}"
                )
    except CannotRun as error:
        problems.append(str(error))
    if problems or parameter is None:
        return refusal(problems + guard)

    from botocore.exceptions import BotoCoreError, ClientError

    try:
        ssm = clients("ssm", stack.region)
        current = ssm.get_parameter(Name=parameter.name)["Parameter"]["Value"]
    except CannotRun as error:
        return refusal([*guard, str(error)])
    except ClientError as error:
        if error_code(error) == "ParameterNotFound":
            return refusal(
                [
                    *guard,
                    f"no parameter {parameter.name} in {stack.region}: the stack is not deployed there; "
                    f"`make deploy ENV={environment}` first (it creates the release parameters)",
                ]
            )
        return refusal([*guard, f"SSM refused to read {parameter.name}: {error}"])
    except BotoCoreError as error:
        return refusal([*guard, f"SSM refused to read {parameter.name}: {error}"])
    if guard:
        if current != parameter.initial:
            return refusal(guard)
        # The first release: the colour holds the weight but runs no tasks until a tag other
        # than the initial one is written, so no user is behind it yet.
        say(
            f"{parameter.name} still holds its initial tag {current}: {parameter.label} runs no tasks yet, so this "
            "first release reaches no user and the traffic guard does not apply"
        )
    if current == tag:
        return Outcome(0, f"{parameter.name} already holds {tag}: nothing to do")
    try:
        # The stack's type (modules/compute: a String, not a SecureString; see its waiver).
        ssm.put_parameter(Name=parameter.name, Value=tag, Type="String", Overwrite=True)
    except (ClientError, BotoCoreError) as error:
        return Outcome(1, f"the write of {tag} to {parameter.name} failed (it still holds {current}): {error}")
    return Outcome(
        0,
        f"{parameter.name}: {current} -> {tag}. Next: `make plan ENV={environment}` shows only {parameter.label}'s "
        f"task definition, service and autoscaling range changing; then `make deploy ENV={environment}` (ECS rolls "
        "the new tasks in under the deployment circuit breaker)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.release",
        description="Write an image tag to a service's release parameter (then make plan, make deploy).",
        epilog="Exit 0: written, or nothing to do; 1: the write failed; 2: nothing was done.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument("service", metavar="SERVICE", help="the service: api, realtime or worker")
    parser.add_argument("tag", metavar="TAG", help="the image's immutable tag in the service's repository")
    parser.add_argument("--colour", help="blue or green (api and realtime; the worker has none)")
    parser.add_argument(
        "--to-live-colour", action="store_true", help="allow the colour that carries the larger share of traffic"
    )
    add_stack_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, clients: ClientFactory | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        stack = load_stack(args.environment, args.stacks_dir, args.stack_json)
    except CannotRun as error:
        # Without a stack only the tag can be judged; report it with the missing stack.
        outcome = refusal([*tag_problems(args.tag), str(error)])
    else:
        outcome = release(
            stack,
            args.service,
            args.colour,
            args.tag,
            clients or boto3_clients(args.endpoint_url),
            to_live_colour=args.to_live_colour,
        )
    if outcome.code == 2:
        print(f"release: cannot run: {outcome.message}", file=sys.stderr)
    else:
        print(f"release: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
