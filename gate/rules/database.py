"""Rules on RDS: the proxy, the instances, the parameter groups (CKV_CHAT_10 to 13)."""

from __future__ import annotations

from .attributes import as_list, value
from .model import Resource, Verdict, resource_rule


@resource_rule(
    id="CKV_CHAT_10",
    name="RDS Proxy requires TLS for client connections (require_tls)",
    resource_types=("aws_db_proxy",),
    category="ENCRYPTION",
    modules=("database",),
)
def rds_proxy_requires_tls(resource: Resource) -> Verdict:
    """Without require_tls a proxy accepts plaintext connections even when the database
    behind it forces SSL: the proxy terminates the client's connection, so the database's
    rds.force_ssl never sees it. checkov has no check for aws_db_proxy."""
    return Verdict.of(value(resource.conf, "require_tls") is True)


@resource_rule(
    id="CKV_CHAT_11",
    name="RDS instances keep deletion protection, a final snapshot and automated backups",
    resource_types=("aws_db_instance",),
    category="BACKUP_AND_RECOVERY",
    modules=("database",),
)
def rds_instance_nothing_lost(resource: Resource) -> Verdict:
    """A database instance cannot be lost by one apply. checkov checks deletion protection
    (CKV_AWS_293) and a backup retention (CKV_AWS_133) one at a time, and nothing checks that
    a deletion leaves a final snapshot (the provider takes one only with an identifier to
    give it). A read replica is exempt: its data is its source's, and RDS takes no final
    snapshot of a replica. An environment whose data is disposable records a reasoned
    waiver beside the instance (modules/database), which a production stack never has."""
    conf = resource.conf
    if value(conf, "replicate_source_db"):
        return Verdict.PASSED
    protected = value(conf, "deletion_protection") is True
    final_snapshot = value(conf, "skip_final_snapshot", False) is False and bool(
        value(conf, "final_snapshot_identifier")
    )
    retention = value(conf, "backup_retention_period")
    backups = isinstance(retention, int) and not isinstance(retention, bool) and retention >= 1
    return Verdict.of(protected and final_snapshot and backups)


@resource_rule(
    id="CKV_CHAT_12",
    name="PostgreSQL parameter groups force SSL (rds.force_ssl = 1)",
    resource_types=("aws_db_parameter_group",),
    category="ENCRYPTION",
    modules=("database",),
)
def rds_parameter_group_forces_ssl(resource: Resource) -> Verdict:
    """checkov's CKV2_AWS_69 judges a group only through an instance connected to it and
    passes an instance with no custom group at all; this judges each PostgreSQL group itself,
    so a group that is created (or swapped in) without TLS fails before anything uses it.
    A group of another engine is not this rule's: UNKNOWN."""
    conf = resource.conf
    family = value(conf, "family")
    if not (isinstance(family, str) and family.startswith("postgres")):
        return Verdict.UNKNOWN
    forced = [
        p
        for p in as_list(conf.get("parameter"))
        if isinstance(p, dict) and value(p, "name") == "rds.force_ssl" and str(value(p, "value")) == "1"
    ]
    return Verdict.of(bool(forced))


@resource_rule(
    id="CKV_CHAT_13",
    name="RDS instances have RDS manage the master password (none in configuration or state)",
    resource_types=("aws_db_instance",),
    category="SECRETS",
    modules=("database",),
)
def rds_instance_managed_password(resource: Resource) -> Verdict:
    """A `password` argument (or a variable feeding it) puts the password in the
    configuration, the plan and the Terraform state. With manage_master_user_password RDS
    generates it, stores it in Secrets Manager and rotates it, and Terraform only ever sees
    the secret's ARN. A read replica has no password of its own and is exempt."""
    conf = resource.conf
    if value(conf, "replicate_source_db"):
        return Verdict.PASSED
    if value(conf, "password") or value(conf, "password_wo"):
        return Verdict.FAILED
    return Verdict.of(value(conf, "manage_master_user_password") is True)
