"""Attachments module: the private bucket under its key, CORS for the frontend only, access
logs delivered for this bucket only, the object-only grant parsed statement by statement,
deletion protection, validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modules.attachments import AttachmentsBucketProps
from modules.attachments.attachments import ACCESS_LOG_PREFIX

ACCOUNT = "111122223333"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"
ORIGINS = ("https://app.chat.example.com", "https://chat.example.com")
BASE = AttachmentsBucketProps(name="chat-test", region="eu-west-1", account_id=ACCOUNT, cors_allowed_origins=ORIGINS)
BUCKET = f"chat-test-attachments-{ACCOUNT}-eu-west-1"
LOG_BUCKET = f"chat-test-attach-logs-{ACCOUNT}-eu-west-1"
OUTPUTS = (
    "bucket_name",
    "bucket_arn",
    "bucket_regional_domain_name",
    "kms_key_arn",
    "log_bucket_name",
    "log_bucket_arn",
)


@pytest.fixture(scope="module")
def variants(synth_scratch):
    from bindings.cdk import TerraformOutput
    from modules.attachments import AttachmentsBucket
    from modules.common.roles import ServiceRole

    def build(props):
        def add(stack):
            attachments = AttachmentsBucket(stack, "attachments", props=props)
            api = ServiceRole(
                stack,
                "api",
                name="chat-test-api",
                service="ecs-tasks.amazonaws.com",
                description="d",
                account_id=ACCOUNT,
            )
            attachments.grant_read_write(api)
            for name in OUTPUTS:
                TerraformOutput(stack, name, value=getattr(attachments, name))

        return add

    return {
        "base": synth_scratch(build(BASE)),
        "given_key": synth_scratch(
            build(replace(BASE, account_id=None, kms_key_arn=KEY_ARN, deletion_protection=False))
        ),
    }


def bucket_key(synth, bucket_name):
    (key,) = [k for k, b in synth.resources("aws_s3_bucket").items() if b["bucket"] == bucket_name]
    return key


def attached(synth, resource_type, bucket_name):
    """The blocks of `resource_type` whose bucket is the named bucket."""
    reference = synth.reference("aws_s3_bucket", bucket_key(synth, bucket_name))
    return [b for b in synth.resources(resource_type).values() if b["bucket"] == reference]


def output(synth, name):
    return synth.document["output"][name]["value"]


def test_bucket_is_private_versioned_and_encrypted_with_its_own_key(variants):
    synth = variants["base"]
    ((key_name, _),) = synth.resources("aws_kms_key").items()
    (alias,) = synth.resources("aws_kms_alias").values()
    assert alias["name"] == "alias/chat-test/attachments"
    (encryption,) = attached(synth, "aws_s3_bucket_server_side_encryption_configuration", BUCKET)
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": synth.reference("aws_kms_key", key_name, "arn"),
    }
    assert rule["bucket_key_enabled"] is True
    (block,) = attached(synth, "aws_s3_bucket_public_access_block", BUCKET)
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls"))
    (versioning,) = attached(synth, "aws_s3_bucket_versioning", BUCKET)
    assert versioning["versioning_configuration"] == {"status": "Enabled"}
    assert output(synth, "kms_key_arn") == synth.reference("aws_kms_key", key_name, "arn")


def test_a_given_key_is_used_and_none_is_created(variants):
    synth = variants["given_key"]
    assert synth.resources("aws_kms_key") == {}
    bucket = next(b["bucket"] for b in synth.resources("aws_s3_bucket").values() if "-attachments-" in b["bucket"])
    (encryption,) = attached(synth, "aws_s3_bucket_server_side_encryption_configuration", bucket)
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"] == KEY_ARN
    assert output(synth, "kms_key_arn") == KEY_ARN


def test_lifecycle_expires_old_versions_and_aborts_incomplete_uploads(variants):
    synth = variants["base"]
    (lifecycle,) = attached(synth, "aws_s3_bucket_lifecycle_configuration", BUCKET)
    (rule,) = lifecycle["rule"]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 30}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    # Current attachments never expire.
    assert rule["expiration"] == [{"expired_object_delete_marker": True}]


def test_bucket_policy_denies_requests_without_tls(variants):
    synth = variants["base"]
    (policy,) = attached(synth, "aws_s3_bucket_policy", BUCKET)
    (statement,) = synth.data_by_reference(policy["policy"])["statement"]
    assert (statement["effect"], statement["actions"]) == ("Deny", ["s3:*"])
    assert statement["resources"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert statement["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_cors_lets_the_frontend_origins_upload_and_download_only(variants):
    synth = variants["base"]
    (cors,) = attached(synth, "aws_s3_bucket_cors_configuration", BUCKET)
    (rule,) = cors["cors_rule"]
    assert rule["allowed_origins"] == list(ORIGINS)
    assert rule["allowed_methods"] == ["GET", "PUT", "POST"]
    assert "*" not in rule["allowed_headers"] and "content-type" in rule["allowed_headers"]
    assert rule["expose_headers"] == ["ETag"]
    assert rule["max_age_seconds"] == 3600


def test_access_logs_go_to_the_log_bucket_written_only_by_s3_logging_for_this_bucket(variants):
    synth = variants["base"]
    (logging,) = attached(synth, "aws_s3_bucket_logging", BUCKET)
    target = synth.by_reference(logging["target_bucket"])
    assert (target["bucket"], logging["target_prefix"]) == (LOG_BUCKET, ACCESS_LOG_PREFIX)
    (log_policy,) = attached(synth, "aws_s3_bucket_policy", LOG_BUCKET)
    assert logging["depends_on"] == [f"aws_s3_bucket_policy.{next(iter(_policy_keys(synth, LOG_BUCKET)))}"]
    statements = {s["sid"]: s for s in synth.data_by_reference(log_policy["policy"])["statement"]}
    assert set(statements) == {"DenyInsecureTransport", "S3ServerAccessLogsDelivery"}
    delivery = statements["S3ServerAccessLogsDelivery"]
    assert delivery["principals"] == [{"type": "Service", "identifiers": ["logging.s3.amazonaws.com"]}]
    assert (delivery["actions"], delivery["resources"]) == (
        ["s3:PutObject"],
        [f"arn:aws:s3:::{LOG_BUCKET}/{ACCESS_LOG_PREFIX}*"],
    )
    assert {(c["test"], c["variable"]): c["values"] for c in delivery["condition"]} == {
        ("ArnEquals", "aws:SourceArn"): [f"arn:aws:s3:::{BUCKET}"],
        ("StringEquals", "aws:SourceAccount"): [ACCOUNT],
    }
    # S3 delivers server access logs to SSE-S3 buckets only.
    (encryption,) = attached(synth, "aws_s3_bucket_server_side_encryption_configuration", LOG_BUCKET)
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    (lifecycle,) = attached(synth, "aws_s3_bucket_lifecycle_configuration", LOG_BUCKET)
    assert lifecycle["rule"][0]["expiration"] == [{"days": 90}]


def _policy_keys(synth, bucket_name):
    reference = synth.reference("aws_s3_bucket", bucket_key(synth, bucket_name))
    return [k for k, b in synth.resources("aws_s3_bucket_policy").items() if b["bucket"] == reference]


def test_grant_is_objects_only_and_the_key_through_s3_only(variants):
    synth = variants["base"]
    (policy,) = synth.resources("aws_iam_role_policy").values()
    statements = {s["sid"]: s for s in synth.data_by_reference(policy["policy"])["statement"]}
    assert set(statements) == {"ReadWriteAttachments", "UseAttachmentsKeyThroughS3"}
    objects = statements["ReadWriteAttachments"]
    assert objects["actions"] == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    assert objects["resources"] == [f"arn:aws:s3:::{BUCKET}/*"]
    key = statements["UseAttachmentsKeyThroughS3"]
    ((key_name, _),) = synth.resources("aws_kms_key").items()
    assert key["actions"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert key["resources"] == [synth.reference("aws_kms_key", key_name, "arn")]
    assert key["condition"] == [
        {"test": "StringEquals", "variable": "kms:ViaService", "values": ["s3.eu-west-1.amazonaws.com"]}
    ]


def test_attributes(variants):
    synth = variants["base"]
    assert output(synth, "bucket_name") == synth.reference("aws_s3_bucket", bucket_key(synth, BUCKET), "bucket")
    assert output(synth, "bucket_arn") == f"arn:aws:s3:::{BUCKET}"
    assert output(synth, "log_bucket_arn") == f"arn:aws:s3:::{LOG_BUCKET}"
    assert output(synth, "bucket_regional_domain_name").endswith(".bucket_regional_domain_name}")


def test_deletion_protection_keeps_the_bucket_and_its_key(variants):
    synth = variants["base"]
    assert synth.resources("aws_s3_bucket")[bucket_key(synth, BUCKET)]["lifecycle"] == {"prevent_destroy": True}
    assert all(k["lifecycle"] == {"prevent_destroy": True} for k in synth.resources("aws_kms_key").values())
    unprotected = variants["given_key"]
    assert not any("lifecycle" in b for b in unprotected.resources("aws_s3_bucket").values())


def test_waivers_have_reasons_and_cover_only_replication_and_notifications(variants):
    waivers = variants["base"].document["//"]["checkov_waivers"]
    attachments = waivers[bucket_key(variants["base"], BUCKET)]
    assert set(attachments) == {"CKV_AWS_144", "CKV2_AWS_62"}
    assert "AWS Backup" in attachments["CKV_AWS_144"]


@pytest.mark.parametrize(
    ("origins", "message"),
    [
        ((), "expected 1 to 20 frontend origins (browser uploads come from the frontend only), got 0"),
        (
            ("http://app.chat.example.com",),
            'expected https origins such as "https://app.chat.example.com": lowercase, scheme and host (and port) '
            "only, no path, no wildcard, no http://, got ['http://app.chat.example.com']",
        ),
        (
            ("https://app.chat.example.com/", "https://*.chat.example.com"),
            'expected https origins such as "https://app.chat.example.com": lowercase, scheme and host (and port) '
            "only, no path, no wildcard, no http://, got ['https://app.chat.example.com/', 'https://*.chat.example.com']",
        ),
        (
            ("https://app.chat.example.com", "https://app.chat.example.com"),
            "expected each origin once, got ['https://app.chat.example.com'] more than once",
        ),
    ],
)
def test_origins_must_be_https_hosts(origins, message):
    with pytest.raises(ValueError) as caught:
        replace(BASE, cors_allowed_origins=origins)
    assert str(caught.value) == f"invalid AttachmentsBucketProps:\n  cors_allowed_origins: {message}"


def test_origins_may_carry_a_port_or_be_references():
    props = replace(BASE, cors_allowed_origins=("https://app.chat.example.com:8443", "${TfToken[TOKEN.7]}"))
    assert props.cors_allowed_origins[0].endswith(":8443")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"noncurrent_version_expiration_days": 0},
            "noncurrent_version_expiration_days: expected a number greater than or equal to 1, got 0 (number)",
        ),
        (
            {"access_log_expiration_days": 4000},
            "access_log_expiration_days: expected a number less than or equal to 3653, got 4000 (number)",
        ),
        (
            {"cors_max_age_seconds": 86_401},
            "cors_max_age_seconds: expected a number less than or equal to 86400, got 86401 (number)",
        ),
        (
            {"kms_key_arn": "alias/chat-test/attachments"},
            "kms_key_arn: expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> "
            '(a key id, not an alias), got "alias/chat-test/attachments" (string)',
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError) as caught:
        replace(BASE, **changes)
    assert str(caught.value) == f"invalid AttachmentsBucketProps:\n  {message}"
