"""Mutation fuzzing of the whole read path: real messages (the golden captures and the peer
vectors), mutated, through ``decode``, the typed layer (``link_from``/``address_from``/
``route_from`` and every property of the results), the ``ip`` JSON shapes and their text, and
the monitor's conversion.

Only the documented errors may come out: :class:`rawnl.DecodeError` from decoding,
:class:`rawnl.InvalidMessageError` from the typed layer and the shapes.  Anything else (a
``TypeError``, ``RecursionError``, ``IndexError``...) is a bug.  Two runs: a fixed-seed loop of
100,000 mutations (a few seconds) and a Hypothesis-driven one that searches for its own; for
hours-long coverage-guided runs, ``tools/fuzz_decode.py`` (atheris) drives the same function.
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rawnl
from rawnl.ops.iproute import Monitor

from iproute2_capture import load  # isort: skip

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

DATA = Path(__file__).parent / "data"
HDR = struct.Struct("=IHHII")
NLA = struct.Struct("=HH")


def seeds() -> list[bytes]:
    """Every real message we have: each golden capture split into messages, and the peer vectors."""
    out: list[bytes] = []
    for path in sorted(DATA.glob("*.hex")):
        data = load(path.stem)
        for off, length, *_ in rawnl.wire.codec.iter_messages(data):
            out.append(data[off : off + length])
    for vector in json.loads((DATA / "peer_vectors" / "vectors.json").read_text()):
        raw = bytes.fromhex(vector["hex"])
        if not vector["with_header"]:
            raw = HDR.pack(16 + len(raw), vector["expected"]["type"], 0, 0, 0) + raw
        out.append(raw)
    return out


SEEDS = seeds()


def read_everything(data: bytes) -> int:
    """decode + typed + shapes + monitor conversion of ``data``; returns how many messages were
    read through.  Raises only the documented errors."""
    from rawnl.cli.ip import address, link, route
    from rawnl.cli.ip.common import View
    from rawnl.ops.addresses import address_from
    from rawnl.ops.links import link_from
    from rawnl.ops.routes import route_from

    try:
        msgs = rawnl.decode(data)
    except rawnl.DecodeError:
        return 0
    view = View()
    for msg in msgs:
        repr(msg)
        Monitor.convert(msg)  # the monitor's path: a typed result or a Malformed marker, never raises
        try:
            if isinstance(msg, rawnl.LinkMessage):
                view.update(msg)
                res = link_from(msg)
                _ = (res.up, res.stats, res.brport, res.hairpin, res.min_mtu, res.max_mtu, repr(res))
                link.link_text(link.link_json(msg, view))
            elif isinstance(msg, rawnl.AddressMessage):
                addr = address_from(msg)
                _ = (addr.with_prefix, addr.preferred_lft, addr.valid_lft, repr(addr))
                info = address.addr_info_json(msg)
                address.addr_event_text({"ifindex": msg.index, "ifname": view.ifname(msg.index), "addr_info": [info]})
            elif isinstance(msg, rawnl.RouteMessage):
                res_r = route_from(msg)
                _ = (res_r.dst_len, res_r.src, res_r.iif, res_r.metrics, res_r.multipath, repr(res_r))
                route.route_text(route.route_json(msg, view))
        except rawnl.InvalidMessageError as exc:
            if not exc.field:
                raise AssertionError(f"an InvalidMessageError that names no field: {exc}") from exc
    return len(msgs)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three of: flip a byte, set a byte, duplicate an attribute-sized chunk, truncate,
    grow a length field; the nlmsghdr length fixed up half of the time."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and buf:
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:
            buf[rng.randrange(len(buf))] = rng.choice((0, 1, 0xFF, 0x7F, 0x80, rng.randrange(256)))
        elif op == 2 and len(buf) > 20:
            start = rng.randrange(16, len(buf) - 4) & ~3
            if start + 4 <= len(buf):
                length = NLA.unpack_from(buf, start)[0]
                chunk = bytes(buf[start : start + max(4, (length + 3) & ~3)])
                buf[len(buf) : len(buf)] = chunk
        elif op == 3 and len(buf) > 16:
            del buf[rng.randrange(16, len(buf)) :]
        elif op == 4 and len(buf) > 20:
            at = rng.randrange(16, len(buf) - 2) & ~1
            struct.pack_into("=H", buf, at, rng.choice((0, 1, 3, 4, 5, 8, 0xFFFF, rng.randrange(65536))))
        elif op == 5 and len(buf) >= 20:
            at = rng.randrange(16, len(buf) - 3) & ~3
            struct.pack_into("=I", buf, at, rng.choice((0, 0xFFFFFFFF, 255, 256, rng.randrange(1 << 32))))
    if len(buf) >= 4 and rng.random() < 0.5:
        struct.pack_into("=I", buf, 0, len(buf))
    return bytes(buf)


def test_the_seeds_are_real_messages() -> None:
    assert len(SEEDS) > 200  # 40 from the golden captures, 173 peer vectors
    assert sum(read_everything(seed) for seed in SEEDS) > 200


def test_100000_mutations_raise_only_documented_errors() -> None:
    rng = random.Random(20261207)
    read = 0
    for _ in range(100_000):
        read += read_everything(mutate(rng.choice(SEEDS), rng))
    assert read > 10_000  # most mutants still decode: the typed layer really was exercised


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), edits=st.lists(st.tuples(st.integers(0, 4096), st.integers(0, 255)), max_size=6))
def test_hypothesis_mutations_raise_only_documented_errors(seed: bytes, edits: list[tuple[int, int]]) -> None:
    buf = bytearray(seed)
    for at, value in edits:
        if at < len(buf):
            buf[at] = value
    read_everything(bytes(buf))


def test_the_fuzz_target_is_the_same_function() -> None:
    """tools/fuzz_decode.py drives read_everything (its atheris target imports it)."""
    text = (Path(__file__).parent.parent / "tools" / "fuzz_decode.py").read_text()
    assert "from test_fuzz_typed import" in text
    assert "read_everything" in text
