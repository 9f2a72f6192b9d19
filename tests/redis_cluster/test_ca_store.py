"""configure.sh's handling of the cluster's CA store, without Redis: who makes the CA, who
waits, and that only "no value yet" counts as an empty store.

The Secrets Manager seam is driven through a stand-in `aws` command on PATH that keeps
the secrets in a folder and answers as the AWS CLI does (ResourceNotFoundException for
a secret without a value); it records every call it gets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from modules.redis_cluster.user_data import NODE_FILES_DIR
from tests.redis_cluster.harness import RealCluster, debian_build

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="configure.sh needs openssl")

CA_SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-test/redis-cluster/tls-ca-AbCdEf"
CERTIFICATE_SECRET = (
    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-test/redis-cluster/tls-ca-certificate-AbCdEf"
)
NO_VALUE = (
    "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager "
    "can't find the specified secret value for staging label: AWSCURRENT"
)
ACCESS_DENIED = (
    "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User is not "
    "authorized to perform: secretsmanager:GetSecretValue"
)
FAKE_AWS = r"""#!/usr/bin/env bash
# Stand-in for the AWS CLI's two Secrets Manager calls that configure.sh makes.
echo "$*" >>"$FAKE_AWS_DIR/calls"
while [ $# -gt 0 ]; do
  case "$1" in
    --secret-id) id=$2; shift ;;
    --secret-string) value=$2; shift ;;
    get-secret-value | put-secret-value) call=$1 ;;
  esac
  shift
done
stored="$FAKE_AWS_DIR/secrets/${id//[:\/]/_}"
if [ "$call" = get-secret-value ]; then
  if [ -f "$FAKE_AWS_DIR/error" ]; then cat "$FAKE_AWS_DIR/error" >&2; exit 254; fi
  if [ -f "$stored" ]; then cat "$stored"; else echo "$NO_VALUE" >&2; exit 254; fi
else
  mkdir -p "$FAKE_AWS_DIR/secrets"
  cp "${value#file://}" "$stored"
fi
"""


@pytest.fixture
def nodes(tmp_path):
    """The settings of a six-node cluster (no process is started)."""
    root = tmp_path / "cluster"
    root.mkdir()
    return RealCluster(root, debian_build())


def configure(cluster: RealCluster, name: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    node = next(n for n in cluster.nodes if n.name == name)
    return subprocess.run(
        ["bash", str(NODE_FILES_DIR / "configure.sh")],
        env={**os.environ, **(env or {}), "REDIS_CLUSTER_ENV": str(node.env_file)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def use_secrets_manager(cluster: RealCluster, root: Path) -> dict[str, str]:
    """Point every node's CA seam at Secrets Manager, served by the stand-in `aws`."""
    for node in cluster.nodes:
        with node.env_file.open("a") as settings:
            settings.write(
                f"TLS_CA_STORE_DIR=''\nTLS_CA_SECRET_ARN='{CA_SECRET}'\n"
                f"TLS_CA_CERTIFICATE_SECRET_ARN='{CERTIFICATE_SECRET}'\nAWS_REGION='eu-west-1'\nCA_WAIT_SECONDS='1'\n"
            )
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(FAKE_AWS)
    (bin_dir / "aws").chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_AWS_DIR": str(root), "NO_VALUE": NO_VALUE}


def stored_secret(root: Path, arn: str) -> str:
    return (root / "secrets" / arn.replace(":", "_").replace("/", "_")).read_text()


def test_a_node_other_than_the_designated_one_waits_for_the_ca_and_never_makes_one(nodes):
    for node in nodes.nodes:
        with node.env_file.open("a") as settings:
            settings.write("CA_WAIT_SECONDS='1'\n")
    run = configure(nodes, "node-3")
    assert run.returncode != 0
    assert "waiting for node-0 to create the cluster's CA" in run.stderr and "no CA in the store" in run.stderr
    assert not nodes.ca_store.exists() or not list(nodes.ca_store.iterdir())
    # Once the designated node has made it, the same node configures.
    assert configure(nodes, "node-0").returncode == 0
    assert configure(nodes, "node-3").returncode == 0
    node_3 = next(n for n in nodes.nodes if n.name == "node-3")
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(nodes.ca_certificate), str(node_3.home / "tls" / "node.crt")],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert verified.returncode == 0, verified.stderr


def test_an_empty_secret_lets_the_designated_node_make_and_publish_the_ca(nodes, tmp_path):
    env = use_secrets_manager(nodes, tmp_path)
    run = configure(nodes, "node-0", env)
    assert run.returncode == 0, run.stderr
    assert "created the cluster's CA" in run.stderr and "published the CA certificate" in run.stderr
    bundle, certificate = stored_secret(tmp_path, CA_SECRET), stored_secret(tmp_path, CERTIFICATE_SECRET)
    assert "PRIVATE KEY" in bundle and "PRIVATE KEY" not in certificate
    assert certificate.strip() in bundle
    # A second boot reads the CA back and writes nothing.
    calls = (tmp_path / "calls").read_text().count("put-secret-value")
    again = configure(nodes, "node-0", env)
    assert again.returncode == 0, again.stderr
    assert "created" not in again.stderr and "published" not in again.stderr
    assert (tmp_path / "calls").read_text().count("put-secret-value") == calls
    # Another node reads the same CA and signs its own certificate with it.
    assert configure(nodes, "node-4", env).returncode == 0
    node_4 = next(n for n in nodes.nodes if n.name == "node-4")
    assert (node_4.home / "tls" / "ca.crt").read_text().strip() == certificate.strip()


def test_a_secret_that_cannot_be_read_stops_the_boot_and_no_second_ca_is_made(nodes, tmp_path):
    env = use_secrets_manager(nodes, tmp_path)
    (tmp_path / "error").write_text(ACCESS_DENIED)
    run = configure(nodes, "node-0", env)
    assert run.returncode != 0
    assert f"reading {CA_SECRET}" in run.stderr and "AccessDeniedException" in run.stderr
    assert "put-secret-value" not in (tmp_path / "calls").read_text()
    assert not (tmp_path / "secrets").exists()
