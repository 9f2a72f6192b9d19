"""ops/db_bootstrap.py against botocore's Stubber (the ECS API model checks every request and
response shape; nothing leaves the machine): the run_task request, success, a failed SQL, a
task that never ran, a refused start, the bounded wait, and every reason it cannot run."""

from __future__ import annotations

import json
import os

import botocore.session
import pytest
from botocore.stub import Stubber

from ops.db_bootstrap import DEFAULT_TIMEOUT_SECONDS, AdminTask, main, run_admin_task
from ops.stack import Polling
from tests.ops.day_two import FakeClock

REGION = "eu-west-1"
TASK_DEFINITION = f"arn:aws:ecs:{REGION}:111122223333:task-definition/chat-prod-db-admin:3"
TASK_ARN = f"arn:aws:ecs:{REGION}:111122223333:task/chat-prod/0123456789abcdef0123456789abcdef"
OUTPUTS = {
    "ecs_cluster_name": {"sensitive": False, "type": "string", "value": "chat-prod"},
    "db_admin_task_definition_arn": {"sensitive": False, "type": "string", "value": TASK_DEFINITION},
    "db_admin_container_name": {"sensitive": False, "type": "string", "value": "psql"},
    "db_admin_subnet_ids": {
        "sensitive": False,
        "type": ["list", "string"],
        "value": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"],
    },
    "db_admin_security_group_id": {"sensitive": False, "type": "string", "value": "sg-0123456789abcdef0"},
    "db_admin_log_group_name": {"sensitive": False, "type": "string", "value": "/ecs/chat-prod/db-admin"},
    "database_master_secret_arn": {
        "sensitive": False,
        "type": "string",
        "value": f"arn:aws:secretsmanager:{REGION}:111122223333:secret:rds!db-1-AbCdEf",
    },
}
TASK = AdminTask.from_outputs(OUTPUTS)
RUN_TASK_REQUEST = {
    "cluster": "chat-prod",
    "taskDefinition": TASK_DEFINITION,
    "count": 1,
    "launchType": "FARGATE",
    "platformVersion": "LATEST",
    "networkConfiguration": {
        "awsvpcConfiguration": {
            "subnets": ["subnet-0a1b2c3d", "subnet-1a2b3c4d"],
            "securityGroups": ["sg-0123456789abcdef0"],
            "assignPublicIp": "DISABLED",
        }
    },
    "startedBy": "db-bootstrap",
}
DESCRIBE_REQUEST = {"cluster": "chat-prod", "tasks": [TASK_ARN]}


@pytest.fixture
def ecs():
    session = botocore.session.get_session()
    client = session.create_client(
        "ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def described(status: str, **extra) -> dict:
    return {"tasks": [{"taskArn": TASK_ARN, "lastStatus": status, **extra}], "failures": []}


def started(stubber: Stubber) -> None:
    stubber.add_response(
        "run_task", {"tasks": [{"taskArn": TASK_ARN, "lastStatus": "PROVISIONING"}], "failures": []}, RUN_TASK_REQUEST
    )


def run(client, timeout_seconds=DEFAULT_TIMEOUT_SECONDS):
    clock = FakeClock()
    said: list[str] = []
    polling = Polling(timeout_seconds, 5, clock=clock, sleep=clock.sleep)
    outcome = run_admin_task(TASK, client, polling=polling, say=said.append)
    return outcome, clock, said


def test_the_task_starts_on_demand_in_the_outputs_network_without_a_public_ip_and_succeeds(ecs):
    client, stubber = ecs
    started(stubber)
    stubber.add_response("describe_tasks", described("PENDING"), DESCRIBE_REQUEST)
    stubber.add_response("describe_tasks", described("RUNNING"), DESCRIBE_REQUEST)
    stubber.add_response(
        "describe_tasks",
        described("STOPPED", stopCode="EssentialContainerExited", containers=[{"name": "psql", "exitCode": 0}]),
        DESCRIBE_REQUEST,
    )
    outcome, clock, said = run(client)
    assert outcome.code == 0, outcome.message
    assert "psql exited 0" in outcome.message
    assert clock.sleeps == [5, 5]
    assert said[1:] == ["  PENDING", "  RUNNING", "  STOPPED"]


def test_a_failed_sql_exits_1_with_psql_s_exit_code_and_where_its_log_is(ecs):
    client, stubber = ecs
    started(stubber)
    stubber.add_response(
        "describe_tasks",
        described(
            "STOPPED",
            stopCode="EssentialContainerExited",
            stoppedReason="Essential container in task exited",
            containers=[{"name": "psql", "exitCode": 3}],
        ),
        DESCRIBE_REQUEST,
    )
    outcome, _, _ = run(client)
    assert outcome.code == 1
    assert "psql exited 3" in outcome.message and "Essential container in task exited" in outcome.message
    stream = "psql/psql/0123456789abcdef0123456789abcdef"
    assert f"log group /ecs/chat-prod/db-admin, stream {stream}" in outcome.message
    assert f"aws logs tail /ecs/chat-prod/db-admin --log-stream-names {stream} --region {REGION}" in outcome.message


def test_a_task_that_never_ran_psql_exits_1_with_the_stop_reason(ecs):
    client, stubber = ecs
    started(stubber)
    reason = "ResourceInitializationError: unable to pull secrets or registry auth"
    stubber.add_response(
        "describe_tasks",
        described(
            "STOPPED",
            stopCode="TaskFailedToStart",
            stoppedReason=reason,
            containers=[{"name": "psql", "reason": "CannotPullContainerError"}],
        ),
        DESCRIBE_REQUEST,
    )
    outcome, _, _ = run(client)
    assert outcome.code == 1
    assert "psql never ran" in outcome.message and reason in outcome.message
    assert "TaskFailedToStart" in outcome.message and "CannotPullContainerError" in outcome.message


def test_the_wait_is_bounded_and_a_task_still_running_is_stopped(ecs):
    client, stubber = ecs
    started(stubber)
    for _ in range(3):
        stubber.add_response("describe_tasks", described("RUNNING"), DESCRIBE_REQUEST)
    stubber.add_response(
        "stop_task",
        {"task": {"taskArn": TASK_ARN, "lastStatus": "RUNNING"}},
        {"cluster": "chat-prod", "task": TASK_ARN, "reason": "db-bootstrap waited 10 s"},
    )
    outcome, clock, _ = run(client, timeout_seconds=10)
    assert outcome.code == 1
    assert outcome.message.startswith(f"timed out: {TASK_ARN} had not stopped after 10 s")
    assert "stopped it" in outcome.message and "/ecs/chat-prod/db-admin" in outcome.message
    assert clock.now == 10


def test_ecs_refusing_the_task_is_exit_2(ecs):
    client, stubber = ecs
    stubber.add_client_error("run_task", "AccessDeniedException", "not authorized to perform ecs:RunTask")
    outcome, _, _ = run(client)
    assert outcome.code == 2 and "ECS refused" in outcome.message and "ecs:RunTask" in outcome.message


def test_a_start_failure_in_the_response_is_exit_2(ecs):
    client, stubber = ecs
    stubber.add_response(
        "run_task", {"tasks": [], "failures": [{"arn": TASK_DEFINITION, "reason": "MISSING"}]}, RUN_TASK_REQUEST
    )
    outcome, _, _ = run(client)
    assert outcome.code == 2 and "MISSING" in outcome.message


# -- main: outputs, credentials ---------------------------------------------------------------


def write_outputs(tmp_path, outputs) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return str(path)


def test_main_reads_the_outputs_file_and_uses_its_region(ecs, tmp_path, capsys):
    client, stubber = ecs
    started(stubber)
    stubber.add_response(
        "describe_tasks",
        described("STOPPED", stopCode="EssentialContainerExited", containers=[{"name": "psql", "exitCode": 0}]),
        DESCRIBE_REQUEST,
    )
    regions = []

    def factory(region):
        regions.append(region)
        return client

    assert main(["prod", "--outputs-json", write_outputs(tmp_path, OUTPUTS)], client_factory=factory) == 0
    assert regions == [REGION]
    assert "the bootstrap ran" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({k: v for k, v in OUTPUTS.items() if not k.startswith("db_admin")}, "lack db_admin_task_definition_arn"),
        ({}, "lack ecs_cluster_name"),
        ([], "expected a JSON object of outputs"),
        ({**OUTPUTS, "db_admin_subnet_ids": {"value": "subnet-0a1b2c3d"}}, "expected a list of subnet ids"),
        (
            {**OUTPUTS, "db_admin_task_definition_arn": {"value": "chat-prod-db-admin"}},
            "expected an ECS task definition ARN",
        ),
    ],
)
def test_unusable_outputs_are_exit_2_with_the_reason(tmp_path, capsys, outputs, message):
    def no_client(region):
        raise AssertionError("no AWS call without usable outputs")

    assert main(["prod", "--outputs-json", write_outputs(tmp_path, outputs)], client_factory=no_client) == 2
    err = capsys.readouterr().err
    assert err.startswith("db-bootstrap: cannot run:") and message in err


def test_a_missing_outputs_file_or_stack_or_terraform_is_exit_2(tmp_path, capsys, monkeypatch):
    assert main(["prod", "--outputs-json", str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["prod", "--stacks-dir", str(tmp_path)]) == 2
    assert "no synthesized stack at" in capsys.readouterr().err
    (tmp_path / "chat-prod").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["prod", "--stacks-dir", str(tmp_path)]) == 2
    assert "terraform is not on PATH" in capsys.readouterr().err


def test_no_credentials_is_exit_2_before_any_request(tmp_path, capsys, monkeypatch):
    for variable in list(os.environ):
        if variable.startswith("AWS_"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    # No instance metadata lookup: this test must not touch the network.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["prod", "--outputs-json", write_outputs(tmp_path, OUTPUTS)]) == 2
    assert "no AWS credentials" in capsys.readouterr().err
