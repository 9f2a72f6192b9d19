"""Project checks CKV_CHAT_80-83 (alarms and their topic): each over its passing and failing
fixture stacks, resource by resource, and the observability module's own output through all
of them (one checkov run)."""

from __future__ import annotations

import pytest

from tests.gate.fixture_gate import FIXTURES, by_resource, fixture_stacks, project_check_ids, run_gate

CHECK_IDS = tuple(f"CKV_CHAT_{number}" for number in range(80, 84))
STACKS = fixture_stacks(CHECK_IDS)
MODULE_STACKS = ("observability-prod", "observability-dev")


@pytest.fixture(scope="module")
def module_stacks(synth_scratch):
    """What modules/observability writes: a subscribed topic with its own key and alarms of
    several families, and a development one."""
    from modules.cache.alarms import cache_watch
    from modules.compute.alarms import WatchedService, service_watch
    from modules.observability import Alarms, AlarmsProps, AlarmTopic, Dashboard
    from modules.queues.alarms import queue_watch

    def build(props):
        def stack_contents(stack):
            topic = AlarmTopic(stack, "alarm_topic", props=props)
            alarms = Alarms(stack, "alarms", props=props, topic_arn=topic.arn)
            alarms.add(
                service_watch(
                    alarms.props, cluster_name=props.name, services=[WatchedService("worker", f"{props.name}-worker")]
                )
            )
            alarms.add(
                queue_watch(
                    alarms.props, queue_name=f"{props.name}-push", dead_letter_queue_name=f"{props.name}-push-dlq"
                )
            )
            alarms.add(cache_watch(alarms.props, replication_group_id=f"{props.name}-cache", node_count=2))
            Dashboard(stack, "dashboard", props=props, alarms=alarms)

        return stack_contents

    prod = AlarmsProps(
        name="chat-prod", region="eu-west-1", account_id="111122223333", subscriptions={"email": ("a@example.com",)}
    )
    dev = AlarmsProps(name="chat-dev", region="eu-west-1", deletion_protection=False)
    return {name: synth_scratch(build(props)).document for name, props in zip(MODULE_STACKS, (prod, dev), strict=True)}


@pytest.fixture(scope="module")
def results(tmp_path_factory, module_stacks):
    return run_gate(tmp_path_factory, "observability", STACKS, module_stacks)


def test_every_observability_check_is_a_file_with_fixtures():
    # The ids 80-84 are the alarms' and their topic's.
    assert project_check_ids(80, 84) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


@pytest.mark.parametrize(
    ("check_id", "passing", "failing"),
    [
        ("CKV_CHAT_80", ["notifies_both"], ["no_actions", "alarm_only", "empty_ok_actions"]),
        ("CKV_CHAT_81", ["breaching", "not_breaching", "insufficient_data_notifies"], ["unset", "missing"]),
        ("CKV_CHAT_82", ["customer_key", "own_alias"], ["aws_managed_alias", "aws_managed_alias_arn", "unencrypted"]),
        (
            "CKV_CHAT_83",
            ["with_policy", "inline", "policy"],
            ["allow_only", "subscribe_denied", "no_policy", "allow_only_policy", "subscribe_denied_policy"],
        ),
    ],
)
def test_check_over_its_fixtures(results, check_id, passing, failing):
    _, findings = results
    number = check_id.rsplit("_", 1)[1]
    assert by_resource(findings, f"chat-{number}-pass", check_id) == {name: "passed" for name in passing}
    assert by_resource(findings, f"chat-{number}-fail", check_id) == {name: "failed" for name in failing}


@pytest.mark.parametrize("stack", MODULE_STACKS)
def test_the_module_passes_every_observability_check(results, stack):
    report, findings = results
    for check_id in CHECK_IDS:
        outcomes = by_resource(findings, stack, check_id)
        assert outcomes and set(outcomes.values()) == {"passed"}, (check_id, outcomes)
    # And checkov's own: the topic is encrypted, every alarm's actions are enabled.
    assert set(by_resource(findings, stack, "CKV_AWS_26").values()) == {"passed"}
    assert set(by_resource(findings, stack, "CKV_AWS_319").values()) == {"passed"}
    summary = next(s for s in report.stacks if s.name == stack)
    assert summary.failed == [] and summary.stale_waivers == []
