"""Project checks CKV_CHAT_20-22 (queues have dead-letter queues; queue and bucket policies
deny requests without TLS): each over its passing and failing fixture stacks, resource by
resource. They are whole-stack rules: the gate's own pass judges them (gate/run.py); the
policy helpers are unit-tested in test_rules.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gate.run import gate, read_results
from tests.gate.fixture_gate import project_check_ids

FIXTURES = Path(__file__).parent / "fixtures"
CHECK_IDS = ("CKV_CHAT_20", "CKV_CHAT_21", "CKV_CHAT_22")
STACKS = [f"chat-{check_id.rsplit('_', 1)[1]}-{outcome}" for check_id in CHECK_IDS for outcome in ("pass", "fail")]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The gate over this file's fixture stacks only (one checkov run)."""
    stacks_dir = tmp_path_factory.mktemp("data-store-fixtures")
    for stack in STACKS:
        shutil.copytree(FIXTURES / stack, stacks_dir / stack)
    report_dir = tmp_path_factory.mktemp("data-store-gate")
    gate(stacks_dir, report_dir)
    return read_results(report_dir)


def by_resource(results, stack, check_id):
    """{resource name: sorted outcomes} (a queue and its policy may share a name)."""
    named: dict[str, list[str]] = {}
    for kind in ("passed_checks", "failed_checks"):
        for finding in results[kind]:
            if finding["check_id"] == check_id and finding["file_path"] == f"/{stack}/cdk.tf.json":
                named.setdefault(finding["resource"].removeprefix("resource."), []).append(kind.split("_")[0])
    return {name: sorted(values) for name, values in named.items()}


def test_every_data_store_check_is_a_rule_with_fixtures():
    # The ids 20-29 are this tier's (the data stores).
    assert project_check_ids(20, 29) == set(CHECK_IDS)
    assert all((FIXTURES / stack / "cdk.tf.json").is_file() for stack in STACKS)


# -- CKV_CHAT_20: dead-letter queues ---------------------------------------------------------


def test_queues_with_a_redrive_policy_and_dead_letter_queues_pass(results):
    assert by_resource(results, "chat-20-pass", "CKV_CHAT_20") == {
        "source": ["passed"],  # inline redrive policy
        "dead_letters": ["passed"],  # named by source's redrive policy (a reference)
        "orders": ["passed"],  # aws_sqs_queue_redrive_policy
        "orders_dlq": ["passed"],  # named by that policy (a literal ARN)
        "allowing_dlq": ["passed"],  # carries a redrive allow policy
    }


def test_a_queue_nobody_dead_letters_to_and_without_redrive_fails(results):
    assert by_resource(results, "chat-20-fail", "CKV_CHAT_20") == {
        "lonely": ["failed"],
        "source": ["passed"],
        "source_dlq": ["passed"],
        # "chat-source-dl" is a prefix of the DLQ's name, not the DLQ.
        "prefix_only": ["failed"],
    }


# -- CKV_CHAT_21: queue policies -------------------------------------------------------------


def test_queues_whose_policy_denies_requests_without_tls_pass(results):
    assert by_resource(results, "chat-21-pass", "CKV_CHAT_21") == {
        "queue": ["passed", "passed"],  # the queue, and its aws_sqs_queue_policy (a policy document)
        "inline": ["passed"],  # an inline JSON policy
        "literal": ["passed", "passed"],  # linked by a literal queue URL, denying "*"
    }


def test_queues_without_a_tls_only_policy_fail(results):
    assert by_resource(results, "chat-21-fail", "CKV_CHAT_21") == {
        "no_policy": ["failed"],
        "allow_with_tls": ["failed", "failed"],  # an Allow on TLS does not deny plain HTTP
        "send_only": ["failed", "failed"],  # denies one action only
        "one_principal": ["failed", "failed"],  # denies one principal only
    }


# -- CKV_CHAT_22: bucket policies ------------------------------------------------------------


def test_buckets_whose_policy_denies_requests_without_tls_pass(results):
    assert by_resource(results, "chat-22-pass", "CKV_CHAT_22") == {
        "site": ["passed", "passed"],
        "literal": ["passed", "passed"],  # bucket policy naming the bucket literally, JSON policy
    }


def test_buckets_without_a_tls_only_policy_fail(results):
    assert by_resource(results, "chat-22-fail", "CKV_CHAT_22") == {
        "no_policy": ["failed"],
        "allow_with_tls": ["failed", "failed"],
        "ssl_condition_true": ["failed", "failed"],  # denies TLS requests, not plain ones
    }
