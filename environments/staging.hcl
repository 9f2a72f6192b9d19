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
  interface_endpoints     = true
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
