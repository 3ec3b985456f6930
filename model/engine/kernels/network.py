"""Passes over the social network's edges (CSR), compiled."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["pick_flagged_csr"]


@njit(cache=True, nogil=True)
def pick_flagged_csr(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, flag: np.ndarray, u: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """For each node in ``rows``, its neighbour with ``flag`` set of rank ``⌊u · count⌋``, or -1.

    Reference: :meth:`model.engine.network.Network.pick_flagged` (its CSR branch): the rank is
    ``min(⌊u·count⌋, count − 1)`` with ``u·count`` formed in float64, over the flagged
    neighbours in edge order.
    """
    out = np.full(rows.size, -1, np.int32)
    for k in range(rows.size):
        r = rows[k]
        count = 0
        for e in range(indptr[r], indptr[r + 1]):
            count += flag[indices[e]]
        if count == 0:
            continue
        want = min(np.int64(np.float64(u[k]) * np.float64(count)), count - 1)
        for e in range(indptr[r], indptr[r + 1]):
            j = indices[e]
            if flag[j]:
                if want == 0:
                    out[k] = j
                    break
                want -= 1
    return out
