"""Customer-managed KMS keys, built one way: administrators apart from users, plus the services that use the key.

`ManagedKey(scope, id, alias=..., description=..., partition=..., account_id=...)` creates
the key, its alias and its key policy (an `aws_iam_policy_document`, so checkov reads
every statement). A module then lets a service use the key with
`key.add_to_key_policy(policy_statement(...))`: the statement can name resources created
after the key (a distribution ARN, a log group ARN), which a policy fixed at construction
could not, because those resources usually need the key's ARN themselves.

The policy is its own resource (`aws_kms_key_policy`), not the key's `policy` argument:
the key, and what encrypts with it, are then created at once, and only the policy waits
for the resources its statements name (a CloudFront distribution takes minutes). Until
the policy is written the key has AWS's default policy (the account root only).

Every key rotates yearly and waits the longest deletion window (30 days): a deleted key
makes everything it encrypted unreadable, for good.

Administration and use are separate statements (security review, issue 24, finding 1):
- `KeyAdministratorsAdministerKey`: AWS's "Allows key administrators to administer the
  KMS key" actions (no Encrypt/Decrypt/GenerateDataKey) to the key administrators: the
  environment file's `key_administrator_arns` (IAM roles), or by default the account root,
  which delegates administration to this account's IAM policies. Either way the policy
  lets someone PutKeyPolicy, so AWS's lockout safety check passes and the key stays
  manageable.
- `AccountUsesKeyThroughAwsServices` / `AccountGrantsKeyToAwsResources`: this account's
  principals may use the key only inside a request an AWS service makes for them
  (kms:ViaService present) or grant it to an AWS resource (kms:GrantIsForAWSResource);
  which service, and which principal, is then decided by the identity policy a store's
  `grant_*` gives (store_keys.key_use_statement names the service). Nobody can call
  kms:Decrypt on the key directly unless a module adds a statement for it (ECS Exec).
- `OnlyKeyAdministratorsManageKey` (only with explicit administrators): deny deleting,
  disabling, re-policying the key and turning off its rotation to every principal but
  them. With the account root as administrator it is left out: "everyone but the root"
  would be every IAM role, Terraform's included, and the key would become unmanageable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from constructs import Construct

from modules.common.key_administrators import (  # noqa: F401 (re-exported)
    KEY_ADMINISTRATORS_CONTEXT,
    check_key_administrator_arns,
)
from modules.common.policy import policy_document, policy_statement
from modules.common.waivers import waive

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import (
        DataAwsIamPolicyDocument,
        DataAwsIamPolicyDocumentStatement,
    )

    from bindings.cdk import TerraformProvider

# The longest window KMS allows: a key scheduled for deletion by mistake can be restored
# for a month before what it encrypted is lost.
KEY_DELETION_WINDOW_DAYS = 30
# Yearly, AWS's default and what audit regimes ask for; KMS keeps every old key version.
KEY_ROTATION_PERIOD_DAYS = 365


# AWS's key-policy guidance, "Allows key administrators to administer the KMS key": every
# management action, none that encrypts or decrypts (Create* includes CreateGrant, as there).
KEY_ADMINISTRATION_ACTIONS: tuple[str, ...] = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
)
# What an AWS service does with a key for the principal it acts for.
KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)
# The grant actions a service calls to keep using a key for a resource's lifetime.
KEY_GRANT_ACTIONS: tuple[str, ...] = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
# Denied to everyone but explicit administrators: what destroys the key's data or control.
KEY_GUARDED_ACTIONS: tuple[str, ...] = (
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:DeleteImportedKeyMaterial",
)
# The statements every ManagedKey starts with (the guard rail only with explicit administrators).
BASE_STATEMENT_SIDS: tuple[str, ...] = (
    "KeyAdministratorsAdministerKey",
    "AccountUsesKeyThroughAwsServices",
    "AccountGrantsKeyToAwsResources",
)
GUARD_RAIL_SID = "OnlyKeyAdministratorsManageKey"


def key_administrators(scope: Construct, administrator_arns: Sequence[str] | None = None) -> tuple[str, ...]:
    """`administrator_arns`, else the environment's (KEY_ADMINISTRATORS_CONTEXT), else none (the root)."""
    if administrator_arns is None:
        administrator_arns = scope.node.try_get_context(KEY_ADMINISTRATORS_CONTEXT) or ()
    return tuple(administrator_arns)


def root_arn(partition: str, account_id: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def key_administration_statements(
    partition: str, account_id: str, administrator_arns: Sequence[str] = ()
) -> list[DataAwsIamPolicyDocumentStatement]:
    """Administration of a key: to `administrator_arns` (then with the guard rail), or to the
    account root (IAM policies decide who). In a key policy "*" is this key."""
    statements = [
        policy_statement(
            "KeyAdministratorsAdministerKey",
            KEY_ADMINISTRATION_ACTIONS,
            ["*"],
            principal=("AWS", list(administrator_arns) or [root_arn(partition, account_id)]),
        )
    ]
    if administrator_arns:
        statements.append(
            policy_statement(
                GUARD_RAIL_SID,
                KEY_GUARDED_ACTIONS,
                ["*"],
                principal=("AWS", ["*"]),
                conditions=[("ArnNotEquals", "aws:PrincipalArn", list(administrator_arns))],
                effect="Deny",
            )
        )
    return statements


def key_use_through_services_statements(partition: str, account_id: str) -> list[DataAwsIamPolicyDocumentStatement]:
    """This account's principals may use the key only through an AWS service, and grant it
    only to AWS resources; their identity policies say which service (kms:ViaService)."""
    root = ("AWS", [root_arn(partition, account_id)])
    account = ("StringEquals", "kms:CallerAccount", [account_id])
    return [
        policy_statement(
            "AccountUsesKeyThroughAwsServices",
            KEY_USE_ACTIONS,
            ["*"],
            principal=root,
            conditions=[account, ("Null", "kms:ViaService", ["false"])],
        ),
        policy_statement(
            "AccountGrantsKeyToAwsResources",
            KEY_GRANT_ACTIONS,
            ["*"],
            principal=root,
            conditions=[account, ("Bool", "kms:GrantIsForAWSResource", ["true"])],
        ),
    ]


def waive_key_policy_findings(key_policy: DataAwsIamPolicyDocument) -> None:
    """The reasons checkov's IAM checks do not apply to a key policy's administration statement."""
    waive(
        key_policy,
        "CKV_AWS_356",
        'Key policy: Resource "*" in a key policy means this key and nothing else; AWS requires it.',
    )
    for check_id in ("CKV_AWS_109", "CKV_AWS_111"):
        waive(
            key_policy,
            check_id,
            "AWS's key-administrator statement (management actions only, no key use) to the "
            "environment's key administrators or the account root: it is what keeps the key "
            "manageable (KMS's lockout safety check); no principal outside the account is named.",
        )


class ManagedKey(Construct):
    """A symmetric customer-managed key with an alias and a key policy you can extend.

    Attributes: key (the KmsKey), arn, key_id, alias_name.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alias: str,
        description: str,
        partition: str,
        account_id: str,
        tags: Mapping[str, str] | None = None,
        administrator_arns: Sequence[str] | None = None,
        provider: TerraformProvider | None = None,
    ) -> None:
        """`administrator_arns`: Default: the environment's `key_administrator_arns`
        (KEY_ADMINISTRATORS_CONTEXT), or the account root when it gives none. `provider`:
        Default: the stack's; give an aliased one for a key in another region (a key is
        regional, and so is what it encrypts)."""
        super().__init__(scope, construct_id)
        from bindings.aws.kms_alias import KmsAlias
        from bindings.aws.kms_key import KmsKey
        from bindings.aws.kms_key_policy import KmsKeyPolicy

        if not alias.startswith("alias/") or alias.startswith("alias/aws/"):
            raise ValueError(f"key alias: expected a name starting with 'alias/' (not 'alias/aws/'), got {alias!r}")
        self.administrator_arns = key_administrators(self, administrator_arns)
        self._statements: list[DataAwsIamPolicyDocumentStatement] = [
            *key_administration_statements(partition, account_id, self.administrator_arns),
            *key_use_through_services_statements(partition, account_id),
        ]
        self._policy = policy_document(self, "policy", self._statements)
        waive_key_policy_findings(self._policy)
        self.key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_PERIOD_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            tags=dict(tags) if tags else None,
            provider=provider,
        )
        KmsKeyPolicy(self, "key_policy", key_id=self.key.key_id, policy=self._policy.json, provider=provider)
        KmsAlias(self, "alias", name=alias, target_key_id=self.key.key_id, provider=provider)
        self.arn: str = self.key.arn
        self.key_id: str = self.key.key_id
        self.alias_name: str = alias

    def add_to_key_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None:
        """Append statements to the key policy (each needs its own Sid)."""
        self._statements.extend(statements)
        self._policy.put_statement(list(self._statements))
