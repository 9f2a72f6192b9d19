"""Project checks over a whole stack (ids 40-49): CKV_CHAT_40, every data store AWS Backup
supports is in a backup selection, over its passing and failing fixture stacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gate.run import gate, read_results

FIXTURES = Path(__file__).parent / "fixtures"
STACKS = ("chat-40-pass", "chat-40-fail")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    stacks_dir = tmp_path_factory.mktemp("stack-check-fixtures")
    for stack in STACKS:
        shutil.copytree(FIXTURES / stack, stacks_dir / stack)
    report_dir = tmp_path_factory.mktemp("stack-check-gate")
    gate(stacks_dir, report_dir)
    return read_results(report_dir)


def outcomes(results, stack: str) -> dict[str, str]:
    found = {}
    for kind in ("passed_checks", "failed_checks"):
        for finding in results[kind]:
            if finding["check_id"] == "CKV_CHAT_40" and finding["file_path"] == f"/{stack}/cdk.tf.json":
                found[finding["resource"]] = kind.split("_")[0]
    return found


def test_stores_in_the_selection_pass_by_reference_or_literal_bucket_arn(results):
    assert outcomes(results, "chat-40-pass") == {
        "resource.primary": "passed",  # a reference to its ARN
        "resource.replica": "passed",  # a read replica: its primary is backed up
        "resource.attachments": "passed",  # the literal ARN of its name, references included
        "resource.messages": "passed",
    }


def test_stores_missing_from_the_selection_fail(results):
    assert outcomes(results, "chat-40-fail") == {
        "resource.primary": "failed",  # the selection names another instance
        "resource.attachments": "failed",  # no ARN ends in its name
        "resource.attachments_copy": "failed",  # "-copy-old" is another bucket
        "resource.data": "failed",
    }
