"""Inputs of the SecurityGroup construct, and the checks its helpers share.

Nothing here imports cdktf: the checks also run on the arguments of `allow_from` and
the egress helpers before any rule is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modules.common.inputs import check_props, prop
from modules.common.validation import check_tags, describe, pattern_check, range_check

# TCP ports a rule may name (0 is not a port anyone listens on).
check_port = range_check(1, 65535)

# What AWS accepts in a group's or a rule's description (EC2 API, IpRange.Description /
# CreateSecurityGroup.GroupDescription in a VPC). The provider validates the group's at
# plan time but not those of aws_vpc_security_group_*_rule, which AWS would then refuse
# at apply: checking here moves the error to synthesis.
_DESCRIPTION_RE = re.compile(r"^[0-9A-Za-z_ .:/()#,@\[\]+=&;{}!$*-]{1,255}$")

# Lowercase words joined by '-', as the rest of the platform names things. The name is
# also the group's name prefix (AWS appends a 26-character suffix to at most 255) and
# part of every rule's construct ID, so it stays short and literal.
_GROUP_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}[a-z0-9]$")

# A VPC id, or an unresolved CDKTF token (e.g. Network.vpc_id) that Terraform fills in.
_VPC_ID_PATTERN = r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$"

# The least a justification of egress beyond the group graph must say (as for waivers).
MIN_JUSTIFICATION_CHARS = 20


def check_group_name(value: str) -> str:
    if not _GROUP_NAME_RE.fullmatch(value) or value.startswith("sg-"):
        raise ValueError(
            "expected 2-64 characters of lowercase letters, digits and '-', starting with a letter, "
            f"not ending with '-' and not starting with 'sg-', got {describe(value)}"
        )
    return value


def check_description(value: str) -> str:
    if not isinstance(value, str) or not _DESCRIPTION_RE.fullmatch(value) or not value.strip():
        raise ValueError(
            "expected 1-255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* "
            f"(what AWS accepts in a security group description), got {describe(value)}"
        )
    return value


check_vpc_id = pattern_check(
    _VPC_ID_PATTERN, "expected a VPC id such as vpc-0a1b2c3d or a reference to one", references=True
)


def check_justification(value: str) -> str:
    if len(value.strip()) < MIN_JUSTIFICATION_CHARS:
        raise ValueError(
            f"expected a justification of at least {MIN_JUSTIFICATION_CHARS} characters saying why this "
            f"group needs traffic outside the group graph, got {describe(value)}"
        )
    return value.strip()


@dataclass(frozen=True, kw_only=True)
class SecurityGroupProps:
    """Inputs of `SecurityGroup`. No field belongs to an environment file: the modules
    that own a group (ALB, ECS service, database, cache) set them in code."""

    name: str = prop(check=check_group_name)
    """e.g. "chat-prod-api". The Name tag and the prefix of the group's AWS name (AWS adds
    a unique suffix, so a replacement can be created before the old group is deleted)."""

    vpc_id: str = prop(check=check_vpc_id)
    """The VPC the group belongs to, usually `Network.vpc_id`."""

    description: str = prop(check=check_description)
    """What the members are, e.g. "API tasks". AWS cannot change a group's description:
    editing it replaces the group (the module creates the new one first)."""

    port: int | None = prop(None, check=check_port)
    """Default: none, a group whose members only initiate connections (e.g. a worker's
    tasks); `allow_from` then needs an explicit port. Otherwise the one TCP port the
    members listen on, which `allow_from` opens by default."""

    tags: dict[str, str] = prop(default_factory=dict, check=check_tags)
    """Extra tags on the group (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)
