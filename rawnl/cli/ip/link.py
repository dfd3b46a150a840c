"""``rawnl link show``: iproute2's link shapes (``ip -j link show`` and its text), and how
``rawnl monitor`` prints link events.

:func:`link_json` gives what ``ip -j link show`` prints, with iproute2's key names, value shapes
and rules for when a key appears (checked against iproute2 6.1 on Linux 6.18: ``flags`` gets
``NO-CARRIER`` first and ``M-DOWN`` last); :func:`link_text` the human-readable two lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rawnl.cli.command import Command
from rawnl.ops.links import OPERSTATES
from rawnl.wire.codec import single
from rawnl.wire.link import LinkMessage
from rawnl.wire.uapi import (
    ARPHRD_6LOWPAN,
    ARPHRD_ADAPT,
    ARPHRD_APPLETLK,
    ARPHRD_ARCNET,
    ARPHRD_ASH,
    ARPHRD_ATM,
    ARPHRD_AX25,
    ARPHRD_BIF,
    ARPHRD_CAIF,
    ARPHRD_CAN,
    ARPHRD_CHAOS,
    ARPHRD_CSLIP,
    ARPHRD_CSLIP6,
    ARPHRD_DDCMP,
    ARPHRD_DLCI,
    ARPHRD_ECONET,
    ARPHRD_EETHER,
    ARPHRD_ETHER,
    ARPHRD_FCAL,
    ARPHRD_FCFABRIC,
    ARPHRD_FCPL,
    ARPHRD_FCPP,
    ARPHRD_FDDI,
    ARPHRD_FRAD,
    ARPHRD_HDLC,
    ARPHRD_HIPPI,
    ARPHRD_HWX25,
    ARPHRD_IEEE802,
    ARPHRD_IEEE802_TR,
    ARPHRD_IEEE1394,
    ARPHRD_IEEE80211,
    ARPHRD_IEEE80211_PRISM,
    ARPHRD_IEEE80211_RADIOTAP,
    ARPHRD_IEEE802154,
    ARPHRD_IEEE802154_MONITOR,
    ARPHRD_INFINIBAND,
    ARPHRD_IP6GRE,
    ARPHRD_IPDDP,
    ARPHRD_IPGRE,
    ARPHRD_IRDA,
    ARPHRD_LAPB,
    ARPHRD_LOCALTLK,
    ARPHRD_LOOPBACK,
    ARPHRD_METRICOM,
    ARPHRD_NETLINK,
    ARPHRD_NONE,
    ARPHRD_PHONET,
    ARPHRD_PHONET_PIPE,
    ARPHRD_PIMREG,
    ARPHRD_PPP,
    ARPHRD_PRONET,
    ARPHRD_RAWHDLC,
    ARPHRD_RAWIP,
    ARPHRD_ROSE,
    ARPHRD_RSRVD,
    ARPHRD_SIT,
    ARPHRD_SKIP,
    ARPHRD_SLIP,
    ARPHRD_SLIP6,
    ARPHRD_TUNNEL,
    ARPHRD_TUNNEL6,
    ARPHRD_VOID,
    ARPHRD_X25,
    IF_LINK_MODE_DEFAULT,
    IF_LINK_MODE_DORMANT,
    IF_LINK_MODE_TESTING,
    IFF_ALLMULTI,
    IFF_AUTOMEDIA,
    IFF_BROADCAST,
    IFF_DEBUG,
    IFF_DORMANT,
    IFF_DYNAMIC,
    IFF_ECHO,
    IFF_LOOPBACK,
    IFF_LOWER_UP,
    IFF_MASTER,
    IFF_MULTICAST,
    IFF_NOARP,
    IFF_NOTRAILERS,
    IFF_POINTOPOINT,
    IFF_PORTSEL,
    IFF_PROMISC,
    IFF_RUNNING,
    IFF_SLAVE,
    IFF_UP,
    RTM_DELLINK,
    RTNLGRP_LINK,
)

from .common import Follow, View, dump_links, emit, open_socket, select

if TYPE_CHECKING:
    import argparse

__all__ = ["COMMAND", "MONITOR", "link_flags", "link_json", "link_text"]

# print_link_flags: the names in iproute2's order (IFF_RUNNING is shown as NO-CARRIER's absence)
_IFF_NAMES = (
    (IFF_LOOPBACK, "LOOPBACK"),
    (IFF_BROADCAST, "BROADCAST"),
    (IFF_POINTOPOINT, "POINTOPOINT"),
    (IFF_MULTICAST, "MULTICAST"),
    (IFF_NOARP, "NOARP"),
    (IFF_ALLMULTI, "ALLMULTI"),
    (IFF_PROMISC, "PROMISC"),
    (IFF_MASTER, "MASTER"),
    (IFF_SLAVE, "SLAVE"),
    (IFF_DEBUG, "DEBUG"),
    (IFF_DYNAMIC, "DYNAMIC"),
    (IFF_AUTOMEDIA, "AUTOMEDIA"),
    (IFF_PORTSEL, "PORTSEL"),
    (IFF_NOTRAILERS, "NOTRAILERS"),
    (IFF_UP, "UP"),
    (IFF_LOWER_UP, "LOWER_UP"),
    (IFF_DORMANT, "DORMANT"),
    (IFF_ECHO, "ECHO"),
)
_LINKMODES = {IF_LINK_MODE_DEFAULT: "DEFAULT", IF_LINK_MODE_DORMANT: "DORMANT", IF_LINK_MODE_TESTING: "TESTING"}
_LINK_TYPES = {
    ARPHRD_ETHER: "ether", ARPHRD_EETHER: "eether", ARPHRD_AX25: "ax25", ARPHRD_PRONET: "pronet",
    ARPHRD_CHAOS: "chaos", ARPHRD_IEEE802: "ieee802", ARPHRD_ARCNET: "arcnet", ARPHRD_APPLETLK: "atalk",
    ARPHRD_DLCI: "dlci", ARPHRD_ATM: "atm", ARPHRD_METRICOM: "metricom", ARPHRD_IEEE1394: "ieee1394",
    ARPHRD_INFINIBAND: "infiniband", ARPHRD_SLIP: "slip", ARPHRD_CSLIP: "cslip", ARPHRD_SLIP6: "slip6",
    ARPHRD_CSLIP6: "cslip6", ARPHRD_RSRVD: "rsrvd", ARPHRD_ADAPT: "adapt", ARPHRD_ROSE: "rose",
    ARPHRD_X25: "x25", ARPHRD_HWX25: "hwx25", ARPHRD_CAN: "can", ARPHRD_PPP: "ppp", ARPHRD_HDLC: "hdlc",
    ARPHRD_LAPB: "lapb", ARPHRD_DDCMP: "ddcmp", ARPHRD_RAWHDLC: "rawhdlc", ARPHRD_RAWIP: "rawip",
    ARPHRD_TUNNEL: "ipip", ARPHRD_TUNNEL6: "tunnel6", ARPHRD_FRAD: "frad", ARPHRD_SKIP: "skip",
    ARPHRD_LOOPBACK: "loopback", ARPHRD_LOCALTLK: "ltalk", ARPHRD_FDDI: "fddi", ARPHRD_BIF: "bif",
    ARPHRD_SIT: "sit", ARPHRD_IPDDP: "ip/ddp", ARPHRD_IPGRE: "gre", ARPHRD_PIMREG: "pimreg",
    ARPHRD_HIPPI: "hippi", ARPHRD_ASH: "ash", ARPHRD_ECONET: "econet", ARPHRD_IRDA: "irda",
    ARPHRD_FCPP: "fcpp", ARPHRD_FCAL: "fcal", ARPHRD_FCPL: "fcpl", ARPHRD_FCFABRIC: "fcfb0",
    ARPHRD_IEEE802_TR: "tr", ARPHRD_IEEE80211: "ieee802.11", ARPHRD_IEEE80211_PRISM: "ieee802.11/prism",
    ARPHRD_IEEE80211_RADIOTAP: "ieee802.11/radiotap", ARPHRD_IEEE802154: "ieee802.15.4",
    ARPHRD_IEEE802154_MONITOR: "ieee802.15.4/monitor", ARPHRD_PHONET: "phonet",
    ARPHRD_PHONET_PIPE: "phonet_pipe", ARPHRD_CAIF: "caif", ARPHRD_IP6GRE: "gre6", ARPHRD_NETLINK: "netlink",
    ARPHRD_6LOWPAN: "6lowpan", ARPHRD_NONE: "none", ARPHRD_VOID: "void",
}  # fmt: skip


def link_flags(flags: int, *, master_down: bool = False) -> list[str]:
    """``ip``'s flag list: ``NO-CARRIER`` when up without ``IFF_RUNNING``, the names, ``M-DOWN``."""
    out = ["NO-CARRIER"] if flags & IFF_UP and not flags & IFF_RUNNING else []
    rest = flags & ~IFF_RUNNING
    for bit, name in _IFF_NAMES:
        if rest & bit:
            out.append(name)
            rest &= ~bit
    if rest:
        out.append(f"{rest:#x}")
    if master_down:
        out.append("M-DOWN")
    return out


def link_json(msg: LinkMessage, view: View, *, linkmode: bool = True, link_layer: bool = True) -> dict[str, Any]:
    """One element of ``ip -j link show``.

    ``linkmode=False`` leaves ``linkmode`` out, as ``ip -j addr`` does; ``link_layer=False``
    leaves ``link_type``, ``address`` and ``broadcast`` out, as ``ip -j -4 addr`` does.  ``view``
    names the namespace's other links (for ``link`` and ``master``) and gives their flags (for
    ``M-DOWN``).
    """
    a = msg.attrs
    out: dict[str, Any] = {"ifindex": msg.index}
    master_down = False
    if "IFLA_LINK" in a:
        iflink = single(a, "IFLA_LINK")
        if iflink == 0:
            out["link"] = None
        elif "IFLA_LINK_NETNSID" in a:
            out["link_index"] = iflink
        else:
            out["link"] = view.ifname(iflink)
            master_down = not view.flags.get(iflink, IFF_UP) & IFF_UP
    if "IFLA_IFNAME" in a:
        out["ifname"] = single(a, "IFLA_IFNAME")
    out["flags"] = link_flags(msg.link_flags, master_down=master_down)
    if "IFLA_MTU" in a:
        out["mtu"] = single(a, "IFLA_MTU")
    if "IFLA_QDISC" in a:
        out["qdisc"] = single(a, "IFLA_QDISC")
    if "IFLA_MASTER" in a:
        out["master"] = view.ifname(single(a, "IFLA_MASTER"))
    if "IFLA_OPERSTATE" in a:
        state = single(a, "IFLA_OPERSTATE")
        out["operstate"] = OPERSTATES.get(state) or str(state)
    if linkmode and "IFLA_LINKMODE" in a:
        mode = single(a, "IFLA_LINKMODE")
        out["linkmode"] = _LINKMODES.get(mode) or str(mode)
    if "IFLA_GROUP" in a:
        out["group"] = "default" if single(a, "IFLA_GROUP") == 0 else str(single(a, "IFLA_GROUP"))
    if "IFLA_TXQLEN" in a:
        out["txqlen"] = single(a, "IFLA_TXQLEN")
    if link_layer:
        out["link_type"] = _LINK_TYPES.get(msg.link_type, f"[{msg.link_type}]")
        if "IFLA_ADDRESS" in a:
            out["address"] = single(a, "IFLA_ADDRESS")
        if "IFLA_BROADCAST" in a and not msg.link_flags & IFF_POINTOPOINT:
            out["broadcast"] = single(a, "IFLA_BROADCAST")
    if "IFLA_LINK_NETNSID" in a:
        out["link_netnsid"] = single(a, "IFLA_LINK_NETNSID")
    return out


#: What link_text writes before each key's value, in ip's order: on the first line, on the last
_LINK_HEAD = (("mtu", " mtu "), ("qdisc", " qdisc "), ("master", " master "), ("operstate", " state "),
              ("linkmode", " mode "), ("group", " group "), ("txqlen", " qlen "))  # fmt: skip
_LINK_LAYER = (("address", " "), ("broadcast", " brd "), ("link_netnsid", " link-netnsid "))


def link_text(link: dict[str, Any]) -> str:
    """``ip link show``'s two lines for one :func:`link_json` object (one without ``link_type``,
    as ``ip -4 addr show`` prints it)."""
    name = link.get("ifname", "?")
    if "link" in link:
        name += f"@{link['link'] if link['link'] is not None else 'NONE'}"
    elif "link_index" in link:
        name += f"@if{link['link_index']}"
    head = f"{link['ifindex']}: {name}: <{','.join(link['flags'])}>"
    for key, before in _LINK_HEAD:
        if key in link:
            head += f"{before}{link[key]}"
    lines = [head]
    if "link_type" in link:  # not from link_json(link_layer=False): ip -4 addr has no link/ line
        lines.append(f"    link/{link['link_type']}")
    for key, before in _LINK_LAYER:
        if key in link:
            lines[-1] += f"{before}{link[key]}"
    return "\n".join(lines)


# ------------------------------------------------------------------------------- the command


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="show", choices=["show", "list", "ls", "lst"], metavar="show")
    parser.add_argument("args", nargs="*", metavar="ARG", help="[dev] DEV | master DEV | type KIND")


def run(args: argparse.Namespace) -> int:
    """``rawnl link show [DEV]``: ``ip link show``."""
    with open_socket(args) as sock:
        link_msgs = dump_links(sock)
    view = View(link_msgs)
    emit([link_json(m, view) for m in select(link_msgs, args.args)], args, link_text)
    return 0


COMMAND = Command("link", "show links, like ip link show [DEV]", configure, run, aliases=("l",))


def event(msg: LinkMessage, view: View) -> tuple[dict[str, Any], str]:
    """A link event as ``ip monitor`` prints it (JSON object, text)."""
    view.update(msg, deleted=msg.type == RTM_DELLINK)
    obj = link_json(msg, view)
    return obj, link_text(obj)


#: How ``rawnl monitor`` follows links.
MONITOR = Follow("link", (RTNLGRP_LINK,), LinkMessage, event)
