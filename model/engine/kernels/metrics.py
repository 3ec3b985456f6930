"""Compiled pass of the month's metrics (:mod:`model.engine.metrics`).

One pass over the market counts what the metrics count (stages, promoters, detractors, aware
prospects, clients with money attributed) and writes the arrays whose float sums and top shares
numpy then takes (pairwise sums and partitions stay numpy's).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["N_COUNTS", "market_pass", "positive_mask", "top_sum"]

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


#: Bits of the float32 sort key :func:`top_sum` bins by: 2,048 bins (a quarter octave each), or
#: 65,536 (1/128 octave) in large markets, where a quarter octave holds too many values to sort.
_TOP_BITS, _TOP_BITS_LARGE, _LARGE = 11, 16, 1 << 18


@njit(cache=True, nogil=True)
def top_sum(
    values: np.ndarray, members: np.ndarray, k: int, work: np.ndarray
) -> tuple[bool, float, float]:  # pragma: no cover - compiled
    """The sum of the ``k`` largest of ``values`` (as float32) among ``members``, if it is exact.

    What :func:`model.engine.metrics.top_share` sums: the top ``k`` float32 values, summed in
    float64. numpy sums them in the order its partition leaves them, so its sum is only
    reproducible here where every order gives the same sum: when every partial sum of the
    selected values is a float64 — all are multiples of the smallest one's float32 unit in the
    last place, 2^u, so that holds when the sum of their magnitudes is at most 2^(u+52) (half
    the float64 limit, a margin for this sum's own rounding). Then the sum is exact and equals
    numpy's; otherwise (values spread over more than about 2^29 / k of range, or a NaN) the
    first element returned is False and the caller takes numpy's partition.

    The selection is by value, not by row, so ties at the threshold do not matter. Instead of a
    copy and a partition: the members' float32 values are gathered into ``work``, a histogram of
    the top 11 (16 in large markets) bits of their order-preserving bit keys finds the bin
    holding the k-th largest, a second pass sums the bins above it and the largest values of
    that bin are sorted out.

    Parameters
    ----------
    values : ndarray of float64
    members : ndarray of bool
        Which values count (same length), or a zero-length array for all of them.
    k : int
        How many to sum, 1 ≤ k ≤ the number of members.
    work : ndarray of float32
        At least as long as ``values``; overwritten.

    Returns
    -------
    exact : bool
        Whether ``total`` is numpy's sum (False: take numpy's partition).
    total : float
        The sum of the selected values, in float64.
    lowest : float
        The smallest value selected (the caller's fallback rule looks at it).
    """
    everyone = members.size == 0
    n_members = values.size if everyone else np.count_nonzero(members)
    n_bits = _TOP_BITS_LARGE if n_members >= _LARGE else _TOP_BITS
    sign, shift = np.uint32(0x80000000), np.uint32(32 - n_bits)
    hist = np.zeros(1 << n_bits, np.int64)
    bits = work.view(np.uint32)  # the float32 values' bits, read as they are written
    m = 0
    for i in range(values.size):
        if everyone or members[i]:
            x = np.float32(values[i])
            if x != x:
                return False, 0.0, 0.0
            work[m] = x
            b = bits[m]
            # Order-preserving key: negatives' bits flipped, positives' sign bit set.
            key = ~b if b & sign else b | sign
            hist[key >> shift] += 1
            m += 1
    above, top = 0, (1 << n_bits) - 1
    while above + hist[top] < k:
        above += hist[top]
        top -= 1
    candidates = np.empty(hist[top], np.float32)
    c = 0
    total, magnitude, smallest = 0.0, 0.0, np.inf
    for j in range(m):
        b = bits[j]
        key = ~b if b & sign else b | sign
        bin_ = np.int64(key >> shift)
        if bin_ > top:
            x = np.float64(work[j])
            total += x
            magnitude += abs(x)
            if x != 0.0 and abs(x) < smallest:
                smallest = abs(x)
        elif bin_ == top:
            candidates[c] = work[j]
            c += 1
    candidates.sort()
    lowest = np.float64(candidates[c - (k - above)])  # the smallest value selected
    for j in range(c - (k - above), c):
        x = np.float64(candidates[j])
        total += x
        magnitude += abs(x)
        if x != 0.0 and abs(x) < smallest:
            smallest = abs(x)
    if magnitude == 0.0:
        return True, total, lowest
    # The float32 unit in the last place of the smallest nonzero magnitude, 2^(e − 24), or less
    # for a subnormal (whose values are multiples of it all the same).
    e = math.frexp(smallest)[1]
    return magnitude <= math.ldexp(1.0, e - 24 + 52), total, lowest
