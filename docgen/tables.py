"""Markdown tables of inputs and outputs, and the descriptions a person wrote in one.

Cells are one line. A `|` is escaped everywhere (GitHub needs it even inside code spans
in a table), and outside code spans `<` gets a backslash before it, so that "<name>-alarms"
in a docstring is not taken for an HTML tag and hidden.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docgen.inputs import InputRow

INPUT_COLUMNS = ("name", "type", "default", "file", "description")
OUTPUT_COLUMNS = ("name", "type", "description")

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_CODE_NAME = re.compile(r"`([A-Za-z_]\w*)`")


def code(text: str) -> str:
    return f"`{text.replace('|', chr(92) + '|')}`"


def prose(text: str) -> str:
    """Plain text for a cell: one line, pipes escaped, `<` written out of code spans."""
    pieces = " ".join(text.split()).replace("|", "\\|").split("`")
    # Even pieces lie outside code spans (an unpaired backtick leaves the rest as text).
    return "`".join(piece.replace("<", "\\<") if position % 2 == 0 else piece for position, piece in enumerate(pieces))


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = [f"| {' | '.join(columns)} |", f"|{'---|' * len(columns)}"]
    lines += [f"| {' | '.join(cells)} |" for cells in rows]
    return lines


def inputs_table(rows: Sequence[InputRow]) -> list[str]:
    return _table(
        INPUT_COLUMNS,
        [
            (
                code(row.name),
                code(row.type),
                "required" if row.default is None else code(row.default),
                "yes" if row.in_file else "",
                prose(row.description),
            )
            for row in rows
        ],
    )


def outputs_table(rows: Sequence[tuple[str, str | None, str]]) -> list[str]:
    """Rows of (name, type or None, description already in Markdown)."""
    return _table(
        OUTPUT_COLUMNS,
        [(code(name), code(type_) if type_ else "", description) for name, type_, description in rows],
    )


def written_descriptions(lines: Sequence[str]) -> dict[str, str]:
    """Name -> description cell of a table whose first cell names attributes in code spans.

    Reads the generated tables and the hand-written ones they replace, where one row may
    name several attributes (`public_subnet_ids`, `private_subnet_ids`): each gets the row's
    description. The description is the last cell, kept as Markdown.
    """
    descriptions: dict[str, str] = {}
    for line in lines:
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in _UNESCAPED_PIPE.split(line.strip())[1:-1]]
        if len(cells) < 2 or not cells[-1]:
            continue
        for name in _CODE_NAME.findall(cells[0]):
            descriptions.setdefault(name, cells[-1])
    return descriptions
