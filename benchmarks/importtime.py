"""What ``import rawnl`` costs: ``python -X importtime -c "import rawnl"``.

Byte-compiles the package first (this machine sets PYTHONDONTWRITEBYTECODE=1, and a first import
that compiles is not what users pay), then runs the import ``--runs`` times in fresh interpreters
and reports the median of:

* the sum of the *self* times of rawnl's own modules (``rawnl``, ``rawnl.wire.codec``, ...): the
  target (issue 2) is <= 10 ms;
* the cumulative time of the top-level ``rawnl`` entry (its own modules plus whatever standard
  modules they pull in that were not loaded yet).

It also lists the modules ``import rawnl`` brings in and checks that none of the heavy ones
(``FORBIDDEN`` in ``tests/test_import_light.py``, which asserts the same: asyncio, subprocess,
cffi, typing, dataclasses, enum) is among them (in ``python -S``, so that site's ``.pth`` hooks
do not load them first).
Usage:  .venv/bin/python benchmarks/importtime.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_import_light import FORBIDDEN  # noqa: E402  (the test's list: one place for both)

LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def one_run() -> tuple[float, float, dict[str, int]]:
    """(sum of rawnl's self times in ms, cumulative of `rawnl` in ms, module -> self us)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # read the .pyc files compileall wrote
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import rawnl"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    own: dict[str, int] = {}
    cumulative = 0
    for line in proc.stderr.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        self_us, cum_us, _indent, name = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if name == "rawnl" or name.startswith("rawnl."):
            own[name] = self_us
            if name == "rawnl":
                cumulative = cum_us
    if "rawnl" not in own:
        raise RuntimeError(f"no importtime line for rawnl:\n{proc.stderr[-2000:]}")
    return sum(own.values()) / 1e3, cumulative / 1e3, own


def new_modules() -> list[str]:
    """Modules ``import rawnl`` adds, in ``python -S`` (nothing preloaded by site)."""
    code = "import sys; b = set(sys.modules); import rawnl; print(' '.join(sorted(set(sys.modules) - b)))"
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
    )
    return proc.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "rawnl")], check=True)
    one_run()  # warm the page cache
    runs = [one_run() for _ in range(args.runs)]
    own_ms = statistics.median(r[0] for r in runs)
    cum_ms = statistics.median(r[1] for r in runs)
    per_module = {name: statistics.median(r[2].get(name, 0) for r in runs) for name in runs[0][2]}

    print(f'python -X importtime -c "import rawnl", median of {args.runs} runs (Python {sys.version.split()[0]})')
    for name, us in sorted(per_module.items(), key=lambda kv: -kv[1]):
        print(f"  {name:24} {us / 1e3:7.2f} ms self")
    print(f"  {'rawnl own modules':24} {own_ms:7.2f} ms   (target <= 10 ms)")
    print(f"  {'rawnl cumulative':24} {cum_ms:7.2f} ms   (with the standard modules it loads first)")

    added = new_modules()
    heavy = [m for m in FORBIDDEN if m in added]
    print(f"modules import rawnl adds (python -S): {' '.join(added)}")
    print(f"heavy modules imported: {', '.join(heavy) if heavy else 'none'} (checked: {', '.join(FORBIDDEN)})")
    return 1 if heavy or own_ms > 10 else 0


if __name__ == "__main__":
    sys.exit(main())
