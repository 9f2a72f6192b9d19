"""AWS's own constraints, checked offline: literal values against AWS's API models.

The emulator (moto) and checkov accept values that AWS itself refuses: a web ACL
description with parentheses, an ECR repository name with capitals. botocore ships the
service models AWS publishes, with the pattern, length, enum and range of every API
member. `gate/aws_model_map.py` maps the attributes the stacks set to those members (a
reviewed table); this module validates every literal value of every mapped attribute
in every synthesized stack against its member:

- a value holding a Terraform reference (`${...}`) is not judged, and counted as such;
- a pattern is matched against the whole value (`re.fullmatch`): AWS writes its patterns
  for Java, whose validators match the whole input, and many are not anchored;
- a pattern written in Java's dialect that Python cannot read (an unknown `\\p{...}`
  class, say) is "cannot judge": listed, and a failure, never a pass;
- a table row whose member does not exist in the installed model, or whose member has
  no constraint at all, is an error (the table cannot rot when botocore changes).

Exit codes of `python -m gate.aws_model`: 0 clean, 1 findings, 2 cannot run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from gate.aws_model_map import ROWS, Row

STACK_FILE = "cdk.tf.json"
REFERENCE = "${"

NUMERIC_TYPES = {"integer", "long", "double", "float"}
SCALAR_TYPES = {"string", *NUMERIC_TYPES}


class ModelMapError(Exception):
    """A row of the table that does not resolve to a constrained scalar member."""


@dataclass(frozen=True)
class Constraints:
    """What the model says about one scalar member."""

    type_name: str
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    enum: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.pattern is not None:
            parts.append(f"pattern {self.pattern!r}")
        if self.type_name == "string" and (self.min is not None or self.max is not None):
            parts.append(
                f"length {self.min if self.min is not None else 0}..{self.max if self.max is not None else ''}"
            )
        elif self.min is not None or self.max is not None:
            parts.append(
                f"range {self.min if self.min is not None else ''}..{self.max if self.max is not None else ''}"
            )
        if self.enum:
            parts.append("one of " + ", ".join(self.enum))
        return "; ".join(parts)


# -- the model ---------------------------------------------------------------------------


# botocore ships no types: its session, service models and shapes are Any here.
@cache
def _service_model(service: str) -> Any:
    return _session().get_service_model(service)


@cache
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def resolve(row: Row) -> Constraints:
    """The constraints of `row`'s member; ModelMapError when it does not resolve.

    The member path is dotted from the operation's input shape; a list is stepped
    through to its member, a map to its value (`@key` steps to its key instead).
    """
    try:
        model = _service_model(row.service)
    except Exception as error:  # botocore raises UnknownServiceError and friends
        raise ModelMapError(f"{row}: service {row.service!r} is not in botocore's models: {error}") from error
    if row.operation not in model.operation_names:
        raise ModelMapError(f"{row}: {row.service} has no operation {row.operation!r}")
    shape = model.operation_model(row.operation).input_shape
    for step in row.member.split("."):
        shape = _through_collections(shape)
        if step == "@key":
            if shape.type_name != "map":
                raise ModelMapError(f"{row}: @key on {shape.name}, which is a {shape.type_name}, not a map")
            shape = shape.key
            continue
        members = getattr(shape, "members", None)
        if members is None or step not in members:
            raise ModelMapError(f"{row}: {shape.name} has no member {step!r} (members: {sorted(members or [])})")
        shape = members[step]
    shape = _through_collections(shape)
    if shape.type_name not in SCALAR_TYPES:
        raise ModelMapError(f"{row}: {shape.name} is a {shape.type_name}, not a string or number")
    metadata = shape.metadata
    constraints = Constraints(
        type_name=shape.type_name,
        pattern=metadata.get("pattern"),
        min=metadata.get("min"),
        max=metadata.get("max"),
        enum=tuple(getattr(shape, "enum", None) or ()),
    )
    if constraints.pattern is None and constraints.min is None and constraints.max is None and not constraints.enum:
        raise ModelMapError(f"{row}: {shape.name} has no pattern, length, range or enum: nothing to check")
    return constraints


def _through_collections(shape: Any) -> Any:
    while shape.type_name in ("list", "map"):
        shape = shape.member if shape.type_name == "list" else shape.value
    return shape


# -- Java patterns in Python ---------------------------------------------------------------

# Unicode classes Java knows and Python's `re` does not, as Python class contents (usable
# inside a [...] class). \p{L} and \p{N} have no exact class form in `re`; these ranges
# cover Latin, Greek, Cyrillic, CJK and the other scripts a name or description in this
# project could hold, which is what the patterns that use them are applied to.
_UNICODE_CLASSES = {
    # Letters: ASCII, Latin-1 and Latin Extended, Greek, Cyrillic, Arabic/Hebrew, CJK, kana, Hangul.
    "L": r"A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02c1\u0370-\u03ff\u0400-\u052f"
    r"\u05d0-\u05ea\u0620-\u064a\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3",
    # Separators (Zs, Zl, Zp).
    "Z": r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    # Numbers (Nd, and the superscripts and fractions of Latin-1).
    "N": r"0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\uff10-\uff19",
    # Java's POSIX classes (US-ASCII by default).
    "Alnum": r"A-Za-z0-9",
    "Alpha": r"A-Za-z",
    "Digit": r"0-9",
    "Upper": r"A-Z",
    "Lower": r"a-z",
    "Punct": r"!-/:-@\[-`{-~",
    "Graph": r"!-~",
    "Print": r"\x20-\x7e",
    "Space": r" \t\n\x0b\f\r",
    "ASCII": r"\x00-\x7f",
}
_CLASS_RE = re.compile(r"\\[pP]\{(?:Is)?([A-Za-z]+)\}")
# Java strings are UTF-16: a pattern names a character beyond U+FFFF by its surrogate
# pair (\uD800\uDC00 is U+10000); Python's `re` reads each half as a character of its own.
_SURROGATE_PAIR_RE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _code_point(match: re.Match[str]) -> str:
    high, low = int(match.group(1), 16), int(match.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


class PatternNotJudged(Exception):
    """A pattern this module cannot translate into Python faithfully."""


@cache
def python_pattern(java_pattern: str) -> re.Pattern[str]:
    """`java_pattern` compiled for Python's `re`; PatternNotJudged when that is not faithful."""
    java_pattern = _SURROGATE_PAIR_RE.sub(_code_point, java_pattern)
    translated = []
    position = 0
    in_class = False
    while position < len(java_pattern):
        char = java_pattern[position]
        if char == "\\":
            match = _CLASS_RE.match(java_pattern, position)
            if match:
                name = match.group(1)
                if name not in _UNICODE_CLASSES:
                    raise PatternNotJudged(f"unknown class \\p{{{name}}} in {java_pattern!r}")
                if match.group(0)[1] == "P":
                    if in_class:
                        raise PatternNotJudged(f"negated class \\P{{{name}}} inside [...] in {java_pattern!r}")
                    translated.append(f"[^{_UNICODE_CLASSES[name]}]")
                else:
                    body = _UNICODE_CLASSES[name]
                    translated.append(body if in_class else f"[{body}]")
                position = match.end()
                continue
            following = java_pattern[position + 1 : position + 2]
            if following == "z":  # Java's end of input; Python 3.11 spells it \Z
                translated.append(r"\Z")
            elif following in ("Q", "E", "G", "R", "X", "h", "H", "v", "V"):
                raise PatternNotJudged(f"Java-only escape \\{following} in {java_pattern!r}")
            else:
                translated.append(java_pattern[position : position + 2])
            position += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            translated.append(char)
            position += 1
            # A ] right after [ or [^ is a literal in both dialects.
            if java_pattern[position : position + 1] == "^":
                translated.append("^")
                position += 1
            continue
        if char == "[" and in_class:
            raise PatternNotJudged(f"nested class (union or intersection) in {java_pattern!r}")
        if char == "&" and in_class and java_pattern[position : position + 2] == "&&":
            raise PatternNotJudged(f"class intersection && in {java_pattern!r}")
        if char == "]" and in_class:
            in_class = False
        translated.append(char)
        position += 1
    try:
        return re.compile("".join(translated), re.DOTALL)
    except re.error as error:
        raise PatternNotJudged(f"Python cannot compile {java_pattern!r}: {error}") from error


# -- reading values from a stack ---------------------------------------------------------


def values_at(block: Any, attribute: str) -> Iterator[Any]:
    """The scalar values at a dotted attribute path; lists (repeated or single nested
    blocks, as CDKTF writes them) are stepped through; `@keys` and `@values` read a map."""
    nodes = [block]
    for step in attribute.split("."):
        following: list[Any] = []
        for node in nodes:
            for item in node if isinstance(node, list) else [node]:
                if not isinstance(item, dict):
                    continue
                if step == "@keys":
                    following.extend(item.keys())
                elif step == "@values":
                    following.extend(item.values())
                elif step in item:
                    following.append(item[step])
        nodes = following
    for node in nodes:
        for item in node if isinstance(node, list) else [node]:
            if isinstance(item, bool) or item is None:
                continue
            if isinstance(item, (str, int, float)):
                yield item


# -- judging -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFinding:
    stack: str
    address: str
    attribute: str
    value: Any
    member: str
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.stack}: {self.address}.{self.attribute} = {self.value!r}: "
            f"AWS refuses it ({self.member}: {self.problem})"
        )


@dataclass
class StackModelResult:
    name: str
    judged: int = 0
    not_judged: int = 0  # values holding a Terraform reference
    findings: list[ModelFinding] = field(default_factory=list)
    pattern_not_judged: list[str] = field(default_factory=list)


@dataclass
class ModelReport:
    stacks: list[StackModelResult]
    rows: int
    seconds: float = 0.0
    unjudgeable_patterns: dict[str, str] = field(default_factory=dict)  # member -> reason

    @property
    def ok(self) -> bool:
        return not self.unjudgeable_patterns and not any(s.findings for s in self.stacks)


def judge(value: Any, constraints: Constraints) -> list[str]:
    """What the model refuses in `value`; raises PatternNotJudged for a foreign pattern."""
    problems = []
    if constraints.type_name in NUMERIC_TYPES:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return [f"expected a number, got {value!r}"]
        if constraints.type_name in ("integer", "long") and not number.is_integer():
            problems.append("expected a whole number")
        if constraints.min is not None and number < constraints.min:
            problems.append(f"below the minimum {constraints.min:g}")
        if constraints.max is not None and number > constraints.max:
            problems.append(f"above the maximum {constraints.max:g}")
        return problems
    text = value if isinstance(value, str) else json.dumps(value)
    if constraints.min is not None and len(text) < constraints.min:
        problems.append(f"{len(text)} characters, below the minimum length {constraints.min:g}")
    if constraints.max is not None and len(text) > constraints.max:
        problems.append(f"{len(text)} characters, above the maximum length {constraints.max:g}")
    if constraints.enum and text not in constraints.enum:
        problems.append("not one of " + ", ".join(constraints.enum))
    if constraints.pattern is not None and not python_pattern(constraints.pattern).fullmatch(text):
        problems.append(f"does not match the pattern {constraints.pattern!r}")
    return problems


def resolve_table(rows: tuple[Row, ...] = ROWS) -> dict[Row, Constraints]:
    """Every row resolved; ModelMapError listing every row that does not."""
    resolved, errors = {}, []
    for row in rows:
        try:
            resolved[row] = resolve(row)
        except ModelMapError as error:
            errors.append(str(error))
    duplicates = {(r.resource_type, r.attribute) for r in rows if sum(1 for o in rows if o.key == r.key) > 1}
    errors += [f"row {key} appears more than once" for key in sorted(duplicates)]
    if errors:
        raise ModelMapError(f"{len(errors)} row(s) of gate/aws_model_map.py do not resolve:\n  " + "\n  ".join(errors))
    return resolved


def check_stack(name: str, document: dict[str, Any], table: dict[Row, Constraints], report: ModelReport) -> None:
    result = StackModelResult(name=name)
    for row, constraints in table.items():
        blocks = document.get("resource", {}).get(row.resource_type, {})
        for block_name, block in blocks.items():
            address = f"{row.resource_type}.{block_name}"
            for value in values_at(block, row.attribute):
                if isinstance(value, str) and REFERENCE in value:
                    result.not_judged += 1
                    continue
                try:
                    problems = judge(value, constraints)
                except PatternNotJudged as error:
                    report.unjudgeable_patterns[row.member_path] = str(error)
                    result.pattern_not_judged.append(f"{address}.{row.attribute}")
                    continue
                result.judged += 1
                result.findings += [
                    ModelFinding(name, address, row.attribute, value, row.member_path, problem) for problem in problems
                ]
    report.stacks.append(result)


def check_stacks(stacks: dict[str, Path], rows: tuple[Row, ...] = ROWS) -> ModelReport:
    started = time.monotonic()
    table = resolve_table(rows)
    report = ModelReport(stacks=[], rows=len(table))
    for name, path in stacks.items():
        check_stack(name, json.loads(path.read_text(encoding="utf-8")), table, report)
    report.seconds = time.monotonic() - started
    return report


def render(report: ModelReport) -> str:
    lines = [
        f"AWS API models (botocore {_botocore_version()}): {report.rows} mapped attributes, {report.seconds:.1f} s",
        f"{'stack':<22}{'judged':>8}{'not judged (references)':>25}{'refused':>9}",
    ]
    for s in report.stacks:
        lines.append(f"{s.name:<22}{s.judged:>8}{s.not_judged:>25}{len(s.findings):>9}")
    for s in report.stacks:
        lines += [f"REFUSED {finding}" for finding in s.findings]
    for member, reason in sorted(report.unjudgeable_patterns.items()):
        lines.append(f"CANNOT JUDGE {member}: {reason}: the values were not checked against it")
    lines.append("aws models: PASSED" if report.ok else "aws models: FAILED")
    return "\n".join(lines)


def summary_json(report: ModelReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "rows": report.rows,
        "seconds": round(report.seconds, 2),
        "unjudgeable_patterns": report.unjudgeable_patterns,
        "stacks": [
            {
                "name": s.name,
                "judged": s.judged,
                "not_judged": s.not_judged,
                "pattern_not_judged": s.pattern_not_judged,
                "refused": [{**f.__dict__, "message": str(f)} for f in s.findings],
            }
            for s in report.stacks
        ],
    }


def _botocore_version() -> str:
    import botocore

    version: str = botocore.__version__
    return version


def find_stacks(*stacks_dirs: Path) -> dict[str, Path]:
    found = {}
    for directory in stacks_dirs:
        found.update({p.parent.name: p for p in sorted(directory.glob(f"*/{STACK_FILE}"))})
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="literal values of synthesized stacks against AWS's API models")
    parser.add_argument("--stacks-dir", type=Path, action="append")
    args = parser.parse_args(argv)
    stacks = find_stacks(*(args.stacks_dir or [Path("cdktf.out/stacks")]))
    if not stacks:
        print("aws models: cannot run: no synthesized stacks; run `python main.py` first", file=sys.stderr)
        return 2
    try:
        report = check_stacks(stacks)
    except ModelMapError as error:
        print(f"aws models: cannot run: {error}", file=sys.stderr)
        return 2
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
