"""Network namespaces: fd-backed handles, ``ip netns add/del/list`` in-process, running code inside one.

A :class:`NetNS` holds an open file descriptor on a namespace file (``/run/netns/NAME``,
``/proc/PID/ns/net``, ...); two handles are equal when they refer to the same namespace (the same
device and inode), however they were opened.  Nothing here runs ``ip``.

Switching namespaces is per thread (``setns(fd, CLONE_NEWNET)`` moves only the calling thread):

- :func:`run_in` runs a function on a short-lived thread inside a namespace and hands back its
  result or exception; the caller never moves.  :func:`socket_in` makes a ``_socket.socket``
  there (a socket belongs for life to the namespace it was created in) on one thread kept for
  that, which goes into the namespace and back for each socket (see :class:`_SocketMaker`).
- :meth:`NetNS.enter` moves the calling thread and always moves it back.  If moving back fails,
  the thread would run on in the wrong namespace, so :class:`NamespaceRestoreError` is raised.  It
  derives from :class:`BaseException`, like :class:`KeyboardInterrupt`, so that an
  ``except Exception:`` cannot swallow it, and the thread is marked *stranded*: every later
  :meth:`NetNS.enter` and :func:`check_thread` on that thread raises it again.  (A short-lived
  thread that ends is the only clean way out; the main thread has none.)

``setns``, ``unshare``, ``mount`` and ``umount2`` go through cffi: the compiled module
``rawnl.engine._nsffi`` (``build_ffi.py``) when it is there, else cffi's ABI mode (libc through
``ffi.dlopen``; an install from source with no C compiler), with the same results; the
environment variable ``RAWNL_CFFI_MODE`` (``compiled``, ``abi``, ``auto``) picks one, and
:func:`cffi_mode` says which is in use (see ``rawnl/engine/_nscalls.py``).

``import rawnl.engine.netns`` is light: cffi and the calls' module, ``fcntl`` and ``_socket``
load on first use.
"""

from __future__ import annotations

import _thread
import os
from errno import EEXIST, EINVAL, ENOENT

from rawnl.errors import NamespaceRestoreError
from rawnl.wire.uapi import CLONE_NEWNET, MNT_DETACH, MS_BIND, MS_REC, MS_SHARED, NS_GET_NSTYPE, UMOUNT_NOFOLLOW

TYPE_CHECKING = False  # not from typing, which costs ~9 ms: see rawnl.codec
if TYPE_CHECKING:
    import _socket
    import builtins
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any, ParamSpec, TypeVar

    from ._nsffi import _Lib

    _T = TypeVar("_T")
    _P = ParamSpec("_P")

__all__ = [
    "NETNS_RUN_DIR",
    "NetNS",
    "check_thread",
    "cffi_mode",
    "cleanup_run_netns",
    "run_netns_as_found",
    "run_in",
    "socket_in",
]

NETNS_RUN_DIR = "/run/netns"
_LOCK_DIR = "/run"  # rawnl's own create/delete/cleanup serialise on flock(/run), across processes
_NAME_MAX = 255
_O_NS = os.O_RDONLY | os.O_CLOEXEC

#: the environment variable that picks how the calls are made: compiled, abi or auto (the default)
MODE_VARIABLE = "RAWNL_CFFI_MODE"
_MODES = ("auto", "compiled", "abi")

_loaded: _Lib | None = None
_NULL: Any = None  # ffi.NULL, once loaded
_mode = ""  # "compiled" or "abi", once loaded
_made_run_dir = False  # this process created /run/netns (see cleanup_run_netns)
_tls = _thread._local()  # .stranded: why this thread is stuck in a foreign namespace


def _lib() -> _Lib:
    """The four calls (``rawnl_setns`` ...), loaded on first use as :func:`cffi_mode` says."""
    global _loaded, _NULL, _mode
    if _loaded is not None:
        return _loaded
    wanted = os.environ.get(MODE_VARIABLE) or "auto"
    if wanted not in _MODES:
        raise ValueError(f"{MODE_VARIABLE}={wanted!r}: expected one of {', '.join(_MODES)}")
    mode = "abi"
    if wanted != "abi":
        try:
            from ._nsffi import ffi, lib

            mode = "compiled"
        except ImportError as exc:
            if wanted == "compiled":
                raise ImportError(_missing_module_message(), name="rawnl.engine._nsffi") from exc
    if mode == "abi":
        from ._nscalls import load_abi

        ffi, lib = load_abi()
    _NULL, _mode, _loaded = ffi.NULL, mode, lib
    return lib


def cffi_mode() -> str:
    """How rawnl makes setns, unshare, mount and umount2: ``"compiled"`` or ``"abi"``.

    ``"compiled"``: the module ``rawnl.engine._nsffi`` that ``build_ffi.py`` builds (cffi's API
    mode), used whenever it is installed.  ``"abi"``: cffi's ABI mode, the C library through
    ``ffi.dlopen`` (no compiler needed), used when it is not.  The environment variable
    ``RAWNL_CFFI_MODE`` forces one (``compiled``: ``ImportError`` saying how to build the module
    if it is missing; ``abi``: never loads it); ``auto`` or unset is the default.  Read once, on
    the first call that needs them (this function is one), for the life of the process.
    """
    _lib()
    return _mode


def _missing_module_message() -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    text = (
        f"rawnl's compiled namespace module rawnl.engine._nsffi is missing, and {MODE_VARIABLE}=compiled "
        "requires it (without that setting, rawnl makes the same calls through cffi's ABI mode). It wraps "
        "setns, unshare, mount and umount2, and is built from build_ffi.py when rawnl is installed. "
    )
    if os.path.exists(os.path.join(root, "build_ffi.py")):
        return text + (
            f"Build it with `pip install -e {root}`, or in place with `python {root}/build_ffi.py`; "
            "both need cffi, a C compiler and the Python headers."
        )
    return text + "Reinstall rawnl (`pip install --force-reinstall rawnl`) with a C compiler available."


def _oserror(rc: int, what: str, path: str | None = None) -> OSError:
    """The OSError (FileNotFoundError, PermissionError, ...) for a wrapper's ``-errno``."""
    err = -rc
    if path is None:
        return OSError(err, f"{what}: {os.strerror(err)}")
    return OSError(err, f"{what}: {os.strerror(err)}", path)


def _setns(fd: int) -> None:
    """``setns(fd, CLONE_NEWNET)`` on the calling thread."""
    rc = _lib().rawnl_setns(fd, CLONE_NEWNET)
    if rc < 0:
        raise _oserror(rc, "setns(CLONE_NEWNET)")


def _validate_name(name: object, argument: str = "name") -> str:
    """``ip``'s rules for a namespace name: a file name under /run/netns."""
    if not isinstance(name, str):
        raise TypeError(f"{argument}: expected a str, got {type(name).__name__}")
    if not name or name in {".", ".."} or "/" in name or "\0" in name:
        raise ValueError(f"{argument}: {name!r} is not a valid network namespace name (empty, '.', '..', '/' or NUL)")
    if len(os.fsencode(name)) >= _NAME_MAX:
        raise ValueError(
            f"{argument}: {name[:20]!r}... is too long for a network namespace name (max {_NAME_MAX - 1} bytes)"
        )
    return name


def check_thread() -> None:
    """Raise :class:`NamespaceRestoreError` if this thread is stranded in a foreign namespace.

    Code that uses "the calling thread's namespace" (a socket opened without ``netns``) can call
    this first, so that a thread whose :meth:`NetNS.enter` could not switch back stays stopped.
    """
    why = getattr(_tls, "stranded", None)
    if why is not None:
        raise NamespaceRestoreError(why)


class NetNS:
    """An open handle on a network namespace; ``==`` and ``hash`` by (device, inode).

    Make one with :meth:`open`, :meth:`from_pid`, :meth:`current` or :meth:`create`; close it
    with :meth:`close` or a ``with`` block (closing never deletes the namespace).  The
    constructor takes ownership of an already open ``fd``.
    """

    __slots__ = ("_fd", "dev", "ino", "name", "path")

    def __init__(self, fd: int, path: str, name: str | None = None) -> None:
        self._fd = fd
        self.path = path
        self.name = name
        st = os.fstat(fd)
        self.dev: int = st.st_dev
        self.ino: int = st.st_ino

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, name_or_path: str) -> NetNS:
        """Open a namespace by name (a bare name means ``/run/netns/NAME``, as ``ip -n``) or by
        path (anything with a ``/``: ``/proc/PID/ns/net``, a bind mount elsewhere)."""
        if not isinstance(name_or_path, str):
            raise TypeError(f"name_or_path: expected a str, got {type(name_or_path).__name__}")
        if "/" in name_or_path:
            path = name_or_path
            directory, base = os.path.split(os.path.abspath(path))
            name = base if directory == NETNS_RUN_DIR else None
        else:
            name = _validate_name(name_or_path, "name_or_path")
            path = os.path.join(NETNS_RUN_DIR, name)
        return cls._open_path(path, name, "name_or_path")

    @classmethod
    def from_pid(cls, pid: int) -> NetNS:
        """The network namespace of process (or thread) ``pid``: ``/proc/PID/ns/net``."""
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise TypeError(f"pid: expected an int, got {type(pid).__name__}")
        if pid <= 0:
            raise ValueError(f"pid: {pid} is not a process id")
        return cls._open_path(f"/proc/{pid}/ns/net", None, "pid")

    @classmethod
    def current(cls) -> NetNS:
        """The calling thread's network namespace (``/proc/thread-self/ns/net``)."""
        fd = os.open("/proc/thread-self/ns/net", _O_NS)
        return cls(fd, f"/proc/{os.getpid()}/task/{_thread.get_native_id()}/ns/net")

    @classmethod
    def _open_path(cls, path: str, name: str | None, argument: str) -> NetNS:
        # O_NONBLOCK: a FIFO (or a device) given as a namespace must not block the open; it is
        # then refused like any other file that is not nsfs (NS_GET_NSTYPE fails on it).
        fd = os.open(path, _O_NS | os.O_NONBLOCK | os.O_NOCTTY)
        try:
            import fcntl

            try:
                nstype = fcntl.ioctl(fd, NS_GET_NSTYPE)
            except OSError:
                nstype = -1
            if nstype != CLONE_NEWNET:
                what = "not a namespace file (nsfs)" if nstype == -1 else "a namespace, but not a network one"
                hint = " (a stale file under /run/netns, not bind-mounted?)" if name is not None else ""
                raise ValueError(f"{argument}: {path} is {what}{hint}")
            return cls(fd, path, name)
        except BaseException:
            os.close(fd)
            raise

    # -- the handle ------------------------------------------------------------------------
    @property
    def fd(self) -> int:
        """The open file descriptor (``ValueError`` once closed)."""
        return self.fileno()

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def fileno(self) -> int:
        if self._fd < 0:
            raise ValueError(f"{self!r} is closed")
        return self._fd

    def close(self) -> None:
        """Close the descriptor (the namespace itself lives on while anything pins it)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __enter__(self) -> NetNS:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        fd = getattr(self, "_fd", -1)
        if fd >= 0:
            self._fd = -1
            try:  # noqa: SIM105 - contextlib is not on the light import path
                os.close(fd)
            except OSError:
                pass

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NetNS):
            return NotImplemented
        return (self.dev, self.ino) == (other.dev, other.ino)

    def __hash__(self) -> int:
        return hash((self.dev, self.ino))

    def __repr__(self) -> str:
        state = "closed" if self._fd < 0 else f"fd={self._fd}"
        label = f"name={self.name!r}" if self.name is not None else f"path={self.path!r}"
        return f"NetNS({label}, net:[{self.ino}], {state})"

    # -- switching -------------------------------------------------------------------------
    def enter(self) -> _Entered:
        """A context manager that moves the calling thread into this namespace and back.

        ``setns(fd, CLONE_NEWNET)`` on entry (with an fd kept on the thread's own namespace),
        ``setns`` back on exit, exceptions included.  If the way back fails, raises
        :class:`NamespaceRestoreError` and marks the thread stranded (see the module docs).
        Prefer :func:`run_in`, which never moves the caller.
        """
        return _Entered(self)

    # -- ip netns add / del / list ---------------------------------------------------------
    @classmethod
    def create(cls, name: str) -> NetNS:
        """Create a named namespace and return a handle on it; ``ip netns add NAME``, in-process.

        Makes ``/run/netns`` if needed (a shared mount point, as ``ip`` makes it: bind-mounted onto
        itself, then ``MS_SHARED|MS_REC``), creates the empty file ``/run/netns/NAME`` and, on a
        short-lived thread, ``unshare(CLONE_NEWNET)`` and bind-mounts that thread's
        ``/proc/thread-self/ns/net`` onto the file.  On failure, whatever was made is removed.
        ``FileExistsError`` if the name is taken.
        """
        _validate_name(name)
        lib = _lib()
        path = os.path.join(NETNS_RUN_DIR, name)
        bpath = os.fsencode(path)  # a name from NetNS.list() may be undecodable ('bad\udcff')
        with _RunDirLock():
            made_dir = _ensure_run_dir(lib)
            try:
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0)
                except FileExistsError:
                    raise FileExistsError(EEXIST, f"network namespace {name!r} already exists", path) from None
                os.close(fd)
                try:
                    _call_on_thread(_unshare_and_pin, bpath)
                    return cls._open_path(path, name, "name")
                except BaseException:
                    # Whether or not the bind mount was made (EINVAL when it was not), undo it.
                    lib.rawnl_umount2(bpath, MNT_DETACH)
                    os.unlink(path)
                    raise
            except BaseException:
                if made_dir:
                    _remove_run_dir(lib)
                raise

    @staticmethod
    def delete(name: str) -> None:
        """Delete a named namespace; ``ip netns del NAME``, in-process.

        ``umount2(/run/netns/NAME, MNT_DETACH | UMOUNT_NOFOLLOW)`` and unlinks the file.  The
        namespace itself goes away once nothing else (a process, a socket, an open handle) pins
        it.  A symlink there is removed, never followed: what it points at stays mounted.
        ``FileNotFoundError`` if there is no such namespace.
        """
        _validate_name(name)
        lib = _lib()
        path = os.path.join(NETNS_RUN_DIR, name)
        with _RunDirLock():
            if not os.path.lexists(path):
                raise FileNotFoundError(ENOENT, f"no network namespace named {name!r}", path)
            rc = lib.rawnl_umount2(os.fsencode(path), MNT_DETACH | UMOUNT_NOFOLLOW)
            if rc < 0 and rc != -EINVAL:  # EINVAL: not a mount point (a stale file): unlink it anyway
                raise _oserror(rc, "umount2", path)
            os.unlink(path)

    @staticmethod
    def list() -> builtins.list[str]:
        """The names under ``/run/netns``, sorted; ``ip netns list`` without the ids."""
        try:
            return sorted(os.listdir(NETNS_RUN_DIR))
        except FileNotFoundError:
            return []


class _Entered:
    """What :meth:`NetNS.enter` returns: one use, on one thread."""

    __slots__ = ("_home", "_ns")

    def __init__(self, ns: NetNS) -> None:
        self._ns = ns
        self._home = -1

    def __enter__(self) -> None:
        if self._home >= 0:
            raise RuntimeError("NetNS.enter(): this context manager is already in use; call enter() again")
        check_thread()
        target = self._ns.fileno()
        home = os.open("/proc/thread-self/ns/net", _O_NS)
        try:
            _setns(target)
        except BaseException:
            os.close(home)
            raise
        self._home = home

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        home, self._home = self._home, -1
        try:
            rc = _lib().rawnl_setns(home, CLONE_NEWNET)
        finally:
            os.close(home)
        if rc < 0:
            why = (
                f"thread {_thread.get_native_id()} could not return to its network namespace after "
                f"NetNS.enter() ({os.strerror(-rc)}); it is still in {self._ns!r} and must not go on"
            )
            _tls.stranded = why
            raise NamespaceRestoreError(why, -rc, exc) from exc


class _RunDirLock:
    """flock(/run): serialises rawnl's create/delete/cleanup of /run/netns across processes."""

    __slots__ = ("_fd",)

    def __enter__(self) -> None:
        import fcntl

        self._fd = os.open(_LOCK_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(self._fd)
            raise

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)  # closing the last fd drops the lock


def _ensure_run_dir(lib: _Lib) -> bool:
    """Make /run/netns exist as a shared mount point, as ``ip netns add`` does; True if we
    created the directory (then a failure here removes it again)."""
    global _made_run_dir
    null, run = _NULL, NETNS_RUN_DIR.encode()
    try:
        os.mkdir(NETNS_RUN_DIR, 0o755)
        made = True
    except FileExistsError:
        made = False
    try:
        rc = lib.rawnl_mount(b"", run, b"none", MS_SHARED | MS_REC, null)
        if rc == -EINVAL:  # EINVAL: not a mount point yet; bind it onto itself, then make it shared
            rc = lib.rawnl_mount(run, run, b"none", MS_BIND | MS_REC, null)
            if rc < 0:
                raise _oserror(rc, "mount --bind", NETNS_RUN_DIR)
            rc = lib.rawnl_mount(b"", run, b"none", MS_SHARED | MS_REC, null)
        if rc < 0:
            raise _oserror(rc, "mount --make-rshared", NETNS_RUN_DIR)
    except BaseException:
        if made:
            _remove_run_dir(lib)
        raise
    if made:
        _made_run_dir = True
    return made


def _remove_run_dir(lib: _Lib) -> bool:
    """Unmount (every layer) and remove /run/netns if it is empty; the caller holds the lock."""
    global _made_run_dir
    try:
        if os.listdir(NETNS_RUN_DIR):
            return False
    except FileNotFoundError:
        _made_run_dir = False
        return False
    run = NETNS_RUN_DIR.encode()
    for _ in range(16):
        if lib.rawnl_umount2(run, MNT_DETACH) < 0:
            break
    try:
        os.rmdir(NETNS_RUN_DIR)
    except OSError:
        # Something appeared under it meanwhile (`ip netns add` takes no lock): put it back.
        _ensure_run_dir(lib)
        return False
    _made_run_dir = False
    return True


def cleanup_run_netns(*, any_creator: bool = False) -> bool:
    """Unmount and remove ``/run/netns`` if it is empty and this process created it.

    With ``any_creator=True``, also when another process made it (for a test session that found
    no ``/run/netns`` when it started).  Never touches a non-empty directory.  Returns whether it
    removed the directory.
    """
    if not (any_creator or _made_run_dir) or not os.path.isdir(NETNS_RUN_DIR):
        return False
    lib = _lib()
    with _RunDirLock():
        return _remove_run_dir(lib)


class run_netns_as_found:  # used like a function: ``with run_netns_as_found():``
    """Leave ``/run/netns`` as it was: if it did not exist on entry, remove it on exit when it is
    empty (whoever made it: rawnl, or ``ip netns add`` in a subprocess).  For demos, benchmarks
    and tools that make throw-away namespaces."""

    __slots__ = ("_had",)

    def __enter__(self) -> None:
        self._had = os.path.isdir(NETNS_RUN_DIR)

    def __exit__(self, *exc: object) -> None:
        if not self._had:
            cleanup_run_netns(any_creator=True)


def _unshare_and_pin(path: bytes) -> None:
    """On a throw-away thread: a new network namespace, bind-mounted onto ``path``."""
    lib = _lib()
    rc = lib.rawnl_unshare(CLONE_NEWNET)
    if rc < 0:
        raise _oserror(rc, "unshare(CLONE_NEWNET)")
    rc = lib.rawnl_mount(b"/proc/thread-self/ns/net", path, b"none", MS_BIND, _NULL)
    if rc < 0:
        raise _oserror(rc, "mount --bind /proc/thread-self/ns/net", os.fsdecode(path))


def _call_on_thread(fn: Callable[..., _T], *args: Any) -> _T:
    """Run ``fn(*args)`` on a new OS thread, wait, and return its result or raise its exception.

    ``_thread`` rather than ``threading``: lighter to import, and ~10 µs (15%) less per call here.
    The thread ends when ``fn`` returns, taking any namespace it moved into with it.
    """
    done = _thread.allocate_lock()
    done.acquire()
    box: list[Any] = [None, None]

    def main() -> None:
        try:
            box[0] = fn(*args)
        except BaseException as exc:
            box[1] = exc
        finally:
            done.release()

    _thread.start_new_thread(main, ())
    done.acquire()
    exc = box[1]
    if exc is not None:
        box[1] = None
        raise exc
    result: _T = box[0]
    return result


def _enter_and_call(ns: NetNS | str | int, fn: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> _T:
    """On the throw-away thread: open ``ns`` if it is a name, path or pid, ``setns``, call ``fn``."""
    if isinstance(ns, NetNS):
        _setns(ns.fileno())
    else:
        with NetNS.open(ns) if isinstance(ns, str) else NetNS.from_pid(ns) as handle:
            _setns(handle.fileno())
    return fn(*args, **kwargs)


def run_in(ns: NetNS | str | int, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Call ``fn(*args, **kwargs)`` on a short-lived thread inside ``ns`` and return its result.

    ``ns`` is a :class:`NetNS`, a name under /run/netns or a path (as :meth:`NetNS.open`), or a
    pid (as :meth:`NetNS.from_pid`).  The thread does ``setns(fd, CLONE_NEWNET)``, calls ``fn``
    and ends (so nothing has to move it back); the caller never moves.  An exception from ``fn``
    (or from opening ``ns`` or ``setns``) is re-raised in the caller as it is.
    """
    if isinstance(ns, NetNS):
        ns.fileno()  # ValueError now, in the caller, if it is closed
    elif not isinstance(ns, (str, int)) or isinstance(ns, bool):
        raise TypeError(f"ns: expected a NetNS, a name or path, or a pid, got {type(ns).__name__}")
    result: _T = _call_on_thread(_enter_and_call, ns, fn, args, kwargs)
    return result


def socket_in(ns: NetNS | str | int, family: int, type: int, proto: int = 0) -> _socket.socket:
    """A ``_socket.socket(family, type, proto)`` created inside ``ns`` (as :func:`run_in` takes
    it); the caller never moves.

    A socket belongs to the namespace it was created in for its whole life, wherever it is used.
    The socket is made by :class:`_SocketMaker`'s thread, which is kept (no thread started per
    socket): it goes into ``ns``, makes the socket and comes back to the process's namespace.
    """
    if isinstance(ns, NetNS):
        fd = ns.fileno()  # ValueError now, in the caller, if it is closed
        return _maker.make(fd, family, type, proto)
    if not isinstance(ns, (str, int)) or isinstance(ns, bool):
        raise TypeError(f"ns: expected a NetNS, a name or path, or a pid, got {ns.__class__.__name__}")
    with NetNS.open(ns) if isinstance(ns, str) else NetNS.from_pid(ns) as handle:
        return _maker.make(handle.fileno(), family, type, proto)


class _SocketMaker:
    """One long-lived thread that makes sockets inside namespaces for :func:`socket_in`: starting
    a thread per socket costs its caller ~40 us of CPU and often far more in waiting.

    Its loop, per socket: open the process's namespace (``/proc/self/ns/net``), ``setns`` into
    the target, ``_socket.socket(...)``, ``setns`` back, close; so between sockets it pins no
    namespace it was sent to and holds no fd.  It runs nothing else.  If it cannot get back, it
    ends (taking the namespace with it, as a :func:`run_in` thread does); the next socket starts
    a new one.  Callers take turns (one lock); a fork leaves the child a fresh, unstarted maker.
    """

    __slots__ = ("_box", "_done", "_turn", "_work")

    def __init__(self) -> None:
        self._turn = _thread.allocate_lock()  # held by the caller whose socket is being made
        self._work: Any = None  # released to hand the thread a job; None: no thread running
        self._done = _thread.allocate_lock()
        self._done.acquire()
        self._box: list[Any] = [0, 0, 0, 0, None, None]  # fd, family, type, proto; socket, exception

    def make(self, fd: int, family: int, type: int, proto: int) -> _socket.socket:
        """The socket, made inside the namespace ``fd`` is open on; its exception re-raised."""
        with self._turn:
            if self._work is None:
                lib = _lib()  # here: an ImportError must reach the caller, not end the thread
                work = _thread.allocate_lock()
                work.acquire()
                _thread.start_new_thread(self._loop, (work, lib))
                self._work = work
            box = self._box
            box[0:4] = fd, family, type, proto
            self._work.release()
            # Wait for the socket even through a KeyboardInterrupt (the thread takes microseconds):
            # a caller that left early would leave the next one this socket, in this namespace.
            interrupted: BaseException | None = None
            while True:
                try:
                    self._done.acquire()
                    break
                except BaseException as caught:
                    interrupted = caught
            sock, exc = box[4], box[5]
            box[4] = box[5] = None
        if interrupted is not None:
            if sock is not None:
                sock.close()
            raise interrupted
        if exc is not None:
            raise exc
        result: _socket.socket = sock
        return result

    def _loop(self, work: Any, lib: _Lib) -> None:
        import _socket

        box = self._box
        while True:
            work.acquire()
            back = 0
            try:
                home = os.open("/proc/self/ns/net", _O_NS)
                try:
                    _setns(box[0])
                    try:
                        box[4] = _socket.socket(box[1], box[2], box[3])
                    finally:
                        back = lib.rawnl_setns(home, CLONE_NEWNET)
                finally:
                    os.close(home)
            except BaseException as exc:
                box[4], box[5] = None, exc
            if back < 0:  # stuck in the target: end here (with the namespace); a new one next time
                self._work = None
                self._done.release()
                return
            self._done.release()

    def _after_fork(self) -> None:
        """In a forked child: no thread (it was not copied), free locks."""
        self.__init__()  # type: ignore[misc]


_maker = _SocketMaker()
os.register_at_fork(after_in_child=_maker._after_fork)
