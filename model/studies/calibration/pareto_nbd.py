"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987, "Counting your customers",
Management Science 33(1):1-24), in the likelihood of Fader & Hardie (2005 note, "A note on deriving
the Pareto/NBD model and related expressions").

While alive a client buys as a Poisson process of rate λ ~ Gamma(r, α); its lifetime is exponential
with rate μ ~ Gamma(s, β), independent of λ. CDNOW (2,357 clients, 39 weeks, weeks as the unit;
Fader, Hardie & Lee 2005, "RFM and CLV", J. Marketing Research 42(4):415-430):
r = 0.55, α = 10.58, s = 0.61, β = 11.67 (ln L = −9595.0).

Because λ and μ are independent, this is the model whose structure the agent-based model draws:
a client's spend (through λ) and its churn propensity (through μ) are independent traits.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from model.studies.calibration.bgnbd import _check
from model.studies.calibration.mle import MLEFit, maximize

__all__ = ["NAMES", "conditional_expected", "expected", "fit", "loglik", "p_alive", "survival"]

NAMES = ("r", "α", "s", "β")


def _log_parts(theta, x, t_x, T):
    """ln of the two parts of L/(Γ(r+x)α^r β^s/Γ(r)): alive at T, and died in (t_x, T]."""
    r, alpha, s, beta = theta
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    big, small = (alpha, beta) if alpha >= beta else (beta, alpha)
    b_arg = s + 1 if alpha >= beta else r + x
    c = r + s + x

    def piece(t):
        z = (big - small) / (big + t)
        return np.log(hyp2f1(c, b_arg, c + 1, z)) - c * np.log(big + t)

    l1, l2 = piece(t_x), piece(T)  # l1 ≥ l2: the integral over (t_x, T] of the death density
    with np.errstate(divide="ignore"):
        died = np.log(s / c) + l1 + np.log(-np.expm1(np.minimum(l2 - l1, 0.0)))
    return alive, died


def loglik(theta, x, t_x, T, weights=None) -> float:
    """Summed log-likelihood of (x, t_x, T) per client, θ = (r, α, s, β)."""
    r, alpha, s, beta = theta
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive, died = _log_parts(theta, x, t_x, T)
    ll = head + np.logaddexp(alive, died)
    return float(np.sum(ll if weights is None else weights * ll))


def p_alive(theta, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T)."""
    alive, died = _log_parts(theta, *(np.asarray(v, dtype=np.float64) for v in (x, t_x, T)))
    return np.exp(alive - np.logaddexp(alive, died))


def survival(theta, t) -> np.ndarray:
    """Share of a new cohort still alive after t: (β/(β + t))^s."""
    _, _, s, beta = theta
    return (beta / (beta + np.asarray(t, dtype=np.float64))) ** s


def expected(theta, t) -> np.ndarray:
    """E[X(t)]: repeat purchases expected by a new client in (0, t]: rβ/(α(s−1))·(1 − (β/(β+t))^(s−1))."""
    r, alpha, s, beta = theta
    t = np.asarray(t, dtype=np.float64)
    return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))


def conditional_expected(theta, t, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: repeat purchases expected in (T, T + t] given the history."""
    r, alpha, s, beta = theta
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    rate = (r + x) * (beta + T) / ((alpha + T) * (s - 1))
    return p_alive(theta, x, t_x, T) * rate * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))


def fit(x, t_x, T) -> MLEFit:
    """Maximum-likelihood Pareto/NBD fit; ``x`` repeat purchases, ``t_x`` and ``T`` in one unit."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _check(x, t_x, T, "Pareto/NBD")
    keys, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    xs, ts, Ts = keys.T
    mean_rate = x.sum() / T.sum()
    starts = [(1.0, 1.0 / max(mean_rate, 1e-6), 1.0, T.mean()), (0.5, 10.0, 0.5, 10.0)]
    return maximize(
        lambda th: loglik(th, xs, ts, Ts, counts), NAMES, starts, x.size, what="Pareto/NBD"
    )
