"""The link family: ``RTM_NEWLINK`` / ``DELLINK`` / ``GETLINK`` / ``SETLINK``, an ``ifinfomsg``
then ``IFLA_*`` attributes.

This module declares the family's attribute tables (numbers checked against the kernel headers by
``tests/test_constants.py``) and its message class.  What ``IFLA_INFO_DATA`` holds depends on the
link kind; each kind is declared in :mod:`rawnl.wire.kinds` and registered with
:func:`register_kind` by :mod:`rawnl.wire.registry`.  A kernel newer than these tables may send
attributes they do not list: those are kept under their raw type number, as bytes, and
re-encoded unchanged.
"""

from __future__ import annotations

from _collections_abc import Mapping

from rawnl._record import field

from .codec import (
    BINARY,
    IPADDR,
    MAC,
    S32,
    STRING,
    U8,
    U16,
    U32,
    Attrs,
    AttrTable,
    AttrType,
    Level,
    ScanContext,
    Selected,
    array_type,
    encode_attrs,
    nested,
    scan_level,
    struct_type,
)
from .kinds.bridge import BRPORT
from .message import Message
from .uapi import (
    AF_BRIDGE,
    AF_INET,
    AF_INET6,
    NLA_F_NESTED,
    RTM_DELLINK,
    RTM_GETLINK,
    RTM_NEWLINK,
    RTM_SETLINK,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .codec import AttrKey
    from .kinds import LinkKind

__all__ = [
    "AF_SPEC",
    "BRIDGE_AF",
    "INET",
    "INET6",
    "LINK",
    "LINKINFO",
    "PROP_LIST",
    "LinkMessage",
    "register_kind",
]

# ---------------------------------------------------------------------------- named structs

STATS64 = struct_type("rtnl_link_stats64", "=25Q", "Stats64")
STATS32 = struct_type("rtnl_link_stats", "=24I", "Stats64")  # 24 u32s: no rx_otherhost_dropped
LINKMAP = struct_type("rtnl_link_ifmap", "=QQQHBB4x", "LinkMap")
INET6_CACHEINFO = struct_type("ifla_cacheinfo", "=4I", "Inet6CacheInfo")
BRIDGE_VLAN_INFO = struct_type("bridge_vlan_info", "=HH", "BridgeVlanInfo")
S32_ARRAY = array_type("s32 array", "i")
U32_ARRAY = array_type("u32 array", "I")
U64_ARRAY = array_type("u64 array", "Q")

# ---------------------------------------------------------------------------- per-family nests

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

    def nests(self) -> tuple[AttrTable, ...]:
        return (AF_SPEC, BRIDGE_AF)


# ---------------------------------------------------------------------------- link kinds

#: kind -> the type of its IFLA_INFO_DATA / of its ports' IFLA_INFO_SLAVE_DATA (see register_kind)
_KIND_DATA: dict[str, AttrType] = {}
_SLAVE_DATA: dict[str, AttrType] = {}


def register_kind(kind: LinkKind) -> None:
    """Make the codec read and write ``IFLA_INFO_DATA`` (and ``IFLA_INFO_SLAVE_DATA``) of
    ``kind`` with its tables (:mod:`rawnl.wire.registry` registers every kind module's)."""
    if kind.name in _KIND_DATA or kind.name in _SLAVE_DATA:
        raise ValueError(f"link kind {kind.name!r} is registered already")
    if kind.data is not None:
        _KIND_DATA[kind.name] = nested(kind.data)
    if kind.slave_data is not None:
        _SLAVE_DATA[kind.name] = nested(kind.slave_data)


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
    set (the kernel reads it as the old one-byte port state otherwise: see docs/wire.md), for
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

    def nests(self) -> tuple[AttrTable, ...]:
        return (BRPORT, INET6)

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


# ---------------------------------------------------------------------------- the message


class LinkMessage(
    Message,
    fixed=("ifinfomsg", "=BxHiII"),
    table=LINK,
    types=(RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK),
):
    """``RTM_NEWLINK`` / ``DELLINK`` / ``GETLINK`` / ``SETLINK``: ``struct ifinfomsg`` then
    ``IFLA_*`` attributes.

    ``link_type`` is ``ifi_type`` (``ARPHRD_*``), ``index`` ``ifi_index``, ``link_flags``
    ``ifi_flags`` (``IFF_*``) and ``change`` ``ifi_change``.
    """

    type: int = RTM_NEWLINK
    family: int = 0
    link_type: int = 0
    index: int = 0
    link_flags: int = 0
    change: int = 0
    attrs: Mapping[AttrKey, Any] = field(default_factory=dict)
