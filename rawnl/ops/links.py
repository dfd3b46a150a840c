"""Links: request builders, the typed :class:`Link`, and the operations of :class:`rawnl.IPRoute`.

Builders are pure: each validates its arguments (``ValueError`` naming the argument) and returns
a :class:`rawnl.ops.request.Request` whose message is what :class:`rawnl.IPRoute` sends, byte
for byte what ``ip`` sends (``tests/test_requests.py`` compares them with captures of ``ip``):
``IFLA_IFNAME`` after the other link attributes and before ``IFLA_LINKINFO``.  The link kinds'
own builders (veth, bridge, macvlan, vxlan) are in :mod:`rawnl.ops.link_kinds`.
"""

from __future__ import annotations

from _collections_abc import Mapping

from rawnl._record import Record, field
from rawnl.wire.codec import encode_attrs, pick, single
from rawnl.wire.link import LINKINFO, LinkMessage
from rawnl.wire.uapi import (
    AF_BRIDGE,
    AF_PACKET,
    IF_OPER_DORMANT,
    IF_OPER_DOWN,
    IF_OPER_LOWERLAYERDOWN,
    IF_OPER_NOTPRESENT,
    IF_OPER_TESTING,
    IF_OPER_UNKNOWN,
    IF_OPER_UP,
    IFF_UP,
    NLM_F_REQUEST,
    RTEXT_FILTER_SKIP_STATS,
    RTEXT_FILTER_VF,
    RTM_DELLINK,
    RTM_GETLINK,
    RTM_NEWLINK,
    RTM_SETLINK,
    RTNLGRP_LINK,
)

from . import validate as v
from .request import (
    ACK,
    CREATE,
    DUMP,
    Events,
    Operations,
    Queries,
    Request,
    link_index,
    link_ref,
    netns_fd,
    operation,
    reading,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from rawnl.wire.codec import AttrKey
    from rawnl.wire.structs import Stats64

    from .request import LinkName, LinkRef, NetnsRef, NetnsRef_

__all__ = [
    "EVENTS",
    "OPERSTATES",
    "Link",
    "LinkOps",
    "LinkQueries",
    "link_add",
    "link_del",
    "link_dump",
    "link_from",
    "link_get",
    "link_set",
    "link_set_hairpin",
]

#: ``IF_OPER_*`` as ``ip`` prints them.
OPERSTATES = {
    IF_OPER_UNKNOWN: "UNKNOWN",
    IF_OPER_NOTPRESENT: "NOTPRESENT",
    IF_OPER_DOWN: "DOWN",
    IF_OPER_LOWERLAYERDOWN: "LOWERLAYERDOWN",
    IF_OPER_TESTING: "TESTING",
    IF_OPER_DORMANT: "DORMANT",
    IF_OPER_UP: "UP",
}
_MAX_QUEUES = 4096  # the kernel's limit for IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES
_new = object.__new__


# ---------------------------------------------------------------------------------- builders


def device_attrs(
    attrs: dict[AttrKey, Any],
    *,
    mac: str | None,
    mtu: int | None,
    txqlen: int | None,
    num_queues: int | None,
    mac_arg: str = "mac",
) -> None:
    """The per-device attributes of a new link, in ``ip link add``'s order (a veth's ``mtu``,
    ``txqlen`` and ``num_queues`` apply to both ends, so only the MAC's argument differs)."""
    if mac is not None:
        attrs["IFLA_ADDRESS"] = v.mac(mac, mac_arg)
    if mtu is not None:
        attrs["IFLA_MTU"] = v.mtu(mtu)
    if txqlen is not None:
        attrs["IFLA_TXQLEN"] = v.u32(txqlen, "txqlen")
    if num_queues is not None:
        n = v.int_range(num_queues, "num_queues", 1, _MAX_QUEUES)
        attrs["IFLA_NUM_TX_QUEUES"] = n
        attrs["IFLA_NUM_RX_QUEUES"] = n


def new_link(
    name: str,
    kind: str,
    data: dict[AttrKey, Any] | None,
    *,
    link: LinkRef | None = None,
    mac: str | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    num_queues: int | None = None,
    master: LinkRef | None = None,
    netns: NetnsRef_ | None = None,
) -> Request:
    """:func:`link_add` for a ``kind`` already checked and ``data`` already valid (the kinds'
    builders validate each value they put in it)."""
    refs: list[LinkName | NetnsRef] = []
    name = v.ifname(name, "name")
    attrs: dict[AttrKey, Any] = {}
    if link is not None:
        attrs["IFLA_LINK"] = link_index(link, "link", refs)
    device_attrs(attrs, mac=mac, mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    if master is not None:
        attrs["IFLA_MASTER"] = link_index(master, "master", refs)
    if netns is not None:
        attrs["IFLA_NET_NS_FD"] = netns_fd(netns, "netns", refs)
    attrs["IFLA_IFNAME"] = name
    info: dict[AttrKey, Any] = {"IFLA_INFO_KIND": kind}
    if data:
        info["IFLA_INFO_DATA"] = data
    attrs["IFLA_LINKINFO"] = info
    return Request(msg=LinkMessage(type=RTM_NEWLINK, flags=CREATE, attrs=attrs), refs=tuple(refs))


def link_add(
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
    netns: NetnsRef_ | None = None,
) -> Request:
    """Create a link of any ``kind`` with ``IFLA_INFO_DATA`` = ``data`` (a mapping of the kind's
    attributes, checked by encoding: an unknown name or a wrong value raises ``ValueError``
    naming ``data``).  ``link`` and ``master`` take a name or an index; ``netns`` (a
    :class:`rawnl.NetNS`, a name, a path or a pid) creates the link straight inside it.

    Equivalent to ``ip link add [link LINK] NAME [address MAC] [mtu N] [txqueuelen N]
    [numtxqueues Q numrxqueues Q] [master M] [netns NS] type KIND ...``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL, a zeroed ifinfomsg, the device attributes
    (``IFLA_LINK``, ``IFLA_ADDRESS``, ``IFLA_MTU``, ``IFLA_TXQLEN``, ``IFLA_NUM_TX/RX_QUEUES``,
    ``IFLA_MASTER``, ``IFLA_NET_NS_FD``), ``IFLA_IFNAME``, then ``IFLA_LINKINFO { IFLA_INFO_KIND,
    IFLA_INFO_DATA data }``.  EEXIST if the name is taken.
    """
    req = new_link(
        name, v.kind(kind), data, link=link, mac=mac, mtu=mtu, txqlen=txqlen, num_queues=num_queues,
        master=master, netns=netns,
    )  # fmt: skip
    if data:
        try:  # an unknown attribute name or a value of the wrong type: refuse it now
            encode_attrs(LINKINFO, {"IFLA_INFO_KIND": kind, "IFLA_INFO_DATA": data})
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"data: {exc}") from None
    return req


def link_get(link: LinkRef, *, stats: bool = True) -> Request:
    """One link, by index or by name, as a :class:`Link`.  Equivalent to ``ip -d link show dev
    LINK``; sends RTM_GETLINK, NLM_F_REQUEST, an ifinfomsg of family AF_PACKET with the index
    (or 0 and ``IFLA_IFNAME``: the kernel looks the name up, no dump), then ``IFLA_EXT_MASK`` =
    RTEXT_FILTER_VF, or with ``stats=False`` RTEXT_FILTER_SKIP_STATS (a reply without counters,
    for looking up an index).  Sent without NLM_F_ACK, as ``ip`` does: the reply ends it.  The
    kernel answers ENODEV when there is no such link."""
    index, name = link_ref(link, "name_or_index")
    attrs: dict[AttrKey, Any] = {}
    if name is not None:
        attrs["IFLA_IFNAME"] = name
    attrs["IFLA_EXT_MASK"] = RTEXT_FILTER_VF if stats is True or v.boolean(stats, "stats") else RTEXT_FILTER_SKIP_STATS
    # Fields set without the keyword __init__ (tests/test_validate_fast.py: the same message).
    msg: LinkMessage = _new(LinkMessage)
    msg.type = RTM_GETLINK
    msg.flags = NLM_F_REQUEST
    msg.seq = msg.pid = msg.link_type = msg.link_flags = msg.change = 0
    msg.family = AF_PACKET
    msg.index = index
    msg.attrs = attrs
    return Request(msg)


def link_dump(*, master: LinkRef | None = None, kind: str | None = None) -> Request:
    """Every link, or those enslaved to ``master`` (a name or an index) and/or of ``kind``,
    filtered by the kernel (strict checking).  Equivalent to ``ip -d link show [master M] [type
    KIND]``; sends RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, family AF_PACKET, ``IFLA_EXT_MASK`` =
    RTEXT_FILTER_VF, ``IFLA_MASTER``, ``IFLA_LINKINFO { IFLA_INFO_KIND }``."""
    refs: list[LinkName | NetnsRef] = []
    attrs: dict[AttrKey, Any] = {"IFLA_EXT_MASK": RTEXT_FILTER_VF}
    if master is not None:
        attrs["IFLA_MASTER"] = link_index(master, "master", refs)
    if kind is not None:
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": v.kind(kind)}
    return Request(msg=LinkMessage(type=RTM_GETLINK, flags=DUMP, family=AF_PACKET, attrs=attrs), refs=tuple(refs))


def link_set(
    name_or_index: LinkRef,
    *,
    up: bool | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    name: str | None = None,
    mac: str | None = None,
    master: LinkRef | None = None,
    nomaster: bool = False,
    netns: NetnsRef_ | None = None,
    alias: str | None = None,
) -> Request:
    """Change a link: every given change in one request.  ``netns`` (a :class:`rawnl.NetNS`, a
    name, a path or a pid) moves it to another namespace, and with ``name`` it is renamed on
    the way.

    Equivalent to ``ip link set dev LINK [up|down] [mtu N] [txqueuelen N] [address MAC]
    [alias TEXT] [master M | nomaster] [netns NS] [name NEW]``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK, an ifinfomsg with the index (``ifi_flags``/``ifi_change`` = IFF_UP
    for up/down), then ``IFLA_MTU``, ``IFLA_TXQLEN``, ``IFLA_ADDRESS``, ``IFLA_IFALIAS``,
    ``IFLA_MASTER`` (0 for nomaster), ``IFLA_NET_NS_FD`` and ``IFLA_IFNAME``.  A link given by
    name is found by the kernel through ``IFLA_IFNAME`` (index 0), except when it is renamed:
    ``IFLA_IFNAME`` then carries the new name, and the link is sent by index (looked up first).
    """
    refs: list[LinkName | NetnsRef] = []
    index, ref_name = link_ref(name_or_index, "name_or_index")
    if name is not None:
        name = v.ifname(name, "name")
    if master is not None and nomaster:
        raise ValueError(f"nomaster={nomaster!r} and master={master!r} exclude each other: give one")
    v.boolean(nomaster, "nomaster")
    flags = change = 0
    if up is not None:
        change = IFF_UP
        flags = IFF_UP if v.boolean(up, "up") else 0
    attrs: dict[AttrKey, Any] = {}
    if mtu is not None:
        attrs["IFLA_MTU"] = v.mtu(mtu)
    if txqlen is not None:
        attrs["IFLA_TXQLEN"] = v.u32(txqlen, "txqlen")
    if mac is not None:
        attrs["IFLA_ADDRESS"] = v.mac(mac)
    if alias is not None:
        attrs["IFLA_IFALIAS"] = v.alias(alias)
    if master is not None:
        attrs["IFLA_MASTER"] = link_index(master, "master", refs)
    elif nomaster:
        attrs["IFLA_MASTER"] = 0
    if netns is not None:
        attrs["IFLA_NET_NS_FD"] = netns_fd(netns, "netns", refs)
    if ref_name is not None and name is not None and name != ref_name:
        index = link_index(ref_name, "name_or_index", refs)  # a rename: the link goes by index
    elif ref_name is not None:
        name = ref_name
    if name is not None:
        attrs["IFLA_IFNAME"] = name
    # Fields set without the keyword __init__ (tests/test_validate_fast.py: the same message).
    msg: LinkMessage = _new(LinkMessage)
    msg.type = RTM_NEWLINK
    msg.flags = ACK
    msg.seq = msg.pid = msg.family = msg.link_type = 0
    msg.index = index
    msg.link_flags = flags
    msg.change = change
    msg.attrs = attrs
    return Request(msg, tuple(refs)) if refs else Request(msg)


def link_set_hairpin(port: LinkRef, on: bool = True) -> Request:
    """Turn hairpin mode of bridge port ``port`` (a name or an index; it must be enslaved) on or
    off; :attr:`Link.hairpin` shows it.  Equivalent to ``bridge link set dev PORT hairpin
    on|off``; sends RTM_SETLINK, NLM_F_REQUEST|NLM_F_ACK, an ifinfomsg of family AF_BRIDGE with
    the port's index, then ``IFLA_PROTINFO|NLA_F_NESTED { IFLA_BRPORT_MODE u8 }`` (without
    NLA_F_NESTED the kernel reads the payload as the old one-byte port state: see docs/wire.md)."""
    refs: list[LinkName | NetnsRef] = []
    index = link_index(port, "port", refs)
    mode = 1 if v.boolean(on, "on") else 0
    msg = LinkMessage(
        type=RTM_SETLINK, flags=ACK, family=AF_BRIDGE, index=index, attrs={"IFLA_PROTINFO": {"IFLA_BRPORT_MODE": mode}}
    )
    return Request(msg, tuple(refs))


def link_del(name_or_index: LinkRef) -> Request:
    """Delete a link (a veth takes its peer along).  Equivalent to ``ip link del dev LINK``;
    sends RTM_DELLINK, NLM_F_REQUEST|NLM_F_ACK, an ifinfomsg with the index (or 0 and
    ``IFLA_IFNAME``).  ENODEV if it does not exist."""
    index, name = link_ref(name_or_index, "name_or_index")
    attrs: dict[AttrKey, Any] = {"IFLA_IFNAME": name} if name is not None else {}
    return Request(msg=LinkMessage(type=RTM_DELLINK, flags=ACK, index=index, attrs=attrs))


# ---------------------------------------------------------------------------------- results


class Link(Record):
    """A network interface, from an ``RTM_NEWLINK`` (or, for events, ``RTM_DELLINK``).

    Fields: ``index``; ``name``; ``kind`` (``IFLA_INFO_KIND``: ``'veth'``, ``'bridge'``, ... or
    ``None``); ``flags`` (``IFF_*``); ``operstate`` (``'UP'``, ``'DOWN'``, ``'UNKNOWN'``,
    ``'LOWERLAYERDOWN'``, ... as ``ip`` prints it); ``mtu``; ``txqlen``; ``mac`` (``IFLA_ADDRESS``
    as ``'aa:bb:..'`` or ``None``); ``master`` (the master's index or ``None``);
    ``link_netnsid`` (``IFLA_LINK_NETNSID``: the namespace id, as this namespace knows it, of the
    namespace the peer/parent lives in, or ``None``); ``peer`` (``IFLA_LINK``: a veth's peer
    index, counted in ``link_netnsid``'s namespace when that is set; a macvlan's parent); and
    ``deleted`` (``True`` for an ``RTM_DELLINK`` event).  ``attrs`` (a keyword when building
    one) holds every attribute the kernel sent.

    Properties decoded on demand: ``up``, ``stats``, ``hairpin``, ``brport``, ``alias``,
    ``min_mtu``, ``max_mtu``, ``attrs``.  A property that meets an attribute where the kernel
    sends one but the message holds several raises :class:`rawnl.InvalidMessageError`.
    """

    index: int
    name: str
    kind: str | None = None
    flags: int = 0
    operstate: str = "UNKNOWN"
    mtu: int | None = None
    txqlen: int | None = None
    mac: str | None = None
    master: int | None = None
    link_netnsid: int | None = None
    peer: int | None = None
    deleted: bool = False
    _attrs: Mapping[AttrKey, Any] = field(default_factory=dict, alias="attrs")

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
        value = single(self._attrs, "IFLA_STATS64")
        if value is None or isinstance(value, bytes):
            value = single(self._attrs, "IFLA_STATS")
        return None if value is None or isinstance(value, bytes) else value

    @property
    def brport(self) -> Mapping[AttrKey, Any] | None:
        """The bridge-port attributes (``IFLA_BRPORT_*``) when this link is a bridge port, from
        ``IFLA_LINKINFO { IFLA_INFO_SLAVE_DATA }`` (or an AF_BRIDGE ``IFLA_PROTINFO``), else
        ``None``."""
        port: Mapping[AttrKey, Any] | None = None
        info = single(self._attrs, "IFLA_LINKINFO")
        if isinstance(info, Mapping) and single(info, "IFLA_INFO_SLAVE_KIND") == "bridge":
            data = single(info, "IFLA_INFO_SLAVE_DATA")
            port = data if isinstance(data, Mapping) else None
        if port is None:
            prot = single(self._attrs, "IFLA_PROTINFO")
            if prot is not None and not isinstance(prot, (bytes, int)) and "IFLA_BRPORT_MODE" in prot:
                port = prot
        return port

    @property
    def hairpin(self) -> bool | None:
        """Hairpin mode of a bridge port (``IFLA_BRPORT_MODE``), ``None`` if not a bridge port."""
        port = self.brport
        if port is None or "IFLA_BRPORT_MODE" not in port:
            return None
        return bool(single(port, "IFLA_BRPORT_MODE"))

    @property
    def alias(self) -> str | None:
        """``IFLA_IFALIAS`` (``ip link set DEV alias TEXT``; rawnl marks what it creates with it)."""
        value = single(self._attrs, "IFLA_IFALIAS")
        return value if isinstance(value, str) else None

    @property
    def min_mtu(self) -> int | None:
        """``IFLA_MIN_MTU``."""
        value: int | None = single(self._attrs, "IFLA_MIN_MTU")
        return value

    @property
    def max_mtu(self) -> int | None:
        """``IFLA_MAX_MTU``."""
        value: int | None = single(self._attrs, "IFLA_MAX_MTU")
        return value


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
    through :func:`rawnl.wire.codec.pick` (one reader compiled per message layout); an attribute
    the message holds twice raises :class:`rawnl.InvalidMessageError`."""
    a = msg.attrs
    name, kind, oper, mtu, txqlen, mac, master, netnsid, peer = pick(a, _LINK_KEYS)
    link: Link = _new(Link)
    link.index = msg.index
    link.flags = msg.link_flags
    link.deleted = msg.type == RTM_DELLINK
    link._attrs = a
    link.name = "" if name is None else name
    link.kind = kind if isinstance(kind, str) else None
    link.operstate = "UNKNOWN" if oper is None else OPERSTATES.get(oper) or str(oper)
    link.mtu = mtu
    link.txqlen = txqlen
    link.mac = mac if isinstance(mac, str) else None
    link.master = master or None
    link.link_netnsid = netnsid
    link.peer = peer or None
    return link


# ---------------------------------------------------------------------------------- operations


class LinkOps(Operations):
    """The link operations that change something (of :class:`rawnl.IPRoute` and its batches)."""

    link_add = operation(link_add)
    link_set = operation(link_set)
    link_set_hairpin = operation(link_set_hairpin)
    link_del = operation(link_del)


class LinkQueries(Queries):
    """The link operations that read (of :class:`rawnl.IPRoute`)."""

    @reading
    def link_get(self, name_or_index: LinkRef) -> Link:
        """One link, by name or index, as a :class:`Link`.  Equivalent to ``ip -d link show dev
        LINK``; the request is :func:`link_get`'s.  ENODEV when there is no such link."""
        return link_from(self._get(link_get(name_or_index), LinkMessage))

    @reading
    def links(self, *, master: LinkRef | None = None, kind: str | None = None) -> list[Link]:
        """Every link, or those enslaved to ``master`` (name or index) and/or of ``kind``, as
        :class:`Link` objects.  Equivalent to ``ip -d link show [master M] [type KIND]``; the
        request is :func:`link_dump`'s."""
        req = link_dump(master=master, kind=kind)
        msgs = self._dump(req)
        assert isinstance(req.msg, LinkMessage)
        master_index = req.msg.attrs.get("IFLA_MASTER")  # a LinkName, resolved by the dump
        if master_index is None and kind is None:
            return [link_from(m) for m in msgs if type(m) is LinkMessage and m.type == RTM_NEWLINK]
        want_master = None if master_index is None else master_index.__index__()
        out = []
        for m in msgs:
            if type(m) is not LinkMessage or m.type != RTM_NEWLINK:
                continue
            link = link_from(m)
            # The kernel ignores a kind it has no driver for; filter here as well.
            if (want_master is None or link.master == want_master) and (kind is None or link.kind == kind):
                out.append(link)
        return out


#: What :meth:`rawnl.IPRoute.monitor` follows of this family (``links=False`` leaves it out).
EVENTS = Events(name="links", groups=(RTNLGRP_LINK,), message=LinkMessage, convert=link_from)
