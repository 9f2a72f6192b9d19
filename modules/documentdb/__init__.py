"""The document store option: Amazon DocumentDB with a CMK, TLS 1.2+, a managed master secret and audit logs.

`DocumentDatabase` is imported lazily so that `modules.documentdb.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.documentdb.engines import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS
from modules.documentdb.props import DocumentDatabaseProps

__all__ = ["DEFAULT_ENGINE_VERSION", "ENGINE_VERSIONS", "DocumentDatabase", "DocumentDatabaseProps"]


def __getattr__(name: str):
    if name == "DocumentDatabase":
        from modules.documentdb.documentdb import DocumentDatabase

        return DocumentDatabase
    raise AttributeError(f"module 'modules.documentdb' has no attribute {name!r}")
