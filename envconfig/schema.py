"""Schema of an environment file (environments/<name>.hcl).

One pydantic model per HCL block. Adding the sizing keys of a new module is adding a
model here and a field on `EnvironmentConfig`; the loader reports unknown keys, wrong
types, bad values and missing keys for it with no further code.

Field types are strict (StrictInt, StrictStr, StrictBool) because HCL already tells a
number from a string: `az_count = "3"` is a mistake worth reporting, not coercing.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from modules.common.validation import (
    check_account_id,
    check_availability_zones,
    check_name,
    check_private_egress,
    check_region,
    check_retention_days,
    check_tags,
    check_vpc_cidr,
)
from modules.network.layout import MAX_AZS
from modules.network.props import MIN_AZS, NatMode

# Tags the stack sets through the provider's default_tags; a file may not override them.
STACK_TAG_KEYS = ("project", "environment", "managed-by")

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

RetentionDays = Annotated[StrictInt, AfterValidator(check_retention_days)]


def _check_bucket(value: str) -> str:
    if not _BUCKET_RE.fullmatch(value) or ".." in value:
        raise ValueError(f'expected an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), got "{value}"')
    return value


def _check_state_key(value: str) -> str:
    if not value.endswith(".tfstate") or value.startswith("/"):
        raise ValueError(f'expected an object key ending in ".tfstate", not starting with "/", got "{value}"')
    return value


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkConfig(_Block):
    """`network { ... }`: see modules/network/props.py for what each key does."""

    vpc_cidr: Annotated[StrictStr, AfterValidator(check_vpc_cidr)]
    az_count: Annotated[StrictInt, Field(ge=MIN_AZS, le=MAX_AZS)]
    availability_zones: tuple[StrictStr, ...] | None = None
    nat_mode: NatMode = "per_az"
    interface_endpoints: StrictBool = True
    flow_log_retention_days: RetentionDays = 365


class RemoteStateConfig(_Block):
    """`remote_state { ... }`: S3 backend, always encrypted, locked with a lock file."""

    bucket: Annotated[StrictStr, AfterValidator(_check_bucket)]
    key: Annotated[StrictStr, AfterValidator(_check_state_key)]
    region: Annotated[StrictStr, AfterValidator(check_region)] | None = None
    """Default: the environment's region."""
    use_lockfile: StrictBool = True
    """Default: S3 native locking (Terraform >= 1.10), no DynamoDB table needed."""


class EnvironmentConfig(_Block):
    """One environment: everything a stack needs, validated, immutable."""

    name: Annotated[StrictStr, AfterValidator(check_name)]
    region: Annotated[StrictStr, AfterValidator(check_region)]
    account_id: Annotated[StrictStr, AfterValidator(check_account_id)] | None = None
    """Default: any account. When set, the provider refuses every other account."""
    deletion_protection: StrictBool = True
    """Default: on. Stateful modules read it; prod must keep it."""
    log_retention_days: RetentionDays = 90
    tags: Annotated[
        dict[StrictStr, StrictStr], AfterValidator(lambda tags: check_tags(tags, reserved=STACK_TAG_KEYS))
    ] = Field(default_factory=dict)
    network: NetworkConfig
    remote_state: RemoteStateConfig | None = None

    @model_validator(mode="after")
    def _cross_field_rules(self) -> EnvironmentConfig:
        # Raised as ValueError with a "key: message" prefix; the loader splits it so
        # each problem is reported at its own key.
        problems = []
        checks = [
            (
                "network.interface_endpoints",
                lambda: check_private_egress(self.network.nat_mode, self.network.interface_endpoints),
            ),
        ]
        if self.network.availability_zones is not None:
            checks.append(
                (
                    "network.availability_zones",
                    lambda: check_availability_zones(
                        self.network.availability_zones, self.region, self.network.az_count
                    ),
                )
            )
        for key, check in checks:
            try:
                check()
            except ValueError as error:
                problems.append(f"{key}\t{error}")
        if problems:
            raise ValueError("\n".join(problems))
        # Frozen all the way down: the tag mapping too.
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        return self

    @property
    def stack_name(self) -> str:
        return f"chat-{self.name}"

    @property
    def state_region(self) -> str | None:
        return None if self.remote_state is None else (self.remote_state.region or self.region)
