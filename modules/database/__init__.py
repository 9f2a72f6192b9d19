"""Relational database: RDS for PostgreSQL with RDS Proxy, a read replica and tuned parameters.

`Database` is imported lazily so that `modules.database.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.database.props import ENGINE_VERSIONS, PROXY_AUTHS, DatabaseProps, ProxyAuth

__all__ = ["ENGINE_VERSIONS", "PROXY_AUTHS", "Database", "DatabaseProps", "ProxyAuth"]


def __getattr__(name: str):
    if name == "Database":
        from modules.database.database import Database

        return Database
    raise AttributeError(f"module 'modules.database' has no attribute {name!r}")
