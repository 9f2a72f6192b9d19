"""CKV_CHAT_40: every data store AWS Backup can protect is in a backup selection.

A store left out of the selection has no recovery point, and nobody notices until the
day it is needed; checkov only checks that plans and vaults exist. A store passes when an
aws_backup_selection of the same stack lists it: a reference to its ARN, or (an S3
bucket) the literal ARN of its name. A read replica passes: its primary is backed up. A
store with no recovery point on purpose (a log bucket, a site bucket rebuilt by CI)
carries a waiver of this check with its reason, next to it.
"""

from chat_check_support import value
from chat_stack_support import blocks, entity_parts, refers_to, stack_document
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

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


def _selected(document, entity_type: str, entity_name: str) -> bool:
    # The bucket's name as the stack writes it (references included), not as checkov
    # renders it: the selection holds the same text.
    bucket = blocks(document, entity_type).get(entity_name, {}).get("bucket")
    for selection in blocks(document, "aws_backup_selection").values():
        resources = selection.get("resources") or []
        if isinstance(resources, str):
            resources = [resources]
        for resource in resources:
            if refers_to(resource, entity_type, entity_name):
                return True
            if (
                entity_type == "aws_s3_bucket"
                and isinstance(bucket, str)
                and isinstance(resource, str)
                and resource.endswith(f":s3:::{bucket}")
            ):
                return True
    return False


class BackupCoversDataStores(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Data stores AWS Backup supports are in a backup selection",
            id="CKV_CHAT_40",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=list(STORES),
        )

    def scan_resource_conf(self, conf):
        if value(conf, "replicate_source_db"):
            return CheckResult.PASSED
        document = stack_document(self.entity_path)
        if document is None:
            # A plan: the selection is another block's to say.
            return CheckResult.UNKNOWN
        _, entity_type, entity_name = entity_parts(self.entity_path)
        if _selected(document, entity_type, entity_name):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = BackupCoversDataStores()
