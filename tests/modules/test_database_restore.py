"""Database restore as an input: every restore form on the synthesized JSON (a new instance
with the primary's settings and protections, the proxy, the replica and the outputs moved to
it, the original kept under its construct id), the retirement of the original, and the
refusal of bad input from the props and from an environment file."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from modules.database.props import DatabaseProps, DatabaseRestore
from tests.modules.restore_files import file_with_restore, refused
from tests.modules.test_database import (
    ACCOUNT,
    BASE,
    DatabaseConfig,
    conditions,
    database_with_a_service,
    instance,
    named,
    nothing_lost_problems,
    outputs,
    waivers,
)

ORIGINAL = "chat-prod-postgres"
REPLICA = "chat-prod-postgres-replica"
SNAPSHOT = "rds:chat-prod-postgres-2026-12-01-02-10"
FORMS = {
    "point_in_time": DatabaseRestore(to_point_in_time="2026-12-06T10:30:00+01:00"),
    "latest": DatabaseRestore(latest=True),
    "snapshot": DatabaseRestore(from_snapshot=SNAPSHOT),
    "other_source": DatabaseRestore(latest=True, source="chat-prod-postgres-old"),
}
RESTORED = {
    "point_in_time": "chat-prod-postgres-r202612060930",
    "latest": "chat-prod-postgres-latest",
    "snapshot": f"chat-prod-postgres-s{hashlib.sha256(SNAPSHOT.encode()).hexdigest()[:8]}",
    "other_source": "chat-prod-postgres-latest",
}
# What may differ between the original and the restored instance: its name and what names
# it, how it starts, and the log groups it waits for (its own).
HOW_IT_STARTS = {
    "//",  # construct metadata: its path
    "identifier",
    "final_snapshot_identifier",
    "tags",
    "depends_on",
    "db_name",
    "username",
    "restore_to_point_in_time",
    "snapshot_identifier",
}


@pytest.fixture(scope="module")
def synths(synth_scratch):
    built = {form: synth_scratch(database_with_a_service(replace(BASE, restore=r))) for form, r in FORMS.items()}
    built["none"] = synth_scratch(database_with_a_service(BASE))
    unprotected = DatabaseRestore(to_point_in_time="2026-12-06T09:30:00Z", unprotect_original=True)
    built["unprotected"] = synth_scratch(database_with_a_service(replace(BASE, restore=unprotected)))
    retired = replace(unprotected, retire_original=True)
    built["retired"] = synth_scratch(database_with_a_service(replace(BASE, restore=retired)))
    return built


def restored_of(synth, form):
    return named(synth, "aws_db_instance", identifier=RESTORED[form])


def test_each_form_names_its_restored_instance_from_the_input():
    assert {form: ORIGINAL + r.identifier_suffix() for form, r in FORMS.items()} == RESTORED
    # Deterministic: the same input names the same instance on every synthesis.
    assert DatabaseRestore(from_snapshot=SNAPSHOT).identifier_suffix() == FORMS["snapshot"].identifier_suffix()
    # The longest name (20 characters) stays within RDS's 63.
    assert len("a" * 20 + "-postgres" + FORMS["point_in_time"].identifier_suffix()) <= 63


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_instance_gets_a_new_construct_id_and_the_original_keeps_its_own(synths, form):
    synth = synths[form]
    restored_name, _ = restored_of(synth, form)
    assert restored_name.startswith("database_restored_")
    original_name, original = named(synth, "aws_db_instance", identifier=ORIGINAL)
    before_name, before = named(synths["none"], "aws_db_instance", identifier=ORIGINAL)
    assert original_name == before_name and original_name.startswith("database_this_")
    assert original == before  # the original is not touched by the restore


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_instance_has_the_primarys_settings_and_protections(synths, form):
    synth = synths[form]
    restored_name, restored = restored_of(synth, form)
    original = instance(synth, ORIGINAL)
    same = {key for key in original.keys() | restored.keys() if key not in HOW_IT_STARTS}
    assert {key: restored.get(key) for key in same} == {key: original.get(key) for key in same}
    assert nothing_lost_problems(restored) == []
    assert restored["final_snapshot_identifier"] == f"{RESTORED[form]}-final-snapshot"
    assert restored["manage_master_user_password"] is True and "password" not in restored
    # Its database and master user come from its source.
    assert "db_name" not in restored and "username" not in restored
    assert waivers(synth).get(restored_name, {}) == waivers(synth).get(
        named(synth, "aws_db_instance", identifier=ORIGINAL)[0], {}
    )


def test_a_point_in_time_restore_names_its_source_and_time(synths):
    _, restored = restored_of(synths["point_in_time"], "point_in_time")
    assert restored["restore_to_point_in_time"] == {
        "source_db_instance_identifier": ORIGINAL,
        "restore_time": "2026-12-06T10:30:00+01:00",
    }
    assert "snapshot_identifier" not in restored


@pytest.mark.parametrize(("form", "source"), [("latest", ORIGINAL), ("other_source", "chat-prod-postgres-old")])
def test_a_latest_restore_uses_the_latest_restorable_time_of_its_source(synths, form, source):
    _, restored = restored_of(synths[form], form)
    assert restored["restore_to_point_in_time"] == {
        "source_db_instance_identifier": source,
        "use_latest_restorable_time": True,
    }


def test_a_snapshot_restore_names_the_snapshot_only(synths):
    _, restored = restored_of(synths["snapshot"], "snapshot")
    assert restored["snapshot_identifier"] == SNAPSHOT and "restore_to_point_in_time" not in restored


@pytest.mark.parametrize("form", list(FORMS))
def test_the_proxy_the_replica_and_the_outputs_move_to_the_restored_instance(synths, form):
    synth = synths[form]
    restored_name, _ = restored_of(synth, form)
    restored_ref = f"aws_db_instance.{restored_name}"
    (target,) = synth.resources("aws_db_proxy_target").values()
    assert target["db_instance_identifier"] == f"${{{restored_ref}.identifier}}"
    replica = instance(synth, REPLICA)
    assert replica["replicate_source_db"] == f"${{{restored_ref}.identifier}}"
    values = outputs(synth)
    assert values["endpoint"] == f"${{{restored_ref}.address}}"
    assert values["arn"] == f"${{{restored_ref}.arn}}"
    assert values["resource_id"] == f"${{{restored_ref}.resource_id}}"
    assert values["secret_arn"] == f"${{{restored_ref}.master_user_secret[0].secret_arn}}"


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_instance_writes_to_its_own_encrypted_log_groups_and_is_monitored(synths, form):
    synth = synths[form]
    _, restored = restored_of(synth, form)
    groups = {g["name"]: g for g in synth.resources("aws_cloudwatch_log_group").values()}
    for kind in ("postgresql", "upgrade"):
        for identifier in (ORIGINAL, RESTORED[form]):
            group = groups[f"/aws/rds/instance/{identifier}/{kind}"]
            assert group["kms_key_id"] and group["retention_in_days"] == 365
    waited_for = {synth.by_reference(ref + ".name")["name"] for ref in restored["depends_on"] if "log_group" in ref}
    assert waited_for == {f"/aws/rds/instance/{RESTORED[form]}/{kind}" for kind in ("postgresql", "upgrade")}
    _, role = named(synth, "aws_iam_role", name="chat-prod-postgres-monitoring")
    (trust,) = synth.data_by_reference(role["assume_role_policy"])["statement"]
    assert conditions(trust)[("ArnLike", "aws:SourceArn")] == [
        f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:{identifier}" for identifier in (ORIGINAL, REPLICA, RESTORED[form])
    ]
    assert restored["monitoring_role_arn"] == instance(synth, ORIGINAL)["monitoring_role_arn"]


def test_retiring_the_original_removes_only_the_instance(synths):
    synth = synths["retired"]
    identifiers = sorted(db["identifier"] for db in synth.resources("aws_db_instance").values())
    assert identifiers == ["chat-prod-postgres-r202612060930", REPLICA]
    # Its logs stay for their retention; the restored instance keeps its construct id.
    names = {g["name"] for g in synth.resources("aws_cloudwatch_log_group").values()}
    assert f"/aws/rds/instance/{ORIGINAL}/postgresql" in names
    assert restored_of(synth, "point_in_time")[0] == restored_of(synths["point_in_time"], "point_in_time")[0]


def test_unprotecting_the_original_turns_off_only_its_protection_and_says_why(synths):
    synth = synths["unprotected"]
    original_name, original = named(synth, "aws_db_instance", identifier=ORIGINAL)
    _, before = named(synths["none"], "aws_db_instance", identifier=ORIGINAL)
    changed = {key for key in original.keys() | before.keys() if original.get(key) != before.get(key)}
    # AWS refuses to delete a protected instance; the final snapshot and the automated
    # backups are kept all the same (what the retirement then deletes is recoverable).
    assert changed == {"deletion_protection", "lifecycle"}
    assert original["deletion_protection"] is False and "lifecycle" not in original
    assert original["final_snapshot_identifier"] == f"{ORIGINAL}-final-snapshot"
    assert original["delete_automated_backups"] is False
    reasons = waivers(synth)[original_name]
    assert set(reasons) == {"CKV_AWS_293", "CKV_CHAT_11"} and "unprotect_original" in reasons["CKV_AWS_293"]
    # The restored instance keeps every protection.
    _, restored = restored_of(synth, "point_in_time")
    assert restored["deletion_protection"] is True and restored["lifecycle"] == {"prevent_destroy": True}


def test_retiring_before_unprotecting_is_refused_with_the_order():
    with pytest.raises(ValueError) as caught:
        DatabaseRestore(latest=True, retire_original=True)
    assert "retire_original: expected unprotect_original = true beside retire_original = true" in str(caught.value)
    assert "got unprotect_original = false" in str(caught.value)


def test_without_a_restore_nothing_changes(synths):
    identifiers = sorted(db["identifier"] for db in synths["none"].resources("aws_db_instance").values())
    assert identifiers == [ORIGINAL, REPLICA]


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "messages"),
    [
        ({"from_snapshot": "chat--prod"}, ["from_snapshot: expected an RDS snapshot identifier"]),
        ({"latest": True, "source": "1chat"}, ["source: expected an RDS instance identifier"]),
        (
            {"to_point_in_time": "yesterday", "from_snapshot": "-x", "source": "a-"},
            ["to_point_in_time: expected an RFC 3339", "from_snapshot: expected", "source: expected"],
        ),
    ],
)
def test_the_props_refuse_bad_restores_naming_the_key_and_the_value(given, messages):
    with pytest.raises(ValueError) as caught:
        DatabaseRestore(**given)
    for message in messages:
        assert message in str(caught.value)


def test_the_block_derives_the_restore_block_strictly():
    from pydantic import ValidationError

    block = DatabaseConfig(restore={"latest": True})
    assert block.restore == DatabaseRestore(latest=True)
    assert DatabaseConfig().restore is None
    with pytest.raises(ValidationError) as caught:
        DatabaseConfig(restore={"latest": "true", "to_piont_in_time": "2026-12-06T09:30:00Z"})
    errors = {tuple(e["loc"][:2]) + (e["type"],) for e in caught.value.errors()}
    assert ("restore", "latest", "bool_type") in errors and ("restore", "to_piont_in_time", "extra_forbidden") in errors
    assert isinstance(DatabaseProps.__dataclass_fields__["restore"].default, type(None))


ENVIRONMENT = "environments/prod.hcl"


def test_an_environment_file_reports_every_restore_problem_with_file_key_expected_and_given(tmp_path):
    lines = '    to_point_in_time = "2026-12-06"\n    from_snapshot = "a--b"\n    lastest = true\n'
    problems = refused(file_with_restore(ENVIRONMENT, tmp_path, "database", lines))
    assert set(problems) == {
        "database.restore.to_point_in_time",
        "database.restore.from_snapshot",
        "database.restore.lastest",
    }
    assert 'got "2026-12-06" (string)' in problems["database.restore.to_point_in_time"]
    assert 'got "a--b"' in problems["database.restore.from_snapshot"]
    assert 'did you mean "latest"' in problems["database.restore.lastest"]


def test_an_environment_file_with_two_restore_forms_names_both(tmp_path):
    lines = '    latest = true\n    from_snapshot = "before-upgrade"\n'
    problems = refused(file_with_restore(ENVIRONMENT, tmp_path, "database", lines))
    assert list(problems) == ["database.restore"]
    assert "expected exactly one of to_point_in_time, latest = true or from_snapshot" in problems["database.restore"]
    assert "got latest, from_snapshot" in problems["database.restore"]


def test_an_environment_file_with_a_restore_synthesizes_the_restored_instance(tmp_path):
    from envconfig.loader import load_environment

    lines = '    to_point_in_time = "2026-12-06T09:30:00Z"\n'
    config = load_environment(file_with_restore(ENVIRONMENT, tmp_path, "database", lines))
    assert config.database.restore == DatabaseRestore(to_point_in_time="2026-12-06T09:30:00Z")


# AWS Backup's recovery point of an RDS instance is a snapshot named "awsbackup:job-<uuid>";
# `make restore-backup` prints its ARN (ops/restore_backup.py), from the copy vault's region too.
AWS_BACKUP_JOB = "job-8c1e1a4e-3b4c-4d4e-9f00-0123456789ab"


@pytest.mark.parametrize(
    "snapshot",
    [
        f"arn:aws:rds:eu-west-1:111122223333:snapshot:awsbackup:{AWS_BACKUP_JOB}",
        f"arn:aws:rds:eu-central-1:111122223333:snapshot:awsbackup:{AWS_BACKUP_JOB}",
        f"awsbackup:{AWS_BACKUP_JOB}",
    ],
)
def test_an_aws_backup_snapshot_is_accepted(snapshot):
    assert DatabaseRestore(from_snapshot=snapshot).from_snapshot == snapshot


@pytest.mark.parametrize(
    "snapshot",
    [
        f"backup:{AWS_BACKUP_JOB}",  # not AWS Backup's prefix
        "arn:aws:rds:eu-west-1:111122223333:snapshot:awsbackup:",  # no identifier after it
        f"arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:awsbackup:{AWS_BACKUP_JOB}",  # a cluster's
        f"awsbackup:awsbackup:{AWS_BACKUP_JOB}",
    ],
)
def test_what_only_resembles_an_aws_backup_snapshot_is_refused(snapshot):
    with pytest.raises(ValueError, match="from_snapshot: expected an RDS snapshot identifier"):
        DatabaseRestore(from_snapshot=snapshot)
