"""API Gateway WebSocket ingress for the realtime service, through a VPC link.

`WebSocketApi` is imported lazily so that `modules.websocket_api.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from modules.websocket_api.props import COLOURS, Colour, WebSocketApiProps

__all__ = ["COLOURS", "Colour", "WebSocketApi", "WebSocketApiProps"]


def __getattr__(name: str):
    if name == "WebSocketApi":
        from modules.websocket_api.websocket_api import WebSocketApi

        return WebSocketApi
    raise AttributeError(f"module 'modules.websocket_api' has no attribute {name!r}")
