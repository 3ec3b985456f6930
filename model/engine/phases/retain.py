"""Retain: the monthly churn hazard, and who asks to leave (docs/ODD.md §7.4).

Hazard = own propensity × exp(−k·(S − S_ref)) × (1 + g·tanh(gap / scale)) × exp(−ℓ·discount)
× exp(τ·tenure years). Tenure lowers the *aggregate* churn rate through heterogeneity (own
propensities are Beta-distributed; the leavers go first), and τ, the direct effect, is 0 by default.
A ``poaching`` shock (:func:`model.engine.schedule.poached_share`) adds leavers for a competitor.
"""

from __future__ import annotations

import numpy as np

from model.engine.context import Context
from model.engine.phases.satisfaction import behavioural
from model.engine.schedule import poached_share
from model.engine.state import Reason
from model.scenario import Retain

__all__ = ["churn_hazard", "step"]


def churn_hazard(
    propensity: np.ndarray,
    satisfaction: np.ndarray,
    gap: float,
    discount: np.ndarray | float,
    tenure_months: np.ndarray,
    p: Retain,
) -> np.ndarray:
    """Monthly probability of leaving, in [0, 1]."""
    gap_factor = max(0.0, 1.0 + p.gap_effect * float(np.tanh(gap / p.gap_scale)))
    # float32 throughout (satisfaction and propensity are float32; a hazard needs no more), and
    # terms that are exactly zero (no discount, no direct tenure effect: the defaults) are skipped.
    log_mult = np.float32(-p.satisfaction_sensitivity) * (
        np.asarray(satisfaction, dtype=np.float32) - np.float32(p.satisfaction_reference)
    )
    if np.ndim(discount) or discount != 0:
        log_mult -= np.float32(p.loyalty_elasticity) * np.asarray(discount, dtype=np.float32)
    if p.tenure_slope != 0:
        log_mult += np.float32(p.tenure_slope / 12.0) * np.asarray(tenure_months, np.float32)
    # A hazard multiplier past e⁸⁰ leaves any propensity above 10⁻³⁵ at a hazard of 1; the cap
    # keeps float32's exp finite (it overflows past 88.7), so a propensity of 0 stays 0, not NaN.
    hazard = np.exp(np.minimum(log_mult, np.float32(80.0)))
    hazard *= np.float32(gap_factor)
    hazard *= propensity
    return np.clip(hazard, 0.0, 1.0, out=hazard) if np.ndim(hazard) else np.clip(hazard, 0.0, 1.0)


def step(ctx: Context) -> None:
    """Mark leavers (``clients.leaves``) and why; nothing changes stage here."""
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
        taken = ~leaves & (ctx.uniform("retain.poach")[rows] < poach)
        if ctx.dense:
            taken &= ctx.served
        taken = ctx.rows_at(np.flatnonzero(taken))
        cl.leaves[taken] = True
        cl.left_reason[taken] = Reason.COMPETITOR
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
