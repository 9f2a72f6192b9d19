"""What a plan would do, from its JSON (`terraform show -json <planfile>`), for a person.

Terraform's documented plan representation lists every resource instance under
`resource_changes`; `change.actions` says what happens to it:

| actions                 | category | note                                              |
|-------------------------|----------|---------------------------------------------------|
| ["create"]              | create   |                                                   |
| ["update"]              | update   | in place                                          |
| ["delete", "create"]    | replace  | destroy first (the default)                       |
| ["create", "delete"]    | replace  | create first (create_before_destroy)              |
| ["create", "forget"]    | replace  | create first; the old object is kept, unmanaged   |
| ["delete"]              | delete   |                                                   |
| ["forget"]              | forget   | leaves state; the object itself is not destroyed  |
| ["read"]                | read     | a data source read during apply                   |
| ["no-op"]               | no-op    |                                                   |

For a replacement, `change.replace_paths` names the attributes that force it and
`action_reason` says why (e.g. replace_because_cannot_update). An action list not in this
table, or a format whose major version is not 1, is refused: a review that guesses is
worse than none.

The review names addresses, types and attributes, never values: a plan holds sensitive
values in clear, and the review is meant to be pasted into CI summaries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verify.run import changed_attributes

SUPPORTED_FORMAT_MAJOR = "1"

# Category order: the most destructive first, the way the table is sorted.
CATEGORIES = ("delete", "replace", "forget", "update", "create", "read", "no-op")

# actions -> (category, order of a replacement or a note)
_ACTIONS: dict[tuple[str, ...], tuple[str, str]] = {
    ("create",): ("create", ""),
    ("update",): ("update", ""),
    ("delete", "create"): ("replace", "destroy first"),
    ("create", "delete"): ("replace", "create first"),
    ("create", "forget"): ("replace", "create first; the old object is forgotten, not destroyed"),
    ("delete",): ("delete", ""),
    ("forget",): ("forget", "removed from state; the object is not destroyed"),
    ("read",): ("read", ""),
    ("no-op",): ("no-op", ""),
}


class PlanFormatError(ValueError):
    """The document is not a plan this review understands."""


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    mode: str  # "managed" or "data"
    actions: tuple[str, ...]
    category: str
    note: str  # a replacement's order, or what forget means
    reason: str | None  # Terraform's action_reason, when it gives one
    replace_paths: tuple[str, ...]  # attributes that force a replacement, as paths
    changed: tuple[str, ...]  # top-level attributes an update or replacement changes
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    after_unknown: Any = None  # what only the apply will know: True, or a structure like `after`
    previous_address: str | None = None  # moved from
    deposed: str | None = None  # an old object a create_before_destroy left behind
    importing: bool = False

    @property
    def removes(self) -> bool:
        """The object in state stops being what the address manages: destroyed, or forgotten by a replacement."""
        return self.category in ("delete", "replace")


@dataclass(frozen=True)
class PlanReview:
    stack: str
    terraform_version: str
    format_version: str
    changes: tuple[ResourceChange, ...]  # every entry of resource_changes, no-ops too
    applyable: bool  # Terraform's own word: an apply of this plan would do something

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(change.category for change in self.changes)
        return {category: found.get(category, 0) for category in CATEGORIES}

    @property
    def listed(self) -> tuple[ResourceChange, ...]:
        """What the table shows: every entry but the no-ops, the most destructive first."""
        rank = {category: index for index, category in enumerate(CATEGORIES)}
        shown = [c for c in self.changes if c.category != "no-op"]
        return tuple(sorted(shown, key=lambda c: (rank[c.category], c.address, c.deposed or "")))


def attribute_path(steps: Sequence[object]) -> str:
    """A replace path (attribute names, map keys and list indexes) as one string: `ingress[0].cidr_blocks`."""
    text = ""
    for step in steps:
        if isinstance(step, int) and not isinstance(step, bool):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text


def _change(entry: Mapping[str, Any]) -> ResourceChange:
    address = entry.get("address")
    change = entry.get("change")
    if not isinstance(address, str) or not isinstance(change, Mapping):
        raise PlanFormatError(f"a resource change without an address or a change: {dict(entry)!r:.200}")
    actions = tuple(change.get("actions") or ())
    if actions not in _ACTIONS:
        raise PlanFormatError(f"{address}: unknown actions {list(actions)} (this review knows {sorted(_ACTIONS)})")
    category, note = _ACTIONS[actions]
    replace_paths = tuple(attribute_path(path) for path in change.get("replace_paths") or ())
    changed = tuple(changed_attributes(dict(change))) if category in ("update", "replace") else ()
    return ResourceChange(
        address=address,
        type=str(entry.get("type", "")),
        mode=str(entry.get("mode", "managed")),
        actions=actions,
        category=category,
        note=note,
        reason=entry.get("action_reason"),
        replace_paths=replace_paths,
        changed=changed,
        before=change.get("before"),
        after=change.get("after"),
        after_unknown=change.get("after_unknown"),
        previous_address=entry.get("previous_address"),
        deposed=entry.get("deposed"),
        importing=bool(change.get("importing")),
    )


def review_plan(plan: Mapping[str, Any], stack: str) -> PlanReview:
    """The review of one plan document; PlanFormatError when it is not one this review reads."""
    if not isinstance(plan, Mapping):
        raise PlanFormatError(f"expected a JSON object (terraform show -json <planfile>), got {type(plan).__name__}")
    version = str(plan.get("format_version", ""))
    if version.split(".")[0] != SUPPORTED_FORMAT_MAJOR:
        raise PlanFormatError(
            f"plan format_version {version or '(missing)'}: this review reads {SUPPORTED_FORMAT_MAJOR}.x "
            "(terraform show -json <planfile>)"
        )
    entries = plan.get("resource_changes") or []
    if not isinstance(entries, list):
        raise PlanFormatError("resource_changes is not a list")
    changes = tuple(_change(entry) for entry in entries)
    applyable = plan.get("applyable")
    if not isinstance(applyable, bool):  # before format 1.2: anything but no-ops and reads
        applyable = any(c.category not in ("no-op", "read") for c in changes)
    return PlanReview(
        stack=stack,
        terraform_version=str(plan.get("terraform_version", "")),
        format_version=version,
        changes=changes,
        applyable=applyable,
    )


# -- output -----------------------------------------------------------------------------------


def action_label(change: ResourceChange) -> str:
    return f"{change.category} ({change.note})" if change.note and change.category == "replace" else change.category


def change_detail(change: ResourceChange) -> str:
    """What a reviewer needs beside the action: what forces a replacement, what an update touches."""
    parts = []
    if change.category == "replace":
        forced = ", ".join(change.replace_paths) or "(Terraform names no attribute)"
        parts.append(f"forced by: {forced}")
    elif change.category == "update" and change.changed:
        parts.append(f"changes: {', '.join(change.changed)}")
    elif change.category == "forget":
        parts.append(change.note)
    if change.reason:
        parts.append(f"reason: {change.reason}")
    if change.previous_address:
        parts.append(f"moved from {change.previous_address}")
    if change.deposed:
        parts.append(f"deposed object {change.deposed}")
    if change.importing:
        parts.append("imported")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(review: PlanReview) -> str:
    counts = review.counts
    lines = [
        "| " + " | ".join(CATEGORIES) + " |",
        "|" + "---:|" * len(CATEGORIES),
        "| " + " | ".join(str(counts[c]) for c in CATEGORIES) + " |",
        "",
    ]
    if not review.listed:
        lines.append("No changes: every resource is up to date.")
        return "\n".join(lines)
    lines += ["| action | address | type | detail |", "|---|---|---|---|"]
    for change in review.listed:
        cells = (action_label(change), f"`{change.address}`", change.type, change_detail(change))
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines)


def as_json(review: PlanReview) -> dict[str, Any]:
    return {
        "stack": review.stack,
        "terraform_version": review.terraform_version,
        "format_version": review.format_version,
        "applyable": review.applyable,
        "counts": review.counts,
        "changes": [
            {
                "address": c.address,
                "type": c.type,
                "mode": c.mode,
                "action": c.category,
                "actions": list(c.actions),
                "order": c.note if c.category == "replace" else None,
                "reason": c.reason,
                "replace_paths": list(c.replace_paths),
                "changed_attributes": list(c.changed),
                "previous_address": c.previous_address,
                "deposed": c.deposed,
                "importing": c.importing,
            }
            for c in review.listed
        ],
    }
