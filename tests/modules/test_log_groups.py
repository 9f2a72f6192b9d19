"""modules/common/log_groups.py: encrypted log groups and the key CloudWatch Logs uses for them."""

from __future__ import annotations

import json

import pytest

from modules.common.log_groups import AUDIT_RETENTION_DAYS, log_group_arn

ACCOUNT = "111122223333"


def _build(stack, retention_days: int, provider=None):
    from modules.common.log_groups import encrypted_log_group, log_group_key

    arn = log_group_arn("aws", "eu-west-1", ACCOUNT, "/test/app")
    key_arn = log_group_key(
        stack,
        "app_log",
        region="eu-west-1",
        partition="aws",
        account_id=ACCOUNT,
        group_arn=arn,
        log_group_label="AppLogGroup",
        description="test app logs",
        alias="alias/test/app-logs",
        tags={"Name": "test-app-logs"},
        provider=provider,
    )
    encrypted_log_group(
        stack,
        "app_log_group",
        name="/test/app",
        retention_days=retention_days,
        kms_key_arn=key_arn,
        tags={"Name": "/test/app"},
        short_retention_reason="kept short on purpose for this test's sake",
        provider=provider,
    )


@pytest.fixture(scope="module")
def year_and_week(synth_scratch):
    def week_on_alias(stack):
        from bindings.aws.provider import AwsProvider

        _build(stack, 7, AwsProvider(stack, "aws_other", region="eu-west-1", alias="other"))

    return synth_scratch(lambda stack: _build(stack, AUDIT_RETENTION_DAYS)), synth_scratch(week_on_alias)


def test_log_group_arn_has_no_stream_suffix():
    assert log_group_arn("aws-cn", "cn-north-1", ACCOUNT, "/x") == f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:/x"


def test_group_is_encrypted_with_a_rotated_key_only_logs_may_use_for_that_group(year_and_week):
    synth, _ = year_and_week
    assert set(synth.resources("aws_kms_key")) == {"app_log_key"}
    assert set(synth.resources("aws_kms_alias")) == {"app_log_key_alias"}
    assert set(synth.data("aws_iam_policy_document")) == {"app_log_key_policy"}
    (group,) = synth.resources("aws_cloudwatch_log_group").values()
    key = synth.by_reference(group["kms_key_id"])
    assert (key["enable_key_rotation"], key["rotation_period_in_days"], key["deletion_window_in_days"]) == (
        True,
        365,
        30,
    )
    assert synth.resources("aws_kms_alias")["app_log_key_alias"]["target_key_id"] == "${aws_kms_key.app_log_key.key_id}"
    root, logs = synth.data_by_reference(key["policy"])["statement"]
    assert root["principals"] == [{"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]}]
    assert logs["sid"] == "CloudWatchLogsUsesKeyForAppLogGroup"
    assert logs["principals"] == [{"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}]
    assert logs["condition"] == [
        {
            "test": "ArnEquals",
            "variable": "kms:EncryptionContext:aws:logs:arn",
            "values": [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{group['name']}"],
        }
    ]
    assert "*" not in "".join(logs["actions"]).replace("ReEncrypt*", "").replace("GenerateDataKey*", "")


def test_key_policy_waivers_sit_beside_the_policy_and_retention_waiver_only_when_short(year_and_week):
    year, week = year_and_week
    waivers = year.document["//"]["checkov_waivers"]
    assert set(waivers) == {"app_log_key_policy"}
    assert set(waivers["app_log_key_policy"]) == {"CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"}
    assert week.document["//"]["checkov_waivers"]["app_log_group"] == {
        "CKV_AWS_338": "kept short on purpose for this test's sake"
    }
    assert "CKV_AWS_338" not in json.dumps(waivers)


def test_every_resource_uses_the_given_provider(year_and_week):
    _, week = year_and_week
    for resource_type in ("aws_kms_key", "aws_kms_alias", "aws_cloudwatch_log_group"):
        (block,) = week.resources(resource_type).values()
        assert block["provider"] == "aws.other", resource_type


def _keyed(stack, given_key_arn=None):
    from modules.common.log_groups import keyed_log_group

    return keyed_log_group(
        stack,
        "app_log",
        name="/test/app",
        region="eu-west-1",
        partition="aws",
        account_id=ACCOUNT,
        retention_days=AUDIT_RETENTION_DAYS,
        short_retention_reason="not short",
        tags={"Name": "/test/app"},
        given_key_arn=given_key_arn,
        log_group_label="AppLogGroup",
        key_description="test app logs",
        key_alias="alias/test/app-logs",
        key_tags={"Name": "test-app-logs"},
    )


def test_keyed_log_group_is_the_recipe_with_the_construct_ids_callers_had(synth_scratch):
    built = {}
    recipe = synth_scratch(lambda stack: _build(stack, AUDIT_RETENTION_DAYS))
    keyed = synth_scratch(lambda stack: built.setdefault("keyed", _keyed(stack)))
    # The same resources at the same addresses as the step-by-step recipe.
    for kind in ("resource", "data"):
        assert json.dumps(keyed.document[kind], sort_keys=True) == json.dumps(recipe.document[kind], sort_keys=True)
    assert built["keyed"].arn == "arn:aws:logs:eu-west-1:111122223333:log-group:/test/app"
    (group,) = keyed.resources("aws_cloudwatch_log_group").values()
    (key_name,) = keyed.resources("aws_kms_key")
    assert group["kms_key_id"] == f"${{aws_kms_key.{key_name}.arn}}"


def test_keyed_log_group_with_a_given_key_makes_none(synth_scratch):
    given = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"
    built = {}
    synth = synth_scratch(lambda stack: built.setdefault("keyed", _keyed(stack, given)))
    assert synth.resources("aws_kms_key") == {}
    (group,) = synth.resources("aws_cloudwatch_log_group").values()
    assert group["kms_key_id"] == given == built["keyed"].kms_key_arn
