"""One check that a module's README documents its inputs and outputs (used by every module test).

A module README has `## Inputs` (a table, or one per props class under its own heading,
whose first column is the field and whose fourth says "yes" for the keys an environment
file may set) and `## Outputs` (a table naming each attribute the construct's docstring
lists after "Typed outputs (attributes):").
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from modules.common.inputs import environment_fields

MODULES_DIR = Path(__file__).resolve().parents[2] / "modules"


def _between(text: str, start: str, end: str | None) -> str:
    section = text.split(start)[1]
    return section.split(end)[0] if end else section


def assert_readme_documents(
    module: str,
    props_class: type,
    construct: type,
    *,
    outputs_end: str | None = None,
    docstring_end: str | None = None,
    inputs_end: str = "## Outputs",
    extra_props: tuple[type, ...] = (),
    inputs_start: str = "## Inputs",
) -> None:
    readme = (MODULES_DIR / module / "README.md").read_text()
    inputs = _between(readme, inputs_start, "## Outputs")
    for klass in (props_class, *extra_props):
        for field in dataclasses.fields(klass):
            assert f"`{field.name}`" in inputs, field.name
    # The "file" column names exactly the keys of the module's environment-file block.
    table = inputs.split(inputs_end)[0]
    rows = [re.split(r"(?<!\\)\|", line) for line in table.splitlines() if line.startswith("| `")]
    in_file = {row[1].strip(" `") for row in rows if len(row) > 4 and row[4].strip() == "yes"}
    assert in_file == {field.name for klass in (props_class, *extra_props) for field in environment_fields(klass)}
    outputs = _between(readme, "## Outputs", outputs_end)
    documented = [line.split("|")[1] for line in outputs.splitlines() if line.startswith("| `")]
    names = _between(construct.__doc__, "Typed outputs (attributes):", docstring_end)
    for name in names.replace("\n", " ").split(","):
        name = name.strip().split(" ")[0].rstrip(".")
        assert any(f"`{name}`" in cell for cell in documented), name
