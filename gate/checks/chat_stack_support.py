"""Helpers for project checks whose answer lies in another block of the stack.

checkov's terraform_json framework hands a resource check that resource's own attributes,
nothing else (no graph): a policy given as "${data.aws_iam_policy_document.x.json}"
stays that string, and which queue names another as its dead-letter queue is written in
the other queue. These helpers read the stack file itself: checkov names it relative to
the directory it scans (the check's `entity_path`, "/chat-prod/cdk.tf.json:<type>:<name>"),
and that directory is the one the gate passes with --directory.

In a terraform_plan scan (the provider tier) the policies are rendered into the resource
and the stack file is a plan: `stack_document` returns None there, and a check judges
what the resource itself shows (UNKNOWN where only another block could tell).
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
_POLICY_DOCUMENT_REFERENCE_RE = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$")


def scanned_directory(argv: list[str] | None = None) -> Path | None:
    """The directory checkov was told to scan (--directory / -d), or None."""
    argv = sys.argv if argv is None else argv
    for index, argument in enumerate(argv):
        if argument in ("--directory", "-d") and index + 1 < len(argv):
            return Path(argv[index + 1]).resolve()
        if argument.startswith("--directory="):
            return Path(argument.split("=", 1)[1]).resolve()
    return None


def entity_parts(entity_path: str) -> tuple[str, str, str]:
    """("/chat-prod/cdk.tf.json", "aws_sqs_queue", "push_this_1A2B") from a check's entity_path."""
    scanned_file, entity_type, entity_name = entity_path.rsplit(":", 2)
    return scanned_file, entity_type, entity_name


@lru_cache(maxsize=64)
def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def stack_document(entity_path: str, argv: list[str] | None = None) -> dict[str, Any] | None:
    """The synthesized stack (cdk.tf.json) the entity sits in; None for plans or when unreadable."""
    scanned_file = entity_parts(entity_path)[0]
    root = scanned_directory(argv)
    if root is None or Path(scanned_file).name != STACK_FILE:
        return None
    return _read(root / scanned_file.lstrip("/"))


def blocks(document: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return document.get("resource", {}).get(resource_type, {}) or {}


def refers_to(value: Any, resource_type: str, name: str) -> bool:
    """True when `value` holds a reference to any attribute of resource_type.name."""
    return isinstance(value, str) and f"${{{resource_type}.{name}." in value


# -- policies ------------------------------------------------------------------------------
#
# One statement shape for the three ways a policy reaches a check: an
# aws_iam_policy_document block (HCL-style keys), a JSON string, or the parsed JSON a plan
# holds. Shape: {"effect", "actions": [...], "principals": [(type, [ids])], "conditions":
# [(test, variable, [values])]}.


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _from_document_block(block: dict[str, Any]) -> list[dict[str, Any]]:
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


def _from_policy_json(policy: dict[str, Any]) -> list[dict[str, Any]]:
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


def policy_statements(policy: Any, document: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """The statements of a policy attribute, or None when they cannot be known here."""
    if isinstance(policy, dict):
        return _from_policy_json(policy)
    if not isinstance(policy, str):
        return None
    reference = _POLICY_DOCUMENT_REFERENCE_RE.fullmatch(policy.strip())
    if reference:
        if document is None:
            return None
        block = document.get("data", {}).get("aws_iam_policy_document", {}).get(reference[1])
        return None if block is None else _from_document_block(block)
    try:
        parsed = json.loads(policy)
    except ValueError:
        return None  # a reference or expression this check cannot follow
    return _from_policy_json(parsed) if isinstance(parsed, dict) else None


def denies_insecure_transport(statements: list[dict[str, Any]], service: str) -> bool:
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


# -- stores whose policy must deny requests without TLS ----------------------------------


def tls_only_result(
    entity_path: str,
    conf: dict[str, Any],
    *,
    service: str,
    store_type: str,
    policy_type: str,
    link_attribute: str,
    store_name_attribute: str,
) -> str:
    """ "PASSED", "FAILED" or "UNKNOWN" for a store (queue, bucket) or its policy resource.

    A policy resource passes when its document denies `service:*` to everyone without TLS.
    A store passes when its inline policy does, or a policy resource linked to it does
    (by a reference in `link_attribute`, or by the store's literal name); a store with no
    policy at all fails: nothing would stop plain-HTTP requests.
    """
    document = stack_document(entity_path)
    _, entity_type, entity_name = entity_parts(entity_path)

    def judge(policy: Any) -> str:
        statements = policy_statements(policy, document)
        if statements is None:
            return "UNKNOWN"
        return "PASSED" if denies_insecure_transport(statements, service) else "FAILED"

    def first(key: str) -> Any:
        raw = conf.get(key)
        return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw

    if entity_type == policy_type:
        return judge(first("policy"))
    if first("policy"):
        return judge(first("policy"))
    if document is None:
        return "UNKNOWN"
    store_name = first(store_name_attribute)
    literal_name = store_name if isinstance(store_name, str) and "${" not in store_name else None

    def names_store(link: Any) -> bool:
        if refers_to(link, store_type, entity_name):
            return True
        # A literal link: a bucket's name, or a queue URL ending in the queue's name.
        return literal_name is not None and isinstance(link, str) and link.rsplit("/", 1)[-1] == literal_name

    linked = [block for block in blocks(document, policy_type).values() if names_store(block.get(link_attribute))]
    if not linked:
        return "FAILED"
    results = {judge(block.get("policy")) for block in linked}
    return "PASSED" if "PASSED" in results else ("UNKNOWN" if "UNKNOWN" in results else "FAILED")
