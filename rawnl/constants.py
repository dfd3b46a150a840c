"""Kernel uapi numbers used by rawnl, as ``IntEnum`` / ``IntFlag`` classes.

Each class is named after the kernel prefix it covers, and each member after the rest of the
kernel name, so ``IFLA.IFNAME`` is ``IFLA_IFNAME`` and ``RT_SCOPE.LINK`` is ``RT_SCOPE_LINK``
(see :func:`kernel_name`).  ``tests/test_constants.py`` compiles a C program against the headers in
``/usr/include/linux`` and checks every member, so nothing here is trusted by hand.

The codec does not need these classes at run time (its attribute tables carry plain numbers, see
:mod:`rawnl.schema`), which keeps ``import rawnl`` light; they are for users and for the tests.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

__all__ = [
    "AF",
    "ARPHRD",
    "IFA",
    "IFA_F",
    "IFF",
    "IFLA",
    "IFLA_BR",
    "IFLA_BRIDGE",
    "IFLA_BRPORT",
    "IFLA_INET",
    "IFLA_INET6",
    "IFLA_INFO",
    "IFLA_MACVLAN",
    "IFLA_VXLAN",
    "IF_OPER",
    "MACVLAN_MODE",
    "NETLINK",
    "NLA_F",
    "NLMSG",
    "NLMSGERR_ATTR",
    "NLM_F",
    "RTA",
    "RTAX",
    "RTEXT_FILTER",
    "RTM",
    "RTM_F",
    "RTN",
    "RTNH_F",
    "RTNLGRP",
    "RTPROT",
    "RT_SCOPE",
    "RT_TABLE",
    "VETH_INFO",
    "ALL_CLASSES",
    "kernel_name",
]


class AF(IntEnum):
    """``AF_*`` address families from ``<sys/socket.h>`` (the ones rtnetlink messages carry)."""

    UNSPEC = 0
    UNIX = 1
    INET = 2
    BRIDGE = 7
    INET6 = 10
    NETLINK = 16
    PACKET = 17
    MPLS = 28


class NLMSG(IntEnum):
    """``NLMSG_*`` from ``<linux/netlink.h>``."""

    NOOP = 1
    ERROR = 2
    DONE = 3
    OVERRUN = 4
    MIN_TYPE = 16


class NLM_F(IntFlag):
    """``NLM_F_*`` from ``<linux/netlink.h>``."""

    REQUEST = 0x1
    MULTI = 0x2
    ACK = 0x4
    ECHO = 0x8
    DUMP_INTR = 0x10
    DUMP_FILTERED = 0x20
    ROOT = 0x100
    MATCH = 0x200
    ATOMIC = 0x400
    DUMP = 0x300
    REPLACE = 0x100
    EXCL = 0x200
    CREATE = 0x400
    APPEND = 0x800
    NONREC = 0x100
    BULK = 0x200
    CAPPED = 0x100
    ACK_TLVS = 0x200


class NLA_F(IntFlag):
    """``NLA_F_*`` from ``<linux/netlink.h>``."""

    NESTED = 0x8000
    NET_BYTEORDER = 0x4000


class NETLINK(IntEnum):
    """``NETLINK_*`` from ``<linux/netlink.h>``."""

    ROUTE = 0
    ADD_MEMBERSHIP = 1
    DROP_MEMBERSHIP = 2
    PKTINFO = 3
    BROADCAST_ERROR = 4
    NO_ENOBUFS = 5
    LISTEN_ALL_NSID = 8
    LIST_MEMBERSHIPS = 9
    CAP_ACK = 10
    EXT_ACK = 11
    GET_STRICT_CHK = 12


class NLMSGERR_ATTR(IntEnum):
    """``NLMSGERR_ATTR_*`` from ``<linux/netlink.h>``."""

    UNUSED = 0
    MSG = 1
    OFFS = 2
    COOKIE = 3
    POLICY = 4
    MISS_TYPE = 5
    MISS_NEST = 6


class RTM(IntEnum):
    """``RTM_*`` from ``<linux/rtnetlink.h>``."""

    NEWLINK = 16
    DELLINK = 17
    GETLINK = 18
    SETLINK = 19
    NEWADDR = 20
    DELADDR = 21
    GETADDR = 22
    NEWROUTE = 24
    DELROUTE = 25
    GETROUTE = 26
    NEWNEIGH = 28
    DELNEIGH = 29
    GETNEIGH = 30
    NEWRULE = 32
    DELRULE = 33
    GETRULE = 34
    NEWQDISC = 36
    DELQDISC = 37
    GETQDISC = 38
    NEWTCLASS = 40
    DELTCLASS = 41
    GETTCLASS = 42
    NEWTFILTER = 44
    DELTFILTER = 45
    GETTFILTER = 46
    NEWACTION = 48
    DELACTION = 49
    GETACTION = 50
    NEWPREFIX = 52
    GETMULTICAST = 58
    GETANYCAST = 62
    NEWNEIGHTBL = 64
    GETNEIGHTBL = 66
    SETNEIGHTBL = 67
    NEWNDUSEROPT = 68
    NEWADDRLABEL = 72
    DELADDRLABEL = 73
    GETADDRLABEL = 74
    GETDCB = 78
    SETDCB = 79
    NEWNETCONF = 80
    DELNETCONF = 81
    GETNETCONF = 82
    NEWMDB = 84
    DELMDB = 85
    GETMDB = 86
    NEWNSID = 88
    DELNSID = 89
    GETNSID = 90
    NEWSTATS = 92
    GETSTATS = 94
    SETSTATS = 95
    NEWCACHEREPORT = 96
    NEWCHAIN = 100
    DELCHAIN = 101
    GETCHAIN = 102
    NEWNEXTHOP = 104
    DELNEXTHOP = 105
    GETNEXTHOP = 106
    NEWLINKPROP = 108
    DELLINKPROP = 109
    GETLINKPROP = 110
    NEWVLAN = 112
    DELVLAN = 113
    GETVLAN = 114
    NEWNEXTHOPBUCKET = 116
    DELNEXTHOPBUCKET = 117
    GETNEXTHOPBUCKET = 118
    NEWTUNNEL = 120
    DELTUNNEL = 121
    GETTUNNEL = 122


class RTM_F(IntFlag):
    """``RTM_F_*`` from ``<linux/rtnetlink.h>``."""

    NOTIFY = 0x100
    CLONED = 0x200
    EQUALIZE = 0x400
    PREFIX = 0x800
    LOOKUP_TABLE = 0x1000
    FIB_MATCH = 0x2000
    OFFLOAD = 0x4000
    TRAP = 0x8000
    OFFLOAD_FAILED = 0x20000000


class RTN(IntEnum):
    """``RTN_*`` from ``<linux/rtnetlink.h>``."""

    UNSPEC = 0
    UNICAST = 1
    LOCAL = 2
    BROADCAST = 3
    ANYCAST = 4
    MULTICAST = 5
    BLACKHOLE = 6
    UNREACHABLE = 7
    PROHIBIT = 8
    THROW = 9
    NAT = 10
    XRESOLVE = 11


class RTPROT(IntEnum):
    """``RTPROT_*`` from ``<linux/rtnetlink.h>``."""

    UNSPEC = 0
    REDIRECT = 1
    KERNEL = 2
    BOOT = 3
    STATIC = 4
    GATED = 8
    RA = 9
    MRT = 10
    ZEBRA = 11
    BIRD = 12
    DNROUTED = 13
    XORP = 14
    NTK = 15
    DHCP = 16
    MROUTED = 17
    KEEPALIVED = 18
    BABEL = 42
    OPENR = 99
    BGP = 186
    ISIS = 187
    OSPF = 188
    RIP = 189
    EIGRP = 192


class RT_SCOPE(IntEnum):
    """``RT_SCOPE_*`` from ``<linux/rtnetlink.h>``."""

    UNIVERSE = 0
    SITE = 200
    LINK = 253
    HOST = 254
    NOWHERE = 255


class RT_TABLE(IntEnum):
    """``RT_TABLE_*`` from ``<linux/rtnetlink.h>``."""

    UNSPEC = 0
    COMPAT = 252
    DEFAULT = 253
    MAIN = 254
    LOCAL = 255


class RTA(IntEnum):
    """``RTA_*`` from ``<linux/rtnetlink.h>``."""

    UNSPEC = 0
    DST = 1
    SRC = 2
    IIF = 3
    OIF = 4
    GATEWAY = 5
    PRIORITY = 6
    PREFSRC = 7
    METRICS = 8
    MULTIPATH = 9
    PROTOINFO = 10
    FLOW = 11
    CACHEINFO = 12
    SESSION = 13
    MP_ALGO = 14
    TABLE = 15
    MARK = 16
    MFC_STATS = 17
    VIA = 18
    NEWDST = 19
    PREF = 20
    ENCAP_TYPE = 21
    ENCAP = 22
    EXPIRES = 23
    PAD = 24
    UID = 25
    TTL_PROPAGATE = 26
    IP_PROTO = 27
    SPORT = 28
    DPORT = 29
    NH_ID = 30


class RTAX(IntEnum):
    """``RTAX_*`` from ``<linux/rtnetlink.h>``."""

    UNSPEC = 0
    LOCK = 1
    MTU = 2
    WINDOW = 3
    RTT = 4
    RTTVAR = 5
    SSTHRESH = 6
    CWND = 7
    ADVMSS = 8
    REORDERING = 9
    HOPLIMIT = 10
    INITCWND = 11
    FEATURES = 12
    RTO_MIN = 13
    INITRWND = 14
    QUICKACK = 15
    CC_ALGO = 16
    FASTOPEN_NO_COOKIE = 17


class RTNH_F(IntFlag):
    """``RTNH_F_*`` from ``<linux/rtnetlink.h>``."""

    DEAD = 0x1
    PERVASIVE = 0x2
    ONLINK = 0x4
    OFFLOAD = 0x8
    LINKDOWN = 0x10
    UNRESOLVED = 0x20
    TRAP = 0x40


class RTNLGRP(IntEnum):
    """``RTNLGRP_*`` from ``<linux/rtnetlink.h>``."""

    NONE = 0
    LINK = 1
    NOTIFY = 2
    NEIGH = 3
    TC = 4
    IPV4_IFADDR = 5
    IPV4_MROUTE = 6
    IPV4_ROUTE = 7
    IPV4_RULE = 8
    IPV6_IFADDR = 9
    IPV6_MROUTE = 10
    IPV6_ROUTE = 11
    IPV6_IFINFO = 12
    NOP2 = 14
    NOP4 = 17
    IPV6_PREFIX = 18
    IPV6_RULE = 19
    ND_USEROPT = 20
    PHONET_IFADDR = 21
    PHONET_ROUTE = 22
    DCB = 23
    IPV4_NETCONF = 24
    IPV6_NETCONF = 25
    MDB = 26
    MPLS_ROUTE = 27
    NSID = 28
    MPLS_NETCONF = 29
    IPV4_MROUTE_R = 30
    IPV6_MROUTE_R = 31
    NEXTHOP = 32
    BRVLAN = 33
    MCTP_IFADDR = 34
    TUNNEL = 35
    STATS = 36


class RTEXT_FILTER(IntFlag):
    """``RTEXT_FILTER_*`` from ``<linux/rtnetlink.h>``."""

    VF = 0x1
    BRVLAN = 0x2
    BRVLAN_COMPRESSED = 0x4
    SKIP_STATS = 0x8
    MRP = 0x10
    CFM_CONFIG = 0x20
    CFM_STATUS = 0x40
    MST = 0x80


class IFLA(IntEnum):
    """``IFLA_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    ADDRESS = 1
    BROADCAST = 2
    IFNAME = 3
    MTU = 4
    LINK = 5
    QDISC = 6
    COST = 8
    PRIORITY = 9
    MASTER = 10
    WIRELESS = 11
    PROTINFO = 12
    TXQLEN = 13
    MAP = 14
    WEIGHT = 15
    OPERSTATE = 16
    LINKMODE = 17
    LINKINFO = 18
    NET_NS_PID = 19
    IFALIAS = 20
    NUM_VF = 21
    VFINFO_LIST = 22
    AF_SPEC = 26
    GROUP = 27
    NET_NS_FD = 28
    EXT_MASK = 29
    PROMISCUITY = 30
    NUM_TX_QUEUES = 31
    NUM_RX_QUEUES = 32
    CARRIER = 33
    PHYS_PORT_ID = 34
    CARRIER_CHANGES = 35
    PHYS_SWITCH_ID = 36
    LINK_NETNSID = 37
    PHYS_PORT_NAME = 38
    PROTO_DOWN = 39
    GSO_MAX_SEGS = 40
    GSO_MAX_SIZE = 41
    PAD = 42
    XDP = 43
    EVENT = 44
    NEW_NETNSID = 45
    IF_NETNSID = 46
    TARGET_NETNSID = 46
    CARRIER_UP_COUNT = 47
    CARRIER_DOWN_COUNT = 48
    NEW_IFINDEX = 49
    MIN_MTU = 50
    MAX_MTU = 51
    PROP_LIST = 52
    ALT_IFNAME = 53
    PERM_ADDRESS = 54
    PROTO_DOWN_REASON = 55
    PARENT_DEV_NAME = 56
    PARENT_DEV_BUS_NAME = 57
    GRO_MAX_SIZE = 58
    TSO_MAX_SIZE = 59
    TSO_MAX_SEGS = 60
    ALLMULTI = 61


class IFLA_INFO(IntEnum):
    """``IFLA_INFO_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    KIND = 1
    DATA = 2
    XSTATS = 3
    SLAVE_KIND = 4
    SLAVE_DATA = 5


class IFLA_INET(IntEnum):
    """``IFLA_INET_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    CONF = 1


class IFLA_INET6(IntEnum):
    """``IFLA_INET6_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    FLAGS = 1
    CONF = 2
    STATS = 3
    MCAST = 4
    CACHEINFO = 5
    ICMP6STATS = 6
    TOKEN = 7
    ADDR_GEN_MODE = 8
    RA_MTU = 9


class IFLA_BR(IntEnum):
    """``IFLA_BR_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    FORWARD_DELAY = 1
    HELLO_TIME = 2
    MAX_AGE = 3
    AGEING_TIME = 4
    STP_STATE = 5
    PRIORITY = 6
    VLAN_FILTERING = 7
    VLAN_PROTOCOL = 8
    GROUP_FWD_MASK = 9
    ROOT_ID = 10
    BRIDGE_ID = 11
    ROOT_PORT = 12
    ROOT_PATH_COST = 13
    TOPOLOGY_CHANGE = 14
    TOPOLOGY_CHANGE_DETECTED = 15
    HELLO_TIMER = 16
    TCN_TIMER = 17
    TOPOLOGY_CHANGE_TIMER = 18
    GC_TIMER = 19
    GROUP_ADDR = 20
    FDB_FLUSH = 21
    MCAST_ROUTER = 22
    MCAST_SNOOPING = 23
    MCAST_QUERY_USE_IFADDR = 24
    MCAST_QUERIER = 25
    MCAST_HASH_ELASTICITY = 26
    MCAST_HASH_MAX = 27
    MCAST_LAST_MEMBER_CNT = 28
    MCAST_STARTUP_QUERY_CNT = 29
    MCAST_LAST_MEMBER_INTVL = 30
    MCAST_MEMBERSHIP_INTVL = 31
    MCAST_QUERIER_INTVL = 32
    MCAST_QUERY_INTVL = 33
    MCAST_QUERY_RESPONSE_INTVL = 34
    MCAST_STARTUP_QUERY_INTVL = 35
    NF_CALL_IPTABLES = 36
    NF_CALL_IP6TABLES = 37
    NF_CALL_ARPTABLES = 38
    VLAN_DEFAULT_PVID = 39
    PAD = 40
    VLAN_STATS_ENABLED = 41
    MCAST_STATS_ENABLED = 42
    MCAST_IGMP_VERSION = 43
    MCAST_MLD_VERSION = 44
    VLAN_STATS_PER_PORT = 45
    MULTI_BOOLOPT = 46
    MCAST_QUERIER_STATE = 47


class IFLA_BRIDGE(IntEnum):
    """``IFLA_BRIDGE_*`` from ``<linux/if_bridge.h>`` (``IFLA_AF_SPEC`` of ``AF_BRIDGE`` links)."""

    FLAGS = 0
    MODE = 1
    VLAN_INFO = 2
    VLAN_TUNNEL_INFO = 3
    MRP = 4
    CFM = 5
    MST = 6


class IFLA_BRPORT(IntEnum):
    """``IFLA_BRPORT_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    STATE = 1
    PRIORITY = 2
    COST = 3
    MODE = 4
    GUARD = 5
    PROTECT = 6
    FAST_LEAVE = 7
    LEARNING = 8
    UNICAST_FLOOD = 9
    PROXYARP = 10
    LEARNING_SYNC = 11
    PROXYARP_WIFI = 12
    ROOT_ID = 13
    BRIDGE_ID = 14
    DESIGNATED_PORT = 15
    DESIGNATED_COST = 16
    ID = 17
    NO = 18
    TOPOLOGY_CHANGE_ACK = 19
    CONFIG_PENDING = 20
    MESSAGE_AGE_TIMER = 21
    FORWARD_DELAY_TIMER = 22
    HOLD_TIMER = 23
    FLUSH = 24
    MULTICAST_ROUTER = 25
    PAD = 26
    MCAST_FLOOD = 27
    MCAST_TO_UCAST = 28
    VLAN_TUNNEL = 29
    BCAST_FLOOD = 30
    GROUP_FWD_MASK = 31
    NEIGH_SUPPRESS = 32
    ISOLATED = 33
    BACKUP_PORT = 34
    MRP_RING_OPEN = 35
    MRP_IN_OPEN = 36
    MCAST_EHT_HOSTS_LIMIT = 37
    MCAST_EHT_HOSTS_CNT = 38
    LOCKED = 39


class IFLA_MACVLAN(IntEnum):
    """``IFLA_MACVLAN_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    MODE = 1
    FLAGS = 2
    MACADDR_MODE = 3
    MACADDR = 4
    MACADDR_DATA = 5
    MACADDR_COUNT = 6
    BC_QUEUE_LEN = 7
    BC_QUEUE_LEN_USED = 8


class MACVLAN_MODE(IntFlag):
    """``MACVLAN_MODE_*`` from ``<linux/if_link.h>``."""

    PRIVATE = 0x1
    VEPA = 0x2
    BRIDGE = 0x4
    PASSTHRU = 0x8
    SOURCE = 0x10


class IFLA_VXLAN(IntEnum):
    """``IFLA_VXLAN_*`` from ``<linux/if_link.h>``."""

    UNSPEC = 0
    ID = 1
    GROUP = 2
    LINK = 3
    LOCAL = 4
    TTL = 5
    TOS = 6
    LEARNING = 7
    AGEING = 8
    LIMIT = 9
    PORT_RANGE = 10
    PROXY = 11
    RSC = 12
    L2MISS = 13
    L3MISS = 14
    PORT = 15
    GROUP6 = 16
    LOCAL6 = 17
    UDP_CSUM = 18
    UDP_ZERO_CSUM6_TX = 19
    UDP_ZERO_CSUM6_RX = 20
    REMCSUM_TX = 21
    REMCSUM_RX = 22
    GBP = 23
    REMCSUM_NOPARTIAL = 24
    COLLECT_METADATA = 25
    LABEL = 26
    GPE = 27
    TTL_INHERIT = 28
    DF = 29
    VNIFILTER = 30


class VETH_INFO(IntEnum):
    """``VETH_INFO_*`` from ``<linux/veth.h>``."""

    UNSPEC = 0
    PEER = 1


class IFA(IntEnum):
    """``IFA_*`` from ``<linux/if_addr.h>``."""

    UNSPEC = 0
    ADDRESS = 1
    LOCAL = 2
    LABEL = 3
    BROADCAST = 4
    ANYCAST = 5
    CACHEINFO = 6
    MULTICAST = 7
    FLAGS = 8
    RT_PRIORITY = 9
    TARGET_NETNSID = 10
    PROTO = 11


class IFA_F(IntFlag):
    """``IFA_F_*`` from ``<linux/if_addr.h>``."""

    SECONDARY = 0x1
    TEMPORARY = 0x1
    NODAD = 0x2
    OPTIMISTIC = 0x4
    DADFAILED = 0x8
    HOMEADDRESS = 0x10
    DEPRECATED = 0x20
    TENTATIVE = 0x40
    PERMANENT = 0x80
    MANAGETEMPADDR = 0x100
    NOPREFIXROUTE = 0x200
    MCAUTOJOIN = 0x400
    STABLE_PRIVACY = 0x800


class IFF(IntFlag):
    """``IFF_*`` from ``<linux/if.h>``."""

    UP = 0x1
    BROADCAST = 0x2
    DEBUG = 0x4
    LOOPBACK = 0x8
    POINTOPOINT = 0x10
    NOTRAILERS = 0x20
    RUNNING = 0x40
    NOARP = 0x80
    PROMISC = 0x100
    ALLMULTI = 0x200
    MASTER = 0x400
    SLAVE = 0x800
    MULTICAST = 0x1000
    PORTSEL = 0x2000
    AUTOMEDIA = 0x4000
    DYNAMIC = 0x8000
    LOWER_UP = 0x10000
    DORMANT = 0x20000
    ECHO = 0x40000


class IF_OPER(IntEnum):
    """``IF_OPER_*`` from ``<linux/if.h>``."""

    UNKNOWN = 0
    NOTPRESENT = 1
    DOWN = 2
    LOWERLAYERDOWN = 3
    TESTING = 4
    DORMANT = 5
    UP = 6


class ARPHRD(IntEnum):
    """``ARPHRD_*`` from ``<linux/if_arp.h>``."""

    NETROM = 0
    ETHER = 1
    EETHER = 2
    AX25 = 3
    PRONET = 4
    CHAOS = 5
    IEEE802 = 6
    ARCNET = 7
    APPLETLK = 8
    DLCI = 15
    ATM = 19
    METRICOM = 23
    IEEE1394 = 24
    EUI64 = 27
    INFINIBAND = 32
    SLIP = 256
    CSLIP = 257
    SLIP6 = 258
    CSLIP6 = 259
    RSRVD = 260
    ADAPT = 264
    ROSE = 270
    X25 = 271
    HWX25 = 272
    CAN = 280
    MCTP = 290
    PPP = 512
    CISCO = 513
    HDLC = 513
    LAPB = 516
    DDCMP = 517
    RAWHDLC = 518
    RAWIP = 519
    TUNNEL = 768
    TUNNEL6 = 769
    FRAD = 770
    SKIP = 771
    LOOPBACK = 772
    LOCALTLK = 773
    FDDI = 774
    BIF = 775
    SIT = 776
    IPDDP = 777
    IPGRE = 778
    PIMREG = 779
    HIPPI = 780
    ASH = 781
    ECONET = 782
    IRDA = 783
    FCPP = 784
    FCAL = 785
    FCPL = 786
    FCFABRIC = 787
    IEEE802_TR = 800
    IEEE80211 = 801
    IEEE80211_PRISM = 802
    IEEE80211_RADIOTAP = 803
    IEEE802154 = 804
    IEEE802154_MONITOR = 805
    PHONET = 820
    PHONET_PIPE = 821
    CAIF = 822
    IP6GRE = 823
    NETLINK = 824
    VSOCKMON = 826
    VOID = 65535
    NONE = 65534


ALL_CLASSES: tuple[type[IntEnum] | type[IntFlag], ...] = (
    AF,
    NLMSG,
    NLM_F,
    NLA_F,
    NETLINK,
    NLMSGERR_ATTR,
    RTM,
    RTM_F,
    RTN,
    RTPROT,
    RT_SCOPE,
    RT_TABLE,
    RTA,
    RTAX,
    RTNH_F,
    RTNLGRP,
    RTEXT_FILTER,
    IFLA,
    IFLA_INFO,
    IFLA_INET,
    IFLA_INET6,
    IFLA_BR,
    IFLA_BRIDGE,
    IFLA_BRPORT,
    IFLA_MACVLAN,
    MACVLAN_MODE,
    IFLA_VXLAN,
    VETH_INFO,
    IFA,
    IFA_F,
    IFF,
    IF_OPER,
    ARPHRD,
)


def kernel_name(member: IntEnum | IntFlag) -> str:
    """The kernel's name for ``member``: ``kernel_name(IFLA.MTU) == "IFLA_MTU"``."""
    return f"{type(member).__name__}_{member.name}"
