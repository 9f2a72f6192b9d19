"""WebSocketApi: API Gateway holds the clients' WebSockets and reaches the realtime service
privately, through a VPC link to an internal Network Load Balancer.

    client --wss--> custom domain (TLS 1.2, regional certificate)
           --> WebSocket API, stage "live" (throttled, access log to an encrypted group)
           --> $connect / $disconnect / $default: HTTP_PROXY integrations
           --> VPC link (PrivateLink) --> internal NLB, private subnets, TCP :80
           --> target group of the live colour --> realtime tasks (ip targets)
    realtime task --HTTPS--> @connections API of this stage (execute-api:ManageConnections)

- The VPC link is an API Gateway "REST" VPC link (aws_api_gateway_vpc_link, targeting the
  NLB): WebSocket APIs take only those; the apigatewayv2 VPC links serve HTTP APIs only.
- The NLB forwards to one target group per listener (NLBs take no weights): the live
  colour on :80, which the integrations name, the standby colour on :8080, so ECS can
  register both colours and keeps the standby tasks health-checked.
- The NLB's security group admits nothing: API Gateway's traffic arrives over PrivateLink,
  which the NLB is told not to filter by inbound rules, and nothing in the VPC may call it.
  Its egress reaches the realtime tasks' port only (the service adds that rule when it
  registers with the target groups: `service_routing()`).
- Logging: API Gateway writes access logs only with an account-wide CloudWatch role
  (aws_api_gateway_account, one per account and region); the role may write to
  /aws/apigateway/* log groups only, so every environment in one account writes its own
  whichever stack set the role last. Execution logs stay off: they would land in log
  groups API Gateway creates itself, unencrypted and kept for ever.
"""

from __future__ import annotations

from bindings.aws.api_gateway_account import ApiGatewayAccount
from bindings.aws.api_gateway_vpc_link import ApiGatewayVpcLink
from bindings.aws.apigatewayv2_api import Apigatewayv2Api
from bindings.aws.apigatewayv2_api_mapping import Apigatewayv2ApiMapping
from bindings.aws.apigatewayv2_authorizer import Apigatewayv2Authorizer
from bindings.aws.apigatewayv2_deployment import Apigatewayv2Deployment
from bindings.aws.apigatewayv2_domain_name import (
    Apigatewayv2DomainName,
    Apigatewayv2DomainNameDomainNameConfiguration,
)
from bindings.aws.apigatewayv2_integration import Apigatewayv2Integration
from bindings.aws.apigatewayv2_route import Apigatewayv2Route
from bindings.aws.apigatewayv2_stage import (
    Apigatewayv2Stage,
    Apigatewayv2StageAccessLogSettings,
    Apigatewayv2StageDefaultRouteSettings,
)
from bindings.aws.lambda_permission import LambdaPermission
from bindings.aws.lb import Lb
from bindings.aws.lb_listener import LbListener, LbListenerDefaultAction
from bindings.aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from constructs import Construct

from bindings.cdk import Fn, TerraformResourceLifecycle
from modules.common.log_groups import keyed_log_group, log_group_arn
from modules.common.policy import policy_statement
from modules.common.roles import Grantee, ServiceRole
from modules.common.stack_context import module_context
from modules.common.waivers import waive
from modules.compute.service import ServiceRouting
from modules.load_balancer.load_balancer import TargetGroupRef
from modules.security_groups import SecurityGroup, SecurityGroupProps
from modules.websocket_api.props import COLOURS, WebSocketApiProps
from modules.websocket_api.routes import ROUTE_PATHS, access_log_format, integration_request_parameters

STAGE_NAME = "live"
# The NLB's listeners: the live colour on the port the integrations name, the standby
# colour beside it (plain TCP: API Gateway ends the clients' TLS, the hop to the NLB runs
# over PrivateLink inside AWS's network, and the ALB sends plain HTTP to tasks likewise).
LIVE_PORT = 80
STANDBY_PORT = 8080
# A request through the integration takes at most API Gateway's 29 s integration timeout,
# so 30 s lets every request in flight finish before a task leaves the target group.
DEREGISTRATION_DELAY_SECONDS = 30
# NLB health checks (HTTP on the task's port): a task is in after 3 passes 10 s apart and
# out after 3 failures, about as quickly as the ALB's checks judge the api tasks.
HEALTH_CHECK_INTERVAL_SECONDS = 10
HEALTH_CHECK_TIMEOUT_SECONDS = 5
HEALTH_CHECK_THRESHOLD = 3
# API Gateway's log groups, every environment's: what the account-wide CloudWatch role may write.
LOG_GROUP_PREFIX = "/aws/apigateway/"
# What the realtime service may do with a connection: post a message to it, read its
# state, close it (the @connections API's POST, GET and DELETE).
CONNECTION_METHODS = ("POST", "GET", "DELETE")


class WebSocketApi(Construct):
    """A WebSocket API on a custom domain, reaching the realtime tasks through a VPC link
    and an internal Network Load Balancer.

    Typed outputs (attributes): api_id, api_endpoint, execution_arn, stage_name,
    callback_url, host_name, domain_target_name, domain_target_zone_id, load_balancer_arn,
    load_balancer_dns_name, security_group, target_groups, live_colour, vpc_link_id,
    log_group_name, log_group_arn.

    Helpers: service_routing() (how the realtime FargateService registers with the target
    groups), grant_manage_connections(grantee).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: WebSocketApiProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id
        name = f"{props.name}-websocket"

        self.security_group = SecurityGroup(
            self,
            "security_group",
            props=SecurityGroupProps(
                name=f"{props.name}-ws-nlb",
                vpc_id=props.vpc_id,
                description="Internal load balancer behind the WebSocket API",
                tags=dict(props.tags),
            ),
        )
        self.load_balancer = self._load_balancer()
        groups = {colour: self._target_group(colour) for colour in COLOURS}
        self.target_groups: dict[str, TargetGroupRef] = {
            colour: TargetGroupRef(arn=group.arn, arn_suffix=group.arn_suffix) for colour, group in groups.items()
        }
        self.live_colour: str = props.live_colour
        for listener, port, colour in (
            ("live_listener", LIVE_PORT, props.live_colour),
            ("standby_listener", STANDBY_PORT, props.standby_colour),
        ):
            LbListener(
                self,
                listener,
                load_balancer_arn=self.load_balancer.arn,
                port=port,
                protocol="TCP",
                default_action=[LbListenerDefaultAction(type="forward", target_group_arn=groups[colour].arn)],
                tags=self._tags(f"{props.name}-ws-{listener.split('_')[0]}"),
            )
        self.vpc_link = ApiGatewayVpcLink(
            self,
            "vpc_link",
            name=name,
            description=f"{name}: API Gateway to the realtime service's internal load balancer",
            target_arns=[self.load_balancer.arn],
            tags=self._tags(name),
        )

        self.log_group_name = f"{LOG_GROUP_PREFIX}{name}"
        access_logs = keyed_log_group(
            self,
            "access_log",
            name=self.log_group_name,
            region=props.region,
            partition=partition,
            account_id=account_id,
            retention_days=props.log_retention_days,
            short_retention_reason=(
                f"WebSocket access logs of {props.name} are kept {props.log_retention_days} days by this "
                "environment's choice (websocket_api.log_retention_days): a non-production stage whose "
                "connections are test traffic."
            ),
            tags=self._tags(f"{name}-access-logs"),
            given_key_arn=props.log_kms_key_arn,
            log_group_label="WebSocketAccessLogs",
            key_description=f"{name}: the WebSocket API's access logs",
            key_alias=f"alias/{props.name}/websocket-access-logs",
            key_tags=self._tags(f"{name}-access-logs"),
        )
        self.log_group_arn: str = access_logs.arn
        log_group = access_logs.group
        account = self._cloudwatch_role(partition, account_id)

        self.api = Apigatewayv2Api(
            self,
            "api",
            name=name,
            protocol_type="WEBSOCKET",
            # API Gateway's usual expression; only $connect, $disconnect and $default
            # exist, so every message reaches $default whatever its "action".
            route_selection_expression="$request.body.action",
            description=f"{props.name}: realtime chat over WebSockets",
            tags=self._tags(name),
        )
        self._integrations: list[Apigatewayv2Integration] = []
        self._connect_authorizer_id = self._connect_authorizer(partition)
        routes = [self._route(route_key, path) for route_key, path in ROUTE_PATHS.items()]

        deployment = Apigatewayv2Deployment(
            self,
            "deployment",
            api_id=self.api.id,
            description=f"{name}: routes and integrations",
            # A new deployment whenever a route or integration changes: a stage serves the
            # deployment it names, never the API's current routes.
            triggers={
                "redeployment": Fn.sha1(
                    Fn.jsonencode(
                        [[route.id, route.route_key, route.target, route.authorization_type] for route in routes]
                        + [[integration.id, integration.integration_uri] for integration in self._integrations]
                    )
                )
            },
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=routes,
        )
        self.stage = Apigatewayv2Stage(
            self,
            "stage",
            api_id=self.api.id,
            name=STAGE_NAME,
            deployment_id=deployment.id,
            description=f"{name}: the stage clients connect to",
            access_log_settings=Apigatewayv2StageAccessLogSettings(
                destination_arn=log_group.arn, format=access_log_format()
            ),
            default_route_settings=Apigatewayv2StageDefaultRouteSettings(
                throttling_rate_limit=props.throttling_rate_limit,
                throttling_burst_limit=props.throttling_burst_limit,
                # Execution logs off (see the module docstring); the access log records every event.
                logging_level="OFF",
                data_trace_enabled=False,
                # Per-route metrics cost per metric a month; the stage's totals are free.
                detailed_metrics_enabled=False,
            ),
            tags=self._tags(f"{name}-{STAGE_NAME}"),
            # API Gateway refuses access logging before the account's CloudWatch role is set.
            depends_on=[account],
        )
        waive(
            self.stage,
            "CKV2_AWS_51",
            "A client certificate lets an HTTPS backend verify API Gateway; this backend is reached over a "
            "VPC link (PrivateLink) at an internal load balancer nothing else can reach, on plain TCP.",
        )

        self.domain_name = Apigatewayv2DomainName(
            self,
            "domain_name",
            domain_name=props.host_name,
            domain_name_configuration=Apigatewayv2DomainNameDomainNameConfiguration(
                certificate_arn=props.certificate_arn,
                endpoint_type="REGIONAL",
                # TLS 1.2 or later: the only policy API Gateway offers WebSocket domains
                # besides TLS_1_0.
                security_policy="TLS_1_2",
            ),
            tags=self._tags(props.host_name),
        )
        Apigatewayv2ApiMapping(
            self, "api_mapping", api_id=self.api.id, domain_name=self.domain_name.id, stage=self.stage.id
        )

        self.api_id: str = self.api.id
        self.api_endpoint: str = self.api.api_endpoint
        self.execution_arn: str = self.api.execution_arn
        self.stage_name: str = STAGE_NAME
        # Where the realtime service posts to a connection (@connections API): the stage's
        # execute-api address, reached over HTTPS through NAT.
        self.callback_url: str = (
            f"https://{self.api.id}.execute-api.{props.region}.{_dns_suffix(partition)}/{STAGE_NAME}"
        )
        self.host_name: str = props.host_name
        self.domain_target_name: str = self.domain_name.domain_name_configuration.target_domain_name
        self.domain_target_zone_id: str = self.domain_name.domain_name_configuration.hosted_zone_id
        self.load_balancer_arn: str = self.load_balancer.arn
        self.load_balancer_dns_name: str = self.load_balancer.dns_name
        self.vpc_link_id: str = self.vpc_link.id

    # -- wiring ----------------------------------------------------------------------

    def service_routing(self) -> ServiceRouting:
        """How the realtime FargateService registers: each colour in its target group, the
        live colour at full weight (min_tasks), the standby colour at 0 (standby_tasks);
        the NLB's security group may reach the tasks' port."""
        return ServiceRouting(
            target_groups=dict(self.target_groups),
            weights={colour: 100 if colour == self.live_colour else 0 for colour in COLOURS},
            load_balancer_arn_suffix=self.load_balancer.arn_suffix,
            load_balancer_security_group=self.security_group,
        )

    def grant_manage_connections(self, grantee: Grantee) -> None:
        """Let `grantee` post to, read and close this stage's connections (@connections)."""
        grantee.add_to_policy(
            policy_statement(
                "ManageWebSocketConnections",
                ["execute-api:ManageConnections"],
                [f"{self.execution_arn}/{STAGE_NAME}/{method}/@connections/*" for method in CONNECTION_METHODS],
            )
        )

    # -- pieces ----------------------------------------------------------------------

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _load_balancer(self) -> Lb:
        props = self.props
        load_balancer = Lb(
            self,
            "load_balancer",
            name=f"{props.name}-ws",
            load_balancer_type="network",
            internal=True,
            ip_address_type="ipv4",
            subnets=list(props.subnet_ids),
            security_groups=[self.security_group.security_group_id],
            # API Gateway's requests arrive over PrivateLink; the group's inbound rules
            # (none) are not applied to them, so nothing else reaches the listeners.
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            # Each AZ's node sends to healthy tasks in every AZ: a zone with fewer tasks
            # (or none, during a deployment) is not overloaded. Cross-AZ data is billed.
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=props.deletion_protection,
            tags=self._tags(f"{props.name}-ws"),
        )
        waive(
            load_balancer,
            "CKV_AWS_91",
            "A Network Load Balancer writes access logs for TLS listeners only; these TCP listeners would "
            "log nothing. The WebSocket stage's access log records every connect, message and disconnect.",
        )
        waive(
            load_balancer,
            "CKV2_AWS_20",
            "An HTTP-to-HTTPS redirect is an Application Load Balancer's; this Network Load Balancer's TCP "
            "listeners take API Gateway's requests over PrivateLink only, after API Gateway ended the clients' TLS.",
        )
        if not props.deletion_protection:
            waive(
                load_balancer,
                "CKV_AWS_150",
                "Deletion protection is off by this environment's choice (deletion_protection = false): a "
                "non-production load balancer is rebuilt with its stack, and only the VPC link names it.",
            )
        return load_balancer

    def _target_group(self, colour: str) -> LbTargetGroup:
        props = self.props
        return LbTargetGroup(
            self,
            f"{colour}_target_group",
            # A prefix (AWS appends a suffix): a change of port replaces the group, created
            # before the old one goes, which a fixed name would make clash.
            name_prefix=f"{colour[0]}-ws",
            vpc_id=props.vpc_id,
            # Fargate tasks (awsvpc networking) register by IP.
            target_type="ip",
            port=props.service_port,
            protocol="TCP",
            deregistration_delay=str(DEREGISTRATION_DELAY_SECONDS),
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=props.health_check_path,
                matcher="200",
                interval=HEALTH_CHECK_INTERVAL_SECONDS,
                timeout=HEALTH_CHECK_TIMEOUT_SECONDS,
                healthy_threshold=HEALTH_CHECK_THRESHOLD,
                unhealthy_threshold=HEALTH_CHECK_THRESHOLD,
            ),
            tags=self._tags(f"{props.name}-ws-{colour}", Colour=colour),
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )

    def _cloudwatch_role(self, partition: str, account_id: str) -> ApiGatewayAccount:
        """The account's API Gateway CloudWatch role: writes to API Gateway log groups only."""
        props = self.props
        role = ServiceRole(
            self,
            "cloudwatch_role",
            name=f"{props.name}-apigateway-logs",
            service="apigateway.amazonaws.com",
            description="API Gateway writes this account's API access logs to /aws/apigateway/* log groups",
            account_id=account_id,
            tags=self._tags(f"{props.name}-apigateway-logs"),
        )
        groups = log_group_arn(partition, props.region, account_id, f"{LOG_GROUP_PREFIX}*")
        role.add_to_policy(
            policy_statement(
                "WriteApiGatewayLogs",
                ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                [f"{groups}:*"],
            ),
            # AWS evaluates DescribeLogGroups against the account's log-group:* ARN, never one
            # group's: scoped to /aws/apigateway/* the grant could not match (parliament:
            # RESOURCE_MISMATCH). API Gateway looks its groups up before writing to them.
            policy_statement(
                "FindApiGatewayLogGroups",
                ["logs:DescribeLogGroups"],
                [log_group_arn(partition, props.region, account_id, "*")],
            ),
        )
        return ApiGatewayAccount(
            self,
            "account",
            cloudwatch_role_arn=role.arn,
            # API Gateway checks the role's permissions when it is set.
            depends_on=[role.node.find_child("policy")],
        )

    def _route(self, route_key: str, path: str) -> Apigatewayv2Route:
        label = route_key.removeprefix("$")
        integration = Apigatewayv2Integration(
            self,
            f"{label}_integration",
            api_id=self.api.id,
            description=f"{route_key} to the realtime service's {path}",
            integration_type="HTTP_PROXY",
            integration_method="POST",
            connection_type="VPC_LINK",
            connection_id=self.vpc_link.id,
            # The host is the NLB's (PrivateLink routes by the VPC link, the name is the Host header).
            integration_uri=f"http://{self.load_balancer.dns_name}:{LIVE_PORT}{path}",
            request_parameters=integration_request_parameters(),
        )
        self._integrations.append(integration)
        # API Gateway takes an authorizer on $connect only (connect_authorizer).
        authorizer = self.props.connect_authorizer if route_key == "$connect" else None
        route = Apigatewayv2Route(
            self,
            f"{label}_route",
            api_id=self.api.id,
            route_key=route_key,
            target=f"integrations/{integration.id}",
            authorization_type="NONE" if authorizer is None else "AWS_IAM" if authorizer == "AWS_IAM" else "CUSTOM",
            authorizer_id=self._connect_authorizer_id if authorizer not in (None, "AWS_IAM") else None,
        )
        if authorizer is None:
            waive(
                route,
                "CKV_AWS_309",
                "The realtime service authenticates each connection itself: $connect's integration receives the "
                "handshake's headers and query string, and any answer but 2xx refuses the connection. API Gateway "
                "takes authorizers on $connect only, and a connection that passed it stays authenticated.",
            )
        return route

    def _connect_authorizer(self, partition: str) -> str | None:
        """The Lambda REQUEST authorizer of $connect and API Gateway's right to invoke it
        (from this API's authorizer only); None without a Lambda connect_authorizer."""
        props = self.props
        function_arn = props.connect_authorizer
        if function_arn is None or function_arn == "AWS_IAM":
            return None
        authorizer = Apigatewayv2Authorizer(
            self,
            "connect_authorizer",
            api_id=self.api.id,
            name=f"{props.name}-connect",
            authorizer_type="REQUEST",
            authorizer_uri=(
                f"arn:{partition}:apigateway:{props.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
            ),
            identity_sources=[f"{source}" for source in props.connect_authorizer_identity_sources],
        )
        LambdaPermission(
            self,
            "connect_authorizer_permission",
            statement_id=f"{props.name}-websocket-connect-authorizer",
            action="lambda:InvokeFunction",
            function_name=function_arn,
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/authorizers/{authorizer.id}",
        )
        return authorizer.id  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)


def _dns_suffix(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
