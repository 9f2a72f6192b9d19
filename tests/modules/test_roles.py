"""modules/common/roles.py: service roles that start empty and receive grants."""

from __future__ import annotations

import pytest

from modules.common.roles import INLINE_POLICY_NAME, Grantee, ServiceRole


@pytest.fixture(scope="module")
def synth(synth_scratch):
    from modules.common.policy import policy_statement

    def build(stack):
        granted = ServiceRole(
            stack,
            "granted",
            name="chat-test-granted",
            service="ecs-tasks.amazonaws.com",
            description="receives grants",
            account_id="111122223333",
            source_arns=["arn:aws:ecs:eu-west-1:111122223333:*"],
        )
        granted.add_to_policy(policy_statement("ReadThing", ["s3:GetObject"], ["arn:aws:s3:::thing/*"]))
        granted.add_to_policy(policy_statement("SendThing", ["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:1:q"]))
        ServiceRole(
            stack,
            "empty",
            name="chat-test-empty",
            service="ec2.amazonaws.com",
            description="no grants",
            account_id="111122223333",
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        )

    return synth_scratch(build)


def test_trust_policy_names_one_service_and_for_ecs_this_account_only(synth):
    roles = {body["name"]: body for body in synth.resources("aws_iam_role").values()}
    trust = synth.data_by_reference(roles["chat-test-granted"]["assume_role_policy"])
    (statement,) = trust["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
    conditions = {(c["test"], c["variable"]): c["values"] for c in statement["condition"]}
    assert conditions == {
        ("StringEquals", "aws:SourceAccount"): ["111122223333"],
        ("ArnLike", "aws:SourceArn"): ["arn:aws:ecs:eu-west-1:111122223333:*"],
    }
    # EC2 sends neither key when it assumes an instance profile's role: a condition on them
    # would leave the instances without credentials.
    ec2_trust = synth.data_by_reference(roles["chat-test-empty"]["assume_role_policy"])
    assert "condition" not in ec2_trust["statement"][0], ec2_trust


def test_source_arns_for_a_service_that_sends_none_are_refused(synth_scratch):
    def build(stack):
        ServiceRole(
            stack,
            "instance",
            name="chat-test-instance",
            service="ec2.amazonaws.com",
            description="instance profile",
            account_id="111122223333",
            source_arns=["arn:aws:ec2:eu-west-1:111122223333:instance/*"],
        )

    with pytest.raises(ValueError) as caught:
        synth_scratch(build)
    assert str(caught.value) == (
        "chat-test-instance: expected no source_arns for ec2.amazonaws.com (it sends no aws:SourceArn when it "
        "assumes a role, so the role could never be assumed), got ['arn:aws:ec2:eu-west-1:111122223333:instance/*']"
    )


def test_every_grant_lands_in_one_inline_policy(synth):
    (policy,) = synth.resources("aws_iam_role_policy").values()
    assert policy["name"] == INLINE_POLICY_NAME
    document = synth.data_by_reference(policy["policy"])
    assert [s["sid"] for s in document["statement"]] == ["ReadThing", "SendThing"]
    assert document["statement"][1]["resources"] == ["arn:aws:sqs:eu-west-1:1:q"]


def test_a_role_without_grants_has_no_policy_and_keeps_its_managed_attachment(synth):
    (attachment,) = synth.resources("aws_iam_role_policy_attachment").values()
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert len(synth.resources("aws_iam_role_policy")) == 1


def test_a_repeated_sid_is_refused(synth_scratch):
    from modules.common.policy import policy_statement

    def build(stack):
        role = ServiceRole(
            stack, "r", name="chat-test-r", service="ecs-tasks.amazonaws.com", description="d", account_id="1" * 12
        )
        assert isinstance(role, Grantee)
        role.add_to_policy(policy_statement("Same", ["s3:GetObject"], ["arn:aws:s3:::a/*"]))
        with pytest.raises(ValueError, match=r"chat-test-r: expected distinct statement Sids .*\['Same'\]"):
            role.add_to_policy(policy_statement("Same", ["s3:PutObject"], ["arn:aws:s3:::a/*"]))

    synth_scratch(build)
