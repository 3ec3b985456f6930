"""The month's service in one compiled call: the work, satisfaction and retain phases' passes.

:func:`serve_month` runs :func:`~model.engine.kernels.work.work_month`,
:func:`~model.engine.kernels.satisfaction.update_served` and
:func:`~model.engine.kernels.retain.leave_month` one after the other, as the three phases call
them (:mod:`model.engine.serve` says when): the same passes, so the same numbers, with one
dispatch instead of three and the client arrays bound once per market rather than gathered into
argument lists every month.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.retain import leave_month
from model.engine.kernels.satisfaction import update_served
from model.engine.kernels.work import work_month

__all__ = ["serve_month"]


@njit(cache=True, nogil=True)
def serve_month(
    market: tuple, fixed: tuple, monthly: tuple, exp64: np.ndarray, exp32: np.ndarray
) -> tuple:  # pragma: no cover - compiled
    """The work, satisfaction and retain phases' passes of one month, in that order.

    Parameters
    ----------
    market : tuple of ndarray
        The arrays a market fixes: ``(staff, staff_clients, engagement, skill, fit,
        normal_table, incident, direct_cost, paradox_bonus, experience, budget_used,
        budget_left, expectation, satisfaction, tenure, propensity, leaves, left_reason)`` —
        each client's staff member, the staff's clients, engagement and skill, the clients'
        fit, the normal quantiles' table, then the arrays the three passes write or read.
    fixed : tuple
        What the scenario fixes: ``(staff_terms, fit_effect, noise_scale, rate_max, mu, sigma,
        settle, satisfaction, paradox_acts, bad_service_threshold, no_response)`` — the work phase's
        constants (:func:`~model.engine.kernels.work.serve`'s and ``settle_month``'s, as the
        work phase forms them), the satisfaction rule's six float32 constants in
        ``update_served``'s order (the market term, monthly, in place of the fifth), whether
        the recovery bonus counts for churn, the bad-service threshold, and an empty float32
        array (the exponential response has no response factor).
    monthly : tuple
        This month's: ``(idx, served, dense, u_quality, u_incident, level, novelty_dip,
        fix_cost_key, quality, experience_work, reachable, cap, budget_on, escalation_key,
        standard_share, enrolled, terms, with_kept, gap_factor, u_churn, u_poach, poach,
        poach_for_good, bufsize)`` — the served rows and mask, whether most are served, the
        work phase's draws, level, novelty dip, keys and two work rows, the empowerment's
        segment, cap and whether it has a budget, the satisfaction anchor's market term, and
        the retain pass's arguments as :func:`~model.engine.kernels.retain.leave_month` takes
        them (the exponential response: no response factor).
    exp64, exp32 : ndarray of intp
        numpy's ``exp`` loops' addresses (:mod:`model.engine.kernels.numpy_loops`).

    Returns
    -------
    tuple
        ``work_month``'s results, then ``leave_month``'s.
    """
    staff_terms, settle, constants = fixed[0], fixed[6], fixed[7]
    idx, served = monthly[0], monthly[1]
    delivery = (
        idx, market[0], market[1], market[2], market[3], staff_terms[0], staff_terms[1],
        staff_terms[2], staff_terms[3], market[4], monthly[3], monthly[4], market[5], fixed[1],
        fixed[2], monthly[5], fixed[3], monthly[6], monthly[7], fixed[4], fixed[5], monthly[8],
        monthly[9],
    )  # fmt: skip
    settlement = (
        monthly[10], monthly[11], monthly[12], monthly[13], settle[0], settle[1], settle[2],
        settle[3], settle[4], settle[5], market[6], market[7], market[8], market[9], market[10],
        market[11],
    )  # fmt: skip
    worked = work_month(delivery, exp64, settlement)
    update_served(
        idx, served, market[9], market[12], market[13], market[8], constants[0], constants[1],
        constants[2], constants[3], monthly[14], constants[4], constants[5],
    )  # fmt: skip
    kept = leave_month(
        monthly[2], served, idx, market[13], market[8], fixed[8], market[14], monthly[15],
        monthly[16], monthly[17], fixed[10], monthly[18], market[15],
        fixed[9], monthly[19], monthly[20], monthly[21], monthly[22], market[16], market[17],
        monthly[23], exp32,
    )  # fmt: skip
    return worked, kept
