"""The Redis Cluster on EC2 wired into a ChatStack (environment files with cache_backend = "redis_cluster").

`wire_redis_cluster(stack, config)` does all of it, in place of the ElastiCache wiring:
- the data tier's network ACL admits S3 (the nodes' backups and package repository go
  through the gateway endpoint: Network.admit_s3_to_data_tier);
- the cluster in the data subnets, from the environment file's `redis_cluster { }` block,
  with the network's endpoints reused and the missing ones created;
- the API and realtime services reach the client port (allow_from), get the startup nodes
  (CACHE_CLUSTER_NODES, "ip:6379,...", TLS only) as an environment variable, and the AUTH
  password (CACHE_PASSWORD) and the cluster's CA certificate (CACHE_TLS_CA) injected by ECS
  from their secrets, which their execution roles may read (grant_read_auth_secret,
  grant_read_tls_ca_certificate);
- every node's data volume goes in the AWS Backup selection;
- the stack keeps it as `stack.redis_cluster`, where wire_observability finds it (the
  cluster-state alarm and dashboard row); once the alarm topic exists,
  `stack.redis_cluster.notify(stack.observability.topic.arn)` gives the cluster's own
  alarms (node down, memory, replica missing) the same topic.

It must run after the services and `stack.backup` exist, and before wire_observability.
"""

from __future__ import annotations

from typing import Any

from modules.common.inputs import props_from_block
from modules.redis_cluster import RedisCluster, RedisClusterProps

# The services that use the cache (as with ElastiCache): the worker does not.
CACHE_CLIENTS = ("api", "realtime")


def wire_redis_cluster(stack: Any, config: Any) -> RedisCluster:
    """Create the Redis Cluster of `config` in `stack` (a ChatStack) and wire it to the services."""
    if getattr(stack, "backup", None) is None:
        raise ValueError(f"{config.stack_name}: wire_redis_cluster needs the stack's backup plan; call it after")
    network = stack.network
    network.admit_s3_to_data_tier()
    cluster = RedisCluster(
        stack,
        "redis_cluster",
        props=props_from_block(
            RedisClusterProps,
            config.block("redis_cluster"),
            **stack.stack_inputs,
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.data_subnet_ids),
            availability_zones=tuple(network.availability_zones),
            s3_prefix_list_id=network.s3_prefix_list_id,
            endpoint_security_group_id=network.endpoint_security_group_id,
            network_endpoint_services=(
                tuple(network.props.interface_endpoint_services) if network.props.interface_endpoints else ()
            ),
        ),
    )
    for name in CACHE_CLIENTS:
        service = stack.services[name]
        cluster.allow_from(service.security_group)
        # Cluster clients (ioredis Cluster, node-redis createCluster) take a few startup
        # nodes ("ip:port,...") and discover the rest; every node is given, so any five may
        # be down. Names of its own: the application tells the two backends apart by them.
        service.add_environment(
            "CACHE_CLUSTER_NODES",
            cluster.startup_nodes,
            meaning="Redis Cluster startup nodes (ip:port,...): give them to a cluster client (ioredis Cluster, "
            "node-redis createCluster), which discovers the rest. TLS only (node-redis: rediss://ip:port; "
            "ioredis: tls options), checking the nodes against CACHE_TLS_CA; authenticate with CACHE_PASSWORD.",
        )
        # ECS reads the secret when a task starts (the execution role) and hands the task
        # the password as a variable; the task role gets nothing.
        service.add_secret(
            "CACHE_PASSWORD",
            cluster.auth_secret_arn,
            meaning="The Redis Cluster's AUTH password, injected by ECS when the task starts.",
        )
        cluster.grant_read_auth_secret(service.execution_role)
        # The nodes make their CA at first boot (no key in Terraform): clients trust its
        # certificate, which the nodes' certificates (issued for their IPs) chain to.
        service.add_secret(
            "CACHE_TLS_CA",
            cluster.tls_ca_certificate_secret_arn,
            meaning="The Redis Cluster's CA certificate (PEM), injected by ECS when the task starts: pass it as "
            "the TLS ca option and keep certificate checks on (each node's certificate names its IP).",
        )
        cluster.grant_read_tls_ca_certificate(service.execution_role)
    for index, volume_arn in enumerate(cluster.data_volume_arns):
        stack.backup.protect(f"redis_node_{index}_data", volume_arn)
    stack.redis_cluster = cluster
    return cluster
