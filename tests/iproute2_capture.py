"""iproute2's requests as bytes: the golden vectors in ``tests/data``, and live captures with strace.

Shared by the tests (``test_golden``, ``test_differential``, ``test_requests``) and by
``tools/capture_golden.py``, which writes the vectors (it puts this directory on ``sys.path``), so
it imports nothing from pytest.

- :func:`load`: a vector's bytes (the hex left of each ``#`` in ``tests/data/NAME.hex``);
- :func:`strace_sent`: every netlink message a command sends, from strace's hex dumps;
- :func:`nul_terminate_kinds`: iproute2's link kinds with the NUL rawnl sends (the one
  difference between ip's requests and rawnl's, normalised away before comparing bytes).
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

from rawnl.wire import codec
from rawnl.wire import link as wlink

DATA = Path(__file__).parent / "data"
HDR = codec.NLMSG_HDR
NLA = struct.Struct("=HH")
LINK_TYPES = (16, 17, 18, 19)  # RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK
IFLA_LINKINFO = wlink.LINK.by_name["IFLA_LINKINFO"].number
KIND_ATTRS = (1, 4)  # IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND

# strace -e write=all: the call, then its buffer as hex-dump lines "| 00000  30 00 00 00 ...  0...";
# with -f, a child's lines may start with "[pid N]" (or "N " with -o).  At most 16 bytes a line:
# the ASCII column after them may itself look like hex ("ab c").
_SYSCALL = re.compile(r"^(?:\[pid\s+\d+\]\s*|\d+\s+)?(?:sendmsg|sendto)\(")
_DUMP_LINE = re.compile(r"^\s*(?:\[pid\s+\d+\]\s*|\d+\s+)?\|\s*[0-9a-f]{5}\s+((?:[0-9a-f]{2}\s{1,2}){1,16})")


def load(name: str) -> bytes:
    """The hex left of each ``#`` in ``tests/data/NAME.hex``."""
    text = (DATA / f"{name}.hex").read_text()
    return bytes.fromhex("".join("".join(line.split("#", 1)[0].split()) for line in text.splitlines()))


def strace_sent(argv: list[str], *, check: bool = True) -> list[bytes]:
    """Run ``argv`` under strace; every netlink message it sent, as sent (seq and pid included).

    ``RuntimeError`` with strace's output if the command fails, unless ``check`` is false (a
    command the kernel refuses has still sent its request)."""
    cmd = ["strace", "-f", "-qq", "-e", "trace=sendmsg,sendto", "-e", "write=all", "-xx", "-s", "65536", *argv]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr[-2000:]}")
    blobs: list[bytearray] = []
    for line in proc.stderr.splitlines():
        if _SYSCALL.match(line):
            blobs.append(bytearray())
        elif blobs and (m := _DUMP_LINE.match(line)):
            blobs[-1] += bytes.fromhex(m.group(1))
    out = []
    for blob in blobs:
        off = 0
        while len(blob) - off >= 16:
            length = HDR.unpack_from(blob, off)[0]
            if length < 16 or length > len(blob) - off:
                break
            out.append(bytes(blob[off : off + length]))
            off += (length + 3) & ~3
    return out


def nul_terminate_kinds(msg: bytes) -> bytes:
    """iproute2 sends ``IFLA_INFO_KIND`` (and ``IFLA_INFO_SLAVE_KIND``) as ``strlen(kind)`` bytes
    without the NUL; rawnl sends the NUL, as the kernel's own messages do (its NLA_STRING policy
    takes both).  Add the NUL inside the top-level ``IFLA_LINKINFO`` of a link message and fix the
    lengths of that nest and of the message; nothing else is touched."""
    length, mtype = HDR.unpack_from(msg)[:2]
    assert length == len(msg)
    if mtype not in LINK_TYPES:
        return msg
    out = bytearray(msg[:32])
    off = 32
    while off < len(msg):
        alen, atype = NLA.unpack_from(msg, off)
        payload = msg[off + 4 : off + alen]
        if atype & codec.NLA_TYPE_MASK == IFLA_LINKINFO:
            inner = bytearray()
            ioff = 0
            while ioff < len(payload):
                ilen, itype = NLA.unpack_from(payload, ioff)
                ipayload = payload[ioff + 4 : ioff + ilen]
                if itype & codec.NLA_TYPE_MASK in KIND_ATTRS and not ipayload.endswith(b"\0"):
                    ipayload += b"\0"
                inner += NLA.pack(4 + len(ipayload), itype) + ipayload + bytes(-len(ipayload) % 4)
                ioff += (ilen + 3) & ~3
            payload = bytes(inner)
        out += NLA.pack(4 + len(payload), atype) + payload + bytes(-len(payload) % 4)
        off += (alen + 3) & ~3
    HDR.pack_into(out, 0, len(out), *HDR.unpack_from(msg)[1:])
    return bytes(out)
