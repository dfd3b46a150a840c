"""The builders' short paths (issue 12) against their general ones: ``validate.prefix``'s IPv4
shortcut gives what ``prefix_general`` gives, the common ``addr_add`` what the general address
path makes, and every message a builder fills field by field (without the keyword ``__init__``)
equals the one the ``__init__`` makes from the same fields, byte for byte."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rawnl.ops import addresses, links, routes
from rawnl.ops import validate as v
from rawnl.ops.request import ACK
from rawnl.wire.message import Message
from rawnl.wire.uapi import RTM_DELADDR

pytestmark = pytest.mark.uml

octet = st.integers(0, 255).map(str) | st.sampled_from(["01", "256", "-1", "1a", "", " 1", "٣"])
ipv4_text = st.lists(octet, min_size=3, max_size=5).map(".".join)
ipv6_text = st.sampled_from(["2001:db8::1", "::", "::1", "2001:db8::", "fe80::1%eth0", "2001:db8:::1", "1.2.3.4::"])
lengths = (
    st.integers(0, 140).map(str)
    | st.sampled_from(["", "032", "+8", "-0", "٣", "3 ", "08", "0", "32", "33", "128", "129"])
    | st.text(max_size=4)
)
prefix_text = st.builds(
    lambda address, sep, length: address + sep + length,
    ipv4_text | ipv6_text,
    st.sampled_from(["/", "", "//"]),
    lengths,
)


def outcome(check: Any, value: object) -> object:
    try:
        return check(value, "address")
    except ValueError as exc:
        return ("ValueError", str(exc))


@settings(max_examples=4000, deadline=None)
@given(value=prefix_text | st.text(max_size=24))
def test_prefix_shortcut_agrees_with_the_general_path(value: str) -> None:
    assert outcome(v.prefix, value) == outcome(v.prefix_general, value)


def test_prefix_shortcut_takes_the_common_cases() -> None:
    assert v.prefix("192.0.2.1/24") == (2, bytes([192, 0, 2, 1]), 24)
    assert v.prefix("192.0.2.1") == (2, bytes([192, 0, 2, 1]), 32)
    assert v.prefix("192.0.2.1/0") == (2, bytes([192, 0, 2, 1]), 0)
    assert v.prefix("2001:db8::1/64")[2] == 64
    for bad in ("192.0.2.1/33", "192.0.2.1/024", "192.0.2.1/", "192.0.2.1/+8"):
        with pytest.raises(ValueError, match="invalid prefix length"):
            v.prefix(bad)


def rebuilt(msg: Message) -> Message:
    """The same message made by the keyword ``__init__`` from every declared field (a field the
    builder left unset raises AttributeError here)."""
    fields = {spec.name: getattr(msg, spec.name) for spec in type(msg)._record_specs}
    return type(msg)(**fields)


addresses_text = st.sampled_from(["192.0.2.1/24", "198.51.100.7", "203.0.113.9/32", "2001:db8::5/64", "2001:db8::9"])
links_ref = st.sampled_from(["eth0", "vb0", 1, 7, "a.b-c_d"])


@settings(max_examples=300, deadline=None)
@given(link=links_ref, address=addresses_text, delete=st.booleans())
def test_common_addr_request_equals_the_general_path(link: str | int, address: str, delete: bool) -> None:
    if delete:
        fast = addresses.addr_del(link, address)
        # scope given: the general branch
        general = addresses._addr(RTM_DELADDR, ACK, link, address, peer=None, broadcast=None, scope=0, addr_flags=0)
    else:
        fast = addresses.addr_add(link, address)
        general = addresses.addr_add(link, address, scope=0)  # scope given: the general branch
    assert [r.name for r in fast.refs] == [r.name for r in general.refs]  # type: ignore[union-attr]
    for ref in (*fast.refs, *general.refs):
        ref.index = 9  # type: ignore[union-attr]  # resolved alike (a LinkName equals only itself)
    assert fast.encode(seq=1) == general.encode(seq=1) == rebuilt(fast.msg).encode(seq=1)
    if isinstance(link, int):
        assert fast.msg == general.msg == rebuilt(fast.msg)


@settings(max_examples=300, deadline=None)
@given(
    dst=st.sampled_from(["198.51.100.0/24", "203.0.113.9", "default", "2001:db8::/32", "192.0.2.128/25"]),
    gateway=st.sampled_from([None, "192.0.2.1", "2001:db8::1"]),
    table=st.sampled_from([None, 100, 1000, "main"]),
    oif=st.sampled_from([None, 3]),
    delete=st.booleans(),
)
def test_route_messages_equal_the_init_made_ones(
    dst: str, gateway: str | None, table: int | str | None, oif: int | None, delete: bool
) -> None:
    build = routes.route_del if delete else routes.route_add
    try:
        req = build(dst, gateway=gateway, table=table, oif=oif)
    except ValueError:
        return  # mixed families: refused before any message is made
    assert req.msg == rebuilt(req.msg)
    assert req.encode(seq=3) == rebuilt(req.msg).encode(seq=3)


@pytest.mark.parametrize(
    "req",
    [
        links.link_get("eth0"),
        links.link_get(7, stats=False),
        links.link_set("eth0", mtu=1400),
        links.link_set(3, up=True, txqlen=100),
        links.link_set("eth0", name="eth1", up=False),
    ],
)
def test_link_messages_equal_the_init_made_ones(req: Any) -> None:
    assert req.msg == rebuilt(req.msg)
    if not req.refs:
        assert req.encode(seq=5) == rebuilt(req.msg).encode(seq=5)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, True), (1, True), (2**32 - 1, True), (2**32, False), (-1, False), (True, False), (1.0, False), ("1", False)],
)
def test_int_shortcut_keeps_the_checks(value: object, ok: bool) -> None:
    """An exact int in range is returned as it is; everything else takes the checking path
    (bools and floats refused, the range named)."""
    if ok:
        assert v.u32(value, "x") == value
        assert type(v.u32(value, "x")) is int
    else:
        with pytest.raises(ValueError, match=r"^x must be"):
            v.u32(value, "x")


def test_int_subclasses_become_plain_ints() -> None:
    import enum

    class Table(enum.IntEnum):
        MINE = 100

    assert type(v.u32(Table.MINE, "x")) is int
    assert type(v.table(Table.MINE)) is int
    assert v.table(100) == 100
    assert v.table("main") == 254
    with pytest.raises(ValueError, match="table must be between 1"):
        v.table(0)


mtu_values = st.one_of(
    st.integers(min_value=-(2**33), max_value=2**33),
    st.integers(min_value=60, max_value=70),
    st.integers(min_value=65530, max_value=65540),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.none(),
)


def refusal(call: Any) -> str | None:
    """The text of the ValueError ``call()`` raises, or None."""
    try:
        call()
    except ValueError as exc:
        return str(exc)
    return None


@given(mtu=mtu_values, nomaster=st.one_of(st.booleans(), st.integers(0, 1), st.none()))
def test_link_set_short_paths_agree_with_the_validators(mtu: object, nomaster: object) -> None:
    """link_set's written-out checks of ``mtu`` (an int in range taken as it is) and ``nomaster``
    (False needs no check) accept and refuse exactly what v.boolean and v.mtu do, in that order
    and with their messages; the IFLA_MTU sent is v.mtu's value."""
    expected = refusal(lambda: v.boolean(nomaster, "nomaster"))
    if expected is None and mtu is not None:
        expected = refusal(lambda: v.mtu(mtu))
    got = refusal(lambda: links.link_set("v0", mtu=mtu, nomaster=nomaster))  # type: ignore[arg-type]
    assert got == expected
    if got is None:
        attrs = links.link_set("v0", mtu=mtu, nomaster=nomaster).msg.attrs  # type: ignore[arg-type]
        if mtu is None:
            assert "IFLA_MTU" not in attrs
        else:
            assert attrs["IFLA_MTU"] == v.mtu(mtu)
            assert type(attrs["IFLA_MTU"]) is int


address_text = ipv4_text | ipv6_text | st.text(max_size=12) | st.sampled_from(["192.0.2.1\0", "::ffff:192.0.2.1"])


@settings(max_examples=2000, deadline=None)
@given(value=address_text, family=st.sampled_from([None, 2, 10]))
def test_kept_address_parses_agree_with_a_fresh_parse(value: str, family: int | None) -> None:
    """``validate.address`` keeps the parse of a str it has seen (issue 12: a gateway repeats):
    a second call, answered from what was kept, gives exactly the first call's answer or error,
    which is ``inet_pton``'s; a refused text is never kept."""
    v._PARSED.clear()
    first = refusal_or(lambda: v.address(value, "gateway", family))
    assert (value in v._PARSED) == (refusal_or(lambda: v._parse_address(value, "gateway"))[0] == "ok")
    second = refusal_or(lambda: v.address(value, "gateway", family))
    assert first == second
    fresh = refusal_or(lambda: v._parse_address(value, "gateway"))
    if fresh[0] == "ok":
        fam, packed = fresh[1]
        if family in (None, fam):
            assert first == ("ok", (fam, packed))
        else:
            assert first[0] == "ValueError"
            assert "is not an IPv" in first[1]
        assert packed == socket.inet_pton(fam, value)
    else:
        assert first == fresh


def refusal_or(call: Any) -> tuple[str, Any]:
    """("ok", what ``call()`` returns) or ("ValueError", its text)."""
    try:
        return "ok", call()
    except ValueError as exc:
        return "ValueError", str(exc)


def test_kept_address_parses_are_bounded_and_exact() -> None:
    """At most ``_PARSED_LIMIT`` parses are kept (then forgotten at once); a str subclass is
    parsed but not kept (its value might not be what its hash says)."""
    v._PARSED.clear()
    for i in range(v._PARSED_LIMIT + 5):
        v.address(f"2001:db8::{i:x}", "x")
        assert len(v._PARSED) <= v._PARSED_LIMIT

    class Text(str):
        pass

    v._PARSED.clear()
    assert v.address(Text("192.0.2.9"), "x") == (2, bytes([192, 0, 2, 9]))
    assert not v._PARSED
    with pytest.raises(ValueError, match=r"^x '192\.0\.2\.256' is not an IPv4 or IPv6 address$"):
        v.address("192.0.2.256", "x")
    with pytest.raises(ValueError, match=r"^x '192\.0\.2\.1' is not an IPv6 address$"):
        v.address("192.0.2.1", "x", 10)


@pytest.mark.parametrize("value", [1, 5, 0x7FFFFFFF, 0, -1, 0x80000000, True, 1.0, "v0", "", "a" * 16, None])
def test_link_ref_index_shortcut_agrees_with_the_validator(value: object) -> None:
    """request.link_ref takes an int index in range at once; it answers and refuses exactly
    what validate.link_ref does."""
    from rawnl.ops.request import link_ref

    assert refusal_or(lambda: link_ref(value, "link")) == refusal_or(lambda: v.link_ref(value, "link"))
