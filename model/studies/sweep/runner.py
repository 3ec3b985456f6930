"""Running a sweep: seeds, the plan of tasks, executors, and the resumable loop.

* :func:`~model.studies.sweep.batch.replicate` and :func:`~model.studies.sweep.batch.run_batch`
  (one run, one task) live in :mod:`model.studies.sweep.batch`.
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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.scenario.arguments import count, executor_or_none, hook, is_whole, shown
from model.scenario.schedule import set_again
from model.studies.sweep.batch import BatchReport, BatchTask, plain, replicate, run_batch
from model.studies.sweep.designs import build_design, validate_points
from model.studies.sweep.executors import InProcessExecutor, executor
from model.studies.sweep.layers import Layer, layers_of, task_runs
from model.studies.sweep.lock import writer_lock
from model.studies.sweep.spec import SweepError, SweepSpec, run_count_text
from model.studies.sweep.store import done_batches, open_store, read_manifest
from model.studies.sweep.verify import verify_batches

if TYPE_CHECKING:
    from model.studies.sweep.reuse import Reusable

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


# ================================================================================ seeds
def seed_for(spec_seed: int, point: int, replicate: int, common: bool = False) -> int:
    """The run seed (63-bit) of ``(point, replicate)``; with ``common`` it ignores the point.

    ``SeedSequence(s, spawn_key=(i, j))`` is exactly ``SeedSequence(s).spawn(…)[i].spawn(…)[j]``,
    computed directly so that no run's seed depends on how many others exist or ran before it.
    """
    for name, value in (("spec_seed", spec_seed), ("point", point), ("replicate", replicate)):
        if not is_whole(value) or value < 0:  # (numpy's "expected non-negative integer")
            raise SweepError(f"{name}: value {value!r} is not allowed; allowed: an integer ≥ 0")
    key = (int(replicate),) if common else (int(point), int(replicate))
    seq = np.random.SeedSequence(int(spec_seed), spawn_key=key)
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


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
                        **{k: plain(columns[k][i]) for k in keys},
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
    reused: int = 0  # runs copied from another store (reuse=), not run


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
    reuse: str | Path | None = None,
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
        Worker slots of ``pool`` (a whole number ≥ 1); up to 2 x slots tasks are in flight at
        once.
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
    reuse : path, optional
        Another store (of this code) whose runs are copied where this sweep would run the same
        scenario with the same seed, instead of run again (:mod:`model.studies.sweep.reuse`):
        for a design refined after a first sweep.

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
    slots = count("slots", slots)
    log, then = hook("log", log), hook("then", then)
    design = build_design(spec)  # (checked before the store's folder is made and held)
    validate_points(spec, design)
    # A lever varied, or fixed by [base] set, that the base's schedule sets again holds only
    # until then (as `run --set` warns).
    given = dict.fromkeys([*spec.keys, *spec.base_set])
    for line in set_again(spec.base_scenario().schedule, given, spec.months):
        warnings.warn(f"sweep {spec.name!r}: {line}", UserWarning, stacklevel=2)
    reusable = None
    if reuse is not None:
        from model.studies.sweep.reuse import open_reusable

        reusable = open_reusable(reuse, spec, store)
    with writer_lock(store):  # (one sweep at a time in a store)
        run = _run_sweep(spec, design, store, pool, slots, fresh, progress, log, reusable)
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
    reusable: Reusable | None = None,
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
    if reusable is not None:
        base = spec.base_scenario()
        todo = (reusable.fill(task, base) for task in todo)
        if log:
            log(
                f"{store}: {len(reusable.runs):,} finished runs of {reusable.source}, each taken "
                "where a run here is the same (scenario, seed and code) instead of run again; "
                "how many were, is said at the end"
            )
    if log:
        log(run_count_text(spec, tuple(layer.batch_size for layer in layers)))
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
    busy, reused = 0.0, 0
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
                reused += report.reused
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
        reused=reused,
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
