# Development: one engineer's sandbox. Cheapest layout that still behaves like prod
# (same tiers, same endpoints for S3/DynamoDB, flow logs on).
name   = "dev"
region = "eu-west-1"

# Dev data is disposable; tearing the stack down must not need a console visit.
deletion_protection = false
log_retention_days  = 7

tags = {
  team        = "chat-platform"
  cost-center = "chat-dev"
}

network {
  vpc_cidr           = "10.10.0.0/16"
  az_count           = 2
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  # One NAT gateway (~$32/month + data) beats 8 interface endpoints x 2 AZs
  # (~$117/month) at dev traffic volumes.
  nat_mode            = "single"
  interface_endpoints = false
  flow_log_retention_days = 14
}

# Public hosts; the zone is delegated once by hand and looked up by name.
dns {
  zone_name           = "dev.chat.example.com"
  api_host_names      = ["api.dev.chat.example.com"]
  frontend_host_names = ["app.dev.chat.example.com"]
}

waf {
  # Engineers run load tests from one office address; still far below what stops a flood.
  api_rate_limit_per_5min = 5000
  log_retention_days      = 30
}

frontend {
  log_expiration_days = 14
}

compute {
  # Dev tolerates Spot interruptions: every task on FARGATE_SPOT (~70% cheaper).
  on_demand_base_tasks = 0
  spot_percent         = 100
  exec_enabled         = true
  # No collector sidecars in dev: traces are for staging and prod.
  tracing_enabled = false
}

container_registry {
  keep_last_images = 10
}

# Sizes from the seeds' table (dev: api 1 x 256/512, realtime 2 x 512/1024).
api {
  port                = 3000
  health_check_path   = "/api/health"
  cpu                 = 256
  memory_mib          = 512
  min_tasks           = 1
  max_tasks           = 2
  requests_per_target = 1000
  environment = {
    LOG_LEVEL = "debug"
  }
}

realtime {
  port                  = 3000
  health_check_path     = "/health"
  cpu                   = 512
  memory_mib            = 1024
  min_tasks             = 2
  max_tasks             = 3
  cpu_target_percent    = 60
  memory_target_percent = 70
}

worker {
  cpu        = 256
  memory_mib = 512
  min_tasks  = 1
  max_tasks  = 2
  # Scale on the queues' visible messages per task (both queues added up).
  backlog_per_task = 100
}

push_queue {
  # A push older than an hour is noise: the app syncs when it is opened.
  max_receive_count          = 3
  message_retention_seconds  = 3600
  visibility_timeout_seconds = 30
}

offline_queue {
  max_receive_count          = 3
  message_retention_seconds  = 86400
  visibility_timeout_seconds = 60
}

attachments {
  noncurrent_version_expiration_days = 7
  access_log_expiration_days         = 14
}

managed_cache {
  # One node, no failover: a dev cache may restart empty.
  node_type               = "cache.t4g.micro"
  replicas                = 0
  automatic_failover      = false
  snapshot_retention_days = 1
  log_retention_days      = 14
}

backup {
  daily_backups_kept   = 7
  weekly_backups_kept  = 0
  monthly_backups_kept = 0
  vault_lock_mode      = "none"
}

database {
  # The seeds' dev size on Graviton (db.t4g.micro is ~10% cheaper than db.t3.micro).
  instance_class            = "db.t4g.micro"
  multi_az                  = false
  allocated_storage_gib     = 20
  max_allocated_storage_gib = 50
  backup_retention_days     = 1
  skip_final_snapshot       = true
  apply_immediately         = true
  proxy                     = false
  log_retention_days        = 14
  slow_query_log_ms         = 100
}

alarms {
  # Nobody is paged in dev: alarms change state on the dashboard only.
  subscriptions                  = {}
  service_task_shortfall_minutes = 30 # every task on Spot: reclaimed tasks may wait for capacity
  database_cpu_percent           = 90 # t4g.micro on burst credits
}

# Terraform state in S3 from the first command. PLACEHOLDERS: 111122223333 is not your
# account. Run `make bootstrap-state ENV=dev` with this environment's credentials: it
# creates (or re-checks) the versioned, KMS-encrypted, deletion-protected bucket and key,
# and prints this block with your account's names; paste it here before `make deploy`.
remote_state {
  bucket       = "chat-infra-tfstate-111122223333-dev"
  key          = "chat-dev/terraform.tfstate"
  region       = "eu-west-1"
  kms_key_id   = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  use_lockfile = true
}
