"""DynamoDB restore as an input: each restore form on the synthesized JSON (a new table with
the original's settings and protections, the grants, the outputs and the backup targets moved
to it, the original kept under its construct id), the retirement of the original, the wiring
of a real ChatStack (the services' table names, grants and backup selection), and the refusal
of bad input from the props and from an environment file."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from modules.dynamodb.props import ChatTablesProps, TableRestore
from tests.modules.restore_files import file_with_restore, refused
from tests.modules.test_dynamodb import ACCOUNT, PROD, SANDBOX, role_statements, tables_by_name

ORIGINAL = "chat-test-messages"
FORMS = {
    "point_in_time": TableRestore(table="messages", to_point_in_time="2026-12-06T10:30:00+01:00"),
    "latest": TableRestore(table="messages", latest=True),
    "other_source": TableRestore(table="messages", latest=True, source="chat-test-messages-old"),
}
RESTORED = {
    "point_in_time": "chat-test-messages-r202612060930",
    "latest": "chat-test-messages-latest",
    "other_source": "chat-test-messages-latest",
}
# What may differ between the original and the restored table: its name and what names it,
# and how it starts.
HOW_IT_STARTS = {"//", "name", "tags", "restore_source_name", "restore_date_time", "restore_to_latest_time"}


def tables_with_a_service(props: ChatTablesProps):
    def build(stack):
        from bindings.cdk import TerraformOutput
        from modules.common.roles import ServiceRole
        from modules.dynamodb import ChatTables

        tables = ChatTables(stack, "dynamodb", props=props)
        role = ServiceRole(
            stack, "api", name="chat-test-api", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT
        )
        tables.grant_read_write(role, tables=("messages", "connections"))
        for output in ("messages_table_name", "messages_table_arn", "connections_table_name"):
            TerraformOutput(stack, output, value=getattr(tables, output))
        TerraformOutput(stack, "backup_targets", value={target.name: target.arn for target in tables.backup_targets()})

    return build


@pytest.fixture(scope="module")
def synths(synth_scratch):
    built = {form: synth_scratch(tables_with_a_service(replace(PROD, restore=r))) for form, r in FORMS.items()}
    built["none"] = synth_scratch(tables_with_a_service(PROD))
    unprotected = TableRestore(table="messages", to_point_in_time="2026-12-06T09:30:00Z", unprotect_original=True)
    built["unprotected"] = synth_scratch(tables_with_a_service(replace(PROD, restore=unprotected)))
    retired = replace(unprotected, retire_original=True)
    built["retired"] = synth_scratch(tables_with_a_service(replace(PROD, restore=retired)))
    return built


def waivers(synth):
    return synth.document.get("//", {}).get("checkov_waivers", {})


def key_of(synth, name):
    (key,) = [key for key, block in synth.resources("aws_dynamodb_table").items() if block["name"] == name]
    return key


def outputs(synth):
    return {name: output["value"] for name, output in synth.document["output"].items()}


def test_each_form_names_its_restored_table_from_the_input():
    assert {form: ORIGINAL + r.name_suffix() for form, r in FORMS.items()} == RESTORED
    assert TableRestore(table="messages", latest=True).name_suffix() == FORMS["latest"].name_suffix()
    # The longest name (a 20-character environment, the longest table suffix) fits DynamoDB's
    # TableName (3-255 of [a-zA-Z0-9_.-]).
    longest = "a" * 20 + "-user-counter" + FORMS["point_in_time"].name_suffix()
    assert re.fullmatch(r"[a-zA-Z0-9_.-]{3,255}", longest)


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_table_gets_a_new_construct_id_and_the_original_keeps_its_own(synths, form):
    synth = synths[form]
    assert key_of(synth, RESTORED[form]).startswith("dynamodb_messages_restored_")
    assert key_of(synth, ORIGINAL) == key_of(synths["none"], ORIGINAL)
    # The original, and the tables not restored, are not touched.
    assert tables_by_name(synth)[ORIGINAL] == tables_by_name(synths["none"])[ORIGINAL]
    for other in ("chat-test-connections", "chat-test-user-counter"):
        assert tables_by_name(synth)[other] == tables_by_name(synths["none"])[other]


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_table_has_the_originals_settings_and_protections(synths, form):
    tables = tables_by_name(synths[form])
    original, restored = tables[ORIGINAL], tables[RESTORED[form]]
    same = {key for key in original.keys() | restored.keys() if key not in HOW_IT_STARTS}
    assert {key: restored.get(key) for key in same} == {key: original.get(key) for key in same}
    # Key schema, class, key, PITR and deletion protection among them, spelt out:
    for setting in ("hash_key", "range_key", "attribute", "table_class", "server_side_encryption"):
        assert restored[setting] == original[setting], setting
    assert restored["point_in_time_recovery"] == {"enabled": True, "recovery_period_in_days": 35}
    assert restored["deletion_protection_enabled"] is True and restored["lifecycle"] == {"prevent_destroy": True}
    assert restored["tags"] == {**original["tags"], "Name": RESTORED[form]}


def test_a_point_in_time_restore_names_its_source_and_time(synths):
    restored = tables_by_name(synths["point_in_time"])[RESTORED["point_in_time"]]
    assert (restored["restore_source_name"], restored["restore_date_time"]) == (ORIGINAL, "2026-12-06T10:30:00+01:00")
    assert "restore_to_latest_time" not in restored


@pytest.mark.parametrize(("form", "source"), [("latest", ORIGINAL), ("other_source", "chat-test-messages-old")])
def test_a_latest_restore_uses_the_latest_restorable_time_of_its_source(synths, form, source):
    restored = tables_by_name(synths[form])[RESTORED[form]]
    assert (restored["restore_source_name"], restored["restore_to_latest_time"]) == (source, True)
    assert "restore_date_time" not in restored


def test_a_restored_table_with_an_index_and_ttl_keeps_them(synth_scratch):
    restore = TableRestore(table="connections", latest=True)
    synth = synth_scratch(tables_with_a_service(replace(PROD, restore=restore)))
    tables = tables_by_name(synth)
    original, restored = tables["chat-test-connections"], tables["chat-test-connections-latest"]
    assert restored["global_secondary_index"] == original["global_secondary_index"]
    assert restored["ttl"] == original["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert key_of(synth, "chat-test-connections-latest").startswith("dynamodb_connections_restored_")
    assert outputs(synth)["connections_table_name"] == "chat-test-connections-latest"


@pytest.mark.parametrize("form", list(FORMS))
def test_the_grants_the_outputs_and_the_backup_targets_move_to_the_restored_table(synths, form):
    synth = synths[form]
    restored_arn = f"${{aws_dynamodb_table.{key_of(synth, RESTORED[form])}.arn}}"
    original_arn = f"${{aws_dynamodb_table.{key_of(synth, ORIGINAL)}.arn}}"
    statements = role_statements(synth, "chat-test-api")
    assert statements["ReadWriteMessagesConnections"]["resources"][0] == restored_arn
    assert original_arn not in json.dumps(statements)
    values = outputs(synth)
    assert (values["messages_table_name"], values["messages_table_arn"]) == (RESTORED[form], restored_arn)
    # AWS Backup protects both while both exist.
    assert values["backup_targets"]["messages_table"] == original_arn
    assert values["backup_targets"]["messages_table_restored"] == restored_arn


def test_retiring_the_original_removes_only_that_table(synths):
    synth = synths["retired"]
    assert sorted(tables_by_name(synth)) == [
        "chat-test-connections",
        RESTORED["point_in_time"],
        "chat-test-user-counter",
    ]
    assert key_of(synth, RESTORED["point_in_time"]) == key_of(synths["point_in_time"], RESTORED["point_in_time"])
    assert sorted(outputs(synth)["backup_targets"]) == [
        "connections_table",
        "messages_table_restored",
        "user_counter_table",
    ]


def test_unprotecting_the_original_turns_off_only_its_protection_and_says_why(synths):
    synth = synths["unprotected"]
    original, before = tables_by_name(synth)[ORIGINAL], tables_by_name(synths["none"])[ORIGINAL]
    changed = {key for key in original.keys() | before.keys() if original.get(key) != before.get(key)}
    # DynamoDB refuses to delete a protected table; its point-in-time recovery and its tags (the
    # environment's DeletionProtection among them) stay as they were.
    assert changed == {"deletion_protection_enabled", "lifecycle"}
    assert original["deletion_protection_enabled"] is False and "lifecycle" not in original
    assert original["point_in_time_recovery"] == {"enabled": True, "recovery_period_in_days": 35}
    assert original["tags"]["DeletionProtection"] == "true"
    # The gate's protection check, which reads that tag, is waived on it alone, with the reason.
    reasons = waivers(synth)
    assert set(reasons) - set(waivers(synths["none"])) == {key_of(synth, ORIGINAL)}
    (reason,) = reasons[key_of(synth, ORIGINAL)].values()
    assert list(reasons[key_of(synth, ORIGINAL)]) == ["CKV_CHAT_62"]
    assert "unprotect_original" in reason and "point-in-time recovery" in reason
    # The restored table keeps every protection, and the other tables are untouched.
    restored = tables_by_name(synth)[RESTORED["point_in_time"]]
    assert restored["deletion_protection_enabled"] is True and restored["lifecycle"] == {"prevent_destroy": True}
    assert restored == tables_by_name(synths["point_in_time"])[RESTORED["point_in_time"]] | {
        "restore_date_time": "2026-12-06T09:30:00Z"
    }
    for other in ("chat-test-connections", "chat-test-user-counter"):
        assert tables_by_name(synth)[other] == tables_by_name(synths["none"])[other]


def test_unprotecting_in_an_unprotected_environment_changes_nothing(synth_scratch):
    restore = TableRestore(table="messages", latest=True, unprotect_original=True)
    unprotected = synth_scratch(tables_with_a_service(replace(SANDBOX, restore=restore)))
    kept = synth_scratch(tables_with_a_service(replace(SANDBOX, restore=replace(restore, unprotect_original=False))))
    assert unprotected.document == kept.document


def test_without_a_restore_nothing_changes(synths):
    assert sorted(outputs(synths["none"])["backup_targets"]) == [
        "connections_table",
        "messages_table",
        "user_counter_table",
    ]
    assert not any("restore" in key for table in tables_by_name(synths["none"]).values() for key in table)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "messages"),
    [
        ({"table": "message", "latest": True}, ["table: expected one of 'messages', 'connections' or 'user_counter'"]),
        ({"table": "messages", "latest": True, "source": "a b"}, ["source: expected a DynamoDB table name"]),
        (
            {"table": "x", "to_point_in_time": "yesterday", "source": "ab"},
            ["table: expected", "to_point_in_time: expected an RFC 3339", "source: expected"],
        ),
    ],
)
def test_the_props_refuse_bad_restores_naming_the_key_and_the_value(given, messages):
    with pytest.raises(ValueError) as caught:
        TableRestore(**given)
    for message in messages:
        assert message in str(caught.value)


EXAMPLE = "examples/dynamodb-apigw.hcl"


def test_an_environment_file_reports_every_restore_problem_with_file_key_expected_and_given(tmp_path):
    lines = '    table = "mesages"\n    to_point_in_time = "2026-12-06"\n    lastest = true\n'
    problems = refused(file_with_restore(EXAMPLE, tmp_path, "dynamodb", lines))
    assert set(problems) == {"dynamodb.restore.table", "dynamodb.restore.to_point_in_time", "dynamodb.restore.lastest"}
    assert 'got "mesages" (string)' in problems["dynamodb.restore.table"]
    assert 'got "2026-12-06" (string)' in problems["dynamodb.restore.to_point_in_time"]
    assert 'did you mean "latest"' in problems["dynamodb.restore.lastest"]


def test_an_environment_file_without_the_table_or_with_two_forms_says_so(tmp_path):
    problems = refused(file_with_restore(EXAMPLE, tmp_path, "dynamodb", "    latest = true\n"))
    assert list(problems) == ["dynamodb.restore.table"]
    lines = '    table = "messages"\n    latest = true\n    to_point_in_time = "2026-12-06T09:30:00Z"\n'
    problems = refused(file_with_restore(EXAMPLE, tmp_path, "dynamodb", lines))
    assert list(problems) == ["dynamodb.restore"]
    assert (
        "expected exactly one of to_point_in_time or latest = true (what to restore), got to_point_in_time, latest"
        in problems["dynamodb.restore"]
    )


# -- the stack follows the restored table ------------------------------------------------------


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    """The dynamodb-apigw example with `restore { table = "messages", to_point_in_time = ... }`."""
    from bindings.cdk import App
    from envconfig.loader import load_environment
    from stacks import ChatStack
    from tests.conftest import Synthesized

    directory = tmp_path_factory.mktemp("dynamodb-restore")
    lines = '    table = "messages"\n    to_point_in_time = "2026-12-06T09:30:00Z"\n'
    config = load_environment(file_with_restore(EXAMPLE, directory, "dynamodb", lines))
    outdir = directory / "out"
    app = App(outdir=str(outdir))
    ChatStack(app, config)
    app.synth()
    return Synthesized(json.loads((outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text()))


WIRED_ORIGINAL, WIRED_RESTORED = "chat-dynamodb-apigw-messages", "chat-dynamodb-apigw-messages-r202612060930"


def test_the_services_read_and_write_the_restored_table_by_name_and_grant(wired):
    restored_arn = f"${{aws_dynamodb_table.{key_of(wired, WIRED_RESTORED)}.arn}}"
    original_arn = f"${{aws_dynamodb_table.{key_of(wired, WIRED_ORIGINAL)}.arn}}"
    for service in ("api", "realtime", "worker"):
        statements = role_statements(wired, f"chat-dynamodb-apigw-{service}-task")
        granted = [r for s in statements.values() for r in s.get("resources", [])]
        assert restored_arn in granted and original_arn not in granted, service
    definitions = [
        d for d in wired.resources("aws_ecs_task_definition").values() if "MESSAGES_TABLE" in d["container_definitions"]
    ]
    assert definitions
    for definition in definitions:
        for container in json.loads(definition["container_definitions"]):
            environment = {e["name"]: e["value"] for e in container.get("environment", [])}
            if "MESSAGES_TABLE" in environment:
                assert environment["MESSAGES_TABLE"] == WIRED_RESTORED


def test_the_backup_selection_holds_the_original_and_the_restored_table(wired):
    (selection,) = wired.resources("aws_backup_selection").values()
    for name in (WIRED_ORIGINAL, WIRED_RESTORED):
        assert f"${{aws_dynamodb_table.{key_of(wired, name)}.arn}}" in selection["resources"], name


def test_the_restored_table_name_passes_dynamodbs_own_model(synths):
    """The gate's botocore check (gate/aws_model.py) judges every table name, the restored one too."""
    from gate.aws_model import ModelReport, check_stack, resolve_table
    from gate.aws_model_map import ROWS

    rows = tuple(row for row in ROWS if (row.resource_type, row.attribute) == ("aws_dynamodb_table", "name"))
    report = ModelReport(stacks=[], rows=len(rows))
    check_stack("restored", synths["point_in_time"].document, resolve_table(rows), report)
    (result,) = report.stacks
    assert result.judged == 4 and result.findings == []
    # A planted name DynamoDB refuses is caught by the same check (botocore's TableName is 1-1024
    # characters with no pattern, since it takes ARNs too: TableRestore.source checks the pattern).
    planted = json.loads(json.dumps(synths["point_in_time"].document))
    planted["resource"]["aws_dynamodb_table"][key_of(synths["point_in_time"], RESTORED["point_in_time"])]["name"] = (
        "m" * 1025
    )
    check_stack("planted", planted, resolve_table(rows), report)
    assert [finding.value for finding in report.stacks[1].findings] == ["m" * 1025]
