# Types for the compiled module that build_ffi.py builds (cffi, API mode).  Each rawnl_* call
# returns 0, or -errno read right after the system call.  _Lib is also the interface of the
# ABI-mode fallback (rawnl/engine/_nscalls.py), hence a Protocol.
from typing import Any, Protocol

class _Lib(Protocol):
    def rawnl_setns(self, fd: int, nstype: int, /) -> int: ...
    def rawnl_unshare(self, flags: int, /) -> int: ...
    def rawnl_mount(self, source: bytes, target: bytes, fstype: bytes, flags: int, data: Any, /) -> int: ...
    def rawnl_umount2(self, target: bytes, flags: int, /) -> int: ...

class _FFI:
    NULL: Any

ffi: _FFI
lib: _Lib
