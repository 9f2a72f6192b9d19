"""A self-managed Redis Cluster on EC2: nodes across the data subnets, formed and repaired by
its own scripts, backed up to S3 and watched with custom metrics.

`RedisCluster` is imported lazily so that `modules.redis_cluster.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.redis_cluster.props import MAXMEMORY_POLICIES, RedisClusterProps

__all__ = ["MAXMEMORY_POLICIES", "RedisCluster", "RedisClusterProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.redis_cluster.redis_cluster import RedisCluster
else:
    __getattr__ = lazy_exports(__name__, {"modules.redis_cluster.redis_cluster": ("RedisCluster",)})
