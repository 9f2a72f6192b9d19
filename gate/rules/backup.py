"""Rules on AWS Backup coverage (CKV_CHAT_40)."""

from __future__ import annotations

from .attributes import refers_to, value
from .model import Resource, Stack, Verdict, stack_rule

# The stores of this platform that AWS Backup supports (modules/backup/supported.py lists
# all its types; instances are left out: their data lives on volumes, which are checked).
STORES = (
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_efs_file_system",
    "aws_s3_bucket",
)


def selected_resources(stack: Stack) -> list[object]:
    """Every entry of every aws_backup_selection's `resources` in the stack."""
    found: list[object] = []
    for selection in stack.resources("aws_backup_selection").values():
        resources = selection.get("resources") or []
        found += [resources] if isinstance(resources, str) else list(resources)
    return found


@stack_rule(
    id="CKV_CHAT_40",
    name="Data stores AWS Backup supports are in a backup selection",
    resource_types=STORES,
    category="BACKUP_AND_RECOVERY",
    modules=("dynamodb",),
)
def backup_covers_data_stores(resource: Resource, stack: Stack | None) -> Verdict:
    """A store left out of the backup selection has no recovery point, and nobody notices
    until the day it is needed; checkov only checks that plans and vaults exist. A store
    passes when an aws_backup_selection of the same stack lists it: a reference to its ARN,
    or (an S3 bucket) the literal ARN of its name. A read replica passes: its primary is
    backed up. A store with no recovery point on purpose (a log bucket, a site bucket rebuilt
    by CI) carries a waiver of this rule with its reason, next to it."""
    if value(resource.conf, "replicate_source_db"):
        return Verdict.PASSED
    if stack is None:
        return Verdict.UNKNOWN  # a plan: the selection is another block's to say
    # The bucket's name as the stack writes it (references included), not as checkov
    # renders it: the selection holds the same text.
    bucket = stack.resources(resource.type).get(resource.name, {}).get("bucket")
    for entry in selected_resources(stack):
        if refers_to(entry, resource.type, resource.name):
            return Verdict.PASSED
        if (
            resource.type == "aws_s3_bucket"
            and isinstance(bucket, str)
            and isinstance(entry, str)
            and entry.endswith(f":s3:::{bucket}")
        ):
            return Verdict.PASSED
    return Verdict.FAILED
