"""Create (or re-check) the S3 bucket and KMS key that hold an environment's Terraform state.

    python -m ops.bootstrap_state ENV [--environments-dir DIR] [--bucket NAME] [--endpoint-url URL]
    make bootstrap-state ENV=prod

The first command of a new environment, run once per account and region with that
account's credentials, before the first `make deploy`. It prints the `remote_state { }`
block to put in `environments/<ENV>.hcl`.

Why boto3 and not a Terraform stack of its own: the state bucket cannot keep its own state
in itself before it exists, and a local state file for it would be the one thing lost with
the laptop or the CI runner. This command keeps no state: it looks at what exists and makes
it what it must be, so running it again (in a year, from another machine) only checks, and
says `kept` for every setting already right. It never deletes or loosens anything.

What it makes, in the environment's region (or remote_state.region):
- a customer managed KMS key with rotation, alias `alias/chat-infra-tfstate-<ENV>`: the
  state holds every secret Terraform ever read; the backend encrypts with it (`kms_key_id`);
- the bucket `chat-infra-tfstate-<account id>-<ENV>` (account id in the name: bucket names
  are global, so two accounts never collide, and a bucket named for another account is
  refused): versioned (every earlier state stays recoverable), SSE-KMS by default with an
  S3 Bucket Key, all public access blocked, object ownership BucketOwnerEnforced (no ACLs),
  noncurrent versions expired after 365 days (a year of history, not for ever) and
  incomplete uploads after 7 days, and a bucket policy that refuses requests without TLS
  and refuses s3:DeleteBucket to everybody (deletion protection: only the account's root
  user can remove that policy, which AWS always lets it do);
- tags: project, environment, managed-by.

Exit codes: 0 done (or already right); 1 AWS refused a step (its message is printed);
2 nothing was done (bad environment file, no credentials, a bucket owned by someone else):
the reason is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

PROJECT = "chat-infra"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2
NONCURRENT_VERSION_DAYS = 365
INCOMPLETE_UPLOAD_DAYS = 7
STATE_KEY = "chat-{env}/terraform.tfstate"


class CannotRun(Exception):
    """Nothing was done, and why."""


def bucket_name(account_id: str, environment: str) -> str:
    return f"{PROJECT}-tfstate-{account_id}-{environment}"


def key_alias(environment: str) -> str:
    return f"alias/{PROJECT}-tfstate-{environment}"


def tags(environment: str) -> dict[str, str]:
    return {"project": PROJECT, "environment": environment, "managed-by": "ops/bootstrap_state.py"}


def bucket_policy(bucket: str, partition: str) -> dict[str, Any]:
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyRequestsWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                # Deletion protection. Every principal, the account's administrators too: the
                # state is the map from this configuration to real resources, and losing it
                # orphans them all. The root user can always delete a bucket policy.
                "Sid": "DenyBucketDeletion",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteBucket",
                "Resource": arn,
            },
        ],
    }


def lifecycle_rules() -> dict[str, Any]:
    return {
        "Rules": [
            {
                "ID": "expire-old-state-versions",
                "Status": "Enabled",
                "Filter": {},
                "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": INCOMPLETE_UPLOAD_DAYS},
            }
        ]
    }


@dataclass
class Report:
    """What each step found: `created`, `set` (changed to what it must be) or `kept`."""

    steps: list[tuple[str, str]] = field(default_factory=list)

    def add(self, what: str, outcome: str) -> None:
        self.steps.append((what, outcome))
        print(f"  {outcome:8} {what}", flush=True)

    @property
    def changed(self) -> bool:
        return any(outcome != "kept" for _, outcome in self.steps)


def _error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def ensure_key(kms: Any, environment: str, report: Report) -> str:
    """The state key's ARN: the alias's key, or a new key with rotation behind a new alias."""
    alias = key_alias(environment)
    try:
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]
        report.add(f"KMS key {alias} ({key['Arn']})", "kept")
    except kms.exceptions.NotFoundException:
        key = kms.create_key(
            Description=f"Encrypts the Terraform state of chat-{environment} (ops/bootstrap_state.py)",
            KeyUsage="ENCRYPT_DECRYPT",
            Tags=[{"TagKey": k, "TagValue": v} for k, v in tags(environment).items()],
        )["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        report.add(f"KMS key {alias} ({key['Arn']})", "created")
    if key.get("KeyState") not in (None, "Enabled"):
        raise CannotRun(f"the state key {alias} is {key['KeyState']}; enable it (or cancel its deletion) first")
    if kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled"):
        report.add("key rotation", "kept")
    else:
        kms.enable_key_rotation(KeyId=key["KeyId"])
        report.add("key rotation", "set")
    return key["Arn"]


def _ensure(report: Report, what: str, current: Callable[[], Any], wanted: Any, apply: Callable[[], None]) -> None:
    """Apply `wanted` unless `current()` already returns it."""
    try:
        found = current()
    except ClientError as error:  # "not configured yet" has a code of its own per setting
        if _error_code(error) in ("AccessDenied", "AccessDeniedException"):
            raise
        found = None
    if found == wanted:
        report.add(what, "kept")
        return
    apply()
    report.add(what, "set")


def ensure_bucket(
    s3: Any, bucket: str, region: str, key_arn: str, partition: str, environment: str, report: Report
) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        report.add(f"bucket {bucket}", "kept")
    except ClientError as error:
        code = _error_code(error)
        if code in ("403", "AccessDenied"):
            raise CannotRun(
                f"bucket {bucket} exists but this account cannot read it (owned by another account?); "
                "pass --bucket with a name of your own"
            ) from None
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
        arguments: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if region != "us-east-1":  # us-east-1 refuses its own name as a location constraint
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**arguments)
        report.add(f"bucket {bucket} in {region}", "created")

    block_all = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    _ensure(
        report,
        "public access blocked",
        lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        block_all,
        lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block_all),
    )
    ownership = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    _ensure(
        report,
        "object ownership BucketOwnerEnforced (no ACLs)",
        lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"],
        ownership,
        lambda: s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=ownership),
    )
    _ensure(
        report,
        "versioning",
        lambda: s3.get_bucket_versioning(Bucket=bucket).get("Status"),
        "Enabled",
        lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}),
    )
    encryption = {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                "BucketKeyEnabled": True,
            }
        ]
    }
    _ensure(
        report,
        "default encryption SSE-KMS with the state key",
        lambda: _encryption_rules(s3.get_bucket_encryption(Bucket=bucket)),
        encryption,
        lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=encryption),
    )
    rules = lifecycle_rules()
    _ensure(
        report,
        f"noncurrent versions expire after {NONCURRENT_VERSION_DAYS} days",
        lambda: {"Rules": s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]},
        rules,
        lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=rules),
    )
    policy = bucket_policy(bucket, partition)
    _ensure(
        report,
        "bucket policy: TLS only, no bucket deletion",
        lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
        policy,
        lambda: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy)),
    )
    wanted_tags = sorted(({"Key": k, "Value": v} for k, v in tags(environment).items()), key=lambda t: t["Key"])
    _ensure(
        report,
        "tags",
        lambda: sorted(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], key=lambda t: t["Key"]),
        wanted_tags,
        lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": wanted_tags}),
    )


def _encryption_rules(answer: dict[str, Any]) -> dict[str, Any]:
    rules = answer["ServerSideEncryptionConfiguration"]["Rules"]
    return {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": rule["ApplyServerSideEncryptionByDefault"],
                "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
            }
            for rule in rules
        ]
    }


def remote_state_block(bucket: str, key: str, region: str, key_arn: str) -> str:
    return "\n".join(
        [
            "remote_state {",
            f'  bucket       = "{bucket}"',
            f'  key          = "{key}"',
            f'  region       = "{region}"',
            f'  kms_key_id   = "{key_arn}"',
            "  use_lockfile = true",
            "}",
        ]
    )


@dataclass(frozen=True)
class Target:
    environment: str
    region: str
    bucket: str | None  # None: named after the caller's account
    account_id: str | None  # the environment file's pin, if any


def target_of(environment: str, environments_dir: Path, bucket: str | None) -> Target:
    from envconfig import EnvironmentFileError, load_environment

    path = environments_dir / f"{environment}.hcl"
    if not path.is_file():
        raise CannotRun(f"no environment file {path}")
    try:
        config = load_environment(path)
    except EnvironmentFileError as error:
        raise CannotRun("; ".join(str(problem) for problem in error.problems)) from None
    region = config.state_region or config.region
    return Target(environment=config.name, region=region, bucket=bucket, account_id=config.account_id)


def bootstrap(target: Target, session: Any, endpoint_url: str | None = None) -> tuple[str, Report]:
    """Make the state bucket and key right; the remote_state block to print, and what was done."""
    clients = {"region_name": target.region, **({"endpoint_url": endpoint_url} if endpoint_url else {})}
    try:
        identity = session.client("sts", **clients).get_caller_identity()
    except (NoCredentialsError, BotoCoreError) as error:
        reason = f"no usable AWS credentials ({error}); run with credentials of the environment's account"
        raise CannotRun(reason) from None
    account_id, arn = identity["Account"], identity["Arn"]
    partition = arn.split(":")[1]
    if target.account_id and target.account_id != account_id:
        raise CannotRun(
            f"environments/{target.environment}.hcl pins account_id {target.account_id}, but these credentials "
            f"are for {account_id}"
        )
    bucket = target.bucket or bucket_name(account_id, target.environment)
    print(f"bootstrap-state: chat-{target.environment}: account {account_id}, {target.region}, bucket {bucket}")
    report = Report()
    key_arn = ensure_key(session.client("kms", **clients), target.environment, report)
    ensure_bucket(
        session.client("s3", **clients), bucket, target.region, key_arn, partition, target.environment, report
    )
    return remote_state_block(bucket, STATE_KEY.format(env=target.environment), target.region, key_arn), report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bootstrap_state", description=__doc__.splitlines()[0])
    parser.add_argument("environment", metavar="ENV")
    parser.add_argument("--environments-dir", type=Path, default=Path("environments"))
    parser.add_argument("--bucket", help="the bucket's name (default: chat-infra-tfstate-<account id>-<ENV>)")
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint (tests, emulators)")
    args = parser.parse_args(argv)
    try:
        import boto3

        target = target_of(args.environment, args.environments_dir, args.bucket)
        block, report = bootstrap(target, boto3.session.Session(), args.endpoint_url)
    except CannotRun as error:
        print(f"bootstrap-state: NOT RUN: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except (ClientError, BotoCoreError) as error:  # AWS refused a step: which, and what stays done
        print(f"bootstrap-state: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        print("bootstrap-state: the steps above stay done; run the command again once fixed", file=sys.stderr)
        return EXIT_FAILED
    print("bootstrap-state: " + ("done" if report.changed else "already in place; nothing changed"))
    print(f"\nPut this block in {args.environments_dir / (args.environment + '.hcl')} (replacing any other):\n")
    print(block)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
