"""modules/common/stack_context.py: one partition and one account lookup per stack, shared by
its modules; a module used alone makes its own, at the address it always had."""

from __future__ import annotations

import json
import re

from modules.common.stack_context import StackContext
from modules.container_registry import ContainerRepositoryProps

REGION = "eu-west-1"
ACCOUNT = "111122223333"


def repositories(stack, context: StackContext | None, **props) -> None:
    from modules.container_registry import ContainerRepository

    for service in ("api", "worker"):
        ContainerRepository(
            stack,
            f"{service}_repository",
            props=ContainerRepositoryProps(name="chat-t", service=service, region=REGION, context=context, **props),
        )


def lookups_referenced(synth) -> set[str]:
    return set(re.findall(r"data\.aws_caller_identity\.(\w+)\.account_id", json.dumps(synth.document)))


def test_modules_given_the_stack_context_share_its_one_lookup(synth_scratch):
    synth = synth_scratch(lambda stack: repositories(stack, StackContext(stack, region=REGION)))
    (lookup,) = synth.data("aws_caller_identity")
    assert lookup == "caller"
    assert lookups_referenced(synth) == {"caller"}
    # Both repositories' own keys name the account through it.
    assert len(synth.resources("aws_kms_key")) == 2


def test_a_module_used_alone_looks_up_the_account_under_its_own_id(synth_scratch):
    synth = synth_scratch(lambda stack: repositories(stack, None))
    paths = {block["//"]["metadata"]["path"] for block in synth.data("aws_caller_identity").values()}
    assert paths == {"scratch/api_repository/caller", "scratch/worker_repository/caller"}
    assert lookups_referenced(synth) == set(synth.data("aws_caller_identity"))


def test_a_given_account_needs_no_lookup(synth_scratch):
    synth = synth_scratch(lambda stack: repositories(stack, StackContext(stack, region=REGION, account_id=ACCOUNT)))
    assert synth.data("aws_caller_identity") == {}
    assert f"arn:aws:iam::{ACCOUNT}:root" in json.dumps(synth.document)


def test_the_lookup_is_made_only_when_the_account_is_asked_for(synth_scratch):
    key_arn = "arn:aws:kms:eu-west-1:111122223333:key/2f1c6c8e-0000-4000-8000-000000000001"

    def build(stack):
        # Repositories given a key need no account: the context is never asked.
        repositories(stack, StackContext(stack, region=REGION), kms_key_arn=key_arn)
        repositories_alone = StackContext(stack, region="cn-north-1")
        assert repositories_alone.partition == "aws-cn"

    assert synth_scratch(build).data("aws_caller_identity") == {}


def test_the_context_lookup_goes_through_the_provider_it_is_given(synth_scratch):
    def build(stack):
        from bindings.aws.provider import AwsProvider

        us_east_1 = AwsProvider(stack, "aws_us_east_1", alias="us_east_1", region="us-east-1")
        context = StackContext(stack, region="us-east-1", provider=us_east_1)
        assert context.account_id == context.account_id  # asked twice, looked up once

    (lookup,) = synth_scratch(build).data("aws_caller_identity").values()
    assert lookup["provider"] == "aws.us_east_1"
