"""The ``vxlan`` link kind: ``IFLA_VXLAN_*`` in ``IFLA_INFO_DATA``."""

from __future__ import annotations

from rawnl.errors import DecodeError
from rawnl.wire.codec import BE16, BE32, FLAG, IPADDR, U8, U32, AttrTable, AttrType, ScanContext, struct_type

from . import LinkKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from rawnl.wire.codec import AttrKey

__all__ = ["KINDS", "VXLAN"]

PORT_RANGE = struct_type("ifla_vxlan_port_range", ">HH", "PortRange")


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


KINDS = (LinkKind("vxlan", VXLAN),)
