"""The operations API against its peers, in one run: rawnl, ``ip -batch``, pyroute2 and a minimal
raw-socket client.

Workloads (a)-(e) (N = 1,000 by default), each tool in a fresh network namespace per repetition:

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

Workloads (f)-(l) (issue 12) measure rawnl against a reference doing the same work in the same
run: the minimal client of ``benchmarks/minimal_client.py`` (struct-packed requests, the index
known up front, one ``recv`` per ACK, errno checked and nothing else), or for (l) the kernel's
own time.  (f)-(j) share one namespace per round (v0..v3: two veth pairs, up, 192.0.2.1/24 on
v0), each workload after a 20-item warm-up, rawnl and the reference taking turns to go first:

(f) N ``ipr.addr_add("v0".."v3", "198.51.100.x/32")`` one call each, links by name;
(g) N ``ipr.route_add("203.0.113.x/32", gateway="192.0.2.2", table=1000..1003)`` one call each;
(h) N ``ipr.link_set("v0".."v3", mtu=1400|1500)`` one call each (every call changes the MTU);
(i) N ``ipr.link_get("v0".."v3")`` one call each (the reference reads the reply's header only);
(j) the N addresses, then the N routes, in one ``with ipr.batch()`` each; the reference sends
    them in as few ``sendmsg`` calls as fit its send buffer, NLM_F_ACK on each chunk's last;
(k) decode only: a 2N+1-link dump (N veth pairs, captured once per run with the request
    ``IPRoute.links()`` sends) decoded by :func:`rawnl.decode` reading name, MTU, index, flags,
    operstate, master and MAC, and into typed ``rawnl.Link`` objects (``rawnl.ops.links.link_from``,
    as ``IPRoute.links()`` does), against the minimal lazy decoder (one walk over the top-level
    TLVs picking those seven); for reference also name + MTU only (the minimal decoder stopping
    when it has both: the issue's first comparison) and the live ``ipr.links()`` against the
    minimal client's dump and decoder;
(l) wiring ``--containers`` containers (default 20) as benchmarks/containers.py does (rawnl's
    runc strategies: loopback + veth with address, gateway, MTU): the total time against the
    time spent inside ``send``/``sendmsg`` (the kernel's own time: netlink handles a request
    inside the sender's ``sendmsg``), timed by a subclass of ``_socket.socket`` installed for
    the wiring (a measurement, the real call in between two clock reads).

Their figures are the thread's CPU time (``time.thread_time``: the kernel's work on a request is
the sender's, and the machine's other load is left out) and wall time, medians over
``--rounds``; the ratio is rawnl / reference on CPU time.  Targets (the issue's): (f)-(i) and (k)
<= 1.3x, (j) and (l) <= 1.2x.  ``--trees A,B`` runs (f)-(l) for several source trees in one run:
each round, a subprocess per tree with ``PYTHONPATH=tree``, the trees' order alternating by
round, (k) decoding the same captured bytes, so that before and after compare in one table.

Needs root.  Usage: ``python benchmarks/ops.py [-n 1000] [--reps 3] [--settle 5] [--skip-pyroute2]
[--only abcdefghijkl] [--rounds 5] [--containers 20] [--trees /path/before,/path/after]``.
"""

from __future__ import annotations

import _socket
import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import rawnl
from rawnl import IPRoute, LinkMessage
from rawnl.engine.netns import NetNS, run_netns_as_found
from rawnl.runc.strategies import create_network_interfaces

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the helpers beside this script
from containers import check, namespaces, networks
from minimal_client import (
    NEW,
    NLM_F_ACK,
    NLM_F_REQUEST,
    RTM_DELADDR,
    RTM_DELROUTE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWROUTE,
    MinimalClient,
    addr_msg,
    decode_links,
    decode_names_mtus,
    route_msg,
    split_saved,
)

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


# ------------------------------------------------------------- (f)-(l): against a minimal client

GATEWAY = "192.0.2.2"
Sample = tuple[float, float]  # (thread CPU seconds, wall seconds)
#: row -> tool -> one sample per round; tools are "rawnl" and "minimal" ("kernel" for (l))
Round = dict[str, dict[str, Sample]]


@dataclass(frozen=True)
class Workload:
    key: str  # the --only letter
    row: str
    label: str
    target: float | None  # the most rawnl / minimal may be; None: shown for reference


WORKLOADS = [
    Workload("f", "f", "(f) {n} addr_add(name, a/32), one call each", 1.3),
    Workload("g", "g", "(g) {n} route_add(dst, gateway=), one call each", 1.3),
    Workload("h", "h", "(h) {n} link_set(name, mtu=), one call each", 1.3),
    Workload("i", "i", "(i) {n} link_get(name), one call each", 1.3),
    Workload("j", "j-addr", "(j) batch of {n} addr_add(name, a/32)", 1.2),
    Workload("j", "j-route", "(j) batch of {n} route_add(dst, gateway=)", 1.2),
    Workload("k", "k-strict", "(k) decode {links} links, 7 fields, strict", 1.3),
    Workload("k", "k-typed", "(k) decode {links} links, typed Link", 1.3),
    Workload("k", "k-2", "(k) decode {links} links, name + MTU only", None),
    Workload("k", "k-live", "(k) links() of {links} links, live, typed", None),
    Workload("l", "l", "(l) wire {c} containers: total vs in sendmsg", 1.2),
]


def clock(fn: Callable[[], object]) -> Sample:
    """Thread CPU time and wall time of ``fn()``.  Netlink handles a request inside the
    sender's ``sendmsg``, so the thread's CPU time holds the kernel's work as well as ours, and
    none of the machine's other load."""
    gc.collect()
    w0 = time.perf_counter()
    c0 = time.thread_time()
    fn()
    c1 = time.thread_time()
    w1 = time.perf_counter()
    return c1 - c0, w1 - w0


class Bench:
    """A fresh namespace with v0..v3 (two veth pairs, up, 192.0.2.1/24 on v0) and both
    clients in it: ``ipr`` (rawnl) and ``mc`` (the minimal client, given the indices)."""

    def __init__(self) -> None:
        self.ns = fresh_ns()
        try:
            _four_links(self.ns)
            self.ipr = IPRoute(self.ns)
            with self.ns.enter():
                self.mc = MinimalClient()
            self.index = {name: self.ipr.link_get(name).index for name in ("v0", "v1", "v2", "v3")}
        except BaseException:
            drop_ns(self.ns, 0)
            raise

    def close(self) -> None:
        self.ipr.close()
        self.mc.close()
        drop_ns(self.ns, 0)

    def batch_ok(self, requests: list[bytes]) -> None:
        failures = self.mc.batch(requests)
        assert not failures, failures[:3]

    def del_addrs(self, work: list[tuple[str, str]]) -> None:
        """Delete the addresses (untimed); a failure means one was not there."""
        self.batch_ok([addr_msg(RTM_DELADDR, NLM_F_REQUEST, i + 1, self.index[k], a) for i, (k, a) in enumerate(work)])

    def del_routes(self, routes: list[tuple[str, int]]) -> None:
        self.batch_ok(
            [
                route_msg(RTM_DELROUTE, NLM_F_REQUEST, i + 1, d, gateway=GATEWAY, table=t)
                for i, (d, t) in enumerate(routes)
            ]
        )


def _pair(
    out: Round,
    row: str,
    rnd: int,
    *,
    ours: Callable[[], object],
    ref: Callable[[], object],
    cleanup: Callable[[], object],
) -> None:
    """Time rawnl and the minimal client on the same work (which goes first alternates by
    round), cleaning up after each."""
    order = [("rawnl", ours), ("minimal", ref)]
    if rnd % 2:
        order.reverse()
    for tool, fn in order:
        out.setdefault(row, {})[tool] = clock(fn)
        cleanup()


def round_calls(b: Bench, keys: str, n: int, rnd: int, out: Round) -> None:
    """(f)-(j) in one namespace: each workload once per tool, after a warm-up of 20 items."""
    ipr, mc, index = b.ipr, b.mc, b.index
    addrs = _addresses(n)
    routes = _routes(n)
    mtus = [(f"v{i % 4}", 1400 if (i // 4) % 2 == 0 else 1500) for i in range(n)]
    names = [f"v{i % 4}" for i in range(n)]

    def reset_mtu() -> None:
        for name in index:
            ipr.link_set(name, mtu=1500)

    def batch_addrs(work: list[tuple[str, str]]) -> None:
        with ipr.batch() as batch:
            for link, addr in work:
                batch.addr_add(link, addr)
        assert not batch.errors, batch.errors[:3]

    def batch_routes(work: list[tuple[str, int]]) -> None:
        with ipr.batch() as batch:
            for dst, table in work:
                batch.route_add(dst, gateway=GATEWAY, table=table)
        assert not batch.errors, batch.errors[:3]

    def mc_batch_addrs(work: list[tuple[str, str]]) -> None:
        new = NEW & ~NLM_F_ACK
        b.batch_ok([addr_msg(RTM_NEWADDR, new, i + 1, index[link], a) for i, (link, a) in enumerate(work)])

    def mc_batch_routes(work: list[tuple[str, int]]) -> None:
        new = NEW & ~NLM_F_ACK
        b.batch_ok([route_msg(RTM_NEWROUTE, new, i + 1, d, gateway=GATEWAY, table=t) for i, (d, t) in enumerate(work)])

    def ipr_addrs(work: list[tuple[str, str]]) -> None:
        for link, addr in work:
            ipr.addr_add(link, addr)

    def mc_addrs(work: list[tuple[str, str]]) -> None:
        for link, addr in work:
            mc.addr_add(index[link], addr)

    def ipr_routes(work: list[tuple[str, int]]) -> None:
        for dst, table in work:
            ipr.route_add(dst, gateway=GATEWAY, table=table)

    def mc_routes(work: list[tuple[str, int]]) -> None:
        for dst, table in work:
            mc.route_add(dst, GATEWAY, table)

    def ipr_mtus(work: list[tuple[str, int]]) -> None:
        for name, mtu in work:
            ipr.link_set(name, mtu=mtu)

    def mc_mtus(work: list[tuple[str, int]]) -> None:
        for name, mtu in work:
            mc.link_set_mtu(index[name], mtu)

    def ipr_gets(work: list[str]) -> None:
        for name in work:
            ipr.link_get(name)

    def mc_gets(work: list[str]) -> None:
        for name in work:
            mc.link_get(index[name])

    # (key, row, rawnl(work), minimal(work), cleanup(work), work)
    cases: list[tuple[str, str, Callable[[Any], object], Callable[[Any], object], Callable[[Any], object], Any]] = [
        ("f", "f", ipr_addrs, mc_addrs, b.del_addrs, addrs),
        ("g", "g", ipr_routes, mc_routes, b.del_routes, routes),
        ("h", "h", ipr_mtus, mc_mtus, lambda w: reset_mtu(), mtus),
        ("i", "i", ipr_gets, mc_gets, lambda w: None, names),
        ("j", "j-addr", batch_addrs, mc_batch_addrs, b.del_addrs, addrs),
        ("j", "j-route", batch_routes, mc_batch_routes, b.del_routes, routes),
    ]  # fmt: skip
    for key, row, ours, ref, cleanup, work in cases:
        if key not in keys:
            continue
        warm = work[:20]
        for fn in (ours, ref):
            fn(warm)
            cleanup(warm)
        _pair(out, row, rnd, ours=partial(ours, work), ref=partial(ref, work), cleanup=partial(cleanup, work))


# ------------------------------------------------------------------------------- (k) decoding


@contextmanager
def links_ns(n: int, path: str, settle: float) -> Iterator[tuple[str, int]]:
    """A fresh namespace with n veth pairs, kept for the whole run (its name is yielded, with
    the number of links); its links dumped once with the minimal client (the request
    ``IPRoute.links()`` sends) and the raw datagrams saved to ``path``, so that every tree
    decodes the same bytes."""
    ns = fresh_ns()
    try:
        with IPRoute(ns) as ipr, ipr.batch() as b:
            for i in range(n):
                b.link_add_veth(f"va{i}", f"vb{i}", num_queues=1)
        assert not b.errors, b.errors[:3]
        with ns.enter():
            mc = MinimalClient()
        try:
            datagrams = mc.dump_links()
        finally:
            mc.close()
        with open(path, "wb") as f:
            for data in datagrams:
                f.write(struct.pack("=I", len(data)) + data)
        assert ns.name is not None
        yield ns.name, len(decode_links(datagrams))
    finally:
        drop_ns(ns, settle)


def load_links(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        return split_saved(f.read())


def strict_fields(datagrams: list[bytes]) -> list[tuple[Any, ...]]:
    """rawnl's strict decoder (:func:`rawnl.decode`), reading the seven fields."""
    out = []
    for data in datagrams:
        for m in rawnl.decode(data):
            if type(m) is LinkMessage and m.type == RTM_NEWLINK:
                a = m.attrs
                out.append(
                    (
                        a.get("IFLA_IFNAME"), a.get("IFLA_MTU"), m.index, m.link_flags, a.get("IFLA_OPERSTATE"),
                        a.get("IFLA_MASTER"), a.get("IFLA_ADDRESS"),
                    )
                )  # fmt: skip
    return out


def names_mtus(datagrams: list[bytes]) -> list[tuple[Any, ...]]:
    """rawnl's strict decoder reading name and MTU only (the issue's first comparison)."""
    out = []
    for data in datagrams:
        for m in rawnl.decode(data):
            if type(m) is LinkMessage and m.type == RTM_NEWLINK:
                a = m.attrs
                out.append((a.get("IFLA_IFNAME"), a.get("IFLA_MTU")))
    return out


def _link_from() -> Callable[[Any], Any] | None:
    """How ``IPRoute.links()`` makes a :class:`rawnl.Link` of a ``LinkMessage`` (``None`` if a
    tree no longer has ``rawnl.ops.links.link_from``: its typed row is then left out)."""
    try:
        from rawnl.ops.links import link_from
    except ImportError:
        return None
    return link_from


def typed_fields(datagrams: list[bytes]) -> list[tuple[Any, ...]]:
    """rawnl's typed layer: the :class:`rawnl.Link` ``IPRoute.links()`` makes of each message
    (``rawnl.ops.links.link_from``), reading the seven fields."""
    link_from = _link_from()
    assert link_from is not None
    out = []
    for data in datagrams:
        for m in rawnl.decode(data):
            if type(m) is LinkMessage and m.type == RTM_NEWLINK:
                link = link_from(m)
                out.append((link.name, link.mtu, link.index, link.flags, link.operstate, link.master, link.mac))
    return out


def round_decode(path: str, rnd: int, out: Round, repeats: int = 7) -> None:
    """(k): the median of ``repeats`` decodes of the whole dump, for each decoder."""
    datagrams = load_links(path)
    ref = decode_links(datagrams)
    strict = strict_fields(datagrams)
    typed = typed_fields(datagrams) if _link_from() else strict
    # the same links and values come out of all three (operstate: a number, a name when typed)
    assert [r[:4] + r[5:] for r in ref] == [s[:4] + s[5:] for s in strict] == [t[:4] + t[5:] for t in typed]
    assert [r[4] for r in ref] == [s[4] for s in strict]
    assert [r[:2] for r in ref] == decode_names_mtus(datagrams) == names_mtus(datagrams)
    decoders: dict[str, Callable[[list[bytes]], object]] = {
        "minimal": decode_links,
        "strict": strict_fields,
        "typed": typed_fields,
        "minimal 2": decode_names_mtus,
        "strict 2": names_mtus,
    }
    if _link_from() is None:
        print("(k): rawnl.ops.links.link_from is gone; the typed row is left out", file=sys.stderr)
        del decoders["typed"]
    names = list(decoders)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for rep in range(repeats):  # every decoder once per repetition, the order rotating
        start = (rnd + rep) % len(names)
        for name in names[start:] + names[:start]:
            samples[name].append(clock(partial(decoders[name], datagrams)))
    med = {name: (_median([s[0] for s in got]), _median([s[1] for s in got])) for name, got in samples.items()}
    out["k-strict"] = {"rawnl": med["strict"], "minimal": med["minimal"]}
    if "typed" in med:
        out["k-typed"] = {"rawnl": med["typed"], "minimal": med["minimal"]}
    out["k-2"] = {"rawnl": med["strict 2"], "minimal": med["minimal 2"]}


def round_list(ns_name: str, rnd: int, out: Round, repeats: int = 3) -> None:
    """(k) live: ``IPRoute.links()`` against the minimal client's dump and decoder, in the
    namespace of the capture (request, the kernel's dump, receive and decode on both sides:
    whatever path rawnl's own listing takes)."""
    ns = NetNS.open(ns_name)
    try:
        with ns.enter():
            mc = MinimalClient()
        with IPRoute(ns) as ipr:
            assert [link.name for link in ipr.links()] == [r[0] for r in decode_links(mc.dump_links())]
            samples: dict[str, list[Sample]] = {"rawnl": [], "minimal": []}
            for rep in range(repeats):
                order: list[tuple[str, Callable[[], object]]] = [
                    ("rawnl", ipr.links),
                    ("minimal", lambda: decode_links(mc.dump_links())),
                ]
                if (rnd + rep) % 2:
                    order.reverse()
                for tool, fn in order:
                    samples[tool].append(clock(fn))
        mc.close()
    finally:
        ns.close()
    out["k-live"] = {t: (_median([s[0] for s in got]), _median([s[1] for s in got])) for t, got in samples.items()}


def _median(values: list[float]) -> float:
    return statistics.median(values)


# ----------------------------------------------------------------------------- (l) containers


SENDS = ("send", "sendmsg", "sendto")
RECVS = ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into")


class SyscallTimer:
    """Time spent inside the send and the receive calls of every socket made while
    :meth:`installed` (counted while ``armed``): a subclass of ``_socket.socket`` whose methods
    call the real ones between two clock reads (a measurement: the kernel does the same work).
    rawnl makes its sockets with ``_socket.socket`` looked up at call time, so this sees all of
    them; the counts show it."""

    def __init__(self) -> None:
        self.armed = False
        #: "send" / "recv" -> [thread CPU seconds, wall seconds, calls]
        self.spent: dict[str, list[float]] = {"send": [0.0, 0.0, 0], "recv": [0.0, 0.0, 0]}

    @contextmanager
    def installed(self) -> Iterator[None]:
        real = _socket.socket
        timer = self

        def timed(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
            spent = timer.spent[kind]

            def wrapper(sock: Any, *args: Any) -> Any:
                if not timer.armed:
                    return method(sock, *args)
                w0 = time.perf_counter()
                c0 = time.thread_time()
                try:
                    return method(sock, *args)
                finally:
                    spent[0] += time.thread_time() - c0
                    spent[1] += time.perf_counter() - w0
                    spent[2] += 1

            return wrapper

        methods = {name: timed("send", getattr(real, name)) for name in SENDS}
        methods.update({name: timed("recv", getattr(real, name)) for name in RECVS})
        _socket.socket = type("TimedSocket", (real,), methods)  # type: ignore[misc,assignment]
        try:
            yield
        finally:
            _socket.socket = real  # type: ignore[misc]


def round_containers(count: int, rnd: int, out: Round) -> None:
    """(l): wire ``count`` containers as benchmarks/containers.py does (rawnl's strategies,
    loopback + veth with address, gateway, MTU), summing the thread's CPU and wall time around
    each container's wiring and the part of it spent inside ``sendmsg`` (and, shown apart, in
    the receive calls: a dump's messages are made while they are read)."""
    timer = SyscallTimer()
    total_cpu = total_wall = 0.0
    with namespaces(f"l{rnd}", count) as (host, containers):
        with timer.installed(), IPRoute(netns=host) as h:
            for i, name in enumerate(containers, 1):
                nets = networks(i)
                gc.collect()
                timer.armed = True
                w0 = time.perf_counter()
                c0 = time.thread_time()
                create_network_interfaces(nets, name, host=h)
                total_cpu += time.thread_time() - c0
                total_wall += time.perf_counter() - w0
                timer.armed = False
        check(host, containers)
    send, recv = timer.spent["send"], timer.spent["recv"]
    if send[2] < count:  # at least one request per container
        print(f"(l): only {send[2]} sends timed: rawnl's sockets are not made with _socket.socket", file=sys.stderr)
        return
    out["l"] = {
        "rawnl": (total_cpu, total_wall),
        "minimal": (send[0], send[1]),
        "recv": (recv[0], recv[1]),
        "calls": (send[2] / count, recv[2] / count),
    }


def run_round(args: argparse.Namespace, keys: str, rnd: int) -> Round:
    """One round of the chosen workloads among (f)-(l), in this process's rawnl (``args.capture``
    and ``args.links_ns``: (k)'s saved dump and the namespace it came from)."""
    out: Round = {}
    if any(k in keys for k in "fghij"):
        b = Bench()
        try:
            round_calls(b, keys, args.n, rnd, out)
        finally:
            b.close()
    if "k" in keys:
        round_decode(args.capture, rnd, out)
        round_list(args.links_ns, rnd, out)
    if "l" in keys:
        round_containers(args.containers, rnd, out)
    return out


def worker(args: argparse.Namespace) -> int:
    """``--worker ROUND``: one round, its samples printed as JSON on the last line of stdout."""
    with run_netns_as_found():
        out = run_round(args, args.only, args.worker)
    print(json.dumps({"rawnl": os.path.dirname(os.path.dirname(rawnl.__file__)), "rows": out}))
    return 0


def run_trees(args: argparse.Namespace, keys: str) -> dict[str, list[Round]]:
    """Every round of (f)-(l) for each tree (``--trees``: a subprocess with PYTHONPATH=tree per
    tree and round, the trees' order alternating by round); or, without ``--trees``, in this
    process's rawnl."""
    trees = [t for t in args.trees.split(",") if t] if args.trees else []
    results: dict[str, list[Round]] = {}
    if not trees:
        here = os.path.dirname(os.path.dirname(rawnl.__file__))
        for rnd in range(args.rounds):
            print(f"  round {rnd + 1}/{args.rounds}", flush=True)
            results.setdefault(here, []).append(run_round(args, keys, rnd))
            if "l" in keys:
                time.sleep(args.settle / 5)
        return results
    script = os.path.abspath(__file__)
    for rnd in range(args.rounds):
        for tree in trees if rnd % 2 == 0 else trees[::-1]:
            print(f"  round {rnd + 1}/{args.rounds}: {tree}", flush=True)
            argv = [sys.executable, script, "--worker", str(rnd), "--only", keys, "-n", str(args.n)]
            argv += ["--containers", str(args.containers)]
            if "k" in keys:
                argv += ["--capture", args.capture, "--links-ns", args.links_ns]
            env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"worker for {tree} failed:\n{proc.stdout}{proc.stderr}")
            if proc.stderr:
                print(proc.stderr, end="", file=sys.stderr)
            data = json.loads(proc.stdout.splitlines()[-1])
            if os.path.realpath(data["rawnl"]) != os.path.realpath(tree):
                raise RuntimeError(f"the worker for {tree} imported rawnl from {data['rawnl']}")
            results.setdefault(tree, []).append(data["rows"])
            if "l" in keys:
                time.sleep(args.settle / 5)
    return results


def report_ref(results: dict[str, list[Round]], n: int, links: int, containers: int) -> None:
    print()
    head = f"{'workload':<50} {'tree':<16} {'rawnl':>9} {'minimal':>9} {'ratio':>6} {'wall':>6}  {'target':>6}"
    print(head)
    print("-" * (len(head) + 8))
    for w in WORKLOADS:
        for tree, rounds in results.items():
            got = [r[w.row] for r in rounds if w.row in r]
            if not got:
                continue
            ours = [_median([g["rawnl"][i] for g in got]) for i in (0, 1)]
            ref = [_median([g["minimal"][i] for g in got]) for i in (0, 1)]
            cpu_ratio, wall_ratio = ours[0] / ref[0], ours[1] / ref[1]
            met = "-" if w.target is None else "met" if cpu_ratio <= w.target else "NOT met"
            target = "-" if w.target is None else f"{w.target:.1f}x"
            label = w.label.format(n=f"{n:,}", links=f"{links:,}", c=containers)
            print(
                f"{label:<50} {_short(tree):<16} {ours[0] * 1e3:7.2f}ms {ref[0] * 1e3:7.2f}ms"
                f" {cpu_ratio:5.2f}x {wall_ratio:5.2f}x  {target:>6}  {met}"
            )
    for tree, rounds in results.items():
        got = [r["l"] for r in rounds if "l" in r and "recv" in r["l"]]
        if got:
            recv = _median([g["recv"][0] for g in got])
            sends, recvs = got[0]["calls"]
            print(
                f"(l) {_short(tree)}: per container {sends:.0f} sends, {recvs:.0f} receives;"
                f" {recv * 1e3:.2f} ms CPU inside the receives (of the total, as rawnl's)"
            )
    print(
        "(medians over rounds of the thread's CPU time; 'ratio' = rawnl / minimal on CPU time, 'wall' the same on\n"
        " wall time; for (l) 'minimal' is the time inside sendmsg of the same wiring, the ratio total / kernel)"
    )


def _short(tree: str) -> str:
    return tree if len(tree) <= 16 else "..." + tree[-13:]


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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="operations per workload (a bridge holds 1024 ports)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of (a)-(c); (d) and (e) do more")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (f)-(l) (medians over them)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after deleting a big namespace")
    parser.add_argument("--skip-pyroute2", action="store_true")
    parser.add_argument("--only", default="abcdefghijkl", help="which workloads to run, e.g. 'de' or 'fghijkl'")
    parser.add_argument("--containers", type=int, default=20, help="containers wired per round of (l)")
    parser.add_argument(
        "--trees", default="", help="comma-separated source trees to run (f)-(l) against, each in a subprocess"
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)  # one round, JSON out
    parser.add_argument("--capture", default=None, help=argparse.SUPPRESS)  # (k)'s saved dump
    parser.add_argument("--links-ns", default=None, help=argparse.SUPPRESS)  # and its namespace
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if os.geteuid() != 0:
        print("needs root (creates network namespaces)", file=sys.stderr)
        return 2
    if args.worker is not None:
        return worker(args)
    if not 1 <= args.n <= 1020:
        print("-n must be 1..1020 (a bridge holds at most 1024 ports)", file=sys.stderr)
        return 2
    peers = "".join(k for k in "abcde" if k in args.only)
    ref_keys = "".join(k for k in "fghijkl" if k in args.only)
    if args.trees and peers:
        print("--trees runs (f)-(l) only: add --only fghijkl (or a part of it)", file=sys.stderr)
        return 2
    with_py2 = not args.skip_pyroute2 and any(k in peers for k in "abcd")
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
            if key in peers:
                print(f"running ({key}) ...", flush=True)
                step()
        if rows:
            report(rows)
        if ref_keys:
            run_reference(args, ref_keys)
    return 0


def run_reference(args: argparse.Namespace, keys: str) -> None:
    """(f)-(l): make and capture (k)'s links once (every tree decodes the same bytes and lists
    the same namespace), run the rounds, report."""
    links = 0
    with tempfile.TemporaryDirectory(prefix="rawnl-bench-") as tmp, ExitStack() as stack:
        if "k" in keys:
            args.capture = os.path.join(tmp, "links.bin")
            print(f"making and capturing {2 * args.n + 1} links for (k) ...", flush=True)
            args.links_ns, links = stack.enter_context(links_ns(args.n, args.capture, args.settle))
        print(f"running ({') ('.join(keys)}), {args.rounds} rounds ...", flush=True)
        results = run_trees(args, keys)
    report_ref(results, args.n, links, args.containers)


if __name__ == "__main__":
    sys.exit(main())
