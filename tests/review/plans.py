"""Plan documents in Terraform's documented JSON format (`terraform show -json <planfile>`), built small.

Only what the format documents is written: `resource_changes[]` entries with address, mode,
type, name, provider_name, action_reason and `change` (actions, before, after,
after_unknown, before_sensitive, after_sensitive, replace_paths).
"""

from __future__ import annotations

from typing import Any

AWS = "registry.terraform.io/hashicorp/aws"


def resource_change(
    address: str,
    actions: list[str],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    replace_paths: list[list[object]] | None = None,
    reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    mode = "data" if address.startswith("data.") else "managed"
    resource_type, name = address.removeprefix("data.").split(".")[-2:]
    change: dict[str, Any] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": {},
        "before_sensitive": {} if before is not None else False,
        "after_sensitive": {} if after is not None else False,
    }
    if replace_paths is not None:
        change["replace_paths"] = replace_paths
    entry = {"address": address, "mode": mode, "type": resource_type, "name": name.split("[")[0]}
    entry |= {"provider_name": AWS, "change": change, **extra}
    if reason:
        entry["action_reason"] = reason
    return entry


def plan_document(*changes: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": list(changes), **top}


def deleted(address: str, **before: Any) -> dict[str, Any]:
    return resource_change(
        address, ["delete"], before=before or {"id": "x"}, reason="delete_because_no_resource_config"
    )


def replaced(address: str, actions: list[str], forced_by: str = "name", **before: Any) -> dict[str, Any]:
    values = before or {forced_by: "old"}
    return resource_change(
        address,
        actions,
        before=values,
        after={**values, forced_by: "new"},
        replace_paths=[[forced_by]],
        reason="replace_because_cannot_update",
    )
