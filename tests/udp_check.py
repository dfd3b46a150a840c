"""Test helper: prove namespaces reach each other with UDP over IPv4 and IPv6.

Sockets are opened inside each namespace with :func:`rawnl.run_in` (a socket belongs to the
namespace it was created in); nothing runs ``ping``.  Independent of :mod:`rawnl.demo`, which has
its own check.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rawnl import IPRoute, NetNS, run_in

IFA_F_TENTATIVE = 0x40
PORT = 7788


@dataclass
class Peer:
    label: str
    ns: NetNS
    v4: str
    v6: str
    socks: dict[int, socket.socket] = field(default_factory=dict)


def wait_for_dad(namespaces: Sequence[NetNS], timeout: float = 15.0) -> None:
    """Until no global IPv6 address in these namespaces is tentative (it cannot be bound before)."""
    deadline = time.monotonic() + timeout
    pending = list(namespaces)
    while pending:
        still = []
        for ns in pending:
            with IPRoute(netns=ns) as r:
                if any(a.flags & IFA_F_TENTATIVE and a.scope == 0 for a in r.addrs(family=socket.AF_INET6)):
                    still.append(ns)
        pending = still
        if pending:
            assert time.monotonic() < deadline, f"IPv6 DAD did not finish in {pending[0]!r}"
            time.sleep(0.1)


@contextlib.contextmanager
def opened(peers: Sequence[Peer]) -> Iterator[None]:
    try:
        for p in peers:
            for family, addr in ((socket.AF_INET, p.v4), (socket.AF_INET6, p.v6)):
                sock = run_in(p.ns, socket.socket, family, socket.SOCK_DGRAM)
                p.socks[family] = sock
                sock.bind((addr, PORT))
                sock.setblocking(False)
        yield
    finally:
        for p in peers:
            for sock in p.socks.values():
                sock.close()
            p.socks.clear()


def exchange(peers: Sequence[Peer], senders: Sequence[Peer], timeout: float = 10.0) -> tuple[int, list[str]]:
    """Every sender sends one datagram per family to every other peer; returns (expected count,
    descriptions of the ones that never arrived).  Missing ones are re-sent until ``timeout``."""
    wait_for_dad([p.ns for p in peers])
    expected = {
        (fam, s.label, d.label): (s, d)
        for s in senders
        for d in peers
        if d is not s
        for fam in (int(socket.AF_INET), int(socket.AF_INET6))
    }
    got: set[tuple[int, str, str]] = set()
    with opened(peers), selectors.DefaultSelector() as sel:
        owner = {}
        for p in peers:
            for fam, sock in p.socks.items():
                sel.register(sock, selectors.EVENT_READ)
                owner[sock] = (fam, p)
        deadline = time.monotonic() + timeout
        while (missing := [k for k in expected if k not in got]) and time.monotonic() < deadline:
            for key in missing:
                src, dst = expected[key]
                addr = dst.v4 if key[0] == socket.AF_INET else dst.v6
                src.socks[key[0]].sendto(f"{src.label}>{dst.label}".encode(), (addr, PORT))
            end = time.monotonic() + 0.5
            while time.monotonic() < end and any(k not in got for k in expected):
                for k, _ in sel.select(0.05):
                    sock = k.fileobj
                    assert isinstance(sock, socket.socket)
                    fam, receiver = owner[sock]
                    with contextlib.suppress(BlockingIOError):
                        while True:
                            src_label, _, dst_label = sock.recv(256).decode().partition(">")
                            assert dst_label == receiver.label
                            got.add((fam, src_label, dst_label))
    lost = [f"{'IPv4' if f == socket.AF_INET else 'IPv6'} {s}->{d}" for (f, s, d) in expected if (f, s, d) not in got]
    return len(expected), lost
