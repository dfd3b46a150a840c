"""Classes declared once: records (``rawnl._record``) and messages (``rawnl.wire.message``) get
their ``__init__``, ``encode`` and decoder from their field declarations; the typed results
can be built with keywords; every exception lives in ``rawnl.errors`` and is exported; each
operation's wire description is written once."""

from __future__ import annotations

import ast
import inspect
import struct
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import pytest

import rawnl
from rawnl import errors
from rawnl._record import Record, field
from rawnl.ops import addresses, iproute, link_kinds, links, routes
from rawnl.wire import registry
from rawnl.wire.codec import STRING, U32, AttrTable
from rawnl.wire.message import Message

pytestmark = pytest.mark.uml  # the core: run in the second kernel too (.ci/run)

ROOT = Path(rawnl.__file__).resolve().parent


# ------------------------------------------------------------------------------------ records


class _Point(Record):
    x: int
    y: int = 0
    _tags: list[str] = field(default_factory=list, alias="tags")


class _Point3(_Point):
    y: int = 5  # a new default for an inherited field
    z: int = 0


def test_record_init_from_the_declaration() -> None:
    p = _Point(x=1)
    assert (p.x, p.y, p._tags) == (1, 0, [])
    assert _Point(x=1, tags=["a"])._tags == ["a"]
    assert _Point(x=1)._tags is not _Point(x=1)._tags  # a fresh default each time
    with pytest.raises(TypeError):
        _Point(1)  # type: ignore[misc]  # keywords only
    with pytest.raises(TypeError):
        _Point()  # type: ignore[call-arg]  # x is required
    assert _Point.__slots__ == ("x", "y", "_tags")
    assert _Point3(x=1) == _Point3(x=1, y=5, z=0)
    assert _Point3.__slots__ == ("z",)  # y keeps its place and its slot
    assert repr(_Point3(x=1, tags=["t"])) == "_Point3(x=1, y=5, z=0)"  # private fields left out
    assert _Point(x=1) != _Point(x=2)


def test_results_are_built_with_keywords() -> None:
    link = rawnl.Link(index=3, name="eth0", mtu=1500, attrs={"IFLA_MTU": 1500})
    assert (link.index, link.name, link.mtu, link.kind, link.attrs) == (3, "eth0", 1500, None, {"IFLA_MTU": 1500})
    address = rawnl.Address(index=3, family=2, address=IPv4Address("192.0.2.1"), prefixlen=24)
    assert address.with_prefix == "192.0.2.1/24"
    route = rawnl.Route(family=2, dst=IPv4Network("198.51.100.0/24"), gateway=IPv4Address("192.0.2.254"))
    assert (route.dst_len, route.table, route.route_flags, dict(route.metrics)) == (24, 254, 0, {})
    assert rawnl.Route(family=2, dst="default").dst_len == 0


def test_typed_results_equal_those_built_from_messages() -> None:
    msg = rawnl.AddressMessage(
        family=2, prefixlen=24, index=3, attrs={"IFA_LOCAL": "192.0.2.1", "IFA_ADDRESS": "192.0.2.1"}
    )
    [decoded] = rawnl.decode(msg.encode())
    assert addresses.address_from(decoded) == rawnl.Address(  # type: ignore[arg-type]
        index=3, family=2, address=IPv4Address("192.0.2.1"), prefixlen=24
    )


# ----------------------------------------------------------------------------------- messages


def test_message_classes_are_declared_not_written() -> None:
    """The family classes define no method by hand: encode, encode_body and _decode come from the
    declaration (fixed struct, fields, table), compiled on first use."""
    for cls in (rawnl.LinkMessage, rawnl.AddressMessage, rawnl.RouteMessage):
        rawnl.decode(cls().encode())  # first use: the generated code is in place after it
        assert cls().encode_body()
        tree = ast.parse(inspect.getsource(cls))
        defined = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        assert defined == [], (cls.__name__, defined)
        for name in ("__init__", "encode", "encode_body", "_decode"):
            assert "<rawnl" in getattr(cls, name).__code__.co_filename, (cls.__name__, name)
            assert getattr(cls, name).__qualname__ == f"{cls.__name__}.{name}"


def test_a_new_declaration_gets_everything() -> None:
    """A message declared here (a made-up type 200 with a 2-field struct) encodes, decodes and
    names a field struct refuses, with no method written."""
    table = AttrTable("TEST", [("TEST_NAME", 1, STRING), ("TEST_NUMBER", 2, U32)])

    class TestMessage(Message, fixed=("testmsg", "=BxH"), table=table, types=(200,)):
        type: int = 200
        family: int = 0
        port: int = 0
        attrs: dict[str, Any] = field(default_factory=dict)

    try:
        msg = TestMessage(family=2, port=80, attrs={"TEST_NAME": "x", "TEST_NUMBER": 7})
        raw = msg.encode(seq=9)
        assert struct.unpack_from("=IHHIIBxH", raw) == (len(raw), 200, 0, 9, 0, 2, 80)
        [back] = rawnl.decode(raw)
        assert isinstance(back, TestMessage)
        assert (back.family, back.port, back.seq, dict(back.attrs)) == (2, 80, 9, {"TEST_NAME": "x", "TEST_NUMBER": 7})
        with pytest.raises(ValueError, match=r"^cannot encode TestMessage.port 70000"):
            TestMessage(port=70000).encode()
        with pytest.raises(rawnl.DecodeError, match=r"test message of 18 bytes is shorter than nlmsghdr [+] testmsg"):
            rawnl.decode(struct.pack("=IHHII", 18, 200, 0, 0, 0) + b"\0\0")
    finally:
        from rawnl.wire import message

        for mtype in (200,):
            message._BY_TYPE.pop(mtype, None)
            message._DECODERS.pop(mtype, None)


@pytest.mark.parametrize("first", ["encode", "_encode", "encode_body"])
def test_an_override_calling_the_generated_method_runs_once_on_first_use(first: str) -> None:
    """A subclass's own ``encode`` that calls its declared class's, before that class's methods
    are compiled (the stand-ins compile them on first use): each runs once, and ``_encode``
    (what the socket calls) goes through the override."""
    table = AttrTable("TEST", [("TEST_NUMBER", 2, U32)])

    class OnceMessage(Message, fixed=("oncemsg", "=BxH"), table=table):
        type: int = 201
        family: int = 0
        port: int = 0
        attrs: dict[str, Any] = field(default_factory=dict)

    calls: list[str] = []

    class Counted(OnceMessage):
        def encode(self, *, flags: int | None = None, seq: int | None = None, pid: int | None = None) -> bytes:
            calls.append("encode")
            return OnceMessage.encode(self, flags=flags, seq=seq, pid=pid)

        def encode_body(self) -> bytes:
            calls.append("encode_body")
            return OnceMessage.encode_body(self)

    msg = Counted(port=80, attrs={"TEST_NUMBER": 7})
    plain = OnceMessage(port=80, attrs={"TEST_NUMBER": 7})
    if first == "encode":
        assert msg.encode(seq=3) == plain.encode(seq=3)
    elif first == "_encode":
        assert msg._encode(0, 3, 0) == plain.encode(seq=3)
    else:
        assert msg.encode_body() == plain.encode_body()
    assert calls == ["encode_body" if first == "encode_body" else "encode"]


def test_declaration_mistakes_are_refused() -> None:
    with pytest.raises(TypeError, match="has 2 fields, the class 1"):

        class _Bad(Message, fixed=("x", "=BB"), table=AttrTable("X", [])):
            family: int = 0
            attrs: dict[str, Any] = field(default_factory=dict)

    with pytest.raises(ValueError, match="already LinkMessage's"):

        class _Twice(Message, types=(16,)):
            pass


def test_registry_knows_every_message_class() -> None:
    names = {cls.__name__ for cls in registry.message_classes()}
    assert {"LinkMessage", "AddressMessage", "RouteMessage", "ErrorMessage", "DoneMessage", "RawMessage"} <= names


# ---------------------------------------------------------------------------------- exceptions


def _exception_classes() -> list[tuple[str, str]]:
    """(module, class) of every exception class defined anywhere in the package."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name)
                and (base.id.endswith(("Error", "Exception")) or base.id == "DumpInterrupted")
                for base in node.bases
            ):
                found.append((str(path.relative_to(ROOT)), node.name))
    return found


def test_every_exception_lives_in_errors_and_is_exported() -> None:
    found = _exception_classes()
    assert found  # the scan sees them
    assert {module for module, _name in found} == {"errors.py"}, found
    for _module, name in found:
        assert name in rawnl.__all__
        assert getattr(rawnl, name) is getattr(errors, name)
    assert set(errors.__all__) == {name for _m, name in found}


# ------------------------------------------------------------------- wire descriptions, once


def test_each_operation_describes_its_request_once() -> None:
    """An operation that changes something *is* its builder's docstring (one text); one that
    reads names ``ip``'s equivalent and points at its builder, without repeating what is sent."""
    builders = {name: getattr(m, name) for m in (links, link_kinds, addresses, routes) for name in m.__all__}
    public = [name for name in dir(iproute.IPRoute) if not name.startswith("_")]
    checked = 0
    for name in public:
        method = getattr(iproute.IPRoute, name)
        doc = inspect.getdoc(method) or ""
        wrapped = getattr(method, "__wrapped__", None)
        if wrapped is not None:
            assert wrapped is builders[name]
            assert method.__doc__ is wrapped.__doc__
            assert "sends RTM_" in doc
            checked += 1
        elif name in {"link_get", "links", "addrs", "routes", "route_get"}:
            assert "sends RTM_" not in doc, name
            assert "Equivalent to ``ip" in " ".join(doc.split()), name
            assert ":func:`" in doc, name
            checked += 1
    assert checked >= 17
