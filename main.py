"""Synthesize one stack per environment file: `python main.py [ENV ...]`.

Environment files are validated before cdktf or the provider bindings are imported,
so a mistake is reported in about a second, with exit code 2 and nothing written.
The bindings are then loaded lazily (bindings.install()).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import bindings
from envconfig import EnvironmentConfig, EnvironmentFileError, load_environments
from envconfig.loader import ENVIRONMENT_SUFFIX, Problem, display_path

ROOT = Path(__file__).resolve().parent
EXIT_BAD_INPUT = 2
T = TypeVar("T")


def report(problems: Sequence[Problem]) -> None:
    print(f"error: {len(problems)} problem(s) in environment files:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def build_or_report(
    configs: Sequence[EnvironmentConfig], directory: Path, build: Callable[[Sequence[EnvironmentConfig]], T]
) -> tuple[T | None, list[Problem]]:
    """The app built from every config, or, when a module refuses a value the file's validation let
    through (a ValueError while building), one problem per file that fails, naming the file: never
    a traceback. Each config is built alone only on that path, to tell which file it was."""
    try:
        return build(configs), []
    except ValueError as error:
        together = str(error)
    problems = []
    for config in configs:
        try:
            build([config])
        except ValueError as error:
            shown = display_path(Path(directory) / f"{config.name}{ENVIRONMENT_SUFFIX}")
            message = f"{error} (refused while building {config.stack_name}: the file's validation missed it)"
            problems.append(Problem(shown, "", message))
    if not problems:  # only together do they fail: report it against every file
        problems = [
            Problem(display_path(Path(directory)), "", f"{together} (refused while building the stacks together)")
        ]
    return None, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", nargs="*", metavar="ENV", help="environment names (default: all)")
    parser.add_argument("--environments-dir", type=Path, default=ROOT / "environments")
    parser.add_argument("--outdir", help="output folder (default: cdktf.out, or what `cdktf synth` sets)")
    args = parser.parse_args(argv)

    # CHAT_INFRA_CDK names the toolchain (bindings/): judged with the files, reported with them.
    toolchain_problem = bindings.toolchain_problem()
    if toolchain_problem:
        print(f"error: {toolchain_problem}", file=sys.stderr)
    try:
        configs = load_environments(args.environments_dir, args.environments)
    except EnvironmentFileError as error:
        report(error.problems)
        return EXIT_BAD_INPUT
    if toolchain_problem:
        return EXIT_BAD_INPUT

    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # known: Node 20 is what runs here
    bindings.install()  # only the provider submodules the stacks use are imported
    bindings.limit_jsii_node_memory()
    from stacks import build_app

    outdir = args.outdir or os.environ.get("CDKTF_OUTDIR", "cdktf.out")
    # Folders this run creates, outermost first: removed again if a module refuses a value.
    created = [path for path in (*reversed(Path(outdir).parents), Path(outdir), Path(outdir) / "stacks")
               if not path.exists()]  # fmt: skip
    # cdktf creates only the last folder of the path (when the App is made); a new nested
    # --outdir is normal use.
    Path(outdir).mkdir(parents=True, exist_ok=True)
    app, problems = build_or_report(configs, args.environments_dir, lambda given: build_app(given, outdir=args.outdir))
    if problems:
        for path in reversed(created):  # nothing written: not even the empty folders made for it
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        report(problems)
        return EXIT_BAD_INPUT
    app.synth()
    for config in configs:
        print(f"synthesized {config.stack_name} -> {outdir}/stacks/{config.stack_name}/cdk.tf.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
