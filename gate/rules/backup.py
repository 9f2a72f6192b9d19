"""Rules on AWS Backup coverage (CKV_CHAT_40) and its copy to a second region (CKV_CHAT_41)."""

from __future__ import annotations

from typing import Any

from .attributes import blocks, is_true, refers_to, value
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


# How each store type says it is deletion-protected (a protected environment's store).
PROTECTION_ATTRIBUTES = {
    "aws_db_instance": "deletion_protection",
    "aws_rds_cluster": "deletion_protection",
    "aws_docdb_cluster": "deletion_protection",
    "aws_dynamodb_table": "deletion_protection_enabled",
}


def has_protected_store(stack: Stack) -> bool:
    """A store AWS Backup supports is deletion-protected: by its own attribute, or by
    Terraform's `lifecycle.prevent_destroy` (what the modules set under deletion_protection)."""
    for store_type in STORES:
        for conf in stack.resources(store_type).values():
            attribute = PROTECTION_ATTRIBUTES.get(store_type)
            if attribute and is_true(value(conf, attribute)):
                return True
            if is_true((conf.get("lifecycle") or {}).get("prevent_destroy")):
                return True
    return False


def provider_region(stack: Stack, provider: Any) -> str | None:
    """The literal region of an AWS provider reference ("aws", "aws.<alias>"), else None."""
    alias = provider.split(".", 1)[1] if isinstance(provider, str) and "." in provider else None
    blocks_ = stack.document.get("provider", {}).get("aws", [])
    for block in blocks_ if isinstance(blocks_, list) else [blocks_]:
        if isinstance(block, dict) and block.get("alias") == alias:
            region = block.get("region")
            return region if isinstance(region, str) and "${" not in region else None
    return None


def destination_region(stack: Stack, destination_vault_arn: Any) -> str | None:
    """The region of a copy's destination vault: the region field of a literal ARN, or the
    region of the provider that makes the vault it references; None when unknown."""
    if not isinstance(destination_vault_arn, str):
        return None
    if destination_vault_arn.startswith("arn:"):
        parts = destination_vault_arn.split(":")
        return parts[3] if len(parts) > 3 and "${" not in parts[3] else None
    for name, conf in stack.resources("aws_backup_vault").items():
        if refers_to(destination_vault_arn, "aws_backup_vault", name):
            return provider_region(stack, conf.get("provider"))
    return None


@stack_rule(
    id="CKV_CHAT_41",
    name="A protected environment's backup plan copies every rule's recovery points to another region",
    resource_types=("aws_backup_plan",),
    category="BACKUP_AND_RECOVERY",
    modules=("backup",),
)
def backup_copies_to_another_region(resource: Resource, stack: Stack | None) -> Verdict:
    """Recovery points kept only in the stack's region are lost with it: a protected
    environment (one with a deletion-protected store) must survive a region loss, so every
    rule of its backup plan needs a copy_action whose destination vault is in another region
    (modules/backup: copy_region). An environment without protected stores passes (its data is
    disposable); an environment that accepts the loss waives this rule with its reason
    (the backup { } block's no_copy_reason). A destination whose region the stack does not
    spell as a literal is not judged."""
    if stack is None:
        return Verdict.UNKNOWN  # a plan: the stores' protection is other blocks' to say
    if not has_protected_store(stack):
        return Verdict.PASSED
    home = provider_region(stack, resource.conf.get("provider"))
    rules = blocks(resource.conf, "rule")
    if home is None or not rules:
        return Verdict.UNKNOWN if home is None else Verdict.FAILED
    for rule in rules:
        regions = [
            destination_region(stack, value(copy, "destination_vault_arn")) for copy in blocks(rule, "copy_action")
        ]
        if any(region is None for region in regions):
            return Verdict.UNKNOWN
        if not any(region != home for region in regions):
            return Verdict.FAILED
    return Verdict.PASSED
