"""The document store option: Amazon DocumentDB with a CMK, TLS 1.2+, a managed master secret and audit logs.

`DocumentDatabase` is imported lazily so that `modules.documentdb.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.documentdb.engines import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS
from modules.documentdb.props import DocumentDatabaseProps

__all__ = ["DEFAULT_ENGINE_VERSION", "ENGINE_VERSIONS", "DocumentDatabase", "DocumentDatabaseProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.documentdb.documentdb import DocumentDatabase
else:
    __getattr__ = lazy_exports(__name__, {"modules.documentdb.documentdb": ("DocumentDatabase",)})
