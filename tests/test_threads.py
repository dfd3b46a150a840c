"""Sharing a socket between threads: an ``IPRoute`` (and the ``NetlinkSocket`` under it) may be
used by several threads at once; their calls take turns on the socket's lock, and none hangs.
What cannot be shared is refused at once with ``RuntimeError``: a request while another thread
waits for events on the same socket.

Each scenario runs in a child process with a deadline, so a regression shows up as a failed test,
not as a hung suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rawnl

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

REPO = Path(__file__).resolve().parent.parent


def run_child(script: str, netns: rawnl.NetNS, timeout: float = 120) -> str:
    code = textwrap.dedent(script)
    proc = subprocess.run(
        [sys.executable, "-c", code, str(netns.name)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def test_four_threads_share_one_iproute(netns: rawnl.NetNS) -> None:
    """The adversarial review's case: four threads, one IPRoute, requests and dumps mixed; before,
    all four hung in recv after ~160 requests."""
    out = run_child(
        """
        import sys, threading
        import rawnl
        errors = []
        counts = [0] * 4
        with rawnl.IPRoute(sys.argv[1]) as ipr:
            ipr.link_add_bridge("br0")
            def work(n):
                try:
                    for i in range(150):
                        ipr.link_get("br0")
                        ipr.addr_add("br0", f"198.51.{100 + n}.{i + 1}/32")
                        if i % 10 == 0:
                            assert len(ipr.addrs("br0")) >= 1
                            assert any(link.name == "br0" for link in ipr.links())
                        counts[n] += 1
                except BaseException as exc:
                    errors.append(repr(exc))
            threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            assert not any(t.is_alive() for t in threads), "a thread hung"
            assert not errors, errors
            assert counts == [150] * 4, counts
            assert len(ipr.addrs("br0", family=4)) == 600
        print("OK")
        """,
        netns,
    )
    assert out.strip() == "OK"


def test_a_request_while_iterating_a_dump_is_fine(nlsock: rawnl.NetlinkSocket) -> None:
    """A dump reads its whole answer before yielding the first message, so requests made while
    iterating it (on this thread or another) interleave with nothing."""
    dump = nlsock.dump(rawnl.LinkMessage(type=18))
    first = next(dump)
    [lo] = nlsock.request(rawnl.LinkMessage(type=18, attrs={"IFLA_IFNAME": "lo"}), flags=0)
    assert lo.attrs["IFLA_IFNAME"] == "lo"
    names = [m.attrs["IFLA_IFNAME"] for m in (first, *dump)]
    assert names == [m.attrs["IFLA_IFNAME"] for m in nlsock.dump(rawnl.LinkMessage(type=18))]
    assert "lo" in names


def test_a_request_while_another_thread_reads_events_is_refused(netns: rawnl.NetNS) -> None:
    out = run_child(
        """
        import sys, threading, time
        import rawnl
        with rawnl.NetlinkSocket(netns=sys.argv[1]) as sock:
            sock.subscribe(1)
            started = threading.Event()
            def reader():
                started.set()
                for _ in sock.events(timeout=2):
                    pass
            t = threading.Thread(target=reader)
            t.start()
            started.wait()
            time.sleep(0.3)
            try:
                sock.request(rawnl.LinkMessage(type=18, attrs={"IFLA_IFNAME": "lo"}), flags=0)
            except RuntimeError as exc:
                assert "events" in str(exc), exc
                print("refused")
            t.join(10)
            assert not t.is_alive()
            [lo] = sock.request(rawnl.LinkMessage(type=18, attrs={"IFLA_IFNAME": "lo"}), flags=0)
            print("then", lo.attrs["IFLA_IFNAME"])
        """,
        netns,
    )
    assert out.split() == ["refused", "then", "lo"]
