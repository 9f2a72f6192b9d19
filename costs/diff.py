"""The cost change between a base and the current stacks, per resource and in total, as a
pull-request comment shows it. Both sides are priced with the same table and assumptions,
so a delta is a change of infrastructure, never of prices."""

from __future__ import annotations

from dataclasses import dataclass

from costs.model import Estimate, Line
from costs.report import md_cell, money, signed_money

# Below half a cent a month a resource counts as unchanged.
UNCHANGED_USD = 0.005


@dataclass(frozen=True)
class ResourceChange:
    address: str
    service: str
    before: float | None  # None: the resource is not in the base
    after: float | None  # None: the resource is gone

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass(frozen=True)
class StackDiff:
    stack: str
    before: Estimate | None  # None: a new stack
    after: Estimate | None  # None: a removed stack
    changes: list[ResourceChange]
    unchanged: int
    unpriced_added: list[str]
    unpriced_removed: list[str]

    @property
    def before_usd(self) -> float:
        return self.before.total_usd if self.before else 0.0

    @property
    def after_usd(self) -> float:
        return self.after.total_usd if self.after else 0.0

    @property
    def delta(self) -> float:
        return self.after_usd - self.before_usd


def diff_stack(stack: str, before: Estimate | None, after: Estimate | None) -> StackDiff:
    old = _by_address(before.lines if before else [])
    new = _by_address(after.lines if after else [])
    changes = []
    unchanged = 0
    for address in sorted(old.keys() | new.keys()):
        was, now = old.get(address), new.get(address)
        service = (now if now is not None else old[address]).service
        change = ResourceChange(
            address,
            service,
            None if was is None else was.monthly_usd,
            None if now is None else now.monthly_usd,
        )
        if was is not None and now is not None and abs(change.delta) < UNCHANGED_USD:
            unchanged += 1
        else:
            changes.append(change)
    changes.sort(key=lambda c: (-abs(c.delta), c.address))
    old_unpriced = {i.address for i in before.not_priced} if before else set()
    new_unpriced = {i.address for i in after.not_priced} if after else set()
    return StackDiff(
        stack,
        before,
        after,
        changes,
        unchanged,
        sorted(new_unpriced - old_unpriced),
        sorted(old_unpriced - new_unpriced),
    )


def diff_all(before: dict[str, Estimate], after: dict[str, Estimate]) -> list[StackDiff]:
    return [diff_stack(name, before.get(name), after.get(name)) for name in sorted(before.keys() | after.keys())]


def _by_address(lines: list[Line]) -> dict[str, Line]:
    return {line.address: line for line in lines}


def summary_line(diff: StackDiff) -> str:
    counts = {kind: sum(1 for c in diff.changes if c.kind == kind) for kind in ("changed", "added", "removed")}
    detail = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    if diff.before is None:
        return f"**{diff.stack}** (new stack): {money(diff.after_usd)} a month ({detail})"
    if diff.after is None:
        return f"**{diff.stack}** (stack removed): {money(diff.before_usd)} a month no longer spent ({detail})"
    percent = f", {diff.delta / diff.before_usd:+.1%}" if diff.before_usd else ""
    return (
        f"**{diff.stack}**: {money(diff.before_usd)} -> {money(diff.after_usd)} a month "
        f"({signed_money(diff.delta)}{percent}; {detail}, {diff.unchanged} unchanged)"
    )


def render_stack_diff(diff: StackDiff, base_label: str) -> str:
    out = [f"### Cost change: {diff.stack}", "", summary_line(diff), ""]
    if diff.changes:
        out += ["| change | resource | service | before | after | delta |", "|---|---|---|--:|--:|--:|"]
        for change in diff.changes:
            before = "" if change.before is None else f"{change.before:,.2f}"
            after = "" if change.after is None else f"{change.after:,.2f}"
            out.append(
                f"| {change.kind} | `{md_cell(change.address)}` | {change.service} | {before} | {after} | "
                f"{signed_money(change.delta)} |"
            )
        out.append(
            f"| | **total** | | **{diff.before_usd:,.2f}** | **{diff.after_usd:,.2f}** | "
            f"**{signed_money(diff.delta)}** |"
        )
    else:
        out.append("No resource's monthly cost changed.")
    out.append("")
    if diff.unpriced_added:
        out += [f"Newly not priced (not in the totals): {', '.join(f'`{a}`' for a in diff.unpriced_added)}", ""]
    if diff.unpriced_removed:
        out += [f"No longer unpriced: {', '.join(f'`{a}`' for a in diff.unpriced_removed)}", ""]
    out.append(f"Base: {base_label}. Both sides priced with the same price table and usage assumptions.")
    return "\n".join(out) + "\n"


def render_all(diffs: list[StackDiff], base_label: str) -> str:
    total = sum(d.delta for d in diffs)
    out = ["## Cost change", "", f"Against {base_label}: {signed_money(total)} a month in all.", ""]
    out += [f"- {summary_line(diff)}" for diff in diffs]
    out.append("")
    for diff in diffs:
        if diff.changes or diff.unpriced_added or diff.unpriced_removed:
            out.append(render_stack_diff(diff, base_label))
    return "\n".join(out)
