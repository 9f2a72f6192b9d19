"""A throwaway PostgreSQL server for real-component tests: initdb into a temporary folder,
listening on 127.0.0.1 (a free port) and a unix socket in that folder, TLS on with a
self-signed certificate (the admin task connects with sslmode=require), every wait bounded,
and stopped (then deleted) by `stop()`.

Debian installs the server binaries under /usr/lib/postgresql/<major>/bin, not on PATH;
the newest major there is used, else what PATH has. initdb and postgres refuse to run as
root, so under root they run as the `postgres` user the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SERVER_TOOLS = ("initdb", "pg_ctl", "postgres", "psql")
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 30
COMMAND_TIMEOUT_SECONDS = 60
SUPERUSER = "postgres"


def find_bin_dir() -> Path | None:
    """The folder holding every tool of SERVER_TOOLS, newest major first, then PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: _major(Path(d)), reverse=True)
    for directory in [Path(d) for d in candidates]:
        if all(os.access(directory / tool, os.X_OK) for tool in SERVER_TOOLS):
            return directory
    found = [shutil.which(tool) for tool in SERVER_TOOLS]
    if all(found) and len({Path(path).parent for path in found if path}) == 1:
        return Path(found[0]).parent
    return None


def _major(directory: Path) -> int:
    try:
        return int(directory.parent.name)
    except ValueError:
        return 0


def unavailable_reason() -> str | None:
    """Why a server cannot be started here, or None."""
    if find_bin_dir() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) not found under "
            "/usr/lib/postgresql/*/bin or on PATH (Debian: apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            return "running as root, and there is no 'postgres' user to run initdb and postgres as"
    if shutil.which("openssl") is None:
        return "openssl not found (the server's self-signed TLS certificate)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_bin_dir()
        assert bin_dir is not None, unavailable_reason()
        # Not pytest's tmp_path: its parents are private to root, and the server may run as postgres.
        root = Path(tempfile.mkdtemp(prefix="chat-pg-"))
        server = cls(bin_dir, root, _free_port())
        try:
            server._init()
            server._run_as_owner(
                str(bin_dir / "pg_ctl"),
                "start",
                "--pgdata",
                str(server.data),
                "--log",
                str(server.root / "server.log"),
                "--wait",
                f"--timeout={START_TIMEOUT_SECONDS}",
                "-o",
                f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={server.root} "
                "-c ssl=on -c fsync=off -c full_page_writes=off",
                timeout=START_TIMEOUT_SECONDS + 10,
            )
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def version(self) -> str:
        return subprocess.run(
            [str(self.bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()

    def _init(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run_as_owner(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            # Loopback and the private socket only, for the test's own roles: trust is enough.
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        self._run_as_owner(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(self.data / "server.key"),
            "-out",
            str(self.data / "server.crt"),
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        (self.data / "server.key").chmod(0o600)

    def _run_as_owner(self, *argv: str, timeout: float) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(
                f"{argv[0]} {argv[1]} exited {result.returncode}: {result.stderr.strip()}"
                + (f"\nserver log:\n{log.read_text()}" if log.exists() else "")
            )
        return result

    def psql(
        self, sql: str, *, user: str = SUPERUSER, database: str = "postgres", check: bool = True
    ) -> subprocess.CompletedProcess:
        """One statement string through the unix socket, unaligned and tuples only."""
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "--no-psqlrc", "--set=ON_ERROR_STOP=1", "-At", "-c", sql],
            env={**self.socket_env(), "PGUSER": user, "PGDATABASE": database},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"psql as {user} failed ({result.returncode}): {result.stderr}")
        return result

    def socket_env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", ""), "PGHOST": str(self.root), "PGPORT": str(self.port)}

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run_as_owner(
                    str(self.bin_dir / "pg_ctl"),
                    "stop",
                    "--pgdata",
                    str(self.data),
                    "--mode=immediate",
                    "--wait",
                    f"--timeout={STOP_TIMEOUT_SECONDS}",
                    timeout=STOP_TIMEOUT_SECONDS + 10,
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def timed(function, *args, **kwargs):
    """(result, seconds) of one call."""
    started = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - started
