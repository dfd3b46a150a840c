"""The rtnetlink facts of docs/wire.md, checked on the real kernel (each test in its own namespace).

Each test checks a claim of docs/wire.md that no other test module checks; the page names, for
every fact, the test that checks it, here or elsewhere.  Where a claim is about bytes on the wire
(what the kernel echoes, which datagram holds what, which type bits it sets), the test sends and
reads raw datagrams through the socket's ``_sock``; requests are still built with rawnl's message
classes, and iproute2 (``ip -j -d``) observes the result.  Timing facts are measured, never
asserted.
"""

from __future__ import annotations

import errno
import ipaddress
import shutil
import struct
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import rawnl
from rawnl import AddressMessage, ErrorMessage, LinkMessage, NetlinkError, RouteMessage
from rawnl.engine.socket import NetlinkSocket
from rawnl.wire import uapi
from rawnl.wire.address import ADDR_CACHEINFO
from rawnl.wire.codec import NLA_HDR, NLMSG_HDR, align4, encode_attrs, iter_messages
from rawnl.wire.kinds.bridge import BRPORT
from rawnl.wire.kinds.veth import VETH
from rawnl.wire.kinds.vxlan import VXLAN
from rawnl.wire.link import LINK, LINKINFO, STATS64
from rawnl.wire.message import NLMSGERR, attribute_at
from rawnl.wire.structs import AddrCacheInfo, Stats64

ACK = uapi.NLM_F_REQUEST | uapi.NLM_F_ACK
CREATE = ACK | uapi.NLM_F_CREATE | uapi.NLM_F_EXCL
DUMP = uapi.NLM_F_REQUEST | uapi.NLM_F_DUMP
LO = 1  # the loopback device's index in every namespace

IFLA_IFNAME = LINK.by_name["IFLA_IFNAME"].number
IFLA_MTU = LINK.by_name["IFLA_MTU"].number
IFLA_STATS = LINK.by_name["IFLA_STATS"].number
IFLA_STATS64 = LINK.by_name["IFLA_STATS64"].number
IFLA_PROTINFO = LINK.by_name["IFLA_PROTINFO"].number
IFLA_LINKINFO = LINK.by_name["IFLA_LINKINFO"].number
IFLA_PROP_LIST = LINK.by_name["IFLA_PROP_LIST"].number
IFLA_INFO_DATA = LINKINFO.by_name["IFLA_INFO_DATA"].number
VETH_INFO_PEER = VETH.by_name["VETH_INFO_PEER"].number
IFLA_VXLAN_TTL_INHERIT = VXLAN.by_name["IFLA_VXLAN_TTL_INHERIT"].number
IFLA_BRPORT_MODE = BRPORT.by_name["IFLA_BRPORT_MODE"].number
NLMSGERR_ATTR_MSG = NLMSGERR.by_name["NLMSGERR_ATTR_MSG"].number
NLMSGERR_ATTR_OFFS = NLMSGERR.by_name["NLMSGERR_ATTR_OFFS"].number
NLMSGERR_ATTR_POLICY = NLMSGERR.by_name["NLMSGERR_ATTR_POLICY"].number
IFINFOMSG = LinkMessage.FIXED
I32 = struct.Struct("=i")


# ------------------------------------------------------------------------------------ helpers


def tlvs(buf: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """``(offset, nla_len, nla_type with its flag bits)`` of every attribute in ``buf[start:end]``,
    walked the way the kernel lays them out (each one at the 4-byte boundary after the last)."""
    out = []
    off = start
    while off < end:
        length, atype = NLA_HDR.unpack_from(buf, off)
        assert 4 <= length <= end - off, f"attribute header at {off} does not fit: {length} of {end - off} bytes"
        out.append((off, length, atype))
        off += align4(length)
    assert off == align4(end), f"attributes end at {off}, their region at {end}"
    return out


def tlv(buf: bytes, start: int, end: int, number: int) -> tuple[int, int, int]:
    """The one attribute of type ``number`` (flag bits aside) in ``buf[start:end]``."""
    [hit] = [t for t in tlvs(buf, start, end) if t[2] & uapi.NLA_TYPE_MASK == number]
    return hit


def payload(buf: bytes, attr: tuple[int, int, int]) -> bytes:
    off, length, _atype = attr
    return buf[off + 4 : off + length]


def headers(datagram: bytes) -> list[tuple[int, int, int, int, int, int]]:
    """``(offset, length, type, flags, seq, pid)`` of each message in a datagram."""
    return list(iter_messages(datagram))


def exchange(sock: NetlinkSocket, data: bytes, datagrams: int = 1) -> list[bytes]:
    """Send raw bytes on ``sock`` and read ``datagrams`` datagrams (5 s at most each)."""
    sock._sock.settimeout(5)
    try:
        sock._sock.send(data)
        return [sock._sock.recv(65536) for _ in range(datagrams)]
    finally:
        sock._sock.settimeout(None)


def read_until(sock: NetlinkSocket, seq: int, types: tuple[int, ...]) -> list[bytes]:
    """Datagrams up to and including the one holding a message of ``types`` with ``seq``."""
    out = []
    sock._sock.settimeout(5)
    try:
        while True:
            datagram = sock._sock.recv(65536)
            out.append(datagram)
            if any(s == seq and t in types for _o, _l, t, _f, s, _p in headers(datagram)):
                return out
    finally:
        sock._sock.settimeout(None)


def drain(sock: NetlinkSocket) -> list[bytes]:
    """Every datagram queued on ``sock`` right now."""
    out = []
    while True:
        try:
            out.append(sock._sock.recv(65536, uapi.MSG_DONTWAIT))
        except BlockingIOError:
            return out


def veth(name: str, peer: str, **peer_fields: int) -> LinkMessage:
    """A veth pair, one queue each (``peer_fields`` go into the peer's ifinfomsg)."""
    queues: dict[str | int, Any] = {"IFLA_NUM_TX_QUEUES": 1, "IFLA_NUM_RX_QUEUES": 1}
    peer_msg = LinkMessage(type=0, attrs={"IFLA_IFNAME": peer, **queues}, **peer_fields)
    info = {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer_msg}}
    return LinkMessage(
        type=uapi.RTM_NEWLINK, flags=CREATE, attrs={"IFLA_IFNAME": name, **queues, "IFLA_LINKINFO": info}
    )


def get_link(name: str) -> LinkMessage:
    return LinkMessage(type=uapi.RTM_GETLINK, attrs={"IFLA_IFNAME": name})


def lo_up() -> LinkMessage:
    return LinkMessage(type=uapi.RTM_NEWLINK, index=LO, link_flags=uapi.IFF_UP, change=uapi.IFF_UP)


def short_mtu(index: int = LO) -> LinkMessage:
    """``IFLA_MTU`` with a 2-byte payload (sent raw: the codec would refuse it), then a valid
    attribute, so that the request is longer than what a capped echo keeps."""
    return LinkMessage(index=index, attrs={IFLA_MTU: b"\x00\x05", "IFLA_TXQLEN": 5})


def ip_link(ip: Any, ns: rawnl.NetNS, name: str) -> dict[str, Any]:
    [link] = ip("link", "show", "dev", name, ns=ns, details=True)
    return link  # type: ignore[no-any-return]


def ip_port(ip: Any, ns: rawnl.NetNS, name: str) -> dict[str, Any]:
    """The bridge-port details ``ip -d`` shows for a port."""
    return ip_link(ip, ns, name)["linkinfo"]["info_slave_data"]  # type: ignore[no-any-return]


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def ipr(netns: rawnl.NetNS) -> Iterator[rawnl.IPRoute]:
    with rawnl.IPRoute(netns) as handle:
        yield handle


@pytest.fixture
def port(ipr: rawnl.IPRoute) -> int:
    """Bridge br0 with veth end va as its port (vb the other end); returns va's index."""
    ipr.link_add_bridge("br0")
    ipr.link_add_veth("va", "vb", num_queues=1)
    ipr.link_set("va", master="br0")
    return ipr.link_get("va").index


# ------------------------------------------------------------------------------ fixed layouts

#: (C struct, rawnl's ``struct`` format for it, its fields in order; ``x`` padding has no field)
LAYOUTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("nlmsghdr", NLMSG_HDR.format, ("nlmsg_len", "nlmsg_type", "nlmsg_flags", "nlmsg_seq", "nlmsg_pid")),
    ("nlattr", NLA_HDR.format, ("nla_len", "nla_type")),
    ("ifinfomsg", LinkMessage.FIXED.format, ("ifi_family", "ifi_type", "ifi_index", "ifi_flags", "ifi_change")),
    ("ifaddrmsg", AddressMessage.FIXED.format, ("ifa_family", "ifa_prefixlen", "ifa_flags", "ifa_scope", "ifa_index")),
    (
        "rtmsg",
        RouteMessage.FIXED.format,
        (
            "rtm_family",
            "rtm_dst_len",
            "rtm_src_len",
            "rtm_tos",
            "rtm_table",
            "rtm_protocol",
            "rtm_scope",
            "rtm_type",
            "rtm_flags",
        ),
    ),
]


def field_offsets(fmt: str) -> list[tuple[int, int]]:
    """``(offset, size)`` of each field of a ``struct`` format without alignment (``=``)."""
    out = []
    done = "="
    for code in fmt.lstrip("="):
        if code != "x":
            out.append((struct.calcsize(done), struct.calcsize("=" + code)))
        done += code
    return out


def c_layouts(tmp_path: Path) -> dict[str, int]:
    """``sizeof``/``offsetof`` from the uapi headers, compiled and run: ``"ifinfomsg"`` ->
    size, ``"ifinfomsg.ifi_index"`` -> offset, ``"ifinfomsg.ifi_index/size"`` -> field size."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler (cc/gcc) to read the kernel headers")
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <linux/netlink.h>"]
    lines += ["#include <linux/rtnetlink.h>", "#include <linux/if_link.h>", "#include <linux/if_addr.h>"]
    lines.append("int main(void) {")
    structs = [(name, fields) for name, _fmt, fields in LAYOUTS]
    structs += [
        ("nlmsgerr", ("error", "msg")),
        ("ifa_cacheinfo", ()),
        ("rtnl_link_stats64", ()),
        ("rtnl_link_stats", ()),
    ]
    for name, fields in structs:
        lines.append(f'    printf("{name} %zu\\n", sizeof(struct {name}));')
        for f in fields:
            lines.append(f'    printf("{name}.{f} %zu\\n", offsetof(struct {name}, {f}));')
            lines.append(f'    printf("{name}.{f}/size %zu\\n", sizeof(((struct {name} *)0)->{f}));')
    lines += ["    return 0;", "}"]
    src, exe = tmp_path / "layouts.c", tmp_path / "layouts"
    src.write_text("\n".join(lines) + "\n")
    subprocess.run([cc, "-o", str(exe), str(src)], check=True, capture_output=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {key: int(value) for key, value in (line.split() for line in out.splitlines())}


def test_fixed_layouts_match_the_kernel_headers(tmp_path: Path) -> None:
    c = c_layouts(tmp_path)
    for name, fmt, fields in LAYOUTS:
        assert struct.calcsize(fmt) == c[name], name
        assert [(c[f"{name}.{f}"], c[f"{name}.{f}/size"]) for f in fields] == field_offsets(fmt), name
    assert (c["nlmsgerr"], c["nlmsgerr.error"], c["nlmsgerr.msg"]) == (20, 0, 4)  # then the echoed header
    assert LinkMessage.ATTRS_AT == 16 + c["ifinfomsg"] == 32
    assert AddressMessage.ATTRS_AT == 16 + c["ifaddrmsg"] == 24
    assert RouteMessage.ATTRS_AT == 16 + c["rtmsg"] == 28
    assert len(ADDR_CACHEINFO.encode(AddrCacheInfo(1, 2, 3, 4), {})) == c["ifa_cacheinfo"] == 16
    assert len(STATS64.encode(Stats64(*range(25)), {})) == c["rtnl_link_stats64"] == 200
    assert c["rtnl_link_stats"] == 96  # 24 u32: the 32-bit struct has no rx_otherhost_dropped


def test_attribute_length_counts_header_and_payload_not_padding(nlsock: NetlinkSocket) -> None:
    [datagram] = exchange(nlsock, get_link("lo").encode(flags=uapi.NLM_F_REQUEST, seq=7))
    [(off, length, mtype, _flags, seq, _pid)] = headers(datagram)
    assert (mtype, seq) == (uapi.RTM_NEWLINK, 7)
    attrs = tlvs(datagram, off + 32, off + length)  # walks to the end of the message exactly
    name = tlv(datagram, off + 32, off + length, IFLA_IFNAME)
    assert name[1] == 4 + len(b"lo\0") == 7  # header + payload, not the byte of padding
    assert payload(datagram, name) == b"lo\0"
    following = attrs[attrs.index(name) + 1]
    assert following[0] == name[0] + 8  # the next attribute starts at the 4-byte boundary


# ---------------------------------------------------------------------------------- requests


def test_veth_nests_are_accepted_with_and_without_nla_f_nested(
    nlsock: NetlinkSocket, netns: rawnl.NetNS, ip: Any
) -> None:
    # rawnl's encoding: IFLA_LINKINFO and IFLA_INFO_DATA without the flag.
    plain = veth("pa", "pb").encode(seq=1)
    linkinfo = tlv(plain, 32, len(plain), IFLA_LINKINFO)
    assert linkinfo[2] == IFLA_LINKINFO
    assert tlv(plain, linkinfo[0] + 4, linkinfo[0] + linkinfo[1], IFLA_INFO_DATA)[2] == IFLA_INFO_DATA
    assert nlsock.request(veth("pa", "pb")) == []
    # The same request with NLA_F_NESTED on each of the three nests.
    peer = IFINFOMSG.pack(0, 0, 0, 0, 0) + encode_attrs(LINK, {"IFLA_IFNAME": "nb"})
    data = NLA_HDR.pack(4 + len(peer), VETH_INFO_PEER | uapi.NLA_F_NESTED) + peer
    info = encode_attrs(LINKINFO, {"IFLA_INFO_KIND": "veth"})
    info += NLA_HDR.pack(4 + len(data), IFLA_INFO_DATA | uapi.NLA_F_NESTED) + data
    flagged = LinkMessage(
        type=uapi.RTM_NEWLINK, flags=CREATE, attrs={"IFLA_IFNAME": "na", IFLA_LINKINFO | uapi.NLA_F_NESTED: info}
    )
    assert nlsock.request(flagged) == []
    seen = {link["ifname"]: link for link in ip("link", "show", ns=netns, details=True)}
    assert {"pa", "pb", "na", "nb"} <= set(seen)
    assert seen["na"]["link"] == "nb"
    assert seen["nb"]["linkinfo"]["info_kind"] == "veth"


def test_veth_peer_block_is_a_whole_ifinfomsg(nlsock: NetlinkSocket, netns: rawnl.NetNS, ip: Any) -> None:
    # The peer's ifinfomsg is read as one: its ifi_index becomes the peer's index.
    pair = veth("ia", "ib", index=4242)
    pair.index = 4241
    assert nlsock.request(pair) == []
    assert (ip_link(ip, netns, "ia")["ifindex"], ip_link(ip, netns, "ib")["ifindex"]) == (4241, 4242)
    # Attributes without the ifinfomsg in front: shorter than 16 bytes, refused by the policy.
    bare = encode_attrs(LINK, {"IFLA_IFNAME": "xb"})
    assert len(bare) < IFINFOMSG.size
    info = {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": NLA_HDR.pack(4 + len(bare), VETH_INFO_PEER) + bare}
    with pytest.raises(NetlinkError) as refused:
        nlsock.request(
            LinkMessage(type=uapi.RTM_NEWLINK, flags=CREATE, attrs={"IFLA_IFNAME": "xa", "IFLA_LINKINFO": info})
        )
    assert refused.value.errno == errno.ERANGE
    assert refused.value.kernel_message == "Attribute failed policy validation"
    assert refused.value.attribute == "VETH_INFO_PEER"
    assert ip.run("link", "show", "xa", ns=netns).returncode != 0


def possible_cpus() -> int:
    """How many CPUs the kernel counts as possible (``/sys/devices/system/cpu/possible``)."""
    text = Path("/sys/devices/system/cpu/possible").read_text().strip()
    count = 0
    for part in text.split(","):
        first, _, last = part.partition("-")
        count += int(last or first) - int(first) + 1
    return count


def sysfs_queues(netns: rawnl.NetNS, name: str) -> list[str]:
    """The queues a device really uses (``/sys/class/net/NAME/queues``, seen from inside)."""
    out = subprocess.run(
        ["ip", "netns", "exec", str(netns.name), "ls", f"/sys/class/net/{name}/queues"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return sorted(out.split())


def test_veth_gets_a_queue_per_cpu_then_trimmed_to_one(ipr: rawnl.IPRoute, netns: rawnl.NetNS, ip: Any) -> None:
    ipr.link_add_veth("qa", "qb")
    ipr.link_add_veth("ra", "rb", num_queues=1)
    default, asked = ip_link(ip, netns, "qa"), ip_link(ip, netns, "ra")
    assert (default["num_tx_queues"], default["num_rx_queues"]) == (possible_cpus(), possible_cpus())
    assert (asked["num_tx_queues"], asked["num_rx_queues"]) == (1, 1)
    assert sysfs_queues(netns, "qa") == sysfs_queues(netns, "ra") == ["rx-0", "tx-0"]  # both in use: one


def test_net_ns_pid_without_a_task_is_esrch_while_an_fd_outlives_its_process(
    ipr: rawnl.IPRoute, netns: rawnl.NetNS, netns2: rawnl.NetNS, ip: Any
) -> None:
    ipr.link_add_veth("va", "vb", num_queues=1)
    no_task = int(Path("/proc/sys/kernel/pid_max").read_text())  # pids stay below pid_max
    with pytest.raises(NetlinkError) as gone:
        ipr.sock.request(LinkMessage(type=uapi.RTM_NEWLINK, attrs={"IFLA_IFNAME": "vb", "IFLA_NET_NS_PID": no_task}))
    assert gone.value.errno == errno.ESRCH
    assert "vb" in {link["ifname"] for link in ip("link", "show", ns=netns)}
    # An fd on /proc/PID/ns/net names the namespace itself: it still works once the process is gone.
    with subprocess.Popen(["ip", "netns", "exec", str(netns2.name), "sleep", "30"]) as proc:
        try:
            eventually(lambda: rawnl.NetNS.from_pid(proc.pid) == netns2)
            handle = rawnl.NetNS.from_pid(proc.pid)
        finally:
            proc.kill()
    with handle:
        moved: dict[str | int, Any] = {"IFLA_NET_NS_FD": handle.fd, "IFLA_IFNAME": "eth0"}  # moved and renamed at once
        ipr.sock.request(LinkMessage(type=uapi.RTM_NEWLINK, index=ipr.link_get("vb").index, attrs=moved))
    assert "eth0" in {link["ifname"] for link in ip("link", "show", ns=netns2)}
    assert "vb" not in {link["ifname"] for link in ip("link", "show", ns=netns)}


def test_protinfo_without_nla_f_nested_is_read_as_the_old_port_state(
    ipr: rawnl.IPRoute, port: int, netns: rawnl.NetNS, ip: Any
) -> None:
    for name in ("br0", "va", "vb"):
        ipr.link_set(name, up=True)
    eventually(lambda: ip_port(ip, netns, "va")["state"] == "forwarding")
    nest = encode_attrs(BRPORT, {"IFLA_BRPORT_MODE": 1})  # 05 00 04 00 01 00 00 00
    # No NLA_F_NESTED: the first payload byte (5, the inner length) is taken for a port state.
    flagless: dict[str | int, Any] = {IFLA_PROTINFO: nest}
    with pytest.raises(NetlinkError) as refused:
        ipr.sock.request(LinkMessage(type=uapi.RTM_SETLINK, family=uapi.AF_BRIDGE, index=port, attrs=flagless))
    assert refused.value.errno == errno.EINVAL
    assert refused.value.kernel_message is None
    assert ip_port(ip, netns, "va")["hairpin"] is False
    # A one-byte payload is a port state: 0 is BR_STATE_DISABLED.
    disabled: dict[str | int, Any] = {IFLA_PROTINFO: b"\0"}
    ipr.sock.request(LinkMessage(type=uapi.RTM_SETLINK, family=uapi.AF_BRIDGE, index=port, attrs=disabled))
    assert ip_port(ip, netns, "va")["state"] == "disabled"
    assert ip_port(ip, netns, "va")["hairpin"] is False
    # With NLA_F_NESTED the payload is a nest of IFLA_BRPORT_*.
    flagged: dict[str | int, Any] = {IFLA_PROTINFO | uapi.NLA_F_NESTED: nest}
    ipr.sock.request(LinkMessage(type=uapi.RTM_SETLINK, family=uapi.AF_BRIDGE, index=port, attrs=flagged))
    assert ip_port(ip, netns, "va")["hairpin"] is True


def test_hairpin_through_ifla_info_slave_data(ipr: rawnl.IPRoute, port: int, netns: rawnl.NetNS, ip: Any) -> None:
    info = {"IFLA_INFO_SLAVE_KIND": "bridge", "IFLA_INFO_SLAVE_DATA": {"IFLA_BRPORT_MODE": 1}}
    ipr.sock.request(LinkMessage(type=uapi.RTM_NEWLINK, index=port, attrs={"IFLA_LINKINFO": info}))
    assert ip_port(ip, netns, "va")["hairpin"] is True
    assert ipr.link_get("va").hairpin is True


def test_bridge_port_dump_sends_protinfo_nested(ipr: rawnl.IPRoute, port: int) -> None:
    ipr.link_set_hairpin("va", True)
    ipr.sock._sock.send(LinkMessage(type=uapi.RTM_GETLINK, family=uapi.AF_BRIDGE).encode(flags=DUMP, seq=9))
    found = []
    for datagram in read_until(ipr.sock, 9, (uapi.NLMSG_DONE,)):
        for off, length, mtype, _flags, _seq, _pid in headers(datagram):
            if mtype == uapi.RTM_NEWLINK and IFINFOMSG.unpack_from(datagram, off + 16)[2] == port:
                prot = tlv(datagram, off + 32, off + length, IFLA_PROTINFO)
                mode = tlv(datagram, prot[0] + 4, prot[0] + prot[1], IFLA_BRPORT_MODE)
                found.append((prot[2], payload(datagram, mode)))
    assert found == [(IFLA_PROTINFO | uapi.NLA_F_NESTED, b"\x01")]


def test_gateway_route_needs_scope_universe(ipr: rawnl.IPRoute) -> None:
    ipr.link_add_veth("va", "vb", num_queues=1)
    ipr.link_set("va", up=True)
    ipr.addr_add("va", "192.0.2.1/24")

    def route(prefix: str, scope: int, **extra: Any) -> RouteMessage:
        net = ipaddress.ip_network(prefix)
        attrs: dict[str | int, Any] = {"RTA_DST": net.network_address}
        attrs.update(extra)
        return RouteMessage(
            type=uapi.RTM_NEWROUTE,
            flags=CREATE,
            family=uapi.AF_INET,
            dst_len=net.prefixlen,
            table=uapi.RT_TABLE_MAIN,
            protocol=uapi.RTPROT_BOOT,
            scope=scope,
            route_type=uapi.RTN_UNICAST,
            attrs=attrs,
        )

    gateway = {"RTA_GATEWAY": ipaddress.ip_address("192.0.2.2")}
    with pytest.raises(NetlinkError) as refused:
        ipr.sock.request(route("198.51.100.0/24", uapi.RT_SCOPE_LINK, **gateway))
    assert refused.value.errno == errno.ENETUNREACH
    assert refused.value.kernel_message == "Nexthop has invalid gateway"
    assert ipr.sock.request(route("198.51.100.0/24", uapi.RT_SCOPE_UNIVERSE, **gateway)) == []
    # Without a gateway the kernel takes either scope; `ip` (and rawnl) send LINK.
    oif = {"RTA_OIF": ipr.link_get("va").index}
    assert ipr.sock.request(route("203.0.113.0/25", uapi.RT_SCOPE_LINK, **oif)) == []
    assert ipr.sock.request(route("203.0.113.128/25", uapi.RT_SCOPE_UNIVERSE, **oif)) == []
    scopes = {str(r.dst): r.scope for r in ipr.routes(table="main", family=4)}
    assert (scopes["198.51.100.0/24"], scopes["203.0.113.0/25"], scopes["203.0.113.128/25"]) == (
        uapi.RT_SCOPE_UNIVERSE,
        uapi.RT_SCOPE_LINK,
        uapi.RT_SCOPE_UNIVERSE,
    )


def test_table_above_255_travels_in_rta_table(ipr: rawnl.IPRoute) -> None:
    ipr.link_add_veth("va", "vb", num_queues=1)
    ipr.link_set("va", up=True)
    oif = ipr.link_get("va").index
    for dst, table in (("198.51.100.0", 1000), ("203.0.113.0", 100)):
        rtm_table = table if table <= 255 else uapi.RT_TABLE_UNSPEC
        attrs: dict[str | int, Any] = {"RTA_DST": ipaddress.ip_address(dst), "RTA_OIF": oif}
        if table > 255:
            attrs["RTA_TABLE"] = table
        msg = RouteMessage(
            type=uapi.RTM_NEWROUTE,
            flags=CREATE,
            family=uapi.AF_INET,
            dst_len=24,
            table=rtm_table,
            protocol=uapi.RTPROT_BOOT,
            scope=uapi.RT_SCOPE_LINK,
            route_type=uapi.RTN_UNICAST,
            attrs=attrs,
        )
        assert ipr.sock.request(msg) == []
    dumped = {
        str(m.attrs["RTA_DST"]): (m.table, m.attrs["RTA_TABLE"])
        for m in ipr.sock.dump(RouteMessage(type=uapi.RTM_GETROUTE, family=uapi.AF_INET))
        if isinstance(m, RouteMessage) and "RTA_DST" in m.attrs
    }
    assert dumped["198.51.100.0"] == (uapi.RT_TABLE_COMPAT, 1000)  # rtm_table cannot hold 1000
    assert dumped["203.0.113.0"] == (100, 100)  # every route reply carries RTA_TABLE


def test_kernel_does_not_validate_framing(nlsock: NetlinkSocket, netns: rawnl.NetNS, ip: Any) -> None:
    nlsock.request(veth("va", "vb"))
    index = ip_link(ip, netns, "va")["ifindex"]

    def set_mtu(mtu: int, seq: int) -> bytearray:
        return bytearray(
            LinkMessage(type=uapi.RTM_NEWLINK, index=index, attrs={"IFLA_MTU": mtu}).encode(flags=ACK, seq=seq)
        )

    # An attribute whose length runs past the end of the message: "success", with a warning, and
    # the attribute ignored.
    past_end = set_mtu(1400, 11)
    struct.pack_into("=H", past_end, 32, 200)
    [datagram] = exchange(nlsock, bytes(past_end))
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, ErrorMessage)
    assert reply.error == 0
    assert reply.flags == uapi.NLM_F_CAPPED | uapi.NLM_F_ACK_TLVS
    assert reply.message == "bytes leftover after parsing attributes"
    assert ip_link(ip, netns, "va")["mtu"] == 1500
    # Bytes after the message, in the same datagram: ignored without a word.
    [datagram] = exchange(nlsock, bytes(set_mtu(1300, 12)) + b"\xde\xad\xbe\xef\x01\x02\x03")
    assert len(datagram) == 36
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, ErrorMessage)
    assert (reply.seq, reply.error, dict(reply.attrs)) == (12, 0, {})
    assert ip_link(ip, netns, "va")["mtu"] == 1300
    # Bytes inside the message's length that are no attribute: applied, with the same warning.
    inside = set_mtu(1280, 13) + b"\xde\xad"
    struct.pack_into("=I", inside, 0, len(inside))
    [datagram] = exchange(nlsock, bytes(inside))
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, ErrorMessage)
    assert (reply.error, reply.message) == (0, "bytes leftover after parsing attributes")
    assert ip_link(ip, netns, "va")["mtu"] == 1280


# ------------------------------------------------------------------------------------ replies


@pytest.mark.parametrize("cap_ack", [True, False])
def test_success_ack_is_36_bytes_and_capped(netns: rawnl.NetNS, cap_ack: bool) -> None:
    with NetlinkSocket(netns=netns, cap_ack=cap_ack) as sock:
        request = LinkMessage(type=uapi.RTM_NEWLINK, index=LO, attrs={"IFLA_TXQLEN": 1000}).encode(flags=ACK, seq=21)
        assert len(request) > 16
        [datagram] = exchange(sock, request)
    assert len(datagram) == 36
    length, mtype, flags, seq, _pid = NLMSG_HDR.unpack_from(datagram)
    assert (length, mtype, flags, seq) == (36, uapi.NLMSG_ERROR, uapi.NLM_F_CAPPED, 21)
    assert I32.unpack_from(datagram, 16) == (0,)
    assert datagram[20:36] == request[:16]  # the request's header, not its attributes


def test_error_echoes_the_whole_request_without_cap_ack(netns: rawnl.NetNS) -> None:
    request = short_mtu().encode(flags=ACK, seq=22)
    with NetlinkSocket(netns=netns, cap_ack=False) as sock:
        [datagram] = exchange(sock, request)
    length, mtype, flags, _seq, _pid = NLMSG_HDR.unpack_from(datagram)
    assert (length, mtype, flags) == (len(datagram), uapi.NLMSG_ERROR, uapi.NLM_F_ACK_TLVS)
    assert I32.unpack_from(datagram, 16) == (-errno.ERANGE,)
    assert datagram[20 : 20 + len(request)] == request
    start = 20 + align4(len(request))
    assert payload(datagram, tlv(datagram, start, length, NLMSGERR_ATTR_MSG)) == b"Attribute failed policy validation\0"
    assert payload(datagram, tlv(datagram, start, length, NLMSGERR_ATTR_OFFS)) == struct.pack("=I", 32)
    assert tlv(datagram, start, length, NLMSGERR_ATTR_POLICY)[1] > 4
    # Without NETLINK_EXT_ACK: the same echo and nothing after it.
    with NetlinkSocket(netns=netns, cap_ack=False, ext_ack=False) as sock:
        [datagram] = exchange(sock, request)
    assert NLMSG_HDR.unpack_from(datagram)[2] == 0
    assert len(datagram) == 20 + len(request)


def test_error_with_cap_ack_echoes_the_header_and_the_offset_counts_in_the_request(nlsock: NetlinkSocket) -> None:
    request = short_mtu().encode(flags=ACK, seq=23)
    [datagram] = exchange(nlsock, request)
    length, _mtype, flags, _seq, _pid = NLMSG_HDR.unpack_from(datagram)
    assert flags == uapi.NLM_F_CAPPED | uapi.NLM_F_ACK_TLVS
    assert datagram[20:36] == request[:16]
    offs = payload(datagram, tlv(datagram, 36, length, NLMSGERR_ATTR_OFFS))
    offset = struct.unpack("=I", offs)[0]
    assert offset == 32  # counted from our request's nlmsghdr, which only we still have
    assert NLA_HDR.unpack_from(request, offset) == (6, IFLA_MTU)
    assert attribute_at(request, offset) == ("IFLA_MTU",)


def test_eexist_comes_without_text(nlsock: NetlinkSocket) -> None:
    nlsock.request(veth("va", "vb"))
    [datagram] = exchange(nlsock, veth("va", "vc").encode(seq=24))
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, ErrorMessage)
    assert reply.error == -errno.EEXIST
    assert reply.flags == uapi.NLM_F_CAPPED  # no NLM_F_ACK_TLVS: no attributes at all
    assert (len(datagram), reply.message) == (36, None)


def test_refused_strict_dump_ends_in_done_with_the_errno(nlsock: NetlinkSocket) -> None:
    [datagram] = exchange(nlsock, LinkMessage(type=uapi.RTM_GETLINK, index=LO).encode(flags=DUMP, seq=25))
    [(off, length, mtype, flags, seq, _pid)] = headers(datagram)
    assert (mtype, flags, seq) == (uapi.NLMSG_DONE, uapi.NLM_F_MULTI | uapi.NLM_F_ACK_TLVS, 25)
    assert flags == 0x202
    assert I32.unpack_from(datagram, off + 16) == (-errno.EINVAL,)
    text = payload(datagram, tlv(datagram, off + 20, off + length, NLMSGERR_ATTR_MSG))  # right after the int
    assert text == b"Filter by device index not supported for link dumps\0"
    # An accepted dump ends in a bare DONE: the header and a zero int.
    nlsock._sock.send(LinkMessage(type=uapi.RTM_GETLINK).encode(flags=DUMP, seq=26))
    datagrams = read_until(nlsock, 26, (uapi.NLMSG_DONE,))
    done = [(d, o, n, f) for d in datagrams for o, n, t, f, s, _p in headers(d) if t == uapi.NLMSG_DONE and s == 26]
    [(last, off, length, flags)] = done
    assert (length, flags, I32.unpack_from(last, off + 16)) == (20, uapi.NLM_F_MULTI, (0,))


def test_getlink_with_ack_answers_in_two_datagrams(nlsock: NetlinkSocket) -> None:
    first, second = exchange(nlsock, get_link("lo").encode(flags=ACK, seq=27), datagrams=2)
    assert [(t, s) for _o, _l, t, _f, s, _p in headers(first)] == [(uapi.RTM_NEWLINK, 27)]
    assert [(t, s) for _o, _l, t, _f, s, _p in headers(second)] == [(uapi.NLMSG_ERROR, 27)]
    assert len(second) == 36
    assert nlsock.pending() == 0


def test_without_nlm_f_ack_only_failures_are_answered(nlsock: NetlinkSocket) -> None:
    nlsock.request(lo_up())

    def add(address: str, index: int, seq: int, flags: int) -> bytes:
        ip_addr = ipaddress.ip_address(address)
        msg = AddressMessage(
            type=uapi.RTM_NEWADDR,
            family=uapi.AF_INET,
            prefixlen=32,
            index=index,
            attrs={"IFA_LOCAL": ip_addr, "IFA_ADDRESS": ip_addr},
        )
        return msg.encode(flags=flags | uapi.NLM_F_CREATE | uapi.NLM_F_EXCL, seq=seq)

    no_ack = add("192.0.2.1", LO, 31, uapi.NLM_F_REQUEST)
    no_ack += add("192.0.2.2", 4242, 32, uapi.NLM_F_REQUEST)  # no such device
    no_ack += add("192.0.2.3", LO, 33, uapi.NLM_F_REQUEST)
    sentinel = get_link("lo").encode(flags=ACK, seq=34)  # its ACK marks the end of the answers
    nlsock._sock.send(no_ack)
    nlsock._sock.send(sentinel)
    answers = read_until(nlsock, 34, (uapi.NLMSG_ERROR,))
    replies = [m for d in answers for m in rawnl.decode(d) if isinstance(m, ErrorMessage)]
    assert [(m.seq, m.error) for m in replies] == [(32, -errno.ENODEV), (34, 0)]
    # With NLM_F_ACK on each request, each gets its own ACK.
    with_ack = b"".join(add(f"198.51.100.{i}", LO, 40 + i, ACK) for i in (1, 2, 3))
    nlsock._sock.send(with_ack)
    answers = read_until(nlsock, 43, (uapi.NLMSG_ERROR,))
    assert len(answers) == 3  # one datagram each
    messages = [m for d in answers for m in rawnl.decode(d)]
    assert all(isinstance(m, ErrorMessage) for m in messages)
    assert [(m.seq, m.error) for m in messages if isinstance(m, ErrorMessage)] == [(40 + i, 0) for i in (1, 2, 3)]


def test_a_thousand_acks_overflow_the_default_receive_buffer(netns: rawnl.NetNS) -> None:
    with NetlinkSocket(netns=netns) as sock:  # SO_RCVBUF left at the default
        sock._sock.send(b"".join(lo_up().encode(flags=ACK, seq=1000 + i) for i in range(1000)))
        with pytest.raises(OSError, match="No buffer space available") as overrun:
            sock._sock.recv(65536, uapi.MSG_DONTWAIT)
        assert overrun.value.errno == errno.ENOBUFS
        sock._sock.recv(65536, uapi.MSG_DONTWAIT)  # one read: the queue is not empty yet
        # Until the queue has been emptied, every further reply is dropped.
        sock._sock.send(get_link("lo").encode(flags=uapi.NLM_F_REQUEST, seq=5000))
        kept = [s for d in drain(sock) for _o, _l, _t, _f, s, _p in headers(d)]
        assert 5000 not in kept
        assert 0 < len(kept) < 999
        [datagram] = exchange(sock, get_link("lo").encode(flags=uapi.NLM_F_REQUEST, seq=5001))
        assert [(t, s) for _o, _l, t, _f, s, _p in headers(datagram)] == [(uapi.RTM_NEWLINK, 5001)]


def test_dump_datagrams_are_sized_by_the_largest_receive(netns: rawnl.NetNS) -> None:
    with NetlinkSocket(netns=netns) as sock:
        outcomes = sock.batch([veth(f"d{i}a", f"d{i}b") for i in range(50)])
        assert not [o for o in outcomes if isinstance(o, NetlinkError)]
    sizes: dict[int, list[int]] = {}
    links: dict[int, int] = {}
    peek = bytearray(16)
    for hint in (0, 32768):
        with NetlinkSocket(netns=netns) as sock:
            sock._sock.send(LinkMessage(type=uapi.RTM_GETLINK).encode(flags=DUMP, seq=50))
            sizes[hint], links[hint] = [], 0
            while True:
                size = sock._sock.recv_into(peek, 16, uapi.MSG_PEEK | uapi.MSG_TRUNC)
                datagram = sock._sock.recv(max(size, hint))
                assert len(datagram) == size  # MSG_PEEK | MSG_TRUNC gave the whole datagram's size
                sizes[hint].append(size)
                types = [t for _o, _l, t, _f, _s, _p in headers(datagram)]
                links[hint] += types.count(uapi.RTM_NEWLINK)
                if uapi.NLMSG_DONE in types:
                    break
    assert links[0] == links[32768] == 101
    assert max(sizes[0]) <= 8192  # reading exactly what is there: small datagrams, 2 links each
    assert 16384 < max(sizes[32768]) <= 32768  # after a 32 KB receive: up to 32 KB
    assert len(sizes[32768]) * 3 < len(sizes[0])


def test_socket_options_are_on_unless_turned_off(netns: rawnl.NetNS) -> None:
    options = (uapi.NETLINK_EXT_ACK, uapi.NETLINK_GET_STRICT_CHK, uapi.NETLINK_CAP_ACK)
    with NetlinkSocket(netns=netns) as sock:
        assert [sock._sock.getsockopt(uapi.SOL_NETLINK, o) for o in options] == [1, 1, 1]
    with NetlinkSocket(netns=netns, ext_ack=False, strict_check=False, cap_ack=False) as sock:
        assert [sock._sock.getsockopt(uapi.SOL_NETLINK, o) for o in options] == [0, 0, 0]


@pytest.fixture
def addressed(ipr: rawnl.IPRoute) -> int:
    """lo up (127.0.0.1), va up with 192.0.2.1/24, a route in table 1000; returns va's index."""
    ipr.link_set("lo", up=True)
    ipr.link_add_veth("va", "vb", num_queues=1)
    ipr.link_set("va", up=True)
    ipr.addr_add("va", "192.0.2.1/24")
    ipr.route_add("198.51.100.0/24", oif="va", table=1000)
    return ipr.link_get("va").index


@pytest.mark.parametrize("strict", [True, False])
def test_strict_checking_filters_address_and_route_dumps_in_the_kernel(
    netns: rawnl.NetNS, addressed: int, strict: bool
) -> None:
    with NetlinkSocket(netns=netns, strict_check=strict) as sock:
        dumped = sock.dump(AddressMessage(type=uapi.RTM_GETADDR, family=uapi.AF_INET, index=addressed))
        addrs = [m for m in dumped if isinstance(m, AddressMessage)]
        table = RouteMessage(type=uapi.RTM_GETROUTE, family=uapi.AF_INET, attrs={"RTA_TABLE": 1000})
        routes = [m for m in sock.dump(table) if isinstance(m, RouteMessage)]
        oif = RouteMessage(type=uapi.RTM_GETROUTE, family=uapi.AF_INET, attrs={"RTA_OIF": addressed})
        by_oif = [m for m in sock.dump(oif) if isinstance(m, RouteMessage)]
    if strict:
        assert {m.index for m in addrs} == {addressed}
        assert {m.attrs["RTA_TABLE"] for m in routes} == {1000}
        assert {m.attrs["RTA_OIF"] for m in by_oif} == {addressed}
        assert all(m.flags & uapi.NLM_F_DUMP_FILTERED for m in [*addrs, *routes, *by_oif])
    else:  # the same requests, the filters ignored
        assert {m.index for m in addrs} == {LO, addressed}
        assert {m.attrs["RTA_TABLE"] for m in routes} == {1000, uapi.RT_TABLE_MAIN, uapi.RT_TABLE_LOCAL}
        assert {m.attrs["RTA_OIF"] for m in by_oif} == {LO, addressed}
        assert not any(m.flags & uapi.NLM_F_DUMP_FILTERED for m in [*addrs, *routes, *by_oif])


def test_strict_checking_refuses_what_a_dump_cannot_filter(netns: rawnl.NetNS, addressed: int) -> None:
    missing = RouteMessage(type=uapi.RTM_GETROUTE, family=uapi.AF_INET, attrs={"RTA_TABLE": 4000})
    by_index = LinkMessage(type=uapi.RTM_GETLINK, index=LO)
    with NetlinkSocket(netns=netns) as sock:
        with pytest.raises(NetlinkError) as no_table:
            list(sock.dump(missing))
        assert (no_table.value.errno, no_table.value.kernel_message) == (errno.ENOENT, "ipv4: FIB table does not exist")
        with pytest.raises(NetlinkError) as no_index:
            list(sock.dump(by_index))
        assert no_index.value.errno == errno.EINVAL
    with NetlinkSocket(netns=netns, strict_check=False) as loose:
        assert len(list(loose.dump(by_index))) == 3  # lo, va, vb: the index ignored
        assert list(loose.dump(missing))  # everything, as if no table had been asked for


def test_link_dump_filters_by_master_in_the_kernel(ipr: rawnl.IPRoute, port: int) -> None:
    master = ipr.link_get("br0").index
    msgs = list(ipr.sock.dump(LinkMessage(type=uapi.RTM_GETLINK, attrs={"IFLA_MASTER": master})))
    assert all(isinstance(m, LinkMessage) for m in msgs)
    assert [(m.index, m.flags) for m in msgs if isinstance(m, LinkMessage)] == [
        (port, uapi.NLM_F_MULTI | uapi.NLM_F_DUMP_FILTERED)
    ]


# ---------------------------------------------------------------------------- attribute shapes


def test_kernel_nests_linkinfo_without_nla_f_nested_and_prop_list_with_it(
    ipr: rawnl.IPRoute, netns: rawnl.NetNS, ip: Any
) -> None:
    ipr.link_add_bridge("br0")
    ip.text("link", "property", "add", "dev", "br0", "altname", "rawnl-bridge-alt", ns=netns)
    [datagram] = exchange(ipr.sock, get_link("br0").encode(flags=uapi.NLM_F_REQUEST, seq=60))
    end = NLMSG_HDR.unpack_from(datagram)[0]
    info = tlv(datagram, 32, end, IFLA_LINKINFO)
    assert info[2] == IFLA_LINKINFO
    assert tlv(datagram, info[0] + 4, info[0] + info[1], IFLA_INFO_DATA)[2] == IFLA_INFO_DATA
    assert tlv(datagram, 32, end, IFLA_PROP_LIST)[2] == IFLA_PROP_LIST | uapi.NLA_F_NESTED
    # rawnl writes them as the kernel does.
    ours = LinkMessage(
        attrs={
            "IFLA_LINKINFO": {"IFLA_INFO_KIND": "bridge", "IFLA_INFO_DATA": {"IFLA_BR_STP_STATE": 0}},
            "IFLA_PROP_LIST": {"IFLA_ALT_IFNAME": "x"},
        }
    ).encode()
    info = tlv(ours, 32, len(ours), IFLA_LINKINFO)
    assert info[2] == IFLA_LINKINFO
    assert tlv(ours, info[0] + 4, info[0] + info[1], IFLA_INFO_DATA)[2] == IFLA_INFO_DATA
    assert tlv(ours, 32, len(ours), IFLA_PROP_LIST)[2] == IFLA_PROP_LIST | uapi.NLA_F_NESTED


def test_vxlan_ttl_inherit_is_a_flag_in_and_a_u8_out(nlsock: NetlinkSocket) -> None:
    def vxlan(name: str, vni: int, inherit: bool | bytes) -> LinkMessage:
        data: dict[str | int, Any] = {"IFLA_VXLAN_ID": vni, "IFLA_VXLAN_PORT": 4789}
        data[IFLA_VXLAN_TTL_INHERIT if isinstance(inherit, bytes) else "IFLA_VXLAN_TTL_INHERIT"] = inherit
        info = {"IFLA_INFO_KIND": "vxlan", "IFLA_INFO_DATA": data}
        return LinkMessage(type=uapi.RTM_NEWLINK, flags=CREATE, attrs={"IFLA_IFNAME": name, "IFLA_LINKINFO": info})

    assert nlsock.request(vxlan("vx0", 5, True)) == []  # a zero-length flag
    [datagram] = exchange(nlsock, get_link("vx0").encode(flags=uapi.NLM_F_REQUEST, seq=61))
    end = NLMSG_HDR.unpack_from(datagram)[0]
    info = tlv(datagram, 32, end, IFLA_LINKINFO)
    data = tlv(datagram, info[0] + 4, info[0] + info[1], IFLA_INFO_DATA)
    assert payload(datagram, tlv(datagram, data[0] + 4, data[0] + data[1], IFLA_VXLAN_TTL_INHERIT)) == b"\x01"
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, LinkMessage)
    assert reply.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["IFLA_VXLAN_TTL_INHERIT"] is True
    with pytest.raises(NetlinkError) as refused:  # what the kernel sends back is not what it takes
        nlsock.request(vxlan("vx1", 6, b"\x01"))
    assert refused.value.errno == errno.ERANGE
    assert refused.value.attribute == "IFLA_VXLAN_TTL_INHERIT"


def test_link_stats_sizes(nlsock: NetlinkSocket) -> None:
    [datagram] = exchange(nlsock, get_link("lo").encode(flags=uapi.NLM_F_REQUEST, seq=62))
    end = NLMSG_HDR.unpack_from(datagram)[0]
    assert len(payload(datagram, tlv(datagram, 32, end, IFLA_STATS))) == 96  # 24 x u32
    assert len(payload(datagram, tlv(datagram, 32, end, IFLA_STATS64))) == 200  # 25 x u64
    [reply] = rawnl.decode(datagram)
    assert isinstance(reply, LinkMessage)
    stats = reply.attrs["IFLA_STATS64"]
    assert isinstance(stats, Stats64)
    assert len(stats) == 26  # the 25 fields, then extra (nothing: the struct as rawnl knows it)
    assert stats.extra == b""
    legacy = reply.attrs["IFLA_STATS"]  # the 24 u32s, read into the same fields
    assert isinstance(legacy, Stats64)
    assert (legacy.rx_packets, legacy.rx_otherhost_dropped) == (stats.rx_packets, None)
