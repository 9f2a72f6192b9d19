"""Network: a three-tier VPC for the chat platform.

Tiers, per AZ:
- public: load balancers and NAT gateways; the only tier routed to the internet gateway.
- private: ECS tasks; egress through NAT (per nat_mode) and VPC endpoints.
- data: databases and caches; no route out of the VPC, a network ACL that admits only
  the stores' ports from the private tier and the data tier itself (never the public
  tier), and the DB/ElastiCache subnet groups that later modules place into.
"""

from __future__ import annotations

from bindings.aws.data_aws_availability_zones import DataAwsAvailabilityZones
from bindings.aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from bindings.aws.db_subnet_group import DbSubnetGroup
from bindings.aws.default_security_group import DefaultSecurityGroup
from bindings.aws.eip import Eip
from bindings.aws.elasticache_subnet_group import ElasticacheSubnetGroup
from bindings.aws.flow_log import FlowLog
from bindings.aws.iam_role import IamRole
from bindings.aws.iam_role_policy import IamRolePolicy
from bindings.aws.internet_gateway import InternetGateway
from bindings.aws.nat_gateway import NatGateway
from bindings.aws.network_acl import NetworkAcl, NetworkAclEgress, NetworkAclIngress
from bindings.aws.network_acl_rule import NetworkAclRule
from bindings.aws.route import Route
from bindings.aws.route_table import RouteTable
from bindings.aws.route_table_association import RouteTableAssociation
from bindings.aws.security_group import SecurityGroup
from bindings.aws.subnet import Subnet
from bindings.aws.vpc import Vpc
from bindings.aws.vpc_endpoint import VpcEndpoint
from bindings.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from bindings.cdk import Fn, Precondition, TerraformResourceLifecycle
from modules.common.log_groups import keyed_log_group
from modules.common.policy import policy_document, policy_statement
from modules.common.stack_context import module_context
from modules.common.waivers import waive
from modules.network.layout import SubnetLayout, plan_subnets
from modules.network.props import NetworkProps

_ANYWHERE = "0.0.0.0/0"
_HTTPS = 443
# Rule numbers of the data-tier ACL's inline rules; the implicit deny (*) follows them.
_DATA_ACL_RULE = 100  # the data tier itself, both ways
_DATA_ACL_PORT_RULES = 110  # one per DATA_TIER_PORTS entry, from the private tier
_DATA_ACL_REPLY_RULE = 140  # replies to the private tier's clients
_DATA_ACL_ENDPOINT_RULE = 150  # HTTPS to the private tier's interface endpoints, and replies
# Issue 24, finding 4: what the private (task) tier may open in the data tier: the listening
# port of every store the platform places there. A store a stack does not have has no
# listener there, so its port admits nothing; each store's security group still admits
# its own port from its own clients only. The network is built before the stores and its
# ACL rules are inline, so the list is the platform's, not derived per stack.
DATA_TIER_PORTS: tuple[tuple[int, str], ...] = (
    (5432, "PostgreSQL: RDS and RDS Proxy"),
    (6379, "Redis/Valkey: ElastiCache and the Redis Cluster nodes"),
    (9098, "Amazon MSK, IAM-authenticated clients over TLS"),
    (27017, "Amazon DocumentDB"),
)
# Not from the private tier: the Redis Cluster bus (16379) and replication between data
# nodes, which stay inside the data tier (rule _DATA_ACL_RULE admits all of it: peers of one
# tier serve and call each other, and their security groups filter the ports).
# First rule number of the data tier's S3 rules (admit_s3_to_data_tier), one per range of
# S3's prefix list, after the VPC rule.
_DATA_ACL_S3_RULES = 200
# Rule slots for the ranges of S3's prefix list (admit_s3_to_data_tier): a regional S3 list
# holds a handful of ranges, and a precondition stops any plan where it outgrows the
# slots; an ACL holds 20 rules a direction by default.
DATA_ACL_S3_SLOTS = 10
# Where replies to the data tier's HTTPS requests arrive: any client port an OS may pick
# (Linux uses 32768-60999; AWS's network ACL guide advises the whole 1024-65535).
_EPHEMERAL_PORTS = (1024, 65535)


class Network(Construct):
    """VPC, subnets, routing, endpoints, flow logs and data-tier subnet groups.

    admit_s3_to_data_tier() lets data-tier hosts use S3 through the gateway endpoint.

    Typed outputs (attributes): vpc_id, vpc_cidr, availability_zones, public_subnet_ids,
    private_subnet_ids, data_subnet_ids, public_route_table_id,
    private_route_table_ids, data_route_table_id, nat_gateway_ids,
    endpoint_security_group_id (None when interface endpoints are off), s3_prefix_list_id,
    db_subnet_group_name, elasticache_subnet_group_name, flow_log_group_name,
    flow_log_kms_key_arn, data_network_acl.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: NetworkProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        layout = plan_subnets(props.vpc_cidr, props.az_count)
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id

        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=props.vpc_cidr,
            enable_dns_support=True,
            # Interface endpoints with private DNS need DNS hostnames.
            enable_dns_hostnames=True,
            tags=self._tags(props.name),
        )
        self.vpc_id: str = self.vpc.id
        self.vpc_cidr: str = props.vpc_cidr

        # Take over the default security group and leave it with no rules, so nothing
        # that falls back to it gets any access.
        DefaultSecurityGroup(
            self,
            "default_security_group",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags(f"{props.name}-default-deny"),
        )

        self.availability_zones: list[str] = self._zone_names()

        self.public_subnets = self._subnets("public", layout.public)
        self.private_subnets = self._subnets("private", layout.private)
        self.data_subnets = self._subnets("data", layout.data)
        self.public_subnet_ids: list[str] = [s.id for s in self.public_subnets]
        self.private_subnet_ids: list[str] = [s.id for s in self.private_subnets]
        self.data_subnet_ids: list[str] = [s.id for s in self.data_subnets]

        self._public_routing()
        self._private_routing()
        self._data_routing()
        self._gateway_endpoints()
        self.endpoint_security_group_id: str | None = self._interface_endpoints() if props.interface_endpoints else None
        self._data_tier_acl(layout)
        self._s3_admitted = False
        self._flow_logs(partition, account_id)

        # RDS/DocumentDB and ElastiCache each need their own group type over the same subnets.
        data_tier_group = {
            "name": f"{props.name}-data",
            "description": f"{props.name} data tier, one subnet per AZ",
            "subnet_ids": self.data_subnet_ids,
            "tags": self._tags(f"{props.name}-data"),
        }
        self.db_subnet_group = DbSubnetGroup(self, "db_subnet_group", **data_tier_group)
        self.db_subnet_group_name: str = self.db_subnet_group.name
        self.elasticache_subnet_group = ElasticacheSubnetGroup(self, "elasticache_subnet_group", **data_tier_group)
        self.elasticache_subnet_group_name: str = self.elasticache_subnet_group.name

    # -- helpers -------------------------------------------------------------------

    def _tags(self, name: str, **extra: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name, **extra}

    def _zone_names(self) -> list[str]:
        if self.props.availability_zones is not None:
            return list(self.props.availability_zones)
        # No `state = "available"` filter: a zone that AWS marks impaired would drop out
        # of the list and shift every later index, replacing subnets and what is in them.
        # The list holds the region's standard zones (no Local or Wavelength Zones),
        # sorted by name; AWS adds zones at the end, so the first az_count never move.
        zones = DataAwsAvailabilityZones(self, "available_zones")
        waive(
            zones,
            "CKV_AWS_394",
            "Only the first az_count zone names are used (element by index) and AWS appends new "
            "zones at the end of the sorted list, so a new zone never changes which zones this "
            "VPC uses; an environment file pins them exactly with availability_zones.",
        )
        return [Fn.element(zones.names, index) for index in range(self.props.az_count)]

    def _subnets(self, tier: str, cidrs: tuple[str, ...]) -> list[Subnet]:
        return [
            Subnet(
                self,
                f"{tier}_subnet_{index}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=self.availability_zones[index],
                # Nothing here needs an automatic public IP: the ALB and NAT gateways
                # bring their own addresses.
                map_public_ip_on_launch=False,
                tags=self._tags(f"{self.props.name}-{tier}-{index}", Tier=tier),
            )
            for index, cidr in enumerate(cidrs)
        ]

    def _associate(self, tier: str, subnets: list[Subnet], route_table_ids: list[str]) -> None:
        for index, subnet in enumerate(subnets):
            RouteTableAssociation(
                self,
                f"{tier}_route_table_association_{index}",
                subnet_id=subnet.id,
                route_table_id=route_table_ids[index],
            )

    def _public_routing(self) -> None:
        name = self.props.name
        self.internet_gateway = InternetGateway(self, "internet_gateway", vpc_id=self.vpc.id, tags=self._tags(name))
        table = RouteTable(self, "public_route_table", vpc_id=self.vpc.id, tags=self._tags(f"{name}-public"))
        Route(
            self,
            "public_internet_route",
            route_table_id=table.id,
            destination_cidr_block=_ANYWHERE,
            gateway_id=self.internet_gateway.id,
        )
        self.public_route_table_id: str = table.id
        self._associate("public", self.public_subnets, [table.id] * len(self.public_subnets))

    def _private_routing(self) -> None:
        name, mode = self.props.name, self.props.nat_mode
        nat_count = {"none": 0, "single": 1, "per_az": self.props.az_count}[mode]
        nat_gateways = []
        for index in range(nat_count):
            address = Eip(self, f"nat_address_{index}", domain="vpc", tags=self._tags(f"{name}-nat-{index}"))
            nat_gateways.append(
                NatGateway(
                    self,
                    f"nat_gateway_{index}",
                    allocation_id=address.id,
                    subnet_id=self.public_subnets[index].id,
                    tags=self._tags(f"{name}-nat-{index}"),
                    depends_on=[self.internet_gateway],
                )
            )
        self.nat_gateway_ids: list[str] = [gateway.id for gateway in nat_gateways]
        # One table per AZ even with a single NAT: switching nat_mode then only
        # changes routes, never subnet associations.
        tables = []
        for index in range(self.props.az_count):
            table = RouteTable(
                self,
                f"private_route_table_{index}",
                vpc_id=self.vpc.id,
                tags=self._tags(f"{name}-private-{index}"),
            )
            if nat_gateways:
                Route(
                    self,
                    f"private_nat_route_{index}",
                    route_table_id=table.id,
                    destination_cidr_block=_ANYWHERE,
                    nat_gateway_id=nat_gateways[index % len(nat_gateways)].id,
                )
            tables.append(table)
        self.private_route_table_ids: list[str] = [t.id for t in tables]
        self._associate("private", self.private_subnets, self.private_route_table_ids)

    def _data_routing(self) -> None:
        # A single table with only the local route (and gateway endpoints): the data
        # tier has no path out of the VPC in any AZ.
        table = RouteTable(self, "data_route_table", vpc_id=self.vpc.id, tags=self._tags(f"{self.props.name}-data"))
        self.data_route_table_id: str = table.id
        self._associate("data", self.data_subnets, [table.id] * len(self.data_subnets))

    def _gateway_endpoints(self) -> None:
        # Gateway endpoints are free and keep S3/DynamoDB traffic off the NAT bill.
        route_tables = [*self.private_route_table_ids, self.data_route_table_id]
        endpoints = {
            service: self._endpoint(service, "Gateway", route_table_ids=route_tables) for service in ("s3", "dynamodb")
        }
        # Security groups name S3 through this list: ECR image layers come from S3.
        self.s3_prefix_list_id: str = endpoints["s3"].prefix_list_id

    def _endpoint(self, service: str, endpoint_type: str, **placement: object) -> VpcEndpoint:
        # Construct ID e.g. "ecr_api_interface_endpoint": part of the contract.
        return VpcEndpoint(
            self,
            f"{service.replace('.', '_')}_{endpoint_type.lower()}_endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{self.props.region}.{service}",
            vpc_endpoint_type=endpoint_type,
            tags=self._tags(f"{self.props.name}-{service}"),
            **placement,
        )

    def _interface_endpoints(self) -> str:
        group = SecurityGroup(
            self,
            "endpoint_security_group",
            vpc_id=self.vpc.id,
            name=f"{self.props.name}-vpc-endpoints",
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags=self._tags(f"{self.props.name}-vpc-endpoints"),
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoint_https_from_vpc",
            security_group_id=group.id,
            description="HTTPS to AWS APIs from anything in the VPC",
            ip_protocol="tcp",
            from_port=_HTTPS,
            to_port=_HTTPS,
            cidr_ipv4=self.props.vpc_cidr,
        )
        for service in self.props.interface_endpoint_services:
            self._endpoint(
                service,
                "Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[group.id],
            )
        return group.id  # type: ignore[no-any-return]  # a provider/CDK attribute: Any to mypy (pyproject.toml)

    def _data_tier_acl(self, layout: SubnetLayout) -> None:
        # Stateless, so both directions are stated. The data tier serves the private tier on
        # the stores' ports and talks among itself; the public tier and everything outside
        # the VPC hit the implicit deny.
        low, high = _EPHEMERAL_PORTS
        self._private_tier_cidr = layout.private_tier
        data_tier = {"protocol": "-1", "action": "allow", "cidr_block": layout.data_tier, "from_port": 0, "to_port": 0}
        ingress = [NetworkAclIngress(rule_no=_DATA_ACL_RULE, **data_tier)] + [
            NetworkAclIngress(
                rule_no=_DATA_ACL_PORT_RULES + index,
                protocol="tcp",
                action="allow",
                cidr_block=layout.private_tier,
                from_port=port,
                to_port=port,
            )
            for index, (port, _) in enumerate(DATA_TIER_PORTS)
        ]
        egress = [
            NetworkAclEgress(rule_no=_DATA_ACL_RULE, **data_tier),
            # Replies to the tasks' connections, which come from their ephemeral ports.
            NetworkAclEgress(
                rule_no=_DATA_ACL_REPLY_RULE,
                protocol="tcp",
                action="allow",
                cidr_block=layout.private_tier,
                from_port=low,
                to_port=high,
            ),
        ]
        if self.props.interface_endpoints:
            # Data-tier hosts that call AWS APIs (the Redis Cluster nodes' agents, RDS Proxy's
            # secret) reach them through the interface endpoints in the private tier: HTTPS
            # out, and its replies in. A stateless ACL cannot tell a reply from a new
            # connection, so this admits TCP 1024-65535 from the private tier: with interface
            # endpoints on, the stores' security groups are the port filter for those.
            egress.append(
                NetworkAclEgress(
                    rule_no=_DATA_ACL_ENDPOINT_RULE,
                    protocol="tcp",
                    action="allow",
                    cidr_block=layout.private_tier,
                    from_port=_HTTPS,
                    to_port=_HTTPS,
                )
            )
            ingress.append(
                NetworkAclIngress(
                    rule_no=_DATA_ACL_ENDPOINT_RULE,
                    protocol="tcp",
                    action="allow",
                    cidr_block=layout.private_tier,
                    from_port=low,
                    to_port=high,
                )
            )
        self.data_network_acl = NetworkAcl(
            self,
            "data_network_acl",
            vpc_id=self.vpc.id,
            subnet_ids=self.data_subnet_ids,
            ingress=ingress,
            egress=egress,
            tags=self._tags(f"{self.props.name}-data"),
        )

    def admit_s3_to_data_tier(self) -> None:
        """Let data-tier hosts use S3 through the gateway endpoint (backups, package repositories).

        Their route table already sends S3's address ranges to the gateway endpoint, but
        network ACLs cannot name a prefix list, so the ACL's inline rules drop that traffic.
        This adds, for each range of the region's S3 prefix list (read at plan time, so the
        rules follow AWS's changes to the list on the next apply): HTTPS out to it, and TCP
        replies back from it to the ephemeral ports. The data tier stays closed to the
        internet: its route table has no route but the VPC's and the gateway endpoints',
        and nothing but S3's ranges is admitted. Idempotent.
        """
        if self._s3_admitted:
            return
        self._s3_admitted = True
        prefix_list = DataAwsEc2ManagedPrefixList(
            self, "s3_managed_prefix_list", name=f"com.amazonaws.{self.props.region}.s3"
        )
        # The rules are resources of their own, one slot per range (count or dynamic blocks
        # would hide them from checkov's graph and from the plan's resource count); the ACL
        # keeps its inline VPC rules but stops reconciling its entries, or it would delete
        # these on every apply. Its inline rules follow vpc_cidr (the tier blocks), which
        # cannot change without replacing the VPC and the ACL with it.
        self.data_network_acl.add_override("lifecycle.ignore_changes", ["ingress", "egress"])
        # Sorted, so each range keeps its slot (its rule number) from one plan to the next;
        # element() wraps around, so a list shorter than the slots repeats ranges in the
        # spare slots (a harmless duplicate), and a longer one stops the plan (precondition).
        ranges = f"sort({prefix_list.fqn}.entries[*].cidr)"
        low, high = _EPHEMERAL_PORTS
        for slot in range(DATA_ACL_S3_SLOTS):
            for direction, from_port, to_port in (("egress", _HTTPS, _HTTPS), ("ingress", low, high)):
                NetworkAclRule(
                    self,
                    f"data_s3_{direction}_{slot}",
                    network_acl_id=self.data_network_acl.id,
                    egress=direction == "egress",
                    protocol="tcp",
                    rule_action="allow",
                    rule_number=_DATA_ACL_S3_RULES + slot,
                    cidr_block=f"${{element({ranges}, {slot})}}",
                    from_port=from_port,
                    to_port=to_port,
                    lifecycle=TerraformResourceLifecycle(
                        precondition=[
                            Precondition(
                                condition=f"${{length({prefix_list.fqn}.entries) <= {DATA_ACL_S3_SLOTS}}}",
                                error_message=(
                                    f"The S3 prefix list of {self.props.region} has more ranges than the data "
                                    f"tier's {DATA_ACL_S3_SLOTS} network ACL slots: raise DATA_ACL_S3_SLOTS in "
                                    "modules/network/network.py (up to 19: an ACL holds 20 rules a direction)."
                                ),
                            )
                        ]
                    )
                    if slot == 0
                    else None,
                )

    def _flow_logs(self, partition: str, account_id: str) -> None:
        props = self.props
        group_name = f"/chat-infra/{props.name}/vpc-flow-logs"
        flow_logs = keyed_log_group(
            self,
            "flow_log",
            name=group_name,
            region=props.region,
            partition=partition,
            account_id=account_id,
            retention_days=props.flow_log_retention_days,
            short_retention_reason=(
                f"Flow logs kept {props.flow_log_retention_days} days by this environment's "
                "choice (flow_log_retention_days): raw flow records are for incident "
                "triage, and a year of them costs more than a non-production VPC."
            ),
            tags=self._tags(group_name),
            given_key_arn=props.flow_log_kms_key_arn,
            log_group_label="FlowLogGroup",
            key_description=f"{props.name} VPC flow logs",
            key_alias=f"alias/{props.name}/vpc-flow-logs",
            key_tags=self._tags(f"{props.name}-vpc-flow-logs"),
        )
        log_group, key_arn = flow_logs.group, flow_logs.kms_key_arn

        trust = policy_document(
            self,
            "flow_log_trust_policy",
            [
                policy_statement(
                    "VpcFlowLogsAssumesRole",
                    ["sts:AssumeRole"],
                    principal=("Service", ["vpc-flow-logs.amazonaws.com"]),
                    conditions=[
                        ("StringEquals", "aws:SourceAccount", [account_id]),
                        (
                            "ArnLike",
                            "aws:SourceArn",
                            [f"arn:{partition}:ec2:{props.region}:{account_id}:vpc-flow-log/*"],
                        ),
                    ],
                )
            ],
        )
        role = IamRole(
            self,
            "flow_log_role",
            name=f"{props.name}-vpc-flow-logs",
            description="Lets VPC Flow Logs write to its own log group only",
            assume_role_policy=trust.json,
            tags=self._tags(f"{props.name}-vpc-flow-logs"),
        )
        write_policy = policy_document(
            self,
            "flow_log_write_policy",
            [
                policy_statement(
                    "WriteFlowLogGroup",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [log_group.arn, f"{log_group.arn}:*"],
                )
            ],
        )
        IamRolePolicy(self, "flow_log_role_policy", name="write-flow-log-group", role=role.id, policy=write_policy.json)
        FlowLog(
            self,
            "flow_log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            # One-minute aggregation: the default ten minutes hides short connection storms.
            max_aggregation_interval=60,
            tags=self._tags(f"{props.name}-vpc"),
        )
        self.flow_log_group_name: str = group_name
        self.flow_log_kms_key_arn: str = key_arn
