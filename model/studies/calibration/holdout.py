"""The holdout check: forecasts of the period after the split against what the clients did.

Two forecasts of the cohort known at the split (clients who first bought by then):

- **statistical** — the fitted BG/NBD and Pareto/NBD: expected repeat purchases per week for the
  whole cohort, Σᵢ E[X(t − tᵢ)] differenced by week (tᵢ: client i's first purchase; the
  literature's tracking plot), and per client E[Y(holdout) | x, t_x, T];
- **agent-based** — the fitted scenario simulated as a cohort (every client active at month 0,
  no acquisition): its purchases per client by month of tenure (revenue ÷ mean spend per purchase;
  exact in expectation because spend per purchase is independent of rate and survival) are
  spread over the clients' real first-purchase dates. The model keeps no client's history, so its
  per-client forecast is the client's P(alive) and posterior purchase rate (Pareto/NBD) times the
  simulated cohort's survival from the client's age on: what the model adds is its churn dynamics.

Errors: mean absolute error and correlation of per-client holdout purchases, and the tracking
error of weekly totals, for each forecast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.studies.calibration import bgnbd, pareto_nbd
from model.studies.calibration.mle import MLEFit
from model.studies.calibration.purchases import DAYS_PER_MONTH
from model.studies.calibration.rfm import History
from model.studies.progress import Progress, or_silent
from model.studies.run import simulate

__all__ = [
    "COHORT",
    "HOLDOUT_HEADER",
    "MAX_AGENTS",
    "AgentCohort",
    "Holdout",
    "agent_cohort",
    "check",
    "tracking",
]

#: The most agents simulated for a cohort (its per-client curves do not need more).
MAX_AGENTS = 50_000

#: The overrides that make a scenario a closed cohort: everyone a client at month 0, at tenure 0,
#: and nobody new (no advertising, no referrals, no win-back).
COHORT: dict[str, object] = {
    "market.initial_active_share": 1.0,
    "market.initial_tenure": "new",
    "levers.ad_budget": 0.0,
    "levers.winback_spend": 0.0,
    "word_of_mouth.enabled": False,
}


@dataclass(frozen=True)
class AgentCohort:
    """The simulated cohort, per initial client, by month of tenure (mean over seeds).

    Attributes
    ----------
    purchases : ndarray
        Purchases per initial client in tenure month m (m = 0, 1, …).
    alive : ndarray
        Share still a client at the end of month m.
    seeds : tuple of int
    """

    purchases: np.ndarray
    alive: np.ndarray
    seeds: tuple[int, ...]

    def cumulative(self, months: np.ndarray) -> np.ndarray:
        """Purchases per client by tenure ``months`` (continuous), linear within a month."""
        c = np.r_[0.0, np.cumsum(self.purchases)]
        return np.interp(months, np.arange(c.size), c)

    def survival(self, months: np.ndarray) -> np.ndarray:
        """Share alive at tenure ``months`` (continuous)."""
        s = np.r_[1.0, self.alive]
        return np.interp(months, np.arange(s.size), s)


def agent_cohort(
    scenario: Scenario,
    clients: int,
    months: int,
    spend_per_purchase: float,
    seeds=(1, 2, 3, 4),
    progress: Progress | None = None,
) -> AgentCohort:
    """Simulate ``scenario`` as a closed cohort of ``clients`` for ``months`` (mean over ``seeds``).

    ``progress`` (:mod:`model.studies.progress`) counts the runs, one per seed.
    """
    clients = min(int(clients), MAX_AGENTS)  # per-client averages: more agents add little
    s = scenario.with_overrides({**COHORT, "market.clients": clients, "run.months": int(months)})
    buys, alive = [], []
    for seed in seeds:
        ts = simulate(s, seed=seed).timeseries
        buys.append(ts["revenue"].to_numpy() / spend_per_purchase / clients)
        alive.append(ts["active"].to_numpy() / clients)
        or_silent(progress).update(1)
    return AgentCohort(np.mean(buys, axis=0), np.mean(alive, axis=0), tuple(seeds))


def tracking(cumulative, h: History) -> np.ndarray:
    """Weekly repeat purchases of the cohort from a per-client cumulative curve of age (units).

    First purchases fall on whole days, so the cohort's total at each week's end is a sum over
    first-purchase days (a convolution): the curve is evaluated once per day of age, not per client.
    """
    t = h.weekly["t"].to_numpy(dtype=np.float64)
    off_days = np.round(h.offset * h.unit_days).astype(np.int64)
    count = np.bincount(off_days)
    days = np.arange(count.size)
    total = np.empty(t.size)
    for k, tk in enumerate(t):
        age = np.maximum(tk * h.unit_days - days, 0.0) / h.unit_days
        total[k] = count @ cumulative(age)
    return np.diff(np.r_[0.0, total])


@dataclass(frozen=True)
class Holdout:
    """Forecasts of the holdout beside the actual purchases.

    Attributes
    ----------
    weekly : DataFrame
        Per unit (week): ``actual`` repeat purchases and each forecast's; ``calibration`` marks
        units that end by the split, ``holdout`` those that begin after it and end by the log's
        last day (the unit across the split and a last part unit are in neither).
    per_client : DataFrame
        Per client: holdout purchases ``actual`` and each forecast's conditional expectation.
    errors : DataFrame
        Per forecast: per-client MAE and correlation over the holdout, and the mean absolute
        error of weekly totals in the calibration period and the holdout (purchases/week).
    """

    weekly: pd.DataFrame
    per_client: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)


#: How the weekly table :func:`check` makes begins, written as CSV: ``retention calibrate``
#: knows a ``--holdout-csv`` it wrote by it (``tests/test_calibration_inputs.py`` checks it).
HOLDOUT_HEADER = "t,actual,calibration,"


def check(h: History, bg: MLEFit, pnbd: MLEFit, agent: AgentCohort | None = None) -> Holdout:
    """Compare the statistical (and, if given, agent-based) forecasts with the holdout."""
    per_month = DAYS_PER_MONTH / h.unit_days
    weekly = pd.DataFrame({"t": h.weekly["t"], "actual": h.weekly["repeat"].astype(float)})
    # Days from the start: a unit t covers [(t − 1)·u, t·u). Calibration: it ends by the split;
    # holdout: it begins after the split and the log covers it whole. The unit across the split
    # and a last unit the log ends inside are in neither (they were holdout weeks: one held two
    # calibration days, the other compared 4 days' purchases with a whole week's forecast).
    first_day = (weekly["t"] - 1) * h.unit_days
    split_days, end_days = (h.split - h.start).days + 1, (h.end - h.start).days + 1
    weekly["calibration"] = weekly["t"] * h.unit_days <= split_days
    weekly["holdout"] = (first_day >= split_days) & (weekly["t"] * h.unit_days <= end_days)
    weekly["BG/NBD"] = tracking(lambda a: bgnbd.expected(bg.values, a), h)
    weekly["Pareto/NBD"] = tracking(lambda a: pareto_nbd.expected(pnbd.values, a), h)
    t = h.holdout_units
    per_client = pd.DataFrame(
        {
            "actual": h.x_holdout,
            "BG/NBD": bgnbd.conditional_expected(bg.values, t, h.x, h.t_x, h.T),
            "Pareto/NBD": pareto_nbd.conditional_expected(pnbd.values, t, h.x, h.t_x, h.T),
        }
    )
    if agent is not None:
        weekly["agent-based"] = tracking(lambda a: agent.cumulative(a / per_month), h)
        r, alpha, _, _ = pnbd.values
        rate = (r + h.x) / (alpha + h.T)  # posterior mean purchases per unit
        alive = pareto_nbd.p_alive(pnbd.values, h.x, h.t_x, h.T)
        grid = np.linspace(0.0, t, 64)
        age = (h.T[:, None] + grid[None, :]) / per_month
        s = agent.survival(age) / np.maximum(agent.survival(h.T / per_month), 1e-12)[:, None]
        alive_units = np.trapezoid(s, grid, axis=1)
        per_client["agent-based"] = alive * rate * alive_units
    rows = []
    for name in per_client.columns[1:]:
        err = per_client[name] - per_client["actual"]
        cal, hold = weekly["calibration"], weekly["holdout"]
        wk = (weekly[name] - weekly["actual"]).abs()
        rows.append(
            {
                "forecast": name,
                "client_mae": float(err.abs().mean(skipna=False)),
                "client_correlation": float(
                    np.corrcoef(per_client[name], per_client["actual"])[0, 1]
                ),
                # (NaN where the forecast is missing for any client, as the error above: a
                # total without them is no forecast; one missing for all summed to 0 purchases)
                "holdout_total_forecast": float(per_client[name].sum(min_count=len(per_client))),
                "holdout_total_actual": float(per_client["actual"].sum()),
                "weekly_mae_calibration": float(wk[cal].mean()),
                "weekly_mae_holdout": float(wk[hold].mean()),
            }
        )
    return Holdout(weekly, per_client, pd.DataFrame(rows).set_index("forecast"))
