"""The data-safety gate: no stateful resource is deleted or replaced unless this run allows it.

A plan that deletes or replaces (either order) a resource that holds data fails, unless its
address is named for this run (`--allow-destroy ADDRESS`, repeatable). What counts as
stateful is written once, below: a type with the reason it is listed (STATEFUL_TYPES), and,
for CloudWatch log groups, only those holding audit logs (AUDIT_LOG_GROUPS). The types
looked at and left out are listed too, with why (CONSIDERED_STATELESS).

An allowed address the plan does not delete or replace fails the gate as well, as a
stale waiver fails the checkov gate: it is a typo, or a plan other than the one reviewed.

Audit log groups are told by name, because a deleted group has only its old values left
in the plan (no configuration refers to it any more). The names are the ones the modules
write, matched as shell-style patterns on the group's name before and after the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from review.plan import PlanReview, ResourceChange, action_label

LOG_GROUP_TYPE = "aws_cloudwatch_log_group"

# A resource of one of these types holds data that Terraform cannot recreate from the
# configuration: a deletion or a replacement (a new, empty object) loses it.
STATEFUL_TYPES: dict[str, str] = {
    # databases and clusters
    "aws_db_instance": "the database's storage; a replacement is a new, empty instance and takes its automated "
    "backups with it (a read replica has no data of its own, but the type cannot tell it apart: allow its address)",
    "aws_rds_cluster": "the Aurora cluster volume, every row of the database, and its automated backups",
    "aws_rds_cluster_instance": "no storage of its own (the cluster has it), but replacing the writer fails the "
    "cluster over and deleting the last instance leaves the data unreachable",
    "aws_rds_global_cluster": "the replication tie between the regional clusters that hold the data",
    "aws_docdb_cluster": "the DocumentDB cluster volume: every document, and its automated backups",
    "aws_docdb_cluster_instance": "no storage of its own (the cluster has it), but replacing the primary fails "
    "the cluster over and deleting the last instance leaves the documents unreachable",
    "aws_neptune_cluster": "the Neptune cluster volume: the graph, and its automated backups",
    "aws_neptune_cluster_instance": "no storage of its own, but the last instance is the only way to the graph",
    "aws_redshift_cluster": "the warehouse's tables on the cluster's nodes",
    "aws_dynamodb_table": "the table's items; a replacement is an empty table",
    "aws_opensearch_domain": "the indices on the domain's data nodes",
    "aws_elasticsearch_domain": "the indices on the domain's data nodes",
    "aws_keyspaces_table": "the table's rows; a replacement is an empty table",
    # caches and brokers
    "aws_elasticache_replication_group": "what the cache holds (sessions, presence, pub/sub and rate-limit state) "
    "and its snapshots; a replacement starts empty behind a new endpoint",
    "aws_elasticache_cluster": "what the cache node holds, and its snapshots",
    "aws_elasticache_serverless_cache": "what the cache holds, and its snapshots",
    "aws_memorydb_cluster": "a durable Redis/Valkey data set (MemoryDB is a primary store, not a cache)",
    "aws_msk_cluster": "every topic's messages and the consumers' committed offsets on the brokers' volumes",
    "aws_msk_serverless_cluster": "every topic's messages and the consumers' committed offsets",
    "aws_mq_broker": "messages waiting in the broker's queues and durable subscriptions",
    "aws_kinesis_stream": "the records inside the stream's retention period",
    "aws_sqs_queue": "messages in flight: accepted but not yet processed (and, for a dead-letter queue, the "
    "failed messages waiting for a redrive)",
    # storage
    "aws_s3_bucket": "the objects and their versions (a replacement empties it, with force_destroy)",
    "aws_ebs_volume": "the block device's data; a replacement is a blank volume",
    "aws_ebs_snapshot": "a point-in-time copy of a volume: a backup",
    "aws_efs_file_system": "the files; a replacement is an empty file system behind new mount targets",
    "aws_fsx_lustre_file_system": "the files (and what was not yet exported to its S3 data repository)",
    "aws_fsx_ontap_file_system": "the files of every volume on it, and their snapshots",
    "aws_fsx_openzfs_file_system": "the files of every volume on it, and their snapshots",
    "aws_fsx_windows_file_system": "the files of its shares, and their shadow copies",
    "aws_glacier_vault": "the archives in the vault (a vault holding any cannot be deleted; they go first)",
    "aws_backup_vault": "the recovery points: the backups of every other store listed here",
    "aws_backup_plan": "no data itself, but without it no backup is taken from now on; a replacement changes the "
    "plan's id that the selections name",
    "aws_ecr_repository": "the images: running tasks and rollbacks pull them by tag or digest; a new repository "
    "is empty until the pipeline pushes again",
    # keys and secrets
    "aws_kms_key": "deleted after its waiting period, everything encrypted under it (volumes, snapshots, objects, "
    "secrets, logs) becomes unreadable; a new key cannot decrypt what the old one encrypted",
    "aws_kms_replica_key": "the same key material in another region: what was encrypted there needs it",
    "aws_secretsmanager_secret": "the secret's value and its rotated versions, often written outside Terraform "
    "(rotation, a person); a replacement is a secret without a value",
    "aws_ssm_parameter": "a value written outside Terraform (the release parameters the pipeline writes, see "
    "modules/compute) is lost: a recreated parameter holds its initial value again",
    # people and names
    "aws_cognito_user_pool": "the users and their passwords, which cannot be exported",
    "aws_route53_zone": "a new zone gets new name servers; the delegation still names the old ones, so every "
    "name under it stops resolving, and records not managed here are gone",
    # compute
    "aws_instance": "a Terraform-managed instance is a pet: its root volume and every volume with "
    "delete_on_termination (the default) go with it, and so does its instance store (fleets that hold nothing "
    "are launch templates and auto scaling groups, not listed)",
}

# Types looked at and not listed, with why: their data, if any, comes from the configuration.
CONSIDERED_STATELESS: dict[str, str] = {
    "aws_kms_alias": "a name pointing at a key; the key is listed",
    "aws_secretsmanager_secret_version": "a value taken from the configuration; the secret is listed",
    "aws_backup_selection": "which resources a plan backs up; every argument forces replacement, and a "
    "replacement only pauses selection until it is recreated; the plan and the vault are listed",
    "aws_backup_vault_lock_configuration": "the vault's lock; the vault is listed (a compliance lock cannot be "
    "removed anyway)",
    "aws_s3_object": "an object whose content is in the configuration",
    "aws_sns_topic": "stores nothing: a message is delivered or dropped at once",
    "aws_elasticache_user": "an RBAC user the configuration recreates (IAM authentication, no password)",
    "aws_eip": "an address, not data; one that partners allow-list is worth a careful look all the same",
    "aws_launch_template": "instances of a fleet are replaceable by design",
}

# (pattern on the log group's name, why its logs are an audit trail). Service and cache logs
# are operational: losing them loses nothing anyone must keep.
AUDIT_LOG_GROUPS: tuple[tuple[str, str], ...] = (
    (
        "/ecs/*/exec-sessions",
        "ECS Exec session log: who ran which command in which container (modules/compute)",
    ),
    (
        "aws-waf-logs-*",
        "WAF log: the requests the web ACL blocked or counted, the evidence after an attack (modules/waf)",
    ),
    (
        "*/vpc-flow-logs",
        "VPC flow log: every connection in and out of the network, for incident forensics (modules/network)",
    ),
    (
        "/aws/rds/instance/*/postgresql",
        "PostgreSQL log: every connection and every schema change (log_statement=ddl, modules/database)",
    ),
    (
        "/aws/cloudtrail/*",
        "CloudTrail log: every API call made in the account",
    ),
)


def _names(change: ResourceChange) -> list[str]:
    values = [change.before, change.after]
    return [str(v["name"]) for v in values if isinstance(v, dict) and isinstance(v.get("name"), str)]


def audit_log_reason(change: ResourceChange) -> str | None:
    """Why a log group's logs are an audit trail, or None when they are not (by its name, before or after)."""
    for name in _names(change):
        for pattern, reason in AUDIT_LOG_GROUPS:
            if fnmatchcase(name, pattern):
                return f"{reason}; group {name}"
    return None


def stateful_reason(change: ResourceChange) -> str | None:
    """Why losing this resource loses data, or None when it holds none."""
    if change.mode != "managed":
        return None
    if change.type == LOG_GROUP_TYPE:
        return audit_log_reason(change)
    return STATEFUL_TYPES.get(change.type)


@dataclass(frozen=True)
class Destruction:
    """A stateful resource the plan deletes or replaces."""

    change: ResourceChange
    reason: str  # why it holds data
    allowed: bool


@dataclass(frozen=True)
class SafetyVerdict:
    destructions: tuple[Destruction, ...]
    allowed: tuple[str, ...]  # the addresses this run allows, as given
    unused_allowances: tuple[str, ...]  # allowed, but the plan neither deletes nor replaces them

    @property
    def blocked(self) -> tuple[Destruction, ...]:
        return tuple(d for d in self.destructions if not d.allowed)

    @property
    def ok(self) -> bool:
        return not (self.blocked or self.unused_allowances)


def check_safety(review: PlanReview, allowed: Iterable[str] = ()) -> SafetyVerdict:
    allowed = tuple(dict.fromkeys(allowed))
    removed = {c.address for c in review.changes if c.removes}
    destructions = []
    for change in review.listed:
        if not change.removes:
            continue
        reason = stateful_reason(change)
        if reason:
            destructions.append(Destruction(change, reason, allowed=change.address in allowed))
    return SafetyVerdict(
        destructions=tuple(destructions),
        allowed=allowed,
        unused_allowances=tuple(a for a in allowed if a not in removed),
    )


# -- output -----------------------------------------------------------------------------------


def render_markdown(verdict: SafetyVerdict) -> str:
    lines = []
    if verdict.ok:
        lines.append("Data safety: PASSED: no stateful resource is deleted or replaced without an allowance.")
    else:
        lines.append("Data safety: FAILED")
    for d in verdict.blocked:
        lines.append(
            f"- BLOCKED `{d.change.address}`, {action_label(d.change)}: {d.reason}. "
            f"If this run must do it: `--allow-destroy {d.change.address}`"
        )
    for d in verdict.destructions:
        if d.allowed:
            lines.append(f"- ALLOWED for this run `{d.change.address}`, {action_label(d.change)}: {d.reason}")
    for address in verdict.allowed:
        if address in verdict.unused_allowances:
            lines.append(
                f"- UNUSED allowance `{address}`: this plan neither deletes nor replaces it; "
                "remove the flag or correct the address"
            )
        elif not any(d.allowed and d.change.address == address for d in verdict.destructions):
            lines.append(f"- allowed for this run `{address}` (deleted or replaced; it holds no data)")
    return "\n".join(lines)


def as_json(verdict: SafetyVerdict) -> dict[str, Any]:
    return {
        "ok": verdict.ok,
        "allowed": list(verdict.allowed),
        "unused_allowances": list(verdict.unused_allowances),
        "destructions": [
            {
                "address": d.change.address,
                "type": d.change.type,
                "action": d.change.category,
                "actions": list(d.change.actions),
                "reason": d.reason,
                "allowed": d.allowed,
            }
            for d in verdict.destructions
        ],
    }
