"""make release (ops/release.py): against moto on loopback (the write, the same-tag no-op, the
parameter that is not deployed), before any request for every refusal (the tag, the service,
the colour, the traffic guard), with botocore's Stubber for a write SSM refuses, and the
Makefile target's usage line and arguments."""

from __future__ import annotations

import shlex
import subprocess

import botocore.session
import pytest
from botocore.stub import Stubber

from ops import release
from ops.stack import load_stack
from tests.conftest import ROOT
from tests.ops import day_two
from tests.ops.day_two import REGION, boto3_client, no_client, write_stack

endpoint = day_two.endpoint
credentials = day_two.credentials
no_credentials = day_two.no_credentials

HALF_AND_HALF = {"blue": 50, "green": 50}
LIVE_ON_GREEN = {"blue": 10, "green": 90}


def run(capsys, argv, **kwargs) -> tuple[int, str, str]:
    code = release.main(argv, **kwargs)
    out, err = capsys.readouterr()
    return code, out, err


def deploy_parameter(ssm, name: str, value: str = "bootstrap") -> None:
    """What `make deploy` creates (modules/compute): a String holding the initial tag."""
    ssm.put_parameter(Name=name, Value=value, Type="String")


def test_a_release_writes_the_tag_and_a_second_run_changes_nothing(capsys, credentials, endpoint, tmp_path):
    ssm = boto3_client("ssm", endpoint)
    deploy_parameter(ssm, "/chat-alpha/api/green/image-tag")
    deploy_parameter(ssm, "/chat-alpha/api/blue/image-tag", "3f9c2a1b7d4e")
    argv = ["alpha", "api", "a1b2c3d4e5f6", "--colour", "green", "--stack-json", str(write_stack(tmp_path, "alpha"))]

    code, out, err = run(capsys, [*argv, "--endpoint-url", endpoint])
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "api traffic: blue 100%, green 0% (load_balancer/api_listener_rule)",
        "release: /chat-alpha/api/green/image-tag: bootstrap -> a1b2c3d4e5f6. Next: `make plan ENV=alpha` shows "
        "only api green's task definition, service and autoscaling range changing; then `make deploy ENV=alpha` "
        "(ECS rolls the new tasks in under the deployment circuit breaker)",
    ]
    written = ssm.get_parameter(Name="/chat-alpha/api/green/image-tag")["Parameter"]
    assert (written["Value"], written["Type"], written["Version"]) == ("a1b2c3d4e5f6", "String", 2)
    assert ssm.get_parameter(Name="/chat-alpha/api/blue/image-tag")["Parameter"]["Value"] == "3f9c2a1b7d4e"

    code, out, err = run(capsys, [*argv, "--endpoint-url", endpoint])
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "release: /chat-alpha/api/green/image-tag already holds a1b2c3d4e5f6: nothing to do"
    assert ssm.get_parameter(Name="/chat-alpha/api/green/image-tag")["Parameter"]["Version"] == 2


def test_the_emulator_scenario_calls_release_with_its_own_clients(credentials, endpoint, tmp_path):
    """What verify/first_deploy.py calls instead of its own ssm.put_parameter."""
    ssm = boto3_client("ssm", endpoint)
    deploy_parameter(ssm, "/chat-beta/worker/image-tag")
    stack = load_stack("beta", stack_json=write_stack(tmp_path, "beta"))
    said: list[str] = []

    def clients(service, region):
        assert (service, region) == ("ssm", REGION)
        return ssm

    outcome = release.release(stack, "worker", None, "v1.4.0", clients, say=said.append)
    assert outcome.code == 0 and outcome.message.startswith("/chat-beta/worker/image-tag: bootstrap -> v1.4.0.")
    assert said == []  # the worker has no colours, so no traffic to weigh
    assert ssm.get_parameter(Name="/chat-beta/worker/image-tag")["Parameter"]["Value"] == "v1.4.0"


def test_a_parameter_that_is_not_deployed_is_exit_2(capsys, credentials, endpoint, tmp_path):
    stack = write_stack(tmp_path, "gamma")
    code, _, err = run(capsys, ["gamma", "worker", "v1", "--stack-json", str(stack), "--endpoint-url", endpoint])
    assert code == 2
    assert err == (
        "release: cannot run: no parameter /chat-gamma/worker/image-tag in eu-west-1: the stack is not deployed "
        "there; `make deploy ENV=gamma` first (it creates the release parameters)\n"
    )


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["worker", "latest"],
            "TAG: 'latest' moves from image to image; a release names one image for ever (ECR tags are immutable "
            "here): use the image's own tag, e.g. the commit (git rev-parse --short=12 HEAD)",
        ),
        (
            ["worker", ".hidden"],
            "TAG: expected an image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-', "
            'got ".hidden" (string)',
        ),
        (["worker", "v1:arm64"], "TAG: expected an image tag"),
        (["worker", "x" * 129], "TAG: expected an image tag"),
        (["email", "v1"], "SERVICE: expected one of api, realtime, worker (the stack chat-alpha), got 'email'"),
        (
            ["worker", "v1", "--colour", "blue"],
            "COLOUR (--colour): worker has no colours (one service, one release parameter), got 'blue'",
        ),
        (["api", "v1"], "COLOUR (--colour): api has colours: expected blue or green, got none"),
        (["api", "v1", "--colour", "purple"], "COLOUR (--colour): expected blue or green, got 'purple'"),
    ],
)
def test_bad_arguments_are_exit_2_before_any_request(capsys, tmp_path, args, problem):
    stack = write_stack(tmp_path, "alpha")
    code, out, err = run(capsys, ["alpha", *args, "--stack-json", str(stack)], clients=no_client)
    assert (code, out) == (2, "")
    assert err.startswith(f"release: cannot run: {problem}")


def test_every_problem_is_reported_at_once(capsys, tmp_path):
    stack = write_stack(tmp_path, "alpha")
    code, _, err = run(capsys, ["alpha", "realtime", "latest", "--stack-json", str(stack)], clients=no_client)
    assert code == 2
    assert err.splitlines() == [
        "release: cannot run: 2 problems:",
        "  TAG: 'latest' moves from image to image; a release names one image for ever (ECR tags are immutable "
        "here): use the image's own tag, e.g. the commit (git rev-parse --short=12 HEAD)",
        "  COLOUR (--colour): realtime has colours: expected blue or green, got none",
    ]


def test_without_a_synthesized_stack_the_tag_is_still_judged(capsys, tmp_path):
    code, _, err = run(capsys, ["prod", "api", "v1/arm64", "--stacks-dir", str(tmp_path)], clients=no_client)
    assert code == 2
    assert err.splitlines() == [
        "release: cannot run: 2 problems:",
        "  TAG: expected an image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-', "
        'got "v1/arm64" (string)',
        f"  no synthesized stack at {tmp_path / 'chat-prod' / 'cdk.tf.json'}: run `make synth` (the checkout that "
        "was deployed)",
    ]


# -- the traffic guard ----------------------------------------------------------------------------


GUARD_ON_GREEN = (
    "COLOUR (--colour): green carries 90% of api's traffic, the larger share: `make deploy` would roll this release "
    "onto most users at once. Release to blue, then shift load_balancer.weights in steps (docs/runbook.md: Shifting "
    "blue/green traffic); or TO_LIVE_COLOUR=1 (--to-live-colour) to release to green anyway"
)


def test_the_colour_carrying_most_traffic_is_refused(capsys, credentials, endpoint, tmp_path):
    ssm = boto3_client("ssm", endpoint)
    deploy_parameter(ssm, "/chat-kappa/api/green/image-tag", "v1")  # released before: it runs tasks
    stack = write_stack(tmp_path, "kappa", weights={"api": LIVE_ON_GREEN})
    argv = ["kappa", "api", "v2", "--colour", "green", "--stack-json", str(stack), "--endpoint-url", endpoint]
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == "api traffic: blue 10%, green 90% (load_balancer/api_listener_rule)\n"
    assert err == f"release: cannot run: {GUARD_ON_GREEN}\n"
    assert ssm.get_parameter(Name="/chat-kappa/api/green/image-tag")["Parameter"]["Value"] == "v1"


def test_the_first_release_to_the_colour_holding_the_weight_needs_no_override(capsys, credentials, endpoint, tmp_path):
    """While the parameter holds the stack's initial tag the colour runs no tasks (desired count 0),
    so the weight it holds reaches nobody: the runbook's First deploy needs no TO_LIVE_COLOUR."""
    ssm = boto3_client("ssm", endpoint)
    deploy_parameter(ssm, "/chat-theta/api/green/image-tag")  # "bootstrap", as make deploy leaves it
    stack = write_stack(tmp_path, "theta", weights={"api": LIVE_ON_GREEN})
    argv = ["theta", "api", "v1", "--colour", "green", "--stack-json", str(stack), "--endpoint-url", endpoint]
    code, out, err = run(capsys, argv)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "/chat-theta/api/green/image-tag still holds its initial tag bootstrap: api green runs no tasks yet, so this "
        "first release reaches no user and the traffic guard does not apply"
    )
    assert ssm.get_parameter(Name="/chat-theta/api/green/image-tag")["Parameter"]["Value"] == "v1"
    # The second release to the same colour: now it runs the first, and the guard holds.
    code, _, err = run(capsys, [*argv[:2], "v2", *argv[3:]])
    assert (code, err) == (2, f"release: cannot run: {GUARD_ON_GREEN}\n")


def test_the_guard_is_reported_with_a_parameter_that_is_not_deployed(capsys, credentials, endpoint, tmp_path):
    stack = write_stack(tmp_path, "iota", weights={"api": LIVE_ON_GREEN})
    argv = ["iota", "api", "v1", "--colour", "green", "--stack-json", str(stack), "--endpoint-url", endpoint]
    code, _, err = run(capsys, argv)
    assert code == 2
    assert err.splitlines() == [
        "release: cannot run: 2 problems:",
        f"  {GUARD_ON_GREEN}",
        "  no parameter /chat-iota/api/green/image-tag in eu-west-1: the stack is not deployed there; "
        "`make deploy ENV=iota` first (it creates the release parameters)",
    ]


def test_realtime_is_sticky_and_the_guard_says_so(capsys, credentials, endpoint, tmp_path):
    deploy_parameter(boto3_client("ssm", endpoint), "/chat-zeta/realtime/blue/image-tag", "v1")
    stack = write_stack(tmp_path, "zeta")
    argv = ["zeta", "realtime", "v2", "--colour", "blue", "--stack-json", str(stack), "--endpoint-url", endpoint]
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == (
        "realtime traffic: blue 100%, green 0% (load_balancer/realtime_listener_rule; sticky: a client stays on its "
        "colour for up to 3600 s, so a weight shift moves new clients first)\n"
    )
    assert "; realtime's rule is sticky (3600 s), so a shift moves clients as their stickiness expires" in err


def test_the_live_colour_is_allowed_with_to_live_colour(capsys, credentials, endpoint, tmp_path):
    ssm = boto3_client("ssm", endpoint)
    deploy_parameter(ssm, "/chat-delta/realtime/blue/image-tag", "v1")
    stack = write_stack(tmp_path, "delta")
    argv = ["delta", "realtime", "v2", "--colour", "blue", "--to-live-colour", "--stack-json", str(stack)]
    code, out, err = run(capsys, [*argv, "--endpoint-url", endpoint])
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        "--to-live-colour: blue carries 100%; `make deploy` rolls the release onto them (its sticky clients "
        "reconnect to the new tasks as the old ones drain)",
        "release: /chat-delta/realtime/blue/image-tag: v1 -> v2. Next: `make plan ENV=delta` shows only realtime "
        "blue's task definition, service and autoscaling range changing; then `make deploy ENV=delta` (ECS rolls "
        "the new tasks in under the deployment circuit breaker)",
    ]
    assert ssm.get_parameter(Name="/chat-delta/realtime/blue/image-tag")["Parameter"]["Value"] == "v2"


def test_at_50_50_neither_colour_is_refused(capsys, credentials, endpoint, tmp_path):
    ssm = boto3_client("ssm", endpoint)
    stack = write_stack(tmp_path, "eps", weights={"api": HALF_AND_HALF})
    for colour in ("blue", "green"):
        deploy_parameter(ssm, f"/chat-eps/api/{colour}/image-tag", "v1")
        code, out, err = run(
            capsys, ["eps", "api", "v2", "--colour", colour, "--stack-json", str(stack), "--endpoint-url", endpoint]
        )
        assert (code, err) == (0, "")
        assert out.startswith("api traffic: blue 50%, green 50% (load_balancer/api_listener_rule)\nrelease: ")
        assert ssm.get_parameter(Name=f"/chat-eps/api/{colour}/image-tag")["Parameter"]["Value"] == "v2"


# -- credentials, a refused write ----------------------------------------------------------------


def test_no_credentials_is_exit_2(capsys, no_credentials, tmp_path):
    stack = write_stack(tmp_path, "alpha")
    code, _, err = run(capsys, ["alpha", "worker", "v1", "--stack-json", str(stack)])
    assert code == 2
    assert err.startswith("release: cannot run: no AWS credentials")


def test_a_write_ssm_refuses_is_exit_1_and_says_what_the_parameter_still_holds(tmp_path):
    client = botocore.session.get_session().create_client(
        "ssm", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    name = "/chat-alpha/worker/image-tag"
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_parameter", {"Parameter": {"Name": name, "Type": "String", "Value": "v1"}}, {"Name": name}
        )
        stubber.add_client_error("put_parameter", "AccessDeniedException", "not authorized to perform ssm:PutParameter")
        stack = load_stack("alpha", stack_json=write_stack(tmp_path, "alpha"))
        outcome = release.release(stack, "worker", None, "v2", lambda service, region: client)
        stubber.assert_no_pending_responses()
    assert outcome.code == 1
    assert outcome.message.startswith(f"the write of v2 to {name} failed (it still holds v1): ")
    assert "ssm:PutParameter" in outcome.message


# -- the Makefile target ---------------------------------------------------------------------------


def make(*args: str) -> subprocess.CompletedProcess[str]:
    # -o setup: the venvs are there; a test must not re-sync them.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_make_release_without_its_arguments_prints_its_usage():
    result = make("release", "ENV=prod", "SERVICE=api")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "usage: make release ENV=<env> SERVICE=<api|realtime|worker> TAG=<tag> [COLOUR=<blue|green>] [TO_LIVE_COLOUR=1]"
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (["SERVICE=worker", "TAG=v1"], ("worker", "v1", None, False)),
        (["SERVICE=api", "TAG=v1", "COLOUR=green", "TO_LIVE_COLOUR=1"], ("api", "v1", "green", True)),
    ],
)
def test_make_release_passes_its_variables_to_the_command(variables, expected):
    result = make("-n", "release", "ENV=prod", *variables)
    assert result.returncode == 0, result.stderr
    command = shlex.split(result.stdout.splitlines()[-1])
    assert command[:3] == [".venv/bin/python", "-m", "ops.release"]
    args = release._parser().parse_args(command[3:])
    assert args.environment == "prod"
    assert (args.service, args.tag, args.colour, args.to_live_colour) == expected
