"""A base for rawnl's small slotted record classes (messages and results).

It gives what ``@dataclass(slots=True, eq=True)`` would: equality and ``repr`` over the fields.
``dataclasses`` itself imports :mod:`inspect`, which costs about 15 ms, one and a half times the
interpreter's own start-up here, and ``import rawnl`` must stay light; each class writes its own
keyword-only ``__init__``, which mypy checks like any other.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Record:
    """Equality (same class, equal fields) and ``repr`` over every ``__slots__`` field, in
    declaration order, base classes first."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            for name in (slots,) if isinstance(slots, str) else slots:
                if not name.startswith("_") and name not in fields:
                    fields.append(name)
        cls._fields = tuple(fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"
