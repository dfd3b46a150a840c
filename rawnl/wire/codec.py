"""The sans-I/O netlink codec: headers and attribute TLVs to and from bytes.

Nothing here does I/O.  Decoding is strict: every length is checked against its container and a
malformed buffer raises :class:`DecodeError` naming the byte offset; no other exception escapes.

How attributes are decoded
--------------------------
An attribute region is first *scanned*: every TLV header is bounds-checked, nested attributes
that the schema knows are scanned recursively, and fixed-size values have their sizes checked.
The result is a :class:`Level` (where each attribute's payload lies, with its value type).  Values
are converted lazily, on first access through :class:`Attrs`, and cached; conversion cannot fail,
because the scan already checked everything a conversion depends on.

The layout cache
----------------
Kernel replies repeat the same shapes (a dump of 2,000 veths has a handful), so a scan's result is
kept in a small cache keyed by table, family, offset, length and first attribute header.  Before a
cached layout is reused for a new buffer, every byte the scan based a decision on is compared with
one precompiled ``struct`` call: equal bytes mean an identical parse, so the new buffer is exactly
as valid as the one that was scanned.  (The call reads each TLV header as two 16-bit halves: most
are below 257, the interpreter's cached small ints, so it allocates nothing; a 2,000-link dump's
check is ~40% of its decode, the floor found for an exact check in pure Python: see
``_compile_check``.)

A layout also keeps what reads values at its known offsets: :class:`Attrs` reads an integer (a
``struct`` with the offset in its format), a string or a MAC straight from the bytes, with no
per-value cache; :func:`pick` and :func:`picker` compile one reader per layout and set of keys,
one ``struct`` call for every integer, string and MAC.  ``tests/test_decode_fast_paths.py`` checks
both against each type's own ``decode``, on a second buffer of the same layout too.

The rule that makes this correct: **a scan may branch only on bytes it has declared.**  Every TLV
header is declared by :func:`scan_level` itself; anything else an :meth:`AttrType.scan` reads to
decide what to do (a kind string choosing a table, the length field of a ``struct rtnexthop``)
must be declared with :meth:`ScanContext.depend` before the scan returns.  The message family and
the attribute-region length are part of the cache key, so a scan may branch on those freely.

Set ``RAWNL_VERIFY_LAYOUT_CACHE=1`` in the environment to check the rule: every cache hit is then
scanned again and compared with the cached layout, and a difference raises ``AssertionError``
naming the table (the test suite runs this way).
"""

from __future__ import annotations

import struct

# ``collections.abc`` re-exports ``_collections_abc``, which the interpreter has already loaded
# at start-up; importing ``collections.abc`` itself would pull in ``collections`` (+2.5 ms).
from _collections_abc import Mapping
from os import environ

from rawnl.errors import DecodeError, InvalidMessageError

from .uapi import NLA_F_NESTED, NLA_TYPE_MASK

# Not ``from typing import TYPE_CHECKING``: importing typing costs ~9 ms, as much as the
# interpreter's whole start-up.  mypy treats any name ``TYPE_CHECKING`` as true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, TypeAlias

__all__ = [
    "NLMSG_HDR",
    "NLA_HDR",
    "AttrKey",
    "AttrTable",
    "AttrType",
    "Attrs",
    "Level",
    "Packed",
    "ScanContext",
    "Repeated",
    "align4",
    "decode_attrs",
    "encode_attrs",
    "iter_messages",
    "pick",
    "picker",
    "single",
]

#: How deep attributes may nest (levels of attribute regions: a veth peer's link attributes are
#: three below the message's).  Real messages stay under 10; a hostile one 200 deep (a veth peer
#: in a peer in a peer...) would otherwise exhaust Python's recursion: it gets a DecodeError.
MAX_NESTING = 32

NLMSG_HDR = struct.Struct("=IHHII")
NLA_HDR = struct.Struct("=HH")
_pack_nla = NLA_HDR.pack
_unpack_nla = NLA_HDR.unpack_from

_PAD = (b"", b"\0\0\0", b"\0\0", b"\0")
_new = object.__new__

if TYPE_CHECKING:
    #: An attribute key: the kernel's name for a known attribute, or the raw 16-bit type (flags
    #: included) for one the schema does not know.
    AttrKey: TypeAlias = str | int


def align4(n: int) -> int:
    """``NLMSG_ALIGN`` / ``NLA_ALIGN``: round ``n`` up to a multiple of 4."""
    return (n + 3) & ~3


def iter_messages(buf: bytes) -> Iterator[tuple[int, int, int, int, int, int]]:
    """Split a buffer holding one or more netlink messages.

    Yields ``(offset, length, type, flags, seq, pid)`` for each message; the message occupies
    ``buf[offset:offset + length]``.  Raises :class:`DecodeError` for a header that does not fit,
    a length below 16, or a length that runs past the buffer.
    """
    off = 0
    n = len(buf)
    unpack = NLMSG_HDR.unpack_from
    while off < n:
        if n - off < 16:
            raise DecodeError(f"{n - off} trailing bytes are too short for a message header", off)
        length, mtype, flags, seq, pid = unpack(buf, off)
        if length < 16:
            raise DecodeError(f"message length {length} is below the 16-byte header", off)
        if length > n - off:
            raise DecodeError(f"message length {length} runs past the buffer ({n - off} bytes left)", off)
        yield off, length, mtype, flags, seq, pid
        off += (length + 3) & ~3


# --------------------------------------------------------------------------------------------
# Value types


class ScanContext:
    """What a scan needs beyond the bytes: the message family, and the byte ranges the parse
    depended on, from which the layout cache's check is built (see the module docstring)."""

    __slots__ = ("checks", "depth", "family")

    def __init__(self, family: int) -> None:
        self.family = family
        #: ``(offset, length)`` of every byte range declared with :meth:`depend`
        self.checks: list[tuple[int, int]] = []
        #: how many attribute regions deep the scan is (see MAX_NESTING)
        self.depth = 0

    def depend(self, offset: int, length: int) -> None:
        """Declare that the scan's outcome depends on ``data[offset:offset + length]``.

        The one rule of the layout cache: an :meth:`AttrType.scan` that reads payload bytes to
        decide anything (which table a nest uses, where the next record starts) declares them
        here, so that a cached layout is reused only for a buffer with the same bytes there.
        TLV headers are declared by :func:`scan_level`."""
        self.checks.append((offset, length))


class AttrType:
    """How one attribute's payload is checked, decoded and encoded.

    ``scan`` runs at decode time and must raise :class:`DecodeError` for anything ``decode`` could
    not handle; ``decode`` then cannot fail.  A ``scan`` that reads payload bytes to decide
    anything declares them with :meth:`ScanContext.depend` (the layout cache's rule).  ``encode``
    turns a Python value into the payload.
    """

    __slots__ = ("label",)
    #: Bits OR-ed into the attribute type when encoding (NLA_F_NESTED for modern nests).
    flags = 0
    #: Whether :meth:`type_bits` depends on the value (else ``flags`` is used as it is).
    _dynamic_bits = False
    #: True when a scan result that is a :class:`Level` decodes to :class:`Attrs` over it (a nest,
    #: not a veth peer's message): :func:`pick` may then follow a path into it.
    yields_attrs = False

    def __init__(self, label: str) -> None:
        self.label = label

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        """Validate ``data[start:end]``; return what ``decode`` needs besides the bytes."""
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return bytes(data[start:end])

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise TypeError(f"{self.label} takes bytes, not {type(value).__name__}")

    def type_bits(self, value: Any) -> int:
        """Flag bits for the attribute header when encoding ``value``."""
        return self.flags

    def putter(self, number: int) -> Callable[[Any, Mapping[AttrKey, Any]], bytes]:
        """A function ``put(value, siblings)`` that returns the whole attribute ``number``:
        header (length computed, ``number`` plus :meth:`type_bits`), payload and padding; for a
        :class:`Repeated` value, one such attribute per item.

        :func:`encode_attrs` makes one per table row on first use and keeps it, so whatever can
        be worked out once (the header of a fixed-size value, a bound ``struct`` packer) is;
        see :meth:`shortcut`.
        """
        encode = self.encode
        type_bits = self.type_bits if self._dynamic_bits else None
        flags = self.flags

        def general(value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
            if type(value) is Repeated:
                return b"".join([put(item, siblings) for item in value])
            payload = encode(value, siblings)
            n = len(payload) + 4
            if n > 0xFFFF:
                raise ValueError(f"payload of {len(payload)} bytes does not fit in an attribute")
            bits = flags if type_bits is None else type_bits(value)
            return _pack_nla(n, number | bits) + payload + _PAD[n & 3]

        put = self.shortcut(number, general)
        return put

    def shortcut(
        self, number: int, general: Callable[[Any, Mapping[AttrKey, Any]], bytes]
    ) -> Callable[[Any, Mapping[AttrKey, Any]], bytes]:
        """The putter of attribute ``number``: ``general`` itself, unless the type can write its
        common values with less work; it then returns a function that does so and passes
        every other value (and every error) to ``general``."""
        return general

    def packed(self, family: int) -> Packed | None:
        """For the compiled encoders of message shapes (:mod:`rawnl.wire.message`): how this
        attribute's common values are written in a message of ``family`` when they have one
        fixed size, or are NUL-terminated strings (see :class:`Packed`); ``None``: neither (the
        default)."""
        return None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._dynamic_bits = cls.type_bits is not AttrType.type_bits

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        """For a nest: the region and table of its attributes (used by :func:`locate`)."""
        return None

    def nests(self) -> tuple[AttrTable, ...]:
        """Every table a value of this type may hold attributes of (for tools and tests that
        walk the schema: :func:`rawnl.wire.registry.all_tables`)."""
        return ()

    def __repr__(self) -> str:
        return f"<{self.label}>"


class Packed:
    """How an attribute's common values are written by a compiled shape encoder: ``codes``, the
    ``struct`` codes of the payload and its padding (``""`` for none); ``test``, a Python
    expression over ``{v}`` (the value) true only for values those codes write exactly as
    :meth:`AttrType.putter` does; ``convert``, a statement run before the test that may replace
    ``{v}`` by what the codes take (an address object by its packed bytes), with the globals it
    names in ``names``.  A value failing the test, or one ``struct`` refuses, is left to the
    generic encoder (for its bytes or its error).

    A NUL-terminated string has no fixed size: its ``string`` is an expression over ``{v}``, run
    once the test has passed, giving the bytes before the NUL (``codes`` is then ``"s"``).  The
    encoder writes them with an ``s`` code whose count, picked per length, is the bytes, the NUL
    and the padding rounded up to 4: ``struct`` fills what the bytes leave with NULs."""

    __slots__ = ("codes", "convert", "names", "string", "test")

    def __init__(
        self, codes: str, test: str, convert: str = "", names: dict[str, Any] | None = None, *, string: str = ""
    ) -> None:
        self.codes = codes
        self.test = test
        self.convert = convert
        self.names = names or {}
        self.string = string


class _Binary(AttrType):
    __slots__ = ()


class _Scalar(AttrType):
    """A fixed-size integer in host (or, for ``be``, network) byte order."""

    __slots__ = ("_attr_len", "_attr_pack", "_hi", "_lo", "_pack", "_unpack", "code", "format", "size")

    def __init__(self, label: str, fmt: str) -> None:
        super().__init__(label)
        st = struct.Struct(fmt)
        self.size = st.size
        self.format = fmt  # "=I", ">H", ...
        #: The ``struct`` code when in host byte order (for :func:`pick`'s compiled readers).
        self.code = fmt[1] if fmt[0] == "=" else None
        # Header, value and padding in one call (host byte order only).
        self._attr_len = 4 + st.size
        self._attr_pack = (
            struct.Struct(f"=HH{fmt[1]}{align4(st.size) - st.size}x").pack if self.code is not None else None
        )
        self._unpack = st.unpack_from
        self._pack = st.pack
        bits = st.size * 8
        signed = fmt[-1].islower()
        self._lo = -(1 << (bits - 1)) if signed else 0
        self._hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end - start != self.size:
            raise DecodeError(f"{self.label} attribute needs {self.size} bytes, has {end - start}", start - 4)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return self._unpack(data, start)[0]

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, bool) and self.size != 1:
            raise TypeError(f"{self.label} takes an int, not bool")
        if not isinstance(value, int):
            # Anything that is an integer by ``__index__`` (a reference resolved to an index
            # later, a numpy integer): read it now, so an unresolved one raises its own error.
            to_index = getattr(type(value), "__index__", None)
            if to_index is None:
                raise TypeError(f"{self.label} takes an int, not {type(value).__name__}")
            value = to_index(value)
        if not self._lo <= value <= self._hi:
            raise ValueError(f"{value} does not fit in {self.label}")
        return self._pack(value)

    def shortcut(
        self, number: int, general: Callable[[Any, Mapping[AttrKey, Any]], bytes]
    ) -> Callable[[Any, Mapping[AttrKey, Any]], bytes]:
        pack, size, lo, hi = self._attr_pack, self._attr_len, self._lo, self._hi
        if pack is None:
            return general

        def put_int(value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
            # Header, value and padding in one call; anything else (bool, out of range, not an
            # int) takes the checking path for its error.
            if type(value) is int and lo <= value <= hi:
                return pack(size, number, value)
            return general(value, siblings)

        return put_int

    def packed(self, family: int) -> Packed | None:
        # Exactly an int (not a bool, not an __index__ object): struct refuses it out of range
        # as put_int does, with the standard sizes of "=" codes.
        if self.code is None:
            return None
        return Packed(self.code + "x" * (align4(self.size) - self.size), "{v}.__class__ is int")


class _Uint(AttrType):
    """``NLA_UINT``: an unsigned integer sent as 4 or 8 bytes (8 only when it does not fit in 4)."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end - start not in (4, 8):
            raise DecodeError(f"uint attribute needs 4 or 8 bytes, has {end - start}", start - 4)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return int.from_bytes(data[start:end], "little" if _LITTLE else "big")

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if not isinstance(value, int) or not 0 <= value < 1 << 64:
            raise ValueError(f"{value!r} is not an unsigned 64-bit int")
        return struct.pack("=I" if value < 1 << 32 else "=Q", value)


_LITTLE = struct.pack("=H", 1) == b"\1\0"


class _Flag(AttrType):
    """``NLA_FLAG``: present (``True``) with no payload."""

    __slots__ = ()

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if end != start:
            raise DecodeError(f"flag attribute must be empty, has {end - start} bytes", start - 4)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return True

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if value is not True:
            raise ValueError(f"a flag attribute takes True (omit it for false), not {value!r}")
        return b""

    def packed(self, family: int) -> Packed | None:
        return Packed("", "{v} is True")


class _String(AttrType):
    """A NUL-terminated string (``NLA_NUL_STRING``/``NLA_STRING``); decoding stops at the first
    NUL and never fails (undecodable bytes become surrogates); encoding always terminates."""

    __slots__ = ()

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        raw = data[start:end]
        nul = raw.find(b"\0")
        if nul >= 0:
            raw = raw[:nul]
        return raw.decode("utf-8", "surrogateescape")

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"a string attribute takes str, not {type(value).__name__}")
        raw = value.encode("utf-8", "surrogateescape")
        if b"\0" in raw:
            raise ValueError(f"string attribute {value!r} contains a NUL")
        return raw + b"\0"

    def packed(self, family: int) -> Packed | None:
        # Exactly a str of ASCII without a NUL: its UTF-8 is its ASCII, one byte a character, as
        # ``encode`` writes it; anything else (another script, surrogates, a NUL) is left to
        # ``encode``, whose UTF-8 may be longer than the str, or whose error is raised.
        return Packed("s", '{v}.__class__ is str and {v}.isascii() and "\\0" not in {v}', string="{v}.encode()")


class _Mac(AttrType):
    """A link-layer address as ``"aa:bb:cc:dd:ee:ff"`` (any length; IPoIB's is 20 bytes)."""

    __slots__ = ()

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return data[start:end].hex(":")

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        return parse_mac(value)


def parse_mac(value: str) -> bytes:
    """rawnl's one MAC parser: ``"aa:bb:cc:dd:ee:ff"`` (``-`` also separates, any case) to its
    bytes, of any length (an InfiniBand address has 20).  ``ValueError`` for anything that is not
    two or more two-digit hex octets; :func:`rawnl.ops.validate.mac` adds Ethernet's rules."""
    if not isinstance(value, str):
        raise TypeError(f"a MAC address is a str like 'aa:bb:cc:dd:ee:ff', not {type(value).__name__}")
    parts = value.replace("-", ":").split(":")
    if len(parts) < 2 or any(len(p) != 2 for p in parts):
        raise ValueError(f"{value!r} is not a MAC address like 'aa:bb:cc:dd:ee:ff'")
    try:
        return bytes.fromhex("".join(parts))
    except ValueError:
        raise ValueError(f"{value!r} is not a MAC address like 'aa:bb:cc:dd:ee:ff'") from None


class _IPAddr(AttrType):
    """An IPv4 (4 bytes) or IPv6 (16 bytes) address as an :mod:`ipaddress` object; other sizes
    (an MPLS label, say) are kept as bytes.  Encoding also takes a ``str``."""

    __slots__ = ()

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        n = end - start
        if n == 4:
            return ipaddress_module().IPv4Address(data[start:end])
        if n == 16:
            return ipaddress_module().IPv6Address(data[start:end])
        return bytes(data[start:end])

    def shortcut(
        self, number: int, general: Callable[[Any, Mapping[AttrKey, Any]], bytes]
    ) -> Callable[[Any, Mapping[AttrKey, Any]], bytes]:
        ip = ipaddress_module()  # a program that encodes an address attribute has addresses
        v4, v6 = ip.IPv4Address, ip.IPv6Address
        head4, head16 = _pack_nla(8, number), _pack_nla(20, number)
        if not (hasattr(v4(0), "_ip") and hasattr(v6(0), "_ip")):  # pragma: no cover
            return general

        def put_address(value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
            # The two exact classes and packed bytes (what the request builders pass) have a
            # fixed header; str, interfaces, other subclasses and sizes take the checking path.
            # ``ipaddress`` keeps an address as an int in the slot ``_ip`` (checked above); reading
            # it skips the two Python calls behind ``.packed`` (~0.05 us an attribute here).
            cls = type(value)
            if cls is v4:
                as_int: int = value._ip
                return head4 + as_int.to_bytes(4, "big")
            if cls is v6:
                as_int = value._ip
                return head16 + as_int.to_bytes(16, "big")
            if cls is bytes:
                packed: bytes = value
                n = len(packed)
                if n == 4:
                    return head4 + packed
                if n == 16:
                    return head16 + packed
            return general(value, siblings)

        return put_address

    def packed(self, family: int) -> Packed | None:
        # Packed bytes (what the request builders pass) of the family's address size, and the
        # family's exact ipaddress class, read as the shortcut reads it (its int, ``_ip``).
        size = _ADDRESS_SIZE.get(family)
        if size is None:
            return None
        test = f"{{v}}.__class__ is bytes and len({{v}}) == {size}"
        cls = ipaddress_module().IPv4Address if size == 4 else ipaddress_module().IPv6Address
        if not hasattr(cls(0), "_ip"):  # pragma: no cover - as in shortcut()
            return Packed(f"{size}s", test)
        name = f"_{cls.__name__}"
        convert = f"if {{v}}.__class__ is {name}: {{v}} = {{v}}._ip.to_bytes({size}, 'big')"
        return Packed(f"{size}s", test, convert, {name: cls})

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        packed = getattr(value, "packed", None)
        if isinstance(packed, bytes):
            return packed
        if isinstance(value, str):
            packed = ipaddress_module().ip_address(value).packed
            assert isinstance(packed, bytes)
            return packed
        if isinstance(value, bytes):
            return value
        raise TypeError(f"an address attribute takes an ipaddress object or str, not {type(value).__name__}")


#: AF_INET, AF_INET6 -> their address size (for :meth:`_IPAddr.packed`)
_ADDRESS_SIZE = {2: 4, 10: 16}

_IPADDRESS: Any = None


def ipaddress_module() -> Any:
    """The :mod:`ipaddress` module, imported on first use (it costs ~4 ms at start-up); for
    every module on the light import path."""
    global _IPADDRESS
    if _IPADDRESS is None:
        import ipaddress

        _IPADDRESS = ipaddress
    return _IPADDRESS


class _Struct(AttrType):
    """A C struct decoded to a named tuple from :mod:`rawnl.wire.structs` (imported on first use).

    Kernel structs grow: ``rtnl_link_stats64`` had 23 fields before Linux 4.6, 24 until 5.18,
    25 since, and a newer kernel's struct may be longer than the one rawnl knows.  So a payload
    of any length decodes: the fields it holds whole are read, those it does not are ``None``
    (not zero: the kernel did not say), and the bytes after the known fields (or after the last
    whole one) are kept in the tuple's ``extra``.  Encoding writes the fields up to the first
    ``None``, then ``extra``: every payload re-encodes as it came.
    """

    __slots__ = ("_cls", "_cls_name", "_ends", "_prefixes", "_st")

    def __init__(self, label: str, fmt: str, cls_name: str) -> None:
        super().__init__(label)
        self._st = struct.Struct(fmt)
        self._cls_name = cls_name
        self._cls: Any = None
        order, body = fmt[0], fmt[1:]
        tokens: list[str] = []  # one per field or pad byte run, in order
        for count, code in _format_tokens(body):
            if code == "x":
                tokens.append(f"{count}x")
            else:
                tokens += [code] * int(count or 1)
        #: ``_prefixes[k]``: the struct of the first k fields (pads before them included)
        self._prefixes: list[struct.Struct] = [struct.Struct(order)]
        self._ends: list[int] = []  # where each field ends
        seen = ""
        for token in tokens:
            seen += token
            if not token.endswith("x"):
                self._prefixes.append(struct.Struct(order + seen))
                self._ends.append(self._prefixes[-1].size)

    def _tuple_class(self) -> Any:
        cls = self._cls
        if cls is None:
            from . import structs  # typing, for NamedTuple: on first use only

            cls = self._cls = getattr(structs, self._cls_name)
        return cls

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        cls = self._tuple_class()
        n = end - start
        size = self._st.size
        if n == size:  # the struct as rawnl knows it: the common case
            values = self._st.unpack_from(data, start)
            return cls(*values, *(None,) * (len(cls._fields) - 1 - len(values)))
        ends = self._ends
        count = 0
        while count < len(ends) and ends[count] <= n:
            count += 1
        values = self._prefixes[count].unpack_from(data, start)
        used = size if count == len(ends) else (ends[count - 1] if count else 0)
        missing = len(cls._fields) - 1 - count
        return cls(*values, *(None,) * missing, extra=bytes(data[start + used : end]))

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        fields = list(value)[: len(self._ends)]
        extra = getattr(value, "extra", b"")
        if not isinstance(extra, (bytes, bytearray)):
            raise TypeError(f"{self.label}.extra must be bytes, not {type(extra).__name__}")
        count = fields.index(None) if None in fields else len(fields)
        if any(v is not None for v in fields[count:]):
            raise ValueError(f"{self.label}: a field after a missing (None) one is set")
        packer = self._st if count == len(self._ends) else self._prefixes[count]
        return packer.pack(*fields[:count]) + bytes(extra)


class _Array(AttrType):
    """An array of one integer type (``IFLA_INET6_CONF``, ``IFLA_INET_CONF``, ...) as a tuple."""

    __slots__ = ("_code", "_size")

    def __init__(self, label: str, code: str) -> None:
        super().__init__(label)
        self._code = code
        self._size = struct.calcsize("=" + code)

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if (end - start) % self._size:
            raise DecodeError(f"{self.label} array of {end - start} bytes is not a multiple of {self._size}", start - 4)
        return None

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return struct.unpack_from(f"={(end - start) // self._size}{self._code}", data, start)

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        return struct.pack(f"={len(value)}{self._code}", *value)


class _Nested(AttrType):
    """A nest of attributes described by ``table``; decodes to :class:`Attrs`."""

    __slots__ = ("flags", "table")
    yields_attrs = True

    def __init__(self, table: AttrTable, nested_flag: bool = False) -> None:
        super().__init__(table.name)
        self.table = table
        self.flags = NLA_F_NESTED if nested_flag else 0

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        return scan_level(data, start, end, self.table, ctx)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return Attrs(data, sub)

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)  # an already encoded nest, sent as it is
        return encode_attrs(self.table, value)

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        return start, end, self.table

    def nests(self) -> tuple[AttrTable, ...]:
        return (self.table,)


class _Repeated(AttrType):
    """Internal: an attribute that occurred more than once in one nest."""

    __slots__ = ()

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return Repeated(t.decode(data, s, e, x) for s, e, t, x in sub)


class Repeated(list):  # type: ignore[type-arg]
    """The value of an attribute that occurs more than once in the same nest (``IFLA_ALT_IFNAME``
    inside ``IFLA_PROP_LIST``, say): one value per occurrence, in order.  Encoding a ``Repeated``
    emits the attribute once per item."""

    __slots__ = ()


_REPEATED = _Repeated("repeated")


# The public constructors used by the schema tables.
BINARY = _Binary("binary")
U8 = _Scalar("u8", "=B")
U16 = _Scalar("u16", "=H")
U32 = _Scalar("u32", "=I")
U64 = _Scalar("u64", "=Q")
S8 = _Scalar("s8", "=b")
S16 = _Scalar("s16", "=h")
S32 = _Scalar("s32", "=i")
S64 = _Scalar("s64", "=q")
BE16 = _Scalar("be16", ">H")
BE32 = _Scalar("be32", ">I")
UINT = _Uint("uint")
FLAG = _Flag("flag")
STRING = _String("string")
MAC = _Mac("mac")
IPADDR = _IPAddr("address")


def _format_tokens(body: str) -> list[tuple[str, str]]:
    """``"QQ4x3I"`` -> ``[("", "Q"), ("", "Q"), ("4", "x"), ("3", "I")]`` (without importing re)."""
    out: list[tuple[str, str]] = []
    count = ""
    for char in body:
        if char.isdigit():
            count += char
        else:
            out.append((count, char))
            count = ""
    return out


def struct_type(label: str, fmt: str, cls_name: str) -> AttrType:
    """A C struct with ``struct`` format ``fmt``, decoded to ``rawnl.structs.<cls_name>``."""
    return _Struct(label, fmt, cls_name)


def array_type(label: str, code: str) -> AttrType:
    return _Array(label, code)


def nested(table: AttrTable, *, nested_flag: bool = False) -> AttrType:
    """A nest of ``table``; ``nested_flag`` sets ``NLA_F_NESTED`` when encoding (decoding
    accepts either)."""
    return _Nested(table, nested_flag)


# --------------------------------------------------------------------------------------------
# Tables


class AttrSpec:
    """One row of an :class:`AttrTable`."""

    __slots__ = ("name", "number", "type")

    def __init__(self, name: str, number: int, type: AttrType) -> None:
        self.name = name
        self.number = number
        self.type = type

    def __repr__(self) -> str:
        return f"AttrSpec({self.name!r}, {self.number}, {self.type!r})"


class AttrTable:
    """One attribute namespace: ``(kernel name, number, type)`` rows.

    ``AttrTable("IFLA", [("IFLA_IFNAME", 3, STRING), ...])``.
    """

    __slots__ = ("by_name", "by_number", "name", "puts")

    def __init__(self, name: str, rows: list[tuple[str, int, AttrType]]) -> None:
        self.name = name
        self.by_number: dict[int, AttrSpec] = {}
        self.by_name: dict[str, AttrSpec] = {}
        #: Name -> :meth:`AttrType.putter` of that row, filled in as names are first encoded.
        self.puts: dict[AttrKey, Callable[[Any, Mapping[AttrKey, Any]], bytes]] = {}
        for row in rows:
            spec = AttrSpec(*row)
            if spec.number in self.by_number or spec.name in self.by_name:
                raise ValueError(f"{name}: duplicate row {row}")
            self.by_number[spec.number] = spec
            self.by_name[spec.name] = spec

    def putter_for(self, key: object) -> Callable[[Any, Mapping[AttrKey, Any]], bytes]:
        """The putter for an attribute key: a name of this table (made once, then kept in
        :attr:`puts`) or a raw 16-bit type, whose value is written as the bytes it is."""
        if type(key) is str:
            spec = self.by_name.get(key)
            if spec is None:
                raise ValueError(f"{key!r} is not an attribute of {self.name}")
            put = self.puts[key] = spec.type.putter(spec.number)
            return put
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 0xFFFF:
            return BINARY.putter(int(key))
        raise ValueError(f"{key!r} is not an attribute name or a 16-bit attribute type")

    def __repr__(self) -> str:
        return f"<AttrTable {self.name}: {len(self.by_number)} attributes>"


class Selected(AttrType):
    """A nest whose table is chosen by a sibling string attribute (``IFLA_INFO_DATA`` by
    ``IFLA_INFO_KIND``).  Kinds not in ``tables`` are kept as bytes.

    ``fallback`` names a second sibling read when the selector is absent, with ``suffix`` cut
    from its value: iproute2's ``ip link set DEV type bridge_slave ...`` sends
    ``IFLA_INFO_SLAVE_DATA`` with ``IFLA_INFO_KIND "bridge_slave"`` and no ``IFLA_INFO_SLAVE_KIND``.
    """

    __slots__ = ("fallback", "fallback_number", "selector", "selector_number", "suffix", "tables")

    def __init__(
        self,
        label: str,
        selector: str,
        selector_number: int,
        tables: dict[str, AttrType],
        *,
        fallback: tuple[str, int, str] | None = None,
    ) -> None:
        super().__init__(label)
        self.selector = selector
        self.selector_number = selector_number
        self.tables = tables
        self.fallback, self.fallback_number, self.suffix = fallback if fallback is not None else ("", -1, "")

    def choose(self, kind: str | None) -> AttrType:
        if kind is None:
            return BINARY
        return self.tables.get(kind, BINARY)

    def _from_fallback(self, kind: object) -> str | None:
        if isinstance(kind, str) and self.suffix and kind.endswith(self.suffix):
            return kind[: -len(self.suffix)]
        return None

    def select(self, kind_of: Callable[[int], str | None]) -> AttrType:
        """The type for this nest, given a way to read a sibling string by attribute number."""
        kind = kind_of(self.selector_number)
        if kind is None and self.fallback_number >= 0:
            kind = self._from_fallback(kind_of(self.fallback_number))
        return self.choose(kind)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:  # pragma: no cover
        raise AssertionError("Selected is resolved during the scan")

    def encode(self, value: Any, siblings: Mapping[AttrKey, Any]) -> bytes:
        kind = siblings.get(self.selector)
        if kind is None and self.fallback:
            kind = self._from_fallback(siblings.get(self.fallback))
        return self.choose(kind if isinstance(kind, str) else None).encode(value, siblings)

    def type_bits(self, value: Any) -> int:
        return 0  # iproute2 and the kernel's own replies send IFLA_INFO_DATA without NLA_F_NESTED

    def inner(
        self, data: bytes, start: int, end: int, atype: int, kind_of: Callable[[int], str | None]
    ) -> tuple[int, int, AttrTable] | None:
        return self.select(kind_of).inner(data, start, end, atype, kind_of)

    def nests(self) -> tuple[AttrTable, ...]:
        return tuple(table for typ in self.tables.values() for table in typ.nests())


class Level:
    """The scanned layout of one attribute region: where each attribute's payload lies."""

    __slots__ = ("end", "entries", "headers", "pickers", "readers", "start", "table")

    def __init__(self, table: AttrTable, start: int, end: int) -> None:
        self.table = table
        self.start = start
        self.end = end
        #: key -> (payload start, payload end, value type, scan result)
        self.entries: dict[AttrKey, tuple[int, int, AttrType, Any]] = {}
        #: key -> offset of the attribute's header (to name an extended-ack offset)
        self.headers: dict[int, AttrKey] = {}
        #: compiled readers for :func:`pick` / :func:`picker`, by the keys (or the picker) they
        #: read.  This and ``readers`` start as one shared empty dict, never written to (a scan
        #: makes a Level per nest: two dicts fewer each); :meth:`own` gives the level its own.
        self.pickers: dict[object, Callable[[bytes], tuple[Any, ...]]] = _NONE_YET
        #: key -> ``read(data)``, a 1-tuple of an immutable value (see :func:`_value_reader`), filled by
        #: :class:`Attrs` as keys are first read in this layout
        self.readers: dict[AttrKey, Callable[[bytes], tuple[Any]] | None] = _NONE_YET

    def own(self) -> None:
        """Give this level its own ``pickers`` and ``readers`` before the first is stored."""
        if self.readers is _NONE_YET:
            self.readers = {}
        if self.pickers is _NONE_YET:
            self.pickers = {}


_NONE_YET: dict[Any, Any] = {}  # Level's readers and pickers until it has one; stays empty


def _kind_reader(
    data: bytes, raw: list[tuple[int, int, int, int]], ctx: ScanContext | None
) -> Callable[[int], str | None]:
    """Read a sibling string by attribute number; its bytes are declared to ``ctx`` (when given)
    with :meth:`ScanContext.depend`, since the parse depends on them."""

    def kind_of(number: int) -> str | None:
        for _hoff, atype, ps, pe in raw:
            if atype & NLA_TYPE_MASK == number:
                if ctx is not None:
                    ctx.depend(ps, pe - ps)
                value = STRING.decode(data, ps, pe, None)
                return value if isinstance(value, str) else None
        return None

    return kind_of


def scan_level(data: bytes, start: int, end: int, table: AttrTable, ctx: ScanContext) -> Level:
    """Scan the attributes in ``data[start:end]`` against ``table`` (strict; see module doc)."""
    ctx.depth += 1  # not restored on a DecodeError: the whole scan is abandoned then
    if ctx.depth > MAX_NESTING:
        raise DecodeError(f"{table.name} attributes nested more than {MAX_NESTING} deep", start)
    raw: list[tuple[int, int, int, int]] = []
    off = start
    checks = ctx.checks
    while off < end:
        if end - off < 4:
            raise DecodeError(f"{end - off} bytes left in {table.name} are too short for an attribute header", off)
        alen, atype = _unpack_nla(data, off)
        if alen < 4:
            raise DecodeError(f"attribute length {alen} is below its 4-byte header", off)
        if alen > end - off:
            raise DecodeError(
                f"{table.name} attribute type {atype & NLA_TYPE_MASK} length {alen} runs past its container "
                f"({end - off} bytes left)",
                off,
            )
        checks.append((off, 4))  # ctx.depend(off, 4), inlined: it runs for every attribute
        raw.append((off, atype, off + 4, off + alen))
        off += (alen + 3) & ~3
    level = Level(table, start, end)
    entries = level.entries
    by_number = table.by_number
    for hoff, atype, ps, pe in raw:
        spec = by_number.get(atype & NLA_TYPE_MASK)
        key: AttrKey
        typ: AttrType
        if spec is None:
            key, typ, sub = atype, BINARY, None
        else:
            key, typ = spec.name, spec.type
            if isinstance(typ, Selected):
                typ = typ.select(_kind_reader(data, raw, ctx))
            sub = typ.scan(data, ps, pe, atype, ctx)
        level.headers[hoff] = key
        prev = entries.get(key)
        if prev is None:
            entries[key] = (ps, pe, typ, sub)
        elif prev[2] is _REPEATED:
            prev[3].append((ps, pe, typ, sub))
        else:
            entries[key] = (prev[0], pe, _REPEATED, [prev, (ps, pe, typ, sub)])
    return level


def locate(  # noqa: PLR0917 - a recursive walk; depth is its own
    data: bytes, start: int, end: int, table: AttrTable, offset: int, depth: int = 0
) -> tuple[str, ...] | None:
    """The names (outermost first) of the attribute whose header starts at ``offset``.

    Lenient on purpose: it walks headers only, so it can name the attribute in a request the
    kernel rejected for being malformed (an extended ACK's ``NLMSGERR_ATTR_OFFS``); it gives up
    (``None``) below MAX_NESTING levels.
    """
    if depth > MAX_NESTING:
        return None
    raw: list[tuple[int, int, int, int]] = []
    off = start
    while end - off >= 4:
        alen, atype = _unpack_nla(data, off)
        if alen < 4:
            break
        raw.append((off, atype, off + 4, min(off + alen, end)))
        off += (alen + 3) & ~3
    kind_of = _kind_reader(data, raw, None)
    for hoff, atype, ps, pe in raw:
        spec = table.by_number.get(atype & NLA_TYPE_MASK)
        name = spec.name if spec is not None else str(atype & NLA_TYPE_MASK)
        if hoff == offset:
            return (name,)
        if spec is not None and ps <= offset < pe:
            region = spec.type.inner(data, ps, pe, atype, kind_of)
            if region is not None:
                found = locate(data, region[0], region[1], region[2], offset, depth + 1)
                if found is not None:
                    return (name, *found)
    return None


# --------------------------------------------------------------------------------------------
# The lazily decoded mapping


if TYPE_CHECKING:
    _AttrsBase = Mapping[AttrKey, Any]
else:
    _AttrsBase = Mapping


class Attrs(_AttrsBase):
    """A read-only mapping of decoded attributes: kernel name (or raw type number for unknown
    attributes) to Python value.  Values are decoded on first access and cached."""

    __slots__ = ("_data", "_level", "_values")

    def __init__(self, data: bytes, level: Level) -> None:
        self._data = data
        self._level = level
        self._values: dict[AttrKey, Any] | None = None

    def __getitem__(self, key: AttrKey) -> Any:
        # An integer, string or MAC is read straight from the bytes by a function kept with the
        # layout (cheaper than caching it); anything else is decoded once and cached.
        read = self._level.readers.get(key)
        if read is not None:
            return read(self._data)[0]
        return self._decode(key, _MISSING)

    def get(self, key: AttrKey, default: Any = None) -> Any:
        read = self._level.readers.get(key)
        if read is not None:
            return read(self._data)[0]
        return self._decode(key, default)

    def _decode(self, key: AttrKey, default: Any) -> Any:
        """The value of ``key`` the first time it is read in this layout, or a value that is
        cached (``default``, or ``KeyError`` when that is ``_MISSING``, for a key not held)."""
        values = self._values
        if values is None:
            values = self._values = {}
        elif key in values:
            return values[key]
        level = self._level
        entry = level.entries.get(key)
        if entry is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        if key not in level.readers:
            # First read in this layout: an integer, string or MAC gets a reader; anything else
            # is remembered as having none (None), and is decoded once per Attrs and cached.
            read = _value_reader(*entry)
            level.own()
            level.readers[key] = read
            if read is not None:
                return read(self._data)[0]
        value = values[key] = entry[2].decode(self._data, entry[0], entry[1], entry[3])
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._level.entries

    def __iter__(self) -> Iterator[AttrKey]:
        return iter(self._level.entries)

    def __len__(self) -> int:
        return len(self._level.entries)

    def raw(self) -> bytes:
        """The attribute region exactly as received."""
        return bytes(self._data[self._level.start : self._level.end])

    def header_offsets(self) -> dict[int, AttrKey]:
        """Offset of each attribute header at this level -> its key."""
        return self._level.headers

    def to_dict(self) -> dict[AttrKey, Any]:
        """A plain ``dict`` with nested :class:`Attrs` converted too."""
        out: dict[AttrKey, Any] = {}
        for key in self._level.entries:
            out[key] = _plain(self[key])
        return out

    def __repr__(self) -> str:
        return f"Attrs({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(self) != len(other):
            return False
        return all(key in other and self[key] == other[key] for key in self._level.entries)

    __hash__ = None  # type: ignore[assignment]


_MISSING: Any = object()  # Attrs._decode's default for [key]: raise KeyError


def _value_reader(start: int, end: int, typ: AttrType, sub: Any) -> Callable[[bytes], tuple[Any]] | None:
    """``read(data)``: a 1-tuple of the value at ``data[start:end]`` of a fixed-size integer, a
    string or a MAC (the same value ``typ.decode`` gives), else ``None``.  Used for a layout,
    whose offsets hold for every buffer that reuses it.  An integer's reader is a ``struct``'s
    ``unpack_from`` with the offset in its format: no Python-level call at all."""
    if type(typ) is _Scalar:
        fmt = typ.format
        read_int: Callable[[bytes], tuple[Any]] = struct.Struct(f"{fmt[0]}{start}x{fmt[1:]}").unpack_from
        return read_int
    if typ is STRING:

        def read_str(data: bytes) -> tuple[Any]:
            return (data[start:end].partition(b"\0")[0].decode("utf-8", "surrogateescape"),)

        return read_str
    if typ is MAC:

        def read_mac(data: bytes) -> tuple[Any]:
            return (data[start:end].hex(":"),)

        return read_mac
    return None


def _plain(value: Any) -> Any:
    if type(value) is Attrs:  # not isinstance: an ABC check costs a fifth of a full conversion
        return value.to_dict()
    if isinstance(value, Repeated):
        return Repeated(_plain(v) for v in value)
    to_dict = getattr(value, "_plain", None)
    if to_dict is not None:
        return to_dict()
    return value


# --------------------------------------------------------------------------------------------
# Reading many values at once


def pick(attrs: Mapping[AttrKey, Any], keys: tuple[AttrKey | tuple[AttrKey, ...], ...]) -> tuple[Any, ...]:
    """The values of ``keys`` in ``attrs`` (``None`` for a missing one), as a tuple.

    A key may be a path into nests: ``("IFLA_LINKINFO", "IFLA_INFO_KIND")``.  Each key reads one
    value: an attribute that occurs more than once on the way raises
    :class:`rawnl.InvalidMessageError` naming it (as :func:`single` does).  For a decoded
    :class:`Attrs` this runs a reader compiled once per layout (and cached with it): one
    ``struct`` call reads every fixed-size value at its known offset, so listing thousands of
    links costs a few microseconds each.  Values are not cached in ``attrs``.
    """
    read = _PICKERS.get(keys)
    if read is None:
        read = _PICKERS[keys] = picker(keys)
    return read(attrs)


#: keys -> its picker, for pick(): the keys are the callers' constants, so this stays small
_PICKERS: dict[tuple[AttrKey | tuple[AttrKey, ...], ...], Callable[[Mapping[AttrKey, Any]], tuple[Any, ...]]] = {}


def picker(keys: tuple[AttrKey | tuple[AttrKey, ...], ...]) -> Callable[[Mapping[AttrKey, Any]], tuple[Any, ...]]:
    """:func:`pick` with the keys given once: ``picker(keys)(attrs)`` is ``pick(attrs, keys)``.

    For a hot path (the typed layer's ``link_from``): the function's readers are cached in each
    layout under the function itself, found by identity rather than by hashing the tuple of keys
    (a plain function, not an object with ``__call__``: calling it costs less)."""

    def pick_keys(attrs: Mapping[AttrKey, Any]) -> tuple[Any, ...]:
        if type(attrs) is Attrs:
            level = attrs._level
            reader = level.pickers.get(pick_keys)
            if reader is None:
                level.own()
                reader = level.pickers[pick_keys] = _compile_picker(level, keys)
            return reader(attrs._data)
        return _pick_each(attrs, keys)

    return pick_keys


def _pick_each(attrs: Mapping[AttrKey, Any], keys: tuple[AttrKey | tuple[AttrKey, ...], ...]) -> tuple[Any, ...]:
    """:func:`pick` for any mapping: each value looked up."""
    out: list[Any] = []
    for key in keys:
        value: Any = attrs
        for part in key if isinstance(key, tuple) else (key,):
            value = single(value, part) if isinstance(value, Mapping) else None
        out.append(value)
    return tuple(out)


def single(attrs: Mapping[AttrKey, Any], key: AttrKey) -> Any:
    """``attrs.get(key)``, where one value is expected: an attribute the message holds more than
    once raises :class:`rawnl.InvalidMessageError` naming it (the typed layer reads its fields
    this way, so a hostile duplicate never reaches code that expects a single value)."""
    value = attrs.get(key)
    if type(value) is Repeated:
        raise InvalidMessageError(str(key), f"occurs {len(value)} times where one value is expected")
    return value


def _entry_at(
    level: Level, key: AttrKey | tuple[AttrKey, ...]
) -> tuple[int, int, AttrType, Any] | InvalidMessageError | None:
    """Where ``key`` (or the path) lies in this layout; ``None`` when absent, the error to raise
    when an attribute on the way is held more than once."""
    path = key if isinstance(key, tuple) else (key,)
    current: Level | None = level
    entry = None
    for part in path:
        if current is None:
            return None
        entry = current.entries.get(part)
        if entry is None:
            return None
        if entry[2] is _REPEATED:
            return InvalidMessageError(str(part), f"occurs {len(entry[3])} times where one value is expected")
        current = entry[3] if isinstance(entry[3], Level) and entry[2].yields_attrs else None
    return entry


def _compile_picker(
    level: Level, keys: tuple[AttrKey | tuple[AttrKey, ...], ...]
) -> Callable[[bytes], tuple[Any, ...]]:
    """Generate ``reader(data) -> tuple`` for ``keys`` in this layout (straight-line code): one
    ``struct`` call reads every integer, string and MAC at its offset; strings are cut at their
    first NUL and decoded as :meth:`_String.decode` does, MACs formatted as :meth:`_Mac.decode`."""
    fields: list[tuple[int, str, int]] = []  # (offset, struct code, position in the result)
    convert: dict[int, str] = {}  # position -> how the value read becomes the result
    exprs: list[str] = []
    env: dict[str, Any] = {}
    for pos, key in enumerate(keys):
        entry = _entry_at(level, key)
        if isinstance(entry, InvalidMessageError):
            # This layout holds a duplicate: its reader refuses it, every time, naming it.
            def refuse(data: bytes, error: InvalidMessageError = entry) -> tuple[Any, ...]:
                raise InvalidMessageError(error.field, error.reason)

            return refuse
        if entry is None:
            exprs.append("None")
            continue
        start, end, typ, sub = entry
        code = getattr(typ, "code", None)
        if isinstance(typ, _Scalar) and code is not None:
            fields.append((start, code, pos))
            exprs.append("")  # filled below
        elif typ is STRING or typ is MAC:
            fields.append((start, f"{end - start}s", pos))
            convert[pos] = ".partition(b'\\0')[0].decode('utf-8', 'surrogateescape')" if typ is STRING else ".hex(':')"
            exprs.append("")
        elif typ is FLAG:
            exprs.append("True")
        else:
            env[f"t{pos}"] = typ
            env[f"u{pos}"] = sub
            exprs.append(f"t{pos}.decode(data, {start}, {end}, u{pos})")
    lines = ["def reader(data):"]
    if fields:
        fields.sort()
        fmt = ["="]
        at = 0
        read: dict[int, int] = {}  # offset -> index in v (a key asked for twice is read once)
        for offset, code, pos in fields:
            if offset not in read:
                if offset > at:
                    fmt.append(f"{offset - at}x")
                fmt.append(code)
                at = offset + struct.calcsize("=" + code)
                read[offset] = len(read)
            exprs[pos] = f"v[{read[offset]}]{convert.get(pos, '')}"
        env["_unpack"] = struct.Struct("".join(fmt)).unpack_from
        lines.append("    v = _unpack(data, 0)")
    lines.append(f"    return ({', '.join(exprs)}{',' if len(exprs) == 1 else ''})")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<rawnl reader for {level.table.name}>", "exec"), env, namespace)
    reader: Callable[[bytes], tuple[Any, ...]] = namespace["reader"]
    return reader


# --------------------------------------------------------------------------------------------
# Decoding an attribute region with the layout cache


if TYPE_CHECKING:
    #: A cached layout: the check's unpacker, what it read from the scanned buffer, the layout.
    _Layout: TypeAlias = tuple[Callable[[bytes, int], tuple[Any, ...]], tuple[Any, ...], Level]

#: (table, family, offset, length, first attribute header) -> the layouts seen, newest first
_CACHE: dict[tuple[AttrTable, int, int, int, bytes], list[_Layout]] = {}
_CACHE_LIMIT = 2048
_PER_KEY = 4


def _compile_check(checks: list[tuple[int, int]]) -> struct.Struct:
    """One ``struct`` that reads every declared byte range once.  Ranges may repeat or overlap
    (a kind string is declared once per nest it selects a table for, and sits right after its
    own header): they are merged first, or the format would drift."""
    merged: list[list[int]] = []
    last = [-1, -1]
    for off, length in sorted(checks):
        if off <= last[1]:
            last[1] = max(last[1], off + length)
        else:
            last = [off, off + length]
            merged.append(last)
    parts = []
    pos = 0
    for start, end in merged:
        n = end - start
        # TLV headers (one, or a few back to back: a nest's header and its first attribute's)
        # as 16-bit halves: a length or a type below 257 is one of the interpreter's cached
        # small ints, so unpacking allocates nothing and the comparison meets the same objects
        # (~30% faster than one 32-bit int per header).  Anything else, a kind string, as bytes.
        if start > pos:
            parts.append(f"{start - pos}x")
        parts.append("2H" if n == 4 else f"{n >> 1}H" if n & 3 == 0 and n <= _HALVES_UP_TO else f"{n}s")
        pos = end
    return struct.Struct("=" + "".join(parts))


_HALVES_UP_TO = 16


#: ``RAWNL_VERIFY_LAYOUT_CACHE=1``: rescan every cache hit and compare (see the module docstring).
VERIFY_LAYOUT_CACHE = environ.get("RAWNL_VERIFY_LAYOUT_CACHE", "") not in ("", "0")


def _same_layout(a: Any, b: Any) -> bool:
    """Whether two scan results describe the same parse (tables and types by identity)."""
    if type(a) is Level:
        if type(b) is not Level or (a.table, a.start, a.end) != (b.table, b.start, b.end):
            return False
        if list(a.entries) != list(b.entries) or a.headers != b.headers:
            return False
        return all(_same_layout(a.entries[k], b.entries[k]) for k in a.entries)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_layout(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, AttrType) or isinstance(b, AttrType):
        return a is b
    return bool(a == b)


def _verify(data: bytes, start: int, table: AttrTable, family: int, cached: Level) -> None:
    """Check mode: the cached layout must be what a fresh scan of ``data`` gives."""
    try:
        fresh: Level | DecodeError = scan_level(data, start, len(data), table, ScanContext(family))
    except DecodeError as exc:
        fresh = exc
    if isinstance(fresh, DecodeError) or not _same_layout(cached, fresh):
        what = f"raises {fresh}" if isinstance(fresh, DecodeError) else "gives another layout"
        raise AssertionError(
            f"layout cache: a cached {table.name} layout was reused for a buffer whose fresh scan {what}; "
            "an AttrType.scan reads bytes it did not declare with ScanContext.depend()"
        )


def decode_attrs(data: bytes, start: int, table: AttrTable, family: int = 0) -> Attrs:
    """Scan the attributes in ``data[start:]`` (``data`` is one whole message) against ``table``.

    Raises :class:`DecodeError` (offsets relative to ``data``).  See the module docstring for the
    cache that makes repeated shapes cheap.
    """
    # The first attribute's header is in the key too: kernel link messages start with
    # IFLA_IFNAME, whose length is what mostly tells otherwise equally long shapes apart.
    # The table itself, not its id(): a table garbage-collected and another made at its address
    # must not meet its layouts.
    key = (table, family, start, len(data), data[start : start + 4])
    candidates = _CACHE.get(key)
    if candidates is not None:
        for check, expected, level in candidates:
            if check(data, 0) == expected:
                if VERIFY_LAYOUT_CACHE:
                    _verify(data, start, table, family, level)
                attrs = _new(Attrs)  # Attrs(data, level) without a Python-level __init__ call
                attrs._data = data
                attrs._level = level
                attrs._values = None
                return attrs
    ctx = ScanContext(family)
    level = scan_level(data, start, len(data), table, ctx)
    st = _compile_check(ctx.checks)
    layout = (st.unpack_from, st.unpack_from(data, 0), level)
    if candidates is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = [layout]
    else:
        candidates.insert(0, layout)
        del candidates[_PER_KEY:]
    return Attrs(data, level)


def clear_layout_cache() -> None:
    """Forget every cached layout (for tests that want the slow path)."""
    _CACHE.clear()


# --------------------------------------------------------------------------------------------
# Encoding


def encode_attrs(
    table: AttrTable, attrs: Mapping[AttrKey, Any], siblings: Mapping[AttrKey, Any] | None = None
) -> bytes:
    """Encode a mapping of attributes (kernel name or raw type number -> value) against ``table``.

    An :class:`Attrs` decoded from the same table is copied through byte for byte.  Raw keys
    (``int``) take ``bytes`` values and are written unchanged, flags included.  A value of
    ``None`` is skipped.  Bad values raise ``ValueError`` naming the attribute.  ``siblings``
    (internal) is the whole mapping when ``attrs`` is a slice of it.
    """
    if type(attrs) is Attrs and attrs._level.table is table:
        return attrs.raw()
    if len(attrs) > _FEW:
        # ``out +=`` below copies what it has so far each time: cheapest for the few attributes
        # of a request, quadratic for thousands of raw keys, which go in slices.
        items = list(attrs.items())
        return b"".join([encode_attrs(table, dict(items[i : i + _FEW]), attrs) for i in range(0, len(items), _FEW)])
    if siblings is None:
        siblings = attrs
    out = b""
    puts = table.puts
    for key, value in attrs.items():
        if value is None:
            continue
        try:
            put = puts[key]
        except KeyError:
            put = table.putter_for(key)
        try:
            out += put(value, siblings)
        except (TypeError, ValueError, OverflowError, struct.error) as exc:
            raise ValueError(f"{key}: {exc}") from None
    return out


_FEW = 32
