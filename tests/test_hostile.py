"""Hostile and odd input: what an attacker or a strange kernel can hand the decoder, the typed
layer and the command's shapes, and the one error each may raise.

The contract: ``rawnl.decode`` raises only :class:`rawnl.DecodeError`; the typed layer
(``link_from``, ``address_from``, ``route_from`` and the results' properties) and the ``ip`` shapes
of the command raise only :class:`rawnl.InvalidMessageError` (a ``ValueError`` naming the field) on
a message that decoded; flags survive re-encoding.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from ipaddress import IPv4Address
from typing import Any

import pytest

import rawnl
from rawnl import AddressMessage, DecodeError, DoneMessage, ErrorMessage, InvalidMessageError, LinkMessage, RouteMessage
from rawnl.cli.ip import address as addr_shapes
from rawnl.cli.ip import link as link_shapes
from rawnl.cli.ip import route as route_shapes
from rawnl.cli.ip.common import View
from rawnl.ops.addresses import address_from
from rawnl.ops.links import link_from
from rawnl.ops.routes import route_from

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

NLA = struct.Struct("=HH")
IFINFOMSG = struct.Struct("=BxHiII")
RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE = 16, 20, 24
IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 18, 1, 2, 1


def nla(atype: int, payload: bytes) -> bytes:
    return NLA.pack(4 + len(payload), atype) + payload + b"\0" * (-len(payload) % 4)


def peer_bomb(depth: int) -> bytes:
    """A link message whose veth peer's link info holds another veth peer, ``depth`` deep (about
    40 bytes a level: 200 levels are 8 KB)."""
    body = b""
    for _ in range(depth):
        info = nla(IFLA_INFO_KIND, b"veth\0") + nla(
            IFLA_INFO_DATA, nla(VETH_INFO_PEER, IFINFOMSG.pack(0, 0, 0, 0, 0) + body)
        )
        body = nla(IFLA_LINKINFO, info)
    payload = IFINFOMSG.pack(0, 0, 1, 0, 0) + body
    return struct.pack("=IHHII", 16 + len(payload), RTM_NEWLINK, 0, 0, 0) + payload


# ------------------------------------------------------------------------------------ nesting


def test_a_200_level_peer_bomb_is_a_decode_error() -> None:
    bomb = peer_bomb(200)
    assert len(bomb) > 8000
    with pytest.raises(DecodeError) as info:
        rawnl.decode(bomb)
    assert "nested" in info.value.reason
    assert 32 <= info.value.offset < len(bomb)


def test_real_nesting_depths_decode() -> None:
    """A veth in a veth's peer (what the kernel never sends, but a request may hold) is fine a
    few levels deep; the limit is far above any real message."""
    [msg] = rawnl.decode(peer_bomb(5))
    assert isinstance(msg, LinkMessage)
    peer = msg.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    assert isinstance(peer, LinkMessage)


# ------------------------------------------------------------------------------ typed layer


def _route(**fields: Any) -> RouteMessage:
    [msg] = rawnl.decode(RouteMessage(**fields).encode())
    assert isinstance(msg, RouteMessage)
    return msg


def _addr(**attrs: Any) -> bytes:
    return AddressMessage(family=2, prefixlen=24, index=2, attrs=attrs).encode()


def _repeated(msg_bytes: bytes, extra: bytes) -> Any:
    """``msg_bytes`` with ``extra`` attributes appended (length fixed up), decoded."""
    data = bytearray(msg_bytes + extra)
    struct.pack_into("=I", data, 0, len(data))
    [msg] = rawnl.decode(bytes(data))
    return msg


HOSTILE: list[tuple[str, Callable[[], Any]]] = [
    ("dst_len 255", lambda: _route(family=2, dst_len=255, attrs={"RTA_DST": "198.51.100.0"})),
    ("host bits set", lambda: _route(family=2, dst_len=24, attrs={"RTA_DST": "198.51.100.7"})),
    ("v4 family, v6 dst, long prefix", lambda: _route(family=2, dst_len=100, attrs={"RTA_DST": "2001:db8::"})),
    ("src_len 200", lambda: _route(family=2, src_len=200, attrs={"RTA_SRC": "192.0.2.0"})),
    (
        "route metrics twice",
        lambda: _repeated(
            RouteMessage(family=2, attrs={"RTA_METRICS": {"RTAX_MTU": 1400}}).encode(), nla(8, nla(2, b"\1\0\0\0"))
        ),
    ),
    ("link mtu twice", lambda: _repeated(LinkMessage(index=2, attrs={"IFLA_MTU": 1500}).encode(), nla(4, b"\1\0\0\0"))),
    ("link name twice", lambda: _repeated(LinkMessage(index=2, attrs={"IFLA_IFNAME": "a"}).encode(), nla(3, b"b\0"))),
    ("operstate twice", lambda: _repeated(LinkMessage(index=2, attrs={"IFLA_OPERSTATE": 6}).encode(), nla(16, b"\6"))),
    (
        "linkinfo twice",
        lambda: _repeated(
            LinkMessage(index=2, attrs={"IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth"}}).encode(), nla(18, nla(1, b"x\0"))
        ),
    ),
    ("addr local twice", lambda: _repeated(_addr(IFA_LOCAL="192.0.2.1"), nla(2, bytes(4)))),
    ("addr flags twice", lambda: _repeated(_addr(IFA_FLAGS=0x80), nla(8, bytes(4)))),
    ("addr cacheinfo short", lambda: _repeated(_addr(), nla(6, bytes(8)))),
    ("route table twice", lambda: _repeated(RouteMessage(attrs={"RTA_TABLE": 9}).encode(), nla(15, bytes(4)))),
]  # fmt: skip


def _typed_and_shapes(msg: Any) -> None:
    """Everything the typed layer and the shapes do with a message: convert, read every
    property, print as ``ip -j`` and as text."""
    view = View()
    if isinstance(msg, LinkMessage):
        link = link_from(msg)
        _ = (link.up, link.stats, link.brport, link.hairpin, link.min_mtu, link.max_mtu, repr(link))
        obj = link_shapes.link_json(msg, view)
        link_shapes.link_text(obj)
    elif isinstance(msg, AddressMessage):
        addr = address_from(msg)
        _ = (addr.with_prefix, addr.preferred_lft, addr.valid_lft, repr(addr))
        info = addr_shapes.addr_info_json(msg)
        addr_shapes.addr_event_text({"ifindex": msg.index, "ifname": "x", "addr_info": [info]})
    elif isinstance(msg, RouteMessage):
        route = route_from(msg)
        _ = (route.dst_len, route.src, route.iif, route.metrics, route.multipath, route.route_flags, repr(route))
        route_shapes.route_text(route_shapes.route_json(msg, view))


@pytest.mark.parametrize(("what", "build"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_typed_layer_raises_only_its_documented_error(what: str, build: Callable[[], Any]) -> None:
    msg = build()
    try:
        _typed_and_shapes(msg)
    except InvalidMessageError as exc:  # no other exception may escape: pytest reports it as a failure
        error: InvalidMessageError | None = exc
    else:
        error = None
    if error is not None:
        assert error.field  # names the field
        assert str(error).startswith(f"{error.field}: ")


def test_invalid_message_error_names_the_field() -> None:
    msg = _route(family=2, dst_len=255, attrs={"RTA_DST": "198.51.100.0"})
    with pytest.raises(InvalidMessageError, match="rtm_dst_len") as info:
        route_from(msg)
    assert info.value.field == "rtm_dst_len"
    assert isinstance(info.value, ValueError)


def test_a_valid_message_still_converts() -> None:
    msg = _route(family=2, dst_len=24, table=254, attrs={"RTA_DST": "198.51.100.0", "RTA_GATEWAY": "192.0.2.1"})
    route = route_from(msg)
    assert (str(route.dst), route.gateway) == ("198.51.100.0/24", IPv4Address("192.0.2.1"))


# ------------------------------------------------------------------------ flags survive


@pytest.mark.parametrize("cls", [ErrorMessage, DoneMessage])
def test_ack_tlvs_flag_survives_reencoding_without_tlvs(cls: type[Any]) -> None:
    """An error/done message that says NLM_F_ACK_TLVS but carries no TLVs (legal: the kernel
    sets the flag when it could have sent some) re-encodes to the same bytes."""
    capped, ack_tlvs = 0x100, 0x200
    if cls is ErrorMessage:
        body = struct.pack("=i", -17) + struct.pack("=IHHII", 20, 16, 0x605, 7, 0)
        flags = capped | ack_tlvs
    else:
        body = struct.pack("=i", 0)
        flags = 0x2 | ack_tlvs
    raw = struct.pack("=IHHII", 16 + len(body), 2 if cls is ErrorMessage else 3, flags, 7, 99) + body
    [msg] = rawnl.decode(raw)
    assert isinstance(msg, cls)
    assert msg.flags & ack_tlvs
    assert msg.encode() == raw
