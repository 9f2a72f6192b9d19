"""The API Gateway WebSocket ingress (`ingress = "api_gateway"`).

Two steps, because the realtime service registers with the API's load balancer when it is
created, and is granted the API's @connections after:

1. `build_websocket_api(scope, config, stack_inputs, network, domain)`, with the edge, once the domain
   and the load balancer exist (the load balancer then routes /api/* only): creates the API
   from the `websocket_api { }` block, and points the host's alias records at its custom
   domain. The root then creates the realtime service with `routing=api.service_routing()`.
2. `connect_websocket_api(api, realtime, tables)`, once the chat tables exist (the
   environment schema requires `document_store = "dynamodb"` with this ingress): lets the
   realtime tasks manage their connections and tells them where to post.
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from envconfig import EnvironmentConfig
from modules.common.inputs import props_from_block
from modules.compute.service import FargateService
from modules.dns.dns import Domain
from modules.dynamodb.dynamodb import ChatTables
from modules.network.network import Network
from modules.websocket_api.props import WebSocketApiProps
from modules.websocket_api.websocket_api import WebSocketApi


def build_websocket_api(
    scope: Construct, config: EnvironmentConfig, stack_inputs: Mapping[str, object], network: Network, domain: Domain
) -> WebSocketApi:
    """Step 1: the WebSocket API, its load balancer and custom domain, and the host's alias
    (`stack_inputs`: what every module's props get beside its block, the stack's context too)."""
    api = WebSocketApi(
        scope,
        "websocket_api",
        props=props_from_block(
            WebSocketApiProps,
            config.block("websocket_api"),
            **{
                **stack_inputs,
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
    return api


def connect_websocket_api(api: WebSocketApi, realtime: FargateService, tables: ChatTables) -> None:
    """Step 2: the realtime tasks may post to, read and close their connections.

    `tables` is not read: it is the dependency this step has on the chat tables (the
    connections a realtime task manages are the ones it keeps in their connections table,
    granted by build_dynamodb), so that the call cannot be written before they exist."""
    api.grant_manage_connections(realtime)
    realtime.add_environment(
        "WEBSOCKET_CALLBACK_URL",
        api.callback_url,
        meaning="The WebSocket API's @connections URL: POST <url>/@connections/<connectionId> sends to a client, "
        "GET reads and DELETE closes its connection (SigV4-signed with the task role).",
    )
