# Example (not deployed): the variants the shipped environments do not take, so that
# every synthesis, equivalence and provider-tier check covers them too.
# - nat_mode "none": no NAT gateway at all; the private tier reaches AWS only through
#   the gateway and interface endpoints (what a regulated tenant would ask for);
# - no availability_zones: the stack looks the zones up (data.aws_availability_zones);
# - account_id: the provider refuses any other account (allowed_account_ids); this is
#   the account id of the provider tier's local AWS emulator;
# - remote_state: the S3 backend with native locking;
# - a Django/Daphne build of the services (the seeds' ASGI variant) on port 9000, on
#   x86_64 only, on-demand only, without ECS Exec (its SSM channels have no endpoint
#   in this network, and there is no NAT to reach them) and without tracing (X-Ray
#   and the collector's public image are reached through NAT);
# - key_administrator_arns: every key administered by these roles only, behind the deny
#   guard rail (modules/common/keys.py); the deploying role must be one of them.
name       = "isolated"
region     = "eu-central-1"
account_id = "123456789012"

deletion_protection = true
log_retention_days  = 30

key_administrator_arns = [
  "arn:aws:iam::123456789012:role/chat-infra-deploy",
  "arn:aws:iam::123456789012:role/security/key-admin",
]

tags = {
  team = "chat-platform"
}

network {
  vpc_cidr                = "10.40.0.0/18"
  az_count                = 2
  nat_mode                = "none"
  interface_endpoints     = true
  flow_log_retention_days = 365
}

dns {
  zone_name           = "isolated.chat.example.com"
  api_host_names      = ["api.isolated.chat.example.com", "ws.isolated.chat.example.com"]
  frontend_host_names = ["app.isolated.chat.example.com"]
}

compute {
  on_demand_base_tasks = 1
  spot_percent         = 0
  exec_enabled         = false
  tracing_enabled      = false
}

api {
  port                = 9000
  health_check_path   = "/api/health/"
  architecture        = "X86_64"
  image_architectures = ["X86_64"]
  requests_per_target = 500
}

realtime {
  port                  = 9000
  health_check_path     = "/health/"
  architecture          = "X86_64"
  image_architectures   = ["X86_64"]
  cpu                   = 512
  memory_mib            = 1024
  cpu_target_percent    = 60
  memory_target_percent = 70
}

worker {
  architecture        = "X86_64"
  image_architectures = ["X86_64"]
}

remote_state {
  bucket = "chat-infra-terraform-state-isolated"
  key    = "chat-isolated/terraform.tfstate"
}

backup {
  # An example, never deployed (gate CKV_CHAT_41 waived with this reason); prod.hcl shows copy_region.
  no_copy_reason = "An example stack, never deployed: it shows a variant, and environments/prod.hcl shows the second-region copy (copy_region) a deployed protected environment takes."
}
