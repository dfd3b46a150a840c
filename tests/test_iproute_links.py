"""IPRoute's link operations on the real kernel, each test in its own namespace; iproute2
(``ip -j [-d] -n NS link show``) is the independent observer of every change."""

from __future__ import annotations

import errno
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rawnl import IPRoute, Link, NetlinkError, NetNS

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        yield handle


def ip_link(ip: Any, ns: NetNS, name: str) -> dict[str, Any]:
    [link] = ip("link", "show", "dev", name, ns=ns, details=True)
    return link  # type: ignore[no-any-return]


def ip_names(ip: Any, ns: NetNS, *args: str) -> set[str]:
    return {link["ifname"] for link in ip("link", "show", *args, ns=ns)}


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Operational state changes are applied asynchronously by the kernel (linkwatch)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def same_as_ip(link: Link, seen: dict[str, Any], index_of: dict[str, int]) -> None:
    """Every field of ``link`` agrees with ip's JSON for the same link."""
    assert link.index == seen["ifindex"]
    assert link.name == seen["ifname"]
    assert link.mtu == seen["mtu"]
    assert link.txqlen == seen.get("txqlen")
    assert link.mac == seen.get("address")
    assert link.operstate == seen["operstate"]
    assert link.up == ("UP" in seen["flags"])
    assert link.kind == seen.get("linkinfo", {}).get("info_kind")
    assert link.master == (index_of[seen["master"]] if "master" in seen else None)
    if "link_netnsid" in seen:
        assert link.link_netnsid == seen["link_netnsid"]
        assert link.peer == seen["link_index"]
    elif "link" in seen and seen["link"] is not None:
        assert link.peer == index_of[seen["link"]]
    else:
        assert link.link_netnsid is None


def indexes(ip: Any, ns: NetNS) -> dict[str, int]:
    return {link["ifname"]: link["ifindex"] for link in ip("link", "show", ns=ns)}


# ------------------------------------------------------------------------------ creation


def test_veth_pair(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb", mtu=1400, txqlen=77, mac="02:00:00:00:00:aa", peer_mac="02:00:00:00:00:bb")
    a, b = ip_link(ip, netns, "va"), ip_link(ip, netns, "vb")
    assert (a["linkinfo"]["info_kind"], b["linkinfo"]["info_kind"]) == ("veth", "veth")
    assert (a["link"], b["link"]) == ("vb", "va")
    assert (a["mtu"], b["mtu"], a["txqlen"], b["txqlen"]) == (1400, 1400, 77, 77)
    assert (a["address"], b["address"]) == ("02:00:00:00:00:aa", "02:00:00:00:00:bb")
    index_of = indexes(ip, netns)
    same_as_ip(ipr.link_get("va"), a, index_of)
    same_as_ip(ipr.link_get(b["ifindex"]), b, index_of)


def test_veth_num_queues(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb", num_queues=1)
    for name in ("va", "vb"):
        seen = ip_link(ip, netns, name)
        assert seen["num_tx_queues"] == 1
        # A kernel may not report the receive queues (the 6.1 build of the second kernel sends no
        # IFLA_NUM_RX_QUEUES): where it does, the count is 1, and rawnl sees what ip sees.
        attrs = ipr.link_get(name).attrs
        assert attrs["IFLA_NUM_TX_QUEUES"] == 1
        assert attrs.get("IFLA_NUM_RX_QUEUES") == seen.get("num_rx_queues")
        assert seen.get("num_rx_queues", 1) == 1


def test_veth_peer_straight_into_netns(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb", peer_netns=netns2, mtu=1300)
    assert "vb" not in ip_names(ip, netns)
    peer = ip_link(ip, netns2, "vb")
    assert (peer["mtu"], peer["linkinfo"]["info_kind"]) == (1300, "veth")
    here = ip_link(ip, netns, "va")
    link = ipr.link_get("va")
    assert link.link_netnsid == here["link_netnsid"]
    assert link.peer == here["link_index"] == peer["ifindex"]
    same_as_ip(link, here, indexes(ip, netns))


def test_veth_peer_straight_into_netns_by_pid(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    with subprocess.Popen(["ip", "netns", "exec", str(netns2.name), "sleep", "30"]) as proc:
        try:
            eventually(lambda: NetNS.from_pid(proc.pid) == netns2)
            ipr.link_add_veth("va", "vb", peer_netns=proc.pid)
        finally:
            proc.kill()
    assert ip_link(ip, netns2, "vb")["ifname"] == "vb"
    assert "vb" not in ip_names(ip, netns)


def test_veth_peer_same_name_in_other_netns(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("eth0", "eth0", peer_netns=netns2.name)
    assert "eth0" in ip_names(ip, netns)
    assert "eth0" in ip_names(ip, netns2)


def test_bridge(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0", mtu=1450, mac="02:00:00:00:01:00")
    seen = ip_link(ip, netns, "br0")
    assert seen["linkinfo"]["info_kind"] == "bridge"
    assert (seen["mtu"], seen["address"]) == (1450, "02:00:00:00:01:00")
    same_as_ip(ipr.link_get("br0"), seen, indexes(ip, netns))


def test_bridge_options(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0", stp=True, forward_delay=400)
    data = ip_link(ip, netns, "br0")["linkinfo"]["info_data"]
    assert (data["stp_state"], data["forward_delay"]) == (1, 400)


def test_generic_link_add(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add("br7", "bridge", data={"IFLA_BR_STP_STATE": 1}, mtu=1400)
    seen = ip_link(ip, netns, "br7")
    assert (seen["linkinfo"]["info_kind"], seen["linkinfo"]["info_data"]["stp_state"], seen["mtu"]) == (
        "bridge",
        1,
        1400,
    )


def test_macvlan_on_veth(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_add_macvlan("mv0", "va", "bridge")
    ipr.link_add_macvlan("mv1", ipr.link_get("va").index, "private", mac="02:00:00:00:02:01")
    mv0, mv1 = ip_link(ip, netns, "mv0"), ip_link(ip, netns, "mv1")
    assert (mv0["linkinfo"]["info_kind"], mv0["link"], mv0["linkinfo"]["info_data"]["mode"]) == (
        "macvlan",
        "va",
        "bridge",
    )
    assert (mv1["linkinfo"]["info_data"]["mode"], mv1["address"]) == ("private", "02:00:00:00:02:01")
    link = ipr.link_get("mv0")
    assert (link.kind, link.parent) == ("macvlan", ipr.link_get("va").index)
    same_as_ip(link, mv0, indexes(ip, netns))


def test_vxlan(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_add_vxlan("vx0", 4242, local="192.0.2.1", remote="192.0.2.2", dev="va", ttl=9, port=4790)
    data = ip_link(ip, netns, "vx0")["linkinfo"]["info_data"]
    assert (data["id"], data["local"], data["remote"], data["link"], data["ttl"], data["port"]) == (
        4242,
        "192.0.2.1",
        "192.0.2.2",
        "va",
        9,
        4790,
    )
    ipr.link_add_vxlan("vx1", 7, group="239.1.1.1", dev="va")
    data = ip_link(ip, netns, "vx1")["linkinfo"]["info_data"]
    assert (data["id"], data["group"], data["port"]) == (7, "239.1.1.1", 4789)
    assert ipr.link_get("vx0").kind == "vxlan"


# ----------------------------------------------------------------------------- link_set


def test_master_and_nomaster(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0")
    ipr.link_add_veth("va", "vb")
    ipr.link_set("va", master="br0")
    assert ip_link(ip, netns, "va")["master"] == "br0"
    assert ipr.link_get("va").master == ipr.link_get("br0").index
    ipr.link_set("va", nomaster=True)
    assert "master" not in ip_link(ip, netns, "va")
    assert ipr.link_get("va").master is None
    ipr.link_set(ipr.link_get("vb").index, master=ipr.link_get("br0").index)
    assert ip_link(ip, netns, "vb")["master"] == "br0"


def test_mtu_txqlen_mac_up_down_in_one_request(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    with ipr.monitor(addresses=False, routes=False, timeout=0.5) as events:
        ipr.link_set("va", mtu=1280, txqlen=10, mac="02:00:00:00:00:11", up=True)
        changes = [e for e in events if isinstance(e, Link) and e.name == "va"]
    seen = ip_link(ip, netns, "va")
    assert (seen["mtu"], seen["txqlen"], seen["address"], "UP" in seen["flags"]) == (
        1280,
        10,
        "02:00:00:00:00:11",
        True,
    )
    assert changes, "the change produced no link event"
    assert (changes[-1].mtu, changes[-1].txqlen, changes[-1].mac, changes[-1].up) == (
        1280,
        10,
        "02:00:00:00:00:11",
        True,
    )
    ipr.link_set("va", up=False)
    assert "UP" not in ip_link(ip, netns, "va")["flags"]
    assert ipr.link_get("va").up is False


def test_operstate_matches_ip(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_set("va", up=True)
    eventually(lambda: ip_link(ip, netns, "va")["operstate"] == "LOWERLAYERDOWN")
    assert ipr.link_get("va").operstate == "LOWERLAYERDOWN"
    ipr.link_set("vb", up=True)
    eventually(lambda: ip_link(ip, netns, "va")["operstate"] == "UP")
    assert ipr.link_get("va").operstate == "UP"
    assert ipr.link_get("vb").operstate == ip_link(ip, netns, "vb")["operstate"]
    assert ipr.link_get("lo").operstate == ip_link(ip, netns, "lo")["operstate"] == "DOWN"


def test_rename(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    index = ipr.link_get("va").index
    ipr.link_set("va", name="renamed")
    assert ip_link(ip, netns, "renamed")["ifindex"] == index
    assert "va" not in ip_names(ip, netns)
    ipr.link_set(index, name="again", mtu=1300)
    seen = ip_link(ip, netns, "again")
    assert (seen["ifindex"], seen["mtu"]) == (index, 1300)


def test_move_by_netns_object(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_set("vb", netns=netns2)
    assert "vb" in ip_names(ip, netns2)
    assert "vb" not in ip_names(ip, netns)
    assert not netns2.closed  # a NetNS passed in stays the caller's


def test_move_by_name_and_rename(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_set("vb", netns=str(netns2.name), name="eth0")
    assert "eth0" in ip_names(ip, netns2)
    assert "vb" not in ip_names(ip, netns)


def test_move_by_path(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_set("vb", netns=netns2.path)
    assert "vb" in ip_names(ip, netns2)


def test_move_by_pid(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    with subprocess.Popen(["ip", "netns", "exec", str(netns2.name), "sleep", "30"]) as proc:
        try:
            eventually(lambda: NetNS.from_pid(proc.pid) == netns2)
            ipr.link_set("vb", netns=proc.pid)
        finally:
            proc.kill()
    assert "vb" in ip_names(ip, netns2)
    assert "vb" not in ip_names(ip, netns)


def test_hairpin_on_and_off(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0")
    ipr.link_add_veth("va", "vb")
    ipr.link_set("va", master="br0")
    assert ip_link(ip, netns, "va")["linkinfo"]["info_slave_data"]["hairpin"] is False
    assert ipr.link_get("va").hairpin is False
    ipr.link_set_hairpin("va", True)
    assert ip_link(ip, netns, "va")["linkinfo"]["info_slave_data"]["hairpin"] is True
    link = ipr.link_get("va")
    assert link.hairpin is True
    assert link.brport is not None
    assert link.brport["IFLA_BRPORT_MODE"] == 1
    ipr.link_set_hairpin(ipr.link_get("va").index, on=False)
    assert ip_link(ip, netns, "va")["linkinfo"]["info_slave_data"]["hairpin"] is False
    assert ipr.link_get("va").hairpin is False
    assert ipr.link_get("vb").hairpin is None  # not a bridge port


def test_link_del(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_add_veth("vc", "vd")
    ipr.link_del("va")
    assert ip_names(ip, netns) == {"lo", "vc", "vd"}  # a veth takes its peer along
    ipr.link_del(ipr.link_get("vc").index)
    assert ip_names(ip, netns) == {"lo"}


# -------------------------------------------------------------------------------- listing


def test_links_equal_ip_view(ipr: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0")
    for i in range(4):
        ipr.link_add_veth(f"va{i}", f"vb{i}", num_queues=1)
        ipr.link_set(f"va{i}", master="br0", up=True)
    ipr.link_add_veth("vx", "vy", peer_netns=netns2)
    ipr.link_add_macvlan("mv0", "vb0")
    seen = ip("link", "show", ns=netns, details=True)
    index_of = {s["ifname"]: s["ifindex"] for s in seen}
    ours = {link.index: link for link in ipr.links()}
    assert set(ours) == {s["ifindex"] for s in seen}
    for s in seen:
        same_as_ip(ours[s["ifindex"]], s, index_of)


def test_links_filtered_by_kind_and_master(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_bridge("br0")
    ipr.link_add_bridge("br1")
    for i in range(3):
        ipr.link_add_veth(f"va{i}", f"vb{i}")
    ipr.link_set("va0", master="br0")
    ipr.link_set("va1", master="br0")
    ipr.link_set("va2", master="br1")
    assert {link.name for link in ipr.links(kind="veth")} == ip_names(ip, netns, "type", "veth")
    assert {link.name for link in ipr.links(kind="bridge")} == ip_names(ip, netns, "type", "bridge") == {"br0", "br1"}
    assert {link.name for link in ipr.links(master="br0")} == ip_names(ip, netns, "master", "br0") == {"va0", "va1"}
    br1 = ipr.link_get("br1").index
    assert {link.name for link in ipr.links(master=br1, kind="veth")} == {"va2"}
    assert ipr.links(kind="vxlan") == []
    assert ipr.links(kind="nosuchkind") == []  # the kernel ignores kinds it has no driver for


def test_link_stats(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    ipr.link_set("va", up=True)
    ipr.link_set("vb", up=True)
    eventually(lambda: ipr.link_get("va").operstate == "UP")
    eventually(lambda: ipr.link_get("va").stats.tx_packets > 0)  # type: ignore[union-attr]  # IPv6 DAD/RS
    ours = ipr.link_get("vb").stats
    assert ours is not None
    theirs = ip("-s", "link", "show", "dev", "vb", ns=netns)[0]["stats64"]
    assert theirs["rx"]["packets"] >= ours.rx_packets > 0


# ------------------------------------------------------------------------------- failures


def test_add_existing_link_eexist(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_add_veth("va", "vb")
    with pytest.raises(NetlinkError) as info:
        ipr.link_add_veth("va", "vc")
    assert info.value.errno == errno.EEXIST
    assert ip_names(ip, netns) == {"lo", "va", "vb"}
    with pytest.raises(NetlinkError) as info:
        ipr.link_add_bridge("vb")
    assert info.value.errno == errno.EEXIST


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.link_get("nosuch"),
        lambda r: r.link_get(4242),
        lambda r: r.link_set("nosuch", up=True),
        lambda r: r.link_set(4242, mtu=1400),
        lambda r: r.link_del("nosuch"),
        lambda r: r.link_set("lo", master="nosuch"),
        lambda r: r.link_set_hairpin("nosuch"),
        lambda r: r.link_add_macvlan("mv0", "nosuch"),
        lambda r: r.links(master="nosuch"),
    ],
)
def test_missing_device_enodev(ipr: IPRoute, call: Callable[[IPRoute], object]) -> None:
    with pytest.raises(NetlinkError) as info:
        call(ipr)
    assert info.value.errno == errno.ENODEV


def test_kernel_text_is_kept(ipr: IPRoute) -> None:
    ipr.link_add_veth("va", "vb")
    with pytest.raises(NetlinkError) as info:
        ipr.link_add("x0", "nosuchkind")
    assert info.value.errno == errno.EOPNOTSUPP
    assert info.value.kernel_message == "Unknown device type"
    assert "Unknown device type" in str(info.value)


BAD_CALLS: list[tuple[str, Callable[[IPRoute], object], str]] = [
    ("veth bad name", lambda r: r.link_add_veth("bad name", "vz"), "name"),
    ("veth long peer", lambda r: r.link_add_veth("vz", "p" * 16), "peer"),
    ("veth bad mac", lambda r: r.link_add_veth("vz", "vy", mac="ff:ff:ff:ff:ff:ff"), "mac"),
    ("veth bad peer netns", lambda r: r.link_add_veth("vz", "vy", peer_netns=3.5), "peer_netns"),  # type: ignore[arg-type]
    ("veth mtu", lambda r: r.link_add_veth("vz", "vy", mtu=10), "mtu"),
    ("veth peer mac", lambda r: r.link_add_veth("vz", "vy", peer_mac="02:00:00:00:00"), "peer_mac"),
    ("bridge mtu", lambda r: r.link_add_bridge("bz", mtu=10), "mtu"),
    ("set mtu", lambda r: r.link_set("va", mtu=70000), "mtu"),
    ("set mtu before master lookup", lambda r: r.link_set("va", mtu=1, master="nosuch"), "mtu"),
    ("set txqlen", lambda r: r.link_set("va", txqlen=-5), "txqlen"),
    ("set name", lambda r: r.link_set("va", name="x" * 20), "name"),
    ("set bad netns", lambda r: r.link_set("va", netns=True), "netns"),  # type: ignore[arg-type]
    ("netns before lookup", lambda r: r.link_set("va", master="nosuch", netns=3.5), "netns"),  # type: ignore[arg-type]
    ("netns pid 0", lambda r: r.link_set("va", netns=0), "netns"),
    ("add netns before lookup", lambda r: r.link_add("mz", "macvlan", link="nosuch", netns=""), "netns"),
    ("set nomaster", lambda r: r.link_set("va", nomaster=1), "nomaster"),  # type: ignore[arg-type]
    ("rename before lookup", lambda r: r.link_set("nosuch", name="x/y"), "name"),
    ("set up", lambda r: r.link_set("va", up="yes"), "up"),  # type: ignore[arg-type]
    ("hairpin", lambda r: r.link_set_hairpin("va", on="on"), "on"),  # type: ignore[arg-type]
    ("del", lambda r: r.link_del("a/b"), "name_or_index"),
    ("get", lambda r: r.link_get(-3), "name_or_index"),
    ("macvlan mode", lambda r: r.link_add_macvlan("mz", "va", "bogus"), "mode"),
    ("vxlan vni", lambda r: r.link_add_vxlan("xz", -1, dev="va"), "vni"),
    ("links kind", lambda r: r.links(kind=""), "kind"),
]


@pytest.mark.parametrize(("call", "arg"), [b[1:] for b in BAD_CALLS], ids=[b[0] for b in BAD_CALLS])
def test_invalid_argument_sends_nothing(
    ipr: IPRoute, netns: NetNS, ip: Any, call: Callable[[IPRoute], object], arg: str
) -> None:
    ipr.link_add_veth("va", "vb")
    before = ip("link", "show", ns=netns, details=True)
    with ipr.monitor(timeout=0.5) as events:
        with pytest.raises(ValueError, match=rf"^{re.escape(arg)}\b"):
            call(ipr)
        after = ip("link", "show", ns=netns, details=True)  # reads cause no events
        ipr.link_set("lo", up=True)  # a marker: the first event must be this one
        first = next(iter(events))
    assert isinstance(first, Link)
    assert (first.name, first.up) == ("lo", True)
    assert before == after


def test_netns_handle_closed_after_move(ipr: IPRoute, netns: NetNS, netns2: NetNS) -> None:
    """Namespaces opened from a name are closed again, also when the kernel refuses."""
    import os

    fds_before = set(os.listdir("/proc/self/fd"))
    ipr.link_add_veth("va", "vb")
    with pytest.raises(NetlinkError):
        ipr.link_set("nosuch", netns=str(netns2.name))
    ipr.link_set("vb", netns=str(netns2.name))
    assert set(os.listdir("/proc/self/fd")) == fds_before


def test_ipr_in_netns_by_name_and_pid(netns: NetNS, ip: Any) -> None:
    with IPRoute(str(netns.name)) as by_name:
        by_name.link_add_veth("va", "vb")
    assert "va" in ip_names(ip, netns)
    with subprocess.Popen(["ip", "netns", "exec", str(netns.name), "sleep", "30"]) as proc:
        try:
            eventually(lambda: NetNS.from_pid(proc.pid) == netns)
            with IPRoute(proc.pid) as by_pid:
                assert {link.name for link in by_pid.links()} == ip_names(ip, netns)
        finally:
            proc.kill()
    with pytest.raises(ValueError, match="netns"):
        IPRoute(1.5)  # type: ignore[arg-type]


def test_link_repr_and_equality(ipr: IPRoute) -> None:
    ipr.link_add_veth("va", "vb")
    a, b = ipr.link_get("va"), ipr.link_get("va")
    assert a == b
    assert "name='va'" in repr(a)
    assert a != ipr.link_get("vb")


def test_a_refusal_names_the_operation_and_its_object(ipr: IPRoute) -> None:
    """EEXIST comes with no kernel text: the error still says what was being done to what."""
    ipr.link_add_bridge("br0")
    with pytest.raises(NetlinkError) as info:
        ipr.link_add_bridge("br0")
    assert info.value.errno == 17
    assert str(info.value).startswith("link_add_bridge('br0'): [Errno 17] File exists")
    with pytest.raises(NetlinkError) as info:
        ipr.link_set("nosuch0", mtu=1400)
    assert str(info.value).startswith("link_set('nosuch0'): [Errno 19] No such device")
    ipr.addr_add("br0", "192.0.2.1/24")
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add("br0", "192.0.2.1/24")
    assert str(info.value).startswith("addr_add('br0', '192.0.2.1/24'): [Errno 17]")
