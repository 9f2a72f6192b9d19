"""Whether AWS credentials are at hand, asked before terraform is: a missing one is exit 2, not a stack trace.

The AWS provider looks in this order (its documentation, "Authentication and
Configuration"): the environment's access keys, a named or default profile in the shared
files, web identity (OIDC, as a CI job assumes a role), container credentials, then the
EC2 instance metadata service. The last cannot be seen without asking the network, so a
machine that uses its instance profile says so (`--instance-profile`). Nothing here
checks that the credentials are valid: terraform's plan says so at once if they are not.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from pathlib import Path


def _sections(path: Path) -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return set()
    return set(parser.sections())


def credential_source(env: Mapping[str, str], home: Path) -> str | None:
    """Where the provider would find credentials, or None when nowhere this can see."""
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if env.get("AWS_WEB_IDENTITY_TOKEN_FILE") and env.get("AWS_ROLE_ARN"):
        return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)"
    for variable in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        if env.get(variable):
            return f"container credentials ({variable})"
    profile = env.get("AWS_PROFILE") or "default"
    credentials_file = Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials")
    config_file = Path(env.get("AWS_CONFIG_FILE") or home / ".aws" / "config")
    if profile in _sections(credentials_file):
        return f"profile {profile} in {credentials_file}"
    config_section = "default" if profile == "default" else f"profile {profile}"
    if config_section in _sections(config_file):
        return f"profile {profile} in {config_file}"
    return None


def missing_credentials_reason(env: Mapping[str, str], home: Path) -> str:
    profile = env.get("AWS_PROFILE")
    named = f"the profile AWS_PROFILE={profile} is in neither shared file; " if profile else ""
    return (
        f"no AWS credentials: {named}looked for AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
        "AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, container credentials (AWS_CONTAINER_CREDENTIALS_*), "
        f"and a {'named' if profile else 'default'} profile in "
        f"{env.get('AWS_SHARED_CREDENTIALS_FILE') or home / '.aws' / 'credentials'} or "
        f"{env.get('AWS_CONFIG_FILE') or home / '.aws' / 'config'}; on EC2 with an instance profile, "
        "pass --instance-profile"
    )
