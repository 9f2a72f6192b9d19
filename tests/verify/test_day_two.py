"""Day two on what day one deployed (scenarios/day_two.py, after verify/first_deploy.py): a
release applied, blue/green shifted 100/0 -> 90/10 -> 0/100 and rolled back, the database
restored into a new instance, its original unprotected and retired. Each step applies and
re-plans with no changes; the safety review shows the cutover and refuses what a step
removes until --allow-destroy names it.

The provider-marked tests judge the scenario's run (once per session, the `first_deploy`
fixture); the others check the edits and the judging on planted input, without terraform."""

from __future__ import annotations

import pytest

from envconfig import load_environment
from scenarios.day_two import (
    STEPS,
    DayTwoCannotRun,
    StepResult,
    api_weights,
    database_restore,
    plan_problems,
    safety_review,
    second_apply_reasons,
)
from tests.conftest import ENVIRONMENTS_DIR

STAGING = ENVIRONMENTS_DIR / "staging.hcl"
BY_NAME = {step.name: step for step in STEPS}


def _step_results(first_deploy):
    assert first_deploy.after is not None, first_deploy.problems
    return {result.name: result for result in first_deploy.after.detail}


@pytest.mark.provider
def test_every_day_two_step_ran_applied_and_re_planned_empty(first_deploy):
    results = _step_results(first_deploy)
    assert list(results) == [step.name for step in STEPS], first_deploy.problems
    for result in results.values():
        assert result.problems == [], result.name
        assert result.changes, f"{result.name}: the plan changed nothing"
        assert result.replan_changes == {}, result.name
        assert {"apply", "replan"} <= set(result.seconds), result.name


@pytest.mark.provider
def test_each_shift_moves_only_the_api_listener_rule_and_its_colours(first_deploy):
    results = _step_results(first_deploy)
    for name in ("shift api 100/0", "shift api 90/10", "shift api 0/100", "roll back api to 100/0"):
        changed = results[name].changes
        assert any(a.startswith("aws_lb_listener_rule.load_balancer_api_") for a in changed), name
        assert all("realtime" not in a and "worker" not in a and "database" not in a for a in changed), name


@pytest.mark.provider
def test_the_restore_shows_its_cutover_and_keeps_the_original(first_deploy):
    restore = _step_results(first_deploy)["restore the database (latest)"]
    assert restore.cutovers and all("-latest" in line for line in restore.cutovers), restore.cutovers
    assert [a.split(".")[0] for a in restore.refused] == ["aws_backup_selection"]
    created = [a for a, actions in restore.changes.items() if actions == ["create"]]
    assert any(a.startswith("aws_db_instance.database_restored_") for a in created)
    assert not any(a.startswith("aws_db_instance.database_this_") for a in restore.changes)


@pytest.mark.provider
def test_unprotecting_and_retiring_the_original_are_refused_until_allowed(first_deploy):
    results = _step_results(first_deploy)
    for name, action in (("unprotect the original", ["update"]), ("retire the original", ["delete"])):
        result = results[name]
        (original,) = [a for a in result.changes if a.startswith("aws_db_instance.database_this_")]
        assert result.changes[original] == action, name
        assert original in result.refused, name


# -- without terraform ------------------------------------------------------------------------


def _loaded(text: str, tmp_path):
    path = tmp_path / STAGING.name
    path.write_text(text)
    return load_environment(path)


def test_each_edit_is_an_environment_file_the_loader_takes(tmp_path):
    text = STAGING.read_text()
    seen = []
    for step in STEPS:
        if step.edit is None:
            continue
        text = step.edit(text)
        config = _loaded(text, tmp_path)
        seen.append((dict(config.load_balancer.weights["api"]), config.database.restore))
    weights = [w for w, _ in seen]
    assert weights[:4] == [{"blue": 100, "green": 0}, {"blue": 90, "green": 10}, {"blue": 0, "green": 100}] + [
        {"blue": 100, "green": 0}
    ]
    restores = [r for _, r in seen[4:]]
    assert [r.latest for r in restores] == [True, True, True]
    assert [(r.unprotect_original, r.retire_original) for r in restores] == [
        (False, False),
        (True, False),
        (True, True),
    ]


def test_an_environment_file_without_the_edited_block_stops_the_scenario_saying_which():
    with pytest.raises(DayTwoCannotRun, match="load_balancer.weights.api"):
        api_weights(100, 0)('name = "x"\n')
    with pytest.raises(DayTwoCannotRun, match="database block"):
        database_restore("latest = true")('name = "x"\n')


def test_a_restore_edit_replaces_the_block_it_wrote_before():
    once = database_restore("latest = true")('database {\n  instance_class = "db.t4g.medium"\n}\n')
    twice = database_restore("latest = true", "unprotect_original = true")(once)
    assert twice.count("restore {") == 1 and "unprotect_original = true" in twice


def test_a_shift_plan_that_touches_the_database_is_refused():
    shift = BY_NAME["shift api 90/10"]
    good = {"aws_lb_listener_rule.load_balancer_api_listener_rule_CF41D639": ["update"]}
    assert plan_problems(shift, good) == []
    planted = good | {"aws_db_instance.database_this_4A1C7F2E": ["update"]}
    (problem,) = plan_problems(shift, planted)
    assert "not about" in problem and "database_this" in problem


def test_a_shift_plan_without_the_listener_rule_is_refused():
    shift = BY_NAME["shift api 0/100"]
    (problem,) = plan_problems(shift, {"aws_ecs_service.api_service_blue_4606CCE6": ["update"]})
    assert problem == "the plan changes no aws_lb_listener_rule"


def test_a_release_plan_that_touches_the_other_colour_is_refused():
    release = BY_NAME["release api green"]
    green = {
        "aws_ecs_task_definition.api_task_definition_green_662194D7": ["create", "delete"],
        "aws_ecs_service.api_service_green_E6EA7E03": ["update"],
    }
    assert plan_problems(release, green) == []
    blue = green | {"aws_ecs_service.api_service_blue_4606CCE6": ["update"]}
    assert "api_service_blue" in plan_problems(release, blue)[0]


# -- the safety review of a step's plan, on planted plans --------------------------------------

ORIGINAL = "aws_db_instance.database_this_C19B65FA"
SELECTION = "aws_backup_selection.backup_selection_31765CE5"
INSTANCE = {"identifier": "chat-staging-postgres", "deletion_protection": True, "skip_final_snapshot": False}


def _reviewed(step_name: str, *changes) -> StepResult:
    from tests.review.plans import plan_document

    result = StepResult(step_name, "")
    safety_review(BY_NAME[step_name], plan_document(*changes), "chat-staging", result)
    return result


def _unprotected():
    from tests.review.plans import resource_change

    after = INSTANCE | {"deletion_protection": False}
    return resource_change(ORIGINAL, ["update"], before=INSTANCE, after=after)


def test_unprotecting_is_refused_until_allowed_and_then_passes():
    result = _reviewed("unprotect the original", _unprotected())
    assert result.refused == [ORIGINAL] and result.problems == []


def test_a_step_whose_removal_the_review_does_not_refuse_fails():
    from tests.review.plans import resource_change

    unchanged = resource_change(ORIGINAL, ["update"], before=INSTANCE, after=INSTANCE | {"tags": {"a": "b"}})
    result = _reviewed("unprotect the original", unchanged)
    assert result.problems == ["the safety review refused nothing; it must refuse ('aws_db_instance',)"]


def test_a_refusal_the_step_is_not_about_fails():
    from tests.review.plans import deleted

    result = _reviewed("shift api 90/10", deleted(ORIGINAL, **INSTANCE))
    assert result.refused == [ORIGINAL]
    assert result.problems == [f"the safety review refuses {[ORIGINAL]}"]


def test_a_restore_without_a_cutover_line_fails():
    result = _reviewed("restore the database (latest)", _unprotected())
    assert result.problems == [
        "the review shows no CUTOVER line",
        f"the safety review refuses more than the step is about: {[ORIGINAL]}",
    ]


def test_a_second_apply_is_due_only_for_what_the_provider_is_known_to_leave_on_what_the_step_made():
    restored = "aws_db_instance.database_restored_ACC56E60"
    applied = {restored}
    (why,) = second_apply_reasons({restored: ["performance_insights_enabled"]}, applied)
    assert why.startswith(f"{restored} performance_insights_enabled: hashicorp/aws sends no Performance Insights")
    # Another attribute, or a resource the step did not apply: a real re-plan change, no second apply.
    assert second_apply_reasons({restored: ["instance_class"]}, applied) == []
    assert (
        second_apply_reasons({"aws_db_instance.database_this_C19B65FA": ["performance_insights_enabled"]}, applied)
        == []
    )
