"""DynamoDB tables of the chat platform: messages, WebSocket connections, a user-id counter.

`ChatTables` is imported lazily so that `modules.dynamodb.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
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


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.dynamodb.dynamodb import ChatTables
else:
    __getattr__ = lazy_exports(__name__, {"modules.dynamodb.dynamodb": ("ChatTables",)})
