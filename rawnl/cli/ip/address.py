"""``rawnl addr show``: iproute2's address shapes (``addr_info`` of ``ip -j addr show``, and
its text), and how ``rawnl monitor`` prints address events.

Checked against iproute2 6.1 on Linux 6.18: ``dynamic`` unless ``IFA_F_PERMANENT``; an IPv6
``IFA_F_SECONDARY`` prints as ``temporary``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rawnl.cli.command import Command
from rawnl.ops import addresses
from rawnl.ops.addresses import local_and_peer
from rawnl.wire.address import AddressMessage
from rawnl.wire.codec import single
from rawnl.wire.uapi import (
    AF_INET6,
    AF_UNSPEC,
    IFA_F_DADFAILED,
    IFA_F_DEPRECATED,
    IFA_F_HOMEADDRESS,
    IFA_F_MANAGETEMPADDR,
    IFA_F_MCAUTOJOIN,
    IFA_F_NODAD,
    IFA_F_NOPREFIXROUTE,
    IFA_F_OPTIMISTIC,
    IFA_F_PERMANENT,
    IFA_F_SECONDARY,
    IFA_F_STABLE_PRIVACY,
    IFA_F_TENTATIVE,
    RTNLGRP_IPV4_IFADDR,
    RTNLGRP_IPV6_IFADDR,
)

from .common import Follow, View, default, dump, dump_links, emit, family_name, open_socket, scope_name, select
from .link import link_json, link_text

if TYPE_CHECKING:
    import argparse

__all__ = ["COMMAND", "MONITOR", "addr_event_text", "addr_info_json", "addr_text"]

#: ``IFA_F_*`` as ``ip`` prints them, in its order (``permanent`` is shown as ``dynamic``'s absence)
_IFA_FLAG_NAMES = (
    (IFA_F_SECONDARY, "secondary"),
    (IFA_F_NODAD, "nodad"),
    (IFA_F_OPTIMISTIC, "optimistic"),
    (IFA_F_DADFAILED, "dadfailed"),
    (IFA_F_HOMEADDRESS, "home"),
    (IFA_F_DEPRECATED, "deprecated"),
    (IFA_F_TENTATIVE, "tentative"),
    (IFA_F_PERMANENT, "permanent"),
    (IFA_F_MANAGETEMPADDR, "mngtmpaddr"),
    (IFA_F_NOPREFIXROUTE, "noprefixroute"),
    (IFA_F_MCAUTOJOIN, "autojoin"),
    (IFA_F_STABLE_PRIVACY, "stable-privacy"),
)


def addr_info_json(msg: AddressMessage) -> dict[str, Any]:
    """One element of ``addr_info`` in ``ip -j addr show``."""
    a = msg.attrs
    out: dict[str, Any] = {"family": family_name(msg.family)}
    local, peer = local_and_peer(a)
    if local is not None:
        out["local"] = str(local)
    if peer is not None:
        out["address"] = str(peer)
    out["prefixlen"] = msg.prefixlen
    if "IFA_BROADCAST" in a:
        out["broadcast"] = str(single(a, "IFA_BROADCAST"))
    if "IFA_ANYCAST" in a:
        out["anycast"] = str(single(a, "IFA_ANYCAST"))
    out["scope"] = scope_name(msg.scope)
    flags = default(single(a, "IFA_FLAGS"), msg.addr_flags)
    if not flags & IFA_F_PERMANENT:
        out["dynamic"] = True
    for mask, name in _IFA_FLAG_NAMES:
        if flags & mask and mask != IFA_F_PERMANENT:
            key = "temporary" if mask == IFA_F_SECONDARY and msg.family == AF_INET6 else name
            out[key] = True
    if "IFA_LABEL" in a:
        out["label"] = single(a, "IFA_LABEL")
    if "IFA_CACHEINFO" in a:
        ci = single(a, "IFA_CACHEINFO")
        out["valid_life_time"] = ci[1]
        out["preferred_life_time"] = ci[0]
    return out


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
    for flag in ("dynamic", "temporary", *(name for _mask, name in _IFA_FLAG_NAMES)):
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


# ------------------------------------------------------------------------------- the command


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="show", choices=["show", "list", "ls", "lst"], metavar="show")
    parser.add_argument("args", nargs="*", metavar="ARG", help="[dev] DEV | master DEV | type KIND")


def run(args: argparse.Namespace) -> int:
    """``rawnl addr show [DEV]``: ``ip addr show``."""
    with open_socket(args) as sock:
        link_msgs = dump_links(sock)
        addrs = dump(sock, addresses.addr_dump(family=args.family or None).msg, AddressMessage)
    view = View(link_msgs)
    by_index: dict[int, list[dict[str, Any]]] = {}
    for a in addrs:
        if args.family in (AF_UNSPEC, a.family):
            by_index.setdefault(a.index, []).append(addr_info_json(a))
    objs = []
    for m in select(link_msgs, args.args):
        info = by_index.get(m.index, [])
        if args.family != AF_UNSPEC and not info:
            continue  # as ip -4/-6 addr: only links with addresses of that family
        obj = link_json(m, view, linkmode=False, link_layer=args.family == AF_UNSPEC)
        obj["addr_info"] = info
        objs.append(obj)
    emit(objs, args, addr_text)
    return 0


COMMAND = Command("addr", "show addresses, like ip addr show [DEV]", configure, run, aliases=("address", "a"))


def event(msg: AddressMessage, view: View) -> tuple[dict[str, Any], str]:
    """An address event as ``ip monitor`` prints it (JSON object, text)."""
    obj = {"ifindex": msg.index, "ifname": view.ifname(msg.index), "addr_info": [addr_info_json(msg)]}
    return obj, addr_event_text(obj)


#: How ``rawnl monitor`` follows addresss.
MONITOR = Follow("address", (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), AddressMessage, event)
