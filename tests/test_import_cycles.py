"""No import circle between the project's packages (stacks, modules, envconfig, gate, review,
verify, ops, docgen, ...), between the modules/* subpackages, or between the modules of
stacks/ (the composition root, which every wiring function sits beside).

Imports are read with ast, not executed: one under `if TYPE_CHECKING:` or inside a function
counts as well, since it is the same dependency, only deferred so Python does not trip on
it. A circle is reported with the file and line of each import that closes it.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

# Not code of the project: the venvs and tools are symlinks here, synthesis output is data.
NOT_PROJECT_CODE = {"tests", "cdktf.out", "node_modules"}
# Where the graph looks inside a package: its subpackages (modules/<name>), its modules
# (stacks/<name>.py); elsewhere a package is one node.
SPLIT_INTO_SUBPACKAGES = {"modules"}
SPLIT_INTO_MODULES = {"stacks"}

# Known circles, each with why it is tolerated and what removes it. None today: the stacks'
# circle through ChatStack went with the composition root (stacks/platform.py).
KNOWN_CIRCLES: set[frozenset[str]] = set()


@dataclass(frozen=True)
class Import:
    source: str  # the importing node
    target: str  # the imported node
    where: str  # file:line


def project_packages(root: Path) -> list[str]:
    return sorted(
        path.name
        for path in root.iterdir()
        if (path / "__init__.py").is_file() and not path.is_symlink() and path.name not in NOT_PROJECT_CODE
    )


def node_of(module: str, packages: set[str]) -> str | None:
    """The graph node a dotted module name belongs to, or None outside the project."""
    parts = module.split(".")
    if parts[0] not in packages:
        return None
    if parts[0] in SPLIT_INTO_SUBPACKAGES | SPLIT_INTO_MODULES and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package the module is in
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from modules import network` names the subpackage, `from x import Name` names x
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno
            yield base, node.lineno


def import_graph(root: Path) -> list[Import]:
    """Every import from one node to another, across the project's packages under `root`."""
    packages = set(project_packages(root))
    edges: dict[tuple[str, str], Import] = {}
    for package in sorted(packages):
        for path in sorted((root / package).rglob("*.py")):
            module = _module_name(root, path)
            source = node_of(module, packages)
            tree = ast.parse(path.read_text(), filename=str(path))
            for imported, line in _imported_modules(tree, module, path.name == "__init__.py"):
                target = node_of(imported, packages)
                if source and target and target != source:
                    where = f"{path.relative_to(root)}:{line}"
                    edges.setdefault((source, target), Import(source, target, where))
    return list(edges.values())


def circles(edges: list[Import]) -> list[list[Import]]:
    """One circle per strongly connected group of nodes (Tarjan), as the imports that close it."""
    successors: dict[str, list[Import]] = {}
    for edge in edges:
        successors.setdefault(edge.source, []).append(edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for edge in successors.get(node, []):
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(successors):
        if node not in index:
            visit(node)
    return [_one_circle(group, successors) for group in groups]


def _one_circle(group: set[str], successors: dict[str, list[Import]]) -> list[Import]:
    """A path from the group's first node back to itself, inside the group (breadth first)."""
    start = min(group)
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in successors.get(node, []):
            if edge.target == start:
                return [*paths[node], edge]
            if edge.target in group and edge.target not in paths:
                paths[edge.target] = [*paths[node], edge]
                queue.append(edge.target)
    raise AssertionError(f"no circle through {start} in {sorted(group)}")  # a strongly connected group has one


def render(circle: list[Import]) -> str:
    nodes = " -> ".join([*(e.source for e in circle), circle[0].source])
    return f"{nodes}  ({', '.join(e.where for e in circle)})"


def unknown_circles(root: Path) -> list[str]:
    found = circles(import_graph(root))
    return [render(c) for c in found if frozenset(e.source for e in c) not in _known_groups(found)]


def _known_groups(found: list[list[Import]]) -> set[frozenset[str]]:
    """The known circles, each matched by its nodes (the circle reported is one path through them)."""
    groups = {frozenset(e.source for e in c) for c in found}
    return {group for group in groups if any(group <= known for known in KNOWN_CIRCLES)}


def test_no_import_circle_between_packages_subpackages_or_stack_modules():
    assert unknown_circles(ROOT) == []


def test_every_known_circle_still_exists_else_its_entry_is_stale():
    # Like a stale waiver: once a known circle is removed, delete its entry.
    found = {frozenset(e.source for e in c) for c in circles(import_graph(ROOT))}
    for known in KNOWN_CIRCLES:
        assert any(group <= known for group in found), f"no longer a circle, remove it: {sorted(known)}"


def test_the_graph_sees_the_packages_and_their_imports():
    packages = project_packages(ROOT)
    assert {"stacks", "modules", "envconfig", "gate", "review", "verify", "ops", "docgen"} <= set(packages)
    edges = {(e.source, e.target) for e in import_graph(ROOT)}
    assert ("stacks.chat_stack", "modules.network") in edges
    assert ("modules.network", "modules.common") in edges


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_a_planted_circle_between_packages_is_reported_with_its_imports(tmp_path):
    _write(
        tmp_path,
        {
            "gate/__init__.py": "",
            "gate/run.py": "from review.plan import read_plan\n",
            "review/__init__.py": "",
            "review/plan.py": "import os\n\n\ndef read_plan():\n    from gate import run\n",
            "envconfig/__init__.py": "from gate.run import read_plan\n",  # into the circle, not part of it
        },
    )
    assert unknown_circles(tmp_path) == ["gate -> review -> gate  (gate/run.py:1, review/plan.py:5)"]


def test_a_planted_circle_between_module_subpackages_under_type_checking_is_reported(tmp_path):
    _write(
        tmp_path,
        {
            "modules/__init__.py": "",
            "modules/cache/__init__.py": "from .cache import Cache\n",
            "modules/cache/cache.py": "from modules import network\n",
            "modules/network/__init__.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from modules.cache.cache import Cache\n"
            ),
        },
    )
    assert unknown_circles(tmp_path) == [
        "modules.cache -> modules.network -> modules.cache  (modules/cache/cache.py:1, modules/network/__init__.py:3)"
    ]


def test_imports_inside_one_package_or_subpackage_are_no_circle(tmp_path):
    _write(
        tmp_path,
        {
            "gate/__init__.py": "from gate.run import main\n",
            "gate/run.py": "from gate import rules\n",
            "gate/rules.py": "from gate.run import main\n",
        },
    )
    assert unknown_circles(tmp_path) == []
