"""The DynamoDB document store (`document_store = "dynamodb"`), built from the platform.

`build_dynamodb(platform)` creates the tables from the environment file's `dynamodb { }`
block (every key defaulted when the block is absent) and gives each service the tables it
uses and their names. The root puts every table in the backup selection (its Component
methods).
"""

from __future__ import annotations

from modules.common.inputs import props_from_block
from modules.dynamodb import ChatTables, ChatTablesProps
from stacks.platform import Platform

# Which tables each service reads and writes, and the variables that name them:
# - api: message history (REST pages of a room) and the user-id counter (sign-up);
# - realtime: new messages, and its connection bookkeeping ($connect / $disconnect);
# - worker: offline messages it stores, and the connections it looks a user up in.
SERVICE_TABLES: dict[str, tuple[str, ...]] = {
    "api": ("messages", "user_counter"),
    "realtime": ("messages", "connections"),
    "worker": ("messages", "connections"),
}
TABLE_VARIABLES: dict[str, str] = {
    "messages": "MESSAGES_TABLE",
    "connections": "CONNECTIONS_TABLE",
    "user_counter": "USER_COUNTER_TABLE",
}
# What the application finds in each table (the application contract).
TABLE_MEANINGS: dict[str, str] = {
    "messages": "DynamoDB table of chat messages, by room and time (the chat history).",
    "connections": "DynamoDB table of open WebSocket connections, written on connect and deleted on disconnect.",
    "user_counter": "DynamoDB table holding the counter that numbers new users (an atomic update per sign-up).",
}


def build_dynamodb(platform: Platform) -> ChatTables:
    """The chat tables, granted to the services that use them."""
    config = platform.config
    props = props_from_block(ChatTablesProps, config.block("dynamodb"), **platform.stack_inputs)
    tables = ChatTables(platform.scope, "dynamodb", props=props)
    for service_name, table_keys in SERVICE_TABLES.items():
        service = platform.services[service_name]
        tables.grant_read_write(service, tables=table_keys)
        for table_key in table_keys:
            service.add_environment(
                TABLE_VARIABLES[table_key], tables.table_names[table_key], meaning=TABLE_MEANINGS[table_key]
            )
        if "connections" in table_keys:
            service.add_environment(
                "CONNECTIONS_BY_USER_INDEX",
                tables.connections_by_user_index,
                meaning="Global secondary index of CONNECTIONS_TABLE by user id: every open connection of a user.",
            )
    return tables
