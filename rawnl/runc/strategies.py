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

What a veth network creates is rawnl's, and marked so: both ends carry the alias (``IFLA_IFALIAS``)
``rawnl net:[INODE] NAME`` (the container's namespace and the interface's name there: the
network's identity), set as the host end is attached and as the peer is renamed; the temporary
peer name and a generated host name are derived from the identity too, so the moments before the
alias is set leave nothing unfindable.  ``destroy`` deletes only what carries the mark or one of
those names, and leaves a same-named interface that is not rawnl's (with a warning, logged to
``rawnl.runc``); ``create`` first clears what an interrupted earlier run of the same network left
(kill -9 included), so running it again converges on one set.

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
import hashlib
import logging
import os
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


_log = logging.getLogger("rawnl.runc")


def identity(network: Network, container_ino: int) -> str:
    """A network's identity: the container's network namespace (by inode, as ``ip`` shows it:
    ``net:[4026532281]``) and the interface's name there."""
    return f"net:[{container_ino}] {network.name}"


def mark(network: Network, container_ino: int) -> str:
    """The alias rawnl gives both ends of a veth network it creates."""
    return f"rawnl {identity(network, container_ino)}"


def derived_name(network: Network, container_ino: int, role: str, prefix: str = "veth") -> str:
    """``prefix`` + 7 hex digits derived from the identity and ``role`` (``"peer"``: the temporary
    name in the container; ``"host"``: a host end the config does not name).  Where runc drew
    random names, these are found again after a crash."""
    digest = hashlib.sha256(f"{identity(network, container_ino)} {role}".encode()).hexdigest()
    return prefix + digest[:7]


def _namespace_ino(ipr: IPRoute) -> int:
    """The inode of the network namespace ``ipr``'s socket lives in (SIOCGSKNS gives an fd)."""
    import fcntl

    from rawnl.wire.uapi import SIOCGSKNS

    fd = fcntl.ioctl(ipr.sock.fileno(), SIOCGSKNS)
    try:
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


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


_UNREAD: Any = object()  # _delete_ours: the link has not been read yet


def _quietly_delete(ipr: IPRoute, link: int | str) -> None:
    """Roll back: delete ``link``, ignoring that it is already gone."""
    with contextlib.suppress(NetlinkError):
        ipr.link_del(link)


def _find(ipr: IPRoute, name: str) -> Any:
    """The link ``name`` (a :class:`rawnl.Link`), or ``None`` when there is none."""
    try:
        return ipr.link_get(name)
    except NetlinkError as exc:
        if exc.errno != errno.ENODEV:
            raise
        return None


def _is_ours(link: Any, tag: str, by_name: bool) -> bool:
    """Whether ``link`` is rawnl's for the network ``tag`` marks: a veth carrying ``tag``, or
    (with ``by_name``: its name was derived from the identity) a veth without an alias."""
    return bool(link.kind == "veth" and (link.alias == tag or (by_name and not link.alias)))


def _delete_ours(ipr: IPRoute, name: str, tag: str, *, by_name: bool = False, link: Any = _UNREAD) -> str | None:
    """Delete the veth ``name`` if it is rawnl's for this network (see :func:`_is_ours`).
    ``link`` is what is known of ``name`` already (``None``: nothing has it), else it is asked
    for (one RTM_GETLINK).  Returns what was found: ``"ours"`` (deleted), ``"foreign"`` (left
    alone) or ``None``."""
    if link is _UNREAD:
        link = _find(ipr, name)
    if link is None:
        return None
    if _is_ours(link, tag, by_name):
        _quietly_delete(ipr, link.index)
        return "ours"
    return "foreign"


class Strategy(Protocol):
    """runc's ``networkStrategy``: how one type of network is wired."""

    type: str

    def create(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """Host side: make the interface(s) and hand the container its part (``ipr``, an
        :class:`IPRoute` in the container, when the caller has one)."""

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

    def create(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
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

    def _attach(
        self, host: IPRoute, network: Network, bridge: int, tag: str | None = None, link: int | None = None
    ) -> None:
        """The host end (``link``, its index when known, else ``host_interface_name``) on the
        bridge, MTU, up, ``tag`` as its alias; then hairpin if asked."""
        port: int | str = network.host_interface_name if link is None else link
        host.link_set(port, master=bridge, mtu=network.mtu or None, up=True, alias=tag)
        if network.hairpin_mode:
            host.link_set_hairpin(port, True)

    def create(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """Make the pair: the host end ``host_interface_name`` (when empty, ``veth`` + 7 hex
        digits derived from the network's identity) on the bridge, the peer straight inside the
        container under a temporary name derived the same way (recorded in
        ``network.temp_veth_peer_name``).

        Sends RTM_GETLINK (the bridge), a dump of the container's links (to clear what an
        interrupted earlier run left there), RTM_NEWLINK (the pair: ``IFLA_LINKINFO { veth, {
        PEER { IFLA_IFNAME, IFLA_NET_NS_FD, ... } } }``, MTU, txqueuelen, one queue each),
        RTM_GETLINK on the new host end (its index, and its peer's in the container:
        ``IFLA_LINK``), RTM_NEWLINK on the host end by that index (``IFLA_MASTER``, MTU, IFF_UP,
        ``IFLA_IFALIAS`` = the mark) and, with ``hairpin_mode``, the bridge port's
        ``IFLA_BRPORT_MODE``.  If the kernel refuses the pair with EEXIST, the host end's name is
        looked at (RTM_GETLINK): one rawnl left for this network is deleted and the pair made
        again, anything else is left and the refusal raised.  If anything after the pair fails,
        the pair is deleted.
        """
        network.validate()
        with _ipr(host) as h, open_container(container) as ns, _ipr(ipr, ns) as inside:
            self._create(network, ns, h, inside)

    def _create(self, network: Network, ns: NetNS, h: IPRoute, inside: IPRoute) -> tuple[int, int | None]:
        """:meth:`create` of a validated ``network``, returning the host end's index and the
        peer's index in the container (``None`` if the kernel did not say), as read back right
        after the pair was made."""
        bridge = self._bridge_index(h, network)
        if not network.host_interface_name:
            network.host_interface_name = derived_name(network, ns.ino, "host")
        network.temp_veth_peer_name = derived_name(network, ns.ino, "peer")
        with _step("clear what an interrupted earlier run of this network left"):
            self._clear_inside(network, ns.ino, inside)
        with _step(f"create veth pair {network.host_interface_name}/{network.temp_veth_peer_name}"):
            try:
                self._add_pair(h, network, ns)
            except NetlinkError as exc:
                # A host end left by an interrupted run (whose peer is not in the container any
                # more: one there was deleted above, with its host end) is only looked for now.
                if exc.errno != errno.EEXIST or self._clear_host(network, ns.ino, h) != "ours":
                    raise
                self._add_pair(h, network, ns)
        try:
            with _step(f"attach {network.host_interface_name} to bridge {network.bridge}"):
                end = h.link_get(network.host_interface_name)
                self._attach(h, network, bridge, mark(network, ns.ino), end.index)
        except BaseException:
            _quietly_delete(h, network.host_interface_name)
            raise
        peer: int | None = end.peer if end.link_netnsid is not None else None
        return end.index, peer

    @staticmethod
    def _add_pair(h: IPRoute, network: Network, ns: NetNS) -> None:
        h.link_add_veth(
            network.host_interface_name,
            network.temp_veth_peer_name,
            peer_netns=ns,
            mtu=network.mtu or None,
            txqlen=network.txqueuelen or None,
            num_queues=1,
        )

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
        default routes via ``gateway`` and ``ipv6_gateway`` (RTM_NEWROUTE each).  The peer is
        found by its temporary name first (RTM_GETLINK); the changes go in one batch (see
        :meth:`_configure`).

        On any failure the peer is deleted, which deletes the whole pair: nothing half
        configured is left in the container or on the bridge.
        """
        if not network.temp_veth_peer_name:
            raise NetworkConfigError("temp_veth_peer_name", "peer is not specified (create() sets it)")
        network.validate()
        with _ipr(ipr) as r:
            peer = network.temp_veth_peer_name
            with _step(f"find {peer} inside the container"):
                index = r.link_get(peer).index
            self._configure(network, r, index, _namespace_ino(r))

    def _configure(self, network: Network, r: IPRoute, index: int, ino: int) -> None:
        """:meth:`initialize` on the peer ``index`` in ``r``'s namespace (inode ``ino``).

        The changes are one :meth:`IPRoute.batch` (one ``sendmsg``), in runc's order, which
        each needs of the ones before it (the route's gateway is reached through the address
        on the link that is up); the kernel runs them in that order.  A refusal does not stop
        the ones after it, but the first refusal is what is raised (with the note naming its
        step) and the pair is deleted, which takes whatever the later ones did along."""
        mac = parse_mac(network.mac_address) if network.mac_address else None
        name = network.name
        steps: list[str] = []
        try:
            with r.batch() as b:
                step = f"rename {network.temp_veth_peer_name} to {name} (down, MAC, MTU) inside the container"
                with _step(step):
                    b.link_set(index, up=False, name=name, mac=mac, mtu=network.mtu or None, alias=mark(network, ino))
                steps.append(step)
                for address in (network.address, network.ipv6_address):
                    if address:
                        step = f"add address {address} to {name}"
                        with _step(step):
                            b.addr_add(index, address)
                        steps.append(step)
                step = f"bring {name} up"
                b.link_set(index, up=True)
                steps.append(step)
                for gateway in (network.gateway, network.ipv6_gateway):
                    if gateway:
                        step = f"add default route via {gateway} dev {name}"
                        with _step(step):
                            b.route_add("default", gateway=gateway, oif=index)
                        steps.append(step)
            for step, error in zip(steps, b.results, strict=True):
                if error is not None:
                    add_note(error, step)
                    raise error
        except BaseException:
            _quietly_delete(r, index)
            raise

    # -- undo -----------------------------------------------------------------------------------

    def destroy(
        self, network: Network, container: Container, *, host: IPRoute | None = None, ipr: IPRoute | None = None
    ) -> None:
        """Delete the pair, and only if it is rawnl's for this network (see the module docstring):
        the host end (``host_interface_name``, or the name derived for it) if it carries the mark;
        in the container, the temporary peer (a crash before the rename) and the interface
        ``name`` if it carries the mark.  A same-named interface that is not rawnl's is left,
        with a warning.  Nothing there at all is not an error.  Sends RTM_GETLINK, RTM_DELLINK.
        """
        with _ipr(host) as h, open_container(container) as ns, _ipr(ipr, ns) as inside:
            self._clear(network, ns.ino, h, inside, warn=True)

    def _clear(self, network: Network, ino: int, host: IPRoute, inside: IPRoute, *, warn: bool) -> None:
        """Delete every piece of this network that rawnl made (see :meth:`destroy`): the host
        end, then what is left in the container."""
        found = self._clear_host(network, ino, host)
        self._clear_inside(network, ino, inside)
        host_name = network.host_interface_name or derived_name(network, ino, "host")
        if found == "foreign" and warn and _find(host, host_name) is not None:
            _log.warning(
                "%s exists in the host namespace but was not created by rawnl for %s; left alone",
                host_name,
                identity(network, ino),
            )

    @staticmethod
    def _clear_host(network: Network, ino: int, host: IPRoute) -> str | None:
        """Delete the host end if it is rawnl's for this network (RTM_GETLINK by name, then
        RTM_DELLINK); what :func:`_delete_ours` found."""
        host_name = network.host_interface_name or derived_name(network, ino, "host")
        generated = host_name == derived_name(network, ino, "host")
        return _delete_ours(host, host_name, mark(network, ino), by_name=generated)

    @staticmethod
    def _clear_inside(network: Network, ino: int, inside: IPRoute) -> None:
        """Delete, in the container, the temporary peer (a crash before the rename) and the
        interface ``name`` if they are rawnl's for this network: the container's links read in
        one dump (a container holds few), then RTM_DELLINK for each found."""
        tag = mark(network, ino)
        temp = derived_name(network, ino, "peer")
        links = {link.name: link for link in inside.links()}
        _delete_ours(inside, temp, tag, by_name=True, link=links.get(temp))
        if network.name and network.name != temp:
            _delete_ours(inside, network.name, tag, link=links.get(network.name))


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
    with open_container(container) as ns, _ipr(host) as h, IPRoute(netns=ns) as inside:
        made: list[Network] = []
        seconds = [0.0] * len(nets)
        # rawnl's own veth strategy hands what its create read back (the host end's index,
        # the peer's index) on to its initialize and to the states: no lookups by name again.
        known: dict[int, tuple[int, int | None]] = {}
        current = 0
        try:
            for current, net in enumerate(nets):
                t0 = time.perf_counter()
                strategy = get_strategy(net.type)
                if type(strategy) is VethStrategy:
                    known[current] = strategy._create(net, ns, h, inside)
                else:
                    strategy.create(net, ns, host=h, ipr=inside)
                made.append(net)
                seconds[current] = time.perf_counter() - t0
            # loopback last: if another network fails, lo is left as it was
            order = sorted(range(len(nets)), key=lambda i: nets[i].type == "loopback")
            for current in order:
                net = nets[current]
                t0 = time.perf_counter()
                strategy = get_strategy(net.type)
                peer = known[current][1] if current in known else None
                if type(strategy) is VethStrategy and peer is not None:
                    strategy._configure(net, inside, peer, ns.ino)
                else:
                    strategy.initialize(net, ipr=inside)
                seconds[current] += time.perf_counter() - t0
            current = len(nets)
            return _states(nets, h, inside, seconds, known)
        except BaseException as exc:
            if isinstance(exc, Exception) and current < len(nets):
                net = nets[current]
                add_note(exc, f"networks[{current}] ({net.type}{' ' + net.name if net.name else ''})")
            for net in reversed(made):
                if net.type != "loopback":  # lo is initialized last: nothing to undo
                    with contextlib.suppress(Exception):
                        get_strategy(net.type).destroy(net, ns, host=h, ipr=inside)
            raise


def _states(
    nets: list[Network], host: IPRoute, inside: IPRoute, seconds: list[float], known: dict[int, tuple[int, int | None]]
) -> list[InterfaceState]:
    """The :class:`InterfaceState` of each network: the container's links read in one dump
    (RTM_GETLINK, NLM_F_DUMP), the host ends' indices as their create read them (else one
    RTM_GETLINK each)."""
    links = {link.name: link for link in inside.links()}
    states = []
    for i, net in enumerate(nets):
        name = "lo" if net.type == "loopback" else net.name
        link = links.get(name)
        if link is None:
            raise NetlinkError(
                errno.ENODEV, f"{name} is not in the container any more", operation=f"link_get({name!r})"
            )
        state = InterfaceState(net, link.name, link.index, link.mac, seconds=seconds[i])
        if net.type != "loopback" and net.host_interface_name:
            state.host_ifname = net.host_interface_name
            if i in known:
                state.host_index = known[i][0]
            else:
                state.host_index = host.link_get(net.host_interface_name).index
        states.append(state)
    return states


def remove_network_interfaces(networks: Sequence[Network], container: Container, host: IPRoute | None = None) -> None:
    """Undo :func:`create_network_interfaces` for the same config: each network's ``destroy``,
    last first (veth pairs deleted, ``lo`` down)."""
    nets = _copies(networks)
    with open_container(container) as ns, _ipr(host) as h, IPRoute(netns=ns) as inside:
        for net in reversed(nets):
            get_strategy(net.type).destroy(net, ns, host=h, ipr=inside)
