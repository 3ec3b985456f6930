"""Local process pools that stop with the process that started them.

A :class:`~concurrent.futures.ProcessPoolExecutor` left to itself outlives an interrupted parent:
``with pool:`` waits for every running task on the way out (minutes after Ctrl+C or SIGTERM), and
a parent killed outright (SIGKILL, out of memory) leaves its workers, and multiprocessing's resource
tracker, running until their tasks end. :func:`process_pool` fixes both: each worker runs a
watchdog thread that exits the worker as soon as its parent is gone (its parent process id
changes), and leaving the block by an exception cancels what is queued and terminates the workers
instead of waiting for them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any

__all__ = ["WATCH_SECONDS", "die_with_parent", "process_pool", "stop_pool"]

#: How often a worker checks that its parent still lives (seconds).
WATCH_SECONDS = 0.5


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone: nobody will read our results
        time.sleep(WATCH_SECONDS)


def die_with_parent(parent: int, then: Callable[[], None] | None = None) -> None:
    """Worker initializer: exit when process ``parent`` is no longer this worker's parent.

    ``parent`` is passed from the parent rather than read here: a worker still starting when its
    parent was killed would otherwise take its new parent (init) for the real one.
    """
    if os.getppid() != parent:
        os._exit(1)
    # The parent decides when to stop: Ctrl+C (sent to the whole terminal group) is its to handle,
    # and a SIGTERM from it ends a worker quietly (a forked worker would inherit its handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="watch-parent").start()
    from model.engine.kernels import quiet_first_compile

    quiet_first_compile()  # (the parent says it once, not each worker again)
    if then is not None:
        then()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and terminate the workers now (no waiting for running tasks)."""
    procs = dict(getattr(pool, "_processes", None) or {})
    manager = getattr(pool, "_executor_manager_thread", None)  # (shutdown forgets these)
    queue = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs.values():
        if proc.is_alive():
            proc.terminate()
    for proc in procs.values():
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
    # A worker stopped while it was sending its result leaves the manager thread reading the rest
    # of that message for ever (this process holds the pipe's write end too), and the
    # interpreter's exit hook waits on that thread: a stopped `run --replications` printed its
    # line and never exited (CI, 2026-12-04). With every worker gone, closing our write end turns
    # the wait into end-of-file, which the manager takes for a broken pool, and it finishes.
    writer = getattr(queue, "_writer", None)  # (a private attribute: absent, nothing to close)
    if manager is not None and manager.is_alive() and writer is not None:
        with suppress(OSError):  # (a private pipe: whatever its state, the stop goes on)
            writer.close()
    # Let the pool's manager thread finish, closing its wake-up pipe, before the interpreter's
    # exit hook writes to that pipe: in CPython 3.12.1 the two race, and a stop printed
    # "OSError: [Errno 9] Bad file descriptor" from concurrent.futures at exit (gh-125451's fix,
    # a lock in _ThreadWakeup, came later).
    if manager is not None and manager.is_alive():
        manager.join(timeout=5)


@contextmanager
def process_pool(
    workers: int, *, mp_context: Any = None, initializer: Callable[[], None] | None = None
) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process and stop at once on an exception."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp_context,
        initializer=die_with_parent,
        initargs=(os.getpid(), initializer),
    )
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)
