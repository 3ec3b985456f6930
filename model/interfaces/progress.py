"""Progress for long commands: a tqdm bar with an estimate on a terminal, silence in pipes and CI.

Every long command (run, compare, optimize, sweep, calibrate, sensitivity) shows its bar from the
first second (no delay), and only where a person watches: stderr is a terminal and ``CI`` is not
set. Studies that do not take an executor are told a bar through :mod:`model.studies.progress`.
:class:`ProgressExecutor` counts the runs of a study that takes an executor, without the study
knowing about bars.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

__all__ = ["ProgressExecutor", "bar", "watched"]


def watched(enabled: bool = True) -> bool:
    """True when a bar should be drawn: asked for, stderr is a terminal, not in CI."""
    return bool(enabled and sys.stderr.isatty() and not os.environ.get("CI"))


def bar(total: int | None, desc: str, unit: str = "run", enabled: bool = True) -> Any:
    """A tqdm bar on stderr, drawn at once (no delay) when :func:`watched`, else disabled."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        disable=not watched(enabled),
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        smoothing=0.1,
        # Redraw on every step: a study's steps are whole runs (tens of ms or more), so this costs
        # nothing, and the last count is always on screen before the bar clears.
        mininterval=0,
        miniters=1,
    )


class ProgressExecutor(Executor):
    """An executor that advances a bar by one per finished call.

    Parameters
    ----------
    inner : Executor or None
        Where calls run (a process pool); None runs them here, one after another.
    progress : tqdm
        The bar to advance (:func:`bar`).
    """

    def __init__(self, inner: Executor | None, progress: Any) -> None:
        self.inner, self.progress = inner, progress

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self.inner is not None:
            future = self.inner.submit(fn, *args, **kwargs)
            future.add_done_callback(lambda _f: self.progress.update(1))
            return future
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed back to the caller through the future
            future.set_exception(exc)
        self.progress.update(1)
        return future

    def map(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout=None, chunksize=1
    ) -> Iterator[Any]:
        if self.inner is None:
            results = (fn(*args) for args in zip(*iterables, strict=False))
        else:
            results = self.inner.map(fn, *iterables, timeout=timeout, chunksize=chunksize)
        for result in results:
            self.progress.update(1)
            yield result

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.progress.close()
