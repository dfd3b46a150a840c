"""Typed builders for the link kinds of :mod:`rawnl.wire.kinds` (veth, bridge, macvlan, vxlan),
and their operations on :class:`rawnl.IPRoute`.

Each checks the kind's own options and builds on :func:`rawnl.ops.links.new_link`; any other kind
goes through :func:`rawnl.ops.links.link_add` with a ``data`` mapping of its attributes.
"""

from __future__ import annotations

from rawnl.wire.link import LinkMessage
from rawnl.wire.uapi import (
    AF_INET,
    MACVLAN_MODE_BRIDGE,
    MACVLAN_MODE_PASSTHRU,
    MACVLAN_MODE_PRIVATE,
    MACVLAN_MODE_SOURCE,
    MACVLAN_MODE_VEPA,
    RTM_NEWLINK,
)

from . import validate as v
from .links import device_attrs, new_link
from .request import CREATE, Operations, Request, link_index, netns_fd, operation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from rawnl.wire.codec import AttrKey

    from .request import LinkName, LinkRef, NetnsRef, NetnsRef_
    from .validate import IPAddress

__all__ = ["MACVLAN_MODES", "LinkKindOps", "link_add_bridge", "link_add_macvlan", "link_add_veth", "link_add_vxlan"]

#: ``ip``'s names for the macvlan modes.
MACVLAN_MODES = {
    "private": MACVLAN_MODE_PRIVATE,
    "vepa": MACVLAN_MODE_VEPA,
    "bridge": MACVLAN_MODE_BRIDGE,
    "passthru": MACVLAN_MODE_PASSTHRU,
    "source": MACVLAN_MODE_SOURCE,
}


def link_add_veth(
    name: str,
    peer: str,
    *,
    peer_netns: NetnsRef_ | None = None,
    peer_mac: str | None = None,
    mtu: int | None = None,
    txqlen: int | None = None,
    mac: str | None = None,
    num_queues: int | None = None,
) -> Request:
    """Create a veth pair; with ``peer_netns`` (a :class:`rawnl.NetNS`, a name, a path or a pid)
    the peer is created straight inside that namespace, in the same request.  ``mtu``,
    ``txqlen`` and ``num_queues`` (``IFLA_NUM_TX_QUEUES``/``IFLA_NUM_RX_QUEUES``; 1 makes creation
    about twice as fast) apply to both ends.

    Equivalent to ``ip link add NAME [address MAC] [mtu N] type veth peer name PEER [address
    PEER_MAC] [mtu N] [netns NS]``; sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|
    NLM_F_EXCL with ``IFLA_LINKINFO { IFLA_INFO_KIND "veth", IFLA_INFO_DATA { VETH_INFO_PEER {
    ifinfomsg, IFLA_ADDRESS, IFLA_MTU, IFLA_TXQLEN, IFLA_NUM_TX/RX_QUEUES, IFLA_NET_NS_FD,
    IFLA_IFNAME } } }``.  EEXIST if either name is taken.
    """
    refs: list[LinkName | NetnsRef] = []
    name = v.ifname(name, "name")
    peer = v.ifname(peer, "peer")
    if name == peer and peer_netns is None:
        raise ValueError(f"peer {peer!r} has the same name as the link")
    peer_attrs: dict[AttrKey, Any] = {}
    device_attrs(peer_attrs, mac=peer_mac, mac_arg="peer_mac", mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    if peer_netns is not None:
        peer_attrs["IFLA_NET_NS_FD"] = netns_fd(peer_netns, "peer_netns", refs)
    peer_attrs["IFLA_IFNAME"] = peer
    attrs: dict[AttrKey, Any] = {}
    device_attrs(attrs, mac=mac, mtu=mtu, txqlen=txqlen, num_queues=num_queues)
    attrs["IFLA_IFNAME"] = name
    attrs["IFLA_LINKINFO"] = {
        "IFLA_INFO_KIND": "veth",
        "IFLA_INFO_DATA": {"VETH_INFO_PEER": LinkMessage(type=0, attrs=peer_attrs)},
    }
    return Request(msg=LinkMessage(type=RTM_NEWLINK, flags=CREATE, attrs=attrs), refs=tuple(refs))


def link_add_bridge(
    name: str,
    *,
    mtu: int | None = None,
    mac: str | None = None,
    txqlen: int | None = None,
    stp: bool | None = None,
    forward_delay: int | None = None,
    vlan_filtering: bool | None = None,
) -> Request:
    """Create a bridge (it holds at most 1023 ports: the next fails with EXFULL).
    ``forward_delay`` is in hundredths of a second, as the kernel takes it.  Equivalent to ``ip
    link add NAME [address MAC] [mtu N] type bridge [forward_delay N] [stp_state 0|1]
    [vlan_filtering 0|1]``; sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL
    with ``IFLA_LINKINFO { IFLA_INFO_KIND "bridge", IFLA_INFO_DATA { IFLA_BR_FORWARD_DELAY,
    IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING } }`` (the data only when given)."""
    data: dict[AttrKey, Any] = {}
    if forward_delay is not None:
        data["IFLA_BR_FORWARD_DELAY"] = v.u32(forward_delay, "forward_delay")
    if stp is not None:
        data["IFLA_BR_STP_STATE"] = 1 if v.boolean(stp, "stp") else 0
    if vlan_filtering is not None:
        data["IFLA_BR_VLAN_FILTERING"] = 1 if v.boolean(vlan_filtering, "vlan_filtering") else 0
    return new_link(name, "bridge", data, mtu=mtu, mac=mac, txqlen=txqlen)


def link_add_macvlan(
    name: str, parent: LinkRef, mode: str | int = "bridge", *, mac: str | None = None, mtu: int | None = None
) -> Request:
    """Create a macvlan on top of link ``parent`` (a name or an index).  ``mode``:
    ``'private'``, ``'vepa'``, ``'bridge'``, ``'passthru'``, ``'source'`` or the number.
    Equivalent to ``ip link add link PARENT NAME [address MAC] [mtu N] type macvlan mode MODE``;
    sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINK``,
    ``IFLA_IFNAME``, ``IFLA_LINKINFO { IFLA_INFO_KIND "macvlan", IFLA_INFO_DATA {
    IFLA_MACVLAN_MODE } }``."""
    if isinstance(mode, str):
        number = MACVLAN_MODES.get(mode)
        if number is None:
            raise ValueError(f"mode {mode!r} is not one of {sorted(MACVLAN_MODES)}")
    else:
        number = v.u32(mode, "mode")
        if number not in MACVLAN_MODES.values():
            raise ValueError(f"mode {mode!r} is not a macvlan mode ({sorted(MACVLAN_MODES.values())})")
    return new_link(name, "macvlan", {"IFLA_MACVLAN_MODE": number}, link=parent, mac=mac, mtu=mtu)


def link_add_vxlan(
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
) -> Request:
    """Create a VXLAN device with VNI ``vni``; ``dev`` takes a name or an index; ``port``
    defaults to the IANA port 4789 (``ip`` requires it be given).  Equivalent to ``ip link add
    NAME [mtu N] type vxlan id VNI [local A] [remote A | group G dev DEV] [ttl N] dstport PORT``;
    sends RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL with ``IFLA_LINKINFO {
    IFLA_INFO_KIND "vxlan", IFLA_INFO_DATA { IFLA_VXLAN_ID, IFLA_VXLAN_GROUP(6) (remote or
    group), IFLA_VXLAN_LOCAL(6), IFLA_VXLAN_LINK, IFLA_VXLAN_TTL, IFLA_VXLAN_LEARNING,
    IFLA_VXLAN_PORT } }``."""
    refs: list[LinkName | NetnsRef] = []
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
        data["IFLA_VXLAN_LINK"] = link_index(dev, "dev", refs)
    if ttl is not None:
        data["IFLA_VXLAN_TTL"] = v.u8(ttl, "ttl")
    if learning is not None:
        data["IFLA_VXLAN_LEARNING"] = 1 if v.boolean(learning, "learning") else 0
    if port is not None:
        data["IFLA_VXLAN_PORT"] = v.u16(port, "port")
    req = new_link(name, "vxlan", data, mtu=mtu, mac=mac)
    return Request(req.msg, tuple(refs))


class LinkKindOps(Operations):
    """The kinds' link operations (of :class:`rawnl.IPRoute` and its batches)."""

    link_add_veth = operation(link_add_veth)
    link_add_bridge = operation(link_add_bridge)
    link_add_macvlan = operation(link_add_macvlan)
    link_add_vxlan = operation(link_add_vxlan)
