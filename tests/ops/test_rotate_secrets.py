"""make rotate-secrets (ops/rotate_secrets.py) against botocore's Stubber (the ECS API model
checks every request and response): a forced new deployment of each colour that runs tasks,
the bounded wait, and every reason it cannot run, with its message."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.stub import Stubber

from ops import rotate_secrets
from ops.rotate_secrets import ServiceColours, restart
from ops.stack import Polling
from tests.ops import day_two
from tests.ops.day_two import REGION, FakeClock, no_client

no_credentials = day_two.no_credentials

OUTPUTS = {
    "ecs_cluster_name": {"sensitive": False, "type": "string", "value": "chat-prod"},
    "api_ecs_services": {
        "sensitive": False,
        "type": ["object", {"blue": "string", "green": "string"}],
        "value": {"blue": "chat-prod-api-blue", "green": "chat-prod-api-green"},
    },
    "worker_ecs_services": {
        "sensitive": False,
        "type": ["object", {"blue": "string", "green": "string"}],
        "value": {"blue": "chat-prod-worker-blue", "green": "chat-prod-worker-green"},
    },
}
API = ServiceColours.from_outputs(OUTPUTS, "api")
BOTH = ["chat-prod-api-blue", "chat-prod-api-green"]


@pytest.fixture
def ecs():
    client = botocore.session.get_session().create_client(
        "ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def service(name: str, desired: int, rollout: str | None = None, reason: str = "") -> dict:
    body = {"serviceName": name, "status": "ACTIVE", "desiredCount": desired}
    if rollout:
        body["deployments"] = [
            {"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": rollout, "rolloutStateReason": reason},
            {"id": "ecs-svc/0", "status": "ACTIVE", "rolloutState": "COMPLETED"},
        ]
    return body


def described(stubber: Stubber, *services: dict, names: list[str] = BOTH) -> None:
    stubber.add_response(
        "describe_services",
        {"services": list(services), "failures": []},
        {"cluster": "chat-prod", "services": names},
    )


def forced(stubber: Stubber, name: str) -> None:
    stubber.add_response(
        "update_service",
        {"service": {"serviceName": name}},
        {"cluster": "chat-prod", "service": name, "forceNewDeployment": True},
    )


def run(client, timeout_seconds=rotate_secrets.DEFAULT_TIMEOUT_SECONDS, **kwargs):
    clock = FakeClock()
    said: list[str] = []
    polling = Polling(timeout_seconds, 15, clock=clock, sleep=clock.sleep)
    outcome = restart(client, API, polling=polling, say=said.append, **kwargs)
    return outcome, clock, said


def test_each_colour_with_tasks_gets_a_new_deployment_and_one_at_zero_is_left_alone(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 0))
    forced(stubber, "chat-prod-api-blue")
    outcome, _, said = run(client, wait=False)
    assert outcome == rotate_secrets.Outcome(
        0,
        "new tasks read the current secret values as they start; follow them: aws ecs wait services-stable "
        "--cluster chat-prod --services chat-prod-api-blue",
    )
    assert said == [
        "  blue (chat-prod-api-blue): new deployment of 3 tasks started",
        "  green (chat-prod-api-green): zero tasks, left alone (its tasks read the new values when they start)",
    ]


def test_the_wait_follows_both_deployments_until_completed(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 1))
    forced(stubber, "chat-prod-api-blue")
    forced(stubber, "chat-prod-api-green")
    described(stubber, service("chat-prod-api-blue", 3, "IN_PROGRESS"), service("chat-prod-api-green", 1, "COMPLETED"))
    described(stubber, service("chat-prod-api-blue", 3, "COMPLETED"), service("chat-prod-api-green", 1, "COMPLETED"))
    outcome, clock, _ = run(client, wait=True)
    assert outcome == rotate_secrets.Outcome(
        0, "chat-prod-api-blue, chat-prod-api-green run new tasks with the current secret values"
    )
    assert clock.sleeps == [15]


def test_a_failed_deployment_is_exit_1_with_ecs_reason(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 0))
    forced(stubber, "chat-prod-api-blue")
    reason = "ECS deployment circuit breaker: tasks failed to start."
    described(stubber, service("chat-prod-api-blue", 3, "FAILED", reason), names=["chat-prod-api-blue"])
    outcome, _, _ = run(client, wait=True)
    assert outcome == rotate_secrets.Outcome(1, f"deployment failed: chat-prod-api-blue: {reason}")


def test_the_wait_is_bounded(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 0))
    forced(stubber, "chat-prod-api-blue")
    for _ in range(3):
        described(stubber, service("chat-prod-api-blue", 3, "IN_PROGRESS"), names=["chat-prod-api-blue"])
    outcome, clock, _ = run(client, wait=True, timeout_seconds=30)
    assert outcome.code == 1 and clock.now == 30
    assert outcome.message.startswith(
        "timed out after 30 s (--timeout-seconds): chat-prod-api-blue IN_PROGRESS; ECS carries on: aws ecs wait"
    )


def test_no_colour_with_tasks_is_nothing_to_restart(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 0), service("chat-prod-api-green", 0))
    assert run(client, wait=True)[0] == rotate_secrets.Outcome(0, "no colour runs tasks: nothing to restart")


def test_a_missing_ecs_service_is_exit_2(ecs):
    client, stubber = ecs
    stubber.add_response(
        "describe_services",
        {
            "services": [service("chat-prod-api-blue", 3)],
            "failures": [{"arn": "chat-prod-api-green", "reason": "MISSING"}],
        },
        {"cluster": "chat-prod", "services": BOTH},
    )
    assert run(client, wait=False)[0] == rotate_secrets.Outcome(
        2, "no ECS service chat-prod-api-green in cluster chat-prod: deploy the stack first"
    )


def test_ecs_refusing_the_first_restart_is_exit_2_and_a_later_one_exit_1(ecs):
    client, stubber = ecs
    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 1))
    stubber.add_client_error("update_service", "AccessDeniedException", "not authorized to perform ecs:UpdateService")
    outcome, _, _ = run(client, wait=False)
    assert outcome.code == 2 and outcome.message.startswith("ECS refused to restart chat-prod-api-blue: ")

    described(stubber, service("chat-prod-api-blue", 3), service("chat-prod-api-green", 1))
    forced(stubber, "chat-prod-api-blue")
    stubber.add_client_error("update_service", "ThrottlingException", "Rate exceeded")
    outcome, _, _ = run(client, wait=False)
    assert outcome.code == 1
    assert outcome.message.endswith("Rate exceeded (chat-prod-api-blue already restarted)")


# -- main: outputs, region, credentials ---------------------------------------------------------


def write_outputs(tmp_path, outputs) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return str(path)


def main(capsys, argv, **kwargs) -> tuple[int, str, str]:
    code = rotate_secrets.main(argv, **kwargs)
    out, err = capsys.readouterr()
    return code, out, err


def test_main_reads_the_outputs_and_the_environment_s_region(ecs, capsys, tmp_path):
    client, stubber = ecs
    names = ["chat-prod-worker-blue", "chat-prod-worker-green"]
    described(stubber, service(names[0], 2), service(names[1], 0), names=names)
    forced(stubber, names[0])
    regions = []

    def clients(service_name, region):
        regions.append((service_name, region))
        return client

    code, out, err = main(
        capsys, ["prod", "worker", "--outputs-json", write_outputs(tmp_path, OUTPUTS)], clients=clients
    )
    assert (code, err, regions) == (0, "", [("ecs", "eu-west-1")])
    assert out.splitlines()[0] == "rotate-secrets: worker in cluster chat-prod (eu-west-1)"


@pytest.mark.parametrize(
    ("service_name", "outputs", "message"),
    [
        ("email", OUTPUTS, "unknown service 'email': the stack's outputs name api, worker"),
        (
            "api",
            {"vpc_id": {"value": "vpc-0123"}},
            "the stack's outputs lack ecs_cluster_name and <service>_ecs_services: apply the stack first "
            "(make deploy ENV=<env>)",
        ),
        (
            "api",
            {k: v for k, v in OUTPUTS.items() if k != "ecs_cluster_name"},
            "the stack's outputs lack ecs_cluster_name: apply the stack first (make deploy ENV=<env>)",
        ),
        (
            "api",
            {**OUTPUTS, "api_ecs_services": {"value": "chat-prod-api-blue"}},
            "output api_ecs_services: expected a map of colour to service, got 'chat-prod-api-blue'",
        ),
    ],
)
def test_unusable_outputs_are_exit_2_before_any_request(capsys, tmp_path, service_name, outputs, message):
    argv = ["prod", service_name, "--outputs-json", write_outputs(tmp_path, outputs)]
    code, out, err = main(capsys, argv, clients=no_client)
    assert (code, out, err) == (2, "", f"rotate-secrets: cannot run: {message}\n")


def test_missing_outputs_file_stack_or_environment_is_exit_2(capsys, tmp_path):
    absent = tmp_path / "absent.json"
    code, _, err = main(capsys, ["prod", "api", "--outputs-json", str(absent)], clients=no_client)
    assert code == 2 and err.startswith(f"rotate-secrets: cannot run: cannot read {absent}: ")
    code, _, err = main(capsys, ["prod", "api", "--stacks-dir", str(tmp_path)], clients=no_client)
    assert code == 2 and err == (
        f"rotate-secrets: cannot run: no synthesized stack at {tmp_path / 'chat-prod'}: run `make synth` and apply "
        "it (make deploy ENV=...)\n"
    )
    argv = ["prod", "api", "--outputs-json", write_outputs(tmp_path, OUTPUTS), "--environments-dir", str(tmp_path)]
    code, _, err = main(capsys, argv, clients=no_client)
    assert (code, err) == (2, f"rotate-secrets: cannot run: no environment file {tmp_path / 'prod.hcl'}\n")


def test_no_credentials_is_exit_2(capsys, no_credentials, tmp_path):
    code, _, err = main(capsys, ["prod", "api", "--outputs-json", write_outputs(tmp_path, OUTPUTS)])
    assert code == 2 and err.startswith("rotate-secrets: cannot run: no AWS credentials")
