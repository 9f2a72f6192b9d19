# Example (not deployed): the self-managed Redis Cluster on EC2 instead of ElastiCache
# (cache_backend = "redis_cluster"), shaped like staging, so that every synthesis, gate
# and provider-tier run covers that variant too:
# - six nodes (3 masters + 3 replicas) of t3.micro, the seeds' staging size, over three
#   zones, each replica in another zone than its master;
# - the network's interface endpoints reused (logs, Secrets Manager); the cluster adds
#   Session Manager's and CloudWatch's in one zone only (interface_endpoint_zones = 1);
# - account_id: the provider refuses any other account (allowed_account_ids); this is
#   the account id of the provider tier's local AWS emulator.
name       = "redis-cluster"
region     = "eu-west-1"
account_id = "123456789012"

deletion_protection = true
log_retention_days  = 30

tags = {
  team = "chat-platform"
}

network {
  vpc_cidr           = "10.50.0.0/16"
  az_count           = 3
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  # A Redis Cluster that survives losing a zone needs three: two of three masters left
  # vote the failover.
  nat_mode                = "single"
  interface_endpoints     = true
  flow_log_retention_days = 30
}

dns {
  zone_name           = "redis-cluster.chat.example.com"
  api_host_names      = ["api.redis-cluster.chat.example.com"]
  frontend_host_names = ["app.redis-cluster.chat.example.com"]
}

cache_backend = "redis_cluster"

redis_cluster {
  shards             = 3
  replicas_per_shard = 1
  nodes              = 6
  # 1 GiB: 480 MiB for Redis (sizing.py); ~$8.30 a node a month.
  instance_type      = "t3.micro"
  data_volume_gib    = 10
  # Session Manager's and CloudWatch's endpoints in the first zone only (~$48 a month less).
  interface_endpoint_zones = 1
  daily_backups_kept       = 7
  weekly_backups_kept      = 4
  monthly_backups_kept     = 3
  log_retention_days       = 30
}

backup {
  # An example, never deployed (gate CKV_CHAT_41 waived with this reason); prod.hcl shows copy_region.
  no_copy_reason = "An example stack, never deployed: it shows a variant, and environments/prod.hcl shows the second-region copy (copy_region) a deployed protected environment takes."
  vault_lock_mode = "governance"
}
