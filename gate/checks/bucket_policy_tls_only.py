"""CKV_CHAT_22: S3 buckets refuse requests made without TLS.

S3 answers plain HTTP; only a bucket policy that denies aws:SecureTransport = false makes
a bucket TLS-only. checkov's CKV_AWS_379 looks for such a policy only behind a public
ACL, so a private bucket without one passes every checkov check.

An aws_s3_bucket_policy passes when its document has a statement that denies s3:* (or *)
to every principal when aws:SecureTransport is false. A bucket passes when its inline
policy or a bucket policy naming it (a reference, or its literal name) does; a bucket
with no policy fails.
"""

from chat_stack_support import tls_only_result
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BucketPolicyTlsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="S3 bucket policies deny requests made without TLS (aws:SecureTransport false)",
            id="CKV_CHAT_22",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket", "aws_s3_bucket_policy"],
        )

    def scan_resource_conf(self, conf):
        result = tls_only_result(
            self.entity_path,
            conf,
            service="s3",
            store_type="aws_s3_bucket",
            policy_type="aws_s3_bucket_policy",
            link_attribute="bucket",
            store_name_attribute="bucket",
        )
        return CheckResult(result)


check = BucketPolicyTlsOnly()
