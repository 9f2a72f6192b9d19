"""Project checks CKV_CHAT_20-22 (queues have dead-letter queues; queue and bucket policies
deny requests without TLS): each over its passing and failing fixture stacks, resource by
resource, and the helper that follows references through a stack file."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from gate.run import CUSTOM_CHECKS_DIR, gate

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
    return json.loads((report_dir / "results_json.json").read_text())["results"]


def outcomes(results, stack, check_id):
    """{(resource, first line): "passed" | "failed"} for one check on one fixture stack."""
    found = {}
    for kind in ("passed_checks", "failed_checks"):
        for finding in results[kind]:
            if finding["check_id"] == check_id and finding["file_path"] == f"/{stack}/cdk.tf.json":
                found[(finding["resource"], finding["file_line_range"][0])] = kind.split("_")[0]
    return found


def by_resource(results, stack, check_id):
    """{resource name: sorted outcomes} (a queue and its policy may share a name)."""
    named: dict[str, list[str]] = {}
    for (resource, _), outcome in outcomes(results, stack, check_id).items():
        named.setdefault(resource.removeprefix("resource."), []).append(outcome)
    return {name: sorted(values) for name, values in named.items()}


def test_every_data_store_check_is_a_file_with_fixtures():
    ids = {
        line.split('"')[1]
        for path in CUSTOM_CHECKS_DIR.glob("*.py")
        for line in path.read_text().splitlines()
        if line.strip().startswith('id="CKV_CHAT_')
    }
    # The ids 20-29 are this tier's (the data stores).
    assert {i for i in ids if 20 <= int(i.rsplit("_", 1)[1]) <= 29} == set(CHECK_IDS)
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


# -- the helper ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def support():
    sys.path.insert(0, str(CUSTOM_CHECKS_DIR))
    try:
        import chat_stack_support
    finally:
        sys.path.remove(str(CUSTOM_CHECKS_DIR))
    return chat_stack_support


def test_the_scanned_directory_comes_from_checkovs_arguments(support, tmp_path):
    assert support.scanned_directory(["checkov", "--directory", str(tmp_path), "-o", "json"]) == tmp_path
    assert support.scanned_directory(["checkov", "-d", str(tmp_path)]) == tmp_path
    assert support.scanned_directory([f"--directory={tmp_path}"]) == tmp_path
    assert support.scanned_directory(["checkov", "--file", "x.json"]) is None


def test_the_stack_document_is_read_for_synthesized_stacks_only(support, tmp_path):
    (tmp_path / "chat-x").mkdir()
    (tmp_path / "chat-x" / "cdk.tf.json").write_text('{"resource": {}}')
    argv = ["checkov", "--directory", str(tmp_path)]
    assert support.stack_document("/chat-x/cdk.tf.json:aws_sqs_queue:q", argv) == {"resource": {}}
    assert support.stack_document("/chat-x/plan.json:aws_sqs_queue:q", argv) is None


def test_policies_are_read_from_documents_json_strings_and_plans(support):
    document = json.loads((FIXTURES / "chat-21-pass" / "cdk.tf.json").read_text())
    from_document = support.policy_statements("${data.aws_iam_policy_document.queue_policy.json}", document)
    plan_policy = {
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sqs:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    }
    for statements in (from_document, support.policy_statements(plan_policy, None)):
        assert support.denies_insecure_transport(statements, "sqs")
        assert not support.denies_insecure_transport(statements, "s3")
    # Unknown until apply, or a document the scan cannot see: not judged.
    assert support.policy_statements("data.aws_iam_policy_document.queue_policy.json", None) is None
    assert support.policy_statements("${data.aws_iam_policy_document.queue_policy.json}", None) is None
