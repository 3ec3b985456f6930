"""Every (scenario, seed) pair of a study, each read down to what the study needs.

:func:`replicate` is how ``compare`` and ``optimize`` (its search and its hold-out) run their
replications: a :class:`FromTimeseries` reader's runs go through
:func:`model.studies.kept_runs.run_all` (small markets stepping together, the arms of one seed
sharing their draws, or chunks on an executor; kept as they finish inside
:func:`~model.studies.kept_runs.keep_runs`, so a stopped study resumes), any other ``run`` is
called pair by pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.scenario import Scenario
from model.studies.kept_runs import run_all
from model.studies.run import in_seed_order, simulate

__all__ = ["FromTimeseries", "replicate"]


@dataclass(frozen=True)
class FromTimeseries:
    """A run of :func:`replicate` that reads one (scenario, seed)'s monthly timeseries:
    ``read(simulate(scenario, seed=seed).timeseries)``. Picklable for process pools (``read`` a
    module-level function); :func:`replicate` runs them through
    :func:`~model.studies.kept_runs.run_all`."""

    read: Callable[[pd.DataFrame], Any]

    def __call__(self, scenario: Scenario, seed: int) -> Any:
        return self.read(simulate(scenario, seed=seed).timeseries)


def replicate(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    executor: Executor | None,
    run: Callable[[Scenario, int], Any],
    on_done: Callable[[int], None] | None = None,
) -> list[list[Any]]:
    """``run(scenario, seed)`` for every scenario and seed: ``out[i][r]`` is scenario i, seed r.

    Parameters
    ----------
    scenarios : sequence of Scenario
    seeds : sequence of int
    executor : concurrent.futures.Executor or None
        Where the runs go (a process pool, a Dask ``Client.get_executor()``); None: this
        process. The numbers do not depend on where or in which order they run.
    run : callable
        ``run(scenario, seed)``; a :class:`FromTimeseries` is run through
        :func:`~model.studies.kept_runs.run_all` (and kept in a
        :func:`~model.studies.kept_runs.keep_runs` block).
    on_done : callable, optional
        Called with the number of runs each time some finish (or are read back).
    """
    jobs = [(s, seed) for s in scenarios for seed in seeds]
    if isinstance(run, FromTimeseries):
        done = run_all(
            [s.with_overrides({"run.seed": seed}) for s, seed in jobs], executor, on_done
        )
        flat = [run.read(r.timeseries) for r in done]
    elif executor is None:
        flat = in_seed_order(run, jobs, [seed for _, seed in jobs])  # arms of a seed share draws
        if on_done is not None:
            on_done(len(flat))
    else:
        futures = [executor.submit(run, s, seed) for s, seed in jobs]
        try:
            for _ in as_completed(futures):  # counted as each finishes, in any order
                if on_done is not None:
                    on_done(1)
            flat = [f.result() for f in futures]
        finally:
            for f in futures:
                f.cancel()
    r = len(seeds)
    return [flat[i * r : (i + 1) * r] for i in range(len(scenarios))]
