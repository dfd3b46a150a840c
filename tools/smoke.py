"""The smoke test of an installed rawnl: what a user gets from ``pip install rawnl``.

    sudo VENV/bin/python tools/smoke.py --mode compiled|abi [--no-compiler]

``.ci/run`` builds the sdist and the wheel, installs each in a fresh virtualenv with no C
compiler reachable (``PATH`` is the virtualenv's ``bin`` alone, ``CC=/nonexistent/cc``) and runs
this with that virtualenv's Python, from outside the checkout.  The wheel must bring the compiled
namespace module (``--mode compiled``); the sdist, built there without a compiler, must fall back
to cffi's ABI mode (``--mode abi``).  Checks, each printed on one line:

1. rawnl is imported from this interpreter's site-packages (not a checkout), at the version
   its metadata says, with its type information (``py.typed``);
2. the ``rawnl`` script says ``rawnl VERSION`` to ``--version``;
3. setns/unshare/mount/umount2 go the expected way (``rawnl.engine.netns.cffi_mode()``), and
   the compiled module is installed exactly when that way is ``compiled``;
4. a throw-away namespace (``rawnl-smoke-<pid>``): created, a bridge added, its links listed
   (``lo`` and the bridge), deleted, and /run/netns left as it was;
5. ``rawnl demo --containers 2``, through the script: every datagram delivered, exit status 0.

With ``--no-compiler``, first: no C compiler is reachable (``cc``, ``gcc``, ``clang``, ``c99``,
``$CC`` and the compiler Python was built with are all missing from ``PATH``).

Needs root (namespaces).  Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import rawnl
from rawnl.engine.netns import NetNS, cffi_mode, run_netns_as_found

SCRIPT = Path(sys.executable).parent / "rawnl"  # the console script pip made beside this python


def no_compiler() -> str:
    names = ["cc", "gcc", "clang", "c99", os.environ.get("CC", "cc"), sysconfig.get_config_var("CC") or "cc"]
    wanted = sorted({shlex.split(name)[0] for name in names})
    found = {name: path for name in wanted if (path := shutil.which(name))}
    assert not found, f"a C compiler is reachable: {found}"
    return f"none of {', '.join(wanted)} on PATH={os.environ.get('PATH')}"


def installed() -> str:
    where = Path(rawnl.__file__).resolve().parent
    site = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    assert where.parent in site, f"rawnl imported from {where}, not from this interpreter's site-packages {site}"
    version = importlib.metadata.version("rawnl")
    assert version == rawnl.__version__, (version, rawnl.__version__)
    assert (where / "py.typed").is_file(), "py.typed is missing"
    return f"rawnl {version} from {where}"


def version_option() -> str:
    out = subprocess.run([SCRIPT, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert out == f"rawnl {rawnl.__version__}", out
    return out


def the_cffi_mode(expected: str) -> str:
    mode = cffi_mode()
    assert mode == expected, f"the calls go through {mode!r}, expected {expected!r}"
    compiled = importlib.util.find_spec("rawnl.engine._nsffi")
    assert (compiled is not None) == (expected == "compiled"), f"compiled module: {compiled}"
    return f"{mode}" + (f" ({compiled.origin})" if compiled is not None else " (no compiled module installed)")


def links_in_a_namespace() -> str:
    name = f"rawnl-smoke-{os.getpid()}"
    with run_netns_as_found():
        ns = NetNS.create(name)
        try:
            with rawnl.IPRoute(ns) as ipr:
                ipr.link_add_bridge("br-smoke")
                names = sorted(link.name for link in ipr.links())
        finally:
            ns.close()
            NetNS.delete(name)
    assert names == ["br-smoke", "lo"], names
    assert name not in NetNS.list()
    return f"links in {name}: {', '.join(names)}; deleted"


def demo() -> str:
    proc = subprocess.run(
        [SCRIPT, "demo", "--containers", "2"], capture_output=True, text=True, timeout=120, check=False
    )
    print(proc.stdout + proc.stderr, end="", flush=True)
    assert proc.returncode == 0, f"exit status {proc.returncode}"
    assert "all delivered" in proc.stdout
    [udp] = [line for line in proc.stdout.splitlines() if line.startswith("UDP:")]
    return udp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The smoke test of an installed rawnl (see the module's docstring).")
    parser.add_argument("--mode", choices=["compiled", "abi"], required=True, help="how the calls must go")
    parser.add_argument("--no-compiler", action="store_true", help="check first that no C compiler is reachable")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("smoke: needs root (it creates network namespaces)", file=sys.stderr)
        return 2
    checks: list[tuple[str, Callable[[], str]]] = [("no compiler", no_compiler)] if args.no_compiler else []
    checks += [
        ("installed", installed),
        ("--version", version_option),
        ("cffi mode", lambda: the_cffi_mode(args.mode)),
        ("namespace", links_in_a_namespace),
        ("demo", demo),
    ]
    failed = 0
    print(f"smoke: Python {sys.version.split()[0]} at {sys.executable}", flush=True)
    for label, check in checks:
        try:
            detail = check()
        except Exception as exc:
            failed += 1
            print(f"smoke: FAIL {label}: {type(exc).__name__}: {exc}", flush=True)
        else:
            print(f"smoke: ok   {label}: {detail}", flush=True)
    print(f"smoke: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
