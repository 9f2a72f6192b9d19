"""What every module of one stack shares: the partition and the account id, looked up once.

A module needs the account id for ARNs and key policies. When the environment file pins
none, Terraform reads it from an `aws_caller_identity` lookup; one per stack is enough
(the account is the same for every module and through every provider alias), where each
module used to make its own.

The stack creates one `StackContext` and hands it to every module in its props
(`context`). A module used alone (tests, another composition) gets one of its own from
`module_context(self, props)`: the same partition and account id, its lookup the module's
child `caller`, so a module's construct IDs are those it has always had.

The lookup is made the first time `account_id` is read: a module that needs no account
(a store given its key ARN) adds no data source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from modules.common.aws_arn import partition_for_region

if TYPE_CHECKING:
    from constructs import Construct

    from bindings.cdk import TerraformProvider

# The construct id of the caller-identity lookup, in the stack or in a module used alone:
# part of every address that references it, so it never changes.
CALLER_LOOKUP_ID = "caller"


class StackContext:
    """The partition of the stack's region and its account id (given, or one lookup).

    Attributes: partition (literal, "aws", "aws-cn" or "aws-us-gov"), account_id (the
    given id, else a reference to the `caller` lookup, created on first use).
    """

    def __init__(
        self,
        scope: Construct,
        *,
        region: str,
        account_id: str | None = None,
        provider: TerraformProvider | None = None,
    ) -> None:
        """`scope`: where the lookup is created (the stack, or a module used alone);
        `account_id`: Default: looked up (aws_caller_identity) the first time it is needed;
        `provider`: Default: the scope's default AWS provider (the account is the same
        through every alias; a module that only has an aliased provider passes it)."""
        self.partition: str = partition_for_region(region)
        self._scope = scope
        self._provider = provider
        self._account_id = account_id

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            from bindings.aws.data_aws_caller_identity import DataAwsCallerIdentity

            lookup = DataAwsCallerIdentity(self._scope, CALLER_LOOKUP_ID, provider=self._provider)
            self._account_id = lookup.account_id
        return self._account_id


class ContextProps(Protocol):
    """What `module_context` reads of a module's props."""

    @property
    def context(self) -> StackContext | None: ...

    @property
    def region(self) -> str: ...

    @property
    def account_id(self) -> str | None: ...


def module_context(
    module: Construct, props: ContextProps, *, provider: TerraformProvider | None = None
) -> StackContext:
    """The stack's context from `props.context`, else one of the module's own (from
    `props.region` and `props.account_id`, its lookup `<module>/caller`)."""
    if props.context is not None:
        return props.context
    return StackContext(module, region=props.region, account_id=props.account_id, provider=provider)
