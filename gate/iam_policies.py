"""Every IAM policy document of a synthesized stack, linted by parliament.

parliament knows each service's actions and the resource forms AWS evaluates them
against (from AWS's service authorization reference), so it finds what checkov's IAM
checks do not: an action that does not exist, a grant on a resource form the action is
never evaluated against (a grant that can never match), a malformed document.

Documents come from two places in a stack:
- `data.aws_iam_policy_document` blocks, rendered into IAM JSON as the AWS provider
  renders them (Version, Statement, Sid, Effect, Action/NotAction, Resource/NotResource,
  Principal/NotPrincipal, Condition from test/variable/values);
- literal JSON strings in a resource's policy attribute (`policy`, `assume_role_policy`,
  `policy_document`); an attribute that is a reference to a document block is that block.

Terraform references in a document are replaced before parliament reads it
(`placeholder`): an account id by 123456789012, and a resource's ARN by a well-formed ARN
of that resource type's own form (PLACEHOLDER_ARNS), so parliament judges the statement
as AWS would see it once applied. A reference this module has no form for raises
UnknownReference: the test fails naming it, so no statement goes unjudged by omission.

Each statement is linted as a document of its own, so every finding names its statement
(by Sid, which the modules keep stable and stack-independent). An accepted finding is a
row of gate/iam_accepted.py, keyed by (Sid, issue) with its reason; an acceptance that
matches no finding is stale and fails, as a stale waiver does. Two kinds of finding do
not apply to a statement and are counted apart (`not_applicable`): a trust statement
without Resource, and Resource "*" in a resource policy.

parliament runs in its own environment (.venv-parliament, tools/parliament-requirements.txt)
through its Python API, in one subprocess per run; its exit code and output are checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gate.iam_accepted import ACCEPTED, Acceptance

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARLIAMENT_PYTHON = ROOT / ".venv-parliament" / "bin" / "python"
PARLIAMENT_TIMEOUT_SECONDS = 300

PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_REGION = "eu-west-1"
_A = f"{PLACEHOLDER_REGION}:{PLACEHOLDER_ACCOUNT}"
# A resource attribute -> an ARN (or id) of the form AWS gives that resource, as the
# provider's attribute holds it (a log group's `arn` without the ":*" suffix, say).
PLACEHOLDER_ARNS: dict[tuple[str, str], str] = {
    ("aws_apigatewayv2_api", "execution_arn"): f"arn:aws:execute-api:{_A}:a1b2c3d4e5",
    ("aws_cloudfront_distribution", "arn"): f"arn:aws:cloudfront::{PLACEHOLDER_ACCOUNT}:distribution/E1PLACEHOLDER",
    ("aws_cloudwatch_log_group", "arn"): f"arn:aws:logs:{_A}:log-group:placeholder",
    (
        "aws_db_instance",
        "master_user_secret[0].secret_arn",
    ): f"arn:aws:secretsmanager:{_A}:secret:rds!db-placeholder-AbCdEf",
    ("aws_db_instance", "resource_id"): "db-PLACEHOLDER0123456789ABCDEF",
    ("aws_db_proxy", "arn"): f"arn:aws:rds:{_A}:db-proxy:prx-0123456789abcdef0",
    (
        "aws_docdb_cluster",
        "master_user_secret[0].secret_arn",
    ): f"arn:aws:secretsmanager:{_A}:secret:rds!cluster-placeholder-AbCdEf",
    ("aws_dynamodb_table", "arn"): f"arn:aws:dynamodb:{_A}:table/placeholder",
    ("aws_ecr_repository", "arn"): f"arn:aws:ecr:{_A}:repository/placeholder",
    ("aws_elasticache_replication_group", "arn"): f"arn:aws:elasticache:{_A}:replicationgroup:placeholder",
    ("aws_elasticache_user", "arn"): f"arn:aws:elasticache:{_A}:user:placeholder",
    ("aws_iam_role", "arn"): f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/placeholder",
    ("aws_kms_key", "arn"): f"arn:aws:kms:{_A}:key/00000000-0000-0000-0000-000000000000",
    ("aws_msk_cluster", "arn"): f"arn:aws:kafka:{_A}:cluster/placeholder/00000000-0000-0000-0000-000000000000-1",
    ("aws_s3_bucket", "arn"): "arn:aws:s3:::placeholder",
    ("aws_secretsmanager_secret", "arn"): f"arn:aws:secretsmanager:{_A}:secret:placeholder-AbCdEf",
    ("aws_sns_topic", "arn"): f"arn:aws:sns:{_A}:placeholder",
    ("aws_sqs_queue", "arn"): f"arn:aws:sqs:{_A}:placeholder",
}
# data source attribute -> value
PLACEHOLDER_DATA = {
    ("aws_caller_identity", "account_id"): PLACEHOLDER_ACCOUNT,
    ("aws_region", "name"): PLACEHOLDER_REGION,
    ("aws_region", "region"): PLACEHOLDER_REGION,
    ("aws_partition", "partition"): "aws",
}

POLICY_ATTRIBUTES = ("policy", "assume_role_policy", "policy_document")


class ParliamentCannotRun(Exception):
    """parliament is missing or broke: the documents were not linted."""


class UnknownReference(Exception):
    """A reference in a policy that has no placeholder form."""


# -- references -> placeholders -----------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\{((?:[^{}\"]|\"(?:[^\"\\]|\\.)*\")*)\}")
_REFERENCE = re.compile(r"^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(.+)$")
_REPLACE = re.compile(r'^replace\(\s*([^,]+?)\s*,\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)$')
_ELEMENT_SPLIT = re.compile(r'^element\(\s*split\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*([^,]+?)\s*\)\s*,\s*(\d+)\s*\)$')


def _reference_value(reference: str) -> str:
    match = _REFERENCE.match(reference.strip())
    if not match:
        raise UnknownReference(f"not a reference: {reference!r}")
    is_data, kind, _, attribute = match.groups()
    table = PLACEHOLDER_DATA if is_data else PLACEHOLDER_ARNS
    try:
        return table[(kind, attribute)]
    except KeyError:
        where = "PLACEHOLDER_DATA" if is_data else "PLACEHOLDER_ARNS"
        raise UnknownReference(
            f"no placeholder for {'data.' if is_data else ''}{kind}.*.{attribute}: add its form to {where} "
            "in gate/iam_policies.py"
        ) from None


def _expression_value(expression: str) -> str:
    """The value of the few expressions the modules write inside ARNs."""
    if match := _REPLACE.match(expression):
        subject, old, new = match.groups()
        return _reference_value(subject).replace(json.loads(f'"{old}"'), json.loads(f'"{new}"'))
    if match := _ELEMENT_SPLIT.match(expression):
        separator, subject, index = match.groups()
        parts = _reference_value(subject).split(json.loads(f'"{separator}"'))
        return parts[int(index) % len(parts)]
    return _reference_value(expression)


def placeholder(value: str) -> str:
    """`value` with every `${...}` replaced by a well-formed value of its form."""
    return _INTERPOLATION.sub(lambda m: _expression_value(m.group(1).strip()), value)


def _placeholders(node: Any) -> Any:
    if isinstance(node, str):
        return placeholder(node)
    if isinstance(node, list):
        return [_placeholders(item) for item in node]
    if isinstance(node, dict):
        return {key: _placeholders(item) for key, item in node.items()}
    return node


# -- rendering aws_iam_policy_document as the provider does -------------------------------


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _principals(blocks: list[dict[str, Any]]) -> Any:
    rendered: dict[str, list[str]] = {}
    for block in blocks:
        if block["type"] == "*" and block.get("identifiers") == ["*"]:
            return "*"
        rendered.setdefault(block["type"], []).extend(block.get("identifiers", []))
    return {kind: _one_or_many(ids) for kind, ids in rendered.items()}


def render_policy_document(block: dict[str, Any]) -> dict[str, Any]:
    """IAM JSON of an `aws_iam_policy_document` block (its `statement` list)."""
    if any(key in block for key in ("source_policy_documents", "override_policy_documents")):
        raise UnknownReference("documents merged from other documents are not rendered here")
    statements = []
    for item in block.get("statement", []):
        statement: dict[str, Any] = {}
        if item.get("sid"):
            statement["Sid"] = item["sid"]
        statement["Effect"] = item.get("effect", "Allow")
        for key, name in (("actions", "Action"), ("not_actions", "NotAction")):
            if item.get(key):
                statement[name] = _one_or_many(item[key])
        for key, name in (("resources", "Resource"), ("not_resources", "NotResource")):
            if item.get(key):
                statement[name] = _one_or_many(item[key])
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if item.get(key):
                statement[name] = _principals(item[key])
        conditions: dict[str, dict[str, Any]] = {}
        for condition in item.get("condition", []):
            conditions.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(condition["values"])
        if conditions:
            statement["Condition"] = conditions
        statements.append(statement)
    return {"Version": block.get("version", "2012-10-17"), "Statement": statements}


@dataclass(frozen=True)
class PolicyDocumentSource:
    stack: str
    address: str  # data.aws_iam_policy_document.<name> or <type>.<name>.<attribute>
    block: str  # the block name acceptances are keyed by
    policy: dict[str, Any]


def policy_documents(stack: str, document: dict[str, Any]) -> list[PolicyDocumentSource]:
    """Every policy document of a stack, references replaced by placeholders."""
    found = []
    for name, block in document.get("data", {}).get("aws_iam_policy_document", {}).items():
        policy = _placeholders(render_policy_document(block))
        found.append(PolicyDocumentSource(stack, f"data.aws_iam_policy_document.{name}", name, policy))
    for kind, blocks in document.get("resource", {}).items():
        for name, block in blocks.items():
            for attribute in POLICY_ATTRIBUTES:
                value = block.get(attribute)
                if not isinstance(value, str) or value.startswith("${data.aws_iam_policy_document."):
                    continue
                try:
                    policy = json.loads(value)
                except ValueError:
                    continue
                if isinstance(policy, dict) and "Statement" in policy:
                    found.append(PolicyDocumentSource(stack, f"{kind}.{name}.{attribute}", name, _placeholders(policy)))
    return found


# -- parliament ------------------------------------------------------------------------------

# Runs inside .venv-parliament: reads {"<id>": <policy>} on stdin, writes
# {"<id>": [finding, ...]} on stdout.
_PARLIAMENT_SCRIPT = r"""
import json, sys
import parliament
from parliament import analyze_policy_string, enhance_finding
documents = json.load(sys.stdin)
out = {}
for key, policy in documents.items():
    result = analyze_policy_string(json.dumps(policy))
    out[key] = [
        {
            "issue": f.issue,
            "title": enhance_finding(f).title,
            "severity": f.severity,
            "detail": f.detail,
            "location": {k: v for k, v in (f.location or {}).items() if k != "filepath"},
        }
        for f in result.findings
    ]
json.dump({"version": parliament.__version__, "findings": out}, sys.stdout, default=str)
"""


def run_parliament(
    policies: dict[str, dict[str, Any]], python: Path = DEFAULT_PARLIAMENT_PYTHON
) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """(parliament's version, findings by key) for `policies`; ParliamentCannotRun when it cannot."""
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise ParliamentCannotRun(
            f"parliament's environment is missing ({python}); `make test` installs it "
            "(`make .venv-parliament/.installed`, from tools/parliament-requirements.txt)"
        )
    try:
        completed = subprocess.run(
            [str(python), "-c", _PARLIAMENT_SCRIPT],
            input=json.dumps(policies),
            capture_output=True,
            text=True,
            timeout=PARLIAMENT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ParliamentCannotRun(f"parliament took over {PARLIAMENT_TIMEOUT_SECONDS} s") from error
    if completed.returncode != 0:
        raise ParliamentCannotRun(f"parliament exited {completed.returncode}:\n{completed.stderr[-3000:]}")
    try:
        output = json.loads(completed.stdout)
        findings = output["findings"]
    except (ValueError, KeyError, TypeError) as error:
        raise ParliamentCannotRun(
            f"parliament's output is not the expected JSON: {completed.stdout[:500]!r}"
        ) from error
    if set(findings) != set(policies):
        raise ParliamentCannotRun(f"parliament answered for {len(findings)} of {len(policies)} documents")
    return output["version"], findings


# -- judging ---------------------------------------------------------------------------------

# Rules for what parliament cannot know from a document alone, applied to every statement
# (counted and printed as "not applicable", never hidden):
_TRUST_ACTIONS = {"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"}


def not_applicable(statement: dict[str, Any], issue: str, detail: Any) -> str | None:
    """Why a parliament finding does not apply to `statement`, or None when it does."""
    actions = set(_as_list(statement.get("Action")))
    if (
        issue == "MALFORMED"
        and "neither Resource nor NotResource" in str(detail)
        and "Principal" in statement
        and actions <= _TRUST_ACTIONS
    ):
        return "a trust policy statement names no Resource (IAM refuses one there)"
    if issue == "RESOURCE_STAR" and "Principal" in statement and statement.get("Resource") == "*":
        return "in a resource policy (a key policy) Resource * is the resource the policy is attached to"
    return None


@dataclass(frozen=True)
class PolicyFinding:
    stack: str
    address: str
    sid: str
    issue: str
    title: str
    severity: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.stack}: {self.address} statement {self.sid or '(no Sid)'}: "
            f"{self.issue} [{self.severity}] {self.title}: {self.detail}"
        )


@dataclass
class PolicyLintReport:
    version: str
    documents: int = 0
    statements: int = 0
    findings: list[PolicyFinding] = field(default_factory=list)
    accepted: list[tuple[PolicyFinding, str]] = field(default_factory=list)
    not_applicable: dict[str, int] = field(default_factory=dict)  # rule -> count
    stale: list[Acceptance] = field(default_factory=list)
    per_stack: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings and not self.stale


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def lint_stacks(
    stacks: dict[str, Path],
    python: Path = DEFAULT_PARLIAMENT_PYTHON,
    accepted: tuple[Acceptance, ...] = ACCEPTED,
    report_stale: bool = True,
) -> PolicyLintReport:
    """parliament over every statement of every policy document of `stacks`, each statement
    as a document of its own, so each finding names its statement."""
    started = time.monotonic()
    statements: dict[str, tuple[PolicyDocumentSource, dict[str, Any]]] = {}
    documents = 0
    per_stack: dict[str, int] = {}
    for stack, path in stacks.items():
        for source in policy_documents(stack, json.loads(path.read_text(encoding="utf-8"))):
            documents += 1
            per_stack[stack] = per_stack.get(stack, 0) + 1
            for index, statement in enumerate(source.policy.get("Statement", [])):
                statements[f"{stack} {source.address} #{index}"] = (source, statement)
    version, results = run_parliament(
        {
            key: {"Version": s.policy.get("Version", "2012-10-17"), "Statement": [st]}
            for key, (s, st) in statements.items()
        },
        python,
    )
    report = PolicyLintReport(version=version, documents=documents, statements=len(statements), per_stack=per_stack)
    used: set[Acceptance] = set()
    for key, (source, statement) in statements.items():
        for raw in results[key]:
            detail = raw.get("detail")
            rule = not_applicable(statement, raw["issue"], detail)
            if rule:
                report.not_applicable[rule] = report.not_applicable.get(rule, 0) + 1
                continue
            finding = PolicyFinding(
                stack=source.stack,
                address=source.address,
                sid=statement.get("Sid", ""),
                issue=raw["issue"],
                title=raw.get("title", ""),
                severity=raw.get("severity", ""),
                detail=detail if isinstance(detail, str) else json.dumps(detail),
            )
            acceptance = next((a for a in accepted if a.matches(finding.sid, finding.issue)), None)
            if acceptance:
                report.accepted.append((finding, acceptance.reason))
                used.add(acceptance)
            else:
                report.findings.append(finding)
    if report_stale:
        report.stale = [a for a in accepted if a not in used]
    report.seconds = time.monotonic() - started
    return report


def render(report: PolicyLintReport) -> str:
    lines = [
        f"IAM policies (parliament {report.version}): {report.documents} documents, {report.statements} statements, "
        f"{len(report.findings)} findings, {len(report.accepted)} accepted, {report.seconds:.1f} s"
    ]
    lines += [f"  {stack}: {count} documents" for stack, count in sorted(report.per_stack.items())]
    lines += [f"  not applicable ({count}): {rule}" for rule, count in sorted(report.not_applicable.items())]
    lines += [f"FINDING  {finding}" for finding in report.findings]
    accepted: dict[tuple[str, str, str], list[str]] = {}
    for finding, reason in report.accepted:
        accepted.setdefault((finding.sid, finding.issue, reason), []).append(finding.stack)
    lines += [
        f"accepted {issue} on statement {sid} ({len(stacks)} in {len(set(stacks))} stacks): {reason}"
        for (sid, issue, reason), stacks in sorted(accepted.items())
    ]
    lines += [
        f"STALE    acceptance of {a.issue} on statements {a.sid} matches no finding; remove it from "
        f"gate/iam_accepted.py (reason was: {a.reason})"
        for a in report.stale
    ]
    return "\n".join(lines)
