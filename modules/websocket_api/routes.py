"""What the WebSocket API sends to the realtime service and what its access log records:
pure data, no cdktf.

API Gateway holds the client's WebSocket; the realtime service never sees it. Each event
becomes one HTTP request through the VPC link ("HTTP_PROXY" integrations), on a path that
says which event it is, with the connection id in a header so the service can keep its
connection bookkeeping and post back through the @connections API:

- `$connect`, when a client opens wss://<host>: POST /ws/connect, with the handshake's
  headers and query string; any answer but 2xx refuses the connection.
- `$disconnect`, when either side closes, or API Gateway does (10 minutes idle, 2 hours at
  most): POST /ws/disconnect. Best effort: AWS does not guarantee it (hence the
  connections table's TTL).
- `$default`, every message the client sends: POST /ws/message, the frame as the body.
"""

from __future__ import annotations

import json

ROUTE_PATHS: dict[str, str] = {
    "$connect": "/ws/connect",
    "$disconnect": "/ws/disconnect",
    "$default": "/ws/message",
}

# Header name -> API Gateway context variable. The connection id is what the service
# stores in the connections table and posts back to; the request id ties the service's
# log lines to the access log's.
INTEGRATION_HEADERS: dict[str, str] = {
    "connectionId": "context.connectionId",
    "requestId": "context.requestId",
}

# One JSON object per event: who (ip, connection), what (route, event type), when, and how
# it ended (status, integration status and latency, error): what an incident needs, and
# what CloudWatch Logs Insights parses without a pattern.
ACCESS_LOG_FIELDS: dict[str, str] = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "connectionId": "$context.connectionId",
    "routeKey": "$context.routeKey",
    "eventType": "$context.eventType",
    "status": "$context.status",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "error": "$context.error.message",
}

# What every access log line must name (the gate's CKV_CHAT_65 asks for the same).
REQUIRED_ACCESS_LOG_FIELDS: tuple[str, ...] = ("requestId", "connectionId", "routeKey", "status")


def access_log_format() -> str:
    """The stage's access log format: compact JSON, as API Gateway stores it."""
    return json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))


def integration_request_parameters() -> dict[str, str]:
    """The integration's request_parameters: each header from its context variable."""
    return {f"integration.request.header.{header}": source for header, source in INTEGRATION_HEADERS.items()}
