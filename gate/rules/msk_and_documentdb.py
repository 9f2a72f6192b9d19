"""Rules on MSK (CKV_CHAT_50, 51) and DocumentDB (CKV_CHAT_55 to 57)."""

from __future__ import annotations

from .attributes import as_list, blocks, is_protected, is_true, number, value
from .model import Resource, Verdict, resource_rule

TLS_MODES = ("enabled", "tls1.2+", "tls1.3+", "fips-140-3")


@resource_rule(
    id="CKV_CHAT_50",
    name="MSK clusters authenticate clients with IAM and refuse unauthenticated access",
    resource_types=("aws_msk_cluster",),
    category="IAM",
    modules=("msk",),
)
def msk_iam_authentication_only(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_81 checks encryption at rest and in transit but not who may connect:
    a cluster with `unauthenticated = true` (or no client_authentication block at all, which
    is MSK's default) lets anything in the VPC produce and consume every topic. This holds
    every provisioned cluster to IAM authentication, with unauthenticated access explicitly
    off (the provider leaves an unset value to MSK, which keeps what it had)."""
    authentication = blocks(resource.conf, "client_authentication")
    if not authentication:
        return Verdict.FAILED
    settings = authentication[0]
    sasl = blocks(settings, "sasl")
    iam = bool(sasl) and is_true(value(sasl[0], "iam"))
    unauthenticated = value(settings, "unauthenticated")
    closed = unauthenticated is False or (isinstance(unauthenticated, str) and unauthenticated.lower() == "false")
    return Verdict.of(iam and closed)


def java_properties(text: str) -> dict[str, str]:
    """key=value lines of a Java properties file ('#' and '!' comments, ':' also separates)."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        separator = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if separator > 0:
            found[line[:separator].strip()] = line[separator + 1 :].strip()
    return found


def _digits(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


@resource_rule(
    id="CKV_CHAT_51",
    name="MSK configurations disable topic auto-creation and unclean leader election and keep two in sync",
    resource_types=("aws_msk_configuration",),
    category="GENERAL_SECURITY",
    modules=("msk",),
)
def msk_configuration_safe_properties(resource: Resource) -> Verdict:
    """Kafka's defaults create a topic for any name a client mentions
    (auto.create.topics.enable = true): a typo becomes a topic with default settings that
    nobody reads. Every aws_msk_configuration must turn auto-creation off, never turn unclean
    leader election on (an out-of-sync replica elected leader drops acknowledged writes), and,
    where topics get three copies or more, require two in sync (min.insync.replicas >= 2) for
    an acknowledged write. A configuration whose properties are not literal is UNKNOWN."""
    text = value(resource.conf, "server_properties")
    if not isinstance(text, str) or "${" in text:
        return Verdict.UNKNOWN
    found = java_properties(text)
    if found.get("auto.create.topics.enable", "true").lower() != "false":
        return Verdict.FAILED
    if found.get("unclean.leader.election.enable", "false").lower() != "false":
        return Verdict.FAILED
    factor = _digits(found.get("default.replication.factor"))
    min_isr = _digits(found.get("min.insync.replicas", "1"))
    return Verdict.of(not (factor is not None and factor >= 3 and (min_isr is None or min_isr < 2)))


@resource_rule(
    id="CKV_CHAT_55",
    name="Protected DocumentDB clusters keep deletion protection, a final snapshot and backups",
    resource_types=("aws_docdb_cluster",),
    category="BACKUP_AND_RECOVERY",
    modules=("documentdb",),
)
def documentdb_nothing_lost(resource: Resource) -> Verdict:
    """A protected cluster (tagged DeletionProtection = "true" by modules/documentdb, or not
    tagged at all) cannot be lost by one apply: deletion protection on, a final snapshot when
    it is deleted (skip_final_snapshot false and a final_snapshot_identifier: the provider
    takes none without one) and automated backups. checkov checks only the backup retention
    (CKV_AWS_360) of DocumentDB clusters."""
    conf = resource.conf
    if not is_protected(conf):
        return Verdict.PASSED
    protected = is_true(value(conf, "deletion_protection"))
    final_snapshot = not is_true(value(conf, "skip_final_snapshot", False)) and bool(
        value(conf, "final_snapshot_identifier")
    )
    retention = number(conf, "backup_retention_period")
    return Verdict.of(protected and final_snapshot and retention is not None and retention >= 1)


@resource_rule(
    id="CKV_CHAT_56",
    name="DocumentDB cluster parameter groups set tls to a TLS mode",
    resource_types=("aws_docdb_cluster_parameter_group",),
    category="ENCRYPTION",
    modules=("documentdb",),
)
def documentdb_parameter_group_tls(resource: Resource) -> Verdict:
    """checkov's CKV_AWS_90 fails only a group that writes tls = "disabled", so a group that
    leaves `tls` out passes, and what its clusters get is whatever the family's default is.
    This requires the parameter, set to a TLS mode: "enabled", "tls1.2+", "tls1.3+" or
    "fips-140-3"."""
    modes = [
        value(p, "value")
        for p in as_list(resource.conf.get("parameter"))
        if isinstance(p, dict) and value(p, "name") == "tls"
    ]
    return Verdict.of(bool(modes) and all(mode in TLS_MODES for mode in modes))


@resource_rule(
    id="CKV_CHAT_57",
    name="DocumentDB clusters have DocumentDB manage the master password (none in configuration or state)",
    resource_types=("aws_docdb_cluster",),
    category="SECRETS",
    modules=("documentdb",),
)
def documentdb_managed_password(resource: Resource) -> Verdict:
    """A `master_password` (or `master_password_wo`) argument puts the password in the
    configuration, and the first also in the plan and the Terraform state. With
    manage_master_user_password DocumentDB generates it, stores it in Secrets Manager and
    rotates it; Terraform only sees the secret's ARN. A cluster restored from a snapshot or
    joining a global cluster as a secondary takes its credentials from there and is exempt."""
    conf = resource.conf
    if value(conf, "master_password") or value(conf, "master_password_wo"):
        return Verdict.FAILED
    if value(conf, "snapshot_identifier") or value(conf, "global_cluster_identifier"):
        return Verdict.PASSED
    return Verdict.of(is_true(value(conf, "manage_master_user_password")))
