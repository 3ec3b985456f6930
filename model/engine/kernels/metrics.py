"""Compiled pass of the month's metrics (:mod:`model.engine.metrics`).

One pass over the market counts what the metrics count (stages, promoters, detractors, aware
prospects, clients with money attributed) and writes the arrays whose float sums and top shares
numpy then takes (pairwise sums and partitions stay numpy's).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["N_COUNTS", "market_pass", "positive_mask"]

#: Slots of :func:`market_pass`'s counts: the four stage codes, then these.
PROMOTERS, DETRACTORS, AWARE_PROSPECTS, EVER = 4, 5, 6, 7
N_COUNTS = 8


@njit(cache=True, nogil=True)
def market_pass(
    stage: np.ndarray,
    aware: np.ndarray,
    satisfaction: np.ndarray,
    paradox_bonus: np.ndarray,
    value: np.ndarray,
    revenue_total: np.ndarray,
    promoter: np.float32,
    detractor: np.float32,
    measured: np.ndarray,
    ever: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Counts over the market, and the measured satisfaction and money masks, per client.

    Reference: :func:`model.engine.metrics.compute_numpy`. ``measured`` (float32, 0-1) gets
    ``clip(satisfaction + paradox_bonus, 0, 1)`` times whether the client is active (stage 1 or
    2; numpy's clip keeps NaN and −0.0, as the comparisons below do); ``ever`` (bool) whether
    ``value != 0`` or ``revenue_total > 0``.

    Parameters
    ----------
    stage : ndarray of int8
        Stage codes 0-3 (prospect, active, loyal, lapsed).
    aware : ndarray of bool
        Whether a prospect knows the firm.
    satisfaction, paradox_bonus : ndarray of float32
        Behavioural satisfaction and the recovery-paradox bonus (0-1).
    value, revenue_total : ndarray of float64
        Cumulative attributed profit and revenue (currency).
    promoter, detractor : float32
        Satisfaction cut-offs of the NPS bands, cast to float32 as numpy compares them.
    measured, ever : ndarray
        Written per client.

    Returns
    -------
    ndarray of int64, (N_COUNTS,)
        Clients per stage code, then active promoters, active detractors, aware prospects and
        clients with money attributed.
    """
    # Branch-free (selects and summed comparisons): stages come in no order a branch predicts.
    prospects = active_only = loyal = lapsed = promoters = detractors = aware_prospects = 0
    with_money = 0
    zero, one = np.float32(0.0), np.float32(1.0)
    for i in range(stage.size):
        code = stage[i]
        is_active, is_loyal = code == 1, code == 2
        served = is_active | is_loyal
        prospects += code == 0
        active_only += is_active
        loyal += is_loyal
        lapsed += code == 3
        m = satisfaction[i] + paradox_bonus[i]
        m = zero if m < zero else m  # numpy's clip: NaN and −0.0 pass through
        m = one if m > one else m
        m = m * (one if served else zero)
        measured[i] = m
        promoters += served & (m >= promoter)
        detractors += served & (m < detractor)
        aware_prospects += (code == 0) & aware[i]
        money = (value[i] != 0) | (revenue_total[i] > 0)
        ever[i] = money
        with_money += money
    counts = np.empty(N_COUNTS, np.int64)
    counts[0], counts[1], counts[2], counts[3] = prospects, active_only, loyal, lapsed
    counts[PROMOTERS], counts[DETRACTORS] = promoters, detractors
    counts[AWARE_PROSPECTS], counts[EVER] = aware_prospects, with_money
    return counts


@njit(cache=True, nogil=True)
def positive_mask(values: np.ndarray, positive: np.ndarray) -> int:  # pragma: no cover - compiled
    """Write ``values > 0`` into ``positive``; returns how many are."""
    n = 0
    for i in range(values.size):
        p = values[i] > 0
        positive[i] = p
        n += p
    return n
