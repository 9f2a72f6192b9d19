"""`python -m hcl_render`: every synthesized stack as Terraform's native syntax (HCL).

Reads <stacks-dir>/<stack>/cdk.tf.json (repeatable; default cdktf.out/stacks) and writes
<out-dir>/<stack>/*.tf (default cdktf.out/hcl), one file per section: terraform.tf,
providers.tf, locals.tf, data.tf, main.tf (resources), outputs.tf. Not beside cdk.tf.json:
terraform reads every .tf and .tf.json of a folder, so both forms in one folder would
declare everything twice (and `make plan` runs terraform in the stack's folder).
Exit codes: 0 rendered, 1 a stack could not be rendered (the reason is printed), 2 no stacks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hcl_render.render import ProviderSchema, RenderError, render_stack

STACK_FILE = "cdk.tf.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="render synthesized stacks as HCL, driven by the provider schema")
    parser.add_argument("--stacks-dir", type=Path, action="append", help="repeatable; default cdktf.out/stacks")
    parser.add_argument("--out-dir", type=Path, default=Path("cdktf.out/hcl"))
    args = parser.parse_args(argv)
    stacks = [p for d in args.stacks_dir or [Path("cdktf.out/stacks")] for p in sorted(d.glob(f"*/{STACK_FILE}"))]
    if not stacks:
        print("hcl: no synthesized stacks; run `make synth`", file=sys.stderr)
        return 2
    schema = ProviderSchema()
    failed = 0
    for stack_file in stacks:
        started = time.monotonic()
        try:
            written = render_stack(stack_file, args.out_dir / stack_file.parent.name, schema)
        except RenderError as error:
            print(f"hcl: FAILED {stack_file}: {error}", file=sys.stderr)
            failed += 1
            continue
        seconds = time.monotonic() - started
        names = ", ".join(p.name for p in written)
        print(f"hcl: {stack_file.parent.name} -> {args.out_dir / stack_file.parent.name}/ ({names}; {seconds:.2f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
