"""Compiled passes of the attract phase (:mod:`model.engine.phases.attract`).

Two passes with numpy between them: who becomes aware (then the referrers are picked in numpy),
then who of the aware joins or forgets, reading each one's fit term from every client's, which
the phase forms once per market (a power, in numpy).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.hashing import hash_one

__all__ = ["attract_aware", "attract_convert", "rows_where"]


@njit(cache=True, nogil=True)
def rows_where(codes: np.ndarray, code: int, out: np.ndarray) -> np.ndarray:  # pragma: no cover
    """The rows whose ``codes`` equal ``code``, ascending (``np.flatnonzero(codes == code)``),
    as the first slots of ``out`` (an integer array at least ``codes.size`` long that holds every
    row; the rest overwritten).

    Branch-free: every row is written at the next free slot and the slot advances only on a
    match, so a mixed market costs no mispredicted branches (several times faster than a test
    and jump at a fifth of rows matching).
    """
    if out.size < codes.size:
        raise ValueError("out is shorter than codes")
    count = 0
    for i in range(codes.size):
        out[count] = i
        count += codes[i] == code
    return out[:count]


@njit(cache=True, nogil=True)
def attract_aware(
    stage: np.ndarray,
    aware: np.ndarray,
    aware_source: np.ndarray,
    heard_positive: np.ndarray,
    wom_probability: np.ndarray,
    u_ad: np.ndarray,
    p_ad: np.float32,
    key_credit: np.uint64,
    key_referrer: np.uint64,
    prospect_code: int,
    ad_code: int,
    referral_code: int,
    rows: np.ndarray,
    u_work: np.ndarray,
) -> tuple[int, int, int, int]:  # pragma: no cover - compiled
    """Mark the prospects who become aware this month and the channel credited; list the aware.

    The lists are written at the start of the work arrays ``rows`` (int32, (2, market): the
    prospects, then in their place the aware; the referred) and ``u_work`` (float32,
    (market,)), which the phase borrows from the context's block
    (:meth:`model.engine.context.Context.work32`): fresh arrays of the market's length each
    month cost more to fault into memory than the pass. Their lengths are returned, and the
    caller slices them (returning arrays costs a compiled call about a microsecond each to box).

    An unaware prospect ``i`` is reached by the ad when ``u_ad[i] < p_ad`` and by word of mouth
    when ``heard_positive[i]``. A tie goes to the ad when its keyed uniform (``key_credit``) is
    below ``p_ad / max(p_ad + wom_probability[i], 1e-12)``, all in float32 as numpy forms it
    (``p_ad`` comes as float32). Writes ``aware`` and ``aware_source``.

    Reference: the first half of :func:`model.engine.phases.attract.step_numpy`.

    Returns
    -------
    n_aware : int
        Every aware prospect after this pass, listed in row order in ``rows[0, :n_aware]``.
    n_referred : int
        The newly aware credited to a referral, listed in row order in
        ``rows[1, :n_referred]``, each with its uniform under ``key_referrer`` (to pick the
        referrer) in ``u_work[:n_referred]``.
    newly_aware, aware_by_ad : int
        Prospects who became aware, and how many of them the ad is credited with.
    """
    if rows.shape[1] < stage.size or u_work.size < stage.size:
        raise ValueError("work arrays shorter than the market")
    floor = np.float32(1e-12)
    prospects = rows_where(stage, prospect_code, rows[0])
    # The aware are listed over the prospects: slot n_aware ≤ k is written after prospect k is
    # read, and the prospects still to read lie above k.
    aware_rows, referred, u_referrer = rows[0], rows[1], u_work
    n_aware = n_referred = newly_aware = aware_by_ad = 0
    for k in range(prospects.size):
        i = prospects[k]
        row = np.uint64(i)  # unsigned: numba skips the wraparound test
        if not aware[row]:
            by_ad = u_ad[row] < p_ad
            by_wom = heard_positive[row]
            if by_ad or by_wom:
                credit_ad = by_ad
                if by_ad and by_wom:  # a tie: credited in proportion to the hazards
                    share_ad = p_ad / max(np.float32(p_ad + wom_probability[row]), floor)
                    credit_ad = hash_one(i, key_credit) < share_ad
                aware[row] = True
                newly_aware += 1
                if credit_ad:
                    aware_source[row] = ad_code
                    aware_by_ad += 1
                else:
                    aware_source[row] = referral_code
                    referred[n_referred] = i
                    u_referrer[n_referred] = hash_one(i, key_referrer)
                    n_referred += 1
        if aware[row]:
            aware_rows[n_aware] = i
            n_aware += 1
    return n_aware, n_referred, newly_aware, aware_by_ad


@njit(cache=True, nogil=True)
def attract_convert(
    aware_rows: np.ndarray,
    fit_term: np.ndarray,
    gap_term: float,
    heard_negative: np.ndarray,
    warn_factor: float,
    key_convert: np.uint64,
    key_forget: np.uint64,
    forget_probability: np.float32,
    none_code: int,
    joins: np.ndarray,
    aware: np.ndarray,
    aware_source: np.ndarray,
    referrer: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Of the aware prospects, mark who joins; those who neither join nor remember forget.

    Prospect ``aware_rows[k]`` joins when its keyed uniform (``key_convert``) is below
    ``clip(fit_term[aware_rows[k]] · gap_term (× warn_factor if warned), 0, 1)`` (``fit_term``
    holds every client's, by row), formed in float64 as numpy
    forms it (float32 fit term times a float64 scalar). One who does not join forgets (awareness,
    its source and referrer cleared) when its uniform under ``key_forget`` is below
    ``forget_probability`` (float32, as numpy compares it).

    Reference: the second half of :func:`model.engine.phases.attract.step_numpy`, with
    :func:`model.engine.phases.attract.conversion_probability`.

    Returns
    -------
    int
        How many joined.
    """
    joined = 0
    for k in range(aware_rows.size):
        i = aware_rows[k]
        row = np.uint64(i)  # unsigned: numba skips the wraparound test
        c = np.float64(fit_term[row]) * gap_term
        if heard_negative[row]:
            c = c * warn_factor
        chance = min(max(c, 0.0), 1.0)
        if np.float64(hash_one(i, key_convert)) < chance:
            joins[row] = True
            joined += 1
        elif hash_one(i, key_forget) < forget_probability:
            aware[row] = False
            aware_source[row] = none_code
            referrer[row] = -1
    return joined
