"""The review of a plan document: counts per action, the table, Markdown and JSON."""

from __future__ import annotations

import json

import pytest

from review.plan import PlanFormatError, as_json, attribute_path, render_markdown, review_plan
from tests.review.plans import plan_document, replaced, resource_change

SECRET = "hunter2-do-not-print"

EVERY_ACTION = plan_document(
    resource_change("aws_vpc.new", ["create"], after={"cidr_block": "10.0.0.0/16"}),
    resource_change(
        "aws_security_group.api",
        ["update"],
        before={"description": "api", "tags": {"Name": "a"}, "password": SECRET},
        after={"description": "api", "tags": {"Name": "b"}, "password": SECRET},
    ),
    resource_change("aws_lb.old", ["delete"], before={"name": "old"}, reason="delete_because_no_resource_config"),
    replaced("aws_db_instance.db", ["delete", "create"], forced_by="identifier"),
    resource_change(
        "aws_lb_target_group.blue",
        ["create", "delete"],
        before={"port": 80, "health_check": [{"path": "/a"}]},
        after={"port": 81, "health_check": [{"path": "/b"}]},
        replace_paths=[["port"], ["health_check", 0, "path"]],
        reason="replace_because_cannot_update",
    ),
    resource_change("aws_subnet.kept", ["no-op"], before={"id": "s"}, after={"id": "s"}),
    resource_change("aws_subnet.kept_too", ["no-op"], before={"id": "t"}, after={"id": "t"}),
    resource_change(
        "data.aws_iam_policy_document.trust", ["read"], after={"json": None}, reason="read_because_config_unknown"
    ),
    applyable=True,
)


def table_rows(markdown: str) -> dict[str, str]:
    """address -> its row of the changes table."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| ") and "`" in line:
            rows[line.split("`")[1]] = line
    return rows


def test_every_action_list_is_counted_in_its_category():
    review = review_plan(EVERY_ACTION, "chat-x")
    assert review.counts == {"delete": 1, "replace": 2, "forget": 0, "update": 1, "create": 1, "read": 1, "no-op": 2}
    assert review.stack == "chat-x" and review.terraform_version == "1.11.4" and review.applyable


def test_replacements_say_their_order_and_the_attributes_that_force_them():
    rows = table_rows(render_markdown(review_plan(EVERY_ACTION, "chat-x")))
    destroy_first, create_first = rows["aws_db_instance.db"], rows["aws_lb_target_group.blue"]
    assert "replace (destroy first)" in destroy_first and "forced by: identifier" in destroy_first
    assert "replace (create first)" in create_first
    assert "forced by: port, health_check[0].path" in create_first
    assert "replace_because_cannot_update" in create_first and "aws_lb_target_group" in create_first


def test_the_table_lists_changes_most_destructive_first_and_counts_no_ops_only():
    markdown = render_markdown(review_plan(EVERY_ACTION, "chat-x"))
    rows = list(table_rows(markdown))
    assert rows == [
        "aws_lb.old",
        "aws_db_instance.db",
        "aws_lb_target_group.blue",
        "aws_security_group.api",
        "aws_vpc.new",
        "data.aws_iam_policy_document.trust",
    ]
    assert "aws_subnet.kept" not in markdown
    assert "| 1 | 2 | 0 | 1 | 1 | 1 | 2 |" in markdown


def test_an_update_names_the_attributes_it_changes_and_never_a_value():
    review = review_plan(EVERY_ACTION, "chat-x")
    row = table_rows(render_markdown(review))["aws_security_group.api"]
    assert "changes: tags" in row and "description" not in row
    assert SECRET not in render_markdown(review) and SECRET not in json.dumps(as_json(review))


def test_json_holds_the_counts_and_every_listed_change():
    document = json.loads(json.dumps(as_json(review_plan(EVERY_ACTION, "chat-x"))))
    assert document["counts"]["replace"] == 2 and document["counts"]["no-op"] == 2
    by_address = {c["address"]: c for c in document["changes"]}
    assert set(by_address) == {
        "aws_vpc.new",
        "aws_security_group.api",
        "aws_lb.old",
        "aws_db_instance.db",
        "aws_lb_target_group.blue",
        "data.aws_iam_policy_document.trust",
    }
    blue = by_address["aws_lb_target_group.blue"]
    assert blue["action"] == "replace" and blue["actions"] == ["create", "delete"] and blue["order"] == "create first"
    assert blue["replace_paths"] == ["port", "health_check[0].path"]
    assert by_address["aws_db_instance.db"]["order"] == "destroy first"
    assert by_address["data.aws_iam_policy_document.trust"]["mode"] == "data"
    assert by_address["aws_lb.old"]["reason"] == "delete_because_no_resource_config"


def test_forget_and_replace_keeping_the_old_object_are_told_apart_from_deletion():
    plan = plan_document(
        resource_change("aws_s3_bucket.archive", ["forget"], before={"bucket": "archive"}),
        resource_change(
            "aws_s3_bucket.media", ["create", "forget"], before={"bucket": "a"}, after={"bucket": "b"}, replace_paths=[]
        ),
    )
    review = review_plan(plan, "chat-x")
    assert review.counts["forget"] == 1 and review.counts["replace"] == 1 and review.counts["delete"] == 0
    rows = table_rows(render_markdown(review))
    assert "not destroyed" in rows["aws_s3_bucket.archive"]
    assert "forgotten, not destroyed" in rows["aws_s3_bucket.media"]
    assert "Terraform names no attribute" in rows["aws_s3_bucket.media"]


def test_moved_imported_and_deposed_objects_say_so():
    plan = plan_document(
        resource_change(
            "aws_kms_key.logs",
            ["no-op"],
            before={"id": "k"},
            after={"id": "k"},
            previous_address="aws_kms_key.flow_logs",
        ),
        resource_change("aws_vpc.main", ["update"], before={"tags": {}}, after={"tags": {"a": "b"}}),
        resource_change("aws_lb.web", ["delete"], before={"name": "web"}, deposed="00a1b2c3"),
        resource_change("aws_ecr_repository.api", ["no-op"], before={"name": "api"}, after={"name": "api"}),
    )
    plan["resource_changes"][1]["previous_address"] = "aws_vpc.this"
    plan["resource_changes"][3]["change"]["importing"] = {"id": "api"}
    review = review_plan(plan, "chat-x")
    rows = table_rows(render_markdown(review))
    assert "moved from aws_vpc.this" in rows["aws_vpc.main"]
    assert "deposed object 00a1b2c3" in rows["aws_lb.web"]
    assert "aws_kms_key.logs" not in rows  # a move alone changes nothing
    assert [c.importing for c in review.changes] == [False, False, False, True]


@pytest.mark.parametrize(
    "plan, message",
    [
        (plan_document(resource_change("aws_vpc.a", ["frobnicate"])), "unknown actions"),
        (plan_document(resource_change("aws_vpc.a", ["delete", "update"])), "unknown actions"),
        ({**plan_document(), "format_version": "2.0"}, "format_version 2.0"),
        ({"resource_changes": []}, "format_version (missing)"),
        ({**plan_document(), "resource_changes": {"a": 1}}, "not a list"),
        ([], "expected a JSON object"),
    ],
)
def test_a_document_this_review_does_not_understand_is_refused(plan, message):
    with pytest.raises(PlanFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        review_plan(plan, "chat-x")


def test_a_plan_without_changes_says_so_and_is_not_applyable():
    plan = plan_document(resource_change("aws_vpc.a", ["no-op"], before={"id": "v"}, after={"id": "v"}))
    review = review_plan(plan, "chat-x")  # no "applyable" key (format 1.0/1.1): derived from the actions
    assert not review.applyable and review.counts["no-op"] == 1
    assert "No changes" in render_markdown(review)
    assert review_plan(plan_document(resource_change("aws_vpc.b", ["create"], after={})), "chat-x").applyable


def test_a_pipe_in_an_address_does_not_break_the_table():
    plan = plan_document(resource_change('aws_ssm_parameter.p["a|b"]', ["create"], after={}))
    (row,) = [line for line in render_markdown(review_plan(plan, "chat-x")).splitlines() if "ssm" in line]
    assert row.count(" | ") == 3 and 'p["a\\|b"]' in row


@pytest.mark.parametrize(
    "steps, text",
    [
        (["name"], "name"),
        (["ingress", 0, "cidr_blocks", 1], "ingress[0].cidr_blocks[1]"),
        (["tags", "Name"], "tags.Name"),
        ([], ""),
    ],
)
def test_replace_paths_read_as_attribute_paths(steps, text):
    assert attribute_path(steps) == text
