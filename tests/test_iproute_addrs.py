"""IPRoute's address operations on the real kernel, each test in its own namespace; ``ip -j -n NS
addr show`` is the observer."""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rawnl import Address, IPRoute, NetlinkError, NetNS

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_F_NODAD = 0x02
IFA_F_PERMANENT = 0x80
SCOPES = {"global": 0, "site": 200, "link": 253, "host": 254}
FAMILIES = {"inet": 2, "inet6": 10}


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        handle.link_add_veth("va", "vb")
        yield handle


def ip_addrs(ip: Any, ns: NetNS, *args: str) -> list[tuple[int, dict[str, Any]]]:
    """``(ifindex, addr_info entry)`` for every address ip shows."""
    return [(link["ifindex"], info) for link in ip(*args, "addr", "show", ns=ns) for info in link["addr_info"]]


def as_ip_sees_it(addr: Address) -> tuple[Any, ...]:
    return (
        addr.index,
        addr.family,
        str(addr.address),
        None if addr.peer is None else str(addr.peer),
        addr.prefixlen,
        None if addr.broadcast is None else str(addr.broadcast),
        addr.scope,
        addr.label,
        addr.valid_lft,
        addr.preferred_lft,
        bool(addr.flags & IFA_F_NODAD),
    )


def from_ip(index: int, info: dict[str, Any]) -> tuple[Any, ...]:
    return (
        index,
        FAMILIES[info["family"]],
        info["local"],
        info.get("address"),
        info["prefixlen"],
        info.get("broadcast"),
        SCOPES[info["scope"]],
        info.get("label"),
        info["valid_life_time"],
        info["preferred_life_time"],
        bool(info.get("nodad")),
    )


def test_ipv4_and_ipv6_added_equal_ip_view(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.addr_add("va", "192.0.2.1/24")
    ipr.addr_add("va", "2001:db8::1/64", flags=IFA_F_NODAD)
    ipr.addr_add("vb", "198.51.100.5/32", peer="198.51.100.6")
    ipr.addr_add("vb", "203.0.113.1/24", broadcast="203.0.113.255", scope="link")
    ipr.addr_add(ipr.link_get("vb").index, "2001:db8:1::1/64", flags=IFA_F_NODAD, scope=253)
    theirs = sorted(from_ip(i, info) for i, info in ip_addrs(ip, netns))
    ours = sorted(as_ip_sees_it(a) for a in ipr.addrs())
    assert ours == theirs
    got = {str(a.address): a for a in ipr.addrs()}
    assert got["192.0.2.1"].with_prefix == "192.0.2.1/24"
    assert got["2001:db8::1"].flags & IFA_F_NODAD
    assert got["2001:db8::1"].flags & IFA_F_PERMANENT
    assert str(got["198.51.100.5"].peer) == "198.51.100.6"
    assert (str(got["203.0.113.1"].broadcast), got["203.0.113.1"].scope) == ("203.0.113.255", 253)


def test_delete_ipv4_and_ipv6(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.addr_add("va", "192.0.2.1/24")
    ipr.addr_add("va", "192.0.2.2/24")
    ipr.addr_add("va", "2001:db8::1/64", flags=IFA_F_NODAD)
    ipr.addr_del("va", "192.0.2.2/24")
    ipr.addr_del("va", "2001:db8::1/64")
    left = {(info["local"], info["prefixlen"]) for _, info in ip_addrs(ip, netns, "-4")}
    left6 = {info["local"] for _, info in ip_addrs(ip, netns, "-6")}
    assert left == {("192.0.2.1", 24)}
    assert "2001:db8::1" not in left6
    assert {a.with_prefix for a in ipr.addrs(family=4)} == {"192.0.2.1/24"}
    ipr.addr_del(ipr.link_get("va").index, "192.0.2.1/24")
    assert ip_addrs(ip, netns, "-4") == []
    assert ipr.addrs(family=4) == []


def test_filters_by_link_and_family(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.link_set("va", up=True)
    ipr.addr_add("va", "192.0.2.1/24")
    ipr.addr_add("vb", "192.0.2.2/24")
    ipr.addr_add("va", "2001:db8::1/64", flags=IFA_F_NODAD)
    ipr.addr_add("lo", "127.0.0.2/8")
    va = ipr.link_get("va").index
    for family, flag in ((None, ""), (4, "-4"), (6, "-6")):
        args = (flag,) if flag else ()
        theirs = sorted(from_ip(i, info) for i, info in ip_addrs(ip, netns, *args) if i == va)
        ours = sorted(as_ip_sees_it(a) for a in ipr.addrs(link="va", family=family))
        assert ours == theirs, family
        assert {a.index for a in ipr.addrs(link=va, family=family)} == {va}
    assert {a.family for a in ipr.addrs(family=6)} == {10}
    assert {str(a.address) for a in ipr.addrs(link="lo", family=4)} == {"127.0.0.2"}


def test_address_events_carry_deleted(ipr: IPRoute) -> None:
    with ipr.monitor(links=False, routes=False, timeout=0.5) as events:
        ipr.addr_add("va", "192.0.2.1/24")
        ipr.addr_del("va", "192.0.2.1/24")
        seen = [(str(e.address), e.deleted) for e in events if isinstance(e, Address)]
    assert seen == [("192.0.2.1", False), ("192.0.2.1", True)]


def test_existing_address_eexist(ipr: IPRoute) -> None:
    ipr.addr_add("va", "192.0.2.1/24")
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add("va", "192.0.2.1/24")
    assert info.value.errno == errno.EEXIST


def test_delete_missing_address(ipr: IPRoute) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.addr_del("va", "192.0.2.77/24")
    assert info.value.errno == errno.EADDRNOTAVAIL


def test_missing_link_enodev(ipr: IPRoute) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add("nosuch", "192.0.2.1/24")
    assert info.value.errno == errno.ENODEV
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add(4242, "192.0.2.1/24")
    assert info.value.errno == errno.ENODEV
    with pytest.raises(NetlinkError) as info:
        ipr.addrs(link="nosuch")
    assert info.value.errno == errno.ENODEV


def test_secondary_with_other_scope_kernel_text(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    """The kernel's own text comes through, where this kernel sends one (6.18 does, 6.1 not):
    what ``ip`` prints for the same request says which."""
    ipr.addr_add("va", "192.0.2.1/24")
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add("va", "192.0.2.9/24", scope="link")
    assert info.value.errno == errno.EINVAL
    theirs = ip.run("addr", "add", "192.0.2.9/24", "dev", "va", "scope", "link", ns=netns).stderr
    if theirs.startswith("Error: ") and "RTNETLINK" not in theirs:
        assert f"Error: {info.value.kernel_message}." in theirs
    else:  # a kernel without the text
        assert info.value.kernel_message is None


BAD: list[tuple[str, Callable[[IPRoute], object], str]] = [
    ("prefix", lambda r: r.addr_add("va", "192.0.2.1/40"), "address"),
    ("address", lambda r: r.addr_add("va", "192.0.2.256/24"), "address"),
    ("not a str", lambda r: r.addr_add("va", 42), "address"),  # type: ignore[arg-type]
    ("peer family", lambda r: r.addr_add("va", "192.0.2.1/32", peer="2001:db8::2"), "peer"),
    ("broadcast family", lambda r: r.addr_add("va", "192.0.2.1/24", broadcast="2001:db8::2"), "broadcast"),
    ("scope", lambda r: r.addr_add("va", "192.0.2.1/24", scope=300), "scope"),
    ("flags", lambda r: r.addr_add("va", "192.0.2.1/24", flags=-1), "flags"),
    ("link", lambda r: r.addr_add("no such", "192.0.2.1/24"), "link"),
    ("link before lookup", lambda r: r.addr_add("nosuch", "192.0.2.1/99"), "address"),
    ("del", lambda r: r.addr_del("va", "192.0.2.1/-1"), "address"),
    ("family", lambda r: r.addrs(family=5), "family"),
]


@pytest.mark.parametrize(("call", "arg"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_argument_sends_nothing(
    ipr: IPRoute, netns: NetNS, ip: Any, call: Callable[[IPRoute], object], arg: str
) -> None:
    ipr.addr_add("va", "192.0.2.1/24")
    before = ip("addr", "show", ns=netns)
    with ipr.monitor(timeout=0.5) as events:
        with pytest.raises(ValueError, match=rf"^{re.escape(arg)}\b"):
            call(ipr)
        after = ip("addr", "show", ns=netns)
        ipr.addr_add("va", "198.51.100.1/24")  # a marker: the first event must be this one
        first = next(iter(events))
    assert isinstance(first, Address)
    assert str(first.address) == "198.51.100.1"
    assert before == after
