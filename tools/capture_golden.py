"""Regenerate the golden vectors in tests/data/ from the real system (run as root).

    sudo python tools/capture_golden.py [--out tests/data]

It creates its own network namespace (``rawnl-golden-<pid>``), deletes it at the end (also on
failure), and never touches the machine's own namespace.  Inside it:

* **iproute2's requests**: each ``ip -n NS ...`` / ``bridge -n NS ...`` command runs under
  ``strace -f -e trace=sendmsg,sendto -e write=all`` (``strace_sent`` in
  ``tests/iproute2_capture.py``, which the tests that compare with ``ip`` use too); the hex dump
  strace prints of every buffer sent gives the exact bytes, and the last message of the command's
  request type is kept (``ip`` also sends look-ups first: a GETLINK to turn a name into an index,
  say);
* **the kernel's replies** (dumps, an ACK, errors with extended-ack text): a small raw
  ``AF_NETLINK`` client (this file, run again with ``--replies`` under ``ip netns exec``) sends
  requests and records every datagram it receives.

Each vector is written as ``NAME.hex``: one line per field, hex bytes then ``# field name``
(``nlmsg_len``, ``nlmsg_type RTM_NEWLINK``, each attribute's length/type and payload, nested
attributes indented), preceded by comment lines giving the command that produced it.
``tests/test_golden.py`` reads everything left of ``#`` as hex.  Field names come from
the attribute tables of ``rawnl.wire`` (checked against the kernel headers by ``tests/test_constants.py``); the
walk over the bytes is this file's own, not rawnl's decoder.

Sequence numbers, port ids, MAC addresses of the bridge, statistics and timestamps differ from one
run to the next; the tests do not depend on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from iproute2_capture import strace_sent  # noqa: E402  (shared with the tests that compare with ip)

# (after the path is set; codec and the families give names and value types for the annotations)
from rawnl.engine.netns import run_netns_as_found  # noqa: E402
from rawnl.wire import address as waddress  # noqa: E402
from rawnl.wire import codec  # noqa: E402
from rawnl.wire import link as wlink  # noqa: E402
from rawnl.wire import message as wmessage  # noqa: E402
from rawnl.wire import route as wroute  # noqa: E402
from rawnl.wire.kinds import bridge, veth  # noqa: E402

HDR = struct.Struct("=IHHII")
NLA = struct.Struct("=HH")

NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
RTM_NEWLINK, RTM_GETLINK, RTM_SETLINK = 16, 18, 19
RTM_NEWADDR, RTM_GETADDR, RTM_NEWROUTE, RTM_GETROUTE = 20, 22, 24, 26
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK = 270, 11, 12
AF_INET, AF_BRIDGE = 2, 7

MSG_NAMES = {
    1: "NLMSG_NOOP",
    2: "NLMSG_ERROR",
    3: "NLMSG_DONE",
    16: "RTM_NEWLINK",
    17: "RTM_DELLINK",
    18: "RTM_GETLINK",
    19: "RTM_SETLINK",
    20: "RTM_NEWADDR",
    21: "RTM_DELADDR",
    22: "RTM_GETADDR",
    24: "RTM_NEWROUTE",
    25: "RTM_DELROUTE",
    26: "RTM_GETROUTE",
}
FLAG_NAMES = [
    (0x1, "REQUEST"),
    (0x2, "MULTI"),
    (0x4, "ACK"),
    (0x8, "ECHO"),
    (0x10, "DUMP_INTR"),
    (0x20, "DUMP_FILTERED"),
]
# bits 8-11 mean different things for new/get requests and for replies
NEW_FLAGS = [(0x100, "REPLACE"), (0x200, "EXCL"), (0x400, "CREATE"), (0x800, "APPEND")]
GET_FLAGS = [(0x100, "ROOT"), (0x200, "MATCH"), (0x400, "ATOMIC")]
ACK_FLAGS = [(0x100, "CAPPED"), (0x200, "ACK_TLVS")]

FIXED = {
    # type range -> (struct name, [(field, struct code)], attribute table)
    "link": (
        "ifinfomsg",
        [
            ("ifi_family", "B"),
            ("pad", "x"),
            ("ifi_type", "H"),
            ("ifi_index", "i"),
            ("ifi_flags", "I"),
            ("ifi_change", "I"),
        ],
        wlink.LINK,
    ),
    "addr": (
        "ifaddrmsg",
        [("ifa_family", "B"), ("ifa_prefixlen", "B"), ("ifa_flags", "B"), ("ifa_scope", "B"), ("ifa_index", "I")],
        waddress.ADDRESS,
    ),
    "route": (
        "rtmsg",
        [
            ("rtm_family", "B"),
            ("rtm_dst_len", "B"),
            ("rtm_src_len", "B"),
            ("rtm_tos", "B"),
            ("rtm_table", "B"),
            ("rtm_protocol", "B"),
            ("rtm_scope", "B"),
            ("rtm_type", "B"),
            ("rtm_flags", "I"),
        ],
        wroute.ROUTE,
    ),
}


def _family_of_type(mtype: int) -> str | None:
    if 16 <= mtype <= 19:
        return "link"
    if 20 <= mtype <= 22:
        return "addr"
    if 24 <= mtype <= 26:
        return "route"
    return None


# ------------------------------------------------------------------------------------ annotating


class Annotator:
    """Writes ``hex  # comment`` lines for one buffer of netlink messages."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lines: list[str] = []

    def emit(self, start: int, end: int, comment: str, depth: int = 0) -> None:
        chunk = self.data[start:end]
        pad = "  " * depth
        if len(chunk) <= 16:
            self.lines.append(f"{pad}{chunk.hex():<34}# {comment}")
            return
        for i in range(0, len(chunk), 16):
            note = comment if i == 0 else "  (continued)"
            self.lines.append(f"{pad}{chunk[i : i + 16].hex():<34}# {note}")

    def messages(self, start: int, end: int, depth: int = 0) -> None:
        off = start
        index = 0
        while end - off >= 16:
            length, mtype, flags, seq, pid = HDR.unpack_from(self.data, off)
            if length < 16 or length > end - off:
                self.emit(off, end, "?? bytes that do not form a message", depth)
                return
            self.lines.append(f"{'  ' * depth}# --- message {index}: {MSG_NAMES.get(mtype, mtype)}")
            self.header(off, mtype, flags, seq, pid, length, depth)
            self.body(off, off + length, mtype, flags, depth)
            nxt = off + ((length + 3) & ~3)
            if nxt > off + length:
                self.emit(off + length, min(nxt, end), "padding", depth)
            off = nxt
            index += 1
        if off < end:
            self.emit(off, end, "?? trailing bytes", depth)

    def header(  # noqa: PLR0917
        self, off: int, mtype: int, flags: int, seq: int, pid: int, length: int, depth: int
    ) -> None:
        self.emit(off, off + 4, f"nlmsg_len {length}", depth)
        self.emit(off + 4, off + 6, f"nlmsg_type {mtype} {MSG_NAMES.get(mtype, '')}".rstrip(), depth)
        names = [n for bit, n in FLAG_NAMES if flags & bit]
        if mtype in (2, 3):
            extra = ACK_FLAGS
        elif mtype in (18, 22, 26):
            extra = GET_FLAGS
        else:
            extra = NEW_FLAGS
        names += [n for bit, n in extra if flags & bit]
        self.emit(off + 6, off + 8, f"nlmsg_flags 0x{flags:x} {'|'.join(names)}", depth)
        self.emit(off + 8, off + 12, f"nlmsg_seq {seq}", depth)
        self.emit(off + 12, off + 16, f"nlmsg_pid {pid}", depth)

    def body(self, off: int, end: int, mtype: int, flags: int, depth: int) -> None:
        fam = _family_of_type(mtype)
        if fam is not None:
            _sname, _fields, table = FIXED[fam]
            family = self.data[off + 16]
            pos = self.fixed(off + 16, fam, "", depth)
            self.attrs(pos, end, table, family, depth)
        elif mtype == 2:  # NLMSG_ERROR
            (error,) = struct.unpack_from("=i", self.data, off + 16)
            self.emit(
                off + 16, off + 20, f"nlmsgerr.error {error}" + (f" (-{os.strerror(-error)})" if error else ""), depth
            )
            inner_len = HDR.unpack_from(self.data, off + 20)[0]
            if flags & 0x100:  # capped: the request's header only
                self.lines.append(f"{'  ' * depth}# echoed request header (capped)")
                ilen, itype, iflags, iseq, ipid = HDR.unpack_from(self.data, off + 20)
                self.header(off + 20, itype, iflags, iseq, ipid, ilen, depth + 1)
                echoed = 16
            else:
                self.lines.append(f"{'  ' * depth}# echoed request (whole)")
                self.messages(off + 20, off + 20 + inner_len, depth + 1)
                echoed = inner_len
            tlv = off + 20 + ((echoed + 3) & ~3)
            if flags & 0x200:
                self.lines.append(f"{'  ' * depth}# extended ACK attributes")
                self.attrs(tlv, end, wmessage.NLMSGERR, 0, depth)
        elif mtype == 3:  # NLMSG_DONE
            (error,) = struct.unpack_from("=i", self.data, off + 16)
            self.emit(
                off + 16, off + 20, f"done.error {error}" + (f" (-{os.strerror(-error)})" if error else ""), depth
            )
            if flags & 0x200:
                self.lines.append(f"{'  ' * depth}# extended ACK attributes")
                self.attrs(off + 20, end, wmessage.NLMSGERR, 0, depth)
        elif end > off + 16:
            self.emit(off + 16, end, "payload", depth)

    def fixed(self, pos: int, fam: str, prefix: str, depth: int) -> int:
        """One line per field of the fixed header of ``FIXED[fam]`` at ``pos``; returns its end."""
        sname, fields, _table = FIXED[fam]
        for field, code in fields:
            size = struct.calcsize("=" + code)
            value = "" if code == "x" else f" {struct.unpack_from('=' + code, self.data, pos)[0]}"
            self.emit(pos, pos + size, f"{prefix}{sname}.{field}{value}", depth)
            pos += size
        return pos

    def attrs(self, start: int, end: int, table: codec.AttrTable, family: int, depth: int) -> None:
        raw = []
        off = start
        while end - off >= 4:
            alen, atype = NLA.unpack_from(self.data, off)
            if alen < 4 or alen > end - off:
                break
            raw.append((off, alen, atype))
            off += (alen + 3) & ~3
        if off < end:
            self.emit(off, end, "?? bytes that do not form an attribute", depth)
        for aoff, alen, atype in raw:
            number = atype & codec.NLA_TYPE_MASK
            spec = table.by_number.get(number)
            name = spec.name if spec else f"unknown {table.name} attribute {number}"
            bits = [n for bit, n in ((0x8000, "NLA_F_NESTED"), (0x4000, "NLA_F_NET_BYTEORDER")) if atype & bit]
            self.emit(aoff, aoff + 2, f"nla_len {alen}", depth)
            self.emit(aoff + 2, aoff + 4, f"nla_type {number} {name}" + "".join(f" | {b}" for b in bits), depth)
            ps, pe = aoff + 4, aoff + alen
            self.payload(ps, pe, spec, atype, raw, table, family, depth + 1)
            padded = aoff + ((alen + 3) & ~3)
            if padded > pe:
                self.emit(pe, padded, "padding", depth)

    def payload(  # noqa: PLR0917
        self,
        ps: int,
        pe: int,
        spec: codec.AttrSpec | None,
        atype: int,
        siblings: list[tuple[int, int, int]],
        table: codec.AttrTable,
        family: int,
        depth: int,
    ) -> None:
        if pe == ps:
            if spec is not None and isinstance(spec.type, codec._Nested):
                self.lines.append(f"{'  ' * depth}# (empty nest)")
            return
        typ = spec.type if spec else codec.BINARY
        if isinstance(typ, codec.Selected):
            kind = None
            for s_off, s_len, s_type in siblings:
                if s_type & codec.NLA_TYPE_MASK == typ.selector_number:
                    kind = self.data[s_off + 4 : s_off + s_len].split(b"\0")[0].decode()
            typ = typ.choose(kind)
        if isinstance(typ, codec._Nested):
            self.attrs(ps, pe, typ.table, family, depth)
        elif isinstance(typ, veth._LinkPeer):
            pos = self.fixed(ps, "link", "peer ", depth)
            self.attrs(pos, pe, wlink.LINK, family, depth)
        elif isinstance(typ, wlink._ProtInfo) and family == AF_BRIDGE and atype & codec.NLA_F_NESTED:
            self.attrs(ps, pe, bridge.BRPORT, family, depth)
        elif isinstance(typ, wroute._Multipath):
            pos = ps
            while pe - pos >= 8:
                hlen, hflags, hops, ifindex = struct.unpack_from("=HBBi", self.data, pos)
                self.emit(pos, pos + 8, f"rtnexthop len {hlen} flags {hflags} hops {hops} ifindex {ifindex}", depth)
                self.attrs(pos + 8, pos + hlen, wroute.ROUTE, family, depth + 1)
                pos += (hlen + 3) & ~3
        else:
            self.emit(ps, pe, f"= {self.render(typ, ps, pe)}", depth)

    def render(self, typ: codec.AttrType, ps: int, pe: int) -> str:  # noqa: PLR0911
        raw = self.data[ps:pe]
        if isinstance(typ, codec._String):
            text = raw.split(b"\0")[0].decode("utf-8", "replace")
            return f'"{text}"' + ("" if raw.endswith(b"\0") else " (no NUL)")
        if isinstance(typ, codec._Scalar) and len(raw) == typ.size:
            return str(typ._unpack(raw)[0])
        if isinstance(typ, codec._Mac):
            return raw.hex(":")
        if isinstance(typ, codec._IPAddr) and len(raw) in (4, 16):
            return str(socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw))
        if isinstance(typ, codec._Struct):
            return f"struct {typ.label} ({len(raw)} bytes)"
        if isinstance(typ, codec._Array):
            return f"{typ.label} of {len(raw) // typ._size}"
        return f"{len(raw)} bytes"


def annotated(data: bytes, title: str, command: str, note: str = "") -> str:
    ann = Annotator(data)
    ann.messages(0, len(data))
    head = [
        f"# {title}",
        f"# command: {command}",
        f"# captured by tools/capture_golden.py on Linux {platform.release()}, {_iproute_version()}",
    ]
    if note:
        head += [f"# {line}" for line in note.splitlines()]
    head.append(f"# {len(data)} bytes; everything left of '#' is hex")
    return "\n".join([*head, *ann.lines]) + "\n"


def _iproute_version() -> str:
    out = subprocess.run(["ip", "-V"], capture_output=True, text=True, check=False).stdout.strip()
    return out.replace("ip utility, ", "")


# ------------------------------------------------------------------------------------ requests


def capture_request(argv: list[str], mtype: int) -> bytes:
    sent = [m for m in strace_sent(argv) if HDR.unpack_from(m)[1] == mtype]
    if not sent:
        raise RuntimeError(f"{' '.join(argv)} sent no message of type {mtype}")
    return sent[-1]


# ------------------------------------------------------------------------------------ replies


def _replies_main() -> None:
    """Run inside the namespace: send the requests, print {name: [hex datagram, ...]} as JSON."""
    out: dict[str, Any] = {}

    def sock(strict: bool = False) -> socket.socket:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        if strict:
            s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        s.bind((0, 0))
        return s

    def exchange(s: socket.socket, request: bytes, until: Callable[[bytes], bool]) -> list[bytes]:
        """Send ``request``; return every datagram received up to the one ``until`` accepts."""
        s.send(request)
        grams = []
        while True:
            size = s.recv_into(bytearray(16), 16, socket.MSG_PEEK | socket.MSG_TRUNC)  # the real size
            gram, (sender, _groups) = s.recvfrom(size)
            if sender != 0:  # only the kernel's datagrams
                continue
            grams.append(gram)
            if until(gram):
                return grams

    def ends_dump(gram: bytes) -> bool:
        off = 0
        while off + 16 <= len(gram):
            length, mtype = HDR.unpack_from(gram, off)[:2]
            if mtype in (2, 3):
                return True
            off += (length + 3) & ~3
        return False

    def hdr(mtype: int, flags: int, seq: int, body: bytes) -> bytes:
        return HDR.pack(16 + len(body), mtype, flags, seq, 0) + body

    def nla(atype: int, payload: bytes) -> bytes:
        n = 4 + len(payload)
        return NLA.pack(n, atype) + payload + bytes(-n % 4)

    ifinfo = struct.Struct("=BxHiII")
    index = {name: socket.if_nametoindex(name) for name in ("veth0", "veth1", "br0")}
    with sock() as s:
        dump = NLM_F_REQUEST | NLM_F_DUMP
        out["link_dump_reply"] = exchange(s, hdr(RTM_GETLINK, dump, 1, ifinfo.pack(0, 0, 0, 0, 0)), ends_dump)
        out["bridge_link_dump_reply"] = exchange(
            s, hdr(RTM_GETLINK, dump, 2, ifinfo.pack(AF_BRIDGE, 0, 0, 0, 0)), ends_dump
        )
        out["addr_dump_reply"] = exchange(s, hdr(RTM_GETADDR, dump, 3, struct.pack("=BBBBI", 0, 0, 0, 0, 0)), ends_dump)
        rtmsg = struct.pack("=BBBBBBBBI", AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
        out["route_dump_reply"] = exchange(s, hdr(RTM_GETROUTE, dump, 4, rtmsg), ends_dump)
        # a successful request with NLM_F_ACK: the 36-byte ACK
        mtu = ifinfo.pack(0, 0, index["veth1"], 0, 0) + nla(4, struct.pack("=I", 1400))
        out["ack_reply"] = exchange(s, hdr(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 5, mtu), ends_dump)
        # IFLA_MTU with a 2-byte payload: ERANGE, "Attribute failed policy validation", OFFS 32
        bad_mtu = ifinfo.pack(0, 0, index["veth1"], 0, 0) + nla(4, struct.pack("=H", 1400))
        out["error_extack_reply"] = exchange(s, hdr(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 6, bad_mtu), ends_dump)
        # an unknown kind: EOPNOTSUPP with "Unknown device type" pointing at IFLA_INFO_KIND
        linkinfo = nla(18, nla(1, b"nosuchkind\0"))
        bad_kind = ifinfo.pack(0, 0, 0, 0, 0) + nla(3, b"bogus0\0") + linkinfo
        out["error_kind_reply"] = exchange(
            s, hdr(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | 0x600, 7, bad_kind), ends_dump
        )
    with sock(strict=True) as s:
        # strict checking: a link dump filtered by index is refused, the dump ends in DONE with
        # -EINVAL and the extended-ack text
        out["done_error_reply"] = exchange(
            s,
            hdr(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 8, ifinfo.pack(0, 0, index["veth0"], 0, 0)),
            ends_dump,
        )
    json.dump({k: [g.hex() for g in v] for k, v in out.items()}, sys.stdout)


# ------------------------------------------------------------------------------------ main

REQUESTS: list[tuple[str, str, list[str], int]] = [
    # (file name, title, command after "ip -n NS" / "bridge -n NS", message type)
    (
        "veth_add_request",
        "iproute2: create a veth pair",
        ["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"],
        RTM_NEWLINK,
    ),
    ("bridge_add_request", "iproute2: create a bridge", ["link", "add", "br0", "type", "bridge"], RTM_NEWLINK),
    ("mtu_request", "iproute2: set the MTU", ["link", "set", "dev", "veth0", "mtu", "1400"], RTM_NEWLINK),
    ("master_request", "iproute2: enslave to a bridge", ["link", "set", "dev", "veth0", "master", "br0"], RTM_NEWLINK),
    (
        "hairpin_slave_request",
        "iproute2: hairpin through the bridge-slave link data",
        ["link", "set", "dev", "veth0", "type", "bridge_slave", "hairpin", "on"],
        RTM_NEWLINK,
    ),
    (
        "hairpin_bridge_request",
        "iproute2 (bridge): hairpin through IFLA_PROTINFO (NLA_F_NESTED)",
        ["bridge", "link", "set", "dev", "veth0", "hairpin", "on"],
        RTM_SETLINK,
    ),
    ("addr_v4_request", "iproute2: add an IPv4 address", ["addr", "add", "192.0.2.1/24", "dev", "veth1"], RTM_NEWADDR),
    (
        "addr_v6_request",
        "iproute2: add an IPv6 address",
        ["addr", "add", "2001:db8::1/64", "dev", "veth1"],
        RTM_NEWADDR,
    ),
    (
        "route_gw_request",
        "iproute2: a route through a gateway",
        ["route", "add", "198.51.100.0/24", "via", "192.0.2.254"],
        RTM_NEWROUTE,
    ),
    (
        "route_table_request",
        "iproute2: a route in table 1000",
        ["route", "add", "203.0.113.0/24", "via", "192.0.2.254", "table", "1000"],
        RTM_NEWROUTE,
    ),
]
# Run (not captured) before the addresses: links up, so that routes via 192.0.2.254 are accepted.
SETUP_AFTER = {
    "hairpin_bridge_request": [
        ["link", "set", "lo", "up"],
        ["link", "set", "veth0", "up"],
        ["link", "set", "veth1", "up"],
        ["link", "set", "br0", "up"],
    ],
    # more routes for the dump: one with a metric, one with two nexthops
    "route_table_request": [
        ["route", "add", "198.51.100.128/25", "via", "192.0.2.254", "mtu", "1300"],
        ["route", "add", "203.0.113.128/25", "nexthop", "via", "192.0.2.253", "nexthop", "via", "192.0.2.254"],
    ],
}
NOMASTER = ("nomaster_request", "iproute2: release from the bridge", ["link", "set", "dev", "veth0", "nomaster"])

REPLIES = {
    "link_dump_reply": ("kernel: RTM_GETLINK dump (lo, veth1, veth0 in br0, br0)", "RTM_GETLINK NLM_F_DUMP"),
    "bridge_link_dump_reply": (
        "kernel: AF_BRIDGE RTM_GETLINK dump (ports with IFLA_PROTINFO)",
        "RTM_GETLINK NLM_F_DUMP, ifi_family AF_BRIDGE",
    ),
    "addr_dump_reply": ("kernel: RTM_GETADDR dump", "RTM_GETADDR NLM_F_DUMP"),
    "route_dump_reply": (
        "kernel: RTM_GETROUTE dump, AF_INET (gateway, table 1000, metrics, multipath)",
        "RTM_GETROUTE NLM_F_DUMP, rtm_family AF_INET",
    ),
    "ack_reply": ("kernel: the ACK of a successful request", "RTM_NEWLINK veth1 IFLA_MTU 1400, NLM_F_ACK"),
    "error_extack_reply": (
        "kernel: ERANGE with extended ACK (2-byte IFLA_MTU)",
        "RTM_NEWLINK veth1 IFLA_MTU with a 2-byte payload, NLM_F_ACK, NETLINK_EXT_ACK on",
    ),
    "error_kind_reply": (
        "kernel: EOPNOTSUPP with extended ACK (unknown link kind)",
        "RTM_NEWLINK CREATE|EXCL IFLA_IFNAME bogus0 IFLA_LINKINFO{IFLA_INFO_KIND nosuchkind}, NETLINK_EXT_ACK on",
    ),
    "done_error_reply": (
        "kernel: a refused dump ends in NLMSG_DONE with an error and extended ACK",
        "RTM_GETLINK NLM_F_DUMP with ifi_index set, NETLINK_GET_STRICT_CHK on",
    ),
}


def run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data")
    parser.add_argument("--replies", action="store_true", help=argparse.SUPPRESS)  # internal: inside the netns
    args = parser.parse_args()
    if args.replies:
        _replies_main()
        return
    if os.geteuid() != 0:
        sys.exit("capture_golden.py needs root (it creates a network namespace)")
    for tool in ("ip", "bridge", "strace"):
        if shutil.which(tool) is None:
            sys.exit(f"capture_golden.py needs {tool}")
    ns = f"rawnl-golden-{os.getpid()}"
    args.out.mkdir(parents=True, exist_ok=True)
    with run_netns_as_found():
        _capture(ns, args.out)


def _capture(ns: str, out: Path) -> None:
    run(["ip", "netns", "add", ns])
    try:
        vectors: dict[str, tuple[bytes, str, str]] = {}
        for name, title, cmd, mtype in REQUESTS:
            argv = ["bridge", "-n", ns, *cmd[1:]] if cmd[0] == "bridge" else ["ip", "-n", ns, *cmd]
            vectors[name] = (capture_request(argv, mtype), title, " ".join(argv).replace(ns, "NS"))
            for extra in SETUP_AFTER.get(name, []):
                run(["ip", "-n", ns, *extra])
        proc = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, str(Path(__file__).resolve()), "--replies"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"the reply capture failed:\n{proc.stderr}")
        for name, grams in json.loads(proc.stdout).items():
            title, what = REPLIES[name]
            vectors[name] = (b"".join(bytes.fromhex(g) for g in grams), title, f"(raw AF_NETLINK socket) {what}")
        name, title, cmd = NOMASTER
        argv = ["ip", "-n", ns, *cmd]
        vectors[name] = (capture_request(argv, RTM_NEWLINK), title, " ".join(argv).replace(ns, "NS"))
        for name, (data, title, command) in vectors.items():
            (out / f"{name}.hex").write_text(annotated(data, title, command))
            print(f"{name}.hex: {len(data)} bytes")
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


if __name__ == "__main__":
    main()
