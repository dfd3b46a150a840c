"""``rawnl netns add|del NAME...`` and ``rawnl netns list``: ``ip netns``, in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rawnl.engine.netns import NetNS
from rawnl.errors import CommandError

from .command import Command
from .ip.common import print_json

if TYPE_CHECKING:
    import argparse

__all__ = ["COMMAND"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["add", "del", "delete", "list", "ls", "show"])
    parser.add_argument("names", nargs="*", metavar="NAME")


def run(args: argparse.Namespace) -> int:
    if args.action in {"list", "ls", "show"}:
        if args.names:
            raise CommandError("netns list takes no names")
        names = NetNS.list()
        if args.json:
            print_json([{"name": n} for n in names], args)
        else:
            for n in names:
                print(n)
        return 0
    if not args.names:
        raise CommandError(f"netns {args.action}: give at least one name")
    for name in args.names:
        if args.action == "add":
            try:
                NetNS.create(name).close()
            except FileExistsError:
                raise CommandError(f"netns add: network namespace {name!r} already exists") from None
        else:
            try:
                NetNS.delete(name)
            except FileNotFoundError:
                raise CommandError(f"netns del: no network namespace named {name!r}") from None
    return 0


COMMAND = Command("netns", "add, delete or list named network namespaces (/run/netns)", configure, run)
