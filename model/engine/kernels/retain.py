"""The compiled pass of the retain phase (:mod:`model.engine.phases.retain`).

The churn hazard is ``exp`` of an exponent, times factors, clipped: :func:`leave_month` forms the
exponents of a chunk of positions, takes their ``exp`` with numpy's own loop
(:mod:`~model.engine.kernels.numpy_loops`: numpy's bits, which numba's ``exp`` is not), and
decides who leaves while the chunk is in cache — one pass over the served clients where there
were three (exponents, ``np.exp`` over the market, decisions) and one call where there were four.

The kernel works on *positions*: every client row when ``dense`` (most of the market is served;
results are masked to the served, as the numpy code does), else the served rows in order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.numpy_loops import apply_inplace
from model.engine.kernels.reduce import pairwise_sum
from model.engine.kernels.scalar import clip

__all__ = ["CHUNK", "leave_month"]

# model.engine.state.Reason (kernels do not import the engine)
_BAD_SERVICE, _COMPETITOR, _GONE_FOR_GOOD = 1, 2, 3
_ZERO, _ONE = np.float32(0.0), np.float32(1.0)  # clip bounds in float32, as numpy clips float32
#: Positions per chunk: two float32 rows of it (8 KB) stay in the first-level cache with the
#: clients' values they are formed from.
CHUNK = 1024


@njit(cache=True, nogil=True, inline="always")
def _behavioural(
    satisfaction: np.ndarray, bonus: np.ndarray, row: np.uint64, paradox_acts: bool
) -> np.float32:  # pragma: no cover - compiled
    """Satisfaction that drives churn: ``clip(S + bonus, 0, 1)`` if the paradox acts, else S."""
    s = satisfaction[row]
    return clip(s + bonus[row], _ZERO, _ONE) if paradox_acts else s


@njit(cache=True, nogil=True)
def leave_month(
    dense: bool,
    served: np.ndarray,
    served_idx: np.ndarray,
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    tenure: np.ndarray,
    enrolled: np.ndarray,
    terms: tuple[bool, float, float, bool, float, float, bool, float],
    with_kept: bool,
    response: np.ndarray,
    gap_factor: float,
    propensity: np.ndarray,
    bad_service_threshold: float,
    u_churn: np.ndarray,
    u_poach: np.ndarray,
    poach: float,
    poach_for_good: float,
    leaves: np.ndarray,
    left_reason: np.ndarray,
    bufsize: int,
    exp_loop: np.ndarray,
) -> tuple[int, int, int, float]:  # pragma: no cover - compiled
    """Who asks to leave this month and why; returns the counts and the programme's effect.

    Reference: :func:`model.engine.phases.retain.step_numpy` (``tests/test_kernels_engine.py``).
    For each position, in float32 and in this order:

    * the exponent ``−k·(s − S_ref)`` (``exponential`` response only, else 0) ``− ℓ·discount``
      (when ``with_discount``: ``discount`` where enrolled, else 0) ``+ τ/12·tenure`` (when
      ``with_tenure``), capped at 80 (NaN passes, as ``np.minimum``'s does); with ``with_kept``
      also the exponent without the discount;
    * its ``exp``, numpy's (``exp_loop``);
    * the hazard ``clip(exp · response · gap_factor · propensity, 0, 1)`` (``response`` empty:
      the exponential form, no factor), and the same without the discount.

    A client leaves when their uniform is below the hazard — over bad service if their
    behavioural satisfaction is below the threshold, else for a competitor; with a ``u_poach``
    stream, a competitor also takes those not leaving whose poaching uniform is below ``poach``,
    for good (reason GONE_FOR_GOOD) when it is also below ``poach_for_good``.
    Float parameters are rounded to float32 here, as numpy rounds them beside float32 arrays
    (NEP 50): Python floats spare the caller a numpy scalar each.

    Parameters
    ----------
    dense : bool
        Positions are client rows (True) or positions in ``served_idx``.
    served : ndarray of bool
        Who is served (every client row).
    served_idx : ndarray of int
        Rows of the served clients, ascending.
    satisfaction, bonus : ndarray of float32
        Per-client satisfaction and recovery bonus (0–1 scale).
    paradox_acts : bool
        Whether the bonus counts for churn (``behavioural``).
    tenure : ndarray of int16
        Months as a client.
    enrolled : ndarray of bool
        Loyalty programme's members (every client row); read only when ``with_discount``.
    terms : tuple
        The exponent's terms: ``(exponential, minus_sensitivity, reference, with_discount,
        elasticity, discount, with_tenure, tenure_slope)`` — which terms it has (the three
        flags), ``−k`` and ``S_ref`` of the exponential response, ``ℓ`` and the discount (a
        share of price) of the members, and ``τ/12``, its change per month of tenure.
    with_kept : bool
        Also form the hazard without the discount (a programme runs).
    response : ndarray of float32
        The other response forms' factor per position, or empty.
    gap_factor : float
        The innovation gap's factor on the hazard (a firm-level scalar).
    propensity : ndarray of float32
        Per-client churn propensity.
    bad_service_threshold : float
        Behavioural satisfaction below which a leaver leaves over bad service.
    u_churn, u_poach : ndarray of float32
        The month's uniforms (every client row); ``u_poach`` empty: no poaching.
    poach : float
        Share a poaching raid takes.
    poach_for_good : float
        The part of ``poach`` taken by permanent raids (at most ``poach``).
    leaves, left_reason : ndarray of bool, int8
        Written: ``leaves`` at every position, ``left_reason`` for those leaving.
    bufsize : int
        ``np.getbufsize()``: numpy sums a float32 array in float64 one buffer-full at a time.
    exp_loop : ndarray of intp, (4,)
        :data:`model.engine.kernels.numpy_loops.EXP32`'s address.

    Returns
    -------
    n_enrolled : int
        Enrolled positions (0 unless ``with_discount``).
    n_bad, n_poached : int
        Leavers over bad service; clients poached.
    kept : float
        Churners the programme kept, in expectation: the sum over positions of the hazard
        without the discount minus the hazard (times the served flag when dense), as
        ``np.add.reduce(kept, dtype=np.float64)`` sums it (one pairwise sum per ``bufsize``
        positions, :func:`~model.engine.kernels.reduce.add_reduce_cast64`); 0.0 without
        ``with_kept``.
    """
    if bufsize < 1:
        raise ValueError("bufsize must be at least 1")
    m = leaves.size if dense else served_idx.size
    rows = 2 if with_kept else 1
    buf = np.empty((rows, min(CHUNK, m)), np.float32)
    frame = np.empty(5, np.intp)
    kept_block = np.empty(min(bufsize, m) if with_kept else 0, np.float64)
    filled, kept_total = 0, 0.0
    n_enrolled = n_bad = n_poached = 0
    for lo in range(0, m, CHUNK):
        hi = min(m, lo + CHUNK)
        c = hi - lo
        # The chunk's views, indexed from 0 (so the loops index by counters the compiler knows
        # are not negative): dense, every client array's rows lo … hi; else the served rows'.
        idx = served_idx[lo:hi]
        resp = response[lo:hi] if response.size else response  # (per position either way)
        if dense:
            sat, bon, ten = satisfaction[lo:hi], bonus[lo:hi], tenure[lo:hi]
            enr = enrolled[lo:hi] if enrolled.size else enrolled
            prop, on, uc = propensity[lo:hi], served[lo:hi], u_churn[lo:hi]
            up = u_poach[lo:hi] if u_poach.size else u_poach
            lv, why = leaves[lo:hi], left_reason[lo:hi]
        else:
            sat, bon, ten, enr, prop, on = satisfaction, bonus, tenure, enrolled, propensity, served
            uc, up, lv, why = u_churn, u_poach, leaves, left_reason
        n_enrolled += _exponents(c, dense, idx, sat, bon, paradox_acts, ten, enr, terms, buf)
        for k in range(rows):
            if apply_inplace(exp_loop, buf[k], 0, c, frame) != 0:
                raise RuntimeError("numpy's exp loop failed")
        _hazards(c, dense, on, idx, resp, gap_factor, prop, buf)
        if with_kept:  # the chunk's kept values, summed one buffer-full at a time
            kept = buf[1]
            j = 0
            while j < c:
                take = min(c - j, bufsize - filled)
                for t in range(take):
                    kept_block[filled + t] = kept[j + t]
                filled += take
                j += take
                if filled == bufsize:
                    kept_total += pairwise_sum(kept_block, 0, filled, 0.0)
                    filled = 0
        bad, poached = _decide(
            c, dense, on, idx, buf[0], sat, bon, paradox_acts, bad_service_threshold, uc, up,
            poach, poach_for_good, lv, why,
        )  # fmt: skip
        n_bad += bad
        n_poached += poached
    if filled:
        kept_total += pairwise_sum(kept_block, 0, filled, 0.0)
    return n_enrolled, n_bad, n_poached, kept_total


@njit(cache=True, nogil=True)
def _exponents(
    c: int,
    dense: bool,
    idx: np.ndarray,
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    tenure: np.ndarray,
    enrolled: np.ndarray,
    terms: tuple[bool, float, float, bool, float, float, bool, float],
    out: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """The exponents of a chunk's ``c`` positions into ``out[:, :c]`` (row 1, if any, without
    the discount; ``terms`` as :func:`leave_month`'s); returns how many of them are enrolled (0
    unless ``with_discount``). Position ``j`` is row ``j`` of the arrays when ``dense``, else row
    ``idx[j]``."""
    exponential, minus_sensitivity, reference, with_discount = terms[:4]
    elasticity, discount, with_tenure, tenure_slope = terms[4:]
    # Simple passes, each with its tests outside the loop: a loop that tests every flag for
    # every client ran several times slower than all of them together.
    minus_k, s_ref = np.float32(minus_sensitivity), np.float32(reference)
    ell, disc, slope = np.float32(elasticity), np.float32(discount), np.float32(tenure_slope)
    x = out[0]
    if not exponential:
        x[:c] = np.float32(0.0)
    elif dense:
        for j in range(c):
            s = _behavioural(satisfaction, bonus, np.uint64(j), paradox_acts)
            x[j] = minus_k * (s - s_ref)
    else:
        for j in range(c):
            s = _behavioural(satisfaction, bonus, np.uint64(idx[j]), paradox_acts)
            x[j] = minus_k * (s - s_ref)
    if out.shape[0] == 2:
        out[1, :c] = x[:c]  # the exponent without the discount
    n_enrolled = 0
    if with_discount:
        off = disc * np.float32(0.0)  # what numpy's discount · False gives
        if dense:
            for j in range(c):
                member = enrolled[j]
                n_enrolled += member
                x[j] = x[j] - ell * (disc if member else off)
        else:
            for j in range(c):
                member = enrolled[np.uint64(idx[j])]
                n_enrolled += member
                x[j] = x[j] - ell * (disc if member else off)
    if with_tenure:
        for k in range(out.shape[0]):
            row_k = out[k]
            if dense:
                for j in range(c):
                    row_k[j] = row_k[j] + slope * np.float32(tenure[j])
            else:
                for j in range(c):
                    years = slope * np.float32(tenure[np.uint64(idx[j])])
                    row_k[j] = row_k[j] + years
    cap = np.float32(80.0)
    for k in range(out.shape[0]):
        row_k = out[k]
        for j in range(c):
            v = row_k[j]
            row_k[j] = v if not v > cap else cap  # np.minimum's cap (NaN passes through)
    return n_enrolled


@njit(cache=True, nogil=True)
def _hazards(
    c: int,
    dense: bool,
    served: np.ndarray,
    idx: np.ndarray,
    response: np.ndarray,
    gap_factor: float,
    propensity: np.ndarray,
    buf: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """The hazards of a chunk's ``c`` positions in place of their ``exp`` in ``buf[0]``, and in
    ``buf[1]`` (if any) the hazard without the discount minus the hazard (times the served flag
    when dense)."""
    gap = np.float32(gap_factor)  # as numpy meets it
    for k in range(buf.shape[0]):
        h = buf[k]
        if response.size:
            for j in range(c):
                h[j] = h[j] * response[j]
        if dense:
            for j in range(c):
                h[j] = clip(h[j] * gap * propensity[j], _ZERO, _ONE)
        else:
            for j in range(c):
                h[j] = clip(h[j] * gap * propensity[np.uint64(idx[j])], _ZERO, _ONE)
    if buf.shape[0] == 2:  # the programme's effect: the hazard without it minus with it
        hazard, kept = buf[0], buf[1]
        if dense:
            for j in range(c):
                on = np.float32(1.0) if served[j] else np.float32(0.0)
                kept[j] = (kept[j] - hazard[j]) * on
        else:
            for j in range(c):
                kept[j] = kept[j] - hazard[j]


@njit(cache=True, nogil=True)
def _decide(
    c: int,
    dense: bool,
    served: np.ndarray,
    idx: np.ndarray,
    hazard: np.ndarray,
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    bad_service_threshold: float,
    u_churn: np.ndarray,
    u_poach: np.ndarray,
    poach: float,
    poach_for_good: float,
    leaves: np.ndarray,
    left_reason: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Who of a chunk's ``c`` positions leaves (``hazard[:c]``) or is poached, and why; returns
    (leavers over bad service, poached)."""
    threshold, poach32 = np.float32(bad_service_threshold), np.float32(poach)
    for_good32 = np.float32(poach_for_good)
    do_poach = u_poach.size > 0
    n_bad = 0
    n_poached = 0
    for j in range(c):
        row = np.uint64(j) if dense else np.uint64(idx[j])
        on = served[row]  # (always true when not dense)
        # Bitwise & on flags, not `and`: no branch on who is served, so none mispredicted.
        leave = on & (u_churn[row] < hazard[j])
        taken = False
        if leave:
            if _behavioural(satisfaction, bonus, row, paradox_acts) < threshold:
                left_reason[row] = _BAD_SERVICE
                n_bad += 1
            else:
                left_reason[row] = _COMPETITOR
        elif do_poach:
            taken = on & (u_poach[row] < poach32)
            if taken:
                left_reason[row] = _GONE_FOR_GOOD if u_poach[row] < for_good32 else _COMPETITOR
                n_poached += 1
        leaves[row] = leave | taken
    return n_bad, n_poached
