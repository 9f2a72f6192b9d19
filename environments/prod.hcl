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

# Uncomment once the state bucket exists (it is bootstrapped outside this stack):
# remote_state {
#   bucket       = "chat-infra-terraform-state-prod"
#   key          = "chat-prod/terraform.tfstate"
#   use_lockfile = true
# }
