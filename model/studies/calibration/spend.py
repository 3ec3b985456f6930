"""Spend concentration: the lognormal σ of per-client spend, in closed form.

If spend X is lognormal(μ, σ), the top share q of clients hold a share of all spend

    share(q) = E[X; X > x_q] / E[X] = 1 − Φ(z_{1−q} − σ) = Φ(σ − z_{1−q}),

because E[X·1{ln X > μ + σz}] = e^{μ+σ²/2}·(1 − Φ(z − σ)) (shift the normal by σ). For q = 0.2,
z₀.₈ = 0.8416, so σ = z₀.₈ + Φ⁻¹(share): 70/20 ⇒ σ = 1.37, 80/20 ⇒ σ = 1.68. The maximum-likelihood
σ from per-client spends is the standard deviation of their logarithms (ddof = 0), with standard
error σ/√(2n); the mean spend is e^{μ + σ²/2}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.mle import Z95

__all__ = ["LognormalFit", "fit_lognormal", "sigma_from_top_share", "top_share_lognormal"]


def top_share_lognormal(sigma: float | np.ndarray, top: float = 0.2) -> float | np.ndarray:
    """Share of all spend held by the top ``top`` of clients when spend is lognormal(·, σ)."""
    return stats.norm.cdf(np.asarray(sigma) - stats.norm.ppf(1.0 - top))


def sigma_from_top_share(share: float, top: float = 0.2) -> float:
    """The lognormal σ whose top ``top`` of clients hold ``share`` of spend (inverse of the above).

    Raises
    ------
    CalibrationError
        ``share`` outside (top, 1): a share at or below ``top`` would need σ ≤ 0.
    """
    if not top < share < 1.0:
        raise CalibrationError(
            f"top20_share: value {share!r} is not allowed; allowed: {top:g} < x < 1 "
            f"(the top {top:.0%} hold at least {top:.0%} of spend)"
        )
    return float(stats.norm.ppf(1.0 - top) + stats.norm.ppf(share))


@dataclass(frozen=True)
class LognormalFit:
    """A lognormal fit to per-client mean monthly spend.

    Attributes
    ----------
    mu, sigma : float
        Mean and standard deviation of ln spend (maximum likelihood).
    clients : int
        Clients with positive spend used in the fit.
    top20_observed : float
        Share of spend held by the top 20% of those clients, as observed.
    """

    mu: float
    sigma: float
    clients: int
    top20_observed: float

    @property
    def mean(self) -> float:
        """``market.spend_mean``: the lognormal's mean e^{μ + σ²/2} (currency/month)."""
        return float(np.exp(self.mu + 0.5 * self.sigma**2))

    @property
    def sigma_se(self) -> float:
        """Standard error of σ̂: σ/√(2n)."""
        return self.sigma / np.sqrt(2.0 * self.clients)

    @property
    def top20_fitted(self) -> float:
        """Top-20% share implied by the fitted σ."""
        return float(top_share_lognormal(self.sigma))

    def interval(self, name: str) -> tuple[float, float]:
        """95% interval of ``"sigma"`` or ``"mean"`` (normal approximation)."""
        if name == "sigma":
            half = Z95 * self.sigma_se
            return self.sigma - half, self.sigma + half
        # Var(μ̂) = σ²/n, Var(σ̂) = σ²/(2n), independent: d ln mean = dμ + σ dσ.
        se_log = self.sigma * np.sqrt(1.0 / self.clients + self.sigma**2 / (2.0 * self.clients))
        return self.mean * float(np.exp(-Z95 * se_log)), self.mean * float(np.exp(Z95 * se_log))


def fit_lognormal(spend: np.ndarray) -> LognormalFit:
    """Maximum-likelihood lognormal fit to positive per-client spends (zeros are left out)."""
    x = np.asarray(spend, dtype=np.float64)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size < 10:
        raise CalibrationError(
            f"spend: need at least 10 clients with positive spend to fit a lognormal; got {x.size}"
        )
    logs = np.log(x)
    k = max(round(0.2 * x.size), 1)
    top = float(np.sort(x)[-k:].sum() / x.sum())
    return LognormalFit(float(logs.mean()), float(logs.std()), int(x.size), top)
