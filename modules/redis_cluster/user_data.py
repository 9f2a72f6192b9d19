"""The files a node runs, and the user data that writes them (pure Python, no cdktf).

The scripts and templates live in node/ beside this file; they are this module's own
source, packaged with it, not configuration. On EC2 the user data writes them to
/opt/redis-cluster, with the node's settings (/etc/redis-cluster/node.env) and the
cluster layout (/etc/redis-cluster/layout), then runs bootstrap.sh. The tests write the
same files with the same functions and run the same scripts against local redis-server
processes (tests/redis_cluster/).

Settings may hold Terraform references (an ENI's private IP, a volume id): the static
text is escaped for Terraform ("${" and "%{" doubled) and the references are not, so
Terraform fills in exactly the values and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from modules.redis_cluster.placement import NodePlacement

NODE_FILES_DIR = Path(__file__).with_name("node")
# Written to /opt/redis-cluster, in this order (bootstrap.sh last: it runs the rest).
NODE_FILES: tuple[str, ...] = (
    "lib.sh",
    "configure.sh",
    "cluster.sh",
    "backup.sh",
    "metrics.sh",
    "auth.sh",
    "redis.conf.tmpl",
    "cloudwatch-agent.json",
    "bootstrap.sh",
)
INSTALL_DIR = "/opt/redis-cluster"
SETTINGS_FILE = "/etc/redis-cluster/node.env"
LAYOUT_FILE = "/etc/redis-cluster/layout"

# EC2 refuses user data over 16 KB (before base64).
USER_DATA_LIMIT_BYTES = 16 * 1024

_SETTING_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# A heredoc delimiter no node file contains.
_END = "CHAT_INFRA_REDIS_EOF"


@dataclass(frozen=True)
class LayoutNode:
    """One line of the layout file: a planned node and where it answers."""

    placement: NodePlacement
    address: str
    port: int
    zone: str


LAYOUT_HEADER = "# name address port zone role planned-master (modules/redis_cluster/placement.py)\n"


def layout_segments(nodes: Sequence[LayoutNode]) -> list[str]:
    """The layout's lines, "name address port zone role planned-master", each address (which
    may be a Terraform reference) a piece of its own."""
    by_index = {node.placement.index: node.placement for node in nodes}
    segments = [LAYOUT_HEADER]
    for node in nodes:
        placement = node.placement
        master = "-" if placement.master is None else by_index[placement.master].name
        segments += [f"{placement.name} ", node.address, f" {node.port} ", node.zone, f" {placement.role} {master}\n"]
    return segments


def settings_segments(settings: Mapping[str, str]) -> list[str]:
    """KEY='value' lines a shell sources (values literal: no quotes, no expansion), each
    value a piece of its own."""
    segments = []
    for key, value in settings.items():
        if not _SETTING_NAME_RE.fullmatch(key):
            raise ValueError(f"setting name: expected UPPER_SNAKE_CASE, got {key!r}")
        if "'" in value or "\n" in value:
            raise ValueError(f"setting {key}: expected a value without quotes or newlines, got {value!r}")
        segments += [f"{key}='", *_pieces(value), "'\n"]
    return segments


# A cdktf token inside a string ("s3://${TfToken[TOKEN.12]}/x"): Terraform functions take
# a reference only as a whole argument, so such a value is cut into literal and token pieces.
_TOKEN_RE = re.compile(r"(\$\{TfToken\[[^\]]+\]\})")


def _pieces(value: str) -> list[str]:
    return [piece for piece in _TOKEN_RE.split(value) if piece] or [value]


def layout_text(nodes: Sequence[LayoutNode]) -> str:
    return "".join(layout_segments(nodes))


def settings_text(settings: Mapping[str, str]) -> str:
    return "".join(settings_segments(settings))


def base_settings(
    *,
    cluster_name: str,
    node_name: str,
    designated_node: str,
    replicas_per_shard: int,
    maxmemory_mib: int,
    maxmemory_policy: str,
    node_timeout_ms: int,
) -> dict[str, str]:
    """The settings every node has wherever it runs; the seams' settings are added beside them
    (AUTH_SECRET_ARN or AUTH_SECRET_FILE, BACKUP_TARGET, METRICS_SINK, paths)."""
    return {
        "CLUSTER_NAME": cluster_name,
        "NODE_NAME": node_name,
        "DESIGNATED_NODE": designated_node,
        "REPLICAS_PER_SHARD": str(replicas_per_shard),
        "MAXMEMORY_MB": str(maxmemory_mib),
        "MAXMEMORY_POLICY": maxmemory_policy,
        "CLUSTER_NODE_TIMEOUT_MS": str(node_timeout_ms),
    }


def node_file(name: str) -> str:
    return (NODE_FILES_DIR / name).read_text()


# Full-line comments are the scripts' documentation and stay in the repository; the nodes get
# the files without them, which keeps the gzipped user data well below EC2's 16 KB (they are
# about a quarter of it, gzipped). The shebang stays. The real-cluster tests run these
# shipped files (write_shipped_files), so what they prove is what the nodes run.
_FILES_WITHOUT_COMMENTS = (".sh", ".tmpl")


def shipped_file(name: str) -> str:
    """`name` as the user data writes it on a node."""
    text = node_file(name)
    if not name.endswith(_FILES_WITHOUT_COMMENTS):
        return text
    lines = text.splitlines(keepends=True)
    shebang = lines[:1] if lines and lines[0].startswith("#!") else []
    return "".join(shebang + [line for line in lines[len(shebang) :] if not line.lstrip().startswith("#")])


def write_shipped_files(directory: Path) -> None:
    """Every node file into `directory`, as the user data writes them to INSTALL_DIR."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in NODE_FILES:
        path = directory / name
        path.write_text(shipped_file(name))
        path.chmod(0o755 if name.endswith(".sh") else 0o644)


def escape_for_terraform(text: str) -> str:
    """Static text Terraform must not interpolate ("${x}" in a shell script stays "${x}")."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _heredoc(path: str, text: str, mode: str) -> str:
    if _END in text:
        raise ValueError(f"{path}: the text contains the heredoc delimiter {_END}")
    return f"cat >{path} <<'{_END}'\n{text}{'' if text.endswith(chr(10)) else chr(10)}{_END}\nchmod {mode} {path}\n"


def node_files_script(files: Iterable[str] = NODE_FILES) -> str:
    """The first part of every node's user data: writes the node files (the same for all)."""
    parts = [
        "#!/bin/bash\n",
        "# Written by modules/redis_cluster (user_data.py): the node's files, then its settings and\n",
        "# the cluster layout; no secret (configure.sh reads the AUTH password from Secrets Manager).\n",
        "set -euo pipefail\n",
        f"install -d -m 0755 {INSTALL_DIR} /etc/redis-cluster\n",
    ]
    for name in files:
        mode = "0755" if name.endswith(".sh") else "0644"
        parts.append(_heredoc(f"{INSTALL_DIR}/{name}", shipped_file(name), mode))
    return "".join(parts)


def node_segments(settings: Mapping[str, str], nodes: Sequence[LayoutNode]) -> list[str]:
    """The rest of one node's user data (its settings, the layout, then bootstrap.sh), as
    pieces to join: a Terraform reference stays a whole piece."""
    return [
        f"cat >{SETTINGS_FILE} <<'{_END}'\n",
        *settings_segments(settings),
        f"{_END}\ncat >{LAYOUT_FILE} <<'{_END}'\n",
        *layout_segments(nodes),
        f"{_END}\nexec {INSTALL_DIR}/bootstrap.sh\n",
    ]


def user_data(settings: Mapping[str, str], nodes: Sequence[LayoutNode]) -> str:
    """One node's whole user data as plain text (what EC2 runs, once Terraform filled it in)."""
    return node_files_script() + "".join(node_segments(settings, nodes))
