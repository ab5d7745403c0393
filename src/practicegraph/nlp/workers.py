"""spaCy worker processes that cannot outlive the process that started them.

``nlp.pipe(n_process=2)`` forks worker processes that wait on a queue for
texts. If the parent is killed (``kill -9``, the OOM killer) nobody ever
writes to that queue or closes it, so the workers wait for ever, holding
memory and the store's open files. spaCy offers no hook to run code in its
workers, so this module registers a fork handler: a child forked while
:func:`children_die_with_parent` is active, by the thread that activated it,
asks the kernel (Linux ``PR_SET_PDEATHSIG``) for SIGKILL when that thread
ends. A child that finds its parent already gone exits at once.

The thread must still be running when the child's fork handler runs (if it
ended first, the child would belong to another thread of the process); spaCy's
pipe keeps its thread busy until it has joined its workers, so it always is.

Only forked children are covered: spaCy uses multiprocessing's default start
method, which is ``fork`` on Linux, the one platform with ``PR_SET_PDEATHSIG``.
Elsewhere this does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

__all__ = ["children_die_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

#: Threads of this process inside children_die_with_parent, with nesting depth,
#: and the pid they belong to (a forked child inherits both, then clears them).
_active: dict[int, int] = {}
_owner = 0
_active_lock = threading.Lock()
_registered = False


def _set_parent_death_signal() -> bool:
    """Ask the kernel for SIGKILL when the thread that forked us ends."""
    import ctypes  # imported here: only forked children need it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):  # no prctl in this C library
        return False


def _after_fork_in_child() -> None:
    """Runs in every child forked by this process; acts only for an active thread's.

    The child's one thread is a copy of the thread that forked, with its ident.
    """
    covered = threading.get_ident() in _active
    _active.clear()  # the child's own children are not covered unless it asks
    if covered and _set_parent_death_signal() and os.getppid() != _owner:
        os._exit(1)  # the parent died between the fork and the prctl: no signal will come


@contextlib.contextmanager
def children_die_with_parent(*, enabled: bool = True) -> Iterator[None]:
    """While active, children the calling thread forks are killed when it ends.

    Why tied to the thread, as ``PR_SET_PDEATHSIG`` is: a worker thread of a web
    server that ends normally would otherwise kill children someone else started.
    """
    global _owner, _registered
    if not enabled or not sys.platform.startswith("linux"):
        yield
        return
    thread = threading.get_ident()
    with _active_lock:
        if not _registered:
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _registered = True
        _owner = os.getpid()
        _active[thread] = _active.get(thread, 0) + 1
    try:
        yield
    finally:
        with _active_lock:
            if _active[thread] > 1:
                _active[thread] -= 1
            else:
                del _active[thread]
