"""rawnl: rtnetlink for Python over raw AF_NETLINK sockets, with no netlink dependency.

The codec (:func:`decode`, the message classes, :class:`DecodeError`, :class:`NetlinkError`) is
imported with the package; the socket engine, namespaces, the operations API and the uapi
constants load on first use, so ``import rawnl`` stays light.
"""

from __future__ import annotations

from .codec import DecodeError, Repeated
from .errors import NetlinkError
from .messages import (
    AddressMessage,
    DoneMessage,
    ErrorMessage,
    LinkMessage,
    Message,
    RawMessage,
    RouteMessage,
    decode,
)

TYPE_CHECKING = False  # not from typing, which costs ~9 ms: see rawnl.codec

__version__ = "0.1.0"

# name -> module that defines it, imported on first access (PEP 562)
_LAZY = {
    "constants": "rawnl.constants",
    "NetlinkSocket": "rawnl.nlsocket",
    "DumpInterrupted": "rawnl.nlsocket",
    "Overrun": "rawnl.nlsocket",
    "NetNS": "rawnl.netns",
    "run_in": "rawnl.netns",
    "IPRoute": "rawnl.iproute",
    "Link": "rawnl.results",
    "Address": "rawnl.results",
    "Route": "rawnl.results",
}

if TYPE_CHECKING:
    from typing import Any

    from . import constants as constants
    from .iproute import IPRoute as IPRoute
    from .netns import NetNS as NetNS
    from .netns import run_in as run_in
    from .nlsocket import DumpInterrupted as DumpInterrupted
    from .nlsocket import NetlinkSocket as NetlinkSocket
    from .nlsocket import Overrun as Overrun
    from .results import Address as Address
    from .results import Link as Link
    from .results import Route as Route

__all__ = [
    "Address",
    "AddressMessage",
    "DecodeError",
    "DoneMessage",
    "DumpInterrupted",
    "ErrorMessage",
    "IPRoute",
    "Link",
    "LinkMessage",
    "Message",
    "NetNS",
    "NetlinkError",
    "NetlinkSocket",
    "Overrun",
    "RawMessage",
    "Repeated",
    "Route",
    "RouteMessage",
    "constants",
    "decode",
    "run_in",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rawnl' has no attribute {name!r}")
    from importlib import import_module

    mod = import_module(module)
    value = mod if module == f"rawnl.{name}" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
