"""Golden vectors from the real system (tests/data/*.hex, made by tools/capture_golden.py).

Requests were captured from iproute2 with strace, replies from the kernel with a raw AF_NETLINK
socket, all in one throw-away namespace holding lo, veth0/veth1 and br0 (veth0 in br0, hairpin on;
192.0.2.1/24 and 2001:db8::1/64 on veth1; routes via 192.0.2.254 in main and table 1000, one with
an MTU metric, one with two nexthops).  The expected values below are that scenario's; interface
indexes are taken from the captured link dump, so that requests and replies are checked against
each other.

For each request, the same message built with rawnl's message classes (and with the builder in
``rawnl.requests``) encodes to the captured bytes, apart from seq and pid (taken from the capture)
and whether a kind string is NUL-terminated: iproute2 sends ``IFLA_INFO_KIND`` without the NUL,
rawnl always terminates it; ``nul_terminate_kinds`` (in ``iproute2_capture``, with ``load``)
normalises exactly that, and only that.
"""

from __future__ import annotations

import errno
import struct
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

import pytest
from iproute2_capture import DATA, load, nul_terminate_kinds

import rawnl
from rawnl import AddressMessage, DecodeError, DoneMessage, ErrorMessage, LinkMessage, RouteMessage
from rawnl.ops import addresses, link_kinds, links, routes
from rawnl.wire import codec
from rawnl.wire import link as wlink
from rawnl.wire.constants import AF, ARPHRD, IFF, NLM_F, RT_SCOPE, RT_TABLE, RTM, RTN, RTPROT
from rawnl.wire.structs import AddrCacheInfo, LinkMap, Nexthop, Stats64

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

HDR = codec.NLMSG_HDR
CREATE = NLM_F.REQUEST | NLM_F.ACK | NLM_F.EXCL | NLM_F.CREATE
SET = NLM_F.REQUEST | NLM_F.ACK

REQUESTS = [
    "veth_add_request",
    "bridge_add_request",
    "mtu_request",
    "master_request",
    "nomaster_request",
    "hairpin_slave_request",
    "hairpin_bridge_request",
    "addr_v4_request",
    "addr_v6_request",
    "route_gw_request",
    "route_table_request",
]
REPLIES = [
    "link_dump_reply",
    "bridge_link_dump_reply",
    "addr_dump_reply",
    "route_dump_reply",
    "ack_reply",
    "error_extack_reply",
    "error_kind_reply",
    "done_error_reply",
]


def one(name: str) -> Any:
    [msg] = rawnl.decode(load(name))
    return msg


def assert_same_bytes(golden: str, msg: rawnl.Message) -> None:
    """``msg`` encodes to the captured request, given the capture's seq and pid."""
    captured = load(golden)
    _length, _type, _flags, seq, pid = HDR.unpack_from(captured)
    ours = msg.encode(seq=seq, pid=pid)
    theirs = nul_terminate_kinds(captured)
    assert ours == theirs, f"\nours:  {ours.hex()}\nip's:  {theirs.hex()}\n{rawnl.decode(ours)[0]}"


@pytest.fixture(scope="module")
def index() -> dict[str, int]:
    """Interface name -> index, from the captured link dump (the same namespace as every vector)."""
    return {
        m.attrs["IFLA_IFNAME"]: m.index for m in rawnl.decode(load("link_dump_reply")) if isinstance(m, LinkMessage)
    }


# --------------------------------------------------------------------------------------- all files


def test_every_vector_is_listed() -> None:
    """All the vectors are there, and each one in tests/data is checked by the tests below."""
    names = {p.stem for p in DATA.glob("*.hex")}
    assert set(REQUESTS) | set(REPLIES) <= names
    assert names <= set(REQUESTS) | set(REPLIES), "a vector no test reads"


@pytest.mark.parametrize("name", REQUESTS + REPLIES)
def test_vector_is_annotated(name: str) -> None:
    text = (DATA / f"{name}.hex").read_text()
    assert "# command: " in text
    data = load(name)
    assert f"# {len(data)} bytes" in text
    # every line with hex names its field
    for line in text.splitlines():
        hexpart = line.split("#", 1)[0].strip()
        if hexpart:
            assert "#" in line, line
            assert line.split("#", 1)[1].strip(), line
    assert "nlmsg_len" in text
    assert "nlmsg_type" in text


@pytest.mark.parametrize("name", REQUESTS + REPLIES)
def test_vector_decodes_and_reencodes(name: str) -> None:
    data = load(name)
    msgs = rawnl.decode(data)
    assert msgs
    for msg in msgs:
        attrs = getattr(msg, "attrs", None)
        if isinstance(attrs, codec.Attrs):
            attrs.to_dict()  # every value converts
    # decoded messages encode back to the same bytes (lengths recomputed, attributes copied)
    assert b"".join(m.encode() + bytes(-len(m.encode()) % 4) for m in msgs) == data


def test_kind_normalisation_only_touches_kinds() -> None:
    changed = {name for name in REQUESTS if nul_terminate_kinds(load(name)) != load(name)}
    assert changed == {"veth_add_request", "bridge_add_request", "hairpin_slave_request"}
    for name in changed:
        before, after = load(name), nul_terminate_kinds(load(name))
        # same meaning, same headers; only the NULs (and the lengths) were added
        assert rawnl.decode(before) == rawnl.decode(after)
        assert before[4:32] == after[4:32]
        assert len(after) - len(before) in (0, 4)
        assert nul_terminate_kinds(after) == after
        kind = rawnl.decode(after)[0].attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"].encode()
        assert kind + b"\0" in after


# --------------------------------------------------------------------------------------- requests


def test_veth_add_request() -> None:
    msg = one("veth_add_request")
    assert (msg.type, msg.flags, msg.pid, msg.family, msg.index) == (RTM.NEWLINK, CREATE, 0, 0, 0)
    assert msg.attrs["IFLA_IFNAME"] == "veth0"
    info = msg.attrs["IFLA_LINKINFO"]
    assert info["IFLA_INFO_KIND"] == "veth"
    peer = info["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    assert isinstance(peer, LinkMessage)
    assert dict(peer.attrs) == {"IFLA_IFNAME": "veth1"}
    built = LinkMessage(
        type=RTM.NEWLINK,
        flags=CREATE,
        attrs={
            "IFLA_IFNAME": "veth0",
            "IFLA_LINKINFO": {
                "IFLA_INFO_KIND": "veth",
                "IFLA_INFO_DATA": {"VETH_INFO_PEER": LinkMessage(type=0, attrs={"IFLA_IFNAME": "veth1"})},
            },
        },
    )
    assert_same_bytes("veth_add_request", built)
    assert_same_bytes("veth_add_request", link_kinds.link_add_veth("veth0", "veth1"))


def test_bridge_add_request() -> None:
    msg = one("bridge_add_request")
    assert (msg.type, msg.flags) == (RTM.NEWLINK, CREATE)
    assert msg.attrs["IFLA_IFNAME"] == "br0"
    assert msg.attrs["IFLA_LINKINFO"] == {"IFLA_INFO_KIND": "bridge"}
    built = LinkMessage(
        type=RTM.NEWLINK, flags=CREATE, attrs={"IFLA_IFNAME": "br0", "IFLA_LINKINFO": {"IFLA_INFO_KIND": "bridge"}}
    )
    assert_same_bytes("bridge_add_request", built)
    assert_same_bytes("bridge_add_request", link_kinds.link_add_bridge("br0"))


def test_mtu_request(index: dict[str, int]) -> None:
    msg = one("mtu_request")
    assert (msg.type, msg.flags, msg.index) == (RTM.NEWLINK, SET, index["veth0"])
    assert dict(msg.attrs) == {"IFLA_MTU": 1400}
    assert_same_bytes("mtu_request", LinkMessage(type=RTM.NEWLINK, flags=SET, index=index["veth0"],
                                                 attrs={"IFLA_MTU": 1400}))  # fmt: skip
    assert_same_bytes("mtu_request", links.link_set(index["veth0"], mtu=1400))


def test_master_request(index: dict[str, int]) -> None:
    msg = one("master_request")
    assert (msg.type, msg.flags, msg.index) == (RTM.NEWLINK, SET, index["veth0"])
    assert dict(msg.attrs) == {"IFLA_MASTER": index["br0"]}
    built = LinkMessage(type=RTM.NEWLINK, flags=SET, index=index["veth0"], attrs={"IFLA_MASTER": index["br0"]})
    assert_same_bytes("master_request", built)
    assert_same_bytes("master_request", links.link_set(index["veth0"], master=index["br0"]))


def test_nomaster_request(index: dict[str, int]) -> None:
    msg = one("nomaster_request")
    assert (msg.type, msg.flags, msg.index) == (RTM.NEWLINK, SET, index["veth0"])
    assert dict(msg.attrs) == {"IFLA_MASTER": 0}
    built = LinkMessage(type=RTM.NEWLINK, flags=SET, index=index["veth0"], attrs={"IFLA_MASTER": 0})
    assert_same_bytes("nomaster_request", built)
    assert_same_bytes("nomaster_request", links.link_set(index["veth0"], nomaster=True))


def test_hairpin_bridge_request(index: dict[str, int]) -> None:
    """``bridge link set dev X hairpin on``: RTM_SETLINK, AF_BRIDGE, IFLA_PROTINFO with
    NLA_F_NESTED (without it the kernel reads the old one-byte port state: see docs/wire.md)."""
    data = load("hairpin_bridge_request")
    msg = one("hairpin_bridge_request")
    assert (msg.type, msg.flags, msg.family, msg.index) == (RTM.SETLINK, SET, AF.BRIDGE, index["veth0"])
    _alen, atype = struct.unpack_from("=HH", data, 32)
    assert atype == codec.NLA_F_NESTED | wlink.LINK.by_name["IFLA_PROTINFO"].number
    assert msg.attrs["IFLA_PROTINFO"] == {"IFLA_BRPORT_MODE": 1}
    built = LinkMessage(
        type=RTM.SETLINK,
        flags=SET,
        family=AF.BRIDGE,
        index=index["veth0"],
        attrs={"IFLA_PROTINFO": {"IFLA_BRPORT_MODE": 1}},
    )
    assert_same_bytes("hairpin_bridge_request", built)
    assert_same_bytes("hairpin_bridge_request", links.link_set_hairpin(index["veth0"], True))


def test_hairpin_slave_request(index: dict[str, int]) -> None:
    """``ip link set dev X type bridge_slave hairpin on``: iproute2 puts "bridge_slave" in
    IFLA_INFO_KIND (not IFLA_INFO_SLAVE_KIND); rawnl falls back to that kind, minus "_slave", to
    pick the IFLA_BRPORT_* table for the slave data."""
    msg = one("hairpin_slave_request")
    assert (msg.type, msg.flags, msg.index) == (RTM.NEWLINK, SET, index["veth0"])
    info = msg.attrs["IFLA_LINKINFO"]
    assert info["IFLA_INFO_KIND"] == "bridge_slave"
    assert "IFLA_INFO_SLAVE_KIND" not in info
    assert info["IFLA_INFO_SLAVE_DATA"] == {"IFLA_BRPORT_MODE": 1}
    built = LinkMessage(
        type=RTM.NEWLINK,
        flags=SET,
        index=index["veth0"],
        attrs={
            "IFLA_LINKINFO": {
                "IFLA_INFO_KIND": "bridge_slave",
                "IFLA_INFO_SLAVE_DATA": {"IFLA_BRPORT_MODE": 1},
            }
        },
    )
    assert_same_bytes("hairpin_slave_request", built)
    # rawnl's hairpin builder uses the AF_BRIDGE form (compared with hairpin_bridge_request above)


@pytest.mark.parametrize(
    ("name", "family", "address", "prefixlen"),
    [("addr_v4_request", AF.INET, "192.0.2.1", 24), ("addr_v6_request", AF.INET6, "2001:db8::1", 64)],
)
def test_address_requests(name: str, family: int, address: str, prefixlen: int, index: dict[str, int]) -> None:
    msg = one(name)
    assert isinstance(msg, AddressMessage)
    assert (msg.type, msg.flags, msg.family, msg.prefixlen, msg.index) == (
        RTM.NEWADDR,
        CREATE,
        family,
        prefixlen,
        index["veth1"],
    )
    assert (msg.addr_flags, msg.scope) == (0, RT_SCOPE.UNIVERSE)
    addr = ip_address(address)
    assert dict(msg.attrs) == {"IFA_LOCAL": addr, "IFA_ADDRESS": addr}
    assert list(msg.attrs) == ["IFA_LOCAL", "IFA_ADDRESS"]
    built = AddressMessage(
        type=RTM.NEWADDR,
        flags=CREATE,
        family=family,
        prefixlen=prefixlen,
        index=index["veth1"],
        attrs={"IFA_LOCAL": addr, "IFA_ADDRESS": addr},
    )
    assert_same_bytes(name, built)
    assert_same_bytes(name, addresses.addr_add(index["veth1"], f"{address}/{prefixlen}"))


@pytest.mark.parametrize(
    ("name", "dst", "rtm_table", "rta_table"),
    [
        ("route_gw_request", "198.51.100.0", RT_TABLE.MAIN, None),
        ("route_table_request", "203.0.113.0", RT_TABLE.UNSPEC, 1000),
    ],
)
def test_route_requests(name: str, dst: str, rtm_table: int, rta_table: int | None) -> None:
    """A route via 192.0.2.254 in main; a table above 255 travels in RTA_TABLE, with rtm_table =
    RT_TABLE_UNSPEC."""
    msg = one(name)
    assert isinstance(msg, RouteMessage)
    assert (msg.type, msg.flags, msg.family, msg.dst_len, msg.table) == (RTM.NEWROUTE, CREATE, AF.INET, 24, rtm_table)
    assert (msg.protocol, msg.scope, msg.route_type) == (RTPROT.BOOT, RT_SCOPE.UNIVERSE, RTN.UNICAST)
    attrs: dict[str, Any] = {"RTA_DST": IPv4Address(dst), "RTA_GATEWAY": IPv4Address("192.0.2.254")}
    table: dict[str, int] = {}
    if rta_table is not None:
        attrs["RTA_TABLE"] = table["table"] = rta_table
    assert dict(msg.attrs) == attrs
    built = RouteMessage(
        type=RTM.NEWROUTE,
        flags=CREATE,
        family=AF.INET,
        dst_len=24,
        table=rtm_table,
        protocol=RTPROT.BOOT,
        scope=RT_SCOPE.UNIVERSE,
        route_type=RTN.UNICAST,
        attrs=attrs,
    )
    assert_same_bytes(name, built)
    assert_same_bytes(name, routes.route_add(f"{dst}/24", gateway="192.0.2.254", **table))


# --------------------------------------------------------------------------------------- replies


def _dump(name: str, seq: int) -> list[Any]:
    msgs = rawnl.decode(load(name))
    assert isinstance(msgs[-1], DoneMessage)
    assert msgs[-1].error == 0
    pid = msgs[0].pid
    assert pid != 0  # our socket's port id
    for m in msgs:
        assert m.flags & NLM_F.MULTI
        assert (m.seq, m.pid) == (seq, pid)
    return msgs[:-1]


def test_link_dump_reply() -> None:
    links = {m.attrs["IFLA_IFNAME"]: m for m in _dump("link_dump_reply", 1)}
    assert set(links) == {"lo", "veth0", "veth1", "br0"}
    for m in links.values():
        assert (m.type, m.family) == (RTM.NEWLINK, AF.UNSPEC)
        assert isinstance(m.attrs["IFLA_STATS64"], Stats64)
        assert isinstance(m.attrs["IFLA_MAP"], LinkMap)
        assert m.link_flags & IFF.UP
        assert len(m.attrs["IFLA_ADDRESS"].split(":")) == 6
        assert set(m.attrs["IFLA_AF_SPEC"]) == {"AF_INET", "AF_INET6"}
        assert isinstance(m.attrs["IFLA_AF_SPEC"]["AF_INET"]["IFLA_INET_CONF"], tuple)
        assert "IFLA_INET6_FLAGS" in m.attrs["IFLA_AF_SPEC"]["AF_INET6"]
    lo, veth0, veth1, br0 = links["lo"], links["veth0"], links["veth1"], links["br0"]
    assert lo.link_type == ARPHRD.LOOPBACK
    assert lo.link_flags & IFF.LOOPBACK
    assert lo.attrs["IFLA_ADDRESS"] == "00:00:00:00:00:00"
    assert lo.attrs["IFLA_MTU"] == 65536
    assert veth0.link_type == ARPHRD.ETHER
    # the veth pair points at each other
    assert veth0.attrs["IFLA_LINK"] == veth1.index
    assert veth1.attrs["IFLA_LINK"] == veth0.index
    assert veth1.attrs["IFLA_LINKINFO"] == {"IFLA_INFO_KIND": "veth"}
    # veth0: MTU 1400, enslaved to br0, hairpin on (IFLA_BRPORT_MODE 1)
    assert veth0.attrs["IFLA_MTU"] == 1400
    assert veth0.attrs["IFLA_MASTER"] == br0.index
    info = veth0.attrs["IFLA_LINKINFO"]
    assert (info["IFLA_INFO_KIND"], info["IFLA_INFO_SLAVE_KIND"]) == ("veth", "bridge")
    assert info["IFLA_INFO_SLAVE_DATA"]["IFLA_BRPORT_MODE"] == 1
    assert info["IFLA_INFO_SLAVE_DATA"]["IFLA_BRPORT_LEARNING"] == 1
    # br0: the bridge's data, defaults from the kernel
    br = br0.attrs["IFLA_LINKINFO"]
    assert br["IFLA_INFO_KIND"] == "bridge"
    assert br["IFLA_INFO_DATA"]["IFLA_BR_GROUP_ADDR"] == "01:80:c2:00:00:00"
    assert br["IFLA_INFO_DATA"]["IFLA_BR_FORWARD_DELAY"] == 1500
    assert br["IFLA_INFO_DATA"]["IFLA_BR_STP_STATE"] == 0
    assert br0.attrs["IFLA_ADDRESS"] == veth0.attrs["IFLA_ADDRESS"]  # a bridge takes its port's MAC


def test_bridge_link_dump_reply() -> None:
    [port] = _dump("bridge_link_dump_reply", 2)
    links = {m.attrs["IFLA_IFNAME"]: m for m in _dump("link_dump_reply", 1)}
    assert (port.family, port.index) == (AF.BRIDGE, links["veth0"].index)
    assert port.attrs["IFLA_MASTER"] == links["br0"].index
    protinfo = port.attrs["IFLA_PROTINFO"]
    assert protinfo["IFLA_BRPORT_MODE"] == 1  # hairpin
    assert protinfo["IFLA_BRPORT_STATE"] == 3  # BR_STATE_FORWARDING
    assert protinfo["IFLA_BRPORT_ROOT_ID"] == protinfo["IFLA_BRPORT_BRIDGE_ID"]


def test_addr_dump_reply(index: dict[str, int]) -> None:
    addrs = _dump("addr_dump_reply", 3)
    by_addr = {(str(m.attrs.get("IFA_LOCAL", m.attrs["IFA_ADDRESS"])), m.prefixlen): m for m in addrs}
    assert {("127.0.0.1", 8), ("192.0.2.1", 24), ("::1", 128), ("2001:db8::1", 64)} <= set(by_addr)
    for m in addrs:
        assert isinstance(m.attrs["IFA_CACHEINFO"], AddrCacheInfo)
        assert isinstance(m.attrs["IFA_FLAGS"], int)
    v4 = by_addr[("192.0.2.1", 24)]
    assert (v4.family, v4.index, v4.scope) == (AF.INET, index["veth1"], RT_SCOPE.UNIVERSE)
    assert v4.attrs["IFA_LOCAL"] == v4.attrs["IFA_ADDRESS"] == IPv4Address("192.0.2.1")
    assert v4.attrs["IFA_LABEL"] == "veth1"
    v6 = by_addr[("2001:db8::1", 64)]
    assert (v6.family, v6.index) == (AF.INET6, index["veth1"])
    assert v6.attrs["IFA_ADDRESS"] == IPv6Address("2001:db8::1")
    assert by_addr[("127.0.0.1", 8)].attrs["IFA_LABEL"] == "lo"
    link_local = [m for m in addrs if m.family == AF.INET6 and m.scope == RT_SCOPE.LINK]
    assert {m.index for m in link_local} == {index["veth0"], index["veth1"]}
    assert all(m.attrs["IFA_ADDRESS"].is_link_local for m in link_local)


def test_route_dump_reply(index: dict[str, int]) -> None:
    routes = _dump("route_dump_reply", 4)
    by_dst = {(str(m.attrs["RTA_DST"]), m.dst_len, m.attrs["RTA_TABLE"]): m for m in routes if "RTA_DST" in m.attrs}
    assert all(m.family == AF.INET for m in routes)
    gw = by_dst[("198.51.100.0", 24, 254)]
    assert gw.table == RT_TABLE.MAIN
    assert gw.attrs["RTA_GATEWAY"] == IPv4Address("192.0.2.254")
    assert gw.attrs["RTA_OIF"] == index["veth1"]
    assert (gw.protocol, gw.scope, gw.route_type) == (RTPROT.BOOT, RT_SCOPE.UNIVERSE, RTN.UNICAST)
    # table 1000: rtm_table can only say RT_TABLE_COMPAT; RTA_TABLE has the real one
    t1000 = by_dst[("203.0.113.0", 24, 1000)]
    assert t1000.table == RT_TABLE.COMPAT
    assert t1000.attrs["RTA_GATEWAY"] == IPv4Address("192.0.2.254")
    # the connected route of 192.0.2.1/24
    connected = by_dst[("192.0.2.0", 24, 254)]
    assert (connected.protocol, connected.scope) == (RTPROT.KERNEL, RT_SCOPE.LINK)
    assert connected.attrs["RTA_PREFSRC"] == IPv4Address("192.0.2.1")
    # RTA_METRICS (nested RTAX_*)
    assert by_dst[("198.51.100.128", 25, 254)].attrs["RTA_METRICS"] == {"RTAX_MTU": 1300}
    # RTA_MULTIPATH: two nexthops through veth1
    hops = by_dst[("203.0.113.128", 25, 254)].attrs["RTA_MULTIPATH"]
    assert [type(h) for h in hops] == [Nexthop, Nexthop]
    assert [(h.ifindex, h.attrs["RTA_GATEWAY"]) for h in hops] == [
        (index["veth1"], IPv4Address("192.0.2.253")),
        (index["veth1"], IPv4Address("192.0.2.254")),
    ]
    # the local table has the addresses' local routes
    local = {str(m.attrs["RTA_DST"]) for m in routes if m.table == RT_TABLE.LOCAL and m.route_type == RTN.LOCAL}
    assert {"127.0.0.1", "192.0.2.1"} <= local


def test_ack_reply() -> None:
    ack = one("ack_reply")
    data = load("ack_reply")
    assert len(data) == 36
    assert isinstance(ack, ErrorMessage)
    assert (ack.error, ack.seq) == (0, 5)
    assert ack.flags == NLM_F.CAPPED
    assert len(ack.request) == 16
    length, mtype, flags, seq, _pid = ack.request_header
    assert (mtype, flags, seq) == (RTM.NEWLINK, NLM_F.REQUEST | NLM_F.ACK, 5)
    assert length > 16  # the request was longer; the echo is capped
    assert dict(ack.attrs) == {}


def test_error_extack_reply() -> None:
    """A 2-byte IFLA_MTU: ERANGE, "Attribute failed policy validation", offset 32 -> IFLA_MTU."""
    err = one("error_extack_reply")
    assert isinstance(err, ErrorMessage)
    assert err.error == -errno.ERANGE
    assert err.flags & NLM_F.ACK_TLVS
    assert not err.flags & NLM_F.CAPPED
    assert err.message == "Attribute failed policy validation"
    assert err.offset == 32
    assert "NLMSGERR_ATTR_POLICY" in err.attrs
    # the whole request is echoed: rawnl's strict decoder rejects it at the same offset
    assert HDR.unpack_from(err.request)[:2] == (len(err.request), RTM.NEWLINK)
    with pytest.raises(DecodeError) as bad:
        rawnl.decode(err.request)
    assert bad.value.offset == 32
    exc = err.exception()
    assert isinstance(exc, rawnl.NetlinkError)
    assert isinstance(exc, OSError)
    assert exc.errno == errno.ERANGE
    assert exc.kernel_message == "Attribute failed policy validation"
    assert exc.attribute == "IFLA_MTU"
    assert exc.offset == 32
    assert "IFLA_MTU" in str(exc)


def test_error_kind_reply() -> None:
    err = one("error_kind_reply")
    assert err.error == -errno.EOPNOTSUPP
    assert err.message == "Unknown device type"
    assert err.offset is None
    [request] = rawnl.decode(err.request)
    assert request.attrs["IFLA_IFNAME"] == "bogus0"
    assert request.attrs["IFLA_LINKINFO"]["IFLA_INFO_KIND"] == "nosuchkind"
    exc = err.exception()
    assert (exc.errno, exc.kernel_message, exc.attribute) == (errno.EOPNOTSUPP, "Unknown device type", None)


def test_done_error_reply() -> None:
    done = one("done_error_reply")
    assert isinstance(done, DoneMessage)
    assert done.flags == NLM_F.MULTI | NLM_F.ACK_TLVS
    assert done.error == -errno.EINVAL
    assert done.message == "Filter by device index not supported for link dumps"
    exc = done.exception()
    assert exc.errno == errno.EINVAL
    assert exc.kernel_message == done.message


# ------------------------------------------------------------------ structs of every kernel


def test_link_stats_of_every_size() -> None:
    """IFLA_STATS is 24 u32s; IFLA_STATS64 was 23 u64s before 4.6, 24 until 5.18 (RHEL 8, Ubuntu
    20.04/22.04, Debian 11), 25 since: the fields present are read, those the kernel did not
    send are None (not zero), bytes beyond the known fields are kept, and all re-encode as sent."""
    from rawnl.wire.structs import Stats64

    for attr, code, count in (("IFLA_STATS", "I", 24), ("IFLA_STATS64", "Q", 23), ("IFLA_STATS64", "Q", 24),
                              ("IFLA_STATS64", "Q", 25), ("IFLA_STATS64", "Q", 27)):  # fmt: skip
        values = list(range(1, count + 1))
        payload = struct.pack(f"={count}{code}", *values)
        msg = LinkMessage(index=2, attrs={"IFLA_IFNAME": "x"})
        raw = msg.encode() + struct.pack("=HH", 4 + len(payload), 7 if attr == "IFLA_STATS" else 23) + payload
        raw = struct.pack("=I", len(raw)) + raw[4:]
        [back] = rawnl.decode(raw)
        stats = back.attrs[attr]
        assert isinstance(stats, Stats64), (attr, count)
        fields = min(count, 25)
        assert list(stats)[:fields] == values[:fields]
        assert all(v is None for v in list(stats)[fields:25])
        assert stats.extra == payload[fields * struct.calcsize(code) :]
        assert back.encode() == raw
        assert LinkMessage(index=2, attrs={"IFLA_IFNAME": "x", attr: stats}).encode() == raw


def test_short_rtgenmsg_dump_requests_decode() -> None:
    """Legacy dump requests carry a 1-byte rtgenmsg (padded to 4, or not), which iproute2 sends
    and the kernel accepts: they decode, with the family."""
    for length in (17, 20):
        raw = struct.pack("=IHHIIB", length, 18, 0x301, 1, 0, 10) + bytes(length - 17)
        [msg] = rawnl.decode(raw)
        assert isinstance(msg, LinkMessage)
        assert (msg.type, msg.family, msg.index, dict(msg.attrs)) == (18, 10, 0, {})
    raw = struct.pack("=IHHIIB", 17, 22, 0x301, 1, 0, 2)
    [addr] = rawnl.decode(raw)
    assert isinstance(addr, AddressMessage)
    assert addr.family == 2
    assert addr.encode() == raw  # the short form, as it came
    with pytest.raises(DecodeError):  # a reply is never short
        rawnl.decode(struct.pack("=IHHIIB", 17, 16, 0x2, 1, 0, 10))
