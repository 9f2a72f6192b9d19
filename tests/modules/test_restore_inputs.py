"""What the three stores' `restore { }` inputs share (modules/common/restore.py): the time
check, the one-form rule, no source beside a snapshot, the retirement order (unprotect, then
retire), and the restored store's name suffix, each refused the same way by DatabaseRestore,
ClusterRestore and TableRestore, from the props and from an environment file."""

from __future__ import annotations

from functools import partial

import pytest

from modules.common.restore import restore_suffix
from modules.database.props import DatabaseRestore
from modules.documentdb.props import ClusterRestore
from modules.dynamodb.props import TableRestore
from tests.modules.restore_files import file_with_restore, refused

# Each store's restore block, with what it needs besides the form (a table names which one).
RESTORES = {
    "database": DatabaseRestore,
    "documentdb": ClusterRestore,
    "dynamodb": partial(TableRestore, table="messages"),
}
WITH_SNAPSHOTS = ("database", "documentdb")
# A shipped environment file with each store's block, and the restore lines it needs besides
# the retirement (a table names which one).
ENVIRONMENT_FILES = {
    "database": ("environments/prod.hcl", "    latest = true\n"),
    "documentdb": ("examples/msk-documentdb.hcl", "    latest = true\n"),
    "dynamodb": ("examples/dynamodb-apigw.hcl", '    table = "messages"\n    latest = true\n'),
}
RETIRE_FIRST = "retire_original: expected unprotect_original = true beside retire_original = true"


def refusal(store: str, **given: object) -> str:
    with pytest.raises(ValueError) as caught:
        RESTORES[store](**given)
    return str(caught.value)


@pytest.mark.parametrize("store", list(RESTORES))
@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("2026-12-06 09:30", "to_point_in_time: expected an RFC 3339 time with seconds and an offset"),
        ("2026-12-06T09:30:00", "to_point_in_time: expected an RFC 3339 time with seconds and an offset"),
        ("2026-02-30T09:30:00Z", "to_point_in_time: expected a date and time that exist"),
    ],
)
def test_a_time_needs_seconds_an_offset_and_to_exist(store, time, message):
    assert message in refusal(store, to_point_in_time=time)
    assert f'got "{time}" (string)' in refusal(store, to_point_in_time=time)


@pytest.mark.parametrize("store", list(RESTORES))
def test_exactly_one_form_names_those_offered_and_those_given(store):
    offered = (
        "to_point_in_time, latest = true or from_snapshot"
        if store in WITH_SNAPSHOTS
        else "to_point_in_time or latest = true"
    )
    assert f"to_point_in_time: expected exactly one of {offered} (what to restore), got none" in refusal(store)
    both = refusal(store, to_point_in_time="2026-12-06T09:30:00Z", latest=True)
    assert "got to_point_in_time, latest" in both


@pytest.mark.parametrize("store", WITH_SNAPSHOTS)
def test_a_snapshot_takes_no_source(store):
    assert "source: expected no source with from_snapshot" in refusal(store, from_snapshot="x", source="chat-prod-x")


@pytest.mark.parametrize("store", list(RESTORES))
def test_retiring_before_unprotecting_is_refused_with_the_order(store):
    message = refusal(store, latest=True, retire_original=True)
    assert RETIRE_FIRST in message and "apply unprotect_original = true alone first" in message
    assert "got unprotect_original = false" in message
    both = RESTORES[store](latest=True, unprotect_original=True, retire_original=True)
    assert both.unprotect_original and both.retire_original


@pytest.mark.parametrize("store", list(RESTORES))
def test_an_environment_file_retiring_before_unprotecting_is_refused_with_the_order(store, tmp_path):
    source, lines = ENVIRONMENT_FILES[store]
    problems = refused(file_with_restore(source, tmp_path, store, lines + "    retire_original = true\n"))
    assert list(problems) == [f"{store}.restore"]
    assert RETIRE_FIRST in problems[f"{store}.restore"]
    assert "got unprotect_original = false" in problems[f"{store}.restore"]


def test_the_suffix_follows_the_input_alone():
    assert restore_suffix("2026-12-06T10:30:00+01:00") == restore_suffix("2026-12-06T09:30:00Z") == "-r202612060930"
    assert restore_suffix(None, "rds:x") == restore_suffix(None, "rds:x") != restore_suffix(None, "rds:y")
    assert restore_suffix(None) == "-latest"
    assert max(len(restore_suffix("2026-12-06T09:30:00Z")), len(restore_suffix(None, "s"))) == 14
