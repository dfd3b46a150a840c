"""Real messages from other kernels, taken from other libraries' test suites
(``tests/data/peer_vectors/``, see its README for sources and licences).

Every link, address and route vector decodes, re-encodes byte for byte, and yields the facts its
record lists; every other vector (neighbours, rules, tc, ...) decodes without anything but a
:class:`rawnl.DecodeError`.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

import rawnl
from rawnl.wire import codec

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

DATA = Path(__file__).parent / "data" / "peer_vectors" / "vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(DATA.read_text())
FAMILIES = {"link": rawnl.LinkMessage, "address": rawnl.AddressMessage, "route": rawnl.RouteMessage}
OURS = [v for v in VECTORS if v["family"] in FAMILIES]
OTHERS = [v for v in VECTORS if v["family"] not in FAMILIES]


def message_bytes(vector: dict[str, Any]) -> bytes:
    raw = bytes.fromhex(vector["hex"])
    if vector["with_header"]:
        return raw
    return struct.pack("=IHHII", 16 + len(raw), vector["expected"]["type"], 0, 0, 0) + raw


def plain(value: Any) -> Any:
    """A decoded value in the records' terms: addresses as text, nests and structs as dicts."""
    if isinstance(value, codec.Attrs):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, rawnl.Message):  # a veth peer
        return {name: plain(getattr(value, name)) for name in value._fields}
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (int, str, bytes)) or value is None:
        return value
    return str(value)


def check_facts(got: Any, want: Any, where: str) -> list[str]:
    """Where ``got`` differs from the facts in ``want`` (dicts: only the keys ``want`` has)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: {got!r} is not a mapping of {sorted(want)}"]
        problems = []
        for key, value in want.items():
            if key not in got:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += check_facts(got[key], value, f"{where}.{key}")
        return problems
    if isinstance(want, list) and isinstance(got, dict):  # a struct, given as its field values
        got = [value for key, value in got.items() if key != "extra"]
    if isinstance(want, list) and isinstance(got, list):
        if len(got) < len(want):
            return [f"{where}: {got!r} is shorter than {want!r}"]
        return [p for i, w in enumerate(want) for p in check_facts(got[i], w, f"{where}[{i}]")]
    if got is None and want == 0:
        # A struct field the message's (older) kernel did not send: the peer's decoder fills it
        # with zero, rawnl says None (it is absent, not zero).
        return []
    return [] if got == want else [f"{where}: {got!r} != {want!r}"]


def test_the_file_holds_what_the_readme_says() -> None:
    assert len(VECTORS) == 173
    assert len(OURS) == 91 + 14 + 22


@pytest.mark.parametrize("vector", OURS, ids=[v["id"] for v in OURS])
def test_our_families_decode_reencode_and_give_the_facts(vector: dict[str, Any]) -> None:
    raw = message_bytes(vector)
    [msg] = rawnl.decode(raw)
    assert isinstance(msg, FAMILIES[vector["family"]])
    assert msg.encode() == raw
    expected = vector["expected"]
    got = {name: getattr(msg, name) for name in expected if name != "attrs"}
    got["attrs"] = plain(msg.attrs)
    problems = check_facts(got, expected, vector["family"])
    assert not problems, problems


@pytest.mark.parametrize("vector", OTHERS, ids=[v["id"] for v in OTHERS])
def test_other_families_decode_without_a_foreign_exception(vector: dict[str, Any]) -> None:
    raw = message_bytes(vector)
    try:
        msgs = rawnl.decode(raw)
    except rawnl.DecodeError:
        return
    assert [m.type for m in msgs] == [vector["expected"]["type"]]
    assert msgs[0].encode() == raw
