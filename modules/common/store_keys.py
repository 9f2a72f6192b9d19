"""Customer-managed keys of data stores: one per store unless one is given, and its use.

Each data store (a queue pair, a bucket, a backup vault) is its own data domain with its
own key by default, so disabling or deleting one store's key never makes another's data
unreadable, and CloudTrail shows each store's key use apart:
- `store_key(...)` creates that key (a `ManagedKey`) unless the caller gives an ARN, and
  keeps it from `terraform destroy` while the store has deletion protection: a deleted
  key makes everything it encrypted unreadable for good;
- `module_store_key(module, props, context, ...)` is that key for a store module, from its
  props (name, kms_key_arn, deletion_protection, tags): construct id "key", alias
  "alias/<name>/<data domain>", Name tag "<name>-<data domain>";
- `check_kms_key_arn` is the props check for a given key: a key ARN (not an alias: IAM
  policies match key ARNs), or a reference to one;
- `key_use_statement(...)` is what a store's `grant_*` method gives a role: the KMS
  actions on that one key, only inside requests to the store's service in its region
  (`kms:ViaService`). S3 and SQS ask KMS for data keys *as the caller*, so the caller's
  identity policy is what lets it use the key; the key policy keeps the account-root
  statement only, which delegates to IAM. A role can then never call kms:Decrypt on the
  key directly (to unwrap a data key lifted from somewhere else).

The provider bindings are imported when a key is built, not when this module is imported,
so props can import the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from modules.common.policy import policy_statement
from modules.common.validation import pattern_check

if TYPE_CHECKING:
    from bindings.aws.data_aws_iam_policy_document import DataAwsIamPolicyDocumentStatement
    from constructs import Construct

    from bindings.cdk import TerraformProvider
    from modules.common.keys import ManagedKey
    from modules.common.stack_context import StackContext

_KMS_KEY_ARN_PATTERN = (
    r"^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key/([0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)

check_kms_key_arn = pattern_check(
    _KMS_KEY_ARN_PATTERN,
    "expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid> (a key id, not an alias)",
    references=True,
)


def store_key(
    scope: Construct,
    construct_id: str,
    *,
    given_key_arn: str | None,
    alias: str,
    description: str,
    partition: str,
    account_id: str,
    deletion_protection: bool,
    tags: Mapping[str, str],
    provider: TerraformProvider | None = None,
) -> tuple[ManagedKey | None, str]:
    """(the created key or None, the ARN to encrypt with): `given_key_arn` when given, else a
    new ManagedKey `construct_id` (with `prevent_destroy` under deletion protection), made
    with `provider` (Default: the stack's; an aliased one for a key in another region)."""
    if given_key_arn is not None:
        return None, given_key_arn
    from modules.common.keys import ManagedKey

    key = ManagedKey(
        scope,
        construct_id,
        alias=alias,
        description=description,
        partition=partition,
        account_id=account_id,
        tags=tags,
        provider=provider,
    )
    if deletion_protection:
        key.key.add_override("lifecycle.prevent_destroy", True)
    return key, key.arn


class StoreProps(Protocol):
    """What `module_store_key` reads of a store module's props."""

    @property
    def name(self) -> str: ...

    @property
    def kms_key_arn(self) -> str | None: ...

    @property
    def deletion_protection(self) -> bool: ...

    @property
    def tags(self) -> Mapping[str, str]: ...


def module_store_key(
    module: Construct, props: StoreProps, context: StackContext, *, data_domain: str, description: str
) -> tuple[ManagedKey | None, str]:
    """(the created key or None, the ARN to encrypt with) of a store module: `props.kms_key_arn`
    when given (the account is then not asked for), else a new key "key" (new_module_key)."""
    if props.kms_key_arn is not None:
        return None, props.kms_key_arn
    return new_module_key(module, props, context, construct_id="key", data_domain=data_domain, description=description)


def new_module_key(
    module: Construct,
    props: StoreProps,
    context: StackContext,
    *,
    construct_id: str,
    data_domain: str,
    description: str,
    provider: TerraformProvider | None = None,
) -> tuple[ManagedKey | None, str]:
    """A new key of a store module (store_key), whatever its props give: alias
    "alias/<name>/<data_domain>", Name tag "<name>-<data_domain>", the props' deletion
    protection, made with `provider` (Default: the stack's; an aliased one for a key in the
    region a store copies its backups to)."""
    return store_key(
        module,
        construct_id,
        given_key_arn=None,
        alias=f"alias/{props.name}/{data_domain}",
        description=description,
        partition=context.partition,
        account_id=context.account_id,
        deletion_protection=props.deletion_protection,
        tags={**props.tags, "Name": f"{props.name}-{data_domain}"},
        provider=provider,
    )


def via_service(service: str, region: str) -> str:
    """The kms:ViaService value of `service` (an endpoint prefix such as "sqs" or "s3") in `region`."""
    return f"{service}.{region}.amazonaws.com"


def key_use_statement(
    sid: str, actions: Sequence[str], key_arn: str, *, service: str, region: str
) -> DataAwsIamPolicyDocumentStatement:
    """Allow `actions` (kms:...) on `key_arn`, only in requests made through `service` in `region`."""
    not_kms = [action for action in actions if not action.startswith("kms:")]
    if not actions or not_kms:
        raise ValueError(f"{sid}: expected one or more kms: actions, got {list(actions)!r}")
    return policy_statement(
        sid,
        actions,
        [key_arn],
        conditions=[("StringEquals", "kms:ViaService", [via_service(service, region)])],
    )
