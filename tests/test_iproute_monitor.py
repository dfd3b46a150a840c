"""``IPRoute.monitor()`` on the real kernel: typed events for changes made elsewhere."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rawnl import Address, IPRoute, Link, NetNS, Route

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_F_NODAD = 0x02


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        yield handle


def test_sees_changes_from_a_second_iproute(ipr: IPRoute, netns: NetNS) -> None:
    with ipr.monitor(timeout=0.5) as events, IPRoute(netns) as other:
        other.link_add_veth("va", "vb")
        other.link_set("va", up=True, mtu=1400)
        other.addr_add("va", "192.0.2.1/24")
        other.route_add("198.51.100.0/24", gateway="192.0.2.2", table=1000)
        other.route_del("198.51.100.0/24", table=1000)
        other.addr_del("va", "192.0.2.1/24")
        other.link_del("va")
        seen = list(events)
    links = [(e.name, e.deleted) for e in seen if isinstance(e, Link)]
    assert ("va", False) in links
    assert ("vb", False) in links
    assert links[-2:] in ([("va", True), ("vb", True)], [("vb", True), ("va", True)])
    assert any(isinstance(e, Link) and e.name == "va" and e.mtu == 1400 and e.up for e in seen)
    addrs = [(str(e.address), e.prefixlen, e.deleted) for e in seen if isinstance(e, Address) and e.family == 2]
    assert addrs == [("192.0.2.1", 24, False), ("192.0.2.1", 24, True)]
    routes = [(str(e.dst), e.table, e.deleted) for e in seen if isinstance(e, Route) and e.table == 1000]
    assert routes == [("198.51.100.0/24", 1000, False), ("198.51.100.0/24", 1000, True)]
    # in the order the changes were made
    order = [e for e in seen if (isinstance(e, (Address, Route)) and (e.family == 2)) or isinstance(e, Link)]
    firsts = [type(e).__name__ for e in order if not e.deleted]
    assert firsts.index("Link") < firsts.index("Address") < firsts.index("Route")


def test_sees_changes_made_by_ip(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    with ipr.monitor(timeout=0.5) as events:
        ip.text("link", "add", "br0", "type", "bridge", ns=netns)
        ip.text("addr", "add", "2001:db8::1/64", "dev", "br0", "nodad", ns=netns)
        seen = list(events)
    assert any(isinstance(e, Link) and e.name == "br0" and e.kind == "bridge" for e in seen)
    [addr] = [e for e in seen if isinstance(e, Address)]
    assert (str(addr.address), addr.family, addr.flags & IFA_F_NODAD) == ("2001:db8::1", 10, IFA_F_NODAD)


def test_groups_are_selectable(ipr: IPRoute, netns: NetNS) -> None:
    with ipr.monitor(links=False, routes=False, timeout=0.5) as events, IPRoute(netns) as other:
        other.link_add_veth("va", "vb")
        other.addr_add("va", "192.0.2.1/24")
        seen = list(events)
    assert seen
    assert all(isinstance(e, Address) for e in seen)
    with pytest.raises(ValueError, match="at least one"):
        ipr.monitor(links=False, addresses=False, routes=False)


def test_monitor_stays_in_the_sockets_namespace(netns: NetNS, ip: Any) -> None:
    """An IPRoute opened on a thread inside ``netns`` (netns=None) monitors ``netns`` even when
    monitor() is called from elsewhere: the socket's own namespace is used (SIOCGSKNS)."""
    with netns.enter():
        handle = IPRoute()
    with handle, handle.monitor(timeout=0.5) as events:
        handle.link_add_veth("va", "vb")
        seen = [e.name for e in events if isinstance(e, Link)]
    assert "va" in seen
    assert "va" in {link["ifname"] for link in ip("link", "show", ns=netns)}


def test_monitor_of_handle_opened_by_name(netns: NetNS) -> None:
    with IPRoute(str(netns.name)) as handle, handle.monitor(timeout=0.5) as events:
        subprocess.run(["ip", "-n", str(netns.name), "link", "set", "lo", "up"], check=True)
        seen = [e for e in events if isinstance(e, Link)]
    assert any(e.name == "lo" and e.up for e in seen)


def test_monitor_of_handle_opened_by_pid_that_has_exited(netns: NetNS) -> None:
    """monitor() follows the handle's socket, not the pid it was opened with: once that process
    has gone, the pid names nothing (or, reused, another namespace)."""
    with subprocess.Popen(["ip", "netns", "exec", str(netns.name), "sleep", "30"]) as proc:
        try:
            deadline = time.monotonic() + 5
            while NetNS.from_pid(proc.pid) != netns:  # until ip has entered the namespace
                assert time.monotonic() < deadline, "ip netns exec did not enter the namespace"
                time.sleep(0.01)
            handle = IPRoute(proc.pid)
        finally:
            proc.kill()
    assert proc.returncode is not None
    with handle, handle.monitor(timeout=0.5) as events:
        handle.link_add_veth("va", "vb")
        seen = [e.name for e in events if isinstance(e, Link)]
    assert "va" in seen


def test_monitor_with_timeout_0_returns_what_is_queued(ipr: IPRoute, netns: NetNS) -> None:
    with ipr.monitor(timeout=0) as events, IPRoute(netns) as other:
        assert list(events) == []  # nothing yet: ends at once, no BlockingIOError
        other.link_add_veth("va", "vb")
        time.sleep(0.2)
        seen = list(events)
    assert {e.name for e in seen if isinstance(e, Link)} >= {"va", "vb"}


def test_monitor_reports_a_malformed_event_and_goes_on() -> None:
    """What the monitor does with a message the typed layer cannot represent: a Malformed marker
    naming the problem, never an exception out of the loop."""
    import rawnl
    from rawnl.ops.iproute import Monitor

    bad = rawnl.decode(rawnl.RouteMessage(family=2, dst_len=255, attrs={"RTA_DST": "198.51.100.0"}).encode())[0]
    good = rawnl.decode(rawnl.LinkMessage(index=2, attrs={"IFLA_IFNAME": "x"}).encode())[0]
    marker = Monitor.convert(bad)
    assert isinstance(marker, rawnl.Malformed)
    assert marker.message is bad
    assert "rtm_dst_len" in str(marker.error)
    assert isinstance(Monitor.convert(good), Link)
