"""CKV_CHAT_80: every CloudWatch metric alarm notifies someone when it fires and when it clears.

An alarm without actions changes colour on a console nobody watches. checkov's CKV_AWS_319
only refuses `actions_enabled = false`; an alarm with no action at all passes it. An OK
action too: whoever was paged learns that it cleared without opening the console.

An aws_cloudwatch_metric_alarm passes when `alarm_actions` and `ok_actions` each name at
least one target.
"""

from chat_check_support import as_list
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AlarmActionsNotify(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch metric alarms notify on ALARM and on OK (alarm_actions and ok_actions set)",
            id="CKV_CHAT_80",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_metric_alarm"],
        )

    def scan_resource_conf(self, conf):
        notified = all(
            [action for action in as_list(conf.get(key)) if action] for key in ("alarm_actions", "ok_actions")
        )
        return CheckResult.PASSED if notified else CheckResult.FAILED


check = AlarmActionsNotify()
