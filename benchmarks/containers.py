"""Wiring containers the way runc did: rawnl's strategies against pyroute2 and the CNI bridge plugin.

Each contender wires N (default 50) fresh container namespaces onto the bridge ``br0`` of a
fresh "host" namespace, with a loopback and a veth network: the veth gets an address in
198.51.100.0/24, a default route via 198.51.100.1 and MTU 1400.  The time per container is
measured around the wiring only (the namespaces already exist, as a runtime's do):

- **rawnl**: :func:`rawnl.runc.strategies.create_network_interfaces` (loopback + veth strategies;
  the container given by name, the host side in one :class:`rawnl.IPRoute` kept open).
- **pyroute2**: the same runc steps with pyroute2 (``IPRoute(netns=...)``, a test-only oracle):
  the pair made in the host, the host end attached (master, MTU, up), the peer moved into the
  container, then inside it: down, rename, address, MTU, up, default route, ``lo`` up.  One
  host handle kept open, one handle opened per container, as rawnl does.
- **CNI**: Debian's ``containernetworking-plugins`` ``/usr/lib/cni/bridge`` with ``host-local``
  IPAM, run inside the host namespace with ``ip netns exec``, one invocation per container as a
  container runtime does (``CNI_COMMAND=ADD``, ``CNI_NETNS=/run/netns/NAME``, config on stdin,
  host-local state in a temporary directory).  Only the bridge plugin is timed, not the
  loopback plugin a runtime would also run (which favours CNI).  The cost of ``ip netns exec``
  alone is measured too, and CNI's time without it is reported as well.

Nothing is done in the root namespace; every namespace made is deleted, and /run/netns is left
as it was found.  Run as root::

    apt-get install -y containernetworking-plugins    # for the CNI contender (else it is skipped)
    sudo .venv/bin/python benchmarks/containers.py [--containers 50] [--json]

pyroute2 comes with rawnl's test extra (``pip install -e '.[test]'``).  Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from rawnl import IPRoute, NetNS
from rawnl.engine.netns import NETNS_RUN_DIR, run_netns_as_found
from rawnl.runc.config import Network
from rawnl.runc.strategies import create_network_interfaces

CNI_BRIDGE = "/usr/lib/cni/bridge"
CNI_PATH = "/usr/lib/cni"
MTU = 1400
PID = os.getpid()


def _address(i: int) -> str:
    return f"198.51.100.{i + 1}"


@contextmanager
def namespaces(tag: str, n: int) -> Iterator[tuple[str, list[str]]]:
    """A host namespace with br0 (up, 198.51.100.1/24) and n empty container namespaces; all
    deleted afterwards."""
    host = f"rawnl-bench-{PID}-{tag}-h"
    containers = [f"rawnl-bench-{PID}-{tag}-{i}" for i in range(1, n + 1)]
    made: list[str] = []
    try:
        for name in (host, *containers):
            made.append(name)
            NetNS.create(name).close()
        with IPRoute(netns=host) as h:
            h.link_add_bridge("br0")
            h.addr_add("br0", "198.51.100.1/24")
            h.link_set("br0", up=True)
        yield host, containers
    finally:
        for name in reversed(made):
            with suppress(FileNotFoundError):
                NetNS.delete(name)


def check(host: str, containers: list[str]) -> None:
    """Every container has eth0 up with its address, MTU and default route; every host end is
    on br0 (so that no contender is timed doing less)."""
    with IPRoute(netns=host) as h:
        ports = h.links(master="br0")
    assert len(ports) == len(containers), f"{len(ports)} ports on br0, expected {len(containers)}"
    for i, name in enumerate(containers, 1):
        with IPRoute(netns=name) as r:
            eth0 = r.link_get("eth0")
            assert eth0.up, name
            assert eth0.mtu == MTU, (name, eth0.mtu)
            assert r.link_get("lo").up, name
            assert _address(i) in {str(a.address) for a in r.addrs("eth0")}, name
            assert any(str(rt.gateway) == "198.51.100.1" for rt in r.routes(family=2)), name


# ------------------------------------------------------------------------------ contenders


def networks(i: int) -> list[Network]:
    """Container ``i``'s networks as rawnl's strategies take them: loopback, and a veth on br0
    (host end ``vr<i>``) with an address of 198.51.100.0/24 and the bridge's gateway."""
    return [
        Network("loopback"),
        Network(
            "veth", name="eth0", bridge="br0", address=f"{_address(i)}/24", gateway="198.51.100.1",
            mtu=MTU, host_interface_name=f"vr{i}",
        ),
    ]  # fmt: skip


def wire_rawnl(host: str, containers: list[str]) -> list[float]:
    times = []
    with IPRoute(netns=host) as h:
        for i, name in enumerate(containers, 1):
            nets = networks(i)
            t0 = time.perf_counter()
            create_network_interfaces(nets, name, host=h)
            times.append(time.perf_counter() - t0)
    return times


def wire_pyroute2(host: str, containers: list[str]) -> list[float]:
    from pyroute2 import IPRoute as Pyroute2IPRoute

    times = []
    with Pyroute2IPRoute(netns=host) as h:
        br = h.link_lookup(ifname="br0")[0]
        for i, name in enumerate(containers, 1):
            t0 = time.perf_counter()
            hostif, temp = f"vp{i}", f"veth{i:07x}"
            # runc's veth.create: the pair in the host, attach the host end, move the peer
            h.link("add", ifname=hostif, kind="veth", peer=temp)
            hidx = h.link_lookup(ifname=hostif)[0]
            h.link("set", index=hidx, master=br)
            h.link("set", index=hidx, mtu=MTU)
            h.link("set", index=hidx, state="up")
            pidx = h.link_lookup(ifname=temp)[0]
            h.link("set", index=pidx, net_ns_fd=name)
            # runc's veth.initialize and loopback.initialize, inside the container
            with Pyroute2IPRoute(netns=name) as c:
                idx = c.link_lookup(ifname=temp)[0]
                c.link("set", index=idx, state="down")
                c.link("set", index=idx, ifname="eth0")
                c.addr("add", index=idx, address=_address(i), prefixlen=24)
                c.link("set", index=idx, mtu=MTU)
                c.link("set", index=idx, state="up")
                c.route("add", gateway="198.51.100.1", oif=idx)
                c.link("set", index=c.link_lookup(ifname="lo")[0], state="up")
            times.append(time.perf_counter() - t0)
    return times


def wire_cni(host: str, containers: list[str]) -> list[float]:
    data_dir = tempfile.mkdtemp(prefix="rawnl-bench-cni-")
    config = json.dumps(
        {
            "cniVersion": "1.0.0",
            "name": "rawnl-bench",
            "type": "bridge",
            "bridge": "br0",
            "isGateway": True,
            "mtu": MTU,
            "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": "198.51.100.0/24", "gateway": "198.51.100.1"}]],
                "routes": [{"dst": "0.0.0.0/0"}],
                "dataDir": data_dir,
            },
        }
    )
    times = []
    try:
        for i, name in enumerate(containers, 1):
            env = {
                "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                "CNI_COMMAND": "ADD",
                "CNI_CONTAINERID": f"rawnl-bench-{PID}-{i}",
                "CNI_NETNS": f"{NETNS_RUN_DIR}/{name}",
                "CNI_IFNAME": "eth0",
                "CNI_PATH": CNI_PATH,
            }
            t0 = time.perf_counter()
            proc = subprocess.run(
                ["ip", "netns", "exec", host, CNI_BRIDGE],
                input=config,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise RuntimeError(f"CNI bridge plugin failed for {name}: {proc.stdout}{proc.stderr}")
            with IPRoute(netns=name) as r:  # the loopback plugin's job, untimed
                r.link_set("lo", up=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return times


def exec_overhead(host: str, runs: int = 20) -> float:
    """Median wall time of ``ip netns exec HOST true``: the part of CNI's time that is not the plugin."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(["ip", "netns", "exec", host, "true"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ------------------------------------------------------------------------------------ main


def measure(tag: str, wire: Callable[[str, list[str]], list[float]], n: int) -> dict[str, Any]:
    with namespaces(tag, n) as (host, containers):
        times = wire(host, containers)
        check(host, containers)
        extra = {"exec_overhead_ms": exec_overhead(host) * 1e3} if tag == "cni" else {}
    ms = sorted(t * 1e3 for t in times)
    return {
        "median_ms": statistics.median(ms),
        "p90_ms": ms[int(0.9 * (len(ms) - 1))],
        "total_ms": sum(ms),
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("benchmarks/containers.py: needs root (it creates network namespaces)", file=sys.stderr)
        return 1
    results: dict[str, dict[str, Any]] = {}
    with run_netns_as_found():
        results["rawnl"] = measure("rawnl", wire_rawnl, args.containers)
        results["pyroute2"] = measure("pr2", wire_pyroute2, args.containers)
        if os.access(CNI_BRIDGE, os.X_OK):
            results["cni"] = measure("cni", wire_cni, args.containers)
        else:
            print(
                f"(CNI skipped: {CNI_BRIDGE} missing; apt-get install -y containernetworking-plugins)", file=sys.stderr
            )
    base = results["rawnl"]["median_ms"]
    for r in results.values():
        r["ratio"] = r["median_ms"] / base
    if "cni" in results:
        cni = results["cni"]
        cni["plugin_only_median_ms"] = cni["median_ms"] - cni["exec_overhead_ms"]
        cni["plugin_only_ratio"] = cni["plugin_only_median_ms"] / base
    if args.json:
        print(json.dumps({"containers": args.containers, "results": results}, indent=2))
        return 0
    print(f"Wiring {args.containers} containers (loopback + veth with address, gateway, MTU {MTU}), per container:")
    print(f"  {'':34} {'median':>9} {'p90':>9} {'total':>10} {'vs rawnl':>9}")
    labels = {
        "rawnl": "rawnl strategies",
        "pyroute2": "pyroute2, runc's steps",
        "cni": "CNI bridge plugin (ip netns exec)",
    }
    for key, r in results.items():
        print(
            f"  {labels[key]:34} {r['median_ms']:7.2f}ms {r['p90_ms']:7.2f}ms {r['total_ms']:8.1f}ms {r['ratio']:8.1f}x"
        )
    if "cni" in results:
        cni = results["cni"]
        print(
            f"  CNI without `ip netns exec` ({cni['exec_overhead_ms']:.2f} ms of it): "
            f"{cni['plugin_only_median_ms']:.2f} ms, {cni['plugin_only_ratio']:.1f}x rawnl"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
