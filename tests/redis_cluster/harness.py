"""Six real redis-server processes on loopback, run by the node scripts of modules/redis_cluster.

Each node gets the settings and the layout file the EC2 user data would give it (same
functions: modules/redis_cluster/user_data.py), with the seams pointed at local things:
the AUTH secret is a file (a version under another staging label, a file beside it), the
CA's store a folder, backups go to a folder, metrics to a file. The scripts run are the
files as the user data ships them (user_data.write_shipped_files). The "zones" are the
placement plan's zones (modules/redis_cluster/placement.py), so each node lives in the
zone it would on EC2. Every process this starts is tracked and killed by `stop_all`.

The nodes speak TLS only, as on EC2; `cli` connects with TLS and the cluster's CA.
Two Redis builds can run them (`RedisBuild`): Debian's redis-server 7.0 from PATH, and
Redis 6.2 (what the nodes install: AL2023's `redis6`) built by tools/build_redis6.sh.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from modules.redis_cluster.placement import NodePlacement, plan_nodes
from modules.redis_cluster.user_data import (
    LayoutNode,
    base_settings,
    layout_text,
    settings_text,
    write_shipped_files,
)

LOOPBACK = "127.0.0.1"
ZONES = ("zone-a", "zone-b", "zone-c")
# Failure detection takes about twice the node timeout; 1.5 s keeps the tests in seconds
# (the nodes use 5 s: modules/redis_cluster/props.py).
NODE_TIMEOUT_MS = 1500
COMMAND_TIMEOUT_SECONDS = 120
# The cluster bus listens on the client port + 10000; both stay below Linux's ephemeral
# range (32768+), so no outgoing connection of another process holds one by chance.
PORT_RANGE = (16000, 22000)
BUS_OFFSET = 10000

REDIS_TOOLS = ("redis-server", "redis-cli", "redis-check-rdb", "redis-check-aof")
REDIS6_DIR = Path(
    os.environ.get("CHAT_INFRA_REDIS6_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chat-infra" / "redis-6.2"
)


@dataclass(frozen=True)
class RedisBuild:
    """One Redis build's tools, or why it cannot run here (`missing`)."""

    label: str
    tools: dict[str, str | None]
    missing: str = ""

    @property
    def server(self) -> str:
        return self.tools["redis-server"] or ""

    @property
    def cli(self) -> str:
        return self.tools["redis-cli"] or ""

    def version(self) -> str:
        out = subprocess.run([self.server, "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.split("v=", 1)[1].split()[0]


def debian_build() -> RedisBuild:
    tools = {name: shutil.which(name) for name in REDIS_TOOLS}
    absent = [name for name in ("redis-server", "redis-cli") if tools[name] is None]
    missing = f"needs {', '.join(absent)} (Debian: apt-get install redis-server redis-tools)" if absent else ""
    return RedisBuild("redis 7.0 (Debian)", tools, missing)


def redis6_build() -> RedisBuild:
    tools = {name: str(REDIS6_DIR / "bin" / name) for name in REDIS_TOOLS}
    missing = ""
    if not os.access(tools["redis-server"], os.X_OK):
        status = REDIS6_DIR / "build-status.txt"
        reason = status.read_text().strip() if status.exists() else "tools/build_redis6.sh has not run"
        missing = f"needs Redis 6.2 in {REDIS6_DIR}/bin: {reason}"
    return RedisBuild("redis 6.2 (tools/build_redis6.sh)", tools, missing)


# Each build by the name the tests parametrize with.
BUILDS = {"redis7": debian_build(), "redis6": redis6_build()}


@contextmanager
def formed_cluster(root: Path, build: RedisBuild) -> Iterator[RealCluster]:
    """Six nodes started (configure.sh, redis-server) and formed by the designated node
    (cluster.sh form); every process is killed on the way out, whatever happened."""
    test_cluster = RealCluster(root, build)
    try:
        for node in test_cluster.nodes:
            test_cluster.start(node)
        test_cluster.script(test_cluster.nodes[0], "cluster.sh", "form")
        yield test_cluster
    finally:
        test_cluster.stop_all()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_base_port(count: int) -> int:
    """A base port p with p .. p+count-1 and their bus ports free on loopback."""
    rng = secrets.SystemRandom()
    for _ in range(200):
        base = rng.randrange(PORT_RANGE[0], PORT_RANGE[1] - count)
        if all(_port_free(p) and _port_free(p + BUS_OFFSET) for p in range(base, base + count)):
            return base
    raise RuntimeError("no free loopback ports for the test cluster")


def crc16(data: bytes) -> int:
    """CRC16-XMODEM, Redis Cluster's key hash (slot = crc16(key) % 16384)."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key: str) -> int:
    start = key.find("{")
    if start != -1:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    return crc16(key.encode()) % 16384


@dataclass
class Node:
    placement: NodePlacement
    port: int
    zone: str
    home: Path
    process: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return self.placement.name

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def env_file(self) -> Path:
        return self.home / "node.env"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"


class RealCluster:
    """The six nodes (3 shards x 1 replica over 3 zones), their files and processes."""

    def __init__(self, root: Path, build: RedisBuild, shards: int = 3, replicas_per_shard: int = 1) -> None:
        self.root = root
        self.build = build
        self.ca_store = root / "ca-store"
        self.password = secrets.token_hex(24)
        self.stage_password("AWSCURRENT", self.password)
        self.backups = root / "backups"
        # The node files as the user data ships them (user_data.shipped_file).
        self.node_files = root / "node-files"
        write_shipped_files(self.node_files)
        placements = plan_nodes(shards, replicas_per_shard, len(ZONES))
        base = free_base_port(len(placements))
        self.nodes = [Node(p, base + i, ZONES[p.zone], root / p.name) for i, p in enumerate(placements)]
        layout = layout_text([LayoutNode(n.placement, LOOPBACK, n.port, n.zone) for n in self.nodes])
        (root / "layout").write_text(layout)
        for node in self.nodes:
            node.home.mkdir()
            settings = base_settings(
                cluster_name="chat-test",
                node_name=node.name,
                designated_node=self.nodes[0].name,
                replicas_per_shard=replicas_per_shard,
                maxmemory_mib=64,
                maxmemory_policy="volatile-lru",
                node_timeout_ms=NODE_TIMEOUT_MS,
            )
            settings.update(
                LAYOUT_FILE=str(root / "layout"),
                DATA_DIR=str(node.data_dir),
                AUTH_CONF=str(node.home / "auth.conf"),
                AUTH_SECRET_FILE=str(self.auth_secret),
                TLS_DIR=str(node.home / "tls"),
                TLS_CA_STORE_DIR=str(self.ca_store),
                CA_WAIT_SECONDS="10",
                REDIS_CLI=build.cli,
                REDIS_CHECK_AOF=build.tools["redis-check-aof"] or "",
                REDIS_CONF=str(node.home / "redis.conf"),
                REDIS_LOG_FILE=str(node.home / "redis.log"),
                BACKUP_TARGET=f"file://{self.backups}",
                METRICS_SINK=str(node.home / "metrics"),
                POLL_SECONDS="0.2",
                PEER_WAIT_SECONDS="10",
                SETTLE_SECONDS="30",
                BACKUP_WAIT_SECONDS="30",
            )
            node.env_file.write_text(settings_text(settings))

    # -- the AUTH secret's staging labels (lib.sh read_staged_auth_secret) --------------

    @property
    def auth_secret(self) -> Path:
        """The secret's AWSCURRENT value; `<it>.<label>` holds the version under another label."""
        return self.root / "auth-secret"

    def staged_password(self, label: str) -> str | None:
        path = self.auth_secret if label == "AWSCURRENT" else self.auth_secret.with_name(f"auth-secret.{label}")
        return path.read_text() if path.exists() else None

    def stage_password(self, label: str, value: str | None) -> None:
        """Put `value` under `label` (None: no version carries it)."""
        path = self.auth_secret if label == "AWSCURRENT" else self.auth_secret.with_name(f"auth-secret.{label}")
        if value is None:
            path.unlink(missing_ok=True)
            return
        path.write_text(value)
        path.chmod(0o600)
        if label == "AWSCURRENT":
            self.password = value

    # -- processes -------------------------------------------------------------------

    def script(self, node: Node, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run node/<name> as `node` would."""
        completed = subprocess.run(
            ["bash", str(self.node_files / name), *args],
            env={**os.environ, "REDIS_CLUSTER_ENV": str(node.env_file)},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"{name} {' '.join(args)} on {node.name} failed:\n{completed.stderr}")
        return completed

    def start(self, node: Node) -> None:
        self.script(node, "configure.sh")
        node.process = subprocess.Popen(
            [self.build.server, str(node.home / "redis.conf")],
            stdout=subprocess.DEVNULL,
            stderr=(node.home / "stderr.log").open("ab"),
            start_new_session=True,
        )
        self.wait(lambda: self.cli(node, "PING", check=False).strip() == "PONG", f"{node.name} to answer", 20)

    def kill(self, node: Node) -> None:
        """SIGKILL: the process dies as in a crash or an instance failure, nothing flushed."""
        if node.process is not None and node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait(timeout=10)
        node.process = None

    def stop_all(self) -> None:
        for node in self.nodes:
            self.kill(node)

    def wipe(self, node: Node) -> None:
        """An empty data volume: no nodes.conf, no RDB, no AOF."""
        shutil.rmtree(node.data_dir)
        node.data_dir.mkdir()

    # -- talking to nodes ------------------------------------------------------------

    @property
    def ca_certificate(self) -> Path:
        """The CA certificate as the clients get it (the store's public copy)."""
        return self.ca_store / "ca.crt"

    def tls_args(self) -> list[str]:
        """A service's TLS options: TLS, and the cluster's CA to check the node by (no certificate)."""
        return ["--tls", "--cacert", str(self.ca_certificate)]

    def cli(
        self,
        node: Node,
        *args: str,
        stdin: str | None = None,
        check: bool = True,
        cluster: bool = False,
        password: str | None = None,
    ) -> str:
        """redis-cli on `node`, as a service would (with the cluster's password unless another is given)."""
        command = [self.build.cli, "--no-auth-warning", *self.tls_args(), "-h", LOOPBACK, "-p", str(node.port)]
        completed = subprocess.run(
            [*command, *(["-c"] if cluster else []), *args],
            env={**os.environ, "REDISCLI_AUTH": self.password if password is None else password},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"redis-cli {args} on {node.name}: {completed.stderr}")
        return completed.stdout

    def info(self, node: Node, section: str) -> dict[str, str]:
        lines = self.cli(node, "INFO", section).splitlines()
        return dict(line.split(":", 1) for line in lines if ":" in line and not line.startswith("#"))

    def cluster_info(self, node: Node) -> dict[str, str]:
        lines = self.cli(node, "CLUSTER", "INFO").splitlines()
        return dict(line.strip().split(":", 1) for line in lines if ":" in line)

    def view(self, node: Node) -> list[dict]:
        """CLUSTER NODES as seen by `node`: id, address, flags, master id, slots."""
        rows = []
        for line in self.cli(node, "CLUSTER", "NODES").splitlines():
            fields = line.split()
            if len(fields) < 8:
                continue
            rows.append(
                {
                    "id": fields[0],
                    "address": fields[1].split("@")[0],
                    "flags": set(fields[2].split(",")),
                    "master": fields[3],
                    "epoch": fields[6],
                    "slots": tuple(fields[8:]),
                }
            )
        return rows

    def running(self) -> list[Node]:
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def by_address(self, address: str) -> Node:
        (node,) = [n for n in self.nodes if n.address == address]
        return node

    def slot_owners(self, node: Node) -> dict[int, Node]:
        """slot -> the master serving it, as `node` sees the cluster."""
        owners = {}
        for row in self.view(node):
            if "master" not in row["flags"] or "fail" in row["flags"]:
                continue
            for part in row["slots"]:
                if part.startswith("["):
                    continue
                low, _, high = part.partition("-")
                for slot in range(int(low), int(high or low) + 1):
                    owners[slot] = self.by_address(row["address"])
        return owners

    @staticmethod
    def wait(condition, what: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if condition():
                    return
            except AssertionError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {seconds} s waiting for {what}")
            time.sleep(0.2)

    # -- data ------------------------------------------------------------------------

    def write_acknowledged(self, keys: Iterable[str], observer: Node) -> dict[str, str]:
        """SET each key on its master, then WAIT for one replica on that same connection.
        Returns the keys (and values) a replica acknowledged."""
        owners = self.slot_owners(observer)
        by_master: dict[str, list[str]] = {}
        for key in keys:
            by_master.setdefault(owners[key_slot(key)].name, []).append(key)
        acknowledged = {}
        for name, batch in by_master.items():
            node = next(n for n in self.nodes if n.name == name)
            values = {key: secrets.token_hex(8) for key in batch}
            commands = "".join(f"SET {key} {value}\n" for key, value in values.items()) + "WAIT 1 5000\n"
            replies = self.cli(node, stdin=commands).split()
            assert replies[:-1] == ["OK"] * len(batch), replies
            if int(replies[-1]) >= 1:
                acknowledged.update(values)
        return acknowledged

    def read(self, keys: Iterable[str], observer: Node) -> dict[str, str]:
        """GET each key from the master now serving its slot."""
        owners = self.slot_owners(observer)
        by_master: dict[str, list[str]] = {}
        for key in keys:
            by_master.setdefault(owners[key_slot(key)].name, []).append(key)
        found = {}
        for name, batch in by_master.items():
            node = next(n for n in self.nodes if n.name == name)
            replies = self.cli(node, stdin="".join(f"GET {key}\n" for key in batch)).split("\n")
            found.update(zip(batch, replies, strict=False))
        return found
