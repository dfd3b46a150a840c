"""Hypothesis strategies for rawnl's messages, drawn from the schema tables.

Every value is one that decodes back to itself: ``ipaddress`` objects for addresses, MACs as
lower-case ``"aa:bb:.."``, named tuples for structs, ``LinkMessage`` (with a zero netlink header)
for a veth peer, ``Nexthop`` tuples for ``RTA_MULTIPATH``, ``Repeated`` with two or more items,
unknown attributes under raw type numbers (flag bits included) with ``bytes`` values.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from rawnl import (
    AddressMessage,
    DecodeError,
    DoneMessage,
    ErrorMessage,
    LinkMessage,
    RawMessage,
    Repeated,
    RouteMessage,
    decode,
)
from rawnl.wire import address as waddress
from rawnl.wire import codec, structs
from rawnl.wire import link as wlink
from rawnl.wire import message as wmessage
from rawnl.wire import route as wroute
from rawnl.wire.kinds import bridge, veth, vxlan

#: The codec properties' hypothesis settings: RAWNL_HYPOTHESIS_EXAMPLES=5000 for a long run
SETTINGS = settings(
    max_examples=int(os.environ.get("RAWNL_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

AF_UNSPEC, AF_INET, AF_BRIDGE, AF_INET6 = 0, 2, 7, 10
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200

#: Nesting depth below which nests, veth peers and multipath are still drawn.
MAX_DEPTH = 3

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
s32 = st.integers(-(1 << 31), (1 << 31) - 1)
families = st.one_of(st.sampled_from([AF_UNSPEC, AF_INET, AF_BRIDGE, AF_INET6]), u8)

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=16)
ifnames = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="/:"), min_size=1, max_size=15
)
macs = st.one_of(st.binary(min_size=6, max_size=6), st.binary(min_size=2, max_size=20)).map(lambda b: b.hex(":"))
ip_addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))
test_v4 = st.sampled_from(["192.0.2.", "198.51.100.", "203.0.113."]).flatmap(
    lambda net: st.integers(1, 254).map(lambda h: ipaddress.IPv4Address(net + str(h)))
)
test_v6 = st.integers(1, 0xFFFF).map(lambda h: ipaddress.IPv6Address(f"2001:db8::{h:x}"))

#: Kinds that select a data table, and some that do not (their data is kept as bytes).
KINDS = [*sorted(wlink._KIND_DATA), "tun", "ipvlan", "wireguard"]
SLAVE_KINDS = [*sorted(wlink._SLAVE_DATA), "bond"]
STRING_CHOICES: dict[str, st.SearchStrategy[str]] = {
    "IFLA_INFO_KIND": st.sampled_from(KINDS),
    "IFLA_INFO_SLAVE_KIND": st.sampled_from(SLAVE_KINDS),
    "IFLA_IFNAME": ifnames,
}


def _struct_values(typ: Any, extra: int = 8) -> st.SearchStrategy[Any]:
    """Values of a struct type as the codec reads them from payloads of every length: the whole
    struct (most often), a shorter one (an older kernel's: missing fields None) or a longer one
    (a newer kernel's: the rest in ``extra``)."""
    size = typ._st.size
    lengths = st.one_of(st.just(size), st.integers(0, size + extra))
    return lengths.flatmap(lambda n: st.binary(min_size=n, max_size=n)).map(lambda b: typ.decode(b, 0, len(b), None))


def value_strategy(  # noqa: PLR0911 - one branch per value type
    typ: codec.AttrType, name: str, family: int, depth: int
) -> st.SearchStrategy[Any] | None:
    """Values of attribute type ``typ`` that round-trip; ``None`` when none should be drawn."""
    if name in STRING_CHOICES:
        return STRING_CHOICES[name]
    if isinstance(typ, codec._Scalar):
        return st.integers(typ._lo, typ._hi)
    if isinstance(typ, codec._Uint):
        return st.integers(0, (1 << 64) - 1)
    if isinstance(typ, (codec._Flag, vxlan._FlagOrU8)):  # a flag is encoded only as True
        return st.just(True)
    if isinstance(typ, codec._String):
        return text
    if isinstance(typ, codec._Mac):
        return macs
    if isinstance(typ, codec._IPAddr):
        return st.one_of(ip_addresses, st.binary(max_size=20).filter(lambda b: len(b) not in (4, 16)))
    if isinstance(typ, codec._Struct):
        return _struct_values(typ)
    if isinstance(typ, codec._Array):
        return st.lists(st.binary(min_size=typ._size, max_size=typ._size), max_size=6).map(
            lambda items: struct.unpack(f"={len(items)}{typ._code}", b"".join(items))
        )
    if isinstance(typ, codec._Nested):
        if depth >= MAX_DEPTH:
            return None
        return attrs_strategy(typ.table, family, depth + 1)
    if isinstance(typ, veth._LinkPeer):
        if depth >= MAX_DEPTH:
            return None
        return link_peer(family, depth + 1)
    if isinstance(typ, wlink._ProtInfo):
        if family == AF_BRIDGE:
            old_form = st.one_of(u8, st.binary(max_size=12).filter(lambda b: len(b) != 1))
            if depth >= MAX_DEPTH:
                return old_form
            return st.one_of(old_form, attrs_strategy(bridge.BRPORT, family, depth + 1))
        if family == AF_INET6:
            return None if depth >= MAX_DEPTH else attrs_strategy(wlink.INET6, family, depth + 1)
        return st.binary(max_size=12)
    if isinstance(typ, wlink._AfSpec):
        if depth >= MAX_DEPTH:
            return None
        return attrs_strategy(wlink.BRIDGE_AF if family == AF_BRIDGE else wlink.AF_SPEC, family, depth + 1)
    if isinstance(typ, wroute._Multipath):
        if depth >= MAX_DEPTH:
            return None
        return st.lists(nexthop(family, depth + 1), max_size=3)
    if isinstance(typ, codec.Selected):
        raise AssertionError("Selected rows are drawn by attrs_strategy")
    return st.binary(max_size=24)  # _Binary and anything new


def link_peer(family: int, depth: int) -> st.SearchStrategy[LinkMessage]:
    return st.builds(
        LinkMessage,
        type=st.just(0),
        family=u8,
        link_type=u16,
        index=s32,
        link_flags=u32,
        change=u32,
        attrs=attrs_strategy(wlink.LINK, family, depth),
    )


def nexthop(family: int, depth: int) -> st.SearchStrategy[Any]:
    return st.builds(
        structs.Nexthop,
        flags=u8,
        hops=u8,
        ifindex=s32,
        attrs=attrs_strategy(wroute.ROUTE, family, depth, exclude=("RTA_MULTIPATH",)),
    )


def raw_keys(table: codec.AttrTable) -> st.SearchStrategy[int]:
    """Attribute types (flag bits included) that ``table`` does not know."""
    return u16.filter(lambda k: k & codec.NLA_TYPE_MASK not in table.by_number)


def attrs_strategy(
    table: codec.AttrTable,
    family: int,
    depth: int = 0,
    *,
    max_size: int = 6,
    exclude: tuple[str, ...] = (),
    unknown: bool = True,
) -> st.SearchStrategy[dict[Any, Any]]:
    """A dict of some of ``table``'s attributes (maybe repeated) and maybe unknown raw ones."""
    rows = [spec for spec in table.by_number.values() if spec.name not in exclude]

    @st.composite
    def build(draw: st.DrawFn) -> dict[Any, Any]:
        chosen = draw(st.lists(st.sampled_from(rows), unique_by=lambda s: s.number, max_size=max_size))
        out: dict[Any, Any] = {}
        selected = []
        for spec in chosen:
            if isinstance(spec.type, codec.Selected):
                selected.append(spec)
                continue
            strategy = value_strategy(spec.type, spec.name, family, depth)
            if strategy is None:
                continue
            # a kind that selects a table occurs once (a repeated kind has no single meaning)
            out[spec.name] = draw(strategy) if spec.name in STRING_CHOICES else _maybe_repeated(draw, strategy)
        for spec in selected:  # a kind-selected nest after its kind has been drawn
            sel = spec.type
            assert isinstance(sel, codec.Selected)
            kind = out.get(sel.selector)
            chosen_type = sel.choose(kind if isinstance(kind, str) else None)
            strategy = value_strategy(chosen_type, spec.name, family, depth)
            if strategy is not None:
                out[spec.name] = _maybe_repeated(draw, strategy)
        if unknown and draw(st.integers(0, 4)) == 0:
            for key in draw(st.lists(raw_keys(table), unique=True, min_size=1, max_size=2)):
                out[key] = _maybe_repeated(draw, st.binary(max_size=12))
        return out

    return build()


def _maybe_repeated(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return Repeated(draw(st.lists(strategy, min_size=2, max_size=3)))
    return draw(strategy)


# ---------------------------------------------------------------------------------- messages


def _merge(realistic: dict[Any, Any], extra: dict[Any, Any]) -> dict[Any, Any]:
    """``realistic`` first, then the generic extras it does not already have."""
    out = dict(realistic)
    for key, value in extra.items():
        out.setdefault(key, value)
    return out


headers = st.fixed_dictionaries({"flags": u16, "seq": u32, "pid": u32})


@st.composite
def link_messages(draw: st.DrawFn) -> LinkMessage:
    family = draw(families)
    attrs = _merge(draw(realistic_link_attrs(family)), draw(attrs_strategy(wlink.LINK, family)))
    return LinkMessage(
        type=draw(st.integers(16, 19)),
        **draw(headers),
        family=family,
        link_type=draw(u16),
        index=draw(s32),
        link_flags=draw(u32),
        change=draw(u32),
        attrs=attrs,
    )


@st.composite
def realistic_link_attrs(draw: st.DrawFn, family: int) -> dict[Any, Any]:
    """What ``ip link add``/``set`` and the kernel's dumps look like: veth with a peer, bridge,
    macvlan, vxlan, a bridge port's slave data, an AF_BRIDGE port's PROTINFO."""
    choice = draw(st.sampled_from(["veth", "bridge", "macvlan", "vxlan", "slave", "protinfo", "plain", "none"]))
    if choice == "none":
        return {}
    attrs: dict[Any, Any] = {"IFLA_IFNAME": draw(ifnames)}
    if choice == "veth":
        peer_attrs: dict[Any, Any] = {"IFLA_IFNAME": draw(ifnames)}
        if draw(st.booleans()):
            peer_attrs["IFLA_ADDRESS"] = draw(macs)
        if draw(st.booleans()):
            peer_attrs["IFLA_MTU"] = draw(st.integers(68, 65535))
        peer_attrs[draw(st.sampled_from(["IFLA_NET_NS_FD", "IFLA_NET_NS_PID"]))] = draw(u32)
        peer = LinkMessage(type=0, attrs=peer_attrs)
        attrs["IFLA_NUM_TX_QUEUES"] = attrs["IFLA_NUM_RX_QUEUES"] = 1
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}}
    elif choice == "bridge":
        data = draw(attrs_strategy(bridge.BRIDGE, family, 2, unknown=False))
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": "bridge", "IFLA_INFO_DATA": data}
    elif choice == "macvlan":
        data = {"IFLA_MACVLAN_MODE": draw(st.sampled_from([1, 2, 4, 8, 16]))}
        attrs["IFLA_LINK"] = draw(st.integers(1, 1000))
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": data}
    elif choice == "vxlan":
        data = {
            "IFLA_VXLAN_ID": draw(st.integers(0, (1 << 24) - 1)),
            "IFLA_VXLAN_PORT": draw(u16),
            "IFLA_VXLAN_LOCAL" if draw(st.booleans()) else "IFLA_VXLAN_GROUP": draw(test_v4),
            "IFLA_VXLAN_LOCAL6": draw(test_v6),
            "IFLA_VXLAN_PORT_RANGE": structs.PortRange(draw(u16), draw(u16)),
            "IFLA_VXLAN_LABEL": draw(u32),
        }
        attrs["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": "vxlan", "IFLA_INFO_DATA": data}
    elif choice == "slave":
        attrs["IFLA_MASTER"] = draw(st.integers(0, 1000))
        attrs["IFLA_LINKINFO"] = {
            "IFLA_INFO_KIND": "veth",
            "IFLA_INFO_SLAVE_KIND": "bridge",
            "IFLA_INFO_SLAVE_DATA": {"IFLA_BRPORT_MODE": draw(st.integers(0, 1)), "IFLA_BRPORT_COST": draw(u32)},
        }
    elif choice == "protinfo" and family == AF_BRIDGE:
        attrs["IFLA_PROTINFO"] = {"IFLA_BRPORT_MODE": draw(st.integers(0, 1))}
    else:
        attrs["IFLA_MTU"] = draw(st.integers(68, 65535))
        attrs["IFLA_ADDRESS"] = draw(macs)
        attrs["IFLA_STATS64"] = draw(_struct_values(wlink.STATS64, extra=0))
        if family == AF_BRIDGE:  # AF_BRIDGE links carry IFLA_BRIDGE_* in IFLA_AF_SPEC
            attrs["IFLA_AF_SPEC"] = {"IFLA_BRIDGE_MODE": draw(u16)}
        else:
            attrs["IFLA_AF_SPEC"] = {"AF_INET6": {"IFLA_INET6_ADDR_GEN_MODE": draw(u8)}}
    return attrs


@st.composite
def address_messages(draw: st.DrawFn) -> AddressMessage:
    family = draw(families)
    attrs = draw(attrs_strategy(waddress.ADDRESS, family))
    if draw(st.booleans()):
        addr = draw(test_v6 if family == AF_INET6 else test_v4)
        realistic: dict[Any, Any] = {"IFA_LOCAL": addr, "IFA_ADDRESS": addr, "IFA_FLAGS": draw(u32)}
        if draw(st.booleans()):
            realistic["IFA_CACHEINFO"] = structs.AddrCacheInfo(draw(u32), draw(u32), draw(u32), draw(u32))
        if draw(st.booleans()):
            realistic["IFA_LABEL"] = draw(ifnames)
        attrs = _merge(realistic, attrs)
    return AddressMessage(
        type=draw(st.integers(20, 22)),
        **draw(headers),
        family=family,
        prefixlen=draw(u8),
        addr_flags=draw(u8),
        scope=draw(u8),
        index=draw(u32),
        attrs=attrs,
    )


@st.composite
def route_messages(draw: st.DrawFn) -> RouteMessage:
    family = draw(families)
    attrs = draw(attrs_strategy(wroute.ROUTE, family))
    if draw(st.booleans()):
        addrs = test_v6 if family == AF_INET6 else test_v4
        realistic: dict[Any, Any] = {"RTA_DST": draw(addrs), "RTA_TABLE": draw(u32)}
        if draw(st.booleans()):
            realistic["RTA_GATEWAY"] = draw(addrs)
        else:
            realistic["RTA_MULTIPATH"] = draw(
                st.lists(
                    st.builds(
                        structs.Nexthop,
                        flags=u8,
                        hops=u8,
                        ifindex=st.integers(1, 1000),
                        attrs=addrs.map(lambda a: {"RTA_GATEWAY": a}),
                    ),
                    min_size=1,
                    max_size=3,
                )
            )
        if draw(st.booleans()):
            realistic["RTA_METRICS"] = {"RTAX_MTU": draw(st.integers(68, 65535)), "RTAX_CC_ALGO": "cubic"}
        attrs = _merge(realistic, attrs)
    return RouteMessage(
        type=draw(st.integers(24, 26)),
        **draw(headers),
        family=family,
        dst_len=draw(u8),
        src_len=draw(u8),
        tos=draw(u8),
        table=draw(u8),
        protocol=draw(u8),
        scope=draw(u8),
        route_type=draw(u8),
        route_flags=draw(u32),
        attrs=attrs,
    )


ext_ack_attrs = attrs_strategy(wmessage.NLMSGERR, AF_UNSPEC, max_size=4)
errnos = st.one_of(st.integers(-133, 0), s32)
ack_flags = u16.map(lambda f: f & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS))


@st.composite
def error_messages(draw: st.DrawFn) -> ErrorMessage:
    if draw(st.booleans()):
        # capped: only the request's header, whose length says more
        request = codec.NLMSG_HDR.pack(draw(st.integers(17, 0xFFFFFFFF)), draw(u16), draw(u16), draw(u32), draw(u32))
    else:
        inner = draw(st.one_of(link_messages(), address_messages(), route_messages(), raw_messages()))
        request = inner.encode()
    return ErrorMessage(
        flags=draw(ack_flags),
        seq=draw(u32),
        pid=draw(u32),
        error=draw(errnos),
        request=request,
        attrs=draw(ext_ack_attrs),
    )


@st.composite
def done_messages(draw: st.DrawFn) -> DoneMessage:
    return DoneMessage(
        flags=draw(ack_flags), seq=draw(u32), pid=draw(u32), error=draw(errnos), attrs=draw(ext_ack_attrs)
    )


raw_types = u16.filter(lambda t: t not in wmessage._DECODERS)


@st.composite
def raw_messages(draw: st.DrawFn) -> RawMessage:
    return RawMessage(type=draw(raw_types), **draw(headers), payload=draw(st.binary(max_size=40)))


any_message = st.one_of(
    link_messages(), address_messages(), route_messages(), error_messages(), done_messages(), raw_messages()
)


# ---------------------------------------------------------------------------------- helpers


def materialise(value: Any) -> Any:
    """Convert every lazily decoded value, recursively, to plain Python data."""
    if isinstance(value, codec.Attrs):
        return {key: materialise(value[key]) for key in value}
    if isinstance(value, Mapping):
        return {key: materialise(v) for key, v in value.items()}
    if isinstance(value, structs.Nexthop):
        return ("nexthop", value.flags, value.hops, value.ifindex, materialise(value.attrs))
    if isinstance(value, list):
        return [materialise(v) for v in value]
    if isinstance(value, wmessage.Message):
        fields = {f: getattr(value, f) for f in value._fields if f != "attrs"}
        if hasattr(value, "attrs"):
            fields["attrs"] = materialise(value.attrs)
        return (type(value).__name__, fields)
    return value


def materialise_all(msgs: list[Any]) -> list[Any]:
    """Everything a user can reach from decoded messages: every value, ``to_dict()``, ``repr``,
    the extended-ack accessors and the exception an error reply stands for."""
    out = []
    for msg in msgs:
        attrs = getattr(msg, "attrs", None)
        if isinstance(attrs, codec.Attrs):
            attrs.to_dict()
        repr(msg)
        if isinstance(msg, (ErrorMessage, DoneMessage)):
            _ = (msg.message, msg.offset, msg.miss_type, msg.miss_nest)
            str(msg.exception())
        if isinstance(msg, ErrorMessage):
            _ = msg.request_header
        out.append(materialise(msg))
    return out


def decode_outcome(data: bytes) -> Any:
    """What decoding ``data`` gives, fully materialised, or the DecodeError's (reason, offset)."""
    try:
        return ("ok", materialise_all(decode(data)))
    except DecodeError as exc:
        return ("error", exc.reason, exc.offset)


def attr_paths(attrs: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key of ``attrs`` as a path, nests followed (``("IFLA_LINKINFO", "IFLA_INFO_KIND")``)."""
    out = []
    for key in attrs:
        out.append((*prefix, key))
        value = attrs[key]
        if isinstance(value, Mapping):
            out += attr_paths(value, (*prefix, key))
    return out
