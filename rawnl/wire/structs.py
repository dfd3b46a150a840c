"""Named tuples for the C structs that attributes carry (``IFLA_STATS64``, ``IFA_CACHEINFO``, ...).

A struct's fields are ``None`` when the kernel sent a shorter struct than rawnl knows (an older
kernel), and ``extra`` holds the bytes of a longer one (a newer kernel), so every payload decodes
and re-encodes as it came (see ``_Struct`` in :mod:`rawnl.wire.codec`).

Imported on first use by the codec, so that ``import rawnl`` does not pay for :mod:`typing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .codec import AttrKey

__all__ = [
    "AddrCacheInfo",
    "BridgeVlanInfo",
    "Inet6CacheInfo",
    "LinkMap",
    "Nexthop",
    "PortRange",
    "RouteCacheInfo",
    "Stats64",
]


class Stats64(NamedTuple):
    """``struct rtnl_link_stats64`` (``IFLA_STATS64``: 23 fields before Linux 4.6, 24 until 5.18,
    25 since) and ``struct rtnl_link_stats`` (``IFLA_STATS``: the first 24, as u32)."""

    rx_packets: int | None
    tx_packets: int | None
    rx_bytes: int | None
    tx_bytes: int | None
    rx_errors: int | None
    tx_errors: int | None
    rx_dropped: int | None
    tx_dropped: int | None
    multicast: int | None
    collisions: int | None
    rx_length_errors: int | None
    rx_over_errors: int | None
    rx_crc_errors: int | None
    rx_frame_errors: int | None
    rx_fifo_errors: int | None
    rx_missed_errors: int | None
    tx_aborted_errors: int | None
    tx_carrier_errors: int | None
    tx_fifo_errors: int | None
    tx_heartbeat_errors: int | None
    tx_window_errors: int | None
    rx_compressed: int | None
    tx_compressed: int | None
    rx_nohandler: int | None
    rx_otherhost_dropped: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class LinkMap(NamedTuple):
    """``struct rtnl_link_ifmap`` (``IFLA_MAP``)."""

    mem_start: int | None
    mem_end: int | None
    base_addr: int | None
    irq: int | None
    dma: int | None
    port: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class AddrCacheInfo(NamedTuple):
    """``struct ifa_cacheinfo`` (``IFA_CACHEINFO``): lifetimes in seconds, stamps in 1/100 s."""

    preferred: int | None
    valid: int | None
    cstamp: int | None
    tstamp: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class RouteCacheInfo(NamedTuple):
    """``struct rta_cacheinfo`` (``RTA_CACHEINFO``)."""

    clntref: int | None
    lastuse: int | None
    expires: int | None
    error: int | None
    used: int | None
    id: int | None
    ts: int | None
    tsage: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class Inet6CacheInfo(NamedTuple):
    """``struct ifla_cacheinfo`` (``IFLA_INET6_CACHEINFO``)."""

    max_reasm_len: int | None
    tstamp: int | None
    reachable_time: int | None
    retrans_time: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class PortRange(NamedTuple):
    """``struct ifla_vxlan_port_range`` (network byte order on the wire)."""

    low: int | None
    high: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""


class Nexthop(NamedTuple):
    """One ``struct rtnexthop`` of ``RTA_MULTIPATH`` with its attributes (``RTA_GATEWAY``, ...)."""

    flags: int
    hops: int
    ifindex: int
    attrs: Mapping[AttrKey, Any]


class BridgeVlanInfo(NamedTuple):
    """``struct bridge_vlan_info`` (``IFLA_BRIDGE_VLAN_INFO``): ``BRIDGE_VLAN_INFO_*`` flags and
    the VLAN id."""

    flags: int | None
    vid: int | None
    #: the bytes after the fields rawnl knows (a newer kernel's struct is longer)
    extra: bytes = b""
