"""rawnl.netns on the real kernel: handles, create/delete/list against `ip netns`, enter(), run_in.

Every namespace here is a throw-away one (fixtures or unique names deleted in ``finally``); the
root namespace is only ever read.
"""

from __future__ import annotations

import _socket
import ctypes
import importlib.util
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import rawnl
from rawnl import NamespaceRestoreError
from rawnl.engine.netns import NetNS, check_thread, cleanup_run_netns, run_in, socket_in

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

REPO = Path(__file__).resolve().parent.parent
AF_NETLINK, NETLINK_ROUTE = 16, 0
RTM_NEWLINK, RTM_GETLINK = 16, 18
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
CAP_SYS_ADMIN = 21


def here() -> str:
    """The calling thread's network namespace, as the kernel names it (``net:[INODE]``)."""
    return os.readlink("/proc/thread-self/ns/net")


def label(ns: NetNS) -> str:
    return f"net:[{ns.ino}]"


def fd_numbers() -> set[int]:
    """Our open fds (not counting the one listdir itself used, closed by the time we look)."""
    fds = set()
    for entry in os.listdir("/proc/self/fd"):
        try:
            os.fstat(int(entry))
        except OSError:
            continue
        fds.add(int(entry))
    return fds


def ip_netns_names(ip: Callable[..., list[dict[str, str]]]) -> list[str]:
    """``ip netns list``'s names."""
    return sorted(entry["name"] for entry in ip("netns", "list"))


# -- enter() -------------------------------------------------------------------------------------
def test_enter_switches_and_restores_under_exceptions(netns: NetNS) -> None:
    home = here()
    assert home != label(netns)

    class BoomError(Exception):
        pass

    def boom() -> None:
        with netns.enter():
            assert here() == label(netns)
            raise BoomError

    with pytest.raises(BoomError):
        boom()
    assert here() == home

    with netns.enter():
        assert here() == label(netns)
    assert here() == home


def test_enter_nests_and_unwinds_one_step_at_a_time(netns: NetNS, netns2: NetNS) -> None:
    home = here()

    def inner() -> None:
        with netns2.enter():
            assert here() == label(netns2)
            raise KeyError("x")

    with netns.enter():
        with pytest.raises(KeyError):
            inner()
        assert here() == label(netns)
    assert here() == home


def test_enter_context_manager_is_single_use(netns: NetNS) -> None:
    home = here()
    cm = netns.enter()
    with cm:
        with pytest.raises(RuntimeError, match="already in use"), cm:
            pass  # pragma: no cover
        assert here() == label(netns)
    assert here() == home


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_effective_cap_on_this_thread(cap: int) -> None:
    """capset(2) for the calling thread only (capabilities are per thread)."""
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (_CapData * 2)()
    assert libc.capget(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())
    data[cap // 32].effective &= ~(1 << (cap % 32))
    assert libc.capset(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())


def test_failed_restore_is_loud_and_strands_the_thread(netns: NetNS) -> None:
    """A real failure of the way back: the thread loses CAP_SYS_ADMIN inside the block, so its
    setns home fails with EPERM.  The error must escape `except Exception` and stick."""
    seen: dict[str, object] = {}

    def worker() -> None:
        try:
            with netns.enter():
                _drop_effective_cap_on_this_thread(CAP_SYS_ADMIN)
        except Exception as exc:  # must NOT catch it
            seen["caught_as_exception"] = exc
        except NamespaceRestoreError as exc:
            seen["error"] = exc
            seen["where"] = here()
            for name, call in (("check_thread", check_thread), ("enter_again", lambda: netns.enter().__enter__())):
                try:
                    call()
                except NamespaceRestoreError as again:
                    seen[name] = again

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert "caught_as_exception" not in seen
    error = seen["error"]
    assert isinstance(error, NamespaceRestoreError)
    assert not isinstance(error, Exception)
    assert error.errno == 1  # EPERM
    assert "could not return" in str(error)
    assert seen["where"] == label(netns)  # it really is still there: that is why it is loud
    assert isinstance(seen["check_thread"], NamespaceRestoreError)
    assert isinstance(seen["enter_again"], NamespaceRestoreError)
    check_thread()  # other threads are not marked


def test_failed_restore_keeps_the_original_exception(netns: NetNS) -> None:
    seen: dict[str, BaseException] = {}

    def worker() -> None:
        try:
            with netns.enter():
                _drop_effective_cap_on_this_thread(CAP_SYS_ADMIN)
                raise ValueError("inside")
        except BaseException as exc:
            seen["error"] = exc

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    error = seen["error"]
    assert isinstance(error, NamespaceRestoreError)
    assert isinstance(error.original, ValueError)
    assert error.__cause__ is error.original


# -- the caller never moves ------------------------------------------------------------------------
def test_callers_namespace_never_changes(netns: NetNS) -> None:
    home = here()
    assert run_in(netns, here) == label(netns)
    assert here() == home
    assert run_in(netns.name or "", here) == label(netns)  # by name
    assert run_in(netns.path, here) == label(netns)  # by path
    assert here() == home
    with netns.enter(), NetNS.current() as current:
        assert run_in(current, here) == label(netns)
    assert here() == home
    sock = socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM)
    sock.close()
    assert here() == home
    with rawnl.NetlinkSocket(netns=netns):
        assert here() == home
    assert here() == home


def _socket_ino(sock: _socket.socket) -> int:
    """The inode of the network namespace ``sock`` belongs to (SIOCGSKNS gives an fd on it)."""
    import fcntl

    from rawnl.wire.uapi import SIOCGSKNS

    fd = fcntl.ioctl(sock.fileno(), SIOCGSKNS)
    try:
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


def test_socket_in_from_many_threads_lands_in_each_callers_namespace(netns: NetNS, netns2: NetNS) -> None:
    """Threads asking at once for sockets in two namespaces (by handle and by name) each get one
    in the namespace they asked for; no thread of the process is left in either afterwards (the
    thread that makes them goes back between sockets)."""
    import threading

    wrong: list[tuple[str, int]] = []

    def ask(target: NetNS, by_name: bool) -> None:
        for _ in range(200):
            sock = socket_in(target.name or "" if by_name else target, _socket.AF_INET, _socket.SOCK_DGRAM)
            try:
                if _socket_ino(sock) != target.ino:
                    wrong.append((label(target), _socket_ino(sock)))
            finally:
                sock.close()

    threads = [threading.Thread(target=ask, args=(ns, by_name)) for ns in (netns, netns2) for by_name in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    tasks = {os.readlink(f"/proc/self/task/{tid}/ns/net") for tid in os.listdir("/proc/self/task")}
    assert label(netns) not in tasks
    assert label(netns2) not in tasks


def test_socket_in_interrupted_leaves_the_next_caller_its_own_socket(
    netns: NetNS, netns2: NetNS, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller interrupted (a signal handler raising) while its socket is being made: the
    interruption is raised once the socket is made (and closed), and the next callers get
    sockets in their own namespaces (not the one made for the interrupted caller, and not
    from a thread that died of it)."""
    import signal

    class AlarmError(Exception):
        pass

    real = _socket.socket

    def slow(*args: int) -> _socket.socket:
        time.sleep(0.3)
        return real(*args)

    def handler(signum: int, frame: object) -> None:
        raise AlarmError

    socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM).close()  # the thread is running
    previous = signal.signal(signal.SIGALRM, handler)
    try:
        monkeypatch.setattr(_socket, "socket", slow)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(AlarmError):
            socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        monkeypatch.setattr(_socket, "socket", real)
    import threading

    got: list[int] = []

    def ask() -> None:  # on a thread: a thread that makes sockets no more would hang it
        for target in (netns2, netns, netns2):
            sock = socket_in(target, _socket.AF_INET, _socket.SOCK_DGRAM)
            got.append(_socket_ino(sock))
            sock.close()

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(10)
    assert got == [netns2.ino, netns.ino, netns2.ino]


# The fork is the point of the test (3.12+ warns of forking a process that has threads).
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_socket_in_after_fork(netns: NetNS) -> None:
    """A forked child (where the thread that makes sockets was not copied) makes its own."""
    socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM).close()  # the parent's thread is running
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            sock = socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM)
            code = 0 if _socket_ino(sock) == netns.ino else 2
            sock.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_socket_in_creates_the_socket_in_the_namespace(netns: NetNS, ip: Callable[..., object]) -> None:
    """Independent check: a UDP socket opened in the namespace binds to an address that exists
    only there (after `ip` adds it), and fails to bind in ours."""
    ip("link", "set", "lo", "up", ns=netns)
    ip("addr", "add", "192.0.2.77/32", "dev", "lo", ns=netns)
    sock = socket_in(netns, _socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        sock.bind(("192.0.2.77", 0))
    finally:
        sock.close()
    mine = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        with pytest.raises(OSError, match="Cannot assign requested address"):
            mine.bind(("192.0.2.77", 0))
    finally:
        mine.close()


# -- create / delete / list against ip netns -------------------------------------------------------
def test_create_list_delete_agree_with_ip(
    netns_name: Callable[[], str], ip: Callable[..., list[dict[str, str]]]
) -> None:
    name = netns_name()
    ns = NetNS.create(name)
    try:
        assert ns.name == name
        assert ns.path == f"/run/netns/{name}"
        assert name in NetNS.list()
        assert name in ip_netns_names(ip)
        links = ip("link", "show", ns=name)
        assert isinstance(links, list)
        assert [link["ifname"] for link in links] == ["lo"]
        seen_by_ip = subprocess.run(
            ["ip", "netns", "exec", name, "readlink", "/proc/self/ns/net"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert seen_by_ip == label(ns)
    finally:
        ns.close()
        NetNS.delete(name)
    assert name not in NetNS.list()
    assert name not in ip_netns_names(ip)
    assert not os.path.lexists(f"/run/netns/{name}")
    assert f"/run/netns/{name}" not in Path("/proc/self/mountinfo").read_text()


def test_namespace_made_by_ip_is_seen_opened_and_deleted_by_ip(netns_name: Callable[[], str]) -> None:
    name = netns_name()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        assert name in NetNS.list()
        with NetNS.open(name) as ns:
            assert ns.name == name
            by_ip = subprocess.run(
                ["ip", "netns", "exec", name, "readlink", "/proc/self/ns/net"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            assert run_in(ns, here) == by_ip == label(ns)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True)
    assert name not in NetNS.list()


def test_namespace_made_by_netns_is_deleted_by_ip(netns_name: Callable[[], str]) -> None:
    name = netns_name()
    NetNS.create(name).close()
    deleted = False
    try:
        subprocess.run(["ip", "netns", "del", name], check=True)
        deleted = True
        assert name not in NetNS.list()
    finally:
        if not deleted:
            NetNS.delete(name)


def test_create_refuses_an_existing_name_and_leaves_it_alone(netns: NetNS) -> None:
    assert netns.name is not None
    with pytest.raises(FileExistsError, match="already exists"):
        NetNS.create(netns.name)
    with NetNS.open(netns.name) as again:
        assert again == netns


def test_delete_of_a_missing_namespace_says_so(netns_name: Callable[[], str]) -> None:
    name = netns_name()
    with pytest.raises(FileNotFoundError, match=f"no network namespace named '{name}'"):
        NetNS.delete(name)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "/abs", "x" * 255, "nul\0byte"])
def test_invalid_names_are_rejected_before_anything_is_made(bad: str) -> None:
    before = NetNS.list()
    with pytest.raises(ValueError, match="name"):
        NetNS.create(bad)
    with pytest.raises(ValueError, match="name"):
        NetNS.delete(bad)
    assert NetNS.list() == before


def test_wrong_argument_types_are_rejected() -> None:
    with pytest.raises(TypeError, match="name"):
        NetNS.create(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pid"):
        NetNS.from_pid("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pid"):
        NetNS.from_pid(0)
    with pytest.raises(TypeError, match="ns"):
        run_in(1.5, here)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name_or_path"):
        NetNS.open("")


def test_open_rejects_files_that_are_not_network_namespaces(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a network one"):
        NetNS.open("/proc/self/ns/uts")
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(ValueError, match="not a namespace file"):
        NetNS.open(str(plain))
    with pytest.raises(FileNotFoundError):
        NetNS.open(str(tmp_path / "missing"))


def test_failed_create_removes_the_file(netns_name: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection in our own code (the kernel calls before it are real)."""
    import rawnl.engine.netns as mod

    name = netns_name()
    real = mod._unshare_and_pin

    def pin_then_fail(path: bytes) -> None:
        real(path)  # really unshared and mounted...
        raise OSError(5, "injected")  # ...then fail: the mount must be undone too

    monkeypatch.setattr(mod, "_unshare_and_pin", pin_then_fail)
    with pytest.raises(OSError, match="injected"):
        NetNS.create(name)
    assert name not in NetNS.list()
    assert f"/run/netns/{name}" not in Path("/proc/self/mountinfo").read_text()

    def fail_early(path: bytes) -> None:
        raise PermissionError(1, "injected")

    monkeypatch.setattr(mod, "_unshare_and_pin", fail_early)
    with pytest.raises(PermissionError):
        NetNS.create(name)
    assert name not in NetNS.list()


# -- handles ---------------------------------------------------------------------------------------
def test_equality_and_hash_by_device_and_inode(netns: NetNS, netns2: NetNS) -> None:
    assert netns.name is not None
    with NetNS.open(netns.name) as by_name, NetNS.open(netns.path) as by_path:
        assert by_name == netns == by_path
        assert hash(by_name) == hash(netns)
        assert by_name.fd != netns.fd
        assert netns != netns2
        assert len({netns, by_name, by_path, netns2}) == 2
    with NetNS.current() as me:
        assert me != netns
        assert label(me) == here()
        with NetNS.from_pid(os.getpid()) as main:
            assert main == me  # the test runs on the main thread
    assert by_name == netns  # still comparable after close
    assert by_name.closed
    with pytest.raises(ValueError, match="closed"):
        by_name.fileno()
    assert netns != "not a namespace"


def test_from_pid_of_a_process_and_of_a_thread(netns: NetNS) -> None:
    assert netns.name is not None
    proc = subprocess.Popen(["ip", "netns", "exec", netns.name, "sleep", "30"])
    try:
        # `ip netns exec` setns()es and then execs sleep; wait until it is in the namespace.
        for _ in range(500):
            if os.readlink(f"/proc/{proc.pid}/ns/net") == label(netns):
                break
            time.sleep(0.01)
        with NetNS.from_pid(proc.pid) as ns:
            assert ns == netns
    finally:
        proc.kill()
        proc.wait()

    ready, release = threading.Event(), threading.Event()
    tid: list[int] = []

    def sit_in_netns() -> None:
        with netns.enter():
            tid.append(threading.get_native_id())
            ready.set()
            release.wait(30)

    thread = threading.Thread(target=sit_in_netns)
    thread.start()
    try:
        assert ready.wait(30)
        with NetNS.from_pid(tid[0]) as ns:
            assert ns == netns
    finally:
        release.set()
        thread.join()


def test_close_and_context_manager(netns: NetNS) -> None:
    before = fd_numbers()
    with NetNS.open(netns.path) as ns:
        assert ns.fileno() in fd_numbers() - before
        assert ns.fd == ns.fileno()
    assert fd_numbers() == before
    ns.close()  # twice is fine
    assert "closed" in repr(ns)


# -- run_in ----------------------------------------------------------------------------------------
def test_run_in_returns_values_and_passes_arguments(netns: NetNS) -> None:
    def combine(a: int, b: int, *, c: int) -> tuple[int, int, int, str]:
        return a, b, c, here()

    assert run_in(netns, combine, 1, 2, c=3) == (1, 2, 3, label(netns))
    assert run_in(os.getpid(), here) == here()  # by pid (our main thread)


def test_run_in_reraises_the_original_exception(netns: NetNS) -> None:
    class CustomError(Exception):
        pass

    raised = CustomError("from inside")

    def fail() -> None:
        raise raised

    with pytest.raises(CustomError) as info:
        run_in(netns, fail)
    assert info.value is raised

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # BaseExceptions too
        run_in(netns, interrupt)
    with pytest.raises(FileNotFoundError):
        run_in("rawnl-no-such-namespace-" + str(os.getpid()), here)


def test_eight_threads_with_sockets_in_eight_namespaces(
    make_netns: Callable[[], NetNS], ip: Callable[..., list[dict[str, object]]]
) -> None:
    """Each thread opens a NetlinkSocket in its own namespace at the same time, checks the
    namespace is a fresh one (only lo), and adds a bridge there; iproute2 then sees each bridge
    in its own namespace only."""
    spaces = [make_netns() for _ in range(8)]
    home = here()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i: int, ns: NetNS) -> None:
        try:
            barrier.wait(30)
            with rawnl.NetlinkSocket(netns=ns) as sock:
                names = [m.attrs["IFLA_IFNAME"] for m in sock.dump(rawnl.LinkMessage(type=RTM_GETLINK))]
                assert names == ["lo"], names  # a fresh namespace: never create anything elsewhere
                sock.request(
                    rawnl.LinkMessage(
                        type=RTM_NEWLINK,
                        flags=NLM_F_CREATE | NLM_F_EXCL,
                        attrs={"IFLA_IFNAME": f"rawnl-br{i}", "IFLA_LINKINFO": {"IFLA_INFO_KIND": "bridge"}},
                    )
                )
            assert here() == home
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, ns)) for i, ns in enumerate(spaces)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert here() == home
    for i, ns in enumerate(spaces):
        assert sorted(str(link["ifname"]) for link in ip("link", "show", ns=ns)) == ["lo", f"rawnl-br{i}"]


@pytest.mark.slow
def test_ten_thousand_socket_opens_keep_fds_flat(netns: NetNS) -> None:
    home = here()
    for _ in range(50):  # warm up (lazy imports, the cffi module)
        rawnl.NetlinkSocket(netns=netns).close()
    before = fd_numbers()
    for _ in range(10_000):
        with rawnl.NetlinkSocket(netns=netns) as sock:
            assert sock.port_id != 0
    assert fd_numbers() == before
    assert netns.name is not None
    for _ in range(2_000):  # by name (run_in opens and closes the handle itself) and via socket_in
        socket_in(netns.name, AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, NETLINK_ROUTE).close()
    assert fd_numbers() == before
    assert here() == home


# -- /run/netns, the build, the import ---------------------------------------------------------------
_PRIVATE_RUN_SCRIPT = textwrap.dedent(
    """
    import os, subprocess
    # In a private mount namespace: a fresh /run where /run/netns does not exist.
    subprocess.run(["mount", "-t", "tmpfs", "rawnl-test-run", "/run"], check=True)
    import rawnl.engine.netns as mod
    from rawnl.engine.netns import NetNS, cleanup_run_netns

    def mounts():
        return [line.split() for line in open("/proc/self/mountinfo")]

    hidden = {m[0] for m in mounts()}  # the real /run's mounts, copied here, under the tmpfs

    def run_netns_mounts():
        return [m for m in mounts() if m[4] == "/run/netns" and m[0] not in hidden]

    assert not os.path.exists("/run/netns")
    # A failed create removes the /run/netns it made.
    real = mod._unshare_and_pin
    def fail(path):
        raise OSError(5, "injected")
    mod._unshare_and_pin = fail
    try:
        NetNS.create("a")
    except OSError:
        pass
    else:
        raise AssertionError("create did not fail")
    assert not os.path.exists("/run/netns"), os.listdir("/run")
    assert not run_netns_mounts()
    mod._unshare_and_pin = real

    ns = NetNS.create("a")
    [m] = run_netns_mounts()
    assert any(field.startswith("shared:") for field in m[6:m.index("-")]), m
    assert NetNS.list() == ["a"]
    assert cleanup_run_netns() is False  # not empty
    ns.close()
    NetNS.delete("a")
    assert os.path.isdir("/run/netns")
    assert cleanup_run_netns() is True
    assert not os.path.exists("/run/netns")
    assert not run_netns_mounts()
    assert cleanup_run_netns() is False  # nothing left to do
    print("OK")
    """
)


#: the two ways rawnl makes setns/unshare/mount/umount2 (rawnl.engine.netns.cffi_mode): the
#: compiled module, and cffi's ABI mode (an install with no C compiler); the tests that make
#: those calls in a fresh process run with each, forced by RAWNL_CFFI_MODE
CFFI_MODES = ("compiled", "abi")
#: appended to such a script: which way it really went, and whether the compiled module loaded
_MODE_REPORT = textwrap.dedent(
    """
    import sys as _sys
    from rawnl.engine.netns import cffi_mode as _cffi_mode
    print(_cffi_mode(), "rawnl.engine._nsffi" in _sys.modules)
    """
)


def _run_with_cffi_mode(command: list[str], script: str, mode: str, args: tuple[str, ...] = ()) -> list[str]:
    """Run ``script ARGS`` (it prints OK) under ``command`` with ``RAWNL_CFFI_MODE=mode``; check
    that the calls went that way; return the script's other output lines."""
    if mode == "compiled" and importlib.util.find_spec("rawnl.engine._nsffi") is None:
        pytest.skip("the compiled module is not built here (installed with no C compiler?): pip install -e .")
    proc = subprocess.run(
        [*command, sys.executable, "-c", script + _MODE_REPORT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "RAWNL_CFFI_MODE": mode},
    )
    assert proc.returncode == 0, proc.stderr
    *lines, ok, report = proc.stdout.splitlines()
    assert ok == "OK", proc.stdout
    assert report == f"{mode} {mode == 'compiled'}", report  # the module is not even loaded in ABI mode
    return lines


def _run_in_a_private_mount_namespace(script: str, mode: str) -> None:
    """Run ``script`` (which mounts a tmpfs on /run first) in a private mount namespace, so the
    machine's real /run/netns (used by concurrent runs) is never touched; it prints OK."""
    _run_with_cffi_mode(["unshare", "--mount", "--propagation", "private"], script, mode)


@pytest.mark.privileged
@pytest.mark.parametrize("mode", CFFI_MODES)
def test_run_netns_is_made_shared_and_cleaned_up_in_a_private_mount_namespace(mode: str) -> None:
    """The whole /run/netns life cycle, over a tmpfs /run in a private mount namespace."""
    _run_in_a_private_mount_namespace(_PRIVATE_RUN_SCRIPT, mode)


_UNDECODABLE_NAME_SCRIPT = textwrap.dedent(
    """
    import os, subprocess
    subprocess.run(["mount", "-t", "tmpfs", "rawnl-test-run", "/run"], check=True)
    import rawnl.engine.netns as mod
    from rawnl.engine.netns import NetNS

    name = "bad" + chr(0xDCFF)  # the file name b"bad\\xff", as os.listdir (and NetNS.list) returns it

    def mounts():
        with open("/proc/self/mountinfo", "rb") as f:  # bytes: the mount point is not UTF-8
            return [line.split() for line in f]

    hidden = {m[0] for m in mounts()}  # the real /run's mounts, copied here, under the tmpfs

    def mounted():
        return [m[4] for m in mounts() if m[4].startswith(b"/run/netns/") and m[0] not in hidden]

    # a failed create rolls back: the bind mount is undone and the file removed
    real = mod._unshare_and_pin
    def pin_then_fail(path):
        real(path)
        raise OSError(5, "injected")
    mod._unshare_and_pin = pin_then_fail
    try:
        NetNS.create(name)
    except OSError as exc:
        assert exc.errno == 5, exc
    else:
        raise AssertionError("create did not fail")
    mod._unshare_and_pin = real
    assert NetNS.list() == [], NetNS.list()
    assert mounted() == [], mounted()

    ns = NetNS.create(name)
    assert os.listdir(b"/run/netns") == [b"bad\\xff"]
    assert NetNS.list() == [name]
    assert mounted() == [b"/run/netns/bad\\xff"]
    with NetNS.open(NetNS.list()[0]) as again:  # a network namespace, bind-mounted there
        assert again == ns
    ns.close()
    NetNS.delete(name)
    assert NetNS.list() == [] and mounted() == []
    print("OK")
    """
)


@pytest.mark.privileged
@pytest.mark.parametrize("mode", CFFI_MODES)
def test_a_name_that_is_not_utf8_is_created_rolled_back_and_deleted(mode: str) -> None:
    """``NetNS.list()`` returns undecodable file names with surrogate escapes (``'bad\\udcff'``);
    create (with its rollback) and delete take them back, as os.fsencode does."""
    _run_in_a_private_mount_namespace(_UNDECODABLE_NAME_SCRIPT, mode)


def test_cleanup_leaves_a_run_netns_it_did_not_make(netns: NetNS) -> None:
    assert cleanup_run_netns() is False
    assert cleanup_run_netns(any_creator=True) is False  # not empty: netns is in it
    assert os.path.isdir("/run/netns")
    assert netns.name in NetNS.list()


_WITHOUT_THE_COMPILED_MODULE = textwrap.dedent(
    """
    import sys
    sys.modules["rawnl.engine._nsffi"] = None  # as if it had never been built (no C compiler)
    from rawnl.engine.netns import NetNS, cffi_mode
    try:
        print(cffi_mode())
        NetNS.delete("rawnl-no-such-namespace-" + "x" * 20)
    except (ImportError, FileNotFoundError) as exc:
        print(type(exc).__name__, exc)
    """
)


def _without_the_compiled_module(mode: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _WITHOUT_THE_COMPILED_MODULE],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RAWNL_CFFI_MODE": mode},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_without_the_compiled_module_abi_mode_takes_over() -> None:
    """An install with no C compiler has no ``_nsffi``: the same calls go through ABI mode."""
    mode, outcome = _without_the_compiled_module("auto")
    assert mode == "abi"
    assert outcome.startswith("FileNotFoundError [Errno 2] no network namespace named 'rawnl-no-such-namespace-")


def test_missing_compiled_module_says_how_to_build_it_when_it_is_required() -> None:
    [message] = _without_the_compiled_module("compiled")
    assert message.startswith("ImportError rawnl's compiled namespace module rawnl.engine._nsffi is missing")
    assert f"pip install -e {REPO}" in message
    assert f"python {REPO}/build_ffi.py" in message


def test_an_unknown_cffi_mode_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from rawnl.engine.netns import cffi_mode; cffi_mode()"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RAWNL_CFFI_MODE": "api"},
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == "ValueError: RAWNL_CFFI_MODE='api': expected one of auto, compiled, abi"


def test_the_compiled_module_is_preferred() -> None:
    """With it built (as in this checkout and every wheel), ``auto`` uses it."""
    assert _run_with_cffi_mode([], "print('OK')", "compiled") == []
    proc = subprocess.run(
        [sys.executable, "-c", _MODE_REPORT],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "RAWNL_CFFI_MODE"},
    )
    assert proc.stdout.split() == ["compiled", "True"]


_EACH_MODE_SCRIPT = textwrap.dedent(
    """
    import _socket, errno, os, sys, threading
    import rawnl
    from rawnl.engine import netns
    from rawnl.wire.uapi import CLONE_NEWNET

    name = sys.argv[1]
    home = os.readlink("/proc/thread-self/ns/net")
    ns = netns.NetNS.create(name)
    try:
        inside = f"net:[{ns.ino}]"
        assert inside != home
        with ns.enter():  # setns there and back
            assert os.readlink("/proc/thread-self/ns/net") == inside
        assert os.readlink("/proc/thread-self/ns/net") == home
        assert netns.run_in(name, os.readlink, "/proc/thread-self/ns/net") == inside
        netns.socket_in(ns, _socket.AF_INET, _socket.SOCK_DGRAM).close()
        with rawnl.IPRoute(ns) as ipr:  # a socket made inside it
            ipr.link_add_bridge("br0")
            assert sorted(link.name for link in ipr.links()) == ["br0", "lo"]

        # -errno, read right after each call and per thread, whatever the other threads do
        lib = netns._lib()
        outcomes = set()
        def hammer(call):
            outcomes.update(call() for _ in range(2000))
        threads = [
            threading.Thread(target=hammer, args=(lambda: lib.rawnl_setns(-1, CLONE_NEWNET),)),
            threading.Thread(target=hammer, args=(lambda: lib.rawnl_umount2(b"/nonexistent/rawnl", 0),)),
            threading.Thread(target=hammer, args=(lambda: lib.rawnl_unshare(-1),)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes == {-errno.EBADF, -errno.ENOENT, -errno.EINVAL}, outcomes
        try:
            netns.NetNS.create(name)
        except FileExistsError:
            pass
        else:
            raise AssertionError("created twice")
    finally:
        ns.close()
        netns.NetNS.delete(name)
    assert name not in netns.NetNS.list()
    print("OK")
    """
)


@pytest.mark.privileged
@pytest.mark.parametrize("mode", CFFI_MODES)
def test_each_cffi_mode_creates_enters_and_deletes_namespaces(
    mode: str, netns_name: Callable[[], str], ip: Callable[..., list[dict[str, str]]]
) -> None:
    """The same calls, the same results, through the compiled module and through ABI mode."""
    name = netns_name()
    try:
        assert _run_with_cffi_mode([], _EACH_MODE_SCRIPT, mode, (name,)) == []
        assert name not in ip_netns_names(ip)  # iproute2 agrees that it is gone
    finally:
        if name in NetNS.list():
            NetNS.delete(name)


def test_build_ffi_declares_the_wrapped_calls() -> None:
    from rawnl.engine import _nsffi
    from rawnl.wire.uapi import CLONE_NEWNET  # checked against <sched.h> by test_constants.py

    for name in ("rawnl_setns", "rawnl_unshare", "rawnl_mount", "rawnl_umount2"):
        assert callable(getattr(_nsffi.lib, name))
    assert _nsffi.lib.rawnl_setns(-1, CLONE_NEWNET) == -9  # -EBADF, errno read in C


def test_a_handle_without_a_name_from_another_thread(netns: NetNS, ip: Callable[..., list[dict[str, str]]]) -> None:
    """NetNS.current() on a run_in thread outlives that thread; the conftest's `ip` reaches it
    through its fd."""
    with run_in(netns, NetNS.current) as handle:
        assert handle.name is None
        assert handle == netns
        assert [link["ifname"] for link in ip("link", "show", ns=handle)] == ["lo"]


_SYMLINK_AND_FIFO_SCRIPT = textwrap.dedent(
    """
    import os, stat, subprocess, threading
    subprocess.run(["mount", "-t", "tmpfs", "rawnl-test-run", "/run"], check=True)
    os.makedirs("/run/netns")
    os.makedirs("/run/target")
    subprocess.run(["mount", "-t", "tmpfs", "rawnl-test-target", "/run/target"], check=True)
    from rawnl import IPRoute
    from rawnl.engine.netns import NetNS

    def target_mounted():
        return any(line.split()[4] == "/run/target" for line in open("/proc/self/mountinfo"))

    # delete() of a symlink under /run/netns removes the link, never unmounts what it points at
    os.symlink("/run/target", "/run/netns/evil")
    assert target_mounted()
    NetNS.delete("evil")
    assert not os.path.lexists("/run/netns/evil")
    assert target_mounted(), "delete() followed the symlink and unmounted its target"

    # a FIFO given as a namespace is refused at once, never opened for reading (which blocks)
    os.mkfifo("/run/fifo")
    def refused(open_it, what):
        outcome = []
        def attempt():
            try:
                open_it()
            except (ValueError, OSError) as exc:
                outcome.append(str(exc))
        t = threading.Thread(target=attempt, daemon=True)
        t.start()
        t.join(5)
        assert not t.is_alive(), what + " hangs on a FIFO"
        assert outcome and "not a namespace" in outcome[0], (what, outcome)
    refused(lambda: NetNS.open("/run/fifo"), "NetNS.open")
    refused(lambda: IPRoute(netns="/run/fifo"), "IPRoute(netns=...)")
    os.symlink("/run/fifo", "/run/netns/fifo")
    refused(lambda: NetNS.open("fifo"), "NetNS.open of a name")
    print("OK")
    """
)


@pytest.mark.privileged
@pytest.mark.parametrize("mode", CFFI_MODES)
def test_delete_does_not_follow_symlinks_and_fifos_are_refused(mode: str) -> None:
    """UMOUNT_NOFOLLOW on delete; every namespace path is opened so that it cannot block
    (O_PATH) and checked to be nsfs before use; in a private mount namespace."""
    _run_in_a_private_mount_namespace(_SYMLINK_AND_FIFO_SCRIPT, mode)


@pytest.mark.privileged
def test_the_command_refuses_a_fifo_as_netns(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "rawnl", "-n", str(fifo), "link", "show"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "not a namespace" in proc.stderr
