"""The managed cache: ElastiCache for Valkey or Redis OSS with TLS, a CMK, IAM auth and Multi-AZ.

`ManagedCache` is imported lazily so that `modules.cache.props` (used by the environment
layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.cache.engines import DEFAULT_ENGINE_VERSIONS, ENGINE_VERSIONS, ENGINES
from modules.cache.props import DEFAULT_APPLICATION_ACCESS_STRING, ManagedCacheProps
from modules.common.lazy_exports import lazy_exports

__all__ = [
    "DEFAULT_APPLICATION_ACCESS_STRING",
    "DEFAULT_ENGINE_VERSIONS",
    "ENGINES",
    "ENGINE_VERSIONS",
    "CacheGroupRef",
    "ManagedCache",
    "ManagedCacheProps",
]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.cache.cache import CacheGroupRef, ManagedCache
else:
    __getattr__ = lazy_exports(__name__, {"modules.cache.cache": ("ManagedCache", "CacheGroupRef")})
