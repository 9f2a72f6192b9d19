"""`python -m ops.restore_backup ENV TARGET [--before TIME | --recovery-point ARN] [--from-copy]
[--into NAME | --into-existing BUCKET] [--wait]` (`make restore-backup ENV=<env> TARGET=<name> ...`):
restore one store of the backup selection from AWS Backup.

TARGET is the store's name in the selection (`database`, `attachments`, `messages_table`, ...):
the stack's output `backup_targets` maps each name to its ARN; `backup_vault_name` and
`backup_role_arn` name the vault and the role a restore job runs as, and `backup_copy_vault`
the vault in `backup.copy_region` (with --from-copy). The outputs are read like `make
db-bootstrap` reads them: `terraform output -json` in the stack's folder, or --outputs-json FILE.
The region is the environment file's (with --from-copy: the copy vault's).

It lists the vault's recovery points of that store (every page), chooses the newest COMPLETED
one created at or before --before (default: now), or the one --recovery-point names, and
prints it with its age: what the restore gives back, and what is lost after it (the RPO).
Then, by the store's kind:

- RDS instance, DocumentDB cluster: no job. A restore is a change of the environment file
  (`database { restore { from_snapshot } }`, `documentdb { ... }`: modules/database/README.md,
  Restoring), and AWS Backup's recovery point of either is a snapshot whose ARN is the recovery
  point's (`...:snapshot:awsbackup:job-...`). It prints the block to paste. From the copy vault
  it first prints the snapshot copy that re-encrypts it under the restoring stack's own key
  (`alias/<stack>/postgres`): the copy is encrypted with the copy vault's key, and an instance
  restored from it would keep that key where its configuration names the stack's (a replacement
  on the next plan).
- S3 bucket: a restore job into a new bucket (default `<bucket>-r<yyyymmddhhmm>` of the recovery
  point; --into NAME), encrypted like the original (the recovery point's own restore metadata),
  or into an existing bucket only when --into-existing names it (the live one, or the recovery
  stack's). From the copy vault the original's key is in the lost region: --kms-key names one in
  the copy's region (a key from another region is refused). It prints how to copy back what was
  lost.
- DynamoDB table: a restore job into a new table (default `<table>-r<yyyymmddhhmm>`; --into
  NAME), outside Terraform. Within its 35 days, the table's point-in-time recovery through
  `dynamodb { restore { } }` is the first choice: Terraform then manages the restored table.
- Anything else in the selection (the Redis Cluster's EBS volumes): refused, with the reason and
  where the runbook's procedure is.

--wait follows the restore job (DescribeRestoreJob) until COMPLETED, ABORTED or FAILED, bounded
by --timeout-seconds.

Exit codes: 0 the block was printed, or the job was started (with --wait: completed); 1 the job
failed, was aborted or did not finish within the bound, or AWS Backup refused to start it; 2
nothing was done: unusable arguments or outputs, an unknown environment or target, no recovery
point at or before the time, a recovery point of another store, no credentials.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modules.common.restore import restore_suffix
from ops import db_bootstrap
from ops.restore_attachment import parse_time
from ops.rotate_secrets import DEFAULT_ENVIRONMENTS_DIR, region_of
from ops.stack import DEFAULT_STACKS_DIR, CannotRun, ClientFactory, Outcome, Polling, boto3_clients, output_values

PROGRAM = "restore-backup"
# A restore job of the attachments bucket copies every object (550 GB in prod: hours); an
# hour bounds the wait by default, and the job carries on after it.
DEFAULT_TIMEOUT_SECONDS = 3600
# A restore job runs for minutes to hours and reports a percentage: every 30 s is prompt enough.
POLL_SECONDS = 30.0
POLLING = Polling(DEFAULT_TIMEOUT_SECONDS, POLL_SECONDS)
JOB_DONE_STATES = ("COMPLETED", "ABORTED", "FAILED")
# S3 bucket names: 3-63 characters (S3's naming rules).
MAX_BUCKET_NAME_LENGTH = 63

_ARN = re.compile(r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):[^:]*:")
_RDS_INSTANCE = re.compile(r"^arn:[a-z-]+:rds:[a-z0-9-]+:\d{12}:db:(?P<name>[a-zA-Z0-9-]+)$")
_RDS_CLUSTER = re.compile(r"^arn:[a-z-]+:rds:[a-z0-9-]+:\d{12}:cluster:(?P<name>[a-zA-Z0-9-]+)$")
_S3_BUCKET = re.compile(r"^arn:[a-z-]+:s3:::(?P<name>[a-z0-9.-]+)$")
_DYNAMODB_TABLE = re.compile(r"^arn:[a-z-]+:dynamodb:[a-z0-9-]+:\d{12}:table/(?P<name>[a-zA-Z0-9_.-]+)$")

# The last part of each restore block's store key alias, "alias/<stack>/<domain>" (modules/database,
# modules/documentdb): the key a copied snapshot is re-encrypted with.
STORE_KEY_DOMAINS = {"database": "postgres", "documentdb": "docdb"}

# Where the runbook restores what AWS Backup holds but this command does not.
NOT_RESTORED_HERE = {
    "ec2": (
        "an EC2 volume (the Redis Cluster's data volumes): a volume is restored node by node with the "
        "cluster's own RDB and AOF files (modules/redis_cluster/README.md; docs/runbook.md: Restoring data)"
    ),
}


@dataclass(frozen=True)
class BackupOutputs:
    """What the stack's outputs say about its backups."""

    vault_name: str
    role_arn: str
    targets: dict[str, str]  # selection name -> resource ARN
    copy_vault: tuple[str, str] | None  # (name, region), without copy_region None

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> BackupOutputs:
        """Every missing or malformed output at once."""
        values = output_values(outputs)
        problems = []
        for name in ("backup_vault_name", "backup_role_arn"):
            if not isinstance(values.get(name), str) or not values[name]:
                problems.append(f"output {name}: expected a string, got {values.get(name)!r}")
        targets = values.get("backup_targets")
        if not isinstance(targets, dict) or not targets or not all(isinstance(a, str) for a in targets.values()):
            problems.append(f"output backup_targets: expected a map of store name to ARN, got {targets!r}")
        copy = values.get("backup_copy_vault")
        if copy is not None and not (
            isinstance(copy, dict) and isinstance(copy.get("name"), str) and isinstance(copy.get("region"), str)
        ):
            problems.append(f"output backup_copy_vault: expected {{name, region}}, got {copy!r}")
        if problems:
            raise CannotRun("; ".join(problems) + " (apply the stack first: make deploy ENV=<env>)")
        return cls(
            vault_name=values["backup_vault_name"],
            role_arn=values["backup_role_arn"],
            targets=dict(targets),  # type: ignore[arg-type]
            copy_vault=None if copy is None else (copy["name"], copy["region"]),
        )


@dataclass(frozen=True)
class RecoveryPoint:
    arn: str
    resource_arn: str
    status: str
    created: datetime

    @classmethod
    def from_api(cls, entry: Mapping[str, Any]) -> RecoveryPoint:
        return cls(entry["RecoveryPointArn"], entry["ResourceArn"], entry.get("Status", "?"), entry["CreationDate"])

    def line(self) -> str:
        return f"{self.arn} ({self.created.isoformat()}, {self.status})"


def recovery_points(backup: Any, vault: str, resource_arn: str) -> list[RecoveryPoint]:
    """Every recovery point of `resource_arn` in `vault`, newest first."""
    found = [
        RecoveryPoint.from_api(entry)
        for page in backup.get_paginator("list_recovery_points_by_backup_vault").paginate(
            BackupVaultName=vault, ByResourceArn=resource_arn
        )
        for entry in page.get("RecoveryPoints", [])
    ]
    return sorted(found, key=lambda point: point.created, reverse=True)


def choose(points: list[RecoveryPoint], vault: str, before: datetime) -> RecoveryPoint:
    """The newest COMPLETED point created at or before `before`."""
    completed = [point for point in points if point.status == "COMPLETED"]
    if not completed:
        raise CannotRun(f"{vault} holds no completed recovery point of this store ({len(points)} in other states)")
    chosen = next((point for point in completed if point.created <= before), None)
    if chosen is None:
        raise CannotRun(
            f"no completed recovery point at or before {before.isoformat()} in {vault}: the oldest is "
            f"{completed[-1].line()}"
        )
    return chosen


def named_point(backup: Any, vault: str, arn: str, target: str, resource_arn: str) -> RecoveryPoint:
    """The recovery point `arn`, refused unless it is a completed one of `resource_arn`."""
    from botocore.exceptions import ClientError

    try:
        described = backup.describe_recovery_point(BackupVaultName=vault, RecoveryPointArn=arn)
    except ClientError as error:
        raise CannotRun(f"no recovery point {arn} in {vault}: {error}") from None
    point = RecoveryPoint.from_api(described)
    if point.resource_arn != resource_arn:
        raise CannotRun(f"{arn} is a recovery point of {point.resource_arn}, not of {target} ({resource_arn})")
    if point.status != "COMPLETED":
        raise CannotRun(f"{arn} is {point.status}, not COMPLETED: it cannot be restored")
    return point


def age(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days} d {hours} h {minutes} min" if days else f"{hours} h {minutes} min"


def restored_name(original: str, point: RecoveryPoint) -> str:
    """A new store's default name: the original's and "-r" with the point's time in UTC, as the
    restore inputs name theirs (modules/common/restore.py)."""
    return original + restore_suffix(point.created.isoformat())


# -- what each kind of store gets ---------------------------------------------------------------


def snapshot_block(block: str, snapshot: str) -> str:
    """The environment file's restore input naming `snapshot`, as `make plan` reads it."""
    return f'{block} {{\n  restore {{\n    from_snapshot = "{snapshot}"\n  }}\n}}'


def database_restore(
    kind: str, point: RecoveryPoint, environment: str, copy_region: str | None, restoring_environment: str
) -> list[str]:
    """The lines that restore an RDS instance ("database") or a DocumentDB cluster ("documentdb")."""
    block = "database" if kind == "database" else "documentdb"
    if copy_region is None:
        return [
            f"paste into the {block} {{ }} block of environments/{environment}.hcl "
            "(docs/runbook.md: Restoring data), then `make plan ENV=" + environment + "`:",
            snapshot_block(block, point.arn),
        ]
    # From the copy vault: re-encrypted under the restoring stack's key first (module docstring).
    match = _ARN.match(point.arn)
    partition = match["partition"] if match else "aws"
    account = point.arn.split(":")[4]
    stack = f"chat-{restoring_environment}"
    key_alias = f"alias/{stack}/{STORE_KEY_DOMAINS[block]}"
    copy_id = f"{stack}-{STORE_KEY_DOMAINS[block]}-from-backup-{point.created.astimezone(UTC):%Y%m%d%H%M}"
    if block == "database":
        command = (
            f"aws rds copy-db-snapshot --region {copy_region} --source-db-snapshot-identifier {point.arn} "
            f"--target-db-snapshot-identifier {copy_id} --kms-key-id {key_alias} --copy-tags\n"
            f"aws rds wait db-snapshot-available --region {copy_region} --db-snapshot-identifier {copy_id}"
        )
        copied = f"arn:{partition}:rds:{copy_region}:{account}:snapshot:{copy_id}"
    else:
        command = (
            f"aws docdb copy-db-cluster-snapshot --region {copy_region} --source-db-cluster-snapshot-identifier "
            f"{point.arn} --target-db-cluster-snapshot-identifier {copy_id} --kms-key-id {key_alias} --copy-tags\n"
            f"aws docdb describe-db-cluster-snapshots --region {copy_region} --db-cluster-snapshot-identifier "
            f"{copy_id} --query 'DBClusterSnapshots[0].Status'   # until available"
        )
        copied = f"arn:{partition}:rds:{copy_region}:{account}:cluster-snapshot:{copy_id}"
    return [
        f"the copy is encrypted with the copy vault's key: copy it under {stack}'s own key first "
        "(an instance restored from it keeps the snapshot's key):",
        command,
        f"then paste into the {block} {{ }} block of environments/{restoring_environment}.hcl and "
        f"`make plan ENV={restoring_environment}`:",
        snapshot_block(block, copied),
    ]


@dataclass(frozen=True)
class RestoreJob:
    """A StartRestoreJob request, and what to say once it is started."""

    resource_type: str
    metadata: dict[str, str]
    destination: str
    afterwards: str


def s3_restore_job(
    metadata: Mapping[str, str],
    bucket: str,
    point: RecoveryPoint,
    into: str | None,
    into_existing: str | None,
    *,
    region: str,
    kms_key: str | None = None,
) -> RestoreJob:
    """Into a new bucket (encrypted as the original: the point's own metadata), or the existing one named.

    `kms_key` replaces the original's key: from the copy vault the original's key is in the lost
    region, and a KMS key is used only in its own region."""
    if kms_key is not None:
        metadata = {**metadata, "Encrypted": "true", "EncryptionType": "SSE-KMS", "KMSKey": kms_key}
    key_region = _ARN.match(metadata.get("KMSKey", ""))
    if key_region and key_region["region"] != region:
        raise CannotRun(
            f"the objects would be encrypted with {metadata['KMSKey']} (the original's key), which is in "
            f"{key_region['region']}, not {region} where the restore runs: name a key there with KMS_KEY=<arn> "
            "(the destination stack's attachments key)"
        )
    if into_existing is not None:
        destination, new_bucket = into_existing, "false"
    else:
        destination, new_bucket = into or restored_name(bucket, point), "true"
        if len(destination) > MAX_BUCKET_NAME_LENGTH:
            raise CannotRun(
                f"the new bucket's name {destination!r} is longer than {MAX_BUCKET_NAME_LENGTH} characters: "
                "name one with INTO=<bucket>"
            )
    if destination == bucket and new_bucket == "true":
        raise CannotRun(f"--into {bucket} is the live bucket: a restore into it is asked with --into-existing {bucket}")
    copy_back = (
        "the recovery point's objects are written into the live bucket (versioned: what they replace stays a "
        "noncurrent version; make restore-attachment lists an object's versions); check what was lost is back"
        if destination == bucket
        else f"copy back what was lost: aws s3 cp --recursive s3://{destination}/<prefix>/ s3://{bucket}/<prefix>/ "
        f"(or one object: make restore-attachment is for versions still in {bucket})"
    )
    return RestoreJob(
        resource_type="S3",
        metadata={**metadata, "DestinationBucketName": destination, "NewBucket": new_bucket},
        destination=f"bucket {destination}" + (" (new)" if new_bucket == "true" else " (existing)"),
        afterwards=copy_back,
    )


# The metadata key of the new table's name. The recovery point's own restore metadata
# (GetRecoveryPointRestoreMetadata) names it when it carries one, in whatever case it uses;
# this is the fallback (AWS Backup's DynamoDB restore examples).
TARGET_TABLE_NAME_KEY = "TargetTableName"


def table_name_key(metadata: Mapping[str, str]) -> str:
    return next((key for key in metadata if key.lower() == TARGET_TABLE_NAME_KEY.lower()), TARGET_TABLE_NAME_KEY)


def dynamodb_restore_job(metadata: Mapping[str, str], table: str, point: RecoveryPoint, into: str | None) -> RestoreJob:
    destination = into or restored_name(table, point)
    if destination == table:
        raise CannotRun(f"--into {table} is the live table: a restore job makes a new table")
    return RestoreJob(
        resource_type="DynamoDB",
        metadata={**metadata, table_name_key(metadata): destination},
        destination=f"table {destination} (new)",
        afterwards=(
            f"{destination} is outside Terraform: no stack manages, protects or backs it up; copy the items "
            f"back into {table}, then delete it. Within 35 days, `dynamodb {{ restore {{ }} }}` (point-in-time "
            "recovery: docs/runbook.md, Restoring data) is the first choice"
        ),
    )


def start_and_follow(
    backup: Any,
    point: RecoveryPoint,
    role_arn: str,
    job: RestoreJob,
    *,
    wait: bool,
    polling: Polling = POLLING,
    say: Callable[[str], None] = print,
) -> Outcome:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        job_id = backup.start_restore_job(
            RecoveryPointArn=point.arn, Metadata=job.metadata, IamRoleArn=role_arn, ResourceType=job.resource_type
        )["RestoreJobId"]
    except (ClientError, BotoCoreError) as error:
        return Outcome(1, f"AWS Backup refused to start the restore job: {error}")
    say(f"{PROGRAM}: restore job {job_id} started into {job.destination}; {job.afterwards}")
    follow = f"aws backup describe-restore-job --restore-job-id {job_id}"
    if not wait:
        return Outcome(0, f"follow it: {follow} (or WAIT=1)")
    for _ in polling.rounds():
        try:
            described = backup.describe_restore_job(RestoreJobId=job_id)
        except (ClientError, BotoCoreError) as error:
            return Outcome(1, f"could not follow restore job {job_id} ({error}); {follow}")
        status = described.get("Status", "?")
        if status == "COMPLETED":
            return Outcome(0, f"restore job {job_id} completed: {described.get('CreatedResourceArn', job.destination)}")
        if status in JOB_DONE_STATES:
            return Outcome(1, f"restore job {job_id} {status}: {described.get('StatusMessage', 'no reason given')}")
    return Outcome(
        1,
        f"timed out after {polling.timeout_seconds:.0f} s (--timeout-seconds) with restore job {job_id} {status} "
        f"({described.get('PercentDone', '?')} done); AWS Backup carries on: {follow}",
    )


# -- the command ----------------------------------------------------------------------------------


def resource_kind(arn: str) -> str:
    """database, documentdb, s3, dynamodb, or the ARN's service for what this does not restore."""
    for kind, pattern in (
        ("database", _RDS_INSTANCE),
        ("documentdb", _RDS_CLUSTER),
        ("s3", _S3_BUCKET),
        ("dynamodb", _DYNAMODB_TABLE),
    ):
        if pattern.match(arn):
            return kind
    match = _ARN.match(arn)
    return match["service"] if match else "unknown"


def resource_name(arn: str) -> str:
    for pattern in (_RDS_INSTANCE, _RDS_CLUSTER, _S3_BUCKET, _DYNAMODB_TABLE):
        match = pattern.match(arn)
        if match:
            return match["name"]
    return arn


@dataclass(frozen=True)
class Request:
    """The arguments, checked together: every problem is reported at once."""

    target: str
    resource_arn: str
    kind: str
    vault: str
    region: str
    role_arn: str
    copy_region: str | None
    before: datetime | None


def check_request(args: argparse.Namespace) -> Request:
    problems: list[str] = []
    before = None
    if args.before is not None:
        try:
            before = parse_time(args.before)
        except CannotRun as error:
            problems.append(str(error))
    if args.timeout_seconds <= 0:
        problems.append("--timeout-seconds: expected a positive number of seconds")
    outputs: BackupOutputs | None = None
    try:
        outputs = BackupOutputs.from_outputs(
            db_bootstrap.read_outputs(args.environment, args.outputs_json, args.stacks_dir)
        )
    except CannotRun as error:
        problems.append(str(error))
    region = None
    if not args.from_copy:
        try:
            region = region_of(args.environment, args.environments_dir)
        except CannotRun as error:
            problems.append(str(error))
    kind = "unknown"
    if outputs is not None:
        if args.target not in outputs.targets:
            problems.append(
                f"unknown TARGET {args.target!r}: the backup selection holds {', '.join(sorted(outputs.targets))}"
            )
        else:
            kind = resource_kind(outputs.targets[args.target])
            if kind in NOT_RESTORED_HERE or kind not in ("database", "documentdb", "s3", "dynamodb"):
                why = NOT_RESTORED_HERE.get(kind, f"a {kind} resource, which this command does not restore")
                problems.append(f"TARGET {args.target} ({outputs.targets[args.target]}) is {why}")
        if args.from_copy and outputs.copy_vault is None:
            problems.append("--from-copy: the stack outputs no backup_copy_vault (its file sets no backup.copy_region)")
    if (args.into or args.into_existing) and kind in ("database", "documentdb"):
        problems.append("--into/--into-existing: a database is restored by its environment file, not into a name")
    if args.into_existing and kind == "dynamodb":
        problems.append("--into-existing: a DynamoDB restore job makes a new table (--into NAME)")
    if problems:
        raise CannotRun(problems[0] if len(problems) == 1 else f"{len(problems)} problems:\n  " + "\n  ".join(problems))
    assert outputs is not None
    vault, region = outputs.copy_vault if args.from_copy and outputs.copy_vault else (outputs.vault_name, region)
    assert region is not None
    return Request(
        target=args.target,
        resource_arn=outputs.targets[args.target],
        kind=kind,
        vault=vault,
        region=region,
        role_arn=outputs.role_arn,
        copy_region=region if args.from_copy else None,
        before=before,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.restore_backup",
        description="Restore one store of the backup selection from an AWS Backup recovery point.",
        epilog="Exit 0: printed or started (completed with --wait); 1: the job failed or timed out; 2: nothing done.",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument(
        "target", metavar="TARGET", help="the store's name in the backup selection (output backup_targets)"
    )
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--before", help="the newest completed recovery point at or before this RFC 3339 time")
    chosen.add_argument("--recovery-point", help="this recovery point's ARN")
    parser.add_argument("--from-copy", action="store_true", help="from the copy vault, in backup.copy_region")
    into = parser.add_mutually_exclusive_group()
    into.add_argument("--into", help="the new bucket's or table's name (default: <original>-r<yyyymmddhhmm>)")
    into.add_argument("--into-existing", help="an existing bucket to restore into (the live one only when named)")
    parser.add_argument(
        "--kms-key", help="an S3 restore: the key the objects are encrypted with (default: the original's)"
    )
    parser.add_argument(
        "--restoring-environment",
        help="with --from-copy, a database: the environment restoring it (default: <ENV>-dr, docs/runbook.md)",
    )
    parser.add_argument("--wait", action="store_true", help="follow the restore job until it ends (bounded)")
    parser.add_argument("--timeout-seconds", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="bound of the wait")
    parser.add_argument("--outputs-json", type=Path, help="the JSON of `terraform output -json` (default: terraform)")
    parser.add_argument("--stacks-dir", type=Path, default=DEFAULT_STACKS_DIR, help="synthesized stacks")
    parser.add_argument("--environments-dir", type=Path, default=DEFAULT_ENVIRONMENTS_DIR, help="environment files")
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint (tests, emulators)")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    clients: ClientFactory | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    polling: Polling = POLLING,
) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = _parser().parse_args(argv)
    moment = now()
    try:
        request = check_request(args)
        backup = (clients or boto3_clients(args.endpoint_url))("backup", request.region)
        if args.recovery_point:
            point = named_point(backup, request.vault, args.recovery_point, request.target, request.resource_arn)
        else:
            points = recovery_points(backup, request.vault, request.resource_arn)
            point = choose(points, request.vault, request.before or moment)
        metadata = (
            backup.get_recovery_point_restore_metadata(BackupVaultName=request.vault, RecoveryPointArn=point.arn)[
                "RestoreMetadata"
            ]
            if request.kind in ("s3", "dynamodb")
            else {}
        )
    except CannotRun as error:
        print(f"{PROGRAM}: cannot run: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"{PROGRAM}: cannot run: AWS Backup refused to read {request.vault}: {error}", file=sys.stderr)
        return 2
    print(
        f"{PROGRAM}: {request.target} ({request.resource_arn}) from {request.vault} ({request.region}): "
        f"recovery point {point.arn}, created {point.created.isoformat()}, {age(point.created, moment)} ago: "
        "what was written after it is not in it"
    )
    if request.kind in ("database", "documentdb"):
        restoring = args.restoring_environment or f"{args.environment}-dr"
        for line in database_restore(request.kind, point, args.environment, request.copy_region, restoring):
            print(line)
        return 0
    name = resource_name(request.resource_arn)
    try:
        job = (
            s3_restore_job(
                metadata, name, point, args.into, args.into_existing, region=request.region, kms_key=args.kms_key
            )
            if request.kind == "s3"
            else dynamodb_restore_job(metadata, name, point, args.into)
        )
    except CannotRun as error:
        print(f"{PROGRAM}: cannot run: {error}", file=sys.stderr)
        return 2
    outcome = start_and_follow(
        backup,
        point,
        request.role_arn,
        job,
        wait=args.wait,
        polling=polling.with_timeout(args.timeout_seconds),
    )
    print(f"{PROGRAM}: {outcome.message}", file=sys.stderr if outcome.code else sys.stdout)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
