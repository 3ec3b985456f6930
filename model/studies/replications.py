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

import numpy as np
import pandas as pd

from model.engine.keywords import require_scenario
from model.engine.summary import SUMMARY
from model.scenario import Scenario
from model.scenario.arguments import count
from model.scenario.sections.run import consecutive_seeds
from model.studies.horizon_notes import horizon_notes_told
from model.studies.kept_runs import active, run_all
from model.studies.run import after_horizon_note
from model.studies.stats import mean_interval

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

    def monthly(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Per month, every metric's mean over the runs and its 2.5% and 97.5% quantiles (what
        ``retention run --replications`` writes), and each run's total cost's (what its money
        figure draws): the standard figures' lines and bands
        (``figures.money(mean, band=(low, high))``).

        Returns
        -------
        mean, low, high : pandas.DataFrame
            One row per month, a ``month`` column, one per metric (the metric's unit) and
            ``total_cost`` (revenue less profit, each run's: currency a month).
        """
        series = self.series.drop(columns="seed")
        # Each run's total cost, so that its band is the runs' own (revenue's band less
        # profit's is no band of total cost).
        by_month = series.assign(total_cost=series["revenue"] - series["profit"]).groupby("month")
        return (
            by_month.mean().reset_index(),
            by_month.quantile(0.025).reset_index(),
            by_month.quantile(0.975).reset_index(),
        )

    def headlines(self, level: float = 0.95) -> pd.DataFrame:
        """Each headline number's mean over the runs with its t interval, cut to what the
        number can be (a share to 0-1, a count to 0 and above:
        :func:`model.studies.stats.mean_interval`), over the runs where it is defined.

        Returns
        -------
        pandas.DataFrame
            Indexed by headline (:data:`model.engine.summary.SUMMARY`): ``mean``, ``low``,
            ``high`` (the headline's unit), ``defined`` (runs where it is defined) and ``runs``.
        """
        rows = {}
        for m in (c for c in self.runs.columns if c != "seed"):
            within = SUMMARY[m].bounds if m in SUMMARY else (-np.inf, np.inf)
            iv = mean_interval(self.runs[m].to_numpy(dtype=float), level, within)
            rows[m] = {"mean": iv.mean, "low": iv.low, "high": iv.high, "defined": iv.n}
        return pd.DataFrame.from_dict(rows, orient="index").assign(runs=len(self.runs))


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
