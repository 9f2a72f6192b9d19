"""Frontend: the single-page app, from a private S3 bucket through CloudFront.

- The site bucket is private (every public access blocked, ACLs off, TLS only) and only
  CloudFront reads it, through Origin Access Control: CloudFront signs every origin
  request (SigV4) and the bucket policy lets cloudfront.amazonaws.com get objects only
  when the request comes from this distribution (AWS:SourceArn).
- Viewers get HTTPS only (HTTP is redirected), TLS 1.2 or newer with the us-east-1
  certificate for the aliases, security headers on every response, and index.html for
  any path the SPA routes itself (S3 answers 403 for a missing key, since CloudFront may
  not list the bucket).
- Access logs go to a second private bucket through CloudFront's standard logging
  (legacy), and expire after `log_expiration_days`.
- Both buckets are encrypted with one customer-managed key that CloudFront may use only
  to decrypt this bucket's objects for this distribution, and log delivery only to
  encrypt log files in the log bucket.

Why legacy standard logging rather than standard logging v2 (CloudWatch vended logs,
aws_cloudwatch_log_delivery_source/destination/delivery):
- v2 must be configured in us-east-1 (its delivery source is the distribution, a global
  resource that CloudWatch Logs only knows there), so the module would need a us-east-1
  provider alias of its own; legacy logging writes straight to a bucket in the stack's
  region with the stack's provider;
- v2 bills log delivery per GB (vended logs); legacy delivery to S3 is free (only storage);
- legacy's one cost is an ACL on the log bucket (BucketOwnerPreferred plus a grant to
  CloudFront's awslogsdelivery account), confined to that bucket, which holds nothing
  else; the site bucket keeps ACLs off. checkov's CKV_AWS_86 reads legacy logging only.
Moving to v2 later is additive: it can run beside legacy logging during the switch.
"""

from __future__ import annotations

from collections.abc import Sequence

from bindings.aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from bindings.aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from bindings.aws.cloudfront_response_headers_policy import (
    CloudfrontResponseHeadersPolicy,
    CloudfrontResponseHeadersPolicyRemoveHeadersConfig,
    CloudfrontResponseHeadersPolicyRemoveHeadersConfigItems,
    CloudfrontResponseHeadersPolicySecurityHeadersConfig,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity,
    CloudfrontResponseHeadersPolicySecurityHeadersConfigXssProtection,
)
from bindings.aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules.common.buckets import AclGrant, KmsEncryption, PrivateBucket
from modules.common.keys import ManagedKey
from modules.common.policy import policy_document, policy_statement
from modules.common.stack_context import module_context
from modules.common.tokens import is_unresolved
from modules.common.waivers import waive
from modules.frontend.props import FrontendProps

# AWS's managed cache policy "Managed-CachingOptimized" (the same id in every account):
# caches by path only (no cookies, headers or query strings in the key), gzip and
# Brotli variants, TTLs 1 s / 1 day / 1 year. Built assets carry content hashes in their
# names, so a long TTL is safe; index.html changes are published with an invalidation.
CACHING_OPTIMIZED_CACHE_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"

# The canonical user of CloudFront's log delivery account (awslogsdelivery), per
# partition, from CloudFront's guide to standard logging (legacy).
CLOUDFRONT_LOG_DELIVERY_CANONICAL_USER_IDS = {
    "aws": "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0",
    "aws-cn": "a52cb28745c0c06e84ec548334e44bfa7fc2a85c54af20cd59e4969344b7af56",
}

SITE_ORIGIN_ID = "site-bucket"
INDEX_DOCUMENT = "index.html"
# S3 answers 403 (not 404) for a missing key when the caller may not list the bucket,
# which CloudFront may not: both mean "a route the SPA handles itself".
SPA_ERROR_CODES = (403, 404)
# Seconds CloudFront caches those answers: short, so a page published a moment later
# (or an S3 hiccup) is not hidden for CloudFront's default five minutes.
SPA_ERROR_CACHING_SECONDS = 10
# HSTS for two years, the value the preload list (hstspreload.org) asks for; it
# requires includeSubDomains and at least one year.
HSTS_MAX_AGE_SECONDS = 63_072_000
# Old versions of the site stay 30 days: enough to roll a deploy back by restoring them.
SITE_NONCURRENT_VERSION_DAYS = 30
# Log files are written once; an old version only exists after a deletion or overwrite.
LOG_NONCURRENT_VERSION_DAYS = 7
LOG_PREFIX = "cloudfront/"
# S3 response headers that would tell every visitor the bucket's KMS key ARN (account
# id and key id), its encryption settings and object version ids.
S3_HEADERS_TO_REMOVE = (
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-bucket-key-enabled",
    "x-amz-version-id",
)


class Frontend(Construct):
    """Private S3 bucket behind CloudFront (OAC), security headers, SPA routing, access logs.

    Typed outputs (attributes): bucket_name, bucket_arn, distribution_id,
    distribution_arn, distribution_domain_name, hosted_zone_id, log_bucket_name,
    log_bucket_arn, kms_key_arn, content_security_policy.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: FrontendProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        context = module_context(self, props)
        self._partition = context.partition
        self._account_id = context.account_id

        self.key = ManagedKey(
            self,
            "key",
            alias=f"alias/{props.name}/frontend",
            description=f"{props.name} frontend: site and access-log buckets",
            partition=self._partition,
            account_id=self._account_id,
            tags=self._tags(f"{props.name}-frontend"),
        )
        self.log_bucket = self._log_bucket()
        self.site_bucket = self._bucket(
            "site_bucket",
            "frontend",
            noncurrent_version_expiration_days=SITE_NONCURRENT_VERSION_DAYS,
            access_logging="Every read of this bucket is CloudFront's origin fetch for a viewer request, "
            "already recorded in the distribution's access logs; writes are deploys, recorded by CloudTrail.",
            replication="The site is a build artifact: a lost region is recovered by deploying the "
            "same build again, so a replica would double storage for nothing.",
        )

        self.content_security_policy: str = props.served_content_security_policy
        """The Content-Security-Policy header every response carries (the file's policy with the
        API hosts and the attachments bucket added)."""
        self.distribution = self._distribution()
        self._grant_distribution_read()

        self.bucket_name: str = self.site_bucket.bucket_name
        self.bucket_arn: str = self.site_bucket.bucket_arn
        self.distribution_id: str = self.distribution.id
        self.distribution_arn: str = self.distribution.arn
        self.distribution_domain_name: str = self.distribution.domain_name
        self.hosted_zone_id: str = self.distribution.hosted_zone_id
        self.log_bucket_name: str = self.log_bucket.bucket_name
        self.log_bucket_arn: str = self.log_bucket.bucket_arn
        self.kms_key_arn: str = self.key.arn

    # -- helpers -------------------------------------------------------------------

    def _tags(self, name: str) -> dict[str, str]:
        return {**self.props.tags, "Name": name}

    def _bucket(
        self,
        construct_id: str,
        role: str,
        *,
        noncurrent_version_expiration_days: int,
        access_logging: str,
        replication: str,
        expiration_days: int | None = None,
        acl_grants: Sequence[AclGrant] = (),
    ) -> PrivateBucket:
        """A PrivateBucket under the module's key, with the reasons of its waivers.

        S3 names are global: the account and region keep them unique without a random
        suffix, so the name stays literal for reviewers.
        """
        props = self.props
        bucket = PrivateBucket(
            self,
            construct_id,
            bucket_name=f"{props.name}-{role}-{self._account_id}-{props.region}",
            partition=self._partition,
            encryption=KmsEncryption(self.key.arn),
            noncurrent_version_expiration_days=noncurrent_version_expiration_days,
            expiration_days=expiration_days,
            acl_grants=acl_grants,
            tags=self._tags(f"{props.name}-{role}"),
        )
        waive(bucket.bucket, "CKV_AWS_18", access_logging)
        waive(
            bucket.bucket,
            "CKV_CHAT_40",
            "The site is build output the pipeline uploads again from git, and CloudFront logs are diagnostics "
            "that expire on purpose: neither holds data only this bucket has.",
        )
        waive(bucket.bucket, "CKV_AWS_144", replication)
        waive(
            bucket.bucket,
            "CKV2_AWS_62",
            "Nothing reacts to object events in this bucket; notifications would have no consumer.",
        )
        return bucket

    def _log_bucket(self) -> PrivateBucket:
        props = self.props
        log_bucket = self._bucket(
            "log_bucket",
            "frontend-logs",
            noncurrent_version_expiration_days=LOG_NONCURRENT_VERSION_DAYS,
            expiration_days=props.log_expiration_days,
            acl_grants=[
                AclGrant(
                    CLOUDFRONT_LOG_DELIVERY_CANONICAL_USER_IDS[self._partition],
                    "CloudFront standard logging writes log files through an ACL grant to its "
                    "awslogsdelivery account and cannot deliver to a bucket with ACLs disabled; this "
                    "bucket holds only those logs, and public ACLs stay blocked.",
                )
            ],
            access_logging="This bucket is itself the access-log destination; logging its own reads "
            "would need yet another bucket, and only CloudFront's log delivery writes to it.",
            replication=f"Access logs are diagnostics kept {props.log_expiration_days} days; a "
            "second region would double their storage for data nothing depends on.",
        )
        bucket_arn = log_bucket.bucket_arn
        self.key.add_to_key_policy(
            # CloudFront's log delivery encrypts each log file with the bucket's key; the
            # conditions keep that to S3 requests for this bucket.
            policy_statement(
                "LogDeliveryEncryptsAccessLogs",
                ["kms:GenerateDataKey*"],
                ["*"],
                principal=("Service", ["delivery.logs.amazonaws.com"]),
                conditions=[
                    ("StringEquals", "kms:ViaService", [f"s3.{props.region}.amazonaws.com"]),
                    ("StringLike", "kms:EncryptionContext:aws:s3:arn", [bucket_arn, f"{bucket_arn}/*"]),
                ],
            )
        )
        return log_bucket

    def _security_headers_policy(self) -> CloudfrontResponseHeadersPolicy:
        props = self.props
        return CloudfrontResponseHeadersPolicy(
            self,
            "security_headers",
            name=f"{props.name}-frontend-security-headers",
            comment=f"{props.name} frontend: HSTS, CSP, no framing, no sniffing",
            # override=True everywhere: the policy, not whatever S3 metadata says, decides.
            security_headers_config=CloudfrontResponseHeadersPolicySecurityHeadersConfig(
                strict_transport_security=CloudfrontResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurity(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentTypeOptions(
                    override=True
                ),
                frame_options=CloudfrontResponseHeadersPolicySecurityHeadersConfigFrameOptions(
                    frame_option="DENY", override=True
                ),
                # The full URL only to this origin; other sites see the origin, over HTTPS only.
                referrer_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigReferrerPolicy(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                xss_protection=CloudfrontResponseHeadersPolicySecurityHeadersConfigXssProtection(
                    protection=True, mode_block=True, override=True
                ),
                content_security_policy=CloudfrontResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicy(
                    content_security_policy=self.content_security_policy, override=True
                ),
            ),
            remove_headers_config=CloudfrontResponseHeadersPolicyRemoveHeadersConfig(
                items=[CloudfrontResponseHeadersPolicyRemoveHeadersConfigItems(header=h) for h in S3_HEADERS_TO_REMOVE]
            ),
        )

    def _distribution(self) -> CloudfrontDistribution:
        props = self.props
        origin_access = CloudfrontOriginAccessControl(
            self,
            "origin_access_control",
            name=f"{props.name}-frontend",
            description=f"{props.name} frontend: CloudFront signs every request to the site bucket",
            origin_access_control_origin_type="s3",
            # "always": even a viewer's own Authorization header is replaced by CloudFront's
            # signature, so S3 only ever sees requests from this distribution.
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        headers = self._security_headers_policy()
        distribution = CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            comment=f"{props.name} frontend",
            aliases=list(props.aliases),
            price_class=props.price_class,
            http_version="http2and3",
            # IPv6 viewers reach the distribution directly; the DNS module adds AAAA aliases.
            is_ipv6_enabled=True,
            default_root_object=INDEX_DOCUMENT,
            web_acl_id=props.web_acl_arn,
            origin=[
                CloudfrontDistributionOrigin(
                    origin_id=SITE_ORIGIN_ID,
                    domain_name=self.site_bucket.bucket_regional_domain_name,
                    origin_access_control_id=origin_access.id,
                )
            ],
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=SITE_ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                # A static site is read, never written, through CloudFront.
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED_CACHE_POLICY_ID,
                response_headers_policy_id=headers.id,
                compress=True,
            ),
            custom_error_response=[
                CloudfrontDistributionCustomErrorResponse(
                    error_code=code,
                    response_code=200,
                    response_page_path=f"/{INDEX_DOCUMENT}",
                    error_caching_min_ttl=SPA_ERROR_CACHING_SECONDS,
                )
                for code in SPA_ERROR_CODES
            ],
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=props.certificate_arn,
                # SNI costs nothing; dedicated-IP certificates cost $600/month.
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            ),
            logging_config=CloudfrontDistributionLoggingConfig(
                bucket=self.log_bucket.bucket_domain_name,
                prefix=LOG_PREFIX,
                # Cookies would put session identifiers into the logs.
                include_cookies=False,
            ),
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
            ),
            tags=self._tags(f"{props.name}-frontend"),
            # CloudFront checks the log bucket's ACL when logging is turned on.
            depends_on=[self.log_bucket.acl],
        )
        waive(
            distribution,
            "CKV_AWS_310",
            "One S3 origin in one region: a failover origin would need a replicated bucket in a "
            "second region, which a static build that can be redeployed anywhere does not justify.",
        )
        waive(
            distribution,
            "CKV_AWS_374",
            "The chat product serves every country it is sold in; no country is to be refused at the edge.",
        )
        if props.web_acl_arn is None:
            for check_id in ("CKV_AWS_68", "CKV2_AWS_47"):
                waive(
                    distribution,
                    check_id,
                    "No web ACL for this environment (web_acl_arn not given): the distribution only "
                    "serves static files from a private bucket, with no API or login behind it.",
                )
        elif not is_unresolved(props.web_acl_arn):
            waive(
                distribution,
                "CKV2_AWS_47",
                f"The web ACL {props.web_acl_arn} is managed outside this stack, so checkov cannot see "
                "its rule groups; it is attached (web_acl_id), which CKV_AWS_68 checks.",
            )
        return distribution

    def _grant_distribution_read(self) -> None:
        """Let this distribution, and nothing else, read the site bucket and decrypt its objects."""
        from_this_distribution = ("StringEquals", "AWS:SourceArn", [self.distribution.arn])
        bucket_arn = self.site_bucket.bucket_arn
        self.site_bucket.add_to_resource_policy(
            policy_statement(
                "CloudFrontReadsSite",
                ["s3:GetObject"],
                [f"{bucket_arn}/*"],
                principal=("Service", ["cloudfront.amazonaws.com"]),
                conditions=[from_this_distribution],
            )
        )
        self.key.add_to_key_policy(
            policy_statement(
                "CloudFrontDecryptsSite",
                ["kms:Decrypt"],
                ["*"],
                principal=("Service", ["cloudfront.amazonaws.com"]),
                conditions=[
                    from_this_distribution,
                    ("StringLike", "kms:EncryptionContext:aws:s3:arn", [bucket_arn, f"{bucket_arn}/*"]),
                ],
            )
        )

    # -- grants --------------------------------------------------------------------

    def grant_deploy(self, role_name: str) -> IamRolePolicy:
        """Let an existing IAM role publish the site: sync the bucket and invalidate the cache.

        Adds an inline policy to the role (by name): list the site bucket; get, put and
        delete its objects; encrypt and decrypt with the key; create and read
        invalidations of this distribution only. One deploy role per frontend (its
        construct ids are fixed).
        """
        bucket_arn = self.site_bucket.bucket_arn
        document = policy_document(
            self,
            "deploy_policy_document",
            [
                policy_statement("ListSite", ["s3:ListBucket"], [bucket_arn]),
                policy_statement(
                    "PublishSite", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [f"{bucket_arn}/*"]
                ),
                policy_statement("EncryptSite", ["kms:GenerateDataKey", "kms:Decrypt"], [self.key.arn]),
                policy_statement(
                    "InvalidateSite",
                    ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                    [self.distribution.arn],
                ),
            ],
        )
        return IamRolePolicy(
            self,
            "deploy_role_policy",
            name=f"{self.props.name}-frontend-deploy",
            role=role_name,
            policy=document.json,
        )
