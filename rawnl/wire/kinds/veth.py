"""The ``veth`` link kind: ``VETH_INFO_PEER`` in ``IFLA_INFO_DATA``, the peer as a whole link
message body (``ifinfomsg`` and its own ``IFLA_*`` attributes)."""

from __future__ import annotations

from _collections_abc import Mapping

from rawnl.errors import DecodeError
from rawnl.wire.codec import Attrs, AttrTable, AttrType, ScanContext, encode_attrs, scan_level
from rawnl.wire.link import LINK, LinkMessage

from . import LinkKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from rawnl.wire.codec import AttrKey

__all__ = ["KINDS", "VETH"]

IFINFOMSG = LinkMessage.FIXED


class _LinkPeer(AttrType):
    """``VETH_INFO_PEER``: a whole ``ifinfomsg`` followed by the peer's own ``IFLA_*``
    attributes; decodes to a :class:`rawnl.wire.link.LinkMessage` with a zero netlink header."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end - start < IFINFOMSG.size:
            raise DecodeError(
                f"VETH_INFO_PEER needs a {IFINFOMSG.size}-byte ifinfomsg, has {end - start} bytes", start - 4
            )
        return scan_level(data, start + IFINFOMSG.size, end, LINK, ctx)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
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

    def nests(self) -> tuple[AttrTable, ...]:
        return (LINK,)

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, LinkMessage):
            return value.encode_body()
        if isinstance(value, Mapping):
            return IFINFOMSG.pack(0, 0, 0, 0, 0) + encode_attrs(LINK, value)
        raise TypeError(
            f"VETH_INFO_PEER takes a LinkMessage or a mapping of IFLA_* attributes, not {type(value).__name__}"
        )


VETH = AttrTable("VETH_INFO", [("VETH_INFO_PEER", 1, _LinkPeer("veth peer"))])

KINDS = (LinkKind("veth", VETH),)
