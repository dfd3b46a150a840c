"""The operations API against its peers, in one run: rawnl, ``ip -batch`` and pyroute2.

Workloads (N = 1,000 by default), each tool in a fresh network namespace per repetition:

(a) create N veth pairs, attach one end of each to a bridge and set that end up;
(b) add N IPv4 addresses (250 on each of 4 links: the test ranges hold fewer than 1,000);
(c) add N IPv4 routes (250 in each of 4 tables, via one gateway);
(d) list 2N links with full typed results: ``IPRoute.links()`` in-process against ``ip -j link
    show`` as a whole process and pyroute2's ``get_links()``;
(e) a whole ``python -c "import rawnl; rawnl.IPRoute().links()"`` against the bare interpreter
    (``python -c pass``), after ``python -m compileall``.

rawnl and pyroute2 are timed in-process (opening the handle included in (a)-(c)); ``ip`` and the
interpreters as whole processes, spawned from a thread inside the namespace (no ``ip -n`` /
``ip netns exec`` set-up cost on either side).  Each figure is the median of the repetitions.
Deleting a namespace that holds thousands of links keeps the kernel busy for a few seconds in
the background, so the run pauses (``--settle``) after each.

Targets: (a) no slower than ``ip -batch``; (b), (c) >= 1.5x faster than ``ip -batch`` and >= 20x
faster than pyroute2; (d) >= 2x faster than ``ip -j link show`` and >= 30x faster than pyroute2;
(e) <= 2x the bare interpreter.

Needs root.  Usage: ``python benchmarks/ops.py [-n 1000] [--reps 3] [--settle 5] [--skip-pyroute2]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import rawnl
from rawnl import IPRoute
from rawnl.engine.netns import NetNS, run_netns_as_found

PID = os.getpid()
_counter = iter(range(1_000_000))
IP = shutil.which("ip") or "/usr/sbin/ip"


def fresh_ns() -> NetNS:
    return NetNS.create(f"rawnl-bench-ops-{PID}-{next(_counter)}")


def drop_ns(ns: NetNS, settle: float) -> None:
    name = ns.name
    ns.close()
    assert name is not None
    NetNS.delete(name)
    time.sleep(settle)


def spawn_in(ns: NetNS, argv: list[str], env: dict[str, str] | None = None) -> float:
    """Run ``argv`` as a whole process inside ``ns`` (spawned from this thread while it is in
    ``ns``); return its wall time.  Output goes to /dev/null; a failure raises."""
    actions = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    with ns.enter():
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ if env is None else env, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed with status {status}")
    return elapsed


def ip_batch(ns: NetNS, lines: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", prefix="rawnl-bench-", suffix=".ip") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        return spawn_in(ns, [IP, "-batch", f.name])


def pyroute2_in(ns: NetNS) -> Any:
    import pyroute2

    with ns.enter():
        return pyroute2.IPRoute()


def link_count(ns: NetNS) -> int:
    with IPRoute(ns) as ipr:
        return len(ipr.links())


@dataclass
class Row:
    label: str
    target: str
    #: minimum speed-up over (ip, pyroute2); for (e) the maximum slow-down over the bare interpreter
    need: tuple[float | None, float | None] = (None, None)
    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, tool: str, seconds: float) -> None:
        self.times.setdefault(tool, []).append(seconds)

    def median(self, tool: str) -> float | None:
        values = self.times.get(tool)
        return statistics.median(values) if values else None


# ------------------------------------------------------------------------------ workloads


def bench_a(n: int, reps: int, settle: float, queues: int | None, with_pyroute2: bool) -> Row:
    q = "" if queues is None else f" numtxqueues {queues} numrxqueues {queues}"
    label = f"(a) {n} veth pairs + bridge + up, " + ("default queues" if queues is None else f"{queues} queue")
    row = Row(label, "rawnl <= ip -batch", (1.0, None))
    for _ in range(reps):
        ns = fresh_ns()
        try:
            t0 = time.perf_counter()
            with IPRoute(ns) as ipr:
                ipr.link_add_bridge("br0")
                bridge = ipr.link_get("br0").index
                with ipr.batch() as b:
                    for i in range(n):
                        b.link_add_veth(f"va{i}", f"vb{i}", num_queues=queues)
                        b.link_set(f"va{i}", master=bridge, up=True)
            row.add("rawnl", time.perf_counter() - t0)
            assert not b.errors, b.errors[:3]
            assert link_count(ns) == 2 * n + 2
        finally:
            drop_ns(ns, settle)
        ns = fresh_ns()
        try:
            lines = ["link add br0 type bridge"]
            for i in range(n):
                lines.append(f"link add va{i}{q} type veth peer name vb{i}{q}")
                lines.append(f"link set va{i} master br0 up")
            row.add("ip", ip_batch(ns, lines))
            assert link_count(ns) == 2 * n + 2
        finally:
            drop_ns(ns, settle)
        if not with_pyroute2:
            continue
        ns = fresh_ns()
        try:
            t0 = time.perf_counter()
            p = pyroute2_in(ns)
            p.link("add", ifname="br0", kind="bridge")
            bridge = p.link_lookup(ifname="br0")[0]
            extra = {} if queues is None else {"num_tx_queues": queues, "num_rx_queues": queues}
            for i in range(n):
                p.link("add", ifname=f"va{i}", kind="veth", peer={"ifname": f"vb{i}", **extra}, **extra)
                p.link("set", ifname=f"va{i}", master=bridge, state="up")
            p.close()
            row.add("pyroute2", time.perf_counter() - t0)
            assert link_count(ns) == 2 * n + 2
        finally:
            drop_ns(ns, settle)
    return row


def _four_links(ns: NetNS) -> None:
    with IPRoute(ns) as ipr:
        ipr.link_add_veth("v0", "v1", num_queues=1)
        ipr.link_add_veth("v2", "v3", num_queues=1)
        for name in ("v0", "v1", "v2", "v3"):
            ipr.link_set(name, up=True)
        ipr.addr_add("v0", "192.0.2.1/24")


def _addresses(n: int) -> list[tuple[str, str]]:
    per = -(-n // 4)
    return [(f"v{i // per}", f"198.51.100.{i % per + 1}/32") for i in range(n)]


def _routes(n: int) -> list[tuple[str, int]]:
    per = -(-n // 4)
    return [(f"203.0.113.{i % per}/32", 1000 + i // per) for i in range(n)]


def bench_bc(kind: str, n: int, reps: int, settle: float, with_pyroute2: bool) -> tuple[Row, Row]:
    if kind == "b":
        row = Row(f"(b) {n} IPv4 addresses, batch", ">= 1.5x ip, >= 20x pyroute2", (1.5, 20.0))
        seq = Row(f"(b) {n} IPv4 addresses, one call each", "")
        work = _addresses(n)
    else:
        row = Row(f"(c) {n} IPv4 routes, batch", ">= 1.5x ip, >= 20x pyroute2", (1.5, 20.0))
        seq = Row(f"(c) {n} IPv4 routes, one call each", "")
        routes = _routes(n)

    def rawnl_batch(ipr: IPRoute) -> None:
        with ipr.batch() as b:
            if kind == "b":
                for link, addr in work:
                    b.addr_add(link, addr)
            else:
                for dst, table in routes:
                    b.route_add(dst, gateway="192.0.2.2", table=table)
        assert not b.errors, b.errors[:3]

    def rawnl_calls(ipr: IPRoute) -> None:
        if kind == "b":
            index = {name: ipr.link_get(name).index for name in ("v0", "v1", "v2", "v3")}
            for link, addr in work:
                ipr.addr_add(index[link], addr)
        else:
            for dst, table in routes:
                ipr.route_add(dst, gateway="192.0.2.2", table=table)

    for _ in range(reps):
        for target_row, run in ((row, rawnl_batch), (seq, rawnl_calls)):
            ns = fresh_ns()
            try:
                _four_links(ns)
                t0 = time.perf_counter()
                with IPRoute(ns) as ipr:
                    run(ipr)
                target_row.add("rawnl", time.perf_counter() - t0)
                _check_bc(kind, ns, n)
            finally:
                drop_ns(ns, settle / 4)
        ns = fresh_ns()
        try:
            _four_links(ns)
            if kind == "b":
                lines = [f"addr add {addr} dev {link}" for link, addr in work]
            else:
                lines = [f"route add {dst} via 192.0.2.2 table {table}" for dst, table in routes]
            elapsed = ip_batch(ns, lines)
            row.add("ip", elapsed)
            seq.add("ip", elapsed)
            _check_bc(kind, ns, n)
        finally:
            drop_ns(ns, settle / 4)
        if not with_pyroute2:
            continue
        ns = fresh_ns()
        try:
            _four_links(ns)
            t0 = time.perf_counter()
            p = pyroute2_in(ns)
            if kind == "b":
                index = {name: p.link_lookup(ifname=name)[0] for name in ("v0", "v1", "v2", "v3")}
                for link, addr in work:
                    address, plen = addr.split("/")
                    p.addr("add", index=index[link], address=address, prefixlen=int(plen))
            else:
                for dst, table in routes:
                    p.route("add", dst=dst.split("/")[0], dst_len=32, gateway="192.0.2.2", table=table)
            p.close()
            elapsed = time.perf_counter() - t0
            row.add("pyroute2", elapsed)
            seq.add("pyroute2", elapsed)
            _check_bc(kind, ns, n)
        finally:
            drop_ns(ns, settle / 4)
    return row, seq


def _check_bc(kind: str, ns: NetNS, n: int) -> None:
    with IPRoute(ns) as ipr:
        if kind == "b":
            got = sum(1 for a in ipr.addrs(family=4) if str(a.address).startswith("198.51.100."))
        else:
            got = sum(1 for r in ipr.routes(family=4) if 1000 <= r.table <= 1003)
    assert got == n, (kind, got, n)


def bench_d(n: int, reps: int, settle: float, with_pyroute2: bool) -> Row:
    row = Row(f"(d) list {2 * n + 1} links, typed", ">= 2x ip -j, >= 30x pyroute2", (2.0, 30.0))
    ns = fresh_ns()
    try:
        with IPRoute(ns) as ipr:
            with ipr.batch() as b:
                for i in range(n):
                    b.link_add_veth(f"va{i}", f"vb{i}", num_queues=1)
            assert not b.errors
            ipr.links()  # warm
            p = pyroute2_in(ns) if with_pyroute2 else None
            if p is not None:
                p.get_links()
            spawn_in(ns, [IP, "-j", "link", "show"])
            for _ in range(reps):
                t0 = time.perf_counter()
                links = ipr.links()
                row.add("rawnl", time.perf_counter() - t0)
                assert len(links) == 2 * n + 1
                row.add("ip", spawn_in(ns, [IP, "-j", "link", "show"]))
                if p is not None:
                    t0 = time.perf_counter()
                    got = p.get_links()
                    row.add("pyroute2", time.perf_counter() - t0)
                    assert len(got) == 2 * n + 1
            if p is not None:
                p.close()
    finally:
        drop_ns(ns, settle)
    return row


def bench_e(reps: int) -> Row:
    row = Row("(e) python -c 'import rawnl; rawnl.IPRoute().links()'", "<= 2x bare interpreter", (0.5, None))
    package = os.path.dirname(rawnl.__file__)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    env = dict(os.environ)
    ours = [sys.executable, "-c", "import rawnl; rawnl.IPRoute().links()"]
    bare = [sys.executable, "-c", "pass"]
    ns = fresh_ns()
    try:
        for _ in range(3):
            spawn_in(ns, ours, env)
            spawn_in(ns, bare, env)
        for _ in range(reps):
            row.add("rawnl", spawn_in(ns, ours, env))
            row.add("bare python", spawn_in(ns, bare, env))
    finally:
        drop_ns(ns, 0)
    return row


# ---------------------------------------------------------------------------------- report


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1e3:.1f} ms"


def ratio(peer: float | None, ours: float | None) -> str:
    return "-" if peer is None or ours is None else f"{peer / ours:.2f}x"


def verdict(row: Row, ours: float | None, peer_ip: float | None, peer_py: float | None) -> str:
    results = []
    for need, peer in zip(row.need, (peer_ip, peer_py), strict=True):
        if need is not None and peer is not None and ours is not None:
            results.append(peer / ours >= need)
    if not results:
        return ""
    return "met" if all(results) else "NOT met"


def report(rows: list[Row]) -> None:
    print()
    head = f"{'workload':<56} {'rawnl':>10} {'ip':>10} {'pyroute2':>10} {'ip/rawnl':>9} {'py2/rawnl':>9}  target"
    print(head)
    print("-" * (len(head) + 40))
    for row in rows:
        ours = row.median("rawnl")
        peer_ip = row.median("ip") if "ip" in row.times else row.median("bare python")
        peer_py = row.median("pyroute2")
        met = verdict(row, ours, peer_ip, peer_py)
        print(
            f"{row.label:<56} {fmt_ms(ours):>10} {fmt_ms(peer_ip):>10} {fmt_ms(peer_py):>10}"
            f" {ratio(peer_ip, ours):>9} {ratio(peer_py, ours):>9}  {row.target:<30} {met}"
        )
    print("(medians; the 'ip' column is ip -batch for (a)-(c), ip -j link show for (d) and the bare")
    print(" interpreter (python -c pass) for (e); a ratio above 1 means rawnl took less time)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="operations per workload (a bridge holds 1024 ports)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of (a)-(c); (d) and (e) do more")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after deleting a big namespace")
    parser.add_argument("--skip-pyroute2", action="store_true")
    parser.add_argument("--only", default="abcde", help="which workloads to run, e.g. 'de'")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (creates network namespaces)", file=sys.stderr)
        return 2
    if not 1 <= args.n <= 1020:
        print("-n must be 1..1020 (a bridge holds at most 1024 ports)", file=sys.stderr)
        return 2
    with_py2 = not args.skip_pyroute2
    version = "-"
    if with_py2:
        import pyroute2

        version = pyroute2.__version__
    ip_version = subprocess.run([IP, "-V"], capture_output=True, text=True, check=False).stdout.strip()
    print(
        f"rawnl {rawnl.__version__}, pyroute2 {version}, {ip_version}, "
        f"Linux {platform.release()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    rows: list[Row] = []
    steps: list[tuple[str, Callable[[], None]]] = [
        ("a", lambda: rows.extend([bench_a(args.n, args.reps, args.settle, 1, with_py2),
                                   bench_a(args.n, args.reps, args.settle, None, with_py2)])),
        ("b", lambda: rows.extend(bench_bc("b", args.n, args.reps + 2, args.settle, with_py2))),
        ("c", lambda: rows.extend(bench_bc("c", args.n, args.reps + 2, args.settle, with_py2))),
        ("d", lambda: rows.append(bench_d(args.n, 5 * args.reps, args.settle, with_py2))),
        ("e", lambda: rows.append(bench_e(10 * args.reps))),
    ]  # fmt: skip
    with run_netns_as_found():
        for key, step in steps:
            if key in args.only:
                print(f"running ({key}) ...", flush=True)
                step()
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
