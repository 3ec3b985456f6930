"""Compiled passes of the work phase for its incidents (:mod:`model.engine.phases.work`): which
ones empowered staff fix on the spot from their budgets, which are escalated, and what each costs
and leaves behind."""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.hashing import hash_one
from model.engine.kernels.reduce import add_reduce
from model.engine.kernels.scalar import clip

__all__ = ["choose_on_spot", "greedy_spend", "settle_incidents", "settle_month"]


@njit(cache=True, nogil=True)
def greedy_spend(
    group: np.ndarray, cost: np.ndarray, budget: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Which items each group's budget pays for, spending greedily in order.

    Reference: :func:`model.engine.phases.work.greedy_spend_numpy`, round for round: each round
    drops the items dearer than their group's remaining money, pays every group's longest
    affordable prefix (judged by a running sum over all pending items, as ``np.cumsum`` forms it)
    and takes what was paid off the remainder (summed per group as ``np.bincount`` does).
    """
    n = cost.size
    paid = np.zeros(n, np.bool_)
    left = budget.astype(np.float64)
    pending = np.arange(n)
    spent = np.zeros(left.size, np.float64)
    while pending.size:
        keep = np.empty(pending.size, np.bool_)
        m = 0
        for k in range(pending.size):
            i = pending[k]
            keep[k] = cost[i] <= left[group[i]]
            m += keep[k]
        if m == 0:
            break
        now = np.empty(m, np.int64)
        j = 0
        for k in range(pending.size):
            if keep[k]:
                now[j] = pending[k]
                j += 1
        spent[:] = 0.0
        rest = np.empty(m, np.int64)
        r = 0
        csum = 0.0
        start = 0.0
        for k in range(m):
            i = now[k]
            g = group[i]
            c = cost[i]
            csum += c
            if k == 0 or g != group[now[k - 1]]:
                start = csum - c  # the running sum before this group's first item, as numpy has it
            if csum - start <= left[g]:
                paid[i] = True
                spent[g] += c
            else:
                rest[r] = i
                r += 1
        for g in range(left.size):
            left[g] -= spent[g]
        pending = rest[:r]
    return paid


@njit(cache=True, nogil=True)
def choose_on_spot(
    rows: np.ndarray,
    hit: np.ndarray,
    staff_of: np.ndarray,
    cost: np.ndarray,
    reachable: np.ndarray,
    cap: float,
    budget_on: bool,
    budget_left: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """Which incidents empowered staff fix on the spot: their staff, the choice, and its count.

    Incident ``k`` (client ``rows[hit[k]]``) is eligible when the client is ``reachable``, its
    ``cost`` is within ``cap`` and there is an empowerment budget; each staff member's eligible
    incidents, in incident order, are paid for by :func:`greedy_spend` out of ``budget_left``
    (which is not changed). The eligible incidents are grouped by staff member with a counting
    sort (staff ids are rows of ``budget_left``), which orders them exactly as a stable
    ``np.argsort``. Reference: the middle of :func:`model.engine.phases.work.step_numpy`.

    Returns
    -------
    served_by : ndarray of int64
        The staff member of each incident.
    on_spot : ndarray of bool
        Whether each incident is fixed on the spot.
    n_on_spot : int
        How many are.
    """
    n_staff = budget_left.size
    served_by = np.empty(hit.size, np.int64)
    eligible = np.empty(hit.size, np.bool_)
    start = np.zeros(n_staff + 1, np.int64)
    for k in range(hit.size):
        row = np.uint64(rows[hit[k]])
        served_by[k] = staff_of[row]
        eligible[k] = reachable[row] and cost[k] <= cap and budget_on
        if eligible[k]:
            start[served_by[k] + 1] += 1
    for g in range(n_staff):
        start[g + 1] += start[g]
    chosen = np.empty(start[n_staff], np.int64)
    for k in range(hit.size):
        if eligible[k]:
            g = served_by[k]
            chosen[start[g]] = k
            start[g] += 1
    group = np.empty(chosen.size, np.int64)
    chosen_cost = np.empty(chosen.size, np.float64)
    for i in range(chosen.size):
        group[i] = served_by[chosen[i]]
        chosen_cost[i] = cost[chosen[i]]
    paid = greedy_spend(group, chosen_cost, budget_left)
    on_spot = np.zeros(hit.size, np.bool_)
    n_on_spot = 0
    for i in range(chosen.size):
        if paid[i]:
            on_spot[chosen[i]] = True
            n_on_spot += 1
    return served_by, on_spot, n_on_spot


@njit(cache=True, nogil=True)
def settle_incidents(
    rows: np.ndarray,
    hit: np.ndarray,
    served_by: np.ndarray,
    cost: np.ndarray,
    on_spot: np.ndarray,
    escalation_key: np.uint64,
    escalation_fix_prob: np.float32,
    manager_multiplier: float,
    recovery_on_spot: float,
    recovery_escalated: float,
    severity: float,
    paradox_bonus: np.float32,
    experience_month: np.ndarray,
    incident: np.ndarray,
    direct_cost: np.ndarray,
    bonus: np.ndarray,
    experience: np.ndarray,
    budget_used: np.ndarray,
    budget_left: np.ndarray,
    spent_spot: np.ndarray,
    spent_later: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Settle the month's incidents and write every served client's experience.

    Incident ``k`` (client ``rows[hit[k]]``): fixed on the spot where ``on_spot[k]``, else fixed
    later when its ``work.escalation`` uniform (keyed by ``escalation_key``) is below
    ``escalation_fix_prob``, else unfixed; its cost is booked (``spent_spot``/``spent_later``,
    the client's ``direct_cost``, its staff member's budget), its experience falls by
    ``severity·(1 − recovery)`` (rounded to float32), and a fix on the spot adds the paradox
    bonus. Then ``experience[rows] = clip(experience_month, 0, 1)``. Returns the number fixed
    later. Reference: the second half of :func:`model.engine.phases.work.step_numpy`.
    """
    used = np.zeros(budget_used.size, np.float64)
    n_later = 0
    for k in range(hit.size):
        row = np.uint64(rows[hit[k]])
        spot = on_spot[k]
        later = False
        if not spot:
            later = hash_one(np.int64(row), escalation_key) < escalation_fix_prob
        c = cost[k]
        a = c if spot else 0.0
        b = c * manager_multiplier if later else 0.0
        spent_spot[k] = a
        spent_later[k] = b
        direct_cost[row] += a + b
        used[np.uint64(served_by[k])] += a
        if spot:
            incident[row] = 1
            recovery = recovery_on_spot
            bonus[row] += paradox_bonus
        elif later:
            incident[row] = 2
            recovery = recovery_escalated
            n_later += 1
        else:
            incident[row] = 3
            recovery = 0.0
        experience_month[hit[k]] -= np.float32(severity * (1.0 - recovery))
    for g in range(used.size):
        budget_used[g] += used[g]
        budget_left[g] -= used[g]
    zero, one = np.float32(0.0), np.float32(1.0)
    for i in range(rows.size):
        experience[np.uint64(rows[i])] = clip(experience_month[i], zero, one)
    return n_later


@njit(cache=True, nogil=True)
def settle_month(
    rows: np.ndarray,
    hit: np.ndarray,
    staff_of: np.ndarray,
    cost: np.ndarray,
    reachable: np.ndarray,
    cap: float,
    budget_on: bool,
    escalation_key: np.uint64,
    escalation_fix_prob: np.float32,
    manager_multiplier: float,
    recovery_on_spot: float,
    recovery_escalated: float,
    severity: float,
    paradox_bonus: np.float32,
    experience_month: np.ndarray,
    incident: np.ndarray,
    direct_cost: np.ndarray,
    bonus: np.ndarray,
    experience: np.ndarray,
    budget_used: np.ndarray,
    budget_left: np.ndarray,
    spent_spot: np.ndarray,
    spent_later: np.ndarray,
) -> tuple[int, int, float, float]:  # pragma: no cover - compiled
    """:func:`choose_on_spot`, then :func:`settle_incidents` with its choice, in one call.

    Parameters as there; returns the numbers fixed on the spot and fixed later, and the sums of
    ``spent_spot`` and ``spent_later`` (as ``np.add.reduce`` sums them).
    """
    served_by, on_spot, n_on_spot = choose_on_spot(
        rows, hit, staff_of, cost, reachable, cap, budget_on, budget_left
    )
    n_later = settle_incidents(
        rows, hit, served_by, cost, on_spot, escalation_key, escalation_fix_prob,
        manager_multiplier, recovery_on_spot, recovery_escalated, severity, paradox_bonus,
        experience_month, incident, direct_cost, bonus, experience, budget_used, budget_left,
        spent_spot, spent_later,
    )  # fmt: skip
    return n_on_spot, n_later, add_reduce(spent_spot), add_reduce(spent_later)
