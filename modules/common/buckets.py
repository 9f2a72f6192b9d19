"""Private S3 buckets, built one way: the site, log and backup buckets of every module.

`PrivateBucket` is an S3 bucket that nothing outside the account can reach:
- every public-access block on, ACLs off (BucketOwnerEnforced) unless a log-delivery
  service that only speaks ACLs needs a grant (`acl_grants`, e.g. CloudFront standard logs);
- default encryption, SSE-KMS with a bucket key, or SSE-S3 where the writer cannot use
  KMS (ALB access logs, S3 server access logs): the caller says why, and that reason is
  the waiver of checkov's CKV_AWS_145;
- versioning on, with a lifecycle rule that expires old versions, aborts incomplete
  multipart uploads and, for logs, expires objects after `expiration_days`;
- a bucket policy that denies every request not made over TLS. Services are granted
  access with `add_to_resource_policy(...)`, which can name resources created after the
  bucket (a CloudFront distribution needs the bucket's domain name, and the bucket
  policy needs the distribution's ARN).

Checks the caller decides (access logging CKV_AWS_18, replication CKV_AWS_144, event
notifications CKV2_AWS_62) stay with the caller, who waives them beside the bucket
(`waive(bucket.bucket, ...)`) with a reason that fits what the bucket holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from constructs import Construct

from modules.common.policy import policy_document, policy_statement
from modules.common.waivers import waive

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement

# S3 keeps the parts of an upload that never completed, and bills them, until they are
# aborted; a week covers any deploy or log delivery that is still retrying.
ABORT_INCOMPLETE_UPLOADS_DAYS = 7


@dataclass(frozen=True)
class KmsEncryption:
    """SSE-KMS with this key (its policy must let the bucket's writers and readers use it)."""

    key_arn: str


@dataclass(frozen=True)
class S3ManagedEncryption:
    """SSE-S3 (AES-256, keys held by S3), for writers that cannot use KMS.

    `why_not_kms` is recorded as the waiver of CKV_AWS_145, e.g. "ALB access logs
    support only SSE-S3".
    """

    why_not_kms: str


@dataclass(frozen=True)
class AclGrant:
    """FULL_CONTROL for a canonical user, for a delivery service that only writes through ACLs.

    `why` is recorded as the waiver of CKV2_AWS_65 (ACLs enabled).
    """

    canonical_user_id: str
    why: str


class PrivateBucket(Construct):
    """An encrypted, versioned, lifecycle-managed S3 bucket with every public access blocked.

    Attributes: bucket (the S3Bucket), bucket_name, bucket_arn (literal, built from the
    name), bucket_domain_name, bucket_regional_domain_name, acl (the S3BucketAcl, None
    without acl_grants).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_name: str,
        partition: str,
        encryption: KmsEncryption | S3ManagedEncryption,
        noncurrent_version_expiration_days: int,
        expiration_days: int | None = None,
        acl_grants: Sequence[AclGrant] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        from bindings.aws.data_aws_canonical_user_id import DataAwsCanonicalUserId
        from bindings.aws.s3_bucket import S3Bucket
        from bindings.aws.s3_bucket_acl import (
            S3BucketAcl,
            S3BucketAclAccessControlPolicy,
            S3BucketAclAccessControlPolicyGrant,
            S3BucketAclAccessControlPolicyGrantGrantee,
            S3BucketAclAccessControlPolicyOwner,
        )
        from bindings.aws.s3_bucket_lifecycle_configuration import (
            S3BucketLifecycleConfiguration,
            S3BucketLifecycleConfigurationRule,
            S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
            S3BucketLifecycleConfigurationRuleExpiration,
            S3BucketLifecycleConfigurationRuleFilter,
            S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
        )
        from bindings.aws.s3_bucket_ownership_controls import (
            S3BucketOwnershipControls,
            S3BucketOwnershipControlsRule,
        )
        from bindings.aws.s3_bucket_policy import S3BucketPolicy
        from bindings.aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
        from bindings.aws.s3_bucket_server_side_encryption_configuration import (
            S3BucketServerSideEncryptionConfigurationA,
            S3BucketServerSideEncryptionConfigurationRuleA,
            S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
        )
        from bindings.aws.s3_bucket_versioning import (
            S3BucketVersioningA,
            S3BucketVersioningVersioningConfiguration,
        )

        if noncurrent_version_expiration_days < 1:
            raise ValueError(
                f"noncurrent_version_expiration_days: expected at least 1, got {noncurrent_version_expiration_days}"
            )
        if expiration_days is not None and expiration_days < 1:
            raise ValueError(f"expiration_days: expected at least 1 (or None to keep objects), got {expiration_days}")

        self.bucket = S3Bucket(self, "bucket", bucket=bucket_name, tags=dict(tags) if tags else None)
        bucket_id = self.bucket.id
        self.bucket_name: str = self.bucket.bucket
        # Built from the name, not read from the resource: a policy that names the bucket
        # then stays literal, in review and at plan time (a data source that reads a
        # resource attribute waits for any change to that resource, and shows its whole
        # policy as unknown in the meantime).
        self.bucket_arn: str = f"arn:{partition}:s3:::{bucket_name}"
        self.bucket_domain_name: str = self.bucket.bucket_domain_name
        self.bucket_regional_domain_name: str = self.bucket.bucket_regional_domain_name

        public_access_block = S3BucketPublicAccessBlock(
            self,
            "public_access_block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )

        # BucketOwnerEnforced turns ACLs off: access is decided by policies alone. Only a
        # delivery service that writes through ACLs gets BucketOwnerPreferred, which
        # still makes the bucket owner the owner of every object written with the
        # bucket-owner-full-control ACL.
        ownership = S3BucketOwnershipControls(
            self,
            "ownership_controls",
            bucket=bucket_id,
            rule=S3BucketOwnershipControlsRule(
                object_ownership="BucketOwnerPreferred" if acl_grants else "BucketOwnerEnforced"
            ),
        )
        self.acl: S3BucketAcl | None = None
        if acl_grants:
            owner = DataAwsCanonicalUserId(self, "owner")
            self.acl = S3BucketAcl(
                self,
                "acl",
                bucket=bucket_id,
                access_control_policy=S3BucketAclAccessControlPolicy(
                    owner=S3BucketAclAccessControlPolicyOwner(id=owner.id),
                    grant=[
                        S3BucketAclAccessControlPolicyGrant(
                            permission="FULL_CONTROL",
                            grantee=S3BucketAclAccessControlPolicyGrantGrantee(type="CanonicalUser", id=grantee_id),
                        )
                        # The owner first: an ACL without the owner's grant locks the owner
                        # out of ACL-level access to its own bucket.
                        for grantee_id in (owner.id, *(grant.canonical_user_id for grant in acl_grants))
                    ],
                ),
                # ACLs can only be set once ownership allows them and public ACLs are blocked.
                depends_on=[ownership, public_access_block],
            )
            waive(ownership, "CKV2_AWS_65", " ".join(grant.why for grant in acl_grants))

        if isinstance(encryption, KmsEncryption):
            by_default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=encryption.key_arn
            )
        else:
            by_default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256"
            )
            waive(self.bucket, "CKV_AWS_145", encryption.why_not_kms)
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=by_default,
                    # A bucket key cuts KMS requests (and their cost) by up to 99%: S3 asks
                    # KMS for a bucket-level key instead of one data key per object.
                    bucket_key_enabled=isinstance(encryption, KmsEncryption),
                )
            ],
        )

        versioning = S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket_id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )

        # One rule over the whole bucket. Without an expiry for current objects, the rule
        # removes the delete markers that expiring old versions leaves behind (S3 allows
        # that only in a rule with no expiry days).
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket_id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="retention",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter()],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=ABORT_INCOMPLETE_UPLOADS_DAYS
                        )
                    ],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=noncurrent_version_expiration_days
                        )
                    ],
                    expiration=[
                        S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)
                        if expiration_days is not None
                        else S3BucketLifecycleConfigurationRuleExpiration(expired_object_delete_marker=True)
                    ],
                )
            ],
            # Rules about noncurrent versions go on once versioning is on (the order the
            # provider documents for versioned buckets).
            depends_on=[versioning],
        )

        self._statements: list[DataAwsIamPolicyDocumentStatement] = [
            policy_statement(
                "DenyInsecureTransport",
                ["s3:*"],
                [self.bucket_arn, f"{self.bucket_arn}/*"],
                principal=("AWS", ["*"]),
                conditions=[("Bool", "aws:SecureTransport", ["false"])],
                effect="Deny",
            )
        ]
        self._policy_document = policy_document(self, "policy_document", self._statements)
        S3BucketPolicy(
            self,
            "policy",
            bucket=bucket_id,
            policy=self._policy_document.json,
            # S3 aborts concurrent configuration writes to one bucket (OperationAborted),
            # so the policy waits for the public access block.
            depends_on=[public_access_block],
        )

    def add_to_resource_policy(self, *statements: DataAwsIamPolicyDocumentStatement) -> None:
        """Append statements to the bucket policy (each needs its own Sid)."""
        self._statements.extend(statements)
        self._policy_document.put_statement(list(self._statements))
