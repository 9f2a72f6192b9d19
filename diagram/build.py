"""A stack's JSON -> Diagram: the nodes (components.py), the edges (connections.py), the tier and zone
clusters, and one summary line per supporting service instead of a node per key, alarm or role."""

from __future__ import annotations

from collections import Counter
from typing import Any

from diagram.components import compute_nodes, data_nodes, edge_nodes, network_nodes, zone_cluster
from diagram.connections import connections
from diagram.document import LOOKED_UP_PREFIX, StackDocument
from diagram.model import COMPUTE_TIER, DATA_TIER, EDGE_TIER, NETWORK_TIER, USERS, Cluster, Diagram, Node

# Counted in the supporting box: type -> (service, singular, plural).
SUPPORTING_TYPES: dict[str, tuple[str, str, str]] = {
    "aws_kms_key": ("KMS", "key", "keys"),
    "aws_cloudwatch_metric_alarm": ("CloudWatch", "alarm", "alarms"),
    "aws_cloudwatch_composite_alarm": ("CloudWatch", "composite alarm", "composite alarms"),
    "aws_cloudwatch_log_group": ("CloudWatch", "log group", "log groups"),
    "aws_cloudwatch_dashboard": ("CloudWatch", "dashboard", "dashboards"),
    "aws_sns_topic": ("SNS", "alarm topic", "alarm topics"),
    "aws_sns_topic_subscription": ("SNS", "subscription", "subscriptions"),
    "aws_backup_plan": ("Backup", "plan", "plans"),
    "aws_backup_vault": ("Backup", "vault", "vaults"),
    "aws_backup_vault_lock_configuration": ("Backup", "vault lock", "vault locks"),
    "aws_db_instance_automated_backups_replication": (
        "RDS",
        "backup replication to another region",
        "backup replications to another region",
    ),
    "aws_secretsmanager_secret": ("Secrets Manager", "secret", "secrets"),
    "aws_ssm_parameter": ("SSM", "parameter", "parameters"),
    "aws_ecr_repository": ("ECR", "repository", "repositories"),
    "aws_acm_certificate": ("ACM", "certificate", "certificates"),
    "aws_iam_role": ("IAM", "role", "roles"),
    "aws_flow_log": ("VPC", "flow log", "flow logs"),
    "aws_s3_bucket": ("S3", "log/backup bucket", "log/backup buckets"),
}

# Types drawn as part of a node or an edge without being listed in its resources (listeners,
# target groups, policies, bucket settings, route tables...): neither drawn alone nor counted.
FOLDED_TYPES = frozenset(
    {
        "aws_acm_certificate_validation",
        "aws_api_gateway_account",
        "aws_api_gateway_vpc_link",
        "aws_apigatewayv2_deployment",
        "aws_apigatewayv2_integration",
        "aws_apigatewayv2_route",
        "aws_apigatewayv2_stage",
        "aws_apigatewayv2_api_mapping",
        "aws_appautoscaling_policy",
        "aws_backup_selection",
        "aws_cloudfront_origin_access_control",
        "aws_cloudfront_response_headers_policy",
        "aws_cloudwatch_log_resource_policy",
        "aws_db_parameter_group",
        "aws_db_proxy_default_target_group",
        "aws_db_proxy_target",
        "aws_db_subnet_group",
        "aws_default_security_group",
        "aws_docdb_cluster_parameter_group",
        "aws_docdb_subnet_group",
        "aws_ecr_lifecycle_policy",
        "aws_ecs_cluster",
        "aws_ecs_cluster_capacity_providers",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_elasticache_user",
        "aws_elasticache_user_group",
        "aws_iam_instance_profile",
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_kms_alias",
        "aws_kms_key_policy",
        "aws_lb_listener_rule",
        "aws_lb_target_group",
        "aws_msk_configuration",
        "aws_network_acl",
        "aws_network_acl_rule",
        "aws_route",
        "aws_route_table",
        "aws_route_table_association",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_cors_configuration",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_secretsmanager_secret_version",
        "aws_security_group",
        "aws_security_group_rule",
        "aws_sns_topic_policy",
        "aws_sqs_queue_policy",
        "aws_vpc",
        "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_wafv2_web_acl_association",
        "aws_wafv2_web_acl_logging_configuration",
    }
)


def build_diagram(stack: str, document: dict[str, Any]) -> Diagram:
    doc = StackDocument(stack, document)
    nodes: dict[str, Node] = {}
    # A bucket that is both CloudFront's origin and named by a task role stays where it was first
    # placed (the edge).
    for node in edge_nodes(doc) + compute_nodes(doc) + data_nodes(doc) + network_nodes(doc):
        nodes.setdefault(node.id, node)
    edges = connections(doc, list(nodes.values()))
    if not any(USERS in (e.source, e.target) for e in edges):
        del nodes[USERS]  # nothing in the stack faces the internet
    drawn = list(nodes.values())
    return Diagram(
        stack=stack,
        region=doc.region,
        clusters=clusters(doc, drawn),
        nodes=tuple(drawn),
        edges=tuple(edges),
        supporting=supporting_lines(doc, drawn),
        not_drawn=not_drawn(doc, drawn),
    )


def clusters(doc: StackDocument, nodes: list[Node]) -> tuple[Cluster, ...]:
    """The tier clusters and, inside the VPC, one per zone: only those something is drawn in."""
    vpc = next((b.get("cidr_block") for _, b in doc.items("aws_vpc")), None)
    ecs = [str(c.get("name")) for _, c in doc.items("aws_ecs_cluster")]
    compute_title = f"Compute: ECS cluster {', '.join(ecs)}" if ecs else "Compute"
    candidates = [
        Cluster(EDGE_TIER, "Edge"),
        Cluster(COMPUTE_TIER, compute_title),
        Cluster(DATA_TIER, "Data"),
        Cluster(NETWORK_TIER, f"Network: VPC {vpc}" if vpc else "Network"),
    ]
    for zone in sorted({z for n in nodes for z in n.zones if n.cluster == zone_cluster(z)}):
        title = f"{zone} (looked up at plan time)" if zone.startswith(LOOKED_UP_PREFIX) else zone
        candidates.append(Cluster(zone_cluster(zone), title, parent=NETWORK_TIER))
    used = {n.cluster for n in nodes}
    used |= {c.parent for c in candidates if c.id in used and c.parent}
    return tuple(c for c in candidates if c.id in used)


def supporting_lines(doc: StackDocument, nodes: list[Node]) -> tuple[str, ...]:
    """ "KMS: 13 keys", "CloudWatch: 41 alarms, 14 log groups, 1 dashboard": counted, not drawn."""
    drawn = {a for n in nodes for a in n.resources}
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for resource_type, (service, singular, plural) in SUPPORTING_TYPES.items():
        count = sum(1 for address, _ in doc.items(resource_type) if address not in drawn)
        if count:
            counts.setdefault(service, Counter())[(singular, plural)] += count
    return tuple(
        f"{service}: " + ", ".join(f"{n} {singular if n == 1 else plural}" for (singular, plural), n in nouns.items())
        for service, nouns in counts.items()
    )


def not_drawn(doc: StackDocument, nodes: list[Node]) -> tuple[str, ...]:
    """Resource types nothing here draws, folds or counts: listed on the diagram, never dropped silently."""
    drawn_types = {a.split(".")[0] for n in nodes for a in n.resources}
    return tuple(sorted(doc.resource_types() - drawn_types - set(SUPPORTING_TYPES) - FOLDED_TYPES))
