"""The frontend's Content-Security-Policy: a policy with the sources the app needs added.

Pure functions (no cdktf). The environment file's `content_security_policy` is the base;
the stack adds what the single-page app needs to reach the stack's own names (the API
hosts, the attachments bucket), so a policy written in a file can extend those but never
lose them:

- a directive the policy already has keeps its sources, and the missing ones are added
  after them ('none' is dropped: it only means something alone);
- a directive the policy leaves out is created from what the browser would have applied,
  the sources of `default-src` (its fallback for every fetch directive), plus the added
  ones, and placed right after default-src;
- without either, the browser does not restrict that directive at all: nothing to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from modules.common.tokens import is_unresolved

FALLBACK_DIRECTIVE = "default-src"
NONE = "'none'"

# Images the app shows that no host serves: "data:" for the small images bundlers inline
# into the build (Vite's assetsInlineLimit, webpack's asset/inline: 4 KiB by default) and
# thumbnails drawn on a canvas; "blob:" for the preview of a picked file before it is
# uploaded (URL.createObjectURL). Both only in img-src, where an image cannot run script.
INLINE_IMAGE_SOURCES: tuple[str, ...] = ("data:", "blob:")

# A source expression as CSP3 writes one: a quoted keyword or hash/nonce, a scheme
# ("data:"), or a host source with an optional scheme, port and path (no spaces, ';' or ',').
_SOURCE_RE = re.compile(r"^('[a-z0-9+/=_-]+'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?[^\s;,']+)$", re.IGNORECASE)


def parse_policy(policy: str) -> list[tuple[str, list[str]]]:
    """The directives of `policy` in order: (name in lowercase, its sources)."""
    directives: list[tuple[str, list[str]]] = []
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.append((words[0].lower(), words[1:]))
    return directives


def render_policy(directives: Iterable[tuple[str, Sequence[str]]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives)


def extend_policy(policy: str, additions: Mapping[str, Sequence[str]]) -> str:
    """`policy` with the sources of `additions` (directive -> sources) allowed, as the module
    docstring says. Browsers obey only the first of repeated directives: that one is extended."""
    directives = parse_policy(policy)
    names = [name for name, _ in directives]
    # New directives go after default-src (and after each other, in the order given).
    insert_at = names.index(FALLBACK_DIRECTIVE) + 1 if FALLBACK_DIRECTIVE in names else 0
    for directive, sources in additions.items():
        if not sources:
            continue
        if directive in names:
            index = names.index(directive)
            current = directives[index][1]
        elif FALLBACK_DIRECTIVE in names:
            index, insert_at = insert_at, insert_at + 1
            current = list(directives[names.index(FALLBACK_DIRECTIVE)][1])
            directives.insert(index, (directive, current))
            names.insert(index, directive)
        else:
            continue
        kept = [source for source in current if source.lower() != NONE]
        directives[index] = (directive, kept + [source for source in dict.fromkeys(sources) if source not in kept])
    return render_policy(directives)


def check_sources(values: Iterable[str]) -> tuple[str, ...]:
    """CSP source expressions ("https://api.chat.example.com", "wss://...", "data:"); references pass."""
    sources = tuple(values)
    bad = [source for source in sources if not (is_unresolved(source) or _SOURCE_RE.fullmatch(source))]
    if bad:
        raise ValueError(
            'expected CSP source expressions such as "https://api.chat.example.com", "wss://api.chat.example.com" '
            f"or \"data:\" (no spaces, ';' or ','), got {bad!r}"
        )
    return sources


def api_sources(api_host_names: Iterable[str], websocket_host_names: Iterable[str] = ()) -> tuple[str, ...]:
    """What the app opens to the API hosts: REST calls and Socket.IO's long polling over
    https://, its WebSocket over wss://; a WebSocket-only host (API Gateway) over wss://."""
    sources = [f"{scheme}://{host}" for host in api_host_names for scheme in ("https", "wss")]
    sources += [f"wss://{host}" for host in websocket_host_names]
    return tuple(dict.fromkeys(sources))
