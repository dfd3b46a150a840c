"""The address family: ``RTM_NEWADDR`` / ``DELADDR`` / ``GETADDR``, an ``ifaddrmsg`` then
``IFA_*`` attributes."""

from __future__ import annotations

from _collections_abc import Mapping

from rawnl._record import field

from .codec import IPADDR, S32, STRING, U8, U32, AttrTable, struct_type
from .message import Message
from .uapi import RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .codec import AttrKey

__all__ = ["ADDRESS", "AddressMessage"]

ADDR_CACHEINFO = struct_type("ifa_cacheinfo", "=4I", "AddrCacheInfo")

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


class AddressMessage(
    Message, fixed=("ifaddrmsg", "=BBBBI"), table=ADDRESS, types=(RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR)
):
    """``RTM_NEWADDR`` / ``DELADDR`` / ``GETADDR``: ``struct ifaddrmsg`` then ``IFA_*``.

    ``addr_flags`` is ``ifa_flags`` (the low 8 bits; ``IFA_FLAGS`` carries all 32).
    """

    type: int = RTM_NEWADDR
    family: int = 0
    prefixlen: int = 0
    addr_flags: int = 0
    scope: int = 0
    index: int = 0
    attrs: Mapping[AttrKey, Any] = field(default_factory=dict)
