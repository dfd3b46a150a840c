"""What a request builder returns, the references in it still to be resolved, and where they are
resolved: the base of :class:`rawnl.IPRoute` and its batches.

A builder (``rawnl.ops.links.link_set``, ...) validates every argument and returns a
:class:`Request`: the message, and the references in it that only a live socket can turn into
numbers.  There are two kinds:

- :class:`LinkName`: a link given by name where the kernel needs its index (an address's link,
  a route's output link, a master).  Where the kernel can look a link up by name itself
  (``IFLA_IFNAME`` in ``link_set``/``link_del``/``link_get``), builders send the name and make no
  reference.
- :class:`NetnsRef`: a network namespace given by name, path or pid where the kernel needs an
  open file descriptor (``IFLA_NET_NS_FD``).  A :class:`rawnl.NetNS` is already open: its fd is
  used as it is.

Both stand in the message where the number goes (an ``int``-like object with ``__index__``),
so the builder alone knows the message's shape and nothing patches it afterwards.
:meth:`Operations.resolve` gives every reference its number, in one place; encoding a
reference that was not resolved raises ``ValueError`` naming the argument.
"""

from __future__ import annotations

from errno import EPROTO

from rawnl._record import Record
from rawnl.errors import NetlinkError
from rawnl.wire.uapi import NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST

from . import validate as v

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

    from rawnl.engine.netns import NetNS
    from rawnl.engine.socket import NetlinkSocket
    from rawnl.wire.message import Message

    _P = ParamSpec("_P")
    _M = TypeVar("_M", bound=Message)
    _Q = TypeVar("_Q", bound="Queries")
    _R = TypeVar("_R")
    #: A link: its index, or its name.
    LinkRef: TypeAlias = int | str
    #: A network namespace: an open :class:`rawnl.NetNS`, a name under /run/netns or a path, or a pid.
    NetnsRef_: TypeAlias = "NetNS | str | int"

__all__ = [
    "ACK",
    "CREATE",
    "DUMP",
    "Events",
    "LinkName",
    "NetnsRef",
    "Operations",
    "Queries",
    "Request",
    "link_index",
    "link_ref",
    "netns_fd",
    "operation",
    "reading",
]

#: Flags of a request that changes something and wants its ACK.
ACK = NLM_F_REQUEST | NLM_F_ACK
#: ``ip ... add``: create, and fail with EEXIST if it exists.
CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
#: A dump request.
DUMP = NLM_F_REQUEST | NLM_F_DUMP
#: A dump the kernel marks NLM_F_DUMP_INTR (the table changed while it was read) is repeated up
#: to this many times; then rawnl.DumpInterrupted is raised, carrying what was received.
DUMP_RETRIES = 2

if TYPE_CHECKING:
    # A reference stands where an int goes (it is one by __index__ once resolved): to a type
    # checker it is an int, so a builder can put it in an int field without a cast.
    _StandsForInt = int
else:
    _StandsForInt = object


class LinkName(_StandsForInt):
    """A link named where the kernel needs its index; ``index`` once resolved."""

    __slots__ = ("arg", "index", "name")

    def __init__(self, name: str, arg: str) -> None:
        self.name = name
        self.arg = arg
        self.index: int | None = None

    def __index__(self) -> int:
        if self.index is None:
            raise ValueError(f"{self.arg}: link {self.name!r} has not been resolved to an index (IPRoute does it)")
        return self.index

    def __repr__(self) -> str:
        return f"LinkName({self.name!r}{'' if self.index is None else f' -> {self.index}'})"


class NetnsRef(_StandsForInt):
    """A network namespace (a name under /run/netns, a path, or a pid) where the kernel needs an
    open fd; ``fd`` once opened by :meth:`open`, closed again by :meth:`close`."""

    __slots__ = ("arg", "fd", "handle", "target")

    def __init__(self, target: str | int, arg: str) -> None:
        self.target = target
        self.arg = arg
        self.fd: int | None = None
        self.handle: NetNS | None = None

    def open(self) -> None:
        """Open the namespace (``/run/netns/NAME``, the path, or ``/proc/PID/ns/net``)."""
        from rawnl.engine.netns import NetNS

        try:
            handle = NetNS.open(self.target) if isinstance(self.target, str) else NetNS.from_pid(self.target)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{self.arg}: {exc}") from None
        self.handle = handle
        self.fd = handle.fd

    def close(self) -> None:
        handle, self.handle = self.handle, None
        if handle is not None:
            handle.close()

    def __index__(self) -> int:
        if self.fd is None:
            raise ValueError(f"{self.arg}: namespace {self.target!r} has not been opened (IPRoute does it)")
        return self.fd

    def __repr__(self) -> str:
        return f"NetnsRef({self.target!r}{'' if self.fd is None else f' -> fd {self.fd}'})"


class Request(Record):
    """A validated request: the message to send, and the references in it to resolve first."""

    msg: Message
    refs: tuple[LinkName | NetnsRef, ...] = ()

    def __init__(self, msg: Message, refs: tuple[LinkName | NetnsRef, ...] = ()) -> None:
        # Written out (positional too): every operation makes one, and a keyword call to the
        # generated __init__ costs ~0.1 us more.
        self.msg = msg
        self.refs = refs

    def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
        """The message's bytes, as :meth:`rawnl.Message.encode` (its references must be resolved:
        an unresolved one raises ``ValueError`` naming its argument)."""
        return self.msg.encode(flags=flags, seq=seq, pid=pid)


_new = object.__new__

#: Link names :func:`link_ref` has found valid (a check of the string alone: valid once, valid
#: always), so a name used again is not checked again; bounded.
_CHECKED_NAMES: set[str] = set()


def link_ref(value: object, arg: str) -> tuple[int, str | None]:
    """:func:`rawnl.ops.validate.link_ref`: ``(index, None)`` or ``(0, name)``, a name seen
    valid before or an index in range taken at once."""
    if type(value) is str and value in _CHECKED_NAMES:
        return 0, value
    if type(value) is int and 0 < value <= 0x7FFFFFFF:  # an index: v.link_ref's answer, sooner
        return value, None
    index, name = v.link_ref(value, arg)
    if name is not None:
        if len(_CHECKED_NAMES) >= 4096:
            _CHECKED_NAMES.clear()
        _CHECKED_NAMES.add(name)
    return index, name


def link_index(value: object, arg: str, refs: list[LinkName | NetnsRef]) -> int:
    """A link the kernel needs by index: an index is checked and returned; a name is checked and
    becomes a :class:`LinkName` (added to ``refs``), which stands for the index."""
    if type(value) is int and 0 < value <= 0x7FFFFFFF:  # the common case, kept short
        return value
    if type(value) is str and value in _CHECKED_NAMES:  # link_ref's first test, written out
        ref: LinkName = _new(LinkName)  # LinkName(value, arg) without the Python-level __init__
        ref.name = value
        ref.arg = arg
        ref.index = None
        refs.append(ref)
        return ref
    index, name = link_ref(value, arg)
    if name is None:
        return index
    ref = LinkName(name, arg)
    refs.append(ref)
    return ref


def netns_fd(value: object, arg: str, refs: list[LinkName | NetnsRef]) -> int:
    """A namespace the kernel needs as an fd: an open :class:`rawnl.NetNS` gives its fd; a name,
    path or pid becomes a :class:`NetnsRef` (added to ``refs``), opened when resolved."""
    v.netns(value, arg)
    if isinstance(value, (str, int)):
        ref = NetnsRef(value, arg)
        refs.append(ref)
        return ref
    from rawnl.engine.netns import NetNS

    assert isinstance(value, NetNS)  # v.netns() let nothing else through
    return value.fd


class Operations:
    """The base of :class:`rawnl.IPRoute` and :class:`rawnl.Batch`: what to do with a request
    (``_submit``: send it now, or queue it) and how names become indices (``_index_of``); the
    families' operations (:class:`rawnl.ops.links.LinkOps`, ...) are built on these two."""

    def _submit(self, req: Request, name: str, args: tuple[Any, ...]) -> None:  # pragma: no cover
        """Send ``req`` (IPRoute) or queue it (Batch); ``name`` and ``args`` say what it is."""
        raise NotImplementedError

    def _index_of(self, name: str, arg: str) -> int:  # pragma: no cover - IPRoute and Batch define it
        raise NotImplementedError

    def resolve(self, refs: tuple[LinkName | NetnsRef, ...]) -> None:
        """Give every reference its number: a link name its index (``_index_of``), a namespace
        an open fd.  On failure, whatever was opened is closed again."""
        try:
            for ref in refs:
                if isinstance(ref, LinkName):
                    ref.index = self._index_of(ref.name, ref.arg)
                else:
                    ref.open()
        except BaseException:
            release(refs)
            raise


def release(refs: tuple[LinkName | NetnsRef, ...]) -> None:
    """Close the namespaces a request's references opened."""
    for ref in refs:
        if isinstance(ref, NetnsRef):
            ref.close()


def describe(name: str, args: tuple[Any, ...]) -> str:
    """An operation and its object as a refusal names them: ``link_add_bridge('br0')``."""
    return f"{name}({', '.join(map(repr, args))})"


def operation(build: Callable[_P, Request]) -> Callable[Concatenate[Operations, _P], None]:
    """The method that sends (or, in a batch, queues) what ``build`` returns: its signature and
    docstring are the builder's, which say what it sends.  A refusal names the operation and its
    object (its positional arguments): ``link_add_bridge('br0'): [Errno 17] File exists``."""
    op: Callable[Concatenate[Operations, _P], None] = _named(build, True)
    return op


class Queries(Operations):
    """The base of the families' reading operations (:class:`rawnl.IPRoute` only): a request
    answered by one message, or a dump."""

    sock: NetlinkSocket

    def _get(self, req: Request, cls: type[_M]) -> _M:
        """Send ``req`` (no ACK: the reply ends it) and return its reply of class ``cls``; a
        refusal raises :class:`rawnl.NetlinkError`."""
        refs = req.refs
        if refs:
            self.resolve(refs)
            try:
                replies = self.sock.request(req.msg, flags=0)
            finally:
                release(refs)
        else:
            replies = self.sock.request(req.msg, flags=0)
        for reply in replies:
            if isinstance(reply, cls):
                return reply
        raise NetlinkError(EPROTO, f"the kernel sent no {cls.__name__}")  # pragma: no cover - it answers or refuses

    def _dump(self, req: Request) -> list[Message]:
        """Every message of the dump ``req`` asks for, read again (twice at most) if the kernel
        marks it interrupted."""
        self.resolve(req.refs)
        try:
            return list(self.sock.dump(req.msg, retries=DUMP_RETRIES))
        finally:
            release(req.refs)


class Events(Record):
    """What :meth:`rawnl.IPRoute.monitor` follows of one family: the multicast groups to join
    (``RTNLGRP_*``), and the typed result of each of its messages (``convert``, by class)."""

    name: str
    groups: tuple[int, ...]
    message: type[Message]
    convert: Callable[[Any], Any]


def reading(method: Callable[Concatenate[_Q, _P], _R]) -> Callable[Concatenate[_Q, _P], _R]:
    """A reading operation whose refusal names it and its object, as :func:`operation` does."""
    named: Callable[Concatenate[_Q, _P], _R] = _named(method, False)
    return named


def _named(fn: Callable[..., Any], builds: bool) -> Any:
    """The one wrapper of :func:`operation` (``builds``: ``fn`` is a builder, whose request
    ``self._submit`` sends or queues) and :func:`reading` (``fn`` is the method itself): the
    call, and a :class:`rawnl.NetlinkError` that comes out of it named after the operation and
    its positional arguments, unless something closer to the kernel named it already."""
    name = fn.__name__

    # Two functions rather than one testing ``builds`` on every call; a call without keywords
    # passes its arguments as they came (``fn(*args, **kwargs)`` builds a dict even for none).
    if builds:

        def op(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            try:
                return self._submit(fn(*args, **kwargs) if kwargs else fn(*args), name, args)
            except NetlinkError as exc:
                _name_refusal(exc, name, args)
                raise

    else:

        def op(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(self, *args, **kwargs)
            except NetlinkError as exc:
                _name_refusal(exc, name, args)
                raise

    op.__name__ = name
    op.__qualname__ = fn.__qualname__
    op.__doc__ = fn.__doc__
    if builds:
        op.__dict__["__wrapped__"] = fn
    return op


def _name_refusal(exc: NetlinkError, name: str, args: tuple[Any, ...]) -> None:
    """Name a refusal after the operation and its positional arguments, unless something closer
    to the kernel named it already."""
    if exc.operation is None:
        exc.operation = describe(name, args)
