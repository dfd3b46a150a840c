"""Only for what pyproject.toml cannot say: the optional cffi extension (see build_ffi.py) and the
wheel's tag.

- ``rawnl.engine._nsffi`` is compiled when a C compiler is there.  When it is not (or the build
  fails), ``build_ext`` prints one line saying so and the build goes on without it: rawnl then
  makes the same calls through cffi's ABI mode (``rawnl/engine/_nscalls.py``), with the same API.
- The module uses only Python's stable ABI, so a wheel with it is tagged ``cp310-abi3`` (one
  wheel for every supported Python; ``auditwheel repair`` then makes it ``manylinux``).  A wheel
  built without it is pure Python: ``py3-none-any``.
"""

from __future__ import annotations

import sys

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_ext import build_ext
from setuptools.errors import BaseError, CCompilerError


class build_optional_ext(build_ext):
    """``build_ext`` where a failed extension is skipped with one line on stderr."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.skipped: list[str] = []

    def build_extension(self, ext: object) -> None:
        try:
            super().build_extension(ext)
        except (CCompilerError, BaseError) as exc:  # no compiler (CC not found), no headers, ...
            name = getattr(ext, "name", "?")
            self.skipped.append(name)
            print(
                f"rawnl: the optional extension {name} was not built ({exc}); rawnl will make its "
                "setns/unshare/mount/umount2 calls through cffi's ABI mode instead (same API, no compiler needed)",
                file=sys.stderr,
                flush=True,
            )


class bdist_wheel_abi3(bdist_wheel):
    """``cp310-abi3`` with the compiled module (``py_limited_api`` below); ``py3-none-any`` without."""

    def get_tag(self) -> tuple[str, str, str]:
        if self.get_finalized_command("build_ext").skipped:  # type: ignore[attr-defined]
            self.root_is_pure = True  # nothing compiled in it (read again for the WHEEL file)
            return ("py3", "none", "any")
        return super().get_tag()


setup(
    cffi_modules=["build_ffi.py:ffibuilder"],
    cmdclass={"build_ext": build_optional_ext, "bdist_wheel": bdist_wheel_abi3},
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
