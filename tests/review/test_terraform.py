"""The command's terraform steps against the real terraform, offline, and the review of what it printed.

Terraform's built-in `terraform_data` resource needs no provider download, so a real
`init`, `plan -out`, `show -json` and `apply <planfile>` run here without the network. A
first plan creates; a second one, after the configuration changed, has every action the
review knows (create, update, delete, replace both ways, no-op and read), written by
terraform itself rather than by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from review.__main__ import apply_plan, make_plan, terraform, terraform_env
from review.plan import render_markdown, review_plan
from review.safety import check_safety
from verify.provider import PINNED_VERSION, ProviderChoice

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")

FIRST = {
    "resource": {
        "terraform_data": {
            "kept": {"input": "same"},
            "changed": {"input": "v1"},
            "removed": {"input": "x"},
            "destroy_first": {"input": "a", "triggers_replace": "r1"},
            "create_first": {"input": "a", "triggers_replace": "r1", "lifecycle": {"create_before_destroy": True}},
        }
    }
}
SECOND = {
    "resource": {
        "terraform_data": {
            "kept": {"input": "same"},
            "changed": {"input": "v2"},
            "added": {"input": "new"},
            "destroy_first": {"input": "a", "triggers_replace": "r2"},
            "create_first": {"input": "a", "triggers_replace": "r2", "lifecycle": {"create_before_destroy": True}},
        }
    },
    # Its configuration is unknown until `added` exists: terraform reads it during the apply.
    "data": {
        "terraform_remote_state": {"peer": {"backend": "local", "config": {"path": "${terraform_data.added.id}"}}}
    },
}


def write(stack_dir: Path, document: dict) -> None:
    (stack_dir / "cdk.tf.json").write_text(json.dumps(document))


def state_outputs(stack_dir: Path, env: dict[str, str]) -> dict[str, object]:
    state = json.loads(terraform(["show", "-json", "-no-color"], stack_dir, env))
    return {r["name"]: r["values"]["output"] for r in state["values"]["root_module"]["resources"]}


@pytest.fixture(scope="module")
def first_apply(tmp_path_factory):
    """FIRST planned and reviewed, the configuration then edited, and the saved plan applied."""
    root = tmp_path_factory.mktemp("terraform-data")
    stack_dir, review_dir = root / "stacks" / "chat-data", root / "review"
    stack_dir.mkdir(parents=True)
    review_dir.mkdir()
    env = terraform_env(ProviderChoice(PINNED_VERSION, None), review_dir)
    write(stack_dir, FIRST)
    plan_file = review_dir / "first.tfplan"
    review = review_plan(make_plan(stack_dir, plan_file, env), "chat-data")
    write(stack_dir, {**FIRST, "resource": {"terraform_data": {"changed": {"input": "edited after the plan"}}}})
    code = apply_plan(stack_dir, plan_file, env)
    return stack_dir, review_dir, env, review, code


def test_the_saved_plan_is_applied_even_when_the_configuration_moved_on(first_apply):
    stack_dir, _, env, review, code = first_apply
    assert review.counts["create"] == 5 and sum(review.counts.values()) == 5
    assert check_safety(review).ok
    assert code == 0
    outputs = state_outputs(stack_dir, env)
    assert outputs["changed"] == "v1" and set(outputs) == set(FIRST["resource"]["terraform_data"])


def test_a_real_plan_with_every_action_is_reviewed_as_terraform_wrote_it(first_apply):
    stack_dir, review_dir, env, _, _ = first_apply
    write(stack_dir, SECOND)
    review = review_plan(make_plan(stack_dir, review_dir / "second.tfplan", env), "chat-data")
    assert review.counts == {"delete": 1, "replace": 2, "forget": 0, "update": 1, "create": 1, "read": 1, "no-op": 1}
    by_address = {c.address: c for c in review.changes}
    assert by_address["terraform_data.destroy_first"].note == "destroy first"
    assert by_address["terraform_data.create_first"].note == "create first"
    for address in ("terraform_data.destroy_first", "terraform_data.create_first"):
        assert by_address[address].replace_paths == ("triggers_replace",)
    assert by_address["terraform_data.removed"].reason == "delete_because_no_resource_config"
    assert by_address["data.terraform_remote_state.peer"].mode == "data"
    assert "input" in by_address["terraform_data.changed"].changed
    markdown = render_markdown(review)
    assert "forced by: triggers_replace" in markdown and "terraform_data.kept" not in markdown
    # terraform_data holds no data of anyone's: the gate lets all of it go.
    assert check_safety(review).ok
