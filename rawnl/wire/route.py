"""The route family: ``RTM_NEWROUTE`` / ``DELROUTE`` / ``GETROUTE``, an ``rtmsg`` then ``RTA_*``
attributes (``RTA_METRICS`` a nest of ``RTAX_*``, ``RTA_MULTIPATH`` a list of next hops)."""

from __future__ import annotations

import struct
from _collections_abc import Mapping

from rawnl._record import field
from rawnl.errors import DecodeError

from .codec import (
    BE16,
    BINARY,
    IPADDR,
    STRING,
    U8,
    U16,
    U32,
    UINT,
    Attrs,
    AttrTable,
    AttrType,
    Level,
    ScanContext,
    encode_attrs,
    nested,
    scan_level,
    struct_type,
)
from .message import Message
from .uapi import RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .codec import AttrKey

__all__ = ["METRICS", "ROUTE", "RouteMessage"]

ROUTE_CACHEINFO = struct_type("rta_cacheinfo", "=IIiIIIII", "RouteCacheInfo")
RTNEXTHOP = struct.Struct("=HBBi")  # len, flags, hops, ifindex

METRICS = AttrTable(
    "RTAX",
    [
        ("RTAX_LOCK", 1, U32),
        ("RTAX_MTU", 2, U32),
        ("RTAX_WINDOW", 3, U32),
        ("RTAX_RTT", 4, U32),
        ("RTAX_RTTVAR", 5, U32),
        ("RTAX_SSTHRESH", 6, U32),
        ("RTAX_CWND", 7, U32),
        ("RTAX_ADVMSS", 8, U32),
        ("RTAX_REORDERING", 9, U32),
        ("RTAX_HOPLIMIT", 10, U32),
        ("RTAX_INITCWND", 11, U32),
        ("RTAX_FEATURES", 12, U32),
        ("RTAX_RTO_MIN", 13, U32),
        ("RTAX_INITRWND", 14, U32),
        ("RTAX_QUICKACK", 15, U32),
        ("RTAX_CC_ALGO", 16, STRING),
        ("RTAX_FASTOPEN_NO_COOKIE", 17, U32),
    ],
)


def _structs() -> Any:
    from . import structs  # typing, for NamedTuple: on first use only

    return structs


class _Multipath(AttrType):
    """``RTA_MULTIPATH``: a list of ``struct rtnexthop``, each followed by its own ``RTA_*``
    attributes, decoded to a list of :class:`~rawnl.wire.structs.Nexthop`."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        hops: list[tuple[int, Level]] = []
        off = start
        while off < end:
            if end - off < RTNEXTHOP.size:
                raise DecodeError(f"{end - off} bytes left in RTA_MULTIPATH are too short for an rtnexthop", off)
            length = RTNEXTHOP.unpack_from(data, off)[0]
            if length < RTNEXTHOP.size or length > end - off:
                raise DecodeError(f"rtnexthop length {length} is out of bounds ({end - off} bytes left)", off)
            ctx.depend(off, 2)  # the length field decides where the next next hop starts
            hops.append((off, scan_level(data, off + RTNEXTHOP.size, off + length, ROUTE, ctx)))
            off += (length + 3) & ~3
        return hops

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        out = []
        for off, level in sub:
            _, flags, hops, ifindex = RTNEXTHOP.unpack_from(data, off)
            out.append(_structs().Nexthop(flags, hops, ifindex, Attrs(data, level)))
        return out

    def nests(self) -> tuple[AttrTable, ...]:
        return (ROUTE,)

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        parts = []
        for item in value:
            hop = _structs().Nexthop(**item) if isinstance(item, Mapping) else item
            body = encode_attrs(ROUTE, hop.attrs)
            parts.append(RTNEXTHOP.pack(RTNEXTHOP.size + len(body), hop.flags, hop.hops, hop.ifindex) + body)
        return b"".join(parts)


ROUTE = AttrTable(
    "RTA",
    [
        ("RTA_DST", 1, IPADDR),
        ("RTA_SRC", 2, IPADDR),
        ("RTA_IIF", 3, U32),
        ("RTA_OIF", 4, U32),
        ("RTA_GATEWAY", 5, IPADDR),
        ("RTA_PRIORITY", 6, U32),
        ("RTA_PREFSRC", 7, IPADDR),
        ("RTA_METRICS", 8, nested(METRICS)),
        ("RTA_MULTIPATH", 9, _Multipath("multipath")),
        ("RTA_PROTOINFO", 10, BINARY),
        ("RTA_FLOW", 11, U32),
        ("RTA_CACHEINFO", 12, ROUTE_CACHEINFO),
        ("RTA_SESSION", 13, BINARY),
        ("RTA_MP_ALGO", 14, U32),
        ("RTA_TABLE", 15, U32),
        ("RTA_MARK", 16, U32),
        ("RTA_MFC_STATS", 17, BINARY),
        ("RTA_VIA", 18, BINARY),
        ("RTA_NEWDST", 19, BINARY),
        ("RTA_PREF", 20, U8),
        ("RTA_ENCAP_TYPE", 21, U16),
        ("RTA_ENCAP", 22, BINARY),
        ("RTA_EXPIRES", 23, UINT),
        ("RTA_PAD", 24, BINARY),
        ("RTA_UID", 25, U32),
        ("RTA_TTL_PROPAGATE", 26, U8),
        ("RTA_IP_PROTO", 27, U8),
        ("RTA_SPORT", 28, BE16),
        ("RTA_DPORT", 29, BE16),
        ("RTA_NH_ID", 30, U32),
    ],
)


class RouteMessage(
    Message, fixed=("rtmsg", "=BBBBBBBBI"), table=ROUTE, types=(RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE)
):
    """``RTM_NEWROUTE`` / ``DELROUTE`` / ``GETROUTE``: ``struct rtmsg`` then ``RTA_*``.

    ``table`` is ``rtm_table`` (``RT_TABLE_UNSPEC`` when the table is above 255 and travels in
    ``RTA_TABLE``), ``route_type`` ``rtm_type`` (``RTN_*``), ``route_flags`` ``rtm_flags``.
    """

    type: int = RTM_NEWROUTE
    family: int = 0
    dst_len: int = 0
    src_len: int = 0
    tos: int = 0
    table: int = 0
    protocol: int = 0
    scope: int = 0
    route_type: int = 0
    route_flags: int = 0
    attrs: Mapping[AttrKey, Any] = field(default_factory=dict)
