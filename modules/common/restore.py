"""What every store's `restore { }` input shares: the time check, the one-form rule, the
restored copy's name suffix (modules/database, modules/dynamodb, modules/documentdb: Restoring).

A restore creates a new store beside the original; the suffix that names it follows from the
input alone, so every plan of the same environment file names the same store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

from modules.common.inputs import CrossCheck
from modules.common.validation import describe

# RFC 3339 with seconds and an explicit offset, the form RDS's RestoreTime, DocumentDB's
# RestoreToTime and the provider's DynamoDB restore_date_time all take.
_RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# RDS and DocumentDB identifiers (an instance, a cluster): 1-63 letters, digits or hyphens,
# starting with a letter, no two hyphens in a row, not ending with one (botocore's documentation).
RDS_IDENTIFIER_PATTERN = r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$"
# Their snapshot identifiers: the same rules up to 255 characters; an automated snapshot is
# "rds:<id>-<date>" (DocumentDB's too).
RDS_SNAPSHOT_ID = r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)"
# What a snapshot identifier may start with: "rds:" (an automated snapshot) or "awsbackup:" (an
# AWS Backup recovery point, "awsbackup:job-<uuid>", whose ARN is the recovery point's ARN:
# `make restore-backup` prints it).
SNAPSHOT_ID_PREFIX = r"(rds:|awsbackup:)?"

# The longest suffix restore_suffix gives: "-r" and twelve digits.
MAX_SUFFIX_LENGTH = 14


def check_restore_time(value: str) -> str:
    if not _RFC3339_RE.fullmatch(value):
        raise ValueError(
            'expected an RFC 3339 time with seconds and an offset, such as "2026-12-06T09:30:00Z", '
            f"got {describe(value)}"
        )
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected a date and time that exist, got {describe(value)}") from None
    return value


def exactly_one_restore_form(*forms: str) -> Callable[..., None]:
    """A cross check that exactly one of `forms` (field names, in order) is given."""
    labels = [f"{form} = true" if form == "latest" else form for form in forms]
    offered = f"{', '.join(labels[:-1])} or {labels[-1]}"

    def check_one_restore_form(*values: object) -> None:
        given = [form for form, value in zip(forms, values, strict=True) if value]
        if len(given) != 1:
            raise ValueError(
                f"expected exactly one of {offered} (what to restore), got " + (", ".join(given) if given else "none")
            )

    return check_one_restore_form


def check_source_restores_a_point_in_time(source: str, from_snapshot: str) -> None:
    raise ValueError(
        "expected no source with from_snapshot (a snapshot names what it restores; source is what "
        f"a point in time is taken from), got source = {describe(source)}"
    )


def restore_form_checks(*forms: str) -> tuple[CrossCheck, ...]:
    """A restore block's cross checks: exactly one of `forms` (reported at to_point_in_time,
    the first), and, when a snapshot is one of them, no source beside it."""
    checks = [CrossCheck("to_point_in_time", exactly_one_restore_form(*forms), forms, runs_on_unset=True)]
    if "from_snapshot" in forms:
        # Runs only when both are given (a cross check skips unset fields).
        checks.append(CrossCheck("source", check_source_restores_a_point_in_time, ("source", "from_snapshot")))
    return tuple(checks)


def check_retired_after_unprotecting(retire_original: bool, unprotect_original: bool) -> None:
    if retire_original and not unprotect_original:
        raise ValueError(
            "expected unprotect_original = true beside retire_original = true (AWS refuses to delete "
            "a deletion-protected store: apply unprotect_original = true alone first, then add "
            "retire_original), got unprotect_original = false"
        )


def retirement_checks() -> tuple[CrossCheck, ...]:
    """A restore block's retirement order: the original's deletion protection comes off in one
    apply (unprotect_original), and only then may it leave the configuration (retire_original)."""
    return (CrossCheck("retire_original", check_retired_after_unprotecting, ("retire_original", "unprotect_original")),)


def being_retired_reason(store: str, kept: str) -> str:
    """The waiver reason on an original whose protection `unprotect_original` turned off: the
    gate's protection checks on it fail by design; `kept` says what still makes its deletion
    recoverable (e.g. "its final snapshot and automated backups are")."""
    return (
        f"The original {store}, replaced by a restored one (restore.unprotect_original = true): AWS "
        f"refuses to delete a protected {store}, so its protection comes off before retire_original "
        f"removes it; {kept} still kept."
    )


def restore_suffix(to_point_in_time: str | None, from_snapshot: str | None = None) -> str:
    """What a restored store's name adds to the original's: "-r<yyyymmddhhmm>" (the time in
    UTC), "-s<8 hex of sha256(snapshot)>", else "-latest". 14 characters at most."""
    if to_point_in_time is not None:
        moment = datetime.fromisoformat(to_point_in_time.replace("Z", "+00:00")).astimezone(UTC)
        return f"-r{moment:%Y%m%d%H%M}"
    if from_snapshot is not None:
        return f"-s{hashlib.sha256(from_snapshot.encode()).hexdigest()[:8]}"
    return "-latest"
