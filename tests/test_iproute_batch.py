"""``IPRoute.batch()`` on the real kernel: every outcome reported in order, state equal to ip's."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from typing import Any

import pytest

from rawnl import IPRoute, NetlinkError, NetNS

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_F_NODAD = 0x02


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        handle.link_add_bridge("br0")
        handle.link_add_veth("va", "vb", num_queues=1)
        handle.link_set("va", up=True)
        handle.link_set("vb", up=True)
        handle.addr_add("va", "192.0.2.1/24")
        yield handle


def test_thousand_mixed_operations_with_failures(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    expected_fail: dict[int, int] = {}
    with ipr.batch() as b:
        for i in range(150):  # 150 veth pairs, one end up and in the bridge: 450 calls
            b.link_add_veth(f"x{i}", f"y{i}", num_queues=1)
            b.link_set(f"x{i}", master="br0", up=True)
            b.link_set(f"y{i}", mtu=1400 + i)
        expected_fail[len(b)] = errno.EEXIST
        b.link_add_veth("x0", "z0")  # exists already (created earlier in this batch)
        for i in range(250):  # 250 addresses
            b.addr_add("va", f"198.51.{100 + i // 250}.{i % 250 + 1}/32")
        expected_fail[len(b)] = errno.EEXIST
        b.addr_add("va", "198.51.100.1/32")  # added above
        for i in range(250):  # 250 routes
            b.route_add(f"203.0.{113 + i // 256}.{i % 256}/32", gateway="192.0.2.2", table=1000 + i % 3)
        expected_fail[len(b)] = errno.ENETUNREACH
        b.route_add("203.0.113.0/24", gateway="198.51.100.254")  # unreachable gateway
        expected_fail[len(b)] = errno.ENODEV
        b.link_del("nosuch")
        for i in range(40):  # delete 40 of the pairs again
            b.link_del(f"y{i}")
        assert len(b) == 994
        for i in range(5):
            b.addr_add("vb", f"2001:db8::{i + 1:x}/128", flags=IFA_F_NODAD)
        expected_fail[len(b)] = errno.ESRCH
        b.route_del("198.51.100.0/24", table=4242)
        assert len(b) == 1000
    assert len(b.results) == 1000
    failures = {i: r.errno for i, r in enumerate(b.results) if r is not None}
    assert failures == expected_fail
    assert [i for i, _ in b.errors] == sorted(expected_fail)
    unreachable = b.results[max(k for k, v in expected_fail.items() if v == errno.ENETUNREACH)]
    assert isinstance(unreachable, NetlinkError)
    assert unreachable.kernel_message == "Nexthop has invalid gateway"

    # The state, as ip sees it.
    links = {link["ifname"]: link for link in ip("link", "show", ns=netns)}
    assert set(links) == {"lo", "br0", "va", "vb"} | {f"x{i}" for i in range(40, 150)} | {
        f"y{i}" for i in range(40, 150)
    }
    for i in range(40, 150):
        assert links[f"x{i}"]["master"] == "br0"
        assert "UP" in links[f"x{i}"]["flags"]
        assert links[f"y{i}"]["mtu"] == 1400 + i
    v4 = {(info["local"], info["prefixlen"]) for link in ip("-4", "addr", "show", "dev", "va", ns=netns)
          for info in link["addr_info"]}  # fmt: skip
    assert v4 == {("192.0.2.1", 24)} | {(f"198.51.100.{i + 1}", 32) for i in range(250)}
    v6 = {info["local"] for link in ip("-6", "addr", "show", "dev", "vb", ns=netns) for info in link["addr_info"]
          if info["scope"] == "global"}  # fmt: skip
    assert v6 == {f"2001:db8::{i + 1:x}" for i in range(5)}
    routes = set()
    for table in (1000, 1001, 1002):
        routes |= {(r["dst"], table) for r in ip("route", "show", "table", str(table), ns=netns)}
    assert routes == {(f"203.0.{113 + i // 256}.{i % 256}", 1000 + i % 3) for i in range(250)}
    # and rawnl's own view agrees
    assert {link.name for link in ipr.links()} == set(links)
    assert {(str(r.dst.network_address), r.table) for r in ipr.routes(family=4) if r.table in (1000, 1001, 1002)} == (  # type: ignore[union-attr]
        routes
    )


def test_results_in_order_and_none_for_success(ipr: IPRoute, ip: Any, netns: NetNS) -> None:
    with ipr.batch() as b:
        b.addr_add("va", "198.51.100.1/24")
        b.addr_add("va", "198.51.100.1/24")
        b.link_set("nosuch", up=True)
        b.route_add("203.0.113.0/24", oif="va")
    assert [None if r is None else r.errno for r in b.results] == [None, errno.EEXIST, errno.ENODEV, None]
    assert [r["dst"] for r in ip("route", "show", "203.0.113.0/24", ns=netns)] == ["203.0.113.0/24"]


def test_a_refusal_names_its_call_as_queued(ipr: IPRoute) -> None:
    """The text is made when the batch reports the failure, from the call's name and arguments."""
    with ipr.batch() as b:
        b.addr_add("va", "198.51.100.1/24")
        b.addr_add("va", "198.51.100.1/24")
        b.link_set("nosuch", up=True)
    assert b.results[0] is None
    exists, missing = b.results[1], b.results[2]
    assert isinstance(exists, NetlinkError)
    assert isinstance(missing, NetlinkError)
    assert exists.operation == "addr_add('va', '198.51.100.1/24')"
    assert missing.operation == "link_set('nosuch')"
    assert str(exists).startswith("addr_add('va', '198.51.100.1/24'): ")


def test_batch_links_by_name_created_in_the_same_batch(ipr: IPRoute, ip: Any, netns: NetNS) -> None:
    """Links a call changes or deletes by name are found by the kernel when the batch runs."""
    with ipr.batch() as b:
        b.link_add_veth("na", "nb")
        b.link_set("na", mtu=1300, up=True)
        b.link_set("nb", master="br0")
        b.link_del("nb")
    assert b.results == [None, None, None, None]
    seen = {link["ifname"]: link for link in ip("link", "show", ns=netns)}
    assert "na" not in seen  # deleted along with its peer nb
    assert "nb" not in seen


def test_names_needed_as_indices_resolve_when_queued(ipr: IPRoute) -> None:
    b = ipr.batch()
    with pytest.raises(NetlinkError) as info:
        b.addr_add("notyet", "192.0.2.9/24")  # needs the index now, and the link does not exist
    assert info.value.errno == errno.ENODEV
    with pytest.raises(ValueError, match="mtu"):
        b.link_set("va", mtu=1)
    assert len(b) == 0
    b.send()
    assert b.results == []


def _links_but_operstate(ip: Any, netns: NetNS) -> list[dict[str, Any]]:
    """``ip link show`` without ``operstate``, which the kernel updates on its own a moment after
    a link comes up (linkwatch): a just-made veth can go from UNKNOWN to UP between two looks."""
    return [{k: v for k, v in link.items() if k != "operstate"} for link in ip("link", "show", ns=netns)]


def test_nothing_sent_when_the_block_raises(ipr: IPRoute, ip: Any, netns: NetNS) -> None:
    before = _links_but_operstate(ip, netns)
    fds = set(os.listdir("/proc/self/fd"))
    b = ipr.batch()

    def queue_then_fail() -> None:
        with b:
            b.link_add_veth("na", "nb")
            b.link_set("vb", netns=str(netns.name))  # opens a namespace fd, closed again
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        queue_then_fail()
    assert b.results == []
    assert _links_but_operstate(ip, netns) == before
    assert set(os.listdir("/proc/self/fd")) == fds


def test_move_in_batch_closes_handles(ipr: IPRoute, ip: Any, netns: NetNS, netns2: NetNS) -> None:
    fds = set(os.listdir("/proc/self/fd"))
    with ipr.batch() as b:
        b.link_add_veth("na", "nb")
        b.link_set("nb", netns=str(netns2.name))
        b.link_add_veth("nc", "nd", peer_netns=str(netns2.name))
    assert b.results == [None, None, None]
    assert {link["ifname"] for link in ip("link", "show", ns=netns2)} == {"lo", "nb", "nd"}
    assert set(os.listdir("/proc/self/fd")) == fds


def test_batch_is_sent_once(ipr: IPRoute) -> None:
    with ipr.batch() as b:
        b.link_set("va", mtu=1400)
    with pytest.raises(RuntimeError, match="sent"):
        b.link_set("va", mtu=1300)
    with pytest.raises(RuntimeError, match="sent"):
        b.send()
    assert ipr.link_get("va").mtu == 1400
