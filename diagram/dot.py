"""Diagram -> Graphviz DOT text. Layout choices live here; what is drawn is decided in build.py.

Top to bottom: users, the edge, compute, data, and under them the network as one table of
availability zones (columns) against subnets, NAT gateways, default routes and where each
component runs (rows). dot cannot be made to keep zone clusters in order side by side, and a
table reads faster than boxes for "what is in which zone": so the model's zone clusters, subnet
and NAT gateway nodes and egress edges are drawn as that table, everything else as nodes and lines.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from diagram.components import SUBNET_GROUP_ZONE
from diagram.document import LOOKED_UP_PREFIX, zone_label
from diagram.model import COMPUTE_TIER, DATA_TIER, EDGE_TIER, NETWORK_TIER, Diagram, Edge, EdgeKind, Node

FONT = "Helvetica"
CLUSTER_FILL = {EDGE_TIER: "#f3e5f5", COMPUTE_TIER: "#fff3e0", DATA_TIER: "#e3f2fd", NETWORK_TIER: "#eeeeee"}
NOTES = "notes"
PLACEMENT = "az_placement"
PRESENT = "●"

# Where two kinds join one source and target, the first in this order gives the line its style.
EDGE_STYLES: dict[EdgeKind, dict[str, str]] = {
    "route": {"color": "#1a56a8", "penwidth": "1.8"},
    "network": {"color": "#555555"},
    "access": {"color": "#2e7d32", "style": "dashed"},
    "replication": {"color": "#6a1b9a", "style": "dotted", "penwidth": "1.5", "constraint": "false"},
    "protects": {"color": "#c62828", "style": "dotted", "arrowhead": "none", "constraint": "false"},
    "dns": {"color": "#888888", "style": "dashed"},
}
LEGEND = (
    ("#1a56a8", "━━", "traffic path (DNS name, listener rule and blue/green weights, origin, VPC link)"),
    ("#555555", "━━", "security group ingress on the target from the source's group (port)"),
    ("#2e7d32", "╍╍", "IAM access from the service's task role (send, consume, produce, read, write)"),
    ("#6a1b9a", "┅┅", "replication"),
    ("#c62828", "┅┅", "WAF web ACL attached"),
)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attributes(values: dict[str, str]) -> str:
    return ", ".join(f"{key}={value if value.startswith('<') else quote(value)}" for key, value in values.items())


def node_label(node: Node) -> str:
    rows = [f"<B>{escape(node.title)}</B>"] + [f'<FONT POINT-SIZE="10">{escape(d)}</FONT>' for d in node.details]
    return "<" + "".join(f'{row}<BR ALIGN="LEFT"/>' for row in rows) + ">"


def merged_edges(edges: tuple[Edge, ...]) -> list[tuple[str, str, list[Edge]]]:
    """Edges between the same two nodes as one line: a route and the security group rule that admits
    it read best together ("/api/* (blue 100, green 0)", ":3000")."""
    by_pair: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge.kind in EDGE_STYLES:
            by_pair[(edge.source, edge.target)].append(edge)
    order = list(EDGE_STYLES)
    return [(s, t, sorted(group, key=lambda e: order.index(e.kind))) for (s, t), group in by_pair.items()]


def edge_statement(source: str, target: str, group: list[Edge]) -> str:
    style = dict(EDGE_STYLES[group[0].kind])
    label = "\n".join(e.label for e in group if e.label)
    if label:
        style["label"] = label
    return f"  {quote(source)} -> {quote(target)} [{attributes(style)}];"


def cluster_lines(cluster_id: str, title: str, body: list[str]) -> list[str]:
    return [
        f"  subgraph {quote('cluster_' + cluster_id)} {{",
        f"    label={quote(title)}; labeljust=l; fontsize=14;",
        f"    style={quote('rounded,filled')}; fillcolor={quote(CLUSTER_FILL.get(cluster_id, '#ffffff'))};",
        *body,
        "  }",
    ]


def node_line(node: Node) -> str:
    return f"    {quote(node.id)} [label={node_label(node)}];"


# -- the availability zone table ----------------------------------------------------------------------


def zone_columns(diagram: Diagram) -> list[str]:
    return [c.id.removeprefix("zone:") for c in diagram.clusters if c.parent == NETWORK_TIER]


def cell(text: str, *, bold: bool = False, left: bool = False) -> str:
    content = f"<B>{escape(text)}</B>" if bold else escape(text)
    align = ' ALIGN="LEFT"' if left else ""
    return f"<TD{align}>{content}</TD>"


def placement_rows(diagram: Diagram, zones: list[str]) -> list[list[str]]:
    """One row per subnet tier (CIDRs), NAT gateways, each tier's default route, then each component."""
    in_zones = [n for n in diagram.nodes if n.cluster and n.cluster.startswith("zone:")]
    rows: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in in_zones:
        title = f"{node.title} subnet" if node.kind == "subnet" else node.title
        rows[title][node.zones[0]].append(", ".join(node.details) or PRESENT)
    if not any(n.kind == "nat_gateway" for n in in_zones):
        rows["NAT gateway"] = defaultdict(list)  # shown as "–" in every zone: no NAT gateway at all
    nodes = {n.id: n for n in diagram.nodes}
    for edge in diagram.edges_of_kind("egress"):
        subnet, nat = nodes[edge.source], nodes[edge.target]
        if subnet.kind == "subnet":
            via = ", ".join(nat.details) or nat.title
            if nat.zones != subnet.zones:
                via += f" (in {zone_label(diagram.region, nat.zones[0])})"
            rows[f"{subnet.title} default route"][subnet.zones[0]].append(f"→ {via}")
    table = [
        [cell(title, left=True)] + [cell(", ".join(by_zone.get(z, [])) or "–") for z in zones]
        for title, by_zone in rows.items()
    ]
    placed = [n for n in diagram.nodes if n.zones and not (n.cluster or "").startswith("zone:")]
    for node in placed:
        by_zone = dict(node.placement) or {z: PRESENT for z in node.zones}
        table.append([cell(node.title, left=True)] + [cell(by_zone.get(z, "")) for z in zones])
    return table


def placement_table(diagram: Diagram) -> str:
    zones = zone_columns(diagram)
    looked_up = any(z.startswith(LOOKED_UP_PREFIX) for z in zones)
    title = "Availability zones" + (" (looked up at plan time)" if looked_up else "")
    header = [cell(title, bold=True, left=True)] + [cell(z, bold=True) for z in zones]
    key = f"{PRESENT} runs there   {SUBNET_GROUP_ZONE} its subnet group's zones (AWS picks)"
    footer = [f'<TD ALIGN="LEFT" COLSPAN="{len(zones) + 1}"><FONT POINT-SIZE="10">{escape(key)}</FONT></TD>']
    rows = [header] + placement_rows(diagram, zones) + [footer]
    body = "".join(f"<TR>{''.join(row)}</TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="white">{body}</TABLE>>'


def notes_label(diagram: Diagram) -> str:
    rows = [cell("Supporting services (counted, not drawn)", bold=True, left=True)]
    rows += [cell(line, left=True) for line in diagram.supporting]
    if diagram.not_drawn:
        rows.append(cell(f"not drawn: {', '.join(diagram.not_drawn)}", left=True))
    rows.append(cell("Lines", bold=True, left=True))
    rows += [
        f'<TD ALIGN="LEFT"><FONT COLOR="{color}">{sample}</FONT> {escape(text)}</TD>' for color, sample, text in LEGEND
    ]
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1">{body}</TABLE>>'


# -- the whole graph ----------------------------------------------------------------------------------


def render_dot(diagram: Diagram) -> str:
    graph = {
        "label": f"{diagram.stack} ({diagram.region}): architecture from cdk.tf.json",
        "labelloc": "t",
        "fontsize": "20",
        "fontname": FONT,
        "rankdir": "TB",
        "newrank": "true",
        "nodesep": "0.3",
        "ranksep": "1.0",
    }
    lines = [
        f"digraph {quote(diagram.stack)} {{",
        *(f"  {key}={quote(value)};" for key, value in graph.items()),
        f"  node [{attributes({'shape': 'box', 'style': 'rounded,filled', 'fillcolor': 'white', 'fontname': FONT})}];",
        f"  edge [{attributes({'fontname': FONT, 'fontsize': '10'})}];",
    ]
    lines += [f"  {quote(n.id)} [label={node_label(n)}, shape=ellipse];" for n in diagram.nodes if n.cluster is None]
    titles = {c.id: c.title for c in diagram.clusters}
    for tier in (EDGE_TIER, COMPUTE_TIER, DATA_TIER):
        if tier in titles:
            members = [n.id for n in diagram.nodes if n.cluster == tier]
            # A web ACL beside what it protects, not a rank above it (and above the users).
            beside = [
                f"    {{rank=same; {quote(e.source)}; {quote(e.target)};}}"
                for e in diagram.edges_of_kind("protects")
                if e.source in members and e.target in members
            ]
            lines += cluster_lines(tier, titles[tier], [node_line(diagram.node(n)) for n in members] + beside)
    bottom_row = [NOTES]
    if NETWORK_TIER in titles:
        boxes = [n for n in diagram.nodes if n.cluster == NETWORK_TIER]
        table = [f"    {PLACEMENT} [label={placement_table(diagram)}, shape=plain];"] if zone_columns(diagram) else []
        lines += cluster_lines(NETWORK_TIER, titles[NETWORK_TIER], table + [node_line(n) for n in boxes])
        bottom_row = ([PLACEMENT] if table else []) + [n.id for n in boxes] + bottom_row
    lines.append(f"  {NOTES} [label={notes_label(diagram)}, shape=note, fillcolor={quote('#fffde7')}];")
    lines += [edge_statement(s, t, group) for s, t, group in merged_edges(diagram.edges)]
    lines += bottom_row_lines(diagram, bottom_row)
    lines.append("}")
    return "\n".join(lines) + "\n"


def bottom_row_lines(diagram: Diagram, row: list[str]) -> list[str]:
    """Invisible edges that put the network and the notes in one row under everything else."""
    above = [n.id for n in diagram.nodes if n.cluster in (DATA_TIER, COMPUTE_TIER)]
    lines = [f"  {quote(node)} -> {quote(row[0])} [style=invis];" for node in above]
    lines.append(f"  {{rank=same; {'; '.join(quote(n) for n in row)};}}")
    return lines
