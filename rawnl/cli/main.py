"""The ``rawnl`` command: ``ip``-like views, namespaces, runc-style networks and the demo.

::

    rawnl [-n NETNS] [-j [-p]] link show [[dev] DEV | master DEV | type KIND]
    rawnl [-n NETNS] [-j] [-4|-6] addr show [[dev] DEV | master DEV | type KIND]
    rawnl [-n NETNS] [-j] [-4|-6] route show [table ID|NAME|all]
    rawnl [-n NETNS] [-j] monitor [link] [address] [route]
    rawnl netns add|del NAME... | rawnl netns list
    rawnl network up|down --config FILE (--netns NAME | --pid PID) [--host-netns NAME]
    rawnl demo [--containers N] [--keep]

With ``-j`` the views print iproute2's JSON (same keys and shapes as ``ip -j``, see
:mod:`rawnl.cli.ip`); without, ``ip``-like text.  A user's mistake (a bad argument, a missing
device or namespace, a refused request) prints one line on stderr and exits 1 (2 for a usage
error); there is no traceback.  Each command is a module with a ``COMMAND``, one line in
``COMMANDS`` below.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from rawnl._version import __version__
from rawnl.errors import CommandError, DumpInterrupted, NetlinkError
from rawnl.wire.uapi import AF_INET, AF_INET6, AF_UNSPEC

from . import demo, netns, network
from .ip import address, link, monitor, route

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .command import Command

__all__ = ["COMMANDS", "build_parser", "main"]

#: Every command, one line each, in the order ``--help`` lists them.
COMMANDS: tuple[Command, ...] = (
    link.COMMAND,
    address.COMMAND,
    route.COMMAND,
    monitor.COMMAND,
    netns.COMMAND,
    network.COMMAND,
    demo.COMMAND,
)


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    """The options accepted both before and after the command (``-n``, ``-j``, ``-p``, ``-4``, ``-6``)."""
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "-n", dest="netns", metavar="NETNS", default=default, help="run in network namespace NETNS (a name or a path)"
    )
    parser.add_argument(
        "-j", "--json", action="store_true", default=False if top else argparse.SUPPRESS, help="JSON output"
    )
    parser.add_argument(
        "-p", "--pretty", action="store_true", default=False if top else argparse.SUPPRESS, help="indent the JSON"
    )
    fam = parser.add_mutually_exclusive_group()
    for flag, family, what in (("-4", AF_INET, "IPv4 only"), ("-6", AF_INET6, "IPv6 only")):
        fam.add_argument(
            flag,
            dest="family",
            action="store_const",
            const=family,
            default=AF_UNSPEC if top else argparse.SUPPRESS,
            help=what,
        )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rawnl", description="rtnetlink from Python: links, addresses, routes, namespaces, runc networks"
    )
    parser.add_argument("--version", action="version", version=f"rawnl {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, aliases=list(command.aliases), description=command.help)
        _common(p, top=False)
        p.set_defaults(func=command.run)
        command.configure(p)
    return parser


def _describe(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", None) or []
    where = "".join(f"{note}: " for note in reversed(notes))  # outermost first
    if isinstance(exc, NetlinkError):
        text = exc.strerror or str(exc)
        if exc.kernel_message:
            text += f" ({exc.kernel_message})"
        return where + text
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
        if exc.filename is not None and str(exc.filename) not in text:
            text += f": {exc.filename}"
        if exc.errno in {1, 13} and os.geteuid() != 0:
            text += " (are you root?)"
        return where + text
    return where + str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (``python -m rawnl`` and the ``rawnl`` script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`rawnl monitor | head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (CommandError, ValueError, OSError, DumpInterrupted) as exc:
        print(f"rawnl {args.command}: {_describe(exc)}", file=sys.stderr)
        return 1
