"""One module's README, regenerated: an inputs table per props class, an outputs table per construct.

A module is a folder under the modules directory with a `props.py`. Its props classes are
the dataclasses `props.py` defines (imported: props modules import no cdktf); its
constructs are the classes of its other files whose docstring lists "Typed outputs
(attributes):" (parsed, never imported; see docgen.outputs).

An output's description is, in this order: the docstring under its assignment in the
construct, the description already written in the README's table (a person's words, kept),
the docstring list's note in parentheses. One with none of them is a problem to fix, as is
an input without a docstring: every input and output is documented.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import sys
import types
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from docgen.inputs import documented_base, input_rows
from docgen.outputs import ConstructOutputs, SourceIndex, construct_classes, construct_outputs
from docgen.readme import BEGIN_PREFIX, END_MARKER, Block, fill_blocks, find_blocks, place_block
from docgen.tables import inputs_table, outputs_table, prose, written_descriptions

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT_MODULES_DIR = PROJECT_ROOT / "modules"
README = "README.md"
PROPS = "props.py"


class DocgenInputError(Exception):
    """The modules directory or a module's code cannot be read: nothing is written."""


@dataclass(frozen=True)
class ReadmeResult:
    path: Path
    shown_as: str  # the path as messages name it
    old: str
    new: str
    problems: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return self.old != self.new


def module_dirs(modules_dir: Path, names: Sequence[str] = ()) -> list[Path]:
    """The modules to document: every folder with a props.py, or the ones named."""
    if not modules_dir.is_dir():
        raise DocgenInputError(f"{modules_dir}: expected a modules directory, got none there")
    everything = sorted(path.parent for path in modules_dir.glob(f"*/{PROPS}"))
    if not names:
        return everything
    known = {path.name: path for path in everything}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise DocgenInputError(
            f"{modules_dir}: expected modules with a {PROPS} ({', '.join(sorted(known))}), got {', '.join(unknown)}"
        )
    return [known[name] for name in names]


def import_props(module_dir: Path) -> types.ModuleType:
    """The module's props.py: by package name for the project's own modules, else by file."""
    props_file = module_dir / PROPS
    try:
        if module_dir.parent.resolve() == PROJECT_MODULES_DIR:
            return importlib.import_module(f"modules.{module_dir.name}.props")
        digest = hashlib.sha256(str(props_file.resolve()).encode()).hexdigest()[:12]
        name = f"docgen_props_{module_dir.name}_{digest}"
        spec = importlib.util.spec_from_file_location(name, props_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and get_type_hints look the module up by name
        spec.loader.exec_module(module)
        return module
    except Exception as error:  # any failure of the module's own code is the user's to see, in one line
        raise DocgenInputError(f"{props_file}: cannot import: {type(error).__name__}: {error}") from None


def props_classes(props_module: types.ModuleType) -> list[type]:
    """The dataclasses props.py defines itself, in the order it defines them."""
    return [
        value
        for value in vars(props_module).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == props_module.__name__
    ]


def begin_marker(kind: str, name: str, source: str) -> str:
    edit = "edit there (descriptions here)" if kind == "outputs" else "edit there"
    return f"{BEGIN_PREFIX}: {kind} ({name}) from {source}: {edit}, then run make docs -->"


def _inputs_block(props_class: type, props_file: str) -> tuple[list[str], list[str]]:
    rows = input_rows(props_class)
    problems = [
        f"{props_file}: {props_class.__name__}.{row.name} has no docstring" for row in rows if not row.description
    ]
    base = documented_base(props_class)
    lead_in = [f"`{props_class.__name__}`: the inputs of `{base.__name__}`, and:", ""] if base is not None else []
    return [*lead_in, *inputs_table(rows)], problems


def _outputs_block(construct: ConstructOutputs, written: dict[str, str], readme: str) -> tuple[list[str], list[str]]:
    rows, problems = [], []
    for row in construct.rows:
        if row.doc:
            description = prose(row.doc)
        elif row.name in written:
            description = written[row.name]
        else:
            description = prose(f"{row.note[:1].upper()}{row.note[1:]}.") if row.note else ""
        if not description:
            problems.append(
                f"{readme}: output `{construct.class_name}.{row.name}` has no description: write one in its row "
                f"of the table (kept when regenerated) or a docstring under `self.{row.name} = ...`"
            )
        rows.append((row.name, row.type, description))
    return outputs_table(rows), problems


def _place_missing_blocks(
    lines: list[str], wanted: Collection[tuple[str, str]], shown: str
) -> tuple[list[str], list[str]]:
    """`lines` with a block around the table of each wanted class that has none yet, and the misses."""
    present = {(block.kind, block.name) for block in find_blocks(lines)[0]}
    kinds = Counter(kind for kind, _ in wanted)
    problems = []
    for kind, name in wanted:
        if (kind, name) in present:
            continue
        placed = place_block(lines, kind, name, sole_of_kind=kinds[kind] == 1)
        if placed is None:
            problems.append(
                f"{shown}: cannot tell where the {kind} table of `{name}` goes: put the lines "
                f"`{BEGIN_PREFIX}: {kind} ({name}) -->` and `{END_MARKER}` there"
            )
        else:
            lines = placed
    return lines, problems


def _block_problems(blocks: Sequence[Block], wanted: Collection[tuple[str, str]], shown: str) -> list[str]:
    problems = [
        f"{shown}: line {block.begin + 1}: {block.label} is no props class or construct here"
        for block in blocks
        if (block.kind, block.name) not in wanted
    ]
    repeated = Counter(block.label for block in blocks)
    return problems + [
        f"{shown}: {label} is generated more than once" for label, count in repeated.items() if count > 1
    ]


def document_module(module_dir: Path, index: SourceIndex, shown_root: Path) -> ReadmeResult:
    """The module's README as it should be, and what stops it being complete."""
    readme = module_dir / README
    shown_dir = str(module_dir.relative_to(shown_root)) if module_dir.is_relative_to(shown_root) else str(module_dir)
    shown = f"{shown_dir}/{README}"
    if not readme.is_file():
        return ReadmeResult(readme, shown, "", "", (f"{shown}: missing: every module has a README",))
    try:
        constructs = [construct_outputs(index, path, node) for path, node in construct_classes(index, module_dir)]
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        raise DocgenInputError(f"{shown_dir}: cannot parse: {error}") from None
    props = {cls.__name__: cls for cls in props_classes(import_props(module_dir))}
    outputs = {construct.class_name: construct for construct in constructs}
    # (kind, class name) -> the file its table is generated from
    wanted = {("inputs", name): PROPS for name in props} | {
        ("outputs", name): c.source.name for name, c in outputs.items()
    }
    problems = [f"{shown_dir}/{c.source.name}: {problem}" for c in constructs for problem in c.problems]

    old = readme.read_text(encoding="utf-8")
    marker_problems = find_blocks(old.splitlines())[1]
    if marker_problems:
        return ReadmeResult(readme, shown, old, old, tuple(f"{shown}: {problem}" for problem in marker_problems))
    lines, misses = _place_missing_blocks(old.splitlines(), wanted, shown)
    blocks = find_blocks(lines)[0]
    problems += misses + _block_problems(blocks, wanted, shown)

    def render(block: Block, inside: list[str]) -> list[str] | None:
        source = wanted.get((block.kind, block.name))
        if source is None:
            return None
        if block.kind == "inputs":
            table, found = _inputs_block(props[block.name], f"{shown_dir}/{PROPS}")
        else:
            table, found = _outputs_block(outputs[block.name], written_descriptions(inside), shown)
        problems.extend(found)
        return [begin_marker(block.kind, block.name, source), "", *table, "", END_MARKER]

    new = "\n".join(fill_blocks(lines, blocks, render)) + ("\n" if old.endswith("\n") else "")
    return ReadmeResult(readme, shown, old, new, tuple(dict.fromkeys(problems)))


def document_modules(modules_dir: Path, names: Sequence[str] = ()) -> list[ReadmeResult]:
    """Every module's README, computed before anything is written."""
    modules_dir = modules_dir.resolve()
    index = SourceIndex([modules_dir.parent, PROJECT_ROOT])
    return [document_module(module_dir, index, modules_dir.parent) for module_dir in module_dirs(modules_dir, names)]
