"""runc's loopback and veth strategies on the real kernel, observed with iproute2.

The ``netns`` fixture is the "host" (it holds the bridge); containers come from ``make_netns``.
Nothing here touches the root namespace.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from udp_check import Peer, exchange  # isort: skip

from rawnl import IPRoute, NetlinkError, NetNS, NetworkConfigError, run_in
from rawnl.runc.config import Network
from rawnl.runc.strategies import (
    InterfaceState,
    create_network_interfaces,
    get_strategy,
    remove_network_interfaces,
)

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_F_NODAD = 0x02

E = TypeVar("E", bound=BaseException)


def veth(i: int, **changes: Any) -> Network:
    """Container ``i``'s veth network on br0 (198.51.100.1+i, 2001:db8::1+i)."""
    net = Network(
        type="veth",
        name="eth0",
        bridge="br0",
        address=f"198.51.100.{i + 1}/24",
        gateway="198.51.100.1",
        ipv6_address=f"2001:db8::{i + 1:x}/64",
        ipv6_gateway="2001:db8::1",
        mtu=1400,
        host_interface_name=f"vh{i}",
    )
    return dataclasses.replace(net, **changes)


@pytest.fixture
def host(netns: NetNS) -> Iterator[IPRoute]:
    """An IPRoute in the host namespace, which holds br0 (up, 198.51.100.1/24, 2001:db8::1/64)."""
    with IPRoute(netns=netns) as h:
        h.link_add_bridge("br0")
        h.addr_add("br0", "198.51.100.1/24")
        h.addr_add("br0", "2001:db8::1/64", flags=IFA_F_NODAD)
        h.link_set("br0", up=True)
        yield h


def names(ip: Any, ns: NetNS | str) -> set[str]:
    return {link["ifname"] for link in ip("link", "show", ns=ns)}


def links(ip: Any, ns: NetNS | str) -> list[tuple[Any, ...]]:
    """The interfaces of a namespace as (index, name, master)."""
    return [(link["ifindex"], link["ifname"], link.get("master")) for link in ip("link", "show", ns=ns)]


def container_view(ip: Any, ns: NetNS | str) -> list[Any]:
    """Everything a failed wiring could leave in a container: links with their state,
    addresses, routes of both families."""
    keys = ("ifindex", "ifname", "flags", "mtu", "address", "operstate")
    return [
        [{k: link.get(k) for k in keys} for link in ip("link", "show", ns=ns)],
        [(a["ifname"], [i["local"] for i in a["addr_info"]]) for a in ip("addr", "show", ns=ns)],
        ip("route", "show", "table", "all", ns=ns),
    ]


# ------------------------------------------------------------------------------- the happy path


def test_wires_a_container_like_runc(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    net = veth(1, mac_address="02:00:c6:33:64:02", txqueuelen=321)
    states = create_network_interfaces([Network("loopback"), net], netns2, host=host)

    assert [s.ifname for s in states] == ["lo", "eth0"]
    assert net.temp_veth_peer_name == ""  # the caller's config is not changed
    filled = states[1].network
    assert filled.temp_veth_peer_name.startswith("veth")
    assert len(filled.temp_veth_peer_name) == 11
    assert all(c in "0123456789abcdef" for c in filled.temp_veth_peer_name[4:])

    [eth0] = ip("-d", "link", "show", "eth0", ns=netns2)
    assert eth0["address"] == "02:00:c6:33:64:02"
    assert eth0["mtu"] == 1400
    assert eth0["txqlen"] == 321
    assert "UP" in eth0["flags"]
    assert eth0["linkinfo"]["info_kind"] == "veth"
    assert eth0["num_tx_queues"] == 1
    assert names(ip, netns2) == {"lo", "eth0"}  # no temporary name left behind
    [lo] = ip("addr", "show", "lo", ns=netns2)
    assert "UP" in lo["flags"]
    assert {a["local"] for a in lo["addr_info"]} == {"127.0.0.1", "::1"}
    addrs = {(a["local"], a["prefixlen"]) for a in ip("addr", "show", "eth0", ns=netns2)[0]["addr_info"]}
    assert {("198.51.100.2", 24), ("2001:db8::2", 64)} <= addrs
    [r4] = ip("route", "show", "default", ns=netns2)
    assert (r4["gateway"], r4["dev"]) == ("198.51.100.1", "eth0")
    [r6] = ip("-6", "route", "show", "default", ns=netns2)
    assert (r6["gateway"], r6["dev"]) == ("2001:db8::1", "eth0")

    [hostend] = ip("link", "show", "vh1", ns=netns)
    assert hostend["master"] == "br0"
    assert hostend["mtu"] == 1400
    assert hostend["txqlen"] == 321
    assert "UP" in hostend["flags"]
    assert hostend["link_netnsid"] is not None  # its peer lives in the container
    assert states[1].host_ifname == "vh1"
    assert states[1].host_index == hostend["ifindex"]
    assert states[1].index == eth0["ifindex"]
    assert states[1].mac == "02:00:c6:33:64:02"
    assert states[0].to_dict()["network"]["type"] == "loopback"


def test_host_interface_name_is_generated_when_empty(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    [state] = create_network_interfaces([veth(1, host_interface_name="")], netns2, host=host)
    name = state.network.host_interface_name
    assert name.startswith("veth")
    assert len(name) == 11
    assert name in {link["ifname"] for link in ip("link", "show", "master", "br0", ns=netns)}


def test_peer_is_created_inside_the_container_in_one_request(host: IPRoute, netns2: NetNS) -> None:
    """``create`` alone: the peer is already inside the container under its temporary name,
    and nothing named like it exists on the host side."""
    net = veth(1)
    get_strategy("veth").create(net, netns2, host=host)
    with IPRoute(netns=netns2) as inside:
        peer = inside.link_get(net.temp_veth_peer_name)
        assert peer.kind == "veth"
    with pytest.raises(NetlinkError) as info:
        host.link_get(net.temp_veth_peer_name)
    assert info.value.errno == errno.ENODEV
    with IPRoute(netns=netns2) as inside:
        get_strategy("veth").initialize(net, ipr=inside)
        assert inside.link_get("eth0").kind == "veth"


@pytest.mark.parametrize("count", [2, 20])
def test_containers_on_one_bridge_exchange_udp(
    count: int, host: IPRoute, netns: NetNS, make_netns: Callable[[], NetNS], ip: Any
) -> None:
    containers = [make_netns() for _ in range(count)]
    for i, ns in enumerate(containers, 1):
        create_network_interfaces([Network("loopback"), veth(i, mtu=1500)], ns, host=host)
    ports = ip("link", "show", "master", "br0", ns=netns)
    assert sorted(p["ifname"] for p in ports) == sorted(f"vh{i}" for i in range(1, count + 1))

    bridge = Peer("bridge", netns, "198.51.100.1", "2001:db8::1")
    peers = [bridge] + [
        Peer(f"c{i}", ns, f"198.51.100.{i + 1}", f"2001:db8::{i + 1:x}") for i, ns in enumerate(containers, 1)
    ]
    sent, lost = exchange(peers, senders=peers[1:])
    assert sent == 2 * count * count
    assert lost == []


def test_loopback_is_usable(netns2: NetNS) -> None:
    create_network_interfaces([Network("loopback")], netns2)
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        a = run_in(netns2, socket.socket, family, socket.SOCK_DGRAM)
        with a:
            a.bind((addr, 0))
            a.settimeout(2)
            a.sendto(b"ping", a.getsockname())
            assert a.recv(16) == b"ping"


# ------------------------------------------------------------------------ hairpin, detach, attach


@pytest.mark.parametrize("hairpin", [True, False])
def test_hairpin_shows_in_ip_details(hairpin: bool, host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    create_network_interfaces([veth(1, hairpin_mode=hairpin)], netns2, host=host)
    [port] = ip("link", "show", "vh1", ns=netns, details=True)
    assert port["linkinfo"]["info_slave_kind"] == "bridge"
    assert port["linkinfo"]["info_slave_data"]["hairpin"] is hairpin


def test_detach_and_attach(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    [state] = create_network_interfaces([veth(1, hairpin_mode=True)], netns2, host=host)
    strategy = get_strategy("veth")
    assert [p["ifname"] for p in ip("link", "show", "master", "br0", ns=netns)] == ["vh1"]

    strategy.detach(state.network, host=host)
    assert ip("link", "show", "master", "br0", ns=netns) == []
    assert "master" not in ip("link", "show", "vh1", ns=netns)[0]

    strategy.attach(state.network, host=host)
    [port] = ip("link", "show", "master", "br0", ns=netns, details=True)
    assert port["ifname"] == "vh1"
    assert "UP" in port["flags"]
    assert port["linkinfo"]["info_slave_data"]["hairpin"] is True


def test_loopback_other_methods_do_nothing(netns: NetNS, netns2: NetNS, ip: Any) -> None:
    before = (links(ip, netns), links(ip, netns2))
    lo = get_strategy("loopback")
    with IPRoute(netns=netns) as h:
        lo.create(Network("loopback"), netns2, host=h)
        lo.attach(Network("loopback"), host=h)
        lo.detach(Network("loopback"), host=h)
    assert (links(ip, netns), links(ip, netns2)) == before


# ------------------------------------------------------------------- the container, named three ways


def test_container_by_name_path_and_pid(host: IPRoute, netns: NetNS, make_netns: Callable[[], NetNS], ip: Any) -> None:
    by_name, by_path, by_pid = make_netns(), make_netns(), make_netns()
    assert by_name.name is not None
    assert by_pid.name is not None
    create_network_interfaces([veth(1)], by_name.name, host=host)
    create_network_interfaces([veth(2)], by_path.path, host=host)
    proc = subprocess.Popen(["ip", "netns", "exec", by_pid.name, "sleep", "30"])
    try:
        # until the child has entered the namespace: before that, its pid names ours (the root's)
        deadline = time.monotonic() + 5
        while True:
            with NetNS.from_pid(proc.pid) as current:
                if current == by_pid:
                    break
            assert time.monotonic() < deadline, "the child did not enter the namespace"
            time.sleep(0.02)
        create_network_interfaces([veth(3)], proc.pid, host=host)
    finally:
        proc.kill()
        proc.wait()
    for ns, i in ((by_name, 1), (by_path, 2), (by_pid, 3)):
        [eth0] = ip("addr", "show", "eth0", ns=ns)
        assert f"198.51.100.{i + 1}" in {a["local"] for a in eth0["addr_info"]}
    assert len(ip("link", "show", "master", "br0", ns=netns)) == 3


# ------------------------------------------------------------------ failures leave nothing behind


def _fails_cleanly(ip: Any, host_ns: NetNS, container: NetNS, call: Callable[[], object], error: type[E]) -> E:
    before = (links(ip, host_ns), container_view(ip, container))
    with pytest.raises(error) as info:
        call()
    assert (links(ip, host_ns), container_view(ip, container)) == before
    return info.value


def test_missing_bridge(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    exc = _fails_cleanly(
        ip,
        netns,
        netns2,
        lambda: create_network_interfaces([Network("loopback"), veth(1, bridge="br9")], netns2, host=host),
        NetworkConfigError,
    )
    assert "bridge: there is no interface 'br9'" in str(exc)


def test_empty_bridge(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    net = veth(1)
    net.bridge = ""
    exc = _fails_cleanly(
        ip, netns, netns2, lambda: get_strategy("veth").create(net, netns2, host=host), NetworkConfigError
    )
    assert "bridge is not specified" in str(exc)


def test_bridge_name_that_is_a_veth(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    host.link_add_veth("vx0", "vx1")
    exc = _fails_cleanly(
        ip,
        netns,
        netns2,
        lambda: create_network_interfaces([veth(1, bridge="vx0")], netns2, host=host),
        NetworkConfigError,
    )
    assert "'vx0' is a veth interface, not a bridge" in str(exc)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mac_address": "02:00:c6:33:64"}, "mac_address"),
        ({"mac_address": "03:00:c6:33:64:02"}, "mac_address"),
        ({"address": "198.51.100.256/24"}, "address"),
        ({"ipv6_address": "2001:db8::g/64"}, "ipv6_address"),
    ],
)
def test_bad_mac_or_address_sends_nothing(  # noqa: PLR0917 - parameters and fixtures
    change: dict[str, Any], field: str, host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any
) -> None:
    net = dataclasses.replace(veth(1), **change)
    exc = _fails_cleanly(
        ip,
        netns,
        netns2,
        lambda: create_network_interfaces([Network("loopback"), net], netns2, host=host),
        NetworkConfigError,
    )
    assert exc.field == f"networks[1].{field}"


def test_unreachable_gateway_rolls_back_a_configured_interface(
    host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any
) -> None:
    """The kernel refuses the default route after the peer was renamed, addressed and brought
    up: all of it goes."""
    net = veth(1, address="192.0.2.2/24", gateway="198.51.100.1")
    exc = _fails_cleanly(ip, netns, netns2, lambda: create_network_interfaces([net], netns2, host=host), NetlinkError)
    assert exc.errno == errno.ENETUNREACH
    assert "add default route via 198.51.100.1 dev eth0" in exc.__notes__  # type: ignore[attr-defined]


def test_name_already_taken_in_the_container(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    with IPRoute(netns=netns2) as inside:
        inside.link_add_veth("eth0", "eth0p")
    exc = _fails_cleanly(
        ip,
        netns,
        netns2,
        lambda: create_network_interfaces([Network("loopback"), veth(1)], netns2, host=host),
        NetlinkError,
    )
    assert exc.errno == errno.EEXIST
    assert names(ip, netns2) == {"lo", "eth0", "eth0p"}
    assert "vh1" not in names(ip, netns)


def test_second_network_failing_removes_the_first(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    with IPRoute(netns=netns2) as inside:
        inside.link_add_veth("eth1", "eth1p")
    nets = [veth(1), veth(2, name="eth1", address="198.51.100.3/24", gateway="")]
    _fails_cleanly(ip, netns, netns2, lambda: create_network_interfaces(nets, netns2, host=host), NetlinkError)
    assert "eth0" not in names(ip, netns2)


def test_container_pid_that_has_exited(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    with pytest.raises(ProcessLookupError, match=f"no process with pid {proc.pid}"):
        create_network_interfaces([veth(1)], proc.pid, host=host)
    assert names(ip, netns) == {"lo", "br0"}


def test_initialize_without_create(netns2: NetNS) -> None:
    with IPRoute(netns=netns2) as inside, pytest.raises(NetworkConfigError, match="temp_veth_peer_name"):
        get_strategy("veth").initialize(veth(1), ipr=inside)


# ------------------------------------------------------------------------------------- undo


def test_remove_network_interfaces(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    before = names(ip, netns)
    nets = [Network("loopback"), veth(1, host_interface_name="")]  # the generated name is not in the config
    states: list[InterfaceState] = create_network_interfaces(nets, netns2, host=host)
    assert states[1].host_ifname in names(ip, netns)
    remove_network_interfaces(nets, netns2, host=host)
    assert names(ip, netns) == before
    [lo] = ip("link", "show", ns=netns2)
    assert "UP" not in lo["flags"]
    remove_network_interfaces(nets, netns2, host=host)  # nothing left: not an error


def test_the_calling_thread_never_moves(host: IPRoute, netns2: NetNS) -> None:
    mine = os.readlink("/proc/thread-self/ns/net")
    create_network_interfaces([Network("loopback"), veth(1)], netns2, host=host)
    assert os.readlink("/proc/thread-self/ns/net") == mine


# ------------------------------------------------------------------------- leftovers at create


def test_a_marked_host_end_left_without_its_peer_is_replaced(
    host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any
) -> None:
    """A host end rawnl left for this network whose peer is not in the container (so the
    container's leftovers do not take it along): the pair is refused (EEXIST), the host end is
    found to be rawnl's, deleted, and the pair made again."""
    from rawnl.runc.strategies import mark

    host.link_add_veth("vh1", "vh1x")
    host.link_set("vh1", alias=mark(veth(1), netns2.ino))
    states = create_network_interfaces([Network("loopback"), veth(1)], netns2, host=host)
    assert "vh1x" not in names(ip, netns)  # the old pair is gone
    [hostend] = ip("link", "show", "vh1", ns=netns)
    assert hostend["master"] == "br0"
    assert hostend["link_netnsid"] is not None
    assert states[1].host_index == hostend["ifindex"]
    assert names(ip, netns2) == {"lo", "eth0"}


def test_a_foreign_host_end_is_left_and_the_refusal_raised(host: IPRoute, netns: NetNS, netns2: NetNS, ip: Any) -> None:
    host.link_add_veth("vh1", "vh1x")
    host.link_set("vh1", alias="someone else's")
    exc = _fails_cleanly(
        ip,
        netns,
        netns2,
        lambda: create_network_interfaces([Network("loopback"), veth(1)], netns2, host=host),
        NetlinkError,
    )
    assert exc.errno == errno.EEXIST
    assert "create veth pair vh1/" in " ".join(exc.__notes__)  # type: ignore[attr-defined]
    assert {"vh1", "vh1x"} <= names(ip, netns)
