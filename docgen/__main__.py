"""`python -m docgen`: regenerate the inputs/outputs tables of every module README, the gate's
rule tables (README.md and module READMEs, docgen/rule_catalogue.py), and the application
contract (docs/application-contract.md, docgen/contract.py).

Exit codes: 0 up to date (or written); 1 a README or the contract is out of date (--check)
or something cannot be completed (a missing docstring, description, type, marker or a
variable's meaning: each named on stderr); 2 the modules directory or a module's code
cannot be read, or the contract's scratch stacks cannot be synthesized (nothing written).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from docgen import contract, rule_catalogue
from docgen.module_docs import PROJECT_MODULES_DIR, DocgenInputError, ReadmeResult, document_modules

REGENERATE_HINT = "run `python -m docgen` (or `make docs`) to regenerate them"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m docgen",
        description=(
            "Regenerate the inputs and outputs tables of each modules/<name>/README.md between its "
            "<!-- BEGIN GENERATED: inputs|outputs (Class) --> and <!-- END GENERATED --> lines, from the "
            "module's props dataclasses (type, default, environment-file key, field docstring, check) and "
            "its constructs' typed outputs. The rest of each README is left as written. A README without "
            "markers gets them around the table of the section that names the class."
        ),
        epilog=(
            "Output descriptions written in a generated table are kept; everything else in a block is "
            "overwritten. Exit 0: up to date or written; 1: out of date (--check) or something to fix by "
            "hand; 2: unreadable modules directory or module code."
        ),
    )
    parser.add_argument(
        "modules",
        nargs="*",
        metavar="MODULE",
        help="only these modules (folder names); default: every one with a props.py",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; list the READMEs that are out of date and exit 1 if any"
    )
    parser.add_argument("--diff", action="store_true", help="--check, and print what regenerating would change")
    parser.add_argument(
        "--no-contract",
        action="store_true",
        help="leave docs/application-contract.md alone (it synthesizes scratch stacks, ~30 s); "
        "naming modules or another --modules-dir implies it",
    )
    parser.add_argument(
        "--modules-dir",
        type=Path,
        default=PROJECT_MODULES_DIR,
        help=f"the folder of modules (default: {PROJECT_MODULES_DIR.name}/ of this project)",
    )
    return parser


def _report_check(results: Sequence[ReadmeResult], show_diff: bool) -> bool:
    stale = [result for result in results if result.stale]
    for result in stale:
        print(f"docgen: out of date: {result.shown_as}")
        if show_diff:
            diff = difflib.unified_diff(
                result.old.splitlines(keepends=True),
                result.new.splitlines(keepends=True),
                f"{result.shown_as} (as it is)",
                f"{result.shown_as} (regenerated)",
            )
            sys.stdout.writelines(diff)
    if stale:
        print(f"docgen: {len(stale)} of {len(results)} READMEs out of date: {REGENERATE_HINT}")
    return bool(stale)


def _write(results: Sequence[ReadmeResult]) -> None:
    for result in results:
        if result.stale:
            result.path.write_text(result.new, encoding="utf-8")
            print(f"docgen: wrote {result.shown_as}")


def _contract(text: str, check: bool, show_diff: bool) -> bool:
    """Write the contract, or (check) say whether it is out of date."""
    path = contract.CONTRACT_PATH
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old == text:
        return False
    shown = path.relative_to(contract.PROJECT_ROOT)
    if not check:
        path.write_text(text, encoding="utf-8")
        print(f"docgen: wrote {shown}")
        return False
    print(f"docgen: out of date: {shown}: run `{contract.REGENERATE_COMMAND}`")
    if show_diff:
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{shown} (as it is)",
                f"{shown} (regenerated)",
            )
        )
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.check = args.check or args.diff
    try:
        results = document_modules(args.modules_dir, args.modules)
    except DocgenInputError as error:
        print(f"docgen: {error}", file=sys.stderr)
        return 2
    # The rule tables are the project's: not for a subset of modules or another modules folder.
    if not (args.modules or args.modules_dir.resolve() != PROJECT_MODULES_DIR):
        results = rule_catalogue.document_rule_tables(results)
    failed = _report_check(results, args.diff) if args.check else False
    if not args.check:
        _write(results)
    problems = [problem for result in results for problem in result.problems]
    # The contract is the project's: not for a subset of modules or another modules folder.
    if not (args.no_contract or args.modules or args.modules_dir.resolve() != PROJECT_MODULES_DIR):
        try:
            text, contract_problems = contract.generate()
        except contract.ContractError as error:
            print(f"docgen: application contract: {error}", file=sys.stderr)
            return 2
        problems += [f"application contract: {problem}" for problem in contract_problems]
        failed = _contract(text, args.check, args.diff) or failed
    for problem in problems:
        print(f"docgen: {problem}", file=sys.stderr)
    if not failed and not problems:
        print(f"docgen: every module README and rule table is up to date ({len(results)} READMEs checked)")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
