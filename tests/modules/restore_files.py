"""A shipped environment file with a `restore { }` block added inside one store's block, and
the problems loading it reports: the environment-file path of the restore tests (database,
dynamodb, documentdb)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envconfig.loader import EnvironmentFileError, load_environment

ROOT = Path(__file__).resolve().parents[2]


def file_with_restore(source: str, directory: Path, block: str, restore_lines: str) -> Path:
    """`source` (e.g. "examples/dynamodb-apigw.hcl") with `restore { <restore_lines> }` first in
    its `<block> { }`, written to `directory` under the same name."""
    text = (ROOT / source).read_text()
    opening = f"{block} {{"
    assert opening in text, f"{source} has no {opening}"
    path = directory / Path(source).name
    path.write_text(text.replace(opening, f"{opening}\n  restore {{\n{restore_lines}  }}\n", 1))
    return path


def refused(path: Path) -> dict[str, str]:
    """Every problem loading `path` reports, {key: message}; each names the file."""
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(path)
    problems = caught.value.problems
    assert all(path.name in str(problem) for problem in problems)
    return {problem.key: problem.message for problem in problems}
