"""ARN helpers that keep partitions literal (no data.aws_partition lookup)."""

from __future__ import annotations


def partition_for_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
