"""The layout cache's one rule, as an API: a scan that reads payload bytes to decide anything
declares them with ``ScanContext.depend()``; the check mode (``RAWNL_VERIFY_LAYOUT_CACHE=1``,
on for the whole suite, see conftest.py) catches a type that does not.

The test type here picks a nested table by the first byte of its payload.  Declared, two
buffers that differ only in that byte decode to their own layouts; undeclared, the second
buffer reuses the first one's layout, and the check mode says so.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from typing import Any

import pytest

from rawnl.wire import codec
from rawnl.wire.codec import U8, U16, AttrTable, AttrType, ScanContext, decode_attrs, scan_level

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

EVEN = AttrTable("EVEN", [("EVEN_A", 1, U8)])
ODD = AttrTable("ODD", [("ODD_A", 1, U16)])


class _PickByFirstByte(AttrType):
    """A payload of one selector byte, then attributes of EVEN or ODD depending on its parity."""

    __slots__ = ("declare",)
    yields_attrs = True

    def __init__(self, declare: bool) -> None:
        super().__init__("pick")
        self.declare = declare

    def scan(self, data: bytes, start: int, end: int, atype: int, ctx: ScanContext) -> Any:
        if self.declare:
            ctx.depend(start, 1)
        table = ODD if data[start] & 1 else EVEN
        return scan_level(data, start + 4, end, table, ctx)

    def decode(self, data: bytes, start: int, end: int, sub: Any) -> Any:
        return codec.Attrs(data, sub)


def _message(selector: int) -> bytes:
    """16 bytes of header stand-in, then one PICK attribute: selector byte, pad, one 2-byte
    attribute (a valid U16 for ODD, an invalid U8 for EVEN: the parse really differs)."""
    inner = struct.pack("=HHH2x", 6, 1, 0x0102)
    payload = bytes([selector, 0, 0, 0]) + inner
    return bytes(16) + struct.pack("=HH", 4 + len(payload), 1) + payload


def _table(declare: bool) -> AttrTable:
    return AttrTable(f"TOP_{declare}", [("PICK", 1, _PickByFirstByte(declare))])


def test_the_suite_runs_in_check_mode() -> None:
    assert os.environ["RAWNL_VERIFY_LAYOUT_CACHE"] == "1"
    assert codec.VERIFY_LAYOUT_CACHE is True


def test_a_declared_dependency_keeps_layouts_apart() -> None:
    table = _table(declare=True)
    codec.clear_layout_cache()
    odd = decode_attrs(_message(1), 16, table)
    assert odd["PICK"]["ODD_A"] == 0x0102
    with pytest.raises(codec.DecodeError, match="u8 attribute needs 1 bytes"):
        decode_attrs(_message(2), 16, table)  # the cached ODD layout was not reused: EVEN refuses it


def test_an_undeclared_dependency_is_caught_by_the_check_mode() -> None:
    table = _table(declare=False)
    codec.clear_layout_cache()
    decode_attrs(_message(1), 16, table)
    with pytest.raises(AssertionError, match=r"layout cache: a cached TOP_False layout .*ScanContext.depend"):
        decode_attrs(_message(2), 16, table)


def test_without_the_check_mode_the_undeclared_dependency_goes_unnoticed() -> None:
    """What the check mode is for: the same sequence in a process without it decodes the second
    buffer with the first one's layout (a wrong answer, silently)."""
    code = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from test_layout_cache_rule import _message, _table\n"
        "from rawnl.wire.codec import decode_attrs\n"
        "t = _table(declare=False)\n"
        "decode_attrs(_message(1), 16, t)\n"
        "print(decode_attrs(_message(2), 16, t)['PICK'].to_dict())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "RAWNL_VERIFY_LAYOUT_CACHE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "{'ODD_A': 258}"  # EVEN's selector, ODD's parse
