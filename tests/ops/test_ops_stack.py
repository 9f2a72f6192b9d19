"""ops/stack.py reads what ChatStack really writes: in every synthesized environment, the queues
and dead-letter queues `make redrive` finds, the attachments bucket `make restore-attachment`
finds (its account from STS), the outputs `make rotate-secrets` reads, and the release
parameters and traffic split `make release` reads (environments and examples). The other tests of
tests/ops use a small copy of that JSON (tests/ops/day_two.py); this keeps the two in step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.redrive import StackQueue
from ops.release import release_parameters, traffic_split
from ops.restore_attachment import bucket_name
from ops.rotate_secrets import SERVICES_SUFFIX
from ops.stack import CannotRun, SynthesizedStack, resolve_account
from tests.ops.day_two import stack_document


def test_the_day_two_commands_find_their_names_in_every_synthesized_environment(synthesized, environment_configs):
    for environment, synth in synthesized.items():
        config = environment_configs[environment]
        stack = SynthesizedStack(name=config.stack_name, path=Path(config.stack_name), document=synth.document)
        assert stack.region == config.region
        queues = {key: StackQueue.from_stack(stack, key) for key in ("push", "offline")}
        assert {key: (q.name, q.dead_letter_name) for key, q in queues.items()} == {
            "push": (f"chat-{environment}-push-notifications", f"chat-{environment}-push-notifications-dlq"),
            "offline": (f"chat-{environment}-offline-messages", f"chat-{environment}-offline-messages-dlq"),
        }
        account = config.account_id or "123456789012"
        assert (
            bucket_name(stack, lambda account=account: account)
            == f"chat-{environment}-attachments-{account}-{config.region}"
        )
        outputs = synth.document["output"]
        assert "ecs_cluster_name" in outputs
        assert {"api", "realtime", "worker"} <= {n.removesuffix(SERVICES_SUFFIX) for n in outputs}


def test_make_release_finds_its_parameters_and_weights_in_every_synthesized_stack(synth_outdir, stack_configs):
    for config in stack_configs.values():
        path = synth_outdir / "stacks" / config.stack_name / "cdk.tf.json"
        stack = SynthesizedStack(name=config.stack_name, path=path, document=json.loads(path.read_text()))
        names = {
            (service, colour): parameter.name
            for service, colours in release_parameters(stack).items()
            for colour, parameter in colours.items()
        }
        prefix = f"/{config.stack_name}"
        assert names == {
            **{(s, c): f"{prefix}/{s}/{c}/image-tag" for s in ("api", "realtime") for c in ("blue", "green")},
            ("worker", None): f"{prefix}/worker/image-tag",
        }, config.name
        for service in ("api", "realtime"):
            split = traffic_split(stack, service)
            if split.source == "websocket_api/live_listener":
                live = config.websocket_api.live_colour
                expected = {live: 100, ("green" if live == "blue" else "blue"): 0}
            else:
                expected = config.load_balancer.weights.get(service) or {"blue": 100, "green": 0}
            assert split.weights == expected, (config.name, service)
            assert (split.sticky_seconds is not None) == (split.source == "load_balancer/realtime_listener_rule")


def test_the_small_copy_reads_like_the_real_stack():
    stack = SynthesizedStack(name="chat-alpha", path=Path("chat-alpha.tf.json"), document=stack_document("alpha"))
    assert StackQueue.from_stack(stack, "push").dead_letter_name == "chat-alpha-push-notifications-dlq"
    assert bucket_name(stack, lambda: "111122223333") == "chat-alpha-attachments-111122223333-eu-west-1"
    assert release_parameters(stack)["api"]["green"].name == "/chat-alpha/api/green/image-tag"
    assert traffic_split(stack, "realtime").sticky_seconds == 3600


def test_only_the_caller_identity_reference_is_resolved():
    asked = []
    assert resolve_account("chat-prod-x", "name", lambda: asked.append(1) or "1") == "chat-prod-x"
    assert asked == []  # a literal name asks STS nothing
    with pytest.raises(CannotRun, match=r"the bucket is not literal in the synthesized stack \('b-\$\{var.x\}'\)"):
        resolve_account("b-${var.x}", "the bucket", lambda: "1")


# What each Terraform type in the selection is as a deployed ARN, and the kind `make
# restore-backup` makes of that ARN (ops/restore_backup.py: a block, a job, or a refusal).
SELECTED_TYPES = {
    "aws_db_instance": ("arn:aws:rds:eu-west-1:111122223333:db:chat-prod-postgres", "database"),
    "aws_docdb_cluster": ("arn:aws:rds:eu-west-1:111122223333:cluster:chat-prod-docdb", "documentdb"),
    "aws_dynamodb_table": ("arn:aws:dynamodb:eu-west-1:111122223333:table/chat-prod-messages", "dynamodb"),
    "aws_ebs_volume": ("arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123456789abcdef0", "ec2"),
}


def test_make_restore_backup_finds_every_selected_store_in_the_outputs(synth_outdir, stack_configs):
    from ops.restore_backup import NOT_RESTORED_HERE, STORE_KEY_DOMAINS, resource_kind

    for config in stack_configs.values():
        document = json.loads((synth_outdir / "stacks" / config.stack_name / "cdk.tf.json").read_text())
        outputs = {name: body["value"] for name, body in document["output"].items()}
        (selection,) = document["resource"]["aws_backup_selection"].values()
        targets = outputs["backup_targets"]
        assert sorted(targets.values()) == sorted(selection["resources"]), config.name
        # The stack's own vault: the copy vault is the one made with the copy region's provider.
        (vault_id,) = (key for key, body in document["resource"]["aws_backup_vault"].items() if "provider" not in body)
        assert outputs["backup_vault_name"] == f"${{aws_backup_vault.{vault_id}.name}}"
        assert outputs["backup_role_arn"] == selection["iam_role_arn"]
        copy = outputs.get("backup_copy_vault")
        assert (copy or {}).get("region") == config.backup.copy_region, config.name
        for name, arn in targets.items():
            resource_type = arn.split(".")[0].removeprefix("${") if arn.startswith("${") else "aws_s3_bucket"
            if resource_type == "aws_s3_bucket":
                assert resource_kind(arn.replace("${data.aws_caller_identity.caller.account_id}", "1")) == "s3"
                continue
            example, kind = SELECTED_TYPES[resource_type]  # a KeyError: a store the command does not know
            if kind in STORE_KEY_DOMAINS:  # the key a snapshot from the copy vault is re-encrypted with
                aliases = {body["name"] for body in document["resource"]["aws_kms_alias"].values()}
                assert f"alias/{config.stack_name}/{STORE_KEY_DOMAINS[kind]}" in aliases, (config.name, name)
            assert resource_kind(example) == kind, (config.name, name)
            assert kind in ("database", "documentdb", "dynamodb") or kind in NOT_RESTORED_HERE
