"""The request path's shortcuts (issue 12): ``ack_only``, which reads a plain ACK without the
decoder, must agree with the decoder on every 36-byte shape; the one-``recvfrom_into`` receive
must give what the sized receive gives (the same errors, field by field), ask a GET again when
its reply did not fit, and drop a stale datagram that did not fit."""

from __future__ import annotations

import errno
import struct
from collections.abc import Callable, Iterator
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rawnl import IPRoute, LinkMessage, NetlinkError, NetlinkSocket, NetNS
from rawnl.engine import socket as socket_module
from rawnl.engine.socket import ack_only
from rawnl.errors import DecodeError
from rawnl.wire.message import ErrorMessage, decode
from rawnl.wire.uapi import NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, RTM_GETLINK, RTNLGRP_LINK

pytestmark = pytest.mark.uml

SEQ, PORT = 7, 4242
ACK = struct.Struct("=IHHIIiIHHII")  # nlmsghdr, error, the echoed nlmsghdr


def decoder_says_ack(buf: bytes, seq: int, port: int) -> bool:
    """What the full decoder makes of ``buf``: exactly one success NLMSG_ERROR for ``(seq, port)``."""
    try:
        msgs = decode(buf)
    except DecodeError:
        return False
    return (
        len(msgs) == 1
        and type(msgs[0]) is ErrorMessage
        and msgs[0].error == 0
        and msgs[0].seq == seq
        and msgs[0].pid == port
    )


def shape(fields: tuple[int, int, int, int, int, int, int], rest: bytes = bytes(12)) -> bytes:
    """36 bytes: ``(length, type, flags, seq, pid, error, echoed length)``, then ``rest``."""
    return ACK.pack(*fields, 16, 0, 0, 0)[:24] + rest


@settings(max_examples=3000, deadline=None)
@given(
    fields=st.tuples(
        st.sampled_from([36, 20, 16, 40, 0, 35, 37]) | st.integers(0, 0xFFFFFFFF),  # length
        st.sampled_from([NLMSG_ERROR, NLMSG_DONE, 1, 16]) | st.integers(0, 0xFFFF),  # type
        st.sampled_from([NLM_F_CAPPED, 0, NLM_F_CAPPED | NLM_F_ACK_TLVS, NLM_F_ACK_TLVS]) | st.integers(0, 0xFFFF),
        st.sampled_from([SEQ, SEQ + 1, 0]),
        st.sampled_from([PORT, 0, PORT + 1]),
        st.sampled_from([0, -errno.ENODEV, -1, 1]) | st.integers(-(2**31), 2**31 - 1),  # error
        st.sampled_from([16, 15, 17, 36, 0]) | st.integers(0, 0xFFFFFFFF),  # the echoed length
    ),
    rest=st.binary(min_size=12, max_size=12),
)
def test_ack_only_agrees_with_the_decoder(fields: tuple[int, int, int, int, int, int, int], rest: bytes) -> None:
    buf = shape(fields, rest)
    assert len(buf) == 36
    assert ack_only(buf, SEQ, PORT) == decoder_says_ack(buf, SEQ, PORT)
    if socket_module._unpack_ack_head(buf) == (socket_module._ACK_HEAD, SEQ, PORT, 0):  # request's own check
        assert ack_only(buf, SEQ, PORT)
    assert ack_only(bytearray(buf) + bytes(64), SEQ, PORT) == decoder_says_ack(buf, SEQ, PORT)  # a larger buffer


def test_ack_only_accepts_the_plain_acks() -> None:
    """The shapes the kernel sends for a success (capped, or a bodiless request echoed whole)
    are taken; the same with an error, another seq or port, are not."""
    capped = shape((36, NLMSG_ERROR, NLM_F_CAPPED, SEQ, PORT, 0, 48))
    whole = shape((36, NLMSG_ERROR, 0, SEQ, PORT, 0, 16))
    for buf in (capped, whole):
        assert ack_only(buf, SEQ, PORT)
        assert decoder_says_ack(buf, SEQ, PORT)
    # request's own check takes the capped one (what this kernel sends); the other goes to ack_only
    assert socket_module._unpack_ack_head(capped) == (socket_module._ACK_HEAD, SEQ, PORT, 0)
    assert socket_module._unpack_ack_head(whole) != (socket_module._ACK_HEAD, SEQ, PORT, 0)
    for buf in (
        shape((36, NLMSG_ERROR, NLM_F_CAPPED, SEQ, PORT, -errno.EEXIST, 48)),
        shape((36, NLMSG_ERROR, NLM_F_CAPPED, SEQ + 1, PORT, 0, 48)),
        shape((36, NLMSG_ERROR, NLM_F_CAPPED, SEQ, PORT + 1, 0, 48)),
        shape((36, NLMSG_ERROR, 0, SEQ, PORT, 0, 48)),  # claims an echo it does not hold
    ):
        assert not ack_only(buf, SEQ, PORT)


# ---------------------------------------------------------------------- on the real kernel


@pytest.fixture
def pair(netns: NetNS, netns2: NetNS) -> Iterator[tuple[IPRoute, IPRoute]]:
    """Two handles in two namespaces alike: the first reads replies with one recvfrom_into, the
    second (subscribed to a group) with the sized receive and the decoder for everything."""
    with IPRoute(netns) as fast, IPRoute(netns2) as sized:
        sized.sock.subscribe(RTNLGRP_LINK)
        yield fast, sized


def mtu_of(handle: IPRoute, name: str) -> int | None:
    return handle.link_get(name).mtu


def outcome(call: Callable[[], object]) -> tuple[object, ...]:
    try:
        return ("ok", call())
    except NetlinkError as exc:
        return (exc.errno, exc.kernel_message, exc.attribute, exc.offset, exc.missing, exc.request_type, str(exc))


def test_fast_and_sized_receive_agree(pair: tuple[IPRoute, IPRoute], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same requests through either receive: the same successes and the same refusals,
    field by field (extended-ack text, the attribute pointed at, missing attributes)."""
    fast, sized = pair
    results: dict[str, list[tuple[object, ...]]] = {}
    shortcuts = {"f": 0, "s": 0}
    heads: dict[str, list[bool]] = {"f": [], "s": []}  # request's own ACK check: taken or not
    unpack_head = socket_module._unpack_ack_head
    for handle, tag in ((fast, "f"), (sized, "s")):

        def counted(buf: bytearray, seq: int, port: int, tag: str = tag) -> bool:
            shortcuts[tag] += 1
            return ack_only(buf, seq, port)

        def counted_head(buf: bytearray, tag: str = tag) -> tuple[int, ...]:
            head: tuple[int, ...] = unpack_head(buf)
            heads[tag].append(head[0] == socket_module._ACK_HEAD and head[3] == 0)
            return head

        monkeypatch.setattr(socket_module, "ack_only", counted)
        monkeypatch.setattr(socket_module, "_unpack_ack_head", counted_head)
        handle.link_add_bridge("br0")
        results[tag] = [
            outcome(partial(handle.link_set, "br0", mtu=1400)),
            outcome(partial(handle.sock.request, LinkMessage(index=1, attrs={4: b"\x00\x05"}))),  # points at IFLA_MTU
            outcome(partial(handle.link_add_bridge, "br0")),  # EEXIST, no text
            outcome(partial(handle.link_add, "x0", "nosuchkind")),  # EOPNOTSUPP with text
            outcome(partial(handle.addr_add, "br0", "192.0.2.1/24")),
            outcome(partial(handle.addr_add, "br0", "192.0.2.1/24")),
            outcome(partial(handle.addr_del, "br0", "198.51.100.1/24")),
            outcome(partial(handle.route_add, "203.0.113.0/24", gateway="198.51.100.99")),
            outcome(partial(mtu_of, handle, "br0")),
            outcome(partial(handle.link_get, "nosuch0")),
        ]
    assert results["f"] == results["s"]
    # every 36-byte datagram (an ACK, or an error without extended-ack attributes) of the first
    # went through request's own check, the ACKs taken there (link_set, addr_add, addr_del...),
    # the errors (EEXIST...) left to ack_only; none of the second's: both receives were exercised
    assert heads["f"].count(True) >= 3
    assert heads["f"].count(False) >= 1
    assert shortcuts["f"] >= 1
    assert shortcuts["s"] == 0
    assert heads["s"] == []
    assert results["f"][0] == ("ok", None)
    assert results["f"][1][:3] == (errno.ERANGE, "Attribute failed policy validation", "IFLA_MTU")
    assert results["f"][3][:2] == (errno.EOPNOTSUPP, "Unknown device type")


def test_a_get_reply_too_long_for_the_buffer_is_asked_again(ipr_plain: IPRoute) -> None:
    sock = ipr_plain.sock
    sock._rbuf = bytearray(64)
    link = ipr_plain.link_get("lo")
    assert link.name == "lo"
    assert len(sock._rbuf) > 64  # it grew to the reply's length


def test_a_stale_datagram_too_long_for_the_buffer_is_dropped(ipr_plain: IPRoute) -> None:
    sock = ipr_plain.sock
    # An answer nobody reads (as after an interrupted call): a whole link message, seq 999999.
    sock._sock.send(LinkMessage(type=RTM_GETLINK, index=1).encode(flags=1, seq=999999))
    sock._rbuf = bytearray(64)
    replies = sock.request(LinkMessage(type=RTM_GETLINK, index=1), flags=0)
    assert [type(m) for m in replies] == [LinkMessage]
    assert replies[0].seq == sock._seq
    assert replies[0].seq != 999999
    ipr_plain.link_set("lo", mtu=1500)  # the ACK path after it: nothing left behind
    assert sock.pending() == 0


@pytest.fixture
def ipr_plain(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        yield handle


def test_request_path_keeps_its_buffer_between_calls(ipr_plain: IPRoute) -> None:
    sock = ipr_plain.sock
    buf = sock._rbuf
    for mtu in (1400, 1500, 1400):
        ipr_plain.link_set("lo", mtu=mtu)
    assert sock._rbuf is buf
    assert isinstance(sock, NetlinkSocket)
