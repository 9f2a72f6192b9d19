"""What each ECS service may do to which store, read from its task role's IAM statements.

Queues, buckets and tables are reached through AWS APIs, not security groups, so the
task role is where a service's path to them is written down.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from diagram.document import StackDocument
from synthesized import as_list, reference, references

# The data-plane actions that make a service a producer or consumer of a store. Control
# actions (DescribeTable, GetQueueAttributes, Connect) say nothing about the direction.
ACTION_VERBS: dict[str, str] = {
    "sqs:SendMessage": "send",
    "sqs:ReceiveMessage": "consume",
    "s3:GetObject": "read",
    "s3:PutObject": "write",
    "s3:DeleteObject": "write",
    "dynamodb:GetItem": "read",
    "dynamodb:BatchGetItem": "read",
    "dynamodb:Query": "read",
    "dynamodb:Scan": "read",
    "dynamodb:PutItem": "write",
    "dynamodb:UpdateItem": "write",
    "dynamodb:DeleteItem": "write",
    "dynamodb:BatchWriteItem": "write",
    "kafka-cluster:WriteData": "produce",
    "kafka-cluster:ReadData": "consume",
}
VERB_ORDER = ("send", "produce", "consume", "read", "write")


@dataclass(frozen=True)
class Grant:
    """One IAM statement on a service's task role: the actions and the resource strings it names."""

    service: str
    """Address of the aws_ecs_service whose task role holds the statement."""
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def verbs(actions: tuple[str, ...] | list[str]) -> list[str]:
    """The data-plane verbs `actions` allow (wildcards included), in VERB_ORDER."""
    found = {
        verb
        for pattern in actions
        for action, verb in ACTION_VERBS.items()
        if fnmatchcase(action.lower(), str(pattern).lower())
    }
    return [v for v in VERB_ORDER if v in found]


def task_role_grants(doc: StackDocument) -> list[Grant]:
    """Every Allow statement of every ECS service's task role (inline and attached policies)."""
    grants = []
    for service_address, service in doc.items("aws_ecs_service"):
        role = reference(doc.block(reference(service.get("task_definition"))).get("task_role_arn"))
        if not role:
            continue
        for actions, resources in role_statements(doc, role):
            grants.append(Grant(service_address, tuple(actions), tuple(resources)))
    return grants


def role_statements(doc: StackDocument, role: str) -> list[tuple[list[str], list[str]]]:
    policies = [p.get("policy") for _, p in doc.items("aws_iam_role_policy") if reference(p.get("role")) == role]
    for _, attachment in doc.items("aws_iam_role_policy_attachment"):
        if reference(attachment.get("role")) == role:
            policies.append(doc.block(reference(attachment.get("policy_arn"))).get("policy"))
    return [statement for policy in policies for statement in policy_statements(doc, policy)]


def policy_statements(doc: StackDocument, policy: Any) -> list[tuple[list[str], list[str]]]:
    """(actions, resources) of the Allow statements of a policy: a policy-document data source or literal JSON."""
    document = doc.data_block(policy)
    if document:
        return [
            (as_list(s.get("actions")), as_list(s.get("resources")))
            for s in as_list(document.get("statement"))
            if s.get("effect", "Allow") == "Allow"
        ]
    try:
        parsed = json.loads(policy) if isinstance(policy, str) else None
    except json.JSONDecodeError:
        return []
    statements = as_list(parsed.get("Statement")) if isinstance(parsed, dict) else []
    return [
        (as_list(s.get("Action")), as_list(s.get("Resource")))
        for s in statements
        if isinstance(s, dict) and s.get("Effect") == "Allow"
    ]


def resource_index(doc: StackDocument) -> dict[tuple[str, str], str]:
    """(ARN service, name) -> address, for stores an ARN names literally instead of by reference."""
    index = {}
    for address, queue in doc.items("aws_sqs_queue"):
        index[("sqs", str(queue.get("name")))] = address
    for address, bucket in doc.items("aws_s3_bucket"):
        index[("s3", str(bucket.get("bucket")))] = address
    for address, table in doc.items("aws_dynamodb_table"):
        index[("dynamodb", str(table.get("name")))] = address
    return index


def named_resources(resource: str, index: dict[tuple[str, str], str]) -> list[str]:
    """Addresses of the resources an IAM resource string names, by reference or by ARN."""
    found = references(resource)
    if found:
        return found
    if resource.startswith("arn:aws:s3:::"):
        key = ("s3", resource.removeprefix("arn:aws:s3:::").split("/")[0])
    elif resource.startswith("arn:aws:sqs:"):
        key = ("sqs", resource.rsplit(":", 1)[-1])
    elif resource.startswith("arn:aws:dynamodb:") and ":table/" in resource:
        key = ("dynamodb", resource.split(":table/", 1)[1].split("/")[0])
    else:
        return []
    return [index[key]] if key in index else []


def services_by_resource(doc: StackDocument) -> dict[str, dict[str, set[str]]]:
    """resource address -> {service address -> verbs}, for every resource a task role names."""
    index = resource_index(doc)
    used: dict[str, dict[str, set[str]]] = {}
    for grant in task_role_grants(doc):
        granted = set(verbs(grant.actions))
        for resource in grant.resources:
            for address in named_resources(str(resource), index):
                used.setdefault(address, {}).setdefault(grant.service, set()).update(granted)
    return used
