"""runc's network strategies (libcontainer's ``network_linux.go``), over rawnl's :class:`IPRoute`.

A strategy wires one :class:`Network` of a container in four steps, as runc did::

    create(network, container)   # host side: make what the container needs, hand it over
    initialize(network)          # inside the container: configure it
    attach(network) / detach(network)   # host side: (re)join or leave the bridge

``container`` is a :class:`rawnl.NetNS`, a name under /run/netns or a path, or a pid (opened as
``/proc/PID/ns/net``: the kernel is given an fd, never the pid, so a reused pid cannot redirect
it).  The host-side steps run in ``host`` (an :class:`IPRoute`; by default one opened in the
caller's namespace).  ``initialize`` runs in ``ipr``, an :class:`IPRoute` opened in the
container's namespace (by default the caller's, as for runc, whose init process ran it inside).

- ``loopback``: ``initialize`` brings ``lo`` up; the rest does nothing.
- ``veth``: ``create`` checks the bridge, makes the pair with the peer created straight inside
  the container under a temporary name (one request), then attaches the host end (master, MTU,
  hairpin, up).  ``initialize`` renames the peer, sets its MAC and MTU, adds the addresses,
  brings it up and adds the default routes.  Any failure in either removes the pair.

:func:`create_network_interfaces` does what runc's parent and init processes did together: each
network's ``create``, then each one's ``initialize`` through an :class:`IPRoute` opened in the
container's namespace (the calling thread never moves), and returns an
:class:`InterfaceState` per network.  If anything fails, every interface it made is removed.
:func:`remove_network_interfaces` undoes it (``rawnl network down``).

This module is off the light import path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from rawnl.engine.netns import NetNS
from rawnl.errors import NetlinkError, NetworkConfigError
from rawnl.ops.iproute import IPRoute

from .config import Network, check_ifname, parse_mac

__all__ = [
    "Container",
    "InterfaceState",
    "LoopbackStrategy",
    "Strategy",
    "VethStrategy",
    "create_network_interfaces",
    "get_strategy",
    "known_strategies",
    "open_container",
    "register_strategy",
    "remove_network_interfaces",
]

#: What names a container's network namespace: a handle, a name or path, or a pid.
Container: TypeAlias = NetNS | str | int


def random_name(prefix: str = "veth", length: int = 7) -> str:
    """``prefix`` + ``length`` random hex digits, as runc's ``utils.GenerateRandomName``."""
    return prefix + secrets.token_hex((length + 1) // 2)[:length]


@contextlib.contextmanager
def open_container(container: Container) -> Iterator[NetNS]:
    """A :class:`NetNS` for ``container``; one opened here is closed on exit.

    A pid that does not exist (any more) raises :class:`ProcessLookupError` naming it.
    """
    if isinstance(container, NetNS):
        container.fileno()  # ValueError now if it is closed
        yield container
        return
    if isinstance(container, bool) or not isinstance(container, (str, int)):
        raise TypeError(f"container: expected a NetNS, a name or path, or a pid, got {type(container).__name__}")
    if isinstance(container, int):
        try:
            ns = NetNS.from_pid(container)
        except FileNotFoundError:
            raise ProcessLookupError(
                errno.ESRCH, f"container: no process with pid {container} (has it exited?)"
            ) from None
    else:
        try:
            ns = NetNS.open(container)
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, f"container: no network namespace {container!r}", container) from None
    with ns:
        yield ns


@contextlib.contextmanager
def _ipr(ipr: IPRoute | None, container: Container | None = None) -> Iterator[IPRoute]:
    """``ipr`` itself, or a new :class:`IPRoute` closed on exit: in ``container``'s namespace
    (opened with :func:`open_container`) if given, else in the caller's."""
    if ipr is not None:
        yield ipr
        return
    if container is None:
        with IPRoute() as own:
            yield own
        return
    with open_container(container) as ns, IPRoute(netns=ns) as own:
        yield own


def add_note(exc: BaseException, text: str) -> None:
    """``exc.add_note(text)`` (Python 3.11+; on 3.10 the same list, read by the command's error line)."""
    notes = getattr(exc, "__notes__", None)
    if notes is None:
        notes = []
        try:
            exc.__dict__["__notes__"] = notes
        except AttributeError:  # pragma: no cover - an exception type without a __dict__
            return
    notes.append(text)


@contextlib.contextmanager
def _step(what: str) -> Iterator[None]:
    """Say which step failed: a note on the exception (shown by ``rawnl``'s one-line errors)."""
    try:
        yield
    except Exception as exc:
        add_note(exc, what)
        raise


def _quietly_delete(ipr: IPRoute, link: int | str) -> None:
    """Roll back: delete ``link``, ignoring that it is already gone."""
    with contextlib.suppress(NetlinkError):
        ipr.link_del(link)


def _delete_veth(ipr: IPRoute, name: str) -> bool:
    """Delete the interface ``name`` if it is a veth (which deletes its peer too); returns whether
    it was one.  No such interface is not an error.  Sends RTM_GETLINK, then RTM_DELLINK."""
    try:
        link = ipr.link_get(name)
    except NetlinkError as exc:
        if exc.errno != errno.ENODEV:
            raise
        return False
    if link.kind != "veth":
        return False
    _quietly_delete(ipr, link.index)
    return True


class Strategy(Protocol):
    """runc's ``networkStrategy``: how one type of network is wired."""

    type: str

    def create(self, network: Network, container: Container, *, host: IPRoute | None = None) -> None:
        """Host side: make the interface(s) and hand the container its part."""

    def initialize(self, network: Network, *, ipr: IPRoute | None = None) -> None:
        """Inside the container (``ipr`` opened there): configure what ``create`` handed over."""

    def attach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Host side: join the external network (the bridge)."""

    def detach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Host side: leave the external network."""

    def destroy(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """Undo ``create`` and ``initialize`` (not in runc, whose interfaces died with the namespace)."""


class LoopbackStrategy:
    """runc's ``loopback``: ``lo`` up inside the container, nothing else."""

    type: str = "loopback"

    def create(self, network: Network, container: Container, *, host: IPRoute | None = None) -> None:
        """Nothing to do on the host."""

    def initialize(self, network: Network, *, ipr: IPRoute | None = None) -> None:
        """``ip link set lo up``: 127.0.0.1 and ::1 are usable afterwards (the kernel adds them
        when ``lo`` comes up).  Sends one RTM_NEWLINK with IFF_UP."""
        with _ipr(ipr) as r:
            r.link_set("lo", up=True)

    def attach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Nothing to do."""

    def detach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Nothing to do."""

    def destroy(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """``ip link set lo down`` inside the container (``ipr``, else one opened there)."""
        with _ipr(ipr, container) as r:
            r.link_set("lo", up=False)


class VethStrategy:
    """runc's ``veth``: a pair whose host end joins a bridge and whose peer is the container's
    interface."""

    type: str = "veth"

    # -- host side ------------------------------------------------------------------------------

    def _bridge_index(self, host: IPRoute, network: Network) -> int:
        """The bridge's index; :class:`NetworkConfigError` (field ``bridge``) if it is missing or
        not a bridge."""
        if not network.bridge:
            raise NetworkConfigError("bridge", "bridge is not specified: a veth network needs a host bridge")
        try:
            link = host.link_get(network.bridge)
        except NetlinkError as exc:
            if exc.errno == errno.ENODEV:
                raise NetworkConfigError(
                    "bridge", f"there is no interface {network.bridge!r} in the host namespace"
                ) from None
            raise
        if link.kind != "bridge":
            what = f"a {link.kind} interface" if link.kind else "an interface of no kind"
            raise NetworkConfigError("bridge", f"{network.bridge!r} is {what}, not a bridge")
        return link.index

    def _attach(self, host: IPRoute, network: Network, bridge: int) -> None:
        host.link_set(network.host_interface_name, master=bridge, mtu=network.mtu or None, up=True)
        if network.hairpin_mode:
            host.link_set_hairpin(network.host_interface_name, True)

    def create(self, network: Network, container: Container, *, host: IPRoute | None = None) -> None:
        """Make the pair: the host end ``host_interface_name`` (generated when empty) on the
        bridge, the peer straight inside the container as ``veth`` + 7 hex digits (recorded in
        ``network.temp_veth_peer_name``).

        Sends RTM_GETLINK (the bridge), RTM_NEWLINK (the pair: ``IFLA_LINKINFO { veth, { PEER {
        IFLA_IFNAME, IFLA_NET_NS_FD, ... } } }``, MTU, txqueuelen, one queue each), RTM_NEWLINK
        on the host end (``IFLA_MASTER``, MTU, IFF_UP) and, with ``hairpin_mode``, the bridge
        port's ``IFLA_BRPORT_MODE``.  If anything after the pair fails, the pair is deleted.
        """
        network.validate()
        with _ipr(host) as h, open_container(container) as ns:
            bridge = self._bridge_index(h, network)
            if not network.host_interface_name:
                network.host_interface_name = random_name()
            network.temp_veth_peer_name = random_name()
            with _step(f"create veth pair {network.host_interface_name}/{network.temp_veth_peer_name}"):
                h.link_add_veth(
                    network.host_interface_name,
                    network.temp_veth_peer_name,
                    peer_netns=ns,
                    mtu=network.mtu or None,
                    txqlen=network.txqueuelen or None,
                    num_queues=1,
                )
            try:
                with _step(f"attach {network.host_interface_name} to bridge {network.bridge}"):
                    self._attach(h, network, bridge)
            except BaseException:
                _quietly_delete(h, network.host_interface_name)
                raise

    def attach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Put the host end on the bridge: ``ip link set HOST master BRIDGE mtu MTU up`` (one
        RTM_NEWLINK), then hairpin on if asked (RTM_SETLINK, AF_BRIDGE ``IFLA_PROTINFO``)."""
        check_ifname(network.host_interface_name, "host_interface_name")
        with _ipr(host) as h:
            self._attach(h, network, self._bridge_index(h, network))

    def detach(self, network: Network, *, host: IPRoute | None = None) -> None:
        """Take the host end off the bridge: ``ip link set HOST nomaster`` (``IFLA_MASTER`` 0)."""
        check_ifname(network.host_interface_name, "host_interface_name")
        with _ipr(host) as h:
            h.link_set(network.host_interface_name, nomaster=True)

    # -- inside the container ------------------------------------------------------------------

    def initialize(self, network: Network, *, ipr: IPRoute | None = None) -> None:
        """Configure the peer inside the container, as runc: down, rename to ``name``, MAC,
        MTU (one RTM_NEWLINK), IPv4 and IPv6 addresses (RTM_NEWADDR each), up (RTM_NEWLINK),
        default routes via ``gateway`` and ``ipv6_gateway`` (RTM_NEWROUTE each).

        On any failure the peer is deleted, which deletes the whole pair: nothing half
        configured is left in the container or on the bridge.
        """
        if not network.temp_veth_peer_name:
            raise NetworkConfigError("temp_veth_peer_name", "peer is not specified (create() sets it)")
        network.validate()
        mac = parse_mac(network.mac_address) if network.mac_address else None
        with _ipr(ipr) as r:
            peer = network.temp_veth_peer_name
            with _step(f"find {peer} inside the container"):
                index = r.link_get(peer).index
            name = network.name
            try:
                with _step(f"rename {peer} to {name} (down, MAC, MTU) inside the container"):
                    r.link_set(index, up=False, name=name, mac=mac, mtu=network.mtu or None)
                for address in (network.address, network.ipv6_address):
                    if address:
                        with _step(f"add address {address} to {name}"):
                            r.addr_add(index, address)
                with _step(f"bring {name} up"):
                    r.link_set(index, up=True)
                for gateway in (network.gateway, network.ipv6_gateway):
                    if gateway:
                        with _step(f"add default route via {gateway} dev {name}"):
                            r.route_add("default", gateway=gateway, oif=index)
            except BaseException:
                _quietly_delete(r, index)
                raise

    # -- undo -----------------------------------------------------------------------------------

    def destroy(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """Delete the pair (deleting either end deletes both).

        With ``host_interface_name`` set (always, after ``create``), by that host end and by
        nothing else: an interface called ``name`` in the container may not be ours.  Without
        it (a config whose host name was generated), by the container's interface ``name`` (or
        the temporary name, before ``initialize``) if it is a veth.  Nothing there is not an
        error.  Sends RTM_GETLINK, then RTM_DELLINK.
        """
        if network.host_interface_name:
            with _ipr(host) as h:
                _delete_veth(h, network.host_interface_name)
            return
        with _ipr(ipr, container) as r:
            for name in (network.name, network.temp_veth_peer_name):
                if name and _delete_veth(r, name):
                    return


_STRATEGIES: dict[str, Strategy] = {}


def register_strategy(strategy: Strategy) -> None:
    """Make ``strategy`` available to :func:`get_strategy` under ``strategy.type``."""
    _STRATEGIES[strategy.type] = strategy
    Network.known_types = frozenset(_STRATEGIES)


def known_strategies() -> list[str]:
    return sorted(_STRATEGIES)


def get_strategy(type: str) -> Strategy:
    """The registered strategy for ``type``; :class:`NetworkConfigError` (a ValueError) listing the
    known ones otherwise."""
    try:
        return _STRATEGIES[type]
    except (KeyError, TypeError):
        raise NetworkConfigError(
            "type", f"unknown network type {type!r} (known: {', '.join(known_strategies())})"
        ) from None


register_strategy(LoopbackStrategy())
register_strategy(VethStrategy())


@dataclass
class InterfaceState:
    """What :func:`create_network_interfaces` made for one network.

    ``network`` is a copy of the config with what ``create`` filled in (``host_interface_name``,
    ``temp_veth_peer_name``); ``ifname``, ``index`` and ``mac`` describe the interface inside the
    container, ``host_ifname`` and ``host_index`` the host end (``None`` for loopback);
    ``seconds`` is how long its ``create`` and ``initialize`` took.
    """

    network: Network
    ifname: str
    index: int
    mac: str | None
    host_ifname: str | None = None
    host_index: int | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready values, ``network`` as :meth:`Network.to_dict` writes it."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["network"] = self.network.to_dict()
        return out


def _copies(networks: Iterable[Network]) -> list[Network]:
    copies = []
    for i, net in enumerate(networks):
        if not isinstance(net, Network):
            raise TypeError(f"networks[{i}]: expected a Network, got {type(net).__name__}")
        copy = dataclasses.replace(net)
        try:
            copy.validate()  # includes the type: Network.known_types are the registered strategies
        except NetworkConfigError as exc:
            raise NetworkConfigError(
                f"networks[{i}].{exc.field}" if exc.field else f"networks[{i}]", exc.message
            ) from None
        copies.append(copy)
    return copies


def create_network_interfaces(
    networks: Sequence[Network], container: Container, host: IPRoute | None = None
) -> list[InterfaceState]:
    """Wire a container: every network's ``create`` (host side, in ``host``), then every one's
    ``initialize`` through an :class:`IPRoute` opened inside the container's namespace (the
    loopback ones last, so that a failure leaves ``lo`` as it was).

    ``networks`` are not changed (copies are filled in and returned in the states).  Every
    network is validated first, so a bad config sends nothing.  If anything fails, the
    interfaces already made are deleted and the error is raised as it was, with a note saying
    which network and step failed.
    """
    nets = _copies(networks)
    states: list[InterfaceState] = []
    with open_container(container) as ns, _ipr(host) as h, IPRoute(netns=ns) as inside:
        made: list[Network] = []
        seconds = [0.0] * len(nets)
        current = 0
        try:
            for current, net in enumerate(nets):
                t0 = time.perf_counter()
                get_strategy(net.type).create(net, ns, host=h)
                made.append(net)
                seconds[current] = time.perf_counter() - t0
            # loopback last: if another network fails, lo is left as it was
            order = sorted(range(len(nets)), key=lambda i: nets[i].type == "loopback")
            for current in order:
                net = nets[current]
                t0 = time.perf_counter()
                get_strategy(net.type).initialize(net, ipr=inside)
                seconds[current] += time.perf_counter() - t0
            current = len(nets)
            states.extend(_state(net, h, inside, seconds[i]) for i, net in enumerate(nets))
        except BaseException as exc:
            if isinstance(exc, Exception) and current < len(nets):
                net = nets[current]
                add_note(exc, f"networks[{current}] ({net.type}{' ' + net.name if net.name else ''})")
            for net in reversed(made):
                if net.type != "loopback":  # lo is initialized last: nothing to undo
                    with contextlib.suppress(Exception):
                        get_strategy(net.type).destroy(net, ns, host=h, ipr=inside)
            raise
    return states


def _state(net: Network, host: IPRoute, inside: IPRoute, seconds: float) -> InterfaceState:
    if net.type == "loopback":
        lo = inside.link_get("lo")
        return InterfaceState(net, lo.name, lo.index, lo.mac, seconds=seconds)
    link = inside.link_get(net.name)
    state = InterfaceState(net, link.name, link.index, link.mac, seconds=seconds)
    if net.host_interface_name:
        peer = host.link_get(net.host_interface_name)
        state.host_ifname, state.host_index = peer.name, peer.index
    return state


def remove_network_interfaces(networks: Sequence[Network], container: Container, host: IPRoute | None = None) -> None:
    """Undo :func:`create_network_interfaces` for the same config: each network's ``destroy``,
    last first (veth pairs deleted, ``lo`` down)."""
    nets = _copies(networks)
    with open_container(container) as ns, _ipr(host) as h, IPRoute(netns=ns) as inside:
        for net in reversed(nets):
            get_strategy(net.type).destroy(net, ns, host=h, ipr=inside)
