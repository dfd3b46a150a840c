"""Netlink messages: the base class, how a family declares its message, the control messages
(error/ACK, done, raw) and :func:`decode`.

A family's message is declared once, in its module (:mod:`rawnl.wire.link`, ...)::

    class LinkMessage(Message, fixed=("ifinfomsg", "=BxHiII"), table=LINK, types=(16, 17, 18, 19)):
        type: int = RTM_NEWLINK
        family: int = 0
        link_type: int = 0
        ...
        attrs: Mapping[AttrKey, Any] = field(default_factory=dict)

The fields after the netlink header's (``type``, ``flags``, ``seq``, ``pid``) and before
``attrs`` are the fixed struct's, in its order (``x`` padding skipped).  From that declaration
the class gets a keyword ``__init__`` (:mod:`rawnl._record`), and ``encode``, ``encode_body`` and
``_decode`` generated here as straight-line code: ``nlmsghdr`` and the fixed struct packed or
unpacked by one ``struct`` call, every field named.  Building a request is rawnl's hottest path;
code generated this way runs as fast as the hand-written methods it replaced (a generic version
reading ``FIELDS`` with ``getattr`` measured ~0.25 µs slower per message).  Declaring ``types``
registers the class with :func:`decode` for those message types.

Every message has ``encode(flags=, seq=, pid=)`` (the socket engine stamps its sequence numbers
that way) and the netlink header fields.  :func:`decode` turns a buffer of one or more messages
into objects; a type nobody declared becomes a :class:`RawMessage`.
"""

from __future__ import annotations

import struct

from rawnl._record import Record, field
from rawnl.errors import DecodeError, NetlinkError

from .codec import (
    BINARY,
    NLMSG_HDR,
    STRING,
    U32,
    AttrTable,
    align4,
    decode_attrs,
    encode_attrs,
    iter_messages,
    locate,
)
from .uapi import NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar

    from .codec import AttrKey, Packed

__all__ = [
    "NLMSGERR",
    "DoneMessage",
    "ErrorMessage",
    "Message",
    "RawMessage",
    "attribute_at",
    "decode",
    "decode_one",
]

#: The extended-ACK attributes that follow an error or done message with ``NLM_F_ACK_TLVS``.
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

_pack_hdr = NLMSG_HDR.pack
_new = object.__new__
_I32 = struct.Struct("=i")
_EMPTY: Mapping[AttrKey, Any] = {}  # shared; never mutated
_EMPTY_REQUEST = NLMSG_HDR.pack(16, 0, 0, 0, 0)  # a header-only request, echoed whole
_HEADER_FIELDS = ("type", "flags", "seq", "pid")
#: An attribute header (length, type) and the same 4 bytes read as one native ``I``.
_PACK_NLA = struct.Struct("=HH").pack
_NLA_AS_INT = struct.Struct("=I").unpack

#: message type -> the class that decodes it (filled by declarations with ``types=``)
_BY_TYPE: dict[int, type[Message]] = {}
#: message type -> its class's ``_decode`` (the dispatch :func:`decode` runs)
_DECODERS: dict[int, Any] = {}


def _codes(fmt: str) -> str:
    """The one-letter codes of a ``struct`` format's fields, padding left out:
    ``"=BxHiII"`` -> ``"BHiII"``.  (Only the formats rawnl declares: no repeat counts.)"""
    return fmt.lstrip("=").replace("x", "")


class Message(Record):
    """A netlink message: the ``nlmsghdr`` fields, and a body each subclass defines.

    ``encode()`` builds the whole message with every length computed; ``flags``, ``seq`` and
    ``pid`` given to it override the message's own header fields for that encoding only.
    """

    type: int = 0
    flags: int = 0
    seq: int = 0
    pid: int = 0

    #: For a declared family message: its attribute table, its fixed struct (``ifinfomsg``...),
    #: the names of the struct's fields, and where the attributes start (16 + the struct size).
    TABLE: ClassVar[AttrTable]
    FIXED: ClassVar[struct.Struct]
    FIELDS: ClassVar[tuple[str, ...]]
    ATTRS_AT: ClassVar[int]
    #: For a declared family message: its compiled encoders per request shape.
    _SHAPES: ClassVar[_Shapes]

    def __init_subclass__(
        cls,
        *,
        fixed: tuple[str, str] | None = None,
        table: AttrTable | None = None,
        types: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if "encode" in cls.__dict__ and "_encode" not in cls.__dict__:
            cls._encode = Message._encode  # type: ignore[method-assign]  # its own encode, not an inherited _encode
        if fixed is not None:
            if table is None:
                raise TypeError(f"{cls.__name__}: a message with a fixed struct declares its attribute table")
            _generate(cls, fixed[0], fixed[1], table)
        for mtype in types:
            if mtype in _BY_TYPE:
                raise ValueError(f"{cls.__name__}: message type {mtype} is already {_BY_TYPE[mtype].__name__}'s")
            _BY_TYPE[mtype] = cls
            _DECODERS[mtype] = cls._decode

    def encode_body(self) -> bytes:  # pragma: no cover - every subclass has one
        """Everything after ``nlmsghdr``."""
        raise NotImplementedError

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """The whole message: ``nlmsghdr`` (length computed) followed by :meth:`encode_body`."""
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

    def _encode(self, flags: int, seq: int, pid: int) -> bytes:
        """:meth:`encode` with every header field given, positionally: what the socket engine
        calls (a declared family's generated one skips the keyword handling; a class with an
        ``encode`` of its own gets this one, which calls it)."""
        return self.encode(flags=flags, seq=seq, pid=pid)

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> Message:  # pragma: no cover
        """Decode one message whose bytes are exactly ``data`` (header fields already split)."""
        raise NotImplementedError

    @classmethod
    def _decode_short(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> Message:
        """A request whose body is shorter than the family's fixed struct: the one-byte
        ``struct rtgenmsg`` (the family) of a legacy dump request, which iproute2 sends and the
        kernel accepts, padded to 4 bytes or not.  It decodes to the family's class (a subclass
        that re-encodes the short form as it came): the family set, every other field 0, no
        attributes."""
        short = _short_class(cls)
        msg: Any = _new(short)
        msg.type, msg.flags, msg.seq, msg.pid = mtype, flags, seq, pid
        for name in cls.FIELDS:
            setattr(msg, name, 0)
        if "family" in cls.FIELDS:
            msg.family = data[16]
        msg.attrs = decode_attrs(data, len(data), cls.TABLE)
        msg.length = len(data)
        result: Message = msg
        return result

    def _field_error(self, flags: int | None, seq: int | None, pid: int | None, length: int) -> ValueError:
        """The error for a field ``struct`` refused, naming the first such field: the fixed
        struct's (``AddressMessage.prefixlen``), then the netlink header's."""
        rows: list[tuple[str, str, Any]] = []
        fields = getattr(self, "FIELDS", ())
        if fields:
            codes = _codes(self.FIXED.format)
            rows += [(f"{type(self).__name__}.{n}", c, getattr(self, n)) for n, c in zip(fields, codes, strict=True)]
        header = (
            length,
            self.type,
            self.flags if flags is None else flags,
            self.seq if seq is None else seq,
            self.pid if pid is None else pid,
        )
        names = ("length", "type", "flags", "seq", "pid")
        rows += [
            (f"the netlink header's {n}", c, v) for n, c, v in zip(names, _codes(NLMSG_HDR.format), header, strict=True)
        ]
        for label, code, value in rows:
            try:
                struct.pack("=" + code, value)
            except struct.error as exc:
                return ValueError(f"cannot encode {label} {value!r}: {exc}")
        return ValueError(f"cannot encode {type(self).__name__}: {rows}")  # pragma: no cover


def _generate(cls: type[Message], fixed_name: str, fmt: str, table: AttrTable) -> None:
    """Give a declared family message its ``encode``, ``encode_body`` and ``_decode``: checked and
    laid out now, compiled on first use (as the records' ``__init__``, see :mod:`rawnl._record`:
    ``import rawnl`` does not pay ``compile`` for classes it may never use)."""
    own = [s.name for s in cls._record_specs if s.name not in _HEADER_FIELDS]
    if not own or own[-1] != "attrs":
        raise TypeError(f"{cls.__name__}: declare the fixed struct's fields, then attrs, last")
    fields = tuple(own[:-1])
    if len(fields) != len(_codes(fmt)):
        raise TypeError(f"{cls.__name__}: {fixed_name} {fmt!r} has {len(_codes(fmt))} fields, the class {len(fields)}")
    fixed = struct.Struct(fmt)
    at = 16 + fixed.size
    label = "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__).strip()  # "link message"
    family_var = "family" if "family" in fields else "0"
    family_attr = "self.family" if "family" in fields else "0"
    self_fields = ", ".join(f"self.{f}" for f in fields)
    shapes = _Shapes(cls.__name__, NLMSG_HDR.format + fmt.lstrip("="), fields, table)
    env: dict[str, Any] = {
        "_fast": shapes.encoders,
        "_learn": shapes.learn,
        "_dict": dict,
        "_tuple": tuple,
        "_TABLE": table,
        "_encode_attrs": encode_attrs,
        "_decode_attrs": decode_attrs,
        "_pack_head": struct.Struct(NLMSG_HDR.format + fmt.lstrip("=")).pack,
        "_pack_fixed": fixed.pack,
        "_unpack": fixed.unpack_from,
        "_struct_error": struct.error,
        "_DecodeError": DecodeError,
        "_new": _new,
    }
    # ``encode`` (the public, keyword one) and ``_encode`` (positional, every header field given:
    # what the socket calls, ~0.05 us less than a keyword call) share one body: the shape's
    # compiled encoder when there is one (see _Shapes), else the generic path.  The shape is
    # looked up as ``_fast[family][tuple(attrs)]``: one dict per family, keyed by the names, is
    # cheaper than a key ``(family, *attrs)`` built per call (~0.1 us), and an exception there
    # (a family not seen, or unhashable) costs only on a shape's first encodings.  Any family
    # object may find an int family's encoder (True, 2.0, an IntEnum): the encoder's output
    # does not depend on which (it packs ``self.family`` as the generic path does, or declines).
    body = f"""
    attrs = self.attrs
    if attrs.__class__ is _dict:
        try:
            fast = _fast[{family_attr}][_tuple(attrs)]
        except Exception:
            fast = _learn({family_attr}, attrs)
        if fast is not None:
            data = fast(self, attrs, flags, seq, pid)
            if data is not None:
                return data
    attrs = _encode_attrs(_TABLE, attrs)
    n = {at} + len(attrs)
    try:
        return _pack_head(n, self.type, flags, seq, pid, {self_fields}) + attrs
    except _struct_error:
        raise self._field_error(flags, seq, pid, n) from None
"""
    source = f'''
def encode(self, *, flags=None, seq=None, pid=None):
    if flags is None:
        flags = self.flags
    if seq is None:
        seq = self.seq
    if pid is None:
        pid = self.pid{body}
def _encode(self, flags, seq, pid):{body}
def encode_body(self):
    try:
        fixed = _pack_fixed({self_fields})
    except _struct_error:
        raise self._field_error(None, None, None, 0) from None
    return fixed + _encode_attrs(_TABLE, self.attrs)

def _decode(cls, data, mtype, flags, seq, pid):
    if len(data) < {at}:
        if len(data) > 16 and flags & 0x301 == 0x301:  # REQUEST|DUMP: a legacy dump's rtgenmsg
            return cls._decode_short(data, mtype, flags, seq, pid)
        raise _DecodeError(f"{label} of {{len(data)}} bytes is shorter than nlmsghdr + {fixed_name} ({at})", 0)
    {", ".join(fields)}, = _unpack(data, 16)
    msg = _new(cls)
    msg.type = mtype
    msg.flags = flags
    msg.seq = seq
    msg.pid = pid
{"".join(f"    msg.{f} = {f}{chr(10)}" for f in fields)}    msg.attrs = _decode_attrs(data, {at}, _TABLE, {family_var})
    return msg
'''
    docs = {
        "encode": f"The whole message: ``nlmsghdr`` and ``{fixed_name}`` packed by one ``struct`` call, then "
        "the attributes; ``flags``, ``seq`` and ``pid`` override the header's for this encoding only.",
        "encode_body": f"``{fixed_name}`` and the attributes, without ``nlmsghdr`` (how a veth peer is sent).",
        "_encode": "As ``encode``, every header field given, positionally (the socket's call).",
    }

    def install() -> None:
        """Compile the four methods and put them on the class (and the decoder in the dispatch
        table :func:`decode` reads), replacing the stand-ins below."""
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<rawnl message {cls.__name__}>", "exec"), env, namespace)
        for name, doc in docs.items():
            namespace[name].__doc__ = doc
        namespace["_decode"] = classmethod(namespace["_decode"])
        for name, method in namespace.items():
            getattr(method, "__func__", method).__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
        for mtype, owner in _BY_TYPE.items():
            if owner is cls:
                _DECODERS[mtype] = cls._decode

    # (each calls the method now on ``cls``, not ``self``'s: a subclass's own override, which
    # may have called this one, must not run twice)
    def encode(self: Any, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        install()
        data: bytes = cls.encode(self, flags=flags, seq=seq, pid=pid)
        return data

    def _encode(self: Any, flags: int, seq: int, pid: int) -> bytes:
        install()
        data: bytes = cls._encode(self, flags, seq, pid)
        return data

    def encode_body(self: Any) -> bytes:
        install()
        data: bytes = cls.encode_body(self)
        return data

    def _decode(klass: Any, data: bytes, *header: int) -> Any:  # header: mtype, flags, seq, pid
        install()
        return klass._decode(data, *header)

    for name, stand_in in (
        ("encode", encode),
        ("_encode", _encode),
        ("encode_body", encode_body),
        ("_decode", classmethod(_decode)),
    ):
        setattr(cls, name, stand_in)
    cls.TABLE = table
    cls._SHAPES = shapes
    cls.FIXED = fixed
    cls.FIELDS = fields
    cls.ATTRS_AT = at


class _Shapes:
    """The compiled encoders of one message class, one per *shape*: the family and the
    attribute names, in order, of a request whose attributes all have a fixed size in that
    family, or are NUL-terminated strings (:meth:`rawnl.wire.codec.AttrType.packed`: ints, flags,
    addresses as packed bytes or ``ipaddress`` objects, ASCII strings).

    A shape's encoder writes ``nlmsghdr``, the fixed struct and every attribute (header, value,
    padding) with one ``struct`` call, after testing each value's type and size; it returns
    ``None`` for anything else (a value of another type, a field ``struct`` refuses or whose
    ``__index__`` raises), and the message's generic ``encode`` then gives the bytes or the
    error, so the output and the errors are the generic encoder's (``tests/test_encode_shapes.py``
    holds it to that).  A batch of ``addr_add`` or ``route_add`` runs this per request.

    What keeps an encoder cheap (each measured with callgrind, ~5,000 instructions a us here):
    the values are read by their names (``attrs["RTA_DST"]``: ~220 instructions each, against
    ~750 + ~90 each to unpack ``attrs.values()``; from ``UNPACK`` values on, unpacking is the
    cheaper); the tests are one ``and`` chain over what the request builders pass (packed
    bytes), an ``ipaddress`` object being converted only once that chain has failed, and tested
    again; each attribute header of a fixed size is one ``I`` (its length and type as one
    number) rather than two ``H`` for ``struct`` to convert.

    A shape with strings (``IFLA_IFNAME``: every request naming a link) has one ``struct`` per
    string length, made when a length is first met (~0.3 us) and kept in the encoder's own
    dict, keyed by the length (a tuple of lengths for more than one string), at most
    ``LENGTHS`` of them: past that a length's ``struct`` is made for the call and dropped.

    ``encoders`` maps a family to a dict of the names (a tuple) to the encoder, or to ``None``
    when that shape has no fixed layout; a shape is compiled when seen the second time
    (``compile`` costs ~0.1 ms: a one-off request does not pay it), and at most ``LIMIT`` shapes
    are kept per class, and as many seen once (raw attribute keys could make any number of them).
    """

    LIMIT = 256
    LENGTHS = 32
    UNPACK = 6

    __slots__ = ("encoders", "fields", "head", "name", "seen", "table")

    def __init__(self, name: str, head: str, fields: tuple[str, ...], table: AttrTable) -> None:
        self.name = name
        self.head = head  # nlmsghdr + the fixed struct, as one struct format
        self.fields = fields
        self.table = table
        self.encoders: dict[Any, dict[tuple[Any, ...], Any]] = {}
        self.seen: dict[tuple[Any, ...], int] = {}

    def learn(self, family: Any, attrs: dict[Any, Any]) -> Any:
        """The encoder of the shape of a message of ``family`` with ``attrs`` when it is known or
        due to be compiled, else ``None`` (what ``encode`` calls when ``encoders`` has no entry;
        only an ``int`` family is learnt)."""
        if family.__class__ is not int:
            return None
        names = tuple(attrs)
        encoders = self.encoders
        seen = self.seen
        if sum(map(len, encoders.values())) >= self.LIMIT:
            return None
        shape = (family, *names)
        if seen.pop(shape, None) is not None:  # (pop: threads may race here; both compile)
            encoder = self.compile(shape)
        elif self.layout(shape) is None:
            encoder = None
        else:
            if len(seen) < self.LIMIT:
                seen[shape] = 1
            return None
        encoders.setdefault(family, {})[names] = encoder
        return encoder

    def encoder_of(self, shape: tuple[Any, ...]) -> Any:
        """The encoder kept for ``shape`` (``(family, *names)``); ``KeyError`` if none is."""
        family, *names = shape
        return self.encoders[family][tuple(names)]

    def layout(self, shape: tuple[Any, ...]) -> list[tuple[int | None, int, Packed]] | None:
        """``(attribute length, attribute type, how its value is packed)`` per attribute of
        ``shape`` (the length ``None`` for a string), or ``None`` if one has no fixed size."""
        family, *names = shape
        by_name = self.table.by_name
        out: list[tuple[int | None, int, Packed]] = []
        for name in names:
            spec = by_name.get(name) if type(name) is str else None
            if spec is None or spec.type._dynamic_bits:
                return None
            packed = spec.type.packed(family)
            if packed is None:
                return None
            length = None if packed.string else 4 + struct.calcsize("=" + packed.codes.rstrip("x"))
            out.append((length, spec.number | spec.type.flags, packed))
        return out

    def compile(self, shape: tuple[Any, ...]) -> Any:
        """The encoder of ``shape``: ``encoder(msg, attrs, flags, seq, pid)`` -> bytes or ``None``,
        for a message whose ``attrs`` is a ``dict`` of exactly the shape's names, in its order,
        and every header field given."""
        layout = self.layout(shape)
        if layout is None:
            return None
        names = shape[1:]
        fmt = self.head  # with "{}" for the count of each string's "s" code
        env: dict[str, Any] = {}
        values = [f"v{i}" for i in range(len(layout))]
        if len(values) >= self.UNPACK:
            lines = [f"    {', '.join(values)}, = attrs.values()"]
        else:
            lines = [f"    {v} = attrs[{name!r}]" for v, name in zip(values, names, strict=True)]
        tests = []
        converts = []  # what turns an ipaddress object into its packed bytes
        strings = []  # the statements that encode the strings, once every value has passed
        lengths = []  # the names of their lengths
        args = ["flags", "seq", "pid", *(f"self.{f}" for f in self.fields)]
        for v, (length, number, packed) in zip(values, layout, strict=True):
            if packed.convert:
                converts.append("        " + packed.convert.format(v=v))
                env.update(packed.names)
            tests.append(packed.test.format(v=v))
            if packed.string:
                n = "n" + v[1:]
                fmt += "HH{}s"
                strings += [f"    {v} = {packed.string.format(v=v)}", f"    {n} = len({v})"]
                lengths.append(n)
                args += [f"{n} + 5", str(number), v]  # the header's length counts the NUL
            else:
                fmt += "I" + packed.codes  # the header: its length and type as one number
                args.append(str(_NLA_AS_INT(_PACK_NLA(length, number))[0]))
                if packed.codes.rstrip("x"):
                    args.append(v)
        if lengths:  # the struct of these lengths, and the message size it packs
            env["_sized"], env["_size"] = self._sizes(fmt)
            key = lengths[0] if len(lengths) == 1 else f"({', '.join(lengths)},)"
            strings.append(f"    size, _pack = _sized.get({key}) or _size({key})")
            size = "size"
        else:
            env["_pack"] = struct.Struct(fmt).pack
            size = str(struct.calcsize(fmt))
        test = " and ".join(tests) or "True"
        # what the builders pass passes the first test; an address object is converted, then tested again
        checks = [f"    if not ({test}):", *converts, *([f"        if not ({test}):"] if converts else [])]
        source = "\n".join(
            [
                "def encoder(self, attrs, flags, seq, pid):",
                *lines,
                *checks,
                ("            " if converts else "        ") + "return None",
                *strings,
                "    try:",
                f"        return _pack({size}, self.type, {', '.join(args)})",
                "    except Exception:",  # refused by struct, or an __index__ that raised: the
                "        return None",  # generic encoder raises it, or the error it meets first
                "",
            ]
        )
        exec(compile(source, f"<rawnl {self.name} shape {shape!r}>", "exec"), env)
        return env["encoder"]

    def _sizes(self, fmt: str) -> tuple[dict[Any, tuple[int, Any]], Any]:
        """For an encoder with strings, whose format has ``{}`` for each one's ``s`` count: its
        dict of ``length (or lengths) -> (message size, struct's pack)``, and the function that
        makes an entry for new lengths (kept while the dict has fewer than ``LENGTHS``)."""
        sized: dict[Any, tuple[int, Any]] = {}
        limit = self.LENGTHS

        def size(key: Any) -> tuple[int, Any]:
            lengths = key if key.__class__ is tuple else (key,)
            made = struct.Struct(fmt.format(*[(n + 4) & ~3 for n in lengths]))  # bytes, NUL, padding
            entry = (made.size, made.pack)
            if len(sized) < limit:
                sized[key] = entry
            return entry

        return sized, size


_SHORT_CLASSES: dict[type[Message], type[Message]] = {}


def _short_class(cls: type[Message]) -> type[Message]:
    """The subclass of a family's message for its legacy short form (made once, on first use)."""
    short = _SHORT_CLASSES.get(cls)
    if short is None:

        def encode(self: Any, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
            head = _pack_hdr(
                self.length,
                self.type,
                self.flags if flags is None else flags,
                self.seq if seq is None else seq,
                self.pid if pid is None else pid,
            )
            return head + bytes([getattr(self, "family", 0)]) + bytes(self.length - 17)

        doc = f"A legacy short {cls.__name__} request (``struct rtgenmsg``: the family only), as it came."
        namespace = {"__slots__": ("length",), "__doc__": doc, "encode": encode}
        short = _SHORT_CLASSES[cls] = type(f"Short{cls.__name__}", (cls,), namespace)
    return short


# --------------------------------------------------------------------------------------------
# Control messages: error/ACK, done, anything else


class _ExtAck(Message):
    """Accessors for the extended-ACK attributes (``NLMSGERR_ATTR_*``) of error and done."""

    error: int = 0
    attrs: Mapping[AttrKey, Any] = field(default_factory=dict)

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """As :meth:`Message.encode`; ``NLM_F_ACK_TLVS`` is added when ``attrs`` is not empty (and
        kept when it is: the kernel may set it with no attribute to send)."""
        flags = self.flags if flags is None else flags
        if self.attrs:
            flags |= NLM_F_ACK_TLVS
        return Message.encode(self, flags=flags, seq=seq, pid=pid)

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

    def exception(self, request: bytes | None = None) -> NetlinkError:
        """The :class:`rawnl.NetlinkError` this reply stands for.

        ``request``, our own copy of the request when the kernel capped its echo, lets an
        extended-ack offset be named as the attribute it points at.
        """
        return _exception(self, -self.error, request)


class ErrorMessage(_ExtAck, types=(NLMSG_ERROR,)):
    """``NLMSG_ERROR``: an ACK when ``error`` is 0, else ``-errno``.

    ``request`` is the echoed request: its 16-byte header only when the kernel capped it
    (``NLM_F_CAPPED``, always for a success ACK), else the whole request.  With
    ``NLM_F_ACK_TLVS`` the extended-ack attributes follow, decoded into ``attrs``.
    """

    type: int = NLMSG_ERROR
    request: bytes = _EMPTY_REQUEST

    def __post_init__(self) -> None:
        # Keep the flags true to the body: extended-ack attributes present, echo capped.
        if self.attrs:
            self.flags |= NLM_F_ACK_TLVS
        if len(self.request) == 16 and NLMSG_HDR.unpack_from(self.request)[0] > 16:
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


class DoneMessage(_ExtAck, types=(NLMSG_DONE,)):
    """``NLMSG_DONE``: the end of a dump.  ``error`` is 0, or ``-errno`` when the kernel refused
    the dump; with ``NLM_F_ACK_TLVS`` the extended-ack attributes follow in ``attrs``."""

    type: int = NLMSG_DONE

    def __post_init__(self) -> None:
        if self.attrs:
            self.flags |= NLM_F_ACK_TLVS

    def encode_body(self) -> bytes:
        return _I32.pack(self.error) + encode_attrs(NLMSGERR, self.attrs)

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


class RawMessage(Message):
    """Any other message type (``NLMSG_NOOP``, ``RTM_NEWNEIGH``, ...), its payload kept as bytes."""

    type: int
    payload: bytes = b""

    def encode_body(self) -> bytes:
        return bytes(self.payload)

    @classmethod
    def _decode(cls, data: bytes, mtype: int, flags: int, seq: int, pid: int) -> RawMessage:
        return cls(type=mtype, flags=flags, seq=seq, pid=pid, payload=data[16:])


_raw_decode = RawMessage._decode


# --------------------------------------------------------------------------------------------
# Decoding


def decode_one(data: bytes, mtype: int, flags: int, seq: int, pid: int) -> Message:
    """Decode one message whose bytes are exactly ``data`` (header fields already split)."""
    msg: Message = _DECODERS.get(mtype, _raw_decode)(data, mtype, flags, seq, pid)
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


def _body(request: bytes) -> tuple[int, AttrTable] | None:
    """Where a request's attributes start and their table (``None`` for an undeclared type)."""
    if len(request) < 16:
        return None
    cls = _BY_TYPE.get(NLMSG_HDR.unpack_from(request, 0)[1])
    if cls is None or not hasattr(cls, "ATTRS_AT"):
        return None
    return cls.ATTRS_AT, cls.TABLE


def attribute_at(request: bytes, offset: int) -> tuple[str, ...] | None:
    """The path of attribute names whose header starts at ``offset`` in ``request`` (offsets
    counted from the request's nlmsghdr, as ``NLMSGERR_ATTR_OFFS`` is), or ``None``.

    ``attribute_at(req, 32) == ("IFLA_MTU",)``; a nested one gives the whole path.  It works on
    malformed requests too (the kind the kernel rejects), since it only walks headers.
    """
    body = _body(request)
    if body is None:
        return None
    start, table = body
    length = NLMSG_HDR.unpack_from(request, 0)[0]
    return locate(request, start, min(length, len(request)), table, offset)


def _exception(reply: _ExtAck, errno: int, request: bytes | None) -> NetlinkError:
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
            body = _body(request)
            table = body[1] if body is not None else None
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
