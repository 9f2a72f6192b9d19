"""Project checks CKV_CHAT_65-67 (WebSocket stages log each request's id, connection, route
and status, and throttle; API Gateway v2 domains refuse TLS before 1.2): each over its
passing and failing fixture stacks, resource by resource, and the websocket_api module's
own output through all of them.

checkov already judges that a stage has an access-log destination (CKV_AWS_76); these
checks cover what it misses."""

from __future__ import annotations

import pytest

from tests.gate.fixture_gate import (
    FIXTURES,
    by_resource,
    fixture_stacks,
    project_check_ids,
    run_gate,
    waived_checks,
)

CHECK_IDS = ("CKV_CHAT_65", "CKV_CHAT_66", "CKV_CHAT_67")
STACKS = fixture_stacks(CHECK_IDS)
MODULE_STACKS = ("websocket-prod", "websocket-dev")
ACCOUNT = "111122223333"
CERTIFICATE = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/websocket_api writes, in a protected and a development stack."""
    from modules.websocket_api import WebSocketApi, WebSocketApiProps

    def build(name, deletion_protection, retention):
        props = WebSocketApiProps(
            name=name,
            region="eu-west-1",
            account_id=ACCOUNT,
            vpc_id="vpc-0a1b2c3d",
            subnet_ids=("subnet-0a1b2c3d", "subnet-0a1b2c3e"),
            certificate_arn=CERTIFICATE,
            host_name=f"ws.{name}.chat.example.com",
            service_port=3000,
            log_retention_days=retention,
            deletion_protection=deletion_protection,
        )
        return synth_scratch(lambda stack: WebSocketApi(stack, "websocket_api", props=props)).document

    return {"websocket-prod": build("chat-prod", True, 365), "websocket-dev": build("chat-dev", False, 30)}


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    """The gate over this file's fixture stacks and the two module stacks (one checkov run)."""
    return run_gate(tmp_path_factory, "websocket", STACKS, module_stacks)


def test_every_websocket_check_is_a_file_with_fixtures():
    # The ids 65-69 are this file's.
    assert project_check_ids(65, 69) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        (
            "CKV_CHAT_65",
            ["ws_live", "http_live"],  # an HTTP API's stage has no connections to log
            ["common_log_format", "without_connection", "not_logged"],
        ),
        ("CKV_CHAT_66", ["ws_live", "http_live"], ["unthrottled", "rate_only", "zero_burst"]),
        ("CKV_CHAT_67", ["tls12"], ["tls10"]),
    ],
)
def test_project_check_on_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    stack = f"chat-{check_id.rsplit('_', 1)[1]}"
    assert by_resource(findings, f"{stack}-pass", check_id) == dict.fromkeys(passing, "passed")
    assert by_resource(findings, f"{stack}-fail", check_id) == dict.fromkeys(failing, "failed")


def test_checkov_judges_that_a_stage_logs_at_all(results):
    """What CKV_CHAT_65 leaves to checkov: CKV_AWS_76 fails a stage without a destination."""
    _, findings = results
    assert by_resource(findings, "chat-65-fail", "CKV_AWS_76")["not_logged"] == "failed"


def test_the_modules_api_passes_every_check(results):
    report, findings = results
    for stack in MODULE_STACKS:
        outcome = next(s for s in report.stacks if s.name == stack)
        assert outcome.failed == [] and outcome.stale_waivers == [], stack
        ran = {f["check_id"] for f in findings["passed_checks"] if f["file_path"] == f"/{stack}/cdk.tf.json"}
        assert {*CHECK_IDS, "CKV_AWS_76"} <= ran, (stack, sorted({*CHECK_IDS, "CKV_AWS_76"} - ran))


def test_only_the_development_api_waives_deletion_protection_and_audit_retention(results):
    report, _ = results
    waived = {stack: waived_checks(report, stack) for stack in MODULE_STACKS}
    assert {"CKV_AWS_150", "CKV_AWS_338"} <= waived["websocket-dev"]
    assert not {"CKV_AWS_150", "CKV_AWS_338"} & waived["websocket-prod"]
    # Both: the NLB's TCP listeners (no access logs, no redirect), the PrivateLink backend
    # (no client certificate) and the routes (authorizers on $connect only, done by the service).
    for stack in MODULE_STACKS:
        assert {"CKV_AWS_91", "CKV2_AWS_20", "CKV2_AWS_51", "CKV_AWS_309"} <= waived[stack]
