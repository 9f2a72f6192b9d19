"""The data-safety gate attacked as a reviewer would: plans written to slip a loss past it.

Each case is a plan entry a careless (or clever) change could produce; the gate must block it,
or say it cannot judge it, never pass it."""

from __future__ import annotations

from tests.review.plans import deleted, resource_change
from tests.review.test_safety_rules import backup_rule, lifecycle, lifecycle_rule, plan_of, updated, verdict_for, whats


def kinds(*changes, allowed=()) -> list[tuple[str, str]]:
    return [(f.kind, f.what) for f in verdict_for(*changes, allowed=allowed).blocked]


def test_a_protection_turned_off_by_a_string_is_still_turned_off():
    change = updated("aws_db_instance.db", {"deletion_protection": True}, {"deletion_protection": "false"})
    assert whats(change) == ['deletion_protection true -> "false"']


def test_a_retention_that_is_not_a_number_cannot_be_judged_and_fails_closed():
    change = updated("aws_db_instance.db", {"backup_retention_period": 7}, {"backup_retention_period": "0"})
    assert kinds(change) == [("unjudged", 'backup_retention_period: expected a number, got "0"')]
    flag = updated("aws_db_instance.db", {"backup_retention_period": 7}, {"backup_retention_period": True})
    assert kinds(flag) == [("unjudged", "backup_retention_period: expected a number, got true")]


def test_a_weakening_moved_to_a_new_address_is_judged_at_the_new_one():
    change = updated("module.data.aws_db_instance.this", {"deletion_protection": True}, {"deletion_protection": False})
    change["previous_address"] = "aws_db_instance.database_this_C19B65FA"
    verdict = verdict_for(change, allowed=["aws_db_instance.database_this_C19B65FA"])
    assert [f.address for f in verdict.blocked] == ["module.data.aws_db_instance.this"]
    assert verdict.unused_allowances == ("aws_db_instance.database_this_C19B65FA",)


def test_an_allowance_for_one_instance_does_not_cover_another_of_the_same_resource():
    a = updated('aws_kms_key.data["a"]', {"is_enabled": True}, {"is_enabled": False})
    b = updated('aws_kms_key.data["b"]', {"is_enabled": True}, {"is_enabled": False})
    verdict = verdict_for(a, b, allowed=['aws_kms_key.data["a"]'])
    assert [f.address for f in verdict.blocked] == ['aws_kms_key.data["b"]']


def test_a_deposed_store_left_behind_by_create_before_destroy_may_not_be_deleted():
    entry = deleted("aws_kms_key.data", key_id="k")
    entry["deposed"] = "00000001"
    assert [f.kind for f in verdict_for(entry).blocked] == ["destroy"]


def test_a_lifecycle_rule_renamed_while_expiring_sooner_is_judged_as_a_new_rule():
    before = lifecycle(lifecycle_rule("retention", noncurrent=30))
    after = lifecycle(lifecycle_rule("retention-v2", noncurrent=1))
    assert whats(updated("aws_s3_bucket_lifecycle_configuration.b", before, after)) == [
        "rule[retention-v2].noncurrent_version_expiration.noncurrent_days null -> 1"
    ]


def test_lifecycle_rules_that_cannot_be_told_apart_fail_closed():
    """Two rules with the same id: matching either one would let the other through."""
    before = lifecycle(lifecycle_rule("r", noncurrent=30))
    after = lifecycle(lifecycle_rule("r", noncurrent=1), lifecycle_rule("r", noncurrent=30))
    assert kinds(updated("aws_s3_bucket_lifecycle_configuration.b", before, after)) == [
        ("unjudged", 'rule: blocks cannot be matched by id: one is missing or repeated ("r")')
    ]


def test_a_backup_rule_renamed_is_a_rule_removed():
    before = plan_of(backup_rule("monthly", 365))
    after = plan_of(backup_rule("monthly-v2", 365))
    assert whats(updated("aws_backup_plan.p", before, after)) == ['rule[monthly] "present" -> "removed"']


def test_two_encryption_rules_where_one_is_expected_fail_closed():
    sse = "aws_s3_bucket_server_side_encryption_configuration.b"
    kms = {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}
    s3 = {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}
    change = updated(sse, {"rule": [kms]}, {"rule": [kms, s3]})
    assert kinds(change) == [
        (
            "unjudged",
            "rule.apply_server_side_encryption_by_default.sse_algorithm: 2 blocks where one was expected, at "
            "apply_server_side_encryption_by_default",
        )
    ]


def test_versioning_whose_configuration_block_disappears_is_versioning_stopped():
    change = updated(
        "aws_s3_bucket_versioning.b",
        {"versioning_configuration": [{"status": "Enabled"}]},
        {"versioning_configuration": []},
    )
    assert whats(change) == ['versioning_configuration.status "Enabled" -> null']


def test_a_key_whose_deletion_window_goes_from_the_default_to_7_days_is_weakened():
    change = updated("aws_kms_key.data", {"deletion_window_in_days": None}, {"deletion_window_in_days": 7})
    assert whats(change) == ["deletion_window_in_days null -> 7"]


def test_an_unknown_value_inside_a_nested_block_is_unknown():
    change = updated(
        "aws_dynamodb_table.messages",
        {"point_in_time_recovery": [{"enabled": True}]},
        {"point_in_time_recovery": [{"enabled": None}]},
        after_unknown={"point_in_time_recovery": [{"enabled": True}]},
    )
    assert kinds(change) == [("unjudged", "point_in_time_recovery.enabled true -> (known after apply)")]


def test_an_entry_whose_type_disagrees_with_its_address_fails_closed():
    entry = deleted("aws_db_instance.main")
    entry["type"] = "aws_lb"  # a delete of the database dressed up as a load balancer
    verdict = verdict_for(entry, allowed=["aws_db_instance.main"])
    assert [(f.kind, f.allowable) for f in verdict.blocked] == [("unjudged", False)]


def test_forgetting_a_store_through_a_replacement_that_forgets_the_old_object_is_blocked():
    entry = resource_change(
        "aws_s3_bucket.attachments",
        ["create", "forget"],
        before={"bucket": "old"},
        after={"bucket": "new"},
        replace_paths=[["bucket"]],
    )
    assert [(f.kind, f.what) for f in verdict_for(entry).blocked] == [
        ("destroy", "replace (create first; the old object is forgotten, not destroyed)")
    ]


def test_an_unknown_store_type_inside_a_module_fails_closed_on_forget_too():
    entry = resource_change('module.x["eu.1"].aws_timestream_table.t[0]', ["forget"], before={"id": "t"})
    assert kinds(entry) == [("unjudged", "forget")]


def test_a_judged_type_with_an_update_that_has_no_before_object_fails_closed():
    entry = resource_change("aws_backup_plan.p", ["update"], before=None, after=plan_of(backup_rule("daily", 7)))
    assert kinds(entry) == [("unjudged", "update without before and after objects")]
