"""DynamoDB tables of the chat platform: messages, WebSocket connections, a user-id counter.

`ChatTables` is imported lazily so that `modules.dynamodb.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.dynamodb.props import TABLE_CLASSES, ChatTablesProps, TableClass
from modules.dynamodb.schema import CONNECTIONS_BY_USER_INDEX, TABLE_KEYS, TABLES, TableSchema

__all__ = [
    "CONNECTIONS_BY_USER_INDEX",
    "TABLES",
    "TABLE_CLASSES",
    "TABLE_KEYS",
    "ChatTables",
    "ChatTablesProps",
    "TableClass",
    "TableSchema",
]


def __getattr__(name: str):
    if name == "ChatTables":
        from modules.dynamodb.dynamodb import ChatTables

        return ChatTables
    raise AttributeError(f"module 'modules.dynamodb' has no attribute {name!r}")
