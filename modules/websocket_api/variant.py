"""What the API Gateway ingress variant needs from the rest of an environment file: pure,
no cdktf, so the environment schema judges a file before anything is synthesized.

`api_gateway_problems(...)` returns (key, message) pairs in the loader's words, for a file
that chose `ingress = "api_gateway"` (envconfig/variants.py asks, and also requires the
`websocket_api { }` block); an empty list means the file's choices fit together.
"""

from __future__ import annotations

from collections.abc import Iterable


def api_gateway_problems(
    *,
    document_store: str,
    nat_mode: str,
    realtime_requests_per_target: int | None,
    host_name: str | None,
    api_host_names: Iterable[str],
    weighted_services: Iterable[str] = (),
) -> list[tuple[str, str]]:
    problems = []
    if document_store != "dynamodb":
        problems.append(
            (
                "document_store",
                'expected "dynamodb" when ingress = "api_gateway" (the realtime service keeps each WebSocket '
                f'connection in the connections table), got "{document_store}"',
            )
        )
    if nat_mode == "none":
        problems.append(
            (
                "network.nat_mode",
                'expected "single" or "per_az" when ingress = "api_gateway" (the realtime tasks post to '
                'clients through the @connections API, a public endpoint reached through NAT), got "none"',
            )
        )
    if realtime_requests_per_target is not None:
        problems.append(
            (
                "realtime.requests_per_target",
                'expected null when ingress = "api_gateway" (it scales on the ALB\'s request count per '
                "target, and the realtime tasks are then behind a Network Load Balancer), "
                f"got {realtime_requests_per_target}",
            )
        )
    if "realtime" in tuple(weighted_services):
        problems.append(
            (
                "load_balancer.weights",
                'expected no weights for realtime when ingress = "api_gateway" (the load balancer no longer '
                "routes it; websocket_api.live_colour picks its colour), got weights for realtime",
            )
        )
    hosts = tuple(api_host_names)
    if host_name is not None and host_name not in hosts:
        problems.append(
            (
                "websocket_api.host_name",
                f"expected one of dns.api_host_names ({', '.join(hosts)}): the regional certificate covers "
                f'those, got "{host_name}"',
            )
        )
    return problems
