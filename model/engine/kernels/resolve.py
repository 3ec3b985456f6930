"""Compiled pass of the resolve phase (:mod:`model.engine.phases.resolve`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["resolve_market"]


@njit(cache=True, nogil=True)
def resolve_market(
    served: np.ndarray,
    leaves: np.ndarray,
    joins: np.ndarray,
    returns: np.ndarray,
    aware_source: np.ndarray,
    stage: np.ndarray,
    tenure: np.ndarray,
    months_lapsed: np.ndarray,
    satisfaction: np.ndarray,
    expectation: np.ndarray,
    paradox_bonus: np.ndarray,
    left_reason: np.ndarray,
    aware: np.ndarray,
    acquired_month: np.ndarray,
    month: int,
    initial_satisfaction: np.float32,
    loyal_tenure_months: int,
    loyal_satisfaction: np.float32,
    active_code: int,
    lapsed_code: int,
    referral_code: int,
) -> tuple[int, int, int, int]:  # pragma: no cover - compiled
    """Apply the month's leaves, joins and returns, age everyone a month and relabel LOYAL.

    One pass over the market, in place. Each client's update is the reference's sequence of
    whole-array steps applied to that client alone (they never mix clients), so the order of the
    steps within a client is kept: tenure and months lapsed age first, leavers lapse, arrivals
    reset, and LOYAL is judged on the updated tenure and satisfaction. ``initial_satisfaction``
    and ``loyal_satisfaction`` come as float32, as numpy casts them against float32 arrays.

    Reference: :func:`model.engine.phases.resolve.step_numpy`.

    Returns
    -------
    tuple of int
        Clients who churned, were acquired, were acquired by referral, and came back.
    """
    churned = acquired = acquired_referral = won_back = 0
    # Branch-free on the common path (most clients neither move nor change stage): a branch on
    # ``served`` or ``stage`` mispredicts on a mixed market and costs more than the pass itself.
    for i in range(stage.size):
        leaving, joining, returning = leaves[i], joins[i], returns[i]
        code = stage[i]
        active = served[i] & (not leaving)
        months_in = tenure[i] + active
        months_out = months_lapsed[i] + ((code == lapsed_code) & (not returning))
        if leaving | joining | returning:  # the few movers
            churned += leaving
            acquired += joining
            won_back += returning
            if leaving:
                code = lapsed_code
                months_out = 0
            if joining | returning:
                active = True
                code = active_code
                months_in = 0
                satisfaction[i] = initial_satisfaction
                expectation[i] = initial_satisfaction
                paradox_bonus[i] = 0.0
                left_reason[i] = 0
            if joining:
                acquired_referral += aware_source[i] == referral_code
                aware[i] = False
                acquired_month[i] = month
        tenure[i] = months_in  # (int16, wrapping as numpy's int16 add)
        months_lapsed[i] = months_out
        loyal = (tenure[i] >= loyal_tenure_months) & (satisfaction[i] >= loyal_satisfaction)
        # stage ← ACTIVE + loyal where active, else unchanged (as the reference's int8 arithmetic)
        stage[i] = code + active * (active_code + loyal - code)
    return churned, acquired, acquired_referral, won_back
