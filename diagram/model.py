"""The diagram as plain data: clusters, nodes and edges, built from a stack's JSON (build.py), drawn by dot.py.

Nothing here knows Graphviz; tests assert on these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EdgeKind = Literal["route", "network", "access", "replication", "protects", "dns", "egress"]
"""What an edge means:
- route: requests flow this way (DNS alias, listener rule, CloudFront origin, VPC link, proxy target);
- network: a security group ingress rule on the target's group names the source's group (label: ports);
- access: an IAM statement on the source's task role names the target (label: send/consume/read/write);
- replication: the target replicates from the source;
- protects: a WAF web ACL is attached to the target;
- dns: users resolve names in the hosted zone;
- egress: a subnet's default route goes to a NAT gateway (dev: every zone's to the one in the first zone),
  and a NAT gateway's to the internet gateway.
"""

USERS = "users"
ROUTE53 = "route53"
SUPPORTING = "supporting"

EDGE_TIER = "edge"
COMPUTE_TIER = "compute"
DATA_TIER = "data"
NETWORK_TIER = "network"


@dataclass(frozen=True)
class Cluster:
    id: str
    title: str
    parent: str | None = None


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    title: str
    cluster: str | None
    details: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    """Addresses ("aws_type.name") of the resources this node stands for."""
    security_groups: tuple[str, ...] = ()
    """Addresses of the security groups its network interfaces are in."""
    placement: tuple[tuple[str, str], ...] = ()
    """(zone, what of it is there), where that is more than "present" (a Redis Cluster's nodes per zone)."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    resources: tuple[str, ...] = ()
    """Addresses of the resources the edge comes from (ingress rules, listener rules, records...)."""


@dataclass(frozen=True)
class Diagram:
    stack: str
    region: str
    clusters: tuple[Cluster, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    supporting: tuple[str, ...] = ()
    """One line per supporting service (KMS, CloudWatch, Backup, ...), counted rather than drawn."""
    not_drawn: tuple[str, ...] = field(default=())
    """Resource types neither drawn, folded into a drawn node, nor counted as supporting."""

    def node(self, node_id: str) -> Node:
        (found,) = [n for n in self.nodes if n.id == node_id]
        return found

    def nodes_of_kind(self, *kinds: str) -> list[Node]:
        return [n for n in self.nodes if n.kind in kinds]

    def edges_of_kind(self, *kinds: str) -> list[Edge]:
        return [e for e in self.edges if e.kind in kinds]
