"""The codec, rawnl and pyroute2 side by side in one run.

1. Building and encoding a request, microseconds per request: a route (198.51.100.0/24 via
   192.0.2.254 in table 1000) and an address (192.0.2.1/24).  rawnl through its request builders
   (``rawnl.ops.routes``, ``rawnl.ops.addresses``: validation included) and through the bare message classes; pyroute2
   through its message classes (``rtmsg``/``ifaddrmsg``: fill in, ``encode()``), which is the
   cheapest way pyroute2 has to build one (its ``IPRoute`` adds request processing on top).
2. Decoding a real dump of 2,000 links (1,000 veth pairs, plus ``lo``) into typed messages,
   milliseconds per dump.  rawnl's ``decode`` is structural: every header and length is checked,
   values are converted on first access; so it is reported three ways: with an empty layout cache
   (every message scanned), with a warm one (the steady state of a program that lists links
   repeatedly), and "decode + materialise", which also converts every attribute of every message
   (``attrs.to_dict()``, nests included).  pyroute2's ``parse`` converts everything up front.

The dump is captured at run time: the benchmark creates a namespace (``rawnl-bench-codec-PID``),
adds 1,000 veth pairs with ``ip -batch``, dumps the links with a raw AF_NETLINK socket, and
deletes the namespace (also on failure).  That needs root; ``--save FILE`` keeps the capture and
``--load FILE`` reuses one (no root needed then).

Targets (issue 2): <= 5 us per request encoded; <= 15 ms for the 2,000-link decode; >= 20x faster
than pyroute2 on each.  Usage:
    sudo .venv/bin/python benchmarks/codec.py [--save FILE | --load FILE] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

# Imported once here, as rawnl is: an import statement inside a timed function would charge
# pyroute2 for a module lookup on every call.
from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
from pyroute2.netlink.rtnl.marshal import MarshalRtnl
from pyroute2.netlink.rtnl.rtmsg import rtmsg

import rawnl
from rawnl import AddressMessage, RouteMessage
from rawnl.engine.netns import run_netns_as_found
from rawnl.ops import addresses, routes
from rawnl.wire import codec

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the helpers beside this script
from minimal_client import split_saved

PAIRS = 1000

CAPTURE = r"""
import socket, struct, sys
HDR = struct.Struct("=IHHII")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind((0, 0))
s.send(HDR.pack(32, 18, 0x301, 1, 0) + bytes(16))  # RTM_GETLINK, REQUEST|DUMP, ifinfomsg
out = sys.stdout.buffer
done = False
while not done:
    size = s.recv_into(bytearray(16), 16, socket.MSG_PEEK | socket.MSG_TRUNC)
    gram = s.recv(max(size, 1 << 16))  # a large buffer, as real clients use: the kernel then fills 32 KB datagrams
    out.write(struct.pack("=I", len(gram)) + gram)
    off = 0
    while off + 16 <= len(gram):
        length, mtype = HDR.unpack_from(gram, off)[:2]
        done = done or mtype in (2, 3)
        off += (length + 3) & ~3
out.flush()
"""


def capture_dump() -> list[bytes]:
    """Datagrams of a link dump of a fresh namespace holding PAIRS veth pairs."""
    ns = f"rawnl-bench-codec-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        batch = "".join(
            f"link add va{i} numtxqueues 1 numrxqueues 1 type veth peer name vb{i} numtxqueues 1 numrxqueues 1\n"
            for i in range(PAIRS)
        )
        subprocess.run(["ip", "-n", ns, "-batch", "-"], input=batch, text=True, check=True)
        proc = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-c", CAPTURE], capture_output=True, check=True
        )
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
    return split_saved(proc.stdout)


def best(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Seconds per call: the best of ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


# ------------------------------------------------------------------------------- encoding


def rawnl_route_builder() -> bytes:
    return routes.route_add("198.51.100.0/24", gateway="192.0.2.254", table=1000).encode(seq=1)


def rawnl_addr_builder() -> bytes:
    return addresses.addr_add(5, "192.0.2.1/24").encode(seq=1)


DST, GW, ADDR = IPv4Address("198.51.100.0"), IPv4Address("192.0.2.254"), IPv4Address("192.0.2.1")


def rawnl_route_message() -> bytes:
    return RouteMessage(
        type=24,
        flags=0x605,
        seq=1,
        family=2,
        dst_len=24,
        protocol=3,
        route_type=1,
        attrs={"RTA_DST": DST, "RTA_GATEWAY": GW, "RTA_TABLE": 1000},
    ).encode()


def rawnl_addr_message() -> bytes:
    return AddressMessage(
        type=20,
        flags=0x605,
        seq=1,
        family=2,
        prefixlen=24,
        index=5,
        attrs={"IFA_LOCAL": ADDR, "IFA_ADDRESS": ADDR},
    ).encode()


def pyroute2_route() -> bytes:
    msg = rtmsg()
    msg["header"]["type"] = 24
    msg["header"]["flags"] = 0x605
    msg["header"]["sequence_number"] = 1
    msg["family"] = 2
    msg["dst_len"] = 24
    msg["proto"] = 3
    msg["type"] = 1
    msg["attrs"] = [("RTA_DST", "198.51.100.0"), ("RTA_GATEWAY", "192.0.2.254"), ("RTA_TABLE", 1000)]
    msg.encode()
    return bytes(msg.data)


def pyroute2_addr() -> bytes:
    msg = ifaddrmsg()
    msg["header"]["type"] = 20
    msg["header"]["flags"] = 0x605
    msg["header"]["sequence_number"] = 1
    msg["family"] = 2
    msg["prefixlen"] = 24
    msg["index"] = 5
    msg["attrs"] = [("IFA_LOCAL", "192.0.2.1"), ("IFA_ADDRESS", "192.0.2.1")]
    msg.encode()
    return bytes(msg.data)


def check_same_meaning() -> None:
    """The contestants build the same requests (so the timings compare like with like)."""
    for ours, theirs in ((rawnl_route_builder, pyroute2_route), (rawnl_addr_builder, pyroute2_addr)):
        a, b = rawnl.decode(ours())[0], rawnl.decode(theirs())[0]
        assert (a.type, a.flags) == (b.type, b.flags), (a, b)
        assert dict(a.attrs) == dict(b.attrs), (a, b)
        fixed = [f for f in a._fields if f not in ("attrs",)]
        assert [getattr(a, f) for f in fixed] == [getattr(b, f) for f in fixed], (a, b)


# ------------------------------------------------------------------------------- decoding


def rawnl_decode(grams: list[bytes]) -> list[Any]:
    out: list[Any] = []
    for gram in grams:
        out += rawnl.decode(gram)
    return out


def rawnl_decode_cold(grams: list[bytes]) -> list[Any]:
    codec.clear_layout_cache()
    return rawnl_decode(grams)


def rawnl_decode_every_scan(chunks: list[bytes]) -> list[Any]:
    """Each message decoded with an empty layout cache: the full scan every time."""
    out: list[Any] = []
    clear = codec.clear_layout_cache
    for chunk in chunks:
        clear()
        out += rawnl.decode(chunk)
    return out


def rawnl_decode_materialise(grams: list[bytes]) -> list[Any]:
    msgs = rawnl_decode(grams)
    for m in msgs:
        attrs = getattr(m, "attrs", None)
        if isinstance(attrs, codec.Attrs):
            attrs.to_dict()
    return msgs


def pyroute2_parse(grams: list[bytes]) -> list[Any]:
    marshal = MarshalRtnl()
    out: list[Any] = []
    for gram in grams:
        out += marshal.parse(gram)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", type=Path, help="keep the captured dump in this file")
    parser.add_argument("--load", type=Path, help="use a dump saved with --save (no root needed)")
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds; the best is reported")
    args = parser.parse_args()

    if args.load:
        grams = split_saved(args.load.read_bytes())
    else:
        if os.geteuid() != 0:
            print("benchmarks/codec.py needs root to capture a dump (or --load FILE)")
            return 2
        with run_netns_as_found():
            grams = capture_dump()
        if args.save:
            args.save.write_bytes(b"".join(struct.pack("=I", len(g)) + g for g in grams))

    msgs = rawnl_decode(grams)
    links = [m for m in msgs if isinstance(m, rawnl.LinkMessage)]
    theirs = [m for m in pyroute2_parse(grams) if m["header"]["type"] == 16]
    assert len(theirs) == len(links)
    assert [m.get_attr("IFLA_IFNAME") for m in theirs] == [m.attrs["IFLA_IFNAME"] for m in links]
    nbytes = sum(map(len, grams))
    check_same_meaning()

    print(f"rawnl {rawnl.__version__} vs pyroute2 {_pyroute2_version()}, Python {sys.version.split()[0]}")
    print()
    print(f"building + encoding one request (us per request, best of {args.rounds} rounds)")
    rows = []
    n = 20_000
    for label, ours, ours_bare, theirs_fn in (
        ("route 198.51.100.0/24 via 192.0.2.254 table 1000", rawnl_route_builder, rawnl_route_message, pyroute2_route),
        ("address 192.0.2.1/24", rawnl_addr_builder, rawnl_addr_message, pyroute2_addr),
    ):
        t_ours = best(ours, args.rounds, n) * 1e6
        t_bare = best(ours_bare, args.rounds, n) * 1e6
        t_theirs = best(theirs_fn, args.rounds, n // 10) * 1e6
        rows.append((label, t_ours, t_bare, t_theirs))
    print(f"  {'':50} {'rawnl builder':>14} {'rawnl message':>14} {'pyroute2':>10}   pyroute2 / rawnl")
    for label, t_ours, t_bare, t_theirs in rows:
        print(
            f"  {label:50} {t_ours:14.2f} {t_bare:14.2f} {t_theirs:10.2f}   "
            f"{t_theirs / t_ours:.1f}x (builder), {t_theirs / t_bare:.1f}x (message)"
        )
    print()
    print(f"decoding a dump of {len(links)} links ({len(grams)} datagrams, {nbytes / 1e6:.2f} MB; ms per dump)")
    chunks = [g[off : off + length] for g in grams for off, length, *_ in codec.iter_messages(g)]
    dump_rows = [
        (
            "rawnl decode, no layout cache (each message scanned)",
            best(lambda: rawnl_decode_every_scan(chunks), args.rounds, 1),
        ),
        ("rawnl decode, layout cache emptied before the dump", best(lambda: rawnl_decode_cold(grams), args.rounds, 1)),
        ("rawnl decode, warm layout cache", best(lambda: rawnl_decode(grams), args.rounds, 1)),
        ("rawnl decode + materialise every attribute", best(lambda: rawnl_decode_materialise(grams), args.rounds, 1)),
    ]
    t_pr2 = best(lambda: pyroute2_parse(grams), max(2, args.rounds // 3), 1)
    for label, t in dump_rows:
        print(f"  {label:55} {t * 1e3:9.2f} ms   pyroute2 / rawnl {t_pr2 / t:6.1f}x")
    print(f"  {'pyroute2 parse (everything decoded)':55} {t_pr2 * 1e3:9.2f} ms")
    print()
    print("targets: <= 5 us per request; <= 15 ms per 2,000-link decode; >= 20x pyroute2 on each")
    return 0


def _pyroute2_version() -> str:
    import pyroute2

    return str(getattr(pyroute2, "__version__", "?"))


if __name__ == "__main__":
    sys.exit(main())
