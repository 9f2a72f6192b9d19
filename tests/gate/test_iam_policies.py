"""IAM policies linted by parliament (gate/iam_policies.py): every statement of every policy
document in every synthesized stack, with the accepted findings of gate/iam_accepted.py;
a planted bad policy is found in a synthesized stack; the wrapper trusts no exit code or
output it has not checked, and a missing parliament is a skip with its reason."""

from __future__ import annotations

import json
import stat

import pytest

from gate.aws_model import find_stacks
from gate.iam_accepted import ACCEPTED, Acceptance
from gate.iam_policies import (
    DEFAULT_PARLIAMENT_PYTHON,
    ParliamentCannotRun,
    UnknownReference,
    lint_stacks,
    placeholder,
    policy_documents,
    render,
    render_policy_document,
    run_parliament,
)


@pytest.fixture(scope="module")
def parliament():
    try:
        run_parliament({"probe": {"Version": "2012-10-17", "Statement": []}})
    except ParliamentCannotRun as error:
        pytest.skip(f"parliament NOT RUN: {error}")
    return DEFAULT_PARLIAMENT_PYTHON


def test_every_policy_statement_of_every_stack_passes_parliament(parliament, synth_outdir, stack_configs):
    report = lint_stacks(find_stacks(synth_outdir / "stacks"))
    print(render(report))
    assert report.ok, render(report)
    assert sorted(report.per_stack) == sorted(c.stack_name for c in stack_configs.values())
    assert all(count >= 30 for count in report.per_stack.values()), report.per_stack
    assert report.statements > 500
    assert all(len(reason) >= 40 for _, reason in report.accepted)


def test_the_websocket_logging_role_finds_log_groups_on_the_form_aws_evaluates(synth_outdir, stack_configs):
    (stack,) = [c.stack_name for c in stack_configs.values() if c.stack_name.endswith("apigw")]
    document = json.loads((synth_outdir / "stacks" / stack / "cdk.tf.json").read_text())
    statements = [
        statement
        for source in policy_documents(stack, document)
        for statement in source.policy["Statement"]
        if statement.get("Sid") == "FindApiGatewayLogGroups"
    ]
    assert statements == [
        {
            "Sid": "FindApiGatewayLogGroups",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "arn:aws:logs:eu-west-1:123456789012:log-group:*",
        }
    ]


@pytest.fixture(scope="module")
def planted_stacks(synth_scratch, tmp_path_factory):
    """A scratch stack with a grant on an action that does not exist, a grant on a resource
    of the wrong form (through a reference), and an inline queue policy with a typo."""
    from bindings.aws.cloudwatch_log_group import CloudwatchLogGroup
    from bindings.aws.iam_role import IamRole
    from bindings.aws.iam_role_policy import IamRolePolicy
    from bindings.aws.sqs_queue import SqsQueue
    from bindings.aws.sqs_queue_policy import SqsQueuePolicy

    from modules.common.policy import policy_document, policy_statement

    def build(stack):
        group = CloudwatchLogGroup(stack, "group", name="/chat/planted")
        queue = SqsQueue(stack, "queue", name="planted")
        trust = policy_document(
            stack,
            "trust",
            [
                policy_statement(
                    "EcsAssumesRole", ["sts:AssumeRole"], principal=("Service", ["ecs-tasks.amazonaws.com"])
                )
            ],
        )
        grants = policy_document(
            stack,
            "grants",
            [
                policy_statement("PlantedMissingAction", ["s3:GetObjectz"], ["arn:aws:s3:::planted/*"]),
                policy_statement("PlantedWrongForm", ["logs:DescribeLogGroups"], [group.arn]),
                policy_statement("PlantedQueueOnBucket", ["sqs:SendMessage"], ["arn:aws:s3:::planted"]),
                policy_statement("FineQueueGrant", ["sqs:SendMessage"], [queue.arn]),
            ],
        )
        role = IamRole(stack, "role", name="planted", assume_role_policy=trust.json)
        IamRolePolicy(stack, "policy", role=role.id, policy=grants.json)
        inline = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PlantedInlineTypo",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMesage",
                    "Resource": queue.arn,
                }
            ],
        }
        SqsQueuePolicy(stack, "queue_policy", queue_url=queue.url, policy=json.dumps(inline))

    document = synth_scratch(build).document
    stacks_dir = tmp_path_factory.mktemp("planted-policies")
    (stacks_dir / "planted").mkdir()
    (stacks_dir / "planted" / "cdk.tf.json").write_text(json.dumps(document))
    return find_stacks(stacks_dir)


def test_planted_bad_policies_are_found_next_to_their_statements(parliament, planted_stacks):
    report = lint_stacks(planted_stacks, report_stale=False)
    found = {(f.sid, f.issue) for f in report.findings}
    assert found == {
        ("PlantedMissingAction", "UNKNOWN_ACTION"),
        ("PlantedWrongForm", "RESOURCE_MISMATCH"),
        ("PlantedQueueOnBucket", "RESOURCE_MISMATCH"),
        ("PlantedInlineTypo", "UNKNOWN_ACTION"),
    }, render(report)
    assert not report.ok
    inline = next(f for f in report.findings if f.sid == "PlantedInlineTypo")
    assert inline.address.startswith("aws_sqs_queue_policy.queue_policy") and inline.address.endswith(".policy")
    # The trust statement has no Resource by design: not a finding, counted apart.
    assert sum(report.not_applicable.values()) == 1
    assert "FINDING  planted: data.aws_iam_policy_document.grants" in render(report)


def test_an_acceptance_moves_its_finding_and_a_stale_one_fails(parliament, planted_stacks):
    reason = "Fixture: the planted action is accepted to prove acceptances are read."
    accepted = (Acceptance("PlantedMissing*", "UNKNOWN_ACTION", reason), Acceptance("Nothing*", "MALFORMED", reason))
    report = lint_stacks(planted_stacks, accepted=accepted)
    assert [(f.sid, r) for f, r in report.accepted] == [("PlantedMissingAction", reason)]
    assert "PlantedMissingAction" not in {f.sid for f in report.findings}
    assert report.stale == [accepted[1]] and "STALE" in render(report)


def test_every_acceptance_has_a_reason():
    assert ACCEPTED and all(len(a.reason) >= 40 and a.issue.isupper() for a in ACCEPTED)


# -- placeholders and rendering ---------------------------------------------------------------


def test_references_become_well_formed_values_of_their_form():
    account = "${data.aws_caller_identity.caller_1A2B3C4D.account_id}"
    assert placeholder(f"arn:aws:s3:::chat-dev-logs-{account}-eu-west-1/*") == (
        "arn:aws:s3:::chat-dev-logs-123456789012-eu-west-1/*"
    )
    assert placeholder("${aws_cloudwatch_log_group.flow_1A2B3C4D.arn}:*") == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:placeholder:*"
    )
    topic = placeholder('${replace(aws_msk_cluster.msk_1A2B3C4D.arn, ":cluster/", ":topic/")}/offline')
    assert topic.startswith("arn:aws:kafka:eu-west-1:123456789012:topic/placeholder/") and topic.endswith("/offline")
    user = placeholder(
        'arn:aws:rds-db:eu-west-1:1:dbuser:${element(split(":", aws_db_proxy.proxy_1A2B3C4D.arn), 6)}/api'
    )
    assert user == "arn:aws:rds-db:eu-west-1:1:dbuser:prx-0123456789abcdef0/api"
    with pytest.raises(UnknownReference, match="aws_lambda_function"):
        placeholder("${aws_lambda_function.f_1A2B3C4D.arn}")
    with pytest.raises(UnknownReference):
        placeholder("${jsonencode(local.x)}")


def test_a_document_renders_as_the_provider_renders_it():
    block = {
        "statement": [
            {
                "sid": "A",
                "effect": "Deny",
                "actions": ["s3:*"],
                "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "principals": [{"type": "*", "identifiers": ["*"]}],
                "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
            },
            {"actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ecs.amazonaws.com"]}]},
        ]
    }
    assert render_policy_document(block) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Principal": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs.amazonaws.com"}},
        ],
    }


# -- the wrapper trusts nothing it has not checked ---------------------------------------------


def _fake_python(tmp_path, body: str):
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\ncat >/dev/null\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_missing_parliament_cannot_run(tmp_path):
    with pytest.raises(ParliamentCannotRun, match="missing"):
        run_parliament({"a": {}}, python=tmp_path / "no-python")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("echo boom >&2; exit 1", "exited 1"),
        ("echo not json", "not the expected JSON"),
        ('echo \'{"version": "x", "findings": {}}\'', "answered for 0 of 1"),
    ],
)
def test_a_broken_parliament_is_an_error_not_a_pass(tmp_path, body, message):
    with pytest.raises(ParliamentCannotRun, match=message):
        run_parliament({"a": {"Version": "2012-10-17", "Statement": []}}, python=_fake_python(tmp_path, body))
