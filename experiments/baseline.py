"""A world's baseline run, instrumented: the per-client sums the claims read beside its series.

The baseline is a world's control arm (its declared levers, nothing changed). It runs once per
world and replication; :func:`baseline_run` steps the model itself so it can snapshot per-client
revenue and attributed profit at the months the claims need (after the first year, a year before
the end), which the monthly series alone cannot give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import Scenario
from model.engine.metrics import top_share
from model.engine.retention_model import RetentionModel
from model.studies.run import RunResult

__all__ = ["EXTRAS", "Baseline", "baseline_run"]

#: The per-client numbers :func:`baseline_run` adds to a run (see :class:`Baseline`).
EXTRAS = (
    "top20_profit_1y",
    "top20_profit_all",
    "stayer_ratio",
    "cohort_ratio",
    "cohort_profit_ratio",
)


@dataclass(frozen=True)
class Baseline:
    """A world's baseline run and the per-client numbers the claims read from it.

    Attributes
    ----------
    run : RunResult
        The run (its scenario carries the world and the seed).
    extras : dict
        ``top20_profit_1y`` / ``top20_profit_all``: top-fifth share of attributed profit among
        clients served in the last 12 months / the whole run (%, NaN if total ≤ 0);
        ``stayer_ratio``: revenue of clients served in every month over the whole run divided by
        their first-year revenue; ``cohort_ratio`` and ``cohort_profit_ratio``: revenue and
        attributed profit over the whole run of the clients active at the start (churn and
        win-back included) divided by their first-year revenue.
    """

    run: RunResult
    extras: dict[str, float]


def baseline_run(scenario: Scenario) -> Baseline:
    """Run ``scenario`` once, snapshotting per-client revenue and profit for the claims."""
    model = RetentionModel(scenario, rng=scenario.run.seed)
    c = model.clients
    end = model.months
    start_active = c.active_mask().copy()
    stayed = np.ones(c.n, bool)
    served_all = np.zeros(c.n, bool)
    served_last = np.zeros(c.n, bool)
    rev0, val0 = c.revenue_total.copy(), c.value.copy()
    snap: dict[str, np.ndarray] = {}
    while model.month < end:
        if model.month == end - 12:
            snap["rev_last"], snap["val_last"] = c.revenue_total.copy(), c.value.copy()
        model.step()
        served = model.ctx.served
        stayed &= served
        served_all |= served | c.joins
        if model.month > end - 12:
            served_last |= served | c.joins
        if model.month == 12:
            snap["rev_12"] = c.revenue_total.copy()
    rev, val = c.revenue_total - rev0, c.value - val0
    first = snap.get("rev_12", c.revenue_total) - rev0

    def ratio(num: np.ndarray, den: np.ndarray) -> float:
        d = float(den.sum())
        return float(num.sum()) / d if d > 0 else float("nan")

    last_val = c.value - snap.get("val_last", val0)
    extras = {
        "top20_profit_1y": 100.0 * _top_fifth(last_val[served_last]),
        "top20_profit_all": 100.0 * _top_fifth(val[served_all]),
        "stayer_ratio": ratio(rev[stayed & start_active], first[stayed & start_active]),
        "cohort_ratio": ratio(rev[start_active], first[start_active]),
        "cohort_profit_ratio": ratio(val[start_active], first[start_active]),
    }
    run = RunResult(scenario=scenario, timeseries=model.timeseries(), summary=model.summary())
    return Baseline(run=run, extras=extras)


def _top_fifth(values: np.ndarray) -> float:
    """Top-fifth share of the total; +inf (a bound) when the total is ≤ 0 but the top fifth's > 0."""
    share = top_share(values)
    if np.isnan(share) and values.size:
        k = max(round(0.2 * values.size), 1)
        top = float(np.sort(values)[-k:].sum())
        return float("inf") if top > 0 else float("nan")
    return share
