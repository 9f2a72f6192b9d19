# Example (not deployed): the DynamoDB document store and the API Gateway WebSocket
# ingress, the variants of the seeds' serverless design (001_*):
# - document_store "dynamodb": messages, connections and a user-id counter in DynamoDB
#   (on-demand, point-in-time recovery, a customer-managed key, AWS Backup);
# - ingress "api_gateway": clients open wss://ws.apigw.chat.example.com on a WebSocket API
#   that reaches the realtime tasks through a VPC link and an internal Network Load
#   Balancer; the public load balancer keeps serving /api/* only;
# - account_id: the provider refuses any other account; this is the account id of the
#   provider tier's local AWS emulator.
name       = "dynamodb-apigw"
region     = "eu-west-1"
account_id = "123456789012"

deletion_protection = true
log_retention_days  = 90

tags = {
  team = "chat-platform"
}

document_store = "dynamodb"
ingress        = "api_gateway"

network {
  vpc_cidr           = "10.50.0.0/16"
  az_count           = 2
  availability_zones = ["eu-west-1a", "eu-west-1b"]
  # The realtime tasks post to clients through the @connections API, a public endpoint:
  # the API Gateway ingress needs NAT (one is enough for an example).
  nat_mode            = "single"
  interface_endpoints = false
}

dns {
  zone_name = "apigw.chat.example.com"
  # The WebSocket host is an API host (the regional certificate covers it) that the load
  # balancer no longer serves: its alias points at the WebSocket API's custom domain.
  api_host_names      = ["api.apigw.chat.example.com", "ws.apigw.chat.example.com"]
  frontend_host_names = ["app.apigw.chat.example.com"]
}

realtime {
  port              = 3000
  health_check_path = "/health"
  min_tasks         = 2
  max_tasks         = 4
  standby_tasks     = 1
  # No requests_per_target: it counts ALB requests, and the NLB has none.
  cpu_target_percent = 60
}

dynamodb {
  recovery_period_days = 35
  messages_table_class = "STANDARD"
}

websocket_api {
  host_name              = "ws.apigw.chat.example.com"
  live_colour            = "blue"
  throttling_rate_limit  = 500
  throttling_burst_limit = 1000
  log_retention_days     = 365
}

backup {
  # An example, never deployed (gate CKV_CHAT_41 waived with this reason); prod.hcl shows copy_region.
  no_copy_reason = "An example stack, never deployed: it shows a variant, and environments/prod.hcl shows the second-region copy (copy_region) a deployed protected environment takes."
}
