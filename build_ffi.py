"""Build ``rawnl.engine._nsffi``: setns(2), unshare(2), mount(2) and umount2(2) through cffi (API mode).

``pip install .`` (or ``pip install -e .``, or ``python -m build``) runs this through setuptools
(``cffi_modules`` in ``setup.py``).  The extension is optional: with no C compiler the build goes
on without it, and rawnl makes the same calls through cffi's ABI mode instead (see
``rawnl/engine/_nscalls.py``, which declares the calls once for both modes).  It uses only
Python's stable ABI, so one build serves every supported Python (``_nsffi.abi3.so``; the wheel
is tagged ``cp310-abi3``).  To build the module in place by hand, in the checkout:
``python build_ffi.py``.

Each wrapper returns 0 or ``-errno`` read right after the call in C, so no other call can
clobber errno before Python sees it; :mod:`rawnl.engine.netns` turns a negative result into
``OSError``.  The flag values (``MS_BIND``, ``MNT_DETACH``, ...) are in :mod:`rawnl.wire.uapi`.
"""

from __future__ import annotations

import os
import runpy

import cffi

HERE = os.path.dirname(os.path.abspath(__file__))
# By path, not `import rawnl...`: the build runs before rawnl is importable.
_calls = runpy.run_path(os.path.join(HERE, "rawnl", "engine", "_nscalls.py"))

ffibuilder = cffi.FFI()
ffibuilder.cdef(_calls["declarations"]())
# optional: setup.py builds on without it when there is no compiler (rawnl then uses ABI mode)
ffibuilder.set_source("rawnl.engine._nsffi", _calls["wrappers"](), py_limited_api=True, optional=True)

if __name__ == "__main__":
    import shutil
    import tempfile

    # Build in a scratch directory (cffi writes rawnl/_nsffi.c, .o and .so under tmpdir), then
    # put only the compiled module in rawnl/engine/: copied under a temporary name and
    # renamed over the old one, so that a process that has the old module loaded keeps its
    # (unlinked) file instead of seeing it rewritten underneath.
    with tempfile.TemporaryDirectory() as tmp:
        built = ffibuilder.compile(tmpdir=tmp)
        if not os.path.exists(built):  # optional=True: the compiler's error is printed above
            raise SystemExit(f"build_ffi.py: {os.path.basename(built)} was not built (a C compiler is needed)")
        target = os.path.join(HERE, "rawnl", "engine", os.path.basename(built))
        partial = f"{target}.{os.getpid()}.tmp"
        shutil.copy2(built, partial)
        os.replace(partial, target)
    print(target)
