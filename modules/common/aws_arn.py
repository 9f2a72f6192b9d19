"""ARN helpers that keep partitions literal (no data.aws_partition lookup)."""

from __future__ import annotations


def partition_for_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# The DNS suffix of AWS's service endpoints per partition (botocore's endpoints.json:
# "dnsSuffix"); China's regions answer under amazonaws.com.cn.
PARTITION_DNS_SUFFIXES = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}


def dns_suffix_for_region(region: str) -> str:
    return PARTITION_DNS_SUFFIXES[partition_for_region(region)]
