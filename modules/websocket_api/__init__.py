"""API Gateway WebSocket ingress for the realtime service, through a VPC link.

`WebSocketApi` is imported lazily so that `modules.websocket_api.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.websocket_api.props import COLOURS, Colour, WebSocketApiProps

__all__ = ["COLOURS", "Colour", "WebSocketApi", "WebSocketApiProps"]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.websocket_api.websocket_api import WebSocketApi
else:
    __getattr__ = lazy_exports(__name__, {"modules.websocket_api.websocket_api": ("WebSocketApi",)})
