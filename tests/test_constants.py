"""Every kernel number rawnl carries, checked against the uapi headers in /usr/include.

A small C program is generated from the names rawnl uses, compiled against the headers and run;
it prints each name's value.  Nothing here holds an expected value of its own.  Three sources of
names are checked:

* every member (aliases included) of every class in ``rawnl.wire.constants.ALL_CLASSES``, under
  its kernel name (class name + ``_`` + member name, as ``kernel_name`` builds it);
* every row ``(name, number)`` of every attribute table in ``rawnl.wire.registry.all_tables()``
  (the rows of ``IFLA_AF_SPEC`` are ``AF_*`` families from ``<sys/socket.h>``);
* every public module-level ``int`` constant with a kernel prefix (``NLMSG_``, ``RTM_``, ``AF_``,
  ``SOL_NETLINK``, ``IFF_`` ...) in every module of the ``rawnl`` package, so modules added later
  are checked without editing this file.  Only :mod:`rawnl.wire.uapi` may define them (each
  kernel number is defined once): that is checked too.
"""

from __future__ import annotations

import enum
import importlib
import os
import pkgutil
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import rawnl
from rawnl.wire import codec, constants, registry
from rawnl.wire import link as wlink

HEADERS = [
    "sys/socket.h",
    "sched.h",
    "linux/netlink.h",
    "linux/rtnetlink.h",
    "linux/if_link.h",
    "linux/if_addr.h",
    "linux/if.h",
    "linux/if_arp.h",
    "linux/if_bridge.h",
    "linux/veth.h",
    "linux/nsfs.h",
    "linux/sockios.h",
    "linux/icmpv6.h",
    "sys/mount.h",
]

#: Prefixes of kernel (and libc socket-API) names.  A public module-level int in rawnl whose name
#: starts with one of these must be that kernel name, with the kernel's value.
KERNEL_PREFIXES = (
    "AF_",
    "ICMPV6_",
    "IFALIASZ",
    "IFNAMSIZ",
    "IF_LINK_MODE_",
    "MNT_",
    "MS_",
    "SIOC",
    "UMOUNT_",
    "ARPHRD_",
    "CLONE_NEW",
    "IFA_",
    "IFF_",
    "IFLA_",
    "IF_OPER_",
    "MACVLAN_MODE_",
    "MSG_",
    "NETLINK_",
    "NLA_",
    "NLMSGERR_ATTR_",
    "NLMSG_",
    "NLM_F_",
    "NS_GET_",
    "RTAX_",
    "RTA_",
    "RTEXT_FILTER_",
    "RTM_",
    "RTNH_F_",
    "RTNLGRP_",
    "RTN_",
    "RTPROT_",
    "RT_SCOPE_",
    "RT_TABLE_",
    "SOCK_",
    "SOL_",
    "SO_",
    "VETH_INFO_",
)

#: How a value is read in C when its C type is not what the wire carries.  ``NLA_TYPE_MASK`` is
#: ``~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)``, a negative ``int`` in C, applied by the kernel to
#: the 16-bit ``nla_type``.
C_CASTS = {"NLA_TYPE_MASK": "unsigned short"}


def _compiler() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


def _need_compiler() -> None:
    """Skip without a C compiler (a failure under RAWNL_REQUIRE_PRIVILEGED=1: see conftest.py)."""
    if _compiler() is None:
        pytest.skip("no C compiler (cc/gcc) to read the kernel headers")


# ------------------------------------------------------------------------------ collecting names


def class_names() -> Iterator[tuple[str, int, str]]:
    """(kernel name, rawnl's value, where) for every member of every constants class.

    A member's name is what ``constants.kernel_name`` says, so the header check covers that
    function too.  An alias (``NLM_F.CREATE`` for ``NLM_F.ATOMIC``) is another kernel name for the
    same number; ``kernel_name`` gives the canonical one, so the alias's own name is built here."""
    for cls in constants.ALL_CLASSES:
        for member_name, member in cls.__members__.items():
            if member.name == member_name:
                name = constants.kernel_name(member)
            else:
                name = f"{cls.__name__}_{member_name}"
            yield name, int(member), f"rawnl.wire.constants.{cls.__name__}.{member_name}"


def table_rows() -> Iterator[tuple[str, int, str]]:
    for table in registry.all_tables():
        for spec in table.by_number.values():
            yield spec.name, spec.number, f"attribute table {table.name}"


def rawnl_modules() -> list[str]:
    """Every module of the rawnl package (compiled extensions and ``__main__`` excepted)."""
    names = ["rawnl"]
    for info in pkgutil.walk_packages(rawnl.__path__, "rawnl."):
        last = info.name.rsplit(".", 1)[-1]
        if last == "__main__" or last.startswith("_nsffi"):
            continue
        names.append(info.name)
    return sorted(names)


def module_constants() -> Iterator[tuple[str, int, str]]:
    for modname in rawnl_modules():
        module = importlib.import_module(modname)
        for name, value in vars(module).items():
            if (
                name.isupper()
                and isinstance(value, int)
                and not isinstance(value, bool)
                and name.startswith(KERNEL_PREFIXES)
            ):
                yield name, int(value), f"{modname}.{name}"


def all_names() -> list[tuple[str, int, str]]:
    return [*class_names(), *table_rows(), *module_constants()]


# ------------------------------------------------------------------------------ the C program


def _c_source(names: list[str]) -> str:
    lines = ["#define _GNU_SOURCE"]
    lines += [f"#include <{h}>" for h in ["stdio.h", *HEADERS]]
    lines.append("int main(void) {")
    for name in names:
        cast = C_CASTS.get(name)
        expr = f"({cast})({name})" if cast else f"({name})"
        lines.append(f'    printf("%s %lld\\n", "{name}", (long long){expr});')
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"


def header_values(names: set[str], workdir: Path) -> tuple[dict[str, int], set[str]]:
    """Compile and run the program.  Returns (name -> value, names the headers do not define)."""
    cc = _compiler()
    assert cc is not None
    wanted = sorted(names)
    unknown: set[str] = set()
    for _attempt in range(3):
        src = workdir / "consts.c"
        exe = workdir / "consts"
        src.write_text(_c_source(wanted))
        proc = subprocess.run(
            [cc, "-o", str(exe), str(src)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},
        )
        if proc.returncode == 0:
            out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
            values = {}
            for line in out.splitlines():
                name, value = line.split()
                values[name] = int(value)
            return values, unknown
        # Names the headers do not declare: report them, and check the rest.
        # (gcc: "'X' undeclared"; clang: "undeclared identifier 'X'")
        found = re.findall(r"'(\w+)' undeclared|undeclared identifier '(\w+)'", proc.stderr)
        missing = {name for pair in found for name in pair if name} & set(wanted)
        if not missing:
            pytest.fail(f"the constants program does not compile:\n{proc.stderr[:4000]}")
        unknown |= missing
        wanted = [n for n in wanted if n not in missing]
    pytest.fail(f"the constants program still does not compile after dropping {sorted(unknown)}")


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], set[str]]:
    _need_compiler()
    names = {name for name, _value, _where in all_names()}
    return header_values(names, tmp_path_factory.mktemp("constants"))


def _check(rows: list[tuple[str, int, str]], kernel: tuple[dict[str, int], set[str]]) -> None:
    values, unknown = kernel
    problems = []
    for name, value, where in rows:
        if name in unknown:
            problems.append(f"{where}: {name} is not defined by the kernel headers")
        elif values[name] != value:
            problems.append(f"{where}: {name} is {value} in rawnl, {values[name]} in the headers")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------ the tests


def test_constants_classes_match_headers(kernel: tuple[dict[str, int], set[str]]) -> None:
    rows = list(class_names())
    assert len(rows) > 500  # the classes are really there, aliases included
    _check(rows, kernel)


def test_schema_tables_match_headers(kernel: tuple[dict[str, int], set[str]]) -> None:
    rows = list(table_rows())
    assert len(rows) > 250
    _check(rows, kernel)


def test_module_constants_match_headers(kernel: tuple[dict[str, int], set[str]]) -> None:
    rows = list(module_constants())
    assert len(rows) > 300  # uapi's numbers are seen by the scan
    _check(rows, kernel)


def test_kernel_numbers_are_defined_once() -> None:
    """Only rawnl.wire.uapi defines kernel numbers: a module-level constant elsewhere is an
    import of uapi's (the same object, found by name in uapi), never a second definition."""
    from rawnl.wire import uapi

    assert len(rawnl_modules()) > 30  # the scan walks the subpackages
    copies = [
        where
        for name, value, where in module_constants()
        if not where.startswith("rawnl.wire.uapi.") and getattr(uapi, name, None) != value
    ]
    assert not copies, f"kernel numbers defined outside rawnl.wire.uapi: {copies}"
    # an import is allowed (same name, same value); a new definition under a new name is not
    assert [w for n, _v, w in module_constants() if not w.startswith("rawnl.wire.uapi.") and not hasattr(uapi, n)] == []


def test_no_literal_kernel_number_lists_outside_uapi() -> None:
    """No module but uapi assigns a kernel-prefixed name to a literal (the check above sees
    values; this one reads the source, so a private copy such as ``_IFF_UP = 1`` is seen too)."""
    root = Path(rawnl.__file__).parent
    pattern = re.compile(r"^\s*_?(" + "|".join(KERNEL_PREFIXES) + r")\w* *(: *int *)?= *(0x[0-9a-fA-F]+|\d+)\b", re.M)
    found = [
        f"{path.relative_to(root)}: {m.group(0).strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "uapi.py"
        for m in pattern.finditer(path.read_text())
    ]
    assert not found, found


def test_every_constants_class_is_listed() -> None:
    """A class left out of ALL_CLASSES would escape the check above."""
    classes = {
        value
        for value in vars(constants).values()
        if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == constants.__name__
    }
    assert classes
    assert classes <= set(constants.ALL_CLASSES), classes - set(constants.ALL_CLASSES)


def test_kernel_name_examples() -> None:
    """Every canonical member's kernel_name is checked against the headers above; these pin the
    shape: class name, underscore, member name, and an alias reported under its canonical name."""
    assert constants.kernel_name(constants.IFLA.MTU) == "IFLA_MTU"
    assert constants.kernel_name(constants.RT_SCOPE.LINK) == "RT_SCOPE_LINK"
    assert constants.kernel_name(constants.IFLA.IF_NETNSID) == "IFLA_TARGET_NETNSID"  # the table row's name


def _reachable_tables() -> dict[int, codec.AttrTable]:
    """ids of every table reachable from ALL_TABLES through nests, kind selectors and the veth
    peer (and from the module-level tables of every rawnl.wire module)."""
    seen: dict[int, codec.AttrTable] = {}
    todo = [
        table
        for name in rawnl_modules()
        if name.startswith("rawnl.wire")
        for table in vars(importlib.import_module(name)).values()
        if isinstance(table, codec.AttrTable)
    ]
    todo += list(registry.all_tables())
    while todo:
        table = todo.pop()
        if id(table) in seen:
            continue
        seen[id(table)] = table
        for spec in table.by_number.values():
            typ = spec.type
            inner = getattr(typ, "table", None)
            if isinstance(inner, codec.AttrTable):
                todo.append(inner)
            for choice in getattr(typ, "tables", {}).values():
                inner = getattr(choice, "table", None)
                if isinstance(inner, codec.AttrTable):
                    todo.append(inner)
    # the veth peer and the protinfo / multipath types refer to LINK, BRPORT, INET6 and ROUTE
    # directly; those are module-level tables and so are in `todo` from the start
    return seen


def test_every_table_is_listed() -> None:
    """A table missing from ALL_TABLES would escape the row check."""
    listed = {id(t) for t in registry.all_tables()}
    missing = [t.name for key, t in _reachable_tables().items() if key not in listed]
    assert not missing


def test_af_spec_rows_are_address_families() -> None:
    # IFLA_AF_SPEC is keyed by address family: its rows are named AF_* (checked above)
    assert all(spec.name.startswith("AF_") for spec in wlink.AF_SPEC.by_number.values())


def test_the_c_program_rejects_an_unknown_name(tmp_path: Path) -> None:
    """The check can fail: a name the headers do not define is reported, not ignored."""
    _need_compiler()
    values, unknown = header_values({"IFLA_MTU", "IFLA_NO_SUCH_ATTRIBUTE"}, tmp_path)
    assert unknown == {"IFLA_NO_SUCH_ATTRIBUTE"}
    assert values == {"IFLA_MTU": int(constants.IFLA.MTU)}
