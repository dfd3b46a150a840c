"""rawnl: rtnetlink for Python over raw AF_NETLINK sockets, with no netlink dependency.

The layers, each importing only those before it (docs/ARCHITECTURE.md):

- :mod:`rawnl.wire`: the sans-I/O codec, kernel numbers, one module per family and link kind;
- :mod:`rawnl.engine`: the netlink socket and network namespaces;
- :mod:`rawnl.ops`: validation, request builders, typed results, :class:`IPRoute`;
- :mod:`rawnl.runc` and :mod:`rawnl.cli`: runc's network strategies, the ``rawnl`` command.

Every public name is gathered here.  The codec (:func:`decode`, the message classes) and the
exceptions are imported with the package; the rest loads on first use, so ``import rawnl``
stays light.
"""

from __future__ import annotations

from ._version import __version__ as __version__
from .errors import (
    BatchOverrunError,
    CommandError,
    DecodeError,
    DumpInterrupted,
    InvalidMessageError,
    NamespaceRestoreError,
    NetlinkError,
    NetworkConfigError,
)
from .wire import registry as _registry
from .wire.address import AddressMessage
from .wire.codec import Repeated
from .wire.link import LinkMessage
from .wire.message import DoneMessage, ErrorMessage, Message, RawMessage, decode
from .wire.route import RouteMessage

TYPE_CHECKING = False  # not from typing, which costs ~9 ms: see rawnl.wire.codec

del _registry  # imported for its registrations: every family and link kind is known to decode()

# name -> module that defines it, imported on first access (PEP 562)
_LAZY = {
    "constants": "rawnl.wire.constants",
    "NetlinkSocket": "rawnl.engine.socket",
    "Overrun": "rawnl.engine.socket",
    "Malformed": "rawnl.engine.socket",
    "NetNS": "rawnl.engine.netns",
    "run_in": "rawnl.engine.netns",
    "IPRoute": "rawnl.ops.iproute",
    "Batch": "rawnl.ops.iproute",
    "Monitor": "rawnl.ops.iproute",
    "Link": "rawnl.ops.links",
    "Address": "rawnl.ops.addresses",
    "Route": "rawnl.ops.routes",
}

if TYPE_CHECKING:
    from typing import Any

    from .engine.netns import NetNS as NetNS
    from .engine.netns import run_in as run_in
    from .engine.socket import Malformed as Malformed
    from .engine.socket import NetlinkSocket as NetlinkSocket
    from .engine.socket import Overrun as Overrun
    from .ops.addresses import Address as Address
    from .ops.iproute import Batch as Batch
    from .ops.iproute import IPRoute as IPRoute
    from .ops.iproute import Monitor as Monitor
    from .ops.links import Link as Link
    from .ops.routes import Route as Route
    from .wire import constants as constants

__all__ = [
    "Address",
    "AddressMessage",
    "Batch",
    "BatchOverrunError",
    "CommandError",
    "DecodeError",
    "DoneMessage",
    "DumpInterrupted",
    "ErrorMessage",
    "IPRoute",
    "InvalidMessageError",
    "Link",
    "LinkMessage",
    "Malformed",
    "Message",
    "Monitor",
    "NamespaceRestoreError",
    "NetNS",
    "NetlinkError",
    "NetlinkSocket",
    "NetworkConfigError",
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
    value = mod if name == "constants" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
