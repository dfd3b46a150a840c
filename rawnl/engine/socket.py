"""The netlink socket engine: one blocking ``NETLINK_ROUTE`` socket for requests, dumps, batches
and events.

The receive loop follows iproute2's: each datagram is sized with ``MSG_PEEK | MSG_TRUNC`` before it
is read (a dump datagram can exceed 32 KB and nothing may be silently truncated), except on the
request path where a cut cannot lose anything (a change's ACK, a GET, which is asked again if its
reply did not fit: see ``_replies``), read with one ``recvfrom_into``; a datagram whose
sender is not the kernel (``nl_pid != 0``) is dropped, since any local process can send to our
port; a reply counts only when its sequence number and port id are ours, and anything else is
consumed and dropped (or, on a subscribed socket, kept as an event, up to ``event_queue`` of them).

Threads may share a socket: a request, a dump or a batch holds the socket's lock while it runs
(a dump reads its whole answer before yielding the first message), so concurrent calls take
turns.  Reading events holds it while waiting for the next datagram; a request from another
thread meanwhile raises ``RuntimeError`` at once rather than wait for an event that may never
come (read events on a socket of their own, as :meth:`rawnl.IPRoute.monitor` does).
"""

from __future__ import annotations

import _socket
import _struct
import _thread
import sys
from errno import ENOBUFS, ENOPROTOOPT, EPERM

from rawnl._record import Record
from rawnl.errors import BatchOverrunError, DecodeError, DumpInterrupted, NetlinkError
from rawnl.wire.codec import NLMSG_HDR, iter_messages
from rawnl.wire.message import DoneMessage, ErrorMessage, decode_one
from rawnl.wire.uapi import (
    AF_NETLINK,
    MSG_DONTWAIT,
    MSG_PEEK,
    MSG_TRUNC,
    NETLINK_ADD_MEMBERSHIP,
    NETLINK_CAP_ACK,
    NETLINK_DROP_MEMBERSHIP,
    NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK,
    NETLINK_ROUTE,
    NLM_F_ACK,
    NLM_F_CAPPED,
    NLM_F_DUMP,
    NLM_F_DUMP_INTR,
    NLM_F_ECHO,
    NLM_F_MULTI,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    SIOCGIFINDEX,
    SO_RCVBUF,
    SO_RCVBUFFORCE,
    SO_SNDBUF,
    SO_SNDBUFFORCE,
    SOCK_CLOEXEC,
    SOCK_RAW,
    SOL_NETLINK,
    SOL_SOCKET,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from rawnl.wire.message import Message

    from .netns import NetNS

__all__ = ["Malformed", "NetlinkSocket", "Overrun"]

#: Receive-buffer cost charged per small reply (an ACK or an error): the kernel charges an skb's
#: truesize, not its length.  Measured on this kernel: ~1,300 bytes; rounded up for safety.
_REPLY_COST = 2048
#: The same for a GET's reply (a full link message is ~1.5 KB of data, ~4 KB of truesize).
_GET_REPLY_COST = 8192
#: What a batch's budgets keep back from its receive and send buffers: a safety margin (the
#: per-reply costs above are estimates; a chunk's skb has some overhead over its bytes).
_RCV_MARGIN = 4096
_SND_MARGIN = 128

_unpack_hdr = NLMSG_HDR.unpack_from

#: The smallest receive we ask for (see ``_recv``); the kernel caps its dump datagrams near it.
_RECV_HINT = 32768

#: An ``NLMSG_ERROR``'s first 28 bytes: ``nlmsghdr``, the error, the echoed request's length.
_unpack_ack = _struct.Struct("=IHHIIiI").unpack_from
#: The same message's first 20 bytes as (length, type and flags as one number; seq; port; error),
#: and that number for a success ACK as the kernel sends it (36 bytes, NLMSG_ERROR, the echo
#: capped: NLM_F_CAPPED, as every success ACK since Linux 4.20): see NetlinkSocket.request.
_unpack_ack_head = _struct.Struct("=QIIi").unpack_from
_ACK_HEAD: int = _struct.unpack("=Q", _struct.pack("=IHH", 36, NLMSG_ERROR, NLM_F_CAPPED))[0]
#: What recvfrom_into returns for a 36-byte datagram from the kernel, sent to no group.
_ACK_FROM_KERNEL = (36, (0, 0))
#: Room the extended-ack attributes of an ``NLMSG_ERROR`` can take, and then some: the kernel's
#: text (a literal, or at most 80 bytes formatted), an offset, a cookie (20), a policy (a few
#: dozen bytes), a missing attribute and its nest.
_EXT_ACK_ROOM = 4096
#: ``struct ifreq``: the name in 16 bytes, then a 24-byte union (an int, the index, for us).
_pack_ifreq = _struct.Struct("=16s24x").pack
_unpack_index = _struct.Struct("=16xi20x").unpack
_get_ident = _thread.get_ident
_ioctl: Any = None  # fcntl.ioctl, imported on first use (see NetlinkSocket.ifindex)


class _Acked(bytes):
    """The type of ``_ACKED``: an object no datagram's bytes can be (``is`` tells it apart)."""


#: What ``_recv_sized`` returns for a datagram that is exactly the awaited ACK (no bytes copied).
_ACKED = _Acked()


class Overrun(Record):
    """An event: the socket's receive buffer overflowed (``ENOBUFS``), or more events came while
    it waited for replies than it keeps (``event_queue``), and events were lost.  Re-read the
    state you track (a dump); the socket keeps working."""

    __slots__ = ()


class Malformed(Record):
    """An event that could not be read: ``error`` says why (a :class:`rawnl.DecodeError` for bytes
    that are not well-formed netlink, a :class:`rawnl.InvalidMessageError` for a message its
    typed view cannot represent); ``message`` is the decoded message when there is one, ``data``
    its bytes.  The events that follow are read as usual."""

    error: Exception
    message: Message | None = None
    data: bytes = b""


class NetlinkSocket:
    """A blocking ``AF_NETLINK``/``NETLINK_ROUTE`` socket with a kernel-assigned port id.

    ``netns`` opens the socket inside another network namespace (a :class:`rawnl.NetNS`, a name
    under ``/run/netns``, a path or a pid) from a short-lived thread; the caller never moves.  A
    socket stays in the namespace it was opened in for life.  ``NETLINK_EXT_ACK`` (the kernel's
    error text), ``NETLINK_GET_STRICT_CHK`` (kernel-side dump filtering) and ``NETLINK_CAP_ACK``
    (errors do not echo the whole request; we keep our own copy) are on unless turned off, and
    quietly stay off where the kernel lacks them.  ``rcvbuf`` sets ``SO_RCVBUF`` (with
    ``SO_RCVBUFFORCE`` when privileged).
    """

    __slots__ = (
        "_activity",
        "_closed",
        "_event_queue",
        "_groups",
        "_holder",
        "_lock",
        "_peek",
        "_pending",
        "_rbuf",
        "_seq",
        "_sock",
        "dropped",
        "port_id",
    )

    def __init__(
        self,
        *,
        netns: NetNS | str | int | None = None,
        rcvbuf: int | None = None,
        ext_ack: bool = True,
        strict_check: bool = True,
        cap_ack: bool = True,
        event_queue: int = 4096,
    ) -> None:
        if isinstance(event_queue, bool) or not isinstance(event_queue, int) or event_queue < 1:
            raise ValueError(f"event_queue must be a positive int, not {event_queue!r}")
        if netns is None:
            # A thread whose NetNS.enter() could not switch back must not open sockets "here".
            # (Only possible once rawnl.netns is loaded, so this costs nothing otherwise.)
            netns_module = sys.modules.get("rawnl.engine.netns")
            if netns_module is not None:
                netns_module.check_thread()
            sock = _socket.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)
        else:
            from .netns import socket_in

            sock = socket_in(netns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)
        try:
            for option, wanted in (
                (NETLINK_EXT_ACK, ext_ack),
                (NETLINK_GET_STRICT_CHK, strict_check),
                (NETLINK_CAP_ACK, cap_ack),
            ):
                if wanted:
                    try:
                        sock.setsockopt(SOL_NETLINK, option, 1)
                    except OSError as exc:
                        if exc.errno != ENOPROTOOPT:
                            raise
            if rcvbuf is not None:
                _set_buffer(sock, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf)
            sock.bind((0, 0))
            sock.connect((0, 0))
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.port_id: int = sock.getsockname()[0]
        self._seq = 0
        self._peek = bytearray(16)
        self._rbuf = bytearray(_RECV_HINT)  # the request path's receive buffer (see _replies)
        self._groups: set[int] = set()
        self._pending: list[Message | Overrun | Malformed] = []
        self._event_queue = event_queue
        self._lock = _thread.allocate_lock()
        self._holder = 0  # the thread holding _lock
        self._activity = ""  # what it does with it ("request", "dump", "batch", "events")
        self._closed = False
        #: Datagrams dropped because they did not come from the kernel.
        self.dropped = 0

    # ------------------------------------------------------------------ basics

    def fileno(self) -> int:
        return int(self._sock.fileno())

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._sock.close()

    def __enter__(self) -> NetlinkSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"port {self.port_id}"
        return f"<NetlinkSocket {state}>"

    @property
    def rcvbuf(self) -> int:
        """The receive buffer size the kernel reports (twice what was asked, for bookkeeping)."""
        return int(self._sock.getsockopt(SOL_SOCKET, SO_RCVBUF))

    def set_rcvbuf(self, size: int) -> None:
        """``SO_RCVBUFFORCE`` (above ``rmem_max``; needs CAP_NET_ADMIN), else ``SO_RCVBUF``."""
        _set_buffer(self._sock, SO_RCVBUFFORCE, SO_RCVBUF, size)

    def pending(self) -> int:
        """Bytes of the next queued datagram (0 when the receive queue is empty)."""
        try:
            return int(self._sock.recv_into(self._peek, 16, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT))
        except BlockingIOError:
            return 0

    def _next_seq(self) -> int:
        seq = self._seq = (self._seq % 0xFFFFFFFF) + 1
        return seq

    def _recv(self) -> tuple[bytes, int]:
        """One datagram from the kernel, sized first with MSG_PEEK | MSG_TRUNC, and the multicast
        group mask it was sent to (0 for a unicast reply)."""
        sock = self._sock
        peek = self._peek
        while True:
            size = sock.recv_into(peek, 16, MSG_PEEK | MSG_TRUNC)
            # Ask for at least 32 KB: the kernel sizes the datagrams of a dump by the largest
            # receive a socket has asked for (about 2 links a datagram otherwise, 20 with this).
            data, (sender, groups) = sock.recvfrom(size if size > _RECV_HINT else _RECV_HINT)
            if sender == 0:
                return data, groups
            self.dropped += 1

    def _take(self, what: str) -> None:
        """Hold the socket for a ``what`` (see the module docstring): wait for another thread's
        request, dump or batch; refuse at once to wait for another thread's event reading.
        (``_activity`` is what the holder does, or "" for a request: :meth:`request` does not
        write it.)"""
        lock = self._lock
        if lock.acquire(False):
            self._holder, self._activity = _thread.get_ident(), what
            return
        if self._holder == _thread.get_ident():
            activity = self._activity or "request"
            raise RuntimeError(f"NetlinkSocket: a {what} started inside this thread's own {activity}")
        while not lock.acquire(True, 0.05):
            if self._activity == "events":
                raise RuntimeError(
                    f"NetlinkSocket: another thread is waiting for events on this socket, so a {what} could "
                    "wait forever; read events on a socket of their own"
                )
        self._holder, self._activity = _thread.get_ident(), what

    def _give(self) -> None:
        self._holder, self._activity = 0, ""
        self._lock.release()

    def queued_events(self) -> int:
        """How many events (and Overrun markers) wait to be read by :meth:`events`."""
        return len(self._pending)

    def _keep_events(self, data: bytes) -> None:
        """A multicast datagram read while waiting for a reply: keep its messages as events, up
        to ``event_queue`` of them; beyond that they are dropped and one :class:`Overrun` stands
        for them, as the kernel does when the receive buffer is full.

        (A notification caused by our own request carries our sequence number and port id, so
        only the destination group tells it from a reply.)"""
        if not self._groups:
            return
        pending = self._pending
        for event in _read_events(data):
            if len(pending) < self._event_queue:
                pending.append(event)
            elif type(pending[-1]) is not Overrun:
                pending.append(Overrun())

    # ------------------------------------------------------------------ request / ACK

    def request(self, msg: Message, *, flags: int = NLM_F_ACK) -> list[Message]:
        """Send ``msg`` with its own flags plus ``NLM_F_REQUEST | flags`` and a fresh sequence
        number; return its reply messages (the ACK itself is consumed), or raise
        :class:`NetlinkError` with the errno, the kernel's extended-ack text and the name of the
        attribute it pointed at.

        With ``NLM_F_ACK`` (the default) this returns when the ACK arrives, so the separate ACK
        after a GET's reply is never left queued.  Without it, it returns after the first reply
        that is not part of a multi-part answer (or after ``NLMSG_DONE``).
        """
        # The common case written out in this one frame (each step measured with callgrind):
        # the lock taken and given back as _take and _give do, uncontended (``_activity`` is not
        # written: it stays "" while a request holds the socket, see _take); the message encoded
        # by its positional ``_encode``; when nothing can be cut off (see _replies), the first
        # datagram read with one recvfrom_into (nbytes 0: the whole buffer), and when it is our
        # ACK as this kernel sends it, done with one struct call and one tuple comparison
        # (_ACK_HEAD: 36 bytes, NLMSG_ERROR, NLM_F_CAPPED; our seq and port; error 0), which
        # implies what ack_only checks.  Anything else goes to _replies, ack_only included.
        lock = self._lock
        if lock.acquire(False):
            self._holder = _get_ident()
        else:
            self._take("request")
        try:
            seq = self._seq = (self._seq % 0xFFFFFFFF) + 1
            mflags = msg.flags | flags
            data = msg._encode(mflags | NLM_F_REQUEST, seq, 0)
            sock = self._sock
            sock.send(data)
            mtype = msg.type
            if self._groups:
                sized = False
            elif mtype >= 16 and mtype & 3 == 2:  # RTM_GET*
                sized = not mflags & NLM_F_DUMP
            else:
                sized = flags & NLM_F_ACK != 0 and not mflags & NLM_F_ECHO
                sized = sized and len(data) + _EXT_ACK_ROOM <= len(self._rbuf)
            if not sized:
                return self._replies(msg, flags, mflags, seq, data)
            try:
                first = sock.recvfrom_into(self._rbuf, 0, MSG_TRUNC)
            except OSError as exc:
                if exc.errno == ENOBUFS:
                    raise NetlinkError(ENOBUFS, "receive buffer overflowed while waiting for a reply") from None
                raise
            if first == _ACK_FROM_KERNEL and _unpack_ack_head(self._rbuf) == (_ACK_HEAD, seq, self.port_id, 0):
                return []
            return self._replies(msg, flags, mflags, seq, data, first=first)
        finally:
            self._holder = 0
            lock.release()

    def _replies(
        self,
        msg: Message,
        flags: int,
        mflags: int,
        seq: int,
        data: bytes,
        *,
        first: tuple[int, tuple[int, int]] | None = None,
    ) -> list[Message]:
        """The replies to request ``seq`` (``data``, ``msg`` sent with ``mflags``), read until its
        end, for :meth:`request`, which has read the ``first`` datagram (what ``recvfrom_into``
        gave) when the replies are read with one recv each (``sized``).

        One recv into a buffer kept for it (``sized``), when nothing we need can be cut off
        (MSG_TRUNC tells the datagram's whole length, so a cut is seen): a change's only reply is
        its NLMSG_ERROR, at most our request and the extended-ack attributes long; a GET (not a
        dump) reads nothing into the kernel, so a reply too long for the buffer is asked for
        again into a larger one.  Anything else (echoed objects, events on a subscribed socket)
        is sized first with MSG_PEEK by _recv."""
        sock = self._sock
        port = self.port_id
        sized = first is not None
        want_ack = bool(flags & NLM_F_ACK)
        replies: list[Message] = []
        while True:
            try:
                if sized:
                    got = self._recv_sized(seq, port, first)
                    first = None
                    if got is None:  # a GET's reply was cut: ask again, into a larger buffer
                        seq = self._next_seq()
                        data = msg._encode(mflags | NLM_F_REQUEST, seq, 0)
                        sock.send(data)
                        replies = []
                        continue
                    if got is _ACKED:  # the common case, read by _recv_sized: our ACK
                        return replies
                    buf = got
                    groups = 0
                else:
                    buf, groups = self._recv()
            except OSError as exc:
                if exc.errno == ENOBUFS:
                    raise NetlinkError(ENOBUFS, "receive buffer overflowed while waiting for a reply") from None
                raise
            if groups:
                self._keep_events(buf)
                continue
            done = False
            for off, length, rtype, rflags, rseq, rpid in iter_messages(buf):
                if rseq != seq or rpid != port:
                    continue  # stale: an answer to an earlier request
                if done:
                    continue  # never expected: anything after the end of our reply
                # (a datagram that is one message, a GET's reply say, is not copied again)
                body = buf if length == len(buf) else buf[off : off + length]
                reply = decode_one(body, rtype, rflags, rseq, rpid)
                if rtype == NLMSG_ERROR:
                    assert isinstance(reply, ErrorMessage)
                    if reply.error:
                        raise reply.exception(data)
                    done = True
                elif rtype == NLMSG_DONE:
                    assert isinstance(reply, DoneMessage)
                    if reply.error:
                        raise reply.exception(data)
                    done = not want_ack
                else:
                    replies.append(reply)
                    if not want_ack and not rflags & NLM_F_MULTI:
                        done = True
            if done:
                return replies

    def _recv_sized(self, seq: int, port: int, first: tuple[int, tuple[int, int]] | None = None) -> bytes | None:
        """One datagram from the kernel, read by one ``recvfrom_into`` into the request path's
        buffer (see ``_replies`` for when nothing can be cut off): ``_ACKED`` when it is exactly the
        ACK of request ``seq`` (checked by :func:`ack_only`), ``None`` when it is a reply to
        ``seq`` too long for the buffer (which then grows to fit it), else its bytes.  A cut
        datagram that is not ours (a stale answer to an earlier request) is dropped.  ``first``:
        what ``recvfrom_into`` gave for a datagram ``request`` has read into the buffer already."""
        buf = self._rbuf
        size = len(buf)
        sock = self._sock
        while True:
            if first is None:
                n, (sender, groups) = sock.recvfrom_into(buf, size, MSG_TRUNC)
            else:
                n, (sender, groups) = first
                first = None
            if sender != 0:
                self.dropped += 1
                continue
            if n == 36 and not groups and ack_only(buf, seq, port):
                return _ACKED
            if n <= size:
                return bytes(buf[:n])
            if n >= 16 and _unpack_hdr(buf, 0)[3:] == (seq, port):
                self._rbuf = bytearray(n)
                return None

    # ------------------------------------------------------------------ names

    def ifindex(self, name: str) -> int:
        """The index of the link called ``name`` in this socket's namespace, looked up now by
        ``ioctl(SIOCGIFINDEX)`` on this socket: no netlink message (the kernel answers socket
        ioctls it does not know itself with the namespace's devices, ``dev_ioctl`` in
        ``sock_net``).  The kernel looks the name up at the moment of the call, as an
        ``RTM_GETLINK`` would.  ``OSError`` (``ENODEV`` for no such link) when it fails.

        For a name that does not exist, a privileged kernel first tries to load a module of
        that name (``dev_load``), as it does for glibc's ``if_nametoindex`` (which ``ip`` also
        falls back to): the miss costs more than a hit."""
        global _ioctl
        if _ioctl is None:
            from fcntl import ioctl

            _ioctl = ioctl
        ifreq = bytearray(_pack_ifreq(name.encode()))  # a buffer of its own: threads may share the socket
        _ioctl(self._sock.fileno(), SIOCGIFINDEX, ifreq, True)  # written in place (the cheaper way)
        index: int = _unpack_index(ifreq)[0]
        return index

    # ------------------------------------------------------------------ dumps

    def dump(self, msg: Message, *, retries: int = 0) -> Iterator[Message]:
        """Send ``msg`` with ``NLM_F_REQUEST | NLM_F_DUMP`` and iterate over the answer, across
        datagrams, until ``NLMSG_DONE``.

        The whole answer is read (holding the socket, see the module docstring) before the first
        message is yielded, so nothing is left on the socket whatever the caller does.  When the
        dump ends with ``NLM_F_DUMP_INTR`` (the table changed meanwhile), it is read again up to
        ``retries`` times; then :class:`DumpInterrupted` is raised carrying every message
        received.  A refused dump raises :class:`NetlinkError`.
        """
        if retries < 0:
            raise ValueError(f"retries must be >= 0, not {retries}")
        self._take("dump")
        try:
            for attempt in range(retries + 1):
                try:
                    messages = self._dump_once(msg)
                    break
                except DumpInterrupted:
                    if attempt == retries:
                        raise
        finally:
            self._give()
        yield from messages

    def _dump_once(self, msg: Message) -> list[Message]:
        seq = self._next_seq()
        data = msg._encode(msg.flags | NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
        self._sock.send(data)
        port = self.port_id
        interrupted = False
        finished = False
        got: list[Message] = []
        while not finished:
            buf, groups = self._recv()
            if groups:
                self._keep_events(buf)
                continue
            for off, length, mtype, mflags, mseq, mpid in iter_messages(buf):
                if mseq != seq or mpid != port:
                    continue  # stale: an answer to an earlier request
                if finished:
                    continue
                if mflags & NLM_F_DUMP_INTR:
                    interrupted = True
                if mtype in (NLMSG_DONE, NLMSG_ERROR):
                    finished = True
                    reply = decode_one(buf[off : off + length], mtype, mflags, mseq, mpid)
                    assert isinstance(reply, (ErrorMessage, DoneMessage))
                    if reply.error:
                        raise reply.exception(data)
                    continue
                got.append(decode_one(buf[off : off + length], mtype, mflags, mseq, mpid))
        if interrupted:
            raise DumpInterrupted(got)
        return got

    # ------------------------------------------------------------------ batches

    def batch(self, msgs: Sequence[Message], *, flags: int = 0) -> list[list[Message] | NetlinkError]:
        """Send many requests in as few ``sendmsg`` calls as fit; return one outcome per request,
        in order: its reply messages (``[]`` for a plain success) or its :class:`NetlinkError`.

        Only the last request of each chunk asks for an ACK: the kernel still answers every
        failing request with an ``NLMSG_ERROR`` (matched by sequence number), so successes cost
        nothing to read.  Chunks are sized so that every possible answer fits in the receive
        buffer (raised with ``SO_RCVBUFFORCE`` when privileged) and every chunk in the send
        buffer; all answers to a chunk are read before the next is sent, so none is lost to
        ``ENOBUFS``.  ``flags`` are added to every request (e.g. ``NLM_F_CREATE | NLM_F_EXCL``
        are usually already in the messages' own flags).
        """
        return [[] if outcome is None else outcome for outcome in self.batch_outcomes(msgs, flags=flags)]

    def batch_outcomes(self, msgs: Sequence[Message], *, flags: int = 0) -> list[list[Message] | NetlinkError | None]:
        """:meth:`batch`, with ``None`` as the outcome of a plain success rather than ``[]`` (no
        list made per request: what :class:`rawnl.Batch` reads)."""
        if not msgs:
            return []
        self._take("batch")
        try:
            return self._batch(msgs, flags)
        finally:
            self._give()

    def _batch(self, msgs: Sequence[Message], flags: int) -> list[list[Message] | NetlinkError | None]:
        count = len(msgs)
        encoded: list[bytes] = []
        append = encoded.append
        first = self._seq + 1
        seqs = _seq_run(self._seq, count)
        # No ACK per request (a builder's flags usually ask for one): see the docstring.
        add, no_ack, dump = NLM_F_REQUEST | flags, ~NLM_F_ACK, NLM_F_DUMP
        gets = 0  # requests answered by a message (a GET's reply), not only by an error
        for msg, seq in zip(msgs, seqs, strict=True):
            mflags = msg.flags
            if mflags & dump == dump:
                raise ValueError(f"request {len(encoded)} is a dump; dumps cannot be batched")
            append(msg._encode((mflags | add) & no_ack, seq, 0))
            mtype = msg.type
            if mtype % 4 == 2 and mtype >= 16:
                gets += 1
        self._seq = seqs[-1]
        rcv_need = count * _REPLY_COST + gets * (_GET_REPLY_COST - _REPLY_COST)
        snd_need = sum(map(len, encoded))
        rcv_budget, snd_budget = self._batch_buffers(rcv_need, snd_need)
        outcomes: list[list[Message] | NetlinkError | None] = [None] * count
        if rcv_need <= rcv_budget and snd_need <= snd_budget:
            self._send_chunk(encoded, 0, count, first, outcomes)  # the usual case: one sendmsg
        else:
            self._send_chunks(msgs, encoded, first, outcomes, rcv_budget=rcv_budget, snd_budget=snd_budget)
        return outcomes

    def _send_chunks(
        self,
        msgs: Sequence[Message],
        encoded: list[bytes],
        first: int,
        outcomes: list[list[Message] | NetlinkError | None],
        *,
        rcv_budget: int,
        snd_budget: int,
    ) -> None:
        """Send a batch larger than the buffers in chunks that fit them, one after another."""
        count = len(encoded)
        start = 0
        while start < count:
            end = start
            used_rcv = 0
            used_snd = 0
            while end < count:
                mtype = msgs[end].type
                cost = _GET_REPLY_COST if mtype >= 16 and mtype % 4 == 2 else _REPLY_COST
                if end > start and (used_rcv + cost > rcv_budget or used_snd + len(encoded[end]) > snd_budget):
                    break
                used_rcv += cost
                used_snd += len(encoded[end])
                end += 1
            self._send_chunk(encoded, start, end, first, outcomes)
            start = end

    def _batch_buffers(self, rcv_need: int, snd_need: int) -> tuple[int, int]:
        """Grow the buffers toward what the batch needs (up to 32 MB); return usable budgets.

        A buffer is grown to the need plus the margin the budget keeps back (``_RCV_MARGIN``,
        ``_SND_MARGIN``), so a batch that had the buffers grown for it fits them, in one chunk
        (grown to the bare need, it went out in two ``sendmsg`` calls, its last request alone
        in the second, every time).  Each size is read once, and again only after a change."""
        cap = 32 << 20
        rcv = self.rcvbuf // 2  # the kernel doubles what we ask for; count only our half
        want = min(rcv_need + _RCV_MARGIN, cap)
        if rcv < want:
            _set_buffer(self._sock, SO_RCVBUFFORCE, SO_RCVBUF, want)
            rcv = self.rcvbuf // 2
        snd = int(self._sock.getsockopt(SOL_SOCKET, SO_SNDBUF)) // 2
        want = min(snd_need + _SND_MARGIN, cap)
        if snd < want:
            _set_buffer(self._sock, SO_SNDBUFFORCE, SO_SNDBUF, want)
            snd = int(self._sock.getsockopt(SOL_SOCKET, SO_SNDBUF)) // 2
        return max(rcv - _RCV_MARGIN, _GET_REPLY_COST), max(snd - _SND_MARGIN, 4096)

    def _send_chunk(
        self,
        encoded: list[bytes],
        start: int,
        end: int,
        first: int,
        outcomes: list[list[Message] | NetlinkError | None],
    ) -> None:
        last = encoded[end - 1]
        # The chunk's last request asks for the ACK that marks the end of the chunk's answers.
        length, mtype, mflags, last_seq, _pid = _unpack_hdr(last, 0)
        parts = encoded[start : end - 1]
        parts.append(NLMSG_HDR.pack(length, mtype, mflags | NLM_F_ACK, last_seq, 0) + last[16:])
        self._sock.send(b"".join(parts))
        port = self.port_id
        base = first
        while True:
            try:
                buf, groups = self._recv()
            except OSError as exc:
                if exc.errno == ENOBUFS:
                    raise BatchOverrunError(
                        ENOBUFS, "receive buffer overflowed during a batch: outcomes lost"
                    ) from None
                raise
            if groups:
                self._keep_events(buf)
                continue
            for off, length, mtype, mflags, mseq, mpid in iter_messages(buf):
                index = (mseq - base) % 0xFFFFFFFF
                if mpid != port or not start <= index < end:
                    continue  # stale: an answer to an earlier request
                reply = decode_one(buf[off : off + length], mtype, mflags, mseq, mpid)
                if mtype == NLMSG_ERROR:  # an ACK leaves the outcome as it is (None: a plain success)
                    assert isinstance(reply, ErrorMessage)
                    if reply.error:
                        outcomes[index] = reply.exception(encoded[index])
                    if index == end - 1:
                        return
                elif mtype != NLMSG_DONE:
                    current = outcomes[index]
                    if isinstance(current, list):
                        current.append(reply)
                    else:
                        outcomes[index] = [reply]

    # ------------------------------------------------------------------ events

    def subscribe(self, *groups: int) -> None:
        """Join multicast groups (``RTNLGRP_*``): the bind bitmask for groups up to 32,
        ``NETLINK_ADD_MEMBERSHIP`` above.

        Events are told from replies by the destination group the kernel reports with each
        datagram; for groups above 32 it reports none, so read those on a socket that sends no
        requests."""
        for group in groups:
            if not isinstance(group, int) or not 0 < group < 1 << 16:
                raise ValueError(f"multicast group must be a positive int (RTNLGRP_*), not {group!r}")
        new = set(groups) - self._groups
        self._groups |= new
        mask = 0
        for group in self._groups:
            if group <= 32:
                mask |= 1 << (group - 1)
        self._sock.bind((self.port_id, mask))
        for group in new:
            if group > 32:
                self._sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)

    def unsubscribe(self, *groups: int) -> None:
        """Leave multicast groups."""
        for group in groups:
            self._groups.discard(group)
            if group > 32:
                self._sock.setsockopt(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group)
        mask = 0
        for group in self._groups:
            if group <= 32:
                mask |= 1 << (group - 1)
        self._sock.bind((self.port_id, mask))

    def events(self, timeout: float | None = None) -> Iterator[Message | Overrun | Malformed]:
        """Yield typed event messages from the subscribed groups as they arrive; an
        :class:`Overrun` when events were lost (the receive buffer overflowed, or more came while
        waiting for replies than ``event_queue``; re-dump what you track, the socket goes on
        working); a :class:`Malformed` for a datagram that is not well-formed netlink.  With
        ``timeout`` (seconds) the iteration ends once no event has arrived for that long
        (``timeout=0``: once the queued ones are read); without, it blocks."""
        if not self._groups:
            raise RuntimeError("subscribe() to at least one group before reading events")
        sock = self._sock
        while True:
            if self._pending:
                pending, self._pending = self._pending, []
                yield from pending
                continue
            self._take("events")
            try:
                sock.settimeout(timeout)
                try:
                    buf, groups = self._recv()
                except (TimeoutError, BlockingIOError):  # timeout=0 makes the socket non-blocking
                    return
                except OSError as exc:
                    if exc.errno != ENOBUFS:
                        raise
                    buf, groups = b"", -1
                finally:
                    sock.settimeout(None)
            finally:
                self._give()
            if groups == -1:
                yield Overrun()
            elif groups:  # else a stale unicast answer to an earlier request
                yield from _read_events(buf)


def _seq_run(last: int, count: int) -> Sequence[int]:
    """The ``count`` (> 0) sequence numbers after ``last``, as :meth:`NetlinkSocket._next_seq`
    gives them one by one (1 follows 0xFFFFFFFF): a ``range`` unless the run wraps."""
    if last + count <= 0xFFFFFFFF:
        return range(last + 1, last + count + 1)
    return [i % 0xFFFFFFFF + 1 for i in range(last, last + count)]


def ack_only(buf: bytes | bytearray, seq: int, port: int) -> bool:
    """Whether the 36 bytes at the start of ``buf`` are exactly a success ``NLMSG_ERROR`` (an
    ACK) for request ``seq`` of port ``port``, one message filling the datagram: the request
    path's shortcut past the decoder, which it otherwise reads the datagram with.  ``True`` only
    where the decoder would return an ``ErrorMessage`` with ``error`` 0 for ``(seq, port)`` and
    nothing else (``tests/test_ack_fast_path.py`` checks both agree on every shape)."""
    length, mtype, flags, mseq, mpid, error, echoed = _unpack_ack(buf, 0)
    ok: bool = (length, mtype, error, mseq, mpid) == (36, NLMSG_ERROR, 0, seq, port) and (
        flags & NLM_F_CAPPED != 0 or echoed == 16  # the echo: a capped header, or all of it
    )
    return ok


def _read_events(data: bytes) -> Iterator[Message | Malformed]:
    """The messages of an event datagram, each decoded, or a :class:`Malformed` for what is not
    well-formed netlink (the rest of the datagram, when its framing is broken)."""
    try:
        for off, length, mtype, flags, seq, pid in iter_messages(data):
            chunk = data[off : off + length]
            try:
                yield decode_one(chunk, mtype, flags, seq, pid)
            except DecodeError as exc:
                yield Malformed(error=exc, data=chunk)
    except DecodeError as exc:
        yield Malformed(error=exc, data=data)


def _set_buffer(sock: Any, force_opt: int, opt: int, size: int) -> None:
    if not isinstance(size, int) or size <= 0:
        raise ValueError(f"buffer size must be a positive int, not {size!r}")
    try:
        sock.setsockopt(SOL_SOCKET, force_opt, size)
    except OSError as exc:
        if exc.errno != EPERM:
            raise
        sock.setsockopt(SOL_SOCKET, opt, size)
