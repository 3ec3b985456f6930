"""A world's baseline run, instrumented: the per-client sums the claims read beside its series.

The baseline is a world's control arm (its declared levers, nothing changed). It runs once per
world and replication; :func:`baseline_runs` looks at each model between its months (as a loop of
``model.step()`` would) to snapshot per-client revenue and attributed profit at the months the
claims need (after the first year, a year before the end), which the monthly series alone cannot
give, while the baselines of many worlds step together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from experiments.running.lifetime import month_profit
from model import Scenario
from model.engine.metrics import top_share
from model.engine.retention_model import RetentionModel
from model.studies.run import RunResult, run_many

__all__ = ["EXTRAS", "Baseline", "baseline_run", "baseline_runs"]

#: The per-client numbers :func:`baseline_run` adds to a run (see :class:`Baseline`).
EXTRAS = (
    "top20_profit_1y",
    "top20_profit_all",
    "top20_contribution_1y",
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
        clients served in the last 12 months / the whole run (%; NaN where their total profit
        is ≤ 0: a share of profit needs a profit);
        ``top20_contribution_1y``: the same share over the last 12 months of each client's
        contribution margin — its revenue less the costs it causes, its acquisition included
        (:func:`experiments.running.lifetime.month_profit`), the firm's shared costs (staff, training,
        hiring, overhead, R&D) allocated to no one (%; NaN where the total is ≤ 0);
        ``stayer_ratio``: revenue of clients served in every month over the whole run divided by
        their first-year revenue; ``cohort_ratio`` and ``cohort_profit_ratio``: revenue and
        attributed profit over the whole run of the clients active at the start (churn and
        win-back included) divided by their first-year revenue.
    """

    run: RunResult
    extras: dict[str, float]


def baseline_run(scenario: Scenario) -> Baseline:
    """Run ``scenario`` once, snapshotting per-client revenue and profit for the claims."""
    return baseline_runs([scenario])[0]


def baseline_runs(scenarios: Sequence[Scenario]) -> list[Baseline]:
    """:func:`baseline_run` of each scenario, small markets stepped together
    (:func:`model.studies.run.run_many`); each the same as run alone."""
    watching: dict[int, _Watch] = {}

    def watch(model: RetentionModel) -> None:
        kept = watching.get(id(model))
        if kept is None:
            watching[id(model)] = _Watch(model)
        else:
            kept.after_month(model)

    def finish(scenario: Scenario, model: RetentionModel) -> Baseline:
        extras = watching.pop(id(model)).extras(model)
        return Baseline(run=RunResult.of(scenario, model), extras=extras)

    return run_many(scenarios, finish, watch=watch)


class _Watch:
    """What a baseline gathers between months: who stayed, who was served, snapshots of
    cumulative revenue and profit (as a loop of ``model.step()`` would look between steps)."""

    def __init__(self, model: RetentionModel) -> None:
        c = model.clients
        self.end = model.months
        self.start_active = c.active_mask().copy()
        self.stayed = np.ones(c.n, bool)
        self.served_all = np.zeros(c.n, bool)
        self.served_last = np.zeros(c.n, bool)
        self.rev0, self.val0 = c.revenue_total.copy(), c.value.copy()
        self.snap: dict[str, np.ndarray] = {}
        self.contribution_last = np.zeros(c.n)  # the last 12 months' (currency)
        self._before_month(model)

    def _before_month(self, model: RetentionModel) -> None:
        c = model.clients
        if model.month == self.end - 12:
            self.snap["rev_last"], self.snap["val_last"] = c.revenue_total.copy(), c.value.copy()
        if model.month >= self.end - 12:  # (each month of the last year: its profit is a change)
            self.val_before = c.value.copy()

    def after_month(self, model: RetentionModel) -> None:
        c = model.clients
        served = model.ctx.served
        self.stayed &= served
        self.served_all |= served | c.joins
        if model.month > self.end - 12:
            self.served_last |= served | c.joins
            self.contribution_last += month_profit(model, self.val_before)
        if model.month == 12:
            self.snap["rev_12"] = c.revenue_total.copy()
        self._before_month(model)

    def extras(self, model: RetentionModel) -> dict[str, float]:
        """:class:`Baseline`'s extras, once the run has ended."""
        c, snap = model.clients, self.snap
        rev, val = c.revenue_total - self.rev0, c.value - self.val0
        first = snap.get("rev_12", c.revenue_total) - self.rev0

        def ratio(num: np.ndarray, den: np.ndarray) -> float:
            d = float(den.sum())
            return float(num.sum()) / d if d > 0 else float("nan")

        last_val = c.value - snap.get("val_last", self.val0)
        start, stayed = self.start_active, self.stayed & self.start_active
        return {
            "top20_profit_1y": 100.0 * _top_fifth(last_val[self.served_last]),
            "top20_profit_all": 100.0 * _top_fifth(val[self.served_all]),
            "top20_contribution_1y": 100.0 * _top_fifth(self.contribution_last[self.served_last]),
            "stayer_ratio": ratio(rev[stayed], first[stayed]),
            "cohort_ratio": ratio(rev[start], first[start]),
            "cohort_profit_ratio": ratio(val[start], first[start]),
        }


def _top_fifth(values: np.ndarray) -> float:
    """Top-fifth share of the total profit (a fraction); NaN where the total is ≤ 0.

    A firm that made no profit has no profit to share: its top fifth's earnings are no
    percentage of it (counted +inf before, a "whale curve" beyond every band; the same rule as
    :func:`experiments.running.arms.profit_change`'s).
    """
    return top_share(values)
