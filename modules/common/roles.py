"""IAM roles whose permissions come from the resources they use.

`ServiceRole(scope, id, name=..., service="ecs-tasks.amazonaws.com", ...)` creates a role
that one AWS service may assume; for the services that send them, only for this account
(aws:SourceAccount) and, when the caller names the resources that assume it,
aws:SourceArn: the confused-deputy guard. It starts with no permissions. The owner of a resource grants them:
`queue.grant_consume(worker)` calls `worker.add_to_policy(policy_statement(...))`, so the
statement names exactly that queue, and the consumer never writes IAM by hand.

Every statement lands in one inline policy (`aws_iam_role_policy`) built from an
`aws_iam_policy_document`, so checkov's IAM checks read each statement and the whole
role is reviewed in one place. The policy resource only exists once a statement is
added: an empty policy document is refused by IAM.

`Grantee` is what a `grant_*` method accepts: a ServiceRole, or a construct that owns one
(a FargateService grants to its task role).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from constructs import Construct

from modules.common.policy import Condition, policy_document, policy_statement

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import (
        DataAwsIamPolicyDocument,
        DataAwsIamPolicyDocumentStatement,
    )

# An inline policy holds at most 10,240 characters in all a role's inline policies
# (IAM quota); one policy per role keeps that budget in one place.
INLINE_POLICY_NAME = "granted-by-resources"

# The services whose guides put aws:SourceAccount / aws:SourceArn in the trust policy of the
# role they assume (ECS task roles; RDS Enhanced Monitoring). A condition on a key a service
# does not send makes its role unassumable, which no emulator shows (moto evaluates no trust
# policy), and the guides of the others here document an unconditioned trust: EC2 instance
# profiles, RDS Proxy, AWS Backup, API Gateway's logging role. Those trust the service alone;
# who may hand them the role is then decided by iam:PassRole, which stays in this account.
SOURCE_CONDITION_SERVICES = frozenset({"ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com"})


@runtime_checkable
class Grantee(Protocol):
    """Anything `grant_*` methods can give permissions to."""

    def add_to_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None: ...


class ServiceRole(Construct):
    """A role one AWS service assumes for this account, with permissions granted to it.

    Attributes: role (the IamRole), arn, name. Construct IDs: trust_policy, role,
    managed_policy_<n>, policy_document and policy (the last two once a statement is granted).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        service: str,
        description: str,
        account_id: str,
        source_arns: Sequence[str] = (),
        managed_policy_arns: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """`source_arns` (ArnLike patterns) narrow who may assume the role; only for the
        services in SOURCE_CONDITION_SERVICES, which send aws:SourceArn.
        `managed_policy_arns` only for AWS-maintained policies whose action lists change
        with the service (e.g. AmazonSSMManagedInstanceCore); say why at the call site."""
        super().__init__(scope, construct_id)
        from bindings.aws.iam_role import IamRole
        from bindings.aws.iam_role_policy_attachment import IamRolePolicyAttachment

        conditions: list[Condition] = []
        if service in SOURCE_CONDITION_SERVICES:
            conditions.append(("StringEquals", "aws:SourceAccount", [account_id]))
        if source_arns:
            if service not in SOURCE_CONDITION_SERVICES:
                raise ValueError(
                    f"{name}: expected no source_arns for {service} (it sends no aws:SourceArn when it assumes "
                    f"a role, so the role could never be assumed), got {list(source_arns)}"
                )
            conditions.append(("ArnLike", "aws:SourceArn", list(source_arns)))
        trust = policy_document(
            self,
            "trust_policy",
            [
                policy_statement(
                    "ServiceAssumesRole", ["sts:AssumeRole"], principal=("Service", [service]), conditions=conditions
                )
            ],
        )
        self.role = IamRole(
            self,
            "role",
            name=name,
            description=description,
            assume_role_policy=trust.json,
            tags=dict(tags) if tags else None,
        )
        for index, policy_arn in enumerate(managed_policy_arns):
            IamRolePolicyAttachment(self, f"managed_policy_{index}", role=self.role.name, policy_arn=policy_arn)
        self.arn: str = self.role.arn
        self.name: str = name
        self._statements: list[DataAwsIamPolicyDocumentStatement] = []
        self._document: DataAwsIamPolicyDocument | None = None

    def add_to_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None:
        """Append statements to the role's one inline policy (each needs its own Sid)."""
        if not statements:
            return
        self._statements.extend(statements)
        sids = [statement.sid for statement in self._statements]
        repeated = sorted({sid for sid in sids if sids.count(sid) > 1})
        if repeated:
            raise ValueError(
                f"{self.name}: expected distinct statement Sids in the role's policy, got {repeated!r} twice"
            )
        if self._document is None:
            from bindings.aws.iam_role_policy import IamRolePolicy

            self._document = policy_document(self, "policy_document", self._statements)
            IamRolePolicy(self, "policy", name=INLINE_POLICY_NAME, role=self.role.id, policy=self._document.json)
        else:
            self._document.put_statement(list(self._statements))

    @property
    def statements(self) -> tuple[DataAwsIamPolicyDocumentStatement, ...]:
        return tuple(self._statements)
