"""Children forked inside children_die_with_parent are killed when their parent thread ends."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

import pytest

from practicegraph.nlp.workers import children_die_with_parent

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only"
)
FORK = multiprocessing.get_context("fork")


def _sleep(ready: Connection) -> None:
    ready.send("ready")
    time.sleep(60)


def _start_sleeper(covered: bool, out: list[multiprocessing.process.BaseProcess]) -> None:
    """Start a child that sleeps for a minute, from this thread, which then ends.

    The thread waits for the child to run its target first, as a spaCy pipe
    outlives its workers' start: a thread that ended before the child's fork
    handler ran would leave the child to the next thread of the process.
    """
    receive, send = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_sleep, args=(send,), daemon=True)
    if covered:
        with children_die_with_parent():
            child.start()
    else:
        child.start()
    assert receive.poll(30) and receive.recv() == "ready"
    out.append(child)


def _from_a_thread(covered: bool) -> multiprocessing.process.BaseProcess:
    started: list[multiprocessing.process.BaseProcess] = []
    thread = threading.Thread(target=_start_sleeper, args=(covered, started))
    thread.start()
    thread.join()
    return started[0]


def test_a_covered_child_dies_with_the_thread_that_forked_it() -> None:
    child = _from_a_thread(covered=True)
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL


def test_children_forked_outside_are_left_alone() -> None:
    child = _from_a_thread(covered=False)
    try:
        child.join(timeout=0.5)
        assert child.exitcode is None  # still sleeping
    finally:
        child.kill()
        child.join(timeout=30)


def test_disabled_does_nothing() -> None:
    started: list[multiprocessing.process.BaseProcess] = []

    def start() -> None:
        with children_die_with_parent(enabled=False):
            child = FORK.Process(target=time.sleep, args=(60,), daemon=True)
            child.start()
        started.append(child)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    try:
        started[0].join(timeout=0.5)
        assert started[0].exitcode is None
    finally:
        started[0].kill()
        started[0].join(timeout=30)
