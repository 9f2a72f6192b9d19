"""Which stores AWS Backup can protect, told from their ARNs and their Terraform types.

`BackupPlan.protect()` refuses an ARN whose service AWS Backup does not back up (an
ElastiCache cluster, an SQS queue), so a store is never believed protected when no job
could ever run for it. `BACKUP_SUPPORTED_RESOURCE_TYPES` lists the Terraform types of
the stores it does support, for a stack test that proves every such store in prod is in
the selection. Nothing here imports cdktf.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from modules.common.tokens import is_unresolved
from modules.common.validation import describe

# ARN services AWS Backup creates recovery points for ("Supported AWS resources and
# third-party applications" in its guide): rds covers RDS, Aurora, DocumentDB and
# Neptune; ec2 covers instances and EBS volumes; elasticfilesystem is EFS.
SUPPORTED_ARN_SERVICES: tuple[str, ...] = (
    "cloudformation",
    "dynamodb",
    "ec2",
    "elasticfilesystem",
    "fsx",
    "rds",
    "redshift",
    "s3",
    "storagegateway",
    "timestream",
)

# Terraform resource types of those stores.
BACKUP_SUPPORTED_RESOURCE_TYPES: tuple[str, ...] = (
    "aws_db_instance",
    "aws_docdb_cluster",
    "aws_dynamodb_table",
    "aws_ebs_volume",
    "aws_efs_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_ontap_volume",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_windows_file_system",
    "aws_instance",
    "aws_neptune_cluster",
    "aws_rds_cluster",
    "aws_redshift_cluster",
    "aws_s3_bucket",
    "aws_timestreamwrite_table",
)

_ARN_SERVICE_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):(?P<service>[a-z0-9-]+):")
_S3_BUCKET_ARN_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):s3:::[^/]+$")


def arn_service(arn: str) -> str | None:
    """The service of an ARN, or None when a token hides it (the whole ARN is a reference)."""
    match = _ARN_SERVICE_RE.match(arn)
    if match:
        return match["service"]
    if is_unresolved(arn):
        return None
    raise ValueError(f"expected an ARN such as arn:aws:s3:::bucket-name, got {describe(arn)}")


def check_protectable_arn(arn: str) -> str:
    """An ARN of a store AWS Backup supports; a reference whose service is hidden passes."""
    service = arn_service(arn)
    if service is not None and service not in SUPPORTED_ARN_SERVICES:
        raise ValueError(
            f"expected the ARN of a store AWS Backup supports ({', '.join(SUPPORTED_ARN_SERVICES)}), "
            f"got {describe(arn)}"
        )
    if service == "s3" and not (_S3_BUCKET_ARN_RE.match(arn) or is_unresolved(arn)):
        raise ValueError(f"expected a bucket ARN (arn:aws:s3:::<bucket>, no key), got {describe(arn)}")
    return arn


def is_s3_bucket_arn(arn: str) -> bool:
    return arn_service(arn) == "s3"


class BackupTarget(NamedTuple):
    """A store a module asks the stack's backup plan to protect (`BackupPlan.protect(name, arn)`):
    `name` is the selection's key for it (snake_case, unique in the stack)."""

    name: str
    arn: str
