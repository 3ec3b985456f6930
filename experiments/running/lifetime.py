"""Customers followed over their lives: the net present value each client acquired in a run's
first three years brings, acquisition subtracted — Reichheld & Sasser's (1990) per-customer
estimand — and the annual retention of those same clients.

Each client's profit is followed month by month from the month it joined: its contribution
(revenue less the costs it causes: cost of goods, discounts, service, fixes, win-back offers), the
acquisition charge of its month of joining, and the referral credits it earns and gives (docs/ODD.md
§7.9) — its attributed profit (``clients.value``) with its share of the firm's shared costs
(staff, training, hiring, overhead, R&D) added back, as Reichheld & Sasser's customer profit has
none. Each month's is discounted to the month the client joined at the world's rate, until the
run ends. Acquisition spent in a month of the cohort's years in which nobody joined (which the
ledger spreads over the clients served as a shared cost, docs/ODD.md §7.9) is still spent to win
this cohort: it is charged to the cohort's clients in equal parts, undiscounted, as a joiner's
own acquisition charge is. The run is made long enough
(:data:`FOLLOW_MONTHS` after the cohort's years) that what the horizon cuts off is small: after
twenty years a client with the plausible range's lowest churn (0.5% a month) is still there with
chance 0.3, and a month's profit then is worth 0.15 of today's at a 10% rate.

The cohort's retention is its own, not the whole base's: pooled over every month a member of the
cohort is served, ``(1 − leavers / served)^12``. A rise in retention that a per-customer value is
scaled by must be the rise those customers had — the whole base of a long run is mostly clients
of long tenure (and, where churn falls with tenure, retains more than the cohort does, and can
rise less).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from model import Scenario
from model.engine.ledger import acquisition_spend
from model.engine.phases.account import cost_shares
from model.engine.retention_model import RetentionModel
from model.studies.run import RunResult, run_many

__all__ = [
    "COHORT_MONTHS",
    "FOLLOW_MONTHS",
    "Lifetime",
    "lifetime_runs",
    "month_profit",
    "unclaimed_acquisition",
]

#: The cohort: clients first acquired in months 1 to this. Three years, not one: at the claim
#: study's 800 people a first-year cohort is about 100 clients, and the reading's spread over seeds
#: at the defaults fell from 24.6 to 17.7 points with three years' joiners (standard deviations
#: over the study's own 12 default seeds, ``experiments.running.study.defaults_seed``; over seeds 1-12,
#: 16.8 to 10.9).
COHORT_MONTHS = 36
#: Months each run goes on after the cohort's years.
FOLLOW_MONTHS = 240


class Lifetime(NamedTuple):
    """A run followed long enough for its cohort's lives (:func:`lifetime_runs`)."""

    run: RunResult
    #: Mean lifetime NPV of the clients acquired in months 1 to :data:`COHORT_MONTHS`, acquisition
    #: subtracted (currency; NaN where nobody joined).
    npv: float
    #: Those clients' annual retention, pooled over every month one of them was served (share;
    #: NaN where none was).
    retention: float


def lifetime_runs(scenarios: Sequence[Scenario], annual_rate: float) -> list[Lifetime]:
    """Run each scenario for ``COHORT_MONTHS + FOLLOW_MONTHS`` months; its :class:`Lifetime`.

    ``annual_rate`` discounts (per year, compounded monthly as the ledger's NPV is).
    """
    months = {"run.months": COHORT_MONTHS + FOLLOW_MONTHS}
    watching: dict[int, _Cohort] = {}

    def watch(model: RetentionModel) -> None:
        cohort = watching.get(id(model))
        if cohort is None:
            watching[id(model)] = _Cohort(model, annual_rate)
        else:
            cohort.after_month(model)

    def finish(scenario: Scenario, model: RetentionModel) -> Lifetime:
        cohort = watching.pop(id(model))
        return Lifetime(RunResult.of(scenario, model), cohort.mean_npv(model), cohort.retention())

    return run_many([s.with_overrides(months) for s in scenarios], finish, watch=watch)


def month_profit(model: RetentionModel, last_value: np.ndarray) -> np.ndarray:
    """Each client's profit in the month just run (currency): its attributed profit's change
    since ``last_value`` with its share of the shared costs added back.

    Summed over the market it is the month's revenue less the costs clients cause and less
    acquisition (``tests/test_lifetime.py``) — but in a month nobody joined, when the ledger's
    attribution makes that month's acquisition spend a shared cost of the clients served
    (docs/ODD.md §7.9), it is added back with the rest and charged to no one here (the cohort
    charges such spend of its years to its own clients: :func:`unclaimed_acquisition`).
    """
    ctx = model.ctx
    change = model.clients.value - last_value
    # A served client's attributed profit less its share of the shared costs (staff, training,
    # hiring, overhead, R&D) is its contribution (less acquisition): add that share back.
    served = ctx.served_idx
    joiners = int(np.count_nonzero(model.clients.joins))
    per_client, per_revenue, _ = cost_shares(ctx.ledger, served.size, ctx.revenue, joiners)
    change[served] += per_client + per_revenue * ctx.client_revenue[: served.size]
    return change


def unclaimed_acquisition(model: RetentionModel) -> float:
    """The acquisition spend (marketing and onboarding, currency) of the month just run if
    nobody joined in it, else 0: the spend no joiner was charged (see :func:`month_profit`)."""
    if np.any(model.clients.joins):
        return 0.0
    return acquisition_spend(model.ctx.ledger)


class _Cohort:
    """Each client's attributed profit since last month, discounted to its month of joining,
    the cohort years' acquisition spend that no joiner was charged, and the cohort's months
    served and leavers."""

    def __init__(self, model: RetentionModel, annual_rate: float) -> None:
        self.last = model.clients.value.copy()
        self.pv = np.zeros(model.clients.n)
        self.factor = (1.0 + annual_rate) ** (-1.0 / 12.0)
        self.unclaimed = 0.0  # currency, undiscounted
        self.served = 0  # client-months of the cohort's members served
        self.left = 0  # of those, the months they left in

    def _members(self, model: RetentionModel) -> np.ndarray:
        joined = model.clients.acquired_month
        return np.flatnonzero((joined >= 1) & (joined <= COHORT_MONTHS))

    def after_month(self, model: RetentionModel) -> None:
        change = month_profit(model, self.last)
        self.last[:] = model.clients.value
        if model.month <= COHORT_MONTHS:
            self.unclaimed += unclaimed_acquisition(model)
        rows = self._members(model)
        if rows.size:
            since = model.month - model.clients.acquired_month[rows].astype(np.float64)
            self.pv[rows] += change[rows] * self.factor**since
            # (A month's leavers are among its served; both flags hold until the next month.)
            self.served += int(np.count_nonzero(model.ctx.served[rows]))
            self.left += int(np.count_nonzero(model.clients.leaves[rows]))

    def mean_npv(self, model: RetentionModel) -> float:
        rows = self._members(model)
        if not rows.size:
            return float("nan")
        return float(self.pv[rows].mean()) - self.unclaimed / rows.size

    def retention(self) -> float:
        """The cohort's annual retention: ``(1 − leavers / served)^12`` over its months served."""
        if not self.served:
            return float("nan")
        return (1.0 - self.left / self.served) ** 12
