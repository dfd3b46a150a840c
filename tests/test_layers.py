"""The house rules of docs/ARCHITECTURE.md, read from the source.

* Imports only go down the layers: wire <- engine <- ops <- runc <- cli (``rawnl.errors`` and
  ``rawnl._record`` are under everything; the package ``rawnl`` itself, its ``__main__`` and the
  user-facing enums sit on top).  Every import counts, module-level or inside a function;
  ``if TYPE_CHECKING:`` blocks do not.
* No import loop anywhere (an explicit import of a package counts as an import of its
  ``__init__``; the parent packages Python initialises first do not).
* A family lives in one module per layer: only its own modules, the registries and the facade
  import it.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

import rawnl

ROOT = Path(rawnl.__file__).resolve().parent

#: layer of each module, by name prefix (longest prefix wins)
LAYERS = {
    "rawnl._record": 0,
    "rawnl._version": 0,
    "rawnl.errors": 0,
    "rawnl.wire": 1,
    "rawnl.wire.constants": 6,  # the enums for users: nothing inside imports them
    "rawnl.engine": 2,
    "rawnl.ops": 3,
    "rawnl.runc": 4,
    "rawnl.cli": 5,
    "rawnl": 6,  # the package's __init__: gathers the public names
    "rawnl.__main__": 6,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(name: str) -> int:
    best = max((prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(name: str) -> set[str]:
    """The rawnl modules ``name`` imports (anywhere but under ``if TYPE_CHECKING:``)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node.module, node.level)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    out = set()
    for imported in found:
        target = imported
        while target and target not in MODULES:  # `from rawnl.x import name`: the module rawnl.x
            target = target.rpartition(".")[0]
        if target.startswith("rawnl") and target != name:
            out.add(target)
    return out


GRAPH = {name: imports_of(name) for name in MODULES}


def test_the_walk_sees_the_package() -> None:
    assert len(MODULES) > 40
    assert "rawnl.wire.codec" in GRAPH["rawnl.wire.message"]
    assert "rawnl.engine.netns" in GRAPH["rawnl.ops.request"]  # a function-level import counts
    assert "rawnl.engine.socket" not in GRAPH["rawnl.ops.request"]  # a TYPE_CHECKING one does not


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_go_down(name: str) -> None:
    upward = sorted(target for target in GRAPH[name] if layer(target) > layer(name))
    assert not upward, f"{name} (layer {layer(name)}) imports upward: {upward}"


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    edges = GRAPH
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    return found


def test_no_import_loops() -> None:
    assert _cycles() == []


def test_the_loop_check_can_fail() -> None:
    saved = set(GRAPH["rawnl.wire.codec"])
    GRAPH["rawnl.wire.codec"].add("rawnl.wire.link")  # link imports codec: a loop
    try:
        assert any({"rawnl.wire.codec", "rawnl.wire.link"} <= set(c) for c in _cycles())
    finally:
        GRAPH["rawnl.wire.codec"] = saved


#: The registries and the facade: the places that list every family.
REGISTRIES = {
    "rawnl",
    "rawnl.wire.registry",
    "rawnl.wire.constants",
    "rawnl.ops.iproute",
    "rawnl.cli.main",
    "rawnl.cli.ip.monitor",
}
#: A family's modules, layer by layer: (wire, ops, cli).
FAMILIES = {
    "address": ("rawnl.wire.address", "rawnl.ops.addresses", "rawnl.cli.ip.address"),
    "route": ("rawnl.wire.route", "rawnl.ops.routes", "rawnl.cli.ip.route"),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_family_is_one_module_per_layer(family: str) -> None:
    """Nothing but the family's own modules, the registries and the facade imports a family's
    modules (links are the exception everything builds on: names come from link dumps)."""
    own = set(FAMILIES[family])
    for module in FAMILIES[family]:
        importers = {name for name, targets in GRAPH.items() if module in targets}
        assert importers, f"nothing imports {module}"
        strays = sorted(importers - own - REGISTRIES)
        assert not strays, f"{module} is imported by {strays}"


def test_every_wire_family_is_registered() -> None:
    from rawnl.wire import registry

    registered = {module.__name__ for module in registry.FAMILIES}
    assert {wire for wire, _ops, _cli in FAMILIES.values()} | {"rawnl.wire.link"} == registered
    kinds = {module.__name__ for module in registry.KINDS}
    assert kinds == {name for name in MODULES if name.startswith("rawnl.wire.kinds.")}


def _repository_files(repo: Path) -> list[Path]:
    """The files of the checkout (git's list when there is one, else a walk without build output)."""
    try:
        out = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True, check=True).stdout
        return [repo / line for line in out.splitlines() if (repo / line).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "build", "dist", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache"}
        return [
            p
            for p in repo.rglob("*")
            if p.is_file() and not skip & set(p.parts) and not any(part.endswith(".egg-info") for part in p.parts)
        ]


def test_the_repository_refers_to_nothing_outside_it() -> None:
    """Documentation and code are self-contained: no path leads out of the checkout."""
    repo = ROOT.parent
    outside = ("../shared", "WIRE_FACTS", "DEVELOPERS.md")
    files = [p for p in _repository_files(repo) if p.name != "test_layers.py" and p.stat().st_size < 1 << 20]
    assert any(p.name == "README.md" for p in files)
    found = [
        f"{path.relative_to(repo)}: {word}"
        for path in files
        for word in outside
        if word in path.read_text(errors="replace")
    ]
    assert not found, found
