"""rawnl as a user installs it: the README's editable install, then ``mypy --strict`` on a user's
script (issue 11: setuptools' import-hook finder hid the package from mypy).

It copies this checkout (the files a clone has: no build products), makes a fresh virtualenv,
runs the README's ``pip install -e .`` in the copy (pip fetches the build requirements, as for a
user) and type-checks two small scripts with mypy ``--python-executable`` pointed at that
virtualenv, which is where mypy looks for installed packages: one that uses rawnl's API as
documented, which must pass, and one that misuses it, which must fail with the errors expected.
The wheels and the sdist are built and installed with no compiler by ``.ci/run``
(``tools/smoke.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rawnl

ROOT = Path(rawnl.__file__).resolve().parent.parent
#: what a fresh clone does not have: build products, caches, virtualenvs
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.so", "*.c", ".*_cache", ".hypothesis"
)

GOOD = textwrap.dedent(
    """
    import ipaddress

    import rawnl
    from rawnl.runc.config import Network


    def link_names(netns: str) -> list[str]:
        with rawnl.IPRoute(netns) as ipr:
            return [link.name for link in ipr.links()]


    def first_address(netns: str, link: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        with rawnl.IPRoute(netns) as ipr:
            for address in ipr.addrs(link=link):
                return address.address
        return None


    def bridge_request() -> bytes:
        msg = rawnl.LinkMessage(type=16, flags=0x605, attrs={"IFLA_IFNAME": "br0"})
        return msg.encode()


    def in_namespace(name: str) -> int:
        with rawnl.NetNS.open(name) as ns:
            return rawnl.run_in(ns, len, "abc")


    veth = Network("veth", name="eth0", bridge="br0", address="198.51.100.2/24", mtu=1500)
    """
)

#: a script with mistakes, and the errors mypy must report for them (line: text)
BAD = textwrap.dedent(
    """
    import rawnl

    with rawnl.IPRoute() as ipr:
        mtu: str | None = ipr.link_get("lo").mtu
        ipr.link_set("lo", up="yes")
        ipr.no_such_call()
    count: int = rawnl.run_in("ns", len, 3)
    """
)
BAD_ERRORS = {
    5: "Incompatible types in assignment",
    6: 'Argument "up" has incompatible type "str"',
    7: 'has no attribute "no_such_call"',
    8: 'Argument 3 to "run_in" has incompatible type "int"',
}


def _run(args: list[str | Path], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
def test_mypy_strict_sees_rawnl_after_the_readme_editable_install(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    checkout, user = tmp_path / "checkout", tmp_path / "user"
    shutil.copytree(ROOT, checkout, ignore=NOT_IN_A_CLONE)
    user.mkdir()
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    # The README's install command, as it is written there: `.venv/bin/pip install -e .`
    installed = _run([venv / "bin" / "pip", "install", "-q", "-e", "."], cwd=checkout)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    where = _run([venv / "bin" / "python", "-c", "import rawnl; print(rawnl.__file__)"], cwd=user)
    assert where.stdout.strip() == str(checkout / "rawnl" / "__init__.py"), where.stderr
    version = _run([venv / "bin" / "rawnl", "--version"], cwd=user)
    assert version.stdout.strip() == f"rawnl {rawnl.__version__}", version.stderr

    (user / "good.py").write_text(GOOD)
    (user / "bad.py").write_text(BAD)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--python-executable", venv / "bin" / "python"]
    mypy += ["--cache-dir", tmp_path / "mypy-cache", "--no-color-output", "--no-error-summary"]
    good = _run([*mypy, "good.py"], cwd=user)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout == ""

    bad = _run([*mypy, "bad.py"], cwd=user)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    errors = {}
    for line in bad.stdout.splitlines():
        path, number, kind, text = line.split(":", 3)
        assert (path, kind) == ("bad.py", " error"), line
        errors[int(number)] = text
    assert sorted(errors) == sorted(BAD_ERRORS), bad.stdout
    for number, expected in BAD_ERRORS.items():
        assert expected in errors[number], (number, errors[number])

    # Why mypy finds it: the install is a plain path on sys.path (a .pth line), not an import hook.
    [pth] = (venv / "lib").glob("python3.*/site-packages/__editable__.rawnl-*.pth")
    assert pth.read_text().split() == [str(checkout)]
