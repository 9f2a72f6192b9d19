"""`python -m ops.restore_attachment ENV KEY [--version-id ID | --before TIME]`
(`make restore-attachment ENV=<env> KEY=<object key> [VERSION=<id>|BEFORE=<RFC 3339 time>]`):
bring back one attachment as it was, from the bucket's own versions.

The attachments bucket is versioned (modules/attachments): an overwrite or a delete keeps
the earlier bytes as a noncurrent version (for `noncurrent_version_expiration_days`), and a
delete adds a delete marker on top. The bucket's name is read from the synthesized stack
(`<stack>-attachments-<account>-<region>`; the account from STS when the environment file
does not pin it).

What it does: lists every version and delete marker of exactly that key, newest first. With
no --version-id/--before it stops there: nothing is changed. With one, it copies the chosen
version over the current one (CopyObject with the version id, under the bucket's default
encryption): the copy becomes the new current version, and every version and marker stays,
so a restore can itself be undone the same way. --before TIME picks the version that was
current at TIME (refused when the key was deleted or did not exist then).

Exit codes: 0 listed, restored, or the chosen version is already current; 1 S3 refused the
copy; 2 nothing was changed: no synthesized stack, no credentials, the key has no versions,
no such version (or it is a delete marker), a bad time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ops.stack import (
    CannotRun,
    ClientFactory,
    SynthesizedStack,
    add_stack_arguments,
    boto3_clients,
    load_stack,
    resolve_account,
)

BUCKET_PATH = "attachments/bucket/bucket"
# CopyObject copies at most 5 GiB in one request; larger objects (multipart uploads) are
# copied part by part by boto3's managed copy.
COPY_OBJECT_LIMIT_BYTES = 5 * 1024**3


@dataclass(frozen=True)
class Version:
    version_id: str
    last_modified: datetime
    is_latest: bool
    delete_marker: bool
    size: int = 0

    def line(self) -> str:
        what = "delete marker" if self.delete_marker else f"{self.size} bytes"
        current = "  (current)" if self.is_latest else ""
        return f"  {self.version_id:<34} {self.last_modified.isoformat()}  {what}{current}"


def bucket_name(stack: SynthesizedStack, account: Callable[[], str]) -> str:
    bucket = stack.resources("aws_s3_bucket").get(BUCKET_PATH)
    if bucket is None:
        raise CannotRun(f"the stack {stack.name} has no attachments bucket ({BUCKET_PATH})")
    return resolve_account(bucket["bucket"], "the attachments bucket's name", account)


def versions_of(s3: Any, bucket: str, key: str) -> list[Version]:
    """Every version and delete marker of exactly `key`, newest first."""
    found: list[Version] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for entry in page.get("Versions", []):
            if entry["Key"] == key:
                found.append(
                    Version(entry["VersionId"], entry["LastModified"], entry["IsLatest"], False, entry.get("Size", 0))
                )
        for entry in page.get("DeleteMarkers", []):
            if entry["Key"] == key:
                found.append(Version(entry["VersionId"], entry["LastModified"], entry["IsLatest"], True))
    # Newest first; S3 gives the latest IsLatest, which breaks ties within one second.
    return sorted(found, key=lambda v: (v.last_modified, v.is_latest), reverse=True)


def choose(versions: list[Version], key: str, version_id: str | None, before: datetime | None) -> Version:
    if version_id is not None:
        chosen = next((v for v in versions if v.version_id == version_id), None)
        if chosen is None:
            raise CannotRun(f"{key} has no version {version_id}: its versions are listed above")
        if chosen.delete_marker:
            raise CannotRun(f"{version_id} is a delete marker of {key}, not a version with content")
        return chosen
    assert before is not None
    then = next((v for v in versions if v.last_modified <= before), None)
    if then is None:
        raise CannotRun(f"{key} did not exist at {before.isoformat()}: its oldest version is listed last above")
    if then.delete_marker:
        raise CannotRun(
            f"{key} was deleted at {before.isoformat()} (delete marker {then.version_id}); choose a version with "
            "VERSION=<id>"
        )
    return then


def restore(s3: Any, bucket: str, key: str, version: Version) -> str:
    """Copy `version` over the current one; returns the new current version's id."""
    source = {"Bucket": bucket, "Key": key, "VersionId": version.version_id}
    if version.size <= COPY_OBJECT_LIMIT_BYTES:
        return s3.copy_object(Bucket=bucket, Key=key, CopySource=source).get("VersionId", "?")
    s3.copy(source, bucket, key)
    return s3.head_object(Bucket=bucket, Key=key).get("VersionId", "?")


def parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CannotRun(f"--before: expected an RFC 3339 time such as 2026-11-26T09:15:00Z, got {text!r}") from None
    if moment.tzinfo is None:
        raise CannotRun(f"--before: expected a time with its offset (Z or +01:00), got {text!r}")
    return moment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.restore_attachment",
        description="List the versions of one attachment, or copy an earlier version over the current one.",
        epilog="Exit 0: listed or restored; 1: S3 refused the copy; 2: nothing was changed (reason printed).",
    )
    parser.add_argument("environment", metavar="ENV", help="environment name, e.g. prod (stack chat-<ENV>)")
    parser.add_argument("key", metavar="KEY", help="the object's key in the attachments bucket")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--version-id", help="restore this version")
    chosen.add_argument("--before", help="restore the version that was current at this RFC 3339 time")
    add_stack_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None, *, clients: ClientFactory | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = _parser().parse_args(argv)
    make_client = clients or boto3_clients(args.endpoint_url)
    try:
        before = parse_time(args.before) if args.before else None
        if not args.key or args.key.startswith("/"):
            raise CannotRun(f"KEY: expected an object key such as uploads/<id>/photo.jpg, got {args.key!r}")
        stack = load_stack(args.environment, args.stacks_dir, args.stack_json)
        region = stack.region

        def account() -> str:
            return make_client("sts", region).get_caller_identity()["Account"]

        bucket = bucket_name(stack, account)
        s3 = make_client("s3", region)
        versions = versions_of(s3, bucket, args.key)
    except CannotRun as error:
        print(f"restore-attachment: cannot run: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"restore-attachment: cannot run: AWS refused to list the versions: {error}", file=sys.stderr)
        return 2
    if not versions:
        print(f"restore-attachment: cannot run: s3://{bucket}/{args.key} has no versions", file=sys.stderr)
        return 2
    print(f"s3://{bucket}/{args.key}: {len(versions)} versions and delete markers, newest first")
    for version in versions:
        print(version.line())
    if args.version_id is None and before is None:
        print("restore-attachment: listed only; choose one with VERSION=<id> or BEFORE=<time> to restore it")
        return 0
    try:
        chosen = choose(versions, args.key, args.version_id, before)
    except CannotRun as error:
        print(f"restore-attachment: cannot run: {error}", file=sys.stderr)
        return 2
    if chosen.is_latest:
        print(f"restore-attachment: {chosen.version_id} is already the current version; nothing changed")
        return 0
    try:
        new_version = restore(s3, bucket, args.key, chosen)
    except (ClientError, BotoCoreError) as error:
        print(f"restore-attachment: S3 refused to copy {chosen.version_id}: {error}", file=sys.stderr)
        return 1
    print(
        f"restore-attachment: restored {args.key} from version {chosen.version_id} "
        f"({chosen.last_modified.isoformat()}) as the new current version {new_version}; "
        f"all {len(versions)} earlier versions and markers are kept"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
