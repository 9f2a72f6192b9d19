"""make rotate-cache-auth (ops/rotate_cache_auth.py) without Redis: the SSM command and the
Secrets Manager calls against botocore's Stubber (the API models check every request), the
state machine against a model of the nodes, and every reason it cannot run. The rotation on
six real redis-server processes is tests/redis_cluster/test_auth_rotation.py."""

from __future__ import annotations

import json
from dataclasses import replace

import botocore.session
import pytest
from botocore.stub import Stubber

from ops import rotate_cache_auth
from ops.rotate_cache_auth import AuthSecret, NodeResult, SsmNodeRunner, rotate
from ops.stack import Outcome, Polling
from tests.ops import day_two
from tests.ops.day_two import REGION, FakeClock, no_client
from tests.ops.fake_auth_secret import CURRENT, PENDING, PREVIOUS, FakeSecretsManager

no_credentials = day_two.no_credentials

ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-redis/redis-cluster/auth-AbCdEf"
INSTANCES = ["i-0a0a0a0a0a0a0a0a0", "i-0b0b0b0b0b0b0b0b0"]


def stubbed(service: str):
    client = botocore.session.get_session().create_client(
        service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    return client, Stubber(client)


# -- SSM Run Command ---------------------------------------------------------------------------


def test_each_step_is_one_run_shell_script_command_to_the_nodes_by_instance_id():
    ssm, stubber = stubbed("ssm")
    stubber.add_response(
        "send_command",
        {"Command": {"CommandId": "c0ffee00-0000-4000-8000-000000000001"}},
        {
            "InstanceIds": INSTANCES,
            "DocumentName": "AWS-RunShellScript",
            "Comment": "rotate-cache-auth: auth.sh open",
            "Parameters": {"commands": ["/opt/redis-cluster/auth.sh open"]},
            "TimeoutSeconds": 300,
        },
    )
    command = "c0ffee00-0000-4000-8000-000000000001"
    # The first node has the command at once; the second not yet delivered, then done.
    stubber.add_response(
        "get_command_invocation",
        {"Status": "Success", "StandardOutputContent": "", "StandardErrorContent": "accepts both"},
        {"CommandId": command, "InstanceId": INSTANCES[0]},
    )
    stubber.add_client_error(
        "get_command_invocation",
        "InvocationDoesNotExist",
        expected_params={"CommandId": command, "InstanceId": INSTANCES[1]},
    )
    stubber.add_response(
        "get_command_invocation",
        {"Status": "Failed", "StandardOutputContent": "", "StandardErrorContent": "ERROR: ACL SETUSER default refused"},
        {"CommandId": command, "InstanceId": INSTANCES[1]},
    )
    clock = FakeClock()
    with stubber:
        polling = replace(rotate_cache_auth.NODE_COMMAND_POLLING, clock=clock, sleep=clock.sleep)
        results = SsmNodeRunner(ssm, INSTANCES, polling=polling).run("open")
        stubber.assert_no_pending_responses()
    assert results == {
        INSTANCES[0]: NodeResult(True, "", "accepts both"),
        INSTANCES[1]: NodeResult(False, "", "ERROR: ACL SETUSER default refused"),
    }
    assert clock.sleeps == [3.0]


def test_a_node_that_never_answers_is_a_failure_after_the_bound():
    ssm, stubber = stubbed("ssm")
    command = "c0ffee00-0000-4000-8000-000000000002"
    stubber.add_response("send_command", {"Command": {"CommandId": command}})
    for _ in range(3):
        stubber.add_response("get_command_invocation", {"Status": "InProgress"})
    clock = FakeClock()
    with stubber:
        runner = SsmNodeRunner(ssm, INSTANCES[:1], polling=Polling(60, 30, clock=clock, sleep=clock.sleep))
        results = runner.run("check")
    assert results == {INSTANCES[0]: NodeResult(False, "", "no answer within 60 s")}


def test_ssm_refusing_the_command_fails_every_node_with_the_reason():
    ssm, stubber = stubbed("ssm")
    stubber.add_client_error("send_command", "InvalidInstanceId", "Instances not in a valid state")
    with stubber:
        results = SsmNodeRunner(ssm, INSTANCES).run("open")
    assert all(
        not r.ok and "SSM refused the command" in r.error and "InvalidInstanceId" in r.error for r in results.values()
    )


# -- Secrets Manager -----------------------------------------------------------------------------


def test_the_secret_calls_match_the_secrets_manager_model():
    # Version ids are UUIDs (32 to 64 characters in the model).
    v0, v1 = "00000000-0000-4000-8000-000000000000", "11111111-1111-4111-8111-111111111111"
    secretsmanager, stubber = stubbed("secretsmanager")
    stubber.add_response(
        "get_random_password",
        {"RandomPassword": "A" * 64},
        {"PasswordLength": 64, "ExcludePunctuation": True, "IncludeSpace": False},
    )
    stubber.add_response(
        "put_secret_value",
        {"ARN": ARN, "VersionId": v1, "VersionStages": [PENDING]},
        {"SecretId": ARN, "ClientRequestToken": stub_any(), "SecretString": "A" * 64, "VersionStages": [PENDING]},
    )
    stubber.add_response(
        "update_secret_version_stage",
        {"ARN": ARN},
        {"SecretId": ARN, "VersionStage": CURRENT, "MoveToVersionId": v1, "RemoveFromVersionId": v0},
    )
    stubber.add_response(
        "update_secret_version_stage",
        {"ARN": ARN},
        {"SecretId": ARN, "VersionStage": PENDING, "RemoveFromVersionId": v1},
    )
    secret = AuthSecret(secretsmanager, ARN)
    with stubber:
        version = secret.stage_new_password(64)
        secret.promote(v1, v0)
        secret.drop_pending(v1)
        stubber.assert_no_pending_responses()
    assert len(version) == 36, "a UUID: Secrets Manager's ClientRequestToken takes 32 to 64 characters"


def stub_any():
    from botocore.stub import ANY

    return ANY


# -- the state machine, against a model of auth.sh -------------------------------------------------


class ModelNodes:
    """What node/auth.sh does, per node, reading the fake secret's labels (the real script runs in
    tests/redis_cluster/test_auth_rotation.py); `reopens`: node -> how many of its closes are
    undone at once (the node restarted while AWSPENDING was still there and accepts AWSPREVIOUS)."""

    def __init__(self, store: FakeSecretsManager, count: int = 3, reopens: dict[str, int] | None = None) -> None:
        self.store = store
        self.accepted = {f"node-{n}": {store.value_of(CURRENT)} for n in range(count)}
        self.steps: list[str] = []
        self.reopens = dict(reopens or {})

    def window(self) -> set[str]:
        current, pending, previous = (self.store.value_of(label) for label in (CURRENT, PENDING, PREVIOUS))
        other = pending if pending != current else previous
        return {current} | ({other} if pending and other else set())

    def run(self, step: str) -> dict[str, NodeResult]:
        self.steps.append(step)
        results = {}
        for node, accepted in self.accepted.items():
            if step == "open":
                accepted.clear()
                accepted.update(self.window())
            elif step == "close":
                accepted.clear()
                accepted.add(self.store.value_of(CURRENT))
                if self.reopens.get(node, 0) > 0:
                    self.reopens[node] -= 1
                    accepted.add(self.store.value_of(PREVIOUS))
            lines = [
                f"{label} {'accepted' if self.store.value_of(label) in accepted else 'refused'}"
                for label in (CURRENT, PENDING, PREVIOUS)
                if self.store.value_of(label)
            ]
            results[node] = NodeResult(True, "\n".join([*lines, "cluster_state ok"]) if step == "check" else "")
        return results


def test_a_pending_value_with_punctuation_is_refused_before_any_node_is_touched():
    store = FakeSecretsManager(ARN, "a" * 64, generated=lambda: "with:punctuation")
    nodes = ModelNodes(store)
    outcome = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, ""), password_length=64, say=lambda _: None)
    assert outcome.code == 2 and "is not letters and digits only" in outcome.message
    assert "--remove-from-version-id" in outcome.message
    assert nodes.steps == [] and store.value_of(CURRENT) == "a" * 64


def test_the_steps_run_in_order_and_a_rerun_of_a_finished_rotation_starts_a_new_one():
    store = FakeSecretsManager(ARN, "a" * 64)
    nodes = ModelNodes(store)
    restarts = []

    def restart_services() -> Outcome:
        restarts.append(store.value_of(CURRENT))
        return Outcome(0, "restarted")

    first = rotate(AuthSecret(store, ARN), nodes, restart_services, password_length=64, say=lambda _: None)
    assert first.code == 0, first.message
    assert nodes.steps == ["open", "check", "replicate", "close", "check"]
    assert restarts == [store.value_of(CURRENT)] and store.value_of(PREVIOUS) == "a" * 64
    assert store.value_of(PENDING) is None

    second = rotate(AuthSecret(store, ARN), nodes, restart_services, password_length=64, say=lambda _: None)
    assert second.code == 0 and len(store.random_password_requests) == 2


def test_a_node_accepting_the_old_password_after_the_close_is_closed_again():
    store = FakeSecretsManager(ARN, "a" * 64)
    nodes = ModelNodes(store, reopens={"node-1": 1})  # rebooted before the label was removed
    outcome = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, ""), password_length=64, say=lambda _: None)
    assert outcome.code == 0, outcome.message
    assert nodes.steps == ["open", "check", "replicate", "close", "check", "close", "check"]
    assert nodes.accepted["node-1"] == {store.value_of(CURRENT)}


def test_a_node_that_stays_open_after_closing_again_is_exit_1():
    store = FakeSecretsManager(ARN, "a" * 64)
    nodes = ModelNodes(store, reopens={"node-2": 2})
    outcome = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, ""), password_length=64, say=lambda _: None)
    assert outcome.code == 1 and "node-2: AWSPREVIOUS accepted" in outcome.message
    assert outcome.message.endswith("run the command again (a new rotation, which ends closed)")


# -- the command -------------------------------------------------------------------------------------


def outputs(**changes) -> dict:
    values = {
        "ecs_cluster_name": "chat-redis",
        "api_ecs_services": {"blue": "chat-redis-api-blue", "green": "chat-redis-api-green"},
        "realtime_ecs_services": {"blue": "chat-redis-realtime-blue", "green": "chat-redis-realtime-green"},
        "redis_cluster_auth_secret_arn": ARN,
        "redis_cluster_instance_ids": INSTANCES,
        **changes,
    }
    return {name: {"sensitive": False, "value": value} for name, value in values.items() if value is not None}


def run_main(capsys, tmp_path, argv, outputs_body, **kwargs) -> tuple[int, str, str]:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_body))
    code = rotate_cache_auth.main([*argv, "--outputs-json", str(path), "--environments-dir", "examples"], **kwargs)
    out, err = capsys.readouterr()
    return code, out, err


class FakeEcs:
    """ECS as rotate_secrets.restart sees it: every colour runs tasks; each new deployment completes,
    unless `failing`."""

    def __init__(self, failing: str = "") -> None:
        self.failing = failing
        self.restarted: list[str] = []

    def describe_services(self, cluster: str, services: list[str]) -> dict:
        state = lambda name: "FAILED" if name == self.failing else "COMPLETED"  # noqa: E731
        return {
            "services": [
                {
                    "serviceName": name,
                    "status": "ACTIVE",
                    "desiredCount": 2,
                    "deployments": [
                        {"status": "PRIMARY", "rolloutState": state(name), "rolloutStateReason": "tasks failed"}
                    ],
                }
                for name in services
            ]
        }

    def update_service(self, cluster: str, service: str, forceNewDeployment: bool) -> dict:
        self.restarted.append(service)
        return {}


def test_main_rotates_and_restarts_the_cache_clients_of_stacks_redis_cluster(capsys, tmp_path):
    store = FakeSecretsManager(ARN, "a" * 64)
    ecs = FakeEcs()
    clients = {"secretsmanager": store, "ecs": ecs}
    nodes = ModelNodes(store)
    code, out, err = run_main(
        capsys, tmp_path, ["redis-cluster"], outputs(), clients=lambda s, r: clients[s], node_runner=nodes
    )
    assert (code, err) == (0, ""), err
    assert out.splitlines()[0] == f"rotate-cache-auth: {ARN} on 2 nodes (eu-west-1)"
    assert ecs.restarted == [
        "chat-redis-api-blue",
        "chat-redis-api-green",
        "chat-redis-realtime-blue",
        "chat-redis-realtime-green",
    ]
    assert store.random_password_requests == [{"PasswordLength": 64, "ExcludePunctuation": True, "IncludeSpace": False}]


def test_main_stops_with_exit_1_when_a_service_does_not_restart_and_closes_nothing(capsys, tmp_path):
    store = FakeSecretsManager(ARN, "a" * 64)
    clients = {"secretsmanager": store, "ecs": FakeEcs(failing="chat-redis-api-green")}
    nodes = ModelNodes(store)
    code, _, err = run_main(
        capsys, tmp_path, ["redis-cluster"], outputs(), clients=lambda s, r: clients[s], node_runner=nodes
    )
    assert code == 1 and "chat-redis-api-green: tasks failed" in err and "nothing was closed" in err
    assert "close" not in nodes.steps and store.value_of(PENDING) == store.value_of(CURRENT)


@pytest.mark.parametrize(
    ("environment", "body", "message"),
    [
        ("nowhere", outputs(), "no environment file examples/nowhere.hcl"),
        (
            "isolated",
            outputs(),
            'examples/isolated.hcl: cache_backend is "elasticache": only a Redis Cluster (cache_backend = '
            '"redis_cluster") has an AUTH password this command rotates',
        ),
        (
            "redis-cluster",
            outputs(redis_cluster_auth_secret_arn=None, redis_cluster_instance_ids=None),
            "the stack's outputs: redis_cluster_auth_secret_arn: expected the secret's ARN, got None; "
            "redis_cluster_instance_ids: expected a list of instance ids, got None (apply the stack first: "
            "make deploy ENV=<env>)",
        ),
        (
            "redis-cluster",
            outputs(realtime_ecs_services=None),
            "unknown service 'realtime': the stack's outputs name api",
        ),
    ],
)
def test_bad_input_is_exit_2_with_the_reason_and_no_request(capsys, tmp_path, environment, body, message):
    code, out, err = run_main(capsys, tmp_path, [environment], body, clients=no_client)
    assert (code, out, err) == (2, "", f"rotate-cache-auth: cannot run: {message}\n")


def test_no_credentials_is_exit_2_with_the_reason(capsys, tmp_path, no_credentials):
    code, out, err = run_main(capsys, tmp_path, ["redis-cluster"], outputs())
    assert (code, out) == (2, "") and err.startswith("rotate-cache-auth: cannot run: no AWS credentials")
    assert "Traceback" not in err


def test_secrets_manager_refusing_is_exit_2_before_staging_and_exit_1_after():
    secretsmanager, stubber = stubbed("secretsmanager")
    stubber.add_client_error("describe_secret", "AccessDeniedException", "not authorized")
    nodes = ModelNodes(FakeSecretsManager(ARN, "a" * 64))
    with stubber:
        refused = rotate(AuthSecret(secretsmanager, ARN), nodes, no_restart, password_length=64, say=lambda _: None)
    assert refused.code == 2 and "AccessDeniedException" in refused.message and nodes.steps == []

    v1 = "11111111-1111-4111-8111-111111111111"
    stubber.add_response("describe_secret", {"ARN": ARN, "VersionIdsToStages": {v1: [CURRENT]}})
    stubber.add_response("get_random_password", {"RandomPassword": "b" * 64})
    stubber.add_response("put_secret_value", {"ARN": ARN, "VersionStages": [PENDING]})
    stubber.add_client_error("get_secret_value", "InternalServiceError", "try again")
    with stubber:
        half = rotate(AuthSecret(secretsmanager, ARN), nodes, no_restart, password_length=64, say=lambda _: None)
    assert half.code == 1 and "after staging AWSPENDING" in half.message and nodes.steps == []


def no_restart() -> Outcome:
    raise AssertionError("no service restart expected")


def test_only_a_redis_cluster_stack_outputs_the_secret_and_the_nodes_the_command_reads(synth_outdir, stack_configs):
    read = {rotate_cache_auth.AUTH_SECRET_OUTPUT, rotate_cache_auth.INSTANCE_IDS_OUTPUT}
    seen = {}
    for name, config in stack_configs.items():
        document = json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        outputs = document.get("output", {})
        seen[name] = read <= outputs.keys()
        assert seen[name] or not read & outputs.keys(), name
        if seen[name]:
            assert outputs["redis_cluster_auth_secret_arn"]["value"].startswith("${aws_secretsmanager_secret.")
            instances = outputs["redis_cluster_instance_ids"]["value"]
            assert len(instances) == 6 and all(i.startswith("${aws_instance.redis_cluster_node_") for i in instances)
    assert seen == {name: config.cache_backend == "redis_cluster" for name, config in stack_configs.items()}
    assert any(seen.values()), "no stack with a Redis Cluster: the check reads nothing"
