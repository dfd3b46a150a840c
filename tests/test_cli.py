"""The ``rawnl`` command: ``ip -j`` compatibility, networks from a config file, namespaces,
monitor, and one-line errors.  iproute2 is the observer."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rawnl import IPRoute, NetNS, run_in
from rawnl.cli.main import main

RAWNL = [sys.executable, "-m", "rawnl"]


def rawnl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*RAWNL, *args], capture_output=True, text=True, timeout=60, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"rawnl {' '.join(args)}: exit {proc.returncode}: {proc.stderr}")
    return proc


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``rawnl ARGS`` in this process: (exit status, stdout, stderr)."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# ------------------------------------------------------------------- agreement with ip -j


@pytest.fixture
def busy(netns: NetNS, netns2: NetNS, ip: Any) -> NetNS:
    """A namespace with a bridge, veths (one enslaved, one with its peer in another namespace),
    IPv4/IPv6/peer/secondary/labelled addresses, and routes in main, table 100 and IPv6."""

    def no_dad() -> None:  # in this test namespace only: addresses are usable at once
        for conf in ("all", "default"):
            Path(f"/proc/sys/net/ipv6/conf/{conf}/accept_dad").write_text("0")

    run_in(netns, no_dad)
    with IPRoute(netns=netns) as r:
        r.link_set("lo", up=True)
        r.link_add_bridge("br0")
        r.link_add_veth("v0", "v1")
        r.link_add_veth("vx", "vy", peer_netns=netns2)
        r.link_add_veth("vdown", "vdownp")
        r.link_set("v0", master="br0", up=True)
        r.link_set("br0", up=True)
        r.link_set("v1", up=True, mtu=1400)
        r.link_set("vx", up=True)
        r.link_set("vdownp", up=True)
        r.addr_add("br0", "198.51.100.1/24", broadcast="198.51.100.255")
        r.addr_add("br0", "198.51.100.100/24")  # secondary
        r.addr_add("br0", "2001:db8::1/64", flags=0x02)
        r.addr_add("v1", "198.51.100.2/24")
        r.addr_add("v1", "203.0.113.5/32", peer="203.0.113.6")
        r.addr_add("vx", "192.0.2.1/24", flags=0x200)  # noprefixroute
        r.route_add("192.0.2.128/25", gateway="198.51.100.254", priority=10)
        r.route_add("203.0.113.128/25", oif="v1", table=100)
        r.route_add("default", gateway="198.51.100.254", mtu=1400)
        r.route_add("2001:db8:1::/64", gateway="2001:db8::2")
    ip.text("addr", "add", "203.0.113.9/24", "dev", "v1", "label", "v1:lab", ns=netns)
    ip.text("route", "add", "unreachable", "192.0.2.0/26", ns=netns)
    ip.text("route", "add", "203.0.113.64/26", "dev", "v1", "proto", "static", "metric", "5", ns=netns)
    # Let IPv6 duplicate address detection and carrier settle, so both reads see the same state:
    # the kernel's linkwatch applies an operstate change up to a second after the event (and
    # later when the machine is busy), so the state must hold for longer than that.
    deadline = time.monotonic() + 20
    seen, since = None, time.monotonic()
    while True:
        now = ip("addr", "show", ns=netns), ip("link", "show", ns=netns)
        if now != seen or "tentative" in json.dumps(now[0]):
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= 1.5:
            break
        assert time.monotonic() < deadline, "addresses and links did not settle"
        time.sleep(0.25)
    return netns


def _agree(ours: Any, theirs: Any, path: str, compared: set[str]) -> None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours.keys() & theirs.keys():
            compared.add(key)
            _agree(ours[key], theirs[key], f"{path}.{key}", compared)
    elif isinstance(ours, list) and isinstance(theirs, list) and any(isinstance(x, dict) for x in ours + theirs):
        assert len(ours) == len(theirs), f"{path}: {len(ours)} items, ip has {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _agree(a, b, f"{path}[{i}]", compared)
    else:
        assert ours == theirs, f"{path}: rawnl {ours!r}, ip {theirs!r}"


LINK_KEYS = {"ifindex", "ifname", "flags", "mtu", "operstate", "link_type", "address", "master", "link", "link_index",
             "link_netnsid", "qdisc", "txqlen", "group", "broadcast"}  # fmt: skip
ADDR_KEYS = {"addr_info", "family", "local", "prefixlen", "scope", "label", "broadcast", "secondary", "nodad",
             "noprefixroute", "valid_life_time", "preferred_life_time"}  # fmt: skip
ROUTE_KEYS = {"dst", "gateway", "dev", "protocol", "scope", "metric", "prefsrc", "flags", "type", "metrics", "pref"}


@pytest.mark.parametrize(
    ("args", "must_compare"),
    [
        (("link", "show"), LINK_KEYS | {"linkmode"}),
        (("link", "show", "v0"), {"ifname", "master", "link"}),
        (("link", "show", "dev", "vx"), {"link_index", "link_netnsid"}),
        (("link", "show", "master", "br0"), {"ifname", "master"}),
        (("link", "show", "type", "veth"), {"ifname", "link"}),
        (("addr", "show", "master", "br0"), {"ifname", "addr_info"}),
        (("addr", "show"), LINK_KEYS | ADDR_KEYS),
        (("addr", "show", "v1"), {"addr_info", "local", "address"}),
        (("-4", "addr", "show"), ADDR_KEYS - {"nodad"}),
        (("-6", "addr", "show"), {"addr_info", "local", "nodad"}),
        (("route", "show"), ROUTE_KEYS - {"pref"}),
        (("route", "show", "table", "100"), {"dst", "dev", "scope"}),
        (("route", "show", "table", "all"), ROUTE_KEYS | {"table"}),
        (("route", "show", "table", "local"), {"type", "dst", "prefsrc"}),
        (("-6", "route", "show"), {"dst", "gateway", "dev", "metric", "pref", "protocol"}),
    ],
)
def test_json_agrees_with_ip(
    args: tuple[str, ...], must_compare: set[str], busy: NetNS, ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert busy.name is not None
    status, out, _ = run_main(capsys, "-n", busy.name, "-j", *args)
    assert status == 0
    ours = json.loads(out)
    theirs = ip(*args, ns=busy)
    assert ours, f"rawnl {' '.join(args)} printed nothing"
    compared: set[str] = set()
    _agree(ours, theirs, " ".join(args), compared)
    assert must_compare <= compared, f"keys never compared: {must_compare - compared}"


@pytest.mark.parametrize(
    "args",
    [
        ("link", "show"),
        ("addr", "show"),
        ("-4", "addr", "show"),
        ("route", "show"),
        ("route", "show", "table", "all"),
        ("-6", "route", "show"),
    ],
)
def test_text_matches_ip(args: tuple[str, ...], busy: NetNS, ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert busy.name is not None
    status, out, _ = run_main(capsys, "-n", busy.name, *args)
    assert status == 0
    theirs = ip.text(*args, ns=busy)
    # ip names the peer's namespace when it can (link-netns NAME); rawnl prints its id, as ip does otherwise
    ours_words = [line.split() for line in out.splitlines()]
    their_words = [line.split() for line in theirs.splitlines()]
    for words in their_words:
        if "link-netns" in words:
            at = words.index("link-netns")
            words[at : at + 2] = ["link-netnsid", "0"]
    assert ours_words == their_words


def test_pretty_json(busy: NetNS, capsys: pytest.CaptureFixture[str]) -> None:
    assert busy.name is not None
    status, out, _ = run_main(capsys, "-n", busy.name, "-j", "-p", "link", "show", "br0")
    assert status == 0
    assert out.startswith("[\n")
    assert json.loads(out)[0]["ifname"] == "br0"


def test_options_after_the_command(busy: NetNS, capsys: pytest.CaptureFixture[str]) -> None:
    assert busy.name is not None
    status, out, _ = run_main(capsys, "link", "show", "br0", "-n", busy.name, "-j")
    assert status == 0
    assert json.loads(out)[0]["ifname"] == "br0"


# ------------------------------------------------------------------------- one-line errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-n", "rawnl-no-such-ns-{pid}", "link", "show"), "No such file or directory"),
        (("-n", "{ns}", "link", "show", "nosuch0"), 'Device "nosuch0" does not exist.'),
        (("-n", "{ns}", "route", "show", "table", "bogus"), "table: 'bogus' is not a table id"),
        (("-n", "{ns}", "network", "up", "--config", "/nonexistent.json", "--netns", "{ns}"), "cannot read"),
        (("network", "up", "--config", "{bad}", "--netns", "{ns}"), "networks[0].mac_address: "),
        (
            ("network", "up", "--config", "{good}", "--netns", "rawnl-no-such-ns-{pid}"),
            "container: no network namespace",
        ),
        (("network", "up", "--config", "{good}", "--pid", "{dead}"), "no process with pid"),
        (("network", "up", "--config", "{good}", "--netns", "{ns}"), "bridge: there is no interface 'br0'"),
        (("netns", "del", "rawnl-no-such-ns-{pid}"), "no network namespace named"),
    ],
)
def test_user_errors_are_one_line(args: tuple[str, ...], message: str, netns: NetNS, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"type": "veth", "name": "eth0", "bridge": "br0", "mac_address": "nope"}]))
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"networks": [{"type": "veth", "name": "eth0", "bridge": "br0"}]}))
    dead = subprocess.Popen(["true"])
    dead.wait()
    values = {"ns": netns.name, "pid": os.getpid(), "bad": bad, "good": good, "dead": dead.pid}
    proc = rawnl(*(a.format(**values) for a in args), check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("rawnl ")
    assert message in lines[0]


def test_usage_error_exits_2() -> None:
    proc = rawnl("link", "frobnicate", check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr


# ------------------------------------------------------------------------- network up/down


def _config(tmp_path: Path, **veth: Any) -> Path:
    path = tmp_path / "networks.json"
    net = {
        "type": "veth", "name": "eth0", "bridge": "br0", "address": "198.51.100.2/24", "gateway": "198.51.100.1",
        "ipv6_address": "2001:db8::2/64", "mtu": 1450, "host_interface_name": "vh-cli", "hairpin_mode": True, **veth,
    }  # fmt: skip
    path.write_text(json.dumps({"networks": [{"type": "loopback"}, net]}))
    return path


def test_network_up_and_down_from_a_config_file(bridge_host: NetNS, netns2: NetNS, tmp_path: Path, ip: Any) -> None:
    assert bridge_host.name is not None
    assert netns2.name is not None
    config = _config(tmp_path)
    proc = rawnl(
        "-j", "network", "up", "--config", str(config), "--netns", netns2.name, "--host-netns", bridge_host.name
    )
    states = json.loads(proc.stdout)
    assert [s["ifname"] for s in states] == ["lo", "eth0"]
    assert states[1]["host_ifname"] == "vh-cli"
    assert states[1]["network"]["temp_veth_peer_name"].startswith("veth")

    [eth0] = ip("addr", "show", "eth0", ns=netns2)
    assert eth0["mtu"] == 1450
    assert {"198.51.100.2", "2001:db8::2"} <= {a["local"] for a in eth0["addr_info"]}
    assert ip("route", "show", "default", ns=netns2)[0]["gateway"] == "198.51.100.1"
    [port] = ip("link", "show", "master", "br0", ns=bridge_host, details=True)
    assert port["ifname"] == "vh-cli"
    assert port["linkinfo"]["info_slave_data"]["hairpin"] is True

    rawnl("network", "down", "--config", str(config), "--netns", netns2.name, "-n", bridge_host.name)
    assert ip("link", "show", "master", "br0", ns=bridge_host) == []
    assert [link["ifname"] for link in ip("link", "show", ns=netns2)] == ["lo"]


def test_network_up_by_pid_prints_a_table(bridge_host: NetNS, netns2: NetNS, tmp_path: Path, ip: Any) -> None:
    assert bridge_host.name is not None
    assert netns2.name is not None
    config = _config(tmp_path, host_interface_name="")
    sleeper = subprocess.Popen(["ip", "netns", "exec", netns2.name, "sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        while True:  # until the child has entered the namespace: before that, its pid names ours
            with NetNS.from_pid(sleeper.pid) as current:
                if current == netns2:
                    break
            assert time.monotonic() < deadline, "the child did not enter the namespace"
            time.sleep(0.02)
        proc = rawnl(
            "network", "up", "--config", str(config), "--pid", str(sleeper.pid), "--host-netns", bridge_host.name
        )
    finally:
        sleeper.kill()
        sleeper.wait()
    header, lo_row, eth_row = proc.stdout.splitlines()
    assert header.split()[:4] == ["TYPE", "INTERFACE", "INDEX", "MAC"]
    assert lo_row.split()[:2] == ["loopback", "lo"]
    assert eth_row.split()[:2] == ["veth", "eth0"]
    [port] = ip("link", "show", "master", "br0", ns=bridge_host)
    assert port["ifname"] in eth_row
    # down without the host name (it was generated): found through the container's eth0
    rawnl("network", "down", "--config", str(config), "--netns", netns2.name, "--host-netns", bridge_host.name)
    assert ip("link", "show", "master", "br0", ns=bridge_host) == []


# ----------------------------------------------------------------------------------- netns


def test_netns_add_list_del(netns_name: Callable[[str], str], capsys: pytest.CaptureFixture[str], ip: Any) -> None:
    a, b = netns_name("cli"), netns_name("cli")
    try:
        assert run_main(capsys, "netns", "add", a, b)[0] == 0
        listed = {entry["name"] for entry in ip("netns", "list")}
        assert {a, b} <= listed
        status, out, _ = run_main(capsys, "-j", "netns", "list")
        assert {a, b} <= {entry["name"] for entry in json.loads(out)}
        status, out, _ = run_main(capsys, "netns", "list")
        assert {a, b} <= set(out.split())
        status, _, err = run_main(capsys, "netns", "add", a)
        assert status == 1
        assert "already exists" in err
    finally:
        for name in (a, b):
            main(["netns", "del", name])
    assert not {a, b} & set(NetNS.list())


# --------------------------------------------------------------------------------- monitor


def _lines(
    proc: subprocess.Popen[str], until: Callable[[list[str]], bool], poke: Callable[[int], None]
) -> Iterator[str]:
    """Read proc's output lines, calling ``poke(n)`` every 0.3 s until ``until(lines)``."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 15
    n = 0
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while not until(lines):
            assert time.monotonic() < deadline, f"monitor printed {lines}"
            if sel.select(0.3):
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip("\n"))
            else:
                poke(n)
                n += 1
    yield from lines


def test_monitor_json(netns: NetNS, ip: Any) -> None:
    assert netns.name is not None
    proc = subprocess.Popen(
        [*RAWNL, "-n", netns.name, "-j", "monitor", "link", "address"], stdout=subprocess.PIPE, text=True
    )
    try:

        def poke(n: int) -> None:
            ip.text("link", "add", f"m{n}", "type", "veth", "peer", "name", f"p{n}", ns=netns)
            ip.text("addr", "add", f"192.0.2.{n + 1}/24", "dev", f"m{n}", ns=netns)

        events = [json.loads(line) for line in _lines(proc, lambda ls: any("addr_info" in x for x in ls), poke)]
    finally:
        proc.terminate()
        proc.wait()
    links = [e for e in events if "addr_info" not in e]
    addrs = [e for e in events if "addr_info" in e]
    assert any(e["ifname"].startswith("m") and e["link_type"] == "ether" for e in links)
    assert addrs[0]["addr_info"][0]["local"].startswith("192.0.2.")
    assert addrs[0]["addr_info"][0]["prefixlen"] == 24


def test_monitor_text_shows_deletions(netns: NetNS, ip: Any) -> None:
    assert netns.name is not None
    ip.text("link", "add", "gone0", "type", "veth", "peer", "name", "gone1", ns=netns)
    proc = subprocess.Popen(
        [*RAWNL, "-n", netns.name, "monitor", "link", "--count", "50"], stdout=subprocess.PIPE, text=True
    )
    try:

        def poke(n: int) -> None:
            if n == 0 or ip.run("link", "show", "gone0", ns=netns).returncode != 0:
                ip.run("link", "add", "gone0", "type", "veth", "peer", "name", "gone1", ns=netns)
            ip.text("link", "del", "gone0", ns=netns)

        lines = list(_lines(proc, lambda ls: any(x.startswith("Deleted ") for x in ls), poke))
    finally:
        proc.terminate()
        proc.wait()
    deleted = [x for x in lines if x.startswith("Deleted ")]
    assert "gone" in deleted[0]
    assert ": <" in deleted[0]


# ------------------------------------------------------------------------- hostile config files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # deeper than any supported Python's parser goes (3.10-3.12: 1,000; 3.13's C limit ~10,000)
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"networks": [{"type": "veth", "name": "eth\xff0"}]}', "not UTF-8"),
        (b'[{"type": "veth", "mtu": ' + b"9" * 5000 + b"}]", "networks[0].mtu"),
        (b'{"networks": [{"type": "loopback"}, {"type": "veth", "name": "eth0", "bridge": 7}]}', "networks[1].bridge"),
        (b'{"networks": {"type": "loopback"}}', "networks: expected a list"),
        (b"", "not valid JSON"),
    ],
    ids=["deep", "non-utf8", "5000-digit int", "json path", "not a list", "empty"],
)
def test_config_file_errors_are_one_line_naming_the_file(
    content: bytes, message: str, netns: NetNS, tmp_path: Path
) -> None:
    config = tmp_path / "networks.json"
    config.write_bytes(content)
    proc = rawnl("network", "up", "--config", str(config), "--netns", str(netns.name), check=False)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert str(config) in lines[0]
    assert message in lines[0]


# ------------------------------------------------------------------------------ multipath routes


def test_multipath_route_shows_its_next_hops_as_ip_does(
    netns: NetNS, ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with IPRoute(netns=netns) as r:
        r.link_add_veth("va", "vb")
        r.link_add_veth("vc", "vd")
        for name, address in (("va", "192.0.2.1/24"), ("vc", "198.51.100.1/24")):
            r.link_set(name, up=True)
            r.addr_add(name, address)
        r.link_set("vb", up=True)
        r.link_set("vd", up=True)
    ip.text(
        "route", "add", "203.0.113.0/24", "nexthop", "via", "192.0.2.2", "dev", "va", "weight", "2",
        "nexthop", "via", "198.51.100.2", "dev", "vc", "weight", "1", ns=netns,
    )  # fmt: skip
    theirs = [r for r in ip("route", "show", ns=netns) if r["dst"] == "203.0.113.0/24"]
    status, out, _err = run_main(capsys, "-n", str(netns.name), "-j", "route", "show")
    assert status == 0
    ours = [r for r in json.loads(out) if r["dst"] == "203.0.113.0/24"]
    assert ours == theirs
    assert [hop["weight"] for hop in ours[0]["nexthops"]] == [2, 1]
    text_status, text, _ = run_main(capsys, "-n", str(netns.name), "route", "show")
    assert text_status == 0
    assert [line.split() for line in text.splitlines()] == [
        line.split() for line in ip.text("route", "show", ns=netns).splitlines()
    ]
    lines = text.splitlines()
    at = lines.index("203.0.113.0/24")
    assert lines[at + 1 : at + 3] == [
        "\tnexthop via 192.0.2.2 dev va weight 2",
        "\tnexthop via 198.51.100.2 dev vc weight 1",
    ]
