"""Passes over the social network's edges (CSR), compiled."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["pick_flagged_csr", "word_of_mouth_reach"]


@njit(cache=True, nogil=True)
def word_of_mouth_reach(
    indptr: np.ndarray,
    indices: np.ndarray,
    promoters: np.ndarray,
    detractors: np.ndarray,
    table_pos: np.ndarray,
    table_neg: np.ndarray,
    u_pos: np.ndarray,
    u_neg: np.ndarray,
    do_pos: bool,
    do_neg: bool,
    probability_pos: np.ndarray,
    heard_pos: np.ndarray,
    heard_neg: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Who hears a positive and a negative message this month, in one pass over the edges.

    For each client: count promoter and detractor neighbours, read the chance of hearing at least
    one message of each kind from its table (indexed by that count), and compare it with the
    client's uniform. Writes ``probability_pos`` and the two ``heard`` flags (a kind not carried,
    ``do_* = False``, is left untouched). Reference: the numpy body of
    :func:`model.engine.phases.word_of_mouth.step` (``count_flagged_both``,
    ``reach_probability``, ``np.less``).
    """
    for i in range(indptr.size - 1):
        npos = 0
        nneg = 0
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            npos += promoters[j]
            nneg += detractors[j]
        if do_pos:
            p = table_pos[npos]
            probability_pos[i] = p
            heard_pos[i] = u_pos[i] < p
        if do_neg:
            heard_neg[i] = u_neg[i] < table_neg[nneg]


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
