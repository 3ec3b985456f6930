"""Closed forms of a client's value: margin multiple, Markov-chain CLV, lost-client cost, NPV.

These are the analytic anchors the simulation is validated against (docs/validation.md) and the arithmetic
of the practitioner claims (docs/ODD.md §1.2). Pure functions, numpy in and numpy out.

**Timing convention** (the same as :mod:`model.engine.phases.account`): a period's margin is paid at the
*end* of the period by the clients who are still clients then (survivors of the period's churn
check); cash flows of period t (t = 1, 2, …) are discounted by (1 + i)^−t. ``timing="start"`` is the
textbook alternative in which a margin is also paid at t = 0, before the first churn check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal, NamedTuple

import numpy as np

from model.engine.phases.account import monthly_rate
from model.scenario import ScenarioError
from model.scenario.arguments import count, is_number, shown

__all__ = [
    "LostClientCost",
    "clv_markov",
    "clv_markov_moments",
    "lapse_return_chain",
    "lost_client_cost",
    "margin_multiple",
    "npv",
]

Timing = Literal["end", "start"]


def _check_timing(timing: str) -> None:
    if timing not in ("end", "start"):
        raise ValueError(f"timing: value {timing!r} is not allowed; allowed: 'end' or 'start'")


def _check_rate(name: str, rate: float) -> None:
    if not (is_number(rate) and math.isfinite(rate) and rate > -1.0):
        raise ScenarioError(
            f"{name}: value {shown(rate)} is not allowed; allowed: -1 < {name} (a finite number)"
        )


def _periods(periods: object) -> int | None:
    """A finite horizon as a whole number ≥ 0 (``12.0`` taken as 12), or None for an infinite one."""
    if isinstance(periods, float) and periods.is_integer():
        periods = int(periods)
    return None if periods is None else count("periods", periods, low=0)


# ---------------------------------------------------------------------------- margin multiple
def margin_multiple(
    r: float, i: float, timing: Timing = "end", periods: int | None = None
) -> float:
    """Present value, per unit of per-period margin, of a client kept with constant retention.

    ``timing="end"``: margin paid at the end of each period by that period's survivors,
    ``Σ_{t≥1} r^t / (1+i)^t = r / (1 + i − r)``. ``timing="start"``: a margin is also paid at
    t = 0, ``Σ_{t≥0} r^t / (1+i)^t = (1 + i) / (1 + i − r)``. Multiply by the margin m to get CLV
    (e.g. m·r/(1 + i − r), Gupta & Lehmann 2003).

    Parameters
    ----------
    r : float
        Retention per period, 0 ≤ r ≤ 1 (share of clients kept from one period to the next).
    i : float
        Discount rate per period (same period as ``r``), i > −1; r < 1 + i is needed for an
        infinite horizon.
    timing : {"end", "start"}
        When each period's margin is paid (see above).
    periods : int, optional
        Number of discounted periods after t = 0 (a finite horizon T): the sum stops at t = T.
        ``None`` means an infinite horizon.

    Returns
    -------
    float
        Periods of margin (dimensionless multiple of the per-period margin).

    Examples
    --------
    >>> round(margin_multiple(0.8, 0.1), 6)
    2.666667
    >>> round(margin_multiple(0.8, 0.1, timing="start"), 6)
    3.666667
    """
    _check_timing(timing)
    _check_rate("i", i)
    if not (is_number(r) and 0.0 <= r <= 1.0):
        raise ScenarioError(f"r: value {shown(r)} is not allowed; allowed: 0 ≤ r ≤ 1 (retention)")
    periods = _periods(periods)
    q = r / (1.0 + i)  # survival-weighted discount factor per period
    first = 1.0 if timing == "start" else 0.0
    if periods is None:
        if r >= 1.0 + i:
            raise ValueError(
                f"r: value {r!r} is not allowed with i = {i!r}; an infinite horizon needs "
                f"r < 1 + i (else the sum diverges; pass periods=)"
            )
        return first + q / (1.0 - q)
    if q == 1.0:
        return first + float(periods)
    return first + q * (1.0 - q**periods) / (1.0 - q)


# ----------------------------------------------------------------------- Markov-chain CLV
def lapse_return_chain(retention: float, return_probability: float | Sequence[float]) -> np.ndarray:
    """Transition matrix of an active / lapsed-for-k-periods chain (Pfeifer & Carraway 2000).

    State 0 is *active*; state k ≥ 1 is *lapsed for k periods* (the last lapsed state is
    "lapsed for K or more" and keeps its return probability). An active client stays with
    probability ``retention`` and otherwise becomes lapsed for 1 period; a client lapsed for k
    periods returns to active with probability ``return_probability[k-1]`` and otherwise moves to
    lapsed for k + 1 (or stays in the last state).

    Parameters
    ----------
    retention : float
        Probability an active client is still active next period, in [0, 1].
    return_probability : float or sequence of float
        A scalar w gives the 2-state active/lapsed chain; a sequence gives one lapsed state per
        entry, each in [0, 1].

    Returns
    -------
    ndarray, shape (K + 1, K + 1)
        Row-stochastic transition matrix, rows = state now, columns = state next period.
    """
    w = np.atleast_1d(np.asarray(return_probability, dtype=np.float64))
    if w.ndim != 1 or w.size == 0:
        raise ValueError("return_probability: give a probability or a non-empty 1-D sequence")
    if not 0.0 <= retention <= 1.0:
        raise ValueError(f"retention: value {retention!r} is not allowed; allowed: 0 ≤ r ≤ 1")
    if np.any((w < 0.0) | (w > 1.0)) or not np.all(np.isfinite(w)):
        raise ValueError(f"return_probability: values {w.tolist()} not allowed; allowed: [0, 1]")
    k = w.size
    p = np.zeros((k + 1, k + 1))
    p[0, 0], p[0, 1] = retention, 1.0 - retention
    for s in range(1, k + 1):
        p[s, 0] = w[s - 1]
        p[s, min(s + 1, k)] += 1.0 - w[s - 1]
    return p


def clv_markov(
    transition: np.ndarray,
    margin: np.ndarray | Sequence[float],
    i: float,
    timing: Timing = "end",
    periods: int | None = None,
) -> np.ndarray:
    """Client lifetime value of each starting state of a Markov chain (Pfeifer & Carraway 2000).

    With transition matrix P, per-period margin vector R (what a client in each state yields in a
    period; lapsed states may carry a cost) and discount factor d = 1/(1 + i):

    * ``timing="end"``: the state reached at the end of period t (t ≥ 1) yields R, discounted by
      d^t — ``V = Σ_{t≥1} (dP)^t R = (I − dP)^{-1} dP R``. With no return this is the margin
      multiple m·r/(1 + i − r) of :func:`margin_multiple`.
    * ``timing="start"``: the current state also yields at t = 0 — ``V = (I − dP)^{-1} R``
      (Pfeifer & Carraway's form).

    Parameters
    ----------
    transition : ndarray, shape (S, S)
        Row-stochastic transition matrix (e.g. from :func:`lapse_return_chain`).
    margin : array_like, shape (S,)
        Margin per period in each state (currency/period).
    i : float
        Discount rate per period, i > −1 (i > 0 or a leaking chain for an infinite horizon).
    timing : {"end", "start"}
        When a period's margin is paid (see above).
    periods : int, optional
        Finite horizon T (sum to t = T); ``None`` solves the infinite sum with numpy.linalg.

    Returns
    -------
    ndarray, shape (S,)
        Expected discounted value per client starting in each state (currency).
    """
    _check_timing(timing)
    _check_rate("i", i)
    p = np.asarray(transition, dtype=np.float64)
    r = np.asarray(margin, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise ValueError(f"transition: shape {p.shape} is not allowed; allowed: square (S, S)")
    if r.shape != (p.shape[0],):
        raise ValueError(f"margin: shape {r.shape} is not allowed; allowed: ({p.shape[0]},)")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0):
        raise ValueError("transition: rows must be probabilities summing to 1")
    dp = p / (1.0 + i)
    periods = _periods(periods)
    if periods is None:
        a = np.eye(p.shape[0]) - dp
        if np.max(np.abs(np.linalg.eigvals(dp))) >= 1.0:
            raise ValueError(
                f"i: value {i!r} is not allowed for an infinite horizon: the discounted chain "
                "does not converge (need i > 0, or pass periods=)"
            )
        rhs = dp @ r if timing == "end" else r
        return np.linalg.solve(a, rhs)
    value = r.copy() if timing == "start" else np.zeros_like(r)
    step = r.copy()
    for _ in range(periods):
        step = dp @ step
        value += step
    return value


def clv_markov_moments(
    transition: np.ndarray,
    margin: np.ndarray | Sequence[float],
    i: float,
    periods: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of one client's discounted value in a Markov chain (``timing="end"``).

    The value from state x is V = Σ_{t≥1} d^t R(X_t), d = 1/(1 + i). Its mean U solves
    U = dP(R + U) and its second moment M solves M = d²P(R² + 2R∘U + M) (condition on the first
    transition); the variance is M − U². The variance gives the Monte-Carlo standard error of a
    simulated cohort's mean value per client, sd/√N.

    Parameters
    ----------
    transition, margin, i, periods
        As in :func:`clv_markov`.

    Returns
    -------
    tuple of ndarray, shape (S,) each
        (mean in currency, variance in currency²) per starting state.
    """
    _check_rate("i", i)
    p = np.asarray(transition, dtype=np.float64)
    r = np.asarray(margin, dtype=np.float64)
    periods = _periods(periods)
    mean = clv_markov(p, r, i, timing="end", periods=periods)
    d = 1.0 / (1.0 + i)
    if periods is None:
        rhs = d * d * p @ (r * r + 2.0 * r * mean)
        second = np.linalg.solve(np.eye(p.shape[0]) - d * d * p, rhs)
    else:
        u = np.zeros_like(r)  # mean value with k periods to go
        second = np.zeros_like(r)
        for _ in range(periods):
            u, second = d * p @ (r + u), d * d * p @ (r * r + 2.0 * r * u + second)
    return mean, np.maximum(second - mean * mean, 0.0)


# ------------------------------------------------------------------------ lost-client cost
class LostClientCost(NamedTuple):
    """What losing a client costs: its future revenue and its future profit (currency)."""

    revenue: float
    profit: float


def lost_client_cost(
    spend_path: Sequence[float], margin: float, discount_rate: float = 0.0
) -> LostClientCost:
    """Revenue and profit a firm forgoes when a client with this future spend path leaves.

    The practitioner articles' arithmetic (docs/ODD.md §1.2): a client who would have spent 10, 12, 14, 16 and 18 (thousand)
    over five years is 70 thousand of lost revenue and, at a 20% margin, 14 thousand of lost
    profit. Undiscounted, the sums are done in exact rational arithmetic on the numbers as written
    (0.2 is 1/5), so the example comes out exactly; with a discount rate, the amount of period k
    (k = 1, 2, …; paid at the end of the period) is discounted by (1 + rate)^−k.

    Parameters
    ----------
    spend_path : sequence of float or 1-D array
        Revenue the client would have brought in each future period (currency/period): at
        least one period, each a finite amount ≥ 0. A client buys or does not, so no period's
        revenue is negative; a client that costs money has a negative ``margin``.
    margin : float
        Profit share of revenue, in [−1, 1] (a negative margin: a client that costs money).
    discount_rate : float
        Discount rate per period of ``spend_path`` (default 0: no discounting), > −1.

    Returns
    -------
    LostClientCost
        ``(revenue, profit)`` in the currency of ``spend_path``.

    Examples
    --------
    >>> lost_client_cost([10, 12, 14, 16, 18], 0.2)
    LostClientCost(revenue=70.0, profit=14.0)
    """
    if not (is_number(margin) and -1.0 <= margin <= 1.0):
        raise ValueError(f"margin: value {margin!r} is not allowed; allowed: -1 ≤ margin ≤ 1")
    if not is_number(discount_rate):  # (a string failed inside numpy's isfinite)
        raise ValueError(
            f"discount_rate: value {discount_rate!r} is not allowed; allowed: -1 < discount_rate "
            "(finite)"
        )
    _check_rate("discount_rate", discount_rate)
    path = _spend_path(spend_path)
    if discount_rate == 0.0:
        # Exact: each float read as the decimal it was written as (str round-trips floats).
        revenue = sum((Fraction(str(x)) for x in path), Fraction(0))
        return LostClientCost(float(revenue), float(revenue * Fraction(str(float(margin)))))
    factors = (1.0 + discount_rate) ** -np.arange(1, len(path) + 1)
    revenue = float(np.dot(path, factors))
    return LostClientCost(revenue, revenue * float(margin))


def _spend_path(spend_path: object) -> list[float]:
    """``spend_path`` as floats: a non-empty 1-D sequence of finite amounts ≥ 0.

    A string, a bare number, an empty path or a negative, non-finite or non-numeric amount is
    refused by name (they summed letters, failed inside ``float`` or counted a loss as a gain).
    """
    if isinstance(spend_path, Sequence) and not isinstance(spend_path, str | bytes):
        items = list(spend_path)
    elif hasattr(spend_path, "__array__") and np.ndim(spend_path) == 1:  # (array, Series)
        items = np.asarray(spend_path).tolist()
    else:
        items = []
    if not items:
        raise ValueError(
            f"spend_path: value {spend_path!r} is not allowed; allowed: a non-empty sequence of "
            "amounts ≥ 0, one per future period"
        )
    for k, x in enumerate(items):
        if not (is_number(x) and math.isfinite(x) and x >= 0):
            raise ValueError(
                f"spend_path: value {x!r} at position {k} is not allowed; allowed: ≥ 0 "
                "(a finite amount: the revenue of one period)"
            )
    return [float(x) for x in items]


# ------------------------------------------------------------------------------------- NPV
def npv(
    series: Sequence[float] | np.ndarray, annual_rate: float, monthly: bool = True
) -> np.ndarray:
    """Cumulative net present value of a profit series, as the simulation's ledger books it.

    Period t (t = 1, 2, …, the first element being t = 1) is discounted by (1 + i)^−t, with
    i = (1 + annual)^(1/12) − 1 for a monthly series (:func:`model.engine.phases.account.monthly_rate`)
    and i = annual for a yearly one.

    Parameters
    ----------
    series : array_like
        Profit per period (currency/period).
    annual_rate : float
        Annual discount rate (1/year), > −1.
    monthly : bool
        Whether the series is monthly (default) or yearly.

    Returns
    -------
    ndarray
        Cumulative discounted profit after each period (currency); the last element is the NPV.
    """
    _check_rate("annual_rate", annual_rate)
    try:
        x = np.atleast_1d(np.asarray(series, dtype=np.float64))  # (one period's profit: a scalar)
    except (TypeError, ValueError):
        x = None
    if x is None or x.ndim != 1:
        raise ScenarioError(
            f"series: value {shown(series)} is not allowed; allowed: one profit a period, a "
            "1-d sequence of numbers (currency/period)"
        )
    i = monthly_rate(annual_rate) if monthly else annual_rate
    t = np.arange(1, x.size + 1)
    return np.cumsum(x / (1.0 + i) ** t)
