"""Build ``rawnl.engine._nsffi``: setns(2), unshare(2), mount(2) and umount2(2) through cffi (API mode).

``pip install -e .`` (or ``pip install .``) runs this through setuptools (``cffi_modules`` in
``setup.py``).  To build the module in place by hand, in the checkout: ``python build_ffi.py``.

Each wrapper returns 0 or ``-errno`` read right after the call in C, so no other call can
clobber errno before Python sees it; :mod:`rawnl.engine.netns` turns a negative result into
``OSError``.  The flag values (``MS_BIND``, ``MNT_DETACH``, ...) are in :mod:`rawnl.wire.uapi`.
"""

from __future__ import annotations

import cffi

ffibuilder = cffi.FFI()

ffibuilder.cdef(
    """
    int rawnl_setns(int fd, int nstype);
    int rawnl_unshare(int flags);
    int rawnl_mount(const char *source, const char *target, const char *fstype,
                    unsigned long flags, const char *data);
    int rawnl_umount2(const char *target, int flags);
    """
)

ffibuilder.set_source(
    "rawnl.engine._nsffi",
    """
    #ifndef _GNU_SOURCE
    #define _GNU_SOURCE
    #endif
    #include <errno.h>
    #include <sched.h>
    #include <sys/mount.h>

    static int rawnl_setns(int fd, int nstype)
    {
        return setns(fd, nstype) == 0 ? 0 : -errno;
    }

    static int rawnl_unshare(int flags)
    {
        return unshare(flags) == 0 ? 0 : -errno;
    }

    static int rawnl_mount(const char *source, const char *target, const char *fstype,
                           unsigned long flags, const char *data)
    {
        return mount(source, target, fstype, flags, data) == 0 ? 0 : -errno;
    }

    static int rawnl_umount2(const char *target, int flags)
    {
        return umount2(target, flags) == 0 ? 0 : -errno;
    }
    """,
)

if __name__ == "__main__":
    import os
    import shutil
    import tempfile

    # Build in a scratch directory (cffi writes rawnl/_nsffi.c, .o and .so under tmpdir), then
    # put only the compiled module in rawnl/engine/: copied under a temporary name and
    # renamed over the old one, so that a process that has the old module loaded keeps its
    # (unlinked) file instead of seeing it rewritten underneath.
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        built = ffibuilder.compile(tmpdir=tmp)
        target = os.path.join(here, "rawnl", "engine", os.path.basename(built))
        partial = f"{target}.{os.getpid()}.tmp"
        shutil.copy2(built, partial)
        os.replace(partial, target)
    print(target)
