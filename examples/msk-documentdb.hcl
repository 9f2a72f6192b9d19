# Example (not deployed): the seeds' managed-Kafka and document-database back ends, in a
# production-like shape, so that every synthesis, gate and provider-tier check covers them.
# - messaging = "msk": Amazon MSK (KRaft, clients authenticate with IAM only) instead of
#   the SQS queues; the API and realtime produce to the topics, the worker consumes them
#   as one consumer group and scales on CPU (no queue backlog to count);
# - document_store = "documentdb": Amazon DocumentDB, three instances in three AZs, in
#   the stack's AWS Backup selection;
# - account_id: the provider refuses any other account (allowed_account_ids); this is
#   the account id of the provider tier's local AWS emulator.
name       = "msk-documentdb"
region     = "eu-west-1"
account_id = "123456789012"

deletion_protection = true
log_retention_days  = 365

tags = {
  team = "chat-platform"
}

messaging      = "msk"
document_store = "documentdb"

network {
  vpc_cidr                = "10.60.0.0/16"
  az_count                = 3
  availability_zones      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  nat_mode                = "single"
  interface_endpoints     = true
  flow_log_retention_days = 365
}

dns {
  zone_name           = "kafka.chat.example.com"
  api_host_names      = ["api.kafka.chat.example.com"]
  frontend_host_names = ["app.kafka.chat.example.com"]
}

msk {
  # One broker per AZ, three copies of every partition, two in sync for a write.
  kafka_version        = "3.8.x.kraft"
  broker_count         = 3
  broker_instance_type = "kafka.m7g.large"
  volume_size_gib      = 100
  max_volume_size_gib  = 1000
  enhanced_monitoring  = "PER_TOPIC_PER_BROKER"
  log_retention_days   = 365
}

documentdb {
  # A primary and two replicas, one per AZ; two weeks of point-in-time recovery.
  engine_version        = "5.0.0"
  instance_class        = "db.r6g.large"
  instance_count        = 3
  backup_retention_days = 14
  log_retention_days    = 365
}

backup {
  # An example, never deployed (gate CKV_CHAT_41 waived with this reason); prod.hcl shows copy_region.
  no_copy_reason = "An example stack, never deployed: it shows a variant, and environments/prod.hcl shows the second-region copy (copy_region) a deployed protected environment takes."
}
