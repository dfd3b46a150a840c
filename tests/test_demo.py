"""``rawnl demo`` itself, run as the README runs it (in-process, through the command's main)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from typing import Any

import pytest

from rawnl.cli.main import main

RUN_NETNS = "/run/netns"
PREFIX = f"rawnl-demo-{os.getpid()}"


def _ours() -> list[str]:
    try:
        return sorted(n for n in os.listdir(RUN_NETNS) if n.startswith(PREFIX + "-"))
    except FileNotFoundError:
        return []


@pytest.mark.privileged
@pytest.mark.slow
def test_demo_with_three_containers(capsys: pytest.CaptureFixture[str]) -> None:
    existed = os.path.isdir(RUN_NETNS)
    assert main(["demo", "--containers", "3"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(PREFIX + "-c")]
    assert [row.split()[0] for row in rows] == [f"{PREFIX}-c{i}" for i in (1, 2, 3)]
    for i, row in enumerate(rows, 1):
        words = row.split()
        assert words[1] == "eth0"
        assert f"veth-c{i}" in row
        assert f"198.51.100.{i + 1}/24" in words
        assert f"2001:db8::{i + 1}/64" in words
        assert len(words[words.index("br0)") + 1].split(":")) == 6  # the MAC
        assert words[-1] == "ms"
    assert "UDP: 18 datagrams over IPv4 and IPv6" in out  # 3 containers x 3 destinations x 2 families
    assert "all delivered: every container reached the 2 others and the bridge" in out
    assert "Removed the 4 namespaces" in out
    # /run/netns as it was found: nothing of ours, and not created by us
    assert _ours() == []
    if existed:
        assert os.path.isdir(RUN_NETNS)
    else:  # a concurrent run may have made it meanwhile; then it is not empty
        assert not os.path.isdir(RUN_NETNS) or os.listdir(RUN_NETNS)


@pytest.mark.privileged
def test_demo_keep_leaves_them_and_says_how_to_remove(capsys: pytest.CaptureFixture[str], ip: Any) -> None:
    try:
        assert main(["demo", "--containers", "1", "--keep"]) == 0
        out = capsys.readouterr().out
        assert _ours() == [f"{PREFIX}-c1", f"{PREFIX}-host"]
        [port] = ip("link", "show", "master", "br0", ns=f"{PREFIX}-host")
        assert port["ifname"] == "veth-c1"
        [eth0] = ip("addr", "show", "eth0", ns=f"{PREFIX}-c1")
        assert "198.51.100.2" in {a["local"] for a in eth0["addr_info"]}
        [remove] = [line for line in out.splitlines() if "-m rawnl netns del" in line]
        words = shlex.split(remove)
        assert main(words[words.index("netns") :]) == 0
        assert _ours() == []
    finally:
        for name in _ours():
            main(["netns", "del", name])


#: run as nobody, who may still read every file (CAP_DAC_READ_SEARCH, ambient): an interpreter
#: under a private home (pyenv's in /root) loads its libpython from there
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
NOBODY += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]


def _as_nobody(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NOBODY, *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.privileged
def test_demo_without_root_says_so_in_one_line() -> None:
    before = set(os.listdir(RUN_NETNS)) if os.path.isdir(RUN_NETNS) else set()
    proc = _as_nobody([sys.executable, "-m", "rawnl", "demo"])
    assert proc.returncode == 1
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert "needs root" in line
    # what to type instead: this interpreter (whichever venv it is in), as it was run
    assert line.endswith(f": sudo {shlex.join([sys.executable, '-m', 'rawnl', 'demo'])}"), line
    after = set(os.listdir(RUN_NETNS)) if os.path.isdir(RUN_NETNS) else set()
    assert not {n for n in after - before if n.startswith("rawnl-demo-")}


@pytest.mark.privileged
def test_demo_without_root_names_the_rawnl_script_that_ran() -> None:
    """Run through a ``rawnl`` script (what pip's console-script wrapper is), the message names
    that script by its path, with the arguments given."""
    where = tempfile.mkdtemp(prefix="rawnl-demo-script-")  # readable by nobody, unlike tmp_path
    try:
        os.chmod(where, 0o755)
        script = os.path.join(where, "rawnl")
        with open(script, "w") as f:
            f.write(f"#!{sys.executable}\nimport sys\nfrom rawnl.cli.main import main\nsys.exit(main())\n")
        os.chmod(script, 0o755)
        proc = _as_nobody([script, "demo", "--containers", "3", "--keep"])
    finally:
        shutil.rmtree(where)
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert line.endswith(f": sudo {script} demo --containers 3 --keep"), line


@pytest.mark.privileged  # the root check comes first
def test_demo_refuses_too_many_containers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--containers", "254"]) == 2
    assert "--containers must be 1 to 253" in capsys.readouterr().err
