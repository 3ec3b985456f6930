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

import sys
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.scenario.arguments import executor_or_none, hook, shown
from model.studies.sweep.designs import build_design, validate_points
from model.studies.sweep.executors import InProcessExecutor, executor
from model.studies.sweep.layers import Layer, layers_of, task_runs
from model.studies.sweep.lock import writer_lock
from model.studies.sweep.spec import SweepError, SweepSpec, run_count_text
from model.studies.sweep.store import (
    batch_name,
    done_batches,
    open_store,
    read_manifest,
    write_parquet,
)
from model.studies.sweep.verify import verify_batches

__all__ = [
    "BatchReport",
    "BatchTask",
    "InProcessExecutor",
    "SweepRun",
    "executor",
    "iter_plan",
    "plan",
    "replicate",
    "run_batch",
    "run_sweep",
    "seed_for",
]


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

    return simulate(_replicate_scenario(Scenario.build(base or {}, origin="base"), params, seed))


def _replicate_scenario(base, params: dict[str, Any], seed: int):
    """The scenario of a replicate: ``base`` (a built Scenario) with ``params``, then the seed."""
    return base.with_overrides(params).with_overrides({"run.seed": seed})


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
    #: The task's schedule steps and shocks after the horizon, in words, once each: the sweep
    #: warns of each once (its runs, one per point and seed, would each have warned of it).
    notes: tuple[str, ...] = ()


def run_batch(task: BatchTask) -> BatchReport:
    """Run a task's replicates and write its files into the store (on the worker's side).

    It leaves the environment alone: a worker process of a pool already builds on one thread
    (:func:`model.engine.elementwise.threads`), and in a serial sweep's own process the setting
    would outlive the sweep.
    """
    started = time.perf_counter()
    from model.scenario import Scenario
    from model.studies.run import RunResult, after_horizon_note, run_many

    summaries, series = [], []
    points = [{k: _plain(row[k]) for k in task.keys} for row in task.rows]
    seeds = [row["seed"] for row in task.rows]
    # Seed by seed, small markets together (run_many): with common random numbers the points
    # of a seed share their draws.
    base = Scenario.build(task.base or {}, origin="base")
    scenarios = [_replicate_scenario(base, p, s) for p, s in zip(points, seeds, strict=True)]
    notes = tuple(n for n in dict.fromkeys(map(after_horizon_note, scenarios)) if n)
    # run_many warns of nothing (the sweep tells of each note once: _run_sweep), and no
    # warning filter is touched here: a thread's catch_warnings would change every thread's on a
    # Dask worker running tasks in threads.
    results = run_many(scenarios, RunResult.of)
    for row, params, result in zip(task.rows, points, results, strict=True):
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
    return BatchReport(task.batch, len(task.rows), time.perf_counter() - started, str(path), notes)


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (the scenario validates plain values)."""
    return value.item() if isinstance(value, np.generic) else value


def iter_plan(
    spec: SweepSpec,
    design: pd.DataFrame,
    store: str | Path,
    skip: set[int] | frozenset = frozenset(),
    layers: list[Layer] | None = None,
) -> Iterator[BatchTask]:
    """The tasks of a sweep, in order, made one at a time (a plan of 10^7 runs is never held).

    Runs are point-major within each layer of replications (:mod:`model.studies.sweep.layers`;
    by default the store's, or the spec's one for a store not yet made), cut every layer's
    ``batch_size`` runs; tasks numbered in ``skip`` are passed over without building their rows.
    """
    keys = tuple(spec.keys)
    columns = {k: design[k].to_numpy() for k in keys}
    points = design["point"].to_numpy()
    if layers is None:  # (a grown store's own layers; else the spec's one)
        manifest = Path(store) / "manifest.json"
        layers = (
            layers_of(read_manifest(store))
            if manifest.is_file()
            else [Layer(0, spec.replications, len(design), spec.batch_size, 0)]
        )
    store = str(Path(store).resolve())
    for layer in layers:
        for b in range(layer.first_batch, layer.first_batch + layer.batches):
            if b in skip:
                continue
            start = (b - layer.first_batch) * layer.batch_size
            rows = []
            for run in range(start, start + layer.task_runs(b)):
                i, r = layer.run_at(run)
                point = int(points[i])
                rows.append(
                    {
                        **{k: _plain(columns[k][i]) for k in keys},
                        "point": point,
                        "replicate": r,
                        "seed": seed_for(spec.seed, point, r, spec.common_random_numbers),
                    }
                )
            yield BatchTask(store, b, spec.base, tuple(rows), keys, spec.series)


def plan(spec: SweepSpec, design: pd.DataFrame, store: str | Path) -> list[BatchTask]:
    """All tasks of a sweep, in order, as a list (:func:`iter_plan` streams them)."""
    return list(iter_plan(spec, design, store))


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
    then: Callable[[SweepRun], None] | None = None,
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
    then : callable, optional
        Called with the :class:`SweepRun` once every task is done, the store still held: what
        it writes off the finished store (a report) describes these results, never those of a
        sweep started into the same store in between. The lock is not reentrant (a second hold
        in this process is refused like another process's), so a caller cannot hold it around
        this call; ``then`` is the way to act under it.

    Returns
    -------
    SweepRun
    """
    if not isinstance(spec, SweepSpec):  # (a path or a dict would fail deep in the design)
        raise SweepError(
            f"spec: value {shown(spec)} is not allowed; allowed: a SweepSpec "
            "(load_spec(path) for a TOML file, parse_spec(mapping) for a dict)"
        )
    pool = executor_or_none("pool", pool)
    log, then = hook("log", log), hook("then", then)
    design = build_design(spec)  # (checked before the store's folder is made and held)
    validate_points(spec, design)
    with writer_lock(store):  # (one sweep at a time in a store)
        run = _run_sweep(spec, design, store, pool, slots, fresh, progress, log)
        if then is not None:
            then(run)
        return run


def _run_sweep(
    spec: SweepSpec,
    design: pd.DataFrame,
    store: str | Path,
    pool: Executor | None,
    slots: int,
    fresh: bool,
    progress: bool,
    log: Callable[[str], None] | None,
) -> SweepRun:
    """:func:`run_sweep`, the store held."""
    started = time.perf_counter()
    manifest = open_store(store, spec, design, fresh=fresh)
    damaged = verify_batches(store, manifest)
    done = done_batches(store)
    layers = layers_of(manifest)
    runs_total, n_tasks = manifest["runs"], manifest["batches"]
    done = {b for b in done if b < n_tasks}
    runs_todo = runs_total - sum(task_runs(layers, b) for b in done)
    todo_count = n_tasks - len(done)
    todo = iter_plan(spec, design, store, skip=done, layers=layers)
    if log:
        log(run_count_text(spec))
        if "grown_now" in manifest:
            had, wants = manifest["grown_now"]
            log(
                f"{store}: grown from {had} to {wants} replications; the runs done are kept "
                f"(replicates {had} to {wants - 1} of every point are new)"
            )
        if damaged:
            log(f"{store}: {len(damaged):,} damaged task files removed; they run again")
        log(
            f"{store}: {len(done):,} of {n_tasks:,} tasks done, "
            f"{todo_count:,} to do ({runs_todo:,} runs)"
        )
    pool = pool or InProcessExecutor()
    bar = _bar(runs_total, runs_total - runs_todo, progress, spec.name)
    window = max(2 * slots, 1)
    pending = iter(todo)
    inflight: set[Future] = set()
    told: set[str] = set()
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
                for note in report.notes:
                    if note not in told:  # (once a sweep, however many runs share it)
                        told.add(note)
                        warnings.warn(note, UserWarning, stacklevel=3)
    except BaseException:
        for future in inflight:
            future.cancel()
        raise
    finally:
        bar.close()
    return SweepRun(
        store=str(store),
        runs=runs_total,
        batches=n_tasks,
        skipped=len(done),
        ran=todo_count,
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
