"""``rawnl monitor [link] [address] [route]``: ``ip monitor``, in iproute2's shapes.

Each family's module gives how it is followed (``MONITOR``: its name, multicast groups, message
class and printer); a family is one line in ``FAMILIES``.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from rawnl.cli.command import Command
from rawnl.engine.socket import Malformed, Overrun
from rawnl.errors import CommandError, InvalidMessageError
from rawnl.wire.uapi import RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE

from . import address, link, route
from .common import Follow, View, dump_links, open_socket

if TYPE_CHECKING:
    import argparse

__all__ = ["COMMAND", "FAMILIES"]

#: Every family ``rawnl monitor`` follows, one line each.
FAMILIES: tuple[Follow, ...] = (
    link.MONITOR,
    address.MONITOR,
    route.MONITOR,
)
_DELETIONS = {RTM_DELLINK, RTM_DELADDR, RTM_DELROUTE}


def configure(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(family.name for family in FAMILIES)
    parser.add_argument("objects", nargs="*", metavar="OBJECT", help=f"{names} (default: all)")
    parser.add_argument("--count", type=int, default=0, metavar="N", help="stop after N events")


def run(args: argparse.Namespace) -> int:
    """Print events as they come; Ctrl-C (or ``--count N``) to stop."""
    known = {family.name: family for family in FAMILIES}
    wanted = set(args.objects) or set(known)
    for name in wanted:
        if name not in known:
            raise CommandError(f"monitor: unknown object {name!r} ({', '.join(known)})")
    chosen = [family for family in FAMILIES if family.name in wanted]
    printers = {family.message: family.event for family in chosen}
    groups = [group for family in chosen for group in family.groups]
    count = 0
    with open_socket(args) as sock, open_socket(args) as events:
        events.subscribe(*groups)
        view = View(dump_links(sock))
        for msg in events.events():
            if isinstance(msg, Overrun):
                print("rawnl: monitor: events were lost (receive buffer overrun)", file=sys.stderr)
                continue
            if isinstance(msg, Malformed):
                print(f"rawnl: monitor: an event could not be read: {msg.error}", file=sys.stderr)
                continue
            printer = printers.get(type(msg))
            if printer is None:
                continue
            try:
                shown = printer(msg, view)
            except InvalidMessageError as exc:
                print(f"rawnl: monitor: an event could not be read: {exc}", file=sys.stderr)
                continue
            if shown is None:
                continue
            out, text = shown
            deleted = msg.type in _DELETIONS
            if args.json:
                if deleted:
                    out["deleted"] = True
                print(json.dumps(out, separators=(",", ":")), flush=True)
            else:
                print(("Deleted " if deleted else "") + text, flush=True)
            count += 1
            if args.count and count >= args.count:
                break
    return 0


COMMAND = Command("monitor", "print link, address and route events, like ip monitor", configure, run)
