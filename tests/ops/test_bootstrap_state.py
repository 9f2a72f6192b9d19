"""make bootstrap-state (ops/bootstrap_state.py) against moto on loopback: what it creates,
that a second run changes nothing, that it repairs drift, and what it refuses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from envconfig import load_environment
from ops import bootstrap_state
from tests.conftest import ENVIRONMENTS_DIR
from tests.ops import day_two
from tests.ops.day_two import ACCOUNT

# moto on loopback and test credentials, shared with the day-two commands' tests.
endpoint = day_two.endpoint
credentials = day_two.credentials
no_credentials = day_two.no_credentials


def environments(tmp_path: Path, name: str, extra: str = "") -> Path:
    folder = tmp_path / f"environments-{name}"
    folder.mkdir()
    text = re.sub(
        r'(?m)^name\s*=\s*"staging"', f'name = "{name}"\n{extra}', (ENVIRONMENTS_DIR / "staging.hcl").read_text()
    )
    (folder / f"{name}.hcl").write_text(text)
    return folder


def run(capsys, folder: Path, name: str, endpoint: str) -> tuple[int, str, str]:
    code = bootstrap_state.main([name, "--environments-dir", str(folder), "--endpoint-url", endpoint])
    out, err = capsys.readouterr()
    return code, out, err


def client(service: str, endpoint: str):
    import boto3

    return boto3.client(service, region_name="eu-west-1", endpoint_url=endpoint)


def test_creates_a_protected_state_bucket_and_key_and_prints_the_block(capsys, credentials, endpoint, tmp_path):
    folder = environments(tmp_path, "alpha")
    code, out, err = run(capsys, folder, "alpha", endpoint)
    assert (code, err) == (0, "")
    bucket = f"chat-infra-tfstate-{ACCOUNT}-alpha"
    assert f"created  bucket {bucket} in eu-west-1" in out

    s3, kms = client("s3", endpoint), client("kms", endpoint)
    key = kms.describe_key(KeyId="alias/chat-infra-tfstate-alpha")["KeyMetadata"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"] == {"NoncurrentDays": 365}
    statements = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}
    assert statements["DenyRequestsWithoutTls"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["DenyBucketDeletion"]["Action"] == "s3:DeleteBucket"
    assert statements["DenyBucketDeletion"]["Effect"] == "Deny"

    # The printed block is what the environment file takes: pasted in, it loads as its state.
    block = out[out.index("remote_state {") :].strip()
    path = folder / "alpha.hcl"
    path.write_text(re.sub(r"remote_state \{.*?\n\}", block, path.read_text(), flags=re.S))
    state = load_environment(path).remote_state
    assert (state.bucket, state.key, state.kms_key_id, state.use_lockfile) == (
        bucket,
        "chat-alpha/terraform.tfstate",
        key["Arn"],
        True,
    )


def test_a_second_run_changes_nothing_and_a_third_repairs_drift(capsys, credentials, endpoint, tmp_path):
    folder = environments(tmp_path, "beta")
    assert run(capsys, folder, "beta", endpoint)[0] == 0
    code, out, _ = run(capsys, folder, "beta", endpoint)
    assert code == 0
    assert "already in place; nothing changed" in out
    steps = out[: out.index("remote_state {")]
    assert re.findall(r"^  (\w+) ", steps, flags=re.M) == ["kept"] * 10

    bucket = f"chat-infra-tfstate-{ACCOUNT}-beta"
    s3 = client("s3", endpoint)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket_policy(Bucket=bucket)
    code, out, _ = run(capsys, folder, "beta", endpoint)
    assert code == 0
    assert "  set      versioning" in out
    assert "  set      bucket policy: TLS only, no bucket deletion" in out
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_refuses_credentials_of_another_account_than_the_file_pins(capsys, credentials, endpoint, tmp_path):
    folder = environments(tmp_path, "gamma", extra='account_id = "999999999999"')
    code, out, err = run(capsys, folder, "gamma", endpoint)
    assert code == 2
    assert err == (
        "bootstrap-state: NOT RUN: environments/gamma.hcl pins account_id 999999999999, "
        f"but these credentials are for {ACCOUNT}\n"
    )
    names = [b["Name"] for b in client("s3", endpoint).list_buckets()["Buckets"]]
    assert not any(name.endswith("-gamma") for name in names)


def test_without_credentials_nothing_is_done(capsys, no_credentials, endpoint, tmp_path):
    folder = environments(tmp_path, "delta")
    code, _, err = run(capsys, folder, "delta", endpoint)
    assert code == 2
    assert err.startswith("bootstrap-state: NOT RUN: no usable AWS credentials")


def test_a_bad_environment_file_is_reported_not_raised(capsys, credentials, endpoint, tmp_path):
    folder = environments(tmp_path, "eps")
    path = folder / "eps.hcl"
    path.write_text(re.sub(r'(?m)^region\s*=\s*"eu-west-1"', 'region = "eu-nowhere-9"', path.read_text()))
    code, _, err = run(capsys, folder, "eps", endpoint)
    assert code == 2
    assert err.startswith("bootstrap-state: NOT RUN: ") and "region" in err
    assert (
        run(capsys, folder, "missing", endpoint)[2]
        == f"bootstrap-state: NOT RUN: no environment file {folder / 'missing.hcl'}\n"
    )
    shutil.rmtree(folder)
