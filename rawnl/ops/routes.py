"""Routes: request builders, the typed :class:`Route`, and the operations of :class:`rawnl.IPRoute`.

The requests follow ``ip route``'s: an IPv4 route without a gateway gets scope link; a table above
255 travels in ``RTA_TABLE`` with ``rtm_table`` = ``RT_TABLE_UNSPEC``.
"""

from __future__ import annotations

from errno import ENOENT

from rawnl._record import Record, field
from rawnl.errors import InvalidMessageError, NetlinkError
from rawnl.wire.codec import ipaddress_module, single
from rawnl.wire.route import RouteMessage
from rawnl.wire.uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_REQUEST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_MAIN,
    RT_TABLE_UNSPEC,
    RTM_DELROUTE,
    RTM_F_LOOKUP_TABLE,
    RTM_GETROUTE,
    RTM_NEWROUTE,
    RTN_UNICAST,
    RTN_UNSPEC,
    RTNLGRP_IPV4_ROUTE,
    RTNLGRP_IPV6_ROUTE,
    RTPROT_BOOT,
    RTPROT_UNSPEC,
)

from . import validate as v
from .request import ACK, CREATE, DUMP, Events, Operations, Queries, Request, link_index, operation, reading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
    from typing import Any

    from rawnl.wire.codec import AttrKey
    from rawnl.wire.structs import Nexthop

    from .request import LinkName, LinkRef, NetnsRef
    from .validate import IPAddress

__all__ = [
    "EVENTS",
    "Route",
    "RouteOps",
    "RouteQueries",
    "route_add",
    "route_del",
    "route_dump",
    "route_from",
    "route_get",
]

_new = object.__new__


# ---------------------------------------------------------------------------------- builders


def _route(  # noqa: PLR0917 - route_add/route_del pass all eleven by position (cheaper than keywords, per call)
    mtype: int,
    flags: int,
    dst: object,
    gateway: object,
    oif: LinkRef | None,
    table: object,
    scope: object,
    priority: object,
    mtu: object,
    src: object,
    family: object,
) -> Request:
    add = mtype == RTM_NEWROUTE
    fam, dst_addr, dst_len = v.network(dst, "dst")
    if family is not None:
        want = v.family(family)
        if fam is not None and fam != want:
            raise ValueError(f"dst {dst!r} is not of family {family!r}")
        fam = want
    gw = None
    if gateway is not None:
        fam, gw = v.address(gateway, "gateway", fam)
    prefsrc = None
    if src is not None:
        fam, prefsrc = v.address(src, "src", fam)
    if fam is None:
        fam = AF_INET  # 'default' with nothing else to go by: IPv4, as `ip route` assumes
    if table is None:
        tid = RT_TABLE_MAIN
    else:  # v.table's own first test, written out (a table number in range is taken as it is)
        tid = table if table.__class__ is int and 0 < table <= 0xFFFFFFFF else v.table(table)
    attrs: dict[AttrKey, Any] = {}
    if dst_addr is not None:
        attrs["RTA_DST"] = dst_addr
    if gw is not None:
        attrs["RTA_GATEWAY"] = gw
    if tid > 255:
        attrs["RTA_TABLE"] = tid
    if priority is not None:
        attrs["RTA_PRIORITY"] = v.u32(priority, "priority")
    if prefsrc is not None:
        attrs["RTA_PREFSRC"] = prefsrc
    refs: list[LinkName | NetnsRef] | None = None
    if oif is not None:
        refs = []
        attrs["RTA_OIF"] = link_index(oif, "oif", refs)
    if mtu is not None:
        attrs["RTA_METRICS"] = {"RTAX_MTU": v.int_range(mtu, "mtu", 68 if fam == AF_INET else 1280, 0xFFFFFFFF)}
    if scope is not None:
        sc = v.scope(scope)
    elif not add:
        sc = RT_SCOPE_NOWHERE  # matches any scope when deleting
    elif gw is None and fam == AF_INET:
        sc = RT_SCOPE_LINK  # on-link, as `ip route add` does
    else:
        sc = RT_SCOPE_UNIVERSE
    # Every field set without the keyword __init__ (one route a call: it shows);
    # tests/test_validate_fast.py checks the message equals the one the __init__ makes.
    msg: RouteMessage = _new(RouteMessage)
    msg.type = mtype
    msg.flags = flags
    msg.seq = msg.pid = msg.src_len = msg.tos = msg.route_flags = 0
    msg.family = fam
    msg.dst_len = dst_len
    msg.table = tid if tid <= 255 else RT_TABLE_UNSPEC
    msg.protocol = RTPROT_BOOT if add else RTPROT_UNSPEC
    msg.scope = sc
    msg.route_type = RTN_UNICAST if add else RTN_UNSPEC
    msg.attrs = attrs
    if refs:
        return Request(msg, tuple(refs))
    req: Request = _new(Request)  # Request(msg) without the Python-level __init__ call
    req.msg = msg
    req.refs = ()
    return req


def route_add(
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
) -> Request:
    """Add a unicast route to ``dst`` (a prefix, one address or ``'default'``) in ``table``
    (default main); ``oif`` takes a name or an index; without a gateway an IPv4 route gets scope
    link, as with ``ip``; ``family`` (4/6 or AF_*) picks the family of a bare ``'default'``.

    Equivalent to ``ip route add DST [via GW] [table T] [metric P] [src S] [dev OIF] [mtu M]``;
    sends RTM_NEWROUTE, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL, rtmsg (family, dst_len,
    table or RT_TABLE_UNSPEC, RTPROT_BOOT, scope, RTN_UNICAST) then ``RTA_DST``,
    ``RTA_GATEWAY``, ``RTA_TABLE`` (tables above 255), ``RTA_PRIORITY``, ``RTA_PREFSRC``,
    ``RTA_OIF``, ``RTA_METRICS { RTAX_MTU }``.  EEXIST if it exists; ENETUNREACH ("Nexthop has
    invalid gateway") for an unreachable gateway.
    """
    return _route(RTM_NEWROUTE, CREATE, dst, gateway, oif, table, scope, priority, mtu, src, family)


def route_del(
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
) -> Request:
    """Delete the first route matching everything given.  Equivalent to ``ip route del DST [via
    GW] [table T] [metric P] [dev OIF]``; sends RTM_DELROUTE, NLM_F_REQUEST|NLM_F_ACK, rtmsg
    (family, dst_len, table, RTPROT_UNSPEC, RT_SCOPE_NOWHERE unless a scope is given,
    RTN_UNSPEC) and the attributes given, as :func:`route_add`.  ESRCH if none matches."""
    return _route(RTM_DELROUTE, ACK, dst, gateway, oif, table, scope, priority, mtu, src, family)


def route_dump(*, table: int | str | None = None, family: int | None = None, oif: LinkRef | None = None) -> Request:
    """Every IPv4 and IPv6 route (all tables unless ``table`` is given; ``family`` 4/6 or AF_*;
    ``oif`` a name or an index), filtered by the kernel (strict checking).  Equivalent to ``ip
    [-4|-6] route show table T|all [dev OIF]``; sends RTM_GETROUTE, NLM_F_REQUEST|NLM_F_DUMP,
    rtmsg holding only the family, ``RTA_TABLE``, ``RTA_OIF``."""
    refs: list[LinkName | NetnsRef] = []
    attrs: dict[AttrKey, Any] = {}
    if table is not None:
        attrs["RTA_TABLE"] = v.table(table)
    if oif is not None:
        attrs["RTA_OIF"] = link_index(oif, "oif", refs)
    return Request(
        msg=RouteMessage(type=RTM_GETROUTE, flags=DUMP, family=v.family(family), attrs=attrs), refs=tuple(refs)
    )


def route_get(address: str | IPAddress) -> Request:
    """The route the kernel would use to reach ``address``.  Equivalent to ``ip route get
    ADDRESS``; sends RTM_GETROUTE, NLM_F_REQUEST (no ACK, as ``ip``: the reply ends it), rtmsg
    (family, full dst_len, RTM_F_LOOKUP_TABLE for IPv4), ``RTA_DST``.  ENETUNREACH when there is
    none."""
    family, addr = v.address(address, "address")
    msg = RouteMessage(
        type=RTM_GETROUTE,
        flags=NLM_F_REQUEST,
        family=family,
        dst_len=len(addr) * 8,
        route_flags=RTM_F_LOOKUP_TABLE if family == AF_INET else 0,
        attrs={"RTA_DST": addr},
    )
    return Request(msg)


# ---------------------------------------------------------------------------------- results


class Route(Record):
    """A route, from an ``RTM_NEWROUTE`` (or, for events, ``RTM_DELROUTE``).

    Fields: ``family``; ``dst`` (an :mod:`ipaddress` network, or ``'default'`` for a zero-length
    prefix); ``gateway``; ``oif`` (output link index); ``table`` (``RTA_TABLE``, else
    ``rtm_table``: 254 main, 255 local); ``protocol`` (``RTPROT_*``: 2 kernel, 3 boot, 4
    static); ``scope`` (``RT_SCOPE_*``); ``type`` (``RTN_*``: 1 unicast, 2 local, ...);
    ``priority`` (the metric); ``prefsrc``; ``mtu`` (``RTAX_MTU`` from ``RTA_METRICS``);
    ``deleted``.  ``attrs``, ``dst_len``, ``src_len`` and ``route_flags`` are keywords too when
    building one.

    Properties: ``dst_len``, ``src``, ``iif``, ``route_flags``, ``metrics``, ``multipath``,
    ``attrs``.
    """

    family: int
    dst: IPv4Network | IPv6Network | str
    gateway: IPv4Address | IPv6Address | None = None
    oif: int | None = None
    table: int = RT_TABLE_MAIN
    protocol: int = RTPROT_BOOT
    scope: int = RT_SCOPE_UNIVERSE
    type: int = RTN_UNICAST
    priority: int | None = None
    prefsrc: IPv4Address | IPv6Address | None = None
    mtu: int | None = None
    deleted: bool = False
    _attrs: Mapping[AttrKey, Any] = field(default_factory=dict, alias="attrs")
    _dst_len: int | None = field(default=None, alias="dst_len")
    _src_len: int = field(default=0, alias="src_len")
    _route_flags: int = field(default=0, alias="route_flags")

    @property
    def attrs(self) -> Mapping[AttrKey, Any]:
        """Every attribute the kernel sent (``RTA_*`` names)."""
        return self._attrs

    @property
    def dst_len(self) -> int:
        """``rtm_dst_len``: the destination's prefix length (0 for ``'default'``)."""
        if self._dst_len is not None:
            return self._dst_len
        return 0 if isinstance(self.dst, str) else self.dst.prefixlen

    @property
    def route_flags(self) -> int:
        """``rtm_flags`` (``RTNH_F_*``/``RTM_F_*``: ``RTNH_F_LINKDOWN`` is 16)."""
        return self._route_flags

    @property
    def src(self) -> IPv4Network | IPv6Network | None:
        """The source prefix (``RTA_SRC``/``rtm_src_len``) of a source-specific route."""
        value = single(self._attrs, "RTA_SRC")
        if value is None or isinstance(value, bytes):
            return None
        network: IPv4Network | IPv6Network = _network(value, self._src_len, "RTA_SRC", "rtm_src_len")
        return network

    @property
    def iif(self) -> int | None:
        """``RTA_IIF``: the input link (``route_get`` with an input link, multicast routes)."""
        value: int | None = single(self._attrs, "RTA_IIF")
        return value

    @property
    def metrics(self) -> Mapping[AttrKey, Any]:
        """``RTA_METRICS`` (``RTAX_*`` names), empty when none."""
        value: Mapping[AttrKey, Any] | None = single(self._attrs, "RTA_METRICS")
        return value or {}

    @property
    def multipath(self) -> list[Nexthop] | None:
        """``RTA_MULTIPATH``: the next hops of a multipath route."""
        value: list[Nexthop] | None = single(self._attrs, "RTA_MULTIPATH")
        return value


def _network(address: Any, length: int, field: str, length_field: str) -> Any:
    """``ipaddress.ip_network((address, length))`` for a decoded message:
    :class:`rawnl.InvalidMessageError` naming the field when the length is longer than the address
    or host bits are set (the kernel never sends either; a hostile or broken message may)."""
    if length > address.max_prefixlen:
        raise InvalidMessageError(length_field, f"{length} is longer than the {address.max_prefixlen}-bit {field}")
    try:
        return ipaddress_module().ip_network((address, length))
    except ValueError:
        raise InvalidMessageError(field, f"{address}/{length} has host bits set") from None


def route_from(msg: RouteMessage) -> Route:
    """The :class:`Route` for a decoded ``RTM_NEWROUTE``/``RTM_DELROUTE``; what the route cannot
    be (an attribute held twice, a prefix longer than its address, host bits set) raises
    :class:`rawnl.InvalidMessageError` naming the field."""
    a = msg.attrs
    out: Route = _new(Route)
    out._attrs = a
    out._dst_len = dst_len = msg.dst_len
    out._src_len = msg.src_len
    out._route_flags = msg.route_flags
    out.family = msg.family
    dst = single(a, "RTA_DST")
    if dst_len == 0:
        out.dst = "default"
    elif dst is None or isinstance(dst, bytes):
        out.dst = repr(dst)  # not IPv4/IPv6 (an MPLS label, say): kept visible, not parsed
    else:
        out.dst = _network(dst, dst_len, "RTA_DST", "rtm_dst_len")
    out.gateway = single(a, "RTA_GATEWAY")
    out.oif = single(a, "RTA_OIF")
    table = single(a, "RTA_TABLE")
    out.table = msg.table if table is None else table
    out.protocol = msg.protocol
    out.scope = msg.scope
    out.type = msg.route_type
    out.priority = single(a, "RTA_PRIORITY")
    out.prefsrc = single(a, "RTA_PREFSRC")
    metrics = single(a, "RTA_METRICS")
    out.mtu = None if metrics is None else single(metrics, "RTAX_MTU")
    out.deleted = msg.type == RTM_DELROUTE
    return out


# ---------------------------------------------------------------------------------- operations


class RouteOps(Operations):
    """The route operations that change something (of :class:`rawnl.IPRoute` and its batches)."""

    route_add = operation(route_add)
    route_del = operation(route_del)


class RouteQueries(Queries):
    """The route operations that read (of :class:`rawnl.IPRoute`)."""

    @reading
    def routes(
        self, *, table: int | str | None = None, family: int | None = None, oif: LinkRef | None = None
    ) -> list[Route]:
        """Every IPv4 and IPv6 route, or those of ``table``, ``family`` and ``oif``, as
        :class:`Route` objects.  Equivalent to ``ip [-4|-6] route show table T|all [dev OIF]``;
        the request is :func:`route_dump`'s.  A table that does not exist holds no routes
        (``[]``; ``ip`` reports "FIB table does not exist")."""
        req = route_dump(table=table, family=family, oif=oif)
        assert isinstance(req.msg, RouteMessage)
        tid = req.msg.attrs.get("RTA_TABLE")
        fam = req.msg.family
        try:
            msgs = self._dump(req)
        except NetlinkError as exc:
            # For one family, a table that does not exist is refused ("FIB table does not
            # exist"); it holds no routes.
            if not (exc.errno == ENOENT and tid is not None and fam):
                raise
            return []
        oif_ref = req.msg.attrs.get("RTA_OIF")
        oif_index = None if oif_ref is None else oif_ref.__index__()  # a LinkName, resolved by the dump
        out = []
        for m in msgs:
            if type(m) is not RouteMessage or m.type != RTM_NEWROUTE or m.family not in (AF_INET, AF_INET6):
                continue
            if fam and m.family != fam:
                continue
            route = route_from(m)
            if (tid is None or route.table == tid) and (oif_index is None or route.oif == oif_index):
                out.append(route)
        return out

    @reading
    def route_get(self, address: str | IPAddress) -> Route:
        """The route the kernel would use for ``address``, as a :class:`Route`.  Equivalent to
        ``ip route get ADDRESS``; the request is :func:`route_get`'s."""
        return route_from(self._get(route_get(address), RouteMessage))


#: What :meth:`rawnl.IPRoute.monitor` follows of this family (``routes=False`` leaves it out).
EVENTS = Events(
    name="routes", groups=(RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE), message=RouteMessage, convert=route_from
)
