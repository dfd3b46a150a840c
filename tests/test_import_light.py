"""``import rawnl`` stays light: it does not import the heavy modules (docs/ARCHITECTURE.md).

A behaviour check, not a timing (the timing is ``benchmarks/importtime.py``).  Each check runs in
a fresh interpreter started with ``-S``: without ``site``, whose ``.pth`` hooks (the editable
install's finder among them) import ``re``, ``enum`` and more before any user code runs, so the
modules present afterwards are exactly what ``import rawnl`` pulled in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import rawnl

#: modules ``import rawnl`` must not import (issue 2 and docs/ARCHITECTURE.md); also the list
#: ``benchmarks/importtime.py`` checks
FORBIDDEN = ("asyncio", "subprocess", "cffi", "typing", "dataclasses", "enum")
#: loaded on first use, per docs/ARCHITECTURE.md
LAZY = (
    "ipaddress",
    "socket",
    "threading",
    "inspect",
    "rawnl.wire.constants",
    "rawnl.wire.structs",
    "rawnl.engine._nsffi",
    "rawnl.engine._nscalls",
)

ROOT = Path(rawnl.__file__).resolve().parent.parent


def _modules_after(code: str) -> tuple[list[str], list[str]]:
    """(modules before ``code``, modules after), in a fresh ``python -S``.  The probe itself
    imports nothing but ``sys`` (``json``, say, would import ``re`` and ``enum``)."""
    script = (
        "import sys\n"
        "before = sorted(sys.modules)\n"
        f"{code}\n"
        "sys.stdout.write(' '.join(before) + '\\n' + ' '.join(sorted(sys.modules)) + '\\n')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-S", "-c", script], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )
    before, after = proc.stdout.splitlines()
    return before.split(), after.split()


def test_import_rawnl_imports_no_heavy_module() -> None:
    before, after = _modules_after("import rawnl")
    assert "rawnl" in after
    assert "rawnl.wire.codec" in after  # the codec itself is imported with the package
    assert not set(FORBIDDEN) & set(before)  # the baseline really is clean, so the check can fail
    assert sorted(set(FORBIDDEN) & set(after)) == []


def test_lazy_modules_wait_for_first_use() -> None:
    _before, after = _modules_after("import rawnl")
    assert sorted(set(LAZY) & set(after)) == []


def test_the_check_sees_an_import() -> None:
    """The same probe notices a module that is imported (it is not vacuous)."""
    _before, after = _modules_after("import rawnl, rawnl.wire.constants")
    assert "enum" in after
    assert "rawnl.wire.constants" in after


#: what first use of a lazy name may still not import: the compiled namespace module (or ABI
#: mode's) and cffi load when a namespace is first switched into or made, fcntl when one is opened, and threading
#: is never needed (``rawnl.engine.netns`` starts its threads with ``_thread``)
NOT_ON_FIRST_USE = (
    *FORBIDDEN,
    "threading",
    "fcntl",
    "rawnl.engine._nsffi",
    "rawnl.engine._nscalls",
    "_cffi_backend",
    "contextlib",
    "socket",
)
#: the lazy names of ``rawnl`` (``rawnl.wire.constants`` is the enum-based module, lazy for that reason)
LAZY_NAMES = ("NetNS", "run_in", "NetlinkSocket", "IPRoute")
#: those that also leave ``_socket`` alone (a NetlinkSocket needs it, a namespace handle does not)
NO_SOCKET = ("NetNS", "run_in")


@pytest.mark.parametrize("name", LAZY_NAMES)
def test_first_use_of_a_lazy_name_stays_light(name: str) -> None:
    before, after = _modules_after(f"import rawnl\nrawnl.{name}")
    module = rawnl._LAZY[name]
    assert module not in before
    assert module in after  # it really was imported just now
    banned = {*NOT_ON_FIRST_USE, *(("_socket",) if name in NO_SOCKET else ())}
    assert sorted(banned & set(before)) == []  # the probe's baseline is clean, so the check can fail
    assert sorted(banned & set(after)) == []
