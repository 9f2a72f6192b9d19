"""The rows of a props class's inputs table, read from the class itself.

Each field gives one row: its name, its type (from the resolved annotation, so an alias
such as `NatMode` shows its Literal values), its default (or "required"), whether it is
a key of the module's environment-file block, and the docstring under it on one line,
followed by the rule its check enforces when the check says it in a form worth reading.
Props modules import no cdktf, so importing them is cheap.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args, get_origin, get_type_hints

from modules.common.inputs import field_docs, input_spec

# Ints from here on are written with thousands separators ("1 to 2,147,483,647").
_GROUPED_DIGITS_FROM = 10_000


@dataclasses.dataclass(frozen=True)
class InputRow:
    """One input, as the table shows it (plain text: the table escapes it)."""

    name: str
    type: str
    default: str | None  # None: required
    in_file: bool
    description: str


def render_type(annotation: Any) -> str:
    """`tuple[str, ...] | None`, `"none" | "single"` (a Literal's values), `RoutedService`."""
    if annotation is type(None) or annotation is None:
        return "None"
    if annotation is Ellipsis:
        return "..."
    if annotation is Any:
        return "Any"
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " | ".join(render_value(arg) for arg in args)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(render_type(arg) for arg in args)
    if origin is not None and args:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(render_type(arg) for arg in args)}]"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def render_value(value: Any) -> str:
    """A default as Python source would write it, strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        items = [render_value(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, list):
        return f"[{', '.join(render_value(item) for item in value)}]"
    if isinstance(value, (set, frozenset)):
        return f"{{{', '.join(sorted(render_value(item) for item in value))}}}" if value else "set()"
    if isinstance(value, Mapping):
        return f"{{{', '.join(f'{render_value(key)}: {render_value(item)}' for key, item in value.items())}}}"
    return repr(value)


def render_default(field: dataclasses.Field) -> str | None:
    """The literal default, the factory's result, or None when the field is required."""
    if field.default is not dataclasses.MISSING:
        return render_value(field.default)
    if field.default_factory is not dataclasses.MISSING:
        return render_value(field.default_factory())
    return None


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= _GROUPED_DIGITS_FROM else str(value)


def _single_expected_message(check: Callable[..., Any]) -> str | None:
    """X of a check whose only `raise` says "expected X, got ..." with X written out literally."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(check)))
    except (OSError, TypeError, SyntaxError):
        return None
    raises = [node for node in ast.walk(tree) if isinstance(node, ast.Raise)]
    if len(raises) != 1 or not isinstance(raises[0].exc, ast.Call) or not raises[0].exc.args:
        return None
    message = raises[0].exc.args[0]
    parts = message.values if isinstance(message, ast.JoinedStr) else [message]
    literal = ""
    for part in parts:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            break  # a value computed at run time: only what came before it is readable
        literal += part.value
    expected, got, _ = literal.partition(", got")
    if not got or not expected.startswith("expected "):
        return None
    return expected.removeprefix("expected ")


def rule_text(check: Callable[..., Any] | None, annotation: Any = None) -> str | None:
    """The rule a field's check enforces, when it can be read off the check.

    The shared check factories keep their parameters (range_check's bounds, choice_check's
    choices, pattern_check's "expected ..." words); a hand-written check is readable when
    its single ValueError spells the rule out before ", got". Anything else says nothing
    rather than something vague: the field's docstring is the documentation.
    """
    if not inspect.isfunction(check):
        return None
    captured = inspect.getclosurevars(check).nonlocals if check.__closure__ else {}
    if "choices" in captured:
        choices = tuple(captured["choices"])
        if get_origin(annotation) is Literal and set(get_args(annotation)) == set(choices):
            return None  # the type column already lists them
        quoted = [repr(choice) for choice in choices]
        return "one of " + (quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}")
    if "low" in captured and "high" in captured:
        return f"{_number(captured['low'])} to {_number(captured['high'])}"
    if isinstance(captured.get("expected"), str) and captured["expected"].startswith("expected "):
        return captured["expected"].removeprefix("expected ")
    if captured:
        return None  # another factory's closure: its source is not the rule
    return _single_expected_message(check)


def one_line(text: str) -> str:
    return " ".join(text.split())


def documented_base(props_class: type) -> type | None:
    """The nearest dataclass this one extends (its fields are documented in its own table)."""
    return next((base for base in props_class.__mro__[1:] if dataclasses.is_dataclass(base)), None)


def input_rows(props_class: type) -> list[InputRow]:
    """A row per field the class declares itself (inherited ones belong to the base's table)."""
    hints = get_type_hints(props_class)
    docs = field_docs(props_class)
    own = set(props_class.__dict__.get("__annotations__", {}))
    rows = []
    for field in dataclasses.fields(props_class):
        if field.name not in own:
            continue
        spec = input_spec(field)
        description = one_line(docs.get(field.name, ""))
        rule = rule_text(spec.check, hints[field.name])
        if rule and rule not in description:
            description = f"{description} Expected: {rule}.".strip()
        rows.append(
            InputRow(
                name=field.name,
                type=render_type(hints[field.name]),
                default=render_default(field),
                in_file=spec.environment,
                description=description,
            )
        )
    return rows
