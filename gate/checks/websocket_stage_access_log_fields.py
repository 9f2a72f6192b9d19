"""CKV_CHAT_65: a WebSocket stage's access log says which request, connection, route and outcome.

checkov's CKV_AWS_76 checks that a stage has an access-log destination, exactly; it does
not read the format, and a WebSocket stage's log line is only useful in an incident when
it names the request ($context.requestId), the connection ($context.connectionId), the
route ($context.routeKey) and the status ($context.status): a JSON object holding those
four, which CloudWatch Logs Insights parses without a pattern. Stages of HTTP APIs pass
(they have no connections); a stage whose API is not in the stack file is UNKNOWN.
"""

import json

from chat_check_support import value
from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from websocket_check_support import judge_websocket_stage

REQUIRED_VARIABLES = ("$context.requestId", "$context.connectionId", "$context.routeKey", "$context.status")


def records_required_fields(log_format) -> bool:
    try:
        fields = json.loads(log_format) if isinstance(log_format, str) else None
    except ValueError:
        return False
    if not isinstance(fields, dict):
        return False
    values = {item for item in fields.values() if isinstance(item, str)}
    return all(variable in values for variable in REQUIRED_VARIABLES)


class WebSocketStageAccessLogFields(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="WebSocket stages log each request's id, connection, route and status as JSON",
            id="CKV_CHAT_65",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_apigatewayv2_stage"],
        )

    def scan_resource_conf(self, conf):
        return judge_websocket_stage(
            self.entity_path,
            conf,
            "access_log_settings",
            lambda settings: (
                bool(value(settings, "destination_arn")) and records_required_fields(value(settings, "format"))
            ),
        )


check = WebSocketStageAccessLogFields()
