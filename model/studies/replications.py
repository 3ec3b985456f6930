"""Many seeds of one scenario: the runs behind ``retention run --replications``.

Replication ``i`` of a scenario is its run with seed ``run.seed + i``
(:func:`~model.scenario.sections.run.consecutive_seeds`), whatever else runs beside it. The runs
go out through :func:`model.studies.kept_runs.run_all`: small markets stepping together in this
process or in chunks on an executor's workers, each chunk kept as it finishes inside a
:func:`~model.studies.kept_runs.keep_runs` block (and read back from it by the same call after a
stop). The numbers do not depend on the chunks, the executor or the resuming.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import pandas as pd

from model.engine.keywords import require_scenario
from model.scenario import Scenario
from model.scenario.arguments import count
from model.scenario.sections.run import consecutive_seeds
from model.studies.horizon_notes import horizon_notes_told
from model.studies.kept_runs import active, run_all
from model.studies.run import after_horizon_note

__all__ = ["Replicated", "run_replications"]


@dataclass(frozen=True)
class Replicated:
    """What :func:`run_replications` produced.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per replication, in order: ``seed`` and the headline results
        (:meth:`~model.engine.retention_model.RetentionModel.summary`).
    series : pandas.DataFrame
        Every replication's monthly table, stacked in the same order, with a ``seed`` column.
    seeds : list of int
        The seeds, in order.
    resumed : int
        Replications read back from the active kept runs rather than run now.
    """

    runs: pd.DataFrame
    series: pd.DataFrame
    seeds: list[int]
    resumed: int = 0


def run_replications(
    scenario: Scenario,
    replications: int,
    *,
    executor: Executor | None = None,
    chunk: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Replicated:
    """Run ``scenario`` on ``replications`` consecutive seeds from its own.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its ``run.seed`` is replication 0's seed.
    replications : int
        How many runs: a whole number ≥ 1.
    executor : concurrent.futures.Executor, optional
        Where the chunks run (a process pool); default this process.
    chunk : int, optional
        Runs per chunk; default :func:`model.studies.kept_runs.chunk_size`.
    on_done : callable, optional
        Called with the number of replications each time some finish (or are read back).

    Returns
    -------
    Replicated
    """
    scenario = require_scenario(scenario)
    replications = count("replications", replications)
    if chunk is not None:
        chunk = count("chunk", chunk)
    note = after_horizon_note(scenario)
    if note:  # (once, not once a replication: they share the schedule)
        warnings.warn(note, stacklevel=2)
    seeds = consecutive_seeds(scenario.run.seed, replications)
    scenarios = [scenario.with_overrides({"run.seed": s}) for s in seeds]
    kept = active()
    before = 0 if kept is None else kept.read_back
    with horizon_notes_told([scenario]):  # (warned of once above, not again by each chunk)
        results = run_all(scenarios, executor, on_done, chunk)
    resumed = 0 if kept is None else kept.read_back - before
    runs = pd.DataFrame([{"seed": r.seed, **r.summary} for r in results])
    series = pd.concat([r.timeseries.assign(seed=r.seed) for r in results], ignore_index=True)
    return Replicated(runs, series, seeds, resumed)
