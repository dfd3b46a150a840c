"""Every code block of README.md and docs/ is executed or checked, so none can rot.

How blocks are read, run (each example in a sandbox of its own: ``unshare --net --mount``, a
private /run) and compared with the output they show is in ``tests/examples.py``.  The tests at
the end check the checker: a changed output, a failing example and a leftover namespace must
each fail.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from examples import (
    KINDS,
    ROOT,
    Block,
    differences,
    documents,
    parse_session,
    read_blocks,
    run_in_sandbox,
    sketch_mismatches,
)

BLOCKS = [block for doc in documents() for block in read_blocks(doc)]


def _of(kind: str) -> list[Block]:
    return [block for block in BLOCKS if block.kind == kind]


def _ids(blocks: list[Block]) -> list[str]:
    return [block.where for block in blocks]


def test_every_block_is_of_a_kind_the_tests_know() -> None:
    unknown = [f"{b.where}: {b.kind or '(no info string)'}" for b in BLOCKS if b.kind not in KINDS]
    assert not unknown, f"fenced blocks must declare one of {sorted(KINDS)}: {unknown}"
    assert _of("python")
    assert _of("console")


def test_output_blocks_follow_a_python_block() -> None:
    claimed = {id(b.output) for b in BLOCKS if b.output is not None}
    orphans = [b.where for b in _of("output") if id(b) not in claimed]
    assert not orphans, f"an output block must come right after its python block: {orphans}"


def _check_run(block: Block, kind: str, commands: list[str], shown: list[str | None]) -> None:
    run = run_in_sandbox(kind, commands)
    assert not run.error, f"{block.where}: {run.error}"
    for step, want in zip(run.steps, shown, strict=False):  # a failed step ends the run
        what = f"{block.where}: " + ("the example" if kind == "python" else f"`{step.command}`")
        assert step.returncode == 0, f"{what} exited {step.returncode}:\n{step.output}"
        if want is None:
            assert not step.output, f"{what} prints this, but no output block shows it:\n{step.output}"
        else:
            diffs = differences(want, step.output)
            assert not diffs, f"{what} differs from what is shown: {diffs}; it printed:\n{step.output}"
    assert len(run.steps) == len(commands)
    assert not run.leftovers, f"{block.where}: the example left {run.leftovers} (examples remove what they make)"


@pytest.mark.privileged
@pytest.mark.parametrize("block", _of("python"), ids=_ids(_of("python")))
def test_python_example(block: Block) -> None:
    """Runs as written, in a sandbox; prints what its output block shows (if it prints)."""
    _check_run(block, "python", [block.text], [None if block.output is None else block.output.text])


@pytest.mark.privileged
@pytest.mark.parametrize("block", _of("console"), ids=_ids(_of("console")))
def test_console_session(block: Block) -> None:
    """Each command runs in order, in one sandbox, and prints what the session shows."""
    commands = parse_session(block.text)
    _check_run(block, "console", [c.text for c in commands], [c.shown for c in commands])


@pytest.mark.parametrize("block", _of("pyi"), ids=_ids(_of("pyi")))
def test_interface_sketch(block: Block) -> None:
    """Valid Python; the parameters of what rawnl exports are those of the code."""
    ast.parse(block.text)
    assert not sketch_mismatches(block.text)


def test_a_sketch_that_drifted_fails() -> None:
    sketch = "class NetNS:\n    def enter(self, how) -> None: ...\n    def gone(self) -> None: ...\n"
    assert sketch_mismatches(sketch) == [
        "NetNS.enter: sketch ['how'], code []",
        "NetNS.gone: rawnl has no such name",
    ]


REPO_PATH = re.compile(r"(?<![\w./-])(?:benchmarks|tools|tests|docs|rawnl)/[\w./-]*\w")


def test_commands_name_existing_files() -> None:
    """Commands for the reader's machine (``sh``) are not run here; the files they name exist."""
    named = [(block.where, path) for block in _of("sh") for path in REPO_PATH.findall(block.text)]
    assert named  # the benchmarks' commands (docs/performance.md) at least
    missing = [f"{where}: {path}" for where, path in named if not (ROOT / path).exists()]
    assert not missing, f"no such file: {missing}"


LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?:#[^)]*)?\)")


def test_readme_links_lead_to_files() -> None:
    """README.md is not part of the site (mkdocs checks the site's links): its relative links
    are checked here."""
    text = (ROOT / "README.md").read_text()
    targets = [m["target"] for m in LINK.finditer(text) if "://" not in m["target"]]
    assert targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_docstrings_hold_no_examples() -> None:
    """The API reference renders the docstrings; examples belong to the pages, where they run."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "rawnl").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.lstrip().startswith(">>>")
    ]
    assert not found, f"doctest examples in docstrings (move them to docs/): {found}"


# -- the checker checked ---------------------------------------------------------------------------
SHOWN_TABLE = """\
TYPE      INTERFACE  INDEX  MAC                ADDRESSES        TIME
veth      eth0       2      a2:89:04:bc:d2:35  198.51.100.2/24  2.27 ms
"""


@pytest.mark.parametrize(
    ("printed", "same"),
    [
        (SHOWN_TABLE, True),
        (SHOWN_TABLE.replace("a2:89:04:bc:d2:35", "6e:0c:69:bb:f0:12").replace("2.27 ms", "11.5 ms"), True),
        (SHOWN_TABLE.replace("      eth0", " eth0"), True),  # column widths
        (SHOWN_TABLE.replace("198.51.100.2/24", "198.51.100.3/24"), False),
        (SHOWN_TABLE.replace("  2  ", "  3  "), False),
        (SHOWN_TABLE.replace("veth ", "vxlan"), False),
        (SHOWN_TABLE.splitlines()[0], False),  # a line missing
        (SHOWN_TABLE + "veth eth1 3 a2:89:04:bc:d2:36 198.51.100.3/24 1 ms\n", False),  # one more
    ],
)
def test_text_comparison(printed: str, same: bool) -> None:
    assert (differences(SHOWN_TABLE, printed) == []) is same


SHOWN_JSON = '[{"ifindex":2,"ifname":"br0","address":"6e:0c:69:bb:f0:12","flags":["UP"]}]'


@pytest.mark.parametrize(
    ("printed", "same"),
    [
        ('[{"ifname":"br0","ifindex":2,"flags":["UP"],"address":"a2:89:04:bc:d2:35"}]', True),
        ('[{"ifindex":3,"ifname":"br0","address":"6e:0c:69:bb:f0:12","flags":["UP"]}]', False),
        ('[{"ifindex":2,"ifname":"br0","address":"6e:0c:69:bb:f0:12","flags":["UP"],"mtu":1500}]', False),
        ('[{"ifindex":2,"ifname":"br0","address":"6e:0c:69:bb:f0:12","flags":[]}]', False),
        ('[{"ifindex":"2","ifname":"br0","address":"6e:0c:69:bb:f0:12","flags":["UP"]}]', False),
        ("[]", False),
        ("br0: UP", False),
    ],
)
def test_json_comparison(printed: str, same: bool) -> None:
    assert (differences(SHOWN_JSON, printed) == []) is same


def test_the_operational_state_may_differ_and_nothing_else() -> None:
    """The kernel settles it asynchronously: ``state UNKNOWN`` shown may be printed as ``UP``."""
    line = "2: br0: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN mode DEFAULT\n"
    assert differences(line, line.replace("UNKNOWN", "UP")) == []
    assert differences(line, line.replace("mtu 1500", "mtu 1400").replace("UNKNOWN", "UP")) != []
    assert differences(line, line.replace("LOWER_UP", "NO-CARRIER")) != []
    shown = '[{"ifname":"br0","operstate":"UNKNOWN"}]'
    assert differences(shown, '[{"ifname":"br0","operstate":"UP"}]') == []
    assert differences(shown, '[{"ifname":"br0","operstate":6}]') != []
    assert differences(shown, '[{"ifname":"br0"}]') != []


def test_sessions_split_into_commands() -> None:
    session = '# cat > a.json <<\'EOF\'\n{"x": 1}\nEOF\n# cat a.json\n{"x": 1}\n# rawnl netns list\n'
    commands = parse_session(session)
    assert [c.text for c in commands] == ["cat > a.json <<'EOF'\n{\"x\": 1}\nEOF", "cat a.json", "rawnl netns list"]
    assert [c.shown for c in commands] == ["", '{"x": 1}\n', ""]


@pytest.mark.privileged
def test_a_wrong_example_fails(tmp_path: Path) -> None:
    """A failing command, a changed output and a leftover namespace are each caught; the real
    /run/netns never sees the sandbox's namespaces."""
    doc = tmp_path / "page.md"
    doc.write_text(
        "```python\nimport rawnl\nrawnl.NetNS.create('rawnl-left-behind').close()\nprint('made')\n```\n\n"
        "```output\nmade\n```\n\n"
        "```console\n# rawnl netns add rawnl-ex-a\n# rawnl netns list\nrawnl-ex-b\n"
        "# rawnl netns del rawnl-ex-a\n```\n\n"
        "```python\nimport rawnl\nrawnl.IPRoute().link_del('nosuch')\n```\n"
    )
    before = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else None
    leaves, _output, wrong_output, raises = read_blocks(doc)

    with pytest.raises(AssertionError, match=r"left \['/run/netns/rawnl-left-behind'\]"):
        test_python_example(leaves)
    with pytest.raises(AssertionError, match="shown 'rawnl-ex-b', printed 'rawnl-ex-a'"):
        test_console_session(wrong_output)
    with pytest.raises(AssertionError, match=r"exited 1:(.|\n)*No such device"):
        test_python_example(raises)
    after = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else None
    assert "rawnl-left-behind" not in (after or ())
    assert (before is None) == (after is None)
