"""Running a sweep: plain replicate and batch functions, seeds, executors, and the resumable loop.

* :func:`replicate` — one run: (parameters, seed) -> :class:`~model.studies.run.RunResult`. It is a plain
  function of plain data, so it runs in this process, in a worker process or on a Dask worker.
* :func:`run_batch` — one task: a few replicates, written by the worker to the store as one Parquet
  file (series first, summary last; the summary file marks the task done).
* :func:`seed_for` — the seed of (design point, replicate), from
  ``SeedSequence(spec.seed).spawn(points)[point].spawn(replications)[replicate]``: independent
  across runs, and the same whatever the batching, executor or order of completion.
* :func:`executor` — in-process, a local process pool, or Dask (a running cluster or a LocalCluster).
* :func:`run_sweep` — builds the design, opens (or resumes) the store, submits the tasks not done.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.studies.sweep.designs import build_design, validate_points
from model.studies.sweep.spec import SweepError, SweepSpec, run_count_text
from model.studies.sweep.store import batch_name, done_batches, open_store, write_parquet

__all__ = [
    "BatchReport",
    "BatchTask",
    "InProcessExecutor",
    "SweepRun",
    "executor",
    "plan",
    "replicate",
    "run_batch",
    "run_sweep",
    "seed_for",
]

#: BLAS/OpenMP pools pinned to one thread: one single-threaded process per core scales best.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ================================================================================ one run
def seed_for(spec_seed: int, point: int, replicate: int, common: bool = False) -> int:
    """The run seed (63-bit) of ``(point, replicate)``; with ``common`` it ignores the point.

    ``SeedSequence(s, spawn_key=(i, j))`` is exactly ``SeedSequence(s).spawn(…)[i].spawn(…)[j]``,
    computed directly so that no run's seed depends on how many others exist or ran before it.
    """
    key = (int(replicate),) if common else (int(point), int(replicate))
    seq = np.random.SeedSequence(int(spec_seed), spawn_key=key)
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replicate(params: dict[str, Any], seed: int, base: dict[str, Any] | None = None):
    """Run one replicate: the base scenario with ``params`` (``{"section.name": value}``) applied.

    Parameters
    ----------
    params : dict
        Overrides, e.g. ``{"levers.service_level": 0.9}``.
    seed : int
        The run's seed.
    base : dict, optional
        The base scenario as plain data (:meth:`Scenario.to_toml_dict`); default: the baseline.

    Returns
    -------
    model.studies.run.RunResult
    """
    from model.scenario import Scenario
    from model.studies.run import simulate

    scenario = Scenario.build(base or {}, origin="base").with_overrides(params)
    return simulate(scenario, seed=seed)


# ================================================================================ one task
@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs for one task (plain data: pickles small, no open files)."""

    store: str
    batch: int
    base: dict[str, Any]
    rows: tuple[dict[str, Any], ...]  # point, replicate, seed and the design values
    keys: tuple[str, ...]
    series: tuple[str, ...]


@dataclass(frozen=True)
class BatchReport:
    """What a finished task sends back: no results, only where they are and how long it took."""

    batch: int
    runs: int
    seconds: float
    path: str


def run_batch(task: BatchTask) -> BatchReport:
    """Run a task's replicates and write its files into the store (on the worker's side)."""
    for var in THREAD_VARS:
        os.environ.setdefault(var, "1")
    started = time.perf_counter()
    summaries, series = [], []
    for row in task.rows:
        params = {k: _plain(row[k]) for k in task.keys}
        result = replicate(params, row["seed"], task.base)
        ids = {"point": row["point"], **params, "replicate": row["replicate"], "seed": row["seed"]}
        summaries.append({**ids, **result.summary})
        if task.series:
            ts = result.timeseries[["month", *task.series]].copy()
            ts.insert(0, "replicate", row["replicate"])
            ts.insert(0, "point", row["point"])
            series.append(ts)
    store = Path(task.store)
    name = batch_name(task.batch)
    if series:
        write_parquet(pd.concat(series, ignore_index=True), store / "series" / name)
    frame = pd.DataFrame(summaries)
    frame["point"] = frame["point"].astype("int64")
    frame["replicate"] = frame["replicate"].astype("int64")
    frame["seed"] = frame["seed"].astype("int64")
    path = store / "batches" / name
    write_parquet(frame, path)  # last: its existence marks the task done
    return BatchReport(task.batch, len(task.rows), time.perf_counter() - started, str(path))


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (the scenario validates plain values)."""
    return value.item() if isinstance(value, np.generic) else value


def plan(spec: SweepSpec, design: pd.DataFrame, store: str | Path) -> list[BatchTask]:
    """All tasks of a sweep, in order: runs point-major, cut every ``spec.batch_size`` runs."""
    keys = tuple(spec.keys)
    records = design.to_dict("records")
    rows = [
        {
            **{k: _plain(rec[k]) for k in keys},
            "point": int(rec["point"]),
            "replicate": r,
            "seed": seed_for(spec.seed, int(rec["point"]), r, spec.common_random_numbers),
        }
        for rec in records
        for r in range(spec.replications)
    ]
    size = spec.batch_size
    store = str(Path(store).resolve())
    return [
        BatchTask(store, b, spec.base, tuple(rows[i : i + size]), keys, spec.series)
        for b, i in enumerate(range(0, len(rows), size))
    ]


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
def executor(
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
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
    """
    chosen = sum(x is not None for x in (workers, scheduler, dask_local))
    if chosen > 1:
        raise SweepError("choose one of --workers, --scheduler and --dask-local")
    if scheduler is not None or dask_local is not None:
        with _dask(scheduler, dask_local) as out:
            yield out
        return
    n = workers if workers is not None else _cores()
    if n < 1:
        raise SweepError(f"--workers: value {n} is not allowed; allowed: an integer ≥ 1")
    if n == 1:
        yield InProcessExecutor(), 1, "this process (serial)"
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with (
        _single_threaded_env(),
        ProcessPoolExecutor(
            max_workers=n, mp_context=multiprocessing.get_context("spawn"), initializer=_pin_threads
        ) as pool,
    ):
        yield pool, n, f"{n} local processes"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def _dask(scheduler: str | None, n_local: int | None) -> Iterator[tuple[Executor, int, str]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepError(
            "Dask is not installed; install the extra: pip install 'retention-lab[dask]'"
        ) from None
    if n_local is not None:
        if n_local < 1:
            raise SweepError(f"--dask-local: value {n_local} is not allowed; allowed: ≥ 1")
        with (
            _single_threaded_env(),
            LocalCluster(
                n_workers=n_local,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client.get_executor(pure=False), n_local, f"Dask LocalCluster({n_local})"
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"--scheduler {scheduler!r}: cannot connect ({exc})") from None
    with client:
        slots = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()) or 1
        yield client.get_executor(pure=False), slots, f"Dask cluster at {scheduler} ({slots} slots)"


# ================================================================================ the loop
@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did."""

    store: str
    runs: int
    batches: int
    skipped: int
    ran: int
    seconds: float
    task_seconds: float = 0.0  # summed inside the tasks: compare with slots x seconds for overhead


def run_sweep(
    spec: SweepSpec,
    store: str | Path,
    *,
    pool: Executor | None = None,
    slots: int = 1,
    fresh: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> SweepRun:
    """Run (or resume) a sweep into ``store``.

    Parameters
    ----------
    spec : SweepSpec
    store : path
        The results folder; created, or resumed when it holds the same spec and code.
    pool : concurrent.futures.Executor, optional
        Where tasks run (see :func:`executor`); default: in this process.
    slots : int
        Worker slots of ``pool``; up to 2 x slots tasks are in flight at once.
    fresh : bool
        Discard a previous store's results instead of refusing to mix them.
    progress : bool
        A tqdm progress bar with the ETA (``tqdm.auto``: works in Jupyter).
    log : callable, optional
        Receives one-line messages (the run count before the sweep starts).
    """
    started = time.perf_counter()
    design = build_design(spec)
    validate_points(spec, design)
    manifest = open_store(store, spec, design, fresh=fresh)
    tasks = plan(spec, design, store)
    done = done_batches(store)
    todo = [t for t in tasks if t.batch not in done]
    runs_total = manifest["runs"]
    runs_todo = sum(len(t.rows) for t in todo)
    if log:
        log(run_count_text(spec))
        log(
            f"{store}: {len(tasks) - len(todo):,} of {len(tasks):,} tasks done, "
            f"{len(todo):,} to do ({runs_todo:,} runs)"
        )
    pool = pool or InProcessExecutor()
    bar = _bar(runs_total, runs_total - runs_todo, progress, spec.name)
    window = max(2 * slots, 1)
    pending = iter(todo)
    inflight: set[Future] = set()
    busy = 0.0
    try:
        while True:
            for task in pending:
                inflight.add(pool.submit(run_batch, task))
                if len(inflight) >= window:
                    break
            if not inflight:
                break
            finished, inflight = wait(inflight, return_when=FIRST_COMPLETED)
            for future in finished:
                report: BatchReport = future.result()
                if not Path(report.path).is_file():
                    raise SweepError(
                        f"task {report.batch} wrote {report.path!r}, which this machine cannot "
                        "see: the store must be on a file system shared with every worker"
                    )
                busy += report.seconds
                bar.update(report.runs)
    except BaseException:
        for future in inflight:
            future.cancel()
        raise
    finally:
        bar.close()
    return SweepRun(
        store=str(store),
        runs=runs_total,
        batches=len(tasks),
        skipped=len(tasks) - len(todo),
        ran=len(todo),
        seconds=time.perf_counter() - started,
        task_seconds=busy,
    )


def _bar(total: int, initial: int, show: bool, name: str):
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        desc=f"sweep {name}",
        disable=not show,
        file=sys.stderr,
        smoothing=0.1,
        dynamic_ncols=True,
    )
