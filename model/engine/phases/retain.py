"""Retain: the monthly churn hazard, and who asks to leave (docs/ODD.md §7.4).

Hazard = own propensity × r(S) × (1 + g·tanh(gap / scale)) × exp(−ℓ·discount) × exp(τ·tenure
years), with r(S) the satisfaction response (:func:`satisfaction_response`: exponential
``exp(−k·(S − S_ref))`` by default, or a logistic, linear or asymmetric form). Tenure lowers the
*aggregate* churn rate through heterogeneity (own propensities are Beta-distributed; the leavers go
first), and τ, the direct effect, is 0 by default. The gap factor (:func:`gap_factor`) lies in
``[max(0, 1 − g), 1 + g]``: a gap behind the frontier raises churn up to (1 + g)×, a lead lowers it,
to zero at g ≥ 1 and a large lead. A ``poaching`` shock
(:func:`model.engine.schedule.poached_share`) adds leavers for a competitor, gone for good when
the raid is ``permanent`` (:func:`model.engine.schedule.poached_for_good_share`).
"""

from __future__ import annotations

import numpy as np

from model.engine.context import Context
from model.engine.kernels import retain as kernels
from model.engine.kernels.numpy_loops import EXP32
from model.engine.phases.satisfaction import behavioural
from model.engine.schedule import poached_for_good_share, poached_share
from model.engine.state import Reason
from model.scenario import Retain

__all__ = ["churn_hazard", "gap_factor", "satisfaction_response", "step", "step_numpy"]

# Empty arrays for what a kernel does not read (no programme, the exponential response, no
# poaching); writable, as the kernels' other arrays are (one compiled variant).
_NO_FLAGS = np.zeros(0, dtype=bool)
_NO_FLOATS = np.zeros(0, dtype=np.float32)


def gap_factor(gap: float, p: Retain) -> float:
    """The churn multiplier of the product-quality gap: ``max(0, 1 + g·tanh(gap / scale))``.

    It lies in ``[max(0, 1 − |g|), 1 + |g|]`` (g = ``gap_effect``). For g ≥ 0 a gap behind the
    frontier (``gap`` > 0) raises churn, up to (1 + g)× at saturation, and a lead lowers it, down
    to ``max(0, 1 − g)``× — so with g ≥ 1 a large lead drives churn to zero; a negative g
    (allowed down to −1) reverses both (docs/ODD.md §7.4).
    """
    return max(0.0, 1.0 + p.gap_effect * float(np.tanh(gap / p.gap_scale)))


def satisfaction_response(satisfaction: np.ndarray, p: Retain) -> np.ndarray:
    """How satisfaction multiplies the churn hazard: 1 at ``S_ref``, slope −k there (float32).

    ``p.churn_response`` picks the form (k = ``satisfaction_sensitivity``, d = S − S_ref):

    - ``"exponential"``: ``exp(−k·d)`` — unbounded as S falls (the default);
    - ``"logistic"``: ``2 / (1 + exp(2k·d))`` — bounded in (0, 2): at most doubles churn;
    - ``"linear"``: ``max(0, 1 − k·d)`` — zero churn from satisfaction above S_ref + 1/k;
    - ``"asymmetric"``: ``exp(−k·d)`` below the reference, ``exp(−u·k·d)`` above it, u =
      ``satisfaction_upside`` (Anderson & Mittal 2000: dissatisfaction weighs more).
    """
    d = np.asarray(satisfaction, dtype=np.float32) - np.float32(p.satisfaction_reference)
    k = np.float32(p.satisfaction_sensitivity)
    form = p.churn_response
    if form == "exponential":
        # A multiplier past e⁸⁰ leaves any propensity above 10⁻³⁵ at a hazard of 1; the cap keeps
        # float32's exp finite (it overflows past 88.7), so a propensity of 0 stays 0, not NaN.
        return np.exp(np.minimum(-k * d, np.float32(80.0)))
    if form == "logistic":
        return np.float32(2.0) / (np.float32(1.0) + np.exp(np.clip(2 * k * d, -80.0, 80.0)))
    if form == "linear":
        return np.maximum(np.float32(1.0) - k * d, np.float32(0.0))
    if form == "asymmetric":
        slope = np.where(d > 0, k * np.float32(p.satisfaction_upside), k).astype(np.float32)
        return np.exp(np.minimum(-slope * d, np.float32(80.0)))
    raise ValueError(f"retain.churn_response {form!r}: unknown form")  # pragma: no cover


def churn_hazard(
    propensity: np.ndarray,
    satisfaction: np.ndarray,
    gap: float,
    discount: np.ndarray | float,
    tenure_months: np.ndarray,
    p: Retain,
) -> np.ndarray:
    """Monthly probability of leaving, in [0, 1]."""
    # float32 throughout (satisfaction and propensity are float32; a hazard needs no more), and
    # terms that are exactly zero (no discount, no direct tenure effect: the defaults) are skipped.
    exponential = p.churn_response == "exponential"
    if exponential:  # one exp for satisfaction, discount and tenure together (the default path)
        log_mult = np.float32(-p.satisfaction_sensitivity) * (
            np.asarray(satisfaction, dtype=np.float32) - np.float32(p.satisfaction_reference)
        )
    else:
        log_mult = np.zeros(np.shape(satisfaction), dtype=np.float32)
    if np.ndim(discount) or discount != 0:
        log_mult -= np.float32(p.loyalty_elasticity) * np.asarray(discount, dtype=np.float32)
    if p.tenure_slope != 0:
        log_mult += np.float32(p.tenure_slope / 12.0) * np.asarray(tenure_months, np.float32)
    # A multiplier past e⁸⁰ leaves any propensity above 10⁻³⁵ at a hazard of 1; the cap keeps
    # float32's exp finite (it overflows past 88.7), so a propensity of 0 stays 0, not NaN.
    hazard = np.exp(np.minimum(log_mult, np.float32(80.0)))
    if not exponential:
        hazard *= satisfaction_response(satisfaction, p)
    hazard *= np.float32(gap_factor(gap, p))
    hazard *= propensity
    return np.clip(hazard, 0.0, 1.0, out=hazard) if np.ndim(hazard) else np.clip(hazard, 0.0, 1.0)


def step(ctx: Context) -> None:
    """Mark leavers (``clients.leaves``) and why; nothing changes stage here (compiled).

    :func:`step_numpy`'s numbers, bit for bit, from one compiled pass
    (:func:`model.engine.kernels.retain.leave_month`: each chunk's exponents, numpy's own ``exp``
    loop, the hazards and the decisions while the chunk is in cache).
    """
    cl, p, lv, r = ctx.clients, ctx.params, ctx.levers, ctx.params.retain
    dense, idx = ctx.dense, ctx.served_idx
    acts = p.service.recovery_paradox_behavioural
    # A discount (possibly zero) whenever a programme or a loyalty segment is set.
    with_discount = lv.loyalty_discount > 0 or p.targeting.loyalty != "all"
    enrolled = ctx.targeted["loyalty"] if with_discount else _NO_FLAGS
    exponential = r.churn_response == "exponential"
    if exponential:
        response = _NO_FLOATS
    else:  # the other forms' own transcendentals, in numpy (satisfaction_response)
        served = ctx.served_rows
        s = behavioural(cl.satisfaction[served], cl.paradox_bonus[served], acts)
        response = satisfaction_response(s, r).astype(np.float32, copy=False)
    poach = poached_share(p, ctx.month)
    # (Float parameters go as Python floats: the kernel rounds them to float32, as numpy would.)
    n_enrolled, n_bad, poached, kept = kernels.leave_month(
        dense,
        ctx.served,
        idx,
        cl.satisfaction,
        cl.paradox_bonus,
        acts,
        cl.tenure,
        enrolled,
        (
            exponential,
            -r.satisfaction_sensitivity,
            r.satisfaction_reference,
            with_discount,
            r.loyalty_elasticity,
            lv.loyalty_discount,
            r.tenure_slope != 0,
            r.tenure_slope / 12.0,
        ),
        lv.loyalty_discount > 0,
        response,
        gap_factor(ctx.firm.gap, r),
        cl.propensity,
        r.bad_service_threshold,
        ctx.uniform("retain.churn"),
        ctx.uniform("retain.poach") if poach > 0 else _NO_FLOATS,
        poach,
        poached_for_good_share(p, ctx.month) if poach > 0 else 0.0,
        cl.leaves,
        cl.left_reason,
        np.getbufsize(),  # numpy sums a float32 array in float64 through its buffer
        EXP32.address,
    )
    ctx.tally["poached"] = poached
    # Churners the programme kept, in expectation: the hazard without it minus the hazard with it
    # (as numpy sums it; 0.0 without a programme).
    ctx.tally["kept_by_programme"] = kept
    ctx.tally["enrolled"] = n_enrolled if with_discount else int(idx.size)
    ctx.tally["churned_bad_service"] = n_bad


def step_numpy(ctx: Context) -> None:
    """Mark leavers (``clients.leaves``) and why; nothing changes stage here (numpy reference)."""
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    # The served clients' rows, or every row (results masked to the served) when most are served.
    rows = ctx.served_rows
    s = behavioural(
        cl.satisfaction[rows], cl.paradox_bonus[rows], p.service.recovery_paradox_behavioural
    )
    if lv.loyalty_discount > 0 or p.targeting.loyalty != "all":
        enrolled = ctx.targeted["loyalty"][rows]  # (False for anyone not served)
        discount = np.float32(lv.loyalty_discount) * enrolled
        n_enrolled = int(np.count_nonzero(enrolled))
    else:  # everyone served is enrolled in a programme worth nothing: no per-client pass
        discount, n_enrolled = 0.0, int(ctx.served_idx.size)
    args = (cl.propensity[rows], s, ctx.firm.gap)
    hazard = churn_hazard(*args, discount, cl.tenure[rows], p.retain)
    leaves = ctx.uniform("retain.churn")[rows] < hazard
    if ctx.dense:
        leaves &= ctx.served
    cl.leaves[rows] = leaves
    leaving = np.flatnonzero(leaves)  # positions (few: cheaper than a mask)
    gone = ctx.rows_at(leaving)
    cl.left_reason[gone] = np.where(
        s[leaving] < p.retain.bad_service_threshold, Reason.BAD_SERVICE, Reason.COMPETITOR
    )
    # A poaching shock: a competitor takes a share of those not leaving anyway (own stream).
    poach, poached = poached_share(p, ctx.month), 0
    if poach > 0:
        u = ctx.uniform("retain.poach")
        taken = ~leaves & (u[rows] < poach)
        if ctx.dense:
            taken &= ctx.served
        taken = ctx.rows_at(np.flatnonzero(taken))
        cl.leaves[taken] = True
        # Permanent raids take first: a uniform below their share marks the client gone for good.
        for_good = u[taken] < poached_for_good_share(p, ctx.month)
        cl.left_reason[taken] = np.where(for_good, Reason.GONE_FOR_GOOD, Reason.COMPETITOR)
        poached = int(taken.size)
    ctx.tally["poached"] = poached
    # Churners the programme kept, in expectation: the hazard without it minus the hazard with it.
    if lv.loyalty_discount > 0:
        kept = churn_hazard(*args, 0.0, cl.tenure[rows], p.retain) - hazard
        if ctx.dense:
            kept *= ctx.served
        ctx.tally["kept_by_programme"] = float(kept.sum(dtype=np.float64))
    else:
        ctx.tally["kept_by_programme"] = 0.0
    ctx.tally["enrolled"] = n_enrolled
    ctx.tally["churned_bad_service"] = int(
        np.count_nonzero(cl.left_reason[gone] == Reason.BAD_SERVICE)
    )
