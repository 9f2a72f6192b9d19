"""Read environments/*.hcl into validated `EnvironmentConfig` objects.

Every problem in every file is collected and reported together as
`<file>: <key>: expected <what>, got <what>`, so a user fixes a file in one pass.
This module imports neither cdktf nor the provider bindings: a typo is reported in
about a second.
"""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from lark.exceptions import LarkError, UnexpectedInput
from pydantic import BaseModel, ValidationError

from envconfig.catalogue import catalogue_problems
from envconfig.schema import EnvironmentConfig
from modules.common.validation import describe

ENVIRONMENT_SUFFIX = ".hcl"

_PARSE_OPTIONS = hcl2.SerializationOptions(with_comments=False, strip_string_quotes=True)

# How a pydantic error type reads to someone editing an HCL file.
_EXPECTED_BY_TYPE = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "a string in double quotes",
    "bool_type": "true or false",
    "dict_type": "a block or object",
    "model_type": "a block",
    "model_attributes_type": "a block",
    "tuple_type": "a list",
    "list_type": "a list",
}


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class EnvironmentFileError(Exception):
    """Raised with every problem found; str() is the user-facing report."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


# -- HCL -> plain data ---------------------------------------------------------------


def _plain(value: Any, key: str, problems: list[tuple[str, str]]) -> Any:
    """Unwrap python-hcl2's block lists and reject expressions, recording problems."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and v.get("__is_block__") for v in value):
        if len(value) > 1:
            problems.append((key, f"expected one {key.rsplit('.', 1)[-1]} block, got {len(value)}"))
        value = value[0]
    if isinstance(value, dict):
        return {k: _plain(v, f"{key}.{k}" if key else k, problems) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(v, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        problems.append((key, f"expected a literal value (environment files take no expressions), got {value}"))
        return None
    if isinstance(value, str) and (message := template_problem(value)):
        problems.append((key, message))
        return None
    return value


# Terraform evaluates "${...}" (interpolation) and "%{...}" (directives) in every string of the
# synthesized JSON: a value holding either would run a function (file(), upper(), ...) at plan
# time instead of being the literal the file meant. They are refused rather than escaped
# ("$${"): refusing is the simplest and safest rule, and no input of these modules needs the
# two characters.
TEMPLATE_MARKERS = ("${", "%{")


def template_problem(value: str) -> str | None:
    """Why a string from an environment file may not go into the JSON as it is, or None."""
    if not any(marker in value for marker in TEMPLATE_MARKERS):
        return None
    return (
        f'expected a literal string without "${{" or "%{{" (Terraform would evaluate it as a template in the '
        f"synthesized JSON; environment files take no templates, not even escaped), got {describe(value)}"
    )


def _template_keys(value: Any, key: str, problems: list[tuple[str, str]]) -> None:
    """Map keys (tag names, service names) land in the JSON too."""
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{key}.{k}" if key else str(k)
            if isinstance(k, str) and (message := template_problem(k)):
                problems.append((path, f"(a key) {message}"))
            _template_keys(v, path, problems)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _template_keys(v, f"{key}[{i}]", problems)


def _repeated_attributes(body: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Attributes set twice in one body: python-hcl2 keeps the last silently, HCL forbids it."""
    seen: dict[str, int] = {}
    found = []
    for child in body.children:
        kind = type(child).__name__
        if kind == "AttributeRule":
            name = str(child.identifier.serialize())
            seen[name] = seen.get(name, 0) + 1
            if seen[name] == 2:
                key = f"{prefix}{name}"
                found.append((key, "expected each key once, got it more than once (the later value would win)"))
        elif kind == "BlockRule" and child.labels:
            found += _repeated_attributes(child.body, f"{prefix}{child.labels[0].serialize()}.")
    return found


def _parse(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    shown = display_path(path)
    try:
        tree = hcl2.parses(path.read_text(encoding="utf-8"))
        raw = hcl2.serialize(tree, serialization_options=_PARSE_OPTIONS)
    except OSError as error:
        return None, [Problem(shown, "", f"cannot read the file: {error.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(shown, "", "expected UTF-8 text, got undecodable bytes")]
    except UnexpectedInput as error:
        first_line = str(error).strip().splitlines()[0]
        return None, [Problem(f"{shown}:{error.line}:{error.column}", "", f"HCL syntax error: {first_line}")]
    except LarkError as error:
        return None, [Problem(shown, "", f"HCL syntax error: {str(error).strip().splitlines()[0]}")]
    found = _repeated_attributes(tree.body)
    data = _plain(raw, "", found)
    _template_keys(data, "", found)
    return data, [Problem(shown, key, message) for key, message in found]


# -- pydantic errors -> problems ----------------------------------------------------


def _dotted(location: Iterable[str | int]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _model_at(model: type[BaseModel], location: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The block model that owns `location`'s last key (for listing allowed keys)."""
    for part in location[:-1]:
        if not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        # A nested block is `Annotated[Model, validator] | None`: look inside the Annotated too.
        candidates += [typing.get_args(c)[0] for c in candidates if typing.get_origin(c) is typing.Annotated]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


def _message(error: Mapping[str, Any]) -> str:
    kind, given, location = error["type"], error.get("input"), tuple(error["loc"])
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        owner = _model_at(EnvironmentConfig, location)
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(location[-1]), allowed, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return f"unknown key{hint}; expected one of: {', '.join(allowed)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "literal_error":
        return f"expected one of {error['ctx']['expected']}, got {describe(given)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        # pydantic says "Input should be greater than or equal to 2".
        return f"expected a number {error['msg'].removeprefix('Input should be ')}, got {describe(given)}"
    if kind in _EXPECTED_BY_TYPE:
        return f"expected {_EXPECTED_BY_TYPE[kind]}, got {describe(given)}"
    return f"{error['msg']}, got {describe(given)}"


def _problems_from(error: ValidationError, shown: str, already: set[str]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        location = tuple(p for p in item["loc"] if p not in ("function-after",))
        key = _dotted(location)
        if key in already:
            continue
        if item["type"] == "value_error" and not location:
            # Cross-field rules arrive as "key<TAB>message" lines from the model validator.
            for line in str(item["ctx"]["error"]).splitlines():
                sub_key, _, message = line.partition("\t")
                problems.append(Problem(shown, sub_key, message))
            continue
        problems.append(Problem(shown, key, _message(item)))
    return problems


# -- public API ---------------------------------------------------------------------


def load_environment(path: Path) -> EnvironmentConfig:
    """Parse and validate one file; raise EnvironmentFileError with every problem in it."""
    shown = display_path(path)
    data, problems = _parse(path)
    if data is None:
        raise EnvironmentFileError(problems)
    config = None
    try:
        config = EnvironmentConfig.model_validate(data)
    except ValidationError as error:
        problems += _problems_from(error, shown, {p.key for p in problems})
    reported = {p.key for p in problems}
    problems += [Problem(shown, key, message) for key, message in catalogue_problems(data) if key not in reported]
    expected_name = path.name.removesuffix(ENVIRONMENT_SUFFIX)
    given_name = data.get("name")
    if isinstance(given_name, str) and given_name != expected_name:
        problems.append(Problem(shown, "name", f'expected "{expected_name}" (the file name), got "{given_name}"'))
    if problems:
        raise EnvironmentFileError(problems)
    assert config is not None
    return config


def environment_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{ENVIRONMENT_SUFFIX}"))


def load_environments(directory: Path, names: Iterable[str] = ()) -> list[EnvironmentConfig]:
    """Load every environment file (or only `names`), reporting all problems at once."""
    directory = Path(directory)
    names = list(names)
    files = environment_files(directory)
    problems: list[Problem] = []
    if names:
        known = {f.name.removesuffix(ENVIRONMENT_SUFFIX): f for f in files}
        missing = [n for n in names if n not in known]
        for name in missing:
            problems.append(
                Problem(
                    display_path(directory / f"{name}{ENVIRONMENT_SUFFIX}"),
                    "",
                    f"no such environment; expected one of: {', '.join(sorted(known)) or '(none)'}",
                )
            )
        files = [known[n] for n in names if n in known]
    elif not files:
        problems.append(
            Problem(display_path(directory), "", f"expected at least one *{ENVIRONMENT_SUFFIX} file, got none")
        )
    configs = []
    for path in files:
        try:
            configs.append(load_environment(path))
        except EnvironmentFileError as error:
            problems += error.problems
    if problems:
        raise EnvironmentFileError(problems)
    return configs
