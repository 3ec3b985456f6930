"""Many worlds' arms run together: each ``measure`` in a thread of its own, its arms gathered.

A claim's ``measure(baseline, seed)`` runs its arms (:func:`experiments.running.arms.arms`) and reads
them. One world's arms are one to six small runs; a batch of worlds holds dozens. Run world by
world, a claim with one arm runs its markets one at a time; gathered, every world's arms run
together in one :func:`model.studies.run.simulate_many` (small markets eight at a time, phase by
phase: about half again as many runs a second at 800 clients × 60 months), and each run's numbers
are still those of its solo run, so every reading is what measuring world by world gives
(``tests/test_together.py``).

:func:`measure_together` calls ``measure`` for every world in threads of its own. When every
thread is either finished or waiting in :func:`run_arms`, the calling thread runs all the waiting
arms at once and hands each thread its own; a ``measure`` that runs arms twice (the second
depending on the first) simply waits twice. The claim modules stay plain functions that call
:func:`~experiments.running.arms.arms`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from model import Scenario
from model.studies.run import RunResult, simulate_many

__all__ = ["measure_together", "run_arms"]

#: The gathering the current thread's ``measure`` belongs to (none outside measure_together).
_LOCAL = threading.local()


class _Request:
    """One thread's arms, waiting to be run."""

    def __init__(self, scenarios: Sequence[Scenario]) -> None:
        self.scenarios = list(scenarios)
        self.results: list[RunResult] | None = None
        self.error: BaseException | None = None
        self.done = False


class _Gathering:
    """Threads of one :func:`measure_together` and the arms they wait for."""

    def __init__(self, jobs: int) -> None:
        self.cond = threading.Condition()
        self.busy = jobs  # threads neither finished nor waiting for arms
        self.waiting: list[_Request] = []
        self.stopped: BaseException | None = None  # set when the caller gave up
        # One thread runs at a time, from its start or its arms to its next arms or its end:
        # threads that took turns with the GIL instead were slower than running no thread at all.
        self.turn = threading.Lock()

    def started(self) -> None:
        self.turn.acquire()

    def request(self, scenarios: Sequence[Scenario]) -> list[RunResult]:
        """Wait until the caller has run ``scenarios`` (with every other thread's)."""
        req = _Request(scenarios)
        with self.cond:
            if self.stopped is not None:
                raise RuntimeError("measure_together stopped") from self.stopped
            self.waiting.append(req)
            self.busy -= 1
            self.cond.notify_all()
        self.turn.release()
        with self.cond:
            while not req.done:
                self.cond.wait()
        self.turn.acquire()
        if req.error is not None:
            raise req.error
        return req.results  # type: ignore[return-value]

    def finished(self) -> None:
        with self.cond:
            self.busy -= 1
            self.cond.notify_all()
        self.turn.release()

    def next_round(self) -> list[_Request]:
        """Wait until no thread is busy; the requests then waiting (none: every thread ended)."""
        with self.cond:
            while self.busy > 0:
                self.cond.wait()
            batch, self.waiting = self.waiting, []
            return batch

    def release(self, batch: list[_Request]) -> None:
        """Hand each request its results (or error) and count its thread busy again."""
        with self.cond:
            for req in batch:
                req.done = True
            self.busy += len(batch)
            self.cond.notify_all()

    def stop(self, error: BaseException, running: Sequence[_Request] = ()) -> None:
        """Fail the requests being run, every waiting one and every later one (the caller is
        leaving)."""
        with self.cond:
            self.stopped = error
            for req in (*running, *self.waiting):
                if not req.done:
                    req.error, req.done = RuntimeError("measure_together stopped"), True
            self.waiting = []
            self.cond.notify_all()


def run_arms(scenarios: Sequence[Scenario]) -> list[RunResult]:
    """Run ``scenarios`` (a world's arms): with every other world's when inside
    :func:`measure_together`, else at once; results in the same order."""
    gathering: _Gathering | None = getattr(_LOCAL, "gathering", None)
    if gathering is None:
        return simulate_many(scenarios)
    return gathering.request(scenarios)


def measure_together(measure: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
    """``[measure(*args) for args in calls]``, every call's arms run together.

    Each call's result, or its error, is what calling it alone gives (an error is raised here,
    the first by position, after every other call has ended).
    """
    if len(calls) < 2:
        return [measure(*args) for args in calls]
    gathering = _Gathering(len(calls))

    def job(args: tuple) -> Any:
        gathering.started()
        _LOCAL.gathering = gathering
        try:
            return measure(*args)
        finally:
            _LOCAL.gathering = None
            gathering.finished()

    futures = []
    batch: list[_Request] = []
    with ThreadPoolExecutor(len(calls), thread_name_prefix="measure") as threads:
        try:
            for args in calls:
                futures.append(threads.submit(job, args))
            while batch := gathering.next_round():
                _run(batch)
                gathering.release(batch)
        except BaseException as exc:  # (an interrupt, or no thread to start): end every thread
            gathering.stop(exc, batch)  # (the batch in hand too: its threads wait for it)
            raise
    return [f.result() for f in futures]


def _run(batch: list[_Request]) -> None:
    """Every request's arms in one ``simulate_many``; if that fails, each request's alone, so an
    error reaches the measure whose arm raised it and no other."""
    try:
        results = simulate_many([s for req in batch for s in req.scenarios])
    except Exception:
        for req in batch:
            try:
                req.results = simulate_many(req.scenarios)
            except Exception as exc:  # (this request's own error, raised in its thread)
                req.error = exc
        return
    start = 0
    for req in batch:
        req.results = results[start : start + len(req.scenarios)]
        start += len(req.scenarios)
