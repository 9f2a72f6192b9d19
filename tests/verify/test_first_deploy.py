"""Day one end to end (verify/first_deploy.py): bootstrap the state bucket, init with the
real S3 backend against moto, apply, the lock, a second runner's empty plan, a release.

Provider-marked: it needs terraform, moto and a provider build, like the tier; elsewhere it
is skipped with the reason (the tier's summary line says NOT RUN). The scenario runs once
per session; each test judges one step of it."""

from __future__ import annotations

import pytest

from verify.first_deploy import RELEASE_TAG, RELEASED_COLOUR, RELEASED_SERVICE, environment_with_state

pytestmark = pytest.mark.provider


# The scenario runs once per session: the `first_deploy` fixture in tests/conftest.py.


@pytest.mark.provider
def test_the_first_deploy_applies_into_the_bootstrapped_bucket(first_deploy):
    assert first_deploy.problems == []
    assert first_deploy.bucket == "chat-infra-tfstate-123456789012-staging"
    assert first_deploy.key == "chat-staging/terraform.tfstate"
    # Every planned resource was created, or failed with a gap listed in verify/emulator.py,
    # or waits behind one that failed (the distribution behind its headers policy).
    done = first_deploy.created | set(first_deploy.failed) | first_deploy.uncreated
    assert len(done) == first_deploy.planned_creates > 300
    assert len(first_deploy.created) > 250
    assert first_deploy.state_resources >= len(first_deploy.created)
    assert first_deploy.state_object["ServerSideEncryption"] == "aws:kms"
    assert first_deploy.state_object["SSEKMSKeyId"] == first_deploy.kms_key_arn


@pytest.mark.provider
def test_a_concurrent_apply_is_refused_by_the_lock(first_deploy):
    assert "Error acquiring the state lock" in first_deploy.lock_refusal


@pytest.mark.provider
def test_a_second_runner_plans_no_changes_from_the_remote_state(first_deploy):
    assert first_deploy.second_runner_changes == {}


@pytest.mark.provider
def test_a_release_changes_only_that_colours_task_definition_service_and_range(first_deploy):
    changed = {address.split(".")[0]: address for address in first_deploy.release_changes}
    assert set(changed) == {"aws_ecs_task_definition", "aws_ecs_service", "aws_appautoscaling_target"}, (
        first_deploy.release_changes
    )
    for address in first_deploy.release_changes:
        assert f"{RELEASED_SERVICE}_" in address and f"_{RELEASED_COLOUR}_" in address, address
    # A new revision replaces the old one (skip_destroy: the old stays registered for rollback).
    assert sorted(first_deploy.release_changes[changed["aws_ecs_task_definition"]]) == ["create", "delete"]
    assert RELEASE_TAG  # the tag the pipeline wrote (verify/first_deploy.py)


def test_the_environment_file_takes_the_printed_block(tmp_path):
    """Not provider-bound: the block bootstrap prints replaces the shipped placeholder."""
    from tests.conftest import ENVIRONMENTS_DIR

    block = 'remote_state {\n  bucket = "b-123"\n  key    = "chat-staging/terraform.tfstate"\n}'
    path = environment_with_state(ENVIRONMENTS_DIR / "staging.hcl", block, tmp_path)
    text = path.read_text()
    assert text.count("remote_state {") == 1 and block in text
    assert "111122223333" not in text.split("remote_state {")[1]
