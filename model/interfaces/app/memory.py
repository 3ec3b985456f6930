"""Give a closed browser session's memory back to the operating system.

When a page closes, Solara closes its kernel and drops the session's firms, charts and widgets,
but most of that is reference cycles that Python's collector frees only at its next full pass,
and the C allocator keeps freed heap pages for reuse instead of returning them. So the server's
memory grew with every session ever opened. :func:`reclaim_on_kernel_close` registers, once per
server process, a Solara kernel hook whose cleanup (run when any kernel closes) wakes one
reclaimer thread; after :data:`SETTLE_S` without another close it stops the idle worker threads
that served the closed websockets (each holds its stack; anyio would stop them only at the next
request), runs a full collection and asks glibc to return free heap pages (``malloc_trim``, where
it exists). The server runs with ``PYTHONMALLOC=malloc`` (:data:`model.interfaces.cli.app.OFFLINE_ENV`)
so that Python's objects live in that heap too: pymalloc's 1 MiB arenas are returned only when
wholly empty, and a session's churn leaves most of them holding a few long-lived objects.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
import time
from collections.abc import Callable

__all__ = ["SETTLE_S", "reclaim_now", "reclaim_on_kernel_close", "stop_idle_workers"]

#: Seconds without another kernel close before reclaiming (closes come in bursts: a tab, a class).
SETTLE_S = 1.0

_wake = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


def _trim() -> Callable[[int], int] | None:
    try:  # the C library this process already uses (glibc has malloc_trim; macOS, musl do not)
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


_MALLOC_TRIM = _trim()


def stop_idle_workers(timeout: float = 5.0) -> int:
    """Stop anyio's idle worker threads (what anyio does itself to those idle 10 s at its next call).

    The stop runs on each worker's event loop, as anyio's own pruning does, so it cannot race a
    new job taking the worker; the next job starts a fresh one. Returns how many stopped.
    """
    pools: dict[int, tuple] = {}
    for thread in threading.enumerate():
        idle, loop = getattr(thread, "idle_workers", None), getattr(thread, "loop", None)
        if type(thread).__name__ == "WorkerThread" and idle is not None and loop is not None:
            pools[id(idle)] = (idle, loop)
    stopped: list[threading.Thread] = []

    def prune(idle) -> None:
        while idle:
            worker = idle.popleft()
            worker.root_task.remove_done_callback(worker.stop)
            worker.stop()
            stopped.append(worker)

    for idle, loop in pools.values():
        try:
            loop.call_soon_threadsafe(prune, idle)
        except RuntimeError:  # that loop has closed
            continue
    time.sleep(0.2)
    for worker in list(stopped):
        worker.join(timeout)
    return len(stopped)


def reclaim_now() -> None:
    """A full garbage collection, then return free heap pages to the OS (glibc)."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _reclaimer() -> None:
    while True:
        _wake.wait()
        while _wake.wait(SETTLE_S):  # wait until closes stop coming for SETTLE_S
            _wake.clear()
        # If anyio changed its internals, its idle threads go at its own next prune instead.
        with contextlib.suppress(Exception):
            stop_idle_workers()
        reclaim_now()


def _kernel_started() -> Callable[[], None]:
    global _thread
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_reclaimer, name="retention-reclaim", daemon=True)
            # Solara hands a thread the kernel it was started in; this one serves every kernel
            # and must not keep the first one alive.
            _thread.current_context = None  # type: ignore[attr-defined]
            _thread.start()
    return _wake.set  # Solara calls it when this kernel closes


def reclaim_on_kernel_close() -> None:
    """Register the kernel hook (idempotent: one registration per process)."""
    import solara.lifecycle

    if not any(e.callback is _kernel_started for e in solara.lifecycle._on_kernel_start_callbacks):
        solara.lifecycle.on_kernel_start(_kernel_started)
