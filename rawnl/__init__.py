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
}

if TYPE_CHECKING:
    from typing import Any

    from . import constants as constants

__all__ = [
    "AddressMessage",
    "DecodeError",
    "DoneMessage",
    "ErrorMessage",
    "LinkMessage",
    "Message",
    "NetlinkError",
    "RawMessage",
    "Repeated",
    "RouteMessage",
    "constants",
    "decode",
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
