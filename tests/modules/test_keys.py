"""modules/common/keys.py: customer-managed keys with AWS's root statement and extendable policies."""

from __future__ import annotations

import pytest

from modules.common.keys import KEY_DELETION_WINDOW_DAYS, ManagedKey


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


def test_key_policy_keeps_the_account_root_and_adds_later_statements(synth):
    ((key_name, _),) = synth.resources("aws_kms_key").items()
    ((_, key_policy),) = synth.resources("aws_kms_key_policy").items()
    assert key_policy["key_id"] == synth.reference("aws_kms_key", key_name, "key_id")
    document = synth.data_by_reference(key_policy["policy"])
    root, service = document["statement"]
    assert root["sid"] == "AccountAdministersKey"
    assert root["principals"] == [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]
    assert service["sid"] == "ServiceUsesKey" and service["actions"] == ["kms:Decrypt"]


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
