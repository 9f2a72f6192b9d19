"""Who administers the stack's customer-managed keys: the environment's input and its check.

Kept apart from keys.py (which imports constructs) so the environment layer can validate
`key_administrator_arns` without loading cdktf.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from modules.common.validation import describe

# Construct-tree context the stack sets once (stacks/chat_stack.py) so that every key of
# the environment, in whichever module builds it, names the same administrators.
KEY_ADMINISTRATORS_CONTEXT = "chat-infra:key-administrator-arns"

_ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")


def check_key_administrator_arns(values: Sequence[str]) -> tuple[str, ...]:
    """The environment's key administrators: IAM role ARNs, at least one when given."""
    values = tuple(values)
    if not values:
        raise ValueError("expected at least one IAM role ARN (leave the key out for the account root), got []")
    for value in values:
        if not isinstance(value, str) or not _ROLE_ARN_RE.fullmatch(value):
            raise ValueError(
                f"expected IAM role ARNs such as arn:aws:iam::123456789012:role/key-admin, got {describe(value)}"
            )
    if len(set(values)) != len(values):
        raise ValueError(f"expected each ARN once, got {list(values)!r}")
    return values
