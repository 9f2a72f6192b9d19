"""Relational database: RDS for PostgreSQL with RDS Proxy, a read replica and tuned parameters,
and the one-off admin task that bootstraps its roles and runs migrations.

`Database` and `DatabaseAdminTask` are imported lazily so that `modules.database.props`
(used by the environment layer to validate files) does not pay for importing the AWS
provider bindings.
"""

from modules.database.props import ENGINE_VERSIONS, PROXY_AUTHS, DatabaseAdminTaskProps, DatabaseProps, ProxyAuth

__all__ = [
    "ENGINE_VERSIONS",
    "PROXY_AUTHS",
    "Database",
    "DatabaseAdminTask",
    "DatabaseAdminTaskProps",
    "DatabaseProps",
    "ProxyAuth",
]


def __getattr__(name: str):
    if name == "Database":
        from modules.database.database import Database

        return Database
    if name == "DatabaseAdminTask":
        from modules.database.admin_task import DatabaseAdminTask

        return DatabaseAdminTask
    raise AttributeError(f"module 'modules.database' has no attribute {name!r}")
