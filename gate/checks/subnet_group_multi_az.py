"""CKV_CHAT_1: data-store subnet groups list at least two subnets.

A subnet group with one subnet pins a database or cache to one AZ: Multi-AZ failover
has nowhere to go. checkov sees one resource at a time, so it counts subnets; the
network module's tests prove those subnets sit in distinct AZs.
"""

from chat_check_support import as_list, unknown_until_apply
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MIN_SUBNETS = 2


class SubnetGroupMultiAz(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Data-store subnet groups span at least two subnets (AZs)",
            id="CKV_CHAT_1",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_db_subnet_group",
                "aws_elasticache_subnet_group",
                "aws_docdb_subnet_group",
                "aws_neptune_subnet_group",
            ],
        )

    def scan_resource_conf(self, conf):
        subnets = as_list(conf.get("subnet_ids"))
        if len(subnets) >= MIN_SUBNETS:
            return CheckResult.PASSED
        if not subnets or any(unknown_until_apply(s) for s in subnets):
            # In a plan the ids are unknown until apply and checkov shows only the
            # first reference: the count is not knowable here.
            return CheckResult.UNKNOWN
        return CheckResult.FAILED


check = SubnetGroupMultiAz()
