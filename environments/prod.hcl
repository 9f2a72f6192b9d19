# Production: highly available in three AZs, nothing deletable by accident.
name   = "prod"
region = "eu-west-1"

deletion_protection = true
log_retention_days  = 365

tags = {
  team        = "chat-platform"
  cost-center = "chat-prod"
}

network {
  vpc_cidr           = "10.30.0.0/16"
  az_count           = 3
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  # A NAT gateway per AZ: an AZ failure never takes egress away from the others.
  nat_mode                = "per_az"
  # No interface endpoints: with NAT gateways the tasks reach AWS APIs through them, and
  # eight endpoints in three AZs cost ~$193 a month to save ~$3 of NAT processing at prod's
  # volumes (README.md, Review artifacts). S3 and DynamoDB keep their free gateway endpoints.
  interface_endpoints     = false
  flow_log_retention_days = 365
}

dns {
  zone_name           = "chat.example.com"
  api_host_names      = ["api.chat.example.com"]
  frontend_host_names = ["app.chat.example.com"]
}

load_balancer {
  log_expiration_days = 365
}

waf {
  # VPN and hosting-provider addresses carry most abuse; prod blocks them, dev only counts.
  block_anonymous_ips = true
  log_retention_days  = 365
  # shield_advanced = true   # $3,000/month subscription: decided per contract, off here
}

frontend {
  # Users on every continent get their nearest edge (about 20% more per GB than PriceClass_100).
  price_class         = "PriceClass_All"
  log_expiration_days = 365
}

compute {
  # Two on-demand tasks per service before any Spot, then half of the rest on Spot:
  # a reclamation wave never leaves a service below two tasks.
  on_demand_base_tasks = 2
  spot_percent         = 50
}

container_registry {
  keep_last_images = 50
}

# Sizes from the seeds' table (prod: api 3-5 x 512/1024, realtime 4-8 x 1024/2048).
api {
  port                = 3000
  health_check_path   = "/api/health"
  cpu                 = 512
  memory_mib          = 1024
  min_tasks           = 3
  max_tasks           = 5
  # The previous release stays warm in the idle colour: a rollback is a weight change.
  standby_tasks       = 1
  requests_per_target = 1000
}

realtime {
  port                  = 3000
  health_check_path     = "/health"
  cpu                   = 1024
  memory_mib            = 2048
  min_tasks             = 4
  max_tasks             = 8
  standby_tasks         = 1
  cpu_target_percent    = 60
  memory_target_percent = 70
}

worker {
  cpu        = 512
  memory_mib = 1024
  min_tasks  = 2
  max_tasks  = 10
  # Scale on the queues' visible messages per task (both queues added up).
  backlog_per_task = 50
}

push_queue {
  # A push older than an hour is noise: the app syncs when it is opened.
  message_retention_seconds  = 3600
  visibility_timeout_seconds = 30
}

offline_queue {
  # Ten tries of two minutes each ride out a database failover before the DLQ.
  max_receive_count          = 10
  visibility_timeout_seconds = 120
}

managed_cache {
  # A primary and two replicas in three AZs; m7g keeps steady CPU (no burst credits).
  node_type               = "cache.m7g.large"
  replicas                = 2
  snapshot_retention_days = 7
  log_retention_days      = 365
}

# backup: the module defaults (7 daily, 4 weekly, 3 monthly, compliance lock), and a copy of
# every recovery point, and the database's automated backups, in a second region: nothing is
# lost when eu-west-1 is (docs/runbook.md: Region loss).
backup {
  copy_region = "eu-central-1"
}

database {
  instance_class            = "db.r6g.large"
  allocated_storage_gib     = 100
  max_allocated_storage_gib = 1000
  backup_retention_days     = 30
  # Reads that tolerate a little lag (history, search) go to a replica in another AZ.
  replica                   = true
  monitoring_interval_seconds = 15
}

alarms {
  # Placeholders: replace before the first deploy, or confirmations go to example.com.
  subscriptions = {
    email = ["chat-oncall@example.com"]
  }
  load_balancer_p99_seconds = 1.5
}

# Terraform state in S3 from the first command. PLACEHOLDERS: 111122223333 is not your
# account. Run `make bootstrap-state ENV=prod` with this environment's credentials: it
# creates (or re-checks) the versioned, KMS-encrypted, deletion-protected bucket and key,
# and prints this block with your account's names; paste it here before `make deploy`.
remote_state {
  bucket       = "chat-infra-tfstate-111122223333-prod"
  key          = "chat-prod/terraform.tfstate"
  region       = "eu-west-1"
  kms_key_id   = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  use_lockfile = true
}
