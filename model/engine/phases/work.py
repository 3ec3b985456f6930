"""Work: each served client gets delivered quality; incidents are fixed on the spot or escalate.

An empowered staff member fixes an incident on the spot when its cost is within the per-incident cap
and their monthly budget still covers it (Ritz-Carlton: up to $2,000 a guest, no approval needed).
Staff meet their incidents in client-row order and spend greedily: an incident too dear for what is
left is escalated, and a cheaper one later may still be fixed. Escalations are fixed later at a
manager's cost with a weaker recovery, or not at all.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from model.engine.context import Context
from model.engine.kernels import incidents
from model.engine.kernels import work as kernels
from model.engine.kernels.numpy_loops import EXP64
from model.engine.randomness import NORMAL_TABLE, normal_from_uniform
from model.engine.schedule import service_drop
from model.engine.scratch import formed
from model.scenario import Service, Staff

__all__ = [
    "FIXED_LATER",
    "FIXED_ON_SPOT",
    "UNFIXED",
    "delivered_quality",
    "fix_cost",
    "float32_mean",
    "greedy_spend",
    "greedy_spend_numpy",
    "incident_probability",
    "staff_quality",
    "step",
    "step_numpy",
]

FIXED_ON_SPOT, FIXED_LATER, UNFIXED = 1, 2, 3


def staff_quality(
    engagement: np.ndarray, skill: np.ndarray, overload: np.ndarray, staff: Staff
) -> np.ndarray:
    """What a staff member adds to the quality they deliver: ``e·(eng − ½) + s·(skill − ½) − o·overload``.

    Computed per staff member, then read by each of their clients (one gather instead of three).
    """
    return (
        staff.engagement_quality * (engagement - 0.5)
        + staff.skill_quality * (skill - 0.5)
        - staff.overload_quality * overload
    )


def delivered_quality(
    level: float,
    staff_term: np.ndarray,
    fit: np.ndarray,
    noise: np.ndarray,
    svc: Service,
) -> np.ndarray:
    """Quality a client experiences before incidents, in [0, 1].

    ``level + staff_term + f·(fit − ½) + noise``, ``staff_term`` from :func:`staff_quality`.
    """
    q = svc.fit_experience_effect * (np.asarray(fit) - np.float32(0.5))
    q += staff_term
    q += svc.quality_noise * noise
    q += np.float32(level)
    return np.clip(q, 0.0, 1.0, out=q) if q.ndim else np.clip(q, 0.0, 1.0)


def incident_probability(quality: np.ndarray, svc: Service) -> np.ndarray:
    """Monthly chance of a service incident; falls linearly to 0 as quality reaches 1."""
    return svc.incident_rate_max * (1.0 - quality)


def fix_cost(u: np.ndarray, svc: Service) -> np.ndarray:
    """Lognormal cost of fixing an incident with mean ``fix_cost_mean`` (inverse CDF of ``u``)."""
    s = svc.fix_cost_sigma
    mu = np.log(max(svc.fix_cost_mean, 1e-12)) - 0.5 * s * s
    return np.exp(mu + s * normal_from_uniform(u).astype(np.float64))


def greedy_spend(group: np.ndarray, cost: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Which items each group's budget pays for, spending greedily in order (compiled).

    :func:`greedy_spend_numpy`'s answer, bit for bit, from :func:`model.engine.kernels.incidents.greedy_spend`
    (one call instead of a dozen numpy calls a round). Parameters and result as there.
    """
    return incidents.greedy_spend(
        np.asarray(group, dtype=np.int64),
        np.asarray(cost, dtype=np.float64),
        np.asarray(budget, dtype=np.float64),
    )


def greedy_spend_numpy(group: np.ndarray, cost: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Which items each group's budget pays for, spending greedily in order (the numpy reference).

    Exactly the sequential rule — for each group, walk its items in order and pay an item if its
    cost is within what is left — but vectorized over groups: each round pays every group's longest
    affordable prefix and drops items dearer than what is left (the remainder only shrinks, so a
    greedy walk would skip them too). Each round pays or drops at least one item per busy group.

    Parameters
    ----------
    group : ndarray of int, sorted ascending
        Group (staff member) of each item; items keep their order within a group.
    cost : ndarray of float
        Cost of each item (≥ 0).
    budget : ndarray of float
        Money each group has; indexed by group id.

    Returns
    -------
    ndarray of bool
        True where the item is paid for.
    """
    paid = np.zeros(cost.size, dtype=bool)
    left = budget.astype(np.float64).copy()
    pending = np.arange(cost.size)
    while pending.size:
        g, c = group[pending], cost[pending]
        pending, g, c = pending[c <= left[g]], g[c <= left[g]], c[c <= left[g]]
        if not pending.size:
            break
        csum = np.cumsum(c)
        # (np.concatenate, not np.r_: the index-trick object costs more than the arrays here)
        first = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
        start = np.repeat(csum[first] - c[first], np.diff(np.append(first, g.size)))
        fits = csum - start <= left[g]
        paid[pending[fits]] = True
        left -= np.bincount(g[fits], weights=c[fits], minlength=left.size)
        pending = pending[~fits]
    return paid


def step(ctx: Context) -> None:
    """Deliver quality, draw incidents, fix them on the spot or escalate; write experience.

    One compiled call (:func:`model.engine.kernels.work.work_month`: the staff terms, quality and
    incidents over the served clients, the fix costs' ``exp`` with numpy's own loop, then each
    incident's settlement); the same numbers as :func:`step_numpy`.
    """
    cl, st, p, lv = ctx.clients, ctx.staff, ctx.params, ctx.levers
    idx = ctx.served_idx
    if idx.size == 0:
        _nobody_served(ctx)
        return
    c = formed(cl, "work", p, lambda: _compute_constants(p.service, p.staff))
    # Quality and experience of the served: work rows of the context's block (no fresh arrays).
    q = ctx.work32()[: idx.size]
    x = ctx.work32()[: idx.size]
    # A bad-service shock lowers what is delivered, not the level paid for (no shocks: no drop).
    drop = service_drop(p, ctx.month) if p.shocks else 0.0
    # (scalars as float32, or rounded to it in the kernel: numpy computes a float32 array with a
    # Python float in float32)
    delivery = (
        idx,
        cl.staff,
        st.clients,
        st.engagement,
        st.skill,
        *c.staff_terms,
        cl.fit,
        ctx.uniform("work.quality"),
        ctx.uniform("work.incident"),
        NORMAL_TABLE,
        c.fit_effect,
        c.noise_scale,
        float(max(0.0, lv.service_level - drop)),
        c.rate_max,
        float(ctx.firm.novelty_dip),
        ctx.streams.key("work.fix_cost", ctx.month),
        c.mu,
        c.sigma,
        q,
        x,
    )
    settlement = (
        ctx.targeted["empowerment"],
        float(lv.empowerment_cap),
        lv.empowerment_budget > 0,
        ctx.streams.key("work.escalation", ctx.month),
        *c.settle,
        cl.incident,
        cl.direct_cost,
        cl.paradox_bonus,
        cl.experience,
        st.budget_used,
        st.budget_left,
    )
    # (The fix costs' exp: numpy's loop, inside the kernel.)
    n_hit, fixed_on_spot, n_later, spent_spot_total, spent_later_total, quality_sum = (
        kernels.work_month(delivery, EXP64.address, settlement)
    )
    # The kernels' sums are numpy's (kernels.reduce): np.add.reduce's, with no numpy call here.
    ctx.ledger["empowerment"] += spent_spot_total
    ctx.ledger["escalation"] += spent_later_total
    ctx.tally.update(
        quality=float(np.float32(quality_sum / idx.size)),  # float32_mean(q)
        incidents=n_hit,
        fixed_on_spot=fixed_on_spot,
        escalated=n_hit - fixed_on_spot,
        unfixed=n_hit - fixed_on_spot - n_later,
    )


def float32_mean(a: np.ndarray) -> np.float32:
    """``a.mean()`` of a non-empty 1-d float32 array, bit for bit, without its Python wrapper.

    numpy's ``_mean``: the pairwise float32 sum, divided by the count as an ``intp`` (in float64,
    NEP 50), rounded back to float32. The division is done on Python floats: the same IEEE
    float64 division (a count below 2⁵³ converts exactly), without numpy's scalar machinery.
    """
    return np.float32(float(np.add.reduce(a)) / a.size)


class _Constants(NamedTuple):
    """The work phase's scalars that depend on the scenario only, as its kernels take them."""

    staff_terms: tuple[float, np.float32, np.float32, float]
    fit_effect: np.float32
    noise_scale: np.float32
    rate_max: np.float32
    mu: np.float64
    sigma: float
    settle: tuple[np.float32, float, float, float, float, np.float32]


def _compute_constants(svc: Service, staff: Staff) -> _Constants:
    """:class:`_Constants` from the scenario's service and staff sections (kept per market and
    scenario object by :func:`model.engine.scratch.formed`: a dozen scalar conversions and an
    ``np.log`` each month cost more than a small market's compiled passes)."""
    s = svc.fix_cost_sigma
    return _Constants(
        staff_terms=(
            float(staff.capacity),
            np.float32(staff.engagement_quality),
            np.float32(staff.skill_quality),
            float(staff.overload_quality),
        ),
        fit_effect=np.float32(svc.fit_experience_effect),
        noise_scale=np.float32(svc.quality_noise),
        rate_max=np.float32(svc.incident_rate_max),
        # fix_cost's mu, from the same numpy log
        mu=np.log(max(svc.fix_cost_mean, 1e-12)) - 0.5 * s * s,
        sigma=s,
        settle=(
            np.float32(svc.escalation_fix_prob),
            svc.manager_cost_multiplier,
            svc.recovery_on_spot,
            svc.recovery_escalated,
            svc.incident_severity,
            np.float32(svc.recovery_paradox_bonus),
        ),
    )


def step_numpy(ctx: Context) -> None:
    """:func:`step` in numpy: the readable reference its compiled kernels are tested against."""
    cl, st, p, lv = ctx.clients, ctx.staff, ctx.params, ctx.levers
    svc = p.service
    idx = ctx.served_idx
    if idx.size == 0:
        _nobody_served(ctx)
        return
    who = cl.staff[idx]
    staff_term = _staff_terms(ctx)
    noise = normal_from_uniform(ctx.uniform("work.quality")[idx])
    q = delivered_quality(
        # A bad-service shock lowers what is delivered, not the level paid for.
        max(0.0, lv.service_level - service_drop(p, ctx.month)),
        np.take(staff_term, who),
        cl.fit[idx],
        noise,
        svc,
    )
    hit = np.flatnonzero(ctx.uniform("work.incident")[idx] < incident_probability(q, svc))
    x = q - np.float32(ctx.firm.novelty_dip)

    inc, served_by = idx[hit], who[hit]
    cost = fix_cost(ctx.uniform_at("work.fix_cost", inc), svc)
    reachable = ctx.targeted["empowerment"][inc]
    eligible = reachable & (cost <= lv.empowerment_cap) & (lv.empowerment_budget > 0)
    order = np.argsort(served_by, kind="stable")
    on_spot = np.zeros(inc.size, dtype=bool)
    chosen = order[eligible[order]]
    on_spot[chosen] = greedy_spend(served_by[chosen], cost[chosen], st.budget_left)
    later = ~on_spot & (ctx.uniform_at("work.escalation", inc) < svc.escalation_fix_prob)

    code = np.where(on_spot, FIXED_ON_SPOT, np.where(later, FIXED_LATER, 3)).astype(np.int8)
    cl.incident[inc] = code
    spent_spot = np.where(on_spot, cost, 0.0)
    spent_later = np.where(later, cost * svc.manager_cost_multiplier, 0.0)
    cl.direct_cost[inc] += spent_spot + spent_later
    used = np.bincount(served_by, weights=spent_spot, minlength=st.n)
    st.budget_used += used
    st.budget_left -= used

    recovery = np.where(on_spot, svc.recovery_on_spot, np.where(later, svc.recovery_escalated, 0.0))
    x[hit] -= (svc.incident_severity * (1.0 - recovery)).astype(np.float32)
    cl.experience[idx] = np.clip(x, 0.0, 1.0, out=x)
    cl.paradox_bonus[inc[on_spot]] += np.float32(svc.recovery_paradox_bonus)

    ctx.ledger["empowerment"] += float(spent_spot.sum())
    ctx.ledger["escalation"] += float(spent_later.sum())
    ctx.tally.update(
        quality=float(q.mean()),
        incidents=int(inc.size),
        fixed_on_spot=int(on_spot.sum()),
        escalated=int((~on_spot).sum()),
        unfixed=int((~on_spot & ~later).sum()),
    )


def _staff_terms(ctx: Context) -> np.ndarray:
    """Each staff member's :func:`staff_quality` this month (float32), overload included."""
    st, p = ctx.staff, ctx.params.staff
    overload = np.maximum(st.clients / p.capacity - 1.0, 0.0)
    return staff_quality(st.engagement, st.skill, overload, p).astype(np.float32)


def _nobody_served(ctx: Context) -> None:
    """A month with nobody served: no quality to measure, no incidents."""
    ctx.tally.update(quality=np.nan, incidents=0, fixed_on_spot=0, escalated=0, unfixed=0)
