"""What the ``ip``-like views share: iproute2's names for families, scopes and tables, and the
plumbing of a ``show`` command (a socket in ``-n NETNS``, the link dump every view needs for
names, ``[dev] DEV | master DEV | type KIND`` selection, JSON or text output).

Names iproute2 reads from ``/etc/iproute2`` (tables, protocols, groups) are its built-in ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rawnl.engine.socket import NetlinkSocket
from rawnl.errors import CommandError
from rawnl.ops import links
from rawnl.ops.request import DUMP_RETRIES
from rawnl.wire.codec import pick, single
from rawnl.wire.link import LinkMessage
from rawnl.wire.uapi import (
    AF_BRIDGE,
    AF_INET,
    AF_INET6,
    AF_MPLS,
    AF_PACKET,
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_SCOPE_SITE,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_DEFAULT,
    RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
    RT_TABLE_UNSPEC,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from rawnl.wire.message import Message

__all__ = [
    "Follow",
    "default",
    "View",
    "dump",
    "emit",
    "family_name",
    "open_socket",
    "print_json",
    "scope_name",
    "select",
    "table_name",
]

_FAMILIES = {AF_INET: "inet", AF_INET6: "inet6", AF_BRIDGE: "bridge", AF_PACKET: "link", AF_MPLS: "mpls"}
_SCOPES = {
    RT_SCOPE_UNIVERSE: "global",
    RT_SCOPE_SITE: "site",
    RT_SCOPE_LINK: "link",
    RT_SCOPE_HOST: "host",
    RT_SCOPE_NOWHERE: "nowhere",
}
_TABLES = {RT_TABLE_UNSPEC: "unspec", RT_TABLE_DEFAULT: "default", RT_TABLE_MAIN: "main", RT_TABLE_LOCAL: "local"}


def default(value: Any, fallback: Any) -> Any:
    """``value``, or ``fallback`` when it is ``None`` (an attribute the message does not hold)."""
    return fallback if value is None else value


def family_name(family: int) -> str:
    return _FAMILIES.get(family, str(family))


def scope_name(scope: int) -> str:
    return _SCOPES.get(scope, str(scope))


def table_name(table: int) -> str:
    return _TABLES.get(table, str(table))


class View:
    """What the shapes need to know about the namespace: each link's name (for ``link``,
    ``master``, ``dev``) and flags (for ``M-DOWN``); kept current from link events by
    ``rawnl monitor``."""

    def __init__(self, link_msgs: Sequence[LinkMessage] = ()) -> None:
        self.names: dict[int, str] = {}
        self.flags: dict[int, int] = {}
        for msg in link_msgs:
            self.update(msg)

    def update(self, msg: LinkMessage, *, deleted: bool = False) -> None:
        if deleted:
            self.names.pop(msg.index, None)
            self.flags.pop(msg.index, None)
            return
        self.names[msg.index] = default(single(msg.attrs, "IFLA_IFNAME"), f"if{msg.index}")
        self.flags[msg.index] = msg.link_flags

    def ifname(self, index: int) -> str:
        return self.names.get(index, f"if{index}")


@dataclass(frozen=True)
class Follow:
    """How ``rawnl monitor`` follows a family: its name on the command line, the multicast groups
    to join, its message class, and ``event(msg, view)``, which gives the JSON object and the
    text ``ip monitor`` prints (or ``None`` to skip the message)."""

    name: str
    groups: tuple[int, ...]
    message: type[Message]
    event: Callable[[Any, View], tuple[dict[str, Any], str] | None]


def open_socket(args: argparse.Namespace) -> NetlinkSocket:
    """A netlink socket in ``-n NETNS`` (or here)."""
    return NetlinkSocket(netns=args.netns)


def dump(sock: NetlinkSocket, msg: Message, cls: type[Any]) -> list[Any]:
    """The messages of class ``cls`` in the dump ``msg`` asks for (read again if interrupted)."""
    return [m for m in sock.dump(msg, retries=DUMP_RETRIES) if isinstance(m, cls)]


def dump_links(sock: NetlinkSocket) -> list[LinkMessage]:
    """Every link, as ``ip link show`` asks for them (:func:`rawnl.ops.links.link_dump`)."""
    return dump(sock, links.link_dump().msg, LinkMessage)


def select(link_msgs: list[LinkMessage], words: list[str]) -> list[LinkMessage]:
    """The links ``[dev] DEV``, ``master DEV`` and ``type KIND`` pick (all of them for no words),
    as ``ip link show`` does."""
    dev = master = kind = None
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in {"dev", "master", "type"}:
            if not rest:
                raise CommandError(f"{word}: expected a name after it")
            value = rest.pop(0)
        else:
            word, value = "dev", word
        if word == "dev":
            if dev is not None:
                raise CommandError(f"expected one device name, got {dev!r} and {value!r}")
            dev = value
        elif word == "master":
            master = value
        else:
            kind = value
    by_name = {single(m.attrs, "IFLA_IFNAME"): m for m in link_msgs}
    chosen = link_msgs
    for name in (dev, master):
        if name is not None and name not in by_name:
            raise CommandError(f'Device "{name}" does not exist.')
    if dev is not None:
        chosen = [by_name[dev]]
    if master is not None:
        index = by_name[master].index
        chosen = [m for m in chosen if single(m.attrs, "IFLA_MASTER") == index]
    if kind is not None:
        chosen = [m for m in chosen if pick(m.attrs, (("IFLA_LINKINFO", "IFLA_INFO_KIND"),))[0] == kind]
    return chosen


def print_json(obj: Any, args: argparse.Namespace) -> None:
    if args.pretty:
        print(json.dumps(obj, indent=4))
    else:
        print(json.dumps(obj, separators=(",", ":")))


def emit(objs: list[dict[str, Any]], args: argparse.Namespace, text: Callable[[dict[str, Any]], str]) -> None:
    """``objs`` as one JSON list with ``-j``, else ``text(obj)`` for each, as ``ip`` prints them."""
    if args.json:
        print_json(objs, args)
    else:
        for obj in objs:
            print(text(obj))
