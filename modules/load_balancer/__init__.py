"""The public load balancer: HTTPS with TLS 1.3, path routing, blue/green target groups, logs.

`LoadBalancer` is imported lazily so that `modules.load_balancer.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

from typing import TYPE_CHECKING

from modules.common.lazy_exports import lazy_exports
from modules.load_balancer.props import COLOURS, DEFAULT_SSL_POLICY, SSL_POLICIES, LoadBalancerProps, RoutedService

__all__ = [
    "COLOURS",
    "DEFAULT_SSL_POLICY",
    "SSL_POLICIES",
    "LoadBalancer",
    "LoadBalancerProps",
    "RoutedService",
    "TargetGroupRef",
]


if TYPE_CHECKING:  # the real classes for type checkers; at run time each loads on first use
    from modules.load_balancer.load_balancer import LoadBalancer, TargetGroupRef
else:
    __getattr__ = lazy_exports(__name__, {"modules.load_balancer.load_balancer": ("LoadBalancer", "TargetGroupRef")})
