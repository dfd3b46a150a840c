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
:mod:`rawnl.ipjson`); without, ``ip``-like text.  A user's mistake (a bad argument, a missing
device or namespace, a refused request) prints one line on stderr and exits 1 (2 for a usage
error); there is no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import requests as rq
from .errors import NetlinkError
from .messages import AddressMessage, LinkMessage, RouteMessage
from .nlsocket import DumpInterrupted, NetlinkSocket
from .validate import TABLE_NAMES

__all__ = ["main"]

AF_UNSPEC = 0
AF_INET = 2
AF_INET6 = 10
RTM_DELLINK = 17
RTM_DELADDR = 21
RTM_DELROUTE = 25
RTM_F_CLONED = 0x200
RT_TABLE_MAIN = 254
RTNLGRP_LINK = 1
RTNLGRP_IPV4_IFADDR = 5
RTNLGRP_IPV4_ROUTE = 7
RTNLGRP_IPV6_IFADDR = 9
RTNLGRP_IPV6_ROUTE = 11

#: A dump the kernel marks interrupted (a table changed while it was read) is read again this
#: many times before the command gives up with one line.
DUMP_RETRIES = 2


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 1."""


# ------------------------------------------------------------------------------------ output


def _print_json(obj: Any, args: argparse.Namespace) -> None:
    if args.pretty:
        print(json.dumps(obj, indent=4))
    else:
        print(json.dumps(obj, separators=(",", ":")))


def _emit(objs: list[dict[str, Any]], args: argparse.Namespace, text: Callable[[dict[str, Any]], str]) -> None:
    """``objs`` as one JSON list with ``-j``, else ``text(obj)`` for each, as ``ip`` prints them."""
    if args.json:
        _print_json(objs, args)
    else:
        for obj in objs:
            print(text(obj))


def _socket(args: argparse.Namespace) -> NetlinkSocket:
    return NetlinkSocket(netns=args.netns)


def _dump_links(sock: NetlinkSocket) -> list[LinkMessage]:
    """Every link, as ``ip link show`` asks for them (RTM_GETLINK dump, see :func:`rawnl.requests.link_dump`)."""
    return [m for m in sock.dump(rq.link_dump(), retries=DUMP_RETRIES) if isinstance(m, LinkMessage)]


def _names(links: Sequence[LinkMessage]) -> tuple[dict[int, str], dict[int, int]]:
    names = {m.index: m.attrs.get("IFLA_IFNAME", f"if{m.index}") for m in links}
    flags = {m.index: m.link_flags for m in links}
    return names, flags


def _select(links: list[LinkMessage], words: list[str]) -> list[LinkMessage]:
    """The links ``[dev] DEV``, ``master DEV`` and ``type KIND`` pick (all of them for no words),
    as ``ip link show`` does."""
    dev = master = kind = None
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in {"dev", "master", "type"}:
            if not rest:
                raise UserError(f"{word}: expected a name after it")
            value = rest.pop(0)
        else:
            word, value = "dev", word
        if word == "dev":
            if dev is not None:
                raise UserError(f"expected one device name, got {dev!r} and {value!r}")
            dev = value
        elif word == "master":
            master = value
        else:
            kind = value
    by_name = {m.attrs.get("IFLA_IFNAME"): m for m in links}
    chosen = links
    for name in (dev, master):
        if name is not None and name not in by_name:
            raise UserError(f'Device "{name}" does not exist.')
    if dev is not None:
        chosen = [by_name[dev]]
    if master is not None:
        index = by_name[master].index
        chosen = [m for m in chosen if m.attrs.get("IFLA_MASTER") == index]
    if kind is not None:
        chosen = [m for m in chosen if (m.attrs.get("IFLA_LINKINFO") or {}).get("IFLA_INFO_KIND") == kind]
    return chosen


# --------------------------------------------------------------------------------- commands


def cmd_link(args: argparse.Namespace) -> int:
    """``rawnl link show [DEV]``: ``ip link show``."""
    from .ipjson import link_json, link_text

    with _socket(args) as sock:
        links = _dump_links(sock)
    names, flags = _names(links)
    objs = [link_json(m, names, flags, linkmode=True) for m in _select(links, args.args)]
    _emit(objs, args, link_text)
    return 0


def cmd_addr(args: argparse.Namespace) -> int:
    """``rawnl addr show [DEV]``: ``ip addr show``."""
    from .ipjson import addr_info_json, addr_text, link_json

    with _socket(args) as sock:
        links = _dump_links(sock)
        request = rq.addr_dump(family=args.family or None)
        addrs = [m for m in sock.dump(request, retries=DUMP_RETRIES) if isinstance(m, AddressMessage)]
    names, flags = _names(links)
    by_index: dict[int, list[dict[str, Any]]] = {}
    for a in addrs:
        if args.family in (AF_UNSPEC, a.family):
            by_index.setdefault(a.index, []).append(addr_info_json(a))
    objs = []
    for m in _select(links, args.args):
        info = by_index.get(m.index, [])
        if args.family != AF_UNSPEC and not info:
            continue  # as ip -4/-6 addr: only links with addresses of that family
        obj = link_json(m, names, flags, linkmode=False, link_layer=args.family == AF_UNSPEC)
        obj["addr_info"] = info
        objs.append(obj)
    _emit(objs, args, addr_text)
    return 0


def _table_arg(words: list[str]) -> int | None:
    """``[table ID|NAME|all]`` -> the table id (``None`` for all); main by default."""
    if not words:
        return RT_TABLE_MAIN
    if words[0] != "table" or len(words) != 2:
        raise UserError(f"expected 'table ID', got {' '.join(words)!r}")
    word = words[1]
    if word == "all":
        return None
    if word in TABLE_NAMES:
        return TABLE_NAMES[word]
    try:
        table = int(word, 0)
    except ValueError:
        raise UserError(f"table: {word!r} is not a table id, main, local, default or all") from None
    if not 0 < table < 1 << 32:
        raise UserError(f"table: {word} is out of range (1 to 4294967295)")
    return table


def cmd_route(args: argparse.Namespace) -> int:
    """``rawnl route show [table N]``: ``ip route show``: IPv4 (unless ``-6``) of table main,
    unless a table is given; ``table all`` shows both families."""
    from .ipjson import route_json, route_text

    table = _table_arg(args.args)
    family = args.family
    if family == AF_UNSPEC and table is not None:
        family = AF_INET  # as ip: a table filter without -6 means IPv4
    with _socket(args) as sock:
        links = _dump_links(sock)
        request = rq.route_dump(family=family or None)
        routes = [m for m in sock.dump(request, retries=DUMP_RETRIES) if isinstance(m, RouteMessage)]
    names, _ = _names(links)
    objs = []
    for r in routes:
        if family not in (AF_UNSPEC, r.family) or r.route_flags & RTM_F_CLONED:
            continue
        if table is not None and r.attrs.get("RTA_TABLE", r.table) != table:
            continue
        objs.append(route_json(r, names, show_table=table is None))
    _emit(objs, args, route_text)
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    """``rawnl monitor [link] [address] [route]``: ``ip monitor``; Ctrl-C to stop."""
    from .ipjson import addr_event_text, addr_info_json, link_json, link_text, route_json, route_text

    kinds = set(args.objects) or {"link", "address", "route"}
    for kind in kinds:
        if kind not in {"link", "address", "route"}:
            raise UserError(f"monitor: unknown object {kind!r} (link, address, route)")
    groups = []
    if "link" in kinds:
        groups.append(RTNLGRP_LINK)
    if "address" in kinds:
        groups += [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]
    if "route" in kinds:
        groups += [RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE]
    count = 0
    with _socket(args) as sock, _socket(args) as events:
        events.subscribe(*groups)
        names, flags = _names(_dump_links(sock))
        for msg in events.events():
            out: dict[str, Any] | None = None
            text = ""
            if isinstance(msg, LinkMessage):
                if msg.type == RTM_DELLINK:
                    names.pop(msg.index, None)
                else:
                    names[msg.index] = msg.attrs.get("IFLA_IFNAME", f"if{msg.index}")
                    flags[msg.index] = msg.link_flags
                if "link" not in kinds:
                    continue
                out = link_json(msg, names, flags, linkmode=True)
                text = link_text(out)
            elif isinstance(msg, AddressMessage):
                ifname = names.get(msg.index, f"if{msg.index}")
                out = {"ifindex": msg.index, "ifname": ifname, "addr_info": [addr_info_json(msg)]}
                text = addr_event_text(out)
            elif isinstance(msg, RouteMessage):
                if msg.route_flags & RTM_F_CLONED:
                    continue
                out = route_json(msg, names)
                out.pop("deleted", None)
                text = route_text(out)
            else:  # an Overrun: events were lost
                print("rawnl: monitor: events were lost (receive buffer overrun)", file=sys.stderr)
                continue
            deleted = msg.type in {RTM_DELLINK, RTM_DELADDR, RTM_DELROUTE}
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


def cmd_netns(args: argparse.Namespace) -> int:
    """``rawnl netns add|del NAME...``, ``rawnl netns list``."""
    from .netns import NetNS

    if args.action in {"list", "ls", "show"}:
        if args.names:
            raise UserError("netns list takes no names")
        names = NetNS.list()
        if args.json:
            _print_json([{"name": n} for n in names], args)
        else:
            for n in names:
                print(n)
        return 0
    if not args.names:
        raise UserError(f"netns {args.action}: give at least one name")
    for name in args.names:
        if args.action == "add":
            try:
                NetNS.create(name).close()
            except FileExistsError:
                raise UserError(f"netns add: network namespace {name!r} already exists") from None
        else:
            try:
                NetNS.delete(name)
            except FileNotFoundError:
                raise UserError(f"netns del: no network namespace named {name!r}") from None
    return 0


def _load_config(path: str) -> list[Any]:
    from .netconfig import NetworkConfigError, load_networks

    try:
        with open(path) as f:
            text = f.read()
    except OSError as exc:
        raise UserError(f"--config: cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--config: {path} is not valid JSON: {exc}") from None
    try:
        return load_networks(data)
    except NetworkConfigError as exc:
        raise UserError(f"--config: {path}: {exc}") from None


def cmd_network(args: argparse.Namespace) -> int:
    """``rawnl network up|down --config FILE (--netns NAME | --pid PID) [--host-netns NAME]``."""
    from .iproute import IPRoute
    from .strategies import create_network_interfaces, open_container, remove_network_interfaces

    networks = _load_config(args.config)
    container: str | int = args.pid if args.pid is not None else args.container_netns
    host_netns = args.host_netns or args.netns
    with open_container(container) as ns, IPRoute(netns=host_netns) as host:
        if args.action == "down":
            remove_network_interfaces(networks, ns, host=host)
            return 0
        states = create_network_interfaces(networks, ns, host=host)
    if args.json:
        _print_json([s.to_dict() for s in states], args)
        return 0
    rows = [("TYPE", "INTERFACE", "INDEX", "MAC", "ADDRESSES", "HOST END", "TIME")]
    for s in states:
        addrs = " ".join(a for a in (s.network.address, s.network.ipv6_address) if a) or "-"
        host_end = s.host_ifname or "-"
        rows.append(
            (s.network.type, s.ifname, str(s.index), s.mac or "-", addrs, host_end, f"{s.seconds * 1e3:.2f} ms")
        )
    print(format_table(rows))
    return 0


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """``rows`` as aligned columns: each cell padded to its column's widest, two spaces apart."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(containers=args.containers, keep=args.keep)


# ------------------------------------------------------------------------------------ parser


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
    fam.add_argument(
        "-4",
        dest="family",
        action="store_const",
        const=AF_INET,
        default=AF_UNSPEC if top else argparse.SUPPRESS,
        help="IPv4 only",
    )
    fam.add_argument(
        "-6",
        dest="family",
        action="store_const",
        const=AF_INET6,
        default=AF_UNSPEC if top else argparse.SUPPRESS,
        help="IPv6 only",
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rawnl", description="rtnetlink from Python: links, addresses, routes, namespaces, runc networks"
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str, aliases: Sequence[str] = ()
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, aliases=list(aliases), description=help)
        _common(p, top=False)
        p.set_defaults(func=func)
        return p

    for name, func, aliases, what in (
        ("link", cmd_link, ("l",), "show links, like ip link show [DEV]"),
        ("addr", cmd_addr, ("address", "a"), "show addresses, like ip addr show [DEV]"),
        ("route", cmd_route, ("r",), "show routes, like ip route show [table N]"),
    ):
        p = command(name, func, what, aliases)
        p.add_argument("action", nargs="?", default="show", choices=["show", "list", "ls", "lst"], metavar="show")
        p.add_argument(
            "args",
            nargs="*",
            metavar="ARG",
            help="[dev] DEV | master DEV | type KIND" if name != "route" else "table ID|main|local|all",
        )

    p = command("monitor", cmd_monitor, "print link, address and route events, like ip monitor")
    p.add_argument("objects", nargs="*", metavar="OBJECT", help="link, address, route (default: all three)")
    p.add_argument("--count", type=int, default=0, metavar="N", help="stop after N events")

    p = command("netns", cmd_netns, "add, delete or list named network namespaces (/run/netns)")
    p.add_argument("action", choices=["add", "del", "delete", "list", "ls", "show"])
    p.add_argument("names", nargs="*", metavar="NAME")

    p = command("network", cmd_network, "apply or undo a runc-style network config in a container's namespace")
    p.add_argument("action", choices=["up", "down"])
    p.add_argument("--config", required=True, metavar="FILE", help='a JSON list of networks, or {"networks": [...]}')
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--netns", dest="container_netns", metavar="NAME", help="the container's namespace (name or path)"
    )
    where.add_argument("--pid", type=int, metavar="PID", help="a process in the container's namespace")
    p.add_argument("--host-netns", metavar="NAME", help="where the bridge is (default: -n, else this namespace)")

    p = command("demo", cmd_demo, "wire throw-away containers on a bridge and prove they talk (needs root)")
    p.add_argument("--containers", type=int, default=2, metavar="N", help="how many containers (default 2)")
    p.add_argument("--keep", action="store_true", help="leave the namespaces for inspection")
    return parser


# -------------------------------------------------------------------------------------- main


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
    except (UserError, ValueError, OSError, DumpInterrupted) as exc:
        print(f"rawnl {args.command}: {_describe(exc)}", file=sys.stderr)
        return 1
