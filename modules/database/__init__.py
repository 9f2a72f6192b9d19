"""Relational database: RDS for PostgreSQL with RDS Proxy, a read replica and tuned parameters,
and the one-off admin task that bootstraps its roles and runs migrations.

`Database` and `DatabaseAdminTask` are imported lazily so that `modules.database.props`
(used by the environment layer to validate files) does not pay for importing the AWS
provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
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


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.database.admin_task import DatabaseAdminTask
    from modules.database.database import Database
else:
    __getattr__ = lazy_exports(
        __name__, {"modules.database.database": ("Database",), "modules.database.admin_task": ("DatabaseAdminTask",)}
    )
