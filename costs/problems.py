"""Bad input a user can fix, reported one line per problem (exit code 2, nothing written)."""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """One or more problems in the files or options a user gave; each names where and what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def describe(value: Any) -> str:
    """A value as a message shows it: its repr and its TOML/JSON type."""
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )
    return f"{value!r} ({kind})"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
