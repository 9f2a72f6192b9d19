"""The public load balancer: HTTPS with TLS 1.3, path routing, blue/green target groups, logs.

`LoadBalancer` is imported lazily so that `modules.load_balancer.props` (used by the
environment layer to validate files) does not pay for importing the AWS provider bindings.
"""

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


def __getattr__(name: str):
    if name in ("LoadBalancer", "TargetGroupRef"):
        from modules.load_balancer import load_balancer

        return getattr(load_balancer, name)
    raise AttributeError(f"module 'modules.load_balancer' has no attribute {name!r}")
