"""``rawnl demo``: wire throw-away containers the way runc did, and prove they talk.

As root, it creates a "host" network namespace holding a bridge ``br0`` (198.51.100.1/24 and
2001:db8::1/64, the containers' gateway) and N "container" namespaces, and wires each one with
runc's ``loopback`` and ``veth`` strategies (:mod:`rawnl.runc.strategies`): the peer is created
straight inside the container, renamed ``eth0``, given 198.51.100.K/24 and 2001:db8::K/64 and
default routes via the bridge.  Then every container sends a UDP datagram over IPv4 and over
IPv6 to every other container and to the bridge, from sockets opened inside each namespace with
:func:`rawnl.run_in`, and every datagram must arrive.  It prints a table (container,
interface, MAC, addresses, time to wire) and the totals, and removes everything it made, on
Ctrl-C (or SIGTERM) too, leaving /run/netns as it found it.  Nothing in the calling (root)
namespace is touched.  ``--keep`` leaves the namespaces for inspection and says how to remove
them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import shlex
import signal
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from rawnl.engine.netns import NETNS_RUN_DIR, NetNS, cleanup_run_netns, run_in
from rawnl.ops.iproute import IPRoute
from rawnl.runc.config import Network
from rawnl.runc.strategies import InterfaceState, create_network_interfaces
from rawnl.wire.uapi import IFA_F_NODAD, IFA_F_TENTATIVE

from .command import Command, invocation
from .table import format_table

__all__ = ["COMMAND", "MAX_CONTAINERS", "run_demo"]

BRIDGE = "br0"
GATEWAY4 = "198.51.100.1"
GATEWAY6 = "2001:db8::1"
DEFAULT_CONTAINERS = 2
MAX_CONTAINERS = 253  # 198.51.100.2 .. 198.51.100.254
PORT = 7777
DAD_TIMEOUT = 15.0
UDP_TIMEOUT = 10.0


@dataclass
class _Endpoint:
    """One end of the UDP test: the bridge or a container, with a socket per family."""

    label: str
    ns: NetNS
    v4: str
    v6: str
    socks: dict[int, socket.socket] = field(default_factory=dict)


@dataclass
class _Container:
    name: str
    ns: NetNS
    index: int  # 1-based
    states: list[InterfaceState] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def v4(self) -> str:
        return f"198.51.100.{self.index + 1}"

    @property
    def v6(self) -> str:
        return f"2001:db8::{self.index + 1:x}"


def networks_for(index: int) -> list[Network]:
    """The runc config of container ``index`` (1-based): loopback, and a veth on ``br0``."""
    return [
        Network(type="loopback"),
        Network(
            type="veth",
            name="eth0",
            bridge=BRIDGE,
            address=f"198.51.100.{index + 1}/24",
            gateway=GATEWAY4,
            ipv6_address=f"2001:db8::{index + 1:x}/64",
            ipv6_gateway=GATEWAY6,
            mtu=1500,
            host_interface_name=f"veth-c{index}",
        ),
    ]


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt (so the clean-up runs), for the duration."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Defer Ctrl-C and SIGTERM while cleaning up (a second Ctrl-C must not leave things behind)."""
    try:
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        old_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


class _Progress:
    """One self-updating line on stderr (a line per tenth when stderr is not a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.step = max(1, total // 10)

    def update(self, done: int, what: str) -> None:
        if not self.enabled:
            return
        if self.tty:
            print(f"\r{what}: {done}/{self.total}", end="", file=sys.stderr, flush=True)
            if done == self.total:
                print(file=sys.stderr)
        elif done % self.step == 0 or done == self.total:
            print(f"{what}: {done}/{self.total}", file=sys.stderr, flush=True)


def _wait_for_dad(containers: list[_Container], deadline: float) -> None:
    """Wait until no container's IPv6 address is still tentative (duplicate address detection,
    about a second after the link comes up; a tentative address cannot be bound)."""
    pending = list(containers)
    while pending:
        still = []
        for c in pending:
            with IPRoute(netns=c.ns) as r:
                if any(a.flags & IFA_F_TENTATIVE and a.scope == 0 for a in r.addrs(family=socket.AF_INET6)):
                    still.append(c)
        pending = still
        if pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"IPv6 duplicate address detection did not finish in {pending[0].name}")
            time.sleep(0.1)


def _open_sockets(ep: _Endpoint) -> None:
    """A UDP socket per family, opened inside the endpoint's namespace with run_in, bound to its address."""
    for family, addr in ((socket.AF_INET, ep.v4), (socket.AF_INET6, ep.v6)):
        sock = run_in(ep.ns, socket.socket, family, socket.SOCK_DGRAM)
        ep.socks[family] = sock
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind((addr, PORT))
        sock.setblocking(False)


def _neighbour_room() -> int:
    """How many more unicast neighbour entries the kernel will take right now, per family.

    The ARP and NDISC tables are shared by every namespace on the machine.  Once ``gc_thresh3``
    entries (1024 by default; a sysctl of the root namespace, which the demo must not change) are
    in use, a new entry is refused unless a forced collection frees one, and entries resolved in
    the last five seconds cannot be freed: a burst of sends to N² neighbours then fails with
    EINVAL.  Multicast entries (IPv6 creates many, for DAD and MLD) are freed on demand, so the
    ARP table's count stands for both families.  A quarter of the limit is left to the rest of
    the machine.
    """
    try:
        with open("/proc/sys/net/ipv4/neigh/default/gc_thresh3") as f:
            limit = int(f.read())
        with open("/proc/net/stat/arp_cache") as f:
            entries = int(f.read().splitlines()[1].split()[0], 16)
    except (OSError, ValueError, IndexError):
        limit, entries = 1024, 0
    return limit - limit // 4 - entries


def _pairs(endpoints: list[_Endpoint]) -> tuple[list[tuple[_Endpoint, _Endpoint]], str]:
    """Who sends to whom: every container to every other endpoint when the neighbour tables have
    room for that (N(N+1) entries per family); else each container to the bridge and to the next
    container (4N); else to the bridge only (2N).  Returns the pairs and what they prove."""
    bridge, boxes = endpoints[0], endpoints[1:]
    n = len(boxes)
    room = _neighbour_room()
    if n * (n + 1) <= room:
        pairs = [(src, dst) for src in boxes for dst in endpoints if dst is not src]
        if n == 1:
            return pairs, "every container reached the bridge"
        others = "the other" if n == 2 else f"the {n - 1} others"
        return pairs, f"every container reached {others} and the bridge"
    if 4 * n <= room:
        pairs = [(src, dst) for i, src in enumerate(boxes) for dst in (bridge, boxes[(i + 1) % n])]
        why = "the next one (all pairs would need more neighbour entries than the kernel's shared tables have free)"
        return pairs, f"every container reached the bridge and {why}"
    pairs = [(src, bridge) for src in boxes]
    return pairs, "every container reached the bridge (the kernel's shared neighbour tables are too full for more)"


def _udp_check(pairs: list[tuple[_Endpoint, _Endpoint]], endpoints: list[_Endpoint]) -> tuple[int, list[str]]:
    """Each (source, destination) pair exchanges one datagram per family; returns (how many were
    sent, what did not arrive).  Missing ones are sent again (a first datagram can wait for ARP
    or neighbour discovery) until the deadline."""
    expected: dict[tuple[int, str, str], tuple[_Endpoint, _Endpoint]] = {}
    for src, dst in pairs:
        for fam in (socket.AF_INET, socket.AF_INET6):
            expected[(int(fam), src.label, dst.label)] = (src, dst)
    got: set[tuple[int, str, str]] = set()
    by_sock: dict[socket.socket, tuple[int, _Endpoint]] = {}
    with selectors.DefaultSelector() as sel:
        for ep in endpoints:
            for sock_family, sock in ep.socks.items():
                sel.register(sock, selectors.EVENT_READ)
                by_sock[sock] = (sock_family, ep)

        def drain(timeout: float) -> None:
            for key, _ in sel.select(timeout):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                got_family, receiver = by_sock[sock]
                while True:
                    try:
                        data = sock.recv(512)
                    except BlockingIOError:
                        break
                    sender, _, addressee = data.decode().partition(">")
                    if addressee == receiver.label:
                        got.add((got_family, sender, addressee))

        deadline = time.monotonic() + UDP_TIMEOUT
        while True:
            missing = [k for k in expected if k not in got]
            if not missing or time.monotonic() > deadline:
                break
            for family, src_label, dst_label in missing:
                src, dst = expected[(family, src_label, dst_label)]
                addr = dst.v4 if family == socket.AF_INET else dst.v6
                with contextlib.suppress(BlockingIOError):
                    src.socks[family].sendto(f"{src_label}>{dst_label}".encode(), (addr, PORT))
                drain(0)
            end = time.monotonic() + 0.5
            while time.monotonic() < end and any(k not in got for k in expected):
                drain(0.05)
    lost = [f"{'IPv4' if f == socket.AF_INET else 'IPv6'} {s} -> {d}" for (f, s, d) in expected if (f, s, d) not in got]
    return len(expected), lost


def _table(containers: list[_Container], limit: int) -> list[str]:
    rows = [("CONTAINER", "INTERFACE", "MAC", "ADDRESSES", "WIRED IN")]
    shown = containers if len(containers) <= limit else containers[: limit - 2] + containers[-2:]
    for c in shown:
        veth = c.states[-1]
        iface = f"{veth.ifname} (host end {veth.host_ifname} on {BRIDGE})"
        addrs = f"{veth.network.address} {veth.network.ipv6_address}"
        rows.append((c.name, iface, veth.mac or "-", addrs, f"{c.seconds * 1e3:.2f} ms"))
    lines = format_table(rows).split("\n")
    if len(shown) < len(containers):
        lines.insert(1 + limit - 2, f"... ({len(containers) - len(shown)} more)")
    return lines


def run_demo(containers: int = DEFAULT_CONTAINERS, keep: bool = False, out: TextIO | None = None) -> int:
    """The demo; returns the exit status (0: every datagram arrived and everything was removed)."""
    out = out or sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    if os.geteuid() != 0:
        again = [
            *invocation(),
            "demo",
            *(["--containers", str(containers)] if containers != DEFAULT_CONTAINERS else []),
        ]
        again += ["--keep"] if keep else []
        print(f"rawnl demo: needs root (it creates network namespaces): sudo {shlex.join(again)}", file=sys.stderr)
        return 1
    if not 1 <= containers <= MAX_CONTAINERS:
        print(f"rawnl demo: --containers must be 1 to {MAX_CONTAINERS} (one 198.51.100.0/24 each)", file=sys.stderr)
        return 2
    had_run_dir = os.path.isdir(NETNS_RUN_DIR)
    stale = remove_stale_namespaces()
    if stale:
        say(f"Removed {len(stale)} namespaces left by an earlier demo whose process is gone ({_pids(stale)}).")
    prefix = f"rawnl-demo-{os.getpid()}"
    host_name = f"{prefix}-host"
    names: list[str] = []  # every namespace name we may have created, in creation order
    handles: list[NetNS] = []
    endpoints: list[_Endpoint] = []
    status = 1
    with _sigterm_as_interrupt():
        try:
            status = _run(containers, prefix, host_name, names=names, handles=handles, endpoints=endpoints, say=say)
        except KeyboardInterrupt:
            print("\nrawnl demo: interrupted; removing what it made", file=sys.stderr)
            status = 130
        finally:
            with _no_interrupts():
                _cleanup(names, handles, endpoints, keep and status == 0, had_run_dir)
    if keep and status == 0:
        say()
        say("Kept for inspection (nothing in your own namespace was touched):")
        say(f"  ip -n {host_name} -d link show master {BRIDGE}")
        say(f"  ip -n {names[1]} addr show eth0        (or: rawnl -n {names[1]} addr show)")
        say("Remove them with:")
        say(f"  sudo {shlex.join([*invocation(), 'netns', 'del', *names])}")
    elif names:
        left = [n for n in names if os.path.lexists(os.path.join(NETNS_RUN_DIR, n))]
        if left:
            print(f"rawnl demo: could not remove {', '.join(left)}", file=sys.stderr)
            return 1
        say(f"Removed the {len(names)} namespaces it made; /run/netns is as it was.")
    return status


_DEMO_NAME = "rawnl-demo-"


def _demo_pid(name: str) -> int | None:
    """The pid in a demo namespace's name (``rawnl-demo-PID-host``, ``rawnl-demo-PID-cN``)."""
    if not name.startswith(_DEMO_NAME):
        return None
    pid, _, rest = name[len(_DEMO_NAME) :].partition("-")
    return int(pid) if pid.isdigit() and rest else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _pids(names: list[str]) -> str:
    pids = sorted({pid for name in names if (pid := _demo_pid(name)) is not None})
    return "pid " + ", ".join(map(str, pids))


def remove_stale_namespaces() -> list[str]:
    """Delete the namespaces of earlier demo runs whose process is gone (killed with SIGKILL, say,
    before it could clean up); a demo that still runs keeps its own.  Returns the names removed."""
    removed = []
    for name in NetNS.list():
        pid = _demo_pid(name)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):  # another demo removed it meanwhile
            NetNS.delete(name)
            removed.append(name)
    return removed


def _run(
    n: int,
    prefix: str,
    host_name: str,
    *,
    names: list[str],
    handles: list[NetNS],
    endpoints: list[_Endpoint],
    say: Callable[[str], None],
) -> int:
    started = time.perf_counter()
    progress = _Progress(n, enabled=n >= 20)
    names.append(host_name)
    host_ns = NetNS.create(host_name)
    handles.append(host_ns)
    say(f"host namespace {host_name}: bridge {BRIDGE} with {GATEWAY4}/24 and {GATEWAY6}/64")
    boxes: list[_Container] = []
    with IPRoute(netns=host_ns) as host:
        host.link_add_bridge(BRIDGE)
        host.addr_add(BRIDGE, f"{GATEWAY4}/24")
        host.addr_add(BRIDGE, f"{GATEWAY6}/64", flags=IFA_F_NODAD)
        host.link_set(BRIDGE, up=True)
        for i in range(1, n + 1):
            name = f"{prefix}-c{i}"
            names.append(name)
            ns = NetNS.create(name)
            handles.append(ns)
            box = _Container(name, ns, i)
            t0 = time.perf_counter()
            box.states = create_network_interfaces(networks_for(i), ns, host=host)
            box.seconds = time.perf_counter() - t0
            boxes.append(box)
            progress.update(i, "wiring containers")
    wired = time.perf_counter()

    _wait_for_dad(boxes, time.monotonic() + DAD_TIMEOUT)
    bridge = _Endpoint("bridge", host_ns, GATEWAY4, GATEWAY6)
    endpoints.append(bridge)
    for c in boxes:
        endpoints.append(_Endpoint(c.name.removeprefix(prefix + "-"), c.ns, c.v4, c.v6))
    for ep in endpoints:
        _open_sockets(ep)
    pairs, proof = _pairs(endpoints)
    sent, lost = _udp_check(pairs, endpoints)

    say("")
    for line in _table(boxes, limit=25):
        say(line)
    say("")
    times = [c.seconds for c in boxes]
    say(
        f"Wired {n} container{'s' if n != 1 else ''} in {(wired - started) * 1e3:.1f} ms in all"
        f" (median {statistics.median(times) * 1e3:.2f} ms per container for loopback + veth)."
    )
    if lost:
        say(f"UDP: {len(lost)} of {sent} datagrams did not arrive, e.g. {'; '.join(lost[:5])}")
        return 1
    say(f"UDP: {sent} datagrams over IPv4 and IPv6 ({PORT}/udp), all delivered: {proof}.")
    return 0


def _cleanup(names: list[str], handles: list[NetNS], endpoints: list[_Endpoint], keep: bool, had_run_dir: bool) -> None:
    for ep in endpoints:
        for sock in ep.socks.values():
            sock.close()
    for ns in handles:
        ns.close()
    if keep:
        return
    for name in reversed(names):  # containers first, the host last
        with contextlib.suppress(FileNotFoundError):
            NetNS.delete(name)
    if not had_run_dir:
        cleanup_run_netns(any_creator=True)


def _command_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--containers",
        type=int,
        default=DEFAULT_CONTAINERS,
        metavar="N",
        help=f"how many containers (default {DEFAULT_CONTAINERS})",
    )
    parser.add_argument("--keep", action="store_true", help="leave the namespaces for inspection")


def _command(args: argparse.Namespace) -> int:
    return run_demo(containers=args.containers, keep=args.keep)


COMMAND = Command(
    "demo",
    "wire throw-away containers on a bridge and prove they talk (needs root)",
    _command_arguments,
    _command,
)
