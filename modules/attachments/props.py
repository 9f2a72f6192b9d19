"""Inputs of the AttachmentsBucket construct, and the checks only it needs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from modules.common.inputs import check_props, prop
from modules.common.stack_context import StackContext
from modules.common.store_keys import check_kms_key_arn
from modules.common.tokens import is_unresolved
from modules.common.validation import (
    check_account_id,
    check_name,
    check_region,
    range_check,
)

# Ten years: longer than any audit asks for, and S3 takes any number of days.
MAX_EXPIRATION_DAYS = 3653
# Browsers cap how long they cache a preflight answer (Chromium: 2 h); a day is Firefox's.
MAX_CORS_MAX_AGE_SECONDS = 86_400
# S3 takes at most 100 CORS rules; one rule with this many origins stays far below that
# and below the 64 KB configuration limit.
MAX_CORS_ORIGINS = 20

# "https://" then a DNS host name (labels of letters, digits and '-'), an optional port,
# nothing after it: a browser's Origin header has no path, and S3 compares it exactly.
_HTTPS_ORIGIN_RE = re.compile(
    r"^https://(?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:[0-9]{1,5})?$"
)


def check_https_origins(values: Iterable[str]) -> tuple[str, ...]:
    """The frontend's origins: 1 to 20 distinct "https://host[:port]" values (references pass)."""
    origins = tuple(values)
    if not 1 <= len(origins) <= MAX_CORS_ORIGINS:
        raise ValueError(
            f"expected 1 to {MAX_CORS_ORIGINS} frontend origins (browser uploads come from the frontend only), "
            f"got {len(origins)}"
        )
    bad = [origin for origin in origins if not (is_unresolved(origin) or _HTTPS_ORIGIN_RE.fullmatch(origin))]
    if bad:
        raise ValueError(
            'expected https origins such as "https://app.chat.example.com": lowercase, scheme and host (and port) '
            f"only, no path, no wildcard, no http://, got {bad!r}"
        )
    repeated = sorted({origin for origin in origins if origins.count(origin) > 1})
    if repeated:
        raise ValueError(f"expected each origin once, got {repeated!r} more than once")
    return origins


@dataclass(frozen=True, kw_only=True)
class AttachmentsBucketProps:
    """Inputs of `AttachmentsBucket`. Every optional input documents its default as behaviour.

    Fields declared with `environment=True` are the keys of an environment file's
    `attachments { }` block (see modules.common.inputs); the stack supplies name, region,
    account_id, deletion_protection (the environment's) and cors_allowed_origins (the DNS
    module's frontend host names, as https origins).
    """

    name: str = prop(check=check_name)
    """Prefix for resource names and Name tags, e.g. "chat-prod"."""

    region: str = prop(check=check_region)
    """Region of the stack's provider, where both buckets live; part of their names and of
    the kms:ViaService condition in the grant."""

    account_id: str | None = prop(None, check=check_account_id)
    """Default: looked up with data.aws_caller_identity. Part of the bucket names (S3 names
    are global) and of the log bucket's policy."""

    context: StackContext | None = None
    """The stack's partition and account lookup, shared by its modules. Default: the module's
    own, from region and account_id (modules/common/stack_context.py)."""

    cors_allowed_origins: tuple[str, ...] = prop(check=check_https_origins)
    """The origins browsers upload from, e.g. ("https://app.chat.example.com",): the frontend's
    host names. https only, no path and no wildcard; 1 to 20."""

    noncurrent_version_expiration_days: int = prop(30, check=range_check(1, MAX_EXPIRATION_DAYS), environment=True)
    """Default: an overwritten or deleted attachment stays recoverable for 30 days, then its
    old version is deleted (S3 bills old versions like current ones). 1 to 3653."""

    access_log_expiration_days: int = prop(90, check=range_check(1, MAX_EXPIRATION_DAYS), environment=True)
    """Default: server access logs (who read or wrote which attachment) are kept 90 days. 1 to 3653."""

    cors_max_age_seconds: int = prop(3600, check=range_check(0, MAX_CORS_MAX_AGE_SECONDS))
    """Default: a browser caches the answer to an upload's preflight request for an hour
    (Chromium caps it at 2 h), so a burst of uploads pays one extra round trip, not one each."""

    kms_key_arn: str | None = prop(None, check=check_kms_key_arn)
    """Default: a key of the bucket's own (alias "alias/<name>/attachments"), rotated yearly.
    Give an ARN to use another key; its policy must let this account's IAM policies grant it."""

    deletion_protection: bool = True
    """Default: on. Terraform refuses to destroy the bucket (`lifecycle.prevent_destroy`) and a
    key the module creates, until the environment turns it off. The stack passes the
    environment's deletion_protection."""

    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on every taggable resource (the provider's default_tags still apply)."""

    def __post_init__(self) -> None:
        check_props(self)
