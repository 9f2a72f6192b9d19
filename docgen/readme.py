"""The generated blocks of a module README: find them, place missing ones, fill them.

A block is everything from a `<!-- BEGIN GENERATED: inputs (NetworkProps) ... -->` line to
the next `<!-- END GENERATED -->` line; the rest of the README is never touched. A README
written before the generator has tables but no markers: a block is placed around the one
table of the section whose heading names the class in backticks ("## Inputs
(`NetworkProps`)"), or, for a module with a single props class (construct), the one table
under the heading that starts with "Inputs" ("Outputs"). Anything less clear-cut is left
to a person, who puts the two marker lines where the table belongs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BEGIN_PREFIX = "<!-- BEGIN GENERATED"
END_MARKER = "<!-- END GENERATED -->"
_BEGIN = re.compile(r"^<!-- BEGIN GENERATED: (inputs|outputs) \((\w+)\).*-->$")
_END = re.compile(r"^<!-- END GENERATED.*-->$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Block:
    kind: str
    name: str
    begin: int  # index of the BEGIN line
    end: int  # index of the END line

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.name})"


def find_blocks(lines: Sequence[str]) -> tuple[list[Block], list[str]]:
    """The blocks, and what is wrong with the markers (line numbers from 1)."""
    blocks, problems = [], []
    open_at: int | None = None
    opened: re.Match[str] | None = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(BEGIN_PREFIX):
            match = _BEGIN.match(stripped)
            if match is None:
                problems.append(f"line {number + 1}: expected `{BEGIN_PREFIX}: inputs|outputs (ClassName) -->`")
            elif open_at is not None:
                problems.append(f"line {number + 1}: BEGIN GENERATED inside the block opened at line {open_at + 1}")
            else:
                open_at, opened = number, match
        elif _END.match(stripped):
            if open_at is None or opened is None:
                problems.append(f"line {number + 1}: END GENERATED without a BEGIN GENERATED before it")
            else:
                blocks.append(Block(opened.group(1), opened.group(2), open_at, number))
                open_at = opened = None
    if open_at is not None:
        problems.append(f"line {open_at + 1}: BEGIN GENERATED without an END GENERATED after it")
    return blocks, problems


def _outside_fences(lines: Sequence[str]) -> list[bool]:
    inside, flags = False, []
    for line in lines:
        if _FENCE.match(line):
            inside = not inside
            flags.append(False)
        else:
            flags.append(not inside)
    return flags


def place_block(lines: Sequence[str], kind: str, name: str, sole_of_kind: bool) -> list[str] | None:
    """`lines` with an empty-marked block around the table that documents `name`, or None."""
    blocks, _ = find_blocks(lines)
    in_block = {index for block in blocks for index in range(block.begin, block.end + 1)}
    usable = _outside_fences(lines)
    headings = [
        (index, match.group(2)) for index, line in enumerate(lines) if usable[index] and (match := _HEADING.match(line))
    ]
    chosen = [index for index, text in headings if f"`{name}`" in text]
    if not chosen and sole_of_kind:
        chosen = [index for index, text in headings if text.startswith(kind.capitalize())]
    if len(chosen) != 1:
        return None
    later = [index for index, _ in headings if index > chosen[0]]
    section = range(chosen[0] + 1, later[0] if later else len(lines))
    tables: list[list[int]] = []
    for index in section:
        if lines[index].startswith("|") and usable[index] and index not in in_block:
            if tables and tables[-1][-1] == index - 1:
                tables[-1].append(index)
            else:
                tables.append([index])
    if len(tables) != 1:
        return None
    first, last = tables[0][0], tables[0][-1]
    return [
        *lines[:first],
        f"{BEGIN_PREFIX}: {kind} ({name}) -->",
        *lines[first : last + 1],
        END_MARKER,
        *lines[last + 1 :],
    ]


def fill_blocks(
    lines: Sequence[str], blocks: Sequence[Block], render: Callable[[Block, list[str]], list[str] | None]
) -> list[str]:
    """`lines` with each block replaced by `render(block, the lines between its markers)` (None: kept)."""
    result: list[str] = []
    position = 0
    for block in sorted(blocks, key=lambda b: b.begin):
        result += lines[position : block.begin]
        rendered = render(block, list(lines[block.begin + 1 : block.end]))
        result += lines[block.begin : block.end + 1] if rendered is None else rendered
        position = block.end + 1
    return result + list(lines[position:])
