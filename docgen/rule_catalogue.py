"""The gate's rule catalogue, rendered into the READMEs from the rules themselves (gate/rules).

Each rule is described once, where it is registered: its id, name and resource types in the
decorator, why it exists in its predicate's docstring. A README shows them between

    <!-- BEGIN GATE RULES (all) from gate/rules: edit there, then run make docs -->
    <!-- END GATE RULES -->

`(all)` is the whole catalogue (id, rule, resource types: the root README); `(<module>)` the
rules that name that module (id, rule, why: modules/<module>/README.md). Everything outside
the markers is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docgen.module_docs import PROJECT_ROOT, ReadmeResult
from docgen.tables import code, prose
from gate.rules import RULES, Rule

ALL = "all"
_BEGIN = re.compile(r"^<!-- BEGIN GATE RULES \(([\w-]+)\).*-->$")
_END = "<!-- END GATE RULES -->"
_ANY_MARKER = re.compile(r"^<!-- (BEGIN|END) GATE RULES")


def begin_marker(selector: str) -> str:
    return f"<!-- BEGIN GATE RULES ({selector}) from gate/rules: edit there, then run make docs -->"


def _row(cells: Sequence[str]) -> str:
    return f"| {' | '.join(cells)} |"


def catalogue_table(rules: Sequence[Rule], selector: str) -> list[str]:
    """The whole catalogue (id, rule, resource types), or one module's rules (id, rule, why)."""
    if selector == ALL:
        lines = [_row(("id", "rule", "resource types")), "|---|---|---|"]
        lines += [_row((r.id, prose(r.name), ", ".join(code(t) for t in r.resource_types))) for r in rules]
    else:
        lines = [_row(("id", "rule", "why")), "|---|---|---|"]
        lines += [_row((r.id, prose(r.name), prose(r.why))) for r in rules]
    return lines


def rules_for(selector: str, rules: Sequence[Rule] = RULES) -> list[Rule]:
    return list(rules) if selector == ALL else [rule for rule in rules if selector in rule.modules]


def render_readme(text: str, shown: str, rules: Sequence[Rule] = RULES) -> tuple[str, list[str]]:
    """`text` with every rules block regenerated, and what is wrong with its markers (nothing
    is changed then)."""
    lines = text.splitlines()
    result: list[str] = []
    problems: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        begin = _BEGIN.match(line.strip())
        if begin is None:
            if _ANY_MARKER.match(line.strip()):
                problems.append(f"{shown}: line {index + 1}: expected `{begin_marker('all|<module>')}` before this")
            result.append(line)
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == _END), None)
        nested = end is not None and any(_BEGIN.match(lines[i].strip()) for i in range(index + 1, end))
        if end is None or nested:
            problems.append(f"{shown}: line {index + 1}: BEGIN GATE RULES without its `{_END}`")
            break
        selector = begin[1]
        chosen = rules_for(selector, rules)
        if not chosen:
            problems.append(f"{shown}: line {index + 1}: no rule names the module {selector!r} (Rule.modules)")
            result += lines[index : end + 1]
        else:
            result += [begin_marker(selector), "", *catalogue_table(chosen, selector), "", _END]
        index = end + 1
    if problems:
        return text, problems
    return "\n".join(result) + ("\n" if text.endswith("\n") else ""), []


def document_rule_tables(
    earlier: Sequence[ReadmeResult] = (), root: Path = PROJECT_ROOT, rules: Sequence[Rule] = RULES
) -> list[ReadmeResult]:
    """`earlier` (the module READMEs as docgen regenerates them) with the rule blocks filled in
    too, plus the root README: every README that holds a rules block, regenerated."""
    results = {result.path.resolve(): result for result in earlier}
    for path in [root / "README.md", *sorted(root.glob("modules/*/README.md"))]:
        if not path.is_file():
            continue
        before = results.get(path.resolve())
        old = before.old if before else path.read_text(encoding="utf-8")
        if "GATE RULES" not in old:
            continue
        shown = before.shown_as if before else str(path.relative_to(root))
        new, problems = render_readme(before.new if before else old, shown, rules)
        earlier_problems = before.problems if before else ()
        results[path.resolve()] = ReadmeResult(path, shown, old, new, (*earlier_problems, *problems))
    return list(results.values())
