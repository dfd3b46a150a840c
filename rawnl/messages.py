"""Typed rtnetlink messages: link, address, route, error/ACK and done.

Every message has the netlink header fields (``type``, ``flags``, ``seq``, ``pid``), its family's
fixed header fields, and ``attrs``: a mapping from the kernel's attribute name to a Python value
(see :mod:`rawnl.schema`).  ``encode()`` builds the bytes with every length computed;
:func:`decode` turns a buffer of one or more messages back into objects.
"""

from __future__ import annotations

import struct

from ._record import Record
from .codec import (
    NLMSG_HDR,
    AttrTable,
    DecodeError,
    align4,
    decode_attrs,
    encode_attrs,
    iter_messages,
    locate,
)
from .errors import NetlinkError
from .schema import ADDRESS, IFADDRMSG, IFINFOMSG, LINK, NLMSGERR, ROUTE, RTMSG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, ClassVar, TypeAlias

    from .codec import AttrKey

__all__ = [
    "AddressMessage",
    "DoneMessage",
    "ErrorMessage",
    "LinkMessage",
    "Message",
    "RawMessage",
    "RouteMessage",
    "attribute_at",
    "decode",
    "decode_one",
]

NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
RTM_NEWLINK = 16
RTM_NEWADDR = 20
RTM_NEWROUTE = 24

_pack_hdr = NLMSG_HDR.pack
_EMPTY: Mapping[AttrKey, Any] = {}  # shared; never mutated
_I32 = struct.Struct("=i")
_EMPTY_REQUEST = NLMSG_HDR.pack(16, 0, 0, 0, 0)  # a header-only request, echoed whole


def _codes(st: struct.Struct) -> str:
    """The one-letter codes of ``st``'s fields, padding left out: ``"=BxHiII"`` -> ``"BHiII"``."""
    return st.format.lstrip("=").replace("x", "")


def _head_packer(fixed: struct.Struct) -> Callable[..., bytes]:
    """``pack(length, type, flags, seq, pid, *fixed fields)``: nlmsghdr and ``fixed`` at once."""
    return struct.Struct(NLMSG_HDR.format + fixed.format.lstrip("=")).pack


_pack_link_head = _head_packer(IFINFOMSG)
_pack_address_head = _head_packer(IFADDRMSG)
_pack_route_head = _head_packer(RTMSG)


class _Base(Record):
    """The netlink header fields every message has: ``type``, ``flags``, ``seq``, ``pid``."""

    __slots__ = ("type", "flags", "seq", "pid")
    type: int
    flags: int
    seq: int
    pid: int

    def encode_body(self) -> bytes:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """The whole message: ``nlmsghdr`` (length computed) followed by :meth:`encode_body`.

        ``flags``, ``seq`` and ``pid`` override the message's own header fields for this
        encoding only (the socket engine stamps its sequence numbers this way).
        """
        body = self.encode_body()
        try:
            return (
                _pack_hdr(
                    16 + len(body),
                    self.type,
                    self.flags if flags is None else flags,
                    self.seq if seq is None else seq,
                    self.pid if pid is None else pid,
                )
                + body
            )
        except struct.error:
            raise self._field_error(flags, seq, pid, 16 + len(body)) from None

    def _field_error(self, flags: int | None, seq: int | None, pid: int | None, length: int) -> ValueError:
        """The error for a field ``struct`` refused, naming the first such field."""
        fields = self._checked_fields(flags, seq, pid, length)
        for label, code, value in fields:
            try:
                struct.pack("=" + code, value)
            except struct.error as exc:
                return ValueError(f"cannot encode {label} {value!r}: {exc}")
        return ValueError(f"cannot encode {type(self).__name__}: {fields}")  # pragma: no cover

    def _checked_fields(
        self, flags: int | None, seq: int | None, pid: int | None, length: int
    ) -> list[tuple[str, str, Any]]:
        """``(label, struct code, value)`` of every fixed-size field, as :meth:`encode` packs them."""
        values = (
            length,
            self.type,
            self.flags if flags is None else flags,
            self.seq if seq is None else seq,
            self.pid if pid is None else pid,
        )
        names = ("length", "type", "flags", "seq", "pid")
        return [
            (f"the netlink header's {name}", code, value)
            for name, code, value in zip(names, _codes(NLMSG_HDR), values, strict=True)
        ]


class _Fixed(_Base):
    """A message whose body is a fixed C struct (``FIXED``, packing the fields ``FIELDS`` in
    order) followed by attributes of ``TABLE``: links, addresses and routes.

    Each subclass spells out its own ``encode``, packing ``nlmsghdr`` and the fixed struct in one
    ``struct`` call with every field named: building a request is rawnl's hottest path, and a
    generic version (fields fetched by ``operator.attrgetter`` and passed with ``*``) measured
    ~0.25 us slower per message, an eighth of an address request.
    """

    __slots__ = ()
    if TYPE_CHECKING:
        attrs: Mapping[AttrKey, Any]
    TABLE: ClassVar[AttrTable]
    FIXED: ClassVar[struct.Struct]
    FIELDS: ClassVar[tuple[str, ...]]

    def _fixed_values(self) -> list[Any]:
        return [getattr(self, name) for name in self.FIELDS]

    def encode_body(self) -> bytes:
        """The fixed struct and the attributes (a veth peer is sent this way, with no header)."""
        try:
            fixed = self.FIXED.pack(*self._fixed_values())
        except struct.error:
            raise self._field_error(None, None, None, 0) from None
        return fixed + encode_attrs(self.TABLE, self.attrs)

    def _checked_fields(
        self, flags: int | None, seq: int | None, pid: int | None, length: int
    ) -> list[tuple[str, str, Any]]:
        own = [
            (f"{type(self).__name__}.{name}", code, value)
            for name, code, value in zip(self.FIELDS, _codes(self.FIXED), self._fixed_values(), strict=True)
        ]
        return own + super()._checked_fields(flags, seq, pid, length)


class LinkMessage(_Fixed):
    """``RTM_NEWLINK`` / ``DELLINK`` / ``GETLINK`` / ``SETLINK``: ``struct ifinfomsg`` then
    ``IFLA_*`` attributes.

    ``link_type`` is ``ifi_type`` (``ARPHRD_*``), ``index`` ``ifi_index``, ``link_flags``
    ``ifi_flags`` (``IFF_*``) and ``change`` ``ifi_change``.
    """

    __slots__ = ("family", "link_type", "index", "link_flags", "change", "attrs")
    TABLE: ClassVar[AttrTable] = LINK
    FIXED = IFINFOMSG
    FIELDS = ("family", "link_type", "index", "link_flags", "change")

    def __init__(
        self,
        *,
        type: int = RTM_NEWLINK,
        flags: int = 0,
        seq: int = 0,
        pid: int = 0,
        family: int = 0,
        link_type: int = 0,
        index: int = 0,
        link_flags: int = 0,
        change: int = 0,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.family = family
        self.link_type = link_type
        self.index = index
        self.link_flags = link_flags
        self.change = change
        self.attrs: Mapping[AttrKey, Any] = {} if attrs is None else attrs

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """As :meth:`_Base.encode`; ``nlmsghdr`` and ``ifinfomsg`` are packed by one call."""
        attrs = encode_attrs(LINK, self.attrs)
        try:
            return (
                _pack_link_head(
                    32 + len(attrs),
                    self.type,
                    self.flags if flags is None else flags,
                    self.seq if seq is None else seq,
                    self.pid if pid is None else pid,
                    self.family,
                    self.link_type,
                    self.index,
                    self.link_flags,
                    self.change,
                )
                + attrs
            )
        except struct.error:
            raise self._field_error(flags, seq, pid, 32 + len(attrs)) from None

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> LinkMessage:
        if len(data) < 32:
            raise DecodeError(f"link message of {len(data)} bytes is shorter than nlmsghdr + ifinfomsg (32)", 0)
        family, link_type, index, link_flags, change = IFINFOMSG.unpack_from(data, 16)
        msg = _new(cls)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.family = family
        msg.link_type = link_type
        msg.index = index
        msg.link_flags = link_flags
        msg.change = change
        msg.attrs = decode_attrs(data, 32, LINK, family)
        return msg


class AddressMessage(_Fixed):
    """``RTM_NEWADDR`` / ``DELADDR`` / ``GETADDR``: ``struct ifaddrmsg`` then ``IFA_*``.

    ``addr_flags`` is ``ifa_flags`` (the low 8 bits; ``IFA_FLAGS`` carries all 32).
    """

    __slots__ = ("family", "prefixlen", "addr_flags", "scope", "index", "attrs")
    TABLE: ClassVar[AttrTable] = ADDRESS
    FIXED = IFADDRMSG
    FIELDS = ("family", "prefixlen", "addr_flags", "scope", "index")

    def __init__(
        self,
        *,
        type: int = RTM_NEWADDR,
        flags: int = 0,
        seq: int = 0,
        pid: int = 0,
        family: int = 0,
        prefixlen: int = 0,
        addr_flags: int = 0,
        scope: int = 0,
        index: int = 0,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.family = family
        self.prefixlen = prefixlen
        self.addr_flags = addr_flags
        self.scope = scope
        self.index = index
        self.attrs: Mapping[AttrKey, Any] = {} if attrs is None else attrs

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """As :meth:`_Base.encode`; ``nlmsghdr`` and ``ifaddrmsg`` are packed by one call."""
        attrs = encode_attrs(ADDRESS, self.attrs)
        try:
            return (
                _pack_address_head(
                    24 + len(attrs),
                    self.type,
                    self.flags if flags is None else flags,
                    self.seq if seq is None else seq,
                    self.pid if pid is None else pid,
                    self.family,
                    self.prefixlen,
                    self.addr_flags,
                    self.scope,
                    self.index,
                )
                + attrs
            )
        except struct.error:
            raise self._field_error(flags, seq, pid, 24 + len(attrs)) from None

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> AddressMessage:
        if len(data) < 24:
            raise DecodeError(f"address message of {len(data)} bytes is shorter than nlmsghdr + ifaddrmsg (24)", 0)
        family, prefixlen, addr_flags, scope, index = IFADDRMSG.unpack_from(data, 16)
        msg = _new(cls)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.family = family
        msg.prefixlen = prefixlen
        msg.addr_flags = addr_flags
        msg.scope = scope
        msg.index = index
        msg.attrs = decode_attrs(data, 24, ADDRESS, family)
        return msg


class RouteMessage(_Fixed):
    """``RTM_NEWROUTE`` / ``DELROUTE`` / ``GETROUTE``: ``struct rtmsg`` then ``RTA_*``.

    ``table`` is ``rtm_table`` (``RT_TABLE_UNSPEC`` when the table is above 255 and travels in
    ``RTA_TABLE``), ``route_type`` ``rtm_type`` (``RTN_*``), ``route_flags`` ``rtm_flags``.
    """

    __slots__ = (
        "family",
        "dst_len",
        "src_len",
        "tos",
        "table",
        "protocol",
        "scope",
        "route_type",
        "route_flags",
        "attrs",
    )
    TABLE: ClassVar[AttrTable] = ROUTE
    FIXED = RTMSG
    FIELDS = (
        "family",
        "dst_len",
        "src_len",
        "tos",
        "table",
        "protocol",
        "scope",
        "route_type",
        "route_flags",
    )

    def __init__(
        self,
        *,
        type: int = RTM_NEWROUTE,
        flags: int = 0,
        seq: int = 0,
        pid: int = 0,
        family: int = 0,
        dst_len: int = 0,
        src_len: int = 0,
        tos: int = 0,
        table: int = 0,
        protocol: int = 0,
        scope: int = 0,
        route_type: int = 0,
        route_flags: int = 0,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.family = family
        self.dst_len = dst_len
        self.src_len = src_len
        self.tos = tos
        self.table = table
        self.protocol = protocol
        self.scope = scope
        self.route_type = route_type
        self.route_flags = route_flags
        self.attrs: Mapping[AttrKey, Any] = {} if attrs is None else attrs

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """As :meth:`_Base.encode`; ``nlmsghdr`` and ``rtmsg`` are packed by one call."""
        attrs = encode_attrs(ROUTE, self.attrs)
        try:
            return (
                _pack_route_head(
                    28 + len(attrs),
                    self.type,
                    self.flags if flags is None else flags,
                    self.seq if seq is None else seq,
                    self.pid if pid is None else pid,
                    self.family,
                    self.dst_len,
                    self.src_len,
                    self.tos,
                    self.table,
                    self.protocol,
                    self.scope,
                    self.route_type,
                    self.route_flags,
                )
                + attrs
            )
        except struct.error:
            raise self._field_error(flags, seq, pid, 28 + len(attrs)) from None

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> RouteMessage:
        if len(data) < 28:
            raise DecodeError(f"route message of {len(data)} bytes is shorter than nlmsghdr + rtmsg (28)", 0)
        fam, dst_len, src_len, tos, table, protocol, scope, rtype, rflags = RTMSG.unpack_from(data, 16)
        msg = _new(cls)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.family = fam
        msg.dst_len = dst_len
        msg.src_len = src_len
        msg.tos = tos
        msg.table = table
        msg.protocol = protocol
        msg.scope = scope
        msg.route_type = rtype
        msg.route_flags = rflags
        msg.attrs = decode_attrs(data, 28, ROUTE, fam)
        return msg


class _ExtAck:
    """Accessors for the extended-ACK attributes (``NLMSGERR_ATTR_*``)."""

    __slots__ = ()
    if TYPE_CHECKING:
        attrs: Mapping[AttrKey, Any]
        flags: int

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """As :meth:`LinkMessage.encode`; ``NLM_F_ACK_TLVS`` is set exactly when ``attrs`` is
        not empty."""
        flags = self.flags if flags is None else flags
        flags = flags | NLM_F_ACK_TLVS if self.attrs else flags & ~NLM_F_ACK_TLVS
        return _Base.encode(self, flags=flags, seq=seq, pid=pid)  # type: ignore[arg-type]

    @property
    def message(self) -> str | None:
        """``NLMSGERR_ATTR_MSG``: the kernel's text."""
        value = self.attrs.get("NLMSGERR_ATTR_MSG")
        return value if isinstance(value, str) else None

    @property
    def offset(self) -> int | None:
        """``NLMSGERR_ATTR_OFFS``: offset of the offending attribute in the echoed request."""
        value = self.attrs.get("NLMSGERR_ATTR_OFFS")
        return value if isinstance(value, int) else None

    @property
    def miss_type(self) -> int | None:
        """``NLMSGERR_ATTR_MISS_TYPE``: the type of a missing required attribute."""
        value = self.attrs.get("NLMSGERR_ATTR_MISS_TYPE")
        return value if isinstance(value, int) else None

    @property
    def miss_nest(self) -> int | None:
        """``NLMSGERR_ATTR_MISS_NEST``: offset of the nest the missing attribute belongs in."""
        value = self.attrs.get("NLMSGERR_ATTR_MISS_NEST")
        return value if isinstance(value, int) else None


class ErrorMessage(_ExtAck, _Base):
    """``NLMSG_ERROR``: an ACK when ``error`` is 0, else ``-errno``.

    ``request`` is the echoed request: its 16-byte header only when the kernel capped it
    (``NLM_F_CAPPED``, always for a success ACK), else the whole request.  With
    ``NLM_F_ACK_TLVS`` the extended-ack attributes follow, decoded into ``attrs``.
    """

    __slots__ = ("error", "request", "attrs")

    def __init__(
        self,
        *,
        type: int = NLMSG_ERROR,
        flags: int = 0,
        seq: int = 0,
        pid: int = 0,
        error: int = 0,
        request: bytes = _EMPTY_REQUEST,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.error = error
        self.request = request
        self.attrs: Mapping[AttrKey, Any] = {} if attrs is None else attrs
        # Keep the flags true to the body: extended-ack attributes present, echo capped.
        self.flags = flags | NLM_F_ACK_TLVS if self.attrs else flags & ~NLM_F_ACK_TLVS
        if len(request) == 16 and NLMSG_HDR.unpack_from(request)[0] > 16:
            self.flags |= NLM_F_CAPPED

    def encode_body(self) -> bytes:
        req = bytes(self.request)
        if len(req) < 16:
            raise ValueError("an NLMSG_ERROR echoes at least the 16-byte request header")
        if not self.flags & NLM_F_CAPPED and NLMSG_HDR.unpack_from(req)[0] != len(req):
            raise ValueError("an uncapped NLMSG_ERROR echoes the whole request: its length field must match")
        body = _I32.pack(self.error) + req + b"\0" * (align4(len(req)) - len(req))
        return body + encode_attrs(NLMSGERR, self.attrs)

    @property
    def request_header(self) -> tuple[int, int, int, int, int]:
        """The echoed request's ``(len, type, flags, seq, pid)``."""
        hdr: tuple[int, int, int, int, int] = NLMSG_HDR.unpack_from(self.request, 0)
        return hdr

    def exception(self, request: bytes | None = None) -> NetlinkError:
        """The :class:`NetlinkError` this reply stands for.

        ``request``, our own copy of the request when the kernel capped its echo, lets an
        extended-ack offset be named as the attribute it points at.
        """
        return _exception(self, -self.error, request if request is not None else self.request)

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> ErrorMessage:
        n = len(data)
        if n < 36:
            raise DecodeError(f"NLMSG_ERROR of {n} bytes is shorter than its 36-byte minimum", 0)
        error = _I32.unpack_from(data, 16)[0]
        inner_len = NLMSG_HDR.unpack_from(data, 20)[0]
        if flags & NLM_F_CAPPED:
            echoed = 16
        else:
            if inner_len < 16 or inner_len > n - 20:
                raise DecodeError(
                    f"echoed request length {inner_len} does not fit in NLMSG_ERROR ({n - 20} bytes left)", 20
                )
            echoed = inner_len
        msg = _new(cls)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.error = error
        msg.request = data[20 : 20 + echoed]
        tlv_start = 20 + align4(echoed)
        if flags & NLM_F_ACK_TLVS:
            if tlv_start > n:
                raise DecodeError("extended-ack attributes start past the end of NLMSG_ERROR", n)
            msg.attrs = decode_attrs(data, tlv_start, NLMSGERR)
        else:
            msg.attrs = _EMPTY
        return msg


class DoneMessage(_ExtAck, _Base):
    """``NLMSG_DONE``: the end of a dump.  ``error`` is 0, or ``-errno`` when the kernel refused
    the dump; with ``NLM_F_ACK_TLVS`` the extended-ack attributes follow in ``attrs``."""

    __slots__ = ("error", "attrs")

    def __init__(
        self,
        *,
        type: int = NLMSG_DONE,
        flags: int = 0,
        seq: int = 0,
        pid: int = 0,
        error: int = 0,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.error = error
        self.attrs: Mapping[AttrKey, Any] = {} if attrs is None else attrs
        self.flags = flags | NLM_F_ACK_TLVS if self.attrs else flags & ~NLM_F_ACK_TLVS

    def encode_body(self) -> bytes:
        return _I32.pack(self.error) + encode_attrs(NLMSGERR, self.attrs)

    def exception(self, request: bytes | None = None) -> NetlinkError:
        """The :class:`NetlinkError` for a refused dump."""
        return _exception(self, -self.error, request)

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> DoneMessage:
        if len(data) < 20:
            raise DecodeError(f"NLMSG_DONE of {len(data)} bytes is shorter than its 20-byte minimum", 0)
        msg = _new(cls)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.error = _I32.unpack_from(data, 16)[0]
        msg.attrs = decode_attrs(data, 20, NLMSGERR) if flags & NLM_F_ACK_TLVS else _EMPTY
        return msg


class RawMessage(_Base):
    """Any other message type (``NLMSG_NOOP``, ``RTM_NEWNEIGH``, ...), its payload kept as bytes."""

    __slots__ = ("payload",)

    def __init__(self, *, type: int, flags: int = 0, seq: int = 0, pid: int = 0, payload: bytes = b"") -> None:
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.payload = payload

    def encode_body(self) -> bytes:
        return bytes(self.payload)

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> RawMessage:
        return cls(type=mtype, flags=flags, seq=seq, pid=pid, payload=data[16:])


if TYPE_CHECKING:
    Message: TypeAlias = LinkMessage | AddressMessage | RouteMessage | ErrorMessage | DoneMessage | RawMessage
else:
    Message = _Base

_new = object.__new__

_DECODERS: dict[int, Any] = {NLMSG_ERROR: ErrorMessage._decode, NLMSG_DONE: DoneMessage._decode}
for _t in range(16, 20):
    _DECODERS[_t] = LinkMessage._decode
for _t in range(20, 23):
    _DECODERS[_t] = AddressMessage._decode
for _t in range(24, 27):
    _DECODERS[_t] = RouteMessage._decode
_raw_decode = RawMessage._decode

# message type -> (offset of the attributes, their table)
_BODIES: dict[int, tuple[int, AttrTable]] = {}
for _t in range(16, 20):
    _BODIES[_t] = (32, LINK)
for _t in range(20, 23):
    _BODIES[_t] = (24, ADDRESS)
for _t in range(24, 27):
    _BODIES[_t] = (28, ROUTE)


def decode_one(data: bytes, mtype: int, flags: int, seq: int, pid: int) -> Message:
    """Decode one message whose bytes are exactly ``data`` (header fields already split)."""
    dec = _DECODERS.get(mtype, _raw_decode)
    msg: Message = dec(data, mtype, flags, seq, pid)
    return msg


def decode(data: bytes | bytearray | memoryview) -> list[Message]:
    """Decode a buffer holding one or more netlink messages.

    Raises :class:`rawnl.DecodeError` (a ``ValueError``) naming the byte offset for anything
    malformed; no other exception escapes.
    """
    buf = bytes(data)
    out: list[Message] = []
    append = out.append
    get = _DECODERS.get
    for off, length, mtype, flags, seq, pid in iter_messages(buf):
        chunk = buf[off : off + length]
        try:
            append(get(mtype, _raw_decode)(chunk, mtype, flags, seq, pid))
        except DecodeError as exc:
            if off:
                raise DecodeError(exc.reason, exc.offset + off) from None
            raise
    return out


# --------------------------------------------------------------------------------------------
# Extended ACK: naming the attribute an offset points at


def attribute_at(request: bytes, offset: int) -> tuple[str, ...] | None:
    """The path of attribute names whose header starts at ``offset`` in ``request`` (offsets
    counted from the request's nlmsghdr, as ``NLMSGERR_ATTR_OFFS`` is), or ``None``.

    ``attribute_at(req, 32) == ("IFLA_MTU",)``; a nested one gives the whole path.  It works on
    malformed requests too (the kind the kernel rejects), since it only walks headers.
    """
    if len(request) < 16:
        return None
    length, mtype = NLMSG_HDR.unpack_from(request, 0)[:2]
    layout = _BODIES.get(mtype)
    if layout is None:
        return None
    start, table = layout
    return locate(request, start, min(length, len(request)), table, offset)


def _table_of(request: bytes) -> AttrTable | None:
    if len(request) < 16:
        return None
    layout = _BODIES.get(NLMSG_HDR.unpack_from(request, 0)[1])
    return layout[1] if layout is not None else None


def _exception(reply: ErrorMessage | DoneMessage, errno: int, request: bytes | None) -> NetlinkError:
    attribute = None
    missing = None
    offset = reply.offset
    request_type = None
    if request is not None and len(request) >= 16:
        request_type = NLMSG_HDR.unpack_from(request, 0)[1]
        if offset is not None:
            path = attribute_at(request, offset)
            if path:
                attribute = path[-1]
        if reply.miss_type is not None:
            table = _table_of(request)
            if reply.miss_nest is not None:
                path = attribute_at(request, reply.miss_nest)
                table = _nested_table(table, path) if path else None
            spec = table.by_number.get(reply.miss_type) if table is not None else None
            missing = spec.name if spec is not None else str(reply.miss_type)
    elif reply.miss_type is not None:
        missing = str(reply.miss_type)
    return NetlinkError(
        errno, reply.message, attribute=attribute, offset=offset, missing=missing, request_type=request_type
    )


def _nested_table(table: AttrTable | None, path: tuple[str, ...]) -> AttrTable | None:
    for name in path:
        if table is None:
            return None
        spec = table.by_name.get(name)
        inner = getattr(spec.type, "table", None) if spec is not None else None
        table = inner if isinstance(inner, AttrTable) else None
    return table
