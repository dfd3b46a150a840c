"""The encoding side of the codec: every accepted form of a value gives the same bytes, and bad
values, keys and header fields raise ``ValueError`` naming what was wrong.

Expected bytes are built here with ``struct`` and ``ipaddress`` directly, not with rawnl's own
helpers.  The per-row putters (``AttrType.putter``) take shortcuts for the common cases (exact
``ipaddress`` classes, packed bytes, in-range ints); these tests hold each shortcut to what the
general path and the kernel's layout say.
"""

from __future__ import annotations

import ipaddress
import re
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rawnl import AddressMessage, LinkMessage, Repeated, RouteMessage, decode
from rawnl.wire.address import ADDRESS
from rawnl.wire.codec import encode_attrs
from rawnl.wire.link import LINK, LINKINFO
from rawnl.wire.route import ROUTE

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_ADDRESS = 1
IFA_LOCAL = 2
IFA_FLAGS = 8
RTA_PRIORITY = 6
RTA_TABLE = 15
IFLA_LINKINFO = 18
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
VETH_INFO_PEER = 1
IFLA_IFNAME = 3
IFLA_MTU = 4


def nla(atype: int, payload: bytes) -> bytes:
    """One attribute as the kernel lays it out: u16 length (header included), u16 type, payload,
    zero padding to 4 bytes."""
    return struct.pack("=HH", 4 + len(payload), atype) + payload + bytes(-len(payload) % 4)


class MyAddress(ipaddress.IPv4Address):
    """A subclass: not one of the two exact classes the shortcut knows."""


ADDRESS_FORMS = [
    ipaddress.IPv4Address("192.0.2.1"),
    "192.0.2.1",
    b"\xc0\x00\x02\x01",
    ipaddress.IPv4Interface("192.0.2.1/24"),
    MyAddress("192.0.2.1"),
    ipaddress.IPv6Address("2001:db8::1"),
    "2001:db8::1",
    ipaddress.IPv6Address("2001:db8::1").packed,
    ipaddress.IPv6Interface("2001:db8::1/64"),
]


@pytest.mark.parametrize("value", ADDRESS_FORMS, ids=repr)
def test_every_form_of_an_address_encodes_the_same(value: Any) -> None:
    packed = ipaddress.ip_address(str(value).split("/")[0] if not isinstance(value, bytes) else value).packed
    assert encode_attrs(ADDRESS, {"IFA_LOCAL": value}) == nla(IFA_LOCAL, packed)


@given(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)))
def test_address_shortcut_equals_packed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    """The shortcut reads the int behind an ipaddress object; it must give ``.packed``."""
    assert encode_attrs(ADDRESS, {"IFA_ADDRESS": address, "IFA_LOCAL": address}) == nla(
        IFA_ADDRESS, address.packed
    ) + nla(IFA_LOCAL, address.packed)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"\x01\x02\x03", None),  # an odd size is kept as bytes (an MPLS label, say)
        (3.5, "IFA_LOCAL: an address attribute takes an ipaddress object or str, not float"),
        ("192.0.2.300", "IFA_LOCAL: '192.0.2.300' does not appear to be an IPv4 or IPv6 address"),
    ],
)
def test_address_other_values(value: Any, message: str | None) -> None:
    if message is None:
        assert encode_attrs(ADDRESS, {"IFA_LOCAL": value}) == nla(IFA_LOCAL, value)
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            encode_attrs(ADDRESS, {"IFA_LOCAL": value})


def test_integers_at_their_bounds() -> None:
    assert encode_attrs(ROUTE, {"RTA_TABLE": 0, "RTA_PRIORITY": 0xFFFFFFFF}) == nla(
        RTA_TABLE, struct.pack("=I", 0)
    ) + nla(RTA_PRIORITY, struct.pack("=I", 0xFFFFFFFF))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "RTA_TABLE: -1 does not fit in u32"),
        (1 << 32, "RTA_TABLE: 4294967296 does not fit in u32"),
        (True, "RTA_TABLE: u32 takes an int, not bool"),
        ("1000", "RTA_TABLE: u32 takes an int, not str"),
    ],
)
def test_integer_errors_name_the_attribute(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode_attrs(ROUTE, {"RTA_TABLE": value})


def test_int_subclass_takes_the_checked_path() -> None:
    class Big(int):
        pass

    assert encode_attrs(ROUTE, {"RTA_TABLE": Big(1000)}) == nla(RTA_TABLE, struct.pack("=I", 1000))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("IFA_NOPE", "'IFA_NOPE' is not an attribute of IFA"),
        ("IFLA_IFNAME", "'IFLA_IFNAME' is not an attribute of IFA"),
        (True, "True is not an attribute name or a 16-bit attribute type"),
        (0x10000, "65536 is not an attribute name or a 16-bit attribute type"),
        (-1, "-1 is not an attribute name or a 16-bit attribute type"),
    ],
)
def test_bad_keys(key: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encode_attrs(ADDRESS, {key: b""})
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):  # again, once a putter is kept
        encode_attrs(ADDRESS, {"IFA_LOCAL": b"\0" * 4, key: b""})


def test_raw_keys_keep_their_bits_and_bytes() -> None:
    assert encode_attrs(ADDRESS, {0x8000 | 77: b"\1\2\3", 9: b""}) == nla(0x8000 | 77, b"\1\2\3") + nla(9, b"")


def test_none_is_skipped_and_repeated_is_every_occurrence() -> None:
    out = encode_attrs(ADDRESS, {"IFA_LOCAL": None, "IFA_FLAGS": Repeated([1, 2, 3])})
    assert out == b"".join(nla(IFA_FLAGS, struct.pack("=I", i)) for i in (1, 2, 3))


def test_many_keys_in_order() -> None:
    """Past a few dozen keys the mapping is encoded in slices; order and bytes are unchanged."""
    attrs: dict[Any, Any] = {1000 + i: bytes([i % 256]) * (i % 7) for i in range(500)}
    assert encode_attrs(ADDRESS, attrs) == b"".join(nla(k, v) for k, v in attrs.items())


def test_many_keys_selected_nest_finds_its_kind_in_another_slice() -> None:
    """IFLA_INFO_DATA picks its table by IFLA_INFO_KIND, a sibling that may be in another slice."""
    attrs: dict[Any, Any] = {"IFLA_INFO_KIND": "veth"}
    attrs.update({100 + i: b"" for i in range(80)})
    attrs["IFLA_INFO_DATA"] = {"VETH_INFO_PEER": {"IFLA_IFNAME": "vb"}}
    peer = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + nla(IFLA_IFNAME, b"vb\0")
    expected = (
        nla(IFLA_INFO_KIND, b"veth\0")
        + b"".join(nla(100 + i, b"") for i in range(80))
        + nla(IFLA_INFO_DATA, nla(VETH_INFO_PEER, peer))
    )
    assert encode_attrs(LINKINFO, attrs) == expected


# ------------------------------------------------------------------------- fixed header fields


def test_message_encodes_header_fixed_part_and_attributes() -> None:
    msg = AddressMessage(
        type=20,
        flags=0x605,
        seq=7,
        pid=9,
        family=2,
        prefixlen=24,
        addr_flags=0x80,
        scope=253,
        index=5,
        attrs={"IFA_LOCAL": ipaddress.IPv4Address("192.0.2.1")},
    )
    body = struct.pack("=BBBBI", 2, 24, 0x80, 253, 5) + nla(IFA_LOCAL, bytes([192, 0, 2, 1]))
    assert msg.encode() == struct.pack("=IHHII", 16 + len(body), 20, 0x605, 7, 9) + body
    assert msg.encode(flags=1, seq=8, pid=0) == struct.pack("=IHHII", 16 + len(body), 20, 1, 8, 0) + body
    assert decode(msg.encode()) == [msg]


def test_route_and_link_fixed_parts() -> None:
    route = RouteMessage(
        family=10, dst_len=64, src_len=1, tos=2, table=254, protocol=3, scope=0, route_type=1, route_flags=0x200
    )
    assert route.encode()[16:] == struct.pack("=BBBBBBBBI", 10, 64, 1, 2, 254, 3, 0, 1, 0x200)
    link = LinkMessage(family=7, link_type=1, index=-3, link_flags=0x1003, change=0xFFFFFFFF)
    assert link.encode()[16:] == struct.pack("=BxHiII", 7, 1, -3, 0x1003, 0xFFFFFFFF)


@pytest.mark.parametrize(
    ("msg", "overrides", "message"),
    [
        (AddressMessage(prefixlen=256), {}, "cannot encode AddressMessage.prefixlen 256: "),
        (AddressMessage(index=-1), {}, "cannot encode AddressMessage.index -1: "),
        (RouteMessage(route_flags=1 << 32), {}, "cannot encode RouteMessage.route_flags 4294967296: "),
        (LinkMessage(link_type="1"), {}, "cannot encode LinkMessage.link_type '1': "),  # type: ignore[arg-type]
        (LinkMessage(seq=-1), {}, "cannot encode the netlink header's seq -1: "),
        (LinkMessage(), {"seq": 1 << 32}, "cannot encode the netlink header's seq 4294967296: "),
        (RouteMessage(type=0x10000), {}, "cannot encode the netlink header's type 65536: "),
        (AddressMessage(), {"flags": -1}, "cannot encode the netlink header's flags -1: "),
    ],
)
def test_bad_fields_name_the_field(msg: Any, overrides: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        msg.encode(**overrides)


def test_veth_peer_fixed_part_error_names_the_field() -> None:
    peer = LinkMessage(index=1 << 31, attrs={"IFLA_IFNAME": "vb"})
    attrs: dict[Any, Any] = {"IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}}}
    with pytest.raises(ValueError, match=r"cannot encode LinkMessage\.index 2147483648: "):
        LinkMessage(attrs=attrs).encode()
    good = LinkMessage(index=4, attrs={"IFLA_MTU": 1400})
    attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"] = good
    out = encode_attrs(LINK, attrs)
    peer_bytes = struct.pack("=BxHiII", 0, 0, 4, 0, 0) + nla(IFLA_MTU, struct.pack("=I", 1400))
    assert out == nla(
        IFLA_LINKINFO, nla(IFLA_INFO_KIND, b"veth\0") + nla(IFLA_INFO_DATA, nla(VETH_INFO_PEER, peer_bytes))
    )
