"""Which AWS provider build validates the stacks, and how terraform is told to use it.

The versions are written once, in verify/provider.env (shell-readable, for
tools/ensure_provider.sh and the Makefile). The pinned version is what the bindings
generate for; the stand-in is the only 6.x build these machines can make (see that file).
The choice, in order:
1. CHAT_INFRA_USE_REGISTRY=1: the pinned version from the Terraform registry, unchanged.
2. The pinned version in the filesystem mirror (~/.cache/chat-infra/terraform-plugins).
3. The stand-in in the mirror; every report then says STAND-IN.

terraform always runs with this tier's own CLI configuration: the machine image points
TF_CLI_CONFIG_FILE at a file that does not exist (a warning on every command) and ships
an AWS provider 5.100.0 build of its own, another major version that must never be
picked up. The configuration names exactly one source for hashicorp/aws.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_FILE = Path(__file__).with_name("provider.env")
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
BUILD_STATUS_FILE = "build-status.txt"  # written by tools/ensure_provider.sh when a build could not run
USE_REGISTRY_ENV = "CHAT_INFRA_USE_REGISTRY"
MIRROR_ENV = "CHAT_INFRA_PROVIDER_MIRROR"


def read_versions(path: Path = ENV_FILE) -> dict[str, str]:
    """KEY=value lines of verify/provider.env (comments and blank lines skipped)."""
    versions = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            versions[key.strip()] = value.strip()
    return versions


_VERSIONS = read_versions()
PINNED_VERSION = _VERSIONS["PINNED_PROVIDER_VERSION"]
STANDIN_VERSION = _VERSIONS["STANDIN_PROVIDER_VERSION"]


@dataclass(frozen=True)
class ListedWarning:
    """A warning only the stand-in emits, accepted with its reason (stale when it stops)."""

    summary: str
    detail_contains: str
    reason: str

    def matches(self, summary: str, detail: str) -> bool:
        return summary == self.summary and self.detail_contains in detail


# Every other warning from validate, plan or apply is an error. Applies only when the
# stand-in runs; with the pinned provider the list is not consulted.
STANDIN_WARNINGS: tuple[ListedWarning, ...] = (
    ListedWarning(
        summary="Argument is deprecated",
        detail_contains="is deprecated. Use key_schema instead.",
        reason="hashicorp/aws 6.47 deprecates aws_dynamodb_table's hash_key and range_key (and a global "
        "secondary index's) in favour of key_schema, which the pinned 6.25.0 and its cdktf bindings "
        "(21.22.1) do not have; 6.25.0 emits no such warning.",
    ),
)


def default_mirror() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chat-infra" / "terraform-plugins"


def mirror_dir() -> Path:
    return Path(os.environ.get(MIRROR_ENV) or default_mirror())


def mirrored_provider(mirror: Path, version: str, address: str = PROVIDER_ADDRESS) -> Path:
    """A build in the mirror, under the registry host of `address` (verify/engine.py: each engine's own)."""
    return mirror / address / version / "linux_amd64" / f"terraform-provider-aws_v{version}_x5"


@dataclass(frozen=True)
class ProviderChoice:
    version: str
    mirror: Path | None  # None: the Terraform registry

    @property
    def stand_in(self) -> bool:
        return self.version != PINNED_VERSION

    @property
    def label(self) -> str:
        source = f"mirror {self.mirror}" if self.mirror else "the Terraform registry"
        text = f"hashicorp/aws {self.version} from {source}"
        if self.stand_in:
            text += f" (STAND-IN: not the pinned {PINNED_VERSION}; a pass does not verify {PINNED_VERSION})"
        return text


def choose_provider(
    mirror: Path, requested: str | None = None, address: str = PROVIDER_ADDRESS
) -> ProviderChoice | None:
    """The build to use, or None when there is none (see unavailable_reasons)."""
    if requested:
        return ProviderChoice(requested, mirror) if mirrored_provider(mirror, requested, address).is_file() else None
    if os.environ.get(USE_REGISTRY_ENV):
        return ProviderChoice(PINNED_VERSION, None)
    for version in (PINNED_VERSION, STANDIN_VERSION):
        if mirrored_provider(mirror, version, address).is_file():
            return ProviderChoice(version, mirror)
    return None


def missing_provider_reason(mirror: Path, requested: str | None = None, address: str = PROVIDER_ADDRESS) -> str:
    if requested:
        return f"no built AWS provider {requested} at {mirrored_provider(mirror, requested, address)}"
    if address != PROVIDER_ADDRESS and choose_provider(mirror) is not None:
        return (
            f"the mirror {mirror} holds an AWS provider build under {PROVIDER_ADDRESS} but not under {address}; "
            "`make tofu` lays it out for OpenTofu's registry host"
        )
    status = mirror / BUILD_STATUS_FILE
    why = f": {status.read_text().strip()}" if status.is_file() else ""
    return (
        f"no built AWS provider in {mirror} (neither the pinned {PINNED_VERSION} nor the stand-in "
        f"{STANDIN_VERSION}){why}; `make provider` builds the stand-in, or set {USE_REGISTRY_ENV}=1 where the "
        "Terraform registry is reachable"
    )


def cli_config(choice: ProviderChoice, work_dir: Path, address: str = PROVIDER_ADDRESS) -> Path:
    """This tier's CLI configuration (terraform's and tofu's share the format): one source for
    hashicorp/aws at the engine's own `address`, nothing implied."""
    path = work_dir / "terraformrc"
    if choice.mirror is None:
        installation = "  direct {}\n"
    else:
        installation = (
            f'  filesystem_mirror {{\n    path    = "{choice.mirror.resolve()}"\n'
            f'    include = ["{address}"]\n  }}\n'
            f'  direct {{\n    exclude = ["{address}"]\n  }}\n'
        )
    path.write_text(f"provider_installation {{\n{installation}}}\n")
    return path
