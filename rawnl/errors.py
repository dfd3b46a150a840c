"""Every exception rawnl raises, in one place (all exported from :mod:`rawnl`).

=========================  ====================  ===============================================
exception                  base                  raised when
=========================  ====================  ===============================================
:class:`DecodeError`       ``ValueError``        bytes are not well-formed netlink (the codec)
:class:`InvalidMessageError` ``ValueError``      a well-formed message holds what its typed view
                                                 cannot represent (the typed layer, the shapes)
:class:`NetlinkError`      ``OSError``           the kernel refused a request (errno + its text)
:class:`DumpInterrupted`   ``Exception``         a dump ended with ``NLM_F_DUMP_INTR`` too often
:class:`BatchOverrunError` ``OSError``           a batch's answers overflowed the receive buffer
:class:`NamespaceRestoreError` ``BaseException`` a thread could not return to its namespace
:class:`NetworkConfigError` ``ValueError``       a runc network config field is wrong
:class:`CommandError`      ``Exception``         the ``rawnl`` command's one-line user errors
=========================  ====================  ===============================================

Bad arguments to the operations raise plain ``ValueError`` naming the argument, before anything
is sent.  This module imports nothing of rawnl's, so every layer can use it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .wire.message import Message

__all__ = [
    "BatchOverrunError",
    "CommandError",
    "DecodeError",
    "DumpInterrupted",
    "InvalidMessageError",
    "NamespaceRestoreError",
    "NetlinkError",
    "NetworkConfigError",
]


class DecodeError(ValueError):
    """Malformed netlink data.  ``offset`` is the byte offset of the problem in the buffer given
    to the decoder (for a message inside a larger buffer, counted from that buffer's start)."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} (at byte offset {offset})")
        self.reason = reason
        self.offset = offset


class InvalidMessageError(ValueError):
    """A message that decoded (its framing is sound) holds something its typed view cannot
    represent: an attribute that occurs twice where one value is expected, a prefix length longer
    than the address, host bits set in a route's destination.  ``field`` names it (``"IFLA_MTU"``,
    ``"rtm_dst_len"``); ``reason`` says what is wrong.  The typed results (``link_from`` and the
    others), their properties and the command's ``ip`` shapes raise nothing else on a decoded
    message; :meth:`rawnl.IPRoute.monitor` turns it into a :class:`rawnl.Malformed` event."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NetlinkError(OSError):
    """The kernel refused a request.

    An :class:`OSError`: ``errno`` and ``strerror`` are the usual ones; ``kernel_message`` is the
    kernel's extended-ack text (``"Unknown device type"``), ``attribute`` the name of the
    attribute the kernel pointed at (``"IFLA_MTU"``), ``missing`` the name of a missing required
    attribute, each ``None`` when the kernel did not say.
    """

    def __init__(
        self,
        errno: int,
        kernel_message: str | None = None,
        *,
        attribute: str | None = None,
        offset: int | None = None,
        missing: str | None = None,
        request_type: int | None = None,
        operation: str | None = None,
    ) -> None:
        try:
            strerror = os.strerror(errno)
        except (OverflowError, ValueError):  # a corrupt reply's error field (-INT_MIN, say)
            strerror = f"Unknown error {errno}"
        super().__init__(errno, strerror)
        self.kernel_message = kernel_message
        self.attribute = attribute
        self.offset = offset
        self.missing = missing
        self.request_type = request_type
        #: What was being done, named by the operation that sent it: ``link_add_bridge('br0')``.
        self.operation = operation

    def __str__(self) -> str:
        text = f"[Errno {self.errno}] {self.strerror}"
        if self.operation:
            text = f"{self.operation}: {text}"
        if self.kernel_message:
            text += f": {self.kernel_message}"
        details = []
        if self.attribute:
            details.append(f"attribute {self.attribute}")
        elif self.offset is not None:
            details.append(f"offset {self.offset}")
        if self.missing:
            details.append(f"missing {self.missing}")
        if details:
            text += f" ({', '.join(details)})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (
                self.errno,
                self.kernel_message,
                self.attribute,
                self.offset,
                self.missing,
                self.request_type,
                self.operation,
            ),
        )


def _rebuild(  # noqa: PLR0917 - the pickle protocol passes arguments by position
    errno: int,
    kernel_message: str | None,
    attribute: str | None,
    offset: int | None,
    missing: str | None,
    request_type: int | None,
    operation: str | None = None,
) -> NetlinkError:
    return NetlinkError(
        errno,
        kernel_message,
        attribute=attribute,
        offset=offset,
        missing=missing,
        request_type=request_type,
        operation=operation,
    )


class DumpInterrupted(Exception):  # noqa: N818 - the kernel's name for it (NLM_F_DUMP_INTR)
    """A dump ended with ``NLM_F_DUMP_INTR``: the table changed while it was read, so the result
    may be inconsistent.  ``messages`` holds everything that was received."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__(f"dump interrupted by a concurrent change ({len(messages)} messages received)")
        self.messages = messages


class BatchOverrunError(OSError):
    """The receive buffer overflowed during a batch, so some outcomes are unknown (the requests
    were sent).  Raised only if the sizing in :meth:`rawnl.NetlinkSocket.batch` was wrong."""


class NamespaceRestoreError(BaseException):
    """A thread could not be moved back to its own network namespace.

    A :class:`BaseException` (not an :class:`Exception`) on purpose: the thread is still in the
    other namespace, and code that goes on after ``except Exception:`` would open sockets and
    change links there.  The thread stays marked: :meth:`rawnl.NetNS.enter` and
    :func:`rawnl.engine.netns.check_thread` raise this again on it.  ``errno`` is the error of
    the failed ``setns``; ``original`` the exception that was propagating out of the ``with``
    block, if any.
    """

    def __init__(self, message: str, errno: int = 0, original: BaseException | None = None) -> None:
        super().__init__(message)
        self.errno = errno
        self.original = original


class NetworkConfigError(ValueError):
    """A network config field is wrong; ``field`` is its JSON name (or ``None`` for the document)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class CommandError(Exception):
    """A mistake the user of the ``rawnl`` command can fix: printed as one line, exit status 1."""
