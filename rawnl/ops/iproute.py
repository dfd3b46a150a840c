"""``IPRoute``: the operations of every family, one at a time or in batches, and their events.

:class:`IPRoute`, :class:`Batch` and the events :class:`IPRoute.monitor` follows are assembled
from the families' modules (:mod:`rawnl.ops.links`, :mod:`rawnl.ops.link_kinds`,
:mod:`rawnl.ops.addresses`, :mod:`rawnl.ops.routes`): each gives its operations that change
something (``*Ops``, for both), those that read (``*Queries``, for ``IPRoute``) and its events
(``EVENTS``).  Adding a family is one line in each of the three lists below.

Every operation validates all of its input first (``ValueError`` naming the argument; nothing
is sent), then resolves what the request still needs (a link name the kernel needs as an index,
looked up by ``ioctl(SIOCGIFINDEX)`` on the handle's own socket, no netlink round trip: see
:meth:`IPRoute._index_of`; a namespace name opened as an fd), then sends the one request its
builder made; the builder's docstring gives the exact message.  A link the kernel can find by
name itself (``link_set``, ``link_del``, ``link_get``: ``IFLA_IFNAME``) is not looked up at all.  Kernel refusals raise
:class:`rawnl.NetlinkError` carrying the errno and the kernel's own text.  Listings are dumps;
one that the kernel marks inconsistent (``NLM_F_DUMP_INTR``: the table changed while it was
read) is read again, twice at most, then :class:`rawnl.DumpInterrupted` is raised with the
messages received.
"""

from __future__ import annotations

from errno import ENODEV

from rawnl.engine.socket import Malformed, NetlinkSocket, Overrun
from rawnl.errors import InvalidMessageError, NetlinkError
from rawnl.wire.link import LinkMessage
from rawnl.wire.uapi import RTM_GETLINK, SIOCGSKNS

from . import addresses, link_kinds, links, routes
from . import validate as v
from .links import link_get
from .request import LinkName, Request, describe, release

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType
    from typing import Any

    from rawnl.engine.netns import NetNS
    from rawnl.wire.message import Message

    from .addresses import Address
    from .links import Link
    from .request import Events, NetnsRef, NetnsRef_
    from .routes import Route

__all__ = ["Batch", "IPRoute", "Monitor"]

#: The events of every family, as :meth:`IPRoute.monitor` follows them (one line per family).
EVENTS: tuple[Events, ...] = (links.EVENTS, addresses.EVENTS, routes.EVENTS)


class _Changes(
    links.LinkOps,
    link_kinds.LinkKindOps,
    addresses.AddressOps,
    routes.RouteOps,  # one line per family: its operations that change something
):
    """Every family's operations that change something: sent at once by :class:`IPRoute`,
    queued by :class:`Batch`."""


class IPRoute(
    _Changes,
    links.LinkQueries,
    addresses.AddressQueries,
    routes.RouteQueries,  # one line per family: its operations that read
):
    """A handle on one rtnetlink socket, in the caller's network namespace or in ``netns`` (a
    :class:`rawnl.NetNS`, a name under /run/netns, a path or a pid).  A context manager.
    Threads may share one: they take turns on its socket (see :class:`rawnl.NetlinkSocket`).

    Its methods are the families' operations: those that change something send the request
    their builder makes (same name in :mod:`rawnl.ops.links`, :mod:`rawnl.ops.link_kinds`,
    :mod:`rawnl.ops.addresses`, :mod:`rawnl.ops.routes`, whose docstrings they share) and wait
    for the kernel's ACK; those that read return typed results (:class:`rawnl.Link`,
    :class:`rawnl.Address`, :class:`rawnl.Route`).  Examples: docs/guides/ip.md.
    """

    def __init__(self, netns: NetnsRef_ | None = None) -> None:
        if netns is not None:
            v.netns(netns, "netns")
        self._netns = netns
        self.sock = NetlinkSocket(netns=netns)

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def __enter__(self) -> IPRoute:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "" if self._netns is None else f" netns={self._netns!r}"
        return f"<IPRoute{where} {self.sock!r}>"

    def _submit(self, req: Request, name: str, args: tuple[Any, ...]) -> None:
        refs = req.refs
        if not refs:
            self.sock.request(req.msg)
            return
        if len(refs) == 1 and type(refs[0]) is LinkName:  # one link by name: nothing to release
            ref = refs[0]
            sock = self.sock
            try:  # _index_of's first step, written out (one frame less on the common path)
                ref.index = sock.ifindex(ref.name)
            except OSError as exc:
                ref.index = self._index_refused(ref.name, exc)
            sock.request(req.msg)
            return
        self.resolve(refs)
        try:
            self.sock.request(req.msg)
        finally:
            release(refs)

    def _index_of(self, name: str, arg: str) -> int:
        """A link's index by name (``arg`` is the argument the name was given as), looked up
        when the operation is called, in the namespace of this handle's socket:
        ``ioctl(SIOCGIFINDEX)`` on that socket (:meth:`rawnl.NetlinkSocket.ifindex`), which
        costs no netlink message; if the ioctl is refused (a seccomp filter, say), one
        ``RTM_GETLINK`` with ``IFLA_IFNAME``.  No such link: :class:`rawnl.NetlinkError`
        ``ENODEV``, as the ``RTM_GETLINK`` answers.

        Never a stale index: nothing is cached, so the index is that of the link holding the
        name at the moment of the call, exactly as current as the ``RTM_GETLINK`` it replaces.
        Between this lookup and the request (with either way of looking up) the link may be
        renamed, and the request applies to it under its new name, as ``ip`` would; it may be
        deleted, and the request fails with ``ENODEV``, since the kernel never gives a deleted
        link's index to a new one unless asked to (indices grow, ``dev_index_reserve``).
        ``tests/test_ifindex.py`` races renames and re-creations against ``addr_add`` by name."""
        try:
            return self.sock.ifindex(name)
        except OSError as exc:
            return self._index_refused(name, exc)

    def _index_refused(self, name: str, exc: OSError) -> int:
        """:meth:`_index_of` after ``ioctl(SIOCGIFINDEX)`` raised ``exc``: ``ENODEV`` as the
        ``RTM_GETLINK`` answers it, else one ``RTM_GETLINK`` with ``IFLA_IFNAME``."""
        if exc.errno == ENODEV:
            raise NetlinkError(ENODEV, request_type=RTM_GETLINK) from None
        return self._get(link_get(name, stats=False), LinkMessage).index

    # ----------------------------------------------------------------------- batches, events

    def batch(self) -> Batch:
        """A batch: ``with ipr.batch() as b:`` queues the operations that change something
        (``b.link_add_veth``, ``b.link_set``, ``b.addr_add``, ``b.route_add``, ...) and sends them
        all on leaving the block, through :meth:`rawnl.NetlinkSocket.batch` (few ``sendmsg``
        calls; only the last request of each chunk asks for an ACK, failures are reported
        anyway).  ``b.results`` then holds one outcome per call, in order: ``None`` for success
        or the :class:`rawnl.NetlinkError`; a failure does not stop the calls after it.  Nothing
        is sent if the block raises."""
        return Batch(self)

    def monitor(self, *, timeout: float | None = None, **follow: bool) -> Monitor:
        """Events, like ``ip monitor link address route``: an iterator of :class:`rawnl.Link`,
        :class:`rawnl.Address` and :class:`rawnl.Route` (``deleted`` set for removals), and
        :class:`rawnl.Overrun` when events were lost.  Every family is followed unless turned
        off by name (``links=False``, ``addresses=False``, ``routes=False``).  It subscribes at
        once (on its own socket, in this handle's namespace, to each family's groups:
        RTNLGRP_LINK, RTNLGRP_IPV4/IPV6_IFADDR, RTNLGRP_IPV4/IPV6_ROUTE), so changes made after
        this call are seen.  With ``timeout`` the iteration ends after that many seconds without
        an event.  Close it (or use ``with``) when done."""
        known = {events.name: events for events in EVENTS}
        for name, on in follow.items():
            if name not in known:
                raise ValueError(f"monitor: {name!r} is not a family it follows (known: {', '.join(known)})")
            v.boolean(on, name)
        chosen = [events for events in EVENTS if follow.get(events.name, True)]
        if not chosen:
            raise ValueError(f"monitor needs at least one of {', '.join(known)}")
        # Open the monitor's socket in the namespace this handle's socket belongs to (not by
        # opening ``netns`` again: a pid may have exited, a name may now be another namespace),
        # even if the calling thread has moved since: SIOCGSKNS gives an fd on it.
        import fcntl

        try:
            fd = fcntl.ioctl(self.sock.fileno(), SIOCGSKNS)
        except OSError:
            # Refused without CAP_NET_ADMIN: the namespace the handle was opened in, as given.
            return Monitor(self._netns, chosen, timeout)
        from rawnl.engine.netns import NetNS

        with NetNS(fd, f"/proc/self/fd/{fd}") as ns:
            return Monitor(ns, chosen, timeout)


class Batch(_Changes):
    """Queued operations, sent together; see :meth:`IPRoute.batch`.

    Link names that calls need as indices (``addr_add``'s link, ``route_add``'s oif, a master)
    are resolved when the call is queued, once per name per batch; links the calls change or
    delete by name are found by the kernel when the batch runs.

    Queuing keeps only the message and the call's name and arguments; the text a refusal is
    named by (``addr_add('v0', '192.0.2.1/24')``) is made for the calls that fail.
    """

    def __init__(self, ipr: IPRoute) -> None:
        self._ipr = ipr
        self._msgs: list[Message] = []
        self._calls: list[tuple[str, tuple[Any, ...]]] = []  # each queued call, for naming a refusal
        self._opened: list[tuple[LinkName | NetnsRef, ...]] = []  # references holding namespace fds
        self._names: dict[str, int] = {}
        self._sent = False
        #: One outcome per queued call, in order, once sent: ``None`` or a NetlinkError.
        self.results: list[NetlinkError | None] = []

    def __len__(self) -> int:
        return len(self._msgs)

    def _submit(self, req: Request, name: str, args: tuple[Any, ...]) -> None:
        if self._sent:
            raise RuntimeError("this batch has been sent; start a new one with ipr.batch()")
        refs = req.refs
        if refs:  # names looked up, namespaces opened: now, while queuing
            ref = refs[0]
            index = None
            if len(refs) == 1 and isinstance(ref, LinkName):
                index = ref.index = self._names.get(ref.name)
            if index is None:  # else the common case: one link this batch has already named
                self.resolve(refs)
                if any(ref.__class__ is not LinkName for ref in refs):
                    self._opened.append(refs)
        self._msgs.append(req.msg)
        self._calls.append((name, args))

    def _index_of(self, name: str, arg: str) -> int:
        index = self._names.get(name)
        if index is None:
            index = self._names[name] = self._ipr._index_of(name, arg)
        return index

    @property
    def errors(self) -> list[tuple[int, NetlinkError]]:
        """``(position, error)`` for each call that failed."""
        return [(i, r) for i, r in enumerate(self.results) if r is not None]

    def send(self) -> list[NetlinkError | None]:
        """Send everything queued (done by leaving the ``with`` block) and return ``results``."""
        if self._sent:
            raise RuntimeError("this batch has been sent")
        self._sent = True
        try:
            outcomes = self._ipr.sock.batch_outcomes(self._msgs)  # None for each plain success
        finally:
            self._release()
        if outcomes.count(None) == len(outcomes):  # the usual case: no failure, nothing to name
            results: list[NetlinkError | None] = [None] * len(outcomes)
        else:
            results = [outcome if isinstance(outcome, NetlinkError) else None for outcome in outcomes]
            calls = self._calls
            for i, result in enumerate(results):
                if result is not None:
                    result.operation = describe(*calls[i])
        self.results = results
        return results

    def _release(self) -> None:
        for refs in self._opened:
            release(refs)

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._sent = True
            self._release()
            return
        if not self._sent:
            self.send()


#: message class -> its typed result, for every family that has events
_TYPED = {events.message: events.convert for events in EVENTS}


class Monitor:
    """An iterator of typed events; see :meth:`IPRoute.monitor`."""

    def __init__(self, netns: NetNS | str | int | None, follow: list[Events], timeout: float | None) -> None:
        self.sock = NetlinkSocket(netns=netns, rcvbuf=4 << 20)
        self.sock.subscribe(*(group for events in follow for group in events.groups))
        self._timeout = timeout

    @staticmethod
    def convert(event: Any) -> Any:
        """An event as :class:`IPRoute.monitor` yields it: a family's message as its typed
        result (:class:`rawnl.Link`, ...), one its typed view cannot represent as a
        :class:`rawnl.Malformed` naming the problem; anything else (an :class:`rawnl.Overrun`, a
        :class:`rawnl.Malformed` from the socket, a message of no family) as it is."""
        to_result = _TYPED.get(type(event))
        if to_result is None:
            return event
        try:
            return to_result(event)
        except InvalidMessageError as exc:
            return Malformed(error=exc, message=event)

    def __iter__(self) -> Iterator[Link | Address | Route | Overrun | Malformed]:
        convert = self.convert
        for event in self.sock.events(self._timeout):
            result = convert(event)
            if result is not event or isinstance(event, (Overrun, Malformed)):
                yield result

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
