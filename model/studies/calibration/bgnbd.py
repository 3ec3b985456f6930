"""The BG/NBD model of purchases and dropout (Fader, Hardie & Lee 2005, "Counting your customers
the easy way", Marketing Science 24(2):275-284).

While alive a client buys as a Poisson process of rate λ ~ Gamma(r, α) (α a rate: mean λ = r/α per
time unit); after each repeat purchase it drops out with probability p ~ Beta(a, b). A client's
data are x repeat purchases, the time t_x of the last (from its first purchase) and its time
observed T. Published CDNOW fit (2,357 clients, 39 weeks, weeks as the unit):
r = 0.243, α = 4.414, a = 0.793, b = 2.426 (ln L = −9582.4).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.mle import MLEFit, maximize

__all__ = [
    "NAMES",
    "conditional_expected",
    "expected",
    "fit",
    "loglik",
    "p_alive",
]

NAMES = ("r", "α", "a", "b")


def _terms(theta, x, t_x, T):
    r, alpha, a, b = theta
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a3 = np.where(
            x > 0,
            betaln(a + 1, b + x - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1, a2, a3


def loglik(theta, x, t_x, T, weights=None) -> float:
    """Summed log-likelihood of (x, t_x, T) per client (arrays), θ = (r, α, a, b)."""
    a1, a2, a3 = _terms(theta, x, t_x, T)
    ll = a1 + np.logaddexp(a2, a3)
    return float(np.sum(ll if weights is None else weights * ll))


def p_alive(theta, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008 note): 1/(1 + [x>0]·a/(b+x−1)·((α+T)/(α+t_x))^(r+x))."""
    _, a2, a3 = _terms(theta, x, t_x, T)
    return np.exp(a2 - np.logaddexp(a2, a3))


def expected(theta, t) -> np.ndarray:
    """E[X(t)]: repeat purchases expected by a new client in (0, t] (paper, eq. 7)."""
    r, alpha, a, b = theta
    t = np.asarray(t, dtype=np.float64)
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )


def conditional_expected(theta, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: repeat purchases expected in (T, T + t] given the history (eq. 10)."""
    r, alpha, a, b = theta
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    num = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + T) / (alpha + T + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        )
    )
    return num * p_alive(theta, x, t_x, T)


def fit(x, t_x, T) -> MLEFit:
    """Maximum-likelihood BG/NBD fit; ``x`` repeat purchases, ``t_x`` and ``T`` in one time unit."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _check(x, t_x, T, "BG/NBD")
    # Identical histories share a likelihood term: fit on the distinct (x, t_x, T) with counts.
    keys, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    xs, ts, Ts = keys.T
    mean_rate = x.sum() / T.sum()
    starts = [
        (1.0, 1.0 / max(mean_rate, 1e-6), 1.0, 1.0),
        (0.5, 5.0, 0.5, 2.0),
        (0.2, 2.0, 1.0, 3.0),
    ]
    return maximize(lambda th: loglik(th, xs, ts, Ts, counts), NAMES, starts, x.size, what="BG/NBD")


def _check(x, t_x, T, what: str) -> None:
    if x.size < 10:
        raise CalibrationError(f"{what}: need at least 10 clients; got {x.size}")
    if not np.any(x > 0):
        raise CalibrationError(
            f"{what}: no client bought twice; purchase rates cannot be estimated"
        )
    if np.any(t_x > T + 1e-9) or np.any(t_x < 0) or np.any(x < 0):
        raise CalibrationError(f"{what}: need 0 ≤ t_x ≤ T and x ≥ 0 for every client")
