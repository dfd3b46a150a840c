"""Input validation for the operations API: each check raises ``ValueError`` naming the argument.

Every check runs before anything is built or sent, so bad input never reaches the kernel.  The
checks are cheap (they sit on the path of 1,000-operation batches) and import nothing heavy:
:mod:`ipaddress` is loaded only to word an error message; addresses are parsed by ``inet_pton``
and returned packed.
"""

from __future__ import annotations

from _socket import inet_pton as _inet_pton

from rawnl.wire.codec import ipaddress_module, parse_mac
from rawnl.wire.uapi import (
    AF_INET,
    AF_INET6,
    AF_UNSPEC,
    IFALIASZ,
    IFNAMSIZ,
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_SCOPE_SITE,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_DEFAULT,
    RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
    from typing import TypeAlias

    IPAddress: TypeAlias = IPv4Address | IPv6Address
    IPNetwork: TypeAlias = IPv4Network | IPv6Network

__all__ = [
    "address",
    "alias",
    "boolean",
    "family",
    "ifname",
    "index",
    "kind",
    "link_ref",
    "mac",
    "mtu",
    "netns",
    "network",
    "prefix",
    "scope",
    "table",
    "u8",
    "u16",
    "u32",
]

#: The kernel copies ``IFLA_INFO_KIND`` into ``char kind[MODULE_NAME_LEN]`` (``nla_strscpy``,
#: truncating), and MODULE_NAME_LEN is 64 - sizeof(long): 56 bytes with the NUL on 64-bit.  No
#: kind it can find is longer than 55 bytes.
_KIND_MAX = 55
MTU_MIN = 68  # the IPv4 minimum; the kernel enforces each device's own maximum
MTU_MAX = 65535
_U32_MAX = 0xFFFFFFFF

#: ``ip``'s names for route tables (``/etc/iproute2/rt_tables``) and scopes.
TABLE_NAMES = {"default": RT_TABLE_DEFAULT, "main": RT_TABLE_MAIN, "local": RT_TABLE_LOCAL}
SCOPE_NAMES = {
    "universe": RT_SCOPE_UNIVERSE,
    "global": RT_SCOPE_UNIVERSE,
    "site": RT_SCOPE_SITE,
    "link": RT_SCOPE_LINK,
    "host": RT_SCOPE_HOST,
    "nowhere": RT_SCOPE_NOWHERE,
}


def _int(value: object, arg: str, lo: int, hi: int) -> int:
    if value.__class__ is int and lo <= value <= hi:  # the common case
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{arg} must be an int, not {type(value).__name__} {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{arg} must be between {lo} and {hi}, not {value}")
    return int(value)


def u8(value: object, arg: str) -> int:
    """An unsigned 8-bit integer."""
    return _int(value, arg, 0, 0xFF)


def u16(value: object, arg: str) -> int:
    """An unsigned 16-bit integer."""
    return _int(value, arg, 0, 0xFFFF)


def u32(value: object, arg: str) -> int:
    """An unsigned 32-bit integer."""
    return _int(value, arg, 0, _U32_MAX)


def int_range(value: object, arg: str, lo: int, hi: int) -> int:
    """An integer in ``lo..hi``."""
    return _int(value, arg, lo, hi)


_BAD_NAME_CHARS = frozenset("/: \t\n\r\v\f\0")


def ifname(value: object, arg: str = "name") -> str:
    """An interface name as the kernel accepts it (``dev_valid_name``): 1 to 15 bytes, not ``.``
    or ``..``, no ``/``, ``:``, NUL or whitespace."""
    if not isinstance(value, str):
        raise ValueError(f"{arg} must be an interface name (str), not {type(value).__name__} {value!r}")
    try:
        n = len(value.encode())
    except UnicodeEncodeError:
        raise ValueError(f"{arg} {value!r} is not valid UTF-8") from None
    if not 0 < n < IFNAMSIZ:
        raise ValueError(f"{arg} {value!r} must be 1 to {IFNAMSIZ - 1} bytes long, not {n}")
    if value in {".", ".."}:
        raise ValueError(f"{arg} {value!r} is not a valid interface name")
    if not _BAD_NAME_CHARS.isdisjoint(value) or not value.isprintable():
        raise ValueError(f"{arg} {value!r} contains '/', ':', whitespace or a control character")
    return value


def index(value: object, arg: str = "index") -> int:
    """An interface index: a positive ``int`` below 2**31."""
    return _int(value, arg, 1, 0x7FFFFFFF)


def link_ref(value: object, arg: str = "link") -> tuple[int, str | None]:
    """A link given by index or by name: ``(index, None)`` or ``(0, name)``."""
    if isinstance(value, str):
        return 0, ifname(value, arg)
    return index(value, arg), None


def kind(value: object, arg: str = "kind") -> str:
    """A link kind (``IFLA_INFO_KIND``) such as ``'veth'``: 1 to 55 printable bytes, the longest
    the kernel can look up."""
    if isinstance(value, str) and value.isprintable() and 0 < len(value.encode()) <= _KIND_MAX:
        return value  # printable excludes lone surrogates, so encode() cannot fail
    raise ValueError(
        f"{arg} must be a link kind such as 'veth' or 'bridge' (1 to {_KIND_MAX} printable bytes), not {value!r}"
    )


def boolean(value: object, arg: str) -> bool:
    """``True`` or ``False`` (not 0/1 or another truthy value)."""
    if isinstance(value, bool):
        return value
    raise ValueError(f"{arg} must be True or False, not {value!r}")


def family(value: object, arg: str = "family") -> int:
    """An address family: ``None`` (any: AF_UNSPEC), AF_INET (2, or 4) or AF_INET6 (10, or 6)."""
    if value is None:
        return AF_UNSPEC
    if value in (4, AF_INET):
        return AF_INET
    if value in (6, AF_INET6):
        return AF_INET6
    raise ValueError(f"{arg} must be AF_INET (2, or 4), AF_INET6 (10, or 6) or None, not {value!r}")


def mac(value: object, arg: str = "mac") -> str:
    """A unicast Ethernet address, ``'aa:bb:cc:dd:ee:ff'`` (or with ``-``, any case), returned as
    ``'aa:bb:cc:dd:ee:ff'``.  Parsed by :func:`rawnl.wire.codec.parse_mac`; multicast (low bit
    of the first octet set) and all-zero addresses are refused, as the kernel does
    (``is_valid_ether_addr``)."""
    if not isinstance(value, str):
        raise ValueError(f"{arg} must be a MAC address str like '02:00:00:00:00:01', not {type(value).__name__}")
    try:
        octets = parse_mac(value)
    except ValueError:
        octets = b""
    if len(octets) != 6:
        raise ValueError(f"{arg} {value!r} is not a MAC address like '02:00:00:00:00:01' (six hex octets)")
    if octets[0] & 1:
        raise ValueError(f"{arg} {value!r} is a multicast address; a link address must be unicast")
    if not any(octets):
        raise ValueError(f"{arg} {value!r} is the all-zero address; a link address must be a valid unicast one")
    return octets.hex(":")


def alias(value: object, arg: str = "alias") -> str:
    """A link's alias (``IFLA_IFALIAS``): text of 0 to 255 bytes, no NUL (empty removes it)."""
    if not isinstance(value, str) or "\0" in value:
        raise ValueError(f"{arg} must be a str without NUL, not {value!r}")
    try:
        size = len(value.encode())
    except UnicodeEncodeError:
        raise ValueError(f"{arg} {value!r} is not valid UTF-8") from None
    if size >= IFALIASZ:
        raise ValueError(f"{arg} is {size} bytes; an alias holds at most {IFALIASZ - 1}")
    return value


def mtu(value: object, arg: str = "mtu") -> int:
    """An MTU of 68 (IPv4's minimum) to 65535; the kernel enforces each device's own maximum."""
    return _int(value, arg, MTU_MIN, MTU_MAX)


#: ``address()``'s parses of ``str`` values: text -> (family, packed bytes); bounded.
_PARSED: dict[str, tuple[int, bytes]] = {}
_PARSED_LIMIT = 1024


def _parse_address(text: str, arg: str) -> tuple[int, bytes]:
    """``(family, packed)`` of an IPv4 or IPv6 address in text, by ``inet_pton`` (strict)."""
    try:
        return AF_INET, _inet_pton(AF_INET, text)
    except OSError:
        try:
            return AF_INET6, _inet_pton(AF_INET6, text)
        except (OSError, ValueError):
            raise ValueError(f"{arg} {text!r} is not an IPv4 or IPv6 address") from None
    except ValueError:  # an embedded NUL
        raise ValueError(f"{arg} {text!r} is not an IPv4 or IPv6 address") from None


def address(value: object, arg: str, family: int | None = None) -> tuple[int, bytes]:
    """One IPv4 or IPv6 address (a ``str`` or an :mod:`ipaddress` object); with ``family``, of
    that family.  Returns ``(family, packed bytes)``: parsing is ``inet_pton``'s, strict (no
    leading zeros, no zone index)."""
    if value.__class__ is str:
        # A gateway or a source is mostly the same few addresses call after call: a parse is
        # kept (by the exact string; only successes, at most _PARSED_LIMIT of them).
        parsed = _PARSED.get(value)
        if parsed is None:
            parsed = _parse_address(value, arg)
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.clear()
            _PARSED[value] = parsed
        fam, packed = parsed
    elif isinstance(value, str):  # a str subclass: parsed, not kept
        fam, packed = _parse_address(value, arg)
    else:
        raw = getattr(value, "packed", None)
        if not isinstance(raw, bytes) or len(raw) not in (4, 16) or hasattr(value, "network_address"):
            raise ValueError(f"{arg} must be an IP address (str), not {type(value).__name__} {value!r}")
        packed = raw
        fam = AF_INET if len(packed) == 4 else AF_INET6
    if family is not None and fam != family:
        want = "IPv4" if family == AF_INET else "IPv6"
        raise ValueError(f"{arg} {value!r} is not an {want} address")
    return fam, packed


#: Every valid prefix length as text ("0" to "128", no sign, no leading zero) -> its value.
_PREFIX_LENGTHS = {str(n): n for n in range(129)}


def prefix(value: object, arg: str = "address") -> tuple[int, bytes, int]:
    """An interface address with its prefix length: ``'192.0.2.1/24'``, ``'2001:db8::1/64'``;
    without ``/LEN`` the full length (32 or 128), as ``ip addr add`` assumes.  Returns
    ``(family, packed address, prefixlen)``.

    An IPv4 ``str`` takes a short path (one ``inet_pton``, the length from a table of the valid
    texts); everything else, and every refusal, the general one (:func:`prefix_general`), which
    gives the same answers (``tests/test_validate_fast.py``)."""
    if value.__class__ is str:
        text, sep, plen = value.partition("/")
        try:
            packed = _inet_pton(AF_INET, text)
        except (OSError, ValueError):
            pass
        else:
            if not sep:
                return AF_INET, packed, 32
            n = _PREFIX_LENGTHS.get(plen)
            if n is not None and n <= 32:
                return AF_INET, packed, n
    return prefix_general(value, arg)


def prefix_general(value: object, arg: str = "address") -> tuple[int, bytes, int]:
    """:func:`prefix` for any input."""
    if value.__class__ is str or isinstance(value, str):
        text, sep, plen = value.partition("/")
    else:
        ip = getattr(value, "ip", None)  # an ipaddress.IPv4Interface / IPv6Interface
        if ip is not None and hasattr(value, "network"):
            fam, packed = address(ip, arg)
            return fam, packed, int(value.network.prefixlen)
        fam, packed = address(value, arg)
        return fam, packed, len(packed) * 8
    fam, packed = address(text, arg)
    maxlen = len(packed) * 8
    if not sep:
        return fam, packed, maxlen
    if not plen.isdigit() or not plen.isascii() or (len(plen) > 1 and plen[0] == "0") or int(plen) > maxlen:
        raise ValueError(f"{arg} {value!r} has an invalid prefix length (0 to {maxlen})")
    return fam, packed, int(plen)


def network(value: object, arg: str = "dst") -> tuple[int | None, bytes | None, int]:
    """A route destination: ``'default'`` (family not fixed: ``(None, None, 0)``), a prefix
    ``'198.51.100.0/24'`` with no host bits set, or one address (a host route).  Returns
    ``(family, packed network address, prefix length)``."""
    if value.__class__ is str:  # the common case, kept short: it runs once per route
        if value == "default":
            return None, None, 0
        fam, packed, plen = prefix(value, arg)
    else:
        base = getattr(value, "network_address", None)  # an ipaddress.IPv4Network / IPv6Network
        if base is not None:
            fam, packed = address(base, arg)
            return fam, packed, int(getattr(value, "prefixlen", 0))
        fam, packed, plen = prefix(value, arg)
    bits = len(packed) * 8
    if plen < bits and int.from_bytes(packed, "big") & ((1 << (bits - plen)) - 1):
        suggestion = ipaddress_module().ip_network(f"{ipaddress_module().ip_address(packed)}/{plen}", strict=False)
        raise ValueError(f"{arg} {value!r} has host bits set (did you mean {suggestion}?)")
    return fam, packed, plen


def table(value: object, arg: str = "table") -> int:
    """A route table: 1 to 2**32-1, or ``'main'``, ``'local'``, ``'default'``."""
    if value.__class__ is int and 0 < value <= _U32_MAX:  # the common case
        return value
    if isinstance(value, str):
        number = TABLE_NAMES.get(value)
        if number is None:
            raise ValueError(f"{arg} {value!r} is not a table number or one of {sorted(TABLE_NAMES)}")
        return number
    return _int(value, arg, 1, _U32_MAX)


def scope(value: object, arg: str = "scope") -> int:
    """A scope: 0 to 255 or ``'universe'``/``'global'``, ``'site'``, ``'link'``, ``'host'``,
    ``'nowhere'``."""
    if isinstance(value, str):
        number = SCOPE_NAMES.get(value)
        if number is None:
            raise ValueError(f"{arg} {value!r} is not a scope number or one of {sorted(SCOPE_NAMES)}")
        return number
    return _int(value, arg, 0, 255)


def netns(value: object, arg: str = "netns") -> None:
    """A network namespace as the operations take it: an open :class:`rawnl.NetNS`, a name under
    /run/netns or a path, or a pid.  Checked before anything is looked up, opened or sent."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        if not value or (isinstance(value, int) and value < 0):
            raise ValueError(f"{arg} must be a NetNS, a namespace name or path, or a pid, not {value!r}")
        return
    from rawnl.engine.netns import NetNS

    if not isinstance(value, NetNS):
        raise ValueError(f"{arg} must be a NetNS, a namespace name or path, or a pid, not {value!r}")
    if value.closed:
        raise ValueError(f"{arg} {value!r} is closed")
