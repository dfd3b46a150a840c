"""Instructions per call, rawnl against the minimal client of ``minimal_client.py``: the
deterministic view of ``ops.py`` (f)-(j).

Each workload runs in a worker process under ``valgrind --tool=callgrind``, twice: after the same
set-up (a fresh namespace with a veth pair v0/v1, v0 up with 192.0.2.1/24) and 20 calls of
warm-up, once with no more calls and once with ``-n`` more; the difference over ``-n`` is what one
call costs in user-space instructions.  The kernel's work is not counted (callgrind sees user
space only), and it is the same for both clients; what is left is each client's own cost.
Unlike a time, the count does not depend on the machine's load (``PYTHONHASHSEED=0`` fixes the
dict orders), so a change of a few hundred instructions shows.  It does not weigh cache misses
and the system calls themselves, so a ratio of instructions is not a ratio of times: ``ops.py``
gives those.

Workloads (as ``ops.py``'s, on one link): (f) ``addr_add("v0", "A/32")``; (g) ``route_add("D/32",
gateway="192.0.2.2", table=T)``; (h) ``link_set("v0", mtu=1400|1401)``; (i) ``link_get("v0")``;
(j) the same addresses and routes in one ``with ipr.batch()`` each (per request).  The minimal
client gets the link's index up front, as in ``ops.py``.

Needs root and valgrind.  Usage: ``python benchmarks/instructions.py [-n 400] [--only fghij]
[--trees /path/before,/path/after]`` (``--trees``: the rawnl of each source tree, through
``PYTHONPATH``; the minimal client is measured once).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rawnl import IPRoute, NetNS
from rawnl.engine.netns import run_netns_as_found

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the helpers beside this script
from minimal_client import NEW, NLM_F_ACK, RTM_NEWADDR, RTM_NEWROUTE, MinimalClient, addr_msg, route_msg

WARM_UP = 20
GATEWAY = "192.0.2.2"
#: one worker's calls at most: its addresses and routes are all different (two /24s of /32s)
MOST = 500 - WARM_UP

#: workload -> what it is, for the report
WORKLOADS = {
    "f": "(f) addr_add(name, a/32), one call",
    "g": "(g) route_add(dst, gateway=, table=), one call",
    "h": "(h) link_set(name, mtu=), one call",
    "i": "(i) link_get(name), one call",
    "ja": "(j) batch addr_add(name, a/32), per request",
    "jr": "(j) batch route_add(dst, gateway=), per request",
}


def _address(j: int) -> str:
    return f"198.51.100.{j + 1}/32" if j < 250 else f"203.0.113.{j - 249}/32"


def _route(j: int) -> tuple[str, int]:
    return f"203.0.113.{j % 250}/32", 1000 + j // 250


def worker(workload: str, minimal: bool, count: int) -> None:
    """Set up, warm up, then ``count`` calls of ``workload`` (rawnl's, or the minimal client's)."""
    name = f"rawnl-instr-{os.getpid()}"
    with run_netns_as_found():
        ns = NetNS.create(name)
        try:
            with IPRoute(ns) as ipr:
                ipr.link_add_veth("v0", "v1")
                ipr.link_set("v0", up=True)
                ipr.addr_add("v0", "192.0.2.1/24")
                index = ipr.link_get("v0").index
                with ns.enter():
                    mc = MinimalClient()
                try:
                    run = (minimal_calls(mc, index) if minimal else rawnl_calls(ipr))[workload]
                    run(range(WARM_UP))
                    run(range(WARM_UP, WARM_UP + count))
                finally:
                    mc.close()
        finally:
            ns.close()
            NetNS.delete(name)


Calls = dict[str, Callable[[range], None]]


def each(call: Callable[[int], object]) -> Callable[[range], None]:
    """One call per item of the range."""

    def run(js: range) -> None:
        for j in js:
            call(j)

    return run


def rawnl_calls(ipr: IPRoute) -> Calls:
    """Each workload's calls through rawnl."""

    def batch_addrs(js: range) -> None:
        with ipr.batch() as b:
            for j in js:
                b.addr_add("v0", _address(j))
        assert not b.errors, b.errors[:3]

    def batch_routes(js: range) -> None:
        with ipr.batch() as b:
            for dst, table in map(_route, js):
                b.route_add(dst, gateway=GATEWAY, table=table)
        assert not b.errors, b.errors[:3]

    return {
        "f": each(lambda j: ipr.addr_add("v0", _address(j))),
        "g": each(lambda j: ipr.route_add(_route(j)[0], gateway=GATEWAY, table=_route(j)[1])),
        "h": each(lambda j: ipr.link_set("v0", mtu=1400 + (j & 1))),
        "i": each(lambda j: ipr.link_get("v0")),
        "ja": batch_addrs,
        "jr": batch_routes,
    }


def minimal_calls(mc: MinimalClient, index: int) -> Calls:
    """The same calls through the minimal client (the index known up front)."""

    new = NEW & ~NLM_F_ACK  # the batch asks for the ACK on each chunk's last request

    def batch_addrs(js: range) -> None:
        failed = mc.batch([addr_msg(RTM_NEWADDR, new, i + 1, index, _address(j)) for i, j in enumerate(js)])
        assert not failed, failed[:3]

    def batch_routes(js: range) -> None:
        routes = [_route(j) for j in js]
        failed = mc.batch(
            [route_msg(RTM_NEWROUTE, new, i + 1, d, gateway=GATEWAY, table=t) for i, (d, t) in enumerate(routes)]
        )
        assert not failed, failed[:3]

    return {
        "f": each(lambda j: mc.addr_add(index, _address(j))),
        "g": each(lambda j: mc.route_add(_route(j)[0], GATEWAY, _route(j)[1])),
        "h": each(lambda j: mc.link_set_mtu(index, 1400 + (j & 1))),
        "i": each(lambda j: mc.link_get(index)),
        "ja": batch_addrs,
        "jr": batch_routes,
    }


def instructions(tree: str | None, workload: str, minimal: bool, count: int) -> int:
    """User-space instructions of a worker doing ``count`` calls (callgrind's total)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0")
        if tree is not None:
            env["PYTHONPATH"] = tree
        argv = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            sys.executable, os.path.abspath(__file__), "--worker", workload, str(int(minimal)), str(count),
        ]  # fmt: skip
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
    raise RuntimeError("callgrind wrote no total")


def per_call(tree: str | None, workload: str, minimal: bool, n: int) -> float:
    return (instructions(tree, workload, minimal, n) - instructions(tree, workload, minimal, 0)) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=400, help=f"calls measured (at most {MOST})")
    parser.add_argument("--only", default="fghij", help="workloads among f g h i j")
    parser.add_argument("--trees", default="", help="comma-separated source trees (default: this rawnl)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        workload, minimal, count = args.worker
        worker(workload, minimal == "1", int(count))
        return 0
    if os.geteuid() != 0:
        print("instructions.py needs root (it makes network namespaces)", file=sys.stderr)
        return 1
    if shutil.which("valgrind") is None:
        print("instructions.py needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 1
    if not 0 < args.n <= MOST:
        parser.error(f"-n must be 1 to {MOST}")
    keys = [k for k in WORKLOADS if k[0] in args.only]
    trees: list[str | None] = [os.path.abspath(t) for t in args.trees.split(",") if t] or [None]
    jobs = [(None, k, True) for k in keys] + [(t, k, False) for t in trees for k in keys]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        figures = dict(zip(jobs, pool.map(lambda job: per_call(job[0], job[1], job[2], args.n), jobs), strict=True))
    print(f"user-space instructions per call (callgrind, {args.n} calls after {WARM_UP} of warm-up)")
    head = f"{'workload':50s} {'minimal':>9s}"
    for tree in trees:
        head += f" {'rawnl' if tree is None else os.path.basename(tree):>12s} {'ratio':>6s}"
    print(head)
    for k in keys:
        ref = figures[(None, k, True)]
        line = f"{WORKLOADS[k]:50s} {ref:9.0f}"
        for tree in trees:
            ours = figures[(tree, k, False)]
            line += f" {ours:12.0f} {ours / ref:5.2f}x"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
