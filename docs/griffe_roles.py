"""A griffe extension for the documentation site: the docstrings' reST markup as Markdown.

rawnl's docstrings are written as Python's own are: reST roles name other objects
(``:class:`IPRoute```, ``:meth:`NetNS.enter```, ``:mod:`~rawnl.wire.codec```) and ``text::``
introduces an indented literal block.  mkdocstrings renders docstrings as Markdown, so before it
does, this extension rewrites each docstring of the package it is given:

- a role becomes a cross-reference (mkdocs-autorefs) to the object it names, resolved the way
  Python would in the docstring's scope (the object's members, its module's imports, then the
  package), or written out in full (``rawnl.ops.links.link_add``); ``~`` shows the last part only;
- the target must exist: a role that names nothing in rawnl, in the standard library or among the
  builtins is logged as a warning, so ``mkdocs build --strict`` fails on it;
- a public target under one of the ``linked`` prefixes (the modules the API reference renders),
  or a name ``rawnl`` re-exports, is a required reference: if the reference does not render it,
  autorefs warns and the strict build fails; any other rawnl target (the codec's internals, the
  command's modules, names outside a module's ``__all__``) links where the site has it and is
  shown as code where it has not; standard-library names are shown as code;
- ``name = operation(builder)`` in a class (``IPRoute.link_add``) becomes the method it is at run
  time: the builder's signature after ``self``, returning ``None``, and the builder's docstring;
- dunder methods are hidden (``__init__``'s signature is the class's: ``merge_init_into_class``);
- ``text::`` becomes ``text:`` and a line holding only ``::`` goes (the indented block after it is
  a Markdown code block already);
- each name ``rawnl`` re-exports is rendered once: under ``rawnl``, the name users import
  (``rawnl.IPRoute``, not again in ``rawnl.ops.iproute``), unless its module is one of ``own_page``
  (``rawnl.errors``: the exceptions are documented together there).

Loaded by ``mkdocs.yml`` (``extensions: [docs/griffe_roles.py: {linked: [...], own_page: [...]}]``); nothing else
imports it, and rawnl does not depend on griffe.
"""

from __future__ import annotations

import builtins
import html
import importlib.util
import re
from functools import partial
from typing import TYPE_CHECKING, Any

from griffe import (
    Alias,
    Attribute,
    Class,
    Docstring,
    ExprCall,
    Extension,
    Function,
    NameResolutionError,
    Object,
    Parameter,
    ParameterKind,
    Parameters,
    get_logger,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from griffe import GriffeLoader, Module

_log = get_logger("rawnl.docs.roles")

ROLE = re.compile(r":(?:class|func|meth|mod|attr|exc|data|obj):`(?P<tilde>~?)(?P<name>[\w.]+)`")
LITERAL_INTRO = re.compile(r"(?m)(?<=\S)::$")  # "text::" -> "text:"
LITERAL_ALONE = re.compile(r"(?m)^[ \t]*::[ \t]*\n")  # a line of "::" only: dropped


def _walk(obj: Object) -> Iterator[Object]:
    """The object and every object defined in it (aliases are skipped: they share their target's
    docstring)."""
    yield obj
    for member in obj.members.values():
        if not isinstance(member, Alias):
            yield from _walk(member)


class SphinxRoles(Extension):
    """Rewrites the docstrings of a package once it is loaded (see the module docstring)."""

    def __init__(self, linked: list[str], own_page: list[str]) -> None:
        super().__init__()
        self.linked = tuple(linked)
        self.own_page = frozenset(own_page)
        self.exported: set[str] = set()  # canonical paths of the names rawnl re-exports

    def on_package(self, *, pkg: Module, loader: GriffeLoader, **kwargs: Any) -> None:
        if pkg.name != "rawnl":
            return
        self._document_once(pkg)
        for obj in list(_walk(pkg)):
            if isinstance(obj, Class):
                self._operations_as_methods(obj)
                for name, member in obj.members.items():
                    if name.startswith("__") and name.endswith("__") and not isinstance(member, Alias):
                        member.public = False  # dunders: __init__ is merged into the class
        for obj in _walk(pkg):
            if obj.docstring is not None:
                text = ROLE.sub(partial(self._reference, obj, loader=loader), obj.docstring.value)
                obj.docstring.value = LITERAL_ALONE.sub("", LITERAL_INTRO.sub(":", text))

    def _document_once(self, pkg: Module) -> None:
        """Each name of ``rawnl.__all__`` is documented once: under ``rawnl`` (its defining module
        hides it), or in its module when that module has a page of its own (``rawnl`` hides it)."""
        for name in pkg.exports or ():
            member = pkg.members.get(str(name))
            if not isinstance(member, Alias) or not member.resolved or member.final_target.is_module:
                continue
            target = member.final_target
            self.exported.add(target.path)
            if target.parent is not None and target.parent.path in self.own_page:
                member.public = False
            else:
                target.public = False

    @staticmethod
    def _operations_as_methods(owner: Class) -> None:
        """``link_add = operation(link_add)`` in a class is, at run time, a method with the
        builder's signature (``self`` first, returning None) and docstring: show it so."""
        for name, member in list(owner.members.items()):
            value = getattr(member, "value", None)
            if not (isinstance(member, Attribute) and isinstance(value, ExprCall)):
                continue
            if str(value.function) != "operation" or len(value.arguments) != 1:
                continue
            builder = owner.module.modules_collection[owner.module.resolve(str(value.arguments[0]))]
            if isinstance(builder, Alias):
                builder = builder.final_target
            assert isinstance(builder, Function), f"{owner.path}.{name}: operation() of {builder.path}"
            params = [Parameter("self", kind=ParameterKind("positional-only"))]
            params += [
                Parameter(p.name, annotation=p.annotation, kind=p.kind, default=p.default) for p in builder.parameters
            ]
            method = Function(
                name,
                lineno=member.lineno,
                endlineno=member.endlineno,
                parameters=Parameters(*params),
                returns="None",
                docstring=None if builder.docstring is None else Docstring(builder.docstring.value),
            )
            owner.set_member(name, method)

    def _reference(self, obj: Object, match: re.Match[str], *, loader: GriffeLoader) -> str:
        name = match["name"]
        shown = name.rpartition(".")[2] if match["tilde"] else name
        code = f"<code>{html.escape(shown)}</code>"
        target = self._target(obj, name, loader)
        if target is None:
            if not self._outside_rawnl(name):
                _log.warning("%s: %s names nothing in rawnl", obj.path, match[0])
            return code
        path = target.path
        if path in self.exported or (path.startswith(self.linked) and target.is_public):
            return f'<autoref identifier="{path}">{code}</autoref>'
        return f'<autoref identifier="{path}" optional>{code}</autoref>'

    @staticmethod
    def _target(obj: Object, name: str, loader: GriffeLoader) -> Object | None:
        """The rawnl object ``name`` means in ``obj``'s scope (aliases followed), if any."""
        first, _, rest = name.partition(".")
        candidates = [name]
        try:
            resolved = obj.resolve(first)
        except NameResolutionError:
            pass
        else:
            candidates.insert(0, f"{resolved}.{rest}" if rest else resolved)
        for path in candidates:
            if not path.startswith("rawnl"):
                continue
            try:
                found = loader.modules_collection[path]
            except KeyError:
                continue
            return found.final_target if isinstance(found, Alias) else found
        return None

    @staticmethod
    def _outside_rawnl(name: str) -> bool:
        """A builtin (``ValueError``, ``open``) or a standard-library module or name in one."""
        if name.startswith("rawnl"):
            return False
        first = name.partition(".")[0]
        if hasattr(builtins, first):
            return True
        try:
            return importlib.util.find_spec(first) is not None
        except (ImportError, ValueError):
            return False
