"""Pure request builders: every operation of :class:`rawnl.IPRoute` as a message object.

Nothing here does I/O.  Each builder validates its arguments (``ValueError`` naming the argument)
and returns the message :class:`rawnl.IPRoute` sends, with the netlink flags it sends them with;
the socket engine stamps ``seq`` and ``pid``.  Addresses in the attributes are packed ``bytes``
(parsed with ``inet_pton``; decoded replies hold :mod:`ipaddress` objects).  Arguments are
already resolved: links are given by index (or, where the kernel can look a link up by name, by
name), namespaces by an open fd.

The shapes follow ``iproute2``'s requests (checked against captures of ``ip`` in
``tests/test_requests.py``): ``IFLA_IFNAME`` after the other link attributes and before
``IFLA_LINKINFO``; addresses carry both ``IFA_LOCAL`` and ``IFA_ADDRESS``; an IPv4 route without
a gateway gets scope link; tables above 255 travel in ``RTA_TABLE`` with ``rtm_table`` =
``RT_TABLE_UNSPEC``.
"""

from __future__ import annotations

from . import validate as v
from .messages import AddressMessage, LinkMessage, RouteMessage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .codec import AttrKey
    from .validate import IPAddress

__all__ = [
    "addr_add",
    "addr_del",
    "addr_dump",
    "link_add",
    "link_add_bridge",
    "link_add_macvlan",
    "link_add_veth",
    "link_add_vxlan",
    "link_del",
    "link_dump",
    "link_get",
    "link_set",
    "link_set_hairpin",
    "route_add",
    "route_del",
    "route_dump",
    "route_get",
]

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400

RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_GETLINK = 18
RTM_SETLINK = 19
RTM_NEWADDR = 20
RTM_DELADDR = 21
RTM_GETADDR = 22
RTM_NEWROUTE = 24
RTM_DELROUTE = 25
RTM_GETROUTE = 26

AF_UNSPEC = 0
AF_INET = 2
AF_BRIDGE = 7
AF_INET6 = 10
AF_PACKET = 17

IFF_UP = 0x1
RTEXT_FILTER_VF = 0x1
RTEXT_FILTER_SKIP_STATS = 0x8

RT_TABLE_UNSPEC = 0
RT_TABLE_MAIN = 254
RTPROT_UNSPEC = 0
RTPROT_BOOT = 3
RT_SCOPE_UNIVERSE = 0
RT_SCOPE_LINK = 253
RT_SCOPE_NOWHERE = 255
RTN_UNSPEC = 0
RTN_UNICAST = 1
RTM_F_LOOKUP_TABLE = 0x1000

MACVLAN_MODE_PRIVATE = 1
MACVLAN_MODE_VEPA = 2
MACVLAN_MODE_BRIDGE = 4
MACVLAN_MODE_PASSTHRU = 8
MACVLAN_MODE_SOURCE = 16

#: Flags of a request that changes something and wants its ACK.
ACK = NLM_F_REQUEST | NLM_F_ACK
#: ``ip ... add``: create, and fail with EEXIST if it exists.
CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
#: A dump request.
DUMP = NLM_F_REQUEST | NLM_F_DUMP

MACVLAN_MODES = {
    "private": MACVLAN_MODE_PRIVATE,
    "vepa": MACVLAN_MODE_VEPA,
    "bridge": MACVLAN_MODE_BRIDGE,
    "passthru": MACVLAN_MODE_PASSTHRU,
    "source": MACVLAN_MODE_SOURCE,
}

_MAX_QUEUES = 4096  # the kernel's limit for IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES


# ---------------------------------------------------------------------------------- links


def _common(
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


def _netns(attrs: dict[AttrKey, Any], netns_fd: int | None, netns_pid: int | None, arg: str) -> None:
    if netns_fd is not None and netns_pid is not None:
        raise ValueError(f"{arg}: give a namespace fd or a pid, not both")
    if netns_fd is not None:
        attrs["IFLA_NET_NS_FD"] = v.int_range(netns_fd, arg + "_fd", 0, 0x7FFFFFFF)
    elif netns_pid is not None:
        attrs["IFLA_NET_NS_PID"] = v.int_range(netns_pid, arg + "_pid", 1, 0x7FFFFFFF)


def link_add(
    name: str,
    kind: str,
    *,
    data: dict[AttrKey, Any] | None = None,
    link: int | None = None,
    mac: str | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    num_queues: int | None = None,
    master: int | None = None,
    netns_fd: int | None = None,
    netns_pid: int | None = None,
) -> LinkMessage:
    """A new link of any kind.

    Equivalent to ``ip link add [link LINK] NAME [address MAC] [mtu N] [txqueuelen N]
    [numtxqueues Q numrxqueues Q] [master M] [netns NS] type KIND ...``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL, a zeroed ifinfomsg, the device attributes,
    ``IFLA_IFNAME``, then ``IFLA_LINKINFO { IFLA_INFO_KIND, IFLA_INFO_DATA data }``.
    ``data`` is checked by encoding the message: an unknown attribute or a value of the wrong
    type raises ``ValueError`` naming ``data``.
    """
    msg = _link_add(
        name,
        v.kind(kind),
        data,
        link=link,
        mac=mac,
        mtu=mtu,
        txqlen=txqlen,
        num_queues=num_queues,
        master=master,
        netns_fd=netns_fd,
        netns_pid=netns_pid,
    )
    if data:
        try:  # an unknown attribute name or a value of the wrong type: refuse it now
            msg.encode()
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"data: {exc}") from None
    return msg


def _link_add(
    name: str,
    kind: str,
    data: dict[AttrKey, Any] | None,
    *,
    link: int | None = None,
    mac: str | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    num_queues: int | None = None,
    master: int | None = None,
    netns_fd: int | None = None,
    netns_pid: int | None = None,
) -> LinkMessage:
    """:func:`link_add` for a ``kind`` already checked and ``data`` already valid (the
    bridge, macvlan and vxlan builders validate each value they put in it)."""
    name = v.ifname(name, "name")
    attrs: dict[AttrKey, Any] = {}
    if link is not None:
        attrs["IFLA_LINK"] = v.index(link, "link")
    _common(attrs, mac=mac, mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    if master is not None:
        attrs["IFLA_MASTER"] = v.index(master, "master")
    _netns(attrs, netns_fd, netns_pid, "netns")
    attrs["IFLA_IFNAME"] = name
    info: dict[AttrKey, Any] = {"IFLA_INFO_KIND": kind}
    if data:
        info["IFLA_INFO_DATA"] = data
    attrs["IFLA_LINKINFO"] = info
    return LinkMessage(type=RTM_NEWLINK, flags=CREATE, attrs=attrs)


def link_add_veth(
    name: str,
    peer: str,
    *,
    peer_netns_fd: int | None = None,
    peer_netns_pid: int | None = None,
    peer_mac: str | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    mac: str | None = None,
    num_queues: int | None = None,
) -> LinkMessage:
    """A veth pair, the peer optionally created straight inside another namespace.

    ``mtu``, ``txqlen`` and ``num_queues`` apply to both ends.  Equivalent to ``ip link add NAME
    [address MAC] [mtu N] type veth peer name PEER [address PEER_MAC] [mtu N] [netns NS]``; sends
    RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO {
    IFLA_INFO_KIND "veth", IFLA_INFO_DATA { VETH_INFO_PEER { ifinfomsg, IFLA_ADDRESS,
    IFLA_MTU, IFLA_TXQLEN, IFLA_NUM_TX/RX_QUEUES, IFLA_NET_NS_FD, IFLA_IFNAME } } }``.
    """
    name = v.ifname(name, "name")
    peer = v.ifname(peer, "peer")
    if name == peer and peer_netns_fd is None and peer_netns_pid is None:
        raise ValueError(f"peer {peer!r} has the same name as the link")
    peer_attrs: dict[AttrKey, Any] = {}
    _common(peer_attrs, mac=peer_mac, mac_arg="peer_mac", mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    _netns(peer_attrs, peer_netns_fd, peer_netns_pid, "peer_netns")
    peer_attrs["IFLA_IFNAME"] = peer
    attrs: dict[AttrKey, Any] = {}
    _common(attrs, mac=mac, mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    attrs["IFLA_IFNAME"] = name
    attrs["IFLA_LINKINFO"] = {
        "IFLA_INFO_KIND": "veth",
        "IFLA_INFO_DATA": {"VETH_INFO_PEER": LinkMessage(type=0, attrs=peer_attrs)},
    }
    return LinkMessage(type=RTM_NEWLINK, flags=CREATE, attrs=attrs)


def link_add_bridge(
    name: str,
    *,
    mtu: int | None = None,
    mac: str | None = None,
    txqlen: int | None = None,
    stp: bool | None = None,
    forward_delay: int | None = None,
    vlan_filtering: bool | None = None,
) -> LinkMessage:
    """A bridge.  Equivalent to ``ip link add NAME [address MAC] [mtu N] type bridge
    [forward_delay N] [stp_state 0|1] [vlan_filtering 0|1]``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO { IFLA_INFO_KIND
    "bridge", IFLA_INFO_DATA { IFLA_BR_FORWARD_DELAY, IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING }
    }`` (the data only when given).  ``forward_delay`` is in hundredths of a second, as the
    kernel takes it."""
    data: dict[AttrKey, Any] = {}
    if forward_delay is not None:
        data["IFLA_BR_FORWARD_DELAY"] = v.u32(forward_delay, "forward_delay")
    if stp is not None:
        data["IFLA_BR_STP_STATE"] = 1 if v.boolean(stp, "stp") else 0
    if vlan_filtering is not None:
        data["IFLA_BR_VLAN_FILTERING"] = 1 if v.boolean(vlan_filtering, "vlan_filtering") else 0
    return _link_add(name, "bridge", data, mtu=mtu, mac=mac, txqlen=txqlen)


def link_add_macvlan(
    name: str, parent: int, mode: str | int = "bridge", *, mac: str | None = None, mtu: int | None = None
) -> LinkMessage:
    """A macvlan on top of link ``parent`` (an index).  Equivalent to ``ip link add link PARENT
    NAME [address MAC] [mtu N] type macvlan mode MODE``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINK``, ``IFLA_IFNAME``,
    ``IFLA_LINKINFO { IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA { IFLA_MACVLAN_MODE } }``.
    ``mode``: ``'private'``, ``'vepa'``, ``'bridge'``, ``'passthru'``, ``'source'`` or the number."""
    if isinstance(mode, str):
        number = MACVLAN_MODES.get(mode)
        if number is None:
            raise ValueError(f"mode {mode!r} is not one of {sorted(MACVLAN_MODES)}")
    else:
        number = v.u32(mode, "mode")
        if number not in MACVLAN_MODES.values():
            raise ValueError(f"mode {mode!r} is not a macvlan mode ({sorted(MACVLAN_MODES.values())})")
    return _link_add(name, "macvlan", {"IFLA_MACVLAN_MODE": number}, link=parent, mac=mac, mtu=mtu)


def link_add_vxlan(
    name: str,
    vni: int,
    *,
    port: int | None = 4789,
    local: str | IPAddress | None = None,
    remote: str | IPAddress | None = None,
    group: str | IPAddress | None = None,
    dev: int | None = None,
    ttl: int | None = None,
    learning: bool | None = True,
    mtu: int | None = None,
    mac: str | None = None,
) -> LinkMessage:
    """A VXLAN device.  Equivalent to ``ip link add NAME [mtu N] type vxlan id VNI [local A]
    [remote A | group G dev DEV] [ttl N] dstport PORT``; sends RTM_NEWLINK,
    NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO { IFLA_INFO_KIND
    "vxlan", IFLA_INFO_DATA { IFLA_VXLAN_ID, IFLA_VXLAN_GROUP(6) (remote or group),
    IFLA_VXLAN_LOCAL(6), IFLA_VXLAN_LINK, IFLA_VXLAN_TTL, IFLA_VXLAN_LEARNING, IFLA_VXLAN_PORT } }``.
    ``port`` defaults to the IANA port 4789 (``ip`` requires it be given)."""
    data: dict[AttrKey, Any] = {"IFLA_VXLAN_ID": v.int_range(vni, "vni", 0, 0xFFFFFF)}
    if remote is not None and group is not None:
        raise ValueError(f"remote {remote!r} and group {group!r} exclude each other: give one")
    peer = remote if remote is not None else group
    family = None
    if peer is not None:
        arg = "remote" if remote is not None else "group"
        family, addr = v.address(peer, arg)
        multicast = addr[0] >> 4 == 14 if family == AF_INET else addr[0] == 0xFF
        if group is not None and not multicast:
            raise ValueError(f"group {group!r} is not a multicast address")
        if remote is not None and multicast:
            raise ValueError(f"remote {remote!r} is a multicast address; use group=")
        data["IFLA_VXLAN_GROUP" if family == AF_INET else "IFLA_VXLAN_GROUP6"] = addr
    if local is not None:
        lfamily, laddr = v.address(local, "local", family)
        data["IFLA_VXLAN_LOCAL" if lfamily == AF_INET else "IFLA_VXLAN_LOCAL6"] = laddr
    if dev is not None:
        data["IFLA_VXLAN_LINK"] = v.index(dev, "dev")
    if ttl is not None:
        data["IFLA_VXLAN_TTL"] = v.u8(ttl, "ttl")
    if learning is not None:
        data["IFLA_VXLAN_LEARNING"] = 1 if v.boolean(learning, "learning") else 0
    if port is not None:
        data["IFLA_VXLAN_PORT"] = v.u16(port, "port")
    return _link_add(name, "vxlan", data, mtu=mtu, mac=mac)


def link_get(link: int | str, *, stats: bool = True) -> LinkMessage:
    """One link, by index or by name.  Equivalent to ``ip link show dev LINK``; sends
    RTM_GETLINK, NLM_F_REQUEST, an ifinfomsg of family AF_PACKET with the index (or 0
    and ``IFLA_IFNAME``), then ``IFLA_EXT_MASK`` = RTEXT_FILTER_VF, or with ``stats=False``
    RTEXT_FILTER_SKIP_STATS (a reply without counters, for looking up an index).  The kernel
    answers ENODEV when there is no such link.  Sent without NLM_F_ACK, as ``ip`` does: the
    reply ends it."""
    index, name = v.link_ref(link, "name_or_index")
    attrs: dict[AttrKey, Any] = {}
    if name is not None:
        attrs["IFLA_IFNAME"] = name
    attrs["IFLA_EXT_MASK"] = RTEXT_FILTER_VF if v.boolean(stats, "stats") else RTEXT_FILTER_SKIP_STATS
    return LinkMessage(type=RTM_GETLINK, flags=NLM_F_REQUEST, family=AF_PACKET, index=index, attrs=attrs)


def link_dump(*, master: int | None = None, kind: str | None = None) -> LinkMessage:
    """Every link, filtered by the kernel (strict checking) by master index and kind.
    Equivalent to ``ip link show [master M] [type KIND]``; sends RTM_GETLINK,
    NLM_F_REQUEST|NLM_F_DUMP, family AF_PACKET, ``IFLA_EXT_MASK`` = RTEXT_FILTER_VF,
    ``IFLA_MASTER``, ``IFLA_LINKINFO { IFLA_INFO_KIND }``."""
    attrs: dict[AttrKey, Any] = {"IFLA_EXT_MASK": RTEXT_FILTER_VF}
    if master is not None:
        attrs["IFLA_MASTER"] = v.index(master, "master")
    if kind is not None:
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": v.kind(kind)}
    return LinkMessage(type=RTM_GETLINK, flags=DUMP, family=AF_PACKET, attrs=attrs)


def link_set(
    link: int | str,
    *,
    up: bool | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    name: str | None = None,
    mac: str | None = None,
    master: int | None = None,
    nomaster: bool = False,
    netns_fd: int | None = None,
    netns_pid: int | None = None,
) -> LinkMessage:
    """Every given change to one link in one request.

    Equivalent to ``ip link set dev LINK [up|down] [mtu N] [txqueuelen N] [address MAC]
    [master M | nomaster] [netns NS] [name NEW]``; sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK,
    an ifinfomsg with the index (``ifi_flags``/``ifi_change`` = IFF_UP for up/down), then
    ``IFLA_MTU``, ``IFLA_TXQLEN``, ``IFLA_ADDRESS``, ``IFLA_MASTER`` (0 for nomaster),
    ``IFLA_NET_NS_FD`` and ``IFLA_IFNAME`` (the new name).  A link given by name (index 0) is
    looked up by the kernel through ``IFLA_IFNAME``; renaming needs the index.
    """
    index, ref_name = v.link_ref(link, "name_or_index")
    if name is not None:
        name = v.ifname(name, "name")
        if ref_name is not None and name != ref_name:
            raise ValueError(
                f"name_or_index {ref_name!r} must be an index to rename the link (IFLA_IFNAME carries the new name)"
            )
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
    if master is not None:
        attrs["IFLA_MASTER"] = v.index(master, "master")
    elif nomaster:
        attrs["IFLA_MASTER"] = 0
    _netns(attrs, netns_fd, netns_pid, "netns")
    if name is not None or ref_name is not None:
        attrs["IFLA_IFNAME"] = name if name is not None else ref_name
    return LinkMessage(type=RTM_NEWLINK, flags=ACK, index=index, link_flags=flags, change=change, attrs=attrs)


def link_set_hairpin(port: int, on: bool = True) -> LinkMessage:
    """Hairpin mode of a bridge port (the port must be enslaved).  Equivalent to ``bridge link
    set dev PORT hairpin on|off``; sends RTM_SETLINK, NLM_F_REQUEST|NLM_F_ACK, an ifinfomsg of
    family AF_BRIDGE with the port's index, then ``IFLA_PROTINFO|NLA_F_NESTED {
    IFLA_BRPORT_MODE u8 }`` (without NLA_F_NESTED the kernel would silently ignore it)."""
    index = v.index(port, "port")
    mode = 1 if v.boolean(on, "on") else 0
    return LinkMessage(
        type=RTM_SETLINK,
        flags=ACK,
        family=AF_BRIDGE,
        index=index,
        attrs={"IFLA_PROTINFO": {"IFLA_BRPORT_MODE": mode}},
    )


def link_del(link: int | str) -> LinkMessage:
    """Delete a link (a veth takes its peer with it).  Equivalent to ``ip link del dev LINK``;
    sends RTM_DELLINK, NLM_F_REQUEST|NLM_F_ACK, an ifinfomsg with the index (or 0 and
    ``IFLA_IFNAME``)."""
    index, name = v.link_ref(link, "name_or_index")
    attrs: dict[AttrKey, Any] = {"IFLA_IFNAME": name} if name is not None else {}
    return LinkMessage(type=RTM_DELLINK, flags=ACK, index=index, attrs=attrs)


# ------------------------------------------------------------------------------ addresses


def _addr(
    mtype: int,
    flags: int,
    index: int,
    address_with_prefix: object,
    *,
    peer: object,
    broadcast: object,
    scope: object,
    addr_flags: object,
) -> AddressMessage:
    index = v.index(index, "link")
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
    return AddressMessage(
        type=mtype,
        flags=flags,
        family=family,
        prefixlen=prefixlen,
        addr_flags=fl if fl <= 0xFF else 0,
        scope=sc,
        index=index,
        attrs=attrs,
    )


def addr_add(
    index: int,
    address_with_prefix: str,
    *,
    peer: str | IPAddress | None = None,
    broadcast: str | IPAddress | None = None,
    scope: int | str | None = None,
    flags: int = 0,
) -> AddressMessage:
    """Add an address.  Equivalent to ``ip addr add ADDRESS/LEN [peer P] [broadcast B]
    [scope S] [nodad ...] dev LINK``; sends RTM_NEWADDR, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|
    NLM_F_EXCL, ifaddrmsg (family, prefix length, the flags when they fit in 8 bits, scope,
    index), then ``IFA_LOCAL``, ``IFA_ADDRESS`` (the peer, else the address itself),
    ``IFA_BROADCAST``, ``IFA_FLAGS`` (flags above 8 bits).  ``flags`` are ``IFA_F_*``
    (``IFA_F_NODAD`` = 0x02 skips IPv6 duplicate address detection)."""
    return _addr(
        RTM_NEWADDR, CREATE, index, address_with_prefix, peer=peer, broadcast=broadcast, scope=scope, addr_flags=flags
    )


def addr_del(index: int, address_with_prefix: str, *, peer: str | IPAddress | None = None) -> AddressMessage:
    """Delete an address.  Equivalent to ``ip addr del ADDRESS/LEN dev LINK``; sends
    RTM_DELADDR, NLM_F_REQUEST|NLM_F_ACK, ifaddrmsg (family, prefix length, index),
    ``IFA_LOCAL``, ``IFA_ADDRESS``."""
    return _addr(RTM_DELADDR, ACK, index, address_with_prefix, peer=peer, broadcast=None, scope=None, addr_flags=0)


def addr_dump(*, index: int | None = None, family: int | None = None) -> AddressMessage:
    """Every address, filtered by the kernel (strict checking) by link index and family.
    Equivalent to ``ip [-4|-6] addr show [dev LINK]``; sends RTM_GETADDR,
    NLM_F_REQUEST|NLM_F_DUMP, an ifaddrmsg holding only the family and the index."""
    fam = v.family(family)
    idx = 0 if index is None else v.index(index, "link")
    return AddressMessage(type=RTM_GETADDR, flags=DUMP, family=fam, index=idx)


# --------------------------------------------------------------------------------- routes


def _route(
    mtype: int,
    flags: int,
    dst: object,
    *,
    gateway: object,
    oif: int | None,
    table: object,
    scope: object,
    priority: object,
    mtu: object,
    src: object,
    family: object,
) -> RouteMessage:
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
    tid = RT_TABLE_MAIN if table is None else v.table(table)
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
    if oif is not None:
        attrs["RTA_OIF"] = v.index(oif, "oif")
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
    return RouteMessage(
        type=mtype,
        flags=flags,
        family=fam,
        dst_len=dst_len,
        table=tid if tid <= 255 else RT_TABLE_UNSPEC,
        protocol=RTPROT_BOOT if add else RTPROT_UNSPEC,
        scope=sc,
        route_type=RTN_UNICAST if add else RTN_UNSPEC,
        attrs=attrs,
    )


def route_add(
    dst: str,
    *,
    gateway: str | IPAddress | None = None,
    oif: int | None = None,
    table: int | str | None = None,
    scope: int | str | None = None,
    priority: int | None = None,
    mtu: int | None = None,
    src: str | IPAddress | None = None,
    family: int | None = None,
) -> RouteMessage:
    """Add a unicast route.  Equivalent to ``ip route add DST [via GW] [table T] [metric P]
    [src S] [dev OIF] [mtu M]``; sends RTM_NEWROUTE, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|
    NLM_F_EXCL, rtmsg (family, dst_len, table or RT_TABLE_UNSPEC, RTPROT_BOOT, scope, RTN_UNICAST)
    then ``RTA_DST``, ``RTA_GATEWAY``, ``RTA_TABLE`` (tables above 255), ``RTA_PRIORITY``,
    ``RTA_PREFSRC``, ``RTA_OIF``, ``RTA_METRICS { RTAX_MTU }``.  ``dst`` is a prefix, one address
    or ``'default'``; the table defaults to main; an IPv4 route without a gateway gets scope link,
    as with ``ip``.  ``family`` (4/6 or AF_*) picks the family of a bare ``'default'``."""
    return _route(
        RTM_NEWROUTE,
        CREATE,
        dst,
        gateway=gateway,
        oif=oif,
        table=table,
        scope=scope,
        priority=priority,
        mtu=mtu,
        src=src,
        family=family,
    )


def route_del(
    dst: str,
    *,
    gateway: str | IPAddress | None = None,
    oif: int | None = None,
    table: int | str | None = None,
    scope: int | str | None = None,
    priority: int | None = None,
    mtu: int | None = None,
    src: str | IPAddress | None = None,
    family: int | None = None,
) -> RouteMessage:
    """Delete a route.  Equivalent to ``ip route del DST [via GW] [table T] [metric P] [dev
    OIF]``; sends RTM_DELROUTE, NLM_F_REQUEST|NLM_F_ACK, rtmsg (family, dst_len, table,
    RTPROT_UNSPEC, RT_SCOPE_NOWHERE unless a scope is given, RTN_UNSPEC) and the attributes
    given, as :func:`route_add`; the kernel deletes the first route matching all of them."""
    return _route(
        RTM_DELROUTE,
        ACK,
        dst,
        gateway=gateway,
        oif=oif,
        table=table,
        scope=scope,
        priority=priority,
        mtu=mtu,
        src=src,
        family=family,
    )


def route_dump(*, table: int | str | None = None, family: int | None = None, oif: int | None = None) -> RouteMessage:
    """Every route, filtered by the kernel (strict checking) by family, table and output link.
    Equivalent to ``ip [-4|-6] route show table T|all [dev OIF]``; sends RTM_GETROUTE,
    NLM_F_REQUEST|NLM_F_DUMP, rtmsg holding only the family, ``RTA_TABLE``, ``RTA_OIF``."""
    attrs: dict[AttrKey, Any] = {}
    if table is not None:
        attrs["RTA_TABLE"] = v.table(table)
    if oif is not None:
        attrs["RTA_OIF"] = v.index(oif, "oif")
    return RouteMessage(type=RTM_GETROUTE, flags=DUMP, family=v.family(family), attrs=attrs)


def route_get(address: str | IPAddress) -> RouteMessage:
    """The route the kernel would use to reach ``address``.  Equivalent to ``ip route get
    ADDRESS``; sends RTM_GETROUTE, NLM_F_REQUEST (no ACK, as ``ip``: the reply ends it), rtmsg
    (family, full dst_len, RTM_F_LOOKUP_TABLE for IPv4), ``RTA_DST``."""
    family, addr = v.address(address, "address")
    return RouteMessage(
        type=RTM_GETROUTE,
        flags=NLM_F_REQUEST,
        family=family,
        dst_len=len(addr) * 8,
        route_flags=RTM_F_LOOKUP_TABLE if family == AF_INET else 0,
        attrs={"RTA_DST": addr},
    )
