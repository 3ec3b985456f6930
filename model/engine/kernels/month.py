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
) -> np.ndarray:  # pragma: no cover - compiled
    """Who is served this month and who can be won back, in one pass.

    Writes ``served`` (stage ACTIVE or LOYAL) and ``within_winback`` (LAPSED less than
    ``winback_months`` ago) and returns the served rows in ascending order. Reference: ``ClientState.active_mask``, ``np.flatnonzero`` and the first
    line of :func:`model.engine.targeting.monthly_targets` (``tests/test_kernels.py``).
    """
    rows = np.empty(stage.size, np.int64)
    k = 0
    for i in range(stage.size):
        s = stage[i]
        on = s in (active_code, loyal_code)
        served[i] = on
        within_winback[i] = s == lapsed_code and months_lapsed[i] < winback_months
        if on:
            rows[k] = i
            k += 1
    return rows[:k].copy()
