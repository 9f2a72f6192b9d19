"""AttachmentsBucket: the private bucket that holds the files users attach to chat messages.

- A `PrivateBucket` (modules/common/buckets.py): every public access blocked, ACLs off,
  TLS-only bucket policy, versioning, a lifecycle rule that expires old versions after
  `noncurrent_version_expiration_days` and aborts incomplete multipart uploads.
- SSE-KMS with a bucket key, under the bucket's own customer-managed key (the
  attachments data domain) or a key the caller gives.
- CORS for browser uploads and downloads from the frontend's origins only: PUT (presigned
  PUT), POST (presigned POST form) and GET. Browsers never hold AWS credentials: the API
  signs each request (README: "Presigned uploads").
- Server access logs to a second private bucket (SSE-S3: S3 delivers server access logs
  to SSE-S3 buckets only), written by the S3 logging service for this bucket only, and
  expired after `access_log_expiration_days`.
- `grant_read_write(grantee)`: object reads, writes and deletes on this bucket only, and
  the key only through S3 (kms:ViaService). No ListBucket: the API knows its keys.
"""

from __future__ import annotations

from bindings.aws.s3_bucket_cors_configuration import (
    S3BucketCorsConfiguration,
    S3BucketCorsConfigurationCorsRule,
)
from bindings.aws.s3_bucket_logging import S3BucketLoggingA
from constructs import Construct

from modules.attachments.props import AttachmentsBucketProps
from modules.backup.supported import BackupTarget
from modules.common.aws_arn import dns_suffix_for_region
from modules.common.buckets import KmsEncryption, PrivateBucket, S3ManagedEncryption
from modules.common.policy import policy_statement
from modules.common.roles import Grantee
from modules.common.stack_context import module_context
from modules.common.store_keys import key_use_statement, module_store_key
from modules.common.waivers import waive
from modules.observability.props import AlarmsProps
from modules.observability.specs import Watch

# What the API does with attachments: read (and presign downloads), write (and presign
# uploads, which S3 authorises as the signer), delete with the message, and abort a
# multipart upload a client gave up on. Objects only: nothing on the bucket itself.
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
# SSE-KMS: writing asks KMS for a data key, reading decrypts it (a bucket key is derived
# with the same two calls).
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")

# Browser methods: GET (downloads by presigned URL), PUT (presigned PUT) and POST
# (presigned POST form, the one that can cap the size; see the README).
CORS_METHODS = ("GET", "PUT", "POST")
# Headers a browser may send with an upload: its type (signed into the URL), and the
# integrity headers S3 checks (Content-MD5, or the x-amz-checksum-* headers current AWS
# SDKs add when they presign with a checksum).
CORS_HEADERS = ("content-type", "content-md5", "x-amz-checksum-*", "x-amz-sdk-checksum-algorithm")
# A multipart upload needs each part's ETag to complete it.
CORS_EXPOSED_HEADERS = ("ETag",)

# Key prefix of this bucket's server access logs in the log bucket.
ACCESS_LOG_PREFIX = "attachments/"
# A log file is written once; an old version only exists after a deletion or overwrite.
LOG_NONCURRENT_VERSION_DAYS = 7


class AttachmentsBucket(Construct):
    """Private, versioned, SSE-KMS bucket for message attachments, with browser CORS for the
    frontend, server access logs to a log bucket, and an object-only read/write grant.

    Typed outputs (attributes): bucket_name, bucket_arn, bucket_regional_domain_name,
    endpoint, kms_key_arn, log_bucket_name, log_bucket_arn.

    Construct IDs: bucket, log_bucket, key (only without kms_key_arn), cors, access_logging.

    A store of the stack (the Component protocol of stacks/platform.py): backup_targets()
    (what AWS Backup protects of it) and watches(thresholds) (none: nothing to exhaust).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: AttachmentsBucketProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        partition = context.partition
        account_id = context.account_id

        self.key, self.kms_key_arn = module_store_key(
            self, props, context, data_domain="attachments", description=f"{props.name} attachments bucket"
        )

        # S3 names are global: the account and region keep these unique without a random
        # suffix, so the names stay literal for reviewers (at most 60 characters with a
        # 20-character name and the longest region names; S3 allows 63).
        bucket_name = f"{props.name}-attachments-{account_id}-{props.region}"
        self.log_bucket = self._log_bucket(
            partition, account_id, source_bucket_arn=f"arn:{partition}:s3:::{bucket_name}"
        )
        self.bucket = PrivateBucket(
            self,
            "bucket",
            bucket_name=bucket_name,
            partition=partition,
            encryption=KmsEncryption(self.kms_key_arn),
            noncurrent_version_expiration_days=props.noncurrent_version_expiration_days,
            tags=self._tags(f"{props.name}-attachments"),
        )
        if props.deletion_protection:
            self.bucket.bucket.add_override("lifecycle.prevent_destroy", True)
        waive(
            self.bucket.bucket,
            "CKV_AWS_144",
            "Attachments are protected by versioning and by AWS Backup (the stack adds this bucket to the "
            "backup selection), which copies every recovery point to the environment's backup.copy_region "
            "when it sets one (modules/backup: Region loss); S3 replication as well would pay twice for one "
            "protection against a region loss.",
        )
        waive(
            self.bucket.bucket,
            "CKV2_AWS_62",
            "Nothing reacts to uploads yet: the API records an attachment when the client confirms its "
            "upload. A scanning pipeline would add the notification together with its consumer.",
        )

        S3BucketCorsConfiguration(
            self,
            "cors",
            bucket=self.bucket.bucket.id,
            cors_rule=[
                S3BucketCorsConfigurationCorsRule(
                    id="frontend-uploads",
                    allowed_methods=list(CORS_METHODS),
                    allowed_origins=list(props.cors_allowed_origins),
                    allowed_headers=list(CORS_HEADERS),
                    expose_headers=list(CORS_EXPOSED_HEADERS),
                    max_age_seconds=props.cors_max_age_seconds,
                )
            ],
        )
        S3BucketLoggingA(
            self,
            "access_logging",
            bucket=self.bucket.bucket.id,
            target_bucket=self.log_bucket.bucket_name,
            target_prefix=ACCESS_LOG_PREFIX,
            # S3 checks at once that it may deliver: the log bucket's policy comes first.
            depends_on=[self.log_bucket.node.find_child("policy")],
        )

        self.bucket_name: str = self.bucket.bucket_name
        self.bucket_arn: str = self.bucket.bucket_arn
        self.bucket_regional_domain_name: str = self.bucket.bucket_regional_domain_name
        self.endpoint: str = f"https://{bucket_name}.s3.{props.region}.{dns_suffix_for_region(props.region)}"
        """The bucket's regional virtual-hosted endpoint, where browsers send presigned uploads and
        downloads (the API must presign against it): the origin the frontend's CSP allows. Built
        from the name, so literal when the account id is."""
        self.log_bucket_name: str = self.log_bucket.bucket_name
        self.log_bucket_arn: str = self.log_bucket.bucket_arn

    # -- what the stack's backup plan and alarms take from it (the Component protocol, stacks/platform.py)

    def backup_targets(self) -> tuple[BackupTarget, ...]:
        """The bucket, by its literal ARN (how BackupPlan knows to attach the S3 policies)."""
        return (BackupTarget("attachments", self.bucket_arn),)

    def watches(self, thresholds: AlarmsProps) -> tuple[Watch, ...]:
        """None: S3 has no capacity to exhaust; failed uploads surface as the API's 5xx."""
        return ()

    def grant_read_write(self, grantee: Grantee) -> None:
        """Let `grantee` read, write and delete attachments (objects only), and presign those
        requests for browsers; the key only through S3 in this region."""
        grantee.add_to_policy(
            policy_statement("ReadWriteAttachments", OBJECT_ACTIONS, [f"{self.bucket_arn}/*"]),
            key_use_statement(
                "UseAttachmentsKeyThroughS3", KEY_ACTIONS, self.kms_key_arn, service="s3", region=self.props.region
            ),
        )

    # -- helpers -------------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _log_bucket(self, partition: str, account_id: str, *, source_bucket_arn: str) -> PrivateBucket:
        props = self.props
        log_bucket = PrivateBucket(
            self,
            "log_bucket",
            bucket_name=f"{props.name}-attach-logs-{account_id}-{props.region}",
            partition=partition,
            encryption=S3ManagedEncryption(
                "S3 server access logs are delivered only to buckets whose default encryption is SSE-S3; "
                "the logging service cannot write to an SSE-KMS bucket."
            ),
            noncurrent_version_expiration_days=LOG_NONCURRENT_VERSION_DAYS,
            expiration_days=props.access_log_expiration_days,
            tags=self._tags(f"{props.name}-attachments-logs"),
        )
        waive(
            log_bucket.bucket,
            "CKV_CHAT_40",
            "Server access logs are diagnostics that expire after access_log_expiration_days; the attachments "
            "bucket they describe is the one AWS Backup protects.",
        )
        # The S3 logging service writes under this bucket's prefix, for the attachments
        # bucket of this account only (the confused-deputy guard S3's guide gives).
        log_bucket.add_to_resource_policy(
            policy_statement(
                "S3ServerAccessLogsDelivery",
                ["s3:PutObject"],
                [f"{log_bucket.bucket_arn}/{ACCESS_LOG_PREFIX}*"],
                principal=("Service", ["logging.s3.amazonaws.com"]),
                conditions=[
                    ("ArnEquals", "aws:SourceArn", [source_bucket_arn]),
                    ("StringEquals", "aws:SourceAccount", [account_id]),
                ],
            )
        )
        waive(
            log_bucket.bucket,
            "CKV_AWS_144",
            f"Access logs are diagnostics kept {props.access_log_expiration_days} days; a replica in a second "
            "region would double their storage for data nothing depends on.",
        )
        waive(
            log_bucket.bucket,
            "CKV2_AWS_62",
            "Nothing reacts to new log files (they are queried on demand, e.g. with Athena); event "
            "notifications would have no consumer.",
        )
        return log_bucket
