"""Helpers for the WebSocket API checks, CKV_CHAT_65 to CKV_CHAT_67 (checkov puts this folder on sys.path).

An aws_apigatewayv2_stage does not say whether its API is a WebSocket API: its `api_id`
names the API, whose `protocol_type` does. `stage_protocol` follows that reference
through the stack file; in a plan scan (or for a literal api id) it cannot, and a check
answers UNKNOWN.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chat_check_support import value
from chat_stack_support import blocks, stack_document
from checkov.common.models.enums import CheckResult
from elasticache_check_support import blocks as nested_blocks

_API_REFERENCE_RE = re.compile(r"^\$\{aws_apigatewayv2_api\.([A-Za-z0-9_-]+)\.id\}$")


def stage_protocol(entity_path: str, conf: dict[str, Any]) -> str | None:
    """ "WEBSOCKET" or "HTTP" for a stage whose API block is in the same stack, else None."""
    document = stack_document(entity_path)
    api_id = value(conf, "api_id")
    match = _API_REFERENCE_RE.fullmatch(api_id) if isinstance(api_id, str) else None
    if document is None or match is None:
        return None
    api = blocks(document, "aws_apigatewayv2_api").get(match[1])
    protocol = None if api is None else api.get("protocol_type")
    return protocol if isinstance(protocol, str) else None


def judge_websocket_stage(
    entity_path: str, conf: dict[str, Any], settings_key: str, judge: Callable[[dict[str, Any]], bool]
) -> CheckResult:
    """A WebSocket stage passes when its first `settings_key` block satisfies `judge`; an HTTP
    API's stage passes (the rule is not about it); a stage whose API cannot be found is UNKNOWN."""
    protocol = stage_protocol(entity_path, conf)
    if protocol is None:
        return CheckResult.UNKNOWN
    if protocol != "WEBSOCKET":
        return CheckResult.PASSED
    settings = nested_blocks(conf, settings_key)
    return CheckResult.PASSED if settings and judge(settings[0]) else CheckResult.FAILED
