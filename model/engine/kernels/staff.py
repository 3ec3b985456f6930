"""Compiled passes of the staff phase (:mod:`model.engine.phases.staff`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["deal_round_robin", "staff_month"]


@njit(cache=True, nogil=True)
def deal_round_robin(staff_of: np.ndarray, n_staff: int) -> None:  # pragma: no cover - compiled
    """Deal clients to staff by row, round-robin: ``staff_of[i] = i mod n_staff``, in place.

    A wrapping counter instead of a division per row. Reference:
    ``np.remainder(np.arange(staff_of.size), n_staff, out=staff_of)``.
    """
    j = 0
    for i in range(staff_of.size):
        staff_of[i] = j
        j += 1
        if j == n_staff:
            j = 0


@njit(cache=True, nogil=True)
def staff_month(
    n: int,
    served_idx: np.ndarray,
    staff_of: np.ndarray,
    clients: np.ndarray,
    engagement: np.ndarray,
    skill: np.ndarray,
    u_quit: np.ndarray,
    quits: np.ndarray,
    budget_left: np.ndarray,
    budget_used: np.ndarray,
    capacity: float,
    target_base: float,
    skill_target32: np.float32,
    overload_engagement: float,
    engagement_rate: float,
    engagement_rate32: np.float32,
    turnover32: np.float32,
    turnover_engagement32: np.float32,
    engagement_base32: np.float32,
    new_hire_skill32: np.float32,
    budget: float,
) -> int:  # pragma: no cover - compiled
    """One month of the first ``n`` staff: count clients, move engagement and skill, draw quits.

    In place: ``clients`` (served clients per staff member), ``engagement`` and ``skill``,
    ``quits`` (quitters are replaced by new hires at the base engagement and new-hire skill) and
    the empowerment budgets (``budget`` each for the employed, 0 for the rest). Returns the number
    of quits. Engagement's target is computed in float64, as numpy has it (an int32 count over a
    float capacity), and rounded to float32 where numpy's ``astype`` does; skill and the quit
    chance are float32 throughout. Reference: :func:`model.engine.phases.staff.step_numpy`
    (``workload``, ``engagement_target``, ``quit_probability``).

    Parameters
    ----------
    n : int
        Staff employed this month (the first ``n`` rows).
    served_idx : ndarray of int
        Rows of the clients served this month.
    staff_of : ndarray of int32
        Staff member serving each client.
    u_quit : ndarray of float32
        Each staff row's uniform for quitting (at least ``n`` of them).
    capacity : float
        Clients one staff member serves without overload.
    target_base : float
        Engagement target before overload: base + training + autonomy (float64, see
        :func:`model.engine.phases.staff.target_before_overload`).
    skill_target32 : float32
        The skill staff tend toward, as numpy meets it beside float32 skill.
    overload_engagement, engagement_rate : float
        Engagement lost per unit of overload; share of the gap to the target closed a month.
    engagement_rate32 : float32
        The rate as numpy meets it beside float32 skill.
    turnover32, turnover_engagement32 : float32
        Base monthly quit chance and how much disengagement adds to it (float32, NEP 50).
    engagement_base32, new_hire_skill32 : float32
        A new hire's engagement and skill.
    budget : float
        Empowerment money each employed staff member has this month (currency).
    """
    clients[:] = 0
    for i in range(served_idx.size):
        clients[np.uint64(staff_of[np.uint64(served_idx[i])])] += 1
    n_quits = 0
    for j in range(quits.size):
        if j >= n:
            quits[j] = False
            budget_left[j] = 0.0
            budget_used[j] = 0.0
            continue
        # Engagement: float64 target (as numpy's int32 / float), the step rounded to float32.
        overload = clients[j] / capacity - 1.0
        if overload < 0.0:
            overload = 0.0
        target = target_base - overload_engagement * overload
        if target < 0.0:
            target = 0.0
        if target > 1.0:
            target = 1.0
        e = engagement[j] + np.float32(engagement_rate * (target - np.float64(engagement[j])))
        k = skill[j] + engagement_rate32 * (skill_target32 - skill[j])
        # Quit chance in float32: turnover · (1 + t·(½ − e)·2), clipped to [0, 1].
        chance = turnover32 * (
            np.float32(1.0) + turnover_engagement32 * (np.float32(0.5) - e) * np.float32(2.0)
        )
        if chance < np.float32(0.0):
            chance = np.float32(0.0)
        if chance > np.float32(1.0):
            chance = np.float32(1.0)
        quit = u_quit[j] < chance
        quits[j] = quit
        if quit:
            e = engagement_base32
            k = new_hire_skill32
            n_quits += 1
        engagement[j] = e
        skill[j] = k
        budget_left[j] = budget
        budget_used[j] = 0.0
    return n_quits
