"""Compiled passes of the work phase (:mod:`model.engine.phases.work`): the quality each served
client gets, who has an incident, and the month in one call (:func:`work_month`); what becomes of
each incident is in :mod:`~model.engine.kernels.incidents`."""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.hashing import hash_one
from model.engine.kernels.incidents import settle_month
from model.engine.kernels.numpy_loops import apply_inplace
from model.engine.kernels.reduce import add_reduce
from model.engine.kernels.scalar import clip

__all__ = ["deliver", "fix_cost_exponents", "serve", "staff_terms", "work_month"]


@njit(cache=True, nogil=True)
def staff_terms(
    clients: np.ndarray,
    engagement: np.ndarray,
    skill: np.ndarray,
    capacity: float,
    engagement_quality32: np.float32,
    skill_quality32: np.float32,
    overload_quality: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """Each staff member's quality term, ``e·(eng − ½) + s·(skill − ½) − o·overload``, as float32.

    As numpy computes it: the engagement and skill terms in float32 (the weights as float32), the
    overload ``max(clients / capacity − 1, 0)`` and its term in float64, their difference in
    float64 rounded to float32 once. Reference: ``_staff_terms`` in
    :mod:`model.engine.phases.work` (:func:`~model.engine.phases.work.staff_quality`).
    """
    out = np.empty(clients.size, np.float32)
    half = np.float32(0.5)
    for j in range(clients.size):
        overload = clients[j] / capacity - 1.0
        overload = 0.0 if overload < 0.0 else overload  # np.maximum: a NaN stays NaN
        term = engagement_quality32 * (engagement[j] - half) + skill_quality32 * (skill[j] - half)
        out[j] = np.float32(np.float64(term) - overload_quality * overload)
    return out


@njit(cache=True, nogil=True)
def deliver(
    rows: np.ndarray,
    staff_of: np.ndarray,
    staff_term: np.ndarray,
    fit: np.ndarray,
    u_quality: np.ndarray,
    u_incident: np.ndarray,
    normal_table: np.ndarray,
    fit_effect: np.float32,
    noise_scale: np.float32,
    level: np.float32,
    rate_max: np.float32,
    dip: np.float32,
    quality: np.ndarray,
    experience: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Each served client's delivered quality and whether it has an incident, in one pass.

    For the client in ``rows[i]``: ``q = f·(fit − ½) + staff term + σ·z + level``, clipped to
    [0, 1] (``z`` the tabulated normal of its ``work.quality`` uniform); an incident when its
    ``work.incident`` uniform is below ``rate_max·(1 − q)``; the experience before incidents is
    ``q − dip``. Every operation in float32, as numpy computes them. Writes ``quality[i]`` and
    ``experience[i]``; returns the positions ``i`` with an incident. Reference:
    :func:`model.engine.phases.work.delivered_quality`, :func:`~model.engine.phases.work.incident_probability`
    and :func:`model.engine.randomness.normal_from_uniform`, as ``step_numpy`` composes them.
    """
    cells = normal_table.size
    hits = np.empty(rows.size, np.int32)  # (positions below the market's 5·10⁷: 4 bytes)
    n_hits = 0
    half, one = np.float32(0.5), np.float32(1.0)
    zero = np.float32(0.0)
    for i in range(rows.size):
        r = np.uint64(rows[i])
        cell = np.int32(u_quality[r] * np.float32(cells))
        z = normal_table[min(cell, cells - 1)]
        q = fit_effect * (fit[r] - half)
        q += staff_term[np.uint64(staff_of[r])]
        q += noise_scale * z
        q += level
        q = clip(q, zero, one)
        quality[i] = q
        experience[i] = q - dip
    # The incidents in a loop of their own: in the one above, a branch waiting on the table's
    # gather held back the next clients' work when mispredicted (5.3 → 4.6 ms at 10⁶ clients).
    for i in range(rows.size):
        if u_incident[np.uint64(rows[i])] < rate_max * (one - np.float32(quality[i])):
            hits[n_hits] = i
            n_hits += 1
    return hits[:n_hits]


@njit(cache=True, nogil=True)
def fix_cost_exponents(
    rows: np.ndarray,
    hit: np.ndarray,
    key: np.uint64,
    normal_table: np.ndarray,
    mu: float,
    sigma: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """``mu + sigma·z`` (float64) for each incident: the exponent of its lognormal fix cost.

    Incident ``k`` is client ``rows[hit[k]]``; ``z`` is the tabulated normal of its ``work.fix_cost``
    uniform (hashed here under ``key``, as ``ctx.uniform_at`` does). The ``exp`` is numpy's
    (:func:`work_month` calls its loop; numba's differs in the last bit). Reference: :func:`model.engine.phases.work.fix_cost` of
    ``ctx.uniform_at("work.fix_cost", rows[hit])``.
    """
    cells = normal_table.size
    out = np.empty(hit.size, np.float64)
    for k in range(hit.size):
        u = hash_one(np.int64(rows[hit[k]]), key)
        cell = np.int32(u * np.float32(cells))
        out[k] = mu + sigma * np.float64(normal_table[min(cell, cells - 1)])
    return out


@njit(cache=True, nogil=True)
def serve(
    rows: np.ndarray,
    staff_of: np.ndarray,
    clients: np.ndarray,
    engagement: np.ndarray,
    skill: np.ndarray,
    capacity: float,
    engagement_quality32: np.float32,
    skill_quality32: np.float32,
    overload_quality: float,
    fit: np.ndarray,
    u_quality: np.ndarray,
    u_incident: np.ndarray,
    normal_table: np.ndarray,
    fit_effect: np.float32,
    noise_scale: np.float32,
    level: float,
    rate_max: np.float32,
    dip: float,
    fix_cost_key: np.uint64,
    mu: float,
    sigma: float,
    quality: np.ndarray,
    experience: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:  # pragma: no cover - compiled
    """:func:`staff_terms`, :func:`deliver` and :func:`fix_cost_exponents` in one call.

    Parameters as there (the staff arrays and scalars are :func:`staff_terms`'), but ``level``
    and ``dip`` are rounded to float32 here (as ``np.float32`` rounds a float; one numpy call
    fewer each); returns the positions with an incident, their fix-cost exponents, and the sum
    of ``quality`` (float32, as ``np.add.reduce`` sums it:
    :func:`~model.engine.kernels.reduce.add_reduce`).
    """
    staff_term = staff_terms(
        clients, engagement, skill, capacity, engagement_quality32, skill_quality32,
        overload_quality,
    )  # fmt: skip
    hit = deliver(
        rows, staff_of, staff_term, fit, u_quality, u_incident, normal_table, fit_effect,
        noise_scale, np.float32(level), rate_max, np.float32(dip), quality, experience,
    )  # fmt: skip
    exponents = fix_cost_exponents(rows, hit, fix_cost_key, normal_table, mu, sigma)
    return hit, exponents, add_reduce(quality)


@njit(cache=True, nogil=True)
def work_month(
    delivery: tuple, exp_loop: np.ndarray, settlement: tuple
) -> tuple[int, int, int, float, float, float]:  # pragma: no cover - compiled
    """The work phase's month in one call: :func:`serve`, numpy's ``exp`` of the fix-cost
    exponents, then :func:`~model.engine.kernels.incidents.settle_month`.

    Parameters
    ----------
    delivery : tuple
        :func:`serve`'s arguments, in its order (``rows`` … ``experience``).
    exp_loop : ndarray of intp, (4,)
        :data:`model.engine.kernels.numpy_loops.EXP64`'s address.
    settlement : tuple
        ``settle_month``'s arguments from ``reachable`` to ``budget_left``, in its order, but
        ``experience_month`` (``serve``'s ``experience``, taken from ``delivery``). The rows,
        the incidents and their costs come from ``serve``.

    Returns
    -------
    tuple
        The number of incidents, the numbers fixed on the spot and fixed later, the sums of
        what was spent on the spot and later (as ``np.add.reduce`` sums them) and the sum of
        the served clients' quality (as ``serve`` returns it).
    """
    # (Two tuples, not forty arguments: numba dispatches them as fast, 1.49 against 1.38 µs for
    # twenty values, and the two kernels' parameter lists are not written out a second time.)
    hit, cost, quality_sum = serve(*delivery)
    if apply_inplace(exp_loop, cost, 0, cost.size, np.empty(5, np.intp)) != 0:  # np.exp, in place
        raise RuntimeError("numpy's exp loop failed")
    rows, staff_of, experience_month = delivery[0], delivery[1], delivery[-1]
    n_on_spot, n_later, spot, later = settle_month(
        rows, hit, staff_of, cost, *settlement[:10], experience_month, *settlement[10:],
        np.empty(hit.size), np.empty(hit.size),
    )  # fmt: skip
    return hit.size, n_on_spot, n_later, spot, later, quality_sum
