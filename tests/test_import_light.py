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

#: modules ``import rawnl`` must not import (issue 2 and docs/ARCHITECTURE.md)
FORBIDDEN = ("asyncio", "subprocess", "cffi", "typing", "dataclasses", "enum")
#: loaded on first use, per docs/ARCHITECTURE.md
LAZY = ("ipaddress", "socket", "threading", "inspect", "rawnl.constants", "rawnl.structs", "rawnl._nsffi")

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
    assert "rawnl.codec" in after  # the codec itself is imported with the package
    assert not set(FORBIDDEN) & set(before)  # the baseline really is clean, so the check can fail
    assert sorted(set(FORBIDDEN) & set(after)) == []


def test_lazy_modules_wait_for_first_use() -> None:
    _before, after = _modules_after("import rawnl")
    assert sorted(set(LAZY) & set(after)) == []


def test_the_check_sees_an_import() -> None:
    """The same probe notices a module that is imported (it is not vacuous)."""
    _before, after = _modules_after("import rawnl, rawnl.constants")
    assert "enum" in after
    assert "rawnl.constants" in after


@pytest.mark.parametrize("name", ["decode", "LinkMessage", "DecodeError", "NetlinkError"])
def test_the_codec_is_usable_straight_after_import(name: str) -> None:
    _before, after = _modules_after(f"import rawnl\nrawnl.{name}")
    assert sorted(set(FORBIDDEN) & set(after)) == []
