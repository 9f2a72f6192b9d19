"""Measure synthesis and the gate against the floor no project code can go below.

    make benchmark            (or: .venv/bin/python tools/benchmark.py [--repeat N])

Each step runs as its own process, as a user runs it, on this machine, in one go:
  floor  a process that only imports cdktf and the AWS provider bindings
  synth  `python main.py` for every environment
  gate   `python -m gate` over the result
Peak memory is the largest sum of RSS over the step's whole process tree (python and
the jsii node child), sampled every 20 ms from /proc. Wall times are medians over
--repeat runs. Targets: synth <= 1.3 x floor, gate < 15 s, peak < 1.2 GB.
This is a measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLOOR_CODE = "import cdktf, cdktf_cdktf_provider_aws.provider"

SYNTH_RATIO_TARGET = 1.3
GATE_SECONDS_TARGET = 15.0
PEAK_MB_TARGET = 1200.0


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


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak tree RSS in MB of one run of `command`."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        raise SystemExit(f"benchmark step failed ({process.returncode}): {' '.join(command)}\n{detail}")
    return elapsed, peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; medians are reported")
    args = parser.parse_args()
    outdir = Path(tempfile.mkdtemp(prefix="bench-cdktf.out-"))
    steps = {
        "floor (import provider bindings)": [PYTHON, "-c", FLOOR_CODE],
        "synth (all environments)": [PYTHON, "main.py", "--outdir", str(outdir)],
        "gate (checkov, all environments)": [
            PYTHON,
            "-m",
            "gate",
            "--stacks-dir",
            str(outdir / "stacks"),
            "--report-dir",
            str(outdir / "gate"),
        ],
    }
    figures = {}
    for name, command in steps.items():
        runs = [measure(command) for _ in range(args.repeat)]
        figures[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))

    floor, synth, gate = (figures[name] for name in steps)
    ratio = synth[0] / floor[0]
    peak = max(f[1] for f in figures.values())
    print(f"{'step':<36}{'wall s':>10}{'peak MB':>10}")
    for name, (seconds, megabytes) in figures.items():
        print(f"{name:<36}{seconds:>10.1f}{megabytes:>10.0f}")

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"synth / floor = {ratio:.2f} (target <= {SYNTH_RATIO_TARGET}): {verdict(ratio <= SYNTH_RATIO_TARGET)}")
    print(f"gate = {gate[0]:.1f} s (target < {GATE_SECONDS_TARGET:.0f} s): {verdict(gate[0] < GATE_SECONDS_TARGET)}")
    print(f"peak memory = {peak:.0f} MB (target < {PEAK_MB_TARGET:.0f} MB): {verdict(peak < PEAK_MB_TARGET)}")
    print(f"machine: {os.cpu_count()} cores; runs per step: {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
