"""Telling a cdktf token from a literal, without importing cdktf.

A value that another construct's resource resolves later (a zone id, a certificate ARN)
reaches props as a token string such as "${TfToken[TOKEN.12]}". A check cannot judge it,
so it lets it through: validation "skips unresolved tokens" (CONVENTIONS.md). Terraform's
own syntax ("${var.x}") is not a token here: an environment file that writes it is still
refused, since environment files hold literal values only.
"""

from __future__ import annotations

CDKTF_TOKEN_MARKER = "${TfToken["


def is_unresolved(value: str) -> bool:
    """True for a string holding a cdktf token, never for a literal."""
    return CDKTF_TOKEN_MARKER in value
