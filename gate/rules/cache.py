"""Rules on ElastiCache (CKV_CHAT_30 to 36).

A replication group says whether it is a protected (production) store with the tag
DeletionProtection = "true" | "false", which modules/cache writes from the environment's
deletion_protection; a group without the tag is judged as protected (attributes.is_protected).
"""

from __future__ import annotations

from .attributes import as_list, blocks, is_protected, is_true, number, replicas_per_primary, value
from .model import Resource, Verdict, resource_rule

REPLICATION_GROUP = ("aws_elasticache_replication_group",)
LOG_TYPES = {"slow-log", "engine-log"}


@resource_rule(
    id="CKV_CHAT_30",
    name="ElastiCache replication groups with automatic failover are Multi-AZ and keep snapshots",
    resource_types=REPLICATION_GROUP,
    category="BACKUP_AND_RECOVERY",
    modules=("cache",),
)
def elasticache_failover_multi_az_snapshots(resource: Resource) -> Verdict:
    """Failover without Multi-AZ may promote a replica in the same AZ as the failed primary,
    so an AZ outage takes both; a group that matters enough to fail over matters enough to
    keep a snapshot (a retention of at least 1). checkov's CKV2_AWS_50 only asks for
    automatic_failover_enabled."""
    conf = resource.conf
    if not is_true(value(conf, "automatic_failover_enabled")):
        return Verdict.PASSED
    retention = number(conf, "snapshot_retention_limit")
    return Verdict.of(is_true(value(conf, "multi_az_enabled")) and retention is not None and retention >= 1)


@resource_rule(
    id="CKV_CHAT_31",
    name="Protected ElastiCache replication groups are Multi-AZ with automatic failover and a replica",
    resource_types=REPLICATION_GROUP,
    category="BACKUP_AND_RECOVERY",
    modules=("cache",),
)
def elasticache_protected_multi_az(resource: Resource) -> Verdict:
    """A protected group (tagged DeletionProtection = "true", or not tagged) must have
    automatic failover, Multi-AZ and at least one replica per primary, so losing a node or an
    AZ costs a failover, not the cache."""
    conf = resource.conf
    if not is_protected(conf):
        return Verdict.PASSED
    return Verdict.of(
        is_true(value(conf, "automatic_failover_enabled"))
        and is_true(value(conf, "multi_az_enabled"))
        and replicas_per_primary(conf) >= 1
    )


@resource_rule(
    id="CKV_CHAT_32",
    name="Protected ElastiCache replication groups keep snapshots and take a final snapshot",
    resource_types=REPLICATION_GROUP,
    category="BACKUP_AND_RECOVERY",
    modules=("cache",),
)
def elasticache_protected_snapshots(resource: Resource) -> Verdict:
    """A protected group must keep daily snapshots (snapshot_retention_limit of at least 1;
    0 turns them off) and name a final snapshot, so neither a bad write nor a deletion loses
    its data. checkov checks automatic backups on aws_elasticache_cluster only (CKV_AWS_134),
    not on replication groups."""
    conf = resource.conf
    if not is_protected(conf):
        return Verdict.PASSED
    retention = number(conf, "snapshot_retention_limit")
    final_snapshot = value(conf, "final_snapshot_identifier")
    return Verdict.of(
        retention is not None and retention >= 1 and isinstance(final_snapshot, str) and bool(final_snapshot)
    )


@resource_rule(
    id="CKV_CHAT_33",
    name='ElastiCache replication groups accept TLS connections only (transit_encryption_mode "required")',
    resource_types=REPLICATION_GROUP,
    category="ENCRYPTION",
    modules=("cache",),
)
def elasticache_tls_required(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_30 reads transit_encryption_enabled only; with the mode "preferred"
    (AWS's migration setting) the nodes still accept plaintext connections."""
    conf = resource.conf
    return Verdict.of(
        is_true(value(conf, "transit_encryption_enabled")) and value(conf, "transit_encryption_mode") == "required"
    )


@resource_rule(
    id="CKV_CHAT_34",
    name="ElastiCache replication groups authenticate through RBAC user groups, not an AUTH token",
    resource_types=REPLICATION_GROUP,
    category="IAM",
    modules=("cache",),
)
def elasticache_rbac_authentication(resource: Resource) -> Verdict:
    """An auth_token is one shared password, written into the Terraform state and every
    client's configuration. checkov's CKV_AWS_31 passes either an auth_token or user groups;
    the platform wants user groups only (their users authenticate with IAM: CKV_CHAT_35)."""
    conf = resource.conf
    user_groups = [group for group in as_list(conf.get("user_group_ids")) if group]
    has_token = bool([token for token in as_list(conf.get("auth_token")) if token])
    return Verdict.of(bool(user_groups) and not has_token)


@resource_rule(
    id="CKV_CHAT_35",
    name="ElastiCache users authenticate with IAM or are disabled, and hold no password",
    resource_types=("aws_elasticache_user",),
    category="IAM",
    modules=("cache",),
)
def elasticache_user_without_password(resource: Resource) -> Verdict:
    """A password user puts a secret into the Terraform state (and, with random_password,
    into the JSON's dependency graph); an enabled user with no password required lets anyone
    in. Allowed: authentication_mode type "iam", or an access string starting with "off" (the
    disabled "default" user every user group must contain)."""
    conf = resource.conf
    modes = blocks(conf, "authentication_mode")
    # Absent arguments read as null in a plan ([None] here): only a value counts.
    passwords = as_list(conf.get("passwords")) + as_list(conf.get("passwords_wo"))
    passwords += [password for mode in modes for password in as_list(mode.get("passwords"))]
    if any(passwords):
        return Verdict.FAILED
    if any(value(mode, "type") == "iam" for mode in modes):
        return Verdict.PASSED
    access_string = value(conf, "access_string")
    return Verdict.of(isinstance(access_string, str) and access_string.split()[:1] == ["off"])


@resource_rule(
    id="CKV_CHAT_36",
    name="ElastiCache replication groups deliver slow and engine logs",
    resource_types=REPLICATION_GROUP,
    category="LOGGING",
    modules=("cache",),
)
def elasticache_logs_delivered(resource: Resource) -> Verdict:
    """The slow log shows what made the cache slow, the engine log why a node restarted or
    failed over; without both an incident leaves nothing to read. checkov has no logging
    check for ElastiCache."""
    delivered = {value(block, "log_type") for block in blocks(resource.conf, "log_delivery_configuration")}
    return Verdict.of(LOG_TYPES <= delivered)
