"""A self-managed Redis Cluster on EC2: nodes across the data subnets, formed and repaired by
its own scripts, backed up to S3 and watched with custom metrics.

`RedisCluster` is imported lazily so that `modules.redis_cluster.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.redis_cluster.props import MAXMEMORY_POLICIES, RedisClusterProps

__all__ = ["MAXMEMORY_POLICIES", "RedisCluster", "RedisClusterProps"]


def __getattr__(name: str):
    if name == "RedisCluster":
        from modules.redis_cluster.redis_cluster import RedisCluster

        return RedisCluster
    raise AttributeError(f"module 'modules.redis_cluster' has no attribute {name!r}")
