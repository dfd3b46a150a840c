"""The reference for ``ops.py`` (f)-(k): a minimal raw-socket rtnetlink client and a minimal
lazy link decoder, in a few dozen lines each, with no rawnl in them.

What a careful hand-written client does and nothing more: struct-packed requests, the link's
index known up front (no name lookup), ``NLM_F_ACK`` and one ``recv`` per request (checking only
the errno of the answer), and a batch sent in as few ``sendmsg`` calls as fit the send buffer
with the ACK asked on each chunk's last request only.  Its decoder walks ``nlmsghdr``,
``ifinfomsg`` and the top-level TLVs and picks seven fields; it checks nothing (a TLV running off
the end of its message is read anyway): that is the gap strictness costs.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
from collections.abc import Iterable

AF_NETLINK = 16
NETLINK_ROUTE = 0
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
RTM_NEWLINK, RTM_GETLINK = 16, 18
RTM_NEWADDR, RTM_DELADDR = 20, 21
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_GATEWAY, RTA_TABLE = 1, 5, 15
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER, IFLA_OPERSTATE, IFLA_EXT_MASK = 1, 3, 4, 10, 16, 29
RTEXT_FILTER_VF = 1
AF_PACKET = 17
RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST = 3, 0, 1
NEW = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL

HDR = struct.Struct("=IHHII")
IFADDRMSG = struct.Struct("=BBBBi")
RTMSG = struct.Struct("=BBBBBBBBI")
IFINFOMSG = struct.Struct("=BxHiII")
ATTR_U32 = struct.Struct("=HHI")
ATTR_HDR = struct.Struct("=HH")
ERRNO = struct.Struct("=i")
UNPACK_HDR = HDR.unpack_from
UNPACK_IFI = struct.Struct("=xxxxiI").unpack_from
UNPACK_ATTR = ATTR_HDR.unpack_from
UNPACK_U32 = struct.Struct("=I").unpack_from


def attr(atype: int, payload: bytes) -> bytes:
    """One TLV, padded to 4 bytes."""
    size = 4 + len(payload)
    return ATTR_HDR.pack(size, atype) + payload + b"\0" * (-size % 4)


def message(mtype: int, flags: int, seq: int, body: bytes) -> bytes:
    return HDR.pack(16 + len(body), mtype, flags, seq, 0) + body


def addr_msg(mtype: int, flags: int, seq: int, index: int, cidr: str) -> bytes:
    """RTM_NEWADDR/DELADDR for an IPv4 ``a.b.c.d/len`` on ``index``: IFA_LOCAL and IFA_ADDRESS."""
    address, plen = cidr.split("/")
    raw = socket.inet_aton(address)
    body = IFADDRMSG.pack(socket.AF_INET, int(plen), 0, 0, index) + attr(IFA_LOCAL, raw) + attr(IFA_ADDRESS, raw)
    return message(mtype, flags, seq, body)


def route_msg(mtype: int, flags: int, seq: int, dst: str, *, gateway: str, table: int) -> bytes:
    """RTM_NEWROUTE/DELROUTE for an IPv4 ``dst`` via ``gateway`` in ``table`` (RTA_TABLE)."""
    address, plen = dst.split("/")
    body = (
        RTMSG.pack(socket.AF_INET, int(plen), 0, 0, 0, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0)
        + attr(RTA_DST, socket.inet_aton(address))
        + attr(RTA_GATEWAY, socket.inet_aton(gateway))
        + ATTR_U32.pack(8, RTA_TABLE, table)
    )
    return message(mtype, flags, seq, body)


class MinimalClient:
    """One NETLINK_ROUTE socket in the caller's current network namespace (enter the namespace
    around the constructor), no socket options set."""

    def __init__(self) -> None:
        self.sock = socket.socket(AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.buf = bytearray(1 << 16)
        self.seq = 0

    def close(self) -> None:
        self.sock.close()

    def ack(self, data: bytes) -> None:
        """Send one request asking for an ACK, read the answer, raise its errno if any."""
        self.sock.send(data)
        self.sock.recv_into(self.buf)
        err = ERRNO.unpack_from(self.buf, 16)[0]
        if err:
            raise OSError(-err, os.strerror(-err))

    def addr_add(self, index: int, cidr: str) -> None:
        self.seq += 1
        self.ack(addr_msg(RTM_NEWADDR, NEW, self.seq, index, cidr))

    def route_add(self, dst: str, gateway: str, table: int) -> None:
        self.seq += 1
        self.ack(route_msg(RTM_NEWROUTE, NEW, self.seq, dst, gateway=gateway, table=table))

    def link_set_mtu(self, index: int, mtu: int) -> None:
        self.seq += 1
        body = IFINFOMSG.pack(0, 0, index, 0, 0) + ATTR_U32.pack(8, IFLA_MTU, mtu)
        self.ack(message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, self.seq, body))

    def link_get(self, index: int) -> int:
        """RTM_GETLINK for ``index`` (with the counters, as ``ip -d link show`` asks); return the
        reply's message type (RTM_NEWLINK, or NLMSG_ERROR)."""
        self.seq += 1
        body = IFINFOMSG.pack(AF_PACKET, 0, index, 0, 0) + ATTR_U32.pack(8, IFLA_EXT_MASK, RTEXT_FILTER_VF)
        self.sock.send(message(RTM_GETLINK, NLM_F_REQUEST, self.seq, body))
        self.sock.recv_into(self.buf)
        mtype: int = UNPACK_HDR(self.buf, 0)[1]
        return mtype

    def batch(self, requests: list[bytes]) -> list[tuple[int, int]]:
        """Send requests (encoded with sequence numbers 1..N in order and no NLM_F_ACK) in as
        few ``sendmsg`` calls as fit the send buffer, the last of each chunk asking for the ACK;
        return the (request number, errno) of every failure."""
        budget = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) - 32
        failures: list[tuple[int, int]] = []
        start = 0
        while start < len(requests):
            end, size = start, 0
            while end < len(requests) and size + len(requests[end]) <= budget:
                size += len(requests[end])
                end += 1
            last = requests[end - 1]
            length, mtype, flags, seq, pid = UNPACK_HDR(last, 0)
            chunk = [*requests[start : end - 1], HDR.pack(length, mtype, flags | NLM_F_ACK, seq, pid) + last[16:]]
            self.sock.send(b"".join(chunk))
            failures.extend(self._acks(seq))
            start = end
        return failures

    def _acks(self, last_seq: int) -> Iterable[tuple[int, int]]:
        while True:
            size = self.sock.recv_into(self.buf)
            off = 0
            while off < size:
                length, mtype, _flags, seq, _pid = UNPACK_HDR(self.buf, off)
                if mtype == NLMSG_ERROR:
                    err = ERRNO.unpack_from(self.buf, off + 16)[0]
                    if err:
                        yield seq, -err
                    if seq == last_seq:
                        return
                off += (length + 3) & ~3

    def dump_links(self) -> list[bytes]:
        """Every datagram of an RTM_GETLINK dump (AF_PACKET, RTEXT_FILTER_VF: what
        ``IPRoute.links()`` asks for), NLMSG_DONE's included."""
        self.seq += 1
        body = IFINFOMSG.pack(AF_PACKET, 0, 0, 0, 0) + ATTR_U32.pack(8, IFLA_EXT_MASK, RTEXT_FILTER_VF)
        self.sock.send(message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, self.seq, body))
        out = []
        while True:
            data = self.sock.recv(1 << 16)  # a dump datagram is at most 32 KiB
            out.append(data)
            if UNPACK_HDR(data, 0)[1] in (NLMSG_DONE, NLMSG_ERROR) or _ends_dump(data):
                return out


def _ends_dump(data: bytes) -> bool:
    off = 0
    while off < len(data):
        length, mtype = UNPACK_HDR(data, off)[:2]
        if mtype == NLMSG_DONE:
            return True
        if mtype == NLMSG_ERROR:
            raise OSError(errno.EIO, "dump failed")
        off += (length + 3) & ~3
    return False


LinkFields = tuple[str | None, int | None, int, int, int | None, int | None, str | None]
WANTED = frozenset((IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_MASTER, IFLA_ADDRESS))


def split_saved(blob: bytes) -> list[bytes]:
    """Datagrams saved one after another, each after its length as a host-order u32 (the format
    ``codec.py --save`` and ``ops.py`` (k) write)."""
    grams, off = [], 0
    while off < len(blob):
        (n,) = struct.unpack_from("=I", blob, off)
        grams.append(blob[off + 4 : off + 4 + n])
        off += 4 + n
    return grams


def decode_links(datagrams: list[bytes]) -> list[LinkFields]:
    """The minimal lazy decoder: (name, mtu, index, flags, operstate, master, mac) of every
    RTM_NEWLINK, walking the top-level TLVs once (a link need not have a master, so every TLV
    is visited) and reading only the five it wants; nothing checked."""
    out: list[LinkFields] = []
    append = out.append
    wanted = WANTED
    for data in datagrams:
        off = 0
        end = len(data)
        while off < end:
            length, mtype = UNPACK_HDR(data, off)[:2]
            if mtype == RTM_NEWLINK:
                index, flags = UNPACK_IFI(data, off + 16)
                name = mtu = oper = master = mac = None
                a = off + 32
                stop = off + length
                while a < stop:
                    alen, atype = UNPACK_ATTR(data, a)
                    if atype in wanted:
                        if atype == IFLA_IFNAME:
                            name = data[a + 4 : a + alen - 1].decode()
                        elif atype == IFLA_MTU:
                            mtu = UNPACK_U32(data, a + 4)[0]
                        elif atype == IFLA_OPERSTATE:
                            oper = data[a + 4]
                        elif atype == IFLA_MASTER:
                            master = UNPACK_U32(data, a + 4)[0]
                        else:
                            mac = data[a + 4 : a + alen].hex(":")
                    a += (alen + 3) & ~3
                append((name, mtu, index, flags, oper, master, mac))
            off += (length + 3) & ~3
    return out


def decode_names_mtus(datagrams: list[bytes]) -> list[tuple[str | None, int | None]]:
    """The issue's first reference: (name, mtu) of every RTM_NEWLINK, each message's walk
    stopping once both are found (both always present, near the front)."""
    out: list[tuple[str | None, int | None]] = []
    append = out.append
    for data in datagrams:
        off = 0
        end = len(data)
        while off < end:
            length, mtype = UNPACK_HDR(data, off)[:2]
            if mtype == RTM_NEWLINK:
                name = mtu = None
                a = off + 32
                stop = off + length
                while a < stop:
                    alen, atype = UNPACK_ATTR(data, a)
                    if atype == IFLA_IFNAME:
                        name = data[a + 4 : a + alen - 1].decode()
                        if mtu is not None:
                            break
                    elif atype == IFLA_MTU:
                        mtu = UNPACK_U32(data, a + 4)[0]
                        if name is not None:
                            break
                    a += (alen + 3) & ~3
                append((name, mtu))
            off += (length + 3) & ~3
    return out


def main() -> int:
    """Show the reference at work, read-only, in the current namespace: dump the links with the
    minimal client and print what the minimal decoder picks of each."""
    client = MinimalClient()
    try:
        links = decode_links(client.dump_links())
    finally:
        client.close()
    for name, mtu, index, flags, oper, master, mac in links:
        print(f"{index}: {name} mtu {mtu} flags {flags:#x} operstate {oper} master {master} mac {mac}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
