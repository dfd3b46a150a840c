"""The ``macvlan`` and ``macvtap`` link kinds: ``IFLA_MACVLAN_*`` in ``IFLA_INFO_DATA``."""

from __future__ import annotations

from rawnl.wire.codec import BINARY, MAC, U16, U32, AttrTable

from . import LinkKind

__all__ = ["KINDS", "MACVLAN"]

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

KINDS = (LinkKind("macvlan", MACVLAN), LinkKind("macvtap", MACVLAN))
