"""Paired arms inside one world, and the ledger sums the claims read from them.

Every arm of a world runs on the world's seed, so arms differ only by what the claim changes
(common random numbers); the world's baseline (:class:`experiments.running.study.Baseline`) is the
control and is never run twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from experiments.running.together import run_arms
from model.engine.ledger import ACQUISITION_LINES, CHARGED, LEDGER_LINES
from model.scenario.schedule import raid
from model.studies.run import RunResult

__all__ = [
    "ACQUISITION",
    "CONTRIBUTION_COSTS",
    "RETENTION_MONTHS",
    "annual_retention",
    "arms",
    "contribution",
    "npv",
    "npv_gain_of_revenue",
    "pct_gain",
    "present_value",
    "profit_change",
    "raided",
    "ratio",
]

#: Cost lines a client causes (the customer's own ledger), as opposed to the firm's shared costs:
#: the lines booked to the client who caused them (model.engine.ledger.CHARGED), in their order.
CONTRIBUTION_COSTS = tuple(line for line in LEDGER_LINES if CHARGED[line] == "direct")
#: Acquisition cost lines.
ACQUISITION = ACQUISITION_LINES


def arms(baseline: RunResult, changes: Mapping[str, Mapping[str, Any]]) -> dict[str, RunResult]:
    """Run each arm: the baseline's scenario (world, seed, size) with that arm's overrides.

    Inside :func:`experiments.running.together.measure_together` (a claim batch), with every other
    world's arms.
    """
    names = list(changes)
    scenarios = [baseline.scenario.with_overrides(dict(changes[n])) for n in names]
    return dict(zip(names, run_arms(scenarios), strict=True))


def raided(baseline: RunResult, share: float, month: int = 1, permanent: bool = False) -> RunResult:
    """Run the baseline's scenario with a competitor's raid in ``month``: a ``poaching`` shock
    (:class:`model.scenario.schedule.Shock`) added to the world's own shocks.

    ``share`` (0–1) of the clients served that month who were not leaving anyway leave for the
    competitor then, drawn on a stream of their own, so every other draw is the baseline's; from
    there on the lost clients are lapsed clients like any others, or, ``permanent``, gone for good
    (neither win-back nor natural return brings them back). An arm as :func:`arms` runs
    it (with every other world's, inside a claim batch); a shock is a list entry, not a
    ``section.name`` key, so it is not a scenario override.
    """
    scenario = baseline.scenario.with_shocks(raid(month, share, permanent), origin="the raided arm")
    return run_arms([scenario])[0]


def present_value(ts: pd.DataFrame, columns: str | tuple[str, ...], annual_rate: float) -> float:
    """Present value at month 0 of the columns' monthly sums (paid at the end of each month)."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    money = ts[cols].to_numpy(dtype=float).sum(axis=1)
    months = np.arange(1, len(money) + 1)
    return float(np.sum(money / (1.0 + annual_rate) ** (months / 12.0)))


def npv(run: RunResult) -> float:
    """The run's net present value of profit (every cost line)."""
    return float(run.timeseries["npv"].iloc[-1])


def npv_gain_of_revenue(treated: RunResult, control: RunResult, scale: RunResult) -> float:
    """What ``treated`` adds to the firm's NPV over ``control``, in % of ``scale``'s revenue.

    ``100 · (NPV(treated) − NPV(control)) / PV(revenue of scale)``, the revenue discounted as the
    NPV is (the scenario's discount rate). For a claim that a policy *pays*: its sign is the
    NPV difference's, in every world, and its size stays readable where a percentage of the
    control's own NPV is not — that NPV may be a loss (from a loss of 170 to a loss of 80 is no
    "54% gain") or near zero (a few thousand per cent). NaN when ``scale`` has no revenue.
    """
    rate = scale.scenario.economics.discount_rate
    revenue = present_value(scale.timeseries, "revenue", rate)
    return 100.0 * (npv(treated) - npv(control)) / revenue if revenue > 0 else float("nan")


def contribution(run: RunResult) -> pd.Series:
    """Monthly revenue minus the costs clients cause (cost of goods, service, fixes, discounts)."""
    ts = run.timeseries
    return ts["revenue"] - ts[list(CONTRIBUTION_COSTS)].sum(axis=1)


#: The shortest run :func:`annual_retention` reads (a month after the first year): a reading
#: built on it declares it as its ``min_months``, so a shorter run says why it is not judged
#: rather than "undefined".
RETENTION_MONTHS = 13


def annual_retention(run: RunResult, skip: int = 12) -> float:
    """Annual retention of the client base after the first ``skip`` months (share; NaN for a
    run of ``skip`` months or fewer)."""
    m = run.timeseries["retention_monthly"].iloc[skip:].clip(lower=0.0)
    return float(m.mean() ** 12) if len(m) else float("nan")


def pct_gain(treated: float, control: float) -> float:
    """(treated − control) / |control|, in %; NaN when the control is 0."""
    return 100.0 * (treated - control) / abs(control) if control != 0 else float("nan")


def profit_change(treated: float, control: float) -> float:
    """(treated − control) / control of a profit, in %; NaN where the control made none (≤ 0).

    A claim that profit rises (or falls) *by a percentage* presumes a profit to take it of: from
    a loss of 100 to a loss of 50 is no "50% more profit". Where only the sign matters (a band
    ``≥ 0``: a policy pays), :func:`npv_gain_of_revenue` has that sign for any control and a
    size that reads.
    """
    return 100.0 * (treated - control) / control if control > 0 else float("nan")


def ratio(num: float, den: float) -> float:
    """``num / den``, censored to ±inf when the denominator is ≤ 0 (a bound, not a value)."""
    if den > 0:
        return num / den
    if num == 0:
        return float("nan")
    return float("inf") if num > 0 else float("-inf")
