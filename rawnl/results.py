"""Typed results: :class:`Link`, :class:`Address` and :class:`Route`, built from decoded messages.

These are on the hot path (listing 2,000 links), so each is built by one function that reads only
the attributes its fields need; everything else (statistics, bridge-port state, lifetimes, the
raw attributes) is a property decoded on first access.  Equality and ``repr`` cover the fields,
not the properties.
"""

from __future__ import annotations

from ._record import Record
from .codec import ipaddress_module, pick

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
    from typing import Any

    from .codec import AttrKey
    from .messages import AddressMessage, LinkMessage, RouteMessage
    from .structs import Nexthop, Stats64

__all__ = ["Address", "Link", "Route", "address_from", "link_from", "route_from"]

RTM_DELLINK = 17
RTM_DELADDR = 21
RTM_DELROUTE = 25
IFF_UP = 0x1

#: ``IF_OPER_*`` as ``ip`` prints them.
OPERSTATES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")

_new = object.__new__


class Link(Record):
    """A network interface, from an ``RTM_NEWLINK`` (or, for events, ``RTM_DELLINK``).

    Fields: ``index``; ``name``; ``kind`` (``IFLA_INFO_KIND``: ``'veth'``, ``'bridge'``, ... or
    ``None``); ``flags`` (``IFF_*``); ``operstate`` (``'UP'``, ``'DOWN'``, ``'UNKNOWN'``,
    ``'LOWERLAYERDOWN'``, ... as ``ip`` prints it); ``mtu``; ``txqlen``; ``mac`` (``IFLA_ADDRESS``
    as ``'aa:bb:..'`` or ``None``); ``master`` (the master's index or ``None``);
    ``link_netnsid`` (``IFLA_LINK_NETNSID``: the namespace id, as this namespace knows it, of the
    namespace the peer/parent lives in, or ``None``); ``peer`` (``IFLA_LINK``: a veth's peer
    index, counted in ``link_netnsid``'s namespace when that is set; a macvlan's parent); and
    ``deleted`` (``True`` for an ``RTM_DELLINK`` event).

    Properties decoded on demand: ``up``, ``stats``, ``hairpin``, ``brport``, ``attrs``.
    """

    __slots__ = (
        "index",
        "name",
        "kind",
        "flags",
        "operstate",
        "mtu",
        "txqlen",
        "mac",
        "master",
        "link_netnsid",
        "peer",
        "deleted",
        "_attrs",
    )
    index: int
    name: str
    kind: str | None
    flags: int
    operstate: str
    mtu: int | None
    txqlen: int | None
    mac: str | None
    master: int | None
    link_netnsid: int | None
    peer: int | None
    deleted: bool
    _attrs: Mapping[AttrKey, Any]

    def __init__(
        self,
        *,
        index: int,
        name: str,
        kind: str | None = None,
        flags: int = 0,
        operstate: str = "UNKNOWN",
        mtu: int | None = None,
        txqlen: int | None = None,
        mac: str | None = None,
        master: int | None = None,
        link_netnsid: int | None = None,
        peer: int | None = None,
        deleted: bool = False,
        attrs: Mapping[AttrKey, Any] | None = None,
    ) -> None:
        self.index = index
        self.name = name
        self.kind = kind
        self.flags = flags
        self.operstate = operstate
        self.mtu = mtu
        self.txqlen = txqlen
        self.mac = mac
        self.master = master
        self.link_netnsid = link_netnsid
        self.peer = peer
        self.deleted = deleted
        self._attrs = {} if attrs is None else attrs

    @property
    def up(self) -> bool:
        """``IFF_UP``: administratively up (``ip link set up``)."""
        return bool(self.flags & IFF_UP)

    @property
    def parent(self) -> int | None:
        """Another name for ``peer`` (``IFLA_LINK``), reading better for a macvlan or vxlan."""
        return self.peer

    @property
    def attrs(self) -> Mapping[AttrKey, Any]:
        """Every attribute the kernel sent, decoded lazily (``IFLA_*`` names)."""
        return self._attrs

    @property
    def stats(self) -> Stats64 | None:
        """``IFLA_STATS64`` (packet and byte counters) as a named tuple, or ``None``."""
        value = self._attrs.get("IFLA_STATS64")
        if value is None or isinstance(value, bytes):
            value = self._attrs.get("IFLA_STATS")
        return None if value is None or isinstance(value, bytes) else value

    @property
    def brport(self) -> Mapping[AttrKey, Any] | None:
        """The bridge-port attributes (``IFLA_BRPORT_*``) when this link is a bridge port, from
        ``IFLA_LINKINFO { IFLA_INFO_SLAVE_DATA }`` (or an AF_BRIDGE ``IFLA_PROTINFO``), else
        ``None``."""
        info = self._attrs.get("IFLA_LINKINFO")
        if info is not None and info.get("IFLA_INFO_SLAVE_KIND") == "bridge":
            data = info.get("IFLA_INFO_SLAVE_DATA")
            if data is not None and not isinstance(data, bytes):
                return data  # type: ignore[no-any-return]
        prot = self._attrs.get("IFLA_PROTINFO")
        if prot is not None and not isinstance(prot, (bytes, int)) and "IFLA_BRPORT_MODE" in prot:
            return prot  # type: ignore[no-any-return]
        return None

    @property
    def hairpin(self) -> bool | None:
        """Hairpin mode of a bridge port (``IFLA_BRPORT_MODE``), ``None`` if not a bridge port."""
        port = self.brport
        if port is None or "IFLA_BRPORT_MODE" not in port:
            return None
        return bool(port["IFLA_BRPORT_MODE"])

    @property
    def min_mtu(self) -> int | None:
        """``IFLA_MIN_MTU``."""
        return self._attrs.get("IFLA_MIN_MTU")

    @property
    def max_mtu(self) -> int | None:
        """``IFLA_MAX_MTU``."""
        return self._attrs.get("IFLA_MAX_MTU")


_LINK_KEYS = (
    "IFLA_IFNAME",
    ("IFLA_LINKINFO", "IFLA_INFO_KIND"),
    "IFLA_OPERSTATE",
    "IFLA_MTU",
    "IFLA_TXQLEN",
    "IFLA_ADDRESS",
    "IFLA_MASTER",
    "IFLA_LINK_NETNSID",
    "IFLA_LINK",
)


def link_from(msg: LinkMessage) -> Link:
    """The :class:`Link` for a decoded ``RTM_NEWLINK``/``RTM_DELLINK``.  Reads its fields
    through :func:`rawnl.codec.pick` (one reader compiled per message layout)."""
    a = msg.attrs
    name, kind, oper, mtu, txqlen, mac, master, netnsid, peer = pick(a, _LINK_KEYS)
    link: Link = _new(Link)
    link.index = msg.index
    link.flags = msg.link_flags
    link.deleted = msg.type == RTM_DELLINK
    link._attrs = a
    link.name = "" if name is None else name
    link.kind = kind if isinstance(kind, str) else None
    link.operstate = "UNKNOWN" if oper is None else OPERSTATES[oper] if oper < 7 else str(oper)
    link.mtu = mtu
    link.txqlen = txqlen
    link.mac = mac if isinstance(mac, str) else None
    link.master = master or None
    link.link_netnsid = netnsid
    link.peer = peer or None
    return link


class Address(Record):
    """An interface address, from an ``RTM_NEWADDR`` (or, for events, ``RTM_DELADDR``).

    Fields: ``index`` (the link); ``family`` (2 or 10); ``address`` (the address on this host:
    ``IFA_LOCAL``, else ``IFA_ADDRESS``, an :mod:`ipaddress` object); ``prefixlen``; ``peer``
    (``IFA_ADDRESS`` when it differs from the local address: a point-to-point peer, else
    ``None``); ``broadcast``; ``scope`` (``RT_SCOPE_*``: 0 universe, 253 link, 254 host);
    ``flags`` (``IFA_F_*``, all 32 bits); ``label``; ``deleted``.

    Properties: ``with_prefix`` (``'192.0.2.1/24'``), ``valid_lft`` and ``preferred_lft``
    (seconds; 4294967295 is forever), ``attrs``.
    """

    __slots__ = (
        "index",
        "family",
        "address",
        "prefixlen",
        "peer",
        "broadcast",
        "scope",
        "flags",
        "label",
        "deleted",
        "_attrs",
    )
    index: int
    family: int
    address: IPv4Address | IPv6Address | None
    prefixlen: int
    peer: IPv4Address | IPv6Address | None
    broadcast: IPv4Address | None
    scope: int
    flags: int
    label: str | None
    deleted: bool
    _attrs: Mapping[AttrKey, Any]

    @property
    def with_prefix(self) -> str:
        """``'ADDRESS/PREFIXLEN'``, as given to ``addr_add``."""
        return f"{self.address}/{self.prefixlen}"

    @property
    def attrs(self) -> Mapping[AttrKey, Any]:
        """Every attribute the kernel sent (``IFA_*`` names)."""
        return self._attrs

    def _cacheinfo(self, field: int) -> int | None:
        info = self._attrs.get("IFA_CACHEINFO")
        if info is None or isinstance(info, bytes):
            return None
        return int(info[field])

    @property
    def preferred_lft(self) -> int | None:
        """Preferred lifetime in seconds (``IFA_CACHEINFO``; 4294967295 is forever)."""
        return self._cacheinfo(0)

    @property
    def valid_lft(self) -> int | None:
        """Valid lifetime in seconds (``IFA_CACHEINFO``; 4294967295 is forever)."""
        return self._cacheinfo(1)


def address_from(msg: AddressMessage) -> Address:
    """The :class:`Address` for a decoded ``RTM_NEWADDR``/``RTM_DELADDR``."""
    a = msg.attrs
    get = a.get
    out: Address = _new(Address)
    out.index = msg.index
    out.family = msg.family
    out.prefixlen = msg.prefixlen
    out.scope = msg.scope
    out.deleted = msg.type == RTM_DELADDR
    out._attrs = a
    local = get("IFA_LOCAL")
    addr = get("IFA_ADDRESS")
    if local is None:
        out.address = addr
        out.peer = None
    else:
        out.address = local
        out.peer = addr if addr is not None and addr != local else None
    out.broadcast = get("IFA_BROADCAST")
    flags = get("IFA_FLAGS")
    out.flags = msg.addr_flags if flags is None else flags
    out.label = get("IFA_LABEL")
    return out


class Route(Record):
    """A route, from an ``RTM_NEWROUTE`` (or, for events, ``RTM_DELROUTE``).

    Fields: ``family``; ``dst`` (an :mod:`ipaddress` network, or ``'default'`` for a zero-length
    prefix); ``gateway``; ``oif`` (output link index); ``table`` (``RTA_TABLE``, else
    ``rtm_table``: 254 main, 255 local); ``protocol`` (``RTPROT_*``: 2 kernel, 3 boot, 4
    static); ``scope`` (``RT_SCOPE_*``); ``type`` (``RTN_*``: 1 unicast, 2 local, ...);
    ``priority`` (the metric); ``prefsrc``; ``mtu`` (``RTAX_MTU`` from ``RTA_METRICS``);
    ``deleted``.

    Properties: ``dst_len``, ``src``, ``iif``, ``route_flags``, ``metrics``, ``multipath``,
    ``attrs``.
    """

    __slots__ = (
        "family",
        "dst",
        "gateway",
        "oif",
        "table",
        "protocol",
        "scope",
        "type",
        "priority",
        "prefsrc",
        "mtu",
        "deleted",
        "_msg",
    )
    family: int
    dst: IPv4Network | IPv6Network | str
    gateway: IPv4Address | IPv6Address | None
    oif: int | None
    table: int
    protocol: int
    scope: int
    type: int
    priority: int | None
    prefsrc: IPv4Address | IPv6Address | None
    mtu: int | None
    deleted: bool
    _msg: RouteMessage

    @property
    def attrs(self) -> Mapping[AttrKey, Any]:
        """Every attribute the kernel sent (``RTA_*`` names)."""
        return self._msg.attrs

    @property
    def dst_len(self) -> int:
        return self._msg.dst_len

    @property
    def route_flags(self) -> int:
        """``rtm_flags`` (``RTNH_F_*``/``RTM_F_*``: ``RTNH_F_LINKDOWN`` is 16)."""
        return self._msg.route_flags

    @property
    def src(self) -> IPv4Network | IPv6Network | None:
        """The source prefix (``RTA_SRC``/``rtm_src_len``) of a source-specific route."""
        value = self._msg.attrs.get("RTA_SRC")
        if value is None:
            return None
        return ipaddress_module().ip_network((value, self._msg.src_len))  # type: ignore[no-any-return]

    @property
    def iif(self) -> int | None:
        """``RTA_IIF``: the input link (``route_get`` with an input link, multicast routes)."""
        return self._msg.attrs.get("RTA_IIF")

    @property
    def metrics(self) -> Mapping[AttrKey, Any]:
        """``RTA_METRICS`` (``RTAX_*`` names), empty when none."""
        return self._msg.attrs.get("RTA_METRICS") or {}

    @property
    def multipath(self) -> list[Nexthop] | None:
        """``RTA_MULTIPATH``: the next hops of a multipath route."""
        return self._msg.attrs.get("RTA_MULTIPATH")


def route_from(msg: RouteMessage) -> Route:
    """The :class:`Route` for a decoded ``RTM_NEWROUTE``/``RTM_DELROUTE``."""
    a = msg.attrs
    get = a.get
    out: Route = _new(Route)
    out._msg = msg
    out.family = msg.family
    dst_len = msg.dst_len
    dst = get("RTA_DST")
    if dst_len == 0:
        out.dst = "default"
    elif dst is None or isinstance(dst, bytes):
        out.dst = repr(dst)  # not IPv4/IPv6 (an MPLS label, say): kept visible, not parsed
    else:
        out.dst = ipaddress_module().ip_network((dst, dst_len))
    out.gateway = get("RTA_GATEWAY")
    out.oif = get("RTA_OIF")
    table = get("RTA_TABLE")
    out.table = msg.table if table is None else table
    out.protocol = msg.protocol
    out.scope = msg.scope
    out.type = msg.route_type
    out.priority = get("RTA_PRIORITY")
    out.prefsrc = get("RTA_PREFSRC")
    metrics = get("RTA_METRICS")
    out.mtu = None if metrics is None else metrics.get("RTAX_MTU")
    out.deleted = msg.type == RTM_DELROUTE
    return out
