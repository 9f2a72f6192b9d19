# Staging: production's shape at a fraction of its cost; release candidates soak here.
name   = "staging"
region = "eu-west-1"

deletion_protection = true
log_retention_days  = 30

tags = {
  team        = "chat-platform"
  cost-center = "chat-staging"
}

network {
  vpc_cidr           = "10.20.0.0/16"
  az_count           = 3
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  # Three AZs like prod so AZ-spread bugs show up before release; one NAT keeps
  # egress cost down (an AZ outage in staging is acceptable).
  nat_mode                = "single"
  # No interface endpoints: with a NAT gateway the tasks reach AWS APIs through it, and
  # eight endpoints in three AZs cost ~$193 a month to save ~$3 of NAT processing at prod's
  # volumes (README.md, Review artifacts). S3 and DynamoDB keep their free gateway endpoints.
  interface_endpoints     = false
  flow_log_retention_days = 30
}

dns {
  zone_name           = "staging.chat.example.com"
  api_host_names      = ["api.staging.chat.example.com"]
  frontend_host_names = ["app.staging.chat.example.com"]
}

# Release candidates soak on green with a tenth of the API traffic (the seeds' 90/10).
load_balancer {
  weights = {
    api      = { blue = 90, green = 10 }
    realtime = { blue = 100, green = 0 }
  }
}

waf {
  log_retention_days = 30
}

compute {
  # Like prod, one on-demand task per service survives a Spot reclamation wave.
  on_demand_base_tasks = 1
  spot_percent         = 50
}

api {
  port                = 3000
  health_check_path   = "/api/health"
  cpu                 = 256
  memory_mib          = 512
  min_tasks           = 2
  max_tasks           = 4
  standby_tasks       = 1
  requests_per_target = 1000
}

realtime {
  port                  = 3000
  health_check_path     = "/health"
  cpu                   = 512
  memory_mib            = 1024
  min_tasks             = 2
  max_tasks             = 4
  standby_tasks         = 1
  cpu_target_percent    = 60
  memory_target_percent = 70
}

worker {
  cpu        = 256
  memory_mib = 512
  min_tasks  = 1
  max_tasks  = 4
  # Scale on the queues' visible messages per task (both queues added up).
  backlog_per_task = 100
}

push_queue {
  message_retention_seconds  = 3600
  visibility_timeout_seconds = 30
}

offline_queue {
  # Ten tries of two minutes each ride out a database failover before the DLQ.
  max_receive_count          = 10
  visibility_timeout_seconds = 120
}

attachments {
  access_log_expiration_days = 30
}

managed_cache {
  node_type               = "cache.t4g.small"
  replicas                = 1
  snapshot_retention_days = 3
}

backup {
  vault_lock_mode = "governance"
  # No second-region copy (gate CKV_CHAT_41 waived with this reason): prod's is the one that matters.
  no_copy_reason  = "Staging holds release-candidate test data, not users' messages; after a region loss it is rebuilt from the environment file and re-seeded, so a second-region copy would only add cost."
}

database {
  instance_class            = "db.t4g.medium"
  allocated_storage_gib     = 50
  max_allocated_storage_gib = 200
  backup_retention_days     = 7
  log_retention_days        = 30
}

alarms {
  subscriptions = { email = ["chat-platform-staging@example.com"] }
}

# Terraform state in S3 from the first command. PLACEHOLDERS: 111122223333 is not your
# account. Run `make bootstrap-state ENV=staging` with this environment's credentials: it
# creates (or re-checks) the versioned, KMS-encrypted, deletion-protected bucket and key,
# and prints this block with your account's names; paste it here before `make deploy`.
remote_state {
  bucket       = "chat-infra-tfstate-111122223333-staging"
  key          = "chat-staging/terraform.tfstate"
  region       = "eu-west-1"
  kms_key_id   = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  use_lockfile = true
}
