"""Policies as statements, and the rule the stores share: a policy that refuses plain HTTP.

One statement shape for the three ways a policy reaches a rule: an
aws_iam_policy_document block (HCL-style keys) a policy attribute names by reference, a JSON
string, or the parsed JSON a plan holds. Shape: {"effect", "actions": [...], "principals":
[(type, [ids])], "conditions": [(test, variable, [values])]}.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .attributes import first, literal, refers_to
from .model import Resource, Stack, Verdict

_POLICY_DOCUMENT_REFERENCE_RE = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$")

Statements = list[dict[str, Any]]


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _from_document_block(block: dict[str, Any]) -> Statements:
    statements = []
    for statement in _as_list(block.get("statement")):
        statements.append(
            {
                "effect": statement.get("effect", "Allow"),
                "actions": _as_list(statement.get("actions")),
                "principals": [
                    (p.get("type"), _as_list(p.get("identifiers"))) for p in _as_list(statement.get("principals"))
                ],
                "conditions": [
                    (c.get("test"), c.get("variable"), [str(v).lower() for v in _as_list(c.get("values"))])
                    for c in _as_list(statement.get("condition"))
                ],
            }
        )
    return statements


def _from_policy_json(policy: dict[str, Any]) -> Statements:
    statements = []
    for statement in _as_list(policy.get("Statement")):
        principal = statement.get("Principal")
        if principal == "*":
            principals = [("*", ["*"])]
        elif isinstance(principal, dict):
            principals = [(kind, _as_list(ids)) for kind, ids in principal.items()]
        else:
            principals = []
        conditions = [
            (test, variable, [str(v).lower() for v in _as_list(values)])
            for test, pairs in (statement.get("Condition") or {}).items()
            for variable, values in pairs.items()
        ]
        statements.append(
            {
                "effect": statement.get("Effect", "Allow"),
                "actions": _as_list(statement.get("Action")),
                "principals": principals,
                "conditions": conditions,
            }
        )
    return statements


def policy_statements(policy: Any, stack: Stack | None) -> Statements | None:
    """The statements of a policy attribute, or None when they cannot be known here."""
    if isinstance(policy, dict):
        return _from_policy_json(policy)
    if not isinstance(policy, str):
        return None
    reference = _POLICY_DOCUMENT_REFERENCE_RE.fullmatch(policy.strip())
    if reference:
        if stack is None:
            return None
        block = stack.data("aws_iam_policy_document").get(reference[1])
        return None if block is None else _from_document_block(block)
    try:
        parsed = json.loads(policy)
    except ValueError:
        return None  # a reference or expression a rule cannot follow
    return _from_policy_json(parsed) if isinstance(parsed, dict) else None


def denies_insecure_transport(statements: Statements, service: str) -> bool:
    """Some statement denies every action of `service` to everyone when aws:SecureTransport is false."""
    for statement in statements:
        everyone = any("*" in ids for _, ids in statement["principals"])
        every_action = any(action in ("*", f"{service}:*") for action in statement["actions"])
        without_tls = any(
            test in ("Bool", "BoolIfExists") and variable == "aws:SecureTransport" and "false" in values
            for test, variable, values in statement["conditions"]
        )
        if statement["effect"] == "Deny" and everyone and every_action and without_tls:
            return True
    return False


def strongest(verdicts: set[Verdict]) -> Verdict:
    """One policy that passes is enough; else UNKNOWN if any could not be read; else FAILED."""
    if Verdict.PASSED in verdicts:
        return Verdict.PASSED
    return Verdict.UNKNOWN if Verdict.UNKNOWN in verdicts else Verdict.FAILED


def store_policy_verdict(
    resource: Resource,
    stack: Stack | None,
    *,
    refuses_plain_http: Callable[[Statements], bool],
    policy_type: str,
    names_store: Callable[[Any], bool],
    link_attribute: str,
) -> Verdict:
    """The verdict on a store (queue, bucket, topic) or on its policy resource.

    A policy resource passes when its document refuses plain HTTP. A store passes when its
    inline policy does, or a policy resource linked to it does (`names_store` of the policy's
    `link_attribute`); a store with no policy at all fails: nothing would stop plain-HTTP
    requests. Without the stack (a plan) a store without an inline policy is UNKNOWN.
    """

    def judge(policy: Any) -> Verdict:
        statements = policy_statements(policy, stack)
        if statements is None:
            return Verdict.UNKNOWN
        return Verdict.of(refuses_plain_http(statements))

    inline = first(resource.conf, "policy")
    if resource.type == policy_type or inline:
        return judge(inline)
    if stack is None:
        return Verdict.UNKNOWN
    linked = [block for block in stack.resources(policy_type).values() if names_store(block.get(link_attribute))]
    if not linked:
        return Verdict.FAILED
    return strongest({judge(block.get("policy")) for block in linked})


def names_by_reference_or_literal(store_type: str, resource: Resource, name_attribute: str) -> Callable[[Any], bool]:
    """A link that names the store: a reference to it, or (literal) its name as the link's last
    path segment (a bucket's name, or a queue URL ending in the queue's name)."""
    literal_name = literal(first(resource.conf, name_attribute))

    def names_store(link: Any) -> bool:
        if refers_to(link, store_type, resource.name):
            return True
        return literal_name is not None and isinstance(link, str) and link.rsplit("/", 1)[-1] == literal_name

    return names_store
