"""Customer-managed KMS keys, built one way: AWS's account-root statement plus the services that use the key.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from constructs import Construct

from modules.common.policy import policy_document, policy_statement
from modules.common.waivers import waive

if TYPE_CHECKING:
    from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
        DataAwsIamPolicyDocument,
        DataAwsIamPolicyDocumentStatement,
    )

# The longest window KMS allows: a key scheduled for deletion by mistake can be restored
# for a month before what it encrypted is lost.
KEY_DELETION_WINDOW_DAYS = 30
# Yearly, AWS's default and what audit regimes ask for; KMS keeps every old key version.
KEY_ROTATION_PERIOD_DAYS = 365


def account_root_statement(partition: str, account_id: str) -> DataAwsIamPolicyDocumentStatement:
    """AWS's default key statement: without it nobody in the account could ever administer
    the key again. In a key policy "*" is this key."""
    return policy_statement(
        "AccountAdministersKey",
        ["kms:*"],
        ["*"],
        principal=("AWS", [f"arn:{partition}:iam::{account_id}:root"]),
    )


def waive_account_root_findings(key_policy: DataAwsIamPolicyDocument) -> None:
    """The reasons checkov's IAM checks do not apply to a key policy's account-root statement."""
    waive(
        key_policy,
        "CKV_AWS_356",
        'Key policy: Resource "*" in a key policy means this key and nothing else; AWS requires it.',
    )
    for check_id in ("CKV_AWS_109", "CKV_AWS_111"):
        waive(
            key_policy,
            check_id,
            "AWS's default key-policy statement for the account root: it delegates key "
            "administration to this account's IAM policies and is what keeps the key "
            "manageable; no principal outside the account is named.",
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
    ) -> None:
        super().__init__(scope, construct_id)
        from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
        from cdktf_cdktf_provider_aws.kms_key import KmsKey
        from cdktf_cdktf_provider_aws.kms_key_policy import KmsKeyPolicy

        if not alias.startswith("alias/") or alias.startswith("alias/aws/"):
            raise ValueError(f"key alias: expected a name starting with 'alias/' (not 'alias/aws/'), got {alias!r}")
        self._statements: list[DataAwsIamPolicyDocumentStatement] = [account_root_statement(partition, account_id)]
        self._policy = policy_document(self, "policy", self._statements)
        waive_account_root_findings(self._policy)
        self.key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_PERIOD_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            tags=dict(tags) if tags else None,
        )
        KmsKeyPolicy(self, "key_policy", key_id=self.key.key_id, policy=self._policy.json)
        KmsAlias(self, "alias", name=alias, target_key_id=self.key.key_id)
        self.arn: str = self.key.arn
        self.key_id: str = self.key.key_id
        self.alias_name: str = alias

    def add_to_key_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None:
        """Append statements to the key policy (each needs its own Sid)."""
        self._statements.extend(statements)
        self._policy.put_statement(list(self._statements))
