"""Named tuples for the C structs that attributes carry (``IFLA_STATS64``, ``IFA_CACHEINFO``, ...).

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
    """``struct rtnl_link_stats64`` (``IFLA_STATS64``; ``IFLA_STATS`` has the same fields)."""

    rx_packets: int
    tx_packets: int
    rx_bytes: int
    tx_bytes: int
    rx_errors: int
    tx_errors: int
    rx_dropped: int
    tx_dropped: int
    multicast: int
    collisions: int
    rx_length_errors: int
    rx_over_errors: int
    rx_crc_errors: int
    rx_frame_errors: int
    rx_fifo_errors: int
    rx_missed_errors: int
    tx_aborted_errors: int
    tx_carrier_errors: int
    tx_fifo_errors: int
    tx_heartbeat_errors: int
    tx_window_errors: int
    rx_compressed: int
    tx_compressed: int
    rx_nohandler: int
    rx_otherhost_dropped: int


class LinkMap(NamedTuple):
    """``struct rtnl_link_ifmap`` (``IFLA_MAP``)."""

    mem_start: int
    mem_end: int
    base_addr: int
    irq: int
    dma: int
    port: int


class AddrCacheInfo(NamedTuple):
    """``struct ifa_cacheinfo`` (``IFA_CACHEINFO``): lifetimes in seconds, stamps in 1/100 s."""

    preferred: int
    valid: int
    cstamp: int
    tstamp: int


class RouteCacheInfo(NamedTuple):
    """``struct rta_cacheinfo`` (``RTA_CACHEINFO``)."""

    clntref: int
    lastuse: int
    expires: int
    error: int
    used: int
    id: int
    ts: int
    tsage: int


class Inet6CacheInfo(NamedTuple):
    """``struct ifla_cacheinfo`` (``IFLA_INET6_CACHEINFO``)."""

    max_reasm_len: int
    tstamp: int
    reachable_time: int
    retrans_time: int


class PortRange(NamedTuple):
    """``struct ifla_vxlan_port_range`` (network byte order on the wire)."""

    low: int
    high: int


class Nexthop(NamedTuple):
    """One ``struct rtnexthop`` of ``RTA_MULTIPATH`` with its attributes (``RTA_GATEWAY``, ...)."""

    flags: int
    hops: int
    ifindex: int
    attrs: Mapping[AttrKey, Any]


class BridgeVlanInfo(NamedTuple):
    """``struct bridge_vlan_info`` (``IFLA_BRIDGE_VLAN_INFO``): ``BRIDGE_VLAN_INFO_*`` flags and
    the VLAN id."""

    flags: int
    vid: int
