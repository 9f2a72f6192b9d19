"""DynamoDB module: the three tables' keys, index and TTL, on-demand billing, PITR, the
CMK (own or given), deletion protection, grants parsed statement by statement, validation,
the README, and the stack wiring (build_dynamodb) on a real ChatStack."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modules.common.keys import BASE_STATEMENT_SIDS
from modules.dynamodb import ChatTablesProps
from modules.dynamodb.schema import CONNECTIONS, MESSAGES, TABLE_KEYS, TABLES, USER_COUNTER, check_table_keys

ACCOUNT = "111122223333"
PROD = ChatTablesProps(name="chat-test", region="eu-west-1", account_id=ACCOUNT, recovery_period_days=35)
GIVEN_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
SANDBOX = replace(
    PROD,
    account_id=None,
    deletion_protection=False,
    kms_key_arn=GIVEN_KEY,
    recovery_period_days=7,
    messages_table_class="STANDARD_INFREQUENT_ACCESS",
)
ITEM_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
]
KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
OUTPUTS = (
    "messages_table_name",
    "messages_table_arn",
    "connections_table_name",
    "connections_table_arn",
    "connections_by_user_index",
    "user_counter_table_name",
    "user_counter_table_arn",
    "kms_key_arn",
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.common.roles import ServiceRole
    from modules.dynamodb import ChatTables

    def role(stack, name):
        return ServiceRole(
            stack,
            name,
            name=f"chat-test-{name}",
            service="ecs-tasks.amazonaws.com",
            description="d",
            account_id=ACCOUNT,
        )

    def prod(stack):
        tables = ChatTables(stack, "dynamodb", props=PROD)
        tables.grant_read_write(role(stack, "api"))
        tables.grant_read_write(role(stack, "realtime"), tables=("messages", "connections"))
        tables.grant_read_write(role(stack, "api2"), tables=("user_counter",))
        for output in OUTPUTS:
            TerraformOutput(stack, output, value=getattr(tables, output))

    def sandbox(stack):
        ChatTables(stack, "dynamodb", props=SANDBOX)

    return {"prod": synth_scratch(prod), "sandbox": synth_scratch(sandbox)}


def tables_by_name(synth):
    return {block["name"]: block for block in synth.resources("aws_dynamodb_table").values()}


def table_key(synth, name):
    return next(key for key, block in synth.resources("aws_dynamodb_table").items() if block["name"] == name)


def role_statements(synth, role_name):
    (role_key,) = [key for key, role in synth.resources("aws_iam_role").items() if role["name"] == role_name]
    (policy,) = [
        p
        for p in synth.resources("aws_iam_role_policy").values()
        if p["role"] == synth.reference("aws_iam_role", role_key)
    ]
    return {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}


# -- tables ----------------------------------------------------------------------------


def test_three_tables_with_their_keys_index_and_ttl(variants):
    tables = tables_by_name(variants["prod"])
    assert set(tables) == {"chat-test-messages", "chat-test-connections", "chat-test-user-counter"}
    messages = tables["chat-test-messages"]
    assert (messages["hash_key"], messages["range_key"]) == ("room_id", "message_id")
    assert messages["attribute"] == [{"name": "room_id", "type": "S"}, {"name": "message_id", "type": "S"}]
    assert "global_secondary_index" not in messages and "ttl" not in messages

    connections = tables["chat-test-connections"]
    assert connections["hash_key"] == "connection_id" and "range_key" not in connections
    assert connections["attribute"] == [{"name": "connection_id", "type": "S"}, {"name": "user_id", "type": "S"}]
    assert connections["global_secondary_index"] == [
        {"name": "user_id-index", "hash_key": "user_id", "projection_type": "KEYS_ONLY"}
    ]
    assert connections["ttl"] == {"attribute_name": "expires_at", "enabled": True}

    counter = tables["chat-test-user-counter"]
    assert counter["hash_key"] == "counter_name" and counter["attribute"] == [{"name": "counter_name", "type": "S"}]
    assert "ttl" not in counter and "global_secondary_index" not in counter


@pytest.mark.parametrize(("variant", "days"), [("prod", 35), ("sandbox", 7)])
def test_every_table_is_on_demand_with_point_in_time_recovery(variants, variant, days):
    for table in tables_by_name(variants[variant]).values():
        assert table["billing_mode"] == "PAY_PER_REQUEST"
        assert "read_capacity" not in table and "write_capacity" not in table
        assert table["point_in_time_recovery"] == {"enabled": True, "recovery_period_in_days": days}


def test_every_table_is_encrypted_with_the_modules_own_key(variants):
    synth = variants["prod"]
    (key_name,) = synth.resources("aws_kms_key")
    for table in tables_by_name(synth).values():
        assert table["server_side_encryption"] == {
            "enabled": True,
            "kms_key_arn": synth.reference("aws_kms_key", key_name, "arn"),
        }
    key = synth.resources("aws_kms_key")[key_name]
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    (alias,) = synth.resources("aws_kms_alias").values()
    assert alias["name"] == "alias/chat-test/chat-tables"
    # The key policy delegates use to IAM, through AWS services only: DynamoDB uses the key
    # through its grants.
    (policy,) = synth.resources("aws_kms_key_policy").values()
    statements = synth.data_by_reference(policy["policy"])["statement"]
    assert [s["sid"] for s in statements] == list(BASE_STATEMENT_SIDS)


def test_a_given_key_is_used_and_none_created(variants):
    synth = variants["sandbox"]
    assert synth.resources("aws_kms_key") == {} and synth.resources("aws_kms_alias") == {}
    # Without a key to create, nothing needs the account: no lookup.
    assert synth.data("aws_caller_identity") == {}
    for table in tables_by_name(synth).values():
        assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": GIVEN_KEY}


def test_deletion_protection_on_the_tables_and_the_key(variants):
    synth = variants["prod"]
    for table in tables_by_name(synth).values():
        assert table["deletion_protection_enabled"] is True
        assert table["lifecycle"] == {"prevent_destroy": True}
        assert table["tags"]["DeletionProtection"] == "true"
    (key,) = synth.resources("aws_kms_key").values()
    assert key["lifecycle"]["prevent_destroy"] is True
    for table in tables_by_name(variants["sandbox"]).values():
        assert table["deletion_protection_enabled"] is False
        assert "lifecycle" not in table
        assert table["tags"]["DeletionProtection"] == "false"


def test_only_the_messages_table_takes_the_chosen_class(variants):
    classes = {name: table["table_class"] for name, table in tables_by_name(variants["sandbox"]).items()}
    assert classes == {
        "chat-test-messages": "STANDARD_INFREQUENT_ACCESS",
        "chat-test-connections": "STANDARD",
        "chat-test-user-counter": "STANDARD",
    }


def test_outputs_name_the_tables_and_the_key(variants):
    synth = variants["prod"]
    outputs = {name: synth.document["output"][name]["value"] for name in OUTPUTS}
    assert outputs["messages_table_name"] == "chat-test-messages"
    assert outputs["connections_table_name"] == "chat-test-connections"
    assert outputs["user_counter_table_name"] == "chat-test-user-counter"
    assert outputs["connections_by_user_index"] == "user_id-index"
    for table in ("messages", "connections", "user_counter"):
        name = table_key(synth, outputs[f"{table}_table_name"])
        assert outputs[f"{table}_table_arn"] == synth.reference("aws_dynamodb_table", name, "arn")
    (key_name,) = synth.resources("aws_kms_key")
    assert outputs["kms_key_arn"] == synth.reference("aws_kms_key", key_name, "arn")


# -- grants ------------------------------------------------------------------------------


def arn_of(synth, table_name):
    return synth.reference("aws_dynamodb_table", table_key(synth, table_name), "arn")


def test_grant_read_write_names_the_tables_their_indexes_and_the_key(variants):
    synth = variants["prod"]
    (key_name,) = synth.resources("aws_kms_key")
    key_statement = {
        "actions": KEY_ACTIONS,
        "condition": [
            {"test": "StringEquals", "variable": "kms:ViaService", "values": ["dynamodb.eu-west-1.amazonaws.com"]}
        ],
        "effect": "Allow",
        "resources": [synth.reference("aws_kms_key", key_name, "arn")],
    }
    every = role_statements(synth, "chat-test-api")
    assert set(every) == {
        "ReadWriteMessagesConnectionsUserCounter",
        "QueryMessagesConnectionsUserCounterIndexes",
        "UseMessagesConnectionsUserCounterKey",
    }
    assert every["ReadWriteMessagesConnectionsUserCounter"] == {
        "sid": "ReadWriteMessagesConnectionsUserCounter",
        "actions": ITEM_ACTIONS,
        "effect": "Allow",
        "resources": [
            arn_of(synth, "chat-test-messages"),
            arn_of(synth, "chat-test-connections"),
            arn_of(synth, "chat-test-user-counter"),
        ],
    }
    # Only the connections table has an index, and an index is only queried.
    assert every["QueryMessagesConnectionsUserCounterIndexes"]["actions"] == ["dynamodb:Query"]
    assert every["QueryMessagesConnectionsUserCounterIndexes"]["resources"] == [
        f"{arn_of(synth, 'chat-test-connections')}/index/*"
    ]
    assert {k: v for k, v in every["UseMessagesConnectionsUserCounterKey"].items() if k != "sid"} == key_statement

    realtime = role_statements(synth, "chat-test-realtime")
    assert set(realtime) == {
        "ReadWriteMessagesConnections",
        "QueryMessagesConnectionsIndexes",
        "UseMessagesConnectionsKey",
    }
    assert realtime["ReadWriteMessagesConnections"]["resources"] == [
        arn_of(synth, "chat-test-messages"),
        arn_of(synth, "chat-test-connections"),
    ]
    counter_only = role_statements(synth, "chat-test-api2")
    # No index on the counter table: no query statement.
    assert set(counter_only) == {"ReadWriteUserCounter", "UseUserCounterKey"}
    assert counter_only["ReadWriteUserCounter"]["resources"] == [arn_of(synth, "chat-test-user-counter")]
    for statements in (every, realtime, counter_only):
        for statement in statements.values():
            assert "*" not in statement["resources"]
            assert not any(action.endswith("*") or action == "dynamodb:Scan" for action in statement["actions"])


def test_grant_read_write_refuses_unknown_or_repeated_tables():
    expected = "expected one or more distinct tables of ['messages', 'connections', 'user_counter'], got "
    for tables, given in (
        (("rooms",), "['rooms']"),
        ((), "[]"),
        (("messages", "messages"), "['messages', 'messages']"),
    ):
        with pytest.raises(ValueError) as error:
            check_table_keys(tables)
        assert str(error.value) == expected + given


def test_schema_declares_each_key_attribute_once():
    assert TABLE_KEYS == ("messages", "connections", "user_counter")
    assert MESSAGES.key_attributes == ("room_id", "message_id")
    assert CONNECTIONS.key_attributes == ("connection_id", "user_id")
    assert USER_COUNTER.key_attributes == ("counter_name",)
    assert [table.ttl_attribute for table in TABLES] == [None, "expires_at", None]


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"recovery_period_days": 0},
            "recovery_period_days: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"recovery_period_days": 36},
            "recovery_period_days: expected a number less than or equal to 35, got 36 (number)",
        ),
        (
            {"messages_table_class": "GLACIER"},
            "messages_table_class: expected one of 'STANDARD' or 'STANDARD_INFREQUENT_ACCESS', "
            'got "GLACIER" (string)',
        ),
        (
            {"kms_key_arn": "alias/chat-tables"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> "
            '(a key id, not an alias), got "alias/chat-tables" (string)',
        ),
        ({"name": "Chat"}, "name: expected 2-20 characters of lowercase letters"),
        ({"region": "europe"}, 'region: expected an AWS region such as eu-west-1, got "europe" (string)'),
        ({"account_id": "1234"}, 'account_id: expected a 12-digit AWS account id in quotes, got "1234" (string)'),
    ],
)
def test_bad_input_is_refused_with_its_field_and_value(changes, message):
    with pytest.raises(ValueError) as error:
        replace(PROD, **changes)
    assert str(error.value).startswith("invalid ChatTablesProps:\n  ")
    assert message in str(error.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as error:
        replace(PROD, recovery_period_days=99, messages_table_class="COLD")
    assert str(error.value).count("\n  ") == 2


# -- wiring into a ChatStack -----------------------------------------------------------------


@pytest.fixture(scope="module")
def wired(tmp_path_factory, environment_configs):
    """A real ChatStack from environments/dev.hcl with `document_store = "dynamodb"` and a
    `dynamodb { }` block: ChatStack builds the tables (build_dynamodb) for that choice."""
    from bindings.cdk import App
    from modules.dynamodb import ChatTables
    from stacks import ChatStack
    from tests.conftest import Synthesized
    from tests.modules.variant_configs import variant_config

    config = variant_config(
        environment_configs["dev"], document_store="dynamodb", dynamodb={"recovery_period_days": 14}
    )
    outdir = tmp_path_factory.mktemp("dynamodb-wired")
    app = App(outdir=str(outdir))
    stack = ChatStack(app, config)
    assert isinstance(stack.composition.variant_stores["document_store"], ChatTables)
    app.synth()
    return Synthesized(json.loads((outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text()))


def test_wiring_puts_every_table_in_the_backup_selection(wired):
    (selection,) = wired.resources("aws_backup_selection").values()
    for name in ("chat-dev-messages", "chat-dev-connections", "chat-dev-user-counter"):
        assert arn_of(wired, name) in selection["resources"], name
    for table in tables_by_name(wired).values():
        # dev: no deletion protection, the block's recovery period.
        assert table["deletion_protection_enabled"] is False
        assert table["point_in_time_recovery"]["recovery_period_in_days"] == 14


def test_wiring_grants_each_service_its_tables_and_names_them(wired):
    expected = {
        "api": ("messages", "user_counter"),
        "realtime": ("messages", "connections"),
        "worker": ("messages", "connections"),
    }
    names = {
        "messages": "chat-dev-messages",
        "connections": "chat-dev-connections",
        "user_counter": "chat-dev-user-counter",
    }
    variables = {"messages": "MESSAGES_TABLE", "connections": "CONNECTIONS_TABLE", "user_counter": "USER_COUNTER_TABLE"}
    for service, tables in expected.items():
        statements = role_statements(wired, f"chat-dev-{service}-task")
        part = "".join(t.replace("_", " ").title().replace(" ", "") for t in tables)
        assert statements[f"ReadWrite{part}"]["resources"] == [arn_of(wired, names[t]) for t in tables]
        definitions = [
            d
            for d in wired.resources("aws_ecs_task_definition").values()
            if d["family"].startswith(f"chat-dev-{service}")
        ]
        assert definitions, service
        for definition in definitions:
            (container,) = [c for c in json.loads(definition["container_definitions"]) if c["name"] == service]
            environment = {e["name"]: e["value"] for e in container["environment"]}
            for table, variable in variables.items():
                assert (environment.get(variable) == names[table]) == (table in tables), (service, variable)
            assert ("CONNECTIONS_BY_USER_INDEX" in environment) == ("connections" in tables)
