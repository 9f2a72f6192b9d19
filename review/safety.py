"""The data-safety gate: nothing that keeps data is lost, or weakened, unless this run allows it.

A plan fails when, for a resource that holds data or protects it:
- it is deleted or replaced (either order): a stateful type (STATEFUL_TYPES), an audit log
  group (AUDIT_LOG_GROUPS, by name), or a protection of its own (PROTECTION_TYPES: a backup
  selection, a vault lock, versioning, an object lock, a bucket's default encryption);
- it is forgotten (a `removed` block, action "forget"): a stateful type leaves Terraform's
  care, and with it the deletion protection, the backups and this gate;
- it is updated so that a protection is removed, a retention shortened, a key disabled, data
  expired sooner or versioning stopped, or backup coverage removed: the rules of the table
  WEAKENING_RULES (type, attribute, what counts as weakening, why), each finding naming the
  attribute and its old -> new value;
- the gate cannot judge it (fail closed): a managed entry without a type or with an unknown
  mode, an update of a judged type whose before/after is not an object, a judged attribute
  known only after the apply, or a type that looks like it holds data (DATA_TYPE_HINTS) and
  is on none of the lists. An unknown action is refused earlier (review/plan.py).

Each finding but a malformed entry is lifted for this run by naming its address
(`--allow-destroy ADDRESS`, repeatable). An allowed address the plan neither removes nor
weakens fails the gate as well, as a stale waiver fails the checkov gate: it is a typo, or
a plan other than the one reviewed.

Audit log groups are told by name, because a deleted group has only its old values left
in the plan (no configuration refers to it any more). The names are the ones the modules
write, matched as shell-style patterns on the group's name before and after the change.

A data store cutover (`restore { }` of modules/database, modules/dynamodb, modules/documentdb)
is shown plainly, beside the findings and without changing the verdict: a `CUTOVER` line for
each proxy target or read replica that moves from one instance to another, and for each
DynamoDB table or DocumentDB cluster this plan creates by restoring another (what follows it,
the services' settings and grants, changes in the same plan), naming the old and the new
store, how the new one is restored (its source and point in time, or its snapshot), and
whether this plan also deletes the old one (`cutovers`). Its replacements and deletions are
judged like any others.

The values printed are the judged attributes' own (a flag, a number of days, a status),
never anything else from the plan: a plan holds secrets in clear.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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

# Types whose deletion or replacement holds no data but removes a protection of data that
# is held elsewhere: the same allowance as a deletion of the data itself.
PROTECTION_TYPES: dict[str, str] = {
    "aws_backup_selection": "which resources a backup plan backs up: deleted (or replaced, which deletes first), "
    "the stores it names are backed up no more, and nothing says so",
    "aws_backup_vault_lock_configuration": "the vault's lock: without it a recovery point can be deleted early, by "
    "anyone with the permission (a governance lock can be removed; a compliance lock refuses it)",
    "aws_s3_bucket_versioning": "the bucket's versioning: deleting the resource suspends it, and from then on an "
    "overwrite or a delete loses the previous object",
    "aws_s3_bucket_object_lock_configuration": "the bucket's default retention (WORM): without it new objects can "
    "be deleted or overwritten at once",
    "aws_s3_bucket_server_side_encryption_configuration": "the bucket's default encryption under the stack's key: "
    "deleting it returns new objects to S3-managed keys, out of the key policy's control",
    "aws_efs_backup_policy": "AWS Backup's automatic daily backups of the file system",
    "aws_dynamodb_table_replica": "a full copy of the table in another region",
    "aws_db_instance_automated_backups_replication": "the database's automated backups replicated to a second "
    "region (backup.copy_region): deleted, the replication stops and the replicated backups there are deleted, "
    "so a region loss takes the database's point-in-time history with it",
}

# Types looked at and not listed, with why: their data, if any, comes from the configuration.
CONSIDERED_STATELESS: dict[str, str] = {
    "aws_kms_alias": "a name pointing at a key; the key is listed",
    "aws_kms_key_policy": "the key's policy, from the configuration; deleting it restores the default policy",
    "aws_secretsmanager_secret_version": "a value taken from the configuration; the secret is listed",
    "aws_secretsmanager_secret_policy": "a resource policy from the configuration",
    "aws_secretsmanager_secret_rotation": "the rotation schedule; the secret and its versions are listed",
    "aws_s3_object": "an object whose content is in the configuration",
    "aws_s3_bucket_acl": "an ACL from the configuration",
    "aws_s3_bucket_cors_configuration": "CORS rules from the configuration",
    "aws_s3_bucket_logging": "where access logs go; the log bucket is listed",
    "aws_s3_bucket_ownership_controls": "object ownership, from the configuration",
    "aws_s3_bucket_policy": "a bucket policy from the configuration",
    "aws_s3_bucket_public_access_block": "access settings from the configuration (security, not data kept)",
    "aws_s3_bucket_notification": "event notifications from the configuration",
    "aws_s3_bucket_lifecycle_configuration": "deleting it expires nothing (objects are then kept for ever); its "
    "updates are judged (WEAKENING_RULES)",
    "aws_sns_topic": "stores nothing: a message is delivered or dropped at once",
    "aws_sqs_queue_policy": "a queue policy from the configuration; the queue is listed",
    "aws_sqs_queue_redrive_policy": "the dead-letter wiring from the configuration; both queues are listed",
    "aws_sqs_queue_redrive_allow_policy": "which queues may use this one as a dead-letter queue",
    "aws_db_parameter_group": "parameters from the configuration",
    "aws_db_subnet_group": "subnets from the configuration",
    "aws_db_option_group": "options from the configuration",
    "aws_db_proxy": "a connection pool: holds no data",
    "aws_db_proxy_default_target_group": "the proxy's pool settings",
    "aws_db_proxy_target": "which database the proxy reaches",
    "aws_rds_cluster_parameter_group": "parameters from the configuration",
    "aws_docdb_cluster_parameter_group": "parameters from the configuration",
    "aws_docdb_subnet_group": "subnets from the configuration",
    "aws_elasticache_parameter_group": "parameters from the configuration",
    "aws_elasticache_subnet_group": "subnets from the configuration",
    "aws_elasticache_user": "an RBAC user the configuration recreates (IAM authentication, no password)",
    "aws_elasticache_user_group": "a set of RBAC users from the configuration",
    "aws_msk_configuration": "broker settings from the configuration; a shorter log retention in them is judged "
    "(WEAKENING_RULES)",
    "aws_backup_vault_policy": "a vault access policy from the configuration",
    "aws_backup_vault_notifications": "where vault events go",
    "aws_ecr_lifecycle_policy": "which images expire: from the configuration (a shorter count is not judged: "
    "the rules are free-form JSON)",
    "aws_ecr_repository_policy": "a repository policy from the configuration",
    "aws_ebs_encryption_by_default": "an account setting for new volumes",
    "aws_volume_attachment": "which instance a volume is attached to; the volume is listed",
    "aws_efs_mount_target": "a network endpoint of the file system; the file system is listed",
    "aws_elasticache_global_replication_group": "the tie between regional caches, each listed",
    "aws_route_table": "routes from the configuration",
    "aws_route_table_association": "which subnet uses which route table",
    "aws_eip": "an address, not data; one that partners allow-list is worth a careful look all the same",
    "aws_launch_template": "instances of a fleet are replaceable by design",
}

# Words in a type's name that say it may hold data: such a type, on none of the lists above,
# is one the gate cannot judge, and its deletion, replacement or forgetting fails closed
# until it is listed here (with its reason) or its address allowed.
DATA_TYPE_HINTS: tuple[str, ...] = (
    "_db_",
    "_rds_",
    "docdb",
    "neptune",
    "redshift",
    "dynamodb",
    "dax_",
    "keyspaces",
    "timestream",
    "qldb",
    "opensearch",
    "elasticsearch",
    "elasticache",
    "memorydb",
    "_msk_",
    "_mq_",
    "kinesis",
    "_sqs_",
    "_s3_",
    "s3control",
    "_ebs_",
    "_efs_",
    "_fsx_",
    "glacier",
    "_backup_",
    "_kms_",
    "secretsmanager",
    "_ecr_",
    "snapshot",
    "_volume",
    "_table",
    "_vault",
    "_database",
    "lightsail",
)

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
    return [str(v["name"]) for v in values if isinstance(v, Mapping) and isinstance(v.get("name"), str)]


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


def protection_reason(change: ResourceChange) -> str | None:
    """Why losing this resource leaves data elsewhere unprotected, or None."""
    return PROTECTION_TYPES.get(change.type) if change.mode == "managed" else None


def unknown_data_type(resource_type: str) -> bool:
    """A type the gate has no word on, whose name says it may hold data."""
    known = (*STATEFUL_TYPES, *PROTECTION_TYPES, *CONSIDERED_STATELESS, LOG_GROUP_TYPE)
    if resource_type in known:
        return False
    padded = f"_{resource_type.removeprefix('aws_')}_"
    return any(hint in padded or hint in resource_type for hint in DATA_TYPE_HINTS)


# -- updates that weaken how data is kept ------------------------------------------------------

_UNSET = object()


def _step(value: Any, key: str) -> Any:
    """One step into a plan value: a nested block is a list of one object in the plan JSON.

    More than one block where the rule expects one is ambiguous: ValueError, so the gate
    reports that it cannot judge rather than judging one of them."""
    if isinstance(value, list):
        if len(value) > 1:
            raise ValueError(f"{len(value)} blocks where one was expected, at {key}")
        value = value[0] if value else None
    if isinstance(value, Mapping):
        return value.get(key)
    return None


def value_at(values: Any, attribute: str) -> Any:
    """The value at a dotted attribute (`point_in_time_recovery.enabled`), None when absent."""
    for key in attribute.split("."):
        values = _step(values, key)
    return values


def unknown_at(after_unknown: Any, attribute: str) -> bool:
    """True when the apply alone will know the attribute (or anything inside it, in any block)."""
    values = [after_unknown]
    for key in attribute.split("."):
        if any(v is True for v in values):
            return True
        stepped = []
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping):
                    stepped.append(item.get(key))
        values = stepped
    return any(_any_true(v) for v in values)


def _any_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, Mapping):
        return any(_any_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_any_true(v) for v in value)
    return False


def shown(value: Any) -> str:
    """A judged value as the gate prints it: true, 7, "Enabled", null."""
    if value is None:
        return "null"
    return json.dumps(value, sort_keys=True) if not isinstance(value, float) or math.isfinite(value) else "forever"


# One weakening: (what is named, old value, new value).
Weakening = tuple[str, Any, Any]


@dataclass(frozen=True)
class Rule:
    """One row of the table: an attribute of a type, and what change of it weakens how data is kept."""

    type: str
    attribute: str  # dotted; a nested block is stepped into
    weakening: str  # a key of WEAKENINGS, or the description of a judge
    why: str
    unset: Any = None  # the value AWS takes when the attribute is null
    forever: Any = _UNSET  # a value meaning "kept for ever" (0 for a log group's retention)
    strong: tuple[str, ...] = ()  # for "left a protected value": the values that protect
    judge: Callable[[Any, Any], list[Weakening]] | None = None  # structured attributes (rules, lists)
    audit_only: bool = False  # log groups: only those holding audit logs


def _bool(value: Any, unset: Any) -> bool:
    value = unset if value is None else value
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _days(value: Any, rule: Rule) -> float:
    if value is None:
        value = rule.unset
    if rule.forever is not _UNSET and value == rule.forever:
        return math.inf
    if value is None:
        return math.inf if rule.forever is None else 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {shown(value)}")
    return value


def _turned_off(rule: Rule, old: Any, new: Any) -> bool:
    return _bool(old, rule.unset) and not _bool(new, rule.unset)


def _turned_on(rule: Rule, old: Any, new: Any) -> bool:
    return not _bool(old, rule.unset) and _bool(new, rule.unset)


def _shortened(rule: Rule, old: Any, new: Any) -> bool:
    return _days(new, rule) < _days(old, rule)


def _removed(rule: Rule, old: Any, new: Any) -> bool:
    return old not in (None, "", [], {}) and new in (None, "", [], {})


def _left_strong(rule: Rule, old: Any, new: Any) -> bool:
    old = rule.unset if old is None else old
    new = rule.unset if new is None else new
    return old in rule.strong and new not in rule.strong


def _as_set(value: Any) -> set[str]:
    return {json.dumps(v, sort_keys=True) for v in value} if isinstance(value, list) else set()


def _entries_removed(rule: Rule, old: Any, new: Any) -> bool:
    return bool(_as_set(old) - _as_set(new))


def _entries_added(rule: Rule, old: Any, new: Any) -> bool:
    return bool(_as_set(new) - _as_set(old))


WEAKENINGS: dict[str, Callable[[Rule, Any, Any], bool]] = {
    "true -> false": _turned_off,
    "false -> true": _turned_on,
    "shortened": _shortened,
    "set -> null": _removed,
    "left a protecting value": _left_strong,
    "entries removed": _entries_removed,
    "entries added": _entries_added,
}


# -- judges of structured attributes -------------------------------------------------------------


def _by(entries: Any, key: str) -> dict[str, Mapping[str, Any]]:
    """Blocks by their name; a block without one, or two with the same, cannot be matched: ValueError."""
    if entries is None:
        return {}
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ValueError(f"expected a list of blocks, got {type(entries).__name__}")
    found: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        name = entry.get(key)
        if not isinstance(name, str) or not name or name in found:
            raise ValueError(f"blocks cannot be matched by {key}: one is missing or repeated ({shown(name)})")
        found[name] = entry
    return found


def _sooner(old: float | None, new: float | None) -> bool:
    """An expiry after `new` days (None: never) comes sooner than one after `old`."""
    return new is not None and (old is None or new < old)


def _positive(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None


def judge_lifecycle_rules(old: Any, new: Any) -> list[Weakening]:
    """S3 lifecycle: an enabled rule that expires current or noncurrent objects sooner than the same rule
    (by id) did, or newly; fewer noncurrent versions kept; an expiring rule's filter changed."""
    found: list[Weakening] = []
    before = {k: r for k, r in _by(old, "id").items() if r.get("status") == "Enabled"}
    for rule_id, rule in _by(new, "id").items():
        if rule.get("status") != "Enabled":
            continue
        prior = before.get(rule_id, {})
        name = f"rule[{rule_id}]"
        for attribute in ("expiration.days", "noncurrent_version_expiration.noncurrent_days"):
            was, now = _positive(value_at(prior, attribute)), _positive(value_at(rule, attribute))
            if _sooner(was, now):
                found.append((f"{name}.{attribute}", was, now))
        was_date, now_date = value_at(prior, "expiration.date"), value_at(rule, "expiration.date")
        if now_date and (not was_date or str(now_date) < str(was_date)):
            found.append((f"{name}.expiration.date", was_date, now_date))
        if _positive(value_at(rule, "noncurrent_version_expiration.noncurrent_days")):
            was_kept = value_at(prior, "noncurrent_version_expiration.newer_noncurrent_versions") or 0
            now_kept = value_at(rule, "noncurrent_version_expiration.newer_noncurrent_versions") or 0
            if prior and int(now_kept) < int(was_kept):
                found.append((f"{name}.noncurrent_version_expiration.newer_noncurrent_versions", was_kept, now_kept))
        expires = any(
            _positive(value_at(rule, a)) for a in ("expiration.days", "noncurrent_version_expiration.noncurrent_days")
        ) or bool(now_date)
        if prior and expires and _normal(prior.get("filter")) != _normal(rule.get("filter")):
            found.append((f"{name}.filter", _normal(prior.get("filter")), _normal(rule.get("filter"))))
    return found


def _normal(value: Any) -> Any:
    """A filter as one comparable value: an empty block and no block are the same filter."""
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        items = [v for v in items if v not in (None, {}, [])]
        return items[0] if len(items) == 1 else (items or None)
    if isinstance(value, Mapping):
        entries = {k: _normal(v) for k, v in value.items() if _normal(v) not in (None, "", {}, [])}
        return entries or None
    return value


def _delete_after(value: Any) -> float:
    """A recovery point's lifetime in days: null or 0 keeps it for ever."""
    days = _positive(value_at(value, "lifecycle.delete_after"))
    return math.inf if days is None else days


def judge_backup_rules(old: Any, new: Any) -> list[Weakening]:
    """AWS Backup plan: a rule (by rule_name) removed, its recovery points deleted sooner, its continuous
    backup (point-in-time restore) turned off, a copy to another vault (by destination) removed or kept
    shorter."""
    found: list[Weakening] = []
    after = _by(new, "rule_name")
    for rule_name, prior in _by(old, "rule_name").items():
        name = f"rule[{rule_name}]"
        rule = after.get(rule_name)
        if rule is None:
            found.append((name, "present", "removed"))
            continue
        if _delete_after(rule) < _delete_after(prior):
            found.append((f"{name}.lifecycle.delete_after", _delete_after(prior), _delete_after(rule)))
        if prior.get("enable_continuous_backup") is True and rule.get("enable_continuous_backup") is not True:
            found.append((f"{name}.enable_continuous_backup", True, rule.get("enable_continuous_backup")))
        copies = _by(rule.get("copy_action"), "destination_vault_arn")
        for destination, copy in _by(prior.get("copy_action"), "destination_vault_arn").items():
            if destination not in copies:
                found.append((f"{name}.copy_action[{destination}]", "present", "removed"))
            elif _delete_after(copies[destination]) < _delete_after(copy):
                where = f"{name}.copy_action[{destination}].lifecycle.delete_after"
                found.append((where, _delete_after(copy), _delete_after(copies[destination])))
    return found


def lock_days(retention: Any) -> int:
    """An object lock's default retention in days (years count 365), 0 when there is none."""
    days, years = value_at(retention, "days"), value_at(retention, "years")
    return int(days or 0) or 365 * int(years or 0)


def judge_lock_retention(old: Any, new: Any) -> list[Weakening]:
    was, now = lock_days(old), lock_days(new)
    return [("rule.default_retention (days)", was, now)] if now < was else []


_KAFKA_RETENTION = (("log.retention.ms", 1), ("log.retention.minutes", 60_000), ("log.retention.hours", 3_600_000))
KAFKA_DEFAULT_RETENTION_MS = 168 * 3_600_000  # Kafka's log.retention.hours default: a week


def kafka_retention_ms(properties: Any) -> float:
    """How long the brokers keep a topic's messages, from server.properties text (-1: for ever)."""
    found = {}
    for line in str(properties or "").splitlines():
        key, _, value = line.partition("=")
        found[key.strip()] = value.strip()
    for key, factor in _KAFKA_RETENTION:  # Kafka's own precedence: ms, then minutes, then hours
        if key in found:
            number = int(found[key])
            return math.inf if number < 0 else number * factor
    return KAFKA_DEFAULT_RETENTION_MS


def judge_kafka_retention(old: Any, new: Any) -> list[Weakening]:
    was, now = kafka_retention_ms(old), kafka_retention_ms(new)
    return [("server_properties log.retention (ms)", was, now)] if now < was else []


def _db_rules(resource_type: str, what: str) -> tuple[Rule, ...]:
    return (
        Rule(resource_type, "deletion_protection", "true -> false", f"the only thing that refuses a delete of {what}"),
        Rule(
            resource_type,
            "skip_final_snapshot",
            "false -> true",
            f"a delete of {what} would leave no final snapshot behind",
            unset=False,
        ),
        Rule(
            resource_type,
            "final_snapshot_identifier",
            "set -> null",
            f"without a name, a delete of {what} takes no final snapshot",
        ),
        Rule(
            resource_type,
            "backup_retention_period",
            "shortened",
            "automated backups (point-in-time recovery) reach back fewer days; 0 turns them off and deletes them",
        ),
        Rule(resource_type, "storage_encrypted", "true -> false", f"{what} would be stored unencrypted"),
    )


# The table: every rule the gate applies to an update. A reviewer reads it top to bottom;
# review/README.md shows the same rows (a test keeps them in step).
WEAKENING_RULES: tuple[Rule, ...] = (
    # relational and document databases
    *_db_rules("aws_db_instance", "the database"),
    Rule(
        "aws_db_instance",
        "delete_automated_backups",
        "false -> true",
        "a delete of the instance would take its automated backups with it (they are kept by default)",
        unset=True,
    ),
    *_db_rules("aws_rds_cluster", "the cluster"),
    Rule(
        "aws_rds_cluster",
        "delete_automated_backups",
        "false -> true",
        "a delete of the cluster would take its automated backups with it",
        unset=True,
    ),
    Rule("aws_rds_cluster", "backtrack_window", "shortened", "Aurora can rewind the cluster fewer seconds"),
    *_db_rules("aws_docdb_cluster", "the DocumentDB cluster"),
    *_db_rules("aws_neptune_cluster", "the Neptune cluster"),
    Rule(
        "aws_dynamodb_table",
        "deletion_protection_enabled",
        "true -> false",
        "the only thing that refuses a delete of the table",
    ),
    Rule(
        "aws_dynamodb_table",
        "point_in_time_recovery.enabled",
        "true -> false",
        "point-in-time recovery is the table's continuous backup; turning it off deletes it",
    ),
    Rule(
        "aws_dynamodb_table",
        "point_in_time_recovery.recovery_period_in_days",
        "shortened",
        "point-in-time recovery reaches back fewer days",
        unset=35,
    ),
    Rule(
        "aws_dynamodb_table",
        "server_side_encryption.enabled",
        "true -> false",
        "the table's items leave the customer-managed key for an AWS-owned one",
    ),
    Rule(
        "aws_dynamodb_table",
        "ttl.enabled",
        "false -> true",
        "DynamoDB starts deleting every item whose TTL attribute has passed",
    ),
    Rule("aws_dynamodb_table", "replica", "entries removed", "a region's full copy of the table is deleted"),
    # caches and brokers
    Rule(
        "aws_elasticache_replication_group",
        "snapshot_retention_limit",
        "shortened",
        "daily snapshots are kept fewer days; 0 turns them off",
    ),
    Rule(
        "aws_elasticache_replication_group",
        "final_snapshot_identifier",
        "set -> null",
        "a delete of the group would take no final snapshot",
    ),
    Rule(
        "aws_elasticache_replication_group",
        "at_rest_encryption_enabled",
        "true -> false",
        "the cache's data and snapshots would be stored unencrypted",
    ),
    Rule(
        "aws_elasticache_cluster",
        "snapshot_retention_limit",
        "shortened",
        "daily snapshots are kept fewer days; 0 turns them off",
    ),
    Rule(
        "aws_elasticache_cluster",
        "final_snapshot_identifier",
        "set -> null",
        "a delete of the node would take no final snapshot",
    ),
    Rule(
        "aws_elasticache_serverless_cache",
        "snapshot_retention_limit",
        "shortened",
        "daily snapshots are kept fewer days",
    ),
    Rule("aws_memorydb_cluster", "snapshot_retention_limit", "shortened", "snapshots are kept fewer days"),
    Rule("aws_memorydb_cluster", "final_snapshot_name", "set -> null", "a delete would take no final snapshot"),
    Rule(
        "aws_msk_configuration",
        "server_properties",
        "log.retention (ms, minutes or hours; -1 for ever) shortened",
        "the brokers delete every topic's messages sooner",
        judge=judge_kafka_retention,
    ),
    Rule("aws_kinesis_stream", "retention_period", "shortened", "records expire from the stream sooner"),
    Rule(
        "aws_sqs_queue",
        "message_retention_seconds",
        "shortened",
        "messages not yet processed (or waiting in a dead-letter queue for a redrive) are deleted sooner",
        unset=345_600,
    ),
    # storage
    Rule(
        "aws_s3_bucket",
        "force_destroy",
        "false -> true",
        "a delete of the bucket would delete every object and version in it first",
        unset=False,
    ),
    Rule(
        "aws_s3_bucket",
        "object_lock_enabled",
        "true -> false",
        "the bucket's objects lose their write-once retention",
    ),
    Rule(
        "aws_s3_bucket_versioning",
        "versioning_configuration.status",
        "left a protecting value",
        "versioning stops: an overwrite or a delete loses the previous object",
        strong=("Enabled",),
    ),
    Rule(
        "aws_s3_bucket_versioning",
        "versioning_configuration.mfa_delete",
        "left a protecting value",
        "a version can be deleted without a second factor",
        strong=("Enabled",),
    ),
    Rule(
        "aws_s3_bucket_lifecycle_configuration",
        "rule",
        "an enabled rule (by id) expires current or noncurrent objects sooner or newly, keeps fewer noncurrent "
        "versions, or an expiring rule's filter changes",
        "S3 deletes the objects (or their older versions) for good when they expire",
        judge=judge_lifecycle_rules,
    ),
    Rule(
        "aws_s3_bucket_object_lock_configuration",
        "rule.default_retention.mode",
        "left a protecting value",
        "a governance lock can be lifted by anyone with s3:BypassGovernanceRetention; a compliance lock by nobody",
        strong=("COMPLIANCE",),
    ),
    Rule(
        "aws_s3_bucket_object_lock_configuration",
        "rule.default_retention",
        "days (or years x 365) shortened, or removed",
        "new objects are locked a shorter time, or not at all",
        judge=judge_lock_retention,
    ),
    Rule(
        "aws_s3_bucket_server_side_encryption_configuration",
        "rule.apply_server_side_encryption_by_default.sse_algorithm",
        "left a protecting value",
        "new objects leave the stack's KMS key for S3-managed keys, out of the key policy's control",
        strong=("aws:kms", "aws:kms:dsse"),
    ),
    Rule("aws_ebs_volume", "final_snapshot", "true -> false", "a delete of the volume would take no snapshot"),
    Rule("aws_ebs_volume", "encrypted", "true -> false", "the volume would be stored unencrypted"),
    Rule(
        "aws_efs_backup_policy",
        "backup_policy.status",
        "left a protecting value",
        "AWS Backup stops backing up the file system",
        strong=("ENABLED",),
    ),
    *(
        Rule(fsx, "automatic_backup_retention_days", "shortened", "daily backups are kept fewer days; 0 turns them off")
        for fsx in ("aws_fsx_lustre_file_system", "aws_fsx_ontap_file_system", "aws_fsx_openzfs_file_system")
    ),
    Rule(
        "aws_fsx_windows_file_system",
        "automatic_backup_retention_days",
        "shortened",
        "daily backups are kept fewer days; 0 turns them off",
    ),
    Rule(
        "aws_fsx_windows_file_system",
        "skip_final_backup",
        "false -> true",
        "a delete would take no final backup",
        unset=False,
    ),
    Rule(
        "aws_ecr_repository",
        "force_delete",
        "false -> true",
        "a delete of the repository would delete its images too",
        unset=False,
    ),
    Rule(
        "aws_ecr_repository",
        "image_tag_mutability",
        "left a protecting value",
        "a push can overwrite a released tag, and the image a rollback needs is gone",
        strong=("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"),
    ),
    Rule(
        "aws_instance",
        "disable_api_termination",
        "true -> false",
        "the only thing that refuses a termination (and the volumes that go with it)",
    ),
    # keys and secrets
    Rule(
        "aws_kms_key",
        "is_enabled",
        "true -> false",
        "a disabled key decrypts nothing: every volume, snapshot, object and secret under it is unreadable",
        unset=True,
    ),
    Rule(
        "aws_kms_key",
        "deletion_window_in_days",
        "shortened",
        "less time to cancel the key's deletion (and with it everything encrypted under it)",
        unset=30,
    ),
    Rule(
        "aws_kms_key",
        "enable_key_rotation",
        "true -> false",
        "the key material is no longer rotated",
        unset=False,
    ),
    Rule(
        "aws_secretsmanager_secret",
        "recovery_window_in_days",
        "shortened",
        "less time to restore a deleted secret; 0 deletes it at once, for good",
        unset=30,
    ),
    # backups
    Rule(
        "aws_backup_plan",
        "rule",
        "a rule (by rule_name) removed; its delete_after shortened (null: for ever); continuous backup turned "
        "off; a copy_action (by destination) removed or kept shorter",
        "recovery points are taken no more, deleted sooner, or no longer copied out of the account or region",
        judge=judge_backup_rules,
    ),
    Rule(
        "aws_db_instance_automated_backups_replication",
        "retention_period",
        "shortened",
        "the second region keeps less of the database's point-in-time history",
        unset=7,
    ),
    Rule(
        "aws_backup_selection",
        "resources",
        "entries removed",
        "the stores removed from the list are backed up no more",
    ),
    Rule(
        "aws_backup_selection",
        "not_resources",
        "entries added",
        "the stores added here are excluded from the backups",
    ),
    Rule(
        "aws_backup_selection",
        "selection_tag",
        "entries removed",
        "resources that carry the tag are backed up no more",
    ),
    Rule(
        "aws_backup_vault",
        "force_destroy",
        "false -> true",
        "a delete of the vault would delete its recovery points first",
        unset=False,
    ),
    Rule(
        "aws_backup_vault_lock_configuration",
        "min_retention_days",
        "shortened",
        "recovery points may be deleted sooner",
        forever=None,
        unset=0,
    ),
    Rule(
        "aws_backup_vault_lock_configuration",
        "max_retention_days",
        "shortened",
        "recovery points kept longer than the new maximum cannot be kept",
        forever=None,
    ),
    Rule(
        "aws_backup_vault_lock_configuration",
        "changeable_for_days",
        "set -> null",
        "a compliance lock becomes a governance lock, which can be removed",
    ),
    # audit logs and identities
    Rule(
        LOG_GROUP_TYPE,
        "retention_in_days",
        "shortened",
        "audit events are deleted sooner (0 or null keeps them for ever, so 0 -> 30 is a shortening)",
        forever=0,
        unset=0,
        audit_only=True,
    ),
    Rule(
        LOG_GROUP_TYPE,
        "skip_destroy",
        "true -> false",
        "a delete of the group would delete its events too",
        unset=False,
        audit_only=True,
    ),
    Rule(
        "aws_cognito_user_pool",
        "deletion_protection",
        "left a protecting value",
        "the only thing that refuses a delete of the pool and its users",
        strong=("ACTIVE",),
        unset="INACTIVE",
    ),
)

RULES_BY_TYPE: dict[str, tuple[Rule, ...]] = {}
for _rule in WEAKENING_RULES:
    RULES_BY_TYPE[_rule.type] = (*RULES_BY_TYPE.get(_rule.type, ()), _rule)


def weakenings(rule: Rule, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Weakening]:
    """What an update weakens under one rule: (attribute, old, new) for each finding."""
    old, new = value_at(before, rule.attribute), value_at(after, rule.attribute)
    if rule.judge is not None:
        return rule.judge(old, new)
    if WEAKENINGS[rule.weakening](rule, old, new):
        return [(rule.attribute, old, new)]
    return []


# -- the verdict ---------------------------------------------------------------------------------

KINDS = ("destroy", "forget", "weaken", "unjudged")


@dataclass(frozen=True)
class Finding:
    """One thing this plan would lose or weaken, or could not judge."""

    change: ResourceChange
    kind: str  # one of KINDS
    what: str  # "delete", "replace (...)", "deletion_protection true -> false", ...
    reason: str  # why it matters
    allowed: bool
    allowable: bool = True  # a malformed entry cannot be allowed: the plan must be fixed

    @property
    def address(self) -> str:
        return self.change.address


# Kept for readers of the first version: every finding used to be a destruction.
Destruction = Finding


@dataclass(frozen=True)
class Cutover:
    """A proxy target or a read replica that moves from one database instance to another, or a
    table or cluster that this plan restores from another to take its place."""

    address: str  # the proxy target, the replica, or the restored table or cluster
    role: str  # "proxy target", "replica source", "restored table" or "restored cluster"
    old: str  # the store before (a restored store's source, or its snapshot)
    new: str  # after, or "(known after apply)"
    restored_how: str | None  # how the plan creates `new`, when it does (restored from ...)
    old_deleted: bool  # this plan also deletes or replaces the store named `old`
    store: str = "instance"  # what `old` and `new` are, in the verdict's words


@dataclass(frozen=True)
class SafetyVerdict:
    findings: tuple[Finding, ...]
    allowed: tuple[str, ...]  # the addresses this run allows, as given
    unused_allowances: tuple[str, ...]  # allowed, but the plan neither removes nor weakens them
    removed: tuple[str, ...] = field(default=())  # every address the plan deletes, replaces or forgets
    cutovers: tuple[Cutover, ...] = field(default=())  # shown, never judged here

    @property
    def destructions(self) -> tuple[Finding, ...]:
        return self.findings

    @property
    def blocked(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.allowed)

    @property
    def ok(self) -> bool:
        return not (self.blocked or self.unused_allowances)


def _update_findings(change: ResourceChange, allowed: bool) -> list[Finding]:
    rules = RULES_BY_TYPE.get(change.type, ())
    if change.type == LOG_GROUP_TYPE and not audit_log_reason(change):
        rules = tuple(r for r in rules if not r.audit_only)
    if not rules:
        return []
    if not isinstance(change.before, Mapping) or not isinstance(change.after, Mapping):
        return [
            Finding(
                change,
                "unjudged",
                "update without before and after objects",
                "the gate cannot judge this update of a type whose updates it judges",
                allowed,
            )
        ]
    found = []
    for rule in rules:
        try:
            if unknown_at(change.after_unknown, rule.attribute):
                old = value_at(change.before, rule.attribute)
                if old is not None:
                    found.append(
                        Finding(
                            change,
                            "unjudged",
                            f"{rule.attribute} {shown(old)} -> (known after apply)",
                            f"the gate cannot judge a value only the apply will know; {rule.why}",
                            allowed,
                        )
                    )
                    continue
            weakened = weakenings(rule, change.before, change.after)
        except (TypeError, ValueError, AttributeError) as error:
            found.append(Finding(change, "unjudged", f"{rule.attribute}: {error}", rule.why, allowed))
            continue
        for attribute, old, new in weakened:
            found.append(Finding(change, "weaken", f"{attribute} {shown(old)} -> {shown(new)}", rule.why, allowed))
    return found


_INSTANCE_KEY = re.compile(r'\["(?:[^"\\]|\\.)*"\]|\[\d+\]')


def _type_in_address(address: str) -> str | None:
    """The resource type an address names (`module.a["k"].aws_s3_bucket.b[0]` -> aws_s3_bucket)."""
    parts = _INSTANCE_KEY.sub("", address).split(".")
    return parts[-2] if len(parts) >= 2 else None


def _findings(change: ResourceChange, allowed: bool) -> list[Finding]:
    if change.mode == "data":
        return []
    if change.mode != "managed" or not change.type or _type_in_address(change.address) != change.type:
        what = f"mode {change.mode!r}, type {change.type!r}"
        reason = "a malformed entry: the gate cannot tell what it is (no allowance lifts this; fix the plan)"
        return [Finding(change, "unjudged", what, reason, allowed=False, allowable=False)]
    held = stateful_reason(change)
    guards = protection_reason(change)
    if change.removes and (held or guards):
        return [Finding(change, "destroy", action_label(change), held or guards or "", allowed)]
    if change.category == "forget" and held:
        reason = f"{held}; forgotten, it keeps running with nothing here protecting, backing up or judging it"
        return [Finding(change, "forget", "forget (removed from state)", reason, allowed)]
    if change.category in ("delete", "replace", "forget") and unknown_data_type(change.type):
        reason = (
            f"the gate does not know {change.type}, and its name says it may hold data; list it in "
            "review/safety.py (STATEFUL_TYPES, PROTECTION_TYPES or CONSIDERED_STATELESS, with why)"
        )
        return [Finding(change, "unjudged", action_label(change), reason, allowed)]
    if change.category == "update":
        return _update_findings(change, allowed)
    return []


# What points at a database instance, by the attribute holding the instance's identifier.
CUTOVER_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "aws_db_proxy_target": ("db_instance_identifier", "proxy target"),
    "aws_db_instance": ("replicate_source_db", "replica source"),
}
_KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass(frozen=True)
class RestoreAttributes:
    """Where a store's planned values say it is restored, and what the store is called."""

    name: str  # the attribute naming the store
    point_block: str | None  # the block holding the point in time, or None (top-level attributes)
    source: str  # the source store's name, in that block
    time: str  # the point in time
    latest: str  # the flag "its latest restorable time"
    store: str  # the store, in the verdict's words


RESTORABLE_STORES: dict[str, RestoreAttributes] = {
    "aws_db_instance": RestoreAttributes(
        "identifier",
        "restore_to_point_in_time",
        "source_db_instance_identifier",
        "restore_time",
        "use_latest_restorable_time",
        "instance",
    ),
    "aws_docdb_cluster": RestoreAttributes(
        "cluster_identifier",
        "restore_to_point_in_time",
        "source_cluster_identifier",
        "restore_to_time",
        "use_latest_restorable_time",
        "cluster",
    ),
    "aws_dynamodb_table": RestoreAttributes(
        "name", None, "restore_source_name", "restore_date_time", "restore_to_latest_time", "table"
    ),
}
# Stores whose takeover nothing else points at by one attribute (the services' settings and
# grants follow them): the restored store itself is the cutover. An RDS instance's cutover is
# its proxy target's and replica's (CUTOVER_ATTRIBUTES).
CUTOVER_BY_RESTORE: tuple[str, ...] = ("aws_docdb_cluster", "aws_dynamodb_table")


def _restore_source(resource_type: str, store: Mapping[str, Any]) -> tuple[str, str] | None:
    """What a planned store is restored from (a source store or a snapshot) and how, or None."""
    attributes = RESTORABLE_STORES[resource_type]
    if store.get("snapshot_identifier"):
        return store["snapshot_identifier"], f"restored from snapshot {store['snapshot_identifier']}"
    point: Any = store
    if attributes.point_block is not None:
        points = store.get(attributes.point_block) or []
        point = points[0] if isinstance(points, list) and points and isinstance(points[0], Mapping) else None
    # A table may name its source by ARN instead (restore_source_table_arn).
    source = point and (point.get(attributes.source) or point.get("restore_source_table_arn"))
    if not source:
        return None
    when = "its latest restorable time" if point.get(attributes.latest) else point.get(attributes.time)
    return source, f"restored from {source} at {when}"


def _restored_how(resource_type: str, store: Mapping[str, Any]) -> str | None:
    """How a planned store starts, when it is restored: its source and time, or its snapshot."""
    restored = _restore_source(resource_type, store)
    return restored[1] if restored else None


def cutovers(review: PlanReview) -> tuple[Cutover, ...]:
    """Each proxy target or replica this plan points at another instance than before, and each
    table or cluster it restores from another."""
    created = {
        (c.type, c.after.get(RESTORABLE_STORES[c.type].name)): c
        for c in review.changes
        if c.type in RESTORABLE_STORES and c.category in ("create", "replace") and isinstance(c.after, Mapping)
    }
    removed = {
        (c.type, c.before.get(RESTORABLE_STORES[c.type].name))
        for c in review.changes
        if c.type in RESTORABLE_STORES and c.removes and isinstance(c.before, Mapping)
    }
    found = []
    for (resource_type, name), change in created.items():
        if resource_type not in CUTOVER_BY_RESTORE or not isinstance(change.after, Mapping):
            continue
        restored = _restore_source(resource_type, change.after)
        if restored is None or not name:
            continue
        source, how = restored
        store = RESTORABLE_STORES[resource_type].store
        found.append(
            Cutover(
                address=change.address,
                role=f"restored {store}",
                old=source,
                new=name,
                restored_how=how,
                old_deleted=(resource_type, source) in removed,
                store=store,
            )
        )
    for change in review.changes:
        # Only what existed and now points elsewhere: a first deploy's proxy target is no cutover.
        if change.type not in CUTOVER_ATTRIBUTES or change.category not in ("update", "replace"):
            continue
        attribute, role = CUTOVER_ATTRIBUTES[change.type]
        old = value_at(change.before, attribute) if isinstance(change.before, Mapping) else None
        new = value_at(change.after, attribute) if isinstance(change.after, Mapping) else None
        if unknown_at(change.after_unknown, attribute):
            new = _KNOWN_AFTER_APPLY
        if not old or not new or new == old:
            continue
        instance = created.get(("aws_db_instance", new))
        found.append(
            Cutover(
                address=change.address,
                role=role,
                old=old,
                new=new,
                restored_how=_restored_how("aws_db_instance", instance.after)
                if instance is not None and instance.after
                else None,
                old_deleted=("aws_db_instance", old) in removed,
            )
        )
    return tuple(found)


def check_safety(review: PlanReview, allowed: Iterable[str] = ()) -> SafetyVerdict:
    allowed = tuple(dict.fromkeys(allowed))
    removed = tuple(c.address for c in review.changes if c.removes or c.category == "forget")
    findings: list[Finding] = []
    for change in review.listed:
        findings += _findings(change, change.address in allowed)
    used = set(removed) | {f.address for f in findings}
    return SafetyVerdict(
        findings=tuple(findings),
        allowed=allowed,
        unused_allowances=tuple(a for a in allowed if a not in used),
        removed=removed,
        cutovers=cutovers(review),
    )


# -- output -----------------------------------------------------------------------------------

_LABELS = {"destroy": "", "forget": "", "weaken": "weakened: ", "unjudged": "cannot judge: "}


def _line(finding: Finding) -> str:
    return f"`{finding.address}`, {_LABELS[finding.kind]}{finding.what}: {finding.reason}"


def _cutover_line(cutover: Cutover) -> str:
    created = f", created by this plan ({cutover.restored_how})" if cutover.restored_how else ""
    old_fate = (
        f"this plan deletes or replaces the old {cutover.store}"
        if cutover.old_deleted
        else f"the old {cutover.store} stays until a later change removes it"
    )
    return f"- CUTOVER `{cutover.address}` ({cutover.role}): `{cutover.old}` -> `{cutover.new}`{created}; {old_fate}"


def render_markdown(verdict: SafetyVerdict) -> str:
    lines = []
    if verdict.ok:
        lines.append(
            "Data safety: PASSED: no stateful resource is deleted, replaced, forgotten or weakened without an "
            "allowance."
        )
    else:
        lines.append("Data safety: FAILED")
    lines += [_cutover_line(cutover) for cutover in verdict.cutovers]
    for f in verdict.blocked:
        hint = f"If this run must do it: `--allow-destroy {f.address}`" if f.allowable else "Fix the plan."
        lines.append(f"- BLOCKED {_line(f)}. {hint}")
    for f in verdict.findings:
        if f.allowed:
            lines.append(f"- ALLOWED for this run {_line(f)}")
    for address in verdict.allowed:
        if address in verdict.unused_allowances:
            lines.append(
                f"- UNUSED allowance `{address}`: this plan neither deletes, replaces, forgets nor weakens it; "
                "remove the flag or correct the address"
            )
        elif not any(f.allowed and f.address == address for f in verdict.findings):
            lines.append(f"- allowed for this run `{address}` (deleted or replaced; it holds no data)")
    return "\n".join(lines)


def as_json(verdict: SafetyVerdict) -> dict[str, Any]:
    return {
        "ok": verdict.ok,
        "allowed": list(verdict.allowed),
        "unused_allowances": list(verdict.unused_allowances),
        "cutovers": [
            {
                "address": c.address,
                "role": c.role,
                "old": c.old,
                "new": c.new,
                "restored_how": c.restored_how,
                "old_deleted": c.old_deleted,
            }
            for c in verdict.cutovers
        ],
        "findings": [
            {
                "address": f.address,
                "type": f.change.type,
                "action": f.change.category,
                "actions": list(f.change.actions),
                "kind": f.kind,
                "what": f.what,
                "reason": f.reason,
                "allowed": f.allowed,
            }
            for f in verdict.findings
        ],
    }
