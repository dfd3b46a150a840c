"""Kernel numbers as ``IntEnum`` / ``IntFlag`` classes, for users (``rawnl.constants``).

Nothing is defined here: each class is built from the one place its numbers live, the plain
constants of :mod:`rawnl.wire.uapi` (``IFF_UP`` becomes ``IFF.UP``) or a family's attribute
table (the row ``IFLA_MTU`` becomes ``IFLA.MTU``).  A class is named after the kernel prefix it
covers and each member after the rest of the kernel name (see :func:`kernel_name`), so
``RT_SCOPE.LINK`` is ``RT_SCOPE_LINK``.

Creating ~600 enum members costs ~10 ms, so this module is imported on first use only
(``rawnl.constants`` is loaded lazily); the codec never needs it.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

from . import registry, uapi
from .address import ADDRESS
from .kinds.bridge import BRIDGE, BRPORT
from .kinds.macvlan import MACVLAN
from .kinds.veth import VETH
from .kinds.vxlan import VXLAN
from .link import AF_SPEC, BRIDGE_AF, INET, INET6, LINK, LINKINFO
from .message import NLMSGERR
from .route import METRICS, ROUTE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .codec import AttrTable

__all__ = ["ALL_CLASSES", "kernel_name"]

assert registry.FAMILIES  # the tables below are complete only with every family loaded

#: Classes built from :mod:`rawnl.wire.uapi`: (name, IntFlag?, header).  A class takes every
#: name with its prefix, except those a longer prefix's class takes (``RTM_F_*`` is not ``RTM``).
_FROM_UAPI: tuple[tuple[str, bool, str], ...] = (
    ("AF", False, "sys/socket.h"),
    ("NLMSG", False, "linux/netlink.h"),
    ("NLM_F", True, "linux/netlink.h"),
    ("NLA_F", True, "linux/netlink.h"),
    ("NETLINK", False, "linux/netlink.h"),
    ("RTM", False, "linux/rtnetlink.h"),
    ("RTM_F", True, "linux/rtnetlink.h"),
    ("RTN", False, "linux/rtnetlink.h"),
    ("RTPROT", False, "linux/rtnetlink.h"),
    ("RT_SCOPE", False, "linux/rtnetlink.h"),
    ("RT_TABLE", False, "linux/rtnetlink.h"),
    ("RTNH_F", True, "linux/rtnetlink.h"),
    ("RTNLGRP", False, "linux/rtnetlink.h"),
    ("RTEXT_FILTER", True, "linux/rtnetlink.h"),
    ("MACVLAN_MODE", True, "linux/if_link.h"),
    ("IFA_F", True, "linux/if_addr.h"),
    ("IFF", True, "linux/if.h"),
    ("IF_OPER", False, "linux/if.h"),
    ("ARPHRD", False, "linux/if_arp.h"),
)

#: Classes built from attribute tables: (name, table, header).  Each also gets ``UNSPEC = 0``
#: when no row uses 0 (the kernel's ``*_UNSPEC``), except where the header has none.
_FROM_TABLES: tuple[tuple[str, AttrTable, str], ...] = (
    ("NLMSGERR_ATTR", NLMSGERR, "linux/netlink.h"),
    ("RTA", ROUTE, "linux/rtnetlink.h"),
    ("RTAX", METRICS, "linux/rtnetlink.h"),
    ("IFLA", LINK, "linux/if_link.h"),
    ("IFLA_INFO", LINKINFO, "linux/if_link.h"),
    ("IFLA_INET", INET, "linux/if_link.h"),
    ("IFLA_INET6", INET6, "linux/if_link.h"),
    ("IFLA_BR", BRIDGE, "linux/if_link.h"),
    ("IFLA_BRIDGE", BRIDGE_AF, "linux/if_bridge.h"),
    ("IFLA_BRPORT", BRPORT, "linux/if_link.h"),
    ("IFLA_MACVLAN", MACVLAN, "linux/if_link.h"),
    ("IFLA_VXLAN", VXLAN, "linux/if_link.h"),
    ("VETH_INFO", VETH, "linux/veth.h"),
    ("IFA", ADDRESS, "linux/if_addr.h"),
)
_NO_UNSPEC = frozenset({"NLMSGERR_ATTR"})
#: Other kernel names for a member (alias -> the member's name).
_ALIASES = {"IFLA": {"IF_NETNSID": "TARGET_NETNSID"}}
#: Tables whose rows are not of the class's prefix (``IFLA_AF_SPEC`` is keyed by AF_*).
assert AF_SPEC.name == "IFLA_AF_SPEC"


def _uapi_members(prefix: str) -> list[tuple[str, int]]:
    longer = [p + "_" for p, _flag, _h in _FROM_UAPI if p != prefix and p.startswith(prefix + "_")]
    return [
        (name[len(prefix) + 1 :], value)
        for name, value in vars(uapi).items()
        if name.startswith(prefix + "_")
        and not name.startswith(tuple(longer))
        and isinstance(value, int)
        and name[len(prefix) + 1 :].isidentifier()  # ARPHRD_6LOWPAN has no member name
    ]


def _table_members(prefix: str, table: AttrTable) -> list[tuple[str, int]]:
    members = [(spec.name[len(prefix) + 1 :], spec.number) for spec in table.by_number.values()]
    if prefix not in _NO_UNSPEC and 0 not in table.by_number:
        members.insert(0, ("UNSPEC", 0))
    by_name = dict(members)
    members += [(alias, by_name[target]) for alias, target in _ALIASES.get(prefix, {}).items()]
    return members


def _build() -> list[type[IntEnum] | type[IntFlag]]:
    classes: list[type[IntEnum] | type[IntFlag]] = []
    for name, is_flag, header in _FROM_UAPI:
        make: Any = IntFlag if is_flag else IntEnum  # the functional API, which mypy cannot follow
        cls = make(name, _uapi_members(name), module=__name__)
        cls.__doc__ = f"``{name}_*`` from ``<{header}>``."
        classes.append(cls)
    for name, table, header in _FROM_TABLES:
        make = IntEnum
        cls = make(name, _table_members(name, table), module=__name__)
        cls.__doc__ = f"``{name}_*`` from ``<{header}>`` (the rows of the {table.name} attribute table)."
        classes.append(cls)
    return classes


ALL_CLASSES: tuple[type[IntEnum] | type[IntFlag], ...] = tuple(_build())
globals().update({cls.__name__: cls for cls in ALL_CLASSES})
__all__ += [cls.__name__ for cls in ALL_CLASSES]

if TYPE_CHECKING:
    # Built at run time, so a type checker cannot list their members: to mypy each is Any.  Typed
    # code can use the plain ints of rawnl.wire.uapi (IFF_UP for IFF.UP).
    AF: Any
    NLMSG: Any
    NLM_F: Any
    NLA_F: Any
    NETLINK: Any
    RTM: Any
    RTM_F: Any
    RTN: Any
    RTPROT: Any
    RT_SCOPE: Any
    RT_TABLE: Any
    RTNH_F: Any
    RTNLGRP: Any
    RTEXT_FILTER: Any
    MACVLAN_MODE: Any
    IFA_F: Any
    IFF: Any
    IF_OPER: Any
    ARPHRD: Any
    NLMSGERR_ATTR: Any
    RTA: Any
    RTAX: Any
    IFLA: Any
    IFLA_INFO: Any
    IFLA_INET: Any
    IFLA_INET6: Any
    IFLA_BR: Any
    IFLA_BRIDGE: Any
    IFLA_BRPORT: Any
    IFLA_MACVLAN: Any
    IFLA_VXLAN: Any
    VETH_INFO: Any
    IFA: Any


def kernel_name(member: IntEnum | IntFlag) -> str:
    """The kernel's name for ``member``: ``kernel_name(IFLA.MTU) == "IFLA_MTU"``."""
    return f"{type(member).__name__}_{member.name}"
