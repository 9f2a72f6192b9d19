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
