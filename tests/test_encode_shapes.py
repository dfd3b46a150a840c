"""The compiled encoders of request shapes (``rawnl.wire.message._Shapes``) against the generic
encoder: the same bytes for every message they take, and every message they do not take (a value
of another type or size, a field ``struct`` refuses) left to the generic encoder, so that the
errors are its errors too.

The generic encoder is reached by giving the message its attributes in a ``dict`` subclass
(the fast path takes exactly ``dict``)."""

from __future__ import annotations

import ipaddress
import struct
from functools import partial
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rawnl import AddressMessage, LinkMessage, RouteMessage
from rawnl.ops import addresses, links, routes
from rawnl.ops.request import LinkName
from rawnl.wire.codec import STRING
from rawnl.wire.message import DoneMessage, ErrorMessage, Message, RawMessage, _Shapes

#: Each test starts with empty shape caches (its own random encodes, or earlier tests, could fill them).
pytestmark = [pytest.mark.uml, pytest.mark.usefixtures("empty_encoder_shapes")]


class Plain(dict):  # type: ignore[type-arg]
    """Attributes the fast path does not take: the generic encoder's bytes and errors."""


CLASSES = (AddressMessage, RouteMessage, LinkMessage)


def outcome(call: Any) -> tuple[str, Any]:
    try:
        return "bytes", call()
    except Exception as exc:  # the exception itself is compared
        return type(exc).__name__, str(exc)


def generic(msg: Message, flags: Any, seq: Any, pid: Any) -> tuple[str, Any]:
    copy: Any = type(msg)(**{**_fields(msg), "attrs": Plain(msg.attrs)})  # type: ignore[attr-defined]
    return outcome(lambda: copy.encode(flags=flags, seq=seq, pid=pid))


def _fields(msg: Message) -> dict[str, Any]:
    names = ("type", "flags", "seq", "pid", *type(msg).FIELDS)
    return {name: getattr(msg, name) for name in names}


def resolved(index: int) -> LinkName:
    ref = LinkName("v0", "link")
    ref.index = index
    return ref


def unresolved() -> LinkName:
    return LinkName("v0", "link")


INTS = st.one_of(
    st.integers(0, 255),
    st.integers(0, 0xFFFFFFFF),
    st.integers(-(1 << 63), 1 << 64),
    st.sampled_from([-1, 1 << 32, 1 << 16, 0x7FFFFFFF]),
)
ODD = st.one_of(
    st.booleans(),
    st.none(),
    st.sampled_from(["1", 2.5, b"", [1]]),
    st.builds(resolved, st.integers(1, 100)),
    st.just(unresolved()).map(lambda _: unresolved()),
)
#: Strings of every kind: ASCII (the compiled encoders' own), ASCII with one other character
#: (a NUL, other scripts, surrogates surrogateescape writes and ones it refuses) anywhere, and any
#: text at all; lengths 0..300 cross every padding boundary and the 256 of ``IFALIASZ``.
ODD_CHARS = st.sampled_from(["\0", "\x7f", "\x80", "é", "€", "\U0001f600", "\udc80", "\udcff", "\ud800", "\udfff"])
ASCII = st.text(st.characters(max_codepoint=0x7F, exclude_characters="\0"), max_size=300)
STRINGS = st.one_of(
    ASCII,
    ASCII,
    st.builds(lambda text, char, at: text[:at] + char + text[at:], ASCII, ODD_CHARS, st.integers(0, 300)),
    st.text(st.characters(exclude_categories=()), max_size=300),
    st.integers(0, 300).map(lambda n: "x" * n),
)
VALUES = st.one_of(
    INTS,
    STRINGS,
    st.binary(min_size=4, max_size=4),
    st.binary(min_size=16, max_size=16),
    st.binary(max_size=20),
    st.ip_addresses(v=4),
    st.ip_addresses(v=6),
    st.sampled_from(["192.0.2.1", "2001:db8::1", "eth0", "aa:bb:cc:dd:ee:ff"]),
    ODD,
)


@st.composite
def messages(draw: st.DrawFn) -> tuple[Message, Any, Any, Any]:
    cls = draw(st.sampled_from(CLASSES))
    table = cls.TABLE
    names = sorted(table.by_name)
    keys = draw(st.lists(st.sampled_from(names), max_size=5, unique=True))
    if draw(st.booleans()):
        keys.append(draw(st.integers(0, 0xFFFF)))  # a raw key: never compiled
    attrs = {key: draw(VALUES) for key in keys}
    fields: dict[str, Any] = {}
    for name in cls.FIELDS:
        if name == "family":
            fields[name] = draw(st.one_of(st.sampled_from([2, 10, 0, 7, 28]), INTS, ODD))
        else:
            odd = draw(st.integers(0, 9)) == 0  # mostly values that fit
            fields[name] = draw(st.one_of(st.integers(0, 255), INTS, ODD) if odd else st.integers(0, 255))
    header = draw(st.sampled_from([None, 0, 0x601, 0x10000, True]))
    seq = draw(st.sampled_from([None, 1, 0xFFFFFFFF, 1 << 32]))
    pid = draw(st.sampled_from([None, 0, -1]))
    msg = cls(type=draw(st.sampled_from([16, 20, 24, 0x10000])), attrs=attrs, **fields)
    return msg, header, seq, pid


def fitting_value(spec: Any, family: int) -> st.SearchStrategy[Any]:
    """Values a row's compiled layout takes (and, one time in ten, anything)."""
    packed = spec.type.packed(family)
    code = packed.codes.rstrip("x")
    if packed.string:
        good: st.SearchStrategy[Any] = STRINGS
    elif not code:
        good = st.just(True)
    elif code.endswith("s"):
        good = st.binary(min_size=int(code[:-1]), max_size=int(code[:-1]))
    else:
        bits = struct.calcsize(code) * 8
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if code.islower() else (0, (1 << bits) - 1)
        good = st.integers(lo, hi)
    return st.one_of(good, good, good, good, good, good, good, good, good, VALUES)


@st.composite
def fixed_messages(draw: st.DrawFn) -> tuple[Message, Any, Any, Any]:
    """Messages of compiled shapes: IPv4/IPv6, attributes of fixed size or strings, values mostly
    fitting."""
    cls = draw(st.sampled_from(CLASSES))
    family = draw(st.sampled_from([2, 10]))
    rows = sorted(
        (spec for spec in cls.TABLE.by_name.values() if not spec.type._dynamic_bits and spec.type.packed(family)),
        key=lambda spec: spec.name,
    )
    chosen = draw(st.lists(st.sampled_from(rows), max_size=6, unique_by=lambda spec: spec.name))
    attrs = {spec.name: draw(fitting_value(spec, family)) for spec in chosen}
    fields: dict[str, Any] = {name: draw(st.integers(0, 255)) for name in cls.FIELDS if name != "family"}
    if draw(st.integers(0, 9)) == 0:
        fields[draw(st.sampled_from(sorted(fields)))] = draw(st.one_of(INTS, ODD))
    msg = cls(type=draw(st.sampled_from([16, 20, 24])), family=family, attrs=attrs, **fields)
    flags = draw(st.sampled_from([None, 0x601, 0x601, 0x601, 1 << 16]))
    return msg, flags, draw(st.sampled_from([None, 7, 7, 7, -1])), 0


def shape_of(msg: Message) -> tuple[Any, ...]:
    return (getattr(msg, "family", 0), *msg.attrs)


def run(encoder: Any, msg: Message, flags: Any, seq: Any, pid: Any) -> Any:
    """A compiled encoder called as ``encode`` calls it: the message's attributes, and every
    header field given (``None`` being the message's own)."""
    return encoder(
        msg,
        msg.attrs,
        msg.flags if flags is None else flags,
        msg.seq if seq is None else seq,
        msg.pid if pid is None else pid,
    )


@given(st.one_of(messages(), fixed_messages()))
def test_compiled_encoder_gives_the_generic_bytes_or_declines(case: tuple[Message, Any, Any, Any]) -> None:
    msg, flags, seq, pid = case
    expected = generic(msg, flags, seq, pid)
    family = getattr(msg, "family", 0)
    if type(family) is not int:
        return
    encoder = type(msg)._SHAPES.compile(shape_of(msg))
    if encoder is None:
        return
    got = outcome(lambda: run(encoder, msg, flags, seq, pid))
    assert got[0] == "bytes", got  # it declines (None); it never raises
    if got[1] is not None:
        assert expected == got


@given(st.one_of(messages(), fixed_messages()))
def test_encode_equals_generic_encode_each_time(case: tuple[Message, Any, Any, Any]) -> None:
    """The first encoding of a shape learns it, the second compiles it, the third uses it."""
    msg, flags, seq, pid = case
    expected = generic(msg, flags, seq, pid)
    for _ in range(3):
        assert outcome(lambda: msg.encode(flags=flags, seq=seq, pid=pid)) == expected


def test_requests_of_a_batch_take_the_compiled_encoder() -> None:
    """addr_add and route_add (v4 and v6; a table above 255, a priority) are compiled shapes."""
    reqs = [
        addresses.addr_add(5, "192.0.2.1/24"),
        addresses.addr_add(5, "2001:db8::1/64", flags=0x100),
        routes.route_add("203.0.113.0/24", gateway="192.0.2.2", table=1000),
        routes.route_add("2001:db8:1::/48", gateway="2001:db8::2", priority=7),
        routes.route_add("203.0.113.0/24", oif=3),
    ]
    for req in reqs:
        msg = req.msg
        encoder = type(msg)._SHAPES.compile(shape_of(msg))
        assert encoder is not None, shape_of(msg)
        data = run(encoder, msg, 0x601, 9, 0)
        assert data is not None
        assert data == generic(msg, 0x601, 9, 0)[1]
        for _ in range(3):
            assert msg.encode(flags=0x601, seq=9, pid=0) == data
        assert type(msg)._SHAPES.encoder_of(shape_of(msg)) is not None


def test_bytes_laid_out_as_the_kernel_reads_them() -> None:
    """Independently of rawnl's generic encoder: nlmsghdr, ifaddrmsg, IFA_LOCAL, IFA_ADDRESS."""
    msg = addresses.addr_add(7, "198.51.100.9/32").msg
    encoder = AddressMessage._SHAPES.compile(shape_of(msg))
    assert encoder is not None
    local = ipaddress.IPv4Address("198.51.100.9").packed
    body = struct.pack("=BBBBI", 2, 32, 0, 0, 7) + struct.pack("=HH", 8, 2) + local + struct.pack("=HH", 8, 1) + local
    assert run(encoder, msg, 5, 6, 0) == struct.pack("=IHHII", 16 + len(body), 20, 5, 6, 0) + body


@pytest.mark.parametrize(
    ("family", "address"),
    [(2, ipaddress.IPv4Address("198.51.100.7")), (10, ipaddress.IPv6Address("2001:db8::7"))],
)
def test_address_objects_of_the_family_are_compiled_too(family: int, address: Any) -> None:
    msg = RouteMessage(family=family, dst_len=24, attrs={"RTA_DST": address, "RTA_TABLE": 1000})
    encoder = RouteMessage._SHAPES.compile(shape_of(msg))
    assert encoder is not None
    data = run(encoder, msg, None, None, None)
    assert data is not None
    assert data == generic(msg, None, None, None)[1]
    assert data[32 : 32 + len(address.packed)] == address.packed  # after nlmsghdr, rtmsg, RTA_DST's header
    other = RouteMessage(family=12 - family, attrs={"RTA_DST": address, "RTA_TABLE": 1000})
    other_encoder = RouteMessage._SHAPES.compile(shape_of(other))
    assert other_encoder is not None
    assert run(other_encoder, other, None, None, None) is None  # the other family's address: declined
    assert other.encode() == generic(other, None, None, None)[1]


@pytest.mark.parametrize(
    ("attrs", "error"),
    [
        ({"RTA_TABLE": 1 << 32}, "RTA_TABLE: 4294967296 does not fit in u32"),
        ({"RTA_TABLE": True}, "RTA_TABLE: u32 takes an int, not bool"),
        ({"RTA_OIF": unresolved()}, "RTA_OIF: link: link 'v0' has not been resolved to an index (IPRoute does it)"),
        ({"RTA_DST": "203.0.113.300"}, "RTA_DST: '203.0.113.300' does not appear to be an IPv4 or IPv6 address"),
    ],
)
def test_errors_are_the_generic_encoders(attrs: dict[str, Any], error: str) -> None:
    good = {key: (1000 if key != "RTA_DST" else b"\xcb\x00q\x00") for key in attrs}
    for _ in range(3):  # the shape compiled from good values
        RouteMessage(family=2, attrs=good).encode()
    with pytest.raises(ValueError, match="^" + error.replace("(", r"\(").replace(")", r"\)") + "$"):
        RouteMessage(family=2, attrs=attrs).encode()


def test_a_shape_is_compiled_when_seen_again_and_shapes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = _Shapes("RouteMessage", "=IHHIIBBBBBBBBI", RouteMessage.FIELDS, RouteMessage.TABLE)
    shape = (2, "RTA_PRIORITY")
    assert shapes.learn(2, {"RTA_PRIORITY": 1}) is None  # seen once
    assert 2 not in shapes.encoders
    encoder = shapes.learn(2, {"RTA_PRIORITY": 1})  # seen again: compiled
    assert encoder is not None
    assert shapes.encoder_of(shape) is encoder
    assert shapes.encoders == {2: {("RTA_PRIORITY",): encoder}}
    assert shapes.learn(2, {"RTA_MULTIPATH": b""}) is None  # no fixed layout: known at once
    assert shapes.encoder_of((2, "RTA_MULTIPATH")) is None
    for family in (True, 2.0, [2]):  # only an int family is learnt
        assert shapes.learn(family, {"RTA_TABLE": 1}) is None
    assert (2, "RTA_TABLE") not in shapes.seen
    monkeypatch.setattr(_Shapes, "LIMIT", 2)
    for _ in range(2):
        assert shapes.learn(2, {"RTA_TABLE": 1}) is None  # full: nothing more is kept
    assert ("RTA_TABLE",) not in shapes.encoders[2]
    assert (2, "RTA_TABLE") not in shapes.seen
    fresh = _Shapes("RouteMessage", "=IHHIIBBBBBBBBI", RouteMessage.FIELDS, RouteMessage.TABLE)
    for name in ("RTA_TABLE", "RTA_OIF", "RTA_IIF"):
        fresh.learn(2, {name: 1})
    assert len(fresh.seen) == 2  # shapes seen once are bounded too


def test_encode_finds_the_encoder_by_family_and_names() -> None:
    """``encode`` looks a shape up in ``encoders[family][names]``; a family that is not an int
    but equal to one (True, 2.0) may find that int's encoder, and gives the generic bytes or
    error all the same; an unhashable family takes the generic path."""
    msg = RouteMessage(family=2, attrs={"RTA_TABLE": 1000, "RTA_PRIORITY": 3})
    for _ in range(3):
        msg.encode()
    assert RouteMessage._SHAPES.encoder_of(shape_of(msg)) is not None
    for family in (2, True, 2.0, [2], 10):
        odd = RouteMessage(family=family, attrs={"RTA_TABLE": 1000, "RTA_PRIORITY": 3})
        plain = RouteMessage(family=family, attrs=Plain(odd.attrs))
        for _ in range(3):
            assert outcome(odd.encode) == outcome(plain.encode)
            assert outcome(partial(odd._encode, 5, 6, 7)) == outcome(partial(plain.encode, flags=5, seq=6, pid=7))


#: Each family's top-level string rows, and an int row to put among them.
STRING_ROWS: dict[Any, list[str]] = {
    cls: sorted(name for name, spec in cls.TABLE.by_name.items() if spec.type is STRING)
    for cls in (LinkMessage, AddressMessage)
}
INT_ROW: dict[Any, str] = {LinkMessage: "IFLA_MTU", AddressMessage: "IFA_FLAGS"}


def compiled_string(value: Any) -> bool:
    """Whether the compiled encoders write this value of a string attribute themselves."""
    return type(value) is str and value.isascii() and "\0" not in value


@st.composite
def string_messages(draw: st.DrawFn) -> tuple[Any, Any, Any, Any]:
    """Messages with one to three string attributes (a u32 before, between or after them)."""
    cls: Any = draw(st.sampled_from(sorted(STRING_ROWS, key=lambda c: c.__name__)))
    names = draw(st.lists(st.sampled_from(STRING_ROWS[cls]), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        names.insert(draw(st.integers(0, len(names))), INT_ROW[cls])
    attrs: dict[Any, Any] = {
        name: draw(st.integers(0, 0xFFFFFFFF)) if name == INT_ROW[cls] else draw(STRINGS) for name in names
    }
    msg = cls(family=draw(st.sampled_from([0, 2, 10, 17])), attrs=attrs)
    return msg, draw(st.sampled_from([None, 5, 0x601])), draw(st.sampled_from([None, 1])), 0


def test_every_string_row_is_covered_or_nested() -> None:
    """The strings a shape can hold (the tables' top-level rows) all compile; the nested ones
    (IFLA_INFO_KIND, RTAX_CC_ALGO) are inside nests, which have no fixed layout, and MACs neither."""
    assert {"IFLA_IFNAME", "IFLA_IFALIAS", "IFLA_QDISC"} <= set(STRING_ROWS[LinkMessage])
    assert STRING_ROWS[AddressMessage] == ["IFA_LABEL"]
    assert not [name for name, spec in RouteMessage.TABLE.by_name.items() if spec.type is STRING]
    for cls, names in STRING_ROWS.items():
        assert cls._SHAPES.layout((0, *names)) is not None
    declined: list[tuple[Any, tuple[Any, ...]]] = [
        (LinkMessage, (0, "IFLA_IFNAME", "IFLA_LINKINFO")),
        (LinkMessage, (0, "IFLA_IFNAME", "IFLA_ADDRESS")),
        (LinkMessage, (0, "IFLA_PROP_LIST")),
        (RouteMessage, (2, "RTA_METRICS")),
    ]
    for cls, shape in declined:
        assert cls._SHAPES.layout(shape) is None, shape
    msg = LinkMessage(attrs={"IFLA_IFNAME": "v0", "IFLA_LINKINFO": {"IFLA_INFO_KIND": "dummy"}})
    for _ in range(3):
        assert msg.encode() == generic(msg, None, None, None)[1]


@given(string_messages())
def test_strings_give_the_generic_bytes_or_are_declined(case: tuple[Any, Any, Any, Any]) -> None:
    """The compiled encoder writes every ASCII string without a NUL as the generic encoder does,
    and declines exactly the others (whose bytes, or error, the generic encoder gives)."""
    msg, flags, seq, pid = case
    expected = generic(msg, flags, seq, pid)
    encoder = type(msg)._SHAPES.compile(shape_of(msg))
    assert encoder is not None
    got = run(encoder, msg, flags, seq, pid)
    if all(compiled_string(v) for k, v in msg.attrs.items() if k != INT_ROW[type(msg)]):
        assert ("bytes", got) == expected
    else:
        assert got is None
    for _ in range(3):  # learnt, compiled, used
        assert outcome(lambda: msg.encode(flags=flags, seq=seq, pid=pid)) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("v\0", "string attribute 'v\\x00' contains a NUL"),
        ("\ud800", "'utf-8' codec can't encode character '\\ud800' in position 0: surrogates not allowed"),
        (b"v0", "a string attribute takes str, not bytes"),
        ("x" * 0xFFFB, "payload of 65532 bytes does not fit in an attribute"),
    ],
)
def test_string_errors_are_the_generic_encoders(value: Any, error: str) -> None:
    for _ in range(3):  # the shape compiled from a good name
        LinkMessage(attrs={"IFLA_IFNAME": "v0", "IFLA_MTU": 1400}).encode()
    msg = LinkMessage(attrs={"IFLA_IFNAME": value, "IFLA_MTU": 1400})
    assert run(LinkMessage._SHAPES.encoder_of(shape_of(msg)), msg, None, None, None) is None
    assert outcome(msg.encode) == generic(msg, None, None, None) == ("ValueError", "IFLA_IFNAME: " + error)


def test_requests_naming_a_link_take_the_compiled_encoder() -> None:
    """link_set, link_get and link_del by name: shapes with IFLA_IFNAME, compiled."""
    for req in [links.link_set("v0", mtu=1400), links.link_get("v0"), links.link_del("v0")]:
        msg = req.msg
        for _ in range(3):
            data = msg.encode(flags=5, seq=1, pid=0)
        encoder = LinkMessage._SHAPES.encoder_of(shape_of(msg))
        assert encoder is not None, shape_of(msg)
        assert run(encoder, msg, 5, 1, 0) == data == generic(msg, 5, 1, 0)[1]


@pytest.mark.parametrize("name", ["", "a", "ab", "abc", "abcd", "abcdefghijklmno"])
def test_string_bytes_laid_out_as_the_kernel_reads_them(name: str) -> None:
    """Independently of rawnl's generic encoder: the name, its NUL, NULs to a multiple of 4, and a
    header counting the name and its NUL."""
    msg = LinkMessage(index=3, attrs={"IFLA_IFNAME": name, "IFLA_MTU": 1400})
    encoder = LinkMessage._SHAPES.compile(shape_of(msg))
    assert encoder is not None
    payload = name.encode() + b"\0" * (4 - len(name) % 4)
    body = (
        struct.pack("=BxHiII", 0, 0, 3, 0, 0)
        + struct.pack("=HH", 5 + len(name), 3)
        + payload
        + struct.pack("=HHI", 8, 4, 1400)
    )
    assert run(encoder, msg, 5, 6, 0) == struct.pack("=IHHII", 16 + len(body), 16, 5, 6, 0) + body


def test_string_lengths_kept_per_encoder_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Shapes, "LENGTHS", 2)
    shapes = _Shapes("LinkMessage", "=IHHIIBxHiII", LinkMessage.FIELDS, LinkMessage.TABLE)
    encoder = shapes.compile((0, "IFLA_IFNAME", "IFLA_IFALIAS"))
    assert encoder is not None
    for n in range(10):
        msg = LinkMessage(attrs={"IFLA_IFNAME": "x" * n, "IFLA_IFALIAS": "y" * (9 - n)})
        assert run(encoder, msg, None, None, None) == generic(msg, None, None, None)[1]
    assert list(encoder.__globals__["_sized"]) == [(0, 9), (1, 8)]  # the first two, and no more


def test_a_class_with_its_own_encode_is_sent_by_it() -> None:
    """``_encode`` (what the socket calls) is the generated one only where ``encode`` is: a class
    with an ``encode`` of its own (the control messages, a legacy short request) has the one
    that calls it."""
    short = RouteMessage._decode_short(bytes.fromhex("11000000 1a00 0103 01000000 00000000 02"), 26, 0x301, 1, 0)
    error = ErrorMessage(error=-2, attrs={"NLMSGERR_ATTR_MSG": "no"})
    for msg in (short, error, DoneMessage(), RawMessage(type=3, payload=b"ab")):
        assert type(msg)._encode is Message._encode
        assert msg._encode(0x301, 9, 4) == msg.encode(flags=0x301, seq=9, pid=4)
    assert short._encode(0x301, 9, 4)[16:] == b"\x02"
    for cls in CLASSES:
        assert cls()._encode(1, 2, 3) == cls().encode(flags=1, seq=2, pid=3)
        assert cls._encode.__code__.co_filename == f"<rawnl message {cls.__name__}>"  # generated, in place
