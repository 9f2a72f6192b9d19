"""moto, the local AWS emulator the tier plans and applies against, and what it gets wrong.

A plan proves a configuration valid; an apply followed by a second plan shows a
perpetual diff (an attribute the provider reads back differently from what a module
writes). moto is an emulator, so some differences are moto's, not the modules': they are
listed here, each with its reason. A listed gap that no longer occurs fails the tier
(as a stale checkov waiver fails the gate), so the list only ever holds real gaps.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOTO_SERVER = ROOT / ".venv-moto" / "bin" / "moto_server"
# moto's server with the API gaps the stacks hit filled in (see the file), each patch registered
# with the behaviour it supplies (moto_patches.py), started only on the pinned moto release.
MOTO_EXTENSIONS = Path(__file__).with_name("moto_extensions.py")
MOTO_PYTHON = ROOT / ".venv-moto" / "bin" / "python"
# moto's default account; a stack that pins another account gets moto started with it.
MOTO_DEFAULT_ACCOUNT = "123456789012"
# Every service the platform's modules use; unused ones cost nothing.
MOTO_ENDPOINT_SERVICES = (
    "acm apigateway apigatewayv2 applicationautoscaling autoscaling backup cloudfront cloudwatch cloudwatchlogs "
    "docdb dynamodb ec2 ecr ecs elasticache elbv2 events firehose iam kafka kms rds route53 s3 secretsmanager "
    "servicediscovery shield sns sqs ssm sts wafv2"
).split()


# The host moto's S3 Control answers to (its url_bases: <account>.s3-control.<any>.amazonaws.com).
# Only ever reached through moto as a proxy on loopback, never resolved.
MOTO_S3_CONTROL_HOST = "s3-control.moto.amazonaws.com"


class EmulatorCannotStart(Exception):
    pass


@dataclass(frozen=True)
class EmulatorGap:
    """One known difference between moto and AWS: a second-plan diff or an apply error."""

    resource_type: str
    reason: str
    attribute: str | None = None  # the second plan changes this attribute
    error: str | None = None  # the apply fails with a message containing this

    def __post_init__(self) -> None:
        if (self.attribute is None) == (self.error is None):
            raise ValueError(f"{self.resource_type}: a gap names exactly one of attribute or error")

    @property
    def key(self) -> str:
        return f"{self.resource_type} " + (f"attribute {self.attribute}" if self.attribute else f'error "{self.error}"')

    def matches_diff(self, resource_type: str, attribute: str) -> bool:
        return self.attribute is not None and (resource_type, attribute) == (self.resource_type, self.attribute)

    def matches_error(self, resource_type: str, message: str) -> bool:
        return self.error is not None and resource_type == self.resource_type and self.error in message


_S3_CREATE_TAGS = (
    "the provider sends a bucket's tags with CreateBucket, which moto 5.2.5 ignores, and reads them back "
    "through S3 Control, which then has none; AWS stores them (and the provider re-tags only on a diff)."
)

EMULATOR_GAPS: tuple[EmulatorGap, ...] = (
    EmulatorGap("aws_s3_bucket", attribute="tags", reason=_S3_CREATE_TAGS),
    EmulatorGap("aws_s3_bucket", attribute="tags_all", reason=_S3_CREATE_TAGS),
    EmulatorGap(
        "aws_s3_bucket_acl",
        attribute="access_control_policy",
        reason="moto answers GetBucketAcl with a fixed owner id that differs from the canonical user id it "
        "gives everywhere else (ListBuckets, data.aws_canonical_user_id); in AWS they are the same user.",
    ),
)

# Resource types whose AWS API moto does not implement at all: their apply errors are
# expected, and they are judged by validate and the first plan only (resource type ->
# why). Stale, like a gap, when such a resource is created after all.
NOT_IMPLEMENTED_BY_MOTO: dict[str, str] = {
    "aws_cloudwatch_metric_alarm": "the provider's SDK calls CloudWatch over the Smithy RPC v2 CBOR protocol "
    "(POST /service/GraniteServiceVersion20100801/operation/PutMetricAlarm), which moto 5.2.5 does not serve "
    "(404; it serves CloudWatch's Query protocol only); the dashboard, which names the alarms, is then not "
    "created either.",
    "aws_db_instance_automated_backups_replication": "moto 5.2.5 has no StartDBInstanceAutomatedBackupsReplication "
    "(nor its Stop and the replicated backups' Describe by ARN): the cross-region replication of the database's "
    "automated backups (backup.copy_region, prod) is judged by validate and the plan; the second region's key "
    "and AWS Backup vault it sits beside are applied.",
    "aws_cloudfront_response_headers_policy": "moto 5.2.5 has no CreateResponseHeadersPolicy (it answers 404); "
    "the distribution that names the policy, and what names the distribution, are then not created either.",
}


def _address_type(address: str) -> str:
    return address.split(".")[-2]


def listed_failure(address: str, error: str) -> bool:
    """An apply error at this address that the lists above expect from moto."""
    kind = _address_type(address)
    return kind in NOT_IMPLEMENTED_BY_MOTO or any(g.matches_error(kind, error) for g in EMULATOR_GAPS)


def listed_diff(address: str, attribute: str) -> bool:
    """A re-plan's change of this attribute at this address that the gap list expects."""
    return any(g.matches_diff(_address_type(address), attribute) for g in EMULATOR_GAPS)


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _why_not_started(url: str, log_path: Path, exit_status: int | None) -> str:
    """What the tier reports for a server that never answered; a server that refused to start
    (the moto version check, moto_patches.py) said why on its last line."""
    if exit_status is None:
        return f"moto server did not answer on {url} within 60 s; see {log_path}"
    lines = log_path.read_text(errors="replace").strip().splitlines()
    last = lines[-1] if lines else "(no output)"
    return f"moto server exited with status {exit_status} before answering on {url}: {last} (log: {log_path})"


@contextlib.contextmanager
def moto_server(account_id: str, log_path: Path) -> Iterator[str]:
    """moto on 127.0.0.1 only, stopped on exit; yields its endpoint URL."""
    port = _free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    # ACM certificates are issued at once instead of after moto's default 60 s, which
    # every DNS-validated certificate's validation resource would wait for.
    env = {
        **os.environ,
        "MOTO_ACCOUNT_ID": account_id,
        "MOTO_ACM_VALIDATION_WAIT": "0",
        # AWS-managed policies (the AWS Backup service role's) exist in every account.
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(MOTO_PYTHON), str(MOTO_EXTENSIONS), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise EmulatorCannotStart(_why_not_started(url, log_path, process.poll())) from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def endpoint_override(endpoint: str, aliases: Sequence[str] = ()) -> dict:
    """Terraform override: local state, test credentials, every service at the emulator.

    Every `aws` provider of the stack is overridden, the default one and each alias (a
    us-east-1 alias for CloudFront's certificate and web ACL): Terraform merges override
    provider blocks by name and alias, so an alias left out would call real AWS.

    The provider asks STS who it is (moto answers) as it does against AWS: without an
    account id it cannot check allowed_account_ids, and it reads security-group
    references back as "<account>/sg-..." instead of "sg-...", a diff AWS never shows.
    """
    port = endpoint.rsplit(":", 1)[1]
    s3_control = f"http://{MOTO_S3_CONTROL_HOST}:{port}"
    settings = {
        "access_key": "testing",
        "secret_key": "testing",
        "skip_credentials_validation": True,
        "skip_requesting_account_id": False,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
        # moto answers an API it lacks with HTTP 500, which the SDK would retry 25 times
        # with backoff (minutes per resource); moto never throttles, so a few suffice.
        "max_retries": 3,
        # moto serves every bucket under one host; virtual-host addressing would need DNS.
        "s3_use_path_style": True,
        "endpoints": [{service: endpoint for service in MOTO_ENDPOINT_SERVICES} | {"s3control": s3_control}],
        # S3 Control puts the account id in front of the host name ("<account>.s3-control...",
        # how the provider reads bucket tags), which no loopback address can take. That
        # one endpoint therefore names moto's S3 Control host and is reached through moto
        # itself as an HTTP proxy; every 127.0.0.1 endpoint above is never proxied.
        "http_proxy": endpoint,
        "https_proxy": endpoint,  # unused (every endpoint is http), set so the provider does not warn
        "no_proxy": "127.0.0.1,localhost",
    }
    providers = [settings] + [{"alias": alias, **settings} for alias in aliases]
    return {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}, "provider": {"aws": providers}}


def provider_aliases(document: dict) -> list[str]:
    """The aliases of a synthesized stack's `aws` providers."""
    return [p["alias"] for p in document.get("provider", {}).get("aws", []) if p.get("alias")]


# -- what a stack expects to exist already ---------------------------------------------
#
# moto starts empty. A stack that looks up something made outside it (the environment's
# public Route53 zone, delegated once by hand) would fail its plan there, so the tier
# creates exactly those things first, named as the stack's lookups name them.

_SEED_SCRIPT = """
import json, sys
import boto3
endpoint, zones = sys.argv[1], json.loads(sys.argv[2])
route53 = boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
for zone in zones:
    route53.create_hosted_zone(Name=zone, CallerReference="chat-infra-verify-" + zone)
"""


def looked_up_zones(document: dict) -> list[str]:
    """Public zone names the stack's data.aws_route53_zone blocks look up by name."""
    zones = []
    for block in document.get("data", {}).get("aws_route53_zone", {}).values():
        name = block.get("name")
        if isinstance(name, str) and "${" not in name and not block.get("zone_id") and not block.get("private_zone"):
            zones.append(name.rstrip("."))
    return sorted(set(zones))


def seed_lookups(document: dict, endpoint: str) -> list[str]:
    """Create in moto what the stack looks up; returns what was created."""
    zones = looked_up_zones(document)
    if zones:
        completed = subprocess.run(
            [str(MOTO_PYTHON), "-c", _SEED_SCRIPT, endpoint, json.dumps(zones)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if completed.returncode != 0:
            raise EmulatorCannotStart(
                f"could not create the looked-up zones {zones} in moto: {completed.stderr[-500:]}"
            )
    return [f"route53 zone {zone}" for zone in zones]
