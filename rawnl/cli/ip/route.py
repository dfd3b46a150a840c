"""``rawnl route show``: iproute2's route shapes (``ip -j route show`` and its text), and how
``rawnl monitor`` prints route events.

Checked against iproute2 6.1 on Linux 6.18: ``protocol`` is left out for ``boot``, ``scope`` for
``global``, ``table`` for ``main``, ``type`` for ``unicast``; cloned (cache) routes are not
listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rawnl.cli.command import Command
from rawnl.errors import CommandError
from rawnl.ops import routes
from rawnl.ops.validate import TABLE_NAMES
from rawnl.wire.codec import single
from rawnl.wire.route import METRICS, RouteMessage
from rawnl.wire.uapi import (
    AF_INET,
    AF_UNSPEC,
    ICMPV6_ROUTER_PREF_HIGH,
    ICMPV6_ROUTER_PREF_LOW,
    ICMPV6_ROUTER_PREF_MEDIUM,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_MAIN,
    RTM_DELROUTE,
    RTM_F_CLONED,
    RTM_F_NOTIFY,
    RTM_F_OFFLOAD,
    RTM_F_OFFLOAD_FAILED,
    RTM_F_TRAP,
    RTN_ANYCAST,
    RTN_BLACKHOLE,
    RTN_BROADCAST,
    RTN_LOCAL,
    RTN_MULTICAST,
    RTN_NAT,
    RTN_PROHIBIT,
    RTN_THROW,
    RTN_UNICAST,
    RTN_UNREACHABLE,
    RTN_UNSPEC,
    RTN_XRESOLVE,
    RTNH_F_DEAD,
    RTNH_F_LINKDOWN,
    RTNH_F_OFFLOAD,
    RTNH_F_ONLINK,
    RTNH_F_PERVASIVE,
    RTNH_F_TRAP,
    RTNH_F_UNRESOLVED,
    RTNLGRP_IPV4_ROUTE,
    RTNLGRP_IPV6_ROUTE,
    RTPROT_BABEL,
    RTPROT_BGP,
    RTPROT_BIRD,
    RTPROT_BOOT,
    RTPROT_DHCP,
    RTPROT_DNROUTED,
    RTPROT_EIGRP,
    RTPROT_GATED,
    RTPROT_ISIS,
    RTPROT_KEEPALIVED,
    RTPROT_KERNEL,
    RTPROT_MRT,
    RTPROT_NTK,
    RTPROT_OPENR,
    RTPROT_OSPF,
    RTPROT_RA,
    RTPROT_REDIRECT,
    RTPROT_RIP,
    RTPROT_STATIC,
    RTPROT_UNSPEC,
    RTPROT_XORP,
    RTPROT_ZEBRA,
)

from .common import Follow, View, default, dump, dump_links, emit, open_socket, scope_name, table_name

if TYPE_CHECKING:
    import argparse

    from rawnl.wire.structs import Nexthop

__all__ = ["COMMAND", "MONITOR", "route_json", "route_text"]

_PROTOCOLS = {
    RTPROT_UNSPEC: "unspec", RTPROT_REDIRECT: "redirect", RTPROT_KERNEL: "kernel", RTPROT_BOOT: "boot",
    RTPROT_STATIC: "static", RTPROT_GATED: "gated", RTPROT_RA: "ra", RTPROT_MRT: "mrt", RTPROT_ZEBRA: "zebra",
    RTPROT_BIRD: "bird", RTPROT_DNROUTED: "dnrouted", RTPROT_XORP: "xorp", RTPROT_NTK: "ntk",
    RTPROT_DHCP: "dhcp", RTPROT_KEEPALIVED: "keepalived", RTPROT_BABEL: "babel", RTPROT_OPENR: "openr",
    RTPROT_BGP: "bgp", RTPROT_ISIS: "isis", RTPROT_OSPF: "ospf", RTPROT_RIP: "rip", RTPROT_EIGRP: "eigrp",
}  # fmt: skip
_ROUTE_TYPES = {
    RTN_UNSPEC: "unspec", RTN_UNICAST: "unicast", RTN_LOCAL: "local", RTN_BROADCAST: "broadcast",
    RTN_ANYCAST: "anycast", RTN_MULTICAST: "multicast", RTN_BLACKHOLE: "blackhole",
    RTN_UNREACHABLE: "unreachable", RTN_PROHIBIT: "prohibit", RTN_THROW: "throw", RTN_NAT: "nat",
    RTN_XRESOLVE: "xresolve",
}  # fmt: skip
# print_rt_flags, in iproute2's order: RTNH_F_* (low byte) then RTM_F_*
_ROUTE_FLAGS = (
    (RTNH_F_DEAD, "dead"), (RTNH_F_ONLINK, "onlink"), (RTNH_F_PERVASIVE, "pervasive"),
    (RTNH_F_OFFLOAD, "offload"), (RTNH_F_TRAP, "trap"), (RTM_F_NOTIFY, "notify"),
    (RTNH_F_LINKDOWN, "linkdown"), (RTNH_F_UNRESOLVED, "unresolved"), (RTM_F_OFFLOAD, "rt_offload"),
    (RTM_F_TRAP, "rt_trap"), (RTM_F_OFFLOAD_FAILED, "rt_offload_failed"),
)  # fmt: skip
#: RTAX_* in iproute2's words (RTAX_CC_ALGO prints as congctl), in table order; the lock mask and
#: the feature bits are not plain values and are left out
_METRICS = {
    spec.name: (spec.number, "congctl" if spec.name == "RTAX_CC_ALGO" else spec.name[5:].lower())
    for spec in METRICS.by_number.values()
    if spec.name not in {"RTAX_LOCK", "RTAX_FEATURES"}
}
_PREFS = {ICMPV6_ROUTER_PREF_MEDIUM: "medium", ICMPV6_ROUTER_PREF_HIGH: "high", ICMPV6_ROUTER_PREF_LOW: "low"}


def route_json(msg: RouteMessage, view: View, *, show_table: bool = True) -> dict[str, Any]:
    """One element of ``ip -j route show`` (``show_table=False`` when the listing is of one
    table, as ``ip route show table N`` leaves ``table`` out)."""
    a = msg.attrs
    out: dict[str, Any] = {}
    if msg.type == RTM_DELROUTE:
        out["deleted"] = True
    if msg.route_type != RTN_UNICAST:
        out["type"] = _ROUTE_TYPES.get(msg.route_type) or str(msg.route_type)
    host_len = 32 if msg.family == AF_INET else 128
    dst = single(a, "RTA_DST")
    if dst is not None:
        out["dst"] = str(dst) if msg.dst_len == host_len else f"{dst}/{msg.dst_len}"
    elif msg.dst_len:
        out["dst"] = f"0/{msg.dst_len}"
    else:
        out["dst"] = "default"
    src = single(a, "RTA_SRC")
    if src is not None:
        out["src"] = str(src) if msg.src_len == host_len else f"{src}/{msg.src_len}"
    elif msg.src_len:
        out["src"] = f"0/{msg.src_len}"
    if "RTA_GATEWAY" in a:
        out["gateway"] = str(single(a, "RTA_GATEWAY"))
    if "RTA_OIF" in a:
        out["dev"] = view.ifname(single(a, "RTA_OIF"))
    table = default(single(a, "RTA_TABLE"), msg.table)
    if show_table and table and table != RT_TABLE_MAIN:
        out["table"] = table_name(table)
    if not msg.route_flags & RTM_F_CLONED:
        if msg.protocol != RTPROT_BOOT:
            out["protocol"] = _PROTOCOLS.get(msg.protocol, str(msg.protocol))
        if msg.scope != RT_SCOPE_UNIVERSE:
            out["scope"] = scope_name(msg.scope)
    if "RTA_PREFSRC" in a:
        out["prefsrc"] = str(single(a, "RTA_PREFSRC"))
    if "RTA_PRIORITY" in a:
        out["metric"] = single(a, "RTA_PRIORITY")
    out["flags"] = [name for bit, name in _ROUTE_FLAGS if msg.route_flags & bit]
    metrics = single(a, "RTA_METRICS")
    if metrics:
        # one object, keys in RTAX_* order (iproute2's print_rta_metrics)
        found = sorted(
            (_METRICS[key] if isinstance(key, str) else (key, str(key)), value)  # a raw key: a newer RTAX_*
            for key, value in metrics.items()
            if not isinstance(key, str) or key in _METRICS
        )
        if found:
            out["metrics"] = [{name: value for (_number, name), value in found}]
    if "RTA_PREF" in a:
        out["pref"] = _PREFS.get(single(a, "RTA_PREF"), str(single(a, "RTA_PREF")))
    hops = single(a, "RTA_MULTIPATH")
    if hops:
        out["nexthops"] = [_nexthop_json(hop, view) for hop in hops]
    return out


def _nexthop_json(hop: Nexthop, view: View) -> dict[str, Any]:
    """One element of ``nexthops`` (iproute2's print_rta_multipath): gateway, dev, weight
    (``rtnh_hops`` + 1), flags."""
    out: dict[str, Any] = {}
    gateway = single(hop.attrs, "RTA_GATEWAY")
    if gateway is not None:
        out["gateway"] = str(gateway)
    if hop.ifindex:
        out["dev"] = view.ifname(hop.ifindex)
    out["weight"] = hop.hops + 1
    out["flags"] = [name for bit, name in _ROUTE_FLAGS if bit & 0xFF and hop.flags & bit]
    return out


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
    lines = [" ".join(parts)]
    for hop in route.get("nexthops", []):  # each on its own line, as ip prints them
        words = ["\tnexthop"]
        words += [
            f"{label} {hop[key]}"
            for key, label in (("gateway", "via"), ("dev", "dev"), ("weight", "weight"))
            if key in hop
        ]
        lines.append(" ".join([*words, *hop.get("flags", [])]))
    return "\n".join(lines)


# ------------------------------------------------------------------------------- the command


def _table_arg(words: list[str]) -> int | None:
    """``[table ID|NAME|all]`` -> the table id (``None`` for all); main by default."""
    if not words:
        return RT_TABLE_MAIN
    if words[0] != "table" or len(words) != 2:
        raise CommandError(f"expected 'table ID', got {' '.join(words)!r}")
    word = words[1]
    if word == "all":
        return None
    if word in TABLE_NAMES:
        return TABLE_NAMES[word]
    try:
        table = int(word, 0)
    except ValueError:
        raise CommandError(f"table: {word!r} is not a table id, main, local, default or all") from None
    if not 0 < table < 1 << 32:
        raise CommandError(f"table: {word} is out of range (1 to 4294967295)")
    return table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="show", choices=["show", "list", "ls", "lst"], metavar="show")
    parser.add_argument("args", nargs="*", metavar="ARG", help="table ID|main|local|all")


def run(args: argparse.Namespace) -> int:
    """``rawnl route show [table N]``: ``ip route show``: IPv4 (unless ``-6``) of table main,
    unless a table is given; ``table all`` shows both families."""
    table = _table_arg(args.args)
    family = args.family
    if family == AF_UNSPEC and table is not None:
        family = AF_INET  # as ip: a table filter without -6 means IPv4
    with open_socket(args) as sock:
        link_msgs = dump_links(sock)
        route_msgs = dump(sock, routes.route_dump(family=family or None).msg, RouteMessage)
    view = View(link_msgs)
    objs = []
    for r in route_msgs:
        if family not in (AF_UNSPEC, r.family) or r.route_flags & RTM_F_CLONED:
            continue
        if table is not None and default(single(r.attrs, "RTA_TABLE"), r.table) != table:
            continue
        objs.append(route_json(r, view, show_table=table is None))
    emit(objs, args, route_text)
    return 0


COMMAND = Command("route", "show routes, like ip route show [table N]", configure, run, aliases=("r",))


def event(msg: RouteMessage, view: View) -> tuple[dict[str, Any], str] | None:
    """A route event as ``ip monitor`` prints it (JSON object, text); none for a cloned route."""
    if msg.route_flags & RTM_F_CLONED:
        return None
    obj = route_json(msg, view)
    obj.pop("deleted", None)
    return obj, route_text(obj)


#: How ``rawnl monitor`` follows routes.
MONITOR = Follow("route", (RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE), RouteMessage, event)
