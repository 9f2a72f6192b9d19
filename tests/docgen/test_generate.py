"""The generator on a fake module: the tables it writes, what it keeps, --check, and what it refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docgen.__main__ import main

# The widget README after one run, written out by hand from the fake module in conftest.py:
# every line outside the markers is the hand-written README's.
EXPECTED_WIDGET_README = """# widget

Hand-written purpose.

```python
# a comment, not a heading
| not | a table |
```

## Inputs (`WidgetProps`)

Prose before the table.

<!-- BEGIN GENERATED: inputs (WidgetProps) from props.py: edit there, then run make docs -->

| name | type | default | file | description |
|---|---|---|---|---|
| `name` | `str` | required |  | Prefix of every name, e.g. "chat-dev". |
| `region` | `str` | required |  | Where \\<it> runs \\| somewhere. Expected: an AWS region such as eu-west-1. |
| `replicas` | `int` | `2` | yes | Copies kept, across zones. Expected: 1 to 20,000. |
| `size` | `"small" \\| "large"` | `"small"` | yes | How big. |
| `mode` | `str` | `"fast"` | yes | How it runs. Expected: one of 'fast' or 'safe'. |
| `colour` | `str` | `"#000000"` | yes | Paint. Expected: a hex colour such as #ff0000. |
| `weight` | `int` | `5` |  | Weight, 1 to 10 (the rule is said once). |
| `zones` | `tuple[str, ...] \\| None` | `None` |  | Zones, e.g. `<region>a`; looked up when None. |
| `labels` | `dict[str, str]` | `{"team": "chat"}` |  | Extra labels. |

<!-- END GENERATED -->

Prose after the table.

### `SpecialWidgetProps`

<!-- BEGIN GENERATED: inputs (SpecialWidgetProps) from props.py: edit there, then run make docs -->

`SpecialWidgetProps`: the inputs of `WidgetProps`, and:

| name | type | default | file | description |
|---|---|---|---|---|
| `sparkle` | `bool` | `True` | yes | Shine. |

<!-- END GENERATED -->

## Outputs (attributes of `Widget`)

<!-- BEGIN GENERATED: outputs (Widget) from widget.py: edit there (descriptions here), then run make docs -->

| name | type | description |
|---|---|---|
| `widget_id` | `str` | The widget's id. |
| `size` | `None \\| Size` | None when small. |
| `endpoint` | `str` | Kept \\| with a pipe. |
| `kms_key_arn` | `str` | Kept \\| with a pipe. |
| `labels` | `dict[str, str]` | Labels as given. |

<!-- END GENERATED -->

## Costs

Hand-written costs.
"""


def readme(modules_dir: Path, module: str = "widget") -> Path:
    return modules_dir / module / "README.md"


def test_generates_the_tables_and_keeps_the_hand_written_text(widget_modules: Path, capsys) -> None:
    assert main(["--modules-dir", str(widget_modules)]) == 0
    assert readme(widget_modules).read_text() == EXPECTED_WIDGET_README
    assert "wrote modules/widget/README.md" in capsys.readouterr().out


def test_a_second_run_changes_nothing_and_check_passes(widget_modules: Path, capsys) -> None:
    main(["--modules-dir", str(widget_modules)])
    capsys.readouterr()
    assert main(["--modules-dir", str(widget_modules)]) == 0
    assert "wrote" not in capsys.readouterr().out
    assert main(["--check", "--modules-dir", str(widget_modules)]) == 0
    assert readme(widget_modules).read_text() == EXPECTED_WIDGET_README


def test_text_between_and_around_blocks_survives_a_regeneration(widget_modules: Path) -> None:
    main(["--modules-dir", str(widget_modules)])
    path = readme(widget_modules)
    edited = (
        path.read_text()
        .replace("Hand-written purpose.", "Purpose, rewritten by a person.\n\n| a | prose table |\n|---|---|")
        .replace("Prose after the table.", "Prose after the table, longer now.")
        .replace("Hand-written costs.", "About $3/month.")
    )
    path.write_text(edited)
    main(["--modules-dir", str(widget_modules)])
    assert path.read_text() == edited


def test_an_output_description_written_in_the_generated_table_is_kept(widget_modules: Path) -> None:
    main(["--modules-dir", str(widget_modules)])
    path = readme(widget_modules)
    path.write_text(path.read_text().replace("| Labels as given. |", "| Labels, merged with the stack's. |"))
    assert main(["--check", "--modules-dir", str(widget_modules)]) == 0
    main(["--modules-dir", str(widget_modules)])
    assert "| `labels` | `dict[str, str]` | Labels, merged with the stack's. |" in path.read_text()


def test_check_fails_on_a_readme_edited_by_hand_and_writes_nothing(widget_modules: Path, capsys) -> None:
    main(["--modules-dir", str(widget_modules)])
    path = readme(widget_modules)
    stale = path.read_text().replace("| `replicas` | `int` | `2` |", "| `replicas` | `int` | `3` |")
    path.write_text(stale)
    capsys.readouterr()
    assert main(["--check", "--modules-dir", str(widget_modules)]) == 1
    out = capsys.readouterr().out
    assert "out of date: modules/widget/README.md" in out
    assert "python -m docgen" in out and "make docs" in out
    assert path.read_text() == stale


def test_check_fails_when_the_code_changes_under_a_fresh_readme(widget_modules: Path, capsys) -> None:
    main(["--modules-dir", str(widget_modules)])
    props = widget_modules / "widget" / "props.py"
    props.write_text(props.read_text().replace('"""Shine."""', '"""Shine, brightly."""'))
    capsys.readouterr()
    assert main(["--check", "--diff", "--modules-dir", str(widget_modules)]) == 1
    out = capsys.readouterr().out
    assert "-| `sparkle` | `bool` | `True` | yes | Shine. |" in out
    assert "+| `sparkle` | `bool` | `True` | yes | Shine, brightly. |" in out


def test_a_new_output_without_a_description_is_reported(widget_modules: Path, capsys) -> None:
    construct = widget_modules / "widget" / "widget.py"
    text = construct.read_text().replace("kms_key_arn, labels.", "kms_key_arn, labels, port.")
    construct.write_text(
        text.replace("self.labels = self._labels()", "self.labels = self._labels()\n        self.port = 6379")
    )
    assert main(["--modules-dir", str(widget_modules)]) == 1
    err = capsys.readouterr().err
    assert "output `Widget.port` has no description" in err
    assert "| `port` | `int` |  |" in readme(widget_modules).read_text()


def test_outputs_the_source_does_not_back_are_reported(module_writer, widget_modules: Path, capsys) -> None:
    module_writer(
        "gadget",
        {
            "props.py": """
                from dataclasses import dataclass

                @dataclass(frozen=True, kw_only=True)
                class GadgetProps:
                    size: int = 1
            """,
            "gadget.py": '''
                class Gadget:
                    """Typed outputs (attributes): ghost, mystery."""

                    def __init__(self):
                        self.mystery = unknown_function()
            ''',
            "README.md": "# gadget\n\n## Inputs\n\n| a |\n|---|\n\n## Outputs\n\nNone yet.\n",
        },
    )
    assert main(["--modules-dir", str(widget_modules), "gadget"]) == 1
    err = capsys.readouterr().err
    assert "modules/gadget/gadget.py: Gadget: lists `ghost` as an output but never sets self.ghost" in err
    assert "cannot tell the type of `mystery`: annotate where it is set" in err
    assert "modules/gadget/props.py: GadgetProps.size has no docstring" in err
    assert "cannot tell where the outputs table of `Gadget` goes" in err
    assert "<!-- BEGIN GENERATED: outputs (Gadget) -->" in err


def test_unbalanced_markers_leave_the_readme_untouched(widget_modules: Path, capsys) -> None:
    path = readme(widget_modules)
    broken = path.read_text().replace("## Costs", "<!-- BEGIN GENERATED: inputs (WidgetProps) -->\n\n## Costs")
    path.write_text(broken)
    assert main(["--modules-dir", str(widget_modules)]) == 1
    assert "BEGIN GENERATED without an END GENERATED after it" in capsys.readouterr().err
    assert path.read_text() == broken


def test_a_block_for_a_class_the_module_does_not_have_is_reported(widget_modules: Path, capsys) -> None:
    path = readme(widget_modules)
    path.write_text(path.read_text() + "\n<!-- BEGIN GENERATED: inputs (OldProps) -->\n<!-- END GENERATED -->\n")
    assert main(["--modules-dir", str(widget_modules)]) == 1
    assert "inputs (OldProps) is no props class or construct here" in capsys.readouterr().err


def test_a_missing_modules_directory_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["--modules-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nowhere: expected a modules directory" in err[0]


def test_an_unknown_module_name_is_a_one_line_error(widget_modules: Path, capsys) -> None:
    assert main(["--modules-dir", str(widget_modules), "wigdet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected modules with a props.py (widget), got wigdet" in err[0]


def test_props_that_fail_to_import_stop_everything_before_writing(module_writer, widget_modules, capsys) -> None:
    module_writer("broken", {"props.py": "raise RuntimeError('no')\n", "README.md": "# broken\n"})
    before = readme(widget_modules).read_text()
    assert main(["--modules-dir", str(widget_modules)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken/props.py: cannot import: RuntimeError: no" in err[0]
    assert readme(widget_modules).read_text() == before


def test_a_class_generated_twice_is_reported(widget_modules: Path, capsys) -> None:
    main(["--modules-dir", str(widget_modules)])
    path = readme(widget_modules)
    path.write_text(path.read_text() + "\n<!-- BEGIN GENERATED: outputs (Widget) -->\n<!-- END GENERATED -->\n")
    assert main(["--check", "--modules-dir", str(widget_modules)]) == 1
    assert "modules/widget/README.md: outputs (Widget) is generated more than once" in capsys.readouterr().err


def test_help_explains_the_command() -> None:
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "-m", "docgen", "--help"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0
    assert "--check" in run.stdout and "BEGIN GENERATED" in run.stdout
