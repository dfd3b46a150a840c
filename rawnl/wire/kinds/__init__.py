"""Link kinds: what ``IFLA_INFO_DATA`` (and ``IFLA_INFO_SLAVE_DATA``) hold for each
``IFLA_INFO_KIND``, one module per kind, as iproute2 has one ``ip/iplink_KIND.c`` per kind.

A kind module declares its attribute table(s) and a ``KINDS`` tuple of :class:`LinkKind`; adding
one is that module plus one line in :mod:`rawnl.wire.registry`.  A kind the codec does not know
decodes to bytes (kept, and re-encoded unchanged).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rawnl.wire.codec import AttrTable

__all__ = ["LinkKind"]


class LinkKind:
    """One ``IFLA_INFO_KIND``: the table of its ``IFLA_INFO_DATA`` and, for a kind whose ports
    carry per-port data (a bridge's), of its ports' ``IFLA_INFO_SLAVE_DATA``."""

    __slots__ = ("data", "name", "slave_data")

    def __init__(self, name: str, data: AttrTable | None = None, slave_data: AttrTable | None = None) -> None:
        self.name = name
        self.data = data
        self.slave_data = slave_data

    def __repr__(self) -> str:
        return f"LinkKind({self.name!r})"
