"""Addresses: request builders, the typed :class:`Address`, and the operations of
:class:`rawnl.IPRoute`.

Requests carry both ``IFA_LOCAL`` and ``IFA_ADDRESS``, as ``ip`` sends them (equal unless there is
a peer); addresses are packed ``bytes`` in requests (parsed with ``inet_pton``), :mod:`ipaddress`
objects in decoded replies.
"""

from __future__ import annotations

from rawnl._record import Record, field
from rawnl.wire.address import AddressMessage
from rawnl.wire.codec import single
from rawnl.wire.uapi import AF_INET, RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR

from . import validate as v
from .request import ACK, CREATE, DUMP, Events, Operations, Queries, Request, link_index, operation, reading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from ipaddress import IPv4Address, IPv6Address
    from typing import Any

    from rawnl.wire.codec import AttrKey

    from .request import LinkName, LinkRef, NetnsRef
    from .validate import IPAddress

__all__ = [
    "EVENTS",
    "Address",
    "AddressOps",
    "AddressQueries",
    "addr_add",
    "addr_del",
    "addr_dump",
    "address_from",
    "local_and_peer",
]

_new = object.__new__


# ---------------------------------------------------------------------------------- builders


def _plain_addr(mtype: int, flags: int, link: LinkRef, address_with_prefix: object) -> Request:
    """:func:`_addr` with no peer, broadcast, scope or flags: the common request, with fewer
    steps (``tests/test_validate_fast.py``: the same message), its fields set without the
    keyword ``__init__``."""
    refs: list[LinkName | NetnsRef] = []
    index = link_index(link, "link", refs)
    family, local, prefixlen = v.prefix(address_with_prefix, "address")
    msg: AddressMessage = _new(AddressMessage)
    msg.type = mtype
    msg.flags = flags
    msg.seq = msg.pid = msg.addr_flags = msg.scope = 0
    msg.family = family
    msg.prefixlen = prefixlen
    msg.index = index
    msg.attrs = {"IFA_LOCAL": local, "IFA_ADDRESS": local}
    req: Request = _new(Request)  # Request(msg, refs) without the Python-level __init__ call
    req.msg = msg
    req.refs = tuple(refs) if refs else ()
    return req


def _addr(
    mtype: int,
    flags: int,
    link: LinkRef,
    address_with_prefix: object,
    *,
    peer: object,
    broadcast: object,
    scope: object,
    addr_flags: object,
) -> Request:
    refs: list[LinkName | NetnsRef] = []
    index = link_index(link, "link", refs)
    family, local, prefixlen = v.prefix(address_with_prefix, "address")
    attrs: dict[AttrKey, Any] = {"IFA_LOCAL": local}
    if peer is not None:
        attrs["IFA_ADDRESS"] = v.address(peer, "peer", family)[1]
    if broadcast is not None:
        if family != AF_INET:
            raise ValueError("broadcast applies to IPv4 addresses only")
        attrs["IFA_BROADCAST"] = v.address(broadcast, "broadcast", family)[1]
    fl = v.u32(addr_flags, "flags")
    if fl > 0xFF:
        attrs["IFA_FLAGS"] = fl
    if peer is None:
        attrs["IFA_ADDRESS"] = local
    sc = 0 if scope is None else v.scope(scope)
    msg = AddressMessage(
        type=mtype,
        flags=flags,
        family=family,
        prefixlen=prefixlen,
        addr_flags=fl if fl <= 0xFF else 0,
        scope=sc,
        index=index,
        attrs=attrs,
    )
    return Request(msg, tuple(refs)) if refs else Request(msg)


def addr_add(
    link: LinkRef,
    address_with_prefix: str,
    *,
    peer: str | IPAddress | None = None,
    broadcast: str | IPAddress | None = None,
    scope: int | str | None = None,
    flags: int = 0,
) -> Request:
    """Add ``'192.0.2.1/24'`` (or IPv6; without ``/LEN`` the full length) to ``link`` (a name or
    an index); ``flags`` are ``IFA_F_*`` (``IFA_F_NODAD`` = 0x02 skips IPv6 duplicate address
    detection).  Equivalent to ``ip addr add ADDRESS/LEN [peer P] [broadcast B] [scope S] [nodad
    ...] dev LINK``; sends RTM_NEWADDR, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL, ifaddrmsg
    (family, prefix length, the flags when they fit in 8 bits, scope, index), then ``IFA_LOCAL``,
    ``IFA_ADDRESS`` (the peer, else the address itself), ``IFA_BROADCAST``, ``IFA_FLAGS`` (flags
    above 8 bits).  EEXIST if the address is already there."""
    if peer is None and broadcast is None and scope is None and flags == 0 and type(flags) is int:
        return _plain_addr(RTM_NEWADDR, CREATE, link, address_with_prefix)
    return _addr(
        RTM_NEWADDR, CREATE, link, address_with_prefix, peer=peer, broadcast=broadcast, scope=scope, addr_flags=flags
    )


def addr_del(link: LinkRef, address_with_prefix: str, *, peer: str | IPAddress | None = None) -> Request:
    """Remove an address from ``link`` (a name or an index).  Equivalent to ``ip addr del
    ADDRESS/LEN dev LINK``; sends RTM_DELADDR, NLM_F_REQUEST|NLM_F_ACK, ifaddrmsg (family, prefix
    length, index), ``IFA_LOCAL``, ``IFA_ADDRESS``.  EADDRNOTAVAIL if it is not there."""
    if peer is None:
        return _plain_addr(RTM_DELADDR, ACK, link, address_with_prefix)
    return _addr(RTM_DELADDR, ACK, link, address_with_prefix, peer=peer, broadcast=None, scope=None, addr_flags=0)


def addr_dump(*, link: LinkRef | None = None, family: int | None = None) -> Request:
    """Every address, or those of ``link`` (a name or an index) and/or ``family`` (AF_INET/4,
    AF_INET6/6), filtered by the kernel (strict checking).  Equivalent to ``ip [-4|-6] addr show
    [dev LINK]``; sends RTM_GETADDR, NLM_F_REQUEST|NLM_F_DUMP, an ifaddrmsg holding only the
    family and the index."""
    refs: list[LinkName | NetnsRef] = []
    fam = v.family(family)
    index = 0 if link is None else link_index(link, "link", refs)
    return Request(msg=AddressMessage(type=RTM_GETADDR, flags=DUMP, family=fam, index=index), refs=tuple(refs))


# ---------------------------------------------------------------------------------- results


def local_and_peer(attrs: Mapping[AttrKey, Any]) -> tuple[Any, Any]:
    """``(the address on this host, its point-to-point peer or None)`` of an address message's
    attributes, by iproute2's rule: the local one is ``IFA_LOCAL``, else ``IFA_ADDRESS``;
    ``IFA_ADDRESS`` is a peer only when both are present and differ."""
    local = single(attrs, "IFA_LOCAL")
    address = single(attrs, "IFA_ADDRESS")
    if local is None:
        return address, None
    return local, address if address is not None and address != local else None


class Address(Record):
    """An interface address, from an ``RTM_NEWADDR`` (or, for events, ``RTM_DELADDR``).

    Fields: ``index`` (the link); ``family`` (2 or 10); ``address`` (the address on this host:
    ``IFA_LOCAL``, else ``IFA_ADDRESS``, an :mod:`ipaddress` object); ``prefixlen``; ``peer``
    (``IFA_ADDRESS`` when it differs from the local address: a point-to-point peer, else
    ``None``); ``broadcast``; ``scope`` (``RT_SCOPE_*``: 0 universe, 253 link, 254 host);
    ``flags`` (``IFA_F_*``, all 32 bits); ``label``; ``deleted``.  ``attrs`` (a keyword when
    building one) holds every attribute the kernel sent.

    Properties: ``with_prefix`` (``'192.0.2.1/24'``), ``valid_lft`` and ``preferred_lft``
    (seconds; 4294967295 is forever), ``attrs``.
    """

    index: int
    family: int
    address: IPv4Address | IPv6Address | None
    prefixlen: int
    peer: IPv4Address | IPv6Address | None = None
    broadcast: IPv4Address | None = None
    scope: int = 0
    flags: int = 0
    label: str | None = None
    deleted: bool = False
    _attrs: Mapping[AttrKey, Any] = field(default_factory=dict, alias="attrs")

    @property
    def with_prefix(self) -> str:
        """``'ADDRESS/PREFIXLEN'``, as given to ``addr_add``."""
        return f"{self.address}/{self.prefixlen}"

    @property
    def attrs(self) -> Mapping[AttrKey, Any]:
        """Every attribute the kernel sent (``IFA_*`` names)."""
        return self._attrs

    def _cacheinfo(self, position: int) -> int | None:
        info = single(self._attrs, "IFA_CACHEINFO")
        if info is None or isinstance(info, bytes) or info[position] is None:
            return None
        return int(info[position])

    @property
    def preferred_lft(self) -> int | None:
        """Preferred lifetime in seconds (``IFA_CACHEINFO``; 4294967295 is forever)."""
        return self._cacheinfo(0)

    @property
    def valid_lft(self) -> int | None:
        """Valid lifetime in seconds (``IFA_CACHEINFO``; 4294967295 is forever)."""
        return self._cacheinfo(1)


def address_from(msg: AddressMessage) -> Address:
    """The :class:`Address` for a decoded ``RTM_NEWADDR``/``RTM_DELADDR``; an attribute the
    message holds twice raises :class:`rawnl.InvalidMessageError`."""
    a = msg.attrs
    out: Address = _new(Address)
    out.index = msg.index
    out.family = msg.family
    out.prefixlen = msg.prefixlen
    out.scope = msg.scope
    out.deleted = msg.type == RTM_DELADDR
    out._attrs = a
    out.address, out.peer = local_and_peer(a)
    out.broadcast = single(a, "IFA_BROADCAST")
    flags = single(a, "IFA_FLAGS")
    out.flags = msg.addr_flags if flags is None else flags
    out.label = single(a, "IFA_LABEL")
    return out


# ---------------------------------------------------------------------------------- operations


class AddressOps(Operations):
    """The address operations that change something (of :class:`rawnl.IPRoute` and its batches)."""

    addr_add = operation(addr_add)
    addr_del = operation(addr_del)


class AddressQueries(Queries):
    """The address operations that read (of :class:`rawnl.IPRoute`)."""

    @reading
    def addrs(self, link: LinkRef | None = None, family: int | None = None) -> list[Address]:
        """Every address, or those of ``link`` (name or index) and/or ``family`` (AF_INET/4,
        AF_INET6/6), as :class:`Address` objects.  Equivalent to ``ip [-4|-6] addr show [dev
        LINK]``; the request is :func:`addr_dump`'s."""
        req = addr_dump(link=link, family=family)
        msgs = self._dump(req)
        assert isinstance(req.msg, AddressMessage)
        index = req.msg.index.__index__()  # a LinkName's index, once resolved by the dump
        fam = req.msg.family
        return [
            address_from(m)
            for m in msgs
            if type(m) is AddressMessage
            and m.type == RTM_NEWADDR
            and (not index or m.index == index)
            and (not fam or m.family == fam)
        ]


#: What :meth:`rawnl.IPRoute.monitor` follows of this family (``addresses=False`` leaves it out).
EVENTS = Events(
    name="addresses", groups=(RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), message=AddressMessage, convert=address_from
)
