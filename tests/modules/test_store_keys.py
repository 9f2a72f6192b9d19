"""modules/common/store_keys.py: a store's own key unless given, given-key ARNs, key use
confined to one service's requests."""

from __future__ import annotations

import pytest

from modules.common.store_keys import check_kms_key_arn, key_use_statement, store_key, via_service

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"


def make_key(stack, construct_id, **changes):
    arguments = {
        "given_key_arn": None,
        "alias": f"alias/chat-test/{construct_id}",
        "description": construct_id,
        "partition": "aws",
        "account_id": "111122223333",
        "deletion_protection": True,
        "tags": {"Name": f"chat-test-{construct_id}"},
    }
    return store_key(stack, construct_id, **{**arguments, **changes})


@pytest.fixture(scope="module")
def synth(synth_scratch):
    from modules.common.policy import policy_document

    def build(stack):
        created, created_arn = make_key(stack, "protected")
        assert created is not None and created_arn == created.arn
        make_key(stack, "plain", deletion_protection=False)
        statement = key_use_statement(
            "UseKeyThroughSqs", ["kms:GenerateDataKey", "kms:Decrypt"], KEY_ARN, service="sqs", region="eu-west-1"
        )
        policy_document(stack, "document", [statement])

    return synth_scratch(build)


def test_a_given_key_is_used_as_it_is(synth_scratch):
    def build(stack):
        assert make_key(stack, "given", given_key_arn=KEY_ARN) == (None, KEY_ARN)

    assert synth_scratch(build).resources("aws_kms_key") == {}


def test_a_created_key_rotates_and_is_kept_from_destroy_under_deletion_protection(synth):
    keys = {block["description"]: block for block in synth.resources("aws_kms_key").values()}
    assert keys["protected"]["enable_key_rotation"] is True
    assert keys["protected"]["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in keys["plain"]
    assert {a["name"] for a in synth.resources("aws_kms_alias").values()} == {
        "alias/chat-test/protected",
        "alias/chat-test/plain",
    }


def test_via_service_names_the_regional_endpoint():
    assert via_service("sqs", "eu-west-1") == "sqs.eu-west-1.amazonaws.com"


def test_key_use_names_one_key_and_one_service(synth):
    (statement,) = synth.data("aws_iam_policy_document")[
        next(k for k in synth.data("aws_iam_policy_document") if k.startswith("document"))
    ]["statement"]
    assert statement["effect"] == "Allow"
    assert statement["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["resources"] == [KEY_ARN]
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "kms:ViaService", "values": ["sqs.eu-west-1.amazonaws.com"]}
    ]
    assert "principals" not in statement


@pytest.mark.parametrize("actions", [[], ["kms:Decrypt", "s3:GetObject"]])
def test_key_use_takes_kms_actions_only(actions):
    with pytest.raises(ValueError, match=r"^Sid: expected one or more kms: actions, got \["):
        key_use_statement("Sid", actions, KEY_ARN, service="s3", region="eu-west-1")


@pytest.mark.parametrize(
    "arn",
    [
        KEY_ARN,
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef",
        "${TfToken[TOKEN.12]}",
    ],
)
def test_key_arns_and_references_pass(arn):
    assert check_kms_key_arn(arn) == arn


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:kms:eu-west-1:111122223333:alias/chat-prod/messaging",
        "2f1c6c8e-0000-4000-8000-000000000001",
        "arn:aws:kms:eu-west-1:1111:key/2f1c6c8e-0000-4000-8000-000000000001",
    ],
)
def test_aliases_bare_ids_and_bad_accounts_are_refused(arn):
    with pytest.raises(ValueError) as caught:
        check_kms_key_arn(arn)
    assert str(caught.value) == (
        "expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> (a key id, not an alias), "
        f'got "{arn}" (string)'
    )


def test_a_store_module_key_is_named_after_its_data_domain_and_asks_the_account_only_to_make_one(synth_scratch):
    from types import SimpleNamespace

    from modules.common.stack_context import StackContext
    from modules.common.store_keys import module_store_key

    def store_props(kms_key_arn):
        return SimpleNamespace(name="chat-test", kms_key_arn=kms_key_arn, deletion_protection=True, tags={"a": "b"})

    def build(stack):
        from constructs import Construct

        context = StackContext(stack, region="eu-west-1")
        assert module_store_key(
            Construct(stack, "given"), store_props(KEY_ARN), context, data_domain="tables", description="given"
        ) == (None, KEY_ARN)
        # A given key asks nothing of the account: no lookup yet.
        assert not [child for child in stack.node.children if child.node.id == "caller"]
        created, arn = module_store_key(
            Construct(stack, "own"), store_props(None), context, data_domain="tables", description="own"
        )
        assert created is not None and arn == created.arn and created.node.path == "scratch/own/key"

    synth = synth_scratch(build)
    (key,) = synth.resources("aws_kms_key").values()
    assert key["tags"] == {"a": "b", "Name": "chat-test-tables"}
    assert key["lifecycle"] == {"prevent_destroy": True}
    (alias,) = synth.resources("aws_kms_alias").values()
    assert alias["name"] == "alias/chat-test/tables"
    assert list(synth.data("aws_caller_identity")) == ["caller"]
