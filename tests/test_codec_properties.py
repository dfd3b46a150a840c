"""Properties of the codec, for every message class (strategies in ``codec_strategies``).

* ``decode(encode(m)) == [m]``, and encoding the decoded message again gives the same bytes;
* arbitrary and mutated bytes raise only ``DecodeError``, even when every value is materialised;
* every truncation of a valid buffer either raises ``DecodeError`` or decodes a valid prefix;
* ``DecodeError.offset`` points at the corrupted header for targeted corruptions;
* the layout cache never changes a result: a warm-cache decode equals a cold one.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import rawnl
from rawnl import (
    AddressMessage,
    DecodeError,
    DoneMessage,
    ErrorMessage,
    LinkMessage,
    RawMessage,
    Repeated,
    RouteMessage,
    decode,
)
from rawnl.wire import codec
from rawnl.wire.codec import clear_layout_cache

from codec_strategies import (  # isort: skip
    SETTINGS,
    attr_paths,
    address_messages,
    any_message,
    decode_outcome,
    done_messages,
    error_messages,
    link_messages,
    materialise,
    materialise_all,
    raw_messages,
    route_messages,
)

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

LEN = struct.Struct("=I")


def _pad(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def _plain_copy(msg: Any) -> Any:
    """The same message built again from plain Python values (``to_dict()``), not from ``Attrs``."""
    if isinstance(msg, RawMessage):
        return msg
    fields = {f: getattr(msg, f) for f in msg._fields}
    fields["attrs"] = msg.attrs.to_dict() if isinstance(msg.attrs, codec.Attrs) else dict(msg.attrs)
    return type(msg)(**fields)


# ---------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    "strategy",
    [link_messages(), address_messages(), route_messages(), error_messages(), done_messages(), raw_messages()],
    ids=["link", "address", "route", "error", "done", "raw"],
)
def test_roundtrip(strategy: st.SearchStrategy[Any]) -> None:
    @SETTINGS
    @given(strategy)
    def check(msg: Any) -> None:
        data = msg.encode()
        assert LEN.unpack_from(data)[0] == len(data)
        assert len(data) % 4 == 0 or isinstance(msg, RawMessage)
        clear_layout_cache()
        out = decode(data)
        assert out == [msg]
        assert out[0].encode() == data
        # built again from plain values (nothing copied from the received bytes)
        assert _plain_copy(out[0]).encode() == data
        # and the warm layout cache gives the same message
        assert decode(data) == [msg]

    check()


@SETTINGS
@given(st.lists(any_message, min_size=1, max_size=4))
def test_roundtrip_several_messages(msgs: list[Any]) -> None:
    buf = b"".join(_pad(m.encode()) for m in msgs)
    assert decode(buf) == msgs
    assert decode(bytearray(buf)) == msgs
    assert decode(memoryview(buf)) == msgs


def test_repeated_kind_selected_nest() -> None:
    """Regression: a repeated IFLA_INFO_DATA read its kind twice and the layout check drifted
    (struct.error escaped)."""
    msg = LinkMessage(attrs={"IFLA_LINKINFO": {"IFLA_INFO_DATA": Repeated([{}, {}]), "IFLA_INFO_KIND": "veth"}})
    clear_layout_cache()
    assert decode(msg.encode()) == [msg]
    assert decode(msg.encode()) == [msg]


@pytest.mark.parametrize("error", [-(1 << 31), (1 << 31) - 1, -4096])
def test_error_reply_with_any_error_number_gives_an_exception(error: int) -> None:
    """Regression: -INT_MIN made os.strerror raise OverflowError inside NetlinkError."""
    for msg in (DoneMessage(error=error), ErrorMessage(error=error)):
        [back] = decode(msg.encode())
        exc = back.exception()
        assert isinstance(exc, rawnl.NetlinkError)
        assert exc.errno == -error
        assert str(exc)


# ---------------------------------------------------------------------------------- robustness


@SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes_raise_only_decode_error(data: bytes) -> None:
    decode_outcome(data)  # anything but DecodeError propagates and fails the test


known_types = st.sampled_from([2, 3, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26])


@SETTINGS
@given(known_types, st.integers(0, 0xFFFF), st.binary(max_size=400))
def test_arbitrary_payloads_raise_only_decode_error(mtype: int, flags: int, payload: bytes) -> None:
    """A well-formed header so that the fuzzing reaches the fixed headers and attribute scans."""
    data = codec.NLMSG_HDR.pack(16 + len(payload), mtype, flags, 1, 0) + payload
    decode_outcome(data)


@SETTINGS
@given(any_message, st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6))
def test_mutated_messages_raise_only_decode_error(msg: Any, edits: list[tuple[int, int]]) -> None:
    data = bytearray(msg.encode())
    for pos, value in edits:
        data[pos % len(data)] = value
    decode_outcome(bytes(data))


@SETTINGS
@given(any_message, st.data())
def test_mutated_attribute_headers_raise_only_decode_error(msg: Any, data: st.DataObject) -> None:
    """Rewrite one attribute header (at any nesting depth) with arbitrary length and type."""
    buf = bytearray(msg.encode())
    offsets = sorted(_all_header_offsets(decode(bytes(buf))[0]))
    assume(offsets)
    hoff = data.draw(st.sampled_from(offsets))
    alen = data.draw(st.one_of(st.integers(0, 8), st.integers(0, 0xFFFF)))
    atype = data.draw(st.integers(0, 0xFFFF))
    codec.NLA_HDR.pack_into(buf, hoff, alen, atype)
    decode_outcome(bytes(buf))


# ---------------------------------------------------------------------------------- truncation


def _boundaries(msgs: list[Any]) -> tuple[bytes, list[tuple[int, int]]]:
    """The buffer and each message's (start, end) in it."""
    parts, spans, off = [], [], 0
    for m in msgs:
        enc = m.encode()
        spans.append((off, off + len(enc)))
        parts.append(_pad(enc))
        off += len(parts[-1])
    return b"".join(parts), spans


def _is_prefix_value(got: Any, orig: Any) -> bool:
    if got == orig:
        return True
    if isinstance(orig, Repeated):
        items = list(got) if isinstance(got, Repeated) else [got]
        return items == orig[: len(items)]
    return False


def _is_prefix_message(got: Any, orig: Any) -> bool:
    """``got`` is ``orig`` cut after one of its top-level attributes (or payload bytes), or, for a
    dump request cut inside its fixed struct, the legacy short form (family only)."""
    if type(got).__name__ == f"Short{type(orig).__name__}":
        return bool(orig.flags & 0x301 == 0x301 and getattr(got, "family", 0) == getattr(orig, "family", 0))
    if type(got) is not type(orig):
        return False
    for field in got._fields:
        if field in ("attrs", "payload"):
            continue
        if getattr(got, field) != getattr(orig, field):
            return False
    if isinstance(got, RawMessage):
        return bool(orig.payload.startswith(got.payload))
    keys = list(got.attrs)
    if keys != list(orig.attrs)[: len(keys)]:
        return False
    return all(_is_prefix_value(got.attrs[k], orig.attrs[k]) for k in keys)


@SETTINGS
@given(st.lists(any_message, min_size=1, max_size=3), st.data())
def test_truncations_raise_or_decode_a_valid_prefix(msgs: list[Any], data: st.DataObject) -> None:
    buf, spans = _boundaries(msgs)
    cuts = range(len(buf)) if len(buf) <= 300 else data.draw(st.lists(st.integers(0, len(buf) - 1), max_size=60))
    for cut in cuts:
        # 1. plain cut: decodes exactly when the cut falls on a message boundary (or in the
        #    padding after a message), and then gives the messages before it
        complete = [i for i, (_s, e) in enumerate(spans) if e <= cut]
        inside = [i for i, (s, e) in enumerate(spans) if s < cut < e]
        outcome = decode_outcome(buf[:cut])
        if inside:
            assert outcome[0] == "error", (cut, outcome)
            assert outcome[2] == spans[inside[0]][0]  # the offset of the cut message
        else:
            assert outcome == ("ok", materialise_all(msgs[: len(complete)]))
        # 2. the cut message's nlmsg_len patched to the cut: an error, or a valid prefix of it
        if inside and cut - spans[inside[0]][0] >= 4:
            start = spans[inside[0]][0]
            patched = bytearray(buf[:cut])
            LEN.pack_into(patched, start, cut - start)
            try:
                got = decode(bytes(patched))
            except DecodeError as exc:
                error_offset: int | None = exc.offset
            else:
                error_offset = None
            if error_offset is not None:
                assert start <= error_offset <= cut
                continue
            materialise_all(got)
            assert got[:-1] == msgs[: len(got) - 1]
            assert _is_prefix_message(got[-1], msgs[inside[0]]), (cut, got[-1], msgs[inside[0]])


# ---------------------------------------------------------------------------------- offsets


def _levels(value: Any) -> list[codec.Attrs]:
    """Every attribute set reachable from a decoded value (nests, peers, nexthops, repeats)."""
    out: list[codec.Attrs] = []
    if isinstance(value, codec.Attrs):
        out.append(value)
        for key in value:
            out += _levels(value[key])
    elif isinstance(value, list):
        for item in value:
            out += _levels(item)
    else:
        inner = getattr(value, "attrs", None)
        if isinstance(inner, codec.Attrs):
            out += _levels(inner)
    return out


def _all_header_offsets(msg: Any) -> dict[int, tuple[int, int]]:
    """Offset of every attribute header in ``msg`` -> (start, end) of the region holding it."""
    out = {}
    for level in _levels(msg):
        for hoff in level.header_offsets():
            out[hoff] = (level._level.start, level._level.end)
    return out


def test_offset_message_length_below_16() -> None:
    first = LinkMessage(attrs={"IFLA_IFNAME": "a"}).encode()
    for bad in (0, 4, 15):
        second = bytearray(first)
        LEN.pack_into(second, 0, bad)
        with pytest.raises(DecodeError) as err:
            decode(first + bytes(second))
        assert err.value.offset == len(first)
        assert "below" in err.value.reason


def test_offset_message_length_past_end() -> None:
    first = AddressMessage(attrs={"IFA_LOCAL": "192.0.2.1"}).encode()
    second = bytearray(RouteMessage(attrs={"RTA_TABLE": 1000}).encode())
    LEN.pack_into(second, 0, len(second) + 4)
    with pytest.raises(DecodeError) as err:
        decode(first + bytes(second))
    assert err.value.offset == len(first)


def test_offset_trailing_bytes_too_short_for_a_header() -> None:
    first = DoneMessage().encode()
    with pytest.raises(DecodeError) as err:
        decode(first + b"\0" * 12)
    assert err.value.offset == len(first)


@pytest.mark.parametrize(
    ("msg", "fixed"),
    [
        (LinkMessage(), 32),
        (AddressMessage(), 24),
        (RouteMessage(), 28),
        (ErrorMessage(), 36),
        (DoneMessage(), 20),
    ],
)
def test_offset_header_shorter_than_its_fixed_part(msg: Any, fixed: int) -> None:
    lead = RawMessage(type=1, payload=b"abcd").encode()
    for length in range(16, fixed, 4):
        body = bytearray(msg.encode()[:length])
        LEN.pack_into(body, 0, length)
        with pytest.raises(DecodeError) as err:
            decode(lead + bytes(body))
        assert err.value.offset == len(lead)
        assert "shorter" in err.value.reason


def test_offset_echoed_request_overruns_error_message() -> None:
    req = LinkMessage(attrs={"IFLA_MTU": 1500}).encode()
    err_msg = bytearray(ErrorMessage(error=-22, request=req).encode())
    LEN.pack_into(err_msg, 20, len(req) + 8)
    lead = DoneMessage().encode()
    with pytest.raises(DecodeError) as err:
        decode(lead + bytes(err_msg))
    assert err.value.offset == len(lead) + 20


@SETTINGS
@given(st.lists(any_message, min_size=0, max_size=2), any_message, st.data())
def test_offset_attribute_overrunning_its_container(before: list[Any], msg: Any, data: st.DataObject) -> None:
    """Any attribute (top level or nested at any depth) whose length runs past the end of its
    container is reported at its own header's offset, counted from the buffer's start."""
    offsets = _all_header_offsets(decode(msg.encode())[0])
    assume(offsets)
    hoff = data.draw(st.sampled_from(sorted(offsets)))
    _start, end = offsets[hoff]
    lead = b"".join(_pad(m.encode()) for m in before)
    body = bytearray(msg.encode())
    overrun = data.draw(st.integers(1, 64))
    codec.NLA_HDR.pack_into(body, hoff, min(end - hoff + overrun, 0xFFFF), struct.unpack_from("=H", body, hoff + 2)[0])
    with pytest.raises(DecodeError) as err:
        decode(lead + bytes(body))
    assert err.value.offset == len(lead) + hoff
    assert "runs past" in err.value.reason


@SETTINGS
@given(any_message, st.data())
def test_offset_attribute_length_below_header(msg: Any, data: st.DataObject) -> None:
    offsets = _all_header_offsets(decode(msg.encode())[0])
    assume(offsets)
    hoff = data.draw(st.sampled_from(sorted(offsets)))
    body = bytearray(msg.encode())
    struct.pack_into("=H", body, hoff, data.draw(st.integers(0, 3)))
    with pytest.raises(DecodeError) as err:
        decode(bytes(body))
    assert err.value.offset == hoff


def test_offset_nested_attribute_overrunning_its_nest_inside_veth_peer() -> None:
    peer = LinkMessage(type=0, attrs={"IFLA_IFNAME": "peer0", "IFLA_MTU": 1400})
    msg = LinkMessage(
        attrs={
            "IFLA_IFNAME": "veth0",
            "IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}},
            "IFLA_MTU": 1400,  # after the nest: the overrun stays inside the message
        }
    )
    data = bytearray(msg.encode())
    decoded = decode(bytes(data))[0]
    peer_attrs = decoded.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"].attrs
    mtu_off = next(off for off, key in peer_attrs.header_offsets().items() if key == "IFLA_MTU")
    struct.pack_into("=H", data, mtu_off, 16)  # 8 really; the peer ends right after it
    with pytest.raises(DecodeError) as err:
        decode(bytes(data))
    assert err.value.offset == mtu_off
    assert "IFLA" in err.value.reason


# ---------------------------------------------------------------------------------- layout cache


def _linkinfo(kind: str, data: Any) -> LinkMessage:
    return LinkMessage(attrs={"IFLA_IFNAME": "x", "IFLA_LINKINFO": {"IFLA_INFO_KIND": kind, "IFLA_INFO_DATA": data}})


@pytest.mark.parametrize("first_known", [True, False])
def test_cache_kind_string_decides_the_data_table(first_known: bool) -> None:
    bridge = _linkinfo("bridge", {"IFLA_BR_STP_STATE": 1, "IFLA_BR_PRIORITY": 7}).encode()
    other = bridge.replace(b"bridge\0", b"bridgf\0")
    assert len(other) == len(bridge)
    assert other != bridge
    clear_layout_cache()
    for data in (bridge, other) if first_known else (other, bridge):
        attrs = decode(data)[0].attrs["IFLA_LINKINFO"]
        if data is bridge:
            assert attrs["IFLA_INFO_KIND"] == "bridge"
            assert attrs["IFLA_INFO_DATA"] == {"IFLA_BR_STP_STATE": 1, "IFLA_BR_PRIORITY": 7}
        else:
            assert attrs["IFLA_INFO_KIND"] == "bridgf"
            assert isinstance(attrs["IFLA_INFO_DATA"], bytes)


def test_cache_same_table_kinds_decode_their_own_kind() -> None:
    a = _linkinfo("macvlan", {"IFLA_MACVLAN_MODE": 4}).encode()
    b = a.replace(b"macvlan\0", b"macvtap\0")
    clear_layout_cache()
    assert decode(a)[0].attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == "macvlan"
    assert decode(b)[0].attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == "macvtap"
    assert decode(b)[0].attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"] == {"IFLA_MACVLAN_MODE": 4}


def test_cache_header_type_at_same_position() -> None:
    a = LinkMessage(attrs={"IFLA_IFNAME": "x", "IFLA_MTU": 1500}).encode()
    b = LinkMessage(attrs={"IFLA_IFNAME": "x", "IFLA_LINK": 1500}).encode()
    assert len(a) == len(b)
    clear_layout_cache()
    assert dict(decode(a)[0].attrs) == {"IFLA_IFNAME": "x", "IFLA_MTU": 1500}
    assert dict(decode(b)[0].attrs) == {"IFLA_IFNAME": "x", "IFLA_LINK": 1500}


def test_cache_nested_layout_with_same_total_length() -> None:
    a = RouteMessage(attrs={"RTA_METRICS": {"RTAX_MTU": 1, "RTAX_WINDOW": 2}}).encode()
    b = RouteMessage(attrs={"RTA_METRICS": {"RTAX_CC_ALGO": "abcdefghijk"}}).encode()
    assert len(a) == len(b)
    clear_layout_cache()
    assert decode(a)[0].attrs["RTA_METRICS"] == {"RTAX_MTU": 1, "RTAX_WINDOW": 2}
    assert decode(b)[0].attrs["RTA_METRICS"] == {"RTAX_CC_ALGO": "abcdefghijk"}


def test_cache_family_decides_protinfo() -> None:
    bridge = LinkMessage(family=7, attrs={"IFLA_PROTINFO": {"IFLA_BRPORT_MODE": 1}}).encode()
    unspec = bytearray(bridge)
    unspec[16] = 0
    clear_layout_cache()
    assert decode(bridge)[0].attrs["IFLA_PROTINFO"] == {"IFLA_BRPORT_MODE": 1}
    assert isinstance(decode(bytes(unspec))[0].attrs["IFLA_PROTINFO"], bytes)


def test_cache_nested_flag_decides_protinfo() -> None:
    nested = LinkMessage(family=7, attrs={"IFLA_PROTINFO": {"IFLA_BRPORT_MODE": 1}}).encode()
    flat = bytearray(nested)
    struct.pack_into("=H", flat, 34, 12)  # IFLA_PROTINFO without NLA_F_NESTED
    clear_layout_cache()
    cold = decode_outcome(bytes(flat))
    assert decode(nested)[0].attrs["IFLA_PROTINFO"] == {"IFLA_BRPORT_MODE": 1}
    warm = decode_outcome(bytes(flat))
    assert warm == cold
    # without the flag it is the old one-byte port state, never the nest
    assert warm[0] == "error" or warm[1][0][1]["attrs"]["IFLA_PROTINFO"] != {"IFLA_BRPORT_MODE": 1}


@SETTINGS
@given(any_message, st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4))
def test_cache_warm_decode_equals_cold_decode(msg: Any, edits: list[tuple[int, int]]) -> None:
    """Decode a message (filling the cache), change some bytes (same length), and decode again:
    the result must be exactly what a decode with an empty cache gives."""
    data = msg.encode()
    changed = bytearray(data)
    for pos, value in edits:
        changed[pos % len(changed)] = value
    clear_layout_cache()
    decode(data)
    warm = decode_outcome(bytes(changed))
    clear_layout_cache()
    cold = decode_outcome(bytes(changed))
    assert warm == cold


def test_materialise_helper_sees_every_level() -> None:
    """The helpers above really walk nests, peers and nexthops (else the checks are vacuous)."""
    peer = LinkMessage(type=0, attrs={"IFLA_IFNAME": "p"})
    msg = LinkMessage(attrs={"IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}}})
    decoded = decode(msg.encode())[0]
    assert len(_all_header_offsets(decoded)) == 5  # LINKINFO, KIND, DATA, PEER, peer's IFNAME
    plain = materialise(decoded)
    peer_plain = plain[1]["attrs"]["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    assert peer_plain[1]["attrs"] == {"IFLA_IFNAME": "p"}
    assert rawnl.decode(msg.encode()) == [msg]


# ---------------------------------------------------------------------------------- pick()


def _reference_pick(attrs: Any, keys: tuple[Any, ...]) -> tuple[Any, ...] | rawnl.InvalidMessageError:
    """What ``codec.pick`` must return: each key (or path of keys) looked up value by value; an
    attribute held more than once on the way is refused (the error pick must raise)."""
    out = []
    for key in keys:
        value: Any = attrs
        for part in key if isinstance(key, tuple) else (key,):
            value = value.get(part) if isinstance(value, Mapping) else None
            if isinstance(value, Repeated):
                return rawnl.InvalidMessageError(str(part), f"occurs {len(value)} times where one value is expected")
        out.append(value)
    return tuple(out)


def _pick_or_error(attrs: Any, keys: tuple[Any, ...]) -> tuple[Any, ...] | rawnl.InvalidMessageError:
    try:
        return codec.pick(attrs, keys)
    except rawnl.InvalidMessageError as exc:
        return exc


@SETTINGS
@given(st.one_of(link_messages(), address_messages(), route_messages()), st.data())
def test_pick_reads_what_the_mapping_holds(msg: Any, data: st.DataObject) -> None:
    """``pick`` (a reader compiled per layout) agrees with looking each value up, for keys and
    paths that exist, that do not, and that are asked for twice."""
    [decoded] = decode(msg.encode())
    paths = attr_paths(decoded.attrs)
    choices = st.one_of(
        st.sampled_from(paths) if paths else st.nothing(),
        st.sampled_from(["IFLA_MTU", "IFA_LABEL", "RTA_TABLE", ("IFLA_LINKINFO", "IFLA_INFO_KIND"), 999]),
    )
    keys = tuple(k[0] if isinstance(k, tuple) and len(k) == 1 else k for k in data.draw(st.lists(choices, max_size=8)))

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, Exception) or isinstance(b, Exception):
            return type(a) is type(b) and str(a) == str(b)
        return bool(a == b)

    expected = _reference_pick(decoded.attrs, keys)
    assert same(_pick_or_error(decoded.attrs, keys), expected)
    assert same(_pick_or_error(decoded.attrs, keys), expected)  # the cached reader
    assert same(_pick_or_error(msg.attrs, keys), _reference_pick(msg.attrs, keys))  # plain mappings too


def test_pick_same_key_twice() -> None:
    """Regression: a key asked for twice made the compiled reader's struct drift (struct.error)."""
    [msg] = decode(LinkMessage(attrs={"IFLA_MTU": 1500, "IFLA_IFNAME": "x", "IFLA_TXQLEN": 7}).encode())
    assert codec.pick(msg.attrs, ("IFLA_MTU", "IFLA_MTU", "IFLA_TXQLEN")) == (1500, 1500, 7)


def test_pick_paths_into_every_kind_of_nest() -> None:
    """Regression: a path into IFLA_PROTINFO (a nest that is not a plain ``nested()``) gave None."""
    peer = LinkMessage(type=0, attrs={"IFLA_MTU": 3})
    msg = LinkMessage(
        family=7,
        attrs={
            "IFLA_PROTINFO": {"IFLA_BRPORT_MODE": 1},
            "IFLA_AF_SPEC": {"IFLA_BRIDGE_MODE": 2},  # AF_BRIDGE: IFLA_BRIDGE_*, not per family
            "IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}},
        },
    )
    [decoded] = decode(msg.encode())
    keys = (
        ("IFLA_PROTINFO", "IFLA_BRPORT_MODE"),
        ("IFLA_AF_SPEC", "IFLA_BRIDGE_MODE"),
        ("IFLA_LINKINFO", "IFLA_INFO_KIND"),
        ("IFLA_LINKINFO", "IFLA_INFO_DATA", "VETH_INFO_PEER", "IFLA_MTU"),  # a message, not a mapping
    )
    assert codec.pick(decoded.attrs, keys) == (1, 2, "veth", None) == _reference_pick(decoded.attrs, keys)
