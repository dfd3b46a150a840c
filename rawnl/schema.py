"""The attribute tables: one row per attribute, ``(kernel name, number, value type)``.

Numbers are plain ints so that importing the codec stays cheap; ``tests/test_constants.py``
checks every row against the kernel headers.  A kernel newer than the headers may send attributes
that are not listed here: they are kept under their raw type number, as bytes, and re-encoded
unchanged.
"""

from __future__ import annotations

import struct
from _collections_abc import Mapping

from .codec import (
    BE16,
    BE32,
    BINARY,
    FLAG,
    IPADDR,
    MAC,
    NLA_F_NESTED,
    S32,
    STRING,
    U8,
    U16,
    U32,
    U64,
    UINT,
    Attrs,
    AttrTable,
    AttrType,
    DecodeError,
    Level,
    ScanContext,
    Selected,
    array_type,
    encode_attrs,
    nested,
    scan_level,
    struct_type,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .codec import AttrKey

AF_INET = 2
AF_BRIDGE = 7
AF_INET6 = 10

IFINFOMSG = struct.Struct("=BxHiII")  # family, pad, type, index, flags, change
IFADDRMSG = struct.Struct("=BBBBI")  # family, prefixlen, flags, scope, index
RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, protocol, scope, type, flags
RTNEXTHOP = struct.Struct("=HBBi")  # len, flags, hops, ifindex

# ---------------------------------------------------------------------------- named structs

STATS64 = struct_type("rtnl_link_stats64", "=25Q", "Stats64")
STATS32 = struct_type("rtnl_link_stats", "=25I", "Stats64")
LINKMAP = struct_type("rtnl_link_ifmap", "=QQQHBB4x", "LinkMap")
ADDR_CACHEINFO = struct_type("ifa_cacheinfo", "=4I", "AddrCacheInfo")
ROUTE_CACHEINFO = struct_type("rta_cacheinfo", "=IIiIIIII", "RouteCacheInfo")
INET6_CACHEINFO = struct_type("ifla_cacheinfo", "=4I", "Inet6CacheInfo")
PORT_RANGE = struct_type("ifla_vxlan_port_range", ">HH", "PortRange")
BRIDGE_VLAN_INFO = struct_type("bridge_vlan_info", "=HH", "BridgeVlanInfo")
S32_ARRAY = array_type("s32 array", "i")
U32_ARRAY = array_type("u32 array", "I")
U64_ARRAY = array_type("u64 array", "Q")

# ---------------------------------------------------------------------------- link tables

INET = AttrTable("IFLA_INET", [("IFLA_INET_CONF", 1, U32_ARRAY)])

INET6 = AttrTable(
    "IFLA_INET6",
    [
        ("IFLA_INET6_FLAGS", 1, U32),
        ("IFLA_INET6_CONF", 2, S32_ARRAY),
        ("IFLA_INET6_STATS", 3, U64_ARRAY),
        ("IFLA_INET6_MCAST", 4, BINARY),
        ("IFLA_INET6_CACHEINFO", 5, INET6_CACHEINFO),
        ("IFLA_INET6_ICMP6STATS", 6, U64_ARRAY),
        ("IFLA_INET6_TOKEN", 7, IPADDR),
        ("IFLA_INET6_ADDR_GEN_MODE", 8, U8),
        ("IFLA_INET6_RA_MTU", 9, U32),
    ],
)

AF_SPEC = AttrTable(
    "IFLA_AF_SPEC",
    [
        ("AF_INET", AF_INET, nested(INET)),
        ("AF_INET6", AF_INET6, nested(INET6)),
    ],
)

#: ``IFLA_AF_SPEC`` in ``AF_BRIDGE`` link messages (``bridge vlan``, ``bridge link``).
BRIDGE_AF = AttrTable(
    "IFLA_BRIDGE",
    [
        ("IFLA_BRIDGE_FLAGS", 0, U16),
        ("IFLA_BRIDGE_MODE", 1, U16),
        ("IFLA_BRIDGE_VLAN_INFO", 2, BRIDGE_VLAN_INFO),
        ("IFLA_BRIDGE_VLAN_TUNNEL_INFO", 3, BINARY),
        ("IFLA_BRIDGE_MRP", 4, BINARY),
        ("IFLA_BRIDGE_CFM", 5, BINARY),
        ("IFLA_BRIDGE_MST", 6, BINARY),
    ],
)


def _names_start(value: Mapping[AttrKey, Any], prefix: str) -> bool:
    """Whether a mapping of attributes holds a name with ``prefix`` (which table it is for)."""
    return any(isinstance(key, str) and key.startswith(prefix) for key in value)


def _is_bridge_af(value: Mapping[AttrKey, Any]) -> bool:
    if isinstance(value, Attrs):
        return value._level.table is BRIDGE_AF
    return _names_start(value, "IFLA_BRIDGE_")


class _AfSpec(AttrType):
    """``IFLA_AF_SPEC``: per address family (``AF_INET``, ``AF_INET6``) for most messages; the
    ``IFLA_BRIDGE_*`` attributes in ``AF_BRIDGE`` link messages."""

    __slots__ = ()
    yields_attrs = True

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        return scan_level(data, start, end, BRIDGE_AF if ctx.family == AF_BRIDGE else AF_SPEC, ctx)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return Attrs(data, sub)

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if not isinstance(value, Mapping):
            raise TypeError(f"IFLA_AF_SPEC takes a mapping, not {type(value).__name__}")
        return encode_attrs(BRIDGE_AF if _is_bridge_af(value) else AF_SPEC, value)

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        return start, end, AF_SPEC


BRPORT = AttrTable(
    "IFLA_BRPORT",
    [
        ("IFLA_BRPORT_STATE", 1, U8),
        ("IFLA_BRPORT_PRIORITY", 2, U16),
        ("IFLA_BRPORT_COST", 3, U32),
        ("IFLA_BRPORT_MODE", 4, U8),
        ("IFLA_BRPORT_GUARD", 5, U8),
        ("IFLA_BRPORT_PROTECT", 6, U8),
        ("IFLA_BRPORT_FAST_LEAVE", 7, U8),
        ("IFLA_BRPORT_LEARNING", 8, U8),
        ("IFLA_BRPORT_UNICAST_FLOOD", 9, U8),
        ("IFLA_BRPORT_PROXYARP", 10, U8),
        ("IFLA_BRPORT_LEARNING_SYNC", 11, U8),
        ("IFLA_BRPORT_PROXYARP_WIFI", 12, U8),
        ("IFLA_BRPORT_ROOT_ID", 13, BINARY),
        ("IFLA_BRPORT_BRIDGE_ID", 14, BINARY),
        ("IFLA_BRPORT_DESIGNATED_PORT", 15, U16),
        ("IFLA_BRPORT_DESIGNATED_COST", 16, U16),
        ("IFLA_BRPORT_ID", 17, U16),
        ("IFLA_BRPORT_NO", 18, U16),
        ("IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", 19, U8),
        ("IFLA_BRPORT_CONFIG_PENDING", 20, U8),
        ("IFLA_BRPORT_MESSAGE_AGE_TIMER", 21, U64),
        ("IFLA_BRPORT_FORWARD_DELAY_TIMER", 22, U64),
        ("IFLA_BRPORT_HOLD_TIMER", 23, U64),
        ("IFLA_BRPORT_FLUSH", 24, FLAG),
        ("IFLA_BRPORT_MULTICAST_ROUTER", 25, U8),
        ("IFLA_BRPORT_PAD", 26, BINARY),
        ("IFLA_BRPORT_MCAST_FLOOD", 27, U8),
        ("IFLA_BRPORT_MCAST_TO_UCAST", 28, U8),
        ("IFLA_BRPORT_VLAN_TUNNEL", 29, U8),
        ("IFLA_BRPORT_BCAST_FLOOD", 30, U8),
        ("IFLA_BRPORT_GROUP_FWD_MASK", 31, U16),
        ("IFLA_BRPORT_NEIGH_SUPPRESS", 32, U8),
        ("IFLA_BRPORT_ISOLATED", 33, U8),
        ("IFLA_BRPORT_BACKUP_PORT", 34, U32),
        ("IFLA_BRPORT_MRP_RING_OPEN", 35, U8),
        ("IFLA_BRPORT_MRP_IN_OPEN", 36, U8),
        ("IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", 37, U32),
        ("IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", 38, U32),
        ("IFLA_BRPORT_LOCKED", 39, U8),
    ],
)

BRIDGE = AttrTable(
    "IFLA_BR",
    [
        ("IFLA_BR_FORWARD_DELAY", 1, U32),
        ("IFLA_BR_HELLO_TIME", 2, U32),
        ("IFLA_BR_MAX_AGE", 3, U32),
        ("IFLA_BR_AGEING_TIME", 4, U32),
        ("IFLA_BR_STP_STATE", 5, U32),
        ("IFLA_BR_PRIORITY", 6, U16),
        ("IFLA_BR_VLAN_FILTERING", 7, U8),
        ("IFLA_BR_VLAN_PROTOCOL", 8, BE16),
        ("IFLA_BR_GROUP_FWD_MASK", 9, U16),
        ("IFLA_BR_ROOT_ID", 10, BINARY),
        ("IFLA_BR_BRIDGE_ID", 11, BINARY),
        ("IFLA_BR_ROOT_PORT", 12, U16),
        ("IFLA_BR_ROOT_PATH_COST", 13, U32),
        ("IFLA_BR_TOPOLOGY_CHANGE", 14, U8),
        ("IFLA_BR_TOPOLOGY_CHANGE_DETECTED", 15, U8),
        ("IFLA_BR_HELLO_TIMER", 16, U64),
        ("IFLA_BR_TCN_TIMER", 17, U64),
        ("IFLA_BR_TOPOLOGY_CHANGE_TIMER", 18, U64),
        ("IFLA_BR_GC_TIMER", 19, U64),
        ("IFLA_BR_GROUP_ADDR", 20, MAC),
        ("IFLA_BR_FDB_FLUSH", 21, FLAG),
        ("IFLA_BR_MCAST_ROUTER", 22, U8),
        ("IFLA_BR_MCAST_SNOOPING", 23, U8),
        ("IFLA_BR_MCAST_QUERY_USE_IFADDR", 24, U8),
        ("IFLA_BR_MCAST_QUERIER", 25, U8),
        ("IFLA_BR_MCAST_HASH_ELASTICITY", 26, U32),
        ("IFLA_BR_MCAST_HASH_MAX", 27, U32),
        ("IFLA_BR_MCAST_LAST_MEMBER_CNT", 28, U32),
        ("IFLA_BR_MCAST_STARTUP_QUERY_CNT", 29, U32),
        ("IFLA_BR_MCAST_LAST_MEMBER_INTVL", 30, U64),
        ("IFLA_BR_MCAST_MEMBERSHIP_INTVL", 31, U64),
        ("IFLA_BR_MCAST_QUERIER_INTVL", 32, U64),
        ("IFLA_BR_MCAST_QUERY_INTVL", 33, U64),
        ("IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", 34, U64),
        ("IFLA_BR_MCAST_STARTUP_QUERY_INTVL", 35, U64),
        ("IFLA_BR_NF_CALL_IPTABLES", 36, U8),
        ("IFLA_BR_NF_CALL_IP6TABLES", 37, U8),
        ("IFLA_BR_NF_CALL_ARPTABLES", 38, U8),
        ("IFLA_BR_VLAN_DEFAULT_PVID", 39, U16),
        ("IFLA_BR_PAD", 40, BINARY),
        ("IFLA_BR_VLAN_STATS_ENABLED", 41, U8),
        ("IFLA_BR_MCAST_STATS_ENABLED", 42, U8),
        ("IFLA_BR_MCAST_IGMP_VERSION", 43, U8),
        ("IFLA_BR_MCAST_MLD_VERSION", 44, U8),
        ("IFLA_BR_VLAN_STATS_PER_PORT", 45, U8),
        ("IFLA_BR_MULTI_BOOLOPT", 46, BINARY),
        ("IFLA_BR_MCAST_QUERIER_STATE", 47, BINARY),
    ],
)


class _FlagOrU8(AttrType):
    """A flag the kernel takes as ``NLA_FLAG`` but reports as a ``u8`` 0/1
    (``IFLA_VXLAN_TTL_INHERIT``: ``vxlan_fill_info`` uses ``nla_put_u8``).  Decodes either to a
    ``bool``; encodes ``True`` as a flag."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end - start not in (0, 1):
            raise DecodeError(f"flag/u8 attribute needs 0 or 1 bytes, has {end - start}", start - 4)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return end == start or data[start] != 0

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        return FLAG.encode(value, siblings)


FLAG_OR_U8 = _FlagOrU8("flag or u8")

MACVLAN = AttrTable(
    "IFLA_MACVLAN",
    [
        ("IFLA_MACVLAN_MODE", 1, U32),
        ("IFLA_MACVLAN_FLAGS", 2, U16),
        ("IFLA_MACVLAN_MACADDR_MODE", 3, U32),
        ("IFLA_MACVLAN_MACADDR", 4, MAC),
        ("IFLA_MACVLAN_MACADDR_DATA", 5, BINARY),
        ("IFLA_MACVLAN_MACADDR_COUNT", 6, U32),
        ("IFLA_MACVLAN_BC_QUEUE_LEN", 7, U32),
        ("IFLA_MACVLAN_BC_QUEUE_LEN_USED", 8, U32),
    ],
)

VXLAN = AttrTable(
    "IFLA_VXLAN",
    [
        ("IFLA_VXLAN_ID", 1, U32),
        ("IFLA_VXLAN_GROUP", 2, IPADDR),
        ("IFLA_VXLAN_LINK", 3, U32),
        ("IFLA_VXLAN_LOCAL", 4, IPADDR),
        ("IFLA_VXLAN_TTL", 5, U8),
        ("IFLA_VXLAN_TOS", 6, U8),
        ("IFLA_VXLAN_LEARNING", 7, U8),
        ("IFLA_VXLAN_AGEING", 8, U32),
        ("IFLA_VXLAN_LIMIT", 9, U32),
        ("IFLA_VXLAN_PORT_RANGE", 10, PORT_RANGE),
        ("IFLA_VXLAN_PROXY", 11, U8),
        ("IFLA_VXLAN_RSC", 12, U8),
        ("IFLA_VXLAN_L2MISS", 13, U8),
        ("IFLA_VXLAN_L3MISS", 14, U8),
        ("IFLA_VXLAN_PORT", 15, BE16),
        ("IFLA_VXLAN_GROUP6", 16, IPADDR),
        ("IFLA_VXLAN_LOCAL6", 17, IPADDR),
        ("IFLA_VXLAN_UDP_CSUM", 18, U8),
        ("IFLA_VXLAN_UDP_ZERO_CSUM6_TX", 19, U8),
        ("IFLA_VXLAN_UDP_ZERO_CSUM6_RX", 20, U8),
        ("IFLA_VXLAN_REMCSUM_TX", 21, U8),
        ("IFLA_VXLAN_REMCSUM_RX", 22, U8),
        ("IFLA_VXLAN_GBP", 23, FLAG),
        ("IFLA_VXLAN_REMCSUM_NOPARTIAL", 24, FLAG),
        ("IFLA_VXLAN_COLLECT_METADATA", 25, U8),
        ("IFLA_VXLAN_LABEL", 26, BE32),
        ("IFLA_VXLAN_GPE", 27, FLAG),
        ("IFLA_VXLAN_TTL_INHERIT", 28, FLAG_OR_U8),
        ("IFLA_VXLAN_DF", 29, U8),
        ("IFLA_VXLAN_VNIFILTER", 30, U8),
    ],
)


class _LinkPeer(AttrType):
    """``VETH_INFO_PEER``: a whole ``ifinfomsg`` followed by the peer's own ``IFLA_*``
    attributes; decodes to a :class:`rawnl.messages.LinkMessage` with a zero netlink header."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end - start < IFINFOMSG.size:
            raise DecodeError(
                f"VETH_INFO_PEER needs a {IFINFOMSG.size}-byte ifinfomsg, has {end - start} bytes", start - 4
            )
        return scan_level(data, start + IFINFOMSG.size, end, LINK, ctx)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        from .messages import LinkMessage

        family, link_type, index, flags, change = IFINFOMSG.unpack_from(data, start)
        return LinkMessage(
            type=0,
            family=family,
            link_type=link_type,
            index=index,
            link_flags=flags,
            change=change,
            attrs=Attrs(data, sub),
        )

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        return (start + IFINFOMSG.size, end, LINK) if end - start >= IFINFOMSG.size else None

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        from .messages import LinkMessage

        if isinstance(value, LinkMessage):
            return value.encode_body()
        if isinstance(value, Mapping):
            return IFINFOMSG.pack(0, 0, 0, 0, 0) + encode_attrs(LINK, value)
        raise TypeError(
            f"VETH_INFO_PEER takes a LinkMessage or a mapping of IFLA_* attributes, not {type(value).__name__}"
        )


VETH = AttrTable("VETH_INFO", [("VETH_INFO_PEER", 1, _LinkPeer("veth peer"))])

_KIND_DATA: dict[str, AttrType] = {
    "veth": nested(VETH),
    "bridge": nested(BRIDGE),
    "macvlan": nested(MACVLAN),
    "macvtap": nested(MACVLAN),
    "vxlan": nested(VXLAN),
}
_SLAVE_DATA: dict[str, AttrType] = {"bridge": nested(BRPORT)}

LINKINFO = AttrTable(
    "IFLA_INFO",
    [
        ("IFLA_INFO_KIND", 1, STRING),
        ("IFLA_INFO_DATA", 2, Selected("IFLA_INFO_DATA", "IFLA_INFO_KIND", 1, _KIND_DATA)),
        ("IFLA_INFO_XSTATS", 3, BINARY),
        ("IFLA_INFO_SLAVE_KIND", 4, STRING),
        (
            "IFLA_INFO_SLAVE_DATA",
            5,
            Selected(
                "IFLA_INFO_SLAVE_DATA",
                "IFLA_INFO_SLAVE_KIND",
                4,
                _SLAVE_DATA,
                fallback=("IFLA_INFO_KIND", 1, "_slave"),
            ),
        ),
    ],
)

PROP_LIST = AttrTable("IFLA_PROP_LIST", [("IFLA_ALT_IFNAME", 53, STRING)])


class _ProtInfo(AttrType):
    """``IFLA_PROTINFO``: for ``AF_BRIDGE`` a nest of ``IFLA_BRPORT_*`` when ``NLA_F_NESTED`` is
    set (the kernel reads it as the old one-byte port state otherwise: see WIRE_FACTS), for
    ``AF_INET6`` a nest of ``IFLA_INET6_*``; anything else is kept as bytes."""

    __slots__ = ()
    yields_attrs = True  # a nest decodes to Attrs (see AttrType.yields_attrs)

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if ctx.family == AF_BRIDGE:
            if atype & NLA_F_NESTED:
                return scan_level(data, start, end, BRPORT, ctx)
            # The old form: the port state, one byte (the kernel reads the first byte of a
            # longer payload; such a payload is kept as bytes).
            return U8 if end - start == 1 else None
        if ctx.family == AF_INET6:
            return scan_level(data, start, end, INET6, ctx)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        if isinstance(sub, Level):
            return Attrs(data, sub)
        if sub is U8:
            return U8.decode(data, start, end, None)
        return bytes(data[start:end])

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, Attrs):
            return value.raw()
        if isinstance(value, Mapping):
            return encode_attrs(INET6 if _names_start(value, "IFLA_INET6_") else BRPORT, value)
        if isinstance(value, int):
            return U8.encode(value, siblings)
        return BINARY.encode(value, siblings)

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        return (start, end, BRPORT) if atype & NLA_F_NESTED else None

    def type_bits(self, value: Any) -> int:
        if isinstance(value, Attrs):
            return NLA_F_NESTED if value._level.table is BRPORT else 0
        if isinstance(value, Mapping):
            return 0 if _names_start(value, "IFLA_INET6_") else NLA_F_NESTED
        return 0


LINK = AttrTable(
    "IFLA",
    [
        ("IFLA_ADDRESS", 1, MAC),
        ("IFLA_BROADCAST", 2, MAC),
        ("IFLA_IFNAME", 3, STRING),
        ("IFLA_MTU", 4, U32),
        ("IFLA_LINK", 5, U32),
        ("IFLA_QDISC", 6, STRING),
        ("IFLA_STATS", 7, STATS32),
        ("IFLA_COST", 8, BINARY),
        ("IFLA_PRIORITY", 9, BINARY),
        ("IFLA_MASTER", 10, U32),
        ("IFLA_WIRELESS", 11, BINARY),
        ("IFLA_PROTINFO", 12, _ProtInfo("protinfo")),
        ("IFLA_TXQLEN", 13, U32),
        ("IFLA_MAP", 14, LINKMAP),
        ("IFLA_WEIGHT", 15, U32),
        ("IFLA_OPERSTATE", 16, U8),
        ("IFLA_LINKMODE", 17, U8),
        ("IFLA_LINKINFO", 18, nested(LINKINFO)),
        ("IFLA_NET_NS_PID", 19, U32),
        ("IFLA_IFALIAS", 20, STRING),
        ("IFLA_NUM_VF", 21, U32),
        ("IFLA_VFINFO_LIST", 22, BINARY),
        ("IFLA_STATS64", 23, STATS64),
        ("IFLA_AF_SPEC", 26, _AfSpec("af_spec")),
        ("IFLA_GROUP", 27, U32),
        ("IFLA_NET_NS_FD", 28, U32),
        ("IFLA_EXT_MASK", 29, U32),
        ("IFLA_PROMISCUITY", 30, U32),
        ("IFLA_NUM_TX_QUEUES", 31, U32),
        ("IFLA_NUM_RX_QUEUES", 32, U32),
        ("IFLA_CARRIER", 33, U8),
        ("IFLA_PHYS_PORT_ID", 34, BINARY),
        ("IFLA_CARRIER_CHANGES", 35, U32),
        ("IFLA_PHYS_SWITCH_ID", 36, BINARY),
        ("IFLA_LINK_NETNSID", 37, S32),
        ("IFLA_PHYS_PORT_NAME", 38, STRING),
        ("IFLA_PROTO_DOWN", 39, U8),
        ("IFLA_GSO_MAX_SEGS", 40, U32),
        ("IFLA_GSO_MAX_SIZE", 41, U32),
        ("IFLA_PAD", 42, BINARY),
        ("IFLA_XDP", 43, BINARY),
        ("IFLA_EVENT", 44, U32),
        ("IFLA_NEW_NETNSID", 45, S32),
        ("IFLA_TARGET_NETNSID", 46, S32),
        ("IFLA_CARRIER_UP_COUNT", 47, U32),
        ("IFLA_CARRIER_DOWN_COUNT", 48, U32),
        ("IFLA_NEW_IFINDEX", 49, S32),
        ("IFLA_MIN_MTU", 50, U32),
        ("IFLA_MAX_MTU", 51, U32),
        ("IFLA_PROP_LIST", 52, nested(PROP_LIST, nested_flag=True)),
        ("IFLA_ALT_IFNAME", 53, STRING),
        ("IFLA_PERM_ADDRESS", 54, MAC),
        ("IFLA_PROTO_DOWN_REASON", 55, BINARY),
        ("IFLA_PARENT_DEV_NAME", 56, STRING),
        ("IFLA_PARENT_DEV_BUS_NAME", 57, STRING),
        ("IFLA_GRO_MAX_SIZE", 58, U32),
        ("IFLA_TSO_MAX_SIZE", 59, U32),
        ("IFLA_TSO_MAX_SEGS", 60, U32),
        ("IFLA_ALLMULTI", 61, U32),
    ],
)

# ---------------------------------------------------------------------------- addresses

ADDRESS = AttrTable(
    "IFA",
    [
        ("IFA_ADDRESS", 1, IPADDR),
        ("IFA_LOCAL", 2, IPADDR),
        ("IFA_LABEL", 3, STRING),
        ("IFA_BROADCAST", 4, IPADDR),
        ("IFA_ANYCAST", 5, IPADDR),
        ("IFA_CACHEINFO", 6, ADDR_CACHEINFO),
        ("IFA_MULTICAST", 7, IPADDR),
        ("IFA_FLAGS", 8, U32),
        ("IFA_RT_PRIORITY", 9, U32),
        ("IFA_TARGET_NETNSID", 10, S32),
        ("IFA_PROTO", 11, U8),
    ],
)

# ---------------------------------------------------------------------------- routes

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
    from . import structs

    return structs


class _Multipath(AttrType):
    """``RTA_MULTIPATH``: a list of ``struct rtnexthop``, each followed by its own ``RTA_*``
    attributes, decoded to a list of :class:`Nexthop`."""

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
            ctx.checks.append((off, "I"))
            hops.append((off, scan_level(data, off + RTNEXTHOP.size, off + length, ROUTE, ctx)))
            off += (length + 3) & ~3
        return hops

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        out = []
        for off, level in sub:
            _, flags, hops, ifindex = RTNEXTHOP.unpack_from(data, off)
            out.append(_structs().Nexthop(flags, hops, ifindex, Attrs(data, level)))
        return out

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

# ---------------------------------------------------------------------------- extended ACK

NLMSGERR = AttrTable(
    "NLMSGERR_ATTR",
    [
        ("NLMSGERR_ATTR_MSG", 1, STRING),
        ("NLMSGERR_ATTR_OFFS", 2, U32),
        ("NLMSGERR_ATTR_COOKIE", 3, BINARY),
        ("NLMSGERR_ATTR_POLICY", 4, BINARY),
        ("NLMSGERR_ATTR_MISS_TYPE", 5, U32),
        ("NLMSGERR_ATTR_MISS_NEST", 6, U32),
    ],
)

#: Every table, for tests and tools.
ALL_TABLES: tuple[AttrTable, ...] = (
    LINK,
    LINKINFO,
    VETH,
    BRIDGE,
    BRPORT,
    MACVLAN,
    VXLAN,
    AF_SPEC,
    BRIDGE_AF,
    INET,
    INET6,
    PROP_LIST,
    ADDRESS,
    ROUTE,
    METRICS,
    NLMSGERR,
)
