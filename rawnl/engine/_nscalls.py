"""setns(2), unshare(2), mount(2) and umount2(2): their C declarations, once, and cffi's ABI mode.

rawnl makes these four libc calls through cffi in one of two ways, with one interface: each call
is ``rawnl_NAME(...)`` and returns 0, or ``-errno`` as it was right after the call (so nothing
else can clobber errno first); :mod:`rawnl.engine.netns` turns a negative result into ``OSError``.

- API mode (preferred): the compiled module ``rawnl.engine._nsffi``, built by ``build_ffi.py``
  from :data:`CALLS` when rawnl is installed with a C compiler (a wheel carries it built).  Each
  wrapper is C code that reads ``errno`` itself.
- ABI mode (the fallback, :func:`load_abi`): no compiler needed; cffi opens the C library
  already loaded in the process (``ffi.dlopen(None)``) and calls the same functions through
  libffi.  cffi saves ``errno`` right after each call, per thread (``ffi.errno``), so the result
  is the same.

``RAWNL_CFFI_MODE`` (``compiled``, ``abi``, or ``auto``/unset) picks one; see
:func:`rawnl.engine.netns.cffi_mode`.  The flag values (``CLONE_NEWNET``, ``MS_BIND``, ...) are
in :mod:`rawnl.wire.uapi`.  ``build_ffi.py`` reads this file by path at build time: it imports
nothing at the top.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not from typing (see rawnl.codec); this module loads on first use only
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._nsffi import _Lib

__all__ = ["CALLS", "PREFIX", "declarations", "load_abi", "wrappers"]

#: the wrapped calls: (libc function, its parameters as (C type, name)); each returns int
CALLS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("setns", (("int", "fd"), ("int", "nstype"))),
    ("unshare", (("int", "flags"),)),
    (
        "mount",
        (
            ("const char *", "source"),
            ("const char *", "target"),
            ("const char *", "fstype"),
            ("unsigned long", "flags"),
            ("const char *", "data"),
        ),
    ),
    ("umount2", (("const char *", "target"), ("int", "flags"))),
)
#: what declares them (setns and unshare need _GNU_SOURCE)
_HEADERS = ("errno.h", "sched.h", "sys/mount.h")
#: the prefix of the wrappers' names, in both modes: ``rawnl_setns`` ...
PREFIX = "rawnl_"


def _signature(name: str, params: tuple[tuple[str, str], ...]) -> str:
    declared = (ctype + param if ctype.endswith("*") else f"{ctype} {param}" for ctype, param in params)
    return f"int {name}({', '.join(declared)})"


def declarations(prefix: str = PREFIX) -> str:
    """The C declarations of the calls, each named ``prefix + name`` (cffi's ``cdef``)."""
    return "\n".join(f"{_signature(prefix + name, params)};" for name, params in CALLS)


def wrappers() -> str:
    """The compiled module's C source: one ``rawnl_NAME`` per call, 0 or ``-errno`` read in C."""
    head = "#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n" + "".join(f"#include <{h}>\n" for h in _HEADERS)
    bodies = [
        f"static {_signature(PREFIX + name, params)}\n"
        f"{{\n    return {name}({', '.join(param for _, param in params)}) == 0 ? 0 : -errno;\n}}\n"
        for name, params in CALLS
    ]
    return "\n".join([head, *bodies])


class _AbiLib:
    """The ABI-mode calls, with the compiled module's ``lib`` interface (``rawnl_NAME``)."""

    def __init__(self, ffi: Any, libc: Any) -> None:
        for name, _params in CALLS:
            setattr(self, PREFIX + name, _checked(ffi, getattr(libc, name)))


def _checked(ffi: Any, call: Callable[..., int]) -> Callable[..., int]:
    def wrapper(*args: Any) -> int:
        # ffi.errno is errno as cffi saved it right after this call, on this thread
        return 0 if call(*args) == 0 else -ffi.errno

    return wrapper


def load_abi() -> tuple[Any, _Lib]:
    """``(ffi, lib)`` in cffi's ABI mode: the C library of this process through ``ffi.dlopen``.

    ``ImportError`` if cffi is missing or the C library lacks one of the calls (a libc older
    than glibc 2.14 has no ``setns``).
    """
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(declarations(prefix=""))
    libc = ffi.dlopen(None)  # the symbols already loaded: the C library Python itself uses
    try:
        lib: Any = _AbiLib(ffi, libc)  # has _Lib's methods, set from CALLS
    except AttributeError as exc:  # cffi: "function/symbol 'setns' not found in library"
        raise ImportError(f"rawnl: cffi's ABI mode cannot find a call in the C library: {exc}") from exc
    return ffi, lib
