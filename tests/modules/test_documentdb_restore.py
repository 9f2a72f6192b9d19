"""DocumentDB restore as an input: every restore form on the synthesized JSON (a new cluster and
instances with the original's settings and protections, the endpoints, the secret, the alarms'
instances and the backup targets moved to it, the original kept under its construct ids), the
retirement of the original, the wiring of a real ChatStack, and the refusal of bad input from
the props and from an environment file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from modules.documentdb.props import ClusterRestore
from tests.modules.restore_files import file_with_restore, refused
from tests.modules.test_documentdb import ACCOUNT, DEV, PROD, waivers

ORIGINAL = "chat-prod-docdb"
SNAPSHOT = "rds:chat-prod-docdb-2026-12-01-02-10"
FORMS = {
    "point_in_time": ClusterRestore(to_point_in_time="2026-12-06T10:30:00+01:00"),
    "latest": ClusterRestore(latest=True),
    "snapshot": ClusterRestore(from_snapshot=SNAPSHOT),
    "other_source": ClusterRestore(latest=True, source="chat-prod-docdb-old"),
}
RESTORED = {
    "point_in_time": "chat-prod-docdb-r202612060930",
    "latest": "chat-prod-docdb-latest",
    "snapshot": f"chat-prod-docdb-s{hashlib.sha256(SNAPSHOT.encode()).hexdigest()[:8]}",
    "other_source": "chat-prod-docdb-latest",
}
# What may differ between the original and the restored cluster: its name and what names it,
# how it starts, and the log groups it waits for (its own).
HOW_IT_STARTS = {
    "//",
    "cluster_identifier",
    "final_snapshot_identifier",
    "tags",
    "depends_on",
    "master_username",
    "restore_to_point_in_time",
    "snapshot_identifier",
}


def database_with_a_service(props):
    def build(stack):
        from bindings.cdk import TerraformOutput
        from modules.common.roles import ServiceRole
        from modules.documentdb import DocumentDatabase

        database = DocumentDatabase(stack, "documentdb", props=props)
        role = ServiceRole(
            stack, "api", name="chat-prod-api", service="ecs-tasks.amazonaws.com", description="d", account_id=ACCOUNT
        )
        database.grant_read_secret(role)
        for name in ("arn", "endpoint", "reader_endpoint", "secret_arn", "cluster_identifier"):
            TerraformOutput(stack, name, value=getattr(database, name))
        TerraformOutput(stack, "instance_identifiers", value=list(database.instance_identifiers))
        TerraformOutput(stack, "log_group_names", value=list(database.log_group_names))
        TerraformOutput(stack, "backup_targets", value={t.name: t.arn for t in database.backup_targets()})

    return build


@pytest.fixture(scope="module")
def synths(synth_scratch):
    built = {form: synth_scratch(database_with_a_service(replace(PROD, restore=r))) for form, r in FORMS.items()}
    built["none"] = synth_scratch(database_with_a_service(PROD))
    unprotected = ClusterRestore(to_point_in_time="2026-12-06T09:30:00Z", unprotect_original=True)
    built["unprotected"] = synth_scratch(database_with_a_service(replace(PROD, restore=unprotected)))
    retired = replace(unprotected, retire_original=True)
    built["retired"] = synth_scratch(database_with_a_service(replace(PROD, restore=retired)))
    return built


def cluster_named(synth, identifier):
    (found,) = [
        (key, block)
        for key, block in synth.resources("aws_docdb_cluster").items()
        if block["cluster_identifier"] == identifier
    ]
    return found


def outputs(synth):
    return {name: output["value"] for name, output in synth.document["output"].items()}


def test_each_form_names_its_restored_cluster_from_the_input():
    assert {form: ORIGINAL + r.identifier_suffix() for form, r in FORMS.items()} == RESTORED
    assert ClusterRestore(from_snapshot=SNAPSHOT).identifier_suffix() == FORMS["snapshot"].identifier_suffix()
    # The longest (20-character name, instance 16) stays within DocumentDB's 63.
    assert len("a" * 20 + "-docdb" + FORMS["point_in_time"].identifier_suffix() + "-16") <= 63


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_cluster_gets_new_construct_ids_and_the_original_keeps_its_own(synths, form):
    synth, before = synths[form], synths["none"]
    restored_key, _ = cluster_named(synth, RESTORED[form])
    assert restored_key.startswith("documentdb_restored_")
    assert cluster_named(synth, ORIGINAL) == cluster_named(before, ORIGINAL)
    instances = synth.resources("aws_docdb_cluster_instance")
    for key, instance in before.resources("aws_docdb_cluster_instance").items():
        assert instances[key] == instance  # the original's instances are not touched
    restored_instances = {
        key: i for key, i in instances.items() if i["cluster_identifier"] == f"${{aws_docdb_cluster.{restored_key}.id}}"
    }
    assert sorted(i["identifier"] for i in restored_instances.values()) == [f"{RESTORED[form]}-{n}" for n in (1, 2, 3)]
    assert all(key.startswith("documentdb_restored_instance_") for key in restored_instances)
    # Shared, untouched: the security, subnet and parameter groups and the key.
    for resource_type in ("aws_security_group", "aws_docdb_subnet_group", "aws_docdb_cluster_parameter_group"):
        assert synth.resources(resource_type) == before.resources(resource_type), resource_type


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_cluster_has_the_originals_settings_and_protections(synths, form):
    synth = synths[form]
    _, restored = cluster_named(synth, RESTORED[form])
    _, original = cluster_named(synth, ORIGINAL)
    same = {key for key in original.keys() | restored.keys() if key not in HOW_IT_STARTS}
    assert {key: restored.get(key) for key in same} == {key: original.get(key) for key in same}
    for setting in ("engine_version", "db_cluster_parameter_group_name", "db_subnet_group_name", "kms_key_id"):
        assert restored[setting] == original[setting], setting
    assert restored["vpc_security_group_ids"] == original["vpc_security_group_ids"]
    assert restored["manage_master_user_password"] is True and restored["deletion_protection"] is True
    assert restored["final_snapshot_identifier"] == f"{RESTORED[form]}-final"
    assert restored["lifecycle"] == {"prevent_destroy": True}
    assert restored["tags"]["DeletionProtection"] == "true" and restored["tags"]["Name"] == RESTORED[form]
    assert "master_username" not in restored  # it comes from the source


def test_a_point_in_time_restore_names_its_source_time_and_a_full_copy(synths):
    _, restored = cluster_named(synths["point_in_time"], RESTORED["point_in_time"])
    assert restored["restore_to_point_in_time"] == {
        "source_cluster_identifier": ORIGINAL,
        "restore_type": "full-copy",
        "restore_to_time": "2026-12-06T10:30:00+01:00",
    }
    assert "snapshot_identifier" not in restored


@pytest.mark.parametrize(("form", "source"), [("latest", ORIGINAL), ("other_source", "chat-prod-docdb-old")])
def test_a_latest_restore_uses_the_latest_restorable_time_of_its_source(synths, form, source):
    _, restored = cluster_named(synths[form], RESTORED[form])
    assert restored["restore_to_point_in_time"] == {
        "source_cluster_identifier": source,
        "restore_type": "full-copy",
        "use_latest_restorable_time": True,
    }


def test_a_snapshot_restore_names_the_snapshot_only(synths):
    _, restored = cluster_named(synths["snapshot"], RESTORED["snapshot"])
    assert restored["snapshot_identifier"] == SNAPSHOT and "restore_to_point_in_time" not in restored


@pytest.mark.parametrize("form", list(FORMS))
def test_the_endpoints_the_secret_the_alarms_and_the_backups_move_to_the_restored_cluster(synths, form):
    synth = synths[form]
    restored_key, _ = cluster_named(synth, RESTORED[form])
    original_key, _ = cluster_named(synth, ORIGINAL)
    reference = f"aws_docdb_cluster.{restored_key}"
    values = outputs(synth)
    assert values["endpoint"] == f"${{{reference}.endpoint}}"
    assert values["reader_endpoint"] == f"${{{reference}.reader_endpoint}}"
    assert values["secret_arn"] == f"${{{reference}.master_user_secret[0].secret_arn}}"
    assert values["cluster_identifier"] == RESTORED[form]
    assert values["instance_identifiers"] == [f"{RESTORED[form]}-{n}" for n in (1, 2, 3)]
    assert values["backup_targets"] == {
        "documentdb": f"${{aws_docdb_cluster.{original_key}.arn}}",
        "documentdb_restored": f"${{{reference}.arn}}",
    }
    (policy,) = synth.resources("aws_iam_role_policy").values()
    (statement,) = synth.data_by_reference(policy["policy"])["statement"]
    assert statement["resources"] == [f"${{{reference}.master_user_secret[0].secret_arn}}"]


@pytest.mark.parametrize("form", list(FORMS))
def test_the_restored_cluster_writes_to_its_own_encrypted_log_groups_which_the_key_allows(synths, form):
    synth = synths[form]
    _, restored = cluster_named(synth, RESTORED[form])
    groups = {g["name"]: g for g in synth.resources("aws_cloudwatch_log_group").values()}
    for identifier in (ORIGINAL, RESTORED[form]):
        for kind in ("audit", "profiler"):
            assert groups[f"/aws/docdb/{identifier}/{kind}"]["kms_key_id"], (identifier, kind)
    waited_for = {synth.by_reference(ref + ".name")["name"] for ref in restored["depends_on"]}
    assert waited_for == {f"/aws/docdb/{RESTORED[form]}/{kind}" for kind in ("audit", "profiler")}
    # The key lets CloudWatch Logs use it for both clusters' groups, and no others.
    policy = json.dumps(synth.data("aws_iam_policy_document"))
    assert f"log-group:/aws/docdb/{ORIGINAL}*" in policy
    assert f"log-group:/aws/docdb/{ORIGINAL}/*" in json.dumps(synths["none"].data("aws_iam_policy_document"))


def test_retiring_the_original_removes_the_cluster_and_its_instances_only(synths):
    synth = synths["retired"]
    restored = RESTORED["point_in_time"]
    assert [c["cluster_identifier"] for c in synth.resources("aws_docdb_cluster").values()] == [restored]
    assert sorted(i["identifier"] for i in synth.resources("aws_docdb_cluster_instance").values()) == [
        f"{restored}-{n}" for n in (1, 2, 3)
    ]
    assert cluster_named(synth, restored)[0] == cluster_named(synths["point_in_time"], restored)[0]
    assert sorted(outputs(synth)["backup_targets"]) == ["documentdb_restored"]
    # Its logs stay for their retention.
    names = {g["name"] for g in synth.resources("aws_cloudwatch_log_group").values()}
    assert f"/aws/docdb/{ORIGINAL}/audit" in names


def test_unprotecting_the_original_turns_off_only_its_protection_and_keeps_its_final_snapshot(synths):
    synth = synths["unprotected"]
    original_key, original = cluster_named(synth, ORIGINAL)
    _, before = cluster_named(synths["none"], ORIGINAL)
    changed = {key for key in original.keys() | before.keys() if original.get(key) != before.get(key)}
    # DocumentDB refuses to delete a protected cluster; what its deletion then takes is
    # recoverable: the final snapshot, the automated backups, the environment's tag stay.
    assert changed == {"deletion_protection", "lifecycle"}
    assert original["deletion_protection"] is False and "lifecycle" not in original
    assert original["skip_final_snapshot"] is False and original["final_snapshot_identifier"] == f"{ORIGINAL}-final"
    assert original["backup_retention_period"] == 14 and original["tags"]["DeletionProtection"] == "true"
    # Its instances are untouched; CKV_CHAT_55 (which reads the tag) is waived on it alone, with the reason.
    assert (
        synth.resources("aws_docdb_cluster_instance").items()
        >= synths["none"].resources("aws_docdb_cluster_instance").items()
    )
    reasons = waivers(synth)
    assert set(reasons) - set(waivers(synths["none"])) == {original_key}
    assert list(reasons[original_key]) == ["CKV_CHAT_55"]
    assert "unprotect_original" in reasons[original_key]["CKV_CHAT_55"]
    assert "final snapshot" in reasons[original_key]["CKV_CHAT_55"]
    # The restored cluster keeps every protection.
    restored_key, restored = cluster_named(synth, RESTORED["point_in_time"])
    assert restored["deletion_protection"] is True and restored["lifecycle"] == {"prevent_destroy": True}
    assert restored["final_snapshot_identifier"] == f"{RESTORED['point_in_time']}-final"
    assert restored_key not in reasons


def test_unprotecting_in_an_unprotected_environment_changes_nothing(synth_scratch):
    restore = ClusterRestore(latest=True, unprotect_original=True)
    unprotected = synth_scratch(database_with_a_service(replace(DEV, restore=restore)))
    kept = synth_scratch(database_with_a_service(replace(DEV, restore=replace(restore, unprotect_original=False))))
    assert unprotected.document == kept.document


def test_without_a_restore_nothing_changes(synths):
    assert [c["cluster_identifier"] for c in synths["none"].resources("aws_docdb_cluster").values()] == [ORIGINAL]
    assert outputs(synths["none"])["log_group_names"] == [
        f"/aws/docdb/{ORIGINAL}/audit",
        f"/aws/docdb/{ORIGINAL}/profiler",
    ]


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "messages"),
    [
        ({"from_snapshot": "chat--prod"}, ["from_snapshot: expected a DocumentDB cluster snapshot identifier"]),
        (
            {"from_snapshot": "arn:aws:rds:eu-west-1:111122223333:snapshot:x"},
            ["from_snapshot: expected a DocumentDB cluster snapshot identifier"],
        ),
        ({"latest": True, "source": "1chat"}, ["source: expected a DocumentDB cluster identifier"]),
        (
            {"to_point_in_time": "yesterday", "from_snapshot": "-x", "source": "a-"},
            ["to_point_in_time: expected an RFC 3339", "from_snapshot: expected", "source: expected"],
        ),
    ],
)
def test_the_props_refuse_bad_restores_naming_the_key_and_the_value(given, messages):
    with pytest.raises(ValueError) as caught:
        ClusterRestore(**given)
    for message in messages:
        assert message in str(caught.value)


def test_a_cluster_snapshot_arn_is_accepted():
    arn = "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:rds:chat-prod-docdb-2026-12-01-02-10"
    assert ClusterRestore(from_snapshot=arn).from_snapshot == arn


EXAMPLE = "examples/msk-documentdb.hcl"


def test_an_environment_file_reports_every_restore_problem_with_file_key_expected_and_given(tmp_path):
    lines = '    to_point_in_time = "2026-12-06"\n    from_snapshot = "a--b"\n    retire = true\n'
    problems = refused(file_with_restore(EXAMPLE, tmp_path, "documentdb", lines))
    assert set(problems) == {
        "documentdb.restore.to_point_in_time",
        "documentdb.restore.from_snapshot",
        "documentdb.restore.retire",
    }
    assert 'got "2026-12-06" (string)' in problems["documentdb.restore.to_point_in_time"]
    assert 'got "a--b"' in problems["documentdb.restore.from_snapshot"]


def test_an_environment_file_with_two_restore_forms_names_both(tmp_path):
    lines = '    latest = true\n    from_snapshot = "before-upgrade"\n'
    problems = refused(file_with_restore(EXAMPLE, tmp_path, "documentdb", lines))
    assert list(problems) == ["documentdb.restore"] and "got latest, from_snapshot" in problems["documentdb.restore"]


# -- the stack follows the restored cluster ----------------------------------------------------


@pytest.fixture(scope="module")
def wired(tmp_path_factory):
    """The msk-documentdb example with `restore { latest = true }`."""
    from bindings.cdk import App
    from envconfig.loader import load_environment
    from stacks import ChatStack
    from tests.conftest import Synthesized

    directory = tmp_path_factory.mktemp("documentdb-restore")
    config = load_environment(file_with_restore(EXAMPLE, directory, "documentdb", "    latest = true\n"))
    outdir = directory / "out"
    app = App(outdir=str(outdir))
    ChatStack(app, config)
    app.synth()
    return Synthesized(json.loads((outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text()))


def test_the_services_the_alarms_and_the_backup_selection_follow_the_restored_cluster(wired):
    from tests.modules.test_msk_documentdb_wiring import environment_of

    restored_key, _ = cluster_named(wired, "chat-msk-documentdb-docdb-latest")
    original_key, _ = cluster_named(wired, "chat-msk-documentdb-docdb")
    for service in ("api", "realtime"):
        variables = environment_of(wired, service)
        assert variables["DOCUMENTDB_HOST"] == f"${{aws_docdb_cluster.{restored_key}.endpoint}}"
        assert (
            variables["DOCUMENTDB_LOGIN_ARN"]
            == f"${{aws_docdb_cluster.{restored_key}.master_user_secret[0].secret_arn}}"
        )
    alarmed = {
        alarm["dimensions"]["DBInstanceIdentifier"]
        for alarm in wired.resources("aws_cloudwatch_metric_alarm").values()
        if "DBInstanceIdentifier" in alarm.get("dimensions", {})
        and "docdb" in alarm["dimensions"]["DBInstanceIdentifier"]
    }
    assert alarmed == {f"chat-msk-documentdb-docdb-latest-{n}" for n in (1, 2, 3)}
    (selection,) = wired.resources("aws_backup_selection").values()
    for key in (restored_key, original_key):
        assert f"${{aws_docdb_cluster.{key}.arn}}" in selection["resources"]


def test_an_aws_backup_cluster_snapshot_is_accepted_and_an_instance_snapshot_refused():
    job = "awsbackup:job-8c1e1a4e-3b4c-4d4e-9f00-0123456789ab"
    arn = f"arn:aws:rds:eu-central-1:111122223333:cluster-snapshot:{job}"
    assert ClusterRestore(from_snapshot=arn).from_snapshot == arn
    assert ClusterRestore(from_snapshot=job).from_snapshot == job
    with pytest.raises(ValueError, match="from_snapshot: expected a DocumentDB cluster snapshot identifier"):
        ClusterRestore(from_snapshot=f"arn:aws:rds:eu-central-1:111122223333:snapshot:{job}")
