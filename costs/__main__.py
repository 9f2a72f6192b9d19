"""Monthly cost estimate of every synthesized stack, and its change against a base.

    python -m costs [--stacks-dir cdktf.out/stacks] [--out-dir cdktf.out/review]
                    [--base DIR-OR-GIT-REF [--base-environments-dir environments ...]]

Reads each <stacks-dir>/<stack>/cdk.tf.json (what would be deployed, not the environment
files), prices every resource with the versioned price table (costs/prices/) and the usage
assumptions (costs/usage-assumptions.toml), and writes <out-dir>/<stack>/cost.md and
cost.json: a line per resource, the monthly total (730 hours), the resources not priced
and why, and the assumptions used.

With --base, the same prices and assumptions are applied to a base and the change is
written to <out-dir>/<stack>/cost-diff.md (and all stacks' to <out-dir>/cost-diff.md) and
printed, as a pull-request comment shows it. The base is a folder holding stacks/ (another
cdktf.out), or a git ref: it is checked out into a temporary worktree, synthesized there
with this same Python (main.py --environments-dir, once per --base-environments-dir,
relative to the checkout), and the worktree is removed after.

Exit codes: 0 written; 2 bad input (no stacks, a bad price table or assumptions file, a
region or instance class the price table lacks, a bad base): one line per problem on
stderr, and nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from costs.assumptions import DEFAULT_ASSUMPTIONS, AssumptionFile, load_assumptions
from costs.base import base_stack_files
from costs.diff import diff_all, render_all, render_stack_diff
from costs.estimate import estimate_stack
from costs.model import Estimate
from costs.prices import DEFAULT_PRICES, PriceTable, load_prices
from costs.problems import InputError
from costs.report import estimate_json, money, render_markdown
from costs.stack import find_stack_files, load_stack

EXIT_OK = 0
EXIT_BAD_INPUT = 2
DEFAULT_STACKS_DIR = Path("cdktf.out/stacks")
DEFAULT_OUT_DIR = Path("cdktf.out/review")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    summary, _, details = __doc__.partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="python -m costs",
        description=summary,
        epilog=details,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--stacks-dir",
        type=Path,
        action="append",
        help=f"a folder of synthesized stacks (<stack>/cdk.tf.json); repeat for more (default: {DEFAULT_STACKS_DIR})",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT_DIR, help=f"where <stack>/cost.* go (default: {DEFAULT_OUT_DIR})"
    )
    parser.add_argument("--stack", action="append", metavar="NAME", help="only this stack (repeatable; default: all)")
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES, help="price table (default: %(default)s)")
    parser.add_argument(
        "--assumptions", type=Path, default=DEFAULT_ASSUMPTIONS, help="usage assumptions (default: %(default)s)"
    )
    parser.add_argument("--base", metavar="DIR-OR-REF", help="compare with a cdktf.out folder or a git ref")
    parser.add_argument(
        "--base-environments-dir",
        action="append",
        metavar="DIR",
        help="with a git-ref base: environments folder(s) to synthesize, relative to the checkout "
        "(default: environments)",
    )
    parser.add_argument(
        "--repo", type=Path, default=Path("."), help="the git repository a ref is read from (default: .)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        table, assumptions = _load_inputs(args.prices, args.assumptions)
        current_files = find_stack_files(args.stacks_dir or [DEFAULT_STACKS_DIR])
        _check_stack_names(args.stack, current_files)
        estimates = estimate_files(current_files, args.stack, table, assumptions)
        diffs, base_label = [], ""
        if args.base is not None:
            environments = args.base_environments_dir or ["environments"]
            base = base_stack_files(args.base, repo=args.repo, environments_dirs=environments, python=sys.executable)
            with base as (base_files, base_label):
                base_estimates = estimate_files(base_files, args.stack, table, assumptions, prefix="base: ")
            diffs = diff_all(base_estimates, estimates)
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_estimates(args.out_dir, estimates)
    for name, estimate in estimates.items():
        print(f"{name}: {money(estimate.total_usd)} a month -> {args.out_dir / name / 'cost.md'}")
        if estimate.not_priced:
            print(f"  not priced: {', '.join(item.address for item in estimate.not_priced)}")
    if args.base is not None:
        for diff in diffs:
            (args.out_dir / diff.stack).mkdir(parents=True, exist_ok=True)
            (args.out_dir / diff.stack / "cost-diff.md").write_text(
                render_stack_diff(diff, base_label), encoding="utf-8"
            )
        combined = render_all(diffs, base_label)
        (args.out_dir / "cost-diff.md").write_text(combined, encoding="utf-8")
        print()
        print(combined)
    return EXIT_OK


def _load_inputs(prices: Path, assumptions: Path) -> tuple[PriceTable, AssumptionFile]:
    """Both files checked, all problems of both reported together."""
    problems = []
    table = assumption_file = None
    try:
        table = load_prices(prices)
    except InputError as error:
        problems += error.problems
    try:
        assumption_file = load_assumptions(assumptions)
    except InputError as error:
        problems += error.problems
    if problems or table is None or assumption_file is None:
        raise InputError(problems)
    return table, assumption_file


def _check_stack_names(names: list[str] | None, files: dict[str, Path]) -> None:
    """--stack names a current stack (a base may lack it: the stack is then new)."""
    unknown = [name for name in names or [] if name not in files]
    if unknown:
        raise InputError([f"--stack {name}: no such stack (found: {', '.join(files)})" for name in unknown])


def estimate_files(
    files: dict[str, Path], only: list[str] | None, table: PriceTable, assumptions: AssumptionFile, prefix: str = ""
) -> dict[str, Estimate]:
    """Every stack (or those in `only`) priced; every problem of every stack collected before failing."""
    problems = []
    estimates = {}
    for name, path in files.items():
        if only and name not in only:
            continue
        try:
            estimates[name] = estimate_stack(load_stack(name, path), table, assumptions)
        except InputError as error:
            problems += [prefix + problem for problem in error.problems]
    if problems:
        raise InputError(problems)
    return estimates


def write_estimates(out_dir: Path, estimates: dict[str, Estimate]) -> None:
    for name, estimate in estimates.items():
        directory = out_dir / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "cost.md").write_text(render_markdown(estimate), encoding="utf-8")
        (directory / "cost.json").write_text(json.dumps(estimate_json(estimate), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
