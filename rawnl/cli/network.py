"""``rawnl network up|down --config FILE (--netns NAME | --pid PID) [--host-netns NAME]``:
apply or undo a runc-style network config (:mod:`rawnl.runc`) in a container's namespace."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from rawnl.errors import CommandError, NetworkConfigError

from .command import Command
from .ip.common import print_json
from .table import format_table

if TYPE_CHECKING:
    import argparse

__all__ = ["COMMAND"]


def _load_config(path: str) -> list[Any]:
    """The networks of a config file; every problem is one line naming the file (and the JSON
    path of the field, when there is one)."""
    from rawnl.runc.config import load_networks, parse_json

    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise CommandError(f"--config: cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"--config: {path} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})"
        ) from None
    try:
        return load_networks(parse_json(text))
    except NetworkConfigError as exc:
        raise CommandError(f"--config: {path}: {exc}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument(
        "--config", required=True, metavar="FILE", help='a JSON list of networks, or {"networks": [...]}'
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--netns", dest="container_netns", metavar="NAME", help="the container's namespace (name or path)"
    )
    where.add_argument("--pid", type=int, metavar="PID", help="a process in the container's namespace")
    parser.add_argument("--host-netns", metavar="NAME", help="where the bridge is (default: -n, else this namespace)")


class _OneLine(logging.Handler):
    """The strategies' warnings as the command's one-line messages on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"rawnl network: {record.getMessage()}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rawnl.ops.iproute import IPRoute
    from rawnl.runc.strategies import create_network_interfaces, open_container, remove_network_interfaces

    log = logging.getLogger("rawnl.runc")
    if not any(isinstance(h, _OneLine) for h in log.handlers):
        log.addHandler(_OneLine())
        log.propagate = False
    networks = _load_config(args.config)
    container: str | int = args.pid if args.pid is not None else args.container_netns
    host_netns = args.host_netns or args.netns
    with open_container(container) as ns, IPRoute(netns=host_netns) as host:
        if args.action == "down":
            remove_network_interfaces(networks, ns, host=host)
            return 0
        states = create_network_interfaces(networks, ns, host=host)
    if args.json:
        print_json([s.to_dict() for s in states], args)
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


COMMAND = Command("network", "apply or undo a runc-style network config in a container's namespace", configure, run)
