"""``IPRoute``: links, addresses and routes, one at a time or in batches, and their events.

Every method validates all of its input first (``ValueError`` naming the argument; nothing is
sent), then resolves link names it needs as indices (one ``RTM_GETLINK`` each; a missing link
raises :class:`rawnl.NetlinkError` with ENODEV), then sends one request built by
:mod:`rawnl.requests`, whose docstrings give the exact message.  Kernel refusals raise
:class:`rawnl.NetlinkError` carrying the errno and the kernel's own text.  Listings are dumps;
one that the kernel marks inconsistent (``NLM_F_DUMP_INTR``: the table changed while it was
read) is read again, twice at most, then :class:`rawnl.DumpInterrupted` is raised with the
messages received.
"""

from __future__ import annotations

from . import requests as rq
from . import validate as v
from .errors import NetlinkError
from .nlsocket import NetlinkSocket, Overrun
from .requests import (
    AF_INET,
    AF_INET6,
    RTM_DELADDR,
    RTM_DELLINK,
    RTM_DELROUTE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWROUTE,
)
from .results import address_from, link_from, route_from

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType
    from typing import Any, TypeAlias

    from .codec import AttrKey
    from .messages import Message
    from .netns import NetNS
    from .results import Address, Link, Route
    from .validate import IPAddress

    NetnsRef: TypeAlias = NetNS | str | int
    LinkRef: TypeAlias = int | str

__all__ = ["Batch", "IPRoute", "Monitor"]

RTNLGRP_LINK = 1
RTNLGRP_IPV4_IFADDR = 5
RTNLGRP_IPV4_ROUTE = 7
RTNLGRP_IPV6_IFADDR = 9
RTNLGRP_IPV6_ROUTE = 11

_ENODEV = 19
_ENOENT = 2
_ENETUNREACH = 101
#: A dump the kernel marks NLM_F_DUMP_INTR (the table changed while it was read) is repeated up
#: to this many times; then rawnl.DumpInterrupted is raised, carrying what was received.
_DUMP_RETRIES = 2
_SIOCGSKNS = 0x894C  # ioctl: a netns fd for the namespace a socket belongs to


def _check_netns(value: object, arg: str) -> None:
    """Refuse what cannot name a namespace (a :class:`NetNS` that is open, a name or path under
    /run/netns, or a pid) before anything is looked up, opened or sent."""
    from .netns import NetNS

    if isinstance(value, NetNS):
        if value.closed:
            raise ValueError(f"{arg} {value!r} is closed")
    elif (
        isinstance(value, bool)
        or not isinstance(value, (str, int))
        or not value
        or (isinstance(value, int) and value < 0)
    ):
        raise ValueError(f"{arg} must be a NetNS, a namespace name or path, or a pid, not {value!r}")


def _open_netns(value: object, arg: str) -> tuple[int, NetNS | None]:
    """An fd for a namespace given as a :class:`NetNS` (its own fd, left open), a name under
    /run/netns, a path, or a pid (already checked by :func:`_check_netns`); the second item
    is the handle to close afterwards."""
    from .netns import NetNS

    if isinstance(value, NetNS):
        return value.fd, None
    try:
        ns = NetNS.open(value) if isinstance(value, str) else NetNS.from_pid(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{arg}: {exc}") from None
    return ns.fd, ns


def _oif(oif: object) -> tuple[int | None, str | None]:
    """A route's output link: ``(index or None, None)``, or ``(1, name)`` for a name to look up
    once the route is validated."""
    if oif is None or oif.__class__ is int:  # the common case, kept short: it runs once per route
        return oif, None
    index, name = v.link_ref(oif, "oif")
    return (index if name is None else 1), name


def _attrs(msg: Message) -> dict[AttrKey, Any]:
    """The attributes of a message built by :mod:`rawnl.requests` (always a ``dict``), to fill
    in an index looked up, or a namespace fd opened, once everything has been validated."""
    return msg.attrs  # type: ignore[return-value, union-attr]


class _Ops:
    """The mutating operations, shared by :class:`IPRoute` (sends each at once) and
    :class:`Batch` (queues them).

    Each builds its request once, with placeholders (index 1, namespace fd 0) where a link name
    must be looked up or a namespace opened, so that every argument is validated first; the
    real values are then filled in."""

    def _submit(self, msg: Message, close: NetNS | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def _index_of(self, name: str, arg: str) -> int:  # pragma: no cover
        raise NotImplementedError

    def _resolve(self, ref: tuple[int, str | None], arg: str) -> int:
        index, name = ref
        return index if name is None else self._index_of(name, arg)

    def _submit_in(self, msg: Message, netns: object, arg: str, fd_attrs: dict[AttrKey, Any]) -> None:
        """Submit ``msg``; with ``netns``, open the namespace and put its fd in
        ``fd_attrs["IFLA_NET_NS_FD"]`` (a placeholder so far) first, and close what was opened
        once sent."""
        if netns is None:
            self._submit(msg)
            return
        fd, handle = _open_netns(netns, arg)
        fd_attrs["IFLA_NET_NS_FD"] = fd
        self._submit(msg, handle)

    # -------------------------------------------------------------------------------- links

    def link_add(
        self,
        name: str,
        kind: str,
        *,
        data: dict[AttrKey, Any] | None = None,
        link: LinkRef | None = None,
        mac: str | None = None,
        mtu: int | None = None,
        txqlen: int | None = None,
        num_queues: int | None = None,
        master: LinkRef | None = None,
        netns: NetnsRef | None = None,
    ) -> None:
        """Create a link of any ``kind`` with ``IFLA_INFO_DATA`` = ``data`` (a mapping of the
        kind's attributes).  Equivalent to ``ip link add [link LINK] NAME [address MAC] [mtu N]
        [txqueuelen N] [master M] [netns NS] type KIND``; sends RTM_NEWLINK,
        NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL (see :func:`rawnl.requests.link_add`).
        EEXIST if the name is taken."""
        if netns is not None:
            _check_netns(netns, "netns")
        lref = None if link is None else v.link_ref(link, "link")
        mref = None if master is None else v.link_ref(master, "master")
        msg = rq.link_add(
            name, kind, data=data, link=None if lref is None else lref[0] or 1, mac=mac, mtu=mtu, txqlen=txqlen,
            num_queues=num_queues, master=None if mref is None else mref[0] or 1,
            netns_fd=None if netns is None else 0,
        )  # fmt: skip
        attrs = _attrs(msg)
        if lref is not None and lref[1] is not None:
            attrs["IFLA_LINK"] = self._index_of(lref[1], "link")
        if mref is not None and mref[1] is not None:
            attrs["IFLA_MASTER"] = self._index_of(mref[1], "master")
        self._submit_in(msg, netns, "netns", attrs)

    def link_add_veth(
        self,
        name: str,
        peer: str,
        *,
        peer_netns: NetnsRef | None = None,
        peer_mac: str | None = None,
        mtu: int | None = None,
        txqlen: int | None = None,
        mac: str | None = None,
        num_queues: int | None = None,
    ) -> None:
        """Create a veth pair; with ``peer_netns`` (a :class:`rawnl.NetNS`, a name, a path or a
        pid) the peer is created straight inside that namespace, in the same request.  ``mtu``,
        ``txqlen`` and ``num_queues`` (``IFLA_NUM_TX_QUEUES``/``IFLA_NUM_RX_QUEUES``; 1 makes
        creation about twice as fast) apply to both ends.

        Equivalent to ``ip link add NAME type veth peer name PEER [netns NS]``; sends RTM_NEWLINK,
        NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO { IFLA_INFO_KIND
        "veth", IFLA_INFO_DATA { VETH_INFO_PEER { ifinfomsg, ..., IFLA_NET_NS_FD, IFLA_IFNAME } }
        }`` (see :func:`rawnl.requests.link_add_veth`)."""
        if peer_netns is None:
            self._submit(
                rq.link_add_veth(name, peer, peer_mac=peer_mac, mtu=mtu, txqlen=txqlen, mac=mac, num_queues=num_queues)
            )
            return
        _check_netns(peer_netns, "peer_netns")
        msg = rq.link_add_veth(
            name, peer, peer_netns_fd=0, peer_mac=peer_mac, mtu=mtu, txqlen=txqlen, mac=mac, num_queues=num_queues
        )
        peer_msg = _attrs(msg)["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
        self._submit_in(msg, peer_netns, "peer_netns", _attrs(peer_msg))

    def link_add_bridge(
        self,
        name: str,
        *,
        mtu: int | None = None,
        mac: str | None = None,
        txqlen: int | None = None,
        stp: bool | None = None,
        forward_delay: int | None = None,
        vlan_filtering: bool | None = None,
    ) -> None:
        """Create a bridge.  Equivalent to ``ip link add NAME type bridge``; sends RTM_NEWLINK,
        NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO { IFLA_INFO_KIND
        "bridge" [, IFLA_INFO_DATA { IFLA_BR_* }] }`` (see :func:`rawnl.requests.link_add_bridge`).
        A bridge holds at most 1024 ports."""
        self._submit(
            rq.link_add_bridge(
                name, mtu=mtu, mac=mac, txqlen=txqlen, stp=stp, forward_delay=forward_delay,
                vlan_filtering=vlan_filtering,
            )
        )  # fmt: skip

    def link_add_macvlan(
        self, name: str, parent: LinkRef, mode: str | int = "bridge", *, mac: str | None = None, mtu: int | None = None
    ) -> None:
        """Create a macvlan on ``parent`` (name or index).  Equivalent to ``ip link add link
        PARENT NAME type macvlan mode MODE``; sends RTM_NEWLINK,
        NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINK``, ``IFLA_IFNAME``,
        ``IFLA_LINKINFO { IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA { IFLA_MACVLAN_MODE } }``."""
        index, parent_name = v.link_ref(parent, "parent")
        msg = rq.link_add_macvlan(name, index or 1, mode, mac=mac, mtu=mtu)
        if parent_name is not None:
            _attrs(msg)["IFLA_LINK"] = self._index_of(parent_name, "parent")
        self._submit(msg)

    def link_add_vxlan(
        self,
        name: str,
        vni: int,
        *,
        port: int | None = 4789,
        local: str | IPAddress | None = None,
        remote: str | IPAddress | None = None,
        group: str | IPAddress | None = None,
        dev: LinkRef | None = None,
        ttl: int | None = None,
        learning: bool | None = True,
        mtu: int | None = None,
        mac: str | None = None,
    ) -> None:
        """Create a VXLAN device with VNI ``vni``.  Equivalent to ``ip link add NAME type vxlan
        id VNI dstport PORT [local A] [remote A | group G] [dev DEV] [ttl N]``; sends
        RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO {
        IFLA_INFO_KIND "vxlan", IFLA_INFO_DATA { IFLA_VXLAN_* } }`` (see
        :func:`rawnl.requests.link_add_vxlan`)."""
        dref = None if dev is None else v.link_ref(dev, "dev")
        msg = rq.link_add_vxlan(
            name, vni, port=port, local=local, remote=remote, group=group, dev=None if dref is None else dref[0] or 1,
            ttl=ttl, learning=learning, mtu=mtu, mac=mac,
        )  # fmt: skip
        if dref is not None and dref[1] is not None:
            _attrs(msg)["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["IFLA_VXLAN_LINK"] = self._index_of(dref[1], "dev")
        self._submit(msg)

    def link_set(
        self,
        name_or_index: LinkRef,
        *,
        up: bool | None = None,
        mtu: int | None = None,
        txqlen: int | None = None,
        name: str | None = None,
        mac: str | None = None,
        master: LinkRef | None = None,
        nomaster: bool = False,
        netns: NetnsRef | None = None,
    ) -> None:
        """Change a link: every given change in one request.  ``netns`` (a :class:`rawnl.NetNS`,
        a name, a path or a pid) moves it to another namespace (sent as ``IFLA_NET_NS_FD``), and
        with ``name`` it is renamed on the way.

        Equivalent to ``ip link set dev LINK [up|down] [mtu N] [txqueuelen N] [address MAC]
        [master M | nomaster] [netns NS] [name NEW]``; sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK
        (see :func:`rawnl.requests.link_set`).  A link given by name is found by the kernel
        through ``IFLA_IFNAME``, except when renaming, which needs its index first."""
        if netns is not None:
            _check_netns(netns, "netns")
        index, ref_name = v.link_ref(name_or_index, "name_or_index")
        mref = None if master is None else v.link_ref(master, "master")
        # Renaming a link given by name needs its index (IFLA_IFNAME then carries the new name).
        renamed = ref_name if ref_name is not None and name is not None and name != ref_name else None
        msg = rq.link_set(
            1 if renamed is not None else ref_name or index, up=up, mtu=mtu, txqlen=txqlen, name=name, mac=mac,
            master=None if mref is None else mref[0] or 1, nomaster=nomaster, netns_fd=None if netns is None else 0,
        )  # fmt: skip
        if renamed is not None:
            msg.index = self._index_of(renamed, "name_or_index")
        attrs = _attrs(msg)
        if mref is not None and mref[1] is not None:
            attrs["IFLA_MASTER"] = self._index_of(mref[1], "master")
        self._submit_in(msg, netns, "netns", attrs)

    def link_set_hairpin(self, port: LinkRef, on: bool = True) -> None:
        """Turn hairpin mode of bridge port ``port`` on or off (the port must be enslaved).
        Equivalent to ``bridge link set dev PORT hairpin on|off``; sends RTM_SETLINK,
        NLM_F_REQUEST|NLM_F_ACK, family AF_BRIDGE, ``IFLA_PROTINFO|NLA_F_NESTED {
        IFLA_BRPORT_MODE }``.  :attr:`rawnl.Link.hairpin` shows the result."""
        index, port_name = v.link_ref(port, "port")
        msg = rq.link_set_hairpin(index or 1, on)
        if port_name is not None:
            msg.index = self._index_of(port_name, "port")
        self._submit(msg)

    def link_del(self, name_or_index: LinkRef) -> None:
        """Delete a link (a veth takes its peer along).  Equivalent to ``ip link del dev LINK``;
        sends RTM_DELLINK, NLM_F_REQUEST|NLM_F_ACK, by index or ``IFLA_IFNAME``.  ENODEV if it
        does not exist."""
        self._submit(rq.link_del(name_or_index))

    # ---------------------------------------------------------------------------- addresses

    def addr_add(
        self,
        link: LinkRef,
        address_with_prefix: str,
        *,
        peer: str | IPAddress | None = None,
        broadcast: str | IPAddress | None = None,
        scope: int | str | None = None,
        flags: int = 0,
    ) -> None:
        """Add ``'192.0.2.1/24'`` (or IPv6) to ``link``; ``flags`` are ``IFA_F_*``
        (``IFA_F_NODAD`` = 0x02).  Equivalent to ``ip addr add ADDRESS/LEN [peer P] [broadcast
        B] [scope S] dev LINK``; sends RTM_NEWADDR, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|
        NLM_F_EXCL with ``IFA_LOCAL`` and ``IFA_ADDRESS`` (see :func:`rawnl.requests.addr_add`).
        EEXIST if the address is already there."""
        index, name = v.link_ref(link, "link")
        msg = rq.addr_add(index or 1, address_with_prefix, peer=peer, broadcast=broadcast, scope=scope, flags=flags)
        if name is not None:
            msg.index = self._index_of(name, "link")
        self._submit(msg)

    def addr_del(self, link: LinkRef, address_with_prefix: str, *, peer: str | IPAddress | None = None) -> None:
        """Remove an address from ``link``.  Equivalent to ``ip addr del ADDRESS/LEN dev LINK``;
        sends RTM_DELADDR, NLM_F_REQUEST|NLM_F_ACK with ``IFA_LOCAL`` and ``IFA_ADDRESS``.
        EADDRNOTAVAIL if it is not there."""
        index, name = v.link_ref(link, "link")
        msg = rq.addr_del(index or 1, address_with_prefix, peer=peer)
        if name is not None:
            msg.index = self._index_of(name, "link")
        self._submit(msg)

    # ------------------------------------------------------------------------------- routes

    def _submit_route(self, msg: Message, oif_name: str | None) -> None:
        if oif_name is not None:
            _attrs(msg)["RTA_OIF"] = self._index_of(oif_name, "oif")
        self._submit(msg)

    def route_add(
        self,
        dst: str,
        *,
        gateway: str | IPAddress | None = None,
        oif: LinkRef | None = None,
        table: int | str | None = None,
        scope: int | str | None = None,
        priority: int | None = None,
        mtu: int | None = None,
        src: str | IPAddress | None = None,
        family: int | None = None,
    ) -> None:
        """Add a unicast route to ``dst`` (a prefix, an address or ``'default'``) in ``table``
        (default main; above 255 sent in ``RTA_TABLE``); ``oif`` takes a name or an index;
        without a gateway an IPv4 route gets scope link, as with ``ip``; ``family`` (4 or 6)
        picks the family of a bare ``'default'``.  Equivalent to ``ip route add DST [via GW]
        [dev OIF] [table T] [metric P] [mtu M] [src S]``; sends RTM_NEWROUTE,
        NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL (see :func:`rawnl.requests.route_add`).
        EEXIST if it exists; ENETUNREACH ("Nexthop has invalid gateway") for an unreachable
        gateway."""
        index, name = _oif(oif)
        msg = rq.route_add(
            dst, gateway=gateway, oif=index, table=table, scope=scope, priority=priority, mtu=mtu, src=src,
            family=family,
        )  # fmt: skip
        self._submit_route(msg, name)

    def route_del(
        self,
        dst: str,
        *,
        gateway: str | IPAddress | None = None,
        oif: LinkRef | None = None,
        table: int | str | None = None,
        scope: int | str | None = None,
        priority: int | None = None,
        mtu: int | None = None,
        src: str | IPAddress | None = None,
        family: int | None = None,
    ) -> None:
        """Delete the first route matching everything given.  Equivalent to ``ip route del DST
        [via GW] [dev OIF] [table T] [metric P]``; sends RTM_DELROUTE, NLM_F_REQUEST|NLM_F_ACK
        (see :func:`rawnl.requests.route_del`).  ESRCH if none matches."""
        index, name = _oif(oif)
        msg = rq.route_del(
            dst, gateway=gateway, oif=index, table=table, scope=scope, priority=priority, mtu=mtu, src=src,
            family=family,
        )  # fmt: skip
        self._submit_route(msg, name)


class IPRoute(_Ops):
    """A handle on one rtnetlink socket, in the caller's network namespace or in ``netns`` (a
    :class:`rawnl.NetNS`, a name under /run/netns, a path or a pid).  A context manager; not
    thread-safe (use one per thread).

    >>> with IPRoute() as ipr:                                  # doctest: +SKIP
    ...     ipr.link_add_veth("veth0", "veth1")
    ...     ipr.link_set("veth0", up=True, mtu=1400)
    ...     ipr.addr_add("veth0", "192.0.2.1/24")
    ...     ipr.link_get("veth0").operstate
    """

    def __init__(self, netns: NetnsRef | None = None) -> None:
        if netns is not None:
            _check_netns(netns, "netns")
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

    # ------------------------------------------------------------------------------ plumbing

    def _submit(self, msg: Message, close: NetNS | None = None) -> None:
        try:
            self.sock.request(msg)
        finally:
            if close is not None:
                close.close()

    def _reply(self, req: Message, mtype: int, errno: int) -> Any:
        """The reply of type ``mtype`` to a request the kernel answers with one message (or an
        error, raised as NetlinkError)."""
        for reply in self.sock.request(req, flags=0):
            if reply.type == mtype:
                return reply
        raise NetlinkError(errno, "the kernel sent no answer")  # pragma: no cover - it answers with an error

    def _index_of(self, name: str, arg: str) -> int:
        """A link's index by name: one RTM_GETLINK with ``IFLA_IFNAME``, statistics skipped
        (``arg`` is the argument the name was given as)."""
        index: int = self._reply(rq.link_get(name, stats=False), RTM_NEWLINK, _ENODEV).index
        return index

    # -------------------------------------------------------------------------------- reads

    def link_get(self, name_or_index: LinkRef) -> Link:
        """One link, by name or index, as a :class:`rawnl.Link`.  Equivalent to ``ip -d link
        show dev LINK``; sends RTM_GETLINK, NLM_F_REQUEST, ``IFLA_IFNAME`` (a lookup by name,
        not a dump) or the index (see :func:`rawnl.requests.link_get`).  Raises
        :class:`rawnl.NetlinkError` with ENODEV when there is no such link."""
        return link_from(self._reply(rq.link_get(name_or_index), RTM_NEWLINK, _ENODEV))

    def links(self, *, master: LinkRef | None = None, kind: str | None = None) -> list[Link]:
        """Every link, or those enslaved to ``master`` (name or index) and/or of ``kind``,
        filtered by the kernel.  Equivalent to ``ip -d link show [master M] [type KIND]``; sends
        RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP with ``IFLA_EXT_MASK``, ``IFLA_MASTER``,
        ``IFLA_LINKINFO { IFLA_INFO_KIND }`` (see :func:`rawnl.requests.link_dump`)."""
        mref = None if master is None else v.link_ref(master, "master")
        req = rq.link_dump(master=None if mref is None else mref[0] or 1, kind=kind)
        if mref is None and kind is None:
            return [link_from(m) for m in self.sock.dump(req, retries=_DUMP_RETRIES) if m.type == RTM_NEWLINK]  # type: ignore[arg-type]
        master_index = None
        if mref is not None:
            master_index = self._resolve(mref, "master")
            req.attrs["IFLA_MASTER"] = master_index  # type: ignore[index]
        out = []
        for m in self.sock.dump(req, retries=_DUMP_RETRIES):
            if m.type != RTM_NEWLINK:
                continue
            link = link_from(m)  # type: ignore[arg-type]
            # The kernel ignores a kind it has no driver for; filter here as well.
            if (master_index is None or link.master == master_index) and (kind is None or link.kind == kind):
                out.append(link)
        return out

    def addrs(self, link: LinkRef | None = None, family: int | None = None) -> list[Address]:
        """Every address, or those of ``link`` (name or index) and/or ``family`` (AF_INET/4,
        AF_INET6/6), filtered by the kernel.  Equivalent to ``ip [-4|-6] addr show [dev LINK]``;
        sends RTM_GETADDR, NLM_F_REQUEST|NLM_F_DUMP, ifaddrmsg (family, index)."""
        ref = None if link is None else v.link_ref(link, "link")
        req = rq.addr_dump(index=None if ref is None else ref[0] or 1, family=family)
        if ref is not None and ref[1] is not None:
            req.index = self._index_of(ref[1], "link")
        index = req.index
        fam = req.family
        return [
            address_from(m)  # type: ignore[arg-type]
            for m in self.sock.dump(req, retries=_DUMP_RETRIES)
            if m.type == RTM_NEWADDR
            and (not index or m.index == index)  # type: ignore[union-attr]
            and (not fam or m.family == fam)  # type: ignore[union-attr]
        ]

    def routes(
        self, *, table: int | str | None = None, family: int | None = None, oif: LinkRef | None = None
    ) -> list[Route]:
        """Every IPv4 and IPv6 route (all tables unless ``table`` is given; ``family`` 4/6 or
        AF_*; ``oif`` a name or index), filtered by the kernel.  Equivalent to ``ip [-4|-6]
        route show table T|all [dev OIF]``; sends RTM_GETROUTE, NLM_F_REQUEST|NLM_F_DUMP with
        ``RTA_TABLE`` and ``RTA_OIF`` (see :func:`rawnl.requests.route_dump`).  A table that
        does not exist holds no routes (``[]``; ``ip`` reports "FIB table does not exist")."""
        oref = None if oif is None else v.link_ref(oif, "oif")
        req = rq.route_dump(table=table, family=family, oif=None if oref is None else oref[0] or 1)
        oif_index = None
        if oref is not None:
            oif_index = self._resolve(oref, "oif")
            req.attrs["RTA_OIF"] = oif_index  # type: ignore[index]
        tid = req.attrs.get("RTA_TABLE")
        fam = req.family
        out = []
        try:
            for m in self.sock.dump(req, retries=_DUMP_RETRIES):
                if m.type != RTM_NEWROUTE or m.family not in (AF_INET, AF_INET6):  # type: ignore[union-attr]
                    continue
                if fam and m.family != fam:  # type: ignore[union-attr]
                    continue
                route = route_from(m)  # type: ignore[arg-type]
                if (tid is None or route.table == tid) and (oif_index is None or route.oif == oif_index):
                    out.append(route)
        except NetlinkError as exc:
            # For one family, a table that does not exist is refused ("FIB table does not
            # exist"); it holds no routes.
            if not (exc.errno == _ENOENT and tid is not None and fam):
                raise
            return []
        return out

    def route_get(self, address: str | IPAddress) -> Route:
        """The route the kernel would use for ``address``.  Equivalent to ``ip route get
        ADDRESS``; sends RTM_GETROUTE, NLM_F_REQUEST, ``RTA_DST`` (see
        :func:`rawnl.requests.route_get`).  ENETUNREACH when there is none."""
        return route_from(self._reply(rq.route_get(address), RTM_NEWROUTE, _ENETUNREACH))

    # ----------------------------------------------------------------------- batches, events

    def batch(self) -> Batch:
        """A batch: ``with ipr.batch() as b:`` queues the mutating calls (``b.link_add_veth``,
        ``b.link_set``, ``b.addr_add``, ``b.route_add``, ...) and sends them all on leaving the
        block, through :meth:`rawnl.NetlinkSocket.batch` (few ``sendmsg`` calls; only the last
        request of each chunk asks for an ACK, failures are reported anyway).  ``b.results``
        then holds one outcome per call, in order: ``None`` for success or the
        :class:`rawnl.NetlinkError`; a failure does not stop the calls after it.  Nothing is sent
        if the block raises."""
        return Batch(self)

    def monitor(
        self, links: bool = True, addresses: bool = True, routes: bool = True, *, timeout: float | None = None
    ) -> Monitor:
        """Events, like ``ip monitor link address route``: an iterator of :class:`rawnl.Link`,
        :class:`rawnl.Address` and :class:`rawnl.Route` (``deleted`` set for removals), and
        :class:`rawnl.Overrun` when events were lost.  It subscribes at once (on its own socket in
        this handle's namespace, to RTNLGRP_LINK, RTNLGRP_IPV4/IPV6_IFADDR, RTNLGRP_IPV4/IPV6_ROUTE),
        so changes made after this call are seen.  With ``timeout`` the iteration ends after that
        many seconds without an event.  Close it (or use ``with``) when done."""
        groups = []
        if links:
            groups.append(RTNLGRP_LINK)
        if addresses:
            groups += [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]
        if routes:
            groups += [RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE]
        if not groups:
            raise ValueError("monitor needs at least one of links, addresses, routes")
        # Open the monitor's socket in the namespace this handle's socket belongs to (not by
        # opening ``netns`` again: a pid may have exited, a name may now be another namespace),
        # even if the calling thread has moved since: SIOCGSKNS gives an fd on it.
        import fcntl

        try:
            fd = fcntl.ioctl(self.sock.fileno(), _SIOCGSKNS)
        except OSError:
            # Refused without CAP_NET_ADMIN: the namespace the handle was opened in, as given.
            return Monitor(self._netns, groups, timeout)
        from .netns import NetNS

        with NetNS(fd, f"/proc/self/fd/{fd}") as ns:
            return Monitor(ns, groups, timeout)


class Batch(_Ops):
    """Queued mutating calls, sent together; see :meth:`IPRoute.batch`.

    Link names that calls need as indices (``addr_add``'s link, ``route_add``'s oif, a master)
    are resolved when the call is queued, once per name per batch; links the calls change or
    delete by name are found by the kernel when the batch runs.
    """

    def __init__(self, ipr: IPRoute) -> None:
        self._ipr = ipr
        self._queue: list[Message] = []
        self._handles: list[NetNS] = []
        self._names: dict[str, int] = {}
        self._sent = False
        #: One outcome per queued call, in order, once sent: ``None`` or a NetlinkError.
        self.results: list[NetlinkError | None] = []

    def __len__(self) -> int:
        return len(self._queue)

    def _submit(self, msg: Message, close: NetNS | None = None) -> None:
        if self._sent:
            if close is not None:
                close.close()
            raise RuntimeError("this batch has been sent; start a new one with ipr.batch()")
        self._queue.append(msg)
        if close is not None:
            self._handles.append(close)

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
            outcomes = self._ipr.sock.batch(self._queue)
        finally:
            self._close_handles()
        self.results = [r if isinstance(r, NetlinkError) else None for r in outcomes]
        return self.results

    def _close_handles(self) -> None:
        handles, self._handles = self._handles, []
        for handle in handles:
            handle.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._sent = True
            self._close_handles()
            return
        if not self._sent:
            self.send()


class Monitor:
    """An iterator of typed events; see :meth:`IPRoute.monitor`."""

    def __init__(self, netns: Any, groups: list[int], timeout: float | None) -> None:
        self.sock = NetlinkSocket(netns=netns, rcvbuf=4 << 20)
        self.sock.subscribe(*groups)
        self._timeout = timeout

    def __iter__(self) -> Iterator[Link | Address | Route | Overrun]:
        for msg in self.sock.events(self._timeout):
            if isinstance(msg, Overrun):
                yield msg
                continue
            mtype = msg.type
            if mtype in (RTM_NEWLINK, RTM_DELLINK):
                yield link_from(msg)  # type: ignore[arg-type]
            elif mtype in (RTM_NEWADDR, RTM_DELADDR):
                yield address_from(msg)  # type: ignore[arg-type]
            elif mtype in (RTM_NEWROUTE, RTM_DELROUTE):
                yield route_from(msg)  # type: ignore[arg-type]

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
