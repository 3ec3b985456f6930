"""The shifted-beta-geometric model (Fader & Hardie 2007): retention and survival of a cohort whose
clients each churn at a constant rate drawn from a Beta distribution.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln

from model.scenario.arguments import shown

__all__ = ["sbg_parameters", "sbg_pmf", "sbg_retention", "sbg_survival"]


def sbg_parameters(mean_churn: float, polarization: float) -> tuple[float, float]:
    """sBG shapes (γ, δ) from a mean churn probability and a polarization 1/(γ + δ + 1).

    The model's parametrization (``retain.base_churn``, ``retain.churn_heterogeneity``): each
    client's churn probability θ ~ Beta(γ, δ) with mean γ/(γ + δ).

    Parameters
    ----------
    mean_churn : float
        Mean per-period churn probability, 0 < mean < 1.
    polarization : float
        1/(γ + δ + 1), 0 < polarization < 1 (0 would be no heterogeneity).

    Returns
    -------
    tuple of float
        (γ, δ), the Beta shapes (Fader & Hardie's α and β).
    """
    if not 0.0 < mean_churn < 1.0:
        raise ValueError(f"mean_churn: value {mean_churn!r} is not allowed; allowed: 0 < x < 1")
    if not 0.0 < polarization < 1.0:
        raise ValueError(f"polarization: value {polarization!r} is not allowed; allowed: 0 < x < 1")
    total = 1.0 / polarization - 1.0
    return mean_churn * total, (1.0 - mean_churn) * total


def _check_shapes(gamma: np.ndarray, delta: np.ndarray) -> None:
    if np.any(~(gamma > 0)) or np.any(~(delta > 0)):
        raise ValueError(
            f"gamma, delta: values {gamma.tolist()}, {delta.tolist()} not allowed; allowed: > 0"
        )


def _check_periods(t: np.ndarray, first: int) -> None:
    """Refuse a period below ``first``, infinite or NaN (a fraction is taken: the closed forms
    extend to it, and converting a cohort's period length asks for one)."""
    ok = (t >= first) & np.isfinite(t)
    if not np.all(ok):
        bad = t[~ok] if t.ndim else t
        raise ValueError(
            f"t: value {shown(bad.tolist())} is not allowed; allowed: finite periods t ≥ {first}"
        )


def sbg_retention(gamma: float | np.ndarray, delta: float | np.ndarray, t: np.ndarray | int):
    """Aggregate retention in period t of a shifted-beta-geometric cohort (Fader & Hardie 2007).

    r_t = (δ + t − 1)/(γ + δ + t − 1): the share of the clients alive at the start of period t who
    are still there at its end. It rises with t although each client's churn probability is
    constant — the leavers go first.

    Parameters
    ----------
    gamma, delta : float or ndarray
        Beta shapes of the per-client churn probability (> 0); broadcast with ``t``.
    t : int or ndarray of int
        Period, t ≥ 1 (1 = the cohort's first period).

    Returns
    -------
    float or ndarray
        Retention rate per period, in (0, 1).
    """
    g, d = np.asarray(gamma, dtype=np.float64), np.asarray(delta, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    _check_shapes(g, d)
    _check_periods(t, first=1)
    return (d + t - 1.0) / (g + d + t - 1.0)


def sbg_survival(gamma: float | np.ndarray, delta: float | np.ndarray, t: np.ndarray | int):
    """Share of an sBG cohort still alive after t periods: S(t) = B(γ, δ + t)/B(γ, δ).

    Parameters
    ----------
    gamma, delta : float or ndarray
        Beta shapes (> 0); broadcast with ``t``.
    t : int or ndarray of int
        Periods elapsed, t ≥ 0 (S(0) = 1).

    Returns
    -------
    float or ndarray
        Survival share in (0, 1].
    """
    g, d = np.asarray(gamma, dtype=np.float64), np.asarray(delta, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    _check_shapes(g, d)
    _check_periods(t, first=0)
    return np.exp(betaln(g, d + t) - betaln(g, d))


def sbg_pmf(gamma: float | np.ndarray, delta: float | np.ndarray, t: np.ndarray | int):
    """Probability that an sBG client churns in period t: P(T = t) = B(γ + 1, δ + t − 1)/B(γ, δ).

    Parameters
    ----------
    gamma, delta : float or ndarray
        Beta shapes (> 0); broadcast with ``t``.
    t : int or ndarray of int
        Period, t ≥ 1.

    Returns
    -------
    float or ndarray
        Probability of leaving in period t (the likelihood of an observed lifetime).
    """
    g, d = np.asarray(gamma, dtype=np.float64), np.asarray(delta, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    _check_shapes(g, d)
    _check_periods(t, first=1)
    return np.exp(betaln(g + 1.0, d + t - 1.0) - betaln(g, d))
