"""The base a diff compares against: a folder holding synthesized stacks, or a git ref that is
checked out into a temporary worktree and synthesized there (the worktree is removed after,
also when synthesis fails)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from costs.problems import InputError
from costs.stack import find_stack_files
from gate.run import STACK_FILE, find_stacks

# A full synthesis takes about a minute per environments folder on a 2-core machine.
SYNTH_TIMEOUT_SECONDS = 900
GIT_TIMEOUT_SECONDS = 120
# How much of a failed synthesis's stderr an error repeats.
STDERR_TAIL_LINES = 15
QUIET_JSII = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
}


@contextmanager
def base_stack_files(
    base: str, *, repo: Path, environments_dirs: Sequence[str], python: str
) -> Iterator[tuple[dict[str, Path], str]]:
    """(stack name -> cdk.tf.json, a label for the report) of the base; files of a git ref
    live in a temporary folder until the context ends."""
    directory = Path(base)
    if directory.is_dir():
        yield stack_files_in(directory), f"`{directory}`"
        return
    commit = resolve_ref(repo, base)
    workdir = Path(tempfile.mkdtemp(prefix="costs-base-"))
    try:
        stacks_dirs = synthesize_ref(repo, commit, environments_dirs, python, workdir)
        files = find_stack_files(stacks_dirs) if stacks_dirs else {}
        yield files, f"`{base}` ({commit[:12]}, synthesized)"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stack_files_in(directory: Path) -> dict[str, Path]:
    """A cdktf.out folder (with stacks/), or a stacks folder itself."""
    if (directory / "stacks").is_dir():
        return find_stacks(directory / "stacks")
    if found := find_stacks(directory):
        return found
    raise InputError(
        [f"--base {directory}: holds no stacks/ folder and no */{STACK_FILE} (expected a cdktf.out folder)"]
    )


def resolve_ref(repo: Path, ref: str) -> str:
    """The commit `ref` names in `repo`; an InputError when it is neither a folder nor a ref."""
    try:
        result = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except FileNotFoundError:
        raise InputError([f"--base {ref}: not a folder, and git is not installed to read it as a ref"]) from None
    if result.returncode != 0:
        raise InputError([f"--base {ref}: neither a folder nor a git ref (commit, branch or tag) in {repo}"])
    return result.stdout.strip()


def synthesize_ref(repo: Path, commit: str, environments_dirs: Sequence[str], python: str, workdir: Path) -> list[Path]:
    """Check `commit` out into a worktree under `workdir`, run its main.py once per
    environments folder (relative to the checkout) with `python`, and return the stacks
    folders written (under `workdir`, outside the worktree). The worktree is removed on
    the way out, whatever happened."""
    worktree = workdir / "worktree"
    added = _git(repo, "worktree", "add", "--detach", str(worktree), commit)
    if added.returncode != 0:
        raise InputError([f"--base {commit[:12]}: git worktree add failed: {added.stderr.strip()}"])
    try:
        stacks_dirs = []
        for index, environments in enumerate(environments_dirs):
            if not (worktree / environments).is_dir():
                raise InputError([f"--base {commit[:12]}: the ref has no {environments}/ folder to synthesize"])
            outdir = workdir / f"out-{index}"
            _synthesize(worktree, environments, outdir, python, commit)
            stacks_dirs.append(outdir / "stacks")
        return stacks_dirs
    finally:
        removed = _git(repo, "worktree", "remove", "--force", str(worktree))
        if removed.returncode != 0:
            shutil.rmtree(worktree, ignore_errors=True)
            _git(repo, "worktree", "prune")


def _synthesize(worktree: Path, environments: str, outdir: Path, python: str, commit: str) -> None:
    command = [python, "main.py", "--environments-dir", environments, "--outdir", str(outdir)]
    try:
        result = subprocess.run(
            command,
            cwd=worktree,
            env={**os.environ, **QUIET_JSII},
            capture_output=True,
            text=True,
            timeout=SYNTH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            [f"--base {commit[:12]}: synthesizing {environments}/ took over {SYNTH_TIMEOUT_SECONDS} s"]
        ) from None
    if result.returncode != 0:
        tail = " | ".join(result.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise InputError(
            [f"--base {commit[:12]}: `main.py --environments-dir {environments}` exited {result.returncode}: {tail}"]
        )


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
    )
