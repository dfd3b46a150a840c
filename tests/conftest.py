"""Fixtures for rawnl's tests: throw-away namespaces, a socket in one, iproute2 as the observer,
and a session-end leak check.

- ``netns``, ``netns2``: a fresh network namespace per test (``rawnl-t-<pid>-<n>``), created and
  deleted through :class:`rawnl.NetNS` itself.  ``make_netns()`` makes more (each deleted after
  the test); ``netns_name()`` hands out unique names (with our pid) for namespaces a test makes by
  other means (``ip netns add``) and must delete itself.
- ``nlsock``: a ``rawnl.NetlinkSocket(netns=netns)``.
- ``ip``: iproute2, the independent observer: ``ip("link", "show", ns=netns)`` runs
  ``ip -j -n NAME link show`` and returns the parsed JSON; ``details=True`` adds ``-d``;
  ``ip.text(...)`` returns plain output; ``ip.run(...)`` returns the CompletedProcess unchecked.
- Every test that uses a namespace fixture is marked ``privileged`` (``-m "not privileged"``
  selects the rest): it skips when not root.
- Under ``RAWNL_REQUIRE_PRIVILEGED=1`` (CI) nothing may skip: every skipped test (xfail aside)
  and every skipped module (``pytest.importorskip``, a module-level ``pytest.skip``) is reported
  as a failure instead, whatever the reason; so fixtures and tests just call ``pytest.skip``.
- At session end (teardown of an autouse session fixture, reported as an error): no namespace or
  mount of this run is left under /run/netns, no socket/namespace fd leaked (other fds: a little
  slack), and /run/netns is as it was at the start (removed again, if empty, when it did not
  exist; other engineers' concurrent runs may keep it non-empty, which is fine).
- The codec's layout cache runs in its check mode (``RAWNL_VERIFY_LAYOUT_CACHE=1``, set here
  before rawnl is imported): every cached decode is scanned again and compared, so the golden,
  property and differential tests (and every other decode) check the cache's rule too.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAWNL_VERIFY_LAYOUT_CACHE", "1")  # before any test module imports rawnl

import contextlib
import itertools
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rawnl.engine.netns import NetNS
    from rawnl.engine.socket import NetlinkSocket

PID = os.getpid()
REQUIRE_PRIVILEGED = os.environ.get("RAWNL_REQUIRE_PRIVILEGED") == "1"
IS_ROOT = os.geteuid() == 0
RUN_NETNS = "/run/netns"
# Fixtures for tests that make namespaces: a test using any of them (directly or through another
# fixture) is privileged.
NAMESPACE_FIXTURES = frozenset({"netns", "netns2", "nlsock", "make_netns", "netns_name"})
# fds the leak check counts exactly: what rawnl opens.  Other new fds get OTHER_FD_SLACK.
_TRACKED_FD = re.compile(r"^(socket:\[|net:\[|/run/netns|/proc/\d+/(task/\d+/)?ns/)")
OTHER_FD_SLACK = 3

_counter = itertools.count()
_OUR_TOKEN = re.compile(rf"(?<!\d){PID}(?!\d)")  # our pid in a name, not inside a longer number


def unique_netns_name(tag: str = "t") -> str:
    """``rawnl-<tag>-<pid>-<n>``: unique across this run and concurrent runs."""
    return f"rawnl-{tag}-{PID}-{next(_counter)}"


# -- skips: plain skips, turned into failures under RAWNL_REQUIRE_PRIVILEGED=1 ---------------------
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if NAMESPACE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.privileged)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("privileged") is not None and not IS_ROOT:
        pytest.skip("privileged test: needs root (network namespaces)")


def _skip_reason(longrepr: object) -> str:
    """The reason of a skip report (its longrepr is ``(path, lineno, reason)``)."""
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_PRIVILEGED and report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under RAWNL_REQUIRE_PRIVILEGED=1, which forbids skipping: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """A whole module skipped at collection (``importorskip``): a collection error under
    RAWNL_REQUIRE_PRIVILEGED=1, before any other hook sees the report."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_PRIVILEGED and report.skipped:
        reason = _skip_reason(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} skipped under RAWNL_REQUIRE_PRIVILEGED=1, which forbids skipping: {reason}"
        )


# -- namespaces ------------------------------------------------------------------------------------
def _require_root() -> None:
    if not IS_ROOT:  # normally handled by the privileged marker; this covers indirect uses
        pytest.skip("needs root (network namespaces)")


@pytest.fixture
def netns_name() -> Callable[[str], str]:
    """A factory of unique namespace names (with our pid, so the leak check knows them)."""
    return unique_netns_name


@pytest.fixture
def make_netns() -> Iterator[Callable[[], NetNS]]:
    """``make_netns()`` creates a fresh named namespace (through NetNS.create); every one it made
    is closed and deleted after the test, even when the test failed."""
    _require_root()
    from rawnl.engine.netns import NetNS

    made: list[NetNS] = []

    def make() -> NetNS:
        ns = NetNS.create(unique_netns_name())
        made.append(ns)
        return ns

    yield make
    errors = []
    for ns in reversed(made):
        ns.close()
        assert ns.name is not None
        try:
            NetNS.delete(ns.name)
        except FileNotFoundError:
            pass  # the test deleted it itself
        except OSError as exc:
            errors.append(f"{ns.name}: {exc}")
    if errors:
        pytest.fail(f"could not delete test namespaces: {'; '.join(errors)}", pytrace=False)


@pytest.fixture
def netns(make_netns: Callable[[], NetNS]) -> NetNS:
    """A fresh network namespace for this test (only ``lo``, down)."""
    return make_netns()


@pytest.fixture
def netns2(make_netns: Callable[[], NetNS]) -> NetNS:
    """A second fresh network namespace."""
    return make_netns()


@pytest.fixture
def bridge_host(netns: NetNS) -> NetNS:
    """``netns`` holding a bridge ``br0``, up, with 198.51.100.1/24: a host for containers."""
    from rawnl import IPRoute

    with IPRoute(netns=netns) as h:
        h.link_add_bridge("br0")
        h.addr_add("br0", "198.51.100.1/24")
        h.link_set("br0", up=True)
    return netns


@pytest.fixture
def nlsock(netns: NetNS) -> Iterator[NetlinkSocket]:
    """A ``rawnl.NetlinkSocket`` opened inside ``netns``."""
    from rawnl.engine.socket import NetlinkSocket

    with NetlinkSocket(netns=netns) as sock:
        yield sock


# -- iproute2 as the observer --------------------------------------------------------------------
class IPError(AssertionError):
    """``ip`` failed: the command, its exit status and stderr."""

    def __init__(self, cmd: list[str], returncode: int, stderr: str) -> None:
        super().__init__(f"{' '.join(cmd)}: exit {returncode}: {stderr.strip()}")
        self.cmd = cmd
        self.returncode = returncode
        self.stderr = stderr


class IPRoute2:
    """Runs ``ip`` (``-j``, ``-d``, ``-n NAME``) and parses what it prints."""

    def command(self, *args: str, ns: NetNS | str | None = None, json: bool = True, details: bool = False) -> list[str]:
        opts = ["-j"] if json else []
        if details:
            opts.append("-d")
        if ns is None:
            return ["ip", *opts, *args]
        if isinstance(ns, str):
            return ["ip", *opts, "-n", ns, *args]
        if ns.name is not None:
            return ["ip", *opts, "-n", ns.name, *args]
        # No name (NetNS.current(), from_pid): enter it through the handle's fd, passed down.
        return ["nsenter", f"--net=/proc/self/fd/{ns.fileno()}", "ip", *opts, *args]

    def run(
        self, *args: str, ns: NetNS | str | None = None, json: bool = False, details: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run it; no check."""
        cmd = self.command(*args, ns=ns, json=json, details=details)
        fds = (ns.fileno(),) if ns is not None and not isinstance(ns, str) and ns.name is None else ()
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60, pass_fds=fds)

    def text(self, *args: str, ns: NetNS | str | None = None, details: bool = False) -> str:
        """Run it and return stdout (``IPError`` if it fails)."""
        proc = self.run(*args, ns=ns, details=details)
        if proc.returncode != 0:
            raise IPError(proc.args, proc.returncode, proc.stderr)
        return proc.stdout

    def __call__(self, *args: str, ns: NetNS | str | None = None, details: bool = False) -> Any:
        """Run ``ip -j ...`` and return the parsed JSON ([] when ip printed nothing, as for
        ``link add``); ``IPError`` if it fails."""
        proc = self.run(*args, ns=ns, json=True, details=details)
        if proc.returncode != 0:
            raise IPError(proc.args, proc.returncode, proc.stderr)
        return json.loads(proc.stdout) if proc.stdout.strip() else []


@pytest.fixture
def empty_encoder_shapes() -> Iterator[None]:
    """The compiled encoders' shape caches (``Message._SHAPES`` of each family, at most ``LIMIT``
    shapes per class) emptied for the test and put back as they were afterwards: a test that
    encodes hundreds of random messages would otherwise fill them for the tests after it, and a
    test that checks a shape gets compiled needs room whatever ran before it."""
    from rawnl.wire.address import AddressMessage
    from rawnl.wire.link import LinkMessage
    from rawnl.wire.route import RouteMessage

    classes = (LinkMessage, AddressMessage, RouteMessage)
    saved = [
        (cls._SHAPES, {family: dict(names) for family, names in cls._SHAPES.encoders.items()}, dict(cls._SHAPES.seen))
        for cls in classes
    ]
    for shapes, _, _ in saved:
        shapes.encoders.clear()
        shapes.seen.clear()
    yield
    for shapes, encoders, seen in saved:
        shapes.encoders.clear()
        shapes.encoders.update(encoders)
        shapes.seen.clear()
        shapes.seen.update(seen)


@pytest.fixture(scope="session")
def ip() -> IPRoute2:
    """iproute2, the independent observer: ``ip("addr", "show", "dev", "lo", ns=netns)``."""
    return IPRoute2()


# -- the session-end leak check --------------------------------------------------------------------
def _fd_targets() -> dict[int, str]:
    out: dict[int, str] = {}
    for entry in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the fd listdir itself used is gone by now
            out[int(entry)] = os.readlink(f"/proc/self/fd/{entry}")
    return out


def _run_netns_mounts() -> set[str]:
    """Mount points at or under /run/netns (octal escapes decoded: ``\\040(deleted)``)."""
    points = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")
            if point == RUN_NETNS or point.startswith(RUN_NETNS + "/"):
                points.add(point)
    return points


def _ours(name: str) -> bool:
    return bool(_OUR_TOKEN.search(name))


def _names() -> set[str]:
    try:
        return set(os.listdir(RUN_NETNS))
    except FileNotFoundError:
        return set()


@pytest.fixture(scope="session", autouse=True)
def _session_leak_check() -> Iterator[None]:
    """Snapshot at the start, check at the end; any finding fails the run."""
    fds_before = _fd_targets()
    had_run_netns = os.path.isdir(RUN_NETNS)
    was_mount = RUN_NETNS in _run_netns_mounts()
    names_before = _names()
    mounts_before = _run_netns_mounts()
    yield
    problems: list[str] = []

    leaked = sorted(n for n in _names() - names_before if _ours(n))
    if leaked:
        problems.append(f"namespaces this run made are still under {RUN_NETNS}: {leaked}")
    stale_mounts = sorted(
        m for m in _run_netns_mounts() - mounts_before if m != RUN_NETNS and _ours(os.path.basename(m))
    )
    if stale_mounts:
        problems.append(f"mounts this run made are still there: {stale_mounts}")

    fds_after = _fd_targets()
    new = {fd: t for fd, t in fds_after.items() if fds_before.get(fd) != t}
    tracked = {fd: t for fd, t in new.items() if _TRACKED_FD.match(t)}
    other = {fd: t for fd, t in new.items() if fd not in tracked}
    if tracked:
        problems.append(f"socket/namespace fds leaked: {tracked}")
    if len(other) > OTHER_FD_SLACK:
        problems.append(f"{len(other)} other fds leaked (slack {OTHER_FD_SLACK}): {other}")

    if IS_ROOT:
        if not had_run_netns and os.path.isdir(RUN_NETNS):
            from rawnl.engine.netns import cleanup_run_netns

            cleanup_run_netns(any_creator=True)  # only if empty: concurrent runs may use it
            if os.path.isdir(RUN_NETNS) and not os.listdir(RUN_NETNS):
                problems.append(f"{RUN_NETNS} did not exist at the start and could not be removed")
        if had_run_netns and not os.path.isdir(RUN_NETNS):
            problems.append(f"{RUN_NETNS} existed at the start and is gone (a concurrent run removed it?)")
        if had_run_netns and was_mount and os.path.isdir(RUN_NETNS) and RUN_NETNS not in _run_netns_mounts():
            problems.append(f"{RUN_NETNS} was a mount point at the start and is not any more")
        if not had_run_netns and not os.path.isdir(RUN_NETNS) and RUN_NETNS in _run_netns_mounts():
            problems.append(f"{RUN_NETNS} is gone but a mount on it is left")

    if problems:
        pytest.fail("session leak check failed:\n  " + "\n  ".join(problems), pytrace=False)
