"""rawnl's exceptions."""

from __future__ import annotations

import os

from .codec import DecodeError

__all__ = ["DecodeError", "NetlinkError"]


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

    def __str__(self) -> str:
        text = f"[Errno {self.errno}] {self.strerror}"
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

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (
            _rebuild,
            (self.errno, self.kernel_message, self.attribute, self.offset, self.missing, self.request_type),
        )


def _rebuild(  # noqa: PLR0917 - the pickle protocol passes arguments by position
    errno: int,
    kernel_message: str | None,
    attribute: str | None,
    offset: int | None,
    missing: str | None,
    request_type: int | None,
) -> NetlinkError:
    return NetlinkError(
        errno, kernel_message, attribute=attribute, offset=offset, missing=missing, request_type=request_type
    )
