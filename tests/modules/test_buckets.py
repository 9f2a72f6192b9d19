"""modules/common/buckets.py: the private bucket every module uses for sites, logs and backups."""

from __future__ import annotations

import pytest

from modules.common.buckets import AclGrant, KmsEncryption, PrivateBucket, S3ManagedEncryption

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"
DELIVERY_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


def only(synth, resource_type):
    ((name, block),) = synth.resources(resource_type).items()
    return name, block


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from modules.common.policy import policy_statement

    def kms_site(stack):
        bucket = PrivateBucket(
            stack,
            "site",
            bucket_name="chat-test-site",
            partition="aws",
            encryption=KmsEncryption(KEY_ARN),
            noncurrent_version_expiration_days=30,
            tags={"Name": "chat-test-site"},
        )
        bucket.add_to_resource_policy(
            policy_statement(
                "ReadForTests", ["s3:GetObject"], [f"{bucket.bucket_arn}/*"], ("Service", ["x.amazonaws.com"])
            )
        )

    def sse_s3_logs(stack):
        PrivateBucket(
            stack,
            "logs",
            bucket_name="chat-test-logs",
            partition="aws",
            encryption=S3ManagedEncryption("The log writer under test supports SSE-S3 only, never KMS."),
            noncurrent_version_expiration_days=7,
            expiration_days=45,
            acl_grants=[AclGrant(DELIVERY_ID, "The delivery service under test only writes through ACL grants.")],
        )

    return {"kms_site": synth_scratch(kms_site), "sse_s3_logs": synth_scratch(sse_s3_logs)}


@pytest.mark.parametrize("variant", ["kms_site", "sse_s3_logs"])
def test_every_public_access_is_blocked(variants, variant):
    synth = variants[variant]
    (bucket_name, _), (_, block) = only(synth, "aws_s3_bucket"), only(synth, "aws_s3_bucket_public_access_block")
    assert block["bucket"] == synth.reference("aws_s3_bucket", bucket_name)
    assert all(
        block[key] is True
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )


@pytest.mark.parametrize("variant", ["kms_site", "sse_s3_logs"])
def test_policy_denies_every_request_without_tls(variants, variant):
    synth = variants[variant]
    (_, bucket), (_, policy) = only(synth, "aws_s3_bucket"), only(synth, "aws_s3_bucket_policy")
    document = synth.data_by_reference(policy["policy"])
    deny = next(s for s in document["statement"] if s["sid"] == "DenyInsecureTransport")
    arn = f"arn:aws:s3:::{bucket['bucket']}"
    assert deny["effect"] == "Deny" and deny["actions"] == ["s3:*"]
    assert deny["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
    assert deny["resources"] == [arn, f"{arn}/*"]
    assert deny["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_statements_added_later_join_the_same_policy(variants):
    synth = variants["kms_site"]
    (_, policy) = only(synth, "aws_s3_bucket_policy")
    document = synth.data_by_reference(policy["policy"])
    assert [s["sid"] for s in document["statement"]] == ["DenyInsecureTransport", "ReadForTests"]
    assert document["statement"][1]["resources"] == ["arn:aws:s3:::chat-test-site/*"]


def test_kms_encryption_uses_the_key_with_a_bucket_key(variants):
    synth = variants["kms_site"]
    (_, encryption) = only(synth, "aws_s3_bucket_server_side_encryption_configuration")
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN}
    assert rule["bucket_key_enabled"] is True
    assert "checkov_waivers" not in synth.document.get("//", {})


def test_sse_s3_encryption_records_the_reason_as_a_waiver(variants):
    synth = variants["sse_s3_logs"]
    (bucket_name, _) = only(synth, "aws_s3_bucket")
    (_, encryption) = only(synth, "aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    waivers = synth.document["//"]["checkov_waivers"]
    assert waivers[bucket_name]["CKV_AWS_145"] == "The log writer under test supports SSE-S3 only, never KMS."


def test_versioning_is_on(variants):
    for synth in variants.values():
        (_, versioning) = only(synth, "aws_s3_bucket_versioning")
        assert versioning["versioning_configuration"] == {"status": "Enabled"}


def test_lifecycle_expires_old_versions_and_cleans_up(variants):
    (_, site) = only(variants["kms_site"], "aws_s3_bucket_lifecycle_configuration")
    (rule,) = site["rule"]
    assert rule["status"] == "Enabled" and rule["filter"] == [{}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["expiration"] == [{"expired_object_delete_marker": True}], "a site keeps its current objects"
    (versioning_name, _) = only(variants["kms_site"], "aws_s3_bucket_versioning")
    assert site["depends_on"] == [f"aws_s3_bucket_versioning.{versioning_name}"]


def test_lifecycle_expires_log_objects(variants):
    (_, logs) = only(variants["sse_s3_logs"], "aws_s3_bucket_lifecycle_configuration")
    (rule,) = logs["rule"]
    assert rule["expiration"] == [{"days": 45}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 7}]


def test_without_grants_acls_are_off(variants):
    synth = variants["kms_site"]
    (_, ownership) = only(synth, "aws_s3_bucket_ownership_controls")
    assert ownership["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    assert synth.resources("aws_s3_bucket_acl") == {} and synth.data("aws_canonical_user_id") == {}


def test_acl_grants_keep_the_owner_first_and_are_waived_with_their_reason(variants):
    synth = variants["sse_s3_logs"]
    (ownership_name, ownership) = only(synth, "aws_s3_bucket_ownership_controls")
    assert ownership["rule"] == {"object_ownership": "BucketOwnerPreferred"}
    (_, acl) = only(synth, "aws_s3_bucket_acl")
    (owner_name,) = synth.data("aws_canonical_user_id")
    owner = f"${{data.aws_canonical_user_id.{owner_name}.id}}"
    policy = acl["access_control_policy"]
    assert policy["owner"] == {"id": owner}
    assert [(g["grantee"]["id"], g["permission"]) for g in policy["grant"]] == [
        (owner, "FULL_CONTROL"),
        (DELIVERY_ID, "FULL_CONTROL"),
    ]
    assert f"aws_s3_bucket_ownership_controls.{ownership_name}" in acl["depends_on"]
    waivers = synth.document["//"]["checkov_waivers"]
    assert waivers[ownership_name]["CKV2_AWS_65"] == "The delivery service under test only writes through ACL grants."


def test_bucket_arn_is_literal_for_readable_policies(synth_scratch):
    seen = {}

    def build(stack):
        seen["bucket"] = PrivateBucket(
            stack,
            "cn",
            bucket_name="chat-test-cn",
            partition="aws-cn",
            encryption=KmsEncryption(KEY_ARN),
            noncurrent_version_expiration_days=1,
        )

    synth_scratch(build)
    assert seen["bucket"].bucket_arn == "arn:aws-cn:s3:::chat-test-cn"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"noncurrent_version_expiration_days": 0}, "noncurrent_version_expiration_days: expected at least 1, got 0"),
        ({"expiration_days": 0}, "expiration_days: expected at least 1 (or None to keep objects), got 0"),
    ],
)
def test_retention_must_be_at_least_a_day(synth_scratch, change, message):
    settings = {"noncurrent_version_expiration_days": 1, **change}

    def build(stack):
        PrivateBucket(
            stack, "bad", bucket_name="chat-bad", partition="aws", encryption=KmsEncryption(KEY_ARN), **settings
        )

    with pytest.raises(ValueError) as caught:
        synth_scratch(build)
    assert str(caught.value) == message
