"""Compiled passes of the retain phase (:mod:`model.engine.phases.retain`).

The churn hazard needs ``exp``, which stays in numpy (numba's differs in the last bit), so the
phase runs in three steps: :func:`hazard_exponents` (everything before the ``exp``), numpy's
``exp`` in place, then :func:`decide_leavers` (everything after it).

Both kernels work on *positions*: every client row when ``dense`` (most of the market is served;
results are masked to the served, as the numpy code does), else the served rows in order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.reduce import add_reduce_cast64
from model.engine.kernels.work import clip

__all__ = ["decide_leavers", "hazard_exponents"]

_BAD_SERVICE, _COMPETITOR = 1, 2  # model.engine.state.Reason (kernels do not import the engine)
_ZERO, _ONE = np.float32(0.0), np.float32(1.0)  # clip bounds in float32, as numpy clips float32


@njit(cache=True, nogil=True, inline="always")
def _behavioural(
    satisfaction: np.ndarray, bonus: np.ndarray, row: np.uint64, paradox_acts: bool
) -> np.float32:  # pragma: no cover - compiled
    """Satisfaction that drives churn: ``clip(S + bonus, 0, 1)`` if the paradox acts, else S."""
    s = satisfaction[row]
    return clip(s + bonus[row], _ZERO, _ONE) if paradox_acts else s


@njit(cache=True, nogil=True)
def hazard_exponents(
    dense: bool,
    served_idx: np.ndarray,
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    tenure: np.ndarray,
    enrolled: np.ndarray,
    exponential: bool,
    minus_sensitivity: float,
    reference: float,
    with_discount: bool,
    elasticity: float,
    discount: float,
    with_tenure: bool,
    tenure_slope: float,
    out: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """The churn hazard's exponent at each position, capped at 80, ready for ``np.exp``.

    ``out[0]`` gets the exponent with the loyalty discount, ``out[1]`` (when ``out`` has two
    rows) the same without it. The exponent is ``−k·(s − S_ref)`` (exponential response only,
    else 0) ``− ℓ·discount`` (when ``with_discount``: ``discount`` where enrolled, else 0)
    ``+ τ/12·tenure`` (when ``with_tenure``), all in float32 and in that order. Returns how many
    positions are enrolled (0 unless ``with_discount``). Reference:
    :func:`model.engine.phases.retain.churn_hazard` up to its ``np.exp``. The float parameters
    are rounded to float32 here, as numpy rounds them beside float32 arrays (NEP 50): Python
    floats spare the caller a numpy scalar each.

    Parameters
    ----------
    dense : bool
        Positions are client rows (True) or positions in ``served_idx``.
    served_idx : ndarray of int
        Rows of the served clients.
    exponential, with_discount, with_tenure : bool
        Which terms the exponent has.
    satisfaction, bonus : ndarray of float32
        Per-client satisfaction and recovery bonus (0-1 scale).
    paradox_acts : bool
        Whether the bonus counts for churn (``behavioural``).
    tenure : ndarray of int16
        Months as a client.
    enrolled : ndarray of bool
        Loyalty programme's members (every client row); read only when ``with_discount``.
    minus_sensitivity, reference : float
        ``−k`` and ``S_ref`` of the exponential response.
    elasticity, discount : float
        ``ℓ`` and the discount (a share of price) of the members.
    tenure_slope : float
        ``τ/12``: the exponent's change per month of tenure.

    out : ndarray of float32, shape (1 or 2, positions)
        Written.
    """
    # Simple passes, each with its tests outside the loop: a loop that tests every flag for
    # every client ran several times slower than all of them together.
    minus_k, s_ref = np.float32(minus_sensitivity), np.float32(reference)
    ell, disc, slope = np.float32(elasticity), np.float32(discount), np.float32(tenure_slope)
    m = out.shape[1]
    x = out[0]
    if not exponential:
        x[:] = np.float32(0.0)
    elif dense:
        for i in range(m):
            s = _behavioural(satisfaction, bonus, np.uint64(i), paradox_acts)
            x[i] = minus_k * (s - s_ref)
    else:
        for i in range(m):
            s = _behavioural(satisfaction, bonus, np.uint64(served_idx[i]), paradox_acts)
            x[i] = minus_k * (s - s_ref)
    if out.shape[0] == 2:
        out[1] = x  # the exponent without the discount
    n_enrolled = 0
    if with_discount:
        off = disc * np.float32(0.0)  # what numpy's discount · False gives
        if dense:
            for i in range(m):
                member = enrolled[i]
                n_enrolled += member
                x[i] = x[i] - ell * (disc if member else off)
        else:
            for i in range(m):
                member = enrolled[np.uint64(served_idx[i])]
                n_enrolled += member
                x[i] = x[i] - ell * (disc if member else off)
    if with_tenure:
        for k in range(out.shape[0]):
            row_k = out[k]
            if dense:
                for i in range(m):
                    row_k[i] = row_k[i] + slope * np.float32(tenure[i])
            else:
                for i in range(m):
                    years = slope * np.float32(tenure[np.uint64(served_idx[i])])
                    row_k[i] = row_k[i] + years
    cap = np.float32(80.0)
    for k in range(out.shape[0]):
        row_k = out[k]
        for i in range(m):
            v = row_k[i]
            row_k[i] = v if not v > cap else cap  # np.minimum's cap (NaN passes through)
    return n_enrolled


@njit(cache=True, nogil=True)
def decide_leavers(
    dense: bool,
    served: np.ndarray,
    served_idx: np.ndarray,
    multiplier: np.ndarray,
    response: np.ndarray,
    gap_factor: float,
    propensity: np.ndarray,
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    bad_service_threshold: float,
    u_churn: np.ndarray,
    u_poach: np.ndarray,
    poach: float,
    leaves: np.ndarray,
    left_reason: np.ndarray,
    bufsize: int,
) -> tuple[int, int, float]:  # pragma: no cover - compiled
    """Who asks to leave and why, from ``exp`` of :func:`hazard_exponents`; returns counts.

    Hazard = ``clip(multiplier · response · gap_factor · propensity, 0, 1)`` (float32, that
    order; ``response`` empty: the exponential form, no factor). A client leaves when their
    uniform is below it — over bad service if their behavioural satisfaction is below the
    threshold, else for a competitor; with a ``u_poach`` stream, a competitor also takes those
    not leaving whose poaching uniform is below ``poach``. ``multiplier[0]`` is overwritten with
    the hazard, and ``multiplier[1]`` (if any: the discount's absent) with the hazard without
    the discount minus the hazard (times the served flag when dense). Writes ``leaves`` (all rows
    when dense) and ``left_reason`` (leavers only). Returns ``(leavers over bad service,
    poached, kept)``, ``kept`` the sum of ``multiplier[1]`` in float64 as
    ``np.add.reduce(multiplier[1], dtype=np.float64)`` gives it with numpy's buffer of
    ``bufsize`` (:func:`~model.engine.kernels.reduce.add_reduce_cast64`; 0.0 without the
    row). ``gap_factor``, ``bad_service_threshold`` and ``poach`` are rounded to float32 here,
    as numpy meets them beside float32 arrays. Reference:
    :func:`model.engine.phases.retain.step_numpy` after the hazard's ``np.exp``.
    """
    # The hazards first, in place of the multipliers (simple passes that vectorize), then the
    # decisions (few leavers: branches that rarely go the other way).
    gap, threshold = (
        np.float32(gap_factor),
        np.float32(bad_service_threshold),
    )  # as numpy meets them
    m = multiplier.shape[1]
    for k in range(multiplier.shape[0]):
        h = multiplier[k]
        if response.size:
            for i in range(m):
                h[i] = h[i] * response[i]
        if dense:
            for i in range(m):
                h[i] = clip(h[i] * gap * propensity[i], _ZERO, _ONE)
        else:
            for i in range(m):
                h[i] = clip(h[i] * gap * propensity[np.uint64(served_idx[i])], _ZERO, _ONE)
    hazard = multiplier[0]
    if multiplier.shape[0] == 2:  # the programme's effect: the hazard without it minus with it
        kept = multiplier[1]
        if dense:
            for i in range(m):
                on = np.float32(1.0) if served[i] else np.float32(0.0)
                kept[i] = (kept[i] - hazard[i]) * on
        else:
            for i in range(m):
                kept[i] = kept[i] - hazard[i]
    do_poach, poach32 = u_poach.size > 0, np.float32(poach)
    n_bad = 0
    n_poached = 0
    for i in range(m):
        row = np.uint64(i) if dense else np.uint64(served_idx[i])
        on = served[row]  # (always true when not dense)
        # Bitwise & on flags, not `and`: no branch on who is served, so none mispredicted.
        leave = on & (u_churn[row] < hazard[i])
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
                left_reason[row] = _COMPETITOR
                n_poached += 1
        leaves[row] = leave | taken
    kept_total = add_reduce_cast64(multiplier[1], bufsize) if multiplier.shape[0] == 2 else 0.0
    return n_bad, n_poached, kept_total
