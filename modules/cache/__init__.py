"""The managed cache: ElastiCache for Valkey or Redis OSS with TLS, a CMK, IAM auth and Multi-AZ.

`ManagedCache` is imported lazily so that `modules.cache.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.cache.engines import DEFAULT_ENGINE_VERSIONS, ENGINE_VERSIONS, ENGINES
from modules.cache.props import DEFAULT_APPLICATION_ACCESS_STRING, ManagedCacheProps

__all__ = [
    "DEFAULT_APPLICATION_ACCESS_STRING",
    "DEFAULT_ENGINE_VERSIONS",
    "ENGINES",
    "ENGINE_VERSIONS",
    "CacheGroupRef",
    "ManagedCache",
    "ManagedCacheProps",
]


def __getattr__(name: str):
    if name in ("ManagedCache", "CacheGroupRef"):
        from modules.cache import cache

        return getattr(cache, name)
    raise AttributeError(f"module 'modules.cache' has no attribute {name!r}")
