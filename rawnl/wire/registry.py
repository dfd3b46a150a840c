"""What the codec knows: every rtnetlink family and every link kind, one line each.

Importing this module (``import rawnl`` does) makes :func:`rawnl.decode` turn every declared
message type into its class and ``IFLA_INFO_DATA`` of every listed kind into attributes.

- A **family** is one module, ``rawnl/wire/<family>.py``, declaring its message class with
  ``types=(...)``; listing the module in ``FAMILIES`` loads it, and the declaration registers it.
- A **link kind** is one module, ``rawnl/wire/kinds/<kind>.py``, with a ``KINDS`` tuple; listing it
  in ``KINDS`` registers its tables for ``IFLA_INFO_DATA``.

docs/ARCHITECTURE.md has the whole recipe (the operations and the command have a registry each).
"""

from __future__ import annotations

from . import address, link, route
from .kinds import bridge, macvlan, veth, vxlan
from .link import register_kind
from .message import NLMSGERR, Message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .codec import AttrTable

__all__ = ["FAMILIES", "KINDS", "all_tables", "message_classes"]

#: The families' modules (each declares its message class and attribute tables).
FAMILIES = (link, address, route)

#: The link kinds' modules (each declares ``KINDS``: its IFLA_INFO_DATA tables).
KINDS = (bridge, macvlan, veth, vxlan)

for _module in KINDS:
    for _kind in _module.KINDS:
        register_kind(_kind)


def message_classes() -> list[type[Message]]:
    """Every declared message class (families and control messages), each once."""
    seen: list[type[Message]] = []
    stack = list(Message.__subclasses__())
    while stack:
        cls = stack.pop(0)
        if cls not in seen:
            seen.append(cls)
            stack += cls.__subclasses__()
    return seen


def all_tables() -> list[AttrTable]:
    """Every attribute table reachable from a declared message (nests, link kinds, the veth
    peer's link attributes, the extended ACK's), each once, outermost first."""
    roots = [cls.TABLE for cls in message_classes() if "TABLE" in vars(cls)]
    found: list[AttrTable] = []
    pending = [*roots, NLMSGERR]
    while pending:
        table = pending.pop(0)
        if table in found:
            continue
        found.append(table)
        for spec in table.by_number.values():
            pending += spec.type.nests()
    return found
