"""The decoder's fast paths give what the generic path gives.

A cached layout is reused after one ``struct`` call compares every byte its scan declared
(``codec._compile_check``); values are then read through per-layout readers (``Attrs`` for
integers, strings and MACs, ``codec.picker``/``codec.pick`` for many values at once).  The generic
path is a fresh scan and each value type's own ``decode``.  Here, for random messages of every
family and for buffers mutated where the layout check looks and where it does not:

* the check sees every declared byte (changing any one changes what it reads);
* a buffer whose declared bytes were changed decodes, warm, exactly as a cold decode does
  (the same values or the same ``DecodeError``);
* a buffer whose other bytes were changed reuses the layout, and every value read through the
  layout's readers is what ``decode`` of the value's type gives for that buffer.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rawnl
from rawnl import AddressMessage, LinkMessage, Repeated, RouteMessage, decode
from rawnl.wire import codec, structs
from rawnl.wire.codec import ScanContext, clear_layout_cache, scan_level
from rawnl.wire.message import Message

from codec_strategies import (  # isort: skip
    SETTINGS,
    attr_paths,
    address_messages,
    decode_outcome,
    link_messages,
    materialise,
    route_messages,
)

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)


family_messages = st.one_of(link_messages(), address_messages(), route_messages())


#: These tests encode hundreds of random messages, each a new shape for the compiled encoders.
pytestmark = pytest.mark.usefixtures("empty_encoder_shapes")


def _declared(data: bytes) -> tuple[Any, set[int]]:
    """The top-level layout check of a family message, and every byte position it covers."""
    cls = type(decode(data)[0])
    family = data[16] if "family" in cls.FIELDS else 0
    ctx = ScanContext(family)
    scan_level(data, cls.ATTRS_AT, len(data), cls.TABLE, ctx)
    positions = {p for off, n in ctx.checks for p in range(off, off + n)}
    return codec._compile_check(ctx.checks), positions


def _generic(value: Any) -> Any:
    """Every value reachable from ``value``, decoded by each type's own ``decode`` (no reader,
    no cache): the generic path the fast ones must agree with."""
    if isinstance(value, codec.Attrs):
        return {
            key: _generic(typ.decode(value._data, start, end, sub))
            for key, (start, end, typ, sub) in value._level.entries.items()
        }
    if isinstance(value, structs.Nexthop):
        return ("nexthop", value.flags, value.hops, value.ifindex, _generic(value.attrs))
    if isinstance(value, list):  # Repeated, multipath
        return [_generic(v) for v in value]
    if isinstance(value, Message):
        fields = {f: getattr(value, f) for f in value._fields if f != "attrs"}
        if hasattr(value, "attrs"):
            fields["attrs"] = _generic(value.attrs)
        return (type(value).__name__, fields)
    return value


def _edit(data: bytes, positions: list[int], values: list[int]) -> bytes:
    out = bytearray(data)
    for pos, value in zip(positions, values, strict=False):
        out[pos] = value
    return bytes(out)


@SETTINGS
@given(family_messages, st.data())
def test_the_check_reads_every_declared_byte(msg: Any, data: st.DataObject) -> None:
    encoded = msg.encode()
    check, declared = _declared(encoded)
    if not declared:
        return
    expected = check.unpack_from(encoded, 0)
    for pos in sorted(declared):
        flipped = _edit(encoded, [pos], [encoded[pos] ^ data.draw(st.integers(1, 255), label=f"xor at {pos}")])
        assert check.unpack_from(flipped, 0) != expected, pos


@SETTINGS
@given(family_messages, st.data())
def test_a_declared_byte_changed_decodes_warm_as_cold(msg: Any, data: st.DataObject) -> None:
    """The same values, or the same DecodeError and offset, as a decode with an empty cache."""
    encoded = msg.encode()
    _, declared = _declared(encoded)
    if not declared:
        return
    positions = data.draw(st.lists(st.sampled_from(sorted(declared)), min_size=1, max_size=3))
    changed = _edit(encoded, positions, data.draw(st.lists(st.integers(0, 255), min_size=3, max_size=3)))
    clear_layout_cache()
    decode(encoded)
    warm = decode_outcome(changed)
    clear_layout_cache()
    assert warm == decode_outcome(changed)


@SETTINGS
@given(family_messages, st.data())
def test_layout_readers_give_what_each_type_decodes(msg: Any, data: st.DataObject) -> None:
    """Read everything from one buffer (making the layout's readers), then from a buffer with the
    same layout and other payload bytes: both read what the generic path gives."""
    encoded = msg.encode()
    _, declared = _declared(encoded)
    start = type(msg).ATTRS_AT
    free = [p for p in range(start, len(encoded)) if p not in declared]
    clear_layout_cache()
    [first] = decode(encoded)
    assert materialise(first) == _generic(first)
    if not free:
        return
    positions = data.draw(st.lists(st.sampled_from(free), min_size=1, max_size=8))
    other = _edit(encoded, positions, data.draw(st.lists(st.integers(0, 255), min_size=8, max_size=8)))
    [second] = decode(other)
    assert second.attrs._level is first.attrs._level  # the layout was reused
    assert materialise(second) == _generic(second)
    for key in second.attrs:
        assert second.attrs.get(key) == second.attrs[key]


def _reference(attrs: Any, keys: tuple[Any, ...]) -> tuple[Any, ...] | rawnl.InvalidMessageError:
    """Each key looked up through the generic path (``typ.decode``): what picking must give."""
    out = []
    for key in keys:
        value: Any = attrs
        for part in key if isinstance(key, tuple) else (key,):
            if not isinstance(value, codec.Attrs):
                value = None
                continue
            entry = value._level.entries.get(part)
            value = None if entry is None else entry[2].decode(value._data, entry[0], entry[1], entry[3])
            if isinstance(value, Repeated):
                return rawnl.InvalidMessageError(str(part), f"occurs {len(value)} times where one value is expected")
        out.append(value)
    return tuple(out)


def _read(read: Any, attrs: Any) -> Any:
    try:
        return read(attrs)
    except rawnl.InvalidMessageError as exc:
        return exc


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Exception) or isinstance(b, Exception):
        return type(a) is type(b) and str(a) == str(b)
    return bool(a == b)


@SETTINGS
@given(family_messages, st.data())
def test_picker_reads_what_the_generic_path_reads(msg: Any, data: st.DataObject) -> None:
    """``picker(keys)`` and ``pick(attrs, keys)`` (readers compiled per layout, one ``struct``
    call) agree with the generic path, on the buffer the reader was made for and on another
    buffer with the same layout and other payload bytes."""
    encoded = msg.encode()
    _, declared = _declared(encoded)
    clear_layout_cache()
    [first] = decode(encoded)
    paths = attr_paths(first.attrs)
    choices = st.one_of(
        st.sampled_from(paths) if paths else st.nothing(),
        st.sampled_from(
            ["IFLA_MTU", "IFLA_IFNAME", "IFLA_ADDRESS", "IFA_LABEL", "RTA_TABLE", ("IFLA_LINKINFO", "IFLA_INFO_KIND")]
        ),
    )
    keys = tuple(k[0] if isinstance(k, tuple) and len(k) == 1 else k for k in data.draw(st.lists(choices, max_size=8)))
    pick_keys = codec.picker(keys)
    free = [p for p in range(type(msg).ATTRS_AT, len(encoded)) if p not in declared]
    buffers = [encoded]
    if free:
        positions = data.draw(st.lists(st.sampled_from(free), min_size=1, max_size=8))
        buffers.append(_edit(encoded, positions, data.draw(st.lists(st.integers(0, 255), min_size=8, max_size=8))))
    for buf in buffers:
        [decoded] = decode(buf)
        expected = _reference(decoded.attrs, keys)
        assert _same(_read(pick_keys, decoded.attrs), expected)
        assert _same(_read(lambda a: codec.pick(a, keys), decoded.attrs), expected)
    assert _same(_read(pick_keys, msg.attrs), _read(lambda a: codec.pick(a, keys), msg.attrs))  # a plain mapping


def test_reading_a_missing_key() -> None:
    """A key the message does not hold: ``KeyError`` from ``[]``, the default from ``get``, before
    and after the layout has readers for the keys it holds."""
    data = LinkMessage(attrs={"IFLA_IFNAME": "a", "IFLA_MTU": 1500}).encode()
    for _ in range(2):
        [msg] = decode(data)
        assert (msg.attrs["IFLA_IFNAME"], msg.attrs.get("IFLA_MTU")) == ("a", 1500)
        with pytest.raises(KeyError):
            msg.attrs["IFLA_MASTER"]
        assert msg.attrs.get("IFLA_MASTER", 7) == 7
        assert msg.attrs.get("IFLA_MASTER") is None
        assert "IFLA_MASTER" not in msg.attrs


def test_readers_are_made_for_fixed_integers_strings_and_macs_only() -> None:
    """Values that are containers (nests, structs) are decoded once and cached, so reading one
    twice gives the same object; integers, strings and MACs are read from the bytes each time."""
    msg = AddressMessage(attrs={"IFA_LABEL": "x", "IFA_CACHEINFO": (1, 2, 3, 4)})
    route = RouteMessage(attrs={"RTA_METRICS": {"RTAX_MTU": 1400}, "RTA_TABLE": 1000})
    [a] = decode(msg.encode())
    [r] = decode(route.encode())
    assert a.attrs["IFA_CACHEINFO"] is a.attrs["IFA_CACHEINFO"]
    assert r.attrs["RTA_METRICS"] is r.attrs["RTA_METRICS"]
    assert (a.attrs["IFA_LABEL"], r.attrs["RTA_TABLE"]) == ("x", 1000)
    assert a.attrs._level.readers["IFA_LABEL"] is not None is a.attrs._level.readers["IFA_CACHEINFO"]
    assert r.attrs._level.readers["RTA_TABLE"] is not None is r.attrs._level.readers["RTA_METRICS"]
    assert codec._NONE_YET == {}  # the empty dict levels share until they have readers


def test_picker_reads_each_kind_of_value() -> None:
    """One of each kind a picker reads in its struct call: integers, a string, a MAC, a nested
    string, a flag-less absent key (None), and the same from a second buffer of the layout."""
    keys = ("IFLA_MTU", "IFLA_IFNAME", "IFLA_ADDRESS", ("IFLA_LINKINFO", "IFLA_INFO_KIND"), "IFLA_MASTER", "IFLA_LINK")
    pick_keys = codec.picker(keys)
    clear_layout_cache()
    for name, mac, mtu in (("va1", "02:00:00:00:00:01", 1500), ("vb2", "02:00:00:00:00:ff", 9000)):
        attrs = {"IFLA_IFNAME": name, "IFLA_MTU": mtu, "IFLA_ADDRESS": mac, "IFLA_LINK": 7}
        [msg] = decode(LinkMessage(attrs={**attrs, "IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth"}}).encode())
        assert pick_keys(msg.attrs) == (mtu, name, mac, "veth", None, 7) == codec.pick(msg.attrs, keys)


@pytest.mark.parametrize("with_data", [True, False])
def test_picker_reads_a_kind_of_each_buffer(with_data: bool) -> None:
    """Two kinds of the same length: with ``IFLA_INFO_DATA`` the kind chose its table, so the
    layout's check compares it (a layout per kind); without, the layout is shared.  Either way
    the picker (and pick) read each buffer's own kind."""
    keys = (("IFLA_LINKINFO", "IFLA_INFO_KIND"), "IFLA_IFNAME")
    pick_keys = codec.picker(keys)
    clear_layout_cache()
    seen = []
    for kind in ("veth", "vcan", "veth"):
        info: dict[str, Any] = {"IFLA_INFO_KIND": kind}
        if with_data:
            info["IFLA_INFO_DATA"] = b""  # an empty nest for veth, empty bytes for vcan
        [msg] = decode(LinkMessage(attrs={"IFLA_IFNAME": kind[::-1], "IFLA_LINKINFO": info}).encode())
        assert pick_keys(msg.attrs) == (kind, kind[::-1]) == codec.pick(msg.attrs, keys)
        seen.append(msg.attrs._level)
    assert seen[0] is seen[2]
    assert (seen[0] is not seen[1]) == with_data  # one layout per kind when declared
