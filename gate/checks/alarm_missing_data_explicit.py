"""CKV_CHAT_81: every CloudWatch metric alarm says what missing data means.

CloudWatch's default, "missing", moves an alarm whose metric stops arriving to
INSUFFICIENT_DATA, which notifies nobody unless the alarm has INSUFFICIENT_DATA actions: a
service that stopped reporting would look quiet, not down. checkov has no check for it.

An aws_cloudwatch_metric_alarm passes when `treat_missing_data` is "breaching",
"notBreaching" or "ignore", or when it has `insufficient_data_actions` (then "missing"
reaches someone too).
"""

from chat_check_support import as_list, value
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

EXPLICIT = ("breaching", "notBreaching", "ignore")


class AlarmMissingDataExplicit(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch metric alarms treat missing data explicitly (breaching, notBreaching or ignore)",
            id="CKV_CHAT_81",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_metric_alarm"],
        )

    def scan_resource_conf(self, conf):
        if value(conf, "treat_missing_data") in EXPLICIT:
            return CheckResult.PASSED
        if [action for action in as_list(conf.get("insufficient_data_actions")) if action]:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = AlarmMissingDataExplicit()
