"""The Redis Cluster on EC2 (cache_backend = "redis_cluster"), built from the platform.

`build_redis_cluster(platform)` does all of it, in place of the ElastiCache wiring:
- the data tier's network ACL admits S3 (the nodes' backups and package repository go
  through the gateway endpoint: Network.admit_s3_to_data_tier);
- the cluster in the data subnets, from the environment file's `redis_cluster { }` block,
  with the network's endpoints reused and the missing ones created, its own alarms (node
  down, memory, replica missing) notifying the stack's alarm topic at the stack's memory
  threshold;
- the API and realtime services reach the client port (allow_from), get the startup nodes
  (CACHE_CLUSTER_NODES, "ip:6379,...", TLS only) as an environment variable, and the AUTH
  password (CACHE_PASSWORD) and the cluster's CA certificate (CACHE_TLS_CA) injected by ECS
  from their secrets, which their execution roles may read (grant_read_auth_secret,
  grant_read_tls_ca_certificate);
- the startup nodes, the AUTH secret and the node instances as stack outputs (the last two
  for make rotate-cache-auth).
The root then protects its data volumes and adds its cluster-state watch (its Component
methods).
"""

from __future__ import annotations

from bindings.cdk import TerraformOutput
from modules.common.inputs import props_from_block
from modules.redis_cluster import RedisCluster, RedisClusterProps
from stacks.platform import Platform

# The services that use the cache (as with ElastiCache): the worker does not.
CACHE_CLIENTS = ("api", "realtime")


def build_redis_cluster(platform: Platform) -> RedisCluster:
    """The Redis Cluster of the file's `redis_cluster { }` block, wired to the cache clients."""
    config, network = platform.config, platform.network
    network.admit_s3_to_data_tier()
    cluster = RedisCluster(
        platform.scope,
        "redis_cluster",
        alarm_topic_arn=platform.alarm_topic_arn,
        memory_alarm_percent=platform.alarm_thresholds.cache_memory_percent,
        props=props_from_block(
            RedisClusterProps,
            config.block("redis_cluster"),
            **platform.stack_inputs,
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
        service = platform.services[name]
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
    TerraformOutput(
        platform.scope,
        "redis_cluster_startup_nodes",
        value=cluster.startup_nodes,
        description="Redis Cluster nodes (ip:port,...) the services start from (CACHE_CLUSTER_NODES)",
    )
    # What `make rotate-cache-auth` (ops/rotate_cache_auth.py) rotates and where it runs the
    # nodes' side (SSM Run Command by instance id).
    TerraformOutput(
        platform.scope,
        "redis_cluster_auth_secret_arn",
        value=cluster.auth_secret_arn,
        description="The Redis Cluster's AUTH secret (CACHE_PASSWORD), rotated by make rotate-cache-auth",
    )
    TerraformOutput(
        platform.scope,
        "redis_cluster_instance_ids",
        value=cluster.instance_ids,
        description="The Redis Cluster's node instances (make rotate-cache-auth runs auth.sh on them)",
    )
    return cluster
