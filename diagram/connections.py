"""The diagram's edges between the nodes of components.py: traffic paths, security group reachability,
IAM access, replication and NAT egress. Pure functions of the stack document and the nodes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from diagram.access import VERB_ORDER, services_by_resource
from diagram.components import service_colour
from diagram.document import StackDocument
from diagram.model import ROUTE53, USERS, Edge, EdgeKind, Node
from synthesized import as_list, reference, references

INTERNET_CIDRS = {"0.0.0.0/0", "::/0"}


@dataclass(frozen=True)
class IngressRule:
    """One ingress permission, whichever way the stack writes it (rule resource, legacy rule, inline block)."""

    address: str
    target_group: str
    source_group: str | None
    cidrs: tuple[str, ...]
    from_port: int | None
    to_port: int | None
    protocol: str

    @property
    def ports(self) -> str:
        if self.protocol in ("-1", "all") or self.from_port is None:
            return "all"
        return f":{self.from_port}" if self.from_port == self.to_port else f":{self.from_port}-{self.to_port}"


def ingress_rules(doc: StackDocument) -> list[IngressRule]:
    rules = []
    for address, rule in doc.items("aws_vpc_security_group_ingress_rule"):
        cidrs = tuple(str(rule[k]) for k in ("cidr_ipv4", "cidr_ipv6") if rule.get(k))
        rules.append(_rule(address, rule, rule.get("referenced_security_group_id"), cidrs, rule.get("ip_protocol")))
    for address, rule in doc.items("aws_security_group_rule"):
        if rule.get("type") == "ingress":
            cidrs = tuple(as_list(rule.get("cidr_blocks")) + as_list(rule.get("ipv6_cidr_blocks")))
            rules.append(_rule(address, rule, rule.get("source_security_group_id"), cidrs, rule.get("protocol")))
    for address, group in doc.items("aws_security_group"):
        for block in as_list(group.get("ingress")):
            cidrs = tuple(as_list(block.get("cidr_blocks")) + as_list(block.get("ipv6_cidr_blocks")))
            sources = references(block.get("security_groups")) + ([address] if block.get("self") else [])
            for source in sources or [None]:
                rules.append(
                    _rule(address, {**block, "security_group_id": address}, source, cidrs, block.get("protocol"))
                )
    return rules


def _rule(address: str, rule: dict[str, Any], source: Any, cidrs: tuple[str, ...], protocol: Any) -> IngressRule:
    def port(value: Any) -> int | None:
        return int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else None

    target = rule["security_group_id"]
    return IngressRule(
        address=address,
        target_group=target if target.startswith("aws_security_group.") else str(reference(target)),
        source_group=source if source is None or str(source).startswith("aws_") else reference(source),
        cidrs=cidrs,
        from_port=port(rule.get("from_port")),
        to_port=port(rule.get("to_port")),
        protocol=str(protocol),
    )


class EdgeCollector:
    """Edges keyed by (source, target, kind): label lines and resources accumulate, order is kept."""

    def __init__(self) -> None:
        self.labels: dict[tuple[str, str, EdgeKind], dict[str, None]] = {}
        self.resources: dict[tuple[str, str, EdgeKind], dict[str, None]] = {}

    def add(self, source: str, target: str, kind: EdgeKind, label: str = "", resources: Iterable[str] = ()) -> None:
        key = (source, target, kind)
        self.labels.setdefault(key, {})
        self.resources.setdefault(key, {})
        if label:
            self.labels[key][label] = None
        for resource in resources:
            self.resources[key][resource] = None

    def edges(self, joiner: dict[EdgeKind, str]) -> list[Edge]:
        return [
            Edge(
                source=s,
                target=t,
                kind=k,
                label=joiner.get(k, "\n").join(_sorted_labels(k, list(self.labels[(s, t, k)]))),
                resources=tuple(self.resources[(s, t, k)]),
            )
            for (s, t, k) in self.labels
        ]


def _sorted_labels(kind: EdgeKind, labels: list[str]) -> list[str]:
    if kind == "network":
        return sorted(labels, key=lambda p: (p == "all", int(p[1:].split("-")[0]) if p[1:2].isdigit() else 0))
    if kind == "access":
        return sorted(labels, key=VERB_ORDER.index)
    return labels


# Ports read best on one line (":80, :443"); routes and host names one per line.
LABEL_JOINERS: dict[EdgeKind, str] = {"network": ", ", "access": "/"}


def connections(doc: StackDocument, nodes: list[Node]) -> list[Edge]:
    owner = {address: node.id for node in nodes for address in node.resources}
    group_owners: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        for group in node.security_groups:
            group_owners[group].append(node.id)
    collector = EdgeCollector()
    user_edges(doc, owner, collector)
    waf_edges(doc, owner, collector)
    cloudfront_edges(doc, owner, collector)
    listener_edges(doc, owner, collector)
    api_gateway_edges(doc, owner, collector)
    security_group_edges(doc, group_owners, collector)
    access_edges(doc, owner, collector)
    database_edges(doc, owner, collector)
    egress_edges(doc, owner, collector)
    return collector.edges(LABEL_JOINERS)


def user_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    """Users resolve names in Route 53 and reach what the alias records point at."""
    for address, record in doc.items("aws_route53_record"):
        collector.add(USERS, ROUTE53, "dns", "DNS", [address])
        target = owner.get(reference((record.get("alias") or {}).get("name")) or "")
        if target:
            collector.add(USERS, target, "route", str(record.get("name")), [address])


def waf_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    for address, distribution in doc.items("aws_cloudfront_distribution"):
        acl = owner.get(reference(distribution.get("web_acl_id")) or "")
        if acl:
            collector.add(acl, owner[address], "protects", resources=[address])
    for address, association in doc.items("aws_wafv2_web_acl_association"):
        acl = owner.get(reference(association.get("web_acl_arn")) or "")
        protected = [owner[a] for a in references(association.get("resource_arn")) if a in owner]
        if acl and protected:
            collector.add(acl, protected[0], "protects", resources=[address])


def cloudfront_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    for address, distribution in doc.items("aws_cloudfront_distribution"):
        for origin in as_list(distribution.get("origin")):
            target = owner.get(reference(origin.get("domain_name")) or "")
            if target:
                collector.add(owner[address], target, "route", "origin", [address])


def listener_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    """Load balancer -> service, labelled with the rule's condition and the blue/green weights."""
    services_by_target_group: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for address, service in doc.items("aws_ecs_service"):
        for attachment in as_list(service.get("load_balancer")):
            services_by_target_group[str(reference(attachment.get("target_group_arn")))].append((address, service))
    for address, listener in doc.items("aws_lb_listener"):
        condition = f"{listener.get('protocol', '')} :{listener.get('port')}".strip()
        _forward(
            address, listener, listener.get("default_action"), condition, owner, services_by_target_group, collector
        )
    for address, rule in doc.items("aws_lb_listener_rule"):
        listener = doc.block(reference(rule.get("listener_arn")))
        values = [
            v for c in as_list(rule.get("condition")) for block in c.values() for v in as_list(block.get("values"))
        ]
        _forward(address, listener, rule.get("action"), " ".join(values), owner, services_by_target_group, collector)


def _forward(
    address: str,
    listener: dict[str, Any],
    actions: Any,
    condition: str,
    owner: dict[str, str],
    services_by_target_group: dict[str, list[tuple[str, dict[str, Any]]]],
    collector: EdgeCollector,
) -> None:
    balancer = owner.get(reference(listener.get("load_balancer_arn")) or "")
    if not balancer:
        return
    for action in as_list(actions):
        groups = [(g.get("arn"), g.get("weight")) for g in as_list((action.get("forward") or {}).get("target_group"))]
        groups = groups or ([(action["target_group_arn"], None)] if action.get("target_group_arn") else [])
        by_service: dict[str, list[str]] = defaultdict(list)
        for arn, weight in groups:
            for service_address, service in services_by_target_group.get(str(reference(arn)), []):
                colour = service_colour(service)
                by_service[owner[service_address]].append(f"{colour} {weight}" if weight is not None else colour)
        for service_node, colours in by_service.items():
            weights = ", ".join(c for c in colours if c)
            label = (
                f"{condition} ({weights})" if len(colours) > 1 else f"{condition} → {weights}" if weights else condition
            )
            collector.add(balancer, service_node, "route", label.strip(), [address])


def api_gateway_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    """API Gateway -> what its integrations reach (through a VPC link: the load balancer behind it)."""
    for address, integration in doc.items("aws_apigatewayv2_integration"):
        api = owner.get(reference(integration.get("api_id")) or "")
        link = doc.block(reference(integration.get("connection_id")))
        targets = [
            owner[a]
            for a in references(integration.get("integration_uri")) + references(link.get("target_arns"))
            if a in owner
        ]
        route_keys = [
            str(route.get("route_key"))
            for _, route in doc.items("aws_apigatewayv2_route")
            if address in references(route.get("target"))
        ]
        for target in dict.fromkeys(targets):
            if api:
                collector.add(api, target, "route", " ".join(route_keys), [address])


def security_group_edges(doc: StackDocument, group_owners: dict[str, list[str]], collector: EdgeCollector) -> None:
    """Source -> target wherever an ingress rule on the target's group names the source's group (or the internet)."""
    for rule in ingress_rules(doc):
        targets = group_owners.get(rule.target_group, [])
        if rule.source_group:
            sources = group_owners.get(rule.source_group, [])
        else:
            sources = [USERS] if INTERNET_CIDRS & set(rule.cidrs) else []
        for source in sources:
            for target in targets:
                collector.add(source, target, "network", rule.ports, [rule.address])


def access_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    """Service -> store where the service's task role may send, consume, read or write it."""
    for resource, grants in services_by_resource(doc).items():
        store = owner.get(resource)
        for service, granted in grants.items():
            for verb in granted if store and service in owner else ():
                collector.add(owner[service], store, "access", verb, [resource])


def database_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    for address, target in doc.items("aws_db_proxy_target"):
        proxy = owner.get(reference(target.get("db_proxy_name")) or "")
        database = owner.get(reference(target.get("db_instance_identifier")) or "")
        if proxy and database:
            collector.add(proxy, database, "route", "target", [address])
    for address, db in doc.items("aws_db_instance"):
        source = owner.get(reference(db.get("replicate_source_db")) or "")
        if source:
            collector.add(source, owner[address], "replication", "async", [address])


def egress_edges(doc: StackDocument, owner: dict[str, str], collector: EdgeCollector) -> None:
    """Subnet -> the NAT gateway its default route uses (dev: every zone's to one), NAT -> internet gateway."""
    routes = [(a, r, reference(r.get("route_table_id"))) for a, r in doc.items("aws_route")]
    routes += [(a, r, a) for a, table in doc.items("aws_route_table") for r in as_list(table.get("route"))]
    for address, route, table in routes:
        nat = owner.get(reference(route.get("nat_gateway_id")) or "")
        if not nat or route.get("destination_cidr_block") != "0.0.0.0/0":
            continue
        for _, association in doc.items("aws_route_table_association"):
            subnet = owner.get(reference(association.get("subnet_id")) or "")
            if subnet and reference(association.get("route_table_id")) == table:
                collector.add(subnet, nat, "egress", resources=[address])
    gateways = [owner[a] for a, _ in doc.items("aws_internet_gateway") if a in owner]
    for address, _ in doc.items("aws_nat_gateway"):
        if gateways and address in owner:
            collector.add(owner[address], gateways[0], "egress")
