"""Test helper: the code blocks of README.md and docs/, read, run in a sandbox and checked.

Every fenced block declares its kind by its info string (``tests/test_examples.py`` refuses any
other, so no example can slip by unexecuted):

- ``python``: an example, run as written (``python example.py``) in a child process inside a
  sandbox (below).  It must exit 0.  If the next fenced block is an ``output`` block, what it
  prints must match that block; a block that prints something must be followed by one.
- ``output``: what the python block before it prints.
- ``console``: a shell session as root sees it.  A line starting with ``# `` is a command (with
  the lines of a here-document it opens, up to its terminator, and lines continued by a
  trailing ``\\``); the lines after it, up to the next command, are what it prints (stdout and
  stderr together).  The commands run in order, each with ``bash -c`` in the same sandbox and
  working directory, and each must exit 0 (a session shows a failure as ``...; echo $?``).  A
  session starts with the commands that make what it uses (``rawnl netns add``, ``ip link
  add``) and ends with those that remove it, shown to the reader.  ``rawnl`` is this checkout's
  (``python -m rawnl`` with this checkout on ``PYTHONPATH``).
- ``pyi``: an interface sketch (docs/ARCHITECTURE.md): parsed, not run; where it declares a class
  or function rawnl exports, the parameter names of each ``def`` must be those of the real one.
- ``text``: diagrams and trees; not run.
- ``sh``: commands for the reader's own machine (installing, building the site, benchmarks that
  run for minutes); not run here, but every repository path they name must exist.

**The sandbox.** Each example runs in a process made by ``unshare --net --mount`` (util-linux):
a fresh network namespace, and a private mount namespace in which a tmpfs is mounted on /run.
So an example's ``IPRoute()`` acts on a namespace nobody else sees, and the namespaces it
creates by name (``NetNS.create``, ``rawnl netns add``) live in a /run/netns of its own: names
cannot collide with concurrent test runs or the machine's, and the real /run/netns is never
touched, whatever the example does.  When the sandbox's processes end (the whole process group
is killed on a timeout), its namespaces and mounts go with them, so nothing outlives a failed
or killed example.  At the end the sandbox reports what the example left behind (a name under
its /run/netns, a link other than ``lo`` in its namespace): examples clean up after
themselves, as the reader's copy must, so a leftover fails the test.

**Comparing output.** Lines are compared after the variable parts are replaced by what they
stand for (:data:`VARIABLE`: MAC addresses, durations, the demo's pid in its namespace names,
the names and namespace inodes rawnl derives per run, the operational state the kernel settles
asynchronously), and split into words, so column widths may differ; blank lines are ignored.
Output shown as JSON is compared as JSON: the same keys in every object, the same lengths of
lists, equal values (strings after the same replacements; for :data:`VARIABLE_KEYS` the same
type).
Everything else (names, addresses, indexes in the sandbox's fresh namespaces, flags, states,
counts, the order of lines) must be equal, so a changed output fails.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The kinds of fenced block (see the module docstring); anything else fails the tests.
KINDS = frozenset({"python", "output", "console", "pyi", "text", "sh"})

#: Variable parts of an output: pattern, what it stands for.
VARIABLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b"), "<mac>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|µs|us)\b"), "<duration>"),
    (re.compile(r"\brawnl-demo-\d+-"), "rawnl-demo-<pid>-"),  # the demo's namespaces: its pid
    (re.compile(r"\bveth[0-9a-f]{7}\b"), "veth<derived>"),  # names the veth strategy derives
    (re.compile(r"net:\[\d+\]"), "net:[<inode>]"),  # a namespace's inode (aliases)
    # The operational state: the kernel settles it asynchronously (linkwatch, up to a second
    # after the change that causes it), so `state UNKNOWN` may still read `state UP` or back.
    (re.compile(r"\bstate (?:UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT|TESTING|NOTPRESENT)\b"), "state <operstate>"),
)
#: JSON keys whose values vary as the ones above do: only their type is compared.
VARIABLE_KEYS = frozenset({"operstate"})

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)[ \t]*(?P<info>[^`\s]*)[^`]*$")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<end>\w+)\1")
SANDBOX_TIMEOUT = 300.0  # seconds for a whole example
STEP_TIMEOUT = 120.0  # seconds for one command or python block


# -- reading ---------------------------------------------------------------------------------------
@dataclass
class Block:
    """A fenced block: where it is, its kind, its text (the fence's indentation removed)."""

    path: Path
    line: int  # of the opening fence, 1-based
    kind: str
    text: str
    output: Block | None = None  # a python block's output block

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each python block given the output block after it."""
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        start, indent, fence = i, len(m["indent"]), m["fence"]
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            line = lines[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            i += 1
        if i == len(lines):
            raise ValueError(f"{path}:{start + 1}: the block opened here is never closed")
        blocks.append(Block(path, start + 1, m["info"], "\n".join(body) + "\n"))
        i += 1
    for before, block in itertools.pairwise(blocks):
        if block.kind == "output" and before.kind == "python":
            before.output = block
    return blocks


def documents() -> list[Path]:
    """README.md and every page of the documentation."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclass
class Command:
    text: str  # what bash runs (here-document included)
    shown: str  # the output the session shows for it


def parse_session(text: str) -> list[Command]:
    """The commands of a ``console`` block and the output shown after each."""
    commands: list[Command] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("# "):
            if commands:
                commands[-1].shown += line + "\n"
            elif line.strip():
                raise ValueError(f"output before the first command: {line!r}")
            i += 1
            continue
        cmd = [line[2:]]
        i += 1
        while cmd[-1].endswith("\\") and i < len(lines):  # continued
            cmd.append(lines[i])
            i += 1
        heredoc = HEREDOC.search(cmd[0])
        if heredoc is not None:
            while i < len(lines) and lines[i] != heredoc["end"]:
                cmd.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"here-document {heredoc['end']!r} is never ended")
            cmd.append(lines[i])
            i += 1
        commands.append(Command("\n".join(cmd), ""))
    if not commands:
        raise ValueError("a console block without a command")
    return commands


# -- comparing -------------------------------------------------------------------------------------
def normalize(text: str) -> str:
    for pattern, stands_for in VARIABLE:
        text = pattern.sub(stands_for, text)
    return text


def _json_differences(shown: Any, actual: Any, where: str) -> list[str]:
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where}: an object is shown, got {actual!r}"]
        if set(shown) != set(actual):
            return [
                f"{where}: keys differ: shown only {sorted(set(shown) - set(actual))}, "
                f"printed only {sorted(set(actual) - set(shown))}"
            ]
        return [
            d
            for key in shown
            if key not in VARIABLE_KEYS or type(shown[key]) is not type(actual[key])
            for d in _json_differences(shown[key], actual[key], f"{where}.{key}")
        ]
    if isinstance(shown, list):
        if not isinstance(actual, list) or len(actual) != len(shown):
            return [f"{where}: a list of {len(shown)} is shown, got {actual!r}"]
        return [
            d
            for n, (s, a) in enumerate(zip(shown, actual, strict=True))
            for d in _json_differences(s, a, f"{where}[{n}]")
        ]
    if isinstance(shown, str) and isinstance(actual, str):
        same = normalize(shown) == normalize(actual)
    else:
        same = type(shown) is type(actual) and shown == actual
    return [] if same else [f"{where}: shown {shown!r}, printed {actual!r}"]


def differences(shown: str, actual: str) -> list[str]:
    """How what was printed differs from what is shown (empty: they match); see the module
    docstring for the rules."""
    if shown.lstrip().startswith(("[", "{")):
        try:
            shown_json = json.loads(shown)
        except ValueError:
            pass
        else:
            try:
                actual_json = json.loads(actual)
            except ValueError:
                return [f"JSON is shown, but what was printed is not JSON: {actual!r}"]
            return _json_differences(shown_json, actual_json, "$")
    want = [normalize(line).split() for line in shown.splitlines() if line.strip()]
    got = [normalize(line).split() for line in actual.splitlines() if line.strip()]
    for n, (w, g) in enumerate(zip(want, got, strict=False), 1):  # lengths: below
        if w != g:
            return [f"line {n}: shown {' '.join(w)!r}, printed {' '.join(g)!r}"]
    if len(want) != len(got):
        extra = got[len(want) :] or want[len(got) :]
        what = "printed" if len(got) > len(want) else "shown"
        return [f"{len(want)} lines shown, {len(got)} printed; only {what}: {' '.join(extra[0])!r}"]
    return []


# -- interface sketches ----------------------------------------------------------------------------
def _def_params(node: ast.FunctionDef) -> list[str]:
    a = node.args
    names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    names += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    return [n for n in names if n not in ("self", "cls")]


def _real_params(obj: Any) -> list[str]:
    import inspect

    params = inspect.signature(obj).parameters.values()
    return [p.name for p in params if p.name not in ("self", "cls")]


def sketch_mismatches(text: str) -> list[str]:
    """A ``pyi`` block's ``def``s whose parameters are not those of rawnl's object of that name
    (only classes and functions ``rawnl`` exports are compared; other sketches are recipes)."""
    import rawnl

    out = []
    for node in ast.parse(text).body:
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef)) or not hasattr(rawnl, node.name):
            continue
        real = getattr(rawnl, node.name)
        if isinstance(node, ast.FunctionDef):
            defs = [(node.name, node, real)]
        else:
            defs = [
                (f"{node.name}.{d.name}", d, getattr(real, d.name, None))
                for d in node.body
                if isinstance(d, ast.FunctionDef)
            ]
        for name, d, target in defs:
            if target is None:
                out.append(f"{name}: rawnl has no such name")
            elif _def_params(d) != _real_params(target):
                out.append(f"{name}: sketch {_def_params(d)}, code {_real_params(target)}")
    return out


# -- running ---------------------------------------------------------------------------------------
@dataclass
class Step:
    command: str
    output: str
    returncode: int


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    error: str = ""  # the sandbox itself failed (or timed out)


def run_in_sandbox(kind: str, commands: list[str]) -> Run:
    """Run a python example (``kind="python"``, one command: its code) or a session's commands
    in a fresh sandbox (see the module docstring), and report each step and the leftovers."""
    spec = {"kind": kind, "commands": commands, "repo": str(ROOT), "python": sys.executable}
    argv = ["unshare", "--net", "--mount", "--propagation", "private", "--", sys.executable, __file__]
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(json.dumps(spec), timeout=SANDBOX_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the example's processes too: the sandbox dies with them
        out, err = proc.communicate()
        return Run(error=f"timed out after {SANDBOX_TIMEOUT:.0f} s: {err[-2000:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.returncode != 0:
        return Run(error=f"the sandbox failed (exit {proc.returncode}): {err[-4000:]}")
    result = json.loads(out)
    return Run([Step(**s) for s in result["steps"]], result["leftovers"])


def _sandbox_main() -> None:
    """Inside ``unshare``: give this mount namespace a /run of its own, run the steps, report."""
    spec = json.load(sys.stdin)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "rawnl-examples", "/run"], check=True)
    work = Path(tempfile.mkdtemp(prefix="example-", dir="/run"))  # the examples' working directory
    bindir = Path(tempfile.mkdtemp(prefix="bin-", dir="/run"))
    (bindir / "rawnl").write_text(f'#!/bin/sh\nexec "{spec["python"]}" -m rawnl "$@"\n')
    (bindir / "rawnl").chmod(0o755)
    env = dict(os.environ, PYTHONPATH=spec["repo"], PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    steps = []
    for command in spec["commands"]:
        if spec["kind"] == "python":
            (work / "example.py").write_text(command)
            argv = [spec["python"], "example.py"]
        else:
            argv = ["bash", "-c", command]
        try:
            proc = subprocess.run(
                argv,
                cwd=work,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=STEP_TIMEOUT,
                check=False,
            )
            steps.append({"command": command, "output": proc.stdout, "returncode": proc.returncode})
        except subprocess.TimeoutExpired as exc:
            steps.append({"command": command, "output": f"{exc.output or ''}\n[timed out]", "returncode": -1})
        if steps[-1]["returncode"] != 0:
            break
    names = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
    leftovers = [f"/run/netns/{name}" for name in names]
    links = json.loads(subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True).stdout)
    leftovers += [f"link {link['ifname']}" for link in links if link["ifname"] != "lo"]
    json.dump({"steps": steps, "leftovers": leftovers}, sys.stdout)


if __name__ == "__main__":
    _sandbox_main()
