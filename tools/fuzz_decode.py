"""Coverage-guided fuzzing of rawnl's read path with atheris (an optional dependency:
``pip install atheris``, or ``pip install -e '.[fuzz]'``).

The target is ``read_everything`` from ``tests/test_fuzz_typed.py``: ``decode``, the typed layer
(``link_from``/``address_from``/``route_from`` and every property of the results), the ``ip``
shapes and their text, and the monitor's conversion.  Only ``rawnl.DecodeError`` and
``rawnl.InvalidMessageError`` may come out; anything else is reported by atheris as a crash, with
the input saved as ``crash-*``.  The corpus starts from every real message the tests have (the
golden captures and the peer vectors).

Usage (seconds of fuzzing; atheris's own options after ``--``)::

    .venv/bin/python tools/fuzz_decode.py --seconds 1800 [--corpus DIR] [-- -jobs=2]

It prints the number of runs and the coverage atheris reached when it stops.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--corpus", type=Path, help="corpus directory (default: a fresh one seeded with real messages)")
    parser.add_argument("rest", nargs="*", help="options passed to atheris/libFuzzer (after --)")
    args = parser.parse_args()
    try:
        import atheris
    except ImportError:
        print("tools/fuzz_decode.py needs atheris: pip install atheris", file=sys.stderr)
        return 2

    # Instrument rawnl's read path for coverage: every module the target reaches is imported here,
    # inside the block (the cli's shapes and the typed layer are imported lazily elsewhere).
    with atheris.instrument_imports(include=["rawnl"]):
        import rawnl.cli.ip.address
        import rawnl.cli.ip.link
        import rawnl.cli.ip.route
        import rawnl.ops.addresses
        import rawnl.ops.iproute
        import rawnl.ops.links
        import rawnl.ops.routes
        import rawnl.wire.codec
        import rawnl.wire.registry
        import rawnl.wire.structs

        rawnl.wire.registry.all_tables()  # the families and kinds, loaded now
    from test_fuzz_typed import SEEDS, read_everything

    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="rawnl-fuzz-"))
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed-{i:04d}").write_bytes(seed)

    def target(data: bytes) -> None:
        read_everything(data)

    started = time.monotonic()
    print(f"fuzzing for {args.seconds} s, corpus {corpus} ({len(SEEDS)} seeds)", flush=True)
    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={args.seconds}", *args.rest], target)
    try:
        atheris.Fuzz()
    finally:
        print(f"stopped after {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
