"""Which security groups the internet reaches, read from a synthesized stack's JSON.

Pure Python over the dict that `cdk.tf.json` holds (no cdktf): tests, the gate or a
reviewer's script call it on any stack, whoever wrote its rules and however.

The model
- Nodes: the internet, and every aws_security_group / aws_default_security_group of the
  document, named by their Name tag (else name, name_prefix, or Terraform address). A
  group referenced but not defined in the document ("sg-...", a data source) is
  external: its rules are unknown, so it is taken as reachable from the internet on
  every port, and as able to send anywhere.
- Rules: a group's inline `ingress` / `egress` blocks, aws_security_group_rule, and
  aws_vpc_security_group_ingress_rule / aws_vpc_security_group_egress_rule.
- An edge A -> B on port p exists when B's ingress admits A on p AND A's egress permits
  B on p (security groups are stateful: replies need no rule). From the internet only
  B's ingress counts. A group defined in the document with no egress rule sends
  nothing: Terraform revokes the allow-all egress rule AWS gives every new group.
- Peers of a rule:
  - a group reference (or `self`): that group;
  - a CIDR: the internet unless it lies inside private ranges (RFC 1918, 100.64.0.0/10,
    link-local, IPv6 ULA and link-local), so 0.0.0.0/1 counts as much as 0.0.0.0/0; any
    CIDR may also hold a group's members' addresses, so it admits or reaches every group;
  - a prefix list: addresses outside the VPC (AWS services; CloudFront's origin-facing
    list puts the internet one hop away), so as a source it is the internet and as a
    destination it reaches no group;
  - a value unknown at synthesis (a Terraform expression): the internet and every group.
- Ports: TCP/UDP ranges as given; all traffic (-1) is every port 0-65535 and
  NON_PORT_TRAFFIC; other protocols (ICMP...) are NON_PORT_TRAFFIC; a port range that
  is unknown at synthesis is every port.

Every doubt resolves towards more reachability, so an empty answer is a proof, and a
group in the answer is one to look at.
"""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

INTERNET = "internet"
# Stands for traffic that has no port (ICMP and other non-TCP/UDP protocols).
NON_PORT_TRAFFIC = -1
ALL_PORTS: frozenset[int] = frozenset(range(0, 65536))
_ALL_TRAFFIC = ALL_PORTS | {NON_PORT_TRAFFIC}

_GROUP_TYPES = ("aws_security_group", "aws_default_security_group")
_GROUP_REFERENCE_RE = re.compile(r"^\$\{(aws_security_group|aws_default_security_group)\.([^.}]+)\.id\}$")
_PORT_PROTOCOLS = {"tcp", "udp", "sctp", "6", "17", "132"}
_ALL_PROTOCOLS = {"-1", "all"}

# Ranges the internet cannot send from into a VPC.
_INTERNAL_RANGES = tuple(
    ipaddress.ip_network(cidr)
    for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")
    + ("fc00::/7", "fe80::/10")
)


@dataclass(frozen=True)
class Exposure:
    """How the internet reaches one group."""

    ports: frozenset[int]
    """Every port the group accepts from the internet or from a group the internet reaches."""

    internet_ports: frozenset[int]
    """The ports it accepts straight from the internet; empty when only reached through others."""

    path: tuple[str, ...]
    """A shortest path, e.g. ("internet", "chat-prod-alb", "chat-prod-api")."""

    @property
    def direct(self) -> bool:
        return bool(self.internet_ports)


@dataclass(frozen=True)
class _Peer:
    kind: str  # "group", "cidr", "prefix_list" or "unknown"
    value: str = ""
    internet: bool = False  # a cidr outside the internal ranges


@dataclass(frozen=True)
class _Rule:
    peer: _Peer
    ports: frozenset[int]


@dataclass
class _Group:
    ingress: list[_Rule]
    egress: list[_Rule] | None  # None: unknown, may send anywhere


def internet_exposure(document: Mapping[str, Any]) -> dict[str, Exposure]:
    """Every group the internet reaches, directly or through other groups, with how."""
    groups = _read_groups(document)
    edges = {
        (source, target): _edge_ports(groups, source, target)
        for source in (INTERNET, *groups)
        for target in groups
        if source != target
    }
    paths: dict[str, tuple[str, ...]] = {INTERNET: (INTERNET,)}
    queue = deque([INTERNET])
    while queue:
        source = queue.popleft()
        for target in groups:
            if target not in paths and edges.get((source, target)):
                paths[target] = (*paths[source], target)
                queue.append(target)
    exposures = {}
    for target, path in paths.items():
        if target == INTERNET:
            continue
        ports = frozenset().union(*(edges.get((source, target), frozenset()) for source in paths))
        exposures[target] = Exposure(ports=ports, internet_ports=edges[(INTERNET, target)], path=path)
    return dict(sorted(exposures.items()))


def directly_reachable_from_internet(document: Mapping[str, Any]) -> dict[str, set[int]]:
    """Groups that accept connections straight from the internet, and on which ports."""
    return {name: set(e.internet_ports) for name, e in internet_exposure(document).items() if e.direct}


def reachable_from_internet(document: Mapping[str, Any]) -> dict[str, set[int]]:
    """Groups the internet reaches directly or through other groups, and on which ports."""
    return {name: set(e.ports) for name, e in internet_exposure(document).items()}


# -- edges ---------------------------------------------------------------------------


def _admits(peer: _Peer, node: str) -> bool:
    if node == INTERNET:
        return peer.kind in ("prefix_list", "unknown") or (peer.kind == "cidr" and peer.internet)
    return peer.kind in ("cidr", "unknown") or (peer.kind == "group" and peer.value == node)


def _reaches(peer: _Peer, group: str) -> bool:
    return peer.kind in ("cidr", "unknown") or (peer.kind == "group" and peer.value == group)


def _edge_ports(groups: dict[str, _Group], source: str, target: str) -> frozenset[int]:
    admitted = frozenset().union(*(r.ports for r in groups[target].ingress if _admits(r.peer, source)))
    if not admitted or source == INTERNET:
        return admitted
    egress = groups[source].egress
    if egress is None:
        return admitted
    permitted = frozenset().union(*(r.ports for r in egress if _reaches(r.peer, target)))
    return admitted & permitted


# -- reading the document ------------------------------------------------------------


def _resources(document: Mapping[str, Any], resource_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, block in (document.get("resource", {}).get(resource_type) or {}).items():
        yield f"{resource_type}.{name}", block


def _read_groups(document: Mapping[str, Any]) -> dict[str, _Group]:
    defined = {address: block for t in _GROUP_TYPES for address, block in _resources(document, t)}
    names = _group_names(defined)
    groups: dict[str, _Group] = {names[address]: _Group(ingress=[], egress=[]) for address in defined}

    def node(reference: Any) -> str:
        """The node a group reference names, creating an external one when needed."""
        match = _GROUP_REFERENCE_RE.fullmatch(str(reference))
        if match and f"{match[1]}.{match[2]}" in names:
            return names[f"{match[1]}.{match[2]}"]
        key = f"external:{reference}"
        # Unknown rules: reachable from anywhere on everything, may send anywhere.
        groups.setdefault(key, _Group(ingress=[_Rule(_Peer("unknown"), _ALL_TRAFFIC)], egress=None))
        return key

    for address, block in defined.items():
        group = groups[names[address]]
        for direction in ("ingress", "egress"):
            for rule in _inline_rules(block.get(direction)):
                getattr(group, direction).extend(_rules(rule, names[address], node, "security_groups"))

    for _, rule in _resources(document, "aws_security_group_rule"):
        target = node(rule.get("security_group_id"))
        rules = _rules(rule, target, node, "source_security_group_id")
        _add(groups[target], "egress" if rule.get("type") == "egress" else "ingress", rules)

    for direction in ("ingress", "egress"):
        for _, rule in _resources(document, f"aws_vpc_security_group_{direction}_rule"):
            target = node(rule.get("security_group_id"))
            ports = _ports(rule.get("ip_protocol"), rule.get("from_port"), rule.get("to_port"))
            peers = list(_cidr_peers(rule.get("cidr_ipv4"))) + list(_cidr_peers(rule.get("cidr_ipv6")))
            if rule.get("prefix_list_id") is not None:
                peers.append(_Peer("prefix_list", str(rule["prefix_list_id"])))
            if rule.get("referenced_security_group_id") is not None:
                peers.append(_Peer("group", node(rule["referenced_security_group_id"])))
            _add(groups[target], direction, [_Rule(peer, ports) for peer in peers])
    return groups


def _add(group: _Group, direction: str, rules: list[_Rule]) -> None:
    if direction == "ingress":
        group.ingress.extend(rules)
    elif group.egress is not None:
        group.egress.extend(rules)


def _group_names(defined: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Address -> node name: the Name tag (else name, name_prefix), or the address when
    that is missing, unresolved or shared with another group."""
    wanted = {}
    for address, block in defined.items():
        candidates = ((block.get("tags") or {}).get("Name"), block.get("name"), block.get("name_prefix"))
        readable = next((c for c in candidates if isinstance(c, str) and c and "${" not in c), None)
        wanted[address] = readable.rstrip("-") if readable else address
    counts: dict[str, int] = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    return {address: name if counts[name] == 1 and name != INTERNET else address for address, name in wanted.items()}


def _inline_rules(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, str):  # a dynamic expression: unknown rules
        return [raw]
    return list(raw) if isinstance(raw, list) else [raw]


def _rules(rule: Any, owner: str, node: Any, group_key: str) -> list[_Rule]:
    """The peers and ports of an inline block or an aws_security_group_rule."""
    if not isinstance(rule, Mapping):
        return [_Rule(_Peer("unknown"), _ALL_TRAFFIC)]
    ports = _ports(rule.get("protocol"), rule.get("from_port"), rule.get("to_port"))
    peers: list[_Peer] = []
    for key in ("cidr_blocks", "ipv6_cidr_blocks"):
        for cidr in _as_list(rule.get(key)):
            peers.extend(_cidr_peers(cidr))
    peers += [_Peer("prefix_list", str(p)) for p in _as_list(rule.get("prefix_list_ids"))]
    peers += [_Peer("group", node(g)) for g in _as_list(rule.get(group_key))]
    if rule.get("self") is True or str(rule.get("self")).lower() == "true":
        peers.append(_Peer("group", owner))
    return [_Rule(peer, ports) for peer in peers]


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, str) and "${" in raw and not _GROUP_REFERENCE_RE.fullmatch(raw):
        return [raw]  # a list-valued expression: one unknown entry
    return list(raw) if isinstance(raw, list) else [raw]


def _subnet_of(network: IPNetwork, other: IPNetwork) -> bool:
    """`network.subnet_of(other)`, false across IP versions (where subnet_of raises TypeError)."""
    if isinstance(network, ipaddress.IPv4Network) and isinstance(other, ipaddress.IPv4Network):
        return network.subnet_of(other)
    if isinstance(network, ipaddress.IPv6Network) and isinstance(other, ipaddress.IPv6Network):
        return network.subnet_of(other)
    return False


def _cidr_peers(cidr: Any) -> Iterator[_Peer]:
    if cidr is None:
        return
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        yield _Peer("unknown", str(cidr))
        return
    internal = any(_subnet_of(network, r) for r in _INTERNAL_RANGES)
    yield _Peer("cidr", str(network), internet=not internal)


def _port(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _ports(protocol: Any, from_port: Any, to_port: Any) -> frozenset[int]:
    protocol = str(protocol).lower()
    if protocol in _ALL_PROTOCOLS:
        return _ALL_TRAFFIC
    if protocol not in _PORT_PROTOCOLS:
        return _ALL_TRAFFIC if "${" in protocol else frozenset({NON_PORT_TRAFFIC})
    low, high = _port(from_port), _port(to_port)
    if low is None or high is None:
        return ALL_PORTS
    return frozenset(range(max(low, 0), min(high, 65535) + 1))
