"""IPRoute's route operations on the real kernel, each test in its own namespace; ``ip -j -n NS
route show`` is the observer."""

from __future__ import annotations

import errno
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rawnl import IPRoute, NetlinkError, NetNS, Route, run_in

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

IFA_F_NODAD = 0x02
PROTOCOLS = {0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 9: "ra", 16: "dhcp"}
SCOPES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
TYPES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole", 7: "unreachable"}
TABLES = {253: "default", 254: "main", 255: "local"}


def _no_link_local() -> None:  # in the test's namespace only: new links get no fe80:: address
    for conf in ("all", "default"):
        Path(f"/proc/sys/net/ipv6/conf/{conf}/addr_gen_mode").write_text("1")


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    """va (192.0.2.1/24, 2001:db8::1/64) up, its peer vb up, and the routing tables settled.

    The kernel changes routes on its own after a veth goes up: linkwatch sees the carrier (up to a
    second later), IPv6 then adds its multicast route (ff00::/8, table local) and, from a work
    queue, the local route of each IPv6 address (NODAD included: it waits for the carrier too),
    and a link-local address would add more once its duplicate address detection ends.  Tests
    that compare two reads, or expect a given event first, need none of that to happen under
    them: so no link-local addresses here, and the fixture waits for those three routes."""
    run_in(netns, _no_link_local)
    with IPRoute(netns) as handle:
        handle.link_add_veth("va", "vb")
        handle.link_set("va", up=True)
        handle.link_set("vb", up=True)
        handle.addr_add("va", "192.0.2.1/24")
        handle.addr_add("va", "2001:db8::1/64", flags=IFA_F_NODAD)
        va, vb = (handle.link_get(name).index for name in ("va", "vb"))
        settled = {("ff00::/8", va), ("ff00::/8", vb), ("2001:db8::1/128", va)}
        deadline = time.monotonic() + 10
        while not settled <= {(str(r.dst), r.oif) for r in handle.routes(family=6, table=255)}:
            assert time.monotonic() < deadline, "the veth pair never saw its carrier"
            time.sleep(0.01)
        yield handle


def names(ipr: IPRoute) -> dict[int, str]:
    return {link.index: link.name for link in ipr.links()}


def ours_as_ip(route: Route, name_of: dict[int, str]) -> dict[str, Any]:
    """The fields ``ip -j route show`` prints, in its conventions, for one of our routes."""
    dst = route.dst if isinstance(route.dst, str) else str(route.dst)
    if not isinstance(route.dst, str) and route.dst.prefixlen == route.dst.max_prefixlen:
        dst = str(route.dst.network_address)
    out: dict[str, Any] = {"dst": dst}
    if route.gateway is not None:
        out["gateway"] = str(route.gateway)
    if route.oif is not None:
        out["dev"] = name_of[route.oif]
    if route.table != 254:
        out["table"] = TABLES.get(route.table, str(route.table))
    if route.protocol != 3:
        out["protocol"] = PROTOCOLS[route.protocol]
    if route.scope != 0:
        out["scope"] = SCOPES[route.scope]
    if route.type != 1:
        out["type"] = TYPES[route.type]
    if route.priority is not None:
        out["metric"] = route.priority
    if route.prefsrc is not None:
        out["prefsrc"] = str(route.prefsrc)
    if route.mtu is not None:
        out["mtu"] = route.mtu
    return out


def ip_as_ip(entry: dict[str, Any]) -> dict[str, Any]:
    keys = ("dst", "gateway", "dev", "table", "protocol", "scope", "type", "metric", "prefsrc")
    out = {k: entry[k] for k in keys if k in entry}
    for metric in entry.get("metrics", []):
        if "mtu" in metric:
            out["mtu"] = metric["mtu"]
    return out


def key(route: dict[str, Any]) -> str:
    return repr(sorted(route.items()))


def same_view(ours: list[Route], theirs: list[dict[str, Any]], name_of: dict[int, str]) -> None:
    assert sorted(map(key, (ours_as_ip(r, name_of) for r in ours))) == sorted(map(key, map(ip_as_ip, theirs)))


def test_route_with_gateway(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("198.51.100.0/24", gateway="192.0.2.2")
    [seen] = ip("route", "show", "198.51.100.0/24", ns=netns)
    assert (seen["gateway"], seen["dev"]) == ("192.0.2.2", "va")
    [route] = [r for r in ipr.routes(table="main", family=4) if str(r.dst) == "198.51.100.0/24"]
    assert (str(route.gateway), route.oif, route.scope, route.table, route.protocol) == (
        "192.0.2.2",
        ipr.link_get("va").index,
        0,
        254,
        3,
    )


def test_route_in_table_1000(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("198.51.100.0/24", oif="va", table=1000)
    ipr.route_add("203.0.113.0/24", gateway="192.0.2.2", table=1000)
    theirs = ip("route", "show", "table", "1000", ns=netns)
    assert {r["dst"] for r in theirs} == {"198.51.100.0/24", "203.0.113.0/24"}
    ours = ipr.routes(table=1000)
    assert {r.table for r in ours} == {1000}
    same_view(ours, [{**r, "table": "1000"} for r in theirs], names(ipr))
    onlink = next(r for r in ours if str(r.dst) == "198.51.100.0/24")
    assert onlink.scope == 253  # no gateway: scope link, as ip does


def test_ipv6_default_route(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("default", gateway="2001:db8::2")
    [seen] = [r for r in ip("-6", "route", "show", ns=netns) if r["dst"] == "default"]
    assert (seen["gateway"], seen["dev"]) == ("2001:db8::2", "va")
    [route] = [r for r in ipr.routes(family=6, table="main") if r.dst == "default"]
    assert (route.family, str(route.gateway), route.oif) == (10, "2001:db8::2", ipr.link_get("va").index)
    ipr.route_del("default", gateway="2001:db8::2")
    assert [r for r in ip("-6", "route", "show", ns=netns) if r["dst"] == "default"] == []


def test_ipv4_default_route_and_dev_only_v6_default(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("default", gateway="192.0.2.254")
    ipr.route_add("default", oif="vb", family=6, priority=2000)
    assert ip("route", "show", "default", ns=netns)[0]["gateway"] == "192.0.2.254"
    seen6 = [r for r in ip("-6", "route", "show", ns=netns) if r["dst"] == "default"]
    assert [(r["dev"], r["metric"]) for r in seen6] == [("vb", 2000)]


def test_metric_and_mtu(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("203.0.113.0/24", oif="va", priority=7, mtu=1300, src="192.0.2.1")
    ipr.route_add("2001:db8:5::/48", gateway="2001:db8::2", priority=9, mtu=1400)
    [seen] = ip("route", "show", "203.0.113.0/24", ns=netns)
    assert (seen["metric"], seen["metrics"], seen["prefsrc"]) == (7, [{"mtu": 1300}], "192.0.2.1")
    [seen6] = ip("-6", "route", "show", "2001:db8:5::/48", ns=netns)
    assert (seen6["metric"], seen6["metrics"]) == (9, [{"mtu": 1400}])
    [r4] = [r for r in ipr.routes(family=4) if str(r.dst) == "203.0.113.0/24"]
    [r6] = [r for r in ipr.routes(family=6) if str(r.dst) == "2001:db8:5::/48"]
    assert (r4.priority, r4.mtu, str(r4.prefsrc), r4.metrics["RTAX_MTU"]) == (7, 1300, "192.0.2.1", 1300)
    assert (r6.priority, r6.mtu) == (9, 1400)


@pytest.mark.parametrize(("family", "flag"), [(4, "-4"), (6, "-6")])
def test_all_routes_equal_ip_view(ipr: IPRoute, netns: NetNS, ip: Any, family: int, flag: str) -> None:
    ipr.route_add("198.51.100.0/24", gateway="192.0.2.2", priority=5)
    ipr.route_add("203.0.113.0/24", oif="vb", table=1000, mtu=1280)
    ipr.route_add("203.0.113.7", oif="va", table=100)
    ipr.route_add("2001:db8:7::/48", gateway="2001:db8::2", table=1000)
    ipr.route_add("2001:db8:8::/48", oif="vb")
    theirs = ip(flag, "route", "show", "table", "all", ns=netns)
    same_view(ipr.routes(family=family), theirs, names(ipr))
    for table in ("main", "local", 100, 1000, 4000):
        proc = ip.run(flag, "route", "show", "table", str(table), ns=netns, json=True)
        if "FIB table does not exist" in proc.stderr:
            assert ipr.routes(family=family, table=table) == []
            continue
        theirs = ip(flag, "route", "show", "table", str(table), ns=netns)
        expected = [{**r, "table": r.get("table", str(table))} if table not in ("main",) else r for r in theirs]
        ours = ipr.routes(family=family, table=table)
        same_view(ours, expected, names(ipr))


def test_routes_filtered_by_oif(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("198.51.100.0/24", oif="vb")
    ipr.route_add("203.0.113.0/24", oif="va")
    theirs = ip("-4", "route", "show", "dev", "vb", ns=netns)
    ours = ipr.routes(family=4, table="main", oif="vb")
    assert [str(r.dst) for r in ours] == [r["dst"] for r in theirs] == ["198.51.100.0/24"]
    vb = ipr.link_get("vb").index
    assert {r.oif for r in ipr.routes(oif=vb)} == {vb}


def test_route_get(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("198.51.100.0/24", gateway="192.0.2.2")
    for address in ("198.51.100.9", "192.0.2.77", "2001:db8::99"):
        [seen] = ip("route", "get", address, ns=netns)
        route = ipr.route_get(address)
        assert str(route.dst.network_address) == seen["dst"] == address  # type: ignore[union-attr]
        assert (None if route.gateway is None else str(route.gateway)) == seen.get("gateway")
        assert names(ipr)[route.oif] == seen["dev"]  # type: ignore[index]
        assert (None if route.prefsrc is None else str(route.prefsrc)) == seen.get("prefsrc")
    assert str(ipr.route_get("198.51.100.9").gateway) == "192.0.2.2"


def test_route_del(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    ipr.route_add("198.51.100.0/24", gateway="192.0.2.2", table=1000, priority=3)
    ipr.route_add("203.0.113.0/24", oif="va")
    ipr.route_del("198.51.100.0/24", gateway="192.0.2.2", table=1000, priority=3)
    ipr.route_del("203.0.113.0/24", oif="va")
    assert ip("route", "show", "table", "1000", ns=netns) == []
    assert "203.0.113.0/24" not in {r["dst"] for r in ip("route", "show", ns=netns)}
    assert ipr.routes(table=1000) == []


def test_route_events(ipr: IPRoute) -> None:
    with ipr.monitor(links=False, addresses=False, timeout=0.5) as events:
        ipr.route_add("198.51.100.0/24", gateway="192.0.2.2", table=1000)
        ipr.route_del("198.51.100.0/24", table=1000)
        seen = [(str(e.dst), e.table, e.deleted) for e in events if isinstance(e, Route)]
    assert seen == [("198.51.100.0/24", 1000, False), ("198.51.100.0/24", 1000, True)]


# ------------------------------------------------------------------------------- failures


def test_existing_route_eexist(ipr: IPRoute) -> None:
    ipr.route_add("198.51.100.0/24", gateway="192.0.2.2")
    with pytest.raises(NetlinkError) as info:
        ipr.route_add("198.51.100.0/24", gateway="192.0.2.3")
    assert info.value.errno == errno.EEXIST


def test_unreachable_gateway_kernel_text(ipr: IPRoute, netns: NetNS, ip: Any) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.route_add("198.51.100.0/24", gateway="203.0.113.1")
    theirs = ip.run("route", "add", "198.51.100.0/24", "via", "203.0.113.1", ns=netns)
    assert theirs.returncode != 0
    assert info.value.errno == errno.ENETUNREACH
    assert info.value.kernel_message == "Nexthop has invalid gateway"
    assert f"Error: {info.value.kernel_message}." in theirs.stderr  # the same text ip prints
    with pytest.raises(NetlinkError) as info:
        ipr.route_add("2001:db8:9::/48", gateway="2001:db8:1::1")
    assert info.value.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH)


def test_delete_missing_route_esrch(ipr: IPRoute) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.route_del("198.51.100.0/24", oif="va")
    assert info.value.errno == errno.ESRCH


def test_route_get_unreachable(ipr: IPRoute) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.route_get("203.0.113.5")
    assert info.value.errno == errno.ENETUNREACH


def test_missing_oif_enodev(ipr: IPRoute) -> None:
    with pytest.raises(NetlinkError) as info:
        ipr.route_add("198.51.100.0/24", oif="nosuch")
    assert info.value.errno == errno.ENODEV
    with pytest.raises(NetlinkError) as info:
        ipr.route_add("198.51.100.0/24", oif=4242)
    assert info.value.errno == errno.ENODEV


BAD: list[tuple[str, Callable[[IPRoute], object], str]] = [
    ("host bits", lambda r: r.route_add("198.51.100.1/24", oif="va"), "dst"),
    ("dst", lambda r: r.route_add("198.51.100.0/xx", oif="va"), "dst"),
    ("gateway family", lambda r: r.route_add("198.51.100.0/24", gateway="2001:db8::2"), "gateway"),
    ("table", lambda r: r.route_add("198.51.100.0/24", oif="va", table=-1), "table"),
    ("table name", lambda r: r.route_add("198.51.100.0/24", oif="va", table="nosuch"), "table"),
    ("priority", lambda r: r.route_add("198.51.100.0/24", oif="va", priority=1 << 32), "priority"),
    ("mtu", lambda r: r.route_add("198.51.100.0/24", oif="va", mtu=0), "mtu"),
    ("src", lambda r: r.route_add("198.51.100.0/24", oif="va", src="2001:db8::1"), "src"),
    ("scope", lambda r: r.route_add("198.51.100.0/24", oif="va", scope="nearby"), "scope"),
    ("oif", lambda r: r.route_add("198.51.100.0/24", oif="a b"), "oif"),
    ("oif before lookup", lambda r: r.route_add("198.51.100.1/24", oif="nosuch"), "dst"),
    ("family", lambda r: r.route_add("default", oif="va", family=7), "family"),
    ("del", lambda r: r.route_del("198.51.100.0/33"), "dst"),
    ("get", lambda r: r.route_get("198.51.100"), "address"),
    ("dump", lambda r: r.routes(table=0), "table"),
]


def _not_the_kernels(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Routes without ``proto kernel``: the kernel adds its own (IPv6's ``ff00::/8`` and local
    routes) a moment after a link comes up, on its own schedule; whatever rawnl sends is
    ``proto boot`` (no ``protocol`` key in ``ip -j``)."""
    return [route for route in routes if route.get("protocol") != "kernel"]


@pytest.mark.parametrize(("call", "arg"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_argument_sends_nothing(
    ipr: IPRoute, netns: NetNS, ip: Any, call: Callable[[IPRoute], object], arg: str
) -> None:
    before = _not_the_kernels(ip("route", "show", "table", "all", ns=netns))
    with ipr.monitor(timeout=0.5) as events:
        with pytest.raises(ValueError, match=rf"^{re.escape(arg)}\b"):
            call(ipr)
        after = _not_the_kernels(ip("route", "show", "table", "all", ns=netns))
        ipr.route_add("203.0.113.0/24", oif="va", table=77)  # a marker: the first event must be this one
        first = next(iter(events))
    assert isinstance(first, Route)
    assert (str(first.dst), first.table) == ("203.0.113.0/24", 77)
    assert before == after
