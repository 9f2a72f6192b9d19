"""make restore-attachment (ops/restore_attachment.py) against moto on loopback: upload v1 and
v2, delete (a marker), restore v1, and every version is still there; --before, and the
refusals (no such version, a delete marker, no versions, a bad time); S3 refusing the copy
with botocore's Stubber."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import botocore.session
import pytest
from botocore.stub import Stubber

from ops import restore_attachment
from tests.ops import day_two
from tests.ops.day_two import ACCOUNT, REGION, boto3_client, no_client, write_stack

endpoint = day_two.endpoint
credentials = day_two.credentials

KEY = "uploads/7f3a/photo.jpg"


def bucket_of(environment: str) -> str:
    return f"chat-{environment}-attachments-{ACCOUNT}-{REGION}"


def versioned_bucket(s3, environment: str) -> str:
    bucket = bucket_of(environment)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def all_versions(s3, bucket: str) -> set[str]:
    listed = s3.list_object_versions(Bucket=bucket, Prefix=KEY)
    # The prefix also matches KEY.thumb, another key: exactly KEY, as the command reads it.
    return {v["VersionId"] for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []) if v["Key"] == KEY}


def run(capsys, argv, **kwargs) -> tuple[int, str, str]:
    code = restore_attachment.main(argv, **kwargs)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def history(credentials, endpoint, tmp_path):
    """v1, v2 a second later, then a delete: the key's current version is a delete marker."""
    s3 = boto3_client("s3", endpoint)
    environment = f"r{time.monotonic_ns() % 10**8}"
    bucket = versioned_bucket(s3, environment)
    v1 = s3.put_object(Bucket=bucket, Key=KEY, Body=b"v1")["VersionId"]
    # S3 times versions to the second: v2 a second later keeps --before unambiguous.
    time.sleep(1.1)
    v2 = s3.put_object(Bucket=bucket, Key=KEY, Body=b"v2")["VersionId"]
    s3.put_object(Bucket=bucket, Key=f"{KEY}.thumb", Body=b"another key, same prefix")
    marker = s3.delete_object(Bucket=bucket, Key=KEY)["VersionId"]
    stack = write_stack(tmp_path, environment)  # the account comes from STS, as Terraform reads it
    argv = [environment, KEY, "--stack-json", str(stack), "--endpoint-url", endpoint]
    return s3, bucket, argv, (v1, v2, marker)


def test_restoring_v1_over_a_delete_marker_keeps_every_version(capsys, history):
    s3, bucket, argv, (v1, v2, marker) = history

    code, out, err = run(capsys, argv)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"s3://{bucket}/{KEY}: 3 versions and delete markers, newest first"
    assert [line.split()[0] for line in lines[1:4]] == [marker, v2, v1]
    assert lines[1].endswith("delete marker  (current)") and lines[3].split()[2:4] == ["2", "bytes"]
    assert lines[4] == "restore-attachment: listed only; choose one with VERSION=<id> or BEFORE=<time> to restore it"
    assert all_versions(s3, bucket) == {v1, v2, marker}  # listing changed nothing

    code, out, err = run(capsys, [*argv, "--version-id", v1])
    assert (code, err) == (0, "")
    assert f"restore-attachment: restored {KEY} from version {v1} (" in out
    assert out.endswith("all 3 earlier versions and markers are kept\n")
    current = s3.get_object(Bucket=bucket, Key=KEY)
    assert current["Body"].read() == b"v1"
    assert current["VersionId"] not in {v1, v2, marker}
    assert all_versions(s3, bucket) == {v1, v2, marker, current["VersionId"]}
    assert s3.get_object(Bucket=bucket, Key=KEY, VersionId=v2)["Body"].read() == b"v2"

    code, out, _ = run(capsys, [*argv, "--version-id", current["VersionId"]])
    assert code == 0
    assert out.endswith(f"restore-attachment: {current['VersionId']} is already the current version; nothing changed\n")


def test_before_picks_the_version_current_at_that_time(capsys, history):
    s3, bucket, argv, (v1, v2, marker) = history
    listed = s3.list_object_versions(Bucket=bucket, Prefix=KEY)["Versions"]
    v1_time = next(v["LastModified"] for v in listed if v["VersionId"] == v1)

    code, out, err = run(capsys, [*argv, "--before", v1_time.isoformat()])
    assert (code, err) == (0, "")
    assert f"from version {v1} " in out
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == b"v1"

    code, _, err = run(capsys, [*argv, "--before", "2000-01-01T00:00:00Z"])
    assert code == 2
    assert err == (
        f"restore-attachment: cannot run: {KEY} did not exist at 2000-01-01T00:00:00+00:00: its oldest version is "
        "listed last above\n"
    )


def test_a_time_when_the_key_was_deleted_is_refused(capsys, history):
    s3, bucket, argv, (_, _, marker) = history
    code, _, err = run(capsys, [*argv, "--before", "2999-01-01T00:00:00+01:00"])
    assert code == 2
    assert err == (
        f"restore-attachment: cannot run: {KEY} was deleted at 2999-01-01T00:00:00+01:00 (delete marker {marker}); "
        "choose a version with VERSION=<id>\n"
    )
    assert len(all_versions(s3, bucket)) == 3


def test_no_such_version_and_a_delete_marker_are_refused_and_change_nothing(capsys, history):
    s3, bucket, argv, (_, _, marker) = history
    code, out, err = run(capsys, [*argv, "--version-id", "no-such-version"])
    assert code == 2
    assert out.startswith(f"s3://{bucket}/{KEY}: 3 versions")  # the versions it has are shown
    assert (
        err == f"restore-attachment: cannot run: {KEY} has no version no-such-version: its versions are listed above\n"
    )
    code, _, err = run(capsys, [*argv, "--version-id", marker])
    assert code == 2
    assert err == f"restore-attachment: cannot run: {marker} is a delete marker of {KEY}, not a version with content\n"
    assert len(all_versions(s3, bucket)) == 3


def test_a_key_without_versions_is_exit_2(capsys, credentials, endpoint, tmp_path):
    bucket = versioned_bucket(boto3_client("s3", endpoint), "empty")
    stack = write_stack(tmp_path, "empty")
    code, out, err = run(capsys, ["empty", KEY, "--stack-json", str(stack), "--endpoint-url", endpoint])
    assert (code, out) == (2, "")
    assert err == f"restore-attachment: cannot run: s3://{bucket}/{KEY} has no versions\n"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--before", "yesterday"],
            "--before: expected an RFC 3339 time such as 2026-11-26T09:15:00Z, got 'yesterday'",
        ),
        (
            ["--before", "2026-11-26T09:15:00"],
            "--before: expected a time with its offset (Z or +01:00), got '2026-11-26T09:15:00'",
        ),
    ],
)
def test_a_bad_time_is_exit_2_before_any_request(capsys, tmp_path, flags, message):
    stack = write_stack(tmp_path, "alpha")
    code, _, err = run(capsys, ["alpha", KEY, "--stack-json", str(stack), *flags], clients=no_client)
    assert (code, err) == (2, f"restore-attachment: cannot run: {message}\n")


def test_a_missing_stack_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, ["prod", KEY, "--stacks-dir", str(tmp_path)], clients=no_client)
    assert code == 2
    assert err == (
        f"restore-attachment: cannot run: no synthesized stack at {tmp_path / 'chat-prod' / 'cdk.tf.json'}: run "
        "`make synth` (the checkout that was deployed)\n"
    )


def test_s3_refusing_the_copy_is_exit_1(capsys, tmp_path):
    s3 = botocore.session.get_session().create_client(
        "s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    bucket = bucket_of("prod")
    versions = {
        "Versions": [
            {
                "Key": KEY,
                "VersionId": "v2",
                "IsLatest": True,
                "LastModified": datetime(2026, 11, 26, 10, tzinfo=UTC),
                "Size": 2,
            },
            {
                "Key": KEY,
                "VersionId": "v1",
                "IsLatest": False,
                "LastModified": datetime(2026, 11, 26, 9, tzinfo=UTC),
                "Size": 2,
            },
        ],
        "IsTruncated": False,
    }
    stack = write_stack(tmp_path, "prod", account=ACCOUNT)  # a pinned account: no STS call
    with Stubber(s3) as stubber:
        stubber.add_response("list_object_versions", versions, {"Bucket": bucket, "Prefix": KEY})
        stubber.add_client_error("copy_object", "AccessDenied", "not authorized to perform kms:GenerateDataKey")
        code, _, err = run(
            capsys, ["prod", KEY, "--stack-json", str(stack), "--version-id", "v1"], clients=lambda *_: s3
        )
        stubber.assert_no_pending_responses()
    assert code == 1
    assert err.startswith("restore-attachment: S3 refused to copy v1: ") and "kms:GenerateDataKey" in err


def test_an_object_above_copy_object_s_limit_is_copied_by_the_managed_copy(capsys, history, monkeypatch):
    s3, bucket, argv, (v1, v2, marker) = history
    monkeypatch.setattr(restore_attachment, "COPY_OBJECT_LIMIT_BYTES", 1)  # v2's 2 bytes are "too large"
    code, out, err = run(capsys, [*argv, "--version-id", v2])
    assert (code, err) == (0, "")
    current = s3.get_object(Bucket=bucket, Key=KEY)
    assert current["Body"].read() == b"v2"
    assert f"as the new current version {current['VersionId']};" in out
    assert all_versions(s3, bucket) == {v1, v2, marker, current["VersionId"]}
