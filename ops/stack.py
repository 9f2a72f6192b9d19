"""What the day-two commands (ops/redrive.py, ops/release.py, ops/restore_attachment.py, ops/rotate_secrets.py)
read from a synthesized stack, and how they get their AWS clients; what every command that
waits shares (`Polling`) and how `terraform output -json` is read (`output_values`).

The stack has no outputs for its queues or its attachments bucket, but their names are
literal in the synthesized JSON (cdktf.out/stacks/chat-<env>/cdk.tf.json): a queue is named
"<stack>-<what it carries>" (modules/queues), the bucket "<stack>-attachments-<account>-
<region>" (modules/attachments). The one part that is not literal is the account id when the
environment file does not pin it: `${data.aws_caller_identity.<id>.account_id}`, which
Terraform reads from STS GetCallerIdentity; `resolve_account` reads it the same way. Any
other reference is refused, never guessed.

Resources are found by their construct path (`chat-prod/push_queue/this`), the stack's
construct ids, which are part of its contract: renaming one replaces the resource.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from envconfig.schema import STACK_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STACKS_DIR = ROOT / "cdktf.out" / "stacks"
ACCOUNT_REFERENCE = re.compile(r"\$\{data\.aws_caller_identity\.[A-Za-z0-9_]+\.account_id\}")


class CannotRun(Exception):
    """Nothing was changed, and why (exit 2)."""


@dataclass(frozen=True)
class Outcome:
    """How a day-two command ended: its exit code (0 done, 1 failed, 2 nothing done) and why."""

    code: int
    message: str


@dataclass(frozen=True)
class Polling:
    """How a command follows what AWS carries on with (a task, a deployment, a job): for at most
    `timeout_seconds`, asking every `poll_seconds`. Each command keeps its own two numbers (they
    depend on what it waits for); tests give a fake `clock` and `sleep`."""

    timeout_seconds: float
    poll_seconds: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def with_timeout(self, timeout_seconds: float) -> Polling:
        """The same polling with the operator's bound (--timeout-seconds)."""
        return replace(self, timeout_seconds=timeout_seconds)

    def rounds(self) -> Rounds:
        """One round now, then one every `poll_seconds` until the deadline has passed. The caller
        asks once per round and returns when it has its answer; a loop over the rounds that ends
        without returning has timed out."""
        return Rounds(self)


class Rounds:
    """The rounds of one wait (`Polling.rounds`); the deadline starts with the first round."""

    def __init__(self, polling: Polling) -> None:
        self._polling = polling
        self._deadline: float | None = None
        self._passed: bool | None = None  # this round's answer, once the clock was read for it

    def __iter__(self) -> Rounds:
        return self

    def __next__(self) -> None:
        if self._deadline is None:
            self._deadline = self._polling.clock() + self._polling.timeout_seconds
        elif self.deadline_passed():
            raise StopIteration
        else:
            self._polling.sleep(self._polling.poll_seconds)
        self._passed = None

    def deadline_passed(self) -> bool:
        """Whether this round is the last. The clock is read once a round, so a caller that asks
        (to say a progress line only when another round follows) gets the answer the loop acts on."""
        if self._deadline is None:
            return False
        if self._passed is None:
            self._passed = self._polling.clock() >= self._deadline
        return self._passed


def output_values(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Output name -> value from the JSON of `terraform output -json`, which wraps each value
    ({"value": ..., "type": ..., "sensitive": ...}); a value given bare is taken as it is."""
    return {
        name: (body["value"] if isinstance(body, dict) and "value" in body else body) for name, body in outputs.items()
    }


@dataclass(frozen=True)
class SynthesizedStack:
    name: str
    path: Path
    document: dict[str, Any]

    @property
    def region(self) -> str:
        providers = self.document.get("provider", {}).get("aws", [])
        for provider in providers if isinstance(providers, list) else [providers]:
            if isinstance(provider, dict) and "alias" not in provider and provider.get("region"):
                return provider["region"]
        raise CannotRun(f"{self.path}: no default aws provider with a region")

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Construct path below the stack (e.g. "push_queue/this") -> the resource's body."""
        found = {}
        for body in self.document.get("resource", {}).get(resource_type, {}).values():
            path = body.get("//", {}).get("metadata", {}).get("path", "")
            found[path.removeprefix(f"{self.name}/")] = body
        return found

    def resource_paths(self, resource_type: str) -> dict[str, str]:
        """Logical id (what `${<type>.<id>.arn}` names) -> construct path below the stack."""
        return {
            logical_id: body.get("//", {}).get("metadata", {}).get("path", "").removeprefix(f"{self.name}/")
            for logical_id, body in self.document.get("resource", {}).get(resource_type, {}).items()
        }


def load_stack(environment: str, stacks_dir: Path = DEFAULT_STACKS_DIR, stack_json: Path | None = None):
    """The synthesized stack of `environment` (or the file given)."""
    name = f"{STACK_PREFIX}{environment}"
    path = stack_json or stacks_dir / name / "cdk.tf.json"
    if not path.is_file():
        raise CannotRun(f"no synthesized stack at {path}: run `make synth` (the checkout that was deployed)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CannotRun(f"cannot read {path}: {error}") from None
    if not isinstance(document, dict):
        raise CannotRun(f"{path}: expected a synthesized stack (a JSON object)")
    return SynthesizedStack(name=name, path=path, document=document)


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """Where a command that reads the synthesized stack finds it, and which endpoint it calls."""
    parser.add_argument("--stacks-dir", type=Path, default=DEFAULT_STACKS_DIR, help="synthesized stacks")
    parser.add_argument("--stack-json", type=Path, help="the stack's cdk.tf.json (default: in --stacks-dir)")
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint (tests, emulators)")


def resolve_account(value: str, what: str, account: Callable[[], str]) -> str:
    """`value` with the caller-identity account reference replaced by `account()` (called only
    when the reference is there); any other reference is refused."""
    if ACCOUNT_REFERENCE.search(value):
        value = ACCOUNT_REFERENCE.sub(account(), value)
    if "${" in value:
        raise CannotRun(f"{what} is not literal in the synthesized stack ({value!r})")
    return value


ClientFactory = Callable[[str, str], Any]
"""(service, region) -> a boto3 client."""


def boto3_clients(endpoint_url: str | None = None) -> ClientFactory:
    """Clients of one boto3 session; CannotRun when boto3 finds no credentials in its chain."""
    import boto3

    session = boto3.session.Session()

    def client(service: str, region: str):
        if session.get_credentials() is None:
            raise CannotRun(
                "no AWS credentials: boto3 looked in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, web "
                "identity), the shared files (~/.aws/credentials, ~/.aws/config), container and instance credentials"
            )
        return session.client(service, region_name=region, **({"endpoint_url": endpoint_url} if endpoint_url else {}))

    return client


def error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")
