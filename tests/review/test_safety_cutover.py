"""The data-safety gate shows a database cutover (modules/database: restore { }) plainly: which
proxy target and replica move, from which instance to which, how the new one is restored, and
whether the old one goes in the same plan, without changing what it blocks."""

from __future__ import annotations

from review.plan import review_plan
from review.safety import as_json, check_safety, cutovers, render_markdown
from tests.review.plans import deleted, plan_document, resource_change

OLD, NEW = "chat-prod-postgres", "chat-prod-postgres-r202612060930"
PROXY_TARGET = "aws_db_proxy_target.database_proxy_target_1A2B3C4D"
REPLICA = "aws_db_instance.database_replica_5E6F7A8B"
RESTORED = "aws_db_instance.database_restored_ACC56E60"
ORIGINAL = "aws_db_instance.database_this_C19B65FA"


def restored_instance(**how):
    return resource_change(RESTORED, ["create"], after={"identifier": NEW, **how})


def follower_moved(address, attribute, values, old=OLD, new=NEW):
    """A replacement of what follows an instance (`attribute` names it) from `old` to `new`."""
    return resource_change(
        address,
        ["delete", "create"],
        before={**values, attribute: old},
        after={**values, attribute: new},
        replace_paths=[[attribute]],
        reason="replace_because_cannot_update",
    )


def proxy_target_moved(new=NEW):
    values = {"db_proxy_name": "chat-prod-postgres", "target_group_name": "default"}
    return follower_moved(PROXY_TARGET, "db_instance_identifier", values, new=new)


def replica_moved():
    values = {"identifier": "chat-prod-postgres-replica", "instance_class": "db.r6g.large"}
    return follower_moved(REPLICA, "replicate_source_db", values)


POINT_IN_TIME = {
    "restore_to_point_in_time": [
        {
            "source_db_instance_identifier": OLD,
            "restore_time": "2026-12-06T09:30:00Z",
            "use_latest_restorable_time": None,
        }
    ]
}


def review(*changes):
    return review_plan(plan_document(*changes), "chat-prod")


def test_a_restore_cutover_names_the_old_and_new_instance_and_how_the_new_one_is_restored():
    verdict = check_safety(review(restored_instance(**POINT_IN_TIME), proxy_target_moved(), replica_moved()))
    assert [(c.address, c.role, c.old, c.new, c.old_deleted) for c in verdict.cutovers] == [
        (PROXY_TARGET, "proxy target", OLD, NEW, False),
        (REPLICA, "replica source", OLD, NEW, False),
    ]
    markdown = render_markdown(verdict)
    assert (
        f"- CUTOVER `{PROXY_TARGET}` (proxy target): `{OLD}` -> `{NEW}`, created by this plan (restored from "
        f"{OLD} at 2026-12-06T09:30:00Z); the old instance stays until a later change removes it"
    ) in markdown
    # The cutover is shown, not allowed: the replica's replacement is still a finding to allow.
    assert not verdict.ok and [f.address for f in verdict.blocked] == [REPLICA]
    assert check_safety(review(restored_instance(**POINT_IN_TIME), proxy_target_moved(), replica_moved()), [REPLICA]).ok
    assert as_json(verdict)["cutovers"][0] == {
        "address": PROXY_TARGET,
        "role": "proxy target",
        "old": OLD,
        "new": NEW,
        "restored_how": f"restored from {OLD} at 2026-12-06T09:30:00Z",
        "old_deleted": False,
    }


def test_latest_and_snapshot_restores_say_so():
    latest = {"restore_to_point_in_time": [{"source_db_instance_identifier": OLD, "use_latest_restorable_time": True}]}
    (cutover,) = cutovers(review(restored_instance(**latest), proxy_target_moved()))
    assert cutover.restored_how == f"restored from {OLD} at its latest restorable time"
    (cutover,) = cutovers(review(restored_instance(snapshot_identifier="rds:chat-prod-2026"), proxy_target_moved()))
    assert cutover.restored_how == "restored from snapshot rds:chat-prod-2026"


def test_a_cutover_that_also_deletes_the_old_instance_says_so_and_the_deletion_is_blocked():
    verdict = check_safety(
        review(restored_instance(**POINT_IN_TIME), proxy_target_moved(), deleted(ORIGINAL, identifier=OLD))
    )
    (cutover,) = verdict.cutovers
    assert cutover.old_deleted
    assert "this plan deletes or replaces the old instance" in render_markdown(verdict)
    assert [f.address for f in verdict.blocked] == [ORIGINAL]


def test_nothing_is_a_cutover_unless_a_follower_moves():
    # A first deploy creates the proxy target: no cutover.
    first = resource_change(PROXY_TARGET, ["create"], after={"db_instance_identifier": OLD})
    assert cutovers(review(first, resource_change(ORIGINAL, ["create"], after={"identifier": OLD}))) == ()
    # The same target, updated in place for another reason: no cutover either.
    same = resource_change(
        PROXY_TARGET, ["update"], before={"db_instance_identifier": OLD}, after={"db_instance_identifier": OLD}
    )
    verdict = check_safety(review(same))
    assert verdict.cutovers == () and "CUTOVER" not in render_markdown(verdict)


def test_a_target_known_only_after_the_apply_is_shown_as_such():
    change = proxy_target_moved(new=None)
    change["change"]["after_unknown"] = {"db_instance_identifier": True}
    (cutover,) = cutovers(review(change))
    assert (cutover.old, cutover.new, cutover.restored_how) == (OLD, "(known after apply)", None)


# -- a DynamoDB table or a DocumentDB cluster restored to take another's place ----------------

TABLE, RESTORED_TABLE = "chat-prod-messages", "chat-prod-messages-r202612060930"
TABLE_RESTORED_ADDRESS = "aws_dynamodb_table.dynamodb_messages_restored_1A2B3C4D"
TABLE_ORIGINAL_ADDRESS = "aws_dynamodb_table.dynamodb_messages_5E6F7A8B"
CLUSTER, RESTORED_CLUSTER = "chat-prod-docdb", "chat-prod-docdb-latest"
CLUSTER_RESTORED_ADDRESS = "aws_docdb_cluster.documentdb_restored_9C0D1E2F"
CLUSTER_ORIGINAL_ADDRESS = "aws_docdb_cluster.documentdb_this_3A4B5C6D"


def restored_table(**how):
    return resource_change(TABLE_RESTORED_ADDRESS, ["create"], after={"name": RESTORED_TABLE, **how})


def restored_cluster(**how):
    return resource_change(CLUSTER_RESTORED_ADDRESS, ["create"], after={"cluster_identifier": RESTORED_CLUSTER, **how})


TABLE_AT_A_TIME = {"restore_source_name": TABLE, "restore_date_time": "2026-12-06T09:30:00Z"}
CLUSTER_LATEST = {
    "restore_to_point_in_time": [
        {"source_cluster_identifier": CLUSTER, "restore_type": "full-copy", "use_latest_restorable_time": True}
    ]
}


def test_a_restored_table_is_a_cutover_from_its_source_and_the_old_table_stays():
    verdict = check_safety(review(restored_table(**TABLE_AT_A_TIME)))
    (cutover,) = verdict.cutovers
    assert (cutover.address, cutover.role, cutover.old, cutover.new, cutover.old_deleted) == (
        TABLE_RESTORED_ADDRESS,
        "restored table",
        TABLE,
        RESTORED_TABLE,
        False,
    )
    assert (
        f"- CUTOVER `{TABLE_RESTORED_ADDRESS}` (restored table): `{TABLE}` -> `{RESTORED_TABLE}`, created by this "
        f"plan (restored from {TABLE} at 2026-12-06T09:30:00Z); the old table stays until a later change removes it"
    ) in render_markdown(verdict)
    # Creating a table deletes nothing: the verdict is unchanged.
    assert verdict.ok
    assert as_json(verdict)["cutovers"][0]["restored_how"] == f"restored from {TABLE} at 2026-12-06T09:30:00Z"


def test_a_table_restored_to_its_latest_time_or_by_arn_says_so():
    (cutover,) = cutovers(review(restored_table(restore_source_name=TABLE, restore_to_latest_time=True)))
    assert cutover.restored_how == f"restored from {TABLE} at its latest restorable time"
    arn = f"arn:aws:dynamodb:eu-west-1:123456789012:table/{TABLE}"
    (cutover,) = cutovers(review(restored_table(restore_source_table_arn=arn, restore_to_latest_time=True)))
    assert cutover.old == arn


def test_retiring_the_table_in_the_same_plan_says_so_and_the_deletion_is_blocked():
    verdict = check_safety(review(restored_table(**TABLE_AT_A_TIME), deleted(TABLE_ORIGINAL_ADDRESS, name=TABLE)))
    (cutover,) = verdict.cutovers
    assert cutover.old_deleted
    assert "this plan deletes or replaces the old table" in render_markdown(verdict)
    assert [f.address for f in verdict.blocked] == [TABLE_ORIGINAL_ADDRESS]
    assert check_safety(
        review(restored_table(**TABLE_AT_A_TIME), deleted(TABLE_ORIGINAL_ADDRESS, name=TABLE)),
        [TABLE_ORIGINAL_ADDRESS],
    ).ok


def test_a_restored_cluster_is_a_cutover_from_its_source_or_its_snapshot():
    verdict = check_safety(review(restored_cluster(**CLUSTER_LATEST)))
    (cutover,) = verdict.cutovers
    assert (cutover.role, cutover.old, cutover.new, cutover.old_deleted) == (
        "restored cluster",
        CLUSTER,
        RESTORED_CLUSTER,
        False,
    )
    assert (
        f"- CUTOVER `{CLUSTER_RESTORED_ADDRESS}` (restored cluster): `{CLUSTER}` -> `{RESTORED_CLUSTER}`, created by "
        f"this plan (restored from {CLUSTER} at its latest restorable time); the old cluster stays until a later "
        "change removes it"
    ) in render_markdown(verdict)
    snapshot = "rds:chat-prod-docdb-2026-12-01-02-10"
    (cutover,) = cutovers(review(restored_cluster(snapshot_identifier=snapshot)))
    assert (cutover.old, cutover.restored_how) == (snapshot, f"restored from snapshot {snapshot}")


def test_retiring_the_cluster_in_the_same_plan_says_so_and_the_deletion_is_blocked():
    verdict = check_safety(
        review(restored_cluster(**CLUSTER_LATEST), deleted(CLUSTER_ORIGINAL_ADDRESS, cluster_identifier=CLUSTER))
    )
    (cutover,) = verdict.cutovers
    assert cutover.old_deleted and "this plan deletes or replaces the old cluster" in render_markdown(verdict)
    assert [f.address for f in verdict.blocked] == [CLUSTER_ORIGINAL_ADDRESS]


def test_a_table_or_cluster_created_empty_is_no_cutover():
    table = resource_change(TABLE_ORIGINAL_ADDRESS, ["create"], after={"name": TABLE})
    cluster = resource_change(CLUSTER_ORIGINAL_ADDRESS, ["create"], after={"cluster_identifier": CLUSTER})
    empty_point = resource_change(
        CLUSTER_RESTORED_ADDRESS, ["create"], after={"cluster_identifier": CLUSTER, "restore_to_point_in_time": []}
    )
    assert cutovers(review(table, cluster, empty_point)) == ()
    # A restored RDS instance is shown through what follows it (its proxy target, its replica), not by itself.
    assert cutovers(review(restored_instance(**POINT_IN_TIME))) == ()
