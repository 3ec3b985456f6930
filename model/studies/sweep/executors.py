"""Where a sweep's tasks run: this process, a local process pool, or Dask.

Local pools stop with the sweep (:mod:`model.studies.pools`); a Dask LocalCluster serves no
dashboard or info pages, and its workers exit when the sweep's process dies (Dask's own parent
watch); a remote scheduler is a ``tcp://`` address, or ``tls://`` with a CA, a certificate and a key.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import ExitStack, contextmanager
from numbers import Integral
from typing import Any

from model.engine.elementwise import usable_cores
from model.studies.sweep.spec import SweepError

__all__ = [
    "NO_HTTP",
    "THREAD_VARS",
    "InProcessExecutor",
    "SameCodeExecutor",
    "executor",
    "usable_cores",
]

#: Dask settings for a LocalCluster: no HTTP routes on the scheduler or the workers.
NO_HTTP = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
#: BLAS/OpenMP pools pinned to one thread: one single-threaded process per core scales best.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ================================================================================ executors
class InProcessExecutor(Executor):
    """Runs each task at once in this process (the serial baseline; easiest to debug)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # a task's error belongs to its future
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future


def _pin_threads() -> None:
    for var in THREAD_VARS:
        os.environ[var] = "1"


@contextmanager
def _single_threaded_env() -> Iterator[None]:
    """Children started inside inherit one-thread BLAS settings before they import numpy."""
    saved = {var: os.environ.get(var) for var in THREAD_VARS}
    _pin_threads()
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


@contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """No Dask log lines on the terminal: a stopped sweep's workers log a warning per task and,
    when the scheduler goes first, a heartbeat error with its traceback; and the in-process
    scheduler's gather from a worker that a stop closed ends in an error that Tornado's
    ``tornado.application`` logger prints with its traceback (Dask leaves that logger at ERROR).
    A task's own error still reaches the sweep (its future raises) and is reported there as one
    line.

    Set in the environment too, so that the worker processes (which read it on start) inherit it.
    """
    import logging

    saved = os.environ.get("DASK_LOGGING__DISTRIBUTED")
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado.application")]
    levels = [logger.level for logger in loggers]
    os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        if saved is None:
            os.environ.pop("DASK_LOGGING__DISTRIBUTED", None)
        else:
            os.environ["DASK_LOGGING__DISTRIBUTED"] = saved


@contextmanager
def _stops_held() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM until the block ends, then deliver the first one that came.

    For the seconds a Dask LocalCluster takes to start: stopped half-way, it cannot be closed
    (Dask's exit hook then prints an AssertionError traceback); held, the stop arrives once the
    cluster is up and closes it. Outside the main thread signals cannot be handled: no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: came.append(signum)) for s in stops}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if came:
            signal.raise_signal(came[0])  # the restored handler raises (or the default ends us)


@contextmanager
def executor(
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    *,
    tls: tuple[os.PathLike, os.PathLike, os.PathLike] | None = None,
    code: Callable[[], str] | None = None,
) -> Iterator[tuple[Executor, int, str]]:
    """An executor for a sweep, with its number of worker slots and a description.

    Parameters
    ----------
    workers : int, optional
        1: in-process; N > 1: a local pool of N single-threaded processes ('spawn' context).
        Default: one process per available core.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); workers must see the store's
        folder (a shared file system) and have this package installed.
    dask_local : int, optional
        Start a Dask ``LocalCluster`` of this many single-threaded worker processes on 127.0.0.1.
    tls : (ca_file, cert, key), optional
        PEM files for a ``tls://`` scheduler (encryption required, both sides authenticated).
    code : callable, optional
        A picklable function naming the code that decides the runs' numbers (a digest): on a
        running scheduler every task first checks, on its worker, that the worker's answer is
        this process's, and fails (naming the worker) before it runs where it differs — a run
        made by other code would be stored as this code's (:class:`SameCodeExecutor`). Default:
        the simulation's sources (:func:`model.studies.sweep.store.simulation_digest`, line
        endings normalised).
    """
    chosen = sum(x is not None for x in (workers, scheduler, dask_local))
    if chosen > 1:
        raise SweepError("choose one of --workers, --scheduler and --dask-local")
    for flag, value in (("--workers", workers), ("--dask-local", dask_local)):
        # (a string or a float failed deep in a comparison: "'<' not supported")
        if value is not None and (isinstance(value, bool) or not isinstance(value, Integral)):
            raise SweepError(f"{flag}: value {value!r} is not allowed; allowed: an integer ≥ 1")
    if scheduler is not None or dask_local is not None:
        with _dask(scheduler, dask_local, tls, code) as out:
            yield out
        return
    n = workers if workers is not None else usable_cores()
    if n < 1:
        raise SweepError(f"--workers: value {n} is not allowed; allowed: an integer ≥ 1")
    if n == 1:
        yield InProcessExecutor(), 1, "this process (serial)"
        return
    import multiprocessing

    from model.studies.pools import process_pool

    with (
        _single_threaded_env(),
        process_pool(
            n, mp_context=multiprocessing.get_context("spawn"), initializer=_pin_threads
        ) as pool,
    ):
        cores = usable_cores()  # (1,000 on 2 cores ran 14 times slower than one, unsaid)
        some = f"{cores} core{'s' * (cores != 1)}"
        more = f" (more than this machine's {some}: they wait for them)" if n > cores else ""
        yield pool, n, f"{n} local processes{more}"


@contextmanager
def _dask(
    scheduler: str | None,
    n_local: int | None,
    tls: tuple | None = None,
    code: Callable[[], str] | None = None,
) -> Iterator[tuple[Executor, int, str]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepError(
            "Dask is not installed; install the extra: pip install 'retention-lab[dask]'"
        ) from None
    import dask

    if n_local is not None:
        if n_local < 1:
            raise SweepError(f"--dask-local: value {n_local} is not allowed; allowed: ≥ 1")
        with (
            _single_threaded_env(),
            _quiet_dask_logs(),
            # No dashboard and no info/health/metrics routes: the HTTP servers Dask always starts
            # listen on loopback at a free port and serve nothing.
            dask.config.set(NO_HTTP),
            ExitStack() as stack,
        ):
            with _stops_held():  # a cluster stopped half-started cannot be closed
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=n_local,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address="127.0.0.1:0",
                        worker_dashboard_address=None,
                        scheduler_kwargs={"dashboard": False},
                        # Ctrl+C is the sweep's: each worker printed a traceback of its own.
                        preload=["model.studies.sweep.quiet_worker"],
                    )
                )
                client = stack.enter_context(Client(cluster))
            yield client.get_executor(pure=False), n_local, f"Dask LocalCluster({n_local})"
        return
    scheme = str(scheduler).partition("://")[0] if "://" in str(scheduler) else "tcp"
    if scheme not in ("tcp", "tls") or (scheme == "tls") != (tls is not None):
        raise SweepError(
            f"--scheduler {scheduler!r}: allowed: tcp://HOST:PORT, or tls://HOST:PORT with a CA "
            "file, a certificate and a key (--tls-ca-file, --tls-cert, --tls-key)"
        )
    security = None
    if tls is not None:
        from distributed.security import Security

        ca, cert, key = (str(f) for f in tls)
        security = Security(
            tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True
        )
    try:
        client = Client(scheduler, timeout="20s", security=security)
    except Exception as exc:
        raise SweepError(
            f"--scheduler {scheduler!r}: cannot connect to a Dask scheduler there "
            f"({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    with client:
        slots = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()) or 1
        checked = SameCodeExecutor(client.get_executor(pure=False), code or _simulation_code)
        yield checked, slots, f"Dask cluster at {scheduler} ({slots} slots)"


class SameCodeExecutor(Executor):
    """An executor whose every task first checks that its worker runs this process's code.

    ``code`` runs here once and on each worker process once (kept); a task whose worker answers
    otherwise — or cannot import this package — fails with a :class:`SweepError` naming the
    worker, before it runs. Asked in the task itself, not once before the sweep, so a worker that
    joins later is asked too and a frozen worker delays no one.
    """

    def __init__(self, inner: Executor, code: Callable[[], str]) -> None:
        self._inner, self._code, self._expected = inner, code, code()

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._inner.submit(_checked, self._code, self._expected, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self._inner.shutdown(wait=wait, cancel_futures=True)
        else:  # (Dask's ClientExecutor takes no cancel_futures)
            self._inner.shutdown(wait=wait)


def _simulation_code() -> str:
    """The default ``code``: the simulation's sources, line endings normalised (CRLF = LF), and
    the numerics class (``digest/class``: a worker whose numpy computes ``exp``… to other last
    bits computes other numbers from the same seeds, docs/ODD.md §8). A module-level function,
    so each worker's cache finds it again in every task (a pickled ``functools.partial`` would
    be a new key each time)."""
    from model.engine.numerics import numerics_class
    from model.studies.sweep.store import simulation_digest

    return f"{simulation_digest(newlines=True)}/{numerics_class()}"


def _checked(code: Callable[[], str], expected: str, fn: Callable, *args: Any, **kwargs: Any):
    """``fn(*args, **kwargs)`` once this worker's ``code()`` is ``expected``."""
    found = _digest_here(code)
    if found != expected:
        code_found, _, class_found = found.partition("/")
        code_expected, _, class_expected = expected.partition("/")
        if code_found == code_expected and class_expected:
            raise SweepError(
                f"worker {_worker_name()} runs this code but its numpy computes exp, log… to "
                f"other last bits (numerics class {class_found}, expected {class_expected}), so "
                "the same seeds would give it other numbers; "
                "run the sweep on machines of one class, or set the same NPY_DISABLE_CPU_FEATURES "
                "on every worker (docs/ODD.md §8)"
            )
        raise SweepError(
            f"worker {_worker_name()} runs other model code than the process that submitted "
            f"this task (digest {found[:12]}, expected {expected[:12]}); install the same "
            "version of retention-lab on every worker"
        )
    return fn(*args, **kwargs)


@functools.lru_cache(maxsize=8)
def _digest_here(code: Callable[[], str]) -> str:
    return code()


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # (not on a Dask worker)
        import socket

        return socket.gethostname()
