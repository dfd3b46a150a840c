"""Developer tool: print every number of the uapi headers' groups that rawnl knows, as lines for
rawnl/wire/uapi.py (``NAME = value``, one section per group), or for an attribute table.

rawnl/wire/uapi.py is curated by hand from this draft (only the numbers rawnl uses, each defined
once); attribute numbers go in their family's table instead.  tests/test_constants.py checks
every name in uapi.py and every table row against the headers independently, by compiling a C
program.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

INC = Path("/usr/include")

# class name, kind, headers, prefix, names to skip
GROUPS: list[tuple[str, str, list[str], str, set[str]]] = [
    ("NLMSG", "IntEnum", ["linux/netlink.h"], "NLMSG_", {"ALIGNTO", "HDRLEN"}),
    ("NLM_F", "IntFlag", ["linux/netlink.h"], "NLM_F_", set()),
    ("NLA_F", "IntFlag", ["linux/netlink.h"], "NLA_F_", set()),
    ("NETLINK", "IntEnum", ["linux/netlink.h"], "NETLINK_", {"UNUSED", "USERSOCK", "FIREWALL", "SOCK_DIAG", "NFLOG", "XFRM", "SELINUX", "ISCSI", "AUDIT", "FIB_LOOKUP", "CONNECTOR", "NETFILTER", "IP6_FW", "DNRTMSG", "KOBJECT_UEVENT", "GENERIC", "SCSITRANSPORT", "ECRYPTFS", "RDMA", "CRYPTO", "SMC", "INET_DIAG", "UNCONNECTED", "CONNECTED", "RX_RING", "TX_RING"}),
    ("NLMSGERR_ATTR", "IntEnum", ["linux/netlink.h"], "NLMSGERR_ATTR_", {"MAX"}),
    ("RTM", "IntEnum", ["linux/rtnetlink.h"], "RTM_", {"BASE", "MAX", "NR_MSGTYPES", "NR_FAMILIES"}),
    ("RTM_F", "IntFlag", ["linux/rtnetlink.h"], "RTM_F_", set()),
    ("RTN", "IntEnum", ["linux/rtnetlink.h"], "RTN_", {"MAX"}),
    ("RTPROT", "IntEnum", ["linux/rtnetlink.h"], "RTPROT_", set()),
    ("RT_SCOPE", "IntEnum", ["linux/rtnetlink.h"], "RT_SCOPE_", set()),
    ("RT_TABLE", "IntEnum", ["linux/rtnetlink.h"], "RT_TABLE_", {"MAX"}),
    ("RTA", "IntEnum", ["linux/rtnetlink.h"], "RTA_", {"MAX", "ALIGNTO"}),
    ("RTAX", "IntEnum", ["linux/rtnetlink.h"], "RTAX_", {"MAX"}),
    ("RTNH_F", "IntFlag", ["linux/rtnetlink.h"], "RTNH_F_", set()),
    ("RTNLGRP", "IntEnum", ["linux/rtnetlink.h"], "RTNLGRP_", {"MAX"}),
    ("RTEXT_FILTER", "IntFlag", ["linux/rtnetlink.h"], "RTEXT_FILTER_", set()),
    ("IFLA", "IntEnum", ["linux/if_link.h"], "IFLA_", {"MAX"}),
    ("IFLA_INFO", "IntEnum", ["linux/if_link.h"], "IFLA_INFO_", {"MAX"}),
    ("IFLA_INET", "IntEnum", ["linux/if_link.h"], "IFLA_INET_", {"MAX"}),
    ("IFLA_INET6", "IntEnum", ["linux/if_link.h"], "IFLA_INET6_", {"MAX"}),
    ("IFLA_BR", "IntEnum", ["linux/if_link.h"], "IFLA_BR_", {"MAX"}),
    ("IFLA_BRPORT", "IntEnum", ["linux/if_link.h"], "IFLA_BRPORT_", {"MAX"}),
    ("IFLA_MACVLAN", "IntEnum", ["linux/if_link.h"], "IFLA_MACVLAN_", {"MAX"}),
    ("MACVLAN_MODE", "IntFlag", ["linux/if_link.h"], "MACVLAN_MODE_", set()),
    ("IFLA_VXLAN", "IntEnum", ["linux/if_link.h"], "IFLA_VXLAN_", {"MAX"}),
    ("VETH_INFO", "IntEnum", ["linux/veth.h"], "VETH_INFO_", {"MAX"}),
    ("IFA", "IntEnum", ["linux/if_addr.h"], "IFA_", {"MAX"}),
    ("IFA_F", "IntFlag", ["linux/if_addr.h"], "IFA_F_", set()),
    ("IFF", "IntFlag", ["linux/if.h"], "IFF_", {"VOLATILE"}),
    ("IF_OPER", "IntEnum", ["linux/if.h"], "IF_OPER_", set()),
    ("ARPHRD", "IntEnum", ["linux/if_arp.h"], "ARPHRD_", set()),
]

def names_for(text: str, prefix: str, skip: set[str], allprefixes: list[str]) -> list[str]:
    found: list[str] = []
    for m in re.finditer(r"^\s*(?:#define\s+)?(" + re.escape(prefix) + r"[A-Z0-9_]+)\b(?!\()", text, re.M):
        full = m.group(1)
        rest = full[len(prefix):]
        if full.startswith("__") or rest in skip or not rest or rest.startswith("__"):
            continue
        # a longer group's prefix owns the name (IFLA_INFO_KIND is not an IFLA_)
        if any(p != prefix and p.startswith(prefix) and full.startswith(p) for p in allprefixes):
            continue
        if full not in found:
            found.append(full)
    return found

def main() -> None:
    allprefixes = [g[3] for g in GROUPS] + ["RTAX_FEATURE_", "IFLA_STATS_", "IFLA_VF_", "IFLA_XDP_",
        "IFLA_BRIDGE_", "IFLA_PORT_", "IFLA_GRE_", "IFLA_VLAN_", "IFLA_IPVLAN_", "IFLA_VRF_",
        "IFLA_BOND_", "IFLA_MACSEC_", "IFLA_PPP_", "IFLA_GTP_", "IFLA_HSR_", "IFLA_IPOIB_",
        "IFLA_GENEVE_", "IFLA_BAREUDP_", "IFLA_TUN_", "IFLA_RMNET_", "IFLA_MCTP_", "IFLA_DSA_",
        "IFLA_XFRM_", "IFLA_OFFLOAD_", "IFLA_EVENT_", "IFLA_PROTO_DOWN_REASON_", "IFLA_VXLAN_DF_",
        "IFLA_TUNNEL_", "IFLA_VXLAN_LABEL_", "IFLA_NETKIT_",
        "IFLA_GENEVE_DF_", "RTM_F_", "NLMSGERR_ATTR_", "IFA_F_", "IFLA_INET6_", "IFLA_INET_",
        "IFLA_BR_", "IFLA_BRPORT_", "IFLA_INFO_", "IFLA_MACVLAN_", "IFLA_VXLAN_", "NETLINK_ATTR_",
        "NETLINK_POLICY_", "NL_ATTR_", "NL_POLICY_", "RT_TABLE_", "RT_SCOPE_", "RTNH_F_",
        "RTEXT_FILTER_", "NLM_F_", "NLA_F_", "IFLA_HSR_PROTOCOL", "IFLA_DPLL_", "IFLA_STATS"]
    plan = []
    for cls, kind, headers, prefix, skip in GROUPS:
        text = "\n".join((INC / h).read_text() for h in headers)
        plan.append((cls, kind, headers, prefix, names_for(text, prefix, skip, allprefixes)))
    hdrs = sorted({h for g in GROUPS for h in g[2]})
    c = "#include <stdio.h>\n#include <sys/socket.h>\n" + "".join(f"#include <{h}>\n" for h in hdrs)
    c += "int main(void){\n"
    for cls, kind, headers, prefix, names in plan:
        for n in names:
            c += f'#ifdef {n}\nprintf("{cls} {n} %lld\\n", (long long)({n}));\n#else\nprintf("{cls} {n} %lld\\n", (long long)({n}));\n#endif\n'
    c += "return 0;}\n"
    with tempfile.TemporaryDirectory() as d:
        Path(d, "g.c").write_text(c)
        r = subprocess.run(["cc", "-o", f"{d}/g", f"{d}/g.c"], capture_output=True, text=True)
        if r.returncode:
            print(r.stderr[:3000], file=sys.stderr)
            # drop names the compiler does not know (macros that are not numbers)
            bad = set(re.findall(r"'(\w+)' undeclared", r.stderr))
            print("undeclared:", bad, file=sys.stderr)
            sys.exit(1)
        out = subprocess.run([f"{d}/g"], capture_output=True, text=True, check=True).stdout
    vals: dict[str, list[tuple[str, int]]] = {}
    for line in out.splitlines():
        cls, n, v = line.split()
        vals.setdefault(cls, []).append((n, int(v)))
    for cls, kind, headers, prefix, names in plan:
        print(f"\n# ``{prefix}*`` from ``<{headers[0]}>``.")
        for n, v in vals.get(cls, []):
            print(f"{n} = {hex(v) if kind == 'IntFlag' else v}")

if __name__ == "__main__":
    main()
