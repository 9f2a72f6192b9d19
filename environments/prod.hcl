# Production: highly available in three AZs, nothing deletable by accident.
name   = "prod"
region = "eu-west-1"

deletion_protection = true
log_retention_days  = 90

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
  interface_endpoints     = true
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

# Uncomment once the state bucket exists (it is bootstrapped outside this stack):
# remote_state {
#   bucket       = "chat-infra-terraform-state-prod"
#   key          = "chat-prod/terraform.tfstate"
#   use_lockfile = true
# }
