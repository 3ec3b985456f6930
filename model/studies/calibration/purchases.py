"""A purchase process fitted to a non-contractual log, turned into the model's parameters.

The Pareto/NBD (purchase rate λ ~ Gamma(r, α), lifetime rate μ ~ Gamma(s, β), independent) and
Gamma-Gamma spend per purchase (p, q, γ) become a client's traits in the agent-based model
(docs/ODD.md §5):

- monthly spend = purchase rate × spend per purchase: ``market.spend_distribution = "purchases"``,
  ``market.purchase_rate_shape = r``, ``market.purchase_value_shape = q`` and
  ``market.spend_mean = (r/α)·(weeks per month)·pγ/(q − 1)`` (currency/month);
- churn propensity: the model's monthly Beta(a, b) (``retain.base_churn = a/(a + b)``,
  ``retain.churn_heterogeneity = 1/(a + b + 1)``) whose cohort survival B(a, b + m)/B(a, b)
  matches the Pareto/NBD's (β/(β + t))^s at months m = 1 … 36 (least squares on log survival; for
  b large the two coincide, as Beta(a, b) → Gamma(a, 1/b)).

The BG/NBD is fitted beside it for comparison; its dropout is tied to purchasing (a client can
leave only after a purchase), which the model's independent traits cannot carry, so the mapping
uses the Pareto/NBD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from model.studies.calibration import gamma_gamma, pareto_nbd
from model.studies.calibration.mle import Z95, MLEFit
from model.studies.closed_forms import sbg_survival

__all__ = ["DAYS_PER_MONTH", "HORIZON_MONTHS", "ModelValues", "to_model"]

DAYS_PER_MONTH = 365.25 / 12.0
HORIZON_MONTHS = 36


@dataclass(frozen=True)
class ModelValues:
    """The scenario values, their 95% intervals, and how far the monthly Beta is from the fit."""

    values: dict[str, float | str]
    intervals: dict[str, tuple[float, float]]
    survival_gap: float
    spend_per_purchase: float
    purchases_per_month: float


def _beta_for(s: float, beta_months: float) -> tuple[float, float, float]:
    m = np.arange(1, HORIZON_MONTHS + 1, dtype=np.float64)
    target = np.log(pareto_nbd.survival((0, 0, s, beta_months), m))

    def resid(z):
        a, b = np.exp(z)
        return np.log(sbg_survival(a, b, m)) - target

    res = optimize.least_squares(resid, np.log([s, beta_months + 1.0]), method="lm", xtol=1e-12)
    a, b = np.exp(res.x)
    gap = float(np.max(np.abs(sbg_survival(a, b, m) - np.exp(target))))
    return float(a), float(b), gap


def _churn(theta_log: np.ndarray, unit_days: float) -> np.ndarray:
    s, beta = np.exp(theta_log)
    a, b, _ = _beta_for(s, beta * unit_days / DAYS_PER_MONTH)
    return np.array([a / (a + b), 1.0 / (a + b + 1.0)])


def to_model(pnbd: MLEFit, gg: MLEFit | None, unit_days: float = 7.0) -> ModelValues:
    """Scenario values from a Pareto/NBD fit (and a Gamma-Gamma fit, if the log has amounts)."""
    r, alpha, s, beta = pnbd.values
    per_month = DAYS_PER_MONTH / unit_days
    a, b, gap = _beta_for(s, beta / per_month)
    values: dict[str, float | str] = {
        "retain.base_churn": a / (a + b),
        "retain.churn_heterogeneity": 1.0 / (a + b + 1.0),
    }
    intervals: dict[str, tuple[float, float]] = {}
    # Delta method on the log-odds of (base_churn, heterogeneity) from (ln s, ln β).
    cov = pnbd.cov_log[2:, 2:]
    if np.all(np.isfinite(cov)):
        z = np.log([s, beta])

        def logit(v):
            p = _churn(v, unit_days)
            return np.log(p / (1 - p))

        eps = 1e-4
        jac = np.column_stack([(logit(z + e) - logit(z - e)) / (2 * eps) for e in np.eye(2) * eps])
        var = np.diag(jac @ cov @ jac.T)
        centre = logit(z)
        for i, key in enumerate(("retain.base_churn", "retain.churn_heterogeneity")):
            lo, hi = centre[i] - Z95 * np.sqrt(var[i]), centre[i] + Z95 * np.sqrt(var[i])
            intervals[key] = (float(1 / (1 + np.exp(-lo))), float(1 / (1 + np.exp(-hi))))
    rate = r / alpha * per_month
    spend_per_purchase = float("nan")
    if gg is not None and gg.values[1] > 1:
        spend_per_purchase = gamma_gamma.mean_per_purchase(gg.values)
        values.update(
            {
                "market.spend_distribution": "purchases",
                "market.purchase_rate_shape": float(r),
                "market.purchase_value_shape": float(gg.values[1]),
                "market.spend_mean": float(rate * spend_per_purchase),
            }
        )
        if np.all(np.isfinite(pnbd.cov_log)):
            intervals["market.purchase_rate_shape"] = pnbd.interval("r")
        if np.all(np.isfinite(gg.cov_log)):
            intervals["market.purchase_value_shape"] = gg.interval("q")
    return ModelValues(values, intervals, gap, spend_per_purchase, float(rate))
