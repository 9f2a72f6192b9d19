"""modules/common/key_policies.py: a store's key that its service may use through grants and
CloudWatch Logs for the store's log groups only; a given key creates nothing."""

from __future__ import annotations

import pytest

from modules.common.key_policies import SERVICE_KEY_ACTIONS, service_store_key
from modules.common.keys import BASE_STATEMENT_SIDS

ACCOUNT = "111122223333"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"
GROUPS = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/docdb/chat-test-docdb/*"


def make_key(stack, construct_id, **changes):
    arguments = {
        "given_key_arn": None,
        "service": "rds",
        "service_sid": "DocumentDbUsesKeyForThisAccount",
        "log_group_label": "DocumentDbLogs",
        "log_group_arn": GROUPS,
        "alias": f"alias/chat-test/{construct_id}",
        "description": construct_id,
        "partition": "aws",
        "region": "eu-west-1",
        "account_id": ACCOUNT,
        "deletion_protection": True,
        "tags": {"Name": construct_id},
    }
    return service_store_key(stack, construct_id, **{**arguments, **changes})


@pytest.fixture(scope="module")
def synth(synth_scratch):
    return synth_scratch(lambda stack: make_key(stack, "store"))


def test_the_key_policy_names_the_service_and_the_log_groups_only(synth):
    (policy,) = synth.resources("aws_kms_key_policy").values()
    statements = {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}
    assert list(statements) == [
        *BASE_STATEMENT_SIDS,
        "DocumentDbUsesKeyForThisAccount",
        "CloudWatchLogsUsesKeyForDocumentDbLogs",
    ]
    service = statements["DocumentDbUsesKeyForThisAccount"]
    assert service["actions"] == list(SERVICE_KEY_ACTIONS) and service["resources"] == ["*"]
    assert service["principals"] == [{"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]}]
    assert [(c["test"], c["variable"], c["values"]) for c in service["condition"]] == [
        ("StringEquals", "kms:ViaService", ["rds.eu-west-1.amazonaws.com"]),
        ("StringEquals", "kms:CallerAccount", [ACCOUNT]),
    ]
    logs = statements["CloudWatchLogsUsesKeyForDocumentDbLogs"]
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
    assert [(c["test"], c["values"]) for c in logs["condition"]] == [("ArnLike", [GROUPS])]
    assert not any(a in ("kms:*", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion") for a in SERVICE_KEY_ACTIONS)


def test_the_key_is_kept_from_destroy_and_its_arn_returned(synth_scratch):
    from bindings.cdk import TerraformOutput

    built = synth_scratch(lambda stack: TerraformOutput(stack, "arn", value=make_key(stack, "store")))
    (name,) = built.resources("aws_kms_key")
    assert built.document["output"]["arn"]["value"] == built.reference("aws_kms_key", name, "arn")
    assert built.resources("aws_kms_key")[name]["lifecycle"] == {"prevent_destroy": True}


def test_a_given_key_is_returned_and_nothing_is_created(synth_scratch):
    returned = {}

    def build(stack):
        returned["arn"] = make_key(stack, "given", given_key_arn=KEY_ARN)

    built = synth_scratch(build)
    assert returned["arn"] == KEY_ARN
    assert built.resources("aws_kms_key") == {} and built.resources("aws_kms_key_policy") == {}
