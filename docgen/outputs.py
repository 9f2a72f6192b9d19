"""The typed outputs of a module's constructs, read from their source with `ast`.

A construct names what it offers other modules in its class docstring, after
"Typed outputs (attributes):": a comma-separated list that ends at a blank line or at the
next label ("Helpers:", "Construct IDs:"); a note in parentheses says, for example, when
the value is None. Each output's type comes from where the construct sets it, in this
order: the annotation of `self.x: T = ...`, a property's return annotation, or the
evident type of an unannotated `self.x = <value>` (a class instantiated, the return
annotation of the function or method called, a field of the props, another attribute,
a string literal). A string statement right under the assignment is the output's
docstring, as a field's docstring is for an input.

Why the source and not the imported class: annotations of `self.x` inside methods are not
kept at run time (PEP 526), so the imported class would not have them; and importing a
construct loads cdktf, jsii and the provider bindings (seconds), where parsing takes
milliseconds. Nothing here imports the code it reads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

OUTPUTS_LABEL = "Typed outputs (attributes):"
# A capitalised "Word(s):" at the start of a line begins the next paragraph of the docstring.
_NEXT_LABEL = re.compile(r"^[A-Z][\w ]*:")
# How far a type is followed from attribute to attribute (a cycle would never end).
_MAX_DEPTH = 8
_PROPERTY_DECORATORS = {"property", "cached_property"}


@dataclass(frozen=True)
class ListedOutput:
    """A name from the docstring's list, with its note ("None when split"), if any."""

    name: str
    note: str


@dataclass(frozen=True)
class OutputRow:
    name: str
    type: str | None  # None: the source does not say
    doc: str | None  # the docstring under its assignment, if it has one
    note: str


@dataclass(frozen=True)
class ConstructOutputs:
    class_name: str
    source: Path
    rows: tuple[OutputRow, ...]
    problems: tuple[str, ...]


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return [*items, current]


def listed_outputs(docstring: str) -> tuple[list[ListedOutput], list[str]]:
    """The outputs a class docstring lists, and what could not be read as a name."""
    _, found, rest = docstring.partition(OUTPUTS_LABEL)
    if not found:
        return [], []
    lines: list[str] = []
    for line in rest.splitlines():
        stripped = line.strip()
        if not stripped and not lines:
            continue
        if not stripped or (lines and _NEXT_LABEL.match(stripped)):
            break
        lines.append(stripped)
    outputs, unreadable = [], []
    for item in _split_top_level(" ".join(lines)):
        name, _, note = item.strip().removesuffix(".").partition("(")
        name = name.strip()
        if name.isidentifier():
            outputs.append(ListedOutput(name, " ".join(note.rpartition(")")[0].split())))
        else:
            unreadable.append(item.strip())
    return outputs, unreadable


class SourceIndex:
    """Parsed project files, and where a name a module imports is defined."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(dict.fromkeys(root.resolve() for root in roots))
        self._trees: dict[Path, ast.Module] = {}

    def tree(self, path: Path) -> ast.Module:
        if path not in self._trees:
            self._trees[path] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        return self._trees[path]

    def module_file(self, dotted: str, importer: Path | None = None, level: int = 0) -> Path | None:
        """The file of `dotted` (absolute, or relative to `importer` at `level`), if it is in a root."""
        if level and importer is not None:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = list(self.roots)
        for base in bases:
            stem = base.joinpath(*dotted.split(".")) if dotted else base
            for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None

    def definition(self, path: Path, name: str, depth: int = 0) -> tuple[Path, ast.AST] | None:
        """The def or class `name` means in the module at `path`, through its `from x import`s."""
        statements = list(_top_level(self.tree(path)))
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                return path, node
        if depth >= _MAX_DEPTH:
            return None
        for node in statements:
            if not isinstance(node, ast.ImportFrom):
                continue
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    target = self.module_file(node.module or "", path, node.level)
                    if target is not None:
                        return self.definition(target, alias.name, depth + 1)
        return None


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module statements, including those under a top-level `if` (TYPE_CHECKING imports)."""
    for node in tree.body:
        yield node
        if isinstance(node, ast.If):
            yield from node.body
            yield from node.orelse


def _self_attribute(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def _tuple_element(annotation: str, index: int) -> str | None:
    """`tuple[A, B]`, 1 -> `B`."""
    try:
        parsed = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(parsed, ast.Subscript) and ast.unparse(parsed.value) in ("tuple", "Tuple"):
        elements = parsed.slice.elts if isinstance(parsed.slice, ast.Tuple) else [parsed.slice]
        if index < len(elements) and not (isinstance(elements[-1], ast.Constant) and elements[-1].value is ...):
            return ast.unparse(elements[index])
    return None


def _statement_lists(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for child in ast.walk(node):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(child, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                yield statements


@dataclass(frozen=True)
class _Assignment:
    function: ast.FunctionDef | ast.AsyncFunctionDef
    value: ast.expr
    element: int | None  # the position in a tuple target (`self.key, self.arn = ...`)


class ClassTypes:
    """The type of each `self.<attribute>` a class sets, as its source says it."""

    def __init__(self, index: SourceIndex, path: Path, node: ast.ClassDef) -> None:
        self.index, self.path, self.node = index, path, node
        self.annotated: dict[str, str] = {}
        self.assignments: dict[str, list[_Assignment]] = {}
        self.properties: dict[str, str | None] = {}
        self.docs: dict[str, str] = {}
        self.class_annotations: dict[str, str] = {}
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                self.class_annotations[statement.target.id] = ast.unparse(statement.annotation)
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = {ast.unparse(d).rpartition(".")[2] for d in statement.decorator_list}
            if decorators & _PROPERTY_DECORATORS:
                self.properties[statement.name] = ast.unparse(statement.returns) if statement.returns else None
            self._read_method(statement)

    def _read_method(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for child in sorted(ast.walk(function), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            if isinstance(child, ast.AnnAssign) and (name := _self_attribute(child.target)):
                self.annotated.setdefault(name, ast.unparse(child.annotation))
                if child.value is not None:
                    self.assignments.setdefault(name, []).append(_Assignment(function, child.value, None))
            elif isinstance(child, ast.Assign):
                for target in child.targets:
                    if name := _self_attribute(target):
                        self.assignments.setdefault(name, []).append(_Assignment(function, child.value, None))
                    elif isinstance(target, ast.Tuple):
                        for position, element in enumerate(target.elts):
                            if name := _self_attribute(element):
                                assignment = _Assignment(function, child.value, position)
                                self.assignments.setdefault(name, []).append(assignment)
        for statements in _statement_lists(function):
            for statement, following in zip(statements, statements[1:], strict=False):
                if not (
                    isinstance(statement, (ast.Assign, ast.AnnAssign))
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)
                ):
                    continue
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for name in filter(None, map(_self_attribute, targets)):
                    self.docs.setdefault(name, " ".join(following.value.value.split()))

    def sets(self, attribute: str) -> bool:
        return attribute in self.assignments or attribute in self.properties or attribute in self.annotated

    def type_of(self, attribute: str, depth: int = 0) -> str | None:
        if attribute in self.class_annotations:
            return self.class_annotations[attribute]
        if attribute in self.annotated:
            return self.annotated[attribute]
        if self.properties.get(attribute):
            return self.properties[attribute]
        if depth >= _MAX_DEPTH:
            return None
        for assignment in self.assignments.get(attribute, []):
            found = self._resolve(assignment.value, assignment.function, depth + 1)
            if found is not None and assignment.element is not None:
                found = _tuple_element(found, assignment.element)
            if found is not None:
                return found
        return None

    def _resolve(self, node: ast.expr, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        """The evident type of an expression in `function`, or None."""
        if depth >= _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return "None" if node.value is None else type(node.value).__name__
        if isinstance(node, ast.JoinedStr):
            return "str"
        if isinstance(node, ast.IfExp):
            branches = [self._resolve(branch, function, depth + 1) for branch in (node.body, node.orelse)]
            if None in branches:
                return None
            return " | ".join(dict.fromkeys(branches))  # type: ignore[arg-type]
        if isinstance(node, ast.Call):
            return self._call_type(node, function, depth)
        if isinstance(node, ast.Attribute):
            if (name := _self_attribute(node)) is not None:
                return self.type_of(name, depth + 1)
            owner = self._resolve(node.value, function, depth + 1)
            return self._attribute_of_class(owner, node.attr, depth + 1) if owner else None
        if isinstance(node, ast.Name):
            return self._name_type(node.id, function, depth)
        return None

    def _call_type(self, node: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        called = node.func
        if isinstance(called, ast.Attribute) and (method := _self_attribute(called)) is not None:
            for statement in self.node.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == method:
                    return ast.unparse(statement.returns) if statement.returns else None
            return None
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if name[:1].isupper():
            return name  # a class, instantiated
        if isinstance(called, ast.Name):
            found = self.index.definition(self.path, name)
            if found and isinstance(found[1], (ast.FunctionDef, ast.AsyncFunctionDef)) and found[1].returns:
                return ast.unparse(found[1].returns)
        return None

    def _name_type(self, name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        arguments = function.args
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if argument.arg == name:
                return ast.unparse(argument.annotation) if argument.annotation else None
        for child in ast.walk(function):
            if isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name) and child.target.id == name:
                return ast.unparse(child.annotation)
            if isinstance(child, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in child.targets):
                return self._resolve(child.value, function, depth + 1)
        return None

    def _attribute_of_class(self, class_name: str, attribute: str, depth: int) -> str | None:
        found = self.index.definition(self.path, class_name)
        if found is None or not isinstance(found[1], ast.ClassDef):
            return None
        return ClassTypes(self.index, found[0], found[1]).type_of(attribute, depth)


def construct_classes(index: SourceIndex, module_dir: Path) -> list[tuple[Path, ast.ClassDef]]:
    """The classes of a module's files whose docstring lists typed outputs, in file and source order."""
    found = []
    for path in sorted(module_dir.glob("*.py")):
        for node in index.tree(path).body:
            if isinstance(node, ast.ClassDef) and OUTPUTS_LABEL in (ast.get_docstring(node) or ""):
                found.append((path, node))
    return found


def construct_outputs(index: SourceIndex, path: Path, node: ast.ClassDef) -> ConstructOutputs:
    """A row per listed output; a problem where the source does not back the list."""
    listed, unreadable = listed_outputs(ast.get_docstring(node) or "")
    types = ClassTypes(index, path, node)
    where = node.name
    problems = [f"{where}: cannot read {item!r} in {OUTPUTS_LABEL!r} as an attribute name" for item in unreadable]
    rows = []
    for output in listed:
        if not types.sets(output.name):
            problems.append(f"{where}: lists `{output.name}` as an output but never sets self.{output.name}")
            found_type = None
        else:
            found_type = types.type_of(output.name)
            if found_type is None:
                problems.append(
                    f"{where}: cannot tell the type of `{output.name}`: annotate where it is set "
                    f"(self.{output.name}: <type> = ...)"
                )
        rows.append(OutputRow(output.name, found_type, types.docs.get(output.name), output.note))
    return ConstructOutputs(node.name, path, tuple(rows), tuple(problems))
