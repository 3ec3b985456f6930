"""Run a scenario and get its results as plain data: the one entry point every tool builds on.

Sweeps, paired comparisons, experiments, calibration, the CLI and the notebooks all call
:func:`simulate`; it is a plain function of (scenario, seed), so it can run in any process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario

__all__ = ["RunResult", "simulate", "simulate_many"]


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    Attributes
    ----------
    scenario : Scenario
        The scenario exactly as run (seed and horizon included).
    timeseries : pandas.DataFrame
        One row per month, one column per metric (:data:`model.engine.metrics.METRICS`).
    summary : dict
        Headline numbers (:meth:`RetentionModel.summary`).
    """

    scenario: Scenario
    timeseries: pd.DataFrame
    summary: dict[str, float]

    @property
    def seed(self) -> int:
        """The seed the run used."""
        return self.scenario.run.seed


def simulate(
    scenario: Scenario | None = None,
    *,
    seed: int | None = None,
    months: int | None = None,
    clients: int | None = None,
    progress: bool = False,
) -> RunResult:
    """Run one scenario to its horizon.

    Parameters
    ----------
    scenario : Scenario, optional
        Defaults to the baseline.
    seed, months, clients : int, optional
        Shortcuts for ``run.seed``, ``run.months`` and ``market.clients`` overrides.
    progress : bool
        Show a progress bar.

    Examples
    --------
    >>> r = simulate(clients=500, months=6, seed=3)
    >>> len(r.timeseries), r.seed
    (6, 3)
    """
    scenario = scenario or Scenario()
    overrides = {
        key: value
        for key, value in (
            ("run.seed", seed),
            ("run.months", months),
            ("market.clients", clients),
        )
        if value is not None
    }
    if overrides:
        scenario = scenario.with_overrides(overrides)
    model = RetentionModel(scenario).run(progress=progress)
    return RunResult(scenario=scenario, timeseries=model.timeseries(), summary=model.summary())


def simulate_many(scenarios: Sequence[Scenario]) -> list[RunResult]:
    """Run many scenarios (each with its own ``run.seed``); results in the same order.

    The entry point for studies of many small runs (claims, comparisons, calibration). Each
    result equals what :func:`simulate` gives for that scenario alone.

    Examples
    --------
    >>> base = Scenario().with_overrides({"market.clients": 300, "run.months": 3})
    >>> runs = simulate_many([base.with_overrides({"run.seed": s}) for s in (1, 2)])
    >>> [r.seed for r in runs]
    [1, 2]
    """
    return [simulate(s) for s in scenarios]
