"""modules/common/keys.py: customer-managed keys with AWS's root statement and extendable policies."""

from __future__ import annotations

import pytest

from modules.common.keys import (
    BASE_STATEMENT_SIDS,
    GUARD_RAIL_SID,
    KEY_ADMINISTRATION_ACTIONS,
    KEY_ADMINISTRATORS_CONTEXT,
    KEY_DELETION_WINDOW_DAYS,
    KEY_GUARDED_ACTIONS,
    ManagedKey,
    check_key_administrator_arns,
)

ADMINS = ["arn:aws:iam::111122223333:role/key-admin", "arn:aws:iam::111122223333:role/deploy/terraform"]


@pytest.fixture(scope="module")
def synth(synth_scratch):
    from modules.common.policy import policy_statement

    def build(stack):
        key = ManagedKey(
            stack,
            "key",
            alias="alias/chat-test/things",
            description="things",
            partition="aws",
            account_id="111122223333",
            tags={"Name": "chat-test-things"},
        )
        key.add_to_key_policy(
            policy_statement("ServiceUsesKey", ["kms:Decrypt"], ["*"], principal=("Service", ["x.amazonaws.com"]))
        )

    return synth_scratch(build)


def test_key_rotates_yearly_and_waits_thirty_days_before_deletion(synth):
    ((_, key),) = synth.resources("aws_kms_key").items()
    assert key["enable_key_rotation"] is True and key["rotation_period_in_days"] == 365
    assert key["deletion_window_in_days"] == KEY_DELETION_WINDOW_DAYS == 30
    assert "policy" not in key, "the policy is its own resource, so the key need not wait for what it names"


def statements_of(synth):
    ((_, key_policy),) = synth.resources("aws_kms_key_policy").items()
    return {s["sid"]: s for s in synth.data_by_reference(key_policy["policy"])["statement"]}


def test_key_policy_separates_administration_from_use_and_adds_later_statements(synth):
    ((key_name, _),) = synth.resources("aws_kms_key").items()
    ((_, key_policy),) = synth.resources("aws_kms_key_policy").items()
    assert key_policy["key_id"] == synth.reference("aws_kms_key", key_name, "key_id")
    statements = statements_of(synth)
    assert list(statements) == [*BASE_STATEMENT_SIDS, "ServiceUsesKey"]
    # Issue 24, finding 1: no statement gives kms:* any more; the root administers (by
    # default) but may not encrypt or decrypt except through an AWS service.
    assert not any("kms:*" in s["actions"] for s in statements.values())
    admin = statements["KeyAdministratorsAdministerKey"]
    assert admin["actions"] == list(KEY_ADMINISTRATION_ACTIONS) and "condition" not in admin
    assert admin["principals"] == [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]
    assert not {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"} & set(admin["actions"])
    use = statements["AccountUsesKeyThroughAwsServices"]
    assert [(c["test"], c["variable"], c["values"]) for c in use["condition"]] == [
        ("StringEquals", "kms:CallerAccount", ["111122223333"]),
        ("Null", "kms:ViaService", ["false"]),
    ]
    grants = statements["AccountGrantsKeyToAwsResources"]
    assert ("Bool", "kms:GrantIsForAWSResource", ["true"]) in [
        (c["test"], c["variable"], c["values"]) for c in grants["condition"]
    ]
    # With the root as administrator a deny for "everyone else" would lock out every role.
    assert GUARD_RAIL_SID not in statements
    assert statements["ServiceUsesKey"]["actions"] == ["kms:Decrypt"]


def test_explicit_administrators_administer_alone_behind_a_guard_rail(synth_scratch):
    def build(stack):
        ManagedKey(
            stack,
            "key",
            alias="alias/chat-test/a",
            description="a",
            partition="aws",
            account_id="111122223333",
            administrator_arns=ADMINS,
        )

    statements = statements_of(synth_scratch(build))
    admin = statements["KeyAdministratorsAdministerKey"]
    assert admin["principals"] == [{"type": "AWS", "identifiers": ADMINS}]
    deny = statements[GUARD_RAIL_SID]
    assert deny["effect"] == "Deny" and deny["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
    assert {"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"} <= set(deny["actions"])
    assert deny["actions"] == list(KEY_GUARDED_ACTIONS)
    assert [(c["test"], c["variable"], c["values"]) for c in deny["condition"]] == [
        ("ArnNotEquals", "aws:PrincipalArn", ADMINS)
    ]
    # KMS's lockout safety check: the administrators keep PutKeyPolicy (kms:Put*) and the
    # deny spares them, so the policy can still be changed by them.
    assert "kms:Put*" in admin["actions"]
    # Key use stays with the services; the root no longer administers.
    assert statements["AccountUsesKeyThroughAwsServices"]["principals"][0]["identifiers"] == [
        "arn:aws:iam::111122223333:root"
    ]


def test_the_environments_administrators_reach_every_key_through_the_context(synth_scratch):
    from constructs import Construct

    def build(stack):
        scope = Construct(stack, "environment")
        scope.node.set_context(KEY_ADMINISTRATORS_CONTEXT, ADMINS[:1])
        ManagedKey(scope, "key", alias="alias/chat-test/c", description="c", partition="aws", account_id="1" * 12)

    statements = statements_of(synth_scratch(build))
    assert statements["KeyAdministratorsAdministerKey"]["principals"][0]["identifiers"] == ADMINS[:1]
    assert GUARD_RAIL_SID in statements


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "expected at least one IAM role ARN"),
        (["arn:aws:iam::111122223333:user/alice"], "expected IAM role ARNs"),
        (["arn:aws:iam::111122223333:root"], "expected IAM role ARNs"),
        ([ADMINS[0], ADMINS[0]], "expected each ARN once"),
    ],
)
def test_key_administrators_must_be_distinct_role_arns(values, message):
    with pytest.raises(ValueError, match=message):
        check_key_administrator_arns(values)
    assert check_key_administrator_arns(ADMINS) == tuple(ADMINS)


def test_root_statement_waivers_sit_on_the_policy_document(synth):
    ((document_name, _),) = synth.data("aws_iam_policy_document").items()
    waivers = synth.document["//"]["checkov_waivers"][document_name]
    assert sorted(waivers) == ["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"]


def test_alias_names_the_key(synth):
    ((key_name, _),) = synth.resources("aws_kms_key").items()
    ((_, alias),) = synth.resources("aws_kms_alias").items()
    assert alias["name"] == "alias/chat-test/things"
    assert alias["target_key_id"] == synth.reference("aws_kms_key", key_name, "key_id")


@pytest.mark.parametrize("alias", ["chat-test/things", "alias/aws/s3"])
def test_alias_must_be_a_customer_alias(synth_scratch, alias):
    def build(stack):
        ManagedKey(stack, "key", alias=alias, description="x", partition="aws", account_id="111122223333")

    with pytest.raises(ValueError, match="key alias: expected a name starting with 'alias/' \\(not 'alias/aws/'\\)"):
        synth_scratch(build)
