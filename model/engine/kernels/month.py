"""The compiled pass that opens a month (:meth:`model.engine.context.Context.begin_month`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["open_month"]


@njit(cache=True, nogil=True)
def open_month(
    stage: np.ndarray,
    months_lapsed: np.ndarray,
    active_code: int,
    loyal_code: int,
    lapsed_code: int,
    winback_months: int,
    served: np.ndarray,
    within_winback: np.ndarray,
    incident: np.ndarray,
    direct_cost: np.ndarray,
    heard_positive: np.ndarray,
    heard_negative: np.ndarray,
    leaves: np.ndarray,
    joins: np.ndarray,
    returns: np.ndarray,
    rows: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Who is served this month and who can be won back, in one call that also clears last
    month's requests.

    Writes ``served`` (stage ACTIVE or LOYAL) and ``within_winback`` (LAPSED less than
    ``winback_months`` ago), zeroes the month's request arrays (``incident`` … ``returns``:
    :meth:`model.engine.state.ClientState.clear_scratch` in the same call, one Python call
    instead of seven), lists the served rows in ascending order at the start of ``rows`` (int64,
    one longer than the market) and returns how many there are (a count: the caller slices
    ``rows``, as boxing an array returned costs a microsecond).
    Reference: ``ClientState.active_mask``, ``np.flatnonzero``, ``clear_scratch`` and the first
    line of :func:`model.engine.targeting.monthly_targets` (``tests/test_kernels.py``).
    """
    # The clears as whole-array fills (each a vectorized store) and the flags with bitwise
    # operators, not `in` or `and`: no branch on the stage, which comes in no order a branch
    # predicts (6 µs against 14 at 3,000 clients, the same bytes).
    incident[:] = 0
    direct_cost[:] = 0.0
    heard_positive[:] = False
    heard_negative[:] = False
    leaves[:] = False
    joins[:] = False
    returns[:] = False
    for i in range(stage.size):
        s = stage[i]
        served[i] = (s == active_code) | (s == loyal_code)
        within_winback[i] = (s == lapsed_code) & (months_lapsed[i] < winback_months)
    # Listed branch-free (rows_where's way: a mixed market mispredicts a test and jump; the one
    # slot more takes the writes after the last served row).
    if rows.size < stage.size + 1:
        raise ValueError("rows is shorter than the market plus one")
    k = 0
    for i in range(stage.size):
        rows[k] = i
        k += served[i]
    return k
