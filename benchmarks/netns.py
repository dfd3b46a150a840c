"""Opening a netlink socket inside another network namespace: rawnl against pyroute2, one run.

rawnl: ``NetlinkSocket(netns=ns)`` (a short-lived thread does ``setns`` + ``socket()``; the
socket is then bound, options set) and the bare ``rawnl.engine.netns.socket_in``.
pyroute2 (the peer): ``pyroute2.netns.create_socket`` (forks a child that setns()es, creates the
socket and passes it back over a unix socket) and a whole ``pyroute2.NetNS(name)`` object.

Creates and deletes its own namespace (``rawnl-bench-<pid>``); needs root.  Target: <= 0.5 ms per
rawnl open.  Usage: ``python benchmarks/netns.py [--rawnl N] [--pyroute2 N]``.
"""

from __future__ import annotations

import _socket
import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

from rawnl import NetlinkSocket
from rawnl.engine.netns import NetNS, cleanup_run_netns, socket_in

AF_NETLINK, NETLINK_ROUTE = 16, 0
TARGET_MS = 0.5


def measure(label: str, open_close: Callable[[], None], n: int, warmup: int) -> float:
    for _ in range(warmup):
        open_close()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        open_close()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times) * 1e3
    mean = statistics.fmean(times) * 1e3
    p95 = sorted(times)[int(0.95 * (len(times) - 1))] * 1e3
    print(f"  {label:<46} n={n:<6} median {median:8.3f} ms   mean {mean:8.3f} ms   p95 {p95:8.3f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rawnl", type=int, default=3000, help="rawnl opens per variant")
    parser.add_argument("--pyroute2", type=int, default=100, help="pyroute2 opens per variant")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (creates a network namespace)", file=sys.stderr)
        return 2

    import pyroute2
    from pyroute2.netns import create_socket

    name = f"rawnl-bench-{os.getpid()}"
    home = os.readlink("/proc/thread-self/ns/net")
    ns = NetNS.create(name)
    try:
        print(f"opening an AF_NETLINK socket inside {name} ({os.cpu_count()} CPUs, pyroute2 {pyroute2.__version__})")

        def rawnl_socket() -> None:
            NetlinkSocket(netns=ns).close()

        def rawnl_by_name() -> None:
            NetlinkSocket(netns=name).close()

        def rawnl_bare() -> None:
            socket_in(ns, AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, NETLINK_ROUTE).close()

        def pyroute2_socket() -> None:
            create_socket(name, AF_NETLINK, _socket.SOCK_RAW, NETLINK_ROUTE).close()

        def pyroute2_netns() -> None:
            pyroute2.NetNS(name).close()

        r_full = measure("rawnl NetlinkSocket(netns=NetNS)", rawnl_socket, args.rawnl, 50)
        measure("rawnl NetlinkSocket(netns=name)", rawnl_by_name, args.rawnl, 50)
        r_bare = measure("rawnl socket_in (bare socket)", rawnl_bare, args.rawnl, 50)
        p_bare = measure("pyroute2 netns.create_socket (bare socket)", pyroute2_socket, args.pyroute2, 3)
        p_full = measure("pyroute2 NetNS(name)", pyroute2_netns, args.pyroute2, 3)
        assert os.readlink("/proc/thread-self/ns/net") == home, "the caller moved"
    finally:
        ns.close()
        NetNS.delete(name)
        cleanup_run_netns()  # only if this process made /run/netns and it is empty

    print()
    print(f"  bare socket:        pyroute2 / rawnl = {p_bare / r_bare:6.1f}x")
    print(f"  ready netlink sock: pyroute2 NetNS / rawnl NetlinkSocket = {p_full / r_full:6.1f}x")
    verdict = "meets" if r_full <= TARGET_MS else "MISSES"
    print(f"  rawnl NetlinkSocket(netns=...) median {r_full:.3f} ms {verdict} the {TARGET_MS} ms target")
    return 0 if r_full <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
