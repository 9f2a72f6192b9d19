"""IAM and resource policies, built one way: `aws_iam_policy_document` data sources.

Every module writes its trust, identity, key and resource policies with
`policy_document(scope, id, [policy_statement(...), ...])` and passes the document's
`.json` to the resource. The statements then stand in the synthesized JSON as data
sources, where reviewers read them and checkov's IAM checks evaluate each one; a
hand-written JSON string would hide them from both.

The provider bindings are imported when a document is built, not when this module is
imported, so modules.common stays cheap for the environment layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import (
        DataAwsIamPolicyDocument,
        DataAwsIamPolicyDocumentStatement,
    )
    from constructs import Construct

Principal = tuple[str, Sequence[str]]
"""(type, identifiers), e.g. ("Service", ["vpc-flow-logs.amazonaws.com"])."""

Condition = tuple[str, str, Sequence[str]]
"""(test, variable, values), e.g. ("StringEquals", "aws:SourceAccount", [account_id])."""


def policy_statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str] = (),
    principal: Principal | None = None,
    conditions: Sequence[Condition] = (),
    *,
    effect: str = "Allow",
) -> DataAwsIamPolicyDocumentStatement:
    """One statement. No resources (a trust policy) leaves `resources` out of the JSON."""
    from bindings.aws.data_aws_iam_policy_document import (
        DataAwsIamPolicyDocumentStatement,
        DataAwsIamPolicyDocumentStatementCondition,
        DataAwsIamPolicyDocumentStatementPrincipals,
    )

    return DataAwsIamPolicyDocumentStatement(
        sid=sid,
        effect=effect,
        actions=list(actions),
        resources=list(resources) or None,
        principals=(
            [DataAwsIamPolicyDocumentStatementPrincipals(type=principal[0], identifiers=list(principal[1]))]
            if principal
            else None
        ),
        condition=[
            DataAwsIamPolicyDocumentStatementCondition(test=test, variable=variable, values=list(values))
            for test, variable, values in conditions
        ]
        or None,
    )


def policy_document(
    scope: Construct, construct_id: str, statements: Sequence[DataAwsIamPolicyDocumentStatement]
) -> DataAwsIamPolicyDocument:
    """An `aws_iam_policy_document` data source; use its `.json` as the policy."""
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocument

    return DataAwsIamPolicyDocument(scope, construct_id, statement=list(statements))
