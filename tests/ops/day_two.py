"""What the day-two command tests share: a synthesized stack's JSON as ChatStack writes it (the
parts ops/stack.py reads; tests/ops/test_ops_stack.py checks the same reader against the
real synthesized environments), moto on loopback, and test credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.emulator import MOTO_SERVER, moto_server

ACCOUNT = "111122223333"
REGION = "eu-west-1"


# The shipped environments' split (environments/prod.hcl): all traffic on blue.
LIVE_ON_BLUE = {"blue": 100, "green": 0}
# What the load balancer module writes for realtime's rule (modules/load_balancer).
REALTIME_STICKINESS = {"duration": 3600, "enabled": True}


def stack_document(
    environment: str,
    *,
    account: str | None = None,
    queues: bool = True,
    weights: dict[str, dict[str, int]] | None = None,
) -> dict:
    """The stack chat-<environment>: its providers, queues, attachments bucket, release
    parameters and listener rules (`weights`: service -> colour -> weight, default all on
    blue). Without `account` the names hold the caller-identity reference, as when the file
    pins none."""
    stack = f"chat-{environment}"
    # One lookup per stack (modules/common/stack_context.py), named "caller".
    account_part = account or "${data.aws_caller_identity.caller.account_id}"
    resources: dict[str, dict] = {"aws_sqs_queue": {}, "aws_s3_bucket": {}}
    if queues:
        for key, carries in (("push", "push-notifications"), ("offline", "offline-messages")):
            name = f"{stack}-{carries}"
            resources["aws_sqs_queue"][f"{key}_queue_this_0F05A5FB"] = {
                "//": {"metadata": {"path": f"{stack}/{key}_queue/this"}},
                "name": name,
                "redrive_policy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{account_part}:{name}-dlq", "maxReceiveCount": 5},
                    separators=(",", ":"),
                ),
            }
            resources["aws_sqs_queue"][f"{key}_queue_dead_letter_queue_2161E8B0"] = {
                "//": {"metadata": {"path": f"{stack}/{key}_queue/dead_letter_queue"}},
                "name": f"{name}-dlq",
            }
    resources["aws_s3_bucket"]["attachments_bucket_A6A43FBB"] = {
        "//": {"metadata": {"path": f"{stack}/attachments/bucket/bucket"}},
        "bucket": f"{stack}-attachments-{account_part}-{REGION}",
    }
    resources["aws_s3_bucket"]["attachments_log_bucket_6B6EEA5E"] = {
        "//": {"metadata": {"path": f"{stack}/attachments/log_bucket/bucket"}},
        "bucket": f"{stack}-attach-logs-{account_part}-{REGION}",
    }
    resources.update(release_resources(stack, weights or {"api": LIVE_ON_BLUE, "realtime": LIVE_ON_BLUE}))
    return {
        "provider": {"aws": [{"region": REGION}, {"alias": "us_east_1", "region": "us-east-1"}]},
        "resource": resources,
    }


def release_resources(stack: str, weights: dict[str, dict[str, int]]) -> dict[str, dict]:
    """modules/compute's release parameters and modules/load_balancer's weighted rules."""
    parameters: dict[str, dict] = {
        "worker_image_tag_3FFBC3FA": {
            "//": {"metadata": {"path": f"{stack}/worker/image_tag"}},
            "name": f"/{stack}/worker/image-tag",
            "type": "String",
            "insecure_value": "bootstrap",
            "lifecycle": {"ignore_changes": ["insecure_value"]},
        }
    }
    target_groups: dict[str, dict] = {}
    rules: dict[str, dict] = {}
    for service, split in weights.items():
        forward: dict = {"target_group": []}
        for colour, weight in split.items():
            parameters[f"{service}_image_tag_{colour}_0A1B2C3D"] = {
                "//": {"metadata": {"path": f"{stack}/{service}/image_tag_{colour}"}},
                "name": f"/{stack}/{service}/{colour}/image-tag",
                "type": "String",
                "insecure_value": "bootstrap",
                "lifecycle": {"ignore_changes": ["insecure_value"]},
            }
            group_id = f"load_balancer_{service}_{colour}_target_group_4E5F6A7B"
            target_groups[group_id] = {
                "//": {"metadata": {"path": f"{stack}/load_balancer/{service}_{colour}_target_group"}}
            }
            forward["target_group"].append({"arn": f"${{aws_lb_target_group.{group_id}.arn}}", "weight": weight})
        if service == "realtime":
            forward["stickiness"] = REALTIME_STICKINESS
        rules[f"load_balancer_{service}_listener_rule_8C9D0E1F"] = {
            "//": {"metadata": {"path": f"{stack}/load_balancer/{service}_listener_rule"}},
            "action": [{"type": "forward", "forward": forward}],
        }
    return {"aws_ssm_parameter": parameters, "aws_lb_target_group": target_groups, "aws_lb_listener_rule": rules}


def write_stack(tmp_path: Path, environment: str, **kwargs) -> Path:
    path = tmp_path / f"chat-{environment}.tf.json"
    path.write_text(json.dumps(stack_document(environment, **kwargs)))
    return path


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    if not MOTO_SERVER.exists():
        pytest.skip(f"moto is not installed ({MOTO_SERVER} missing; `make test` installs .venv-moto)")
    with moto_server(ACCOUNT, tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture
def credentials(monkeypatch, tmp_path):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    # No instance metadata lookup: these tests must not touch the network.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def boto3_client(service: str, endpoint: str):
    import boto3

    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def no_client(service: str, region: str):
    raise AssertionError(f"no AWS call expected ({service} in {region})")
