"""Ownership and crash recovery of what the strategies, the command and the demo create.

rawnl marks every interface it creates for a network (``IFLA_IFALIAS``, ``rawnl ...`` with the
network's identity: the container's namespace and the interface's name) and derives the
temporary names from that identity, so ``network down`` finds every piece, temp-named peers after
a crash included, and deletes only what it created; ``network up`` after a crash cleans the
leftovers of the same network instead of stacking new ones; ``rawnl demo`` removes the namespaces
of earlier demo runs whose process is gone.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rawnl import IPRoute, NetNS
from rawnl.engine.netns import NETNS_RUN_DIR

RAWNL = [sys.executable, "-m", "rawnl"]
REPO = Path(__file__).resolve().parent.parent


def config(tmp_path: Path, count: int, *, named_hosts: bool = True) -> Path:
    """``count`` veth networks (eth0..), their host ends ``vh0``.. (or generated), plus loopback."""
    nets: list[dict[str, Any]] = [{"type": "loopback"}]
    for i in range(count):
        net: dict[str, Any] = {"type": "veth", "name": f"eth{i}", "bridge": "br0", "address": f"198.51.100.{i + 2}/24"}
        if named_hosts:
            net["host_interface_name"] = f"vh{i}"
        nets.append(net)
    path = tmp_path / f"networks-{count}.json"
    path.write_text(json.dumps({"networks": nets}))
    return path


def veths(ns: NetNS) -> list[str]:
    with IPRoute(ns) as r:
        return sorted(link.name for link in r.links(kind="veth"))


def network(
    action: str, cfg: Path, container: NetNS, host: NetNS, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [
            *RAWNL,
            "network",
            action,
            "--config",
            str(cfg),
            "--netns",
            str(container.name),
            "--host-netns",
            str(host.name),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_what_rawnl_creates_carries_its_mark(bridge_host: NetNS, netns2: NetNS, tmp_path: Path) -> None:
    network("up", config(tmp_path, 1), netns2, bridge_host)
    with IPRoute(bridge_host) as h, IPRoute(netns2) as c:
        host_end = h.link_get("vh0")
        eth0 = c.link_get("eth0")
    assert host_end.alias is not None
    assert host_end.alias.startswith("rawnl ")
    assert host_end.alias == eth0.alias
    assert f"net:[{netns2.ino}]" in host_end.alias
    assert "eth0" in host_end.alias


def start_up(cfg: Path, container: NetNS, host: NetNS) -> subprocess.Popen[bytes]:
    args = ["network", "up", "--config", str(cfg), "--netns", str(container.name), "--host-netns", str(host.name)]
    return subprocess.Popen([*RAWNL, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)


def kill_midway(proc: subprocess.Popen[bytes], host: NetNS, target: int) -> int:
    """SIGKILL ``proc`` once ``target`` veths exist on the host (a random point of its work, what
    ever the machine's speed); returns how many there were when it died."""
    while proc.poll() is None and len(veths(host)) < target:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return len(veths(host))


@pytest.mark.slow
def test_kill_9_during_up_then_down_leaves_nothing_and_up_makes_one_set(
    bridge_host: NetNS, netns2: NetNS, tmp_path: Path
) -> None:
    """20 runs: ``network up`` of 30 veths killed with SIGKILL at a random point (once a random
    number of its pairs exist); then ``down`` removes every piece (temp-named peers included);
    then ``up`` makes exactly one set.  And 20 more: the kill, then straight ``up`` again."""
    cfg = config(tmp_path, 30)
    want_host = sorted(f"vh{i}" for i in range(30))
    want_container = sorted(f"eth{i}" for i in range(30))
    rng = random.Random(7)
    killed_midway = 0
    for _run in range(20):
        left = kill_midway(start_up(cfg, netns2, bridge_host), bridge_host, rng.randint(1, 29))
        killed_midway += 0 < left < 30
        network("down", cfg, netns2, bridge_host)
        assert veths(bridge_host) == []
        assert veths(netns2) == []
        network("up", cfg, netns2, bridge_host)
        assert veths(bridge_host) == want_host
        assert veths(netns2) == want_container
        network("down", cfg, netns2, bridge_host)
        # an up right after a kill converges too
        kill_midway(start_up(cfg, netns2, bridge_host), bridge_host, rng.randint(1, 29))
        network("up", cfg, netns2, bridge_host)
        assert veths(bridge_host) == want_host
        assert veths(netns2) == want_container
        network("down", cfg, netns2, bridge_host)
    assert killed_midway >= 10  # the kills really landed in the middle


def test_down_leaves_a_foreign_interface_with_the_same_name(bridge_host: NetNS, netns2: NetNS, tmp_path: Path) -> None:
    """A config naming an interface that exists and is not rawnl's: up fails (EEXIST) and leaves it,
    down leaves it too, with a one-line warning."""
    with IPRoute(bridge_host) as h:
        h.link_add_veth("vh0", "foreign-peer")
    cfg = config(tmp_path, 1)
    up = network("up", cfg, netns2, bridge_host, check=False)
    assert up.returncode == 1
    assert "File exists" in up.stderr
    down = network("down", cfg, netns2, bridge_host)
    assert veths(bridge_host) == ["foreign-peer", "vh0"]
    [warning] = down.stderr.splitlines()
    assert "vh0" in warning
    assert "not created by rawnl" in warning


def test_down_finds_generated_host_names(bridge_host: NetNS, netns2: NetNS, tmp_path: Path) -> None:
    cfg = config(tmp_path, 3, named_hosts=False)
    network("up", cfg, netns2, bridge_host)
    assert len(veths(bridge_host)) == 3
    network("down", cfg, netns2, bridge_host)
    assert veths(bridge_host) == []
    assert veths(netns2) == []


@pytest.mark.slow
def test_demo_removes_the_namespaces_of_a_killed_demo(tmp_path: Path) -> None:
    """kill -9 of ``rawnl demo --containers 60`` leaves its namespaces; the next demo removes
    them (their process is gone) and leaves those of a demo that still runs alone."""
    before = set(os.listdir(NETNS_RUN_DIR)) if os.path.isdir(NETNS_RUN_DIR) else set()
    demo = subprocess.Popen(
        [*RAWNL, "demo", "--containers", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    prefix = f"rawnl-demo-{demo.pid}-"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = os.listdir(NETNS_RUN_DIR) if os.path.isdir(NETNS_RUN_DIR) else []
        if sum(n.startswith(prefix) for n in made) >= 20:
            break
        time.sleep(0.05)
    demo.send_signal(signal.SIGKILL)
    demo.wait()
    left = [n for n in os.listdir(NETNS_RUN_DIR) if n.startswith(prefix)]
    assert left, "the demo was killed before it made anything"
    try:
        again = subprocess.Popen(
            [*RAWNL, "demo", "--containers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err[-2000:]
        assert f"Removed {len(left)} namespaces left by an earlier demo" in out + err
        assert (
            [n for n in os.listdir(NETNS_RUN_DIR) if n.startswith(prefix)] == []
            if os.path.isdir(NETNS_RUN_DIR)
            else True
        )
    finally:
        for name in left:
            if os.path.lexists(os.path.join(NETNS_RUN_DIR, name)):
                NetNS.delete(name)
    after = set(os.listdir(NETNS_RUN_DIR)) if os.path.isdir(NETNS_RUN_DIR) else set()
    # nothing of either demo is left (other engineers' concurrent runs may add their own names)
    ours = (prefix, f"rawnl-demo-{again.pid}-")
    assert sorted(n for n in after - before if n.startswith(ours)) == []
