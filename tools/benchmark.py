"""Measure synthesis, the gate and the test suite against the shipped eager import.

    make benchmark                      (or: .venv/bin/python tools/benchmark.py [--repeat N])
    make benchmark BEFORE=<git ref>     also time the test suite at <ref>, same machine, same run

Each step runs as its own process, as a user runs it, on this machine, in one go:
  floor        the shipped import of cdktf and the AWS provider bindings (all ~2,200
               submodules: what every process paid before bindings.install())
  eager synth  `python main.py` for every environment with the seam turned off
  synth        `python main.py` for every environment (lazy bindings)
  gate         `python -m gate` over the result
  tests        the test recipe of `make test` (ruff, then pytest) without the provider
               tier, warm (setup done); with --before, the same at <ref> in a worktree
               that shares this checkout's virtual environments
  cdktn        with .venv-cdktn (make test creates it): the import of CDK Terrain and its
               (already lazy) provider bindings, and the synthesis, CHAT_INFRA_CDK=cdktn
Peak memory is the largest sum of RSS over the step's whole process tree (python and
jsii's node processes), sampled every 20 ms from /proc. Wall times are medians over
--repeat runs. Targets (issue 6): synth <= 0.35 x floor; synth's peak <= 0.6 x the
floor's peak; tests >= 2 x faster than before.
This is a measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The shipped eager import of the selected toolchain (CHAT_INFRA_CDK; bindings names the packages).
FLOOR_CODE = (
    "import importlib, bindings\n"
    "for package in (bindings.CDK_PACKAGE, bindings.PROVIDER_PACKAGE):\n"
    "    importlib.import_module(package)\n"
)
EAGER = {"CHAT_INFRA_EAGER_BINDINGS": "1"}
# CDK Terrain (README: Two toolchains), measured beside CDKTF when .venv-cdktn exists.
CDKTN_PYTHON = ROOT / ".venv-cdktn" / "bin" / "python"
CDKTN = {"CHAT_INFRA_CDK": "cdktn"}
# The test recipe of `make test` after setup; the provider tier has its own figures
# (make verify) and did not exist before the seam, so it is left out of the comparison.
TEST_RECIPE = ".venv/bin/ruff check . && .venv/bin/python -m pytest -q -p no:cacheprovider -m 'not provider'"
SHARED_ENVIRONMENTS = (".venv", ".venv-checkov", ".venv-moto", ".tools")

SYNTH_RATIO_TARGET = 0.35
PEAK_RATIO_TARGET = 0.6
TESTS_SPEEDUP_TARGET = 2.0


def _tree_rss_kb(root_pid: int) -> int:
    """Sum of VmRSS over root_pid and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid, parent = int(entry), int(fields.get("PPid", "0"))
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(command: list[str] | str, extra_env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak tree RSS in MB of one run of `command` (a string runs in a shell)."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **(extra_env or {})}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, shell=isinstance(command, str), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        detail = stderr.decode()[-2000:]
        shown = command if isinstance(command, str) else " ".join(command)
        raise SystemExit(f"benchmark step failed ({process.returncode}): {shown}\n{detail}")
    return elapsed, peak / 1024


def worktree_at(ref: str) -> Path:
    """A detached worktree of `ref` sharing this checkout's (warm) virtual environments."""
    path = Path(tempfile.mkdtemp(prefix="bench-before-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--force", str(path), ref], cwd=ROOT, check=True, capture_output=True
    )
    for name in SHARED_ENVIRONMENTS:
        if (ROOT / name).exists():
            (path / name).symlink_to(ROOT / name)
    return path


def remove_worktree(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
    shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; medians are reported")
    parser.add_argument("--before", metavar="REF", help="also time the test suite at this git ref (e.g. a tag)")
    args = parser.parse_args()
    outdir = Path(tempfile.mkdtemp(prefix="bench-cdktf.out-"))
    eager_outdir = Path(tempfile.mkdtemp(prefix="bench-eager-cdktf.out-"))
    steps: dict[str, tuple[list[str] | str, dict[str, str] | None, Path]] = {
        "floor (shipped eager import)": ([PYTHON, "-c", FLOOR_CODE], EAGER, ROOT),
        "eager synth (all environments)": ([PYTHON, "main.py", "--outdir", str(eager_outdir)], EAGER, ROOT),
        "synth (all environments, lazy)": ([PYTHON, "main.py", "--outdir", str(outdir)], None, ROOT),
        "gate (checkov, all environments)": (
            [PYTHON, "-m", "gate", "--stacks-dir", str(outdir / "stacks"), "--report-dir", str(outdir / "gate")],
            None,
            ROOT,
        ),
        "tests (make test recipe, warm)": (TEST_RECIPE, None, ROOT),
    }
    before_tree = worktree_at(args.before) if args.before else None
    if before_tree:
        steps[f"tests at {args.before} (warm)"] = (TEST_RECIPE, None, before_tree)
    if CDKTN_PYTHON.is_file():
        cdktn_outdir = Path(tempfile.mkdtemp(prefix="bench-cdktn.out-"))
        steps["cdktn: import (lazy by itself)"] = ([str(CDKTN_PYTHON), "-c", FLOOR_CODE], CDKTN, ROOT)
        steps["cdktn: synth (all environments)"] = (
            [str(CDKTN_PYTHON), "main.py", "--outdir", str(cdktn_outdir)],
            CDKTN,
            ROOT,
        )
    figures = {}
    try:
        measure(TEST_RECIPE)  # warm caches (bytecode, node's module cache) before timing anything
        if before_tree:
            measure(TEST_RECIPE, cwd=before_tree)
        for name, (command, extra_env, cwd) in steps.items():
            runs = [measure(command, extra_env, cwd) for _ in range(args.repeat)]
            figures[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    finally:
        if before_tree:
            remove_worktree(before_tree)

    print(f"{'step':<40}{'wall s':>10}{'peak MB':>10}")
    for name, (seconds, megabytes) in figures.items():
        print(f"{name:<40}{seconds:>10.1f}{megabytes:>10.0f}")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    floor, _, synth, _, tests = (figures[name] for name in list(steps)[:5])
    ratio, peak_ratio = synth[0] / floor[0], synth[1] / floor[1]
    print(f"synth / floor wall = {ratio:.2f} (target <= {SYNTH_RATIO_TARGET}): {verdict(ratio <= SYNTH_RATIO_TARGET)}")
    print(
        f"synth / floor peak memory = {peak_ratio:.2f} (target <= {PEAK_RATIO_TARGET}): "
        f"{verdict(peak_ratio <= PEAK_RATIO_TARGET)}"
    )
    if before_tree:
        before = figures[list(steps)[5]]
        speedup = before[0] / tests[0]
        print(
            f"tests before / after = {speedup:.2f} x (target >= {TESTS_SPEEDUP_TARGET}): "
            f"{verdict(speedup >= TESTS_SPEEDUP_TARGET)}"
        )
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; runs per step: {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
