"""The API Gateway WebSocket ingress (`ingress = "api_gateway"`) wired into a ChatStack.

Two steps, because the realtime service registers with the API's load balancer when it is
created, and is granted the API's @connections after:

1. `wire_websocket_api(stack, config)`, in ChatStack._edge once the domain and the load
   balancer exist (the load balancer then routes /api/* only): creates the API from the
   `websocket_api { }` block, and points the host's alias records at its custom domain.
   ChatStack._compute then creates the realtime service with
   `routing=stack.websocket_api.service_routing()`.
2. `connect_websocket_api(stack, config)`, after `wire_dynamodb` (the connections table):
   lets the realtime tasks manage their connections and tells them where to post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modules.common.inputs import props_from_block
from modules.websocket_api import WebSocketApi, WebSocketApiProps
from modules.websocket_api.variant import ingress_problems

if TYPE_CHECKING:
    from envconfig import EnvironmentConfig
    from stacks.chat_stack import ChatStack


def check_ingress(config: EnvironmentConfig) -> None:
    """Raise one ValueError naming every way the file's choices do not fit the API Gateway ingress."""
    block = getattr(config, "websocket_api", None)
    problems = ingress_problems(
        ingress=getattr(config, "ingress", "alb"),
        websocket_block_given=block is not None,
        document_store=getattr(config, "document_store", "none"),
        nat_mode=config.network.nat_mode,
        realtime_requests_per_target=config.realtime.requests_per_target,
        host_name=None if block is None else block.host_name,
        api_host_names=config.dns.api_host_names,
        weighted_services=tuple(config.load_balancer.weights),
    )
    if problems:
        lines = "\n  ".join(f"{key}: {message}" for key, message in problems)
        raise ValueError(f"{config.name}: the API Gateway ingress does not fit this environment:\n  {lines}")


def wire_websocket_api(stack: ChatStack, config: EnvironmentConfig) -> WebSocketApi:
    """Step 1: the WebSocket API, its load balancer and custom domain, and the host's alias."""
    check_ingress(config)
    network, domain = stack.network, stack.domain
    api = WebSocketApi(
        stack,
        "websocket_api",
        props=props_from_block(
            WebSocketApiProps,
            config.websocket_api,
            **{
                **stack.stack_inputs,
                "vpc_id": network.vpc_id,
                "subnet_ids": tuple(network.private_subnet_ids),
                "certificate_arn": domain.regional_certificate_arn,
                "service_port": config.realtime.port,
                "health_check_path": config.realtime.health_check_path,
                "deletion_protection": config.deletion_protection,
            },
        ),
    )
    # Route53 evaluates no health for an API Gateway domain: the API is a regional service.
    # A only: the API's regional custom domain is IPv4 (API Gateway's default ip_address_type).
    domain.alias(
        api.host_name, api.domain_target_name, api.domain_target_zone_id, ipv6=False, evaluate_target_health=False
    )
    stack.websocket_api = api
    return api


def connect_websocket_api(stack: ChatStack, config: EnvironmentConfig) -> WebSocketApi:
    """Step 2: the realtime tasks may post to, read and close their connections."""
    api: WebSocketApi = stack.websocket_api
    if getattr(stack, "dynamodb", None) is None:
        raise ValueError(
            f"{config.name}: expected the chat tables (wire_dynamodb) before the WebSocket API's grants: "
            "the realtime service keeps its connections in the connections table, got none"
        )
    realtime = stack.services["realtime"]
    api.grant_manage_connections(realtime)
    realtime.add_environment(
        "WEBSOCKET_CALLBACK_URL",
        api.callback_url,
        meaning="The WebSocket API's @connections URL: POST <url>/@connections/<connectionId> sends to a client, "
        "GET reads and DELETE closes its connection (SigV4-signed with the task role).",
    )
    return api
