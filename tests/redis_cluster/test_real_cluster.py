"""The node scripts of modules/redis_cluster against six real redis-server processes.

Loopback only; every wait is bounded; every process started here is killed at the end of
the module, whatever happens. The nodes speak TLS only, with the cluster's own CA, as on EC2.

Every test runs twice, once per Redis build: Debian's redis-server 7.0 and Redis 6.2, the
major version the nodes install (AL2023's `redis6`), built by tools/build_redis6.sh. A
build that is not there is skipped with the reason (Debian: `apt-get install redis-server
redis-tools`; Redis 6.2: the build script's status), never passed.

The tests run in file order on one cluster per build; each destructive test starts from
the planned cluster (it runs the formation step first) and leaves it whole again.
"""

from __future__ import annotations

import socket
import ssl
import subprocess

import pytest

from tests.redis_cluster.harness import (
    BUS_OFFSET,
    LOOPBACK,
    RealCluster,
    key_slot,
)

# Failover takes about two node timeouts (1.5 s here) plus an election; 30 s is generous.
FAILOVER_SECONDS = 30
KEYS = [f"user:{n}:presence" for n in range(300)]


def node_named(cluster: RealCluster, name: str):
    return next(n for n in cluster.nodes if n.name == name)


def zone_of(cluster: RealCluster, address: str) -> str:
    return cluster.by_address(address).zone


def roles(cluster: RealCluster, observer) -> dict[str, tuple[str, str | None]]:
    """node name -> ("master" | "slave", master's node name)."""
    rows = cluster.view(observer)
    names = {row["id"]: cluster.by_address(row["address"]).name for row in rows}
    return {
        names[row["id"]]: ("master", None) if "master" in row["flags"] else ("slave", names.get(row["master"]))
        for row in rows
    }


def planned_roles(cluster: RealCluster) -> dict[str, tuple[str, str | None]]:
    by_index = {n.placement.index: n.name for n in cluster.nodes}
    return {
        n.name: ("master", None) if n.placement.role == "master" else ("slave", by_index[n.placement.master])
        for n in cluster.nodes
    }


def assert_planned_and_healthy(cluster: RealCluster) -> None:
    observer = cluster.nodes[0]
    info = cluster.cluster_info(observer)
    assert info["cluster_state"] == "ok"
    assert info["cluster_slots_ok"] == "16384"
    assert roles(cluster, observer) == planned_roles(cluster)
    for node in cluster.nodes:
        replication = cluster.info(node, "replication")
        if replication["role"] == "slave":
            assert replication["master_link_status"] == "up", node.name


def cluster_check(cluster: RealCluster) -> subprocess.CompletedProcess:
    return subprocess.run(
        [cluster.build.cli, "--no-auth-warning", *cluster.tls_args(), "--cluster", "check", cluster.nodes[0].address],
        env={"REDISCLI_AUTH": cluster.password},
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_cluster_ok(cluster: RealCluster, observer, seconds: float = FAILOVER_SECONDS) -> None:
    cluster.wait(
        lambda: (
            cluster.cluster_info(observer)["cluster_state"] == "ok"
            and cluster.cluster_info(observer)["cluster_slots_ok"] == "16384"
        ),
        "cluster_state ok on every slot",
        seconds,
    )


def wait_replica_in_sync(cluster: RealCluster, node) -> None:
    def synced() -> bool:
        replication = cluster.info(node, "replication")
        return replication["role"] == "slave" and replication["master_link_status"] == "up"

    cluster.wait(synced, f"{node.name} to be an in-sync replica", FAILOVER_SECONDS)


# -- formation -------------------------------------------------------------------------


def test_the_cluster_forms_as_planned(cluster):
    observer = cluster.nodes[0]
    rows = cluster.view(observer)
    masters = [row for row in rows if "master" in row["flags"]]
    replicas = [row for row in rows if "slave" in row["flags"]]
    assert len(masters) == 3 and len(replicas) == 3
    assert cluster.cluster_info(observer)["cluster_slots_assigned"] == "16384"
    # Each replica's master is in another zone, and every zone holds exactly one master.
    by_id = {row["id"]: row for row in rows}
    for replica in replicas:
        assert zone_of(cluster, replica["address"]) != zone_of(cluster, by_id[replica["master"]]["address"])
    assert sorted(zone_of(cluster, m["address"]) for m in masters) == ["zone-a", "zone-b", "zone-c"]
    assert_planned_and_healthy(cluster)
    check = cluster_check(cluster)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "[OK] All 16384 slots covered." in check.stdout


def test_keys_written_through_the_cluster_are_read_back(cluster):
    entry = cluster.nodes[4]  # any node: -c follows the MOVED redirections
    for n in range(20):
        assert cluster.cli(entry, "SET", f"greeting:{n}", f"hello-{n}", cluster=True).strip() == "OK"
    for n in range(20):
        assert cluster.cli(entry, "GET", f"greeting:{n}", cluster=True).strip() == f"hello-{n}"
    assert len({key_slot(f"greeting:{n}") // 5462 for n in range(20)}) == 3, "keys spread over every shard"


def test_running_the_formation_step_again_changes_nothing(cluster):
    observer = cluster.nodes[0]
    before = sorted(
        (r["id"], r["address"], tuple(sorted(r["flags"])), r["master"], r["epoch"], r["slots"])
        for r in cluster.view(observer)
    )
    epoch = cluster.cluster_info(observer)["cluster_current_epoch"]
    run = cluster.script(observer, "cluster.sh", "form")
    assert "nothing changed" in run.stderr
    after = sorted(
        (r["id"], r["address"], tuple(sorted(r["flags"])), r["master"], r["epoch"], r["slots"])
        for r in cluster.view(observer)
    )
    assert after == before
    assert cluster.cluster_info(observer)["cluster_current_epoch"] == epoch
    # The other nodes' boot step is a no-op on a member too.
    assert "nothing to do" in cluster.script(cluster.nodes[3], "cluster.sh", "boot").stderr


# -- TLS -----------------------------------------------------------------------------------


def tls_handshake(port: int, cafile: str) -> dict:
    """A TLS handshake with a loopback port, checking its certificate against `cafile` and
    the address 127.0.0.1 (as a client connecting by IP does); returns the peer certificate."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((LOOPBACK, port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=LOOPBACK) as tls:
            return tls.getpeercert()


def test_every_node_listens_with_tls_only(cluster):
    for node in cluster.nodes:
        config = dict(zip(*[iter(cluster.cli(node, "CONFIG", "GET", "*port*").split())] * 2, strict=True))
        assert config["port"] == "0" and config["tls-port"] == str(node.port), node.name
        for setting in ("tls-replication", "tls-cluster"):
            assert cluster.cli(node, "CONFIG", "GET", setting).split() == [setting, "yes"], node.name


def test_a_plaintext_client_is_refused(cluster):
    node = cluster.nodes[1]
    plaintext = subprocess.run(
        [cluster.build.cli, "--no-auth-warning", "-h", LOOPBACK, "-p", str(node.port), "PING"],
        env={"REDISCLI_AUTH": cluster.password},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "PONG" not in plaintext.stdout
    # The same client with TLS and the cluster's CA is answered.
    assert cluster.cli(node, "PING").strip() == "PONG"


def test_client_port_and_cluster_bus_present_certificates_of_the_cluster_ca(cluster):
    for node in cluster.nodes:
        for port in (node.port, node.port + BUS_OFFSET):
            certificate = tls_handshake(port, str(cluster.ca_certificate))
            assert ("IP Address", LOOPBACK) in certificate["subjectAltName"], (node.name, port)
            assert dict(field[0] for field in certificate["subject"])["commonName"] == f"{node.name}.chat-test"


def test_a_client_trusting_another_ca_is_refused(cluster, tmp_path):
    other_key, other_certificate = tmp_path / "other.key", tmp_path / "other.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=someone else",
            "-keyout",
            str(other_key),
            "-out",
            str(other_certificate),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_handshake(cluster.nodes[0].port, str(other_certificate))


def test_replication_runs_over_tls(cluster):
    # The masters have no plaintext port (port 0), so an up link is a TLS link; the
    # replica's copy of a fresh write proves data flows over it.
    for node in cluster.nodes:
        replication = cluster.info(node, "replication")
        if replication["role"] == "slave":
            assert replication["master_link_status"] == "up", node.name
    key = "tls:replicated"
    owners = cluster.slot_owners(cluster.nodes[0])
    master = owners[key_slot(key)]
    replies = cluster.cli(master, stdin=f"SET {key} over-tls\nWAIT 1 5000\n").split()
    assert replies == ["OK", "1"]


def test_the_ca_key_stays_with_the_nodes_and_clients_get_the_certificate_only(cluster):
    bundle = (cluster.ca_store / "ca-bundle.pem").read_text()
    client_copy = cluster.ca_certificate.read_text()
    assert "PRIVATE KEY" in bundle and "PRIVATE KEY" not in client_copy
    assert client_copy.strip() in bundle
    assert all((node.home / "tls" / "ca.crt").read_text() == client_copy for node in cluster.nodes)
    # No node keeps the CA's key once its own certificate is signed.
    assert not [path for node in cluster.nodes for path in (node.home / "tls").iterdir() if "bundle" in path.name]
    serials = {
        subprocess.run(
            ["openssl", "x509", "-noout", "-serial", "-in", str(node.home / "tls" / "node.crt")],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
        for node in cluster.nodes
    }
    assert len(serials) == len(cluster.nodes), "each node has a certificate of its own"


# -- backups -----------------------------------------------------------------------------


def test_backups_of_every_shard_pass_redis_check_rdb_and_aof(cluster):
    check_rdb, check_aof = cluster.build.tools["redis-check-rdb"], cluster.build.tools["redis-check-aof"]
    if check_rdb is None or check_aof is None:
        pytest.skip(f"{cluster.build.label}: redis-check-rdb / redis-check-aof not installed")
    # Redis 7 writes a manifest and its files (appenddirname), Redis 6 one appendonly.aof:
    # backup.sh has a branch for each, and each build exercises its own.
    redis6 = cluster.build.version().startswith("6.")
    cluster.write_acknowledged(KEYS[:50], cluster.nodes[0])
    prefixes = []
    for node in cluster.nodes:
        run = cluster.script(node, "backup.sh")
        if node.placement.role == "master":
            assert "a master" in run.stderr and run.stdout == ""
        else:
            prefixes.append(run.stdout.strip())
    assert len(prefixes) == 3
    shards = {prefix.split("/")[1] for prefix in prefixes}
    assert shards == {"slots-0-5460", "slots-5461-10922", "slots-10923-16383"}
    for prefix in prefixes:
        folder = cluster.backups / prefix
        assert prefix.startswith(("daily/", "weekly/", "monthly/"))
        rdb = subprocess.run([check_rdb, str(folder / "dump.rdb")], capture_output=True, text=True, timeout=60)
        assert rdb.returncode == 0 and "RDB looks OK" in rdb.stdout, rdb.stdout
        manifests = list((folder / "aof").glob("*.manifest"))
        if redis6:
            assert not manifests and sorted(p.name for p in (folder / "aof").iterdir()) == ["appendonly.aof"]
        else:
            assert len(manifests) == 1
        entry = manifests[0] if manifests else folder / "aof" / "appendonly.aof"
        aof = subprocess.run([check_aof, str(entry)], capture_output=True, text=True, timeout=60)
        assert aof.returncode == 0 and "is valid" in aof.stdout, aof.stdout


def test_metrics_report_a_healthy_cluster(cluster):
    for node in cluster.nodes:
        cluster.script(node, "metrics.sh")
    lines = [line.split() for node in cluster.nodes for line in (node.home / "metrics").read_text().splitlines()]
    values = {}
    for name, value, _unit, dimensions in lines:
        values.setdefault(name, set()).add(int(value))
        assert dimensions.startswith("ClusterName=chat-test")
    assert values["RedisUp"] == {1}
    assert values["ClusterStateOk"] == {1}
    assert values["SlotsNotOk"] == {0}
    assert values["FailedNodes"] == {0}
    assert values["ShardsMissingReplica"] == {0}
    assert values["MasterLinkDown"] == {0}
    assert "ReplicationLagBytes" in values and "UsedMemoryPercent" in values


# -- failures ----------------------------------------------------------------------------


def test_a_killed_master_fails_over_without_losing_acknowledged_writes(cluster):
    cluster.script(cluster.nodes[0], "cluster.sh", "form")
    assert_planned_and_healthy(cluster)
    victim = node_named(cluster, "node-1")
    replica = node_named(cluster, planned_replica_of(cluster, "node-1"))
    observer = cluster.nodes[0]
    acknowledged = cluster.write_acknowledged(KEYS, observer)
    assert len(acknowledged) == len(KEYS)

    cluster.kill(victim)
    cluster.wait(lambda: cluster.info(replica, "replication")["role"] == "master", "the replica's promotion", 30)
    wait_cluster_ok(cluster, observer)
    assert cluster.read(acknowledged, observer) == acknowledged

    # Back from the dead, the old master finds its slots served and follows its replica.
    cluster.start(victim)
    wait_replica_in_sync(cluster, victim)
    cluster.wait(
        lambda: roles(cluster, observer)[victim.name] == ("slave", replica.name),
        "the cluster to see the old master follow its replica",
        FAILOVER_SECONDS,
    )
    assert cluster.read(acknowledged, observer) == acknowledged

    # The formation step hands the planned master its role back (a coordinated failover).
    run = cluster.script(cluster.nodes[0], "cluster.sh", "form")
    assert "handing node-1 its master role back" in run.stderr
    assert_planned_and_healthy(cluster)
    assert cluster.read(acknowledged, observer) == acknowledged


def planned_replica_of(cluster: RealCluster, master_name: str) -> str:
    index = next(n.placement.index for n in cluster.nodes if n.name == master_name)
    return next(n.name for n in cluster.nodes if n.placement.master == index)


def test_losing_a_whole_zone_keeps_every_slot_and_every_acknowledged_write(cluster):
    cluster.script(cluster.nodes[0], "cluster.sh", "form")
    assert_planned_and_healthy(cluster)
    zone = "zone-b"
    lost = [n for n in cluster.nodes if n.zone == zone]
    assert sorted(n.placement.role for n in lost) == ["master", "replica"]
    observer = next(n for n in cluster.nodes if n.zone != zone)
    acknowledged = cluster.write_acknowledged(KEYS, observer)
    assert len(acknowledged) == len(KEYS)

    for node in lost:
        cluster.kill(node)

    def served_outside_the_zone() -> bool:
        owners = cluster.slot_owners(observer)
        return len(owners) == 16384 and zone not in {n.zone for n in owners.values()}

    cluster.wait(served_outside_the_zone, f"every slot served from outside {zone}", FAILOVER_SECONDS)
    wait_cluster_ok(cluster, observer)
    assert cluster.read(acknowledged, observer) == acknowledged
    # Writes are taken on every shard while the zone is away.
    for n in range(12):
        assert cluster.cli(observer, "SET", f"during-outage:{n}", "x", cluster=True).strip() == "OK"

    for node in lost:
        cluster.start(node)
    for node in lost:
        wait_replica_in_sync(cluster, node)
    cluster.script(cluster.nodes[0], "cluster.sh", "form")
    assert_planned_and_healthy(cluster)
    assert cluster.read(acknowledged, observer).keys() == acknowledged.keys()


def test_a_node_replaced_with_an_empty_volume_rejoins_and_resyncs(cluster):
    cluster.script(cluster.nodes[0], "cluster.sh", "form")
    acknowledged = cluster.write_acknowledged(KEYS, cluster.nodes[0])
    replaced = node_named(cluster, "node-4")
    old_id = cluster.cli(replaced, "CLUSTER", "MYID").strip()

    cluster.kill(replaced)
    cluster.wipe(replaced)
    cluster.start(replaced)
    assert cluster.cluster_info(replaced)["cluster_known_nodes"] == "1", "an empty node knows only itself"

    # Its boot step (cluster.sh boot on a node other than the designated one) attaches it.
    run = cluster.script(replaced, "cluster.sh", "boot")
    assert "attached node-4" in run.stderr
    wait_replica_in_sync(cluster, replaced)
    new_id = cluster.cli(replaced, "CLUSTER", "MYID").strip()
    assert new_id != old_id
    observer = cluster.nodes[0]
    assert old_id not in {row["id"] for row in cluster.view(observer)}, "the old id is forgotten"
    role, master = roles(cluster, observer)[replaced.name]
    assert role == "slave" and node_named(cluster, master).zone != replaced.zone

    # Resynced: the replica holds every key its master holds.
    master_node = node_named(cluster, master)
    cluster.wait(
        lambda: cluster.cli(replaced, "DBSIZE").strip() == cluster.cli(master_node, "DBSIZE").strip(),
        "the replica's keys to match its master's",
        FAILOVER_SECONDS,
    )
    owners = cluster.slot_owners(observer)
    mine = {k: v for k, v in acknowledged.items() if owners[key_slot(k)] is master_node}
    assert mine
    replies = cluster.cli(replaced, stdin="READONLY\n" + "".join(f"GET {k}\n" for k in mine)).split("\n")
    assert replies[1 : 1 + len(mine)] == list(mine.values())

    cluster.script(cluster.nodes[0], "cluster.sh", "form")
    assert_planned_and_healthy(cluster)
