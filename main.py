"""Synthesize one stack per environment file: `python main.py [ENV ...]`.

Environment files are validated before cdktf or the provider bindings are imported,
so a mistake is reported in about a second, with exit code 2 and nothing written.
The bindings are then loaded lazily (bindings.install()).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import bindings
from envconfig import EnvironmentFileError, load_environments

ROOT = Path(__file__).resolve().parent
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", nargs="*", metavar="ENV", help="environment names (default: all)")
    parser.add_argument("--environments-dir", type=Path, default=ROOT / "environments")
    parser.add_argument("--outdir", help="output folder (default: cdktf.out, or what `cdktf synth` sets)")
    args = parser.parse_args(argv)

    try:
        configs = load_environments(args.environments_dir, args.environments)
    except EnvironmentFileError as error:
        print(f"error: {len(error.problems)} problem(s) in environment files:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT

    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # known: Node 20 is what runs here
    bindings.install()  # only the provider submodules the stacks use are imported
    bindings.limit_jsii_node_memory()
    from stacks import build_app

    outdir = args.outdir or os.environ.get("CDKTF_OUTDIR", "cdktf.out")
    # cdktf creates only the last folder of the path; a new nested --outdir is normal use.
    Path(outdir).mkdir(parents=True, exist_ok=True)
    build_app(configs, outdir=args.outdir).synth()
    for config in configs:
        print(f"synthesized {config.stack_name} -> {outdir}/stacks/{config.stack_name}/cdk.tf.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
