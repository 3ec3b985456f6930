"""One task of a sweep: its runs, run (or taken from another store) and written into the store.

* :func:`replicate` — one run: (parameters, seed) -> :class:`~model.studies.run.RunResult`. It is a
  plain function of plain data, so it runs in this process, in a worker process or on a Dask
  worker.
* :func:`run_batch` — one task: a few replicates, written by the worker to the store as one
  Parquet file (series first, summary last; the summary file marks the task done).

Which runs a task holds and with which seeds is the plan's (:mod:`model.studies.sweep.runner`);
what each run simulates is decided here (:func:`replicate_scenario`), so this file and the
runner's are in the code that guards a store (:data:`model.studies.sweep.store.SIMULATION`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.studies.sweep.store import batch_name, write_parquet

__all__ = [
    "BatchReport",
    "BatchTask",
    "plain",
    "replicate",
    "replicate_scenario",
    "run_batch",
    "write_task",
]


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

    return simulate(replicate_scenario(Scenario.build(base or {}, origin="base"), params, seed))


def replicate_scenario(base, params: dict[str, Any], seed: int):
    """The scenario of a replicate: ``base`` (a built Scenario) with ``params``, then the seed."""
    return base.with_overrides(params).with_overrides({"run.seed": seed})


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs for one task (plain data, no open files; with ``known``, the
    rows' results taken from another store, their series frames included)."""

    store: str
    batch: int
    base: dict[str, Any]
    rows: tuple[dict[str, Any], ...]  # point, replicate, seed and the design values
    keys: tuple[str, ...]
    series: tuple[str, ...]
    #: Per row, its run's results taken from another store (``(summary, series or None)``:
    #: :mod:`model.studies.sweep.reuse`), or None: run it; empty: run every row.
    known: tuple[tuple[dict[str, Any], pd.DataFrame | None] | None, ...] = ()


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
    #: Of ``runs``, how many were taken from another store (``BatchTask.known``), not run.
    reused: int = 0


def run_batch(task: BatchTask) -> BatchReport:
    """Run a task's replicates and write its files into the store (on the worker's side).

    Rows whose results the task carries (``task.known``, runs of another store) are not run
    again. It leaves the environment alone: a worker process of a pool already builds on one
    thread (:func:`model.engine.elementwise.threads`), and in a serial sweep's own process the
    setting would outlive the sweep.
    """
    started = time.perf_counter()
    from model.scenario import Scenario
    from model.studies.run import RunResult, after_horizon_note, run_many

    known = task.known or (None,) * len(task.rows)
    todo = [i for i, found in enumerate(known) if found is None]
    base = Scenario.build(task.base or {}, origin="base")
    scenarios = [
        replicate_scenario(base, _point(task, task.rows[i]), task.rows[i]["seed"]) for i in todo
    ]
    notes = tuple(n for n in dict.fromkeys(map(after_horizon_note, scenarios)) if n)
    # Seed by seed, small markets together (run_many): with common random numbers the points
    # of a seed share their draws. run_many warns of nothing (the sweep tells of each note
    # once: _run_sweep), and no warning filter is touched here: a thread's catch_warnings would
    # change every thread's on a Dask worker running tasks in threads.
    ran = dict(zip(todo, run_many(scenarios, RunResult.of), strict=True))
    results = [
        (ran[i].summary, ran[i].timeseries) if found is None else found
        for i, found in enumerate(known)
    ]
    path = write_task(task, results)
    seconds = time.perf_counter() - started
    reused = len(task.rows) - len(todo)
    return BatchReport(task.batch, len(task.rows), seconds, str(path), notes, reused)


def _point(task: BatchTask, row: dict[str, Any]) -> dict[str, Any]:
    """A task row's design values, as the scenario takes them."""
    return {k: plain(row[k]) for k in task.keys}


def write_task(
    task: BatchTask, results: list[tuple[Mapping[str, Any], pd.DataFrame | None]]
) -> Path:
    """Write a task's files from each row's ``(summary, monthly series)``: the series first,
    the summary rows last (their file marks the task done). Returns the summary file's path."""
    summaries, series = [], []
    for row, (summary, timeseries) in zip(task.rows, results, strict=True):
        ids = {"point": row["point"], **_point(task, row)}
        ids |= {"replicate": row["replicate"], "seed": row["seed"]}
        summaries.append({**ids, **summary})
        if task.series:
            ts = timeseries[["month", *task.series]].reset_index(drop=True)
            ts.insert(0, "replicate", row["replicate"])
            ts.insert(0, "point", row["point"])
            series.append(ts)
    store = Path(task.store)
    name = batch_name(task.batch)
    if series:
        write_parquet(pd.concat(series, ignore_index=True), store / "series" / name)
    frame = pd.DataFrame(summaries)
    for column in ("point", "replicate", "seed"):
        frame[column] = frame[column].astype("int64")
    path = store / "batches" / name
    write_parquet(frame, path)  # last: its existence marks the task done
    return path


def plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (the scenario validates plain values)."""
    return value.item() if isinstance(value, np.generic) else value
