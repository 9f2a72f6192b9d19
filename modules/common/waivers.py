"""Checkov waivers that live next to the resource they cover.

checkov's terraform_json framework ignores inline skip comments, so a module calls
`waive()` right where it creates the resource, and the waiver is written into the
stack's Terraform JSON comment key, `"//": {"checkov_waivers": {<block>: {<check>:
<reason>}}}` (Terraform ignores "//"). It goes on the stack rather than on the block
because CDKTF rewrites a data source's own "//" after applying overrides. The gate
(gate/run.py) reads the map back from cdk.tf.json, subtracts matching findings, and
fails when a waiver no longer matches any finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bindings.cdk import TerraformElement

from modules.common.validation import describe

WAIVER_KEY = "checkov_waivers"
_CHECK_ID_RE = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
_MIN_REASON_CHARS = 20


def check_reason(value: str) -> str:
    """A props check for an input that becomes a waiver's reason ("" or None: no waiver)."""
    if value and len(value.strip()) < _MIN_REASON_CHARS:
        # The number spelt out (it is _MIN_REASON_CHARS): docgen reads the rule off the literal message.
        raise ValueError(f"expected a reason of at least 20 characters, got {describe(value)}")
    return value


def waive(resource: TerraformElement, check_id: str, reason: str) -> None:
    """Record that `check_id` is accepted on `resource`, and why.

    The reason must say why the finding is acceptable, not restate the check: the gate
    prints it beside the finding it hides.
    """
    if not _CHECK_ID_RE.fullmatch(check_id):
        raise ValueError(f"waiver check_id: expected a checkov id such as CKV_AWS_338, got {check_id!r}")
    if len(reason.strip()) < _MIN_REASON_CHARS:
        raise ValueError(
            f"waiver for {check_id}: expected a reason of at least {_MIN_REASON_CHARS} characters, got {reason!r}"
        )
    # Imported here so the gate can read WAIVER_KEY without loading cdktf.
    from bindings.cdk import TerraformStack

    TerraformStack.of(resource).add_override(
        f"//.{WAIVER_KEY}.{resource.friendly_unique_id}.{check_id}", reason.strip()
    )
