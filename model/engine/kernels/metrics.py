"""Compiled pass of the month's metrics (:mod:`model.engine.metrics`).

One call (:func:`month_pass`) counts what the metrics count over the market (stages, promoters,
detractors, aware prospects, clients with money attributed, paying clients), writes the measured
satisfaction whose float sum numpy then takes (pairwise sums stay numpy's), and sums both top
shares' top fifth where that sum is provably numpy's (:func:`top_sum`; numpy's partition
answers otherwise), selecting among the members above a floor carried from the month before
(speed only: a quarter of a large market's members instead of all of them).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from model.engine.kernels.reduce import add_reduce

__all__ = ["N_RESULTS", "month_pass", "top_sum"]

#: Slots of :func:`month_pass`'s ``results`` (float64; the counts are exact there, below 2^53).
#: The four stage codes' counts come first (slots 0-3).
PROMOTERS, DETRACTORS, AWARE_PROSPECTS, EVER, PAYING = 4, 5, 6, 7, 8
#: Then, for the top shares of value (cumulative profit) and of this month's revenue, each
#: :func:`top_sum`'s answer: whether exact (1.0 or 0.0), the sum and the lowest value selected.
VALUE_TOP, REVENUE_TOP = 9, 12
#: Then the sum of the measured satisfaction (float32, as ``np.add.reduce`` sums it), the totals
#: of value and of this month's revenue (float64, as ``np.add.reduce`` sums them: the top shares'
#: denominators) and the sum of the staff's engagement (float32): no numpy call after the pass.
MEASURED, VALUE_SUM, REVENUE_SUM, ENGAGEMENT_SUM = 15, 16, 17, 18
N_RESULTS = 19


@njit(cache=True, nogil=True)
def month_pass(
    stage: np.ndarray,
    aware: np.ndarray,
    satisfaction: np.ndarray,
    paradox_bonus: np.ndarray,
    value: np.ndarray,
    revenue_total: np.ndarray,
    revenue: np.ndarray,
    engagement: np.ndarray,
    promoter: np.float32,
    detractor: np.float32,
    share: float,
    measured: np.ndarray,
    value_work: np.ndarray,
    revenue_work: np.ndarray,
    floors: np.ndarray,
    results: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Everything the month's metrics count over the market, in one call.

    Reference: :func:`model.engine.metrics.compute_numpy`. Counts the clients per stage, the
    active promoters and detractors (comparing the measured satisfaction, written to
    ``measured`` and summed as numpy sums it: ``clip(satisfaction + paradox_bonus, 0, 1)`` times
    whether the client is active, stage 1 or 2; numpy's clip keeps NaN and −0.0, as these
    comparisons do), the aware prospects, the clients with money attributed (``value != 0`` or
    ``revenue_total > 0``) and the paying ones (``revenue > 0``), and tries :func:`top_sum` on
    both top shares' members (with ``k = max(round(share * members), 1)``, as ``top_share``
    rounds it). ``revenue`` may be shorter than the market (none at all before accounting).

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
    revenue : ndarray of float64
        This month's revenue per client (currency, ≥ 0).
    engagement : ndarray of float32
        The employed staff's engagement (0-1), summed only.
    promoter, detractor : float32
        Satisfaction cut-offs of the NPS bands, cast to float32 as numpy compares them.
    share : float
        The top shares' fraction of members (0.2).
    measured : ndarray of float32
        Written per client.
    value_work, revenue_work : ndarray of float32
        Overwritten: each top share's members gathered (at least as long as ``value`` and
        ``revenue``).
    floors : ndarray of float64, (2,)
        For speed only: a guess, per top share (value, then revenue), of a value at or below
        its k-th largest; −inf for none. Only the members at or above the floor are gathered
        and binned — about a quarter of a large market's members, not all of them, since last
        month's top fifth began near this month's — and all of them when fewer than k reach it,
        so the results are the same for any floors (NaN included). Overwritten with the next
        month's guess: this month's lowest selected value, lowered by a quarter of its
        magnitude.
    results : ndarray of float64, (N_RESULTS,)
        Written: the counts, then each top share's :func:`top_sum` answer (slots above; a top
        share with no members, or with a NaN among them, is marked not exact), then the
        measured satisfaction's sum, the sums of ``value`` and ``revenue`` and that of
        ``engagement`` (float32, as ``np.add.reduce`` sums it).
    """
    if value.size > value_work.size or revenue.size > revenue_work.size:
        raise ValueError("value_work or revenue_work is shorter than what it gathers")
    n_bits = _TOP_BITS_LARGE if stage.size >= _LARGE else _TOP_BITS  # bins: speed only
    shift = np.uint32(32 - n_bits)
    value_hist = np.zeros(1 << n_bits, np.int64)
    revenue_hist = np.zeros(1 << n_bits, np.int64)
    value_bits, revenue_bits = value_work.view(np.uint32), revenue_work.view(np.uint32)
    # Branch-free counts (selects and summed comparisons): stages come in no order a branch
    # predicts.
    prospects = active_only = loyal = lapsed = promoters = detractors = aware_prospects = 0
    with_money = gathered_value = paying = gathered_revenue = 0
    value_nan = False
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
    # The gathers apart: in the loop above they would keep LLVM from vectorizing the counts.
    # Branch-free, as rows_where: every value is written at the next free slot, which advances
    # only for a member (a third of a market are members, in no order a branch predicts: the
    # mispredictions cost ten times the copy) at or above the floor — any NaN is noticed among
    # all of them; if fewer than k reach it, the floor was too high and every member is
    # gathered. Each histogram follows over the values gathered alone.
    floor = floors[0]
    for _ in range(2):
        with_money = gathered_value = 0
        for i in range(value.size):
            member = (value[i] != 0) | (revenue_total[i] > 0)
            x = np.float32(value[i])
            value_nan |= member & (x != x)
            value_work[gathered_value] = x
            gathered_value += member & (x >= floor)
            with_money += member
        if gathered_value >= _top_k(share, with_money):
            break
        floor = -np.inf
    for j in range(gathered_value):
        value_hist[_key(value_bits[j]) >> shift] += 1
    floor = floors[1]
    for _ in range(2):
        paying = gathered_revenue = 0
        for i in range(revenue.size):
            x = np.float32(revenue[i])
            revenue_work[gathered_revenue] = x
            gathered_revenue += (revenue[i] > 0) & (x >= floor)
            paying += revenue[i] > 0
        if gathered_revenue >= _top_k(share, paying):
            break
        floor = -np.inf
    for j in range(gathered_revenue):
        revenue_hist[_key(revenue_bits[j]) >> shift] += 1
    results[0], results[1], results[2], results[3] = prospects, active_only, loyal, lapsed
    results[PROMOTERS], results[DETRACTORS] = promoters, detractors
    results[AWARE_PROSPECTS], results[EVER], results[PAYING] = aware_prospects, with_money, paying
    floors[0] = _top_into(
        results, VALUE_TOP, value_work, gathered_value, with_money, value_hist, shift, share,
        value_nan,
    )  # fmt: skip
    floors[1] = _top_into(
        results, REVENUE_TOP, revenue_work, gathered_revenue, paying, revenue_hist, shift, share,
        False,
    )  # fmt: skip
    results[MEASURED] = add_reduce(measured)
    results[VALUE_SUM] = add_reduce(value)
    results[REVENUE_SUM] = add_reduce(revenue)
    results[ENGAGEMENT_SUM] = add_reduce(engagement)


@njit(cache=True, nogil=True, inline="always")
def _top_k(share: float, members: int) -> int:  # pragma: no cover - compiled
    """How many of ``members`` a top share sums: ``max(round(share * members), 1)``, as
    ``top_share`` rounds it (0 with no members)."""
    return max(round(share * members), 1) if members else 0


@njit(cache=True, nogil=True)
def _top_into(
    results: np.ndarray,
    slot: int,
    work: np.ndarray,
    m: int,
    members: int,
    hist: np.ndarray,
    shift: np.uint32,
    share: float,
    nan: bool,
) -> float:  # pragma: no cover - compiled
    """:func:`month_pass`'s answer for one top share, at ``results[slot:slot + 3]``: the top
    of ``members`` values, ``m`` of them gathered in ``work`` (every one of the top k among
    them) and binned in ``hist``. Returns next month's floor: the lowest value selected,
    lowered by a quarter of its magnitude (−inf with no answer: no members, or a NaN)."""
    exact, total, lowest, floor = False, 0.0, 0.0, -np.inf
    if members and not nan:
        exact, total, lowest = _select(work, m, _top_k(share, members), hist, shift)
        floor = lowest - 0.25 * abs(lowest)
    results[slot], results[slot + 1], results[slot + 2] = exact, total, lowest
    return floor


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
    holding the k-th largest, one pass gathers that bin's values, another sums the bins above
    it (in vector lanes: any order, see :func:`_select`) and the bin's largest values are sorted
    out.

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
        The sum of the selected values, in float64: exact (and numpy's) when ``exact``; otherwise
        only near it, its last bits depending on the machine's vector width (callers ignore it).
    lowest : float
        The smallest value selected (the caller's fallback rule looks at it).
    """
    everyone = members.size == 0
    n_members = values.size if everyone else np.count_nonzero(members)
    n_bits = _TOP_BITS_LARGE if n_members >= _LARGE else _TOP_BITS
    shift = np.uint32(32 - n_bits)
    hist = np.zeros(1 << n_bits, np.int64)
    bits = work.view(np.uint32)  # the float32 values' bits, read as they are written
    m = 0
    for i in range(values.size):
        if everyone or members[i]:
            x = np.float32(values[i])
            if x != x:
                return False, 0.0, 0.0
            work[m] = x
            hist[_key(bits[m]) >> shift] += 1
            m += 1
    return _select(work, m, k, hist, shift)


@njit(cache=True, nogil=True, inline="always")
def _key(bits: np.uint32) -> np.uint32:  # pragma: no cover - compiled
    """Order-preserving key of a float32's bits: negatives' bits flipped, positives' sign bit
    set."""
    return ~bits if bits & np.uint32(0x80000000) else bits | np.uint32(0x80000000)


@njit(cache=True, nogil=True)
def _select(
    work: np.ndarray, m: int, k: int, hist: np.ndarray, shift: np.uint32
) -> tuple[bool, float, float]:  # pragma: no cover - compiled
    """:func:`top_sum` of the ``m`` values gathered in ``work``, ``hist`` their keys' histogram
    (by the top ``32 - shift`` bits); no NaN among them, 1 ≤ k ≤ m.

    The values in the bins above the k-th largest's are summed in whatever order the machine
    likes best (:func:`_sums_above`): where the answer is exact every order gives the same
    sums, and where it is not the sums are not used — only whether they are exact, which every
    order decides alike (see below).
    """
    above, top = 0, hist.size - 1
    while above + hist[top] < k:
        above += hist[top]
        top -= 1
    top_key = np.uint32(top)
    candidates = np.empty(hist[top], np.float32)
    c = _in_bin(work, m, top_key, shift, candidates)
    candidates.sort()
    first = c - (k - above)  # the selected candidates: the largest k − above of them
    lowest = np.float64(candidates[first])  # the smallest value selected
    total, magnitude = _sums_above(work, m, top_key, shift)
    for j in range(first, c):
        x = np.float64(candidates[j])
        total += x
        magnitude += abs(x)
    if magnitude == 0.0:
        return True, total, lowest
    # Every selected value is at least the lowest; when that is positive it is also the
    # smallest nonzero magnitude among them, else they are looked through.
    smallest = (
        lowest if lowest > 0.0 else _smallest_selected(work, m, top_key, shift, candidates[first:c])
    )
    # The float32 unit in the last place of the smallest nonzero magnitude, 2^(e − 24), or less
    # for a subnormal (whose values are multiples of it all the same). Every partial sum of the
    # selected values, in any order or grouping, is a multiple of it no larger than their
    # magnitudes' sum: below 2^(e − 24 + 53) each is a float64, so every order computes the
    # same (exact) sums, and above it no order's rounding brings the sum down to the bound.
    e = math.frexp(smallest)[1]
    return magnitude <= math.ldexp(1.0, e - 24 + 52), total, lowest


@njit(cache=True, nogil=True)
def _in_bin(
    work: np.ndarray, m: int, top_key: np.uint32, shift: np.uint32, out: np.ndarray
) -> int:  # pragma: no cover - compiled
    """Copy the values of ``work[:m]`` whose key lies in bin ``top_key`` into ``out``; how many."""
    bits = work.view(np.uint32)
    c = 0
    for j in range(m):
        if (_key(bits[j]) >> shift) == top_key:  # (rarely: a branch the processor predicts)
            out[c] = work[j]
            c += 1
    return c


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _sums_above(
    work: np.ndarray, m: int, top_key: np.uint32, shift: np.uint32
) -> tuple[float, float]:  # pragma: no cover - compiled
    """The float64 sums of the values of ``work[:m]`` in bins above ``top_key``, and of their
    magnitudes, in any order (``reassoc``: LLVM sums in vector lanes; no other fast-math
    licence, so NaN, infinities and signed zeros keep their meaning)."""
    bits = work.view(np.uint32)
    total, magnitude = 0.0, 0.0
    for j in range(m):
        x = np.float64(work[j])
        selected = (_key(bits[j]) >> shift) > top_key
        total += x if selected else 0.0
        magnitude += abs(x) if selected else 0.0
    return total, magnitude


@njit(cache=True, nogil=True)
def _smallest_selected(
    work: np.ndarray, m: int, top_key: np.uint32, shift: np.uint32, chosen: np.ndarray
) -> float:  # pragma: no cover - compiled
    """The smallest nonzero magnitude among the values above bin ``top_key`` and ``chosen``."""
    bits = work.view(np.uint32)
    smallest = np.inf
    for j in range(m):
        ax = abs(np.float64(work[j]))
        if (_key(bits[j]) >> shift) > top_key and ax != 0.0 and ax < smallest:
            smallest = ax
    for x in chosen:
        ax = abs(np.float64(x))
        if ax != 0.0 and ax < smallest:
            smallest = ax
    return smallest
