"""Which engine runs the provider-backed tier and the review: Terraform, or OpenTofu beside it.

Both read the same synthesized JSON and the same AWS provider builds. What differs is the
executable and the registry host each resolves `hashicorp/aws` to: the filesystem mirror
holds the builds under Terraform's host, and tools/ensure_tofu.sh lays them out under
OpenTofu's host as well (symlinked platform folders), so each engine's CLI configuration
names its own address.

`tofu` is found on PATH, else as tools/ensure_tofu.sh builds it from its Go module source
into ~/.cache/chat-infra/tofu/<TOFU_VERSION>/tofu (no release binaries are reachable on
these machines). Where it could not be built, that script's recorded reason is what the
tier prints after NOT RUN for tofu.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from verify.provider import PROVIDER_ADDRESS, read_versions

TERRAFORM = "terraform"
TOFU = "tofu"
ENGINE_NAMES = (TERRAFORM, TOFU)
TOFU_VERSION = read_versions()["TOFU_VERSION"]
TOFU_DIR_ENV = "CHAT_INFRA_TOFU_DIR"
TOFU_BUILD_STATUS_FILE = "build-status.txt"  # written by tools/ensure_tofu.sh when tofu could not be had
ASK_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Engine:
    name: str  # "terraform" or "tofu": what reports call it
    executable: str  # what is run
    provider_address: str  # <its registry host>/hashicorp/aws: where it looks up the provider

    @property
    def label(self) -> str:
        return f"{self.name} ({self.executable})"


# Terraform as found on PATH, at the address the project has always named: the default of
# every helper that runs one command.
TERRAFORM_ON_PATH = Engine(TERRAFORM, TERRAFORM, PROVIDER_ADDRESS)


class UnknownEngine(ValueError):
    pass


def check_engine_name(name: str) -> str:
    if name not in ENGINE_NAMES:
        raise UnknownEngine(f"unknown engine {name!r}: expected one of {', '.join(ENGINE_NAMES)}")
    return name


def tofu_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chat-infra" / "tofu"
    return Path(os.environ.get(TOFU_DIR_ENV) or default)


def built_tofu() -> Path:
    return tofu_dir() / TOFU_VERSION / "tofu"


def find_executable(name: str, path: str | None = None) -> str | None:
    """The engine's executable: on PATH (`path`, else this process's), else, for tofu, the build."""
    found = shutil.which(check_engine_name(name), path=path)
    if found is None and name == TOFU and os.access(built_tofu(), os.X_OK):
        found = str(built_tofu())
    return found


def missing_engine_reason(name: str) -> str:
    if name == TERRAFORM:
        return "terraform is not on PATH"
    status = tofu_dir() / TOFU_BUILD_STATUS_FILE
    why = status.read_text().strip() if status.is_file() else "`make tofu` has not built it"
    return f"tofu is neither on PATH nor built at {built_tofu()}: {why}"


@functools.cache
def asked_provider_address(executable: str) -> str:
    """`<host>/hashicorp/aws` as the engine itself resolves `hashicorp/aws` (no init needed):
    its registry host is its own knowledge, not this project's."""
    with tempfile.TemporaryDirectory(prefix="engine-host-") as scratch:
        required = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        (Path(scratch) / "main.tf").write_text(required)
        completed = subprocess.run(
            [executable, "providers", "-no-color"],
            cwd=scratch,
            env={**os.environ, "CHECKPOINT_DISABLE": "1"},
            capture_output=True,
            text=True,
            timeout=ASK_TIMEOUT_SECONDS,
        )
    found = re.search(r"provider\[([^\]/]+/hashicorp/aws)\]", completed.stdout)
    if completed.returncode != 0 or found is None:
        output = (completed.stderr or completed.stdout).strip()[-500:]
        raise EngineCannotRun(f"`{executable} providers` named no address for hashicorp/aws: {output}")
    return found.group(1)


class EngineCannotRun(Exception):
    pass


def find_engine(name: str, path: str | None = None) -> Engine | None:
    """The engine ready to run, or None when it is missing (missing_engine_reason says why).
    Terraform's address is the one the project always named; tofu is asked for its own."""
    executable = find_executable(name, path)
    if executable is None:
        return None
    address = PROVIDER_ADDRESS if name == TERRAFORM else asked_provider_address(executable)
    return Engine(name, executable, address)


def engine_or_reason(name: str, path: str | None = None) -> tuple[Engine | None, str | None]:
    """The engine ready to run, or why it is not (missing, or it cannot name its provider address)."""
    try:
        engine = find_engine(name, path)
    except EngineCannotRun as error:
        return None, str(error)
    return (engine, None) if engine else (None, missing_engine_reason(name))
