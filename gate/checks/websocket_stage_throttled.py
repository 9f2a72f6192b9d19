"""CKV_CHAT_66: a WebSocket stage sets its own throttle.

Without `throttling_rate_limit` and `throttling_burst_limit` in its default route
settings, a stage takes the account's whole regional quota (shared by every REST, HTTP and
WebSocket API of the account), so one client's message flood or a reconnect storm throttles
every other API too. checkov has no check of API Gateway v2 throttling. Stages of HTTP APIs
pass; a stage whose API is not in the stack file is UNKNOWN.
"""

from chat_check_support import value
from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from websocket_check_support import judge_websocket_stage


def positive(raw) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0


class WebSocketStageThrottled(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="WebSocket stages set a throttling rate and burst limit of their own",
            id="CKV_CHAT_66",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_apigatewayv2_stage"],
        )

    def scan_resource_conf(self, conf):
        return judge_websocket_stage(
            self.entity_path,
            conf,
            "default_route_settings",
            lambda settings: all(
                positive(value(settings, key)) for key in ("throttling_rate_limit", "throttling_burst_limit")
            ),
        )


check = WebSocketStageThrottled()
