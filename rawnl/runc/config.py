"""A container network's configuration, as runc's libcontainer wrote it (``configs.Network``).

:class:`Network` has runc's fields and JSON names, plus the transient ``temp_veth_peer_name``
runc's ``network`` struct added to the state.  Unset values are runc's zero values (``""``, ``0``,
``False``), so a config written for runc reads unchanged::

    {"type": "veth", "name": "eth0", "bridge": "br0", "address": "198.51.100.2/24",
     "gateway": "198.51.100.1", "mtu": 1500, "host_interface_name": "veth-c1"}

:meth:`Network.validate` checks every field before anything is sent and raises
:class:`NetworkConfigError` (a :class:`ValueError`) whose message and ``field`` name the field.

This module is off the light import path (only the strategies, the command and the demo use it).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from rawnl.errors import NetworkConfigError
from rawnl.ops import validate as v
from rawnl.wire.uapi import AF_INET, AF_INET6, IFNAMSIZ

__all__ = ["Network", "check_ifname", "load_networks", "parse_json", "parse_mac"]

_DIGITS_MAX = 20  # an integer longer than this fits no field (u32 is 10 digits, u64 20)


class BigNumber:
    """A JSON integer too long for any field, kept as its digits: Python refuses to convert one
    of more than 4,300 digits, and none would be valid anyway; validation then names the field."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {len(self.digits.lstrip('-'))}-digit number"


def _parse_int(text: str) -> int | BigNumber:
    return BigNumber(text) if len(text) > _DIGITS_MAX else int(text)


def parse_json(text: str) -> Any:
    """A config document's JSON; :class:`NetworkConfigError` (one line, no traceback) for text
    that is not JSON or nests deeper than Python's parser goes."""
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise NetworkConfigError(None, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise NetworkConfigError(None, "not a network config: its JSON is nested too deeply") from None


def check_ifname(name: str, field: str = "name") -> None:
    """Raise :class:`NetworkConfigError` unless the kernel would accept ``name`` as an interface name.

    :func:`rawnl.ops.validate.ifname` decides (the kernel's ``dev_valid_name``: 1 to 15 bytes, not
    ``.`` or ``..``, no ``/``, ``:``, white space or control characters); this words its refusal.
    """
    try:
        v.ifname(name, field)
    except ValueError:
        raise NetworkConfigError(field, _ifname_problem(name)) from None


def _ifname_problem(name: object) -> str:
    """What is wrong with ``name``, which :func:`rawnl.ops.validate.ifname` refused."""
    if not isinstance(name, str):
        return f"expected a string, got {type(name).__name__}"
    if not name:
        return "an interface name cannot be empty"
    try:
        size = len(name.encode())
    except UnicodeEncodeError:
        return f"{name!r} is not a valid interface name (not valid UTF-8)"
    if size >= IFNAMSIZ:
        return f"interface name {name!r} is longer than {IFNAMSIZ - 1} bytes"
    return f"{name!r} is not a valid interface name"


def parse_mac(text: str, field: str = "mac_address") -> str:
    """``"AA-BB-CC-DD-EE-FF"`` or ``"aa:bb:cc:dd:ee:ff"`` -> ``"aa:bb:cc:dd:ee:ff"``, as
    :func:`rawnl.ops.validate.mac` reads it (unicast, non-zero Ethernet addresses only: the
    kernel refuses the others for a veth, ``EADDRNOTAVAIL``); its refusal names the field."""
    try:
        return v.mac(text, field)
    except ValueError as exc:
        raise NetworkConfigError(field, str(exc).removeprefix(f"{field} ")) from None


def _check_address(text: str, field: str, family: int, *, with_prefix: bool) -> None:
    """Raise :class:`NetworkConfigError` unless ``text`` is an address of ``family`` (with
    ``with_prefix``, a CIDR address such as ``198.51.100.2/24``), as :mod:`rawnl.ops.validate`
    parses it: ``inet_pton``'s strict forms, no netmask, zone index or leading zeros."""
    kind = "IPv4" if family == AF_INET else "IPv6"
    example = "198.51.100.2/24" if family == AF_INET else "2001:db8::2/64"
    if with_prefix and "/" not in text:
        raise NetworkConfigError(field, f"{text!r} needs a prefix length, like {example}")
    try:
        got = v.prefix(text, field)[0] if with_prefix else v.address(text, field)[0]
    except ValueError:
        what = f"an {kind} address with a prefix, like {example}" if with_prefix else f"an {kind} address"
        raise NetworkConfigError(field, f"{text!r} is not {what}") from None
    if got != family:
        what = f"an {kind} address (expected one like {example})" if with_prefix else f"an {kind} address"
        raise NetworkConfigError(field, f"{text!r} is not {what}")


@dataclass
class Network:
    """One network of a container, with runc's ``configs.Network`` fields and JSON names.

    ``type`` selects the strategy (``"loopback"`` or ``"veth"``).  For a veth: ``name`` is the
    interface's name inside the container, ``bridge`` the host bridge its host end joins,
    ``host_interface_name`` the host end's name (generated when empty), ``address`` /
    ``ipv6_address`` CIDR addresses (``"198.51.100.2/24"``), ``gateway`` / ``ipv6_gateway`` the
    default routes' next hops, ``mtu`` / ``txqueuelen`` 0 for the kernel's default,
    ``hairpin_mode`` turns hairpin on for the host end's bridge port.
    ``temp_veth_peer_name`` is state, not config: the peer's name between ``create`` and
    ``initialize``.
    """

    type: str
    name: str = ""
    bridge: str = ""
    mac_address: str = ""
    address: str = ""
    gateway: str = ""
    ipv6_address: str = ""
    ipv6_gateway: str = ""
    mtu: int = 0
    txqueuelen: int = 0
    host_interface_name: str = ""
    hairpin_mode: bool = False
    temp_veth_peer_name: str = ""

    #: The types a strategy is registered for (kept up to date by ``rawnl.runc.strategies``).
    known_types: ClassVar[frozenset[str]] = frozenset({"loopback", "veth"})

    # -- JSON ---------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> Network:
        """Build and validate a network from its JSON object (runc's field names).

        Unknown keys are refused (a misspelt ``"adress"`` would otherwise be silently ignored);
        a JSON ``null`` means the field's zero value, as in Go.
        """
        if not isinstance(data, dict):
            raise NetworkConfigError(None, f"a network must be a JSON object, got {type(data).__name__}")
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise NetworkConfigError(unknown[0], f"unknown field (known fields: {', '.join(known)})")
        if data.get("type") in (None, ""):
            raise NetworkConfigError("type", "missing: every network needs a type (loopback or veth)")
        kwargs = {k: v for k, v in data.items() if v is not None}
        net = cls(**kwargs)
        net.validate()
        return net

    def to_dict(self) -> dict[str, Any]:
        """The JSON object runc would write: every config field, plus ``temp_veth_peer_name`` when set."""
        out = dataclasses.asdict(self)
        if not self.temp_veth_peer_name:
            del out["temp_veth_peer_name"]
        return out

    @classmethod
    def from_json(cls, text: str) -> Network:
        return cls.from_dict(parse_json(text))

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    # -- validation ---------------------------------------------------------------------------

    def validate(self) -> None:
        """Check every field; raise :class:`NetworkConfigError` naming the first wrong one.

        Types first (strings, integers, a boolean), then values: interface names the kernel
        accepts, a unicast MAC, CIDR addresses of the right family, gateways of the right
        family with an address to reach them from, MTU 68..65535 (or 0), txqueuelen 0..2**32-1.
        A veth needs ``name`` and ``bridge``.
        """
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "str" and not isinstance(value, str):
                raise NetworkConfigError(f.name, f"expected a string, got {type(value).__name__} {value!r}")
            if f.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
                got = repr(value) if isinstance(value, BigNumber) else f"{type(value).__name__} {value!r}"
                raise NetworkConfigError(f.name, f"expected an integer, got {got}")
            if f.type == "bool" and not isinstance(value, bool):
                raise NetworkConfigError(f.name, f"expected true or false, got {type(value).__name__} {value!r}")
        if not self.type:
            raise NetworkConfigError("type", "missing: every network needs a type (loopback or veth)")
        if self.type not in self.known_types:
            known = ", ".join(sorted(self.known_types))
            raise NetworkConfigError("type", f"unknown network type {self.type!r} (known: {known})")
        if self.mtu and not 68 <= self.mtu <= 65535:
            raise NetworkConfigError("mtu", f"{self.mtu} is out of range (68 to 65535, or 0 for the default)")
        if not 0 <= self.txqueuelen <= 0xFFFFFFFF:
            raise NetworkConfigError("txqueuelen", f"{self.txqueuelen} is out of range (0 to 4294967295)")
        for field in ("name", "bridge", "host_interface_name", "temp_veth_peer_name"):
            if getattr(self, field):
                check_ifname(getattr(self, field), field)
        if self.mac_address:
            parse_mac(self.mac_address)
        if self.address:
            _check_address(self.address, "address", AF_INET, with_prefix=True)
        if self.ipv6_address:
            _check_address(self.ipv6_address, "ipv6_address", AF_INET6, with_prefix=True)
        if self.gateway:
            _check_address(self.gateway, "gateway", AF_INET, with_prefix=False)
            if not self.address:
                raise NetworkConfigError("gateway", "a gateway needs an IPv4 address on the interface to reach it")
        if self.ipv6_gateway:
            _check_address(self.ipv6_gateway, "ipv6_gateway", AF_INET6, with_prefix=False)
            if not self.ipv6_address:
                raise NetworkConfigError(
                    "ipv6_gateway", "an IPv6 gateway needs an IPv6 address on the interface to reach it"
                )
        if self.ipv6_address and self.mtu and self.mtu < 1280:
            raise NetworkConfigError("mtu", f"{self.mtu} is below 1280, the least IPv6 needs (ipv6_address is set)")
        if self.type == "veth":
            if not self.name:
                raise NetworkConfigError("name", "a veth network needs the interface's name inside the container")
            if not self.bridge:
                raise NetworkConfigError("bridge", "bridge is not specified: a veth network needs a host bridge")
            if self.host_interface_name and self.host_interface_name == self.bridge:
                raise NetworkConfigError("host_interface_name", "the host interface cannot have the bridge's name")


def load_networks(data: Any) -> list[Network]:
    """A runc-style config -> networks: a JSON list of networks, or an object with a ``networks`` list.

    Errors name the network's position: ``networks[1].mac_address: ...``.
    """
    if isinstance(data, dict):
        if "networks" not in data:
            raise NetworkConfigError(None, 'expected a list of networks or an object with a "networks" list')
        data = data["networks"]
    if not isinstance(data, list):
        raise NetworkConfigError("networks", f"expected a list, got {type(data).__name__}")
    networks = []
    for i, item in enumerate(data):
        try:
            networks.append(Network.from_dict(item))
        except NetworkConfigError as exc:
            where = f"networks[{i}]" + (f".{exc.field}" if exc.field else "")
            raise NetworkConfigError(where, exc.message) from None
    return networks
