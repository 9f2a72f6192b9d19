"""Rotating the AUTH password (ops/rotate_cache_auth.py driving node/auth.sh) on six real
redis-server processes, TLS only, once per Redis build (as test_real_cluster.py).

The orchestrator runs for real; only its surroundings are stand-ins: the node steps run
locally (`LocalNodes`, in place of SSM Run Command), Secrets Manager is a fake with its
staging-label rules whose labelled values go where the node scripts read them
(tests/ops/fake_auth_secret.py), and the services' restart is a callable. At each step
the tests check what a client sees: the old and the new password in cluster mode, the
replicas' links, a node restarted inside the window (configure.sh again).
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable

from ops.rotate_cache_auth import AuthSecret, NodeResult, rotate
from ops.stack import Outcome
from tests.ops.fake_auth_secret import CURRENT, PENDING, PREVIOUS, FakeSecretsManager
from tests.redis_cluster.harness import LOOPBACK, Node, RealCluster, free_base_port

ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:chat-test/redis-cluster/auth-AbCdEf"
# The module's length (modules/redis_cluster/redis_cluster.py PASSWORD_LENGTH); any works here.
PASSWORD_LENGTH = 64
REPLICA_SECONDS = 30


class LocalNodes:
    """auth.sh on each running node of the harness (what SSM Run Command does on EC2);
    `after(step)` runs once every node has done it, to look at the cluster between steps."""

    def __init__(self, cluster: RealCluster, after: Callable[[str], None] = lambda step: None) -> None:
        self.cluster = cluster
        self.after = after
        self.steps: list[str] = []
        self.silent: set[str] = set()  # nodes that do not answer (the agent or the instance down)

    def run(self, step: str) -> dict[str, NodeResult]:
        self.steps.append(step)
        results = {}
        for node in self.cluster.nodes:
            if node.name in self.silent:
                results[node.name] = NodeResult(False, "", "no answer within 300 s")
                continue
            done = self.cluster.script(node, "auth.sh", step, check=False)
            results[node.name] = NodeResult(done.returncode == 0, done.stdout, done.stderr)
        if all(result.ok for result in results.values()):
            self.after(step)
        return results


def secret_store(cluster: RealCluster) -> FakeSecretsManager:
    return FakeSecretsManager(ARN, cluster.password, on_change=cluster.stage_password)


def accepts(cluster: RealCluster, node: Node, password: str) -> bool:
    return cluster.cli(node, "PING", password=password, check=False).strip() == "PONG"


def write_and_read(cluster: RealCluster, password: str, tag: str) -> dict[str, str]:
    """Cluster-mode writes then reads (redirections followed) from node-0 with `password`."""
    values = {f"rotation:{tag}:{n}": secrets.token_hex(4) for n in range(12)}
    for key, value in values.items():
        assert cluster.cli(cluster.nodes[0], "SET", key, value, cluster=True, password=password).strip() == "OK"
    for key, value in values.items():
        assert cluster.cli(cluster.nodes[0], "GET", key, cluster=True, password=password).strip() == value
    return values


def replicas(cluster: RealCluster) -> list[Node]:
    return [n for n in cluster.nodes if cluster.info(n, "replication")["role"] == "slave"]


def relink_replicas(cluster: RealCluster) -> None:
    """Cut every replica's link to its master; each must come back (with its masterauth)."""
    for replica in replicas(cluster):
        cluster.cli(replica, "CLIENT", "KILL", "TYPE", "master")
    for replica in replicas(cluster):
        cluster.wait(
            lambda r=replica: cluster.info(r, "replication")["master_link_status"] == "up",
            f"{replica.name} to reconnect to its master",
            REPLICA_SECONDS,
        )


def restart(cluster: RealCluster, node: Node) -> None:
    """The instance reboots: the process dies, configure.sh renders the auth file again."""
    cluster.kill(node)
    cluster.start(node)
    cluster.wait(
        lambda: cluster.info(node, "replication")["master_link_status"] == "up", f"{node.name} in sync", REPLICA_SECONDS
    )


def assert_only(cluster: RealCluster, accepted: list[str], refused: list[str]) -> None:
    for node in cluster.nodes:
        for password in accepted:
            assert accepts(cluster, node, password), f"{node.name} refuses a password of the window"
        for password in refused:
            assert not accepts(cluster, node, password), f"{node.name} still accepts the old password"


def test_a_rotation_never_refuses_a_client(cluster):
    store = secret_store(cluster)
    old = cluster.password
    before = write_and_read(cluster, old, "before")
    seen: list[str] = []
    restarted: list[str] = []

    def after(step: str) -> None:
        new = store.value_of(PENDING) or store.value_of(CURRENT)
        if step == "open" and "open" not in seen:
            assert_only(cluster, [old, new], [])
            write_and_read(cluster, old, "open-old")
            write_and_read(cluster, new, "open-new")
            # A replica rebooted inside the window, before the promotion: AWSCURRENT and AWSPENDING.
            restart(cluster, replicas(cluster)[0])
            assert_only(cluster, [old, new], [])
        if step == "replicate":
            for node in cluster.nodes:
                assert cluster.cli(node, "CONFIG", "GET", "masterauth").split()[1] == new
            relink_replicas(cluster)
        seen.append(step)

    def restart_services() -> Outcome:
        # Promoted, not yet closed: old tasks still use the old password, new ones the new.
        assert store.value_of(CURRENT) != old and store.value_of(PREVIOUS) == old
        new = store.value_of(CURRENT)
        assert_only(cluster, [old, new], [])
        # A replica rebooted now: AWSCURRENT (new) and AWSPREVIOUS (old).
        restart(cluster, replicas(cluster)[1])
        assert_only(cluster, [old, new], [])
        restarted.append("api+realtime")
        return Outcome(0, "restarted")

    nodes = LocalNodes(cluster, after)
    outcome = rotate(AuthSecret(store, ARN), nodes, restart_services, password_length=PASSWORD_LENGTH, say=print)

    assert outcome.code == 0, outcome.message
    assert nodes.steps == ["open", "check", "replicate", "close", "check"]
    assert restarted == ["api+realtime"]
    assert store.random_password_requests == [
        {"PasswordLength": PASSWORD_LENGTH, "ExcludePunctuation": True, "IncludeSpace": False}
    ]
    new = store.value_of(CURRENT)
    assert new != old and store.value_of(PREVIOUS) == old and store.value_of(PENDING) is None
    cluster.password = new
    assert_only(cluster, [new], [old])
    for node in cluster.nodes:
        assert cluster.cluster_info(node)["cluster_state"] == "ok"
    for key, value in before.items():
        assert cluster.cli(cluster.nodes[0], "GET", key, cluster=True).strip() == value
    write_and_read(cluster, new, "after")
    # The replicas replicate with the new password alone now.
    relink_replicas(cluster)
    # A node rebooted after the rotation accepts the new password only.
    restart(cluster, replicas(cluster)[2])
    assert_only(cluster, [new], [old])


def test_a_silent_node_during_open_promotes_nothing_and_a_rerun_completes(cluster):
    store = secret_store(cluster)
    old = cluster.password
    nodes = LocalNodes(cluster)
    silent = replicas(cluster)[0]
    nodes.silent = {silent.name}

    stopped = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, "restarted"), password_length=PASSWORD_LENGTH)

    assert stopped.code == 1 and f"auth.sh open failed on 1 of 6 nodes ({silent.name}" in stopped.message
    assert stopped.message.endswith("nothing was promoted; run the command again to resume")
    assert store.value_of(CURRENT) == old and store.value_of(PENDING) not in (None, old)
    assert nodes.steps == ["open"]
    new = store.value_of(PENDING)
    assert_only(cluster, [old], [])
    assert not accepts(cluster, silent, new), "the silent node never opened"
    write_and_read(cluster, old, "silent")

    nodes.silent = set()
    resumed = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, "restarted"), password_length=PASSWORD_LENGTH)

    assert resumed.code == 0, resumed.message
    assert store.value_of(CURRENT) == new and len(store.random_password_requests) == 1, "the same pending version"
    cluster.password = new
    assert_only(cluster, [new], [old])


def test_a_failed_service_restart_closes_nothing_and_a_rerun_completes(cluster):
    store = secret_store(cluster)
    old = cluster.password
    nodes = LocalNodes(cluster)

    stopped = rotate(
        AuthSecret(store, ARN), nodes, lambda: Outcome(1, "deployment failed: chat-test-api-blue"), password_length=64
    )

    assert stopped.code == 1 and "nothing was closed" in stopped.message and "chat-test-api-blue" in stopped.message
    assert "close" not in nodes.steps
    new = store.value_of(CURRENT)
    assert new != old and store.value_of(PENDING) == new, "promoted, the rotation still open"
    assert_only(cluster, [old, new], [])
    write_and_read(cluster, old, "restart-failed")

    resumed = rotate(AuthSecret(store, ARN), nodes, lambda: Outcome(0, "restarted"), password_length=64)

    assert resumed.code == 0, resumed.message
    cluster.password = new
    assert_only(cluster, [new], [old])


def test_a_pending_value_with_punctuation_is_refused_by_the_nodes(cluster):
    node = cluster.nodes[1]
    cluster.stage_password(PENDING, "not:plain")
    try:
        for step in ("open", "check"):
            refused = cluster.script(node, "auth.sh", step, check=False)
            assert refused.returncode != 0
            assert "pending AUTH secret (AWSPENDING) must be letters and digits only" in refused.stderr
        configured = cluster.script(node, "configure.sh", check=False)
        assert configured.returncode != 0 and "AWSPENDING" in configured.stderr
        assert accepts(cluster, node, cluster.password)
    finally:
        cluster.stage_password(PENDING, None)
        cluster.script(node, "configure.sh")


def test_requirepass_holds_one_password_which_is_why_the_window_is_a_user_line(cluster, tmp_path):
    """The window's two passwords cannot be two requirepass lines: the last one wins, on both builds
    (the inline `user default ... >a >b` line configure.sh writes is proven above, by nodes
    restarted inside the window). A plaintext server on loopback, only for this."""
    port = free_base_port(1)
    server = subprocess.Popen(
        [
            cluster.build.server,
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
            "--requirepass",
            "firstpassword",
            "--requirepass",
            "secondpassword",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def ping(password: str) -> str:
        return subprocess.run(
            [cluster.build.cli, "--no-auth-warning", "-h", LOOPBACK, "-p", str(port), "PING"],
            env={"REDISCLI_AUTH": password},
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()

    try:
        cluster.wait(lambda: ping("secondpassword") == "PONG", "the plaintext server to answer", 20)
        assert ping("firstpassword") != "PONG"
    finally:
        server.kill()
        server.wait(timeout=10)


def test_replicate_waits_for_every_node_of_the_layout_to_accept_the_new_password(cluster):
    last = cluster.nodes[-1]  # the layout's last line: the check must read the whole layout
    cluster.stage_password(PENDING, secrets.token_hex(24))
    try:
        for node in cluster.nodes[:-1]:
            cluster.script(node, "auth.sh", "open")
        refused = cluster.script(cluster.nodes[0], "auth.sh", "replicate", check=False)
        assert refused.returncode != 0
        assert f"{last.name} does not accept AWSPENDING yet: run open on every node first" in refused.stderr
        assert cluster.cli(cluster.nodes[0], "CONFIG", "GET", "masterauth").split()[1] == cluster.password
    finally:
        cluster.stage_password(PENDING, None)
        for node in cluster.nodes[:-1]:
            cluster.script(node, "auth.sh", "close")
    assert_only(cluster, [cluster.password], [])
