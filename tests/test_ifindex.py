"""Link names to indices without a netlink round trip (``NetlinkSocket.ifindex``, issue 12): in
the handle's namespace, never stale, the errors as before, and a fallback when the ioctl is
refused.  The race test renames and re-creates links while another thread adds addresses by name,
and checks from both threads' logs that every address landed on a link that had the name while
its call ran."""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from rawnl import IPRoute, NetlinkError, NetlinkSocket, NetNS
from rawnl.wire.uapi import RTM_GETLINK

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)


@pytest.fixture
def ipr(netns: NetNS) -> Iterator[IPRoute]:
    with IPRoute(netns) as handle:
        yield handle


def test_ifindex_is_the_sockets_namespaces(netns: NetNS, netns2: NetNS) -> None:
    """The same name in two namespaces, with different indices: each handle finds its own,
    although the calling thread is in neither."""
    with IPRoute(netns) as one, IPRoute(netns2) as two:
        one.link_add_bridge("pad0")  # so that "same0" gets another index in `one`
        one.link_add_bridge("same0")
        two.link_add_bridge("same0")
        first, second = one.link_get("same0").index, two.link_get("same0").index
        assert first != second
        assert one.sock.ifindex("same0") == first
        assert two.sock.ifindex("same0") == second
        with pytest.raises(OSError, match="No such device") as info:
            two.sock.ifindex("pad0")
        assert info.value.errno == errno.ENODEV
        two.addr_add("same0", "192.0.2.1/24")
        assert [a.index for a in two.addrs(family=4)] == [second]
        assert one.addrs(link="same0") == []


def test_unknown_name_is_the_same_error_as_before(ipr: IPRoute) -> None:
    """What the RTM_GETLINK lookup raised: ENODEV, no kernel text, named after the operation."""
    calls: list[tuple[Callable[[], object], str]] = [
        (partial(ipr.addr_add, "nosuch", "192.0.2.1/24"), "addr_add('nosuch', '192.0.2.1/24')"),
        (partial(ipr.route_add, "198.51.100.0/24", oif="nosuch"), "route_add('198.51.100.0/24')"),
        (partial(ipr.link_set, "lo", master="nosuch"), "link_set('lo')"),
    ]
    for call, named in calls:
        with pytest.raises(NetlinkError) as info:
            call()
        assert info.value.errno == errno.ENODEV
        assert info.value.kernel_message is None
        assert info.value.request_type == RTM_GETLINK
        assert str(info.value) == f"{named}: [Errno 19] No such device"


def test_refused_ioctl_falls_back_to_rtm_getlink(ipr: IPRoute, monkeypatch: pytest.MonkeyPatch) -> None:
    ipr.link_add_bridge("br0")
    index = ipr.link_get("br0").index
    asked: list[str] = []

    def refused(self: NetlinkSocket, name: str) -> int:
        asked.append(name)
        raise PermissionError(errno.EPERM, "refused")

    monkeypatch.setattr(NetlinkSocket, "ifindex", refused)
    sent: list[Any] = []
    request = NetlinkSocket.request

    def counting(self: NetlinkSocket, msg: Any, **kwargs: Any) -> Any:
        sent.append(msg.type)
        return request(self, msg, **kwargs)

    monkeypatch.setattr(NetlinkSocket, "request", counting)
    ipr.addr_add("br0", "192.0.2.1/24")
    assert asked == ["br0"]
    assert sent == [RTM_GETLINK, 20]  # the lookup, then RTM_NEWADDR
    assert [a.index for a in ipr.addrs(family=4)] == [index]
    with pytest.raises(NetlinkError) as info:
        ipr.addr_add("nosuch", "192.0.2.1/24")
    assert info.value.errno == errno.ENODEV


def test_by_name_sends_one_request(ipr: IPRoute, monkeypatch: pytest.MonkeyPatch) -> None:
    """addr_add and route_add by name: one message (the name looked up by ioctl); link_set,
    link_get and link_del by name: one message (the kernel finds IFLA_IFNAME)."""
    ipr.link_add_bridge("br0")
    ipr.link_set("br0", up=True)
    sent: list[int] = []
    request = NetlinkSocket.request

    def counting(self: NetlinkSocket, msg: Any, **kwargs: Any) -> Any:
        sent.append(msg.type)
        return request(self, msg, **kwargs)

    monkeypatch.setattr(NetlinkSocket, "request", counting)
    ipr.addr_add("br0", "192.0.2.1/24")
    ipr.route_add("198.51.100.0/24", oif="br0")
    ipr.link_set("br0", mtu=1400)
    assert ipr.link_get("br0").mtu == 1400
    ipr.link_del("br0")
    assert sent == [20, 24, 16, RTM_GETLINK, 17]


# ------------------------------------------------------------------------------- the race

Log = list[tuple[int, int, int, "str | None"]]  # (ns before, ns after, index, name after or None: gone)


def may_be_named(log: Log, index: int, name: str, start: int, end: int) -> bool:
    """Whether, by the renamer's log, link ``index`` may have been called ``name`` at some moment
    in ``[start, end]``: it took the name during a change that began before ``end`` and did not
    lose it in a change that had ended before ``start``.  (A change's effect lies somewhere
    between its two timestamps.)"""
    took: int | None = None  # when the link may first have had the name (a change's start)
    for before, after, idx, new in sorted(log, key=lambda entry: entry[0]):
        if idx != index:
            continue
        if new == name and took is None:
            took = before
        elif new != name and took is not None:
            if took <= end and after >= start:  # held it from `took` until at most `after`
                return True
            took = None
    return took is not None and took <= end


def check_landings(log: Log, calls: dict[str, tuple[int, int]], found: dict[str, int], name: str) -> list[str]:
    """Every address found (address -> link index) whose call (address -> its start and end)
    ran while its link could not have been ``name``: the violations (none is the rule)."""
    return [
        f"{address} on link {index} during [{calls[address][0]}, {calls[address][1]}]"
        for address, index in found.items()
        if address in calls and not may_be_named(log, index, name, *calls[address])
    ]


def test_the_checker_catches_a_stale_index(ipr: IPRoute, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race test's check can fail: an index remembered across a rename (what a cache
    without validation would do) puts the address on the link that lost the name, and
    ``check_landings`` says so."""
    log: Log = []

    def logged(call: Callable[[], object], index: Callable[[], int], new: str | None) -> None:
        before = time.monotonic_ns()
        call()
        log.append((before, time.monotonic_ns(), index(), new))

    logged(lambda: ipr.link_add_bridge("x"), lambda: ipr.link_get("x").index, "x")
    logged(lambda: ipr.link_add_bridge("y"), lambda: ipr.link_get("y").index, "y")
    first = ipr.link_get("x").index
    remembered: dict[str, int] = {}
    real = IPRoute._index_of

    def cached(self: IPRoute, name: str, arg: str) -> int:
        if name not in remembered:
            remembered[name] = real(self, name, arg)
        return remembered[name]

    monkeypatch.setattr(IPRoute, "_index_of", cached)
    ipr.addr_add("x", "192.0.2.1/32")  # caches x -> first
    second = ipr.link_get("y").index
    logged(lambda: ipr.link_set("x", name="t"), lambda: first, "t")
    logged(lambda: ipr.link_set("y", name="x"), lambda: second, "x")
    start = time.monotonic_ns()
    ipr.addr_add("x", "192.0.2.2/32")  # stale: lands on `first`, now called "t"
    calls = {"192.0.2.2": (start, time.monotonic_ns())}
    found = {str(a.address): a.index for a in ipr.addrs(family=4)}
    assert found["192.0.2.2"] == first
    start, end = calls["192.0.2.2"]
    assert check_landings(log, calls, found, "x") == [f"192.0.2.2 on link {first} during [{start}, {end}]"]
    monkeypatch.setattr(IPRoute, "_index_of", real)
    start = time.monotonic_ns()
    ipr.addr_add("x", "192.0.2.3/32")  # looked up now: `second`
    calls["192.0.2.3"] = (start, time.monotonic_ns())
    found = {str(a.address): a.index for a in ipr.addrs(family=4)}
    assert found["192.0.2.3"] == second
    assert len(check_landings(log, calls, found, "x")) == 1  # only the stale one


def test_rename_race_addresses_land_on_the_link_named_at_call_time(netns: NetNS) -> None:
    """One thread swaps the name "x" between two links (through "t") and twice deletes the link
    called "x" and creates a new one of that name; another adds addresses to "x" by name.
    Every address found must be on a link that may have been called "x" while its addr_add
    ran, and every failure must be ENODEV (no link had the name, or it was deleted after the
    lookup)."""
    log: Log = []
    stop = threading.Event()
    errors: list[BaseException] = []
    swaps = 0

    with IPRoute(netns) as adder, IPRoute(netns) as renamer:

        def change(call: Callable[[], object], index: int, new: str | None) -> None:
            before = time.monotonic_ns()
            call()
            log.append((before, time.monotonic_ns(), index, new))

        def create(name: str) -> int:
            before = time.monotonic_ns()
            renamer.link_add_bridge(name)
            index = renamer.link_get(name).index  # nothing else renames it meanwhile
            log.append((before, time.monotonic_ns(), index, name))
            return index

        holder, other = create("x"), create("y")  # holder is called "x", other "y"

        def rename_loop() -> None:
            nonlocal holder, other, swaps
            try:
                while not stop.is_set():
                    h, o = holder, other
                    change(partial(renamer.link_set, h, name="t"), h, "t")
                    change(partial(renamer.link_set, o, name="x"), o, "x")
                    change(partial(renamer.link_set, h, name="y"), h, "y")
                    holder, other = o, h
                    swaps += 1
                    time.sleep(0.0005)  # let several calls run between swaps
                    if swaps in (5, 15):  # re-create "x": a new link (a new index) of that name
                        change(partial(renamer.link_del, holder), holder, None)
                        holder = create("x")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=rename_loop)
        thread.start()
        while swaps < 1 and thread.is_alive():
            time.sleep(0.001)
        calls: dict[str, tuple[int, int]] = {}
        failures: list[int] = []
        try:
            for i in range(3000):
                address = f"2001:db8::{i + 1:x}"
                if i % 4 == 0:
                    time.sleep(0.0002)  # let the renamer run between calls, too
                start = time.monotonic_ns()
                try:
                    adder.addr_add("x", f"{address}/32")
                except NetlinkError as exc:
                    failures.append(exc.errno or 0)
                    continue
                calls[address] = (start, time.monotonic_ns())
        finally:
            stop.set()
            thread.join()
        assert not errors, errors
        found = {str(a.address): a.index for a in adder.addrs(family=6) if a.scope == 0}

    assert set(failures) <= {errno.ENODEV}, failures
    assert swaps >= 20, swaps  # the renames really ran alongside (each swap is three renames)
    landed = {found[address] for address in calls if address in found}
    assert len(landed) >= 2  # addresses went to more than one link as the name moved
    assert check_landings(log, calls, found, "x") == []
