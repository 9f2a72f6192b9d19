"""SecurityGroup: one node of the platform's security-group graph, and the helpers that
draw its edges.

The graph is internet -> ALB (443, 80 to redirect) -> services (their container port)
-> data stores (their port). A module owns the group of what it creates and exposes it;
other modules never write rules, they call the owner's helper:

    database.security_group.allow_from(api.security_group, "PostgreSQL from the API tasks")

which creates the ingress rule on the database's group and the matching egress rule on
the API's group, each a separate aws_vpc_security_group_*_rule with a description.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from bindings.aws.security_group import SecurityGroup as AwsSecurityGroup
from bindings.aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from bindings.aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from bindings.cdk import TerraformResourceLifecycle
from modules.common.tokens import is_unresolved
from modules.common.validation import describe
from modules.common.waivers import waive
from modules.security_groups.props import (
    SecurityGroupProps,
    check_description,
    check_group_name,
    check_justification,
    check_port,
)

# The only ports a group may open to the whole internet: HTTPS, and HTTP for the ALB
# listener that only redirects to HTTPS. The gate's CKV_CHAT_3 enforces the same rule on
# whatever a stack contains; this refuses it before synthesis.
INTERNET_PORTS: tuple[int, ...] = (443, 80)
_HTTP = 80
_ANY_IPV4 = "0.0.0.0/0"
_ANY_IPV6 = "::/0"

# Every rule is TCP to one port: the platform's listeners (HTTPS, container ports,
# PostgreSQL, Redis) are all TCP, and a single port per rule keeps the graph readable.
_TCP = "tcp"

# Tag written on a group that allow_from_internet opened, so the console and the
# synthesized JSON both say which groups are meant to face the internet.
INTERNET_FACING_TAG = "InternetFacing"

# Key under a rule's Terraform comment ("//") holding why it reaches beyond the graph.
JUSTIFICATION_KEY = "justification"


def _argument(method: str, argument: str, check: Callable[[Any], Any], value: Any) -> Any:
    """Run a props check on a helper's argument, naming the method and the argument."""
    try:
        return check(value)
    except ValueError as error:
        raise ValueError(f"{method} {argument}: {error}") from None


class SecurityGroup(Construct):
    """A security group with no inline rules and no egress until a helper adds some.

    Typed outputs (attributes): security_group_id, name, port, internet_facing,
    internet_ports.

    Helpers: allow_from (group to group, both directions), allow_from_internet (80/443
    only), allow_egress_to_cidr, allow_egress_to_prefix_list, allow_egress_to_group_id
    (traffic beyond the graph, each with a justification).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: SecurityGroupProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self.name: str = props.name
        self.port: int | None = props.port
        self.internet_facing: bool = False
        self.internet_ports: tuple[int, ...] = ()
        self._tags = {**props.tags, "Name": props.name}
        # (direction, peer, port) of every rule created, to refuse duplicates with a clear
        # message (AWS would refuse them at apply, constructs with an ID clash).
        self._rule_keys: set[tuple[str, str, int]] = set()

        self.security_group = AwsSecurityGroup(
            self,
            "this",
            # A prefix, not a fixed name: AWS can change neither a group's name nor its
            # description, so editing one replaces the group, and a group still attached to
            # ENIs (tasks, databases) cannot be deleted. With a unique suffix the new group
            # is created first, attachments move to it, and only then is the old one
            # deleted; a fixed name would make that create fail on the duplicate name.
            name_prefix=f"{props.name}-",
            description=props.description,
            vpc_id=props.vpc_id,
            # No `ingress` or `egress` arguments: inline rules and separate rule resources
            # on one group overwrite each other, and an empty list would delete every
            # separate rule on each apply. Without `egress`, the provider revokes the
            # allow-all egress rule AWS adds to every new group (vpc_security_group.go,
            # resourceSecurityGroupCreate), so the group starts with no egress at all.
            tags=self._tags,
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.security_group_id: str = self.security_group.id

    # -- the graph -------------------------------------------------------------------

    def allow_from(self, source: SecurityGroup, description: str, port: int | None = None) -> None:
        """Let members of `source` open TCP connections to this group's members on `port`.

        Creates the ingress rule on this group and the egress rule on `source` towards
        this group, both on the same port and with the same description, so `source`
        gets no egress beyond what the graph names. Default port: this group's own.
        """
        method = f"{self.name}.allow_from"
        if not isinstance(source, SecurityGroup):
            raise TypeError(f"{method} source: expected a SecurityGroup, got {type(source).__name__}")
        description = _argument(method, "description", check_description, description)
        if port is None:
            if self.port is None:
                raise ValueError(
                    f"{method} port: expected a port, since {self.name} has none of its own "
                    f"(SecurityGroupProps.port), got none"
                )
            port = self.port
        port = _argument(method, "port", check_port, port)
        self._refuse_duplicate("ingress", source.name, port)
        source._refuse_duplicate("egress", self.name, port)
        self._rule_keys.add(("ingress", source.name, port))
        source._rule_keys.add(("egress", self.name, port))

        VpcSecurityGroupIngressRule(
            self,
            f"from_{source.name}_{port}",
            security_group_id=self.security_group_id,
            referenced_security_group_id=source.security_group_id,
            description=description,
            **self._tcp(port),
        )
        VpcSecurityGroupEgressRule(
            source,
            f"to_{self.name}_{port}",
            security_group_id=source.security_group_id,
            referenced_security_group_id=self.security_group_id,
            description=description,
            **self._tcp(port),
        )

    def allow_from_internet(self, description: str, ports: Iterable[int] = INTERNET_PORTS) -> None:
        """Open `ports` (80 and/or 443 only) to every IPv4 and IPv6 address.

        Only the public load balancer and CloudFront-facing pieces may call this; it tags
        the group InternetFacing=true so reviewers and tests see which groups do. Port 80
        is for an HTTP listener that only redirects to HTTPS.
        """
        method = f"{self.name}.allow_from_internet"
        description = _argument(method, "description", check_description, description)
        ports = tuple(ports)
        if not ports or len(set(ports)) != len(ports) or not set(ports) <= set(INTERNET_PORTS):
            raise ValueError(
                f"{method} ports: expected distinct ports among {list(INTERNET_PORTS)} (only HTTPS, and HTTP "
                f"that redirects to it, may face the internet), got {describe(ports)}"
            )
        for port in ports:
            self._refuse_duplicate("ingress", "internet", port)
        for port in ports:
            self._rule_keys.add(("ingress", "internet", port))
            for version, cidr in (("ipv4", _ANY_IPV4), ("ipv6", _ANY_IPV6)):
                rule = VpcSecurityGroupIngressRule(
                    self,
                    f"from_internet_{version}_{port}",
                    security_group_id=self.security_group_id,
                    description=description,
                    **{f"cidr_{version}": cidr},
                    **self._tcp(port),
                )
                # checkov's CKV_AWS_260 reads cidr_ipv4 of these rules but not cidr_ipv6
                # (it iterates the characters of the string), so only the IPv4 rule fails.
                if port == _HTTP and version == "ipv4":
                    waive(
                        rule,
                        "CKV_AWS_260",
                        "Port 80 is open to the internet only on a group that allow_from_internet "
                        "marks InternetFacing (the public load balancer), whose HTTP listener only "
                        "redirects to HTTPS; CKV_CHAT_3 keeps every other port closed to the internet.",
                    )
        self.internet_facing = True
        self.internet_ports = tuple(sorted({*self.internet_ports, *ports}))
        self.security_group.tags = {**self._tags, INTERNET_FACING_TAG: "true"}

    # -- beyond the graph ------------------------------------------------------------

    def allow_egress_to_cidr(self, name: str, cidr: str, port: int, description: str, justification: str) -> None:
        """Egress to an address range outside the group graph, e.g. HTTPS to 0.0.0.0/0
        through NAT for third-party APIs. `name` names the destination in the rule's
        construct ID (renaming it replaces the rule); `justification` is written beside
        the rule in the synthesized JSON."""
        method = f"{self.name}.allow_egress_to_cidr"
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except (TypeError, ValueError):
            raise ValueError(
                f"{method} cidr: expected a literal IPv4 or IPv6 network such as 0.0.0.0/0 or "
                f"10.0.0.0/16, got {describe(cidr)}"
            ) from None
        key = "cidr_ipv4" if network.version == 4 else "cidr_ipv6"
        self._egress(method, name, port, description, justification, **{key: str(network)})

    def allow_egress_to_prefix_list(
        self, name: str, prefix_list_id: str, port: int, description: str, justification: str
    ) -> None:
        """Egress to a managed prefix list, e.g. HTTPS to the S3 gateway endpoint's list
        (ECR image layers come from S3). See allow_egress_to_cidr for `name`."""
        method = f"{self.name}.allow_egress_to_prefix_list"
        if not (is_unresolved(prefix_list_id) or prefix_list_id.startswith("pl-")):
            raise ValueError(
                f"{method} prefix_list_id: expected pl-... or a reference to one, got {describe(prefix_list_id)}"
            )
        self._egress(method, name, port, description, justification, prefix_list_id=prefix_list_id)

    def allow_egress_to_group_id(
        self, name: str, security_group_id: str, port: int, description: str, justification: str
    ) -> None:
        """Egress to a group this module does not own, e.g. the network's interface-endpoint
        group (which admits HTTPS from the VPC). See allow_egress_to_cidr for `name`."""
        method = f"{self.name}.allow_egress_to_group_id"
        if not (is_unresolved(security_group_id) or security_group_id.startswith("sg-")):
            raise ValueError(
                f"{method} security_group_id: expected sg-... or a reference to one, got {describe(security_group_id)}"
            )
        self._egress(method, name, port, description, justification, referenced_security_group_id=security_group_id)

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _tcp(port: int) -> dict[str, Any]:
        return {"ip_protocol": _TCP, "from_port": port, "to_port": port}

    def _refuse_duplicate(self, direction: str, peer: str, port: int) -> None:
        if (direction, peer, port) in self._rule_keys:
            towards = "from" if direction == "ingress" else "to"
            raise ValueError(
                f"{self.name}: expected one {direction} rule {towards} {peer} on port {port}, got a second"
            )

    def _egress(
        self, method: str, name: str, port: int, description: str, justification: str, **destination: str
    ) -> None:
        name = _argument(method, "name", check_group_name, name)
        port = _argument(method, "port", check_port, port)
        description = _argument(method, "description", check_description, description)
        justification = _argument(method, "justification", check_justification, justification)
        self._refuse_duplicate("egress", name, port)
        self._rule_keys.add(("egress", name, port))
        rule = VpcSecurityGroupEgressRule(
            self,
            f"to_{name}_{port}",
            security_group_id=self.security_group_id,
            description=description,
            **destination,
            **self._tcp(port),
        )
        # Terraform ignores "//" keys: the reason stays in cdk.tf.json for reviewers and
        # the tests, which refuse a CIDR egress rule that has none.
        rule.add_override(f"//.{JUSTIFICATION_KEY}", justification)
