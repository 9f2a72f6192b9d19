"""The project rules as pure functions (gate/rules), without checkov: the registry, each rule
over its own fixture stacks, both shapes of attributes, and the whole-stack rules with and
without the stack (a plan scan gives them none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.rules import RULES, RULES_BY_ID, Resource, Stack, Verdict
from gate.rules.model import RuleRegistry
from gate.rules.policies import denies_insecure_transport, policy_statements
from gate.run import GateCannotRun, judge_stack_rules

FIXTURES = Path(__file__).parent / "fixtures"
# checkov's CheckCategories members (checkov 3.3); the adapter looks each rule's up by name.
CHECKOV_CATEGORIES = {
    "LOGGING",
    "ENCRYPTION",
    "GENERAL_SECURITY",
    "NETWORKING",
    "IAM",
    "BACKUP_AND_RECOVERY",
    "CONVENTION",
    "SECRETS",
}


def fixture_documents(rule_id: str, outcome: str) -> dict[str, dict]:
    """{fixture name: stack document} of chat-<n>-<outcome>[-<case>]."""
    number = rule_id.rsplit("_", 1)[1]
    return {
        path.name: json.loads((path / "cdk.tf.json").read_text())
        for path in sorted(FIXTURES.glob(f"chat-{number}-{outcome}*"))
    }


def verdicts(rule_id: str, document: dict) -> dict[tuple[str, str], Verdict]:
    """{(type, block): verdict} of one rule over one stack document, as the gate's stack pass calls it."""
    rule, stack = RULES_BY_ID[rule_id], Stack(document)
    return {
        (resource_type, name): rule.judge(Resource(resource_type, name, conf), stack)
        for resource_type in rule.resource_types
        for name, conf in stack.resources(resource_type).items()
    }


# -- the registry ---------------------------------------------------------------------------


def test_every_rule_is_described_once_with_its_id_name_types_and_reason():
    assert len(RULES) == len(RULES_BY_ID) == 39
    assert [rule.number for rule in RULES] == sorted(rule.number for rule in RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.id.startswith("CKV_CHAT_") and rule.resource_types and rule.category in CHECKOV_CATEGORIES
        assert all(t.startswith("aws_") for t in rule.resource_types), rule.id
        assert len(rule.why) >= 80, f"{rule.id}: the predicate's docstring says why the rule exists"


def test_the_registry_refuses_a_second_rule_of_an_id_and_a_rule_without_a_reason():
    registry = RuleRegistry()
    declare = registry.resource_rule(id="CKV_CHAT_900", name="n", resource_types=("aws_vpc",), category="NETWORKING")

    def documented(resource):
        """Why."""
        return Verdict.PASSED

    def undocumented(resource):
        return Verdict.PASSED

    declare(documented)
    with pytest.raises(ValueError, match="CKV_CHAT_900 is registered twice"):
        declare(documented)
    with pytest.raises(ValueError, match="needs a docstring"):
        registry.resource_rule(id="CKV_CHAT_901", name="n", resource_types=("aws_vpc",), category="IAM")(undocumented)


def test_a_rule_refuses_a_resource_it_does_not_judge():
    with pytest.raises(ValueError, match="CKV_CHAT_2 judges aws_flow_log, not aws_vpc"):
        RULES_BY_ID["CKV_CHAT_2"].judge(Resource("aws_vpc", "this", {}))


# -- each rule over its fixtures, without checkov ---------------------------------------------


@pytest.mark.parametrize("rule_id", [rule.id for rule in RULES])
def test_each_rule_passes_its_passing_fixtures_and_fails_its_failing_ones(rule_id):
    passing, failing = fixture_documents(rule_id, "pass"), fixture_documents(rule_id, "fail")
    assert passing and failing, f"{rule_id}: a chat-<n>-pass and a chat-<n>-fail fixture each"
    for name, document in passing.items():
        found = verdicts(rule_id, document)
        assert Verdict.PASSED in found.values(), name
        assert Verdict.FAILED not in found.values(), (name, found)
    for name, document in failing.items():
        assert Verdict.FAILED in verdicts(rule_id, document).values(), name


def test_a_subnet_list_unknown_until_apply_is_not_judged():
    (document,) = fixture_documents("CKV_CHAT_1", "unknown").values()
    assert set(verdicts("CKV_CHAT_1", document).values()) == {Verdict.UNKNOWN}


# -- attributes as checkov shapes them, and as the stack writes them ----------------------------


@pytest.mark.parametrize(
    ("rule_id", "resource_type", "written", "verdict"),
    [
        ("CKV_CHAT_2", "aws_flow_log", {"traffic_type": "ALL"}, Verdict.PASSED),
        ("CKV_CHAT_2", "aws_flow_log", {"traffic_type": "REJECT"}, Verdict.FAILED),
        (
            "CKV_CHAT_3",
            "aws_security_group",
            {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", "from_port": 22, "to_port": 22}]},
            Verdict.FAILED,
        ),
        (
            "CKV_CHAT_3",
            "aws_security_group",
            {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", "from_port": 443, "to_port": 443}]},
            Verdict.PASSED,
        ),
        ("CKV_CHAT_33", "aws_elasticache_replication_group", {"transit_encryption_enabled": True}, Verdict.FAILED),
        ("CKV_CHAT_62", "aws_dynamodb_table", {"tags": {"DeletionProtection": "false"}}, Verdict.PASSED),
        ("CKV_CHAT_62", "aws_dynamodb_table", {"tags": {"team": "chat"}}, Verdict.FAILED),
    ],
)
def test_a_rule_answers_the_same_for_checkovs_wrapped_values(rule_id, resource_type, written, verdict):
    def wrapped(raw):
        # checkov: each value in a one-element list, a nested block's too
        if isinstance(raw, dict):
            return {key: [wrapped(item)] for key, item in raw.items()}
        if isinstance(raw, list):
            return [wrapped(item) for item in raw]
        return raw

    rule = RULES_BY_ID[rule_id]
    assert rule.judge(Resource(resource_type, "this", written)) is verdict
    assert rule.judge(Resource(resource_type, "this", wrapped(written))) is verdict


# -- whole-stack rules: with the stack, and as a plan scan calls them (no stack) ---------------


DENY_PLAIN_HTTP = {
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
}


def test_whole_stack_rules_judge_what_the_resource_shows_without_the_stack():
    dlq = RULES_BY_ID["CKV_CHAT_20"]
    assert dlq.reads_stack
    assert dlq.judge(Resource("aws_sqs_queue", "q", {"redrive_policy": ["{}"]}), None) is Verdict.PASSED
    assert dlq.judge(Resource("aws_sqs_queue", "q", {"name": ["q"]}), None) is Verdict.UNKNOWN
    tls = RULES_BY_ID["CKV_CHAT_21"]
    assert tls.judge(Resource("aws_sqs_queue_policy", "p", {"policy": [DENY_PLAIN_HTTP]}), None) is Verdict.PASSED
    assert tls.judge(Resource("aws_sqs_queue", "q", {"name": ["q"]}), None) is Verdict.UNKNOWN
    stage = Resource("aws_apigatewayv2_stage", "live", {"api_id": "${aws_apigatewayv2_api.ws.id}"})
    assert RULES_BY_ID["CKV_CHAT_66"].judge(stage, None) is Verdict.UNKNOWN
    attachment = Resource("aws_volume_attachment", "a", {"volume_id": "${aws_ebs_volume.data.id}"})
    assert RULES_BY_ID["CKV_CHAT_73"].judge(attachment, None) is Verdict.UNKNOWN


def test_whole_stack_rules_follow_references_through_the_stack():
    stack = Stack(
        {
            "resource": {
                "aws_apigatewayv2_api": {"ws": {"protocol_type": "WEBSOCKET"}, "http": {"protocol_type": "HTTP"}},
                "aws_sqs_queue": {"q": {"name": "q"}, "dlq": {"name": "dlq", "redrive_allow_policy": "{}"}},
                "aws_sqs_queue_policy": {"p": {"queue_url": "${aws_sqs_queue.q.url}", "policy": DENY_PLAIN_HTTP}},
            }
        }
    )
    throttle = RULES_BY_ID["CKV_CHAT_66"]
    unthrottled = {"default_route_settings": {"throttling_rate_limit": 10}}
    ws_stage = Resource("aws_apigatewayv2_stage", "s", {"api_id": "${aws_apigatewayv2_api.ws.id}", **unthrottled})
    http_stage = Resource("aws_apigatewayv2_stage", "s", {"api_id": "${aws_apigatewayv2_api.http.id}", **unthrottled})
    assert throttle.judge(ws_stage, stack) is Verdict.FAILED
    assert throttle.judge(http_stage, stack) is Verdict.PASSED  # an HTTP API's stage is not the rule's
    queue = Resource("aws_sqs_queue", "q", {"name": "q"})
    assert RULES_BY_ID["CKV_CHAT_21"].judge(queue, stack) is Verdict.PASSED  # by its queue policy
    assert RULES_BY_ID["CKV_CHAT_20"].judge(queue, stack) is Verdict.FAILED  # no redrive, nobody's DLQ


def test_policies_are_read_from_documents_json_strings_and_plans():
    stack = Stack(json.loads((FIXTURES / "chat-21-pass" / "cdk.tf.json").read_text()))
    from_document = policy_statements("${data.aws_iam_policy_document.queue_policy.json}", stack)
    for statements in (from_document, policy_statements(DENY_PLAIN_HTTP, None)):
        assert denies_insecure_transport(statements, "sqs")
        assert not denies_insecure_transport(statements, "s3")
    # Unknown until apply, or a document the scan cannot see: not judged.
    assert policy_statements("data.aws_iam_policy_document.queue_policy.json", None) is None
    assert policy_statements("${data.aws_iam_policy_document.queue_policy.json}", None) is None


def test_a_whole_stack_rule_that_breaks_stops_the_gate_with_where_and_why(tmp_path):
    # Planted: a queue whose attributes are not an object (no synthesizer writes that).
    (tmp_path / "chat-x").mkdir()
    (tmp_path / "chat-x" / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_sqs_queue": {"q": ["oops"]}}}))
    with pytest.raises(GateCannotRun, match=r"CKV_CHAT_20 \(queue_dead_letter_queue\) could not judge aws_sqs_queue.q"):
        judge_stack_rules({"chat-x": tmp_path / "chat-x" / "cdk.tf.json"})


# -- CKV_CHAT_41: a protected environment's recovery points are copied to another region --------


@pytest.mark.parametrize(
    ("fixture", "verdict"),
    [
        ("chat-41-pass", Verdict.PASSED),  # by a referenced vault's provider, and by a literal ARN
        ("chat-41-pass-unprotected", Verdict.PASSED),  # nothing deletion-protected: disposable data
        ("chat-41-fail", Verdict.FAILED),  # protected, no copy at all
        ("chat-41-fail-one-rule", Verdict.FAILED),  # protected by prevent_destroy; the weekly rule copies nothing
        ("chat-41-fail-same-region", Verdict.FAILED),  # copies, but into the plan's own region
    ],
)
def test_region_copy_rule_reads_protection_and_each_rules_destination_region(fixture, verdict):
    document = json.loads((FIXTURES / fixture / "cdk.tf.json").read_text())
    assert verdicts("CKV_CHAT_41", document) == {("aws_backup_plan", "plan"): verdict}


def test_region_copy_rule_does_not_judge_what_it_cannot_read():
    document = json.loads((FIXTURES / "chat-41-pass" / "cdk.tf.json").read_text())
    rule, plan = RULES_BY_ID["CKV_CHAT_41"], document["resource"]["aws_backup_plan"]["plan"]
    assert rule.judge(Resource("aws_backup_plan", "plan", plan), None) is Verdict.UNKNOWN  # a plan scan
    document["provider"]["aws"][1]["region"] = "${var.copy_region}"  # the copy vault's region unknown
    assert rule.judge(Resource("aws_backup_plan", "plan", plan), Stack(document)) is Verdict.UNKNOWN
