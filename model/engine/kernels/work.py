"""Compiled passes of the work phase (:mod:`model.engine.phases.work`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["greedy_spend"]


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
