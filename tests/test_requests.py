"""The pure request builders (rawnl.ops.links, link_kinds, addresses, routes): their encodings,
their references, and their validation.

Two kinds of check:

* iproute2 as the oracle: each builder's encoding is compared byte for byte (sequence number and
  port id aside) with the request ``ip``/``bridge`` sends for the equivalent command, captured
  with ``strace -e write=all`` in a throw-away namespace during the test (the stored captures in
  ``tests/data/*.hex`` are compared in ``tests/test_golden.py``);
* structure: decode the encoding and check the fields and flags each docstring promises.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from typing import Any

import pytest

import rawnl
from rawnl.ops import addresses, link_kinds, links, routes
from rawnl.ops.request import LinkName, Request
from rawnl.wire.codec import NLA_F_NESTED

from iproute2_capture import nul_terminate_kinds, strace_sent  # isort: skip

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_DUMP = 0x1, 0x4, 0x200, 0x400, 0x300
IFA_F_NODAD, IFA_F_NOPREFIXROUTE = 0x02, 0x200
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_NOWHERE = 0, 253, 255


def wire(req: Request) -> bytes:
    return req.msg.encode(seq=0, pid=0)


def roundtrip(req: Request) -> Any:
    [back] = rawnl.decode(wire(req))
    return back


def resolved(req: Request, *numbers: int) -> Request:
    """``req`` with its references given ``numbers`` in order (as IPRoute resolves them: a link
    name its index, a namespace an fd)."""
    assert len(req.refs) == len(numbers)
    for ref, number in zip(req.refs, numbers, strict=True):
        if isinstance(ref, LinkName):
            ref.index = number
        else:
            ref.fd = number
    return req


# ------------------------------------------------------------------------ iproute2 as oracle


def _strace_requests(cmd: list[str]) -> list[bytes]:
    """Every netlink message ``cmd`` sent, seq and pid zeroed (some commands are refused by the
    kernel, e.g. deleting a route that is not there: the request was still sent)."""
    return [m[:8] + bytes(8) + m[16:] for m in strace_sent(cmd, check=False)]


@pytest.fixture
def scratch(netns: rawnl.NetNS, netns2: rawnl.NetNS, ip: Any) -> dict[str, Any]:
    """A namespace with links for ``ip`` to refer to: v0/v1 (veth), br0, v2/v3, v4/v5, v6/v7."""
    if shutil.which("strace") is None:
        pytest.skip("strace is needed to capture iproute2's requests")
    for a, b in (("v0", "v1"), ("v2", "v3"), ("v4", "v5"), ("v6", "v7")):
        ip.text("link", "add", a, "type", "veth", "peer", "name", b, ns=netns)
    ip.text("link", "add", "br0", "type", "bridge", ns=netns)
    ip.text("link", "set", "v2", "master", "br0", ns=netns)
    ip.text("link", "set", "v0", "up", ns=netns)
    ip.text("link", "set", "v1", "up", ns=netns)
    ip.text("addr", "add", "192.0.2.1/24", "dev", "v0", ns=netns)
    index = {link["ifname"]: link["ifindex"] for link in ip("link", "show", ns=netns)}
    return {"ns": netns, "ns2": netns2, "index": index}


# (command run under `ip -n NS`, builder of the equivalent request given the scratch context)
Case = tuple[list[str], Callable[[dict[str, Any]], Request]]

CASES: dict[str, Case] = {
    "veth": (
        ["link", "add", "vA", "type", "veth", "peer", "name", "vB"],
        lambda c: link_kinds.link_add_veth("vA", "vB"),
    ),
    "veth-queues": (
        [
            "link",
            "add",
            "vA",
            "numtxqueues",
            "1",
            "numrxqueues",
            "1",
            "type",
            "veth",
            "peer",
            "name",
            "vB",
            "numtxqueues",
            "1",
            "numrxqueues",
            "1",
        ],
        lambda c: link_kinds.link_add_veth("vA", "vB", num_queues=1),
    ),
    "veth-mtu-mac": (
        [
            "link",
            "add",
            "vA",
            "address",
            "02:00:00:00:00:0a",
            "mtu",
            "1400",
            "txqueuelen",
            "50",
            "type",
            "veth",
            "peer",
            "name",
            "vB",
            "address",
            "02:00:00:00:00:0b",
            "mtu",
            "1400",
            "txqueuelen",
            "50",
        ],
        lambda c: link_kinds.link_add_veth(
            "vA", "vB", mac="02:00:00:00:00:0a", peer_mac="02:00:00:00:00:0b", mtu=1400, txqlen=50
        ),
    ),
    "bridge": (["link", "add", "brX", "type", "bridge"], lambda c: link_kinds.link_add_bridge("brX")),
    "macvlan": (
        ["link", "add", "link", "v1", "mv0", "type", "macvlan", "mode", "bridge"],
        lambda c: link_kinds.link_add_macvlan("mv0", c["index"]["v1"], "bridge"),
    ),
    "macvlan-private": (
        ["link", "add", "link", "v1", "mv1", "type", "macvlan", "mode", "private"],
        lambda c: link_kinds.link_add_macvlan("mv1", c["index"]["v1"], "private"),
    ),
    "vxlan": (
        ["link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789"],
        lambda c: link_kinds.link_add_vxlan("vx0", 42),
    ),
    "set-up": (["link", "set", "dev", "v4", "up"], lambda c: links.link_set(c["index"]["v4"], up=True)),
    "set-down": (["link", "set", "dev", "v4", "down"], lambda c: links.link_set(c["index"]["v4"], up=False)),
    "set-mtu-txqlen-mac": (
        ["link", "set", "dev", "v4", "mtu", "1400", "txqueuelen", "500", "address", "02:00:00:00:00:01"],
        lambda c: links.link_set(c["index"]["v4"], mtu=1400, txqlen=500, mac="02:00:00:00:00:01"),
    ),
    "set-master": (
        ["link", "set", "dev", "v4", "master", "br0"],
        lambda c: links.link_set(c["index"]["v4"], master=c["index"]["br0"]),
    ),
    "set-nomaster": (
        ["link", "set", "dev", "v2", "nomaster"],
        lambda c: links.link_set(c["index"]["v2"], nomaster=True),
    ),
    "rename": (["link", "set", "dev", "v6", "name", "v6x"], lambda c: links.link_set(c["index"]["v6"], name="v6x")),
    "hairpin-on": (
        ["bridge", "link", "set", "dev", "v2", "hairpin", "on"],
        lambda c: links.link_set_hairpin(c["index"]["v2"], True),
    ),
    "hairpin-off": (
        ["bridge", "link", "set", "dev", "v2", "hairpin", "off"],
        lambda c: links.link_set_hairpin(c["index"]["v2"], False),
    ),
    "link-del": (["link", "del", "dev", "v6"], lambda c: links.link_del(c["index"]["v6"])),
    "link-get": (["link", "show", "dev", "v0"], lambda c: links.link_get("v0")),
    "link-dump": (["link", "show"], lambda c: links.link_dump()),
    "link-dump-kind": (["link", "show", "type", "veth"], lambda c: links.link_dump(kind="veth")),
    "link-dump-master": (["link", "show", "master", "br0"], lambda c: links.link_dump(master=c["index"]["br0"])),
    "addr-add": (
        ["addr", "add", "192.0.2.7/24", "dev", "v0"],
        lambda c: addresses.addr_add(c["index"]["v0"], "192.0.2.7/24"),
    ),
    "addr-add-v6-nodad": (
        ["addr", "add", "2001:db8::1/64", "dev", "v0", "nodad"],
        lambda c: addresses.addr_add(c["index"]["v0"], "2001:db8::1/64", flags=IFA_F_NODAD),
    ),
    "addr-add-peer": (
        ["addr", "add", "192.0.2.5/32", "peer", "192.0.2.6", "dev", "v0"],
        lambda c: addresses.addr_add(c["index"]["v0"], "192.0.2.5/32", peer="192.0.2.6"),
    ),
    "addr-add-broadcast": (
        ["addr", "add", "198.51.100.9/24", "broadcast", "198.51.100.255", "dev", "v0"],
        lambda c: addresses.addr_add(c["index"]["v0"], "198.51.100.9/24", broadcast="198.51.100.255"),
    ),
    "addr-del": (
        ["addr", "del", "192.0.2.1/24", "dev", "v0"],
        lambda c: addresses.addr_del(c["index"]["v0"], "192.0.2.1/24"),
    ),
    "addr-dump-dev": (["addr", "show", "dev", "v0"], lambda c: addresses.addr_dump(link=c["index"]["v0"])),
    "route-add-gw": (
        ["route", "add", "198.51.100.0/24", "via", "192.0.2.2"],
        lambda c: routes.route_add("198.51.100.0/24", gateway="192.0.2.2"),
    ),
    "route-add-dev-table": (
        ["route", "add", "203.0.113.0/24", "dev", "v0", "table", "1000"],
        lambda c: routes.route_add("203.0.113.0/24", oif=c["index"]["v0"], table=1000),
    ),
    "route-add-dev-table-small": (
        ["route", "add", "203.0.113.0/24", "dev", "v0", "table", "100"],
        lambda c: routes.route_add("203.0.113.0/24", oif=c["index"]["v0"], table=100),
    ),
    "route-add-full": (
        [
            "route",
            "add",
            "198.51.100.0/24",
            "via",
            "192.0.2.2",
            "table",
            "1000",
            "metric",
            "7",
            "src",
            "192.0.2.1",
            "dev",
            "v0",
            "mtu",
            "1400",
        ],
        lambda c: routes.route_add(
            "198.51.100.0/24",
            gateway="192.0.2.2",
            table=1000,
            priority=7,
            src="192.0.2.1",
            oif=c["index"]["v0"],
            mtu=1400,
        ),
    ),
    "route-add-metric-mtu": (
        ["route", "add", "203.0.113.0/24", "metric", "5", "dev", "v0", "mtu", "1300"],
        lambda c: routes.route_add("203.0.113.0/24", priority=5, oif=c["index"]["v0"], mtu=1300),
    ),
    "route-add-v6-default": (
        ["route", "add", "default", "via", "2001:db8::2"],
        lambda c: routes.route_add("default", gateway="2001:db8::2"),
    ),
    "route-add-host": (
        ["route", "add", "203.0.113.9", "dev", "v0"],
        lambda c: routes.route_add("203.0.113.9", oif=c["index"]["v0"]),
    ),
    "route-del": (
        ["route", "del", "198.51.100.0/24", "via", "192.0.2.2", "table", "1000", "metric", "7", "dev", "v0"],
        lambda c: routes.route_del(
            "198.51.100.0/24", gateway="192.0.2.2", table=1000, priority=7, oif=c["index"]["v0"]
        ),
    ),
    "route-get": (["route", "get", "192.0.2.6"], lambda c: routes.route_get("192.0.2.6")),
    "route-get-v6": (["route", "get", "2001:db8::5"], lambda c: routes.route_get("2001:db8::5")),
    "route-dump-table": (["route", "show", "table", "1000"], lambda c: routes.route_dump(table=1000, family=4)),
    "route-dump-main": (["route", "show"], lambda c: routes.route_dump(table="main", family=4)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_bytes_as_iproute2(case: str, scratch: dict[str, Any], ip: Any) -> None:
    args, build = CASES[case]
    if args[0] == "bridge":
        cmd = ["bridge", "-n", str(scratch["ns"].name), *args[1:]]
    else:
        cmd = ip.command(*args, ns=scratch["ns"], json=False)
    ours = wire(build(scratch))
    sent = [nul_terminate_kinds(m) for m in _strace_requests(cmd)]
    same_type = [m for m in sent if m[4:6] == ours[4:6]]
    assert same_type, f"{cmd} sent no message of our type; it sent {[m.hex() for m in sent]}"
    assert ours in same_type, "\n".join(
        [f"ours:  {ours.hex()}", *(f"ip's:  {m.hex()}" for m in same_type), repr(rawnl.decode(ours)[0])]
    )


def test_veth_peer_in_netns_same_bytes_as_iproute2(scratch: dict[str, Any], ip: Any) -> None:
    """The peer created straight inside another namespace: ip's request equals ours given the
    same namespace fd (the fd number is ip's own)."""
    cmd = ip.command("link", "add", "vA", "type", "veth", "peer", "name", "vB", "netns", scratch["ns2"].name,
                     ns=scratch["ns"], json=False)  # fmt: skip
    [sent] = [nul_terminate_kinds(m) for m in _strace_requests(cmd) if m[4:6] == b"\x10\x00" and len(m) > 32]
    peer = rawnl.decode(sent)[0].attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    fd = peer.attrs["IFLA_NET_NS_FD"]
    assert wire(resolved(link_kinds.link_add_veth("vA", "vB", peer_netns=scratch["ns2"].name), fd)) == sent
    assert ip("link", "show", "vB", ns=scratch["ns2"])[0]["ifname"] == "vB"


def test_move_to_netns_same_bytes_as_iproute2(scratch: dict[str, Any], ip: Any) -> None:
    cmd = ip.command("link", "set", "dev", "v4", "netns", scratch["ns2"].name, ns=scratch["ns"], json=False)
    [sent] = [m for m in _strace_requests(cmd) if m[4:6] == b"\x10\x00" and len(m) > 32]
    fd = rawnl.decode(sent)[0].attrs["IFLA_NET_NS_FD"]
    assert wire(resolved(links.link_set(scratch["index"]["v4"], netns=scratch["ns2"].name), fd)) == sent
    assert ip("link", "show", "v4", ns=scratch["ns2"])[0]["ifname"] == "v4"


# ---------------------------------------------------------------------------------- structure


def test_veth_shape() -> None:
    msg = roundtrip(link_kinds.link_add_veth("a0", "b0", peer_mac="02:00:00:00:00:02", mtu=9000, num_queues=1))
    assert (msg.type, msg.flags) == (16, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
    assert (msg.family, msg.index, msg.link_flags, msg.change) == (0, 0, 0, 0)
    assert list(msg.attrs) == ["IFLA_MTU", "IFLA_NUM_TX_QUEUES", "IFLA_NUM_RX_QUEUES", "IFLA_IFNAME", "IFLA_LINKINFO"]
    info = msg.attrs["IFLA_LINKINFO"]
    assert info["IFLA_INFO_KIND"] == "veth"
    peer = info["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    assert (peer.family, peer.index) == (0, 0)
    assert dict(peer.attrs) == {
        "IFLA_ADDRESS": "02:00:00:00:00:02",
        "IFLA_MTU": 9000,
        "IFLA_NUM_TX_QUEUES": 1,
        "IFLA_NUM_RX_QUEUES": 1,
        "IFLA_IFNAME": "b0",
    }


def test_veth_peer_netns_goes_inside_the_peer_block() -> None:
    # the same name is fine in another namespace
    msg = roundtrip(resolved(link_kinds.link_add_veth("a0", "a0", peer_netns="elsewhere"), 7))
    assert "IFLA_NET_NS_FD" not in msg.attrs
    assert msg.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"].attrs["IFLA_NET_NS_FD"] == 7


def test_hairpin_sets_nla_f_nested() -> None:
    raw = wire(links.link_set_hairpin(5, True))
    msg = rawnl.decode(raw)[0]
    assert (msg.type, msg.flags, msg.family, msg.index) == (19, NLM_F_REQUEST | NLM_F_ACK, 7, 5)
    # the first attribute after nlmsghdr + ifinfomsg: IFLA_PROTINFO (12) with NLA_F_NESTED
    atype = int.from_bytes(raw[34:36], "little")
    assert atype == 12 | NLA_F_NESTED
    assert msg.attrs["IFLA_PROTINFO"]["IFLA_BRPORT_MODE"] == 1
    assert roundtrip(links.link_set_hairpin(5, False)).attrs["IFLA_PROTINFO"]["IFLA_BRPORT_MODE"] == 0


def test_link_set_all_in_one_request() -> None:
    msg = roundtrip(links.link_set(4, up=True, mtu=1400, txqlen=10, mac="02:00:00:00:00:09", master=3, name="x"))
    assert (msg.type, msg.flags, msg.index, msg.link_flags, msg.change) == (16, 5, 4, 1, 1)
    assert dict(msg.attrs) == {
        "IFLA_MTU": 1400,
        "IFLA_TXQLEN": 10,
        "IFLA_ADDRESS": "02:00:00:00:00:09",
        "IFLA_MASTER": 3,
        "IFLA_IFNAME": "x",
    }
    down = roundtrip(links.link_set(4, up=False, nomaster=True))
    assert (down.link_flags, down.change, dict(down.attrs)) == (0, 1, {"IFLA_MASTER": 0})
    by_name = roundtrip(links.link_set("eth9", mtu=1500))
    assert (by_name.index, by_name.attrs["IFLA_IFNAME"]) == (0, "eth9")


def test_link_del_and_get_by_name_use_ifla_ifname() -> None:
    msg = roundtrip(links.link_del("eth9"))
    assert (msg.type, msg.flags, msg.index, dict(msg.attrs)) == (17, 5, 0, {"IFLA_IFNAME": "eth9"})
    get = roundtrip(links.link_get("eth9"))
    assert (get.type, get.flags, get.index, get.attrs["IFLA_IFNAME"]) == (18, NLM_F_REQUEST, 0, "eth9")
    assert roundtrip(links.link_get(3)).index == 3
    assert roundtrip(links.link_get(3)).attrs["IFLA_EXT_MASK"] == 0x1  # RTEXT_FILTER_VF, as ip
    assert roundtrip(links.link_get("eth9", stats=False)).attrs["IFLA_EXT_MASK"] == 0x8  # RTEXT_FILTER_SKIP_STATS


def test_link_dump_filters() -> None:
    msg = roundtrip(links.link_dump(master=4, kind="veth"))
    assert (msg.type, msg.flags & NLM_F_DUMP) == (18, NLM_F_DUMP)
    assert msg.attrs["IFLA_MASTER"] == 4
    assert msg.attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == "veth"


def test_address_sends_local_and_address() -> None:
    msg = roundtrip(addresses.addr_add(3, "192.0.2.1/24"))
    assert (msg.type, msg.flags, msg.family, msg.prefixlen, msg.index) == (20, 0x605, 2, 24, 3)
    assert [(k, str(v)) for k, v in msg.attrs.items()] == [("IFA_LOCAL", "192.0.2.1"), ("IFA_ADDRESS", "192.0.2.1")]
    peer = roundtrip(addresses.addr_add(3, "192.0.2.1/32", peer="192.0.2.2"))
    assert (str(peer.attrs["IFA_LOCAL"]), str(peer.attrs["IFA_ADDRESS"])) == ("192.0.2.1", "192.0.2.2")
    bare = roundtrip(addresses.addr_add(3, "2001:db8::1"))
    assert (bare.family, bare.prefixlen) == (10, 128)


def test_address_flags_above_8_bits_go_in_ifa_flags() -> None:
    small = roundtrip(addresses.addr_add(3, "2001:db8::1/64", flags=IFA_F_NODAD))
    assert (small.addr_flags, "IFA_FLAGS" in small.attrs) == (IFA_F_NODAD, False)
    big = roundtrip(addresses.addr_add(3, "2001:db8::1/64", flags=IFA_F_NODAD | IFA_F_NOPREFIXROUTE))
    assert (big.addr_flags, big.attrs["IFA_FLAGS"]) == (0, IFA_F_NODAD | IFA_F_NOPREFIXROUTE)


def test_route_scope_and_table_rules() -> None:
    onlink = roundtrip(routes.route_add("198.51.100.0/24", oif=2))
    assert (onlink.scope, onlink.table, onlink.protocol, onlink.route_type) == (RT_SCOPE_LINK, 254, 3, 1)
    via = roundtrip(routes.route_add("198.51.100.0/24", gateway="192.0.2.1"))
    assert via.scope == RT_SCOPE_UNIVERSE
    v6 = roundtrip(routes.route_add("2001:db8:1::/48", oif=2))
    assert (v6.family, v6.scope) == (10, RT_SCOPE_UNIVERSE)
    big = roundtrip(routes.route_add("198.51.100.0/24", oif=2, table=1000))
    assert (big.table, big.attrs["RTA_TABLE"]) == (0, 1000)
    small = roundtrip(routes.route_add("198.51.100.0/24", oif=2, table=100))
    assert (small.table, "RTA_TABLE" in small.attrs) == (100, False)
    default = roundtrip(routes.route_add("default", gateway="2001:db8::1"))
    assert (default.family, default.dst_len, "RTA_DST" in default.attrs) == (10, 0, False)
    v6default = roundtrip(routes.route_add("default", oif=2, family=6))
    assert v6default.family == 10
    gone = roundtrip(routes.route_del("198.51.100.0/24", oif=2))
    assert (gone.type, gone.flags, gone.scope, gone.protocol, gone.route_type) == (25, 5, RT_SCOPE_NOWHERE, 0, 0)


def test_route_metrics_and_source() -> None:
    msg = roundtrip(routes.route_add("198.51.100.0/24", gateway="192.0.2.1", priority=9, mtu=1300, src="192.0.2.5"))
    assert msg.attrs["RTA_PRIORITY"] == 9
    assert dict(msg.attrs["RTA_METRICS"]) == {"RTAX_MTU": 1300}
    assert str(msg.attrs["RTA_PREFSRC"]) == "192.0.2.5"


def test_route_get_and_dump() -> None:
    get = roundtrip(routes.route_get("2001:db8::9"))
    assert (get.type, get.flags, get.family, get.dst_len, get.route_flags) == (26, NLM_F_REQUEST, 10, 128, 0)
    assert roundtrip(routes.route_get("192.0.2.9")).route_flags == 0x1000
    dump = roundtrip(routes.route_dump(table=1000, oif=3, family=4))
    assert (dump.family, dump.table, dump.dst_len, dump.scope, dump.route_type) == (2, 0, 0, 0, 0)
    assert dict(dump.attrs) == {"RTA_TABLE": 1000, "RTA_OIF": 3}


# --------------------------------------------------------------------------------- validation


BAD: list[tuple[str, Callable[[], object], str]] = [
    ("empty name", lambda: link_kinds.link_add_veth("", "b"), "name"),
    ("long name", lambda: link_kinds.link_add_veth("a" * 16, "b"), "name"),
    ("slash", lambda: link_kinds.link_add_veth("a/b", "b"), "name"),
    ("space", lambda: link_kinds.link_add_veth("a b", "b"), "name"),
    ("dot", lambda: link_kinds.link_add_veth(".", "b"), "name"),
    ("dotdot peer", lambda: link_kinds.link_add_veth("a", ".."), "peer"),
    ("same name", lambda: link_kinds.link_add_veth("a", "a"), "peer"),
    ("multicast mac", lambda: link_kinds.link_add_veth("a", "b", mac="01:00:5e:00:00:01"), "mac"),
    ("short mac", lambda: link_kinds.link_add_veth("a", "b", peer_mac="02:00:00:00:01"), "peer_mac"),
    ("zero mac", lambda: links.link_set(2, mac="00:00:00:00:00:00"), "mac"),
    ("mtu low", lambda: links.link_set(2, mtu=67), "mtu"),
    ("mtu high", lambda: links.link_set(2, mtu=65536), "mtu"),
    ("mtu str", lambda: links.link_set(2, mtu="1500"), "mtu"),  # type: ignore[arg-type]
    ("mtu bool", lambda: links.link_set(2, mtu=True), "mtu"),
    ("txqlen", lambda: links.link_set(2, txqlen=-1), "txqlen"),
    ("queues", lambda: link_kinds.link_add_veth("a", "b", num_queues=0), "num_queues"),
    ("veth mtu", lambda: link_kinds.link_add_veth("a", "b", mtu=10), "mtu"),
    ("veth txqlen", lambda: link_kinds.link_add_veth("a", "b", txqlen=-1), "txqlen"),
    ("veth peer netns", lambda: link_kinds.link_add_veth("a", "b", peer_netns=-1), "peer_netns"),
    ("veth peer netns bool", lambda: link_kinds.link_add_veth("a", "b", peer_netns=True), "peer_netns"),
    ("netns empty", lambda: links.link_set(2, netns=""), "netns"),
    ("index", lambda: links.link_set(0, up=True), "name_or_index"),
    ("up not bool", lambda: links.link_set(2, up=1), "up"),  # type: ignore[arg-type]
    ("master+nomaster", lambda: links.link_set(2, master=3, nomaster=True), "nomaster"),
    ("nomaster not bool", lambda: links.link_set(2, nomaster=1), "nomaster"),  # type: ignore[arg-type]
    ("hairpin port", lambda: links.link_set_hairpin(-1), "port"),
    ("macvlan mode", lambda: link_kinds.link_add_macvlan("m", 2, "bogus"), "mode"),
    ("vni", lambda: link_kinds.link_add_vxlan("x", 1 << 24), "vni"),
    ("vxlan remote+group", lambda: link_kinds.link_add_vxlan("x", 1, remote="192.0.2.1", group="239.1.1.1"), "remote"),
    ("vxlan learning", lambda: link_kinds.link_add_vxlan("x", 1, learning=1), "learning"),  # type: ignore[arg-type]
    ("bridge stp", lambda: link_kinds.link_add_bridge("b", stp="on"), "stp"),  # type: ignore[arg-type]
    ("kind empty", lambda: links.link_add("b", ""), "kind"),
    ("kind too long", lambda: links.link_add("b", "k" * 56), "kind"),
    ("dump kind", lambda: links.link_dump(kind="\n"), "kind"),
    ("get stats", lambda: links.link_get(2, stats=None), "stats"),  # type: ignore[arg-type]
    ("data key", lambda: links.link_add("b", "bridge", data={"IFLA_BR_NOSUCH": 1}), "data"),
    ("data value", lambda: links.link_add("b", "bridge", data={"IFLA_BR_STP_STATE": "on"}), "data"),
    ("vxlan group", lambda: link_kinds.link_add_vxlan("x", 1, group="192.0.2.1"), "group"),
    ("addr", lambda: addresses.addr_add(2, "192.0.2.300/24"), "address"),
    ("prefix", lambda: addresses.addr_add(2, "192.0.2.1/33"), "address"),
    ("prefix v6", lambda: addresses.addr_add(2, "2001:db8::1/129"), "address"),
    ("prefix text", lambda: addresses.addr_add(2, "192.0.2.1/2x"), "address"),
    ("peer family", lambda: addresses.addr_add(2, "192.0.2.1/32", peer="2001:db8::1"), "peer"),
    ("broadcast v6", lambda: addresses.addr_add(2, "2001:db8::1/64", broadcast="2001:db8::ff"), "broadcast"),
    ("scope", lambda: addresses.addr_add(2, "192.0.2.1/24", scope="galaxy"), "scope"),
    ("dst host bits", lambda: routes.route_add("198.51.100.1/24", oif=2), "dst"),
    ("dst junk", lambda: routes.route_add("nowhere", oif=2), "dst"),
    ("gateway family", lambda: routes.route_add("198.51.100.0/24", gateway="2001:db8::1"), "gateway"),
    ("gateway junk", lambda: routes.route_add("198.51.100.0/24", gateway="x"), "gateway"),
    ("table 0", lambda: routes.route_add("198.51.100.0/24", oif=2, table=0), "table"),
    ("table name", lambda: routes.route_add("198.51.100.0/24", oif=2, table="mine"), "table"),
    ("priority", lambda: routes.route_add("198.51.100.0/24", oif=2, priority=-1), "priority"),
    ("route mtu", lambda: routes.route_add("198.51.100.0/24", oif=2, mtu=10), "mtu"),
    ("src family", lambda: routes.route_add("198.51.100.0/24", oif=2, src="2001:db8::1"), "src"),
    ("oif", lambda: routes.route_add("198.51.100.0/24", oif=0), "oif"),
    ("family", lambda: routes.route_dump(family=3), "family"),
    ("route_get", lambda: routes.route_get("192.0.2"), "address"),
]


@pytest.mark.parametrize(("what", "call", "arg"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_argument(what: str, call: Callable[[], object], arg: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(arg)}\b"):
        call()


REFERENCES: list[tuple[str, Callable[[Any], Request], list[str]]] = [
    # (what, the builder given LINK where a link goes, the arguments its references name)
    ("addr link", lambda x: addresses.addr_add(x, "192.0.2.1/24"), ["link"]),
    ("addr_del link", lambda x: addresses.addr_del(x, "192.0.2.1/24"), ["link"]),
    ("addr dump", lambda x: addresses.addr_dump(link=x), ["link"]),
    ("route oif", lambda x: routes.route_add("default", oif=x), ["oif"]),
    ("route dump", lambda x: routes.route_dump(oif=x), ["oif"]),
    ("rename", lambda x: links.link_set(x, name="v9"), ["name_or_index"]),
    ("master", lambda x: links.link_set(3, master=x), ["master"]),
    ("dump master", lambda x: links.link_dump(master=x), ["master"]),
    ("hairpin", links.link_set_hairpin, ["port"]),
    ("add parent", lambda x: links.link_add("m0", "macvlan", link=x), ["link"]),
    ("macvlan", lambda x: link_kinds.link_add_macvlan("m0", x), ["link"]),
    ("vxlan dev", lambda x: link_kinds.link_add_vxlan("x0", 5, dev=x), ["dev"]),
    ("two", lambda x: links.link_set(x, name="v9", master=x), ["master", "name_or_index"]),
]


@pytest.mark.parametrize(("what", "build", "args"), REFERENCES, ids=[r[0] for r in REFERENCES])
def test_references_stand_where_the_numbers_go(what: str, build: Callable[[Any], Request], args: list[str]) -> None:
    """A link the kernel needs by index, given by name, becomes a reference in the request:
    encoding refuses it (naming the argument) until it is resolved; resolved, the bytes are
    those of the request built with the index."""
    req = build("v0")
    assert [ref.arg for ref in req.refs] == args
    with pytest.raises(ValueError, match=rf"(^|: ){args[0]}: link 'v0' has not been resolved"):
        req.msg.encode()
    assert wire(resolved(req, *[7] * len(args))) == wire(build(7))
    assert build(7).refs == ()


@pytest.mark.parametrize(
    ("build", "arg"),
    [
        (lambda ns: links.link_set(3, netns=ns), "netns"),
        (lambda ns: link_kinds.link_add_veth("a", "b", peer_netns=ns), "peer_netns"),
        (lambda ns: links.link_add("v", "veth", netns=ns), "netns"),
    ],
)
def test_namespace_references(build: Callable[[Any], Request], arg: str) -> None:
    """A namespace given by name, path or pid is opened when the request is resolved; its fd
    goes where the kernel reads it."""
    for ns in ("ns1", "/proc/1/ns/net", 4242):
        req = build(ns)
        assert [(ref.arg, ref.target) for ref in req.refs] == [(arg, ns)]
        with pytest.raises(ValueError, match=rf"(^|: ){arg}: namespace .* has not been opened"):
            req.msg.encode()
        assert b"\x08\x00\x1c\x00\x2a\x00\x00\x00" in wire(resolved(req, 42))  # IFLA_NET_NS_FD 42


def test_references_only_where_the_kernel_needs_a_number() -> None:
    """Where the kernel looks a link up by name itself (IFLA_IFNAME), no reference is made."""
    for req in (
        links.link_set("v0", mtu=1400),
        links.link_del("v0"),
        links.link_get("v0"),
        links.link_set("v0", name="v0"),
    ):
        assert req.refs == ()
        assert roundtrip(req).attrs["IFLA_IFNAME"] == "v0"


def test_an_open_namespace_needs_no_reference(netns: rawnl.NetNS) -> None:
    req = link_kinds.link_add_veth("a", "b", peer_netns=netns)
    assert req.refs == ()
    assert roundtrip(req).attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"].attrs["IFLA_NET_NS_FD"] == netns.fd


def test_kind_up_to_the_kernels_limit() -> None:
    """The kernel copies IFLA_INFO_KIND into char[MODULE_NAME_LEN] (56 with the NUL on 64-bit)."""
    longest = "k" * 55
    assert roundtrip(links.link_add("b", longest)).attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == longest
    assert roundtrip(links.link_dump(kind=longest)).attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == longest


def test_valid_names_accepted() -> None:
    for name in ("a", "x" * 15, "eth0.100", "veth-1_a", "wg@x"):
        assert roundtrip(links.link_del(name)).attrs["IFLA_IFNAME"] == name
