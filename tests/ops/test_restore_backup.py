"""make restore-backup (ops/restore_backup.py) against botocore's Stubber (AWS Backup's API
model checks every request and response; moto 5.2.5 has no recovery points or restore jobs):
the recovery point each way of choosing gives, the database's block to paste (and that it loads
from an environment file), the S3 and DynamoDB restore jobs, the bounded wait, the copy vault's
region, and every reason it cannot run, all at once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import botocore.session
import pytest
from botocore.stub import Stubber

from modules.database.props import DatabaseRestore
from modules.documentdb.props import ClusterRestore
from ops import restore_backup
from ops.restore_backup import RecoveryPoint, choose
from ops.stack import CannotRun
from tests.modules.restore_files import file_with_restore
from tests.ops import day_two
from tests.ops.day_two import ACCOUNT, REGION, FakeClock, no_client

no_credentials = day_two.no_credentials

COPY_REGION = "eu-central-1"
VAULT = "chat-prod-backup"
COPY_VAULT = "chat-prod-backup-copy"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/chat-prod-backup"
BUCKET = f"chat-prod-attachments-{ACCOUNT}-{REGION}"
TARGETS = {
    "attachments": f"arn:aws:s3:::{BUCKET}",
    "database": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:chat-prod-postgres",
    "documentdb": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:chat-prod-docdb",
    "messages_table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/chat-prod-messages",
    "redis_node_0_data": f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-0123456789abcdef0",
}
OUTPUTS = {
    "backup_vault_name": {"sensitive": False, "type": "string", "value": VAULT},
    "backup_role_arn": {"sensitive": False, "type": "string", "value": ROLE},
    "backup_targets": {"sensitive": False, "type": ["object", {}], "value": TARGETS},
    "backup_copy_vault": {
        "sensitive": False,
        "type": ["object", {}],
        "value": {"name": COPY_VAULT, "region": COPY_REGION},
    },
}
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
JOB = "job-8c1e1a4e-3b4c-4d4e-9f00-0123456789ab"


def rds_point(job: str, region: str = REGION, kind: str = "snapshot") -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT}:{kind}:awsbackup:{job}"


def entry(arn: str, resource: str, created: datetime, status: str = "COMPLETED") -> dict:
    return {"RecoveryPointArn": arn, "ResourceArn": resource, "Status": status, "CreationDate": created}


@pytest.fixture
def backup():
    client = botocore.session.get_session().create_client(
        "backup", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def listed(stubber: Stubber, resource: str, *pages: list[dict], vault: str = VAULT) -> None:
    """The pages of ListRecoveryPointsByBackupVault for `resource`, each but the last with a token."""
    for index, page in enumerate(pages):
        params = {"BackupVaultName": vault, "ByResourceArn": resource}
        body: dict = {"RecoveryPoints": page}
        if index:
            params["NextToken"] = f"page-{index}"
        if index < len(pages) - 1:
            body["NextToken"] = f"page-{index + 1}"
        stubber.add_response("list_recovery_points_by_backup_vault", body, params)


def write_outputs(tmp_path, outputs=OUTPUTS) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs, default=str))
    return str(path)


def run(capsys, tmp_path, argv, client=None, outputs=OUTPUTS, regions=None, clock=None):
    def clients(service, region):
        if regions is not None:
            regions.append((service, region))
        return client if client is not None else no_client(service, region)

    clock = clock or FakeClock()
    code = restore_backup.main(
        [*argv, "--outputs-json", write_outputs(tmp_path, outputs)],
        clients=clients,
        now=lambda: NOW,
        polling=replace(restore_backup.POLLING, clock=clock, sleep=clock.sleep),
    )
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- choosing the recovery point ------------------------------------------------------------------


def point(hours_ago: float, status: str = "COMPLETED", name: str = "") -> RecoveryPoint:
    created = NOW - timedelta(hours=hours_ago)
    return RecoveryPoint(name or f"rp-{hours_ago}", TARGETS["database"], status, created)


def test_the_newest_completed_point_at_or_before_the_time_is_chosen():
    points = [point(1, "RUNNING"), point(2), point(26), point(50)]
    assert choose(points, VAULT, NOW).arn == "rp-2"
    assert choose(points, VAULT, NOW - timedelta(hours=26)).arn == "rp-26"  # at the time itself
    assert choose(points, VAULT, NOW - timedelta(hours=27)).arn == "rp-50"


def test_no_point_before_the_time_names_the_oldest_there_is():
    with pytest.raises(CannotRun) as caught:
        choose([point(1), point(49, name="oldest"), point(60, "FAILED")], VAULT, NOW - timedelta(hours=50))
    assert str(caught.value) == (
        "no completed recovery point at or before 2026-12-04T10:00:00+00:00 in chat-prod-backup: the oldest is "
        "oldest (2026-12-04T11:00:00+00:00, COMPLETED)"
    )
    with pytest.raises(CannotRun, match=r"holds no completed recovery point of this store \(1 in other states\)"):
        choose([point(1, "EXPIRED")], VAULT, NOW)


# -- the database: a block to paste ---------------------------------------------------------------


def test_a_database_gets_the_restore_block_of_the_newest_point_across_pages(backup, capsys, tmp_path):
    client, stubber = backup
    newest, older = rds_point("job-aaaa0001"), rds_point("job-aaaa0002")
    listed(
        stubber,
        TARGETS["database"],
        [entry(older, TARGETS["database"], NOW - timedelta(hours=33))],
        [entry(newest, TARGETS["database"], NOW - timedelta(hours=9, minutes=5))],
    )
    regions: list = []
    code, out, err = run(capsys, tmp_path, ["prod", "database"], client, regions=regions)
    assert (code, err, regions) == (0, "", [("backup", REGION)])
    assert out.splitlines()[0] == (
        f"restore-backup: database ({TARGETS['database']}) from {VAULT} ({REGION}): recovery point {newest}, "
        "created 2026-12-06T02:55:00+00:00, 9 h 5 min ago: what was written after it is not in it"
    )
    assert f'database {{\n  restore {{\n    from_snapshot = "{newest}"\n  }}\n}}' in out
    assert "environments/prod.hcl" in out and "make plan ENV=prod" in out


def test_before_chooses_an_older_point_and_none_before_it_is_exit_2_with_the_oldest(backup, capsys, tmp_path):
    client, stubber = backup
    points = [
        entry(rds_point("job-new"), TARGETS["database"], NOW - timedelta(hours=2)),
        entry(rds_point("job-old"), TARGETS["database"], NOW - timedelta(days=2)),
    ]
    listed(stubber, TARGETS["database"], points)
    code, out, _ = run(capsys, tmp_path, ["prod", "database", "--before", "2026-12-05T12:00:00+01:00"], client)
    assert code == 0 and f'from_snapshot = "{rds_point("job-old")}"' in out
    assert "2 d 0 h 0 min ago" in out

    listed(stubber, TARGETS["database"], points)
    code, out, err = run(capsys, tmp_path, ["prod", "database", "--before", "2026-12-01T00:00:00Z"], client)
    assert (code, out) == (2, "")
    assert err == (
        "restore-backup: cannot run: no completed recovery point at or before 2026-12-01T00:00:00+00:00 in "
        f"{VAULT}: the oldest is {rds_point('job-old')} (2026-12-04T12:00:00+00:00, COMPLETED)\n"
    )


def test_a_documentdb_cluster_gets_the_documentdb_block(backup, capsys, tmp_path):
    client, stubber = backup
    arn = rds_point("job-cccc0001", kind="cluster-snapshot")
    listed(stubber, TARGETS["documentdb"], [entry(arn, TARGETS["documentdb"], NOW - timedelta(hours=1))])
    code, out, _ = run(capsys, tmp_path, ["prod", "documentdb"], client)
    assert code == 0 and f'documentdb {{\n  restore {{\n    from_snapshot = "{arn}"\n  }}\n}}' in out


def test_from_the_copy_the_copy_region_s_client_and_a_re_encrypted_snapshot(backup, capsys, tmp_path):
    client, stubber = backup
    copied_point = rds_point("job-dddd0001", region=COPY_REGION)
    listed(
        stubber,
        TARGETS["database"],
        [entry(copied_point, TARGETS["database"], datetime(2026, 12, 6, 3, 10, tzinfo=UTC))],
        vault=COPY_VAULT,
    )
    regions: list = []
    code, out, err = run(capsys, tmp_path, ["prod", "database", "--from-copy"], client, regions=regions)
    assert (code, err, regions) == (0, "", [("backup", COPY_REGION)])
    copy_id = "chat-prod-dr-postgres-from-backup-202612060310"
    assert (
        f"aws rds copy-db-snapshot --region {COPY_REGION} --source-db-snapshot-identifier {copied_point} "
        f"--target-db-snapshot-identifier {copy_id} --kms-key-id alias/chat-prod-dr/postgres --copy-tags"
    ) in out
    assert f'from_snapshot = "arn:aws:rds:{COPY_REGION}:{ACCOUNT}:snapshot:{copy_id}"' in out
    assert "environments/prod-dr.hcl" in out


def printed_restore_lines(out: str) -> str:
    """The `restore { }` lines of the printed block, as they go inside the store's block."""
    block = out[out.index("  restore {") : out.index("  }\n}") + 4]
    return "\n".join(line.removeprefix("  ") for line in block.splitlines()[1:-1]) + "\n"


@pytest.mark.parametrize("from_copy", [False, True])
def test_the_printed_database_block_loads_from_an_environment_file(backup, capsys, tmp_path, from_copy):
    from envconfig.loader import load_environment

    client, stubber = backup
    arn = rds_point("job-eeee0001", region=COPY_REGION if from_copy else REGION)
    vault = COPY_VAULT if from_copy else VAULT
    listed(stubber, TARGETS["database"], [entry(arn, TARGETS["database"], NOW)], vault=vault)
    _, out, _ = run(capsys, tmp_path, ["prod", "database", *(["--from-copy"] if from_copy else [])], client)
    config = load_environment(
        file_with_restore("environments/prod.hcl", tmp_path, "database", printed_restore_lines(out))
    )
    snapshot = config.database.restore.from_snapshot
    assert snapshot in out and snapshot.startswith("arn:aws:rds:")
    assert DatabaseRestore(from_snapshot=snapshot).identifier_suffix().startswith("-s")


def test_the_printed_documentdb_block_loads_from_an_environment_file(backup, capsys, tmp_path):
    from envconfig.loader import load_environment

    client, stubber = backup
    arn = rds_point("job-ffff0001", kind="cluster-snapshot")
    listed(stubber, TARGETS["documentdb"], [entry(arn, TARGETS["documentdb"], NOW)])
    _, out, _ = run(capsys, tmp_path, ["prod", "documentdb"], client)
    path = file_with_restore("examples/msk-documentdb.hcl", tmp_path, "documentdb", printed_restore_lines(out))
    assert load_environment(path).documentdb.restore == ClusterRestore(from_snapshot=arn)


# -- restore jobs: S3 and DynamoDB ----------------------------------------------------------------

S3_POINT = f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:0d2a6f3e-1111-2222-3333-444455556666"
S3_METADATA = {
    "DestinationBucketName": BUCKET,
    "Encrypted": "true",
    "EncryptionType": "SSE-KMS",
    "KMSKey": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
}


def s3_restore_stubs(stubber: Stubber, destination: str, new_bucket: str) -> None:
    listed(
        stubber,
        TARGETS["attachments"],
        [entry(S3_POINT, TARGETS["attachments"], datetime(2026, 12, 6, 3, 4, tzinfo=UTC))],
    )
    stubber.add_response(
        "get_recovery_point_restore_metadata",
        {"RestoreMetadata": S3_METADATA, "RecoveryPointArn": S3_POINT},
        {"BackupVaultName": VAULT, "RecoveryPointArn": S3_POINT},
    )
    stubber.add_response(
        "start_restore_job",
        {"RestoreJobId": JOB},
        {
            "RecoveryPointArn": S3_POINT,
            "Metadata": {**S3_METADATA, "DestinationBucketName": destination, "NewBucket": new_bucket},
            "IamRoleArn": ROLE,
            "ResourceType": "S3",
        },
    )


def test_the_attachments_bucket_is_restored_into_a_new_bucket_encrypted_as_the_original(backup, capsys, tmp_path):
    client, stubber = backup
    s3_restore_stubs(stubber, f"{BUCKET}-r202612060304", "true")
    code, out, err = run(capsys, tmp_path, ["prod", "attachments"], client)
    assert (code, err) == (0, "")
    assert f"restore job {JOB} started into bucket {BUCKET}-r202612060304 (new)" in out
    assert f"aws s3 cp --recursive s3://{BUCKET}-r202612060304/<prefix>/ s3://{BUCKET}/<prefix>/" in out
    assert out.rstrip().endswith(f"follow it: aws backup describe-restore-job --restore-job-id {JOB} (or WAIT=1)")


def test_the_live_bucket_only_when_named_as_existing(backup, capsys, tmp_path):
    client, stubber = backup
    s3_restore_stubs(stubber, BUCKET, "false")
    code, out, _ = run(capsys, tmp_path, ["prod", "attachments", "--into-existing", BUCKET], client)
    assert code == 0 and f"into bucket {BUCKET} (existing)" in out and "written into the live bucket" in out

    listed(stubber, TARGETS["attachments"], [entry(S3_POINT, TARGETS["attachments"], NOW)])
    stubber.add_response(
        "get_recovery_point_restore_metadata",
        {"RestoreMetadata": S3_METADATA},
        {"BackupVaultName": VAULT, "RecoveryPointArn": S3_POINT},
    )
    code, out, err = run(capsys, tmp_path, ["prod", "attachments", "--into", BUCKET], client)
    assert (code, err) == (
        2,
        f"restore-backup: cannot run: --into {BUCKET} is the live bucket: a restore into it is "
        f"asked with --into-existing {BUCKET}\n",
    )


def test_a_dynamodb_table_is_restored_into_a_new_table_outside_terraform(backup, capsys, tmp_path):
    client, stubber = backup
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/chat-prod-messages/backup/01733454000000-abcdef12"
    listed(stubber, TARGETS["messages_table"], [entry(arn, TARGETS["messages_table"], NOW - timedelta(hours=3))])
    metadata = {"originalTableName": "chat-prod-messages"}
    stubber.add_response(
        "get_recovery_point_restore_metadata",
        {"RestoreMetadata": metadata},
        {"BackupVaultName": VAULT, "RecoveryPointArn": arn},
    )
    stubber.add_response(
        "start_restore_job",
        {"RestoreJobId": JOB},
        {
            "RecoveryPointArn": arn,
            "Metadata": {**metadata, "TargetTableName": "chat-prod-messages-copy"},
            "IamRoleArn": ROLE,
            "ResourceType": "DynamoDB",
        },
    )
    code, out, _ = run(capsys, tmp_path, ["prod", "messages_table", "--into", "chat-prod-messages-copy"], client)
    assert code == 0 and "into table chat-prod-messages-copy (new)" in out
    assert "outside Terraform" in out and "dynamodb { restore { } }" in out


# -- the wait -------------------------------------------------------------------------------------


def described_job(stubber: Stubber, status: str, **extra) -> None:
    stubber.add_response(
        "describe_restore_job", {"RestoreJobId": JOB, "Status": status, **extra}, {"RestoreJobId": JOB}
    )


def test_wait_follows_the_job_until_it_completes(backup, capsys, tmp_path):
    client, stubber = backup
    s3_restore_stubs(stubber, f"{BUCKET}-r202612060304", "true")
    described_job(stubber, "PENDING")
    described_job(stubber, "RUNNING", PercentDone="40%")
    described_job(stubber, "COMPLETED", CreatedResourceArn=f"arn:aws:s3:::{BUCKET}-r202612060304")
    clock = FakeClock()
    code, out, _ = run(capsys, tmp_path, ["prod", "attachments", "--wait"], client, clock=clock)
    assert code == 0 and clock.sleeps == [30.0, 30.0]
    assert out.rstrip().endswith(f"restore job {JOB} completed: arn:aws:s3:::{BUCKET}-r202612060304")


@pytest.mark.parametrize("status", ["FAILED", "ABORTED"])
def test_wait_reports_a_failed_or_aborted_job_with_exit_1(backup, capsys, tmp_path, status):
    client, stubber = backup
    s3_restore_stubs(stubber, f"{BUCKET}-r202612060304", "true")
    described_job(stubber, status, StatusMessage="Access Denied on the destination bucket")
    code, _, err = run(capsys, tmp_path, ["prod", "attachments", "--wait"], client)
    assert (code, err) == (1, f"restore-backup: restore job {JOB} {status}: Access Denied on the destination bucket\n")


def test_wait_is_bounded_and_says_how_to_follow(backup, capsys, tmp_path):
    client, stubber = backup
    s3_restore_stubs(stubber, f"{BUCKET}-r202612060304", "true")
    for _ in range(3):
        described_job(stubber, "RUNNING", PercentDone="10%")
    argv = ["prod", "attachments", "--wait", "--timeout-seconds", "60"]
    code, _, err = run(capsys, tmp_path, argv, client)
    assert code == 1
    assert err == (
        f"restore-backup: timed out after 60 s (--timeout-seconds) with restore job {JOB} RUNNING (10% done); AWS "
        f"Backup carries on: aws backup describe-restore-job --restore-job-id {JOB}\n"
    )


def test_a_refused_restore_job_is_exit_1(backup, capsys, tmp_path):
    client, stubber = backup
    listed(stubber, TARGETS["attachments"], [entry(S3_POINT, TARGETS["attachments"], NOW)])
    stubber.add_response(
        "get_recovery_point_restore_metadata",
        {"RestoreMetadata": S3_METADATA},
        {"BackupVaultName": VAULT, "RecoveryPointArn": S3_POINT},
    )
    stubber.add_client_error(
        "start_restore_job",
        "AccessDeniedException",
        "not allowed to pass the role",
        expected_params={
            "RecoveryPointArn": S3_POINT,
            "Metadata": {**S3_METADATA, "DestinationBucketName": f"{BUCKET}-r202612061200", "NewBucket": "true"},
            "IamRoleArn": ROLE,
            "ResourceType": "S3",
        },
    )
    code, _, err = run(capsys, tmp_path, ["prod", "attachments"], client)
    assert code == 1 and err.startswith("restore-backup: AWS Backup refused to start the restore job:")


# -- refusals: exit 2, nothing done ---------------------------------------------------------------


def test_a_named_recovery_point_of_another_store_is_refused(backup, capsys, tmp_path):
    client, stubber = backup
    stubber.add_response(
        "describe_recovery_point",
        entry(S3_POINT, TARGETS["attachments"], NOW),
        {"BackupVaultName": VAULT, "RecoveryPointArn": S3_POINT},
    )
    code, out, err = run(capsys, tmp_path, ["prod", "database", "--recovery-point", S3_POINT], client)
    assert (code, out) == (2, "")
    assert err == (
        f"restore-backup: cannot run: {S3_POINT} is a recovery point of {TARGETS['attachments']}, not of database "
        f"({TARGETS['database']})\n"
    )


def test_a_named_recovery_point_of_the_store_is_restored(backup, capsys, tmp_path):
    client, stubber = backup
    arn = rds_point("job-named")
    stubber.add_response(
        "describe_recovery_point",
        entry(arn, TARGETS["database"], NOW - timedelta(minutes=30)),
        {"BackupVaultName": VAULT, "RecoveryPointArn": arn},
    )
    code, out, _ = run(capsys, tmp_path, ["prod", "database", "--recovery-point", arn], client)
    assert code == 0 and f'from_snapshot = "{arn}"' in out and "0 h 30 min ago" in out


def test_an_ebs_volume_is_refused_with_where_its_procedure_is(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, ["prod", "redis_node_0_data"])
    assert (code, out) == (2, "")
    assert "is an EC2 volume (the Redis Cluster's data volumes)" in err and "modules/redis_cluster/README.md" in err


def test_bad_input_reports_every_problem_at_once_before_any_request(capsys, tmp_path):
    argv = ["nowhere", "postgres", "--before", "yesterday", "--environments-dir", str(tmp_path)]
    code, out, err = run(capsys, tmp_path, argv)
    assert (code, out) == (2, "")
    problems = err.splitlines()
    assert problems[0] == "restore-backup: cannot run: 3 problems:"
    assert problems[1:] == [
        "  --before: expected an RFC 3339 time such as 2026-11-26T09:15:00Z, got 'yesterday'",
        f"  no environment file {tmp_path / 'nowhere.hcl'}",
        "  unknown TARGET 'postgres': the backup selection holds attachments, database, documentdb, "
        "messages_table, redis_node_0_data",
    ]


def test_no_outputs_or_no_copy_vault_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, ["prod", "database"], outputs={"vpc_id": {"value": "vpc-1"}})
    assert code == 2
    assert err == (
        "restore-backup: cannot run: output backup_vault_name: expected a string, got None; output "
        "backup_role_arn: expected a string, got None; output backup_targets: expected a map of store name to "
        "ARN, got None (apply the stack first: make deploy ENV=<env>)\n"
    )
    without_copy = {k: v for k, v in OUTPUTS.items() if k != "backup_copy_vault"}
    code, _, err = run(capsys, tmp_path, ["prod", "database", "--from-copy"], outputs=without_copy)
    assert (code, err) == (
        2,
        "restore-backup: cannot run: --from-copy: the stack outputs no backup_copy_vault (its file sets no "
        "backup.copy_region)\n",
    )
    code, _, err = run(capsys, tmp_path, ["prod", "database", "--into", "x"])
    assert code == 2 and "a database is restored by its environment file" in err


def test_no_credentials_is_exit_2(capsys, no_credentials, tmp_path):
    code = restore_backup.main(["prod", "database", "--outputs-json", write_outputs(tmp_path)])
    assert code == 2 and capsys.readouterr().err.startswith("restore-backup: cannot run: no AWS credentials")


def test_from_the_copy_a_bucket_needs_a_key_of_the_copy_region(backup, capsys, tmp_path):
    client, stubber = backup
    copied = S3_POINT.replace(REGION, COPY_REGION)
    dr_bucket = f"chat-prod-dr-attachments-{ACCOUNT}-{COPY_REGION}"
    dr_key = f"arn:aws:kms:{COPY_REGION}:{ACCOUNT}:key/9876abcd-12ab-34cd-56ef-1234567890ab"
    argv = ["prod", "attachments", "--from-copy", "--into-existing", dr_bucket]
    for _ in range(2):
        listed(stubber, TARGETS["attachments"], [entry(copied, TARGETS["attachments"], NOW)], vault=COPY_VAULT)
        stubber.add_response(
            "get_recovery_point_restore_metadata",
            {"RestoreMetadata": S3_METADATA},
            {"BackupVaultName": COPY_VAULT, "RecoveryPointArn": copied},
        )
    code, _, err = run(capsys, tmp_path, argv, client)
    assert (code, err) == (
        2,
        f"restore-backup: cannot run: the objects would be encrypted with {S3_METADATA['KMSKey']} (the original's "
        f"key), which is in {REGION}, not {COPY_REGION} where the restore runs: name a key there with "
        "KMS_KEY=<arn> (the destination stack's attachments key)\n",
    )
    stubber.add_response(
        "start_restore_job",
        {"RestoreJobId": JOB},
        {
            "RecoveryPointArn": copied,
            "Metadata": {**S3_METADATA, "KMSKey": dr_key, "DestinationBucketName": dr_bucket, "NewBucket": "false"},
            "IamRoleArn": ROLE,
            "ResourceType": "S3",
        },
    )
    regions: list = []
    code, out, _ = run(capsys, tmp_path, [*argv, "--kms-key", dr_key], client, regions=regions)
    assert code == 0 and f"into bucket {dr_bucket} (existing)" in out and regions == [("backup", COPY_REGION)]


def test_the_new_table_name_goes_under_the_key_the_recovery_point_metadata_uses():
    from ops.restore_backup import TARGET_TABLE_NAME_KEY, table_name_key

    assert table_name_key({"originalTableName": "t"}) == TARGET_TABLE_NAME_KEY
    assert table_name_key({"targetTableName": "t", "encryptionType": "KMS"}) == "targetTableName"
