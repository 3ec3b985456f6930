"""The worker pool a claim study's stages run on, kept open across studies (``--all``).

:func:`shared_pool` opens one (local processes, a Dask scheduler or a LocalCluster:
:func:`model.studies.sweep.executor`); :func:`run_tasks` runs a stage's batches on it with a
progress bar and a line per tenth; :func:`submit` sends one piece of a claim's analysis to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from experiments.running.stages import counted

__all__ = ["run_tasks", "shared_pool", "submit"]


#: The pool :func:`shared_pool` keeps open for several studies, and whether to stay quiet.
_POOL: list[tuple[Any, bool]] = []


@contextmanager
def shared_pool(
    workers: int | None = None,
    quiet: bool = False,
    *,
    scheduler: str | None = None,
    dask_local: int | None = None,
    tls: tuple[Path, Path, Path] | None = None,
) -> Iterator[str]:
    """Keep one pool open for every study run inside (``--all``: one start-up, not ten); yields
    where the runs go, in words.

    Parameters
    ----------
    workers, scheduler, dask_local, tls
        As :func:`model.studies.sweep.executor` takes them: local processes (default: one per
        usable core; 1 runs here), a running Dask scheduler whose workers see the store's folder,
        or a Dask LocalCluster. A study's reports do not depend on the choice; on a scheduler, a
        task whose worker runs other code fails before it runs
        (:func:`experiments.running.store.study_digest`).
    quiet : bool
        No bar and no progress lines from the studies run inside.
    """
    from experiments.running.store import study_digest
    from model.studies.sweep.runner import executor

    with executor(workers, scheduler, dask_local, tls=tls, code=study_digest) as (pool, _, place):
        _POOL.append((pool, quiet))
        try:
            yield place
        finally:
            _POOL.pop()


def submit(fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
    """``fn(*args, **kwargs)`` on the pool :func:`shared_pool` keeps open, or here and now if none.

    For the analysis of a claim's results (PRIM boxes take seconds each): independent pieces run on
    the workers side by side instead of one after another in this process.
    """
    if not _POOL:
        from model.studies.sweep.executors import InProcessExecutor

        return InProcessExecutor().submit(fn, *args, **kwargs)
    return _POOL[-1][0].submit(fn, *args, **kwargs)


def run_tasks(tasks: list[tuple[Callable, tuple]], workers: int, label: str) -> None:
    """Run ``tasks`` on the shared pool, a bar counting batches (on a terminal), a line per 10% on
    stderr (in a pipe too: a long study's log shows how far it got; stdout holds the results)."""
    if not tasks:
        return
    from model.interfaces.progress import bar

    with shared_pool(workers) if not _POOL else nullcontext():
        pool, quiet = _POOL[-1]
        futures = [pool.submit(fn, *args) for fn, args in tasks]
        counted(len(futures))
        # At each tenth of the batches (once each: 16 batches print 10 lines, not 16).
        marks = {-(-len(futures) * k // 10) for k in range(1, 11)}
        with bar(len(futures), label, unit="batch", enabled=not quiet) as progress:
            for i, f in enumerate(futures, 1):
                f.result()
                progress.update(1)
                if not quiet and i in marks:
                    progress.write(f"  {label}: {i}/{len(futures)} batches", file=sys.stderr)
