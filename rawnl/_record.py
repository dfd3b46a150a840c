"""Declared records: small slotted classes whose ``__init__`` is generated from their fields.

A record class lists its fields once, as annotations with optional defaults::

    class Address(Record):
        index: int
        prefixlen: int = 0
        _attrs: Mapping[AttrKey, Any] = field(default_factory=dict, alias="attrs")

and gets ``__slots__``, a keyword-only ``__init__`` (``Address(index=2, attrs={...})``), and
equality and ``repr`` over its public fields (those not starting with ``_``), base classes'
fields first; a ``__post_init__`` method, if any, runs at the end of ``__init__``.  A subclass
may declare an inherited field again to change its default.  mypy understands the generated
``__init__`` through :pep:`681` (``dataclass_transform``), so the declaration is also the type.

Why not :mod:`dataclasses`: it imports :mod:`inspect` (about 15 ms, more than the interpreter's
own start-up here), and ``import rawnl`` must stay light.  The generated ``__init__`` is the
straight-line code one would write by hand (one assignment per field), so construction costs
the same as a hand-written class.  It is compiled on the class's first construction, not at
import: ``compile`` costs ~0.12 ms a function, and a dozen classes load with ``import rawnl``
(:func:`lazy_method` is the trick).  Subclasses can hook code generation of their own through
``__init_subclass__`` (the message classes generate ``encode`` and ``_decode`` that way, also
compiled on first use).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**kwargs):  # the decorator only speaks to type checkers
        return lambda cls: cls


__all__ = ["Record", "field", "lazy_method"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class _Field:
    """What :func:`field` returns: a default made per instance, and/or an ``__init__`` name."""

    __slots__ = ("alias", "default", "factory")

    def __init__(self, default: Any, factory: Callable[[], Any] | None, alias: str | None) -> None:
        self.default = default
        self.factory = factory
        self.alias = alias


def field(
    *, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None, alias: str | None = None
) -> Any:
    """A field with a default made fresh for each instance (``default_factory``), and/or whose
    ``__init__`` parameter has another name (``alias``: ``_attrs`` taken as ``attrs=``)."""
    return _Field(default, default_factory, alias)


class _Spec:
    """One field: its attribute name, ``__init__`` name, default or factory."""

    __slots__ = ("default", "factory", "name", "param")

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.param = name
        self.default = _MISSING
        self.factory: Callable[[], Any] | None = None
        if isinstance(value, _Field):
            self.default = value.default
            self.factory = value.factory
            if value.alias is not None:
                self.param = value.alias
        else:
            self.default = value


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return isinstance(text, str) and (text.startswith(("ClassVar", "typing.ClassVar")))


def _make_init(cls_name: str, specs: list[_Spec], post: bool) -> Any:
    """``__init__(self, *, field=default, ...)``: one assignment per field, then
    ``self.__post_init__()`` if the class has one."""
    env: dict[str, Any] = {"_MISSING": _MISSING}
    params: list[str] = []
    body: list[str] = []
    for i, spec in enumerate(specs):
        if spec.factory is not None:
            env[f"_f{i}"] = spec.factory
            params.append(f"{spec.param}=_MISSING")
            body.append(f"    self.{spec.name} = _f{i}() if {spec.param} is _MISSING else {spec.param}")
            continue
        if spec.default is _MISSING:
            params.append(spec.param)
        else:
            env[f"_d{i}"] = spec.default
            params.append(f"{spec.param}=_d{i}")
        body.append(f"    self.{spec.name} = {spec.param}")
    if post:
        body.append("    self.__post_init__()")
    signature = ", ".join(["self", *(["*", *params] if params else [])])
    source = f"def __init__({signature}):\n" + ("\n".join(body) or "    pass") + "\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<rawnl record {cls_name}.__init__>", "exec"), env, namespace)
    return namespace["__init__"]


def lazy_method(name: str, make: Callable[[type], Any]) -> Any:
    """A stand-in for method ``name`` whose first call makes the real one with ``make(cls)``,
    puts it on the class that owns the stand-in (so later calls go straight to it, at the full
    speed of generated code) and calls it.  Two threads racing here make equal functions; either
    one wins, harmlessly."""

    def stand_in(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        owner = next(k for k in type(self).__mro__ if k.__dict__.get(name) is stand_in)
        method = make(owner)
        method.__qualname__ = f"{owner.__qualname__}.{name}"
        setattr(owner, name, method)
        return method(self, *args, **kwargs)

    stand_in.__name__ = name
    return stand_in


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class _RecordMeta(type):
    """Turns a class body's annotated fields into ``__slots__`` and a generated ``__init__``."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], **kwargs: Any) -> _RecordMeta:
        inherited: list[_Spec] = []
        for base in bases:
            for spec in getattr(base, "_record_specs", ()):
                if all(s.name != spec.name for s in inherited):
                    inherited.append(spec)
        specs = list(inherited)
        own: list[str] = []
        for fname, annotation in ns.get("__annotations__", {}).items():
            if _is_classvar(annotation):
                continue
            spec = _Spec(fname, ns.pop(fname, _MISSING))
            for i, old in enumerate(specs):
                if old.name == fname:  # a new default for an inherited field: same place, same slot
                    specs[i] = spec
                    break
            else:
                specs.append(spec)
                own.append(fname)
        extra = ns.get("__slots__", ())
        ns["__slots__"] = (*own, *((extra,) if isinstance(extra, str) else extra))
        ns["_record_specs"] = tuple(specs)
        ns["_fields"] = tuple(s.name for s in specs if not s.name.startswith("_"))
        if "__init__" not in ns and (own or inherited != specs):
            post = "__post_init__" in ns or any(hasattr(b, "__post_init__") for b in bases)
            ns["__init__"] = lazy_method("__init__", lambda cls: _make_init(cls.__name__, specs, post))
        return super().__new__(mcls, name, bases, ns, **kwargs)


class Record(metaclass=_RecordMeta):
    """Equality (same class, equal fields) and ``repr`` over every public field, in
    declaration order, base classes first; see the module docstring."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]
    _record_specs: ClassVar[tuple[_Spec, ...]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"
