"""Staff: engagement and skill move toward targets set by training, autonomy and workload.

The internal client (Heskett et al. 1994): each link's strength is a parameter that may be zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from model.engine.context import Context
from model.engine.kernels import staff as kernels
from model.engine.scratch import formed
from model.scenario import Staff

__all__ = [
    "engagement_target",
    "headcount",
    "quit_probability",
    "skill_target",
    "step",
    "step_numpy",
    "target_before_overload",
    "workload",
]


def saturating(spend: np.ndarray | float, scale: float) -> np.ndarray | float:
    """Diminishing returns in [0, 1): ``1 - exp(-spend / scale)``."""
    return -np.expm1(-np.asarray(spend, dtype=np.float64) / scale)


def workload(clients: np.ndarray, capacity: float) -> np.ndarray:
    """Overload per staff member: clients over capacity, as a share of capacity (0 when under)."""
    return np.maximum(clients / capacity - 1.0, 0.0)


def engagement_target(
    training_spend: float, autonomy: float, overload: np.ndarray, p: Staff
) -> np.ndarray:
    """Engagement each staff member tends toward, in [0, 1].

    ``autonomy`` is the lever ``levers.autonomy`` (0–1): the authority to act without approval,
    worth ``autonomy_engagement`` at 1. It is its own lever, not implied by an empowerment budget
    (which pays for on-the-spot fixes, :mod:`~model.engine.phases.work`).
    """
    target = target_before_overload(training_spend, autonomy, p) - p.overload_engagement * overload
    return np.clip(target, 0.0, 1.0)


def target_before_overload(training_spend: float, autonomy: float, p: Staff) -> float:
    """Engagement target of a staff member without overload (unclipped): base + training + autonomy."""
    return float(
        p.engagement_base
        + p.training_engagement * saturating(training_spend, p.training_scale)
        + p.autonomy_engagement * float(autonomy)
    )


def skill_target(training_spend: float, p: Staff) -> float:
    """Skill staff tend toward with this training spend, in [0, 1]."""
    return float(
        np.clip(
            p.skill_base + p.training_skill * saturating(training_spend, p.training_scale), 0, 1
        )
    )


def quit_probability(engagement: np.ndarray, p: Staff) -> np.ndarray:
    """Monthly chance a staff member quits: disengaged staff quit more."""
    return np.clip(p.turnover * (1.0 + p.turnover_engagement * (0.5 - engagement) * 2.0), 0.0, 1.0)


def headcount(served: int, staffing: float, capacity: float) -> int:
    """Staff employed this month: enough for the served clients at ``staffing`` × capacity."""
    # math.ceil: the same integer as int(np.ceil(...)) of a Python float, without a numpy call
    return max(1, math.ceil(served * staffing / capacity))


def step(ctx: Context) -> None:
    """Hire or lay off to the month's headcount; move engagement and skill; replace quitters.

    Compiled: :func:`step_numpy`'s numbers, bit for bit, from one pass over the served clients
    and one over the staff (:func:`model.engine.kernels.staff.staff_month`) instead of some twenty
    numpy calls on short arrays.
    """
    s, lv, cl = ctx.staff, ctx.levers, ctx.clients
    n, hires = _hire(ctx, kernels.deal_round_robin)
    quits = kernels.staff_month(
        n,
        ctx.served_idx,
        cl.staff,
        s.clients,
        s.engagement,
        s.skill,
        ctx.streams.uniform_scratch("staff.quit", ctx.month, s.n),
        s.quits,
        s.budget_left,
        s.budget_used,
        *_kept_scalars(ctx),
        float(lv.empowerment_budget),
    )
    _book(ctx, n, hires + quits, quits)


def _kept_scalars(ctx: Context) -> tuple:
    """:func:`_scalars` of the month's levers and staff section, formed once per market for
    those objects (by identity: a −0.0 lever is not taken for a 0.0 one's)."""
    p, lv = ctx.params.staff, ctx.levers
    return formed(
        ctx.clients, "staff", (p, lv), lambda: _scalars(lv.training_spend, lv.autonomy, p)
    )


def _scalars(
    training_spend: float, autonomy: float, p: Staff
) -> tuple[float, float, np.float32, float, float, np.float32, np.float32, np.float32, np.float32,
           np.float32]:  # fmt: skip
    """The scalar arguments of :func:`model.engine.kernels.staff.staff_month` but the budget, in
    its order.

    Kept (:func:`_kept_scalars`): they change only with the levers, and their scalar numpy calls (``expm1``, ``clip``,
    a dozen conversions) cost more than the compiled month of a small market's staff.
    """
    f32 = np.float32  # each scalar as numpy meets it beside a float32 array (NEP 50)
    return (
        float(p.capacity),
        target_before_overload(training_spend, autonomy, p),
        f32(skill_target(training_spend, p)),
        float(p.overload_engagement),
        float(p.engagement_rate),
        f32(p.engagement_rate),
        f32(p.turnover),
        f32(p.turnover_engagement),
        f32(p.engagement_base),
        f32(p.new_hire_skill),
    )


def step_numpy(ctx: Context) -> None:
    """Hire or lay off to the month's headcount; move engagement and skill; replace quitters (numpy)."""
    p, s, lv, cl = ctx.params.staff, ctx.staff, ctx.levers, ctx.clients
    n, hires = _hire(ctx, _deal_numpy)
    s.clients[:] = 0
    s.clients[:n] = np.bincount(cl.staff[ctx.served_idx], minlength=n)
    e, k = s.engagement[:n], s.skill[:n]
    target = engagement_target(
        lv.training_spend, lv.autonomy, workload(s.clients[:n], p.capacity), p
    )
    e += (p.engagement_rate * (target - e)).astype(np.float32)
    k += np.float32(p.engagement_rate) * (np.float32(skill_target(lv.training_spend, p)) - k)
    u = ctx.streams.uniform("staff.quit", ctx.month, s.n)[:n]
    s.quits[:] = False
    s.quits[:n] = u < quit_probability(e, p)
    e[s.quits[:n]] = p.engagement_base
    k[s.quits[:n]] = p.new_hire_skill
    s.budget_left[:] = 0.0
    s.budget_left[:n] = lv.empowerment_budget
    s.budget_used[:] = 0.0
    quits = int(s.quits.sum())
    _book(ctx, n, hires + quits, quits)


def _hire(ctx: Context, deal: Callable[[np.ndarray, int], object]) -> tuple[int, int]:
    """Hire or lay off to this month's headcount; return it and the number hired for growth.

    New rows start at the base engagement and a new hire's skill; when the headcount changed,
    ``deal(clients.staff, n)`` deals the clients to the ``n`` staff anew, round-robin by row
    (rows carry no order: as good as random).
    """
    p, s = ctx.params.staff, ctx.staff
    before = s.employed
    n = min(headcount(int(ctx.served_idx.size), ctx.levers.staffing, p.capacity), s.n)
    if n != before:
        s.engagement[before:n] = p.engagement_base
        s.skill[before:n] = p.new_hire_skill
        s.employed = n
        deal(ctx.clients.staff, n)
    return n, max(n - before, 0)


def _deal_numpy(staff_of: np.ndarray, n: int) -> None:
    """Client row ``i`` to staff ``i mod n`` (numpy; :func:`model.engine.kernels.staff.deal_round_robin`)."""
    np.remainder(np.arange(staff_of.size, dtype=staff_of.dtype), n, out=staff_of)


def _book(ctx: Context, n: int, hires: int, quits: int) -> None:
    """The month's salaries, training and hiring (growth and replacements) into the ledger."""
    p, lv = ctx.params.staff, ctx.levers
    ctx.ledger["staff"] += n * p.salary
    ctx.ledger["training"] += n * lv.training_spend
    ctx.ledger["hiring"] += hires * p.hiring_cost
    ctx.tally["staff_quits"] = quits
    ctx.tally["staff"] = n
