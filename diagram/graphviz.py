"""Running Graphviz's `dot` on a written DOT file: SVG and PNG beside it.

Like the gate's checkov wrapper, nothing `dot` says is trusted unchecked: a non-zero exit, a
missing or empty output, or an output that does not start the way its format must is a failure.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

IMAGE_FORMATS = ("svg", "png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOT_TIMEOUT_SECONDS = 120
INSTALL_HINT = "install graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"


class GraphvizFailed(Exception):
    pass


def find_dot() -> str | None:
    return shutil.which("dot")


def looks_like(path: Path, image_format: str) -> bool:
    head = path.read_bytes()[:512] if path.is_file() else b""
    if image_format == "png":
        return head.startswith(PNG_SIGNATURE)
    return b"<svg" in head or head.lstrip().startswith(b"<?xml")


def render_images(dot_file: Path, dot: str) -> list[Path]:
    """architecture.svg and architecture.png beside `dot_file`; GraphvizFailed says why not."""
    written = []
    for image_format in IMAGE_FORMATS:
        target = dot_file.with_suffix(f".{image_format}")
        command = [dot, f"-T{image_format}", "-o", str(target), str(dot_file)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise GraphvizFailed(f"{' '.join(command)}: {error}") from error
        if result.returncode != 0:
            said = (result.stderr.strip().splitlines() or ["nothing on stderr"])[-1]
            raise GraphvizFailed(f"{' '.join(command)}: exit {result.returncode}: {said}")
        if not looks_like(target, image_format):
            raise GraphvizFailed(f"{' '.join(command)}: exit 0 but {target} is not a {image_format.upper()} file")
        written.append(target)
    return written
