"""The second kernel CI runs the core in (``tools/uml-run``: Debian's user-mode-linux, Linux 6.1):
it is there, it boots, and it is another kernel with its own network stack.  ``.ci/run`` then runs
the tests marked ``uml`` inside it.  Without user-mode-linux this skips, which under
``RAWNL_REQUIRE_PRIVILEGED=1`` (CI) is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

UML_RUN = Path(__file__).resolve().parent.parent / "tools" / "uml-run"


@pytest.mark.privileged
def test_the_second_kernel_runs_commands() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if shutil.which("linux.uml") is None or shutil.which("modprobe") is None:
        pytest.skip("user-mode-linux is not installed (apt-get install -y user-mode-linux kmod)")
    script = "uname -r; ip link add d0 type dummy && ip -o link show d0; ls /run/netns | wc -l"
    proc = subprocess.run(
        [str(UML_RUN), "--timeout", "120", "--", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    release, link, netns_count = proc.stdout.strip().splitlines()[-3:]
    assert release.split(".")[:2] != os.uname().release.split(".")[:2]  # really another kernel
    assert ": d0: " in link  # a dummy link: a kind this machine's kernel lacks
    assert netns_count == "0"  # its own /run
    assert "d0" not in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
