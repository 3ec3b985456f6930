"""Shifted-beta-geometric (sBG) maximum likelihood (Fader & Hardie 2007, "How to project customer
retention", J. Interactive Marketing 21(1):76-90).

Each client has a constant per-period churn probability θ ~ Beta(γ, δ); a cohort's survival is
S(t) = B(γ, δ + t)/B(γ, δ). The data are lifetimes: clients seen to leave in period t contribute
ln P(T = t), clients still there when observation stops after t periods contribute ln S(t) (the
right-censored survivors — leaving them out is the classic bug). A survival table of one cohort is
the special case "deaths in each period, survivors censored at the last period".

Intervals come from the observed information (numerical Hessian of the log-likelihood on the log
scale, so they stay positive). The period conversion to the model's monthly step is
:func:`to_monthly`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import optimize

from model.scenario.arguments import is_number, is_whole
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.mle import Z95, hessian
from model.studies.calibration.sbg_profile import (
    BOUNDARY_POLARIZATION,
    mean_ends,
    polarization_upper,
)
from model.studies.closed_forms import sbg_pmf, sbg_survival

__all__ = [
    "BOUNDARY_POLARIZATION",
    "MonthlyBeta",
    "SBGFit",
    "check_fit_periods",
    "check_period_months",
    "fit_lifetimes",
    "fit_survival",
    "loglik",
    "monthly_intervals",
    "to_monthly",
]


def check_fit_periods(fit_periods: object, last: int) -> int:
    """``fit_periods`` as a whole number of periods in [2, ``last``] (two parameters need two
    periods), or a :class:`CalibrationError` naming it."""
    if not (is_whole(fit_periods) and 2 <= fit_periods <= last):
        raise CalibrationError(
            f"fit_periods: value {fit_periods!r} is not allowed; allowed: a whole number, "
            f"2 ≤ x ≤ {last} (two parameters need at least two periods)"
        )
    return int(fit_periods)


def check_period_months(period_months: object) -> None:
    """Refuse a period length that is not a number of months in (0, 120] (12 for years)."""
    if not (is_number(period_months) and 0 < period_months <= 120):
        raise CalibrationError(
            f"period_months: value {period_months!r} is not allowed; allowed: 0 < x ≤ 120 "
            "(months in one period of the table: 12 for years)"
        )


@dataclass(frozen=True)
class SBGFit:
    """An sBG fit at the data's period.

    Attributes
    ----------
    gamma, delta : float
        Beta shapes of the per-period churn probability (Fader & Hardie's α, β).
    loglik : float
        Maximized log-likelihood.
    cov_log : ndarray, shape (2, 2)
        Covariance of (ln γ, ln δ) from the observed information.
    clients : int
        Clients in the data (each contributes one lifetime).
    periods : int
        Longest observed lifetime, in periods.
    period_months : float
        Length of the data's period in months (12 for years).
    """

    gamma: float
    delta: float
    loglik: float
    cov_log: np.ndarray
    clients: int
    periods: int
    period_months: float = 12.0
    #: Where the data show no heterogeneity (γ, δ → ∞, polarization below
    #: :data:`BOUNDARY_POLARIZATION`): the shapes (γ, δ) at the upper end of the polarization's
    #: 95% profile-likelihood interval, whose lower end is 0. None otherwise.
    upper_shapes: tuple[float, float] | None = None
    #: At that boundary: the shapes at the two ends of the mean churn's 95% profile-likelihood
    #: interval with every client alike (its Hessian interval there is rounding noise too).
    mean_shapes: tuple[tuple[float, float], tuple[float, float]] | None = None

    @property
    def se_log(self) -> np.ndarray:
        """Standard errors of ln γ, ln δ."""
        return np.sqrt(np.diag(self.cov_log))

    @property
    def params(self) -> dict[str, float]:
        """The estimates named as in Fader & Hardie (2007): θ ~ Beta(α, β) (here γ, δ)."""
        return {"α": self.gamma, "β": self.delta}

    @property
    def at_boundary(self) -> bool:
        """Whether the fit lies where the data show no heterogeneity (see ``upper_shapes``):
        there the observed information says nothing about γ and δ, only their profile does."""
        return self.upper_shapes is not None

    def interval(self, name: str) -> tuple[float, float]:
        """95% interval of ``"α"``/``"gamma"`` or ``"β"``/``"delta"`` (normal on the log scale)."""
        i = {"gamma": 0, "delta": 1, "α": 0, "β": 1}[name]
        est = (self.gamma, self.delta)[i]
        half = Z95 * self.se_log[i]
        return float(est * np.exp(-half)), float(est * np.exp(half))

    def estimate_text(self, name: str) -> str:
        """``"0.704 [0.5, 0.99]"``: an estimate of ``"α"`` or ``"β"`` with its 95% interval; at
        the no-heterogeneity boundary, that it is not bounded above (the Hessian's interval there
        is rounding noise) and the polarization's profile bound instead."""
        value = self.params[name]
        if self.upper_shapes is not None:
            upper = 1.0 / (sum(self.upper_shapes) + 1.0)
            return (
                f"{value:.6g} (no heterogeneity seen: not bounded above; polarization "
                f"1/(α+β+1) ≤ {upper:.3g} at 95%, profile likelihood)"
            )
        lo, hi = self.interval(name)
        return f"{value:.6g} [{lo:.4g}, {hi:.4g}]"

    @property
    def mean_churn(self) -> float:
        """Mean per-period churn probability γ/(γ + δ)."""
        return self.gamma / (self.gamma + self.delta)

    @property
    def polarization(self) -> float:
        """1/(γ + δ + 1): 0 = everyone alike, → 1 = each client either stays or leaves at once."""
        return 1.0 / (self.gamma + self.delta + 1.0)

    def survival(self, t: np.ndarray | int) -> np.ndarray:
        """Projected share alive after ``t`` periods."""
        return sbg_survival(self.gamma, self.delta, np.asarray(t))

    def survival_se(self, t: np.ndarray | int) -> np.ndarray:
        """Standard error of :meth:`survival` from parameter uncertainty (delta method)."""
        t = np.asarray(t, dtype=np.float64)
        h = 1e-5
        grads = []
        for i in range(2):
            step = np.zeros(2)
            step[i] = h
            lo = np.log([self.gamma, self.delta]) - step
            hi = np.log([self.gamma, self.delta]) + step
            grads.append((sbg_survival(*np.exp(hi), t) - sbg_survival(*np.exp(lo), t)) / (2 * h))
        g = np.stack(grads, axis=-1)
        return np.sqrt(np.einsum("...i,ij,...j->...", g, self.cov_log, g))


def loglik(gamma: float, delta: float, deaths: np.ndarray, censored: np.ndarray) -> float:
    """sBG log-likelihood of lifetimes summarized by period.

    Parameters
    ----------
    gamma, delta : float
        Beta shapes (> 0).
    deaths : ndarray of int, shape (T + 1,)
        ``deaths[t]``: clients seen to leave in period t (index 0 unused).
    censored : ndarray of int, shape (T + 1,)
        ``censored[t]``: clients still there after t periods when observation stopped.
    """
    t = np.arange(deaths.size)
    ll = 0.0
    died = deaths[1:] > 0
    if died.any():
        ll += float(np.sum(deaths[1:][died] * np.log(sbg_pmf(gamma, delta, t[1:][died]))))
    cens = censored > 0
    if cens.any():
        ll += float(np.sum(censored[cens] * np.log(sbg_survival(gamma, delta, t[cens]))))
    return ll


def _ll(gamma: float, delta: float, *, deaths: np.ndarray, censored: np.ndarray) -> float:
    return loglik(gamma, delta, deaths, censored)


def fit_lifetimes(
    deaths: np.ndarray, censored: np.ndarray, *, period_months: float = 12.0
) -> SBGFit:
    """Maximum-likelihood sBG fit to lifetimes (deaths and right-censored survivors by period).

    Raises
    ------
    CalibrationError
        No client, or no client seen to leave (γ/(γ + δ) would be 0 — not estimable).
    """
    check_period_months(period_months)
    deaths = np.asarray(deaths, dtype=np.float64)
    censored = np.asarray(censored, dtype=np.float64)
    n = round(float(deaths[1:].sum() + censored.sum()))
    if n == 0:
        raise CalibrationError("lifetimes: no client observed; need at least one cohort")
    if deaths[1:].sum() == 0:
        raise CalibrationError(
            "lifetimes: no client was seen to leave, so the churn rate cannot be estimated"
        )
    if censored[1:].sum() + deaths[2:].sum() == 0:
        raise CalibrationError(
            "lifetimes: every client left in the first period; heterogeneity cannot be estimated"
        )

    def nll(x: np.ndarray) -> float:
        g, d = np.exp(np.clip(x, -20, 20))
        return -loglik(g, d, deaths, censored)

    best = None
    for start in ([0.0, 0.0], [-1.0, 1.0], [1.0, 2.0]):  # a few starts: the surface is flat-ish
        res = optimize.minimize(
            nll,
            np.array(start),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000},
        )
        if best is None or res.fun < best.fun:
            best = res
    x = best.x
    g, d = np.exp(x)
    upper = means = None
    if 1.0 / (g + d + 1.0) < BOUNDARY_POLARIZATION:
        # γ and δ run off together: the Hessian there is rounding noise (it gave intervals a
        # few percent wide around 10⁷), so the polarization's interval comes from its profile.
        ll = partial(_ll, deaths=deaths, censored=censored)
        upper = polarization_upper(ll, -float(best.fun))
        means = mean_ends(ll) if upper is not None else None
    hess = hessian(nll, x)
    try:
        cov = np.linalg.inv(hess)
        if np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    periods = int(
        max(np.flatnonzero(deaths).max(initial=0), np.flatnonzero(censored).max(initial=0))
    )
    return SBGFit(
        float(g), float(d), float(-best.fun), cov, n, periods, float(period_months), upper, means
    )


def fit_survival(
    alive: np.ndarray, *, fit_periods: int | None = None, period_months: float = 12.0
) -> SBGFit:
    """sBG fit to one cohort's survival table (numbers alive at t = 0, 1, …, T).

    Parameters
    ----------
    alive : array of float
        Clients alive at the start of each period, ``alive[0]`` the cohort size (counts, not shares:
        the intervals depend on how many clients there were).
    fit_periods : int, optional
        Use t = 0 … fit_periods only (Fader & Hardie fit years 0-7 and project 8-12).
    period_months : float
        Length of one period in months (12 for a table by year).
    """
    alive = np.asarray(alive, dtype=np.float64)
    if fit_periods is not None:
        alive = alive[: fit_periods + 1]
    deaths = np.zeros_like(alive)
    deaths[1:] = alive[:-1] - alive[1:]
    censored = np.zeros_like(alive)
    censored[-1] = alive[-1]
    return fit_lifetimes(deaths, censored, period_months=period_months)


@dataclass(frozen=True)
class MonthlyBeta:
    """The monthly propensity Beta(a, b) the model draws, matched to a fit at another period.

    Attributes
    ----------
    a, b : float
        Beta shapes of each client's monthly churn propensity.
    max_gap : float
        Largest |S_monthly(12k) − S_fit(k)| over the matched horizon (share, e.g. 0.003 = 0.3 pp):
        how far the approximation is from the fitted curve.
    horizon : int
        Periods of the data's length over which the curves were matched.
    """

    a: float
    b: float
    max_gap: float
    horizon: int

    @property
    def base_churn(self) -> float:
        """``retain.base_churn``: mean monthly propensity a/(a + b)."""
        return self.a / (self.a + self.b)

    @property
    def churn_heterogeneity(self) -> float:
        """``retain.churn_heterogeneity``: polarization 1/(a + b + 1)."""
        return 1.0 / (self.a + self.b + 1.0)


def to_monthly(gamma: float, delta: float, period_months: float, horizon: int = 12) -> MonthlyBeta:
    """Convert an sBG fit at a period of ``period_months`` months to the model's monthly Beta.

    There is no exact conversion: if a client's monthly churn θₘ is Beta, its yearly churn
    1 − (1 − θₘ)¹² is not Beta. So we choose the monthly Beta(a, b) whose cohort survival at
    months m·k matches the fitted survival at periods k = 1 … ``horizon`` (least squares on
    log survival), starting from the mean-and-polarization match (monthly mean
    1 − (1 − γ/(γ+δ))^(1/m), same polarization). ``max_gap`` reports the remaining mismatch.
    """
    m = float(period_months)
    if m == 1.0:
        return MonthlyBeta(gamma, delta, 0.0, horizon)
    k = np.arange(1, horizon + 1)
    target = np.log(sbg_survival(gamma, delta, k))
    mean0 = 1.0 - (1.0 - gamma / (gamma + delta)) ** (1.0 / m)
    total0 = gamma + delta

    def resid(x: np.ndarray) -> np.ndarray:
        a, b = np.exp(x)
        return np.log(sbg_survival(a, b, m * k)) - target

    # A period far shorter than a month with much churn in each makes the monthly churn
    # certain (its mean rounds to 1): no monthly Beta has that survival.
    if not 0.0 < mean0 < 1.0:
        raise CalibrationError(
            f"period_months: value {period_months!r} is not allowed with this table: its churn "
            f"of {gamma / (gamma + delta):.3g} a period compounds to a monthly churn of 1; "
            "allowed: the period's real length in months (12 for years, 1 for months, about "
            "0.23 for weeks)"
        )
    x0 = np.log([mean0 * total0, (1 - mean0) * total0])
    try:
        res = optimize.least_squares(resid, x0, method="lm", xtol=1e-12, ftol=1e-12)
        a, b = np.exp(res.x)
        sbg_survival(a, b, m * k)  # (a fit run off to a shape of 0 or ∞ is refused here)
    except ValueError:
        raise CalibrationError(
            f"period_months: value {period_months!r}: no monthly Beta matches this table's "
            "survival at periods that long; allowed: the period's real length in months"
        ) from None
    gap = float(np.max(np.abs(sbg_survival(a, b, m * k) - sbg_survival(gamma, delta, k))))
    return MonthlyBeta(float(a), float(b), gap, horizon)


def monthly_intervals(fit: SBGFit, horizon: int = 12) -> dict[str, tuple[float, float]]:
    """95% intervals of ``retain.base_churn`` and ``retain.churn_heterogeneity`` (delta method).

    The Jacobian of (ln-odds base_churn, ln-odds heterogeneity) with respect to (ln γ, ln δ) is
    taken by finite differences through :func:`to_monthly`; intervals are normal on the log-odds
    scale so they stay inside (0, 1).
    """
    x = np.log([fit.gamma, fit.delta])

    def h(v: np.ndarray) -> np.ndarray:
        mb = to_monthly(*np.exp(v), fit.period_months, horizon)
        p = np.array([mb.base_churn, mb.churn_heterogeneity])
        return np.log(p / (1 - p))

    center = h(x)
    eps = 1e-4
    jac = np.column_stack([(h(x + e) - h(x - e)) / (2 * eps) for e in np.eye(2) * eps])
    cov = jac @ fit.cov_log @ jac.T
    out = {}
    for i, key in enumerate(("retain.base_churn", "retain.churn_heterogeneity")):
        half = Z95 * np.sqrt(cov[i, i])
        lo, hi = center[i] - half, center[i] + half
        out[key] = (float(1 / (1 + np.exp(-lo))), float(1 / (1 + np.exp(-hi))))
    if fit.upper_shapes is not None:  # (the profile's interval: from 0, see SBGFit)
        upper = to_monthly(*fit.upper_shapes, fit.period_months, horizon)
        out["retain.churn_heterogeneity"] = (0.0, upper.churn_heterogeneity)
    if fit.mean_shapes is not None:  # (the likelihood-ratio interval of the mean, likewise)
        low, high = (
            to_monthly(*ab, fit.period_months, horizon).base_churn for ab in fit.mean_shapes
        )
        out["retain.base_churn"] = (low, high)
    return out
