"""Take away a query worker's ability to open network sockets (Linux seccomp).

The SPARQL endpoint refuses SERVICE calls outside the allow-list after reading
each query with a real parser (:mod:`practicegraph.api.sparql_guard`). That
check compares two grammars, rdflib's and the engine's; a difference between
them not yet known would let a query through. So when no endpoint is
allow-listed -- the default -- the worker processes that run queries cannot
reach the network at all: before they read their first query they install a
seccomp filter under which ``socket()`` for IPv4 and IPv6 fails with EACCES.
Their pipes to the server are already open, and Unix sockets stay allowed. A
SERVICE call then fails inside the engine and the query gets an error; no
packet leaves the process.

The filter is a few classic-BPF instructions handed to ``prctl`` through
ctypes (as :func:`practicegraph.graph.snapshot_worker.die_with_parent` already does), for x86-64 and
AArch64; on another architecture or kernel, :func:`forbid_network` says it could
not and the worker runs as before (the parser check still holds).
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000

# BPF opcodes: load a word at an absolute offset of seccomp_data, jump if equal, return.
_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_RET = 0x06  # BPF_RET | BPF_K

#: (AUDIT_ARCH_* value, socket() syscall numbers) per machine; x86-64's x32 ABI
#: numbers its calls from 0x40000000 and is closed too.
_ARCHES = {
    "x86_64": (0xC000003E, (41, 0x40000000 + 41)),
    "aarch64": (0xC00000B7, (198,)),
}


class _SockFilter(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def _program(arch: int, socket_calls: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """The filter: for socket(AF_INET | AF_INET6, ...) return EACCES, else allow.

    seccomp_data holds ``nr`` at offset 0, ``arch`` at 4 and ``args[0]`` at 16
    (its low 32 bits on a little-endian machine, which both supported ones are).
    Jumps count the instructions skipped. The layout, with n socket numbers::

        0        load arch
        1        arch is ours?            else -> allow
        2        load nr
        3..n+2   nr is socket()?          yes -> domain check; last: no -> allow
        n+3      load args[0] (domain)
        n+4      AF_INET?                 -> deny
        n+5      AF_INET6?                -> deny
        n+6      allow
        n+7      deny (EACCES)
    """
    n = len(socket_calls)
    allow, deny, domain = n + 6, n + 7, n + 3

    def jump(at: int, target: int) -> int:
        return target - at - 1

    program = [(_LD_ABS, 0, 0, 4), (_JEQ, 0, jump(1, allow), arch), (_LD_ABS, 0, 0, 0)]
    for index, number in enumerate(socket_calls):
        at = 3 + index
        otherwise = 0 if index < n - 1 else jump(at, allow)
        program.append((_JEQ, jump(at, domain), otherwise, number))
    program += [
        (_LD_ABS, 0, 0, 16),
        (_JEQ, jump(n + 4, deny), 0, int(socket.AF_INET)),
        (_JEQ, jump(n + 5, deny), 0, int(socket.AF_INET6)),
        (_RET, 0, 0, _SECCOMP_RET_ALLOW),
        (_RET, 0, 0, _SECCOMP_RET_ERRNO | errno.EACCES),
    ]
    return program


def forbid_network() -> str | None:
    """Install the filter in this process (irreversibly); None, or why it could not."""
    if not sys.platform.startswith("linux"):
        return "not Linux"
    machine = platform.machine()
    if machine not in _ARCHES or struct.pack("=I", 1)[0] != 1:
        return f"no filter for {machine}"
    arch, calls = _ARCHES[machine]
    program = _program(arch, calls)
    filters = (_SockFilter * len(program))(*(_SockFilter(*line) for line in program))
    fprog = _SockFprog(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"prctl(SECCOMP) failed: errno {ctypes.get_errno()}"
    return None
