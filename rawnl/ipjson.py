"""iproute2's output shapes, so that a script written against ``ip -j`` works on ``rawnl -j``.

:func:`link_json`, :func:`addr_info_json` and :func:`route_json` turn decoded rtnetlink messages
into the objects ``ip -j link show``, ``ip -j addr show`` and ``ip -j route show`` print, with
iproute2's key names, value shapes and rules for when a key appears (checked against iproute2
6.1 on Linux 6.18: ``protocol`` is left out for ``boot``, ``scope`` for ``global``, ``table`` for
``main``, ``type`` for ``unicast``; ``flags`` gets ``NO-CARRIER`` first and ``M-DOWN`` last).
:func:`link_text`, :func:`addr_text` and :func:`route_text` render the same objects as ``ip``'s
human-readable lines.

Names iproute2 reads from ``/etc/iproute2`` (tables, protocols, groups) are its built-in ones.
"""

from __future__ import annotations

from typing import Any

from .messages import AddressMessage, LinkMessage, RouteMessage
from .results import OPERSTATES

__all__ = [
    "addr_event_text",
    "addr_info_json",
    "addr_text",
    "link_json",
    "link_text",
    "route_json",
    "route_text",
]

AF_INET = 2
AF_INET6 = 10
RTM_DELROUTE = 25
RTM_F_CLONED = 0x200
RT_TABLE_MAIN = 254
RTPROT_BOOT = 3
RT_SCOPE_UNIVERSE = 0
RTN_UNICAST = 1
IFF_UP = 0x1
IFF_POINTOPOINT = 0x10
IFF_RUNNING = 0x40
IFA_F_SECONDARY = 0x1
IFA_F_PERMANENT = 0x80

# print_link_flags: the names in iproute2's order (IFF_RUNNING is shown as NO-CARRIER's absence)
_IFF_NAMES = (
    (0x8, "LOOPBACK"),
    (0x2, "BROADCAST"),
    (0x10, "POINTOPOINT"),
    (0x1000, "MULTICAST"),
    (0x80, "NOARP"),
    (0x200, "ALLMULTI"),
    (0x100, "PROMISC"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x4, "DEBUG"),
    (0x8000, "DYNAMIC"),
    (0x4000, "AUTOMEDIA"),
    (0x2000, "PORTSEL"),
    (0x20, "NOTRAILERS"),
    (0x1, "UP"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
    (0x40000, "ECHO"),
)
_LINKMODES = ("DEFAULT", "DORMANT", "TESTING")
_LINK_TYPES = {
    1: "ether", 2: "eether", 3: "ax25", 4: "pronet", 5: "chaos", 6: "ieee802", 7: "arcnet",
    8: "atalk", 15: "dlci", 19: "atm", 23: "metricom", 24: "ieee1394", 32: "infiniband",
    256: "slip", 257: "cslip", 258: "slip6", 259: "cslip6", 260: "rsrvd", 264: "adapt",
    270: "rose", 271: "x25", 272: "hwx25", 280: "can", 512: "ppp", 513: "hdlc", 516: "lapb",
    517: "ddcmp", 518: "rawhdlc", 519: "rawip", 768: "ipip", 769: "tunnel6", 770: "frad",
    771: "skip", 772: "loopback", 773: "ltalk", 774: "fddi", 775: "bif", 776: "sit",
    777: "ip/ddp", 778: "gre", 779: "pimreg", 780: "hippi", 781: "ash", 782: "econet",
    783: "irda", 784: "fcpp", 785: "fcal", 786: "fcpl", 787: "fcfb0", 800: "tr",
    801: "ieee802.11", 802: "ieee802.11/prism", 803: "ieee802.11/radiotap",
    804: "ieee802.15.4", 805: "ieee802.15.4/monitor", 820: "phonet", 821: "phonet_pipe",
    822: "caif", 823: "gre6", 824: "netlink", 825: "6lowpan", 65534: "none", 65535: "void",
}  # fmt: skip
_IFA_FLAG_NAMES = (
    "secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative",
    "permanent", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy",
)  # fmt: skip
_SCOPES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
_TABLES = {0: "unspec", 253: "default", 254: "main", 255: "local"}
_PROTOCOLS = {
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
    10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
    18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf",
    189: "rip", 192: "eigrp",
}  # fmt: skip
_ROUTE_TYPES = (
    "unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole",
    "unreachable", "prohibit", "throw", "nat", "xresolve",
)  # fmt: skip
# print_rt_flags, in iproute2's order: RTNH_F_* (low byte) then RTM_F_*
_ROUTE_FLAGS = (
    (0x1, "dead"), (0x4, "onlink"), (0x2, "pervasive"), (0x8, "offload"), (0x40, "trap"),
    (0x100, "notify"), (0x10, "linkdown"), (0x20, "unresolved"), (0x4000, "rt_offload"),
    (0x8000, "rt_trap"), (0x20000000, "rt_offload_failed"),
)  # fmt: skip
_METRIC_NAMES = {
    1: "lock", 2: "mtu", 3: "window", 4: "rtt", 5: "rttvar", 6: "ssthresh", 7: "cwnd",
    8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd", 12: "features",
    13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl", 17: "fastopen_no_cookie",
}  # fmt: skip
_METRIC_NUMBERS = {f"RTAX_{name.upper()}": number for number, name in _METRIC_NAMES.items()}
_METRIC_NUMBERS["RTAX_CC_ALGO"] = 16
_PREFS = {0: "medium", 1: "high", 3: "low"}
_FAMILIES = {AF_INET: "inet", AF_INET6: "inet6", 7: "bridge", 17: "link", 28: "mpls"}


def family_name(family: int) -> str:
    return _FAMILIES.get(family, str(family))


def scope_name(scope: int) -> str:
    return _SCOPES.get(scope, str(scope))


def table_name(table: int) -> str:
    return _TABLES.get(table, str(table))


def _ifname(names: dict[int, str], index: int) -> str:
    return names.get(index, f"if{index}")


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


def link_json(
    msg: LinkMessage,
    names: dict[int, str],
    flags_by_index: dict[int, int],
    *,
    linkmode: bool = True,
    link_layer: bool = True,
) -> dict[str, Any]:
    """One element of ``ip -j link show``.

    ``linkmode=False`` leaves ``linkmode`` out, as ``ip -j addr`` does; ``link_layer=False``
    leaves ``link_type``, ``address`` and ``broadcast`` out, as ``ip -j -4 addr`` does.

    ``names`` maps the namespace's interface indexes to names (for ``link`` and ``master``);
    ``flags_by_index`` their flags (for ``M-DOWN``).
    """
    a = msg.attrs
    out: dict[str, Any] = {"ifindex": msg.index}
    master_down = False
    if "IFLA_LINK" in a:
        iflink = a["IFLA_LINK"]
        if iflink == 0:
            out["link"] = None
        elif "IFLA_LINK_NETNSID" in a:
            out["link_index"] = iflink
        else:
            out["link"] = _ifname(names, iflink)
            master_down = not flags_by_index.get(iflink, IFF_UP) & IFF_UP
    if "IFLA_IFNAME" in a:
        out["ifname"] = a["IFLA_IFNAME"]
    out["flags"] = link_flags(msg.link_flags, master_down=master_down)
    if "IFLA_MTU" in a:
        out["mtu"] = a["IFLA_MTU"]
    if "IFLA_QDISC" in a:
        out["qdisc"] = a["IFLA_QDISC"]
    if "IFLA_MASTER" in a:
        out["master"] = _ifname(names, a["IFLA_MASTER"])
    if "IFLA_OPERSTATE" in a:
        state = a["IFLA_OPERSTATE"]
        out["operstate"] = OPERSTATES[state] if state < len(OPERSTATES) else str(state)
    if linkmode and "IFLA_LINKMODE" in a:
        mode = a["IFLA_LINKMODE"]
        out["linkmode"] = _LINKMODES[mode] if mode < len(_LINKMODES) else str(mode)
    if "IFLA_GROUP" in a:
        out["group"] = "default" if a["IFLA_GROUP"] == 0 else str(a["IFLA_GROUP"])
    if "IFLA_TXQLEN" in a:
        out["txqlen"] = a["IFLA_TXQLEN"]
    if link_layer:
        out["link_type"] = _LINK_TYPES.get(msg.link_type, f"[{msg.link_type}]")
        if "IFLA_ADDRESS" in a:
            out["address"] = a["IFLA_ADDRESS"]
        if "IFLA_BROADCAST" in a and not msg.link_flags & IFF_POINTOPOINT:
            out["broadcast"] = a["IFLA_BROADCAST"]
    if "IFLA_LINK_NETNSID" in a:
        out["link_netnsid"] = a["IFLA_LINK_NETNSID"]
    return out


def addr_info_json(msg: AddressMessage) -> dict[str, Any]:
    """One element of ``addr_info`` in ``ip -j addr show``."""
    a = msg.attrs
    out: dict[str, Any] = {"family": family_name(msg.family)}
    local = a.get("IFA_LOCAL")
    address = a.get("IFA_ADDRESS")
    if local is not None:
        out["local"] = str(local)
        if address is not None and address != local:
            out["address"] = str(address)
    elif address is not None:
        out["local"] = str(address)
    out["prefixlen"] = msg.prefixlen
    if "IFA_BROADCAST" in a:
        out["broadcast"] = str(a["IFA_BROADCAST"])
    if "IFA_ANYCAST" in a:
        out["anycast"] = str(a["IFA_ANYCAST"])
    out["scope"] = scope_name(msg.scope)
    flags = a.get("IFA_FLAGS", msg.addr_flags)
    if not flags & IFA_F_PERMANENT:
        out["dynamic"] = True
    for bit, name in enumerate(_IFA_FLAG_NAMES):
        mask = 1 << bit
        if flags & mask and mask != IFA_F_PERMANENT:
            key = "temporary" if mask == IFA_F_SECONDARY and msg.family == AF_INET6 else name
            out[key] = True
    if "IFA_LABEL" in a:
        out["label"] = a["IFA_LABEL"]
    if "IFA_CACHEINFO" in a:
        ci = a["IFA_CACHEINFO"]
        out["valid_life_time"] = ci[1]
        out["preferred_life_time"] = ci[0]
    return out


def route_json(msg: RouteMessage, names: dict[int, str], *, show_table: bool = True) -> dict[str, Any]:
    """One element of ``ip -j route show`` (``show_table=False`` when the listing is of one
    table, as ``ip route show table N`` leaves ``table`` out)."""
    a = msg.attrs
    out: dict[str, Any] = {}
    if msg.type == RTM_DELROUTE:
        out["deleted"] = True
    if msg.route_type != RTN_UNICAST:
        rtype = msg.route_type
        out["type"] = _ROUTE_TYPES[rtype] if rtype < len(_ROUTE_TYPES) else str(rtype)
    host_len = 32 if msg.family == AF_INET else 128
    dst = a.get("RTA_DST")
    if dst is not None:
        out["dst"] = str(dst) if msg.dst_len == host_len else f"{dst}/{msg.dst_len}"
    elif msg.dst_len:
        out["dst"] = f"0/{msg.dst_len}"
    else:
        out["dst"] = "default"
    src = a.get("RTA_SRC")
    if src is not None:
        out["src"] = str(src) if msg.src_len == host_len else f"{src}/{msg.src_len}"
    elif msg.src_len:
        out["src"] = f"0/{msg.src_len}"
    if "RTA_GATEWAY" in a:
        out["gateway"] = str(a["RTA_GATEWAY"])
    if "RTA_OIF" in a:
        out["dev"] = _ifname(names, a["RTA_OIF"])
    table = a.get("RTA_TABLE", msg.table)
    if show_table and table and table != RT_TABLE_MAIN:
        out["table"] = table_name(table)
    if not msg.route_flags & RTM_F_CLONED:
        if msg.protocol != RTPROT_BOOT:
            out["protocol"] = _PROTOCOLS.get(msg.protocol, str(msg.protocol))
        if msg.scope != RT_SCOPE_UNIVERSE:
            out["scope"] = scope_name(msg.scope)
    if "RTA_PREFSRC" in a:
        out["prefsrc"] = str(a["RTA_PREFSRC"])
    if "RTA_PRIORITY" in a:
        out["metric"] = a["RTA_PRIORITY"]
    out["flags"] = [name for bit, name in _ROUTE_FLAGS if msg.route_flags & bit]
    metrics = a.get("RTA_METRICS")
    if metrics:
        # one object, keys in RTAX_* order (iproute2's print_rta_metrics); the lock mask and
        # the feature bits are not plain values and are left out
        found: list[tuple[int, str, Any]] = []
        for key, value in metrics.items():
            number = key if isinstance(key, int) else _METRIC_NUMBERS.get(key, 0)
            if number in {0, 1, 12}:
                continue
            found.append((number, _METRIC_NAMES.get(number, str(number)), value))
        if found:
            out["metrics"] = [{name: value for _, name, value in sorted(found, key=lambda t: t[0])}]
    if "RTA_PREF" in a:
        out["pref"] = _PREFS.get(a["RTA_PREF"], str(a["RTA_PREF"]))
    return out


# ------------------------------------------------------------------------------ human output

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


def _lifetime(value: int) -> str:
    return "forever" if value == 0xFFFFFFFF else f"{value}sec"


def _addr_lines(info: dict[str, Any]) -> list[str]:
    line = f"    {info['family']} {info.get('local', '')}"
    if "address" in info:
        line += f" peer {info['address']}"
    line += f"/{info['prefixlen']}"
    if "broadcast" in info:
        line += f" brd {info['broadcast']}"
    line += f" scope {info['scope']}"
    for flag in ("dynamic", "temporary", *_IFA_FLAG_NAMES):
        if info.get(flag) is True:
            line += f" {flag}"
    if "label" in info:
        line += f" {info['label']}"
    lines = [line]
    if "valid_life_time" in info:
        lines.append(
            f"       valid_lft {_lifetime(info['valid_life_time'])}"
            f" preferred_lft {_lifetime(info['preferred_life_time'])}"
        )
    return lines


def addr_text(link: dict[str, Any]) -> str:
    """``ip addr show`` for one link object carrying ``addr_info``."""
    lines = [link_text(link)]
    for info in link.get("addr_info", []):
        lines += _addr_lines(info)
    return "\n".join(lines)


def addr_event_text(event: dict[str, Any]) -> str:
    """``ip monitor``'s address lines: ``INDEX: IFNAME    inet ADDR/LEN ...``."""
    lines: list[str] = []
    for info in event["addr_info"]:
        lines += _addr_lines(info)
    if lines:
        lines[0] = f"{event['ifindex']}: {event['ifname']}" + lines[0]
    return "\n".join(lines)


def route_text(route: dict[str, Any]) -> str:
    """``ip route show``'s line for one :func:`route_json` object."""
    parts = []
    if route.get("deleted"):
        parts.append("Deleted")
    if "type" in route:
        parts.append(route["type"])
    parts.append(route["dst"])
    if "src" in route:
        parts.append(f"from {route['src']}")
    for key, label in (("gateway", "via"), ("dev", "dev"), ("table", "table"), ("protocol", "proto"),
                       ("scope", "scope"), ("prefsrc", "src"), ("metric", "metric")):  # fmt: skip
        if key in route:
            parts.append(f"{label} {route[key]}")
    parts.extend(route.get("flags", []))
    for metric in route.get("metrics", []):
        for key, value in metric.items():
            parts.append(f"{key} {value}")
    if "pref" in route:
        parts.append(f"pref {route['pref']}")
    return " ".join(parts)
