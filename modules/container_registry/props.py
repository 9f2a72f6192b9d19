"""Inputs of the ContainerRepository construct."""

from __future__ import annotations

from dataclasses import dataclass

from modules.common.inputs import check_props, prop
from modules.common.stack_context import StackContext
from modules.common.validation import check_account_id, check_name, check_region, check_tags, pattern_check, range_check

# ECR keeps 10,000 images per repository (service quota); a few dozen releases cover every
# rollback anyone makes, and each stored image costs $0.10/GB-month.
MAX_KEPT_IMAGES = 1000

check_service = pattern_check(
    r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$",
    "expected 2-16 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'",
)


@dataclass(frozen=True, kw_only=True)
class ContainerRepositoryProps:
    """Inputs of `ContainerRepository`. Fields with environment=True are the keys of an
    environment file's `container_registry { }` block (the same for every service's
    repository); the stack supplies name, service, region, account_id and the key."""

    name: str = prop(check=check_name)
    """Environment prefix, e.g. "chat-prod": the repository is "<name>/<service>"."""

    service: str = prop(check=check_service)
    """The service whose images it holds, e.g. "api"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity when the repository creates its own key
    (the key policy names the account)."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    kms_key_arn: str | None = None
    """Default: a customer-managed key for this repository (about $1/month). The stack
    passes one "images" key for all its repositories instead."""

    keep_last_images: int = prop(30, check=range_check(1, MAX_KEPT_IMAGES), environment=True)
    """Default: the 30 most recent images are kept, older ones expire. Both blue/green
    colours' running tags and every recent rollback target are among them: a release
    pipeline pushes one image per merge, so 30 is weeks of history. 1 to 1000."""

    untagged_expiry_days: int = prop(1, check=range_check(1, 365), environment=True)
    """Default: untagged images (layers of a failed push, or an overwritten manifest list's
    parts) expire after a day. Tags are immutable, so nothing running is ever untagged."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)

    @property
    def repository_name(self) -> str:
        return f"{self.name}/{self.service}"
